/**
 * ProviderHttp end to end against a real node:http server on 127.0.0.1,
 * through the platform's undici client — what providers will run on.
 */
import { HttpBody, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Layer, Redacted, Schema, Stream } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { ProviderHttp, Signer } from "../../src/http/index.js"
import { captureLogs, captureSpans, spanText } from "./support.js"

const where = { provider: "local-test", operation: "ObjectStorage.getObject" }

const state = {
  flaky: 0,
  drops: 0,
  slowAborted: false,
  bigFinished: false,
  releaseBig: () => {},
  uploaded: 0
}

let server: http.Server
let baseUrl = ""

const chunk = 64 * 1024

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local")
    switch (url.pathname) {
      case "/whoami":
        res.writeHead(200, { "content-type": "application/json", "x-request-id": "rid-1" })
        res.end(JSON.stringify({ authorization: req.headers["authorization"] ?? null, path: req.url }))
        return
      case "/flaky":
        state.flaky++
        if (state.flaky === 1) {
          res.writeHead(503, { "retry-after": "0" })
          res.end("try again")
        } else {
          res.writeHead(200)
          res.end("recovered")
        }
        return
      case "/drop":
        state.drops++
        req.socket.destroy()
        return
      case "/slow": {
        const timer = setTimeout(() => res.end("too late"), 3000)
        res.on("close", () => {
          clearTimeout(timer)
          if (!res.writableEnded) state.slowAborted = true
        })
        return
      }
      case "/big": {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        res.write(Buffer.alloc(chunk, 1))
        // Hold the rest until the client has seen the first chunk: a client that buffers would wait forever.
        state.releaseBig = () => {
          res.end(Buffer.alloc(chunk, 2), () => {
            state.bigFinished = true
          })
        }
        return
      }
      case "/upload": {
        let n = 0
        req.on("data", (b: Buffer) => {
          n += b.byteLength
        })
        req.on("end", () => {
          state.uploaded = n
          res.writeHead(201)
          res.end(String(n))
        })
        return
      }
      case "/head":
        res.writeHead(200, { etag: `"e1"`, "content-length": "5" })
        res.end(req.method === "HEAD" ? undefined : "hello")
        return
      case "/forbidden": {
        // A provider that echoes what it was sent, secrets included, in its error body.
        res.writeHead(403, { "content-type": "application/xml", "x-amz-request-id": "req-403" })
        res.end(
          `<Error><Code>AccessDenied</Code><Message>Denied: Authorization: ${req.headers["authorization"]} for http://127.0.0.1${req.url}</Message></Error>`
        )
        return
      }
      default:
        res.writeHead(404)
        res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const makeHttp = (config?: Partial<ProviderHttp.Config>) =>
  ProviderHttp.make({ provider: "local-test", baseUrl, retry: { base: Duration.millis(10), jitter: 0 }, ...config })

const live = <A, E>(self: Effect.Effect<A, E, import("@effect/platform").HttpClient.HttpClient>) => Effect.provide(self, NodeHttpClient.layerUndici)

describe("ProviderHttp over a real server", () => {
  it.live("applies the signing hook", () =>
    live(Effect.gen(function*() {
      const httpc = yield* makeHttp({ signer: Signer.bearer(Redacted.make("tok-123")) })
      const Who = Schema.Struct({ authorization: Schema.NullOr(Schema.String), path: Schema.String })
      const who = yield* httpc.execute(HttpClientRequest.get("/whoami").pipe(HttpClientRequest.setUrlParams({ q: "a b" })), where, ProviderHttp.json(Who))
      expect(who.authorization).toBe("Bearer tok-123")
      expect(who.path).toBe("/whoami?q=a%20b")
    })))

  it.live("retries a 503 and gets the 200", () =>
    live(Effect.gen(function*() {
      state.flaky = 0
      const httpc = yield* makeHttp()
      expect(yield* httpc.execute(HttpClientRequest.get("/flaky"), where, ProviderHttp.text)).toBe("recovered")
      expect(state.flaky).toBe(2)
    })))

  it.live("a dropped connection is Transport, retried for a GET", () =>
    live(Effect.gen(function*() {
      state.drops = 0
      const httpc = yield* makeHttp({ retry: { maxAttempts: 2, base: Duration.millis(10), jitter: 0 } })
      const error = yield* Effect.flip(httpc.execute(HttpClientRequest.get("/drop"), where))
      expect(error._tag).toBe("Transport")
      expect(error.message).toContain("/drop")
      expect(state.drops).toBe(2)
    })))

  it.live("times out, aborting the in-flight request", () =>
    live(Effect.gen(function*() {
      state.slowAborted = false
      const httpc = yield* makeHttp({ timeout: Duration.millis(200), retry: false })
      const started = Date.now()
      const error = yield* Effect.flip(httpc.execute(HttpClientRequest.get("/slow"), where, ProviderHttp.text))
      expect(error).toMatchObject({ _tag: "Transport", reason: "timed out after 200ms" })
      expect(Date.now() - started).toBeLessThan(2000)
      // The server sees the connection go away instead of finishing its answer.
      yield* Effect.sleep(Duration.millis(50)).pipe(Effect.repeat({ until: () => state.slowAborted, times: 40 }))
      expect(state.slowAborted).toBe(true)
    })))

  it.live("streams a download without buffering it", () =>
    live(Effect.gen(function*() {
      state.bigFinished = false
      const httpc = yield* makeHttp()
      const response = yield* httpc.execute(HttpClientRequest.get("/big"), where)
      let received = 0
      let first = true
      yield* ProviderHttp.bodyStream(response, where).pipe(
        Stream.runForEach((bytes) =>
          Effect.sync(() => {
            if (first) {
              first = false
              expect(state.bigFinished).toBe(false)
              state.releaseBig()
            }
            received += bytes.byteLength
          })
        ),
        Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error("the first chunk never arrived: the body was buffered") })
      )
      expect(received).toBe(2 * chunk)
      expect(first).toBe(false)
    })))

  it.live("streams an upload of unknown length", () =>
    live(Effect.gen(function*() {
      const httpc = yield* makeHttp()
      const parts = 64
      const body = HttpBody.stream(Stream.range(1, parts).pipe(Stream.map(() => new Uint8Array(chunk))), "application/octet-stream")
      const out = yield* httpc.execute(HttpClientRequest.put("/upload").pipe(HttpClientRequest.setBody(body)), { ...where, operation: "ObjectStorage.putObject" }, ProviderHttp.text)
      expect(out).toBe(String(parts * chunk))
      expect(state.uploaded).toBe(parts * chunk)
    })))

  it.live("HEAD gives headers and an empty body", () =>
    live(Effect.gen(function*() {
      const httpc = yield* makeHttp()
      const out = yield* httpc.execute(HttpClientRequest.head("/head"), { ...where, operation: "ObjectStorage.headObject" }, ProviderHttp.headers)
      expect(out.headers["etag"]).toBe(`"e1"`)
    })))

  it.live("an unexpected 404 is a ProviderError, an expected one NotFound", () =>
    live(Effect.gen(function*() {
      const httpc = yield* makeHttp()
      const a = yield* Effect.flip(httpc.execute(HttpClientRequest.get("/nope"), where))
      expect(a).toMatchObject({ _tag: "ProviderError", status: 404 })
      const b = yield* Effect.flip(httpc.execute(HttpClientRequest.get("/nope"), { ...where, notFound: { resource: "object", id: "nope" } }))
      expect(b).toMatchObject({ _tag: "NotFound", id: "nope" })
    })))
})

describe("secrets stay out of errors, logs and spans", () => {
  const bearer = "sk-live-0123456789abcdefSECRET"
  const signature = "f00dfacecafe0123456789SIGNATURE"

  it.live("an Authorization header and a presigned URL do not leak", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      const { spans, tracer } = yield* captureSpans
      state.flaky = 0
      const program = Effect.gen(function*() {
        const httpc = yield* makeHttp({ signer: Signer.bearer(Redacted.make(bearer)) })
        // A retried request first, so the retry log line is produced too.
        yield* httpc.execute(HttpClientRequest.get(`/flaky?X-Amz-Signature=${signature}`), where, ProviderHttp.text)
        const error = yield* Effect.flip(
          httpc.execute(
            HttpClientRequest.get(`/forbidden?X-Amz-Credential=AKIA%2Fx&X-Amz-Signature=${signature}&X-Amz-Security-Token=${signature}`),
            where,
            ProviderHttp.text
          )
        )
        yield* Effect.logError("operation failed", Cause.fail(error))
        yield* Effect.logInfo(error)
        return error
      })
      const error = yield* program.pipe(
        Effect.withTracer(tracer),
        Effect.provide(Layer.merge(NodeHttpClient.layerUndici, logs.layer))
      )
      expect(error._tag).toBe("PermissionDenied")
      expect(error.message).toContain("Denied")
      expect(state.flaky).toBe(2)
      const everything = [
        error.message,
        JSON.stringify(error),
        String(error),
        Cause.pretty(Cause.fail(error)),
        ...logs.lines,
        spanText(spans)
      ].join("\n")
      expect(logs.lines.some((l) => l.includes("retry 1"))).toBe(true)
      expect(logs.lines.some((l) => l.includes("operation failed"))).toBe(true)
      expect(spans.length).toBeGreaterThan(0)
      expect(everything).not.toContain(bearer)
      expect(everything).not.toContain(signature)
      expect(everything).not.toContain("AKIA%2Fx")
    }))
})
