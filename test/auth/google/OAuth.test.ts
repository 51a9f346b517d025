import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Redacted, Ref, TestClock } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import {
  bearerSigner,
  fetchAccessToken,
  JWT_BEARER_GRANT,
  makeAccessTokenCache,
  type ServiceAccountCredentials
} from "../../../src/auth/google/index.js"
import type { Signer } from "../../../src/http/Signer.js"
import { startTokenServer, type TokenServer } from "./tokenServer.js"

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const CREDENTIALS: ServiceAccountCredentials = {
  clientEmail: "robot@project.iam.gserviceaccount.com",
  privateKey: Redacted.make(privateKey),
  privateKeyId: "key-1",
  tokenUri: "https://oauth2.googleapis.com/token",
  universeDomain: "googleapis.com"
}
const SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0)

let server: TokenServer
beforeAll(async () => {
  server = await startTokenServer(privateKey)
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.mode = "ok"
  server.received.length = 0
  server.issued.length = 0
})

const options = () => ({ scopes: [SCOPE], tokenUri: server.url })

describe("Google OAuth: JWT bearer exchange against a local token endpoint", () => {
  it.effect("sends a form POST with a correctly signed assertion and decodes the token", () =>
    Effect.gen(function*() {
      expect(JWT_BEARER_GRANT).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer")
      yield* TestClock.setTime(T0)
      const token = yield* fetchAccessToken(CREDENTIALS, options())
      expect(Redacted.value(token.token)).toBe("ya29.test-token-1")
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresAt.getTime()).toBe(T0 + 3599_000)
      expect(server.received).toHaveLength(1)
      const [got] = server.received
      expect(got?.contentType).toBe("application/x-www-form-urlencoded")
      expect(got?.header).toEqual({ alg: "RS256", typ: "JWT", kid: "key-1" })
      expect(got?.claims).toEqual({
        iss: CREDENTIALS.clientEmail,
        scope: SCOPE,
        aud: "https://oauth2.googleapis.com/token",
        iat: T0 / 1000,
        exp: T0 / 1000 + 3600
      })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("a signature the server cannot verify is InvalidCredentials", () =>
    Effect.gen(function*() {
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
      const error = yield* Effect.flip(fetchAccessToken({ ...CREDENTIALS, privateKey: Redacted.make(other) }, options()))
      expect(error._tag).toBe("InvalidCredentials")
      expect(error.message).toContain("invalid_grant")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("garbage and wrongly shaped answers are MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      for (const mode of ["garbage", "bad-shape", "empty-object"] as const) {
        server.mode = mode
        const error = yield* Effect.flip(fetchAccessToken(CREDENTIALS, options()))
        expect(error._tag).toBe("MalformedResponse")
      }
      server.mode = "bad-shape"
      const shape = yield* Effect.flip(fetchAccessToken(CREDENTIALS, options()))
      expect(shape.message).toContain("expires_in")
      server.mode = "empty-object"
      const empty = yield* Effect.flip(fetchAccessToken(CREDENTIALS, options()))
      expect(empty.message).toContain("access_token is missing")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("maps the endpoint's refusals: 400 invalid_grant, 401, 403, 429 (Retry-After), 5xx", () =>
    Effect.gen(function*() {
      const expectations = [
        ["invalid-grant", "InvalidCredentials"],
        ["echo-assertion", "InvalidCredentials"],
        ["forbidden", "PermissionDenied"],
        ["rate-limited", "RateLimited"],
        ["server-error", "ProviderError"]
      ] as const
      for (const [mode, tag] of expectations) {
        server.mode = mode
        const error = yield* Effect.flip(fetchAccessToken(CREDENTIALS, options()))
        expect(error._tag).toBe(tag)
        if (error._tag === "RateLimited") expect(Duration.toSeconds(error.retryAfter ?? Duration.zero)).toBe(7)
        if (error._tag === "ProviderError") expect(error.status).toBe(503)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("a token endpoint that is not there is Transport; a bad URL is InvalidInput", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const probe = createServer()
          probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as AddressInfo
            probe.close(() => resolve(port))
          })
        })
      )
      const down = yield* Effect.flip(fetchAccessToken(CREDENTIALS, { scopes: [SCOPE], tokenUri: `http://127.0.0.1:${port}/token` }))
      expect(down._tag).toBe("Transport")
      const bad = yield* Effect.flip(fetchAccessToken(CREDENTIALS, { scopes: [SCOPE], tokenUri: "http://[not a url" }))
      expect(bad._tag).toBe("InvalidInput")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("the cached token source: one exchange for many requests, a new one before expiry", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const cache = yield* makeAccessTokenCache(CREDENTIALS, options())
      const sign = bearerSigner(cache)
      const signed = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) => sign(HttpClientRequest.get(`https://storage.googleapis.com/b/o${i}`))),
        { concurrency: "unbounded" }
      )
      expect(new Set(signed.map((r) => r.headers["authorization"]))).toEqual(new Set(["Bearer ya29.test-token-1"]))
      expect(server.received).toHaveLength(1)

      // Refreshed 5 minutes before the 3599 s token expires, with a new assertion (new iat).
      yield* TestClock.adjust("54 minutes")
      expect((yield* sign(HttpClientRequest.get("https://x/"))).headers["authorization"]).toBe("Bearer ya29.test-token-1")
      yield* TestClock.adjust("1 minute")
      expect((yield* sign(HttpClientRequest.get("https://x/"))).headers["authorization"]).toBe("Bearer ya29.test-token-2")
      expect(server.received).toHaveLength(2)
      expect(server.received[1]?.claims.iat).toBe(T0 / 1000 + 55 * 60)

      // 10 requests answered 401 together with token 2: each does what ProviderHttp does
      // (invalidate, then re-sign); one new token, all retries carry it.
      const sent = yield* Ref.make(0)
      const allSent = yield* Deferred.make<void>()
      const retried = yield* Effect.all(
        Array.from({ length: 10 }, () =>
          Effect.gen(function*() {
            const first = yield* sign(HttpClientRequest.get("https://x/"))
            expect(first.headers["authorization"]).toBe("Bearer ya29.test-token-2")
            // Every request is out with token 2 before the first 401 comes back.
            if ((yield* Ref.updateAndGet(sent, (n) => n + 1)) === 10) yield* Deferred.succeed(allSent, undefined)
            yield* Deferred.await(allSent)
            yield* sign.invalidate(first)
            return yield* sign(HttpClientRequest.get("https://x/"))
          })),
        { concurrency: "unbounded" }
      )
      expect(new Set(retried.map((r) => r.headers["authorization"]))).toEqual(new Set(["Bearer ya29.test-token-3"]))
      expect(server.received).toHaveLength(3)

      // The adapter has the shape src/http expects of a signer.
      const asSigner: Signer = sign
      const viaSigner = yield* asSigner(HttpClientRequest.get("https://x/"), { provider: "gcs", operation: "ObjectStorage.getObject", attempt: 0 })
      expect(viaSigner.headers["authorization"]).toBe("Bearer ya29.test-token-3")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("the cache checks its options once, up front", () =>
    Effect.gen(function*() {
      for (
        const [extra, field] of [
          [{ scopes: [] }, "scopes"],
          [{ lifetime: "2 hours" }, "lifetime"],
          [{ tokenUri: "not a url" }, "tokenUri"],
          [{ tokenUri: "ftp://example.com/token" }, "tokenUri"]
        ] as const
      ) {
        const error = yield* Effect.flip(makeAccessTokenCache(CREDENTIALS, { ...options(), ...extra }))
        expect(error).toMatchObject({ _tag: "InvalidInput", field })
      }
      expect(server.received).toHaveLength(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
