// A tiny HTTP backend for the HAProxy peer that says who it is: every path answers 200 with the body
// "<name>\n" and the header "x-backend: <name>". Usage: node backend.mjs NAME PORT
import { createServer } from "node:http"

const [name = "srv", port = "0"] = process.argv.slice(2)
const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/plain", "x-backend": name, "connection": "close" })
    res.end(`${name}\n`)
  })
})
server.listen(Number(port), "127.0.0.1", () => console.log(`${name} listening on 127.0.0.1:${server.address().port}`))
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)))
