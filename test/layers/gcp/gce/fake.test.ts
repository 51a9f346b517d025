/**
 * GCE-specific behaviour against the fake Compute Engine (fakeGce.ts) and
 * the local OAuth endpoint: what the contract suite does not look at.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Schedule } from "effect"
import * as Gce from "../../../../src/layers/gcp/gce/Gce.js"
import type { NodeState } from "../../../../src/schemas/Models.js"
import { waitUntilRunningOn } from "../../../../src/services/Compute.js"
import { testPublicKeys } from "../../../contract/Compute.js"
import { uniqueSuffix } from "../../../contract/harness.js"
import * as F from "./fixtures.js"
import { config, servers, type Servers } from "./support.js"

class Fake extends Context.Tag("test/gce/Fake")<Fake, Servers>() {}

const services = (overrides?: Partial<Gce.GceConfig>) => Effect.flatMap(Fake, (s) => Gce.makeServices(config(s, overrides)))
const wait = { schedule: Schedule.spaced("1 millis"), timeout: "10 seconds" } as const
const spec = (name: string, extra?: Record<string, unknown>) => ({
  name,
  size: "e2-micro",
  image: "debian-cloud/family/debian-12",
  ...(extra === undefined ? {} : { extra })
})

layer(Layer.merge(Layer.scoped(Fake, servers), NodeHttpClient.layerUndici), { excludeTestServices: true })("Gce against the fake Compute Engine", (it) => {
  it.effect("create → operation polled to DONE → waitUntilRunning sees PROVISIONING, STAGING, RUNNING", () =>
    Effect.gen(function*() {
      const s = yield* Fake
      const { compute } = yield* services()
      const name = `cloudfx-seq-${uniqueSuffix()}`
      const before = s.gce.log.length
      const created = yield* compute.createNode(spec(name))
      const log = s.gce.log.slice(before).map((l) => l.replace(/\?.*? /, " ").replace(/operation-[\w-]+/, "OP"))
      expect(log).toEqual([
        `GET /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE} 200`,
        `GET /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE}/machineTypes/e2-micro 200`,
        `GET /compute/v1/projects/debian-cloud/global/images/family/debian-12 200`,
        `POST /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE}/instances 200`,
        `POST /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE}/operations/OP/wait 200`,
        `POST /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE}/operations/OP/wait 200`,
        `GET /compute/v1/projects/${F.PROJECT}/zones/${F.ZONE}/instances/${name} 200`
      ])
      expect(created.state).toBe("pending")
      // waitUntilRunning polls the instance until RUNNING with its external IP.
      const polled = s.gce.log.length
      const [running] = yield* waitUntilRunningOn(compute, [created], wait)
      expect(running!.state).toBe("running")
      expect(running!.publicIps).toHaveLength(1)
      expect(s.gce.log.slice(polled).filter((l) => l.includes(`/instances/${name} `)).length).toBeGreaterThanOrEqual(3)
      // Every state on the way, as getNode reports them.
      const second = yield* compute.createNode(spec(`${name}-b`))
      const seen: Array<NodeState> = [second.state]
      while (seen.at(-1) !== "running") seen.push((yield* compute.getNode(second)).state)
      expect([...new Set(seen)]).toEqual(["pending", "starting", "running"])
      yield* compute.destroyNode(created)
      yield* compute.destroyNode(second)
    }))

  it.effect("the token endpoint saw an RS256 assertion for the compute scope, and one token serves concurrent calls", () =>
    Effect.gen(function*() {
      const s = yield* Fake
      const before = s.tokens.received.length
      const { compute } = yield* services()
      yield* Effect.all(Array.from({ length: 8 }, () => compute.listSizes()), { concurrency: "unbounded" })
      expect(s.tokens.received.length - before).toBe(1)
      const last = s.tokens.received.at(-1)!
      expect(last.header).toEqual({ alg: "RS256", typ: "JWT", kid: "0123456789abcdef0123456789abcdef01234567" })
      expect(last.claims).toMatchObject({ iss: `robot@${F.PROJECT}.iam.gserviceaccount.com`, scope: "https://www.googleapis.com/auth/compute", aud: s.tokens.url })
    }))

  it.effect("a key pair import that loses the race for the metadata fingerprint reads again and succeeds", () =>
    Effect.gen(function*() {
      const s = yield* Fake
      const { compute } = yield* services()
      const name = `racer${uniqueSuffix().slice(0, 6)}`
      s.gce.raceMetadata = 1
      const before = s.gce.log.length
      yield* compute.importKeyPair({ name, publicKey: testPublicKeys.ed25519 })
      const sets = s.gce.log.slice(before).filter((l) => l.includes("setCommonInstanceMetadata")).map((l) => l.slice(-3))
      expect(sets).toEqual(["412", "200"])
      expect((yield* compute.listKeyPairs()).some((k) => k.name === name)).toBe(true)
      yield* compute.deleteKeyPair(name)
    }))

  it.effect("allZones: a node created in another zone is listed as zone/name, and that id works everywhere", () =>
    Effect.gen(function*() {
      const { compute } = yield* services({ allZones: true })
      const name = `cloudfx-far-${uniqueSuffix()}`
      const node = yield* compute.createNode({ ...spec(name), location: "us-central1-b" })
      expect(node.id).toBe(`us-central1-b/${name}`)
      expect((yield* compute.listNodes()).filter((n) => n.name === name).map((n) => n.id)).toEqual([node.id])
      const [running] = yield* waitUntilRunningOn(compute, [node.id], wait)
      expect(running!.location).toBe("us-central1-b")
      const volume = yield* compute.createVolume({ name: `${name}-vol`, sizeGb: 10, location: "us-central1-b" })
      expect(volume.id).toBe(`us-central1-b/${name}-vol`)
      expect((yield* compute.listVolumes()).map((v) => v.id)).toContain(volume.id)
      yield* compute.destroyVolume(volume)
      yield* compute.destroyNode(node.id)
      expect((yield* Effect.flip(compute.getNode(node.id)))._tag).toBe("NotFound")
    }))

  it.effect("a reserved static address becomes the node's public IP through extra.natIP", () =>
    Effect.gen(function*() {
      const { compute, gce } = yield* services()
      const suffix = uniqueSuffix()
      const address = yield* gce.reserveAddress({ name: `cloudfx-ip-${suffix}` })
      expect(address.status).toBe("RESERVED")
      expect((yield* gce.listAddresses()).map((a) => a.name)).toContain(address.name)
      const node = yield* compute.createNode(spec(`cloudfx-pinned-${suffix}`, { natIP: address.address }))
      const [running] = yield* waitUntilRunningOn(compute, [node], wait)
      expect(running!.publicIps).toEqual([address.address])
      yield* compute.destroyNode(node)
      yield* gce.releaseAddress(address.name)
      expect((yield* Effect.flip(gce.releaseAddress(address.name)))._tag).toBe("NotFound")
    }))

  it.effect("firewall rules: create, refuse a duplicate, list, delete, NotFound after", () =>
    Effect.gen(function*() {
      const { gce } = yield* services()
      const name = `cloudfx-fw-${uniqueSuffix()}`
      const rule = yield* gce.createFirewall({ name, allowed: [{ protocol: "tcp", ports: ["22", "8000-8100"] }], targetTags: ["web"] })
      expect(rule).toMatchObject({ name, direction: "INGRESS", allowed: [{ protocol: "tcp", ports: ["22", "8000-8100"] }], targetTags: ["web"] })
      expect((yield* Effect.flip(gce.createFirewall({ name, allowed: [{ protocol: "udp" }] })))).toMatchObject({ _tag: "AlreadyExists", resource: "firewall", id: name })
      expect((yield* gce.listFirewalls()).map((f) => f.name)).toContain(name)
      yield* gce.deleteFirewall(name)
      expect(yield* Effect.flip(gce.deleteFirewall(name))).toMatchObject({ _tag: "NotFound", resource: "firewall", id: name })
      expect((yield* Effect.flip(gce.createFirewall({ name, allowed: [{ protocol: "tcp" }], denied: [{ protocol: "udp" }] })))._tag).toBe("InvalidInput")
    }))
})
