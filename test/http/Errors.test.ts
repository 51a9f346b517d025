import { HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, TestClock } from "effect"
import { Errors } from "../../src/http/index.js"
import { Conflict, NotFound } from "../../src/schemas/Errors.js"

const where = { provider: "test", operation: "ObjectStorage.getObject" }
const now = Date.parse("2024-05-01T12:00:00Z")

const failed = (status: number, body = "", headers: Record<string, string> = {}, url = "http://h/b/k"): Errors.FailedResponse => ({
  status,
  body,
  headers: Errors.headersFrom(headers),
  url
})

describe("Errors.fromStatus", () => {
  it("401 → InvalidCredentials", () => {
    const e = Errors.fromStatus(failed(401), where, {}, now)
    expect(e._tag).toBe("InvalidCredentials")
    expect(e).toMatchObject({ provider: "test", operation: "ObjectStorage.getObject" })
  })

  it("403 → PermissionDenied with the provider's message", () => {
    const body = `<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
    const e = Errors.fromStatus(failed(403, body), where, {}, now)
    expect(e._tag).toBe("PermissionDenied")
    expect(e).toMatchObject({ reason: "Access Denied" })
  })

  it("404 → NotFound for the caller's target when asked, ProviderError otherwise", () => {
    const e = Errors.fromStatus(failed(404), where, { notFound: true, target: { resource: "object", id: "k" } }, now)
    expect(e).toBeInstanceOf(NotFound)
    expect(e).toMatchObject({ resource: "object", id: "k" })
    const plain = Errors.fromStatus(failed(404), where, {}, now)
    expect(plain._tag).toBe("ProviderError")
    expect(plain).toMatchObject({ status: 404 })
  })

  it("404 without a target names the decoded path", () => {
    const e = Errors.fromStatus(failed(404, "", {}, "http://h/b/a%20b?X-Amz-Signature=s3cr3t"), where, { notFound: true }, now)
    expect(e).toMatchObject({ _tag: "NotFound", id: "/b/a b" })
    expect(JSON.stringify(e)).not.toContain("s3cr3t")
  })

  it("targetFromUrl is the decoded path relative to the base URL, without the query", () => {
    expect(Errors.targetFromUrl("http://h/v1/AUTH_t/c/a%20b?sig=x", "http://h/v1/AUTH_t/")).toEqual({ resource: "resource", id: "/c/a b" })
    expect(Errors.targetFromUrl("http://h/v1/AUTH_tx/c", "http://h/v1/AUTH_t")).toEqual({ resource: "resource", id: "/v1/AUTH_tx/c" })
    expect(Errors.targetFromUrl("http://h/", "http://h")).toEqual({ resource: "resource", id: "/" })
  })

  it("409 → AlreadyExists or Conflict as the caller says, ProviderError otherwise", () => {
    const target = { resource: "container", id: "b" }
    expect(Errors.fromStatus(failed(409), where, { conflict: "AlreadyExists", target }, now)._tag).toBe("AlreadyExists")
    const c = Errors.fromStatus(
      failed(409, `<Error><Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not empty</Message></Error>`),
      where,
      { conflict: "Conflict", target },
      now
    )
    expect(c).toBeInstanceOf(Conflict)
    expect(c).toMatchObject({ resource: "container", id: "b", reason: "The bucket you tried to delete is not empty" })
    expect(Errors.fromStatus(failed(409), where, {}, now)._tag).toBe("ProviderError")
  })

  it("a provider override by code wins over the status table", () => {
    const body = `<Error><Code>BucketAlreadyOwnedByYou</Code><Message>yours</Message></Error>`
    const e = Errors.fromStatus(failed(409, body), where, {
      conflict: "Conflict",
      target: { resource: "container", id: "b" },
      classify: (f) => (f.code === "BucketAlreadyOwnedByYou" ? new NotFound({ ...f.where, resource: "x", id: f.target.id }) : undefined)
    }, now)
    expect(e).toMatchObject({ _tag: "NotFound", resource: "x", id: "b" })
  })

  it.each([429, 503])("%i → RateLimited with Retry-After in seconds", (status) => {
    const e = Errors.fromStatus(failed(status, "", { "retry-after": "7" }), where, {}, now)
    expect(e._tag).toBe("RateLimited")
    expect(e).toMatchObject({ retryAfter: Duration.seconds(7) })
  })

  it("429 with Retry-After as an HTTP-date is relative to now", () => {
    const e = Errors.fromStatus(failed(429, "", { "retry-after": "Wed, 01 May 2024 12:00:30 GMT" }), where, {}, now)
    expect(e._tag).toBe("RateLimited")
    expect(Duration.toMillis((e as { retryAfter: Duration.Duration }).retryAfter)).toBe(30_000)
  })

  it("503 without Retry-After → RateLimited without a wait", () => {
    const e = Errors.fromStatus(failed(503), where, {}, now)
    expect(e).toMatchObject({ _tag: "RateLimited" })
    expect((e as { retryAfter?: unknown }).retryAfter).toBeUndefined()
  })

  it.each([400, 405, 412, 416, 422, 500, 502, 504])("%i → ProviderError with status, code, message and request id", (status) => {
    const body = JSON.stringify({ error: { code: "Boom", message: "it broke" } })
    const e = Errors.fromStatus(failed(status, body, { "x-request-id": "req-1" }), where, {}, now)
    expect(e).toMatchObject({ _tag: "ProviderError", status, code: "Boom", detail: "it broke", requestId: "req-1" })
  })

  it("uses the status phrase, never an HTML body, when there is no structured message", () => {
    const e = Errors.fromStatus(failed(502, "<html><body>secret proxy page</body></html>"), where, {}, now)
    expect(e).toMatchObject({ _tag: "ProviderError", detail: "bad gateway" })
    expect(e.message).not.toContain("proxy page")
  })
})

describe("Errors.defaultExtractor", () => {
  const extract = (body: string, headers: Record<string, string> = {}) => Errors.defaultExtractor(failed(400, body, headers))

  it.each([
    ["x-amz-request-id", "amz"],
    ["x-ms-request-id", "ms"],
    ["x-openstack-request-id", "os"],
    ["x-trans-id", "swift"],
    ["x-request-id", "generic"]
  ])("reads the request id from %s", (header, value) => {
    expect(extract("", { [header]: value }).requestId).toBe(value)
  })

  it("reads S3/Azure XML errors, namespaced or not", () => {
    expect(extract(`<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>`)).toEqual({
      code: "NoSuchKey",
      message: "gone",
      requestId: "r1"
    })
    expect(extract(`<Error xmlns="http://x/"><Code>C</Code><Message>M</Message></Error>`)).toMatchObject({ code: "C", message: "M" })
  })

  it.each([
    [{ error: { code: 404, message: "gcs says", errors: [{ reason: "notFound" }] } }, { code: "404", message: "gcs says" }],
    [{ id: "not_found", message: "do says" }, { code: "not_found", message: "do says" }],
    [{ errors: [{ reason: "linode says", field: "label" }] }, { code: undefined, message: "linode says" }],
    [{ errors: [{ code: 1003, message: "cloudflare says" }] }, { code: "1003", message: "cloudflare says" }],
    [{ error: "invalid_grant", error_description: "oauth says" }, { code: "invalid_grant", message: "oauth says" }],
    [{ itemNotFound: { message: "nova says", code: 404 } }, { code: "itemNotFound", message: "nova says" }]
  ])("reads JSON error shape %j", (body, expected) => {
    expect(extract(JSON.stringify(body))).toMatchObject(expected)
  })

  it("gives nothing for bodies it does not understand", () => {
    expect(extract("plain text")).toEqual({ requestId: undefined })
    expect(extract("{not json")).toEqual({ requestId: undefined })
  })
})

describe("Errors.parseRetryAfter", () => {
  it.each([
    ["0", 0],
    ["120", 120_000],
    [" 5 ", 5000],
    ["1.5", 1500],
    ["Wed, 01 May 2024 12:01:00 GMT", 60_000],
    ["Wednesday, 01-May-24 12:00:10 GMT", 10_000],
    ["Wed May  1 12:00:02 2024", 2000],
    ["Wed, 01 May 2024 11:00:00 GMT", 0]
  ])("%j → %s ms", (value, expected) => {
    expect(Option.map(Errors.parseRetryAfter(value, now), Duration.toMillis)).toEqual(Option.some(expected))
  })

  it.each(["", "soon", "-5", "1e3"])("ignores %j", (value) => {
    expect(Option.isNone(Errors.parseRetryAfter(value, now))).toBe(true)
  })

  it("prefers the millisecond headers some providers send", () => {
    const d = Errors.retryAfterFrom(Errors.headersFrom({ "x-ms-retry-after-ms": "250", "retry-after": "9" }), now)
    expect(Option.map(d, Duration.toMillis)).toEqual(Option.some(250))
  })
})

describe("Errors.fromResponse", () => {
  const request = HttpClientRequest.get("http://h/b/k")

  it.effect("reads the body and measures an HTTP-date against the Effect Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const response = HttpClientResponse.fromWeb(
        request,
        new Response("", { status: 429, headers: { "retry-after": "Wed, 01 May 2024 12:00:45 GMT" } })
      )
      const error = yield* Effect.flip(Errors.fromResponse(response, where))
      expect(error._tag).toBe("RateLimited")
      expect(Duration.toMillis((error as { retryAfter: Duration.Duration }).retryAfter)).toBe(45_000)
    }))

  it.effect("reads only a bounded prefix of a huge error body", () =>
    Effect.gen(function*() {
      const huge = "x".repeat(Errors.errorBodyLimit * 3)
      const response = HttpClientResponse.fromWeb(request, new Response(huge, { status: 500 }))
      const text = yield* Errors.readPrefix(response, 1000)
      expect(text.length).toBe(1000)
    }))
})

describe("Errors.fromClientError", () => {
  const request = HttpClientRequest.get("http://h/b/k?X-Amz-Signature=topsecret&x=1")

  it("RequestError → Transport, with the URL redacted", () => {
    const e = Errors.fromClientError(
      new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }),
      where
    )
    expect(e._tag).toBe("Transport")
    expect(e.message).toContain("ECONNREFUSED")
    expect(e.message).toContain("X-Amz-Signature=REDACTED")
    expect(JSON.stringify(e)).not.toContain("topsecret")
  })

  it("ResponseError (decode) → MalformedResponse", () => {
    const response = HttpClientResponse.fromWeb(request, new Response("x", { status: 200 }))
    const e = Errors.fromClientError(new HttpClientError.ResponseError({ request, response, reason: "Decode", description: "bad json" }), where)
    expect(e._tag).toBe("MalformedResponse")
    expect(e.message).not.toContain("topsecret")
  })
})
