import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { Signer } from "../../src/http/index.js"

const context = { provider: "test", operation: "Dns.listZones", attempt: 0 }
const request = HttpClientRequest.get("http://h/api")

describe("Signer", () => {
  it.effect("none leaves the request alone", () =>
    Effect.gen(function*() {
      expect(yield* Signer.none(request, context)).toBe(request)
    }))

  it.effect("bearer sets Authorization from a fixed token or an Effect", () =>
    Effect.gen(function*() {
      const fixed = yield* Signer.bearer(Redacted.make("tok"))(request, context)
      expect(fixed.headers["authorization"]).toBe("Bearer tok")
      let reads = 0
      const source = Effect.sync(() => Redacted.make(`t${++reads}`))
      const signer = Signer.bearer(source)
      expect((yield* signer(request, context)).headers["authorization"]).toBe("Bearer t1")
      expect((yield* signer(request, context)).headers["authorization"]).toBe("Bearer t2")
    }))

  it.effect("bearer refuses an empty or header-breaking token", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(Signer.bearer(Redacted.make(""))(request, context)))._tag).toBe("InvalidCredentials")
      expect((yield* Effect.flip(Signer.bearer(Redacted.make("a\r\nX-Evil: 1"))(request, context)))._tag).toBe("InvalidCredentials")
    }))

  it.effect("apiKey sets the named header", () =>
    Effect.gen(function*() {
      const signed = yield* Signer.apiKey("X-API-Key", Redacted.make("pdns-key"))(request, context)
      expect(signed.headers["x-api-key"]).toBe("pdns-key")
      expect(() => Signer.apiKey("bad header", Redacted.make("k"))).toThrow(/not a valid header name/)
    }))

  it.effect("basic encodes UTF-8 credentials (RFC 7617)", () =>
    Effect.gen(function*() {
      const signed = yield* Signer.basic("Aladdin", Redacted.make("open sesame"))(request, context)
      expect(signed.headers["authorization"]).toBe("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
      const unicode = yield* Signer.basic("jösé", Redacted.make("pässwörd€"))(request, context)
      const decoded = Buffer.from(unicode.headers["authorization"]!.slice(6), "base64").toString("utf8")
      expect(decoded).toBe("jösé:pässwörd€")
      expect((yield* Effect.flip(Signer.basic("a:b", Redacted.make("p"))(request, context)))._tag).toBe("InvalidCredentials")
    }))

  it.effect("compose applies signers in order and combines invalidation", () =>
    Effect.gen(function*() {
      let invalidated = 0
      const version = Signer.make((r) => Effect.succeed(HttpClientRequest.setHeader(r, "x-ms-version", "2021-08-06")))
      const token = Signer.bearer(Effect.succeed(Redacted.make("t")), Effect.sync(() => void invalidated++))
      const both = Signer.compose(version, token)
      const signed = yield* both(request, context)
      expect(signed.headers["x-ms-version"]).toBe("2021-08-06")
      expect(signed.headers["authorization"]).toBe("Bearer t")
      expect(both.invalidate).toBeDefined()
      yield* Signer.runInvalidate(both, signed)
      expect(invalidated).toBe(1)
      expect(Signer.compose(version).invalidate).toBeUndefined()
    }))
})
