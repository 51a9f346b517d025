/**
 * Helpers for the Swift provider suites: a forwarding HTTP proxy that can
 * drop a chosen request's connection mid-body, and byte-stream builders.
 */
import { Effect, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import { createServer, request as httpRequest, type IncomingMessage } from "node:http"
import type { Scope } from "effect"
import { pattern } from "../../contract/ObjectStorage.js"

export interface ProxyLogEntry {
  readonly method: string
  readonly path: string
  /** The proxy dropped this request's connection after part of its body. */
  readonly cut: boolean
}

export interface CuttingProxy {
  readonly url: string
  readonly log: ReadonlyArray<ProxyLogEntry>
}

/**
 * Forwards every request to `target` (http://host:port), except that the
 * first request `cut` selects has its connection destroyed once some of its
 * body has arrived — a connection dropped mid-upload.
 */
export const cuttingProxy = (target: string, cut: (request: IncomingMessage) => boolean): Effect.Effect<CuttingProxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const upstream = new URL(target)
      const log: Array<ProxyLogEntry> = []
      let done = false
      const server = createServer((req, res) => {
        const path = req.url ?? "/"
        if (!done && cut(req)) {
          done = true
          log.push({ method: req.method ?? "", path, cut: true })
          req.once("data", () => req.socket.destroy())
          return
        }
        log.push({ method: req.method ?? "", path, cut: false })
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          }
        )
        out.on("error", () => res.destroy())
        req.pipe(out)
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as { port: number }
      return { server, proxy: { url: `http://127.0.0.1:${port}`, log } }
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  ).pipe(Effect.map(({ proxy }) => proxy))

/** A stream of `total` deterministic bytes in irregular chunks, hashing (sha256) what it emits. */
export const hashedStream = (total: number, seed = 1) => {
  const sent = createHash("sha256")
  const sizes = [1_000_000, 333_333, 2_500_000, 17, 65_536, 4_194_304]
  const stream = Stream.unfold(0, (at): Option.Option<readonly [Uint8Array, number]> => {
    if (at >= total) return Option.none()
    const n = Math.min(total - at, sizes[Math.floor(at / 7) % sizes.length]!)
    return Option.some([pattern(n, seed + at), at + n] as const)
  }).pipe(Stream.tap((chunk) => Effect.sync(() => sent.update(chunk))))
  return { stream, digest: () => sent.digest("hex") }
}

export const sha256 = (chunks: Iterable<Uint8Array>): string => {
  const h = createHash("sha256")
  for (const c of chunks) h.update(c)
  return h.digest("hex")
}
