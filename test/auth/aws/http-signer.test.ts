/**
 * The HttpClientRequest adapter: what it signs is what is sent (host with
 * port, strict query, strict S3 path), TestClock drives the date, session
 * tokens, body kinds, and presigned URL bounds.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Chunk, Clock, Effect, Either, Option, Redacted, Stream, TestClock } from "effect"
import { it } from "@effect/vitest"
import { describe, expect } from "vitest"
import { parseQuery } from "./vectors.js"
import { chunkedContentLength } from "../../../src/auth/aws/Chunked.js"
import { presignUrl, sigV4Signer } from "../../../src/auth/aws/HttpSigner.js"
import { sha256Hex } from "../../../src/auth/aws/Keys.js"
import { MAX_EXPIRES_IN, presignRequest } from "../../../src/auth/aws/Presign.js"
import { signHeaders } from "../../../src/auth/aws/SigV4.js"

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5)

describe("sigV4Signer", () => {
  it.effect("takes the date from the Clock (TestClock) and signs host[:port] as sent", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const sign = sigV4Signer({ credentials, region: "eu-west-1", service: "s3", s3: true })
      for (
        const [url, host] of [
          ["http://127.0.0.1:4568/bucket/key", "127.0.0.1:4568"],
          ["https://bucket.s3.amazonaws.com:443/key", "bucket.s3.amazonaws.com"],
          ["http://localhost:80/key", "localhost"],
          ["https://[::1]:9000/key", "[::1]:9000"]
        ] as const
      ) {
        const signed = yield* sign(HttpClientRequest.get(url))
        expect(signed.headers["x-amz-date"]).toBe("20240102T030405Z")
        // The host header is not added to the request (the client sends it from the URL)…
        expect(signed.headers["host"]).toBeUndefined()
        // …but it is what was signed.
        const expected = signHeaders(
          { method: "GET", path: new URL(url).pathname, pathEncoded: true, headers: [["host", host]] },
          { credentials, region: "eu-west-1", service: "s3", date: T0 },
          { s3: true }
        )
        expect(signed.headers["authorization"]).toBe(expected.authorization)
      }
    }))

  it.effect("a bytes body's precomputed x-amz-content-sha256 is signed as given (hashed once, not per attempt); anything else is recomputed", () =>
    Effect.gen(function*() {
      const sign = sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })
      const body = new TextEncoder().encode("part bytes")
      const given = "a".repeat(64)
      const put = (hash?: string) => {
        const request = HttpClientRequest.put("http://127.0.0.1:9000/b/k").pipe(HttpClientRequest.bodyUint8Array(body))
        return hash === undefined ? request : HttpClientRequest.setHeader(request, "x-amz-content-sha256", hash)
      }
      expect((yield* sign(put(given))).headers["x-amz-content-sha256"]).toBe(given)
      expect((yield* sign(put())).headers["x-amz-content-sha256"]).toBe(sha256Hex(body))
      // Not a lower-case hex SHA-256: the body is hashed.
      expect((yield* sign(put("UNSIGNED-PAYLOAD"))).headers["x-amz-content-sha256"]).toBe(sha256Hex(body))
      expect((yield* sign(put("A".repeat(64)))).headers["x-amz-content-sha256"]).toBe(sha256Hex(body))
    }))

  it.effect("an explicit Host header wins over the URL's", () =>
    Effect.gen(function*() {
      const signed = yield* sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })(
        HttpClientRequest.get("http://127.0.0.1:9000/key").pipe(HttpClientRequest.setHeader("Host", "bucket.localhost"))
      )
      expect(signed.headers["host"]).toBe("bucket.localhost")
      const expected = signHeaders(
        { method: "GET", path: "/key", pathEncoded: true, headers: [["host", "bucket.localhost"]] },
        { credentials, region: "us-east-1", service: "s3", date: T0 },
        { s3: true }
      )
      expect(signed.headers["authorization"]).toBe(expected.authorization)
    }))

  it.effect("rewrites the query into the URL in strict form (no '+' for spaces) and clears urlParams", () =>
    Effect.gen(function*() {
      const signed = yield* sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })(
        HttpClientRequest.get("https://b.s3.amazonaws.com/?list-type=2").pipe(
          HttpClientRequest.setUrlParams({ prefix: "a b+c/ሴ", delimiter: "/" })
        )
      )
      expect(signed.urlParams).toEqual([])
      expect(signed.url).toBe(
        "https://b.s3.amazonaws.com/?delimiter=%2F&list-type=2&prefix=a%20b%2Bc%2F%E1%88%B4"
      )
      // What the platform will actually send is that same URL.
      expect(Option.getOrThrow(HttpClientRequest.toUrl(signed)).toString()).toBe(signed.url)
    }))

  it.effect("S3: the wire path is the canonical (strict) path", () =>
    Effect.gen(function*() {
      const signed = yield* sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })(
        HttpClientRequest.get("https://b.s3.amazonaws.com/a$b/c d(1)*!")
      )
      expect(signed.url).toBe("https://b.s3.amazonaws.com/a%24b/c%20d%281%29%2A%21")
    }))

  it.effect("non-S3: x-amz-content-sha256 is not sent; the body is hashed into the signature", () =>
    Effect.gen(function*() {
      const body = "Action=ListUsers&Version=2010-05-08"
      const signed = yield* sigV4Signer({ credentials, region: "us-east-1", service: "iam", clock: fixed(T0) })(
        HttpClientRequest.post("https://iam.amazonaws.com/").pipe(
          HttpClientRequest.bodyText(body, "application/x-www-form-urlencoded")
        )
      )
      expect(signed.headers["x-amz-content-sha256"]).toBeUndefined()
      const expected = signHeaders(
        {
          method: "POST",
          path: "/",
          pathEncoded: true,
          headers: [
            ["host", "iam.amazonaws.com"],
            ["content-type", "application/x-www-form-urlencoded"],
            ["content-length", String(body.length)]
          ],
          body
        },
        { credentials, region: "us-east-1", service: "iam", date: T0 }
      )
      expect(signed.headers["authorization"]).toBe(expected.authorization)
    }))

  it.effect("session token: signed by default, or added after signing", () =>
    Effect.gen(function*() {
      const withToken = { ...credentials, sessionToken: Redacted.make("TOKEN/+=") }
      const a = yield* sigV4Signer({ credentials: withToken, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })(
        HttpClientRequest.get("https://b.s3.amazonaws.com/k")
      )
      expect(a.headers["x-amz-security-token"]).toBe("TOKEN/+=")
      expect(a.headers["authorization"]).toContain("x-amz-security-token")
      const b = yield* sigV4Signer({
        credentials: withToken,
        region: "us-east-1",
        service: "s3",
        s3: true,
        signSessionToken: false,
        clock: fixed(T0)
      })(HttpClientRequest.get("https://b.s3.amazonaws.com/k"))
      expect(b.headers["x-amz-security-token"]).toBe("TOKEN/+=")
      expect(b.headers["authorization"]).not.toContain("x-amz-security-token")
    }))

  it.effect("body kinds: bytes hashed, stream UNSIGNED-PAYLOAD by default, unsignedPayload option", () =>
    Effect.gen(function*() {
      const sign = sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, clock: fixed(T0) })
      const bytes = new TextEncoder().encode("hello")
      const a = yield* sign(HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(HttpClientRequest.bodyUint8Array(bytes)))
      expect(a.headers["x-amz-content-sha256"]).toBe(sha256Hex(bytes))
      const b = yield* sign(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(
          HttpClientRequest.bodyStream(Stream.make(bytes), { contentLength: 5 })
        )
      )
      expect(b.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD")
      expect(b.headers["authorization"]).not.toContain("content-length")
      const c = yield* sigV4Signer({ credentials, region: "us-east-1", service: "s3", s3: true, unsignedPayload: true, clock: fixed(T0) })(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(HttpClientRequest.bodyUint8Array(bytes))
      )
      expect(c.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD")
    }))

  it.effect("chunked: unknown length falls back to UNSIGNED-PAYLOAD; known length frames with bounded chunks", () =>
    Effect.gen(function*() {
      const sign = sigV4Signer({
        credentials,
        region: "us-east-1",
        service: "s3",
        s3: true,
        streamingBody: "chunked",
        chunkSize: 8192,
        clock: fixed(T0)
      })
      const unknown = yield* sign(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array(3))))
      )
      expect(unknown.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD")

      const size = 100_000
      const input = Stream.range(0, 99).pipe(Stream.map(() => new Uint8Array(size / 100).fill(7)))
      const signed = yield* sign(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(
          HttpClientRequest.bodyStream(input, { contentLength: size })
        )
      )
      expect(signed.headers["x-amz-content-sha256"]).toBe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
      if (signed.body._tag !== "Stream") throw new Error("expected a stream body")
      const frames = Chunk.toReadonlyArray(yield* Stream.runCollect(signed.body.stream))
      expect(frames.length).toBe(Math.ceil(size / 8192) + 1)
      expect(Math.max(...frames.map((f) => f.length))).toBeLessThanOrEqual(8192 + 100)
      expect(frames.reduce((n, f) => n + f.length, 0)).toBe(chunkedContentLength(size, 8192))
      expect(signed.headers["content-length"]).toBe(String(chunkedContentLength(size, 8192)))
    }))

  it.effect("chunked: a stream shorter than declared fails with InvalidInput", () =>
    Effect.gen(function*() {
      const signed = yield* sigV4Signer({
        credentials,
        region: "us-east-1",
        service: "s3",
        s3: true,
        streamingBody: "chunked",
        clock: fixed(T0)
      })(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k").pipe(
          HttpClientRequest.bodyStream(Stream.make(new Uint8Array(10)), { contentLength: 11 })
        )
      )
      if (signed.body._tag !== "Stream") throw new Error("expected a stream body")
      const error = yield* Effect.flip(Stream.runDrain(signed.body.stream))
      expect(error).toMatchObject({ _tag: "InvalidInput", field: "body" })
    }))
})

describe("presignUrl", () => {
  const presign = (expiresIn: number) =>
    presignUrl({ credentials, region: "us-east-1", service: "s3", s3: true, expiresIn, clock: fixed(T0) })(
      HttpClientRequest.get("https://b.s3.amazonaws.com/a key")
    )

  it.effect("accepts 1 s … 7 days, rejects the rest with InvalidInput(expiresIn)", () =>
    Effect.gen(function*() {
      for (const ok of [1, 3600, MAX_EXPIRES_IN]) {
        const url = yield* presign(ok)
        const params = new Map(parseQuery(new URL(url).search.slice(1)))
        expect(params.get("X-Amz-Expires")).toBe(String(ok))
        expect(params.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256")
        expect(params.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20240102/us-east-1/s3/aws4_request")
        expect(params.get("X-Amz-Date")).toBe("20240102T030405Z")
        expect(params.get("X-Amz-SignedHeaders")).toBe("host")
        expect(params.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/)
        expect(new URL(url).pathname).toBe("/a%20key")
      }
      for (const bad of [0, -1, MAX_EXPIRES_IN + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = yield* Effect.flip(presign(bad))
        expect(error).toMatchObject({ _tag: "InvalidInput", field: "expiresIn", provider: "aws" })
      }
    }))

  it.effect("carries the session token (signed) and names the caller's operation in errors", () =>
    Effect.gen(function*() {
      const url = yield* presignUrl({
        credentials: { ...credentials, sessionToken: Redacted.make("tok/+=") },
        region: "us-east-1",
        service: "s3",
        s3: true,
        expiresIn: 60,
        clock: fixed(T0)
      })(HttpClientRequest.get("https://b.s3.amazonaws.com/k"))
      expect(url).toContain("X-Amz-Security-Token=tok%2F%2B%3D")
      const error = yield* Effect.flip(
        presignUrl({
          credentials,
          region: "us-east-1",
          service: "s3",
          s3: true,
          expiresIn: 0,
          where: { provider: "s3", operation: "ObjectStorage.signedUrl" }
        })(HttpClientRequest.get("https://b.s3.amazonaws.com/k"))
      )
      expect(error).toMatchObject({ provider: "s3", operation: "ObjectStorage.signedUrl", field: "expiresIn" })
    }))

  it("the pure core needs a Host header", () => {
    const result = presignRequest(
      { method: "GET", path: "/", headers: [] },
      { credentials, region: "us-east-1", service: "s3", date: T0 },
      { expiresIn: 60 }
    )
    expect(Either.isLeft(result) && result.left.field).toBe("headers")
  })
})

/** A Clock frozen at `ms` (the `clock` option, as opposed to TestClock). */
const fixed = (ms: number): Clock.Clock => {
  const base = Clock.make()
  return Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
    currentTimeMillis: Effect.succeed(ms),
    unsafeCurrentTimeMillis: () => ms
  }) as Clock.Clock
}
