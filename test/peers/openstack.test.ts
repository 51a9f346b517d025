import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { adminToken, LocalOpenStack, skipPeers } from "../support/peers/index.js"

const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    return { status: res.status, headers: res.headers, text: await res.text() }
  })

// Keystone start-up is the slow one (~2-5 s, more the first time on a machine): one instance for the file.
describe.skipIf(skipPeers("keystone", "swift"))("peer: keystone + swift (keystoneauth)", () => {
  layer(LocalOpenStack.layer(), { timeout: "150 seconds", excludeTestServices: true })((it) => {
    it.effect("keystone issues a project token whose catalog has identity and object-store", () =>
      Effect.gen(function*() {
        const { keystone } = yield* LocalOpenStack
        const body = {
          auth: {
            identity: { methods: ["password"], password: { user: { name: keystone.admin.username, domain: { id: keystone.admin.userDomainId }, password: keystone.admin.password } } },
            scope: { project: { name: keystone.admin.projectName, domain: { id: keystone.admin.projectDomainId } } }
          }
        }
        const res = yield* call(`${keystone.authUrl}/auth/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        expect(res.status).toBe(201)
        expect(res.headers.get("x-subject-token")?.length).toBeGreaterThan(100)
        const token = (JSON.parse(res.text) as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string; region_id: string }> }>; project: { id: string } } }).token
        const identity = token.catalog.find((s) => s.type === "identity")
        const objectStore = token.catalog.find((s) => s.type === "object-store")
        expect(identity?.endpoints.map((e) => e.url)).toContain(keystone.authUrl)
        expect(token.project.id).toBe(keystone.project.id)
        expect(objectStore?.endpoints.find((e) => e.interface === "public")).toMatchObject({
          region_id: keystone.region,
          url: `${keystone.objectStore.url}/v1/AUTH_${token.project.id}`
        })
        const wrong = yield* call(`${keystone.authUrl}/auth/tokens`, {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...body, auth: { ...body.auth, identity: { methods: ["password"], password: { user: { ...body.auth.identity.password.user, password: "nope" } } } } })
        })
        expect(wrong.status).toBe(401)
      }))

    it.effect("swift accepts the keystone token at the catalog's object-store URL", () =>
      Effect.gen(function*() {
        const { keystone, swift } = yield* LocalOpenStack
        const { token, body } = yield* adminToken(keystone)
        const storageUrl = body.catalog?.find((s) => s.type === "object-store")?.endpoints.find((e) => e.interface === "public")?.url
        expect(storageUrl?.startsWith(swift.keystoneProxyUrl!)).toBe(true)
        const c = `${storageUrl}/ks-smoke${Date.now()}`
        expect((yield* call(c, { method: "PUT", headers: { "X-Auth-Token": token } })).status).toBe(201)
        expect((yield* call(`${c}/o.txt`, { method: "PUT", headers: { "X-Auth-Token": token }, body: Buffer.from("hello keystone swift") })).status).toBe(201)
        expect(yield* call(`${c}/o.txt`, { headers: { "X-Auth-Token": token } })).toMatchObject({ status: 200, text: "hello keystone swift" })
        expect((yield* call(`${c}/o.txt`, { headers: { "X-Auth-Token": "bogus" } })).status).toBe(401)
      }))
  })
})
