/**
 * The secret access key never appears in any output: the signing stages, the
 * signed request (URL, headers, Authorization), presigned URLs, chunked
 * frames, error messages, or the credentials printed / logged.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Cause, Chunk, ConfigProvider, Effect, Either, Exit, Inspectable, Redacted, Stream } from "effect"
import { it } from "@effect/vitest"
import fc from "fast-check"
import { describe, expect } from "vitest"
import { chunkedStream } from "../../../src/auth/aws/Chunked.js"
import * as Credentials from "../../../src/auth/aws/Credentials.js"
import { presignUrl, sigV4Signer } from "../../../src/auth/aws/HttpSigner.js"
import { presignRequest } from "../../../src/auth/aws/Presign.js"
import { signHeaders } from "../../../src/auth/aws/SigV4.js"

const SECRET = "cloudfx-TEST-secret/0123456789+ABCDEFGHIJ"
const T0 = Date.UTC(2024, 5, 1)

/** Everything observable about a value, as text. */
const dump = (value: unknown): string => {
  const seen = new WeakSet<object>()
  const texts: Array<string> = []
  const walk = (v: unknown) => {
    if (typeof v === "string") texts.push(v)
    else if (v instanceof Uint8Array) texts.push(Buffer.from(v).toString("latin1"))
    else if (typeof v === "object" && v !== null) {
      if (seen.has(v)) return
      seen.add(v)
      if (Redacted.isRedacted(v)) {
        texts.push(String(v), JSON.stringify(v))
        return
      }
      for (const key of Object.keys(v)) walk((v as Record<string, unknown>)[key])
    }
  }
  walk(value)
  try {
    texts.push(JSON.stringify(value) ?? "", Inspectable.format(value), String(value))
  } catch {
    // some values (streams) do not serialise; their fields were walked above
  }
  return texts.join("\n")
}

const expectNoSecret = (value: unknown, secret = SECRET) => {
  const text = dump(value)
  expect(text.includes(secret)).toBe(false)
  // …nor in the encodings a URL or header would use.
  expect(text.includes(encodeURIComponent(secret))).toBe(false)
}

describe("the secret never leaks", () => {
  const credentials = Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET, sessionToken: "tok" })

  it("credentials print redacted", () => {
    expectNoSecret(credentials)
    expect(String(credentials.secretAccessKey)).toBe("<redacted>")
  })

  it("signing stages and headers (any secret)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).map((s) => "S3cr3t!" + s), (secret) => {
        const signed = signHeaders(
          { method: "PUT", path: "/k", headers: [["host", "h.example"]], body: "data" },
          {
            credentials: { accessKeyId: "AKID", secretAccessKey: Redacted.make(secret) },
            region: "us-east-1",
            service: "s3",
            date: T0
          },
          { s3: true }
        )
        expectNoSecret(signed, secret)
      })
    )
  })

  it("presigned core output", () => {
    const presigned = Either.getOrThrow(
      presignRequest(
        { method: "GET", path: "/k", headers: [["host", "h.example"]] },
        { credentials, region: "us-east-1", service: "s3", date: T0 },
        { s3: true, expiresIn: 60 }
      )
    )
    expectNoSecret(presigned)
  })

  it.effect("signed HttpClientRequest (URL, headers, Authorization) and its body frames", () =>
    Effect.gen(function*() {
      const sign = sigV4Signer({
        credentials,
        region: "us-east-1",
        service: "s3",
        s3: true,
        streamingBody: "chunked"
      })
      const signed = yield* sign(
        HttpClientRequest.put("https://b.s3.amazonaws.com/k?x=1").pipe(
          HttpClientRequest.bodyStream(Stream.make(new Uint8Array(9000).fill(1)), { contentLength: 9000 })
        )
      )
      expectNoSecret(signed.url)
      expectNoSecret({ ...signed.headers })
      expectNoSecret(signed.headers["authorization"])
      if (signed.body._tag !== "Stream") throw new Error("expected a stream")
      expectNoSecret(Chunk.toReadonlyArray(yield* Stream.runCollect(signed.body.stream)))
    }))

  it.effect("presigned URL", () =>
    Effect.gen(function*() {
      const url = yield* presignUrl({ credentials, region: "us-east-1", service: "s3", s3: true, expiresIn: 60 })(
        HttpClientRequest.get("https://b.s3.amazonaws.com/k")
      )
      expectNoSecret(url)
    }))

  it.effect("error messages (presign bounds, chunked length, credential chain)", () =>
    Effect.gen(function*() {
      const badExpiry = yield* Effect.exit(
        presignUrl({ credentials, region: "us-east-1", service: "s3", s3: true, expiresIn: 0 })(
          HttpClientRequest.get("https://b.s3.amazonaws.com/k")
        )
      )
      const badLength = yield* Effect.exit(
        Stream.runDrain(
          chunkedStream({
            secretAccessKey: credentials.secretAccessKey,
            amzDate: "20240601T000000Z",
            region: "us-east-1",
            service: "s3",
            seedSignature: "0".repeat(64),
            decodedLength: 5
          })(Stream.make(new Uint8Array(4)))
        )
      )
      const badChain = yield* Effect.exit(
        Credentials.chain({ config: { accessKeyId: "", secretAccessKey: Redacted.make(SECRET) } }).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(
              new Map([["AWS_SECRET_ACCESS_KEY", SECRET], ["AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"]])
            )
          )
        )
      )
      const exits: ReadonlyArray<Exit.Exit<unknown, unknown>> = [badExpiry, badLength, badChain]
      for (const exit of exits) {
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          expectNoSecret(Cause.pretty(exit.cause))
          expectNoSecret(Cause.squash(exit.cause))
        }
      }
    }))
})
