/**
 * Swift v1.0 tempauth against a real Swift: the token and storage URL, a
 * wrong key, and tokens forgotten server-side (memcached flushed, which is
 * where tempauth keeps them) answered by exactly one re-authentication, also
 * under 50 concurrent requests.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock, TestContext } from "effect"
import type { TempAuthConfig } from "../../../src/auth/openstack/Config.js"
import * as Session from "../../../src/auth/openstack/Session.js"
import * as TempAuth from "../../../src/auth/openstack/TempAuth.js"
import * as ProviderHttp from "../../../src/http/Client.js"
import { LocalSwift, skipPeers, type SwiftPeer } from "../../support/peers/index.js"
import { countingClient, flushMemcached, isTempAuth } from "./support.js"

const { counter, layer: client } = countingClient()
const authCount = () => counter.count(isTempAuth)

const config = (swift: SwiftPeer, key = swift.key): TempAuthConfig => ({ authUrl: swift.authUrl, user: swift.user, key: Redacted.make(key) })

/** HEAD of the account through the session: what any Swift request needs. */
const headAccount = (session: Session.OpenStackSession) =>
  Effect.gen(function*() {
    const http = yield* ProviderHttp.make({ provider: "swift", baseUrl: yield* session.endpoint("object-store"), signer: session.signer })
    const { headers, status } = yield* http.execute(HttpClientRequest.head(""), { operation: "Swift.head" }, ProviderHttp.headers)
    expect(status).toBeLessThan(300)
    return headers
  })

describe.skipIf(skipPeers("swift"))("Swift tempauth against a real Swift", () => {
  layer(Layer.merge(LocalSwift.layer(), client), { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.effect("a good key: a token, the storage URL, and its expiry from X-Auth-Token-Expires", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const token = yield* TempAuth.authenticate(config(swift))
        expect(token.method).toBe("tempauth")
        expect(Redacted.value(token.token)).toMatch(/^AUTH_tk/)
        // tempauth's default token_life is a day.
        expect(token.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3600_000)
        const session = yield* Session.make(config(swift))
        expect(yield* session.endpoint("object-store")).toBe(swift.storageUrl)
        // There is no catalog to pick from: region and interface do not apply.
        expect(yield* session.endpoint("object-store", { region: "Nowhere", interface: "admin" })).toBe(swift.storageUrl)
        expect((yield* Effect.flip(session.endpoint("compute")))._tag).toBe("NotFound")
        yield* headAccount(session)
      }), 60_000)

    it.effect("a wrong key or user is InvalidCredentials, without the key", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        for (const attempt of [config(swift, "Wrong-key-31z"), { ...config(swift, "Wrong-key-31z"), user: "test:nobody" }]) {
          const e = yield* Effect.flip(TempAuth.authenticate(attempt))
          expect(e._tag).toBe("InvalidCredentials")
          expect(`${e.message} ${JSON.stringify(e)} ${String(e)}`).not.toContain("Wrong-key-31z")
        }
        const session = yield* Session.make(config(swift, "Wrong-key-31z"))
        expect((yield* Effect.flip(headAccount(session)))._tag).toBe("InvalidCredentials")
      }), 60_000)

    it.effect("tokens forgotten by Swift: the next request gets a 401, re-authenticates once and succeeds", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const session = yield* Session.make(config(swift))
        yield* headAccount(session)
        const stale = Redacted.value((yield* session.token).token)
        yield* flushMemcached(swift.ports.memcached)
        const before = authCount()
        yield* headAccount(session)
        expect(authCount() - before).toBe(1)
        expect(Redacted.value((yield* session.token).token)).not.toBe(stale)
      }), 60_000)

    it.effect("50 concurrent requests refused with a forgotten token: one re-authentication", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const session = yield* Session.make(config(swift))
        yield* headAccount(session)
        yield* flushMemcached(swift.ports.memcached)
        const before = authCount()
        yield* Effect.all(Array.from({ length: 50 }, () => headAccount(session)), { concurrency: "unbounded" })
        expect(authCount() - before).toBe(1)
      }), 60_000)

    it.effect("50 concurrent requests with an expired token (TestClock): one authentication", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const session = yield* Session.make(config(swift))
        yield* headAccount(session)
        const before = authCount()
        yield* TestClock.adjust("1 day")
        yield* Effect.all(Array.from({ length: 50 }, () => headAccount(session)), { concurrency: "unbounded" })
        expect(authCount() - before).toBe(1)
      }).pipe(Effect.provide(TestContext.TestContext)), 60_000)
  })
})
