/**
 * A TCP proxy on 127.0.0.1 that reads the HTTP/1.1 requests passing through
 * it (request line, headers, Content-Length body) so a test can count them
 * and drop a connection in the middle of a chosen one.
 */
import * as net from "node:net"
import { Effect, type Scope } from "effect"

export interface SeenRequest {
  readonly method: string
  /** The request target as sent (path and query, encoded). */
  readonly target: string
  readonly contentLength: number
}

export interface ProxyOptions {
  /**
   * Called for every request once its headers are read: return a byte count
   * to cut the connection (both sides) after that many bytes of its body
   * have been forwarded, or undefined to let it through.
   */
  readonly cutAfter?: (request: SeenRequest, index: number) => number | undefined
}

export interface Proxy {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** Every request seen, in arrival order (retries included). */
  readonly requests: ReadonlyArray<SeenRequest>
  /** How many requests had their connection cut. */
  readonly cuts: () => number
  /** The most requests in flight at once: from their headers until the first byte of their answer. */
  readonly maxInFlight: () => number
}

const HEADER_END = Buffer.from("\r\n\r\n")

export const startProxy = (
  target: { readonly host: string; readonly port: number },
  options: ProxyOptions = {}
): Effect.Effect<Proxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly proxy: Proxy; readonly sockets: Set<net.Socket> }>((resume) => {
      const requests: Array<SeenRequest> = []
      const sockets = new Set<net.Socket>()
      let cuts = 0
      let inFlight = 0
      let maxInFlight = 0

      const server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        sockets.add(client)
        sockets.add(upstream)
        const drop = () => {
          client.destroy()
          upstream.destroy()
        }
        client.on("close", () => sockets.delete(client))
        upstream.on("close", () => sockets.delete(upstream))
        client.on("error", drop)
        upstream.on("error", drop)
        upstream.on("end", () => client.end())
        // One request at a time per connection (no pipelining): its answer starting ends it.
        let awaiting = false
        const settle = () => {
          if (awaiting) inFlight--
          awaiting = false
        }
        upstream.on("data", (data: Buffer) => {
          settle()
          client.write(data)
        })
        upstream.on("close", settle)

        // Per connection: reading headers (buffered) or forwarding `remaining` body bytes.
        let head = Buffer.alloc(0)
        let remaining = 0
        let cutAt: number | undefined
        let forwarded = 0

        const onData = (data: Buffer) => {
          let rest = data
          while (rest.length > 0) {
            if (remaining > 0) {
              const n = Math.min(remaining, rest.length)
              if (cutAt !== undefined && forwarded + n >= cutAt) {
                upstream.write(rest.subarray(0, Math.max(0, cutAt - forwarded)))
                cuts++
                drop()
                return
              }
              upstream.write(rest.subarray(0, n))
              forwarded += n
              remaining -= n
              rest = rest.subarray(n)
              continue
            }
            head = Buffer.concat([head, rest])
            rest = Buffer.alloc(0)
            const end = head.indexOf(HEADER_END)
            if (end === -1) return
            const headers = head.subarray(0, end).toString("latin1")
            const [requestLine = "", ...lines] = headers.split("\r\n")
            const [method = "", path = ""] = requestLine.split(" ")
            const lengthLine = lines.find((l) => l.toLowerCase().startsWith("content-length:"))
            const contentLength = lengthLine === undefined ? 0 : Number(lengthLine.slice(lengthLine.indexOf(":") + 1).trim())
            const seen: SeenRequest = { method, target: path, contentLength }
            requests.push(seen)
            cutAt = options.cutAfter?.(seen, requests.length - 1)
            upstream.write(head.subarray(0, end + HEADER_END.length))
            rest = head.subarray(end + HEADER_END.length)
            head = Buffer.alloc(0)
            remaining = contentLength
            forwarded = 0
            awaiting = true
            inFlight++
            maxInFlight = Math.max(maxInFlight, inFlight)
          }
        }
        client.on("data", onData)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resume(Effect.succeed({
          server,
          sockets,
          proxy: {
            url: `http://127.0.0.1:${port}`,
            requests,
            cuts: () => cuts,
            maxInFlight: () => maxInFlight
          }
        }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const s of sockets) s.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ proxy }) => proxy))

/** The `partNumber` of an UploadPart request target, or undefined. */
export const partNumberOf = (request: SeenRequest): number | undefined => {
  if (request.method !== "PUT") return undefined
  const m = /[?&]partNumber=(\d+)/.exec(request.target)
  return m === null ? undefined : Number(m[1])
}
