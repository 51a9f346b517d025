/**
 * The scaffolding of an in-process fake cloud API: a node:http server on
 * 127.0.0.1 (a free port), JSON in and out, one handler function. The
 * DigitalOcean, Linode and Hetzner fakes share it; each keeps its own routes
 * and documented bodies.
 */
import { Effect, type Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface FakeRequest {
  readonly method: string
  /** Decoded path, without the query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: http.IncomingHttpHeaders
  /** The parsed JSON body, or undefined when there is none. */
  readonly body: unknown
}

export interface FakeResponse {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const json = (status: number, body?: unknown, headers?: Readonly<Record<string, string>>): FakeResponse => ({
  status,
  ...(body === undefined ? {} : { body }),
  ...(headers === undefined ? {} : { headers })
})

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/**
 * Serves `handle` until the scope closes; the result is the server's origin
 * ("http://127.0.0.1:port"). A handler that throws answers 500, so a fake's
 * own bug shows up as a failing test rather than a hang.
 */
export const serve = (handle: (request: FakeRequest, origin: string) => FakeResponse): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; origin: string }>((resume) => {
      let origin = ""
      const server = http.createServer((req, res) => {
        readBody(req)
          .then((text) => {
            const url = new URL(req.url ?? "/", origin)
            const out = handle(
              {
                method: req.method ?? "GET",
                path: decodeURIComponent(url.pathname),
                query: url.searchParams,
                headers: req.headers,
                body: text === "" ? undefined : JSON.parse(text)
              },
              origin
            )
            const payload = out.body === undefined ? undefined : JSON.stringify(out.body)
            res.writeHead(out.status, { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...out.headers })
            res.end(payload)
          })
          .catch((e: unknown) => {
            res.writeHead(500, { "content-type": "application/json" })
            res.end(JSON.stringify({ fakeServerBug: String(e) }))
          })
      })
      server.listen(0, "127.0.0.1", () => {
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        resume(Effect.succeed({ server, origin }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ origin }) => origin))
