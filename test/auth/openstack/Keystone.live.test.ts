/**
 * The OpenStack session against a real Keystone (Debian keystone 22, v3):
 * password and application-credential authentication, project and domain
 * scoping, the catalog, wrong credentials, refresh before expiry (driven by
 * TestClock: Keystone's token lifetime is fixed at an hour in its config),
 * revocation answered by one re-authentication, and single-flight under 50
 * concurrent requests — auth requests counted at the HttpClient.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock, TestContext } from "effect"
import { EndpointNotFound } from "../../../src/auth/openstack/Catalog.js"
import type { KeystoneConfig } from "../../../src/auth/openstack/Config.js"
import * as Keystone from "../../../src/auth/openstack/Keystone.js"
import * as Session from "../../../src/auth/openstack/Session.js"
import * as ProviderHttp from "../../../src/http/Client.js"
import { adminToken, type KeystonePeer, LocalKeystone, skipPeers } from "../../support/peers/index.js"
import { type CheckingService, checkingService, countingClient, isKeystoneAuth, KEYSTONE_ADMIN_PASSWORD } from "./support.js"

const ADMIN_PASSWORD = KEYSTONE_ADMIN_PASSWORD

const { counter, layer: client } = countingClient({ maxSockets: 4 })
const authCount = () => counter.count(isKeystoneAuth)

const passwordConfig = (ks: KeystonePeer): KeystoneConfig => ({
  authUrl: ks.authUrl,
  username: ks.admin.username,
  password: Redacted.make(ks.admin.password),
  userDomainName: ks.domain.name,
  projectName: ks.admin.projectName,
  projectDomainName: ks.domain.name,
  region: ks.region
})

/** An authenticated call to Keystone's own API (the identity endpoint of the catalog). */
const listProjects = (session: Session.OpenStackSession) =>
  Effect.gen(function*() {
    const http = yield* ProviderHttp.make({ provider: "keystone-api", baseUrl: yield* session.endpoint("identity"), signer: session.signer })
    const body = yield* http.execute(HttpClientRequest.get("/auth/projects"), { operation: "Keystone.projects" }, ProviderHttp.text)
    return (JSON.parse(body) as { projects: ReadonlyArray<{ name: string }> }).projects.map((p) => p.name)
  })

const keystoneAdmin = (ks: KeystonePeer) => Effect.orDie(adminToken(ks))

const revoke = (ks: KeystonePeer, token: string) =>
  Effect.gen(function*() {
    const admin = yield* keystoneAdmin(ks)
    const res = yield* Effect.promise(() =>
      fetch(`${ks.authUrl}/auth/tokens`, { method: "DELETE", headers: { "x-auth-token": admin.token, "x-subject-token": token } })
    )
    expect(res.status).toBe(204)
  })

const grantDomainRole = (ks: KeystonePeer, role: string) =>
  Effect.gen(function*() {
    const admin = yield* keystoneAdmin(ks)
    const status = yield* Effect.promise(async () => {
      const headers = { "x-auth-token": admin.token }
      const roles = await fetch(`${ks.authUrl}/roles?name=${role}`, { headers }).then((r) => r.json() as Promise<{ roles: Array<{ id: string }> }>)
      const res = await fetch(`${ks.authUrl}/domains/${ks.domain.id}/users/${ks.admin.userId}/roles/${roles.roles[0]!.id}`, { method: "PUT", headers })
      return res.status
    })
    expect(status).toBe(204)
  })

describe.skipIf(skipPeers("keystone"))("OpenStack session against a real Keystone", () => {
  layer(Layer.merge(LocalKeystone.layer({ adminPassword: ADMIN_PASSWORD }), client), { timeout: "150 seconds", excludeTestServices: true })((it) => {
    it.effect("v3 password, user and project by name: a project token whose catalog has identity and object-store", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const session = yield* Session.make(passwordConfig(ks))
        const token = yield* session.token
        expect(token.method).toBe("keystone-v3")
        expect(token.project).toEqual({ id: ks.project.id, name: "admin", domainId: "default" })
        expect(token.user?.id).toBe(ks.admin.userId)
        expect(token.roles).toContain("admin")
        expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000)
        expect(yield* session.endpoint("identity")).toBe(ks.authUrl)
        for (const iface of ["public", "internal", "admin"] as const) {
          expect(yield* session.endpoint("object-store", { interface: iface })).toBe(`${ks.objectStore.url}/v1/AUTH_${ks.project.id}`)
        }
        expect(yield* listProjects(session)).toContain("admin")
      }), 120_000)

    it.effect("by ids, and a domain scope (no project, and no object-store in the catalog)", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const byIds = yield* Session.make({ authUrl: ks.authUrl, userId: ks.admin.userId, password: Redacted.make(ks.admin.password), projectId: ks.project.id })
        expect((yield* byIds.token).project?.id).toBe(ks.project.id)
        // Bootstrap gives the admin a role on its project only: a domain token needs one on the domain.
        yield* grantDomainRole(ks, "admin")
        const domain = yield* Session.make({ authUrl: ks.authUrl, username: "admin", password: Redacted.make(ks.admin.password), domainId: "default" })
        const token = yield* domain.token
        expect(token.domain).toEqual({ id: "default", name: "Default" })
        expect(token.project).toBeUndefined()
        // The object-store URLs name a project ($(project_id)s): Keystone leaves them out of a domain token.
        expect(token.catalog.some((e) => e.serviceType === "identity")).toBe(true)
        expect(token.catalog.some((e) => e.serviceType === "object-store")).toBe(false)
        const unscoped = yield* Session.make({ authUrl: ks.authUrl, username: "admin", password: Redacted.make(ks.admin.password) })
        const e = yield* Effect.flip(unscoped.endpoint("object-store"))
        expect(e).toBeInstanceOf(EndpointNotFound)
        expect(e.message).toContain("the catalog is empty")
      }))

    it.effect("a wrong password, an unknown project and a v2.0 URL: typed errors without the password", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const wrong = yield* Effect.flip(Keystone.authenticate({ ...passwordConfig(ks), password: Redacted.make("Wrong-pw-77x") }))
        expect(wrong._tag).toBe("InvalidCredentials")
        expect(`${wrong.message} ${JSON.stringify(wrong)}`).not.toContain("Wrong-pw-77x")
        const project = yield* Effect.flip(Keystone.authenticate({ ...passwordConfig(ks), projectName: "no-such-project" }))
        expect(project._tag).toBe("InvalidCredentials")
        // Keystone 22 has no v2.0 API any more: the request is answered 404.
        const v2 = yield* Effect.flip(Keystone.authenticate({ ...passwordConfig(ks), authUrl: `${ks.url}/v2.0` }))
        expect(v2).toMatchObject({ _tag: "ProviderError", status: 404 })
        expect(`${v2.message} ${project.message}`).not.toContain(ADMIN_PASSWORD)
      }))

    it.effect("refreshes the token before it expires (TestClock), with one authentication", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const session = yield* Session.make(passwordConfig(ks))
        const before = authCount()
        yield* listProjects(session)
        const first = Redacted.value((yield* session.token).token)
        yield* TestClock.adjust("50 minutes")
        yield* listProjects(session)
        expect(authCount() - before).toBe(1)
        // Keystone's tokens live an hour; cloudfx stops using one 5 minutes before its end.
        yield* TestClock.adjust("6 minutes")
        yield* listProjects(session)
        expect(authCount() - before).toBe(2)
        expect(Redacted.value((yield* session.token).token)).not.toBe(first)
      }).pipe(Effect.provide(TestContext.TestContext)))

    it.effect("a token revoked server-side: the next request gets a 401, re-authenticates once and succeeds", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const session = yield* Session.make(passwordConfig(ks))
        yield* listProjects(session)
        const stale = Redacted.value((yield* session.token).token)
        yield* revoke(ks, stale)
        const before = authCount()
        const rejected = () => counter.requests.filter((r) => r.url.endsWith("/auth/projects") && r.headers["x-auth-token"] === stale).length
        const staleSends = rejected()
        expect(yield* listProjects(session)).toContain("admin")
        expect(authCount() - before).toBe(1)
        expect(rejected() - staleSends).toBe(1)
        expect(Redacted.value((yield* session.token).token)).not.toBe(stale)
      }))

    /** A service in the catalog's place that checks tokens with Keystone (see checkingService). */
    const checkedCall = (session: Session.OpenStackSession, service: CheckingService) =>
      Effect.gen(function*() {
        const http = yield* ProviderHttp.make({ provider: "svc", baseUrl: service.url, signer: session.signer })
        return yield* http.execute(HttpClientRequest.get("/resource"), { operation: "svc.get" }, ProviderHttp.text)
      })

    it.scoped("50 concurrent requests with an expired token cause exactly one authentication", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const service = yield* checkingService(ks.authUrl, (yield* keystoneAdmin(ks)).token)
        const session = yield* Session.make(passwordConfig(ks))
        expect(yield* checkedCall(session, service)).toBe("ok")
        const stale = Redacted.value((yield* session.token).token)
        const before = authCount()
        yield* TestClock.adjust("61 minutes")
        const results = yield* Effect.all(Array.from({ length: 50 }, () => checkedCall(session, service)), { concurrency: "unbounded" })
        expect(results.every((r) => r === "ok")).toBe(true)
        expect(authCount() - before).toBe(1)
        const fresh = Redacted.value((yield* session.token).token)
        expect(fresh).not.toBe(stale)
        expect(service.received.slice(1)).toEqual(Array.from({ length: 50 }, () => fresh))
      }).pipe(Effect.provide(TestContext.TestContext)), 120_000)

    it.scoped("50 concurrent requests all refused with a revoked token cause exactly one re-authentication", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const service = yield* checkingService(ks.authUrl, (yield* keystoneAdmin(ks)).token)
        const session = yield* Session.make(passwordConfig(ks))
        const stale = Redacted.value((yield* session.token).token)
        yield* revoke(ks, stale)
        const before = authCount()
        const results = yield* Effect.all(Array.from({ length: 50 }, () => checkedCall(session, service)), { concurrency: "unbounded" })
        expect(results.every((r) => r === "ok")).toBe(true)
        expect(authCount() - before).toBe(1)
        const fresh = Redacted.value((yield* session.token).token)
        // Each request was sent twice: with the revoked token (401), then with the one new token.
        expect(service.received.filter((t) => t === stale)).toHaveLength(50)
        expect(service.received.filter((t) => t === fresh)).toHaveLength(50)
        expect(service.validations()).toBe(2)
      }), 120_000)

    it.effect("an application credential created through Keystone's API authenticates by id and by name", () =>
      Effect.gen(function*() {
        const ks = yield* LocalKeystone
        const admin = yield* keystoneAdmin(ks)
        const name = `cfx-${Date.now().toString(36)}`
        const created = yield* Effect.promise(async () => {
          const res = await fetch(`${ks.authUrl}/users/${ks.admin.userId}/application_credentials`, {
            method: "POST",
            headers: { "x-auth-token": admin.token, "content-type": "application/json" },
            body: JSON.stringify({ application_credential: { name } })
          })
          expect(res.status).toBe(201)
          return ((await res.json()) as { application_credential: { id: string; secret: string } }).application_credential
        })
        const secret = Redacted.make(created.secret)
        const byId = yield* Session.make({ authUrl: ks.authUrl, applicationCredentialId: created.id, applicationCredentialSecret: secret })
        const token = yield* byId.token
        expect(token.project?.id).toBe(ks.project.id)
        expect(yield* listProjects(byId)).toContain("admin")
        const byName = yield* Session.make({ authUrl: ks.authUrl, applicationCredentialName: name, username: "admin", userDomainName: "Default", applicationCredentialSecret: secret })
        expect((yield* byName.token).project?.id).toBe(ks.project.id)
        const wrong = yield* Effect.flip(Keystone.authenticate({ authUrl: ks.authUrl, applicationCredentialId: created.id, applicationCredentialSecret: Redacted.make("Not-the-secret-42") }))
        expect(wrong._tag).toBe("InvalidCredentials")
        expect(`${wrong.message} ${JSON.stringify(wrong)}`).not.toContain("Not-the-secret-42")
      }))
  })
})
