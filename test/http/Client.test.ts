import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Fiber, Redacted, Schema, Stream, TestClock } from "effect"
import { ProviderHttp, Replay, Retry, Signer } from "../../src/http/index.js"
import type { AlreadyExists, Conflict, NotFound, ProviderFailure } from "../../src/schemas/Errors.js"
import { Conflict as ConflictError, ProviderError, RateLimited } from "../../src/schemas/Errors.js"
import { captureSpans, spanText } from "./support.js"

const base = "http://127.0.0.1:8080/v1/AUTH_test/"
const op = "ObjectStorage.getObject"

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config?: Partial<ProviderHttp.Config>, mode?: "sequence" | "match") =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges, { mode: mode ?? "sequence" })
    const http = yield* ProviderHttp.make({ provider: "test", baseUrl: base, retry: { jitter: 0, base: Duration.millis(100) }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { http, replay }
  })

/** Runs `self` in a fiber while moving the TestClock far enough for every backoff. */
const withTime = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(Duration.minutes(5))
    return yield* Fiber.join(fiber)
  })

describe("ProviderHttp: requests", () => {
  it.effect("resolves relative URLs against the base (with its path prefix) and folds urlParams with RFC 3986 encoding", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([
        { request: { method: "GET", url: `${base}my%20container/dir/a%2Bb.txt?prefix=a%20b&format=json` }, response: { status: 200, body: "hi" } }
      ])
      const req = HttpClientRequest.get(`/my%20container/dir/a%2Bb.txt`).pipe(
        HttpClientRequest.setUrlParams({ prefix: "a b", format: "json" })
      )
      const text = yield* http.execute(req, { operation: op }, ProviderHttp.text)
      expect(text).toBe("hi")
      const [sent] = yield* replay.requests
      expect(sent!.url).toBe(`${base}my%20container/dir/a%2Bb.txt?prefix=a%20b&format=json`)
      yield* replay.assertDone
    }))

  it.effect("sends absolute URLs as given, and provider headers under the request's own", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup(
        [{ request: { url: "http://other/next?page=2", headers: { "x-ms-version": "2", "user-agent": "mine", accept: "application/json" } }, response: {} }],
        { headers: { "x-ms-version": "1", "user-agent": "cloudfx", accept: "application/json" } }
      )
      yield* http.execute(
        HttpClientRequest.get("http://other/next?page=2").pipe(HttpClientRequest.setHeaders({ "x-ms-version": "2", "User-Agent": "mine" })),
        { operation: op },
        ProviderHttp.empty
      )
      yield* replay.assertDone
    }))

  it.effect("signs every attempt afresh (a retry gets a new signature date)", () =>
    Effect.gen(function*() {
      const attempts: Array<number> = []
      const signer = Signer.make((request, context) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          attempts.push(context.attempt)
          return HttpClientRequest.setHeaders(request, { "x-date": String(now), authorization: `Sig ${context.attempt}` })
        })
      )
      const { http, replay } = yield* setup(
        [
          { request: { headers: { authorization: "Sig 0", "x-date": "0" } }, response: { status: 503, headers: { "retry-after": "2" } } },
          { request: { headers: { authorization: "Sig 1", "x-date": "2000" } }, response: { status: 200, body: "ok" } }
        ],
        { signer }
      )
      const out = yield* withTime(http.execute(HttpClientRequest.get("/c/o"), { operation: op }, ProviderHttp.text))
      expect(out).toBe("ok")
      expect(attempts).toEqual([0, 1])
      yield* replay.assertDone
    }))

  it.effect("a signer failure is the request's failure, and nothing is sent", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([], { signer: Signer.bearer(Redacted.make("")) })
      const error = yield* Effect.flip(http.execute(HttpClientRequest.get("/x"), { operation: op }))
      expect(error._tag).toBe("InvalidCredentials")
      expect(yield* replay.requests).toHaveLength(0)
    }))
})

describe("ProviderHttp: status mapping", () => {
  it.effect("404 → NotFound only when the operation expects it", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { status: 404 } }, { request: {}, response: { status: 404 } }])
      const notFound = http.execute(HttpClientRequest.get("/c/k"), { operation: op, notFound: { resource: "object", id: "k" } })
      expectTypeOf(notFound).toEqualTypeOf<Effect.Effect<import("@effect/platform").HttpClientResponse.HttpClientResponse, ProviderFailure | NotFound>>()
      expect(yield* Effect.flip(notFound)).toMatchObject({ _tag: "NotFound", resource: "object", id: "k", provider: "test", operation: op })
      const plain = http.execute(HttpClientRequest.get("/c/k"), { operation: op })
      expectTypeOf(plain).toEqualTypeOf<Effect.Effect<import("@effect/platform").HttpClientResponse.HttpClientResponse, ProviderFailure>>()
      expect(yield* Effect.flip(plain)).toMatchObject({ _tag: "ProviderError", status: 404 })
    }))

  it.effect("409 → AlreadyExists or Conflict as declared, typed accordingly", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { status: 409 } }, { request: {}, response: { status: 409 } }])
      const target = { resource: "container", id: "c" }
      const create = http.execute(HttpClientRequest.put("/c"), { operation: "ObjectStorage.createContainer", target, conflict: "AlreadyExists" }, ProviderHttp.empty)
      expectTypeOf(create).toEqualTypeOf<Effect.Effect<void, ProviderFailure | AlreadyExists | import("../../src/schemas/Errors.js").Transport>>()
      expect(yield* Effect.flip(create)).toMatchObject({ _tag: "AlreadyExists", id: "c" })
      const del = http.execute(HttpClientRequest.del("/c"), { operation: "ObjectStorage.deleteContainer", target, conflict: "Conflict" })
      expectTypeOf(del).toEqualTypeOf<Effect.Effect<import("@effect/platform").HttpClientResponse.HttpClientResponse, ProviderFailure | Conflict>>()
      expect(yield* Effect.flip(del)).toMatchObject({ _tag: "Conflict", id: "c" })
    }))

  it.effect("a classify override adds exactly its errors to the type", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { status: 409, body: "<Error><Code>BucketNotEmpty</Code></Error>" } }])
      const del = http.execute(HttpClientRequest.del("/c"), {
        operation: "ObjectStorage.deleteContainer",
        classify: (f) => (f.code === "BucketNotEmpty" ? new ConflictError({ ...f.where, ...f.target, reason: "not empty" }) : undefined)
      })
      expectTypeOf(del).toEqualTypeOf<Effect.Effect<import("@effect/platform").HttpClientResponse.HttpClientResponse, ProviderFailure | Conflict>>()
      expect(yield* Effect.flip(del)).toMatchObject({ _tag: "Conflict", reason: "not empty", id: "/c" })
    }))

  it.effect("`success` lets an operation accept other statuses (an idempotent DELETE of something already gone)", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { status: 404 } }, { request: {}, response: { status: 404 } }])
      const gone = (s: number) => (s >= 200 && s < 300) || s === 404
      const out = yield* http.execute(HttpClientRequest.del("/c/k"), { operation: "ObjectStorage.deleteObject", success: gone }, ProviderHttp.headers)
      expect(out.status).toBe(404)
      expect((yield* Effect.flip(http.execute(HttpClientRequest.del("/c/k"), { operation: "ObjectStorage.deleteObject" })))._tag).toBe("ProviderError")
    }))

  it.effect("JSON that does not fit the schema → MalformedResponse, not retried", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ request: {}, response: { body: `{"nodes": "nope"}` } }])
      const schema = Schema.Struct({ nodes: Schema.Array(Schema.String) })
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/nodes"), { operation: "Compute.listNodes" }, ProviderHttp.json(schema))))
      expect(error).toMatchObject({ _tag: "MalformedResponse", operation: "Compute.listNodes" })
      expect(yield* replay.requests).toHaveLength(1)
    }))

  it.effect("decodes JSON bodies through the schema", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { body: `{"nodes": ["a", "b"]}` } }])
      const schema = Schema.Struct({ nodes: Schema.Array(Schema.String) })
      expect(yield* http.execute(HttpClientRequest.get("/nodes"), { operation: "Compute.listNodes" }, ProviderHttp.json(schema))).toEqual({ nodes: ["a", "b"] })
    }))
})

describe("ProviderHttp: retries", () => {
  const unavailable: Replay.Exchange = { request: {}, response: { status: 503 } }
  const ok: Replay.Exchange = { request: {}, response: { status: 200, body: "ok" } }

  it.effect("an idempotent GET is retried until maxAttempts", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ ...unavailable, times: 10 }], { retry: { maxAttempts: 4, jitter: 0 } })
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/x"), { operation: op })))
      expect(error._tag).toBe("RateLimited")
      expect(yield* replay.requests).toHaveLength(4)
    }))

  it.effect("503 then 200 succeeds on the second attempt", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([unavailable, ok])
      expect(yield* withTime(http.execute(HttpClientRequest.get("/x"), { operation: op }, ProviderHttp.text))).toBe("ok")
      yield* replay.assertDone
    }))

  it.effect("a POST is never retried", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([unavailable, ok])
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.post("/servers"), { operation: "Compute.createNode" })))
      expect(error._tag).toBe("RateLimited")
      expect(yield* replay.requests).toHaveLength(1)
    }))

  it("isRefusal: a RateLimited from a 429 or a throttling code is a refusal (safe to resend a create), one from a 503 is not", () => {
    const where = { provider: "p", operation: "Compute.createNode" }
    expect(Retry.isRefusal(new RateLimited({ ...where, status: 429 }))).toBe(true)
    expect(Retry.isRefusal(new RateLimited({ ...where }))).toBe(true)
    expect(Retry.isRefusal(new RateLimited({ ...where, status: 503 }))).toBe(false)
    expect(Retry.isRefusal(new ProviderError({ ...where, status: 500, detail: "x" }))).toBe(false)
  })

  it.effect("the status table keeps the status on RateLimited (429 and 503 alike)", () =>
    Effect.gen(function*() {
      for (const status of [429, 503]) {
        const { http } = yield* setup([{ request: {}, response: { status } }], { retry: false })
        const error = yield* Effect.flip(http.execute(HttpClientRequest.post("/servers"), { operation: "Compute.createNode" }))
        expect(error).toMatchObject({ _tag: "RateLimited", status })
      }
    }))

  it.effect("with resendRefused, a POST refused with 429 is sent again; after a 503 or a 500 it is not", () =>
    Effect.gen(function*() {
      const refused = yield* setup([{ request: {}, response: { status: 429 } }, ok], { resendRefused: true, retry: { jitter: 0 } })
      expect(yield* withTime(refused.http.execute(HttpClientRequest.post("/servers"), { operation: "Compute.createNode" }, ProviderHttp.text))).toBe("ok")
      yield* refused.replay.assertDone
      for (const status of [503, 500]) {
        const { http, replay } = yield* setup([{ request: {}, response: { status } }, ok], { resendRefused: true, retry: { jitter: 0 } })
        yield* Effect.flip(withTime(http.execute(HttpClientRequest.post("/servers"), { operation: "Compute.createNode" })))
        expect(yield* replay.requests, `after ${status}`).toHaveLength(1)
      }
    }))

  it.effect("the provider's classify is tried after the request's own, before the status table", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { status: 418 } }, { request: {}, response: { status: 418 } }], {
        retry: false,
        classify: (f) => (f.status === 418 ? new RateLimited({ ...f.where, status: 429 }) : undefined)
      })
      expect(yield* Effect.flip(http.execute(HttpClientRequest.get("/x"), { operation: op }))).toMatchObject({ _tag: "RateLimited" })
      const own = yield* Effect.flip(http.execute(HttpClientRequest.get("/x"), {
        operation: op,
        classify: (f) => new ConflictError({ ...f.where, resource: "node", id: "n", reason: "mine" })
      }))
      expect(own._tag).toBe("Conflict")
    }))

  it.effect("a POST marked idempotent is retried", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([unavailable, { request: {}, response: { status: 500 } }, ok])
      const out = yield* withTime(http.execute(HttpClientRequest.post("/query"), { operation: "Dns.listZones", idempotent: true }, ProviderHttp.text))
      expect(out).toBe("ok")
      expect(yield* replay.requests).toHaveLength(3)
    }))

  it.effect("a transport failure of a GET is retried", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ request: {}, response: { transportError: "socket hang up" } }, ok])
      expect(yield* withTime(http.execute(HttpClientRequest.get("/x"), { operation: op }, ProviderHttp.text))).toBe("ok")
      yield* replay.assertDone
    }))

  it.effect("4xx is not retried", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ request: {}, response: { status: 400 } }, ok])
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/x"), { operation: op })))
      expect(error).toMatchObject({ _tag: "ProviderError", status: 400 })
      expect(yield* replay.requests).toHaveLength(1)
    }))

  it.effect("honours Retry-After before retrying", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ request: {}, response: { status: 429, headers: { "retry-after": "30" } } }, ok])
      const fiber = yield* Effect.fork(http.execute(HttpClientRequest.get("/x"), { operation: op }, ProviderHttp.text))
      yield* TestClock.adjust(Duration.seconds(29))
      expect(yield* replay.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.join(fiber)).toBe("ok")
      expect(yield* replay.requests).toHaveLength(2)
    }))

  it.effect("a streamed upload is sent once; with recreateBody it is retried with a fresh body", () =>
    Effect.gen(function*() {
      const body = () => HttpBody.stream(Stream.make(new TextEncoder().encode("part")), "application/octet-stream", 4)
      const once = yield* setup([unavailable, ok])
      const error = yield* Effect.flip(withTime(once.http.execute(HttpClientRequest.put("/c/o").pipe(HttpClientRequest.setBody(body())), { operation: "ObjectStorage.putObject" })))
      expect(error._tag).toBe("RateLimited")
      expect(yield* once.replay.requests).toHaveLength(1)

      const twice = yield* setup([unavailable, { request: { body: "part" }, response: {} }])
      yield* withTime(
        twice.http.execute(HttpClientRequest.put("/c/o").pipe(HttpClientRequest.setBody(body())), {
          operation: "ObjectStorage.putObject",
          recreateBody: body
        }, ProviderHttp.empty)
      )
      yield* twice.replay.assertDone
    }))

  it.effect("retry: false turns retries off", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([unavailable, ok])
      yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/x"), { operation: op, retry: false })))
      expect(yield* replay.requests).toHaveLength(1)
    }))
})

describe("ProviderHttp: re-authentication", () => {
  it.effect("a 401 invalidates the signer's cached token and re-sends once", () =>
    Effect.gen(function*() {
      let token = "old"
      const rejected: Array<string | undefined> = []
      const signer = Signer.bearer(
        Effect.sync(() => Redacted.make(token)),
        (request) =>
          Effect.sync(() => {
            rejected.push(request.headers["authorization"])
            token = "new"
          })
      )
      const { http, replay } = yield* setup(
        [
          { request: { headers: { authorization: "Bearer old" } }, response: { status: 401 } },
          { request: { headers: { authorization: "Bearer new" } }, response: { body: "ok" } }
        ],
        { signer }
      )
      expect(yield* http.execute(HttpClientRequest.post("/x"), { operation: op }, ProviderHttp.text)).toBe("ok")
      // The signer is told which request (so which token) was refused.
      expect(rejected).toEqual(["Bearer old"])
      yield* replay.assertDone
    }))

  it.effect("only once: a second 401 is InvalidCredentials", () =>
    Effect.gen(function*() {
      const signer = Signer.bearer(Effect.succeed(Redacted.make("t")), Effect.void)
      const { http, replay } = yield* setup([{ request: {}, response: { status: 401 }, times: 5 }], { signer })
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/x"), { operation: op })))
      expect(error._tag).toBe("InvalidCredentials")
      expect(yield* replay.requests).toHaveLength(2)
    }))

  it.effect("without a cache to invalidate, a 401 fails at once", () =>
    Effect.gen(function*() {
      const { http, replay } = yield* setup([{ request: {}, response: { status: 401 }, times: 5 }], { signer: Signer.bearer(Redacted.make("t")) })
      expect((yield* Effect.flip(http.execute(HttpClientRequest.get("/x"), { operation: op })))._tag).toBe("InvalidCredentials")
      expect(yield* replay.requests).toHaveLength(1)
    }))
})

describe("ProviderHttp: timeout", () => {
  it.effect("an attempt slower than the timeout fails with Transport 'timed out after …' (and is retried if idempotent)", () =>
    Effect.gen(function*() {
      const slow: Replay.Exchange = { request: {}, response: { body: "late", delay: Duration.seconds(10) } }
      const { http, replay } = yield* setup([slow, slow], { timeout: Duration.seconds(1), retry: { maxAttempts: 2, jitter: 0 } })
      const error = yield* Effect.flip(withTime(http.execute(HttpClientRequest.get("/x"), { operation: op }, ProviderHttp.text)))
      expect(error).toMatchObject({ _tag: "Transport", reason: "timed out after 1s" })
      expect(yield* replay.requests).toHaveLength(2)
    }))

  it.effect("a per-request timeout overrides the provider's", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { body: "late", delay: Duration.seconds(10) } }], { timeout: Duration.seconds(1) })
      expect(yield* withTime(http.execute(HttpClientRequest.get("/x"), { operation: op, timeout: Duration.seconds(20) }, ProviderHttp.text))).toBe("late")
    }))
})

describe("ProviderHttp: spans", () => {
  it.effect("one span per execute, named by the operation, with provider attributes and a redacted URL", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* captureSpans
      const { http } = yield* setup(
        [
          { request: {}, response: { body: "a" } },
          { request: {}, response: { body: "b" } }
        ],
        { signer: Signer.compose(Signer.bearer(Redacted.make("bearer-secret")), Signer.apiKey("x-auth-token", Redacted.make("swift-secret"))) }
      )
      yield* http.execute(HttpClientRequest.get("/c/o"), { operation: op, attributes: { "cloudfx.key": "o" } }, ProviderHttp.text).pipe(Effect.withTracer(tracer))
      const mine = spans.find((s) => s.name === op)
      expect(mine).toBeDefined()
      expect(mine!.attributes.get("cloudfx.provider")).toBe("test")
      expect(mine!.attributes.get("cloudfx.operation")).toBe(op)
      expect(mine!.attributes.get("http.request.method")).toBe("GET")
      expect(mine!.attributes.get("http.response.status_code")).toBe(200)
      expect(mine!.attributes.get("cloudfx.key")).toBe("o")
      // The platform's own client span is there too, with our credential headers redacted.
      const platform = spans.find((s) => s.name.startsWith("http.client"))
      expect(platform).toBeDefined()
      expect(platform!.attributes.get("http.request.header.x-auth-token")).toBeDefined()

      yield* http.execute(HttpClientRequest.get("/c/o?temp_url_sig=sig-secret&temp_url_expires=1"), { operation: "ObjectStorage.signedGet" }, ProviderHttp.text).pipe(
        Effect.withTracer(tracer)
      )
      const signed = spans.find((s) => s.name === "ObjectStorage.signedGet")
      expect(signed!.attributes.get("url.full")).toBe(`${base}c/o?temp_url_sig=REDACTED&temp_url_expires=1`)
      const text = spanText(spans)
      for (const secret of ["bearer-secret", "swift-secret", "sig-secret"]) expect(text).not.toContain(secret)
    }))
})

describe("ProviderHttp: streaming", () => {
  it.effect("without a reader, the body is left unread for the caller to stream", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: {}, response: { body: "0123456789" } }])
      const response = yield* http.execute(HttpClientRequest.get("/c/o"), { operation: op })
      const chunks = yield* Stream.runCollect(ProviderHttp.bodyStream(response, { provider: "test", operation: op }))
      expect(new TextDecoder().decode(Chunk.reduce(chunks, new Uint8Array(), (a, b) => new Uint8Array([...a, ...b])))).toBe("0123456789")
    }))

  it.effect("headers() gives status and headers for HEAD", () =>
    Effect.gen(function*() {
      const { http } = yield* setup([{ request: { method: "HEAD" }, response: { headers: { etag: `"abc"`, "content-length": "5" } } }])
      const out = yield* http.execute(HttpClientRequest.head("/c/o"), { operation: "ObjectStorage.headObject" }, ProviderHttp.headers)
      expect(out.status).toBe(200)
      expect(out.headers["etag"]).toBe(`"abc"`)
    }))

  it("url() resolves like execute", () => {
    const http = Effect.runSync(
      ProviderHttp.make({ provider: "p", baseUrl: "http://h/v1" }).pipe(Effect.provideService(HttpClient.HttpClient, HttpClient.make(() => Effect.die("unused"))))
    )
    expect(http.url("/c/o", { a: "x y" })).toBe("http://h/v1/c/o?a=x%20y")
  })
})
