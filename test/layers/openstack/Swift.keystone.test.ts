/**
 * Swift's ObjectStorage provider authenticated by a real Keystone: the
 * object-store endpoint comes from the token's catalog (the Keystone-enabled
 * Swift proxy), the whole contract runs there, and the session's behaviour
 * shows through Swift — a revoked token answered by one re-authentication,
 * one session shared with `Keystone.layer`, a region the catalog lacks.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import type { KeystoneConfig } from "../../../src/auth/openstack/Config.js"
import * as Keystone from "../../../src/layers/openstack/keystone/Keystone.js"
import * as Swift from "../../../src/layers/openstack/swift/Swift.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { captureSpans, spanText } from "../../http/support.js"
import { call, countingClient, isKeystoneAuth, KEYSTONE_ADMIN_PASSWORD, sharedPeer } from "../../auth/openstack/support.js"
import { expectFailure, objectStorageContract } from "../../contract/ObjectStorage.js"
import { adminToken, type OpenStackPeers, skipPeers, startKeystone, startSwift } from "../../support/peers/index.js"

const peers = sharedPeer(Effect.gen(function*() {
  const keystone = yield* startKeystone({ adminPassword: KEYSTONE_ADMIN_PASSWORD })
  const swift = yield* startSwift({ keystone })
  return { keystone, swift } satisfies OpenStackPeers
}))

class Peers extends Context.Tag("test/openstack/Peers")<Peers, OpenStackPeers>() {}

const keystoneAuth = ({ keystone: ks }: OpenStackPeers): KeystoneConfig => ({
  authUrl: ks.authUrl,
  username: ks.admin.username,
  password: Redacted.make(ks.admin.password),
  userDomainName: "Default",
  projectName: ks.admin.projectName,
  projectDomainName: "Default"
})

const { counter, layer: counting } = countingClient()
const authCount = () => counter.count(isKeystoneAuth)

describe.skipIf(skipPeers("keystone", "swift"))("Swift (Keystone)", () => {
  objectStorageContract(
    "openstack-swift (keystone)",
    Layer.unwrapEffect(Effect.map(peers, (p) => Swift.layer({ auth: keystoneAuth(p), region: "RegionOne", tempUrlKey: Redacted.make("contract-key") }))).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    ),
    { etags: "md5-single-part", containerPrefix: "cfx-swift-ks", propertyRuns: 10 }
  )

  layer(Layer.merge(Layer.effect(Peers, peers), counting), { timeout: "180 seconds", excludeTestServices: true })("Swift through Keystone", (it) => {
    it.effect("the storage URL is the catalog's object-store endpoint, for each interface", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const expected = `${p.keystone.objectStore.url}/v1/AUTH_${p.keystone.project.id}`
        for (const iface of ["public", "internal", "admin"] as const) {
          const { swift } = yield* Swift.makeBoth({ auth: keystoneAuth(p), interface: iface })
          expect(yield* swift.storageUrl).toBe(expected)
        }
        expect(expected.startsWith(p.swift.keystoneProxyUrl!)).toBe(true)
      }), 120_000)

    it.effect("a region the catalog lacks: ProviderError EndpointNotFound naming what the catalog has", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const s = yield* Swift.make({ auth: keystoneAuth(p), region: "RegionTwo" })
        const e = yield* expectFailure(s.listContainers(), "ProviderError")
        expect(e).toMatchObject({ code: "EndpointNotFound", provider: "openstack-swift", operation: "ObjectStorage.listContainers" })
        expect(e.message).toContain(`region "RegionTwo"`)
        expect(e.message).toContain("object-store (swift): public@RegionOne, internal@RegionOne, admin@RegionOne")
      }), 120_000)

    it.effect("a token revoked before Swift saw it: a 401, one re-authentication, and the operation succeeds", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const session = yield* Keystone.make(keystoneAuth(p))
        const { storage } = yield* Swift.makeWith({}, session)
        const stale = Redacted.value((yield* session.token).token)
        const admin = yield* Effect.orDie(adminToken(p.keystone))
        const revoked = yield* call(`${p.keystone.authUrl}/auth/tokens`, { method: "DELETE", headers: { "x-auth-token": admin.token, "x-subject-token": stale } })
        expect(revoked.status).toBe(204)
        const before = authCount()
        expect(Array.isArray(yield* storage.listContainers())).toBe(true)
        expect(authCount() - before).toBe(1)
        expect(counter.requests.filter((r) => r.headers["x-auth-token"] === stale).length).toBe(1)
      }), 120_000)

    it.effect("Swift over a Keystone.layer session shares its token: one authentication for both", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const before = authCount()
        const program = Effect.gen(function*() {
          const storage = yield* ObjectStorage
          const session = yield* Keystone.Keystone
          const c = (yield* storage.createContainer(`cfx-swift-ks-shared-${Date.now().toString(36)}`)).name
          yield* storage.putObject(c, "k", "shared session")
          expect(yield* session.endpoint("identity")).toBe(p.keystone.authUrl)
          yield* storage.deleteObject(c, "k")
          yield* storage.deleteContainer(c)
        })
        const session = Keystone.layer(keystoneAuth(p))
        const swift = Swift.layerFromKeystone({ region: "RegionOne" })
        yield* program.pipe(Effect.provide(Layer.provideMerge(swift, session)), Effect.provide(counting))
        expect(authCount() - before).toBe(1)
      }), 120_000)

    it.effect("an application credential, and TempURLs with the account's key through the Keystone proxy", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const admin = yield* Effect.orDie(adminToken(p.keystone))
        const created = yield* call(`${p.keystone.authUrl}/users/${p.keystone.admin.userId}/application_credentials`, {
          method: "POST",
          headers: { "x-auth-token": admin.token, "content-type": "application/json" },
          body: JSON.stringify({ application_credential: { name: `cfx-swift-${Date.now().toString(36)}` } })
        })
        expect(created.status).toBe(201)
        const credential = (JSON.parse(new TextDecoder().decode(created.body)) as { application_credential: { id: string; secret: string } }).application_credential
        const { storage, swift } = yield* Swift.makeBoth({
          auth: { authUrl: p.keystone.authUrl, applicationCredentialId: credential.id, applicationCredentialSecret: Redacted.make(credential.secret) }
        })
        const c = (yield* storage.createContainer(`cfx-swift-ks-url-${Date.now().toString(36)}`)).name
        yield* storage.putObject(c, "shared file", "via keystone")
        yield* swift.setTempUrlKey(Redacted.make(`ks-acct-key-${Date.now()}`))
        const url = yield* storage.signedUrl(c, "shared file", { expiresIn: "5 minutes" })
        expect(url.startsWith(p.swift.keystoneProxyUrl!)).toBe(true)
        const fetched = yield* call(url)
        expect(fetched.status).toBe(200)
        expect(new TextDecoder().decode(fetched.body)).toBe("via keystone")
        yield* storage.deleteObject(c, "shared file")
        yield* storage.deleteContainer(c)
      }), 120_000)

    it.effect("a wrong password is InvalidCredentials; the password appears in no error or span", () =>
      Effect.gen(function*() {
        const p = yield* Peers
        const { spans, tracer } = yield* captureSpans
        const good = yield* Swift.make({ auth: keystoneAuth(p) })
        yield* good.listContainers().pipe(Effect.withTracer(tracer))
        const wrong = yield* Swift.make({ auth: { ...keystoneAuth(p), password: Redacted.make("Bad-pw-5150x") } })
        const e = yield* expectFailure(wrong.listContainers().pipe(Effect.withTracer(tracer)), "InvalidCredentials")
        const text = `${e.message} ${JSON.stringify(e)} ${String(e)} ${spanText(spans)}`
        expect(spans.length).toBeGreaterThan(2)
        for (const secret of ["Bad-pw-5150x", KEYSTONE_ADMIN_PASSWORD]) expect(text).not.toContain(secret)
      }), 120_000)
  })
})
