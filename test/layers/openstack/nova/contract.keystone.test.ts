/**
 * The Compute contract over OpenStack identity from the REAL Keystone the
 * test setup starts (scripts/peers/keystone): the fake Nova / Glance /
 * Cinder of fake.ts is registered in that Keystone's catalog through
 * Keystone's own API (POST /v3/services, /v3/endpoints), the provider finds
 * every endpoint in the token's catalog, and the fake accepts only tokens
 * Keystone itself validates (GET /v3/auth/tokens).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Schedule } from "effect"
import type { KeystoneConfig } from "../../../../src/auth/openstack/Config.js"
import * as Nova from "../../../../src/layers/openstack/nova/Nova.js"
import { Compute, waitUntilRunning } from "../../../../src/services/Compute.js"
import { KEYSTONE_ADMIN_PASSWORD, sharedPeer } from "../../../auth/openstack/support.js"
import { computeContract } from "../../../contract/Compute.js"
import { adminToken, type KeystonePeer, skipPeers, startKeystone } from "../../../support/peers/index.js"
import * as Fake from "./fake.js"

interface Cloud {
  readonly keystone: KeystonePeer
  readonly fake: string
  /** A token of the bootstrap admin (for checking other tokens and calling the fake directly). */
  readonly admin: string
  /** Tokens the fake saw, in order. */
  readonly tokens: ReadonlyArray<string>
}

const asJson = async (res: Response) => {
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${res.status} ${text.slice(0, 300)}`)
  return JSON.parse(text) as Record<string, any>
}

/** Adds a service and its public endpoint to Keystone's catalog, as an operator would. */
const register = (keystone: KeystonePeer, admin: string, type: string, name: string, url: string) =>
  Effect.promise(async () => {
    const headers = { "content-type": "application/json", "x-auth-token": admin }
    const service = await asJson(await fetch(`${keystone.authUrl}/services`, { method: "POST", headers, body: JSON.stringify({ service: { type, name } }) }))
    await asJson(
      await fetch(`${keystone.authUrl}/endpoints`, {
        method: "POST",
        headers,
        body: JSON.stringify({ endpoint: { service_id: service.service.id, interface: "public", url, region_id: keystone.region } })
      })
    )
  })

const cloud = sharedPeer(Effect.gen(function*() {
  const keystone = yield* startKeystone({ adminPassword: KEYSTONE_ADMIN_PASSWORD })
  const admin = yield* adminToken(keystone)
  const tokens: Array<string> = []
  const verdicts = new Map<string, Promise<boolean>>()
  const authorize = (token: string) => {
    tokens.push(token)
    let verdict = verdicts.get(token)
    if (verdict === undefined) {
      verdict = fetch(`${keystone.authUrl}/auth/tokens`, { headers: { "x-auth-token": admin.token, "x-subject-token": token } }).then(async (res) => {
        await res.arrayBuffer()
        return res.status === 200
      })
      verdicts.set(token, verdict)
    }
    return verdict
  }
  const fake = yield* Fake.start({ authorize })
  yield* register(keystone, admin.token, "compute", "nova", `${fake}/compute/v2.1`)
  yield* register(keystone, admin.token, "image", "glance", `${fake}/image`)
  // Keystone renders $(project_id)s in the catalog, as in a real deployment's Cinder endpoint.
  yield* register(keystone, admin.token, "volumev3", "cinderv3", `${fake}/volume/v3/$(project_id)s`)
  return { keystone, fake, admin: admin.token, tokens } satisfies Cloud
}))

const auth = (keystone: KeystonePeer): KeystoneConfig => ({
  authUrl: keystone.authUrl,
  username: keystone.admin.username,
  password: Redacted.make(keystone.admin.password),
  userDomainName: "Default",
  projectName: keystone.admin.projectName,
  projectDomainName: "Default"
})

class Peers extends Context.Tag("test/nova/Cloud")<Peers, Cloud>() {}

const novaLayer = Layer.unwrapEffect(Effect.map(cloud, (c) => Nova.layer({ auth: auth(c.keystone), region: c.keystone.region }))).pipe(
  Layer.provide(NodeHttpClient.layerUndici)
)

describe.skipIf(skipPeers("keystone"))("Nova (Keystone)", () => {
  computeContract("openstack-nova (real Keystone, fake Nova/Glance/Cinder)", novaLayer, {
    schedule: Schedule.spaced("5 millis"),
    timeout: "20 seconds"
  })

  layer(Layer.mergeAll(novaLayer, Layer.effect(Peers, cloud), NodeHttpClient.layerUndici), { timeout: "180 seconds", excludeTestServices: true })("Nova through Keystone", (it) => {
    it.effect("create → poll → running through waitUntilRunning, signed with the token Keystone issued", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const { admin, keystone, tokens } = yield* Peers
        const sizes = yield* compute.listSizes()
        const images = yield* compute.listImages()
        const created = yield* compute.createNode({ name: "cloudfx-wait", size: sizes[0]!.id, image: images[0]!.id })
        expect(created.state).toBe("pending")
        const [running] = yield* waitUntilRunning([created], { schedule: Schedule.spaced("5 millis"), timeout: "10 seconds" })
        expect(running!.state).toBe("running")
        expect(running!.publicIps.length).toBe(1)
        expect(running!.privateIps.length).toBe(1)
        yield* compute.destroyNode(created)
        // Every request carried a token that Keystone validated for the admin project.
        const seen = new Set(tokens)
        expect(seen.size).toBeGreaterThan(0)
        for (const token of seen) {
          const check = yield* Effect.promise(() =>
            fetch(`${keystone.authUrl}/auth/tokens`, { headers: { "x-auth-token": admin, "x-subject-token": token } }).then((r) => r.json() as Promise<any>)
          )
          expect(check.token.project.id).toBe(keystone.project.id)
        }
      }), 120_000)

    it.effect("a wrong password is InvalidCredentials from Keystone, and Nova is never called", () =>
      Effect.gen(function*() {
        const { keystone, tokens } = yield* Peers
        const before = tokens.length
        const compute = yield* Nova.make({ auth: { ...auth(keystone), password: Redacted.make("not-the-password") } })
        const e = yield* Effect.flip(compute.listSizes())
        expect(e._tag).toBe("InvalidCredentials")
        expect(e.message).not.toContain("not-the-password")
        expect(tokens.length).toBe(before)
      }), 120_000)

    it.effect("the Cinder endpoint is the catalog's, with the project id Keystone rendered into it", () =>
      Effect.gen(function*() {
        const { admin, fake, keystone } = yield* Peers
        const compute = yield* Compute
        const volume = yield* compute.createVolume({ name: "cloudfx-catalog", sizeGb: 1 })
        const links = yield* Effect.promise(async () => {
          const res = await fetch(`${fake}/volume/v3/${keystone.project.id}/volumes/${volume.id}`, { headers: { "x-auth-token": admin } })
          return ((await res.json()) as any).volume.links as Array<{ href: string }>
        })
        expect(links[0]!.href).toContain(`/v3/${keystone.project.id}/volumes/${volume.id}`)
        yield* compute.destroyVolume(volume)
      }), 120_000)
  })
})
