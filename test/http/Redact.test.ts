import { Headers } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FiberRef, Inspectable } from "effect"
import { Redact } from "../../src/http/index.js"

describe("Redact headers", () => {
  it.each([
    "Authorization",
    "proxy-authorization",
    "Cookie",
    "set-cookie",
    "x-amz-security-token",
    "X-Auth-Token",
    "x-auth-key",
    "x-storage-token",
    "x-subject-token",
    "x-api-key",
    "x-ms-copy-source-authorization",
    "x-ms-encryption-key",
    "x-goog-encryption-key",
    "x-goog-api-key",
    "x-amz-server-side-encryption-customer-key",
    "x-container-meta-temp-url-key",
    "x-account-meta-temp-url-key-2",
    "x-vendor-client-secret",
    "x-some-signature"
  ])("%s is sensitive", (name) => {
    expect(Redact.isSensitiveHeader(name)).toBe(true)
  })

  it.each([
    "content-type",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-ms-version",
    "x-amz-request-id",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-key-md5",
    "etag"
  ])("%s is not", (name) => {
    expect(Redact.isSensitiveHeader(name)).toBe(false)
  })

  it("headers() replaces values of credential headers only", () => {
    expect(Redact.headers({ Authorization: "AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc", "x-amz-date": "20240101T000000Z" })).toEqual({
      authorization: "REDACTED",
      "x-amz-date": "20240101T000000Z"
    })
  })

  it.effect("withRedactedHeaders extends the platform's list, so Headers print redacted", () =>
    Effect.gen(function*() {
      const h = Headers.fromInput({ "x-auth-token": "swift-secret", "x-trans-id": "tx1" })
      const before = yield* FiberRef.get(Headers.currentRedactedNames)
      expect(before).not.toContain("x-auth-token")
      const inside = yield* Redact.withRedactedHeaders(
        Effect.flatMap(FiberRef.get(Headers.currentRedactedNames), (names) =>
          Effect.withFiberRuntime<string>((fiber) =>
            Effect.succeed(Inspectable.withRedactableContext(fiber.getFiberRefs(), () => Inspectable.stringifyCircular({ names: names.length, h })))
          ))
      )
      expect(inside).not.toContain("swift-secret")
      expect(inside).toContain("tx1")
      expect(yield* FiberRef.get(Headers.currentRedactedNames)).toEqual(before)
    }))

  it.effect("Redact.layer sets the list for everything it is provided to", () =>
    Effect.gen(function*() {
      const names = yield* FiberRef.get(Headers.currentRedactedNames).pipe(Effect.provide(Redact.layer))
      expect(names).toContain("x-subject-token")
      expect(names).toContain("authorization")
      // Idempotent: merging twice adds nothing.
      expect(Redact.mergeNames(names)).toBe(names)
    }))
})

describe("Redact.url", () => {
  it.each([
    [
      "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240101&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok",
      "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED"
    ],
    ["https://a.blob.core.windows.net/c/b?sv=2021&se=x&sig=abc%3D", "https://a.blob.core.windows.net/c/b?sv=2021&se=x&sig=REDACTED"],
    ["http://h/v1/AUTH_t/c/o?temp_url_sig=abc&temp_url_expires=1", "http://h/v1/AUTH_t/c/o?temp_url_sig=REDACTED&temp_url_expires=1"],
    ["https://s.googleapis.com/b/o?X-Goog-Signature=ff&X-Goog-Credential=sa", "https://s.googleapis.com/b/o?X-Goog-Signature=REDACTED&X-Goog-Credential=REDACTED"],
    ["http://h/x?Signature=s&AWSAccessKeyId=a&Expires=1", "http://h/x?Signature=REDACTED&AWSAccessKeyId=a&Expires=1"],
    ["https://user:pass@h/x?key=AIza&access_token=t", "https://h/x?key=REDACTED&access_token=REDACTED"],
    ["/b?list-type=2&continuation-token=abc&prefix=a", "/b?list-type=2&continuation-token=abc&prefix=a"],
    ["http://h/x#frag", "http://h/x"]
  ])("%s", (input, expected) => {
    expect(Redact.url(input)).toBe(expected)
  })

  it("path() drops the query altogether", () => {
    expect(Redact.path("http://h/a/b?sig=x")).toBe("http://h/a/b")
  })

  it("hasSensitiveQuery", () => {
    expect(Redact.hasSensitiveQuery("http://h/x?sig=1")).toBe(true)
    expect(Redact.hasSensitiveQuery("http://h/x?prefix=1&continuation-token=t")).toBe(false)
    expect(Redact.hasSensitiveQuery("http://h/x")).toBe(false)
  })
})

describe("Redact.text", () => {
  it("scrubs URLs, auth schemes and assignments inside prose", () => {
    const input =
      "failed GET https://h/k?X-Amz-Signature=s1gnature&x=1 with Authorization: Bearer eyJhbGciOi.payload.sig and password=hunter22 token: abcdefgh"
    const out = Redact.text(input)
    for (const secret of ["s1gnature", "eyJhbGciOi", "hunter22", "abcdefgh"]) expect(out).not.toContain(secret)
    expect(out).toContain("x=1")
    expect(out).toContain("failed GET https://h/k")
  })

  it("leaves ordinary prose alone", () => {
    const s = "Token has expired; The request signature we calculated does not match the signature you provided."
    expect(Redact.text(s)).toBe(s)
  })

  it("bounds length", () => {
    expect(Redact.text("x".repeat(1000), 10)).toBe(`${"x".repeat(10)}…`)
  })
})
