/**
 * OpenStack compute on recorded exchanges shaped as the API references
 * document them (fixtures.ts names each source): exact requests with the
 * microversion headers, `*_links` and Glance `next` pagination over two
 * pages, the documented fault bodies mapped onto the taxonomy with their
 * messages, Retry-After, what is never retried, and the Neutron floating
 * IPs of the `Nova` tag.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Nova from "../../../../src/layers/openstack/nova/Nova.js"
import { nodeState } from "../../../../src/layers/openstack/nova/mapping.js"
import { Compute, waitUntilRunningOn } from "../../../../src/services/Compute.js"
import { makePricing, Pricing, priceFile } from "../../../../src/services/Pricing.js"
import { fingerprints, testPublicKeys } from "../../../contract/Compute.js"
import { failsWith } from "../../../contract/harness.js"
import { jsonEquals, reply, withTime } from "../../digitalocean/support.js"
import * as F from "./fixtures.js"

const token = "gAAAAABk-openstack-token-secret"
const endpoints = {
  compute: "https://nova.example.com/v2.1",
  image: "https://glance.example.com",
  volumev3: "https://cinder.example.com/v3/bab7d5c60cd041a0a36f7c4b6e1dd978",
  network: "https://neutron.example.com"
}
const nova = endpoints.compute
const glance = `${endpoints.image}/v2`
const cinder = endpoints.volumev3
const neutron = `${endpoints.network}/v2.0`
const signed = { "x-auth-token": token }
const novaHeaders = { ...signed, "openstack-api-version": "compute 2.35", "x-openstack-nova-api-version": "2.35" }

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Nova.NovaConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* Nova.makeServices({ auth: { token: Redacted.make(token), endpoints }, retry: { jitter: 0 }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { ...services, replay }
  })

const get = (url: string, response: Replay.ResponseSpec, headers: Record<string, string> = signed): Replay.Exchange => ({
  request: { method: "GET", url, headers },
  response
})
const send = (method: string, url: string, body: unknown, response: Replay.ResponseSpec): Replay.Exchange => ({
  request: { method, url, headers: { ...signed, "content-type": "application/json" }, ...(body === undefined ? {} : { body: jsonEquals(body) }) },
  response
})
const next = (url: string) => [{ href: url, rel: "next" }]

const serverA = "f5dc173b-6804-445a-a6d8-c705dad5b5eb"
const serverB = "9168b536-cd40-4630-b43f-b259807c6e87"
const volumeId = "6edbc2f4-1507-44f8-ac0d-eed1d2608d38"
const snapshotId = "ffa9bc5e-1172-4021-acaf-cdcd78a9584d"

describe("Nova: servers", () => {
  it.effect("listNodes follows servers_links to the end (its query on our base URL); floating and routable IPs are public", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${nova}/servers/detail`, reply(200, {
          servers: [F.server({ id: serverA, name: "a", addresses: F.addresses("192.168.0.3", "172.24.4.228") })],
          // An internal host in the link, as deployments behind a proxy answer: only its query is used.
          servers_links: next(`http://nova-internal:8774/v2.1/servers/detail?limit=1&marker=${serverA}`)
        }), novaHeaders),
        get(`${nova}/servers/detail?limit=1&marker=${serverA}`, reply(200, {
          servers: [F.server({ id: serverB, name: "b", status: "SHUTOFF", addresses: { public: [{ addr: "203.0.113.9", "OS-EXT-IPS:type": "fixed", version: 4 }] } })]
        }), novaHeaders)
      ])
      const nodes = yield* compute.listNodes()
      expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps, n.size, n.image, n.location])).toEqual([
        [serverA, "a", "running", ["172.24.4.228"], ["192.168.0.3"], "1", "70a599e0-31e7-49b7-b260-868f441e862b", "nova"],
        [serverB, "b", "stopped", ["203.0.113.9"], [], "1", "70a599e0-31e7-49b7-b260-868f441e862b", "nova"]
      ])
      expect(nodes[0]!.createdAt?.toISOString()).toBe("2013-09-03T04:01:32.000Z")
      expect(nodes[0]!.extra).toMatchObject({ status: "ACTIVE", vmState: "active", hostId: "bcf92836fc9ed4203a75cb0337afc7f917d2be504164b995c2334b25" })
      yield* replay.assertDone
    }))

  it.effect("every documented server status maps onto NodeState; task states refine it; an undocumented one is unknown", () =>
    Effect.sync(() => {
      const table: ReadonlyArray<readonly [string, string]> = [
        ["ACTIVE", "running"], ["BUILD", "pending"], ["REBUILD", "pending"], ["SHUTOFF", "stopped"], ["PAUSED", "suspended"],
        ["SUSPENDED", "suspended"], ["SHELVED", "stopped"], ["SHELVED_OFFLOADED", "stopped"], ["RESCUE", "pending"], ["RESIZE", "pending"],
        ["VERIFY_RESIZE", "running"], ["REVERT_RESIZE", "pending"], ["REBOOT", "rebooting"], ["HARD_REBOOT", "rebooting"], ["PASSWORD", "pending"],
        ["MIGRATING", "running"], ["ERROR", "error"], ["DELETED", "terminated"], ["SOFT_DELETED", "terminated"], ["UNKNOWN", "unknown"],
        ["HIBERNATING", "unknown"], ["", "unknown"]
      ]
      expect(table.map(([s]) => nodeState(s))).toEqual(table.map(([, n]) => n))
      expect(nodeState("ACTIVE", "powering-off")).toBe("stopping")
      expect(nodeState("SHUTOFF", "powering-on")).toBe("starting")
    }))

  it.effect("createNode posts the documented body, reads the server back (adminPass never kept), and waitUntilRunning polls BUILD → ACTIVE", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: {
            method: "POST",
            url: `${nova}/servers`,
            headers: { ...novaHeaders, "content-type": "application/json" },
            body: jsonEquals({
              server: {
                name: "new-server-test",
                flavorRef: "1",
                imageRef: "70a599e0-31e7-49b7-b260-868f441e862b",
                availability_zone: "nova",
                key_name: "keypair-1",
                user_data: Buffer.from("#cloud-config\n").toString("base64"),
                networks: [{ uuid: "ff608d40-75e9-48cb-b745-77bb55b5eaf2" }],
                security_groups: [{ name: "default" }],
                metadata: { "My Server Name": "Apache1" }
              }
            })
          },
          response: reply(202, F.createdServer(serverA))
        },
        get(`${nova}/servers/${serverA}`, reply(200, { server: F.server({ status: "BUILD", taskState: "spawning", addresses: {} }) })),
        get(`${nova}/servers/${serverA}`, reply(200, { server: F.server({ status: "BUILD", taskState: "networking", addresses: {} }) })),
        get(`${nova}/servers/${serverA}`, reply(200, { server: F.server({ status: "ACTIVE", addresses: F.addresses("192.168.0.3", "172.24.4.228") }) }))
      ])
      const created = yield* compute.createNode({
        name: "new-server-test",
        size: "1",
        image: "70a599e0-31e7-49b7-b260-868f441e862b",
        location: "nova",
        keyPair: "keypair-1",
        userData: "#cloud-config\n",
        extra: { networks: ["ff608d40-75e9-48cb-b745-77bb55b5eaf2"], securityGroups: ["default"], metadata: { "My Server Name": "Apache1" } }
      })
      expect([created.id, created.state]).toEqual([serverA, "pending"])
      expect(JSON.stringify(created)).not.toContain("6NpUwoz2QDRN")
      const [running] = yield* withTime(waitUntilRunningOn(compute, [created], { schedule: Schedule.spaced("5 seconds"), timeout: "1 minute" }))
      expect([running!.state, running!.publicIps]).toEqual(["running", ["172.24.4.228"]])
      yield* replay.assertDone
    }))

  it.effect("createNode is sent once: a 503 is reported, not retried; a 429 refusal is retried after its Retry-After", () =>
    Effect.gen(function*() {
      const spec = { name: "s", size: "1", image: "70a599e0-31e7-49b7-b260-868f441e862b" }
      const { compute, replay } = yield* setup([
        send("POST", `${nova}/servers`, undefined, reply(500, F.fault("computeFault", 500, "Unexpected API Error."))),
        { request: { method: "POST", url: `${nova}/servers` }, response: { transportError: "ECONNRESET" } },
        send("POST", `${nova}/servers`, undefined, reply(429, F.fault("overLimit", 429, "This request was rate-limited."), { "retry-after": "7" })),
        send("POST", `${nova}/servers`, undefined, reply(202, F.createdServer(serverA))),
        get(`${nova}/servers/${serverA}`, reply(200, { server: F.server({ status: "BUILD" }) }))
      ])
      const e = yield* failsWith(compute.createNode(spec), "ProviderError")
      expect(e.message).toContain("Unexpected API Error.")
      yield* failsWith(withTime(compute.createNode(spec)), "Transport")
      const created = yield* withTime(compute.createNode(spec), "8 seconds")
      expect(created.state).toBe("pending")
      yield* replay.assertDone
    }))

  it.effect("a refused create names the unknown reference: the flavor, the image, the zone, the key pair", () =>
    Effect.gen(function*() {
      const image = "70a599e0-31e7-49b7-b260-868f441e862b"
      const refused = (message: string) => send("POST", `${nova}/servers`, undefined, reply(400, F.fault("badRequest", 400, message)))
      const { compute, replay } = yield* setup([
        refused("Flavor 99 could not be found."),
        get(`${nova}/flavors/99`, reply(404, F.fault("itemNotFound", 404, "Flavor 99 could not be found."))),
        refused("Image missing could not be found."),
        get(`${nova}/flavors/1`, reply(200, { flavor: F.flavors[0] })),
        get(`${glance}/images/missing`, { status: 404, body: "404 Not Found\n\nNo image found with ID missing\n\n   " }),
        refused("The requested availability zone is not available"),
        get(`${nova}/flavors/1`, reply(200, { flavor: F.flavors[0] })),
        get(`${glance}/images/${image}`, reply(200, F.images[2])),
        get(`${nova}/os-availability-zone`, reply(200, F.availabilityZones)),
        refused("Invalid key_name provided."),
        get(`${nova}/flavors/1`, reply(200, { flavor: F.flavors[0] })),
        get(`${glance}/images/${image}`, reply(200, F.images[2])),
        get(`${nova}/os-keypairs/nokey`, reply(404, F.fault("itemNotFound", 404, "Keypair nokey not found for user fake")))
      ])
      const cases = [
        [{ name: "s", size: "99", image }, "size", "99"],
        [{ name: "s", size: "1", image: "missing" }, "image", "missing"],
        [{ name: "s", size: "1", image, location: "az9" }, "location", "az9"],
        [{ name: "s", size: "1", image, keyPair: "nokey" }, "keyPair", "nokey"]
      ] as const
      for (const [spec, resource, id] of cases) {
        const e = yield* failsWith(compute.createNode(spec), "NotFound")
        expect([e.resource, e.id]).toEqual([resource, id])
      }
      yield* replay.assertDone
    }))

  it.effect("start, stop, reboot are server actions; Nova's 409 is a Conflict with its message; destroy is DELETE; 404 is NotFound naming the node", () =>
    Effect.gen(function*() {
      const conflict = F.fault("conflictingRequest", 409, `Cannot 'start' instance ${serverA} while it is in vm_state active`)
      const { compute, nova: extras, replay } = yield* setup([
        send("POST", `${nova}/servers/${serverA}/action`, { "os-stop": null }, { status: 202 }),
        send("POST", `${nova}/servers/${serverA}/action`, { "os-start": null }, { status: 202 }),
        send("POST", `${nova}/servers/${serverA}/action`, { reboot: { type: "SOFT" } }, { status: 202 }),
        send("POST", `${nova}/servers/${serverA}/action`, { reboot: { type: "HARD" } }, { status: 202 }),
        send("POST", `${nova}/servers/${serverA}/action`, { "os-start": null }, reply(409, conflict)),
        { request: { method: "DELETE", url: `${nova}/servers/${serverA}`, headers: novaHeaders }, response: { status: 204 } },
        get(`${nova}/servers/gone`, reply(404, F.fault("itemNotFound", 404, "Instance gone could not be found.")))
      ])
      yield* compute.stopNode(serverA)
      yield* compute.startNode({ id: serverA })
      yield* compute.rebootNode(serverA)
      yield* extras.hardRebootNode(serverA)
      const c = yield* failsWith(compute.startNode(serverA), "Conflict")
      expect(c.message).toContain("while it is in vm_state active")
      yield* compute.destroyNode(serverA)
      const e = yield* failsWith(compute.getNode("gone"), "NotFound")
      expect([e.resource, e.id]).toEqual(["node", "gone"])
      // Bad input never reaches the wire.
      yield* failsWith(compute.getNode(""), "InvalidInput")
      yield* failsWith(compute.rebootNode(".."), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("a server action whose answer was lost is not sent again (Transport), nor one answered 500", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${nova}/servers/${serverA}/action` }, response: { transportError: "ECONNRESET" } },
        send("POST", `${nova}/servers/${serverA}/action`, { "os-stop": null }, reply(500, F.fault("computeFault", 500, "Unexpected API Error.")))
      ], { retry: { maxAttempts: 3 } })
      yield* failsWith(withTime(compute.rebootNode(serverA)), "Transport")
      const e = yield* failsWith(withTime(compute.stopNode(serverA)), "ProviderError")
      expect([e.status, e.message.includes("Unexpected API Error.")]).toEqual([500, true])
      expect((yield* replay.requests).length).toBe(2)
      yield* replay.assertDone
    }))
})

describe("Nova: catalogue", () => {
  it.effect("listSizes follows flavors_links; prices come from the config (by name), else none", () =>
    Effect.gen(function*() {
      const pages = [
        get(`${nova}/flavors/detail`, reply(200, { flavors: F.flavors.slice(0, 2), flavors_links: next(`${nova}/flavors/detail?limit=2&marker=2`) })),
        get(`${nova}/flavors/detail?limit=2&marker=2`, reply(200, { flavors: F.flavors.slice(2) }))
      ]
      const priced = yield* setup(pages, { prices: { "m1.tiny": 0.0052, "m1.medium": 0.0416 } })
      const sizes = yield* priced.compute.listSizes()
      expect(sizes.map((s) => [s.id, s.name, s.ramMb, s.vcpus, s.diskGb, s.price])).toEqual([
        ["1", "m1.tiny", 512, 1, 1, 0.0052],
        ["2", "m1.small", 2048, 1, 20, undefined],
        ["3", "m1.medium", 4096, 2, 40, 0.0416]
      ])
      expect(sizes[0]!.extra).toMatchObject({ swapMb: 0, ephemeralGb: 0, isPublic: true, rxtxFactor: 1 })
      yield* priced.replay.assertDone
      const byFunction = yield* setup(pages, { region: "RegionOne", prices: (flavor, region) => (region === "RegionOne" && flavor === "m1.small" ? 0.02 : undefined) })
      expect((yield* byFunction.compute.listSizes()).map((s) => s.price)).toEqual([undefined, 0.02, undefined])
      const unpriced = yield* setup(pages)
      expect((yield* unpriced.compute.listSizes()).every((s) => s.price === undefined)).toBe(true)
      // Without `prices`, a Pricing service holding this cloud's price list (provider "openstack", the region) fills them.
      const pricing = yield* makePricing({ cacheDir: false, bundled: false }).pipe(
        Effect.provide(Layer.merge(NodeFileSystem.layer, Layer.succeed(HttpClient.HttpClient, unpriced.replay.client)))
      )
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "cloudfx-nova-prices-")))
      const file = join(dir, "prices.json")
      yield* Effect.promise(() =>
        writeFile(file, JSON.stringify({
          version: 1,
          entries: [{ provider: "openstack", region: "RegionOne", size: "m1.medium", usdPerHour: 0.05, source: "our cloud's price list", date: "2026-11-01" }]
        })))
      yield* pricing.load(priceFile(file))
      const fromPricing = yield* setup(pages, { region: "RegionOne" }).pipe(Effect.provideService(Pricing, pricing))
      const priced2 = yield* fromPricing.compute.listSizes()
      expect(priced2.map((s) => s.price)).toEqual([undefined, undefined, 0.05])
      expect(priced2[2]!.extra).toMatchObject({ priceSource: "our cloud's price list", priceDate: "2026-11-01" })
      yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
    }))

  it.effect("listImages follows Glance's `next` (a path: its marker goes on our image endpoint)", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${glance}/images`, reply(200, { images: F.images.slice(0, 2), schema: "/v2/schemas/images", first: "/v2/images", next: `/v2/images?marker=${F.images[1]!.id}` })),
        get(`${glance}/images?marker=${F.images[1]!.id}`, reply(200, { images: F.images.slice(2), schema: "/v2/schemas/images", first: "/v2/images" }))
      ])
      const images = yield* compute.listImages()
      expect(images.map((i) => [i.id, i.name])).toEqual(F.images.map((i) => [i.id, i.name]))
      expect(images[0]!.extra).toMatchObject({ status: "active", visibility: "public", diskFormat: "qcow2", sizeBytes: 13167616 })
      yield* replay.assertDone
    }))

  it.effect("listLocations are availability zones, available ones first", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${nova}/os-availability-zone`, reply(200, {
          availabilityZoneInfo: [{ hosts: null, zoneName: "az-down", zoneState: { available: false } }, ...F.availabilityZones.availabilityZoneInfo]
        }))
      ])
      expect((yield* compute.listLocations()).map((l) => [l.id, l.extra["available"]])).toEqual([["nova", true], ["az-down", false]])
      yield* replay.assertDone
    }))
})

describe("Nova: key pairs", () => {
  it.effect("list follows keypairs_links; import posts the key with its type; a taken name is AlreadyExists; delete; a missing one is NotFound", () =>
    Effect.gen(function*() {
      const md5 = fingerprints(testPublicKeys.ed25519).md5
      const k = (name: string) => F.keypair({ name, publicKey: testPublicKeys.ed25519, fingerprint: md5 })
      const { compute, replay } = yield* setup([
        get(`${nova}/os-keypairs`, reply(200, { keypairs: [{ keypair: k("a") }], keypairs_links: next(`${nova}/os-keypairs?limit=1&marker=a`) })),
        get(`${nova}/os-keypairs?limit=1&marker=a`, reply(200, { keypairs: [{ keypair: k("b") }] })),
        send("POST", `${nova}/os-keypairs`, { keypair: { name: "c", public_key: testPublicKeys.ed25519, type: "ssh" } }, reply(201, { keypair: { ...k("c"), user_id: "fake" } })),
        send("POST", `${nova}/os-keypairs`, undefined, reply(409, F.fault("conflictingRequest", 409, "Key pair 'c' already exists."))),
        { request: { method: "DELETE", url: `${nova}/os-keypairs/c`, headers: novaHeaders }, response: { status: 204 } },
        { request: { method: "DELETE", url: `${nova}/os-keypairs/c` }, response: reply(404, F.fault("itemNotFound", 404, "Keypair c not found for user fake")) }
      ])
      expect((yield* compute.listKeyPairs()).map((x) => [x.name, x.fingerprint])).toEqual([["a", md5], ["b", md5]])
      const imported = yield* compute.importKeyPair({ name: "c", publicKey: testPublicKeys.ed25519 })
      expect([imported.name, imported.fingerprint, imported.publicKey]).toEqual(["c", md5, testPublicKeys.ed25519])
      const dup = yield* failsWith(compute.importKeyPair({ name: "c", publicKey: testPublicKeys.ed25519 }), "AlreadyExists")
      expect([dup.resource, dup.id]).toEqual(["keyPair", "c"])
      yield* compute.deleteKeyPair("c")
      const gone = yield* failsWith(compute.deleteKeyPair("c"), "NotFound")
      expect([gone.resource, gone.id]).toEqual(["keyPair", "c"])
      yield* failsWith(compute.importKeyPair({ name: "bad/name", publicKey: testPublicKeys.ed25519 }), "InvalidInput")
      yield* replay.assertDone
    }))
})

describe("Nova: volumes and snapshots", () => {
  const vol = (status: string, attachments: ReadonlyArray<{ serverId: string; volumeId: string; device: string }> = []) =>
    F.volume({ id: volumeId, name: "test-volume", size: 2, status, attachments })

  it.effect("listVolumes follows volumes_links; Cinder's zone-less times are UTC; attachments say where", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${cinder}/volumes/detail`, reply(200, {
          volumes: [vol("in-use", [{ serverId: serverA, volumeId, device: "/dev/vdb" }])],
          volumes_links: next(`${cinder}/volumes/detail?limit=1&marker=${volumeId}`)
        })),
        get(`${cinder}/volumes/detail?limit=1&marker=${volumeId}`, reply(200, {
          volumes: [F.volume({ id: "173f7b48-c4c1-4e70-9acc-086b39073506", name: "test-volume", size: 1, status: "available" })]
        }))
      ])
      const volumes = yield* compute.listVolumes()
      expect(volumes.map((v) => [v.id, v.state, v.sizeGb, v.attachedTo, v.device, v.location])).toEqual([
        [volumeId, "inUse", 2, serverA, "/dev/vdb", "nova"],
        ["173f7b48-c4c1-4e70-9acc-086b39073506", "available", 1, undefined, undefined, "nova"]
      ])
      expect(volumes[0]!.createdAt?.toISOString()).toBe("2015-11-29T03:01:44.000Z")
      yield* replay.assertDone
    }))

  it.effect("create (from a snapshot), attach through Nova, detach, destroy; conflicts are checked first", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${cinder}/snapshots/${snapshotId}`, reply(200, { snapshot: F.snapshot({ id: snapshotId, name: "snap-001", volumeId, size: 1, status: "available" }) })),
        send("POST", `${cinder}/volumes`, { volume: { name: "test-volume", size: 2, availability_zone: "nova", snapshot_id: snapshotId, volume_type: "lvmdriver-1" } }, reply(202, { volume: vol("creating") })),
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("available") })),
        send("POST", `${nova}/servers/${serverA}/os-volume_attachments`, { volumeAttachment: { volumeId, device: "/dev/vdb" } }, reply(200, {
          volumeAttachment: { device: "/dev/vdb", id: volumeId, serverId: serverA, volumeId }
        })),
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("in-use", [{ serverId: serverA, volumeId, device: "/dev/vdb" }]) })),
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("in-use", [{ serverId: serverA, volumeId, device: "/dev/vdb" }]) })),
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("in-use", [{ serverId: serverA, volumeId, device: "/dev/vdb" }]) })),
        { request: { method: "DELETE", url: `${nova}/servers/${serverA}/os-volume_attachments/${volumeId}`, headers: novaHeaders }, response: { status: 202 } },
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("available") })),
        { request: { method: "DELETE", url: `${cinder}/volumes/${volumeId}`, headers: signed }, response: { status: 202 } },
        get(`${cinder}/volumes/missing`, reply(404, F.fault("itemNotFound", 404, "Volume missing could not be found.")))
      ])
      const created = yield* compute.createVolume({ name: "test-volume", sizeGb: 2, location: "nova", snapshot: snapshotId, extra: { volumeType: "lvmdriver-1" } })
      expect([created.id, created.state]).toEqual([volumeId, "creating"])
      const attached = yield* compute.attachVolume(volumeId, serverA, { device: "/dev/vdb" })
      expect([attached.state, attached.attachedTo, attached.device]).toEqual(["attaching", serverA, "/dev/vdb"])
      const again = yield* failsWith(compute.attachVolume(volumeId, serverA), "Conflict")
      expect(again.reason).toContain(serverA)
      yield* failsWith(compute.destroyVolume(volumeId), "Conflict")
      const detached = yield* compute.detachVolume(volumeId)
      expect([detached.state, detached.attachedTo]).toEqual(["detaching", undefined])
      yield* compute.destroyVolume(volumeId)
      const e = yield* failsWith(compute.detachVolume("missing"), "NotFound")
      expect([e.resource, e.id]).toEqual(["volume", "missing"])
      yield* failsWith(compute.createVolume({ name: "v", sizeGb: 0 }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("snapshots: create, list (for a volume, following snapshots_links), destroy; Cinder's 400 'Invalid snapshot' is a Conflict", () =>
    Effect.gen(function*() {
      const snap = (id: string, status: string) => F.snapshot({ id, name: "snap-001", volumeId, size: 2, status })
      const { compute, replay } = yield* setup([
        send("POST", `${cinder}/snapshots`, { snapshot: { volume_id: volumeId, name: "snap-001" } }, reply(202, { snapshot: snap(snapshotId, "creating") })),
        get(`${cinder}/volumes/${volumeId}`, reply(200, { volume: vol("available") })),
        get(`${cinder}/snapshots/detail?volume_id=${volumeId}`, reply(200, { snapshots: [snap(snapshotId, "available")], snapshots_links: next(`${cinder}/snapshots/detail?volume_id=${volumeId}&limit=1&marker=${snapshotId}`) })),
        get(`${cinder}/snapshots/detail?volume_id=${volumeId}&limit=1&marker=${snapshotId}`, reply(200, { snapshots: [snap("b1323cda-8e4b-41c1-afc5-2fc791809c8c", "error")] })),
        { request: { method: "DELETE", url: `${cinder}/snapshots/${snapshotId}` }, response: { status: 202 } },
        { request: { method: "DELETE", url: `${cinder}/snapshots/${snapshotId}` }, response: reply(400, F.fault("badRequest", 400, "Invalid snapshot: Snapshot status must be available or error.")) },
        send("POST", `${cinder}/snapshots`, undefined, reply(404, F.fault("itemNotFound", 404, "Volume missing could not be found.")))
      ])
      const created = yield* compute.createVolumeSnapshot(volumeId, { name: "snap-001" })
      expect([created.id, created.state, created.volumeId, created.sizeGb]).toEqual([snapshotId, "creating", volumeId, 2])
      expect((yield* compute.listVolumeSnapshots(volumeId)).map((s) => s.state)).toEqual(["available", "error"])
      yield* compute.destroyVolumeSnapshot(snapshotId)
      const c = yield* failsWith(compute.destroyVolumeSnapshot(snapshotId), "Conflict")
      expect(c.reason).toContain("Snapshot status must be available or error")
      const e = yield* failsWith(compute.createVolumeSnapshot("missing"), "NotFound")
      expect([e.resource, e.id]).toEqual(["volume", "missing"])
      yield* replay.assertDone
    }))
})

describe("Nova: errors", () => {
  it.effect("401 is InvalidCredentials (a token config cannot be refreshed); 403 forbidden is PermissionDenied; a quota 403 is a ProviderError; messages are readable", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`${nova}/servers/detail`, reply(401, { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } })),
        get(`${nova}/os-availability-zone`, reply(403, F.fault("forbidden", 403, "Policy doesn't allow os_compute_api:os-availability-zone:list to be performed."))),
        send("POST", `${nova}/servers`, undefined, reply(403, F.fault("forbidden", 403, "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances")))
      ])
      const auth = yield* failsWith(compute.listNodes(), "InvalidCredentials")
      expect(auth.message).toContain("requires authentication")
      const denied = yield* failsWith(compute.listLocations(), "PermissionDenied")
      expect(denied.message).toContain("Policy doesn't allow")
      const quota = yield* failsWith(compute.createNode({ name: "s", size: "1", image: "i" }), "ProviderError")
      expect([quota.status, quota.code]).toEqual([403, "forbidden"])
      expect(quota.message).toContain("Quota exceeded for instances")
      expect(JSON.stringify([auth, denied, quota])).not.toContain(token)
      yield* replay.assertDone
    }))

  it.effect("overLimit: 413 with Retry-After (or the body's retryAfter) is RateLimited and a read is retried after it; 413 without is a ProviderError", () =>
    Effect.gen(function*() {
      const overLimit = F.fault("overLimit", 413, "This request was rate-limited.")
      const { compute, replay } = yield* setup([
        get(`${nova}/flavors/detail`, reply(413, overLimit, { "retry-after": "30" })),
        get(`${nova}/flavors/detail`, reply(413, { overLimit: { ...overLimit.overLimit, retryAfter: "12" } })),
        get(`${nova}/flavors/detail`, reply(200, { flavors: F.flavors })),
        get(`${nova}/os-availability-zone`, reply(413, F.fault("overLimit", 413, "Maximum number of ports exceeded")))
      ])
      const sizes = yield* withTime(compute.listSizes(), "1 minute")
      expect(sizes.length).toBe(3)
      const e = yield* failsWith(compute.listLocations(), "ProviderError")
      expect([e.status, e.code, e.message.includes("Maximum number of ports exceeded")]).toEqual([413, "overLimit", true])
      yield* replay.assertDone
    }))

  it.effect("RateLimited carries the wait; with retries off it is the error", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup(
        [get(`${nova}/servers/detail`, reply(429, F.fault("overLimit", 429, "This request was rate-limited."), { "retry-after": "9" }))],
        { retry: false }
      )
      const e = yield* failsWith(compute.listNodes(), "RateLimited")
      expect(e.retryAfter && Duration.toSeconds(e.retryAfter)).toBe(9)
      yield* replay.assertDone
    }))

  it.effect("garbage is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get(`${nova}/servers/detail`, reply(200, { servers: [{ id: 1 }] }))])
      yield* failsWith(compute.listNodes(), "MalformedResponse")
      yield* replay.assertDone
    }))
})

describe("Nova: floating IPs (the Nova tag)", () => {
  const fipId = "2f245a7b-796b-4f26-9cf9-9e82d248fda7"
  const portId = "ce705c24-c1ef-408a-bda3-7bbd946164ab"

  it.effect("list (following floatingips_links), allocate from a network, associate with the server's port, disassociate, release", () =>
    Effect.gen(function*() {
      const { nova: extras, replay } = yield* setup([
        get(`${neutron}/floatingips`, reply(200, { floatingips: [F.floatingIp()], floatingips_links: next(`${neutron}/floatingips?limit=1&marker=${fipId}`) })),
        get(`${neutron}/floatingips?limit=1&marker=${fipId}`, reply(200, { floatingips: [] })),
        send("POST", `${neutron}/floatingips`, { floatingip: { floating_network_id: "376da547-b977-4cfe-9cba-275c80debf57", description: "floating ip for testing" } }, reply(201, {
          floatingip: F.floatingIp({ portId: null, fixedIp: null })
        })),
        get(`${neutron}/ports?device_id=${serverA}`, reply(200, { ports: [F.port({ id: portId, deviceId: serverA, ip: "10.0.0.3" })] })),
        send("PUT", `${neutron}/floatingips/${fipId}`, { floatingip: { port_id: portId, fixed_ip_address: "10.0.0.3" } }, reply(200, { floatingip: F.floatingIp({ deviceId: serverA }) })),
        get(`${neutron}/floatingips?floating_ip_address=172.24.4.228`, reply(200, { floatingips: [F.floatingIp()] })),
        send("PUT", `${neutron}/floatingips/${fipId}`, { floatingip: { port_id: null } }, reply(200, { floatingip: F.floatingIp({ portId: null, fixedIp: null }) })),
        { request: { method: "DELETE", url: `${neutron}/floatingips/${fipId}`, headers: signed }, response: { status: 204 } },
        { request: { method: "DELETE", url: `${neutron}/floatingips/${fipId}` }, response: reply(404, { NeutronError: { type: "FloatingIPNotFound", message: `Floating IP ${fipId} could not be found`, detail: "" } }) }
      ])
      const listed = yield* extras.listFloatingIps()
      expect(listed.map((f) => [f.address, f.portId, f.fixedIp])).toEqual([["172.24.4.228", portId, "10.0.0.3"]])
      const allocated = yield* extras.allocateFloatingIp({ network: "376da547-b977-4cfe-9cba-275c80debf57", description: "floating ip for testing" })
      expect([allocated.id, allocated.portId]).toEqual([fipId, undefined])
      const associated = yield* extras.associateFloatingIp(fipId, serverA, { fixedIp: "10.0.0.3" })
      expect([associated.portId, associated.nodeId]).toEqual([portId, serverA])
      const off = yield* extras.disassociateFloatingIp("172.24.4.228")
      expect(off.portId).toBeUndefined()
      yield* extras.releaseFloatingIp(fipId)
      const e = yield* failsWith(extras.releaseFloatingIp(fipId), "NotFound")
      expect([e.resource, e.id]).toEqual(["floatingIp", fipId])
      yield* replay.assertDone
    }))
})

describe("Nova: configuration", () => {
  it.effect("the microversion is configurable; from 2.37 servers are created with networks 'auto'", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: {
            method: "POST",
            url: `${nova}/servers`,
            headers: { "openstack-api-version": "compute 2.79", "x-openstack-nova-api-version": "2.79" },
            body: jsonEquals({ server: { name: "s", flavorRef: "1", imageRef: "i", networks: "auto" } })
          },
          response: reply(202, F.createdServer(serverA))
        },
        // 2.47+: the flavor is embedded; its name is what the server says.
        get(`${nova}/servers/${serverA}`, reply(200, { server: { ...F.server({ status: "BUILD" }), flavor: { original_name: "m1.tiny", ram: 512, vcpus: 1, disk: 1, ephemeral: 0, swap: 0 } } }))
      ], { microversion: "2.79" })
      const node = yield* compute.createNode({ name: "s", size: "1", image: "i" })
      expect(node.size).toBe("m1.tiny")
      yield* replay.assertDone
    }))

  it.effect("layerConfig reads the OS_* variables, the password Redacted", () =>
    Effect.gen(function*() {
      const config = yield* Effect.withConfigProvider(
        Nova.envConfig,
        ConfigProvider.fromMap(new Map([
          ["OS_AUTH_URL", "https://keystone.example.com:5000/v3"],
          ["OS_USERNAME", "demo"],
          ["OS_PASSWORD", "s3cret-pw"],
          ["OS_PROJECT_NAME", "demo"],
          ["OS_USER_DOMAIN_NAME", "Default"],
          ["OS_PROJECT_DOMAIN_NAME", "Default"],
          ["OS_REGION_NAME", "RegionOne"],
          ["OS_COMPUTE_API_VERSION", "2.60"]
        ]))
      )
      expect(config.region).toBe("RegionOne")
      expect(config.microversion).toBe("2.60")
      expect(config.auth).toMatchObject({ authUrl: "https://keystone.example.com:5000/v3", username: "demo", projectName: "demo", userDomainName: "Default" })
      expect(Redacted.isRedacted((config.auth as { password: unknown }).password)).toBe(true)
      expect(JSON.stringify(config)).not.toContain("s3cret-pw")
      const app = yield* Effect.withConfigProvider(
        Nova.envConfig,
        ConfigProvider.fromMap(new Map([
          ["OS_AUTH_URL", "https://keystone.example.com:5000/v3"],
          ["OS_APPLICATION_CREDENTIAL_ID", "21dced0fd20347869b93710d2b98aae0"],
          ["OS_APPLICATION_CREDENTIAL_SECRET", "app-secret"]
        ]))
      )
      expect(app.auth).toMatchObject({ applicationCredentialId: "21dced0fd20347869b93710d2b98aae0" })
      // The layer builds from the environment (nothing is sent until a call).
      const built = yield* Layer.build(Nova.layerConfig(Nova.envConfig)).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OS_AUTH_URL", "https://k/v3"], ["OS_PASSWORD", "p"], ["OS_USERNAME", "u"]]))),
        Effect.provideService(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected"))),
        Effect.scoped
      )
      expect(built).toBeDefined()
    }))

  it.effect("an endpoint the catalog lacks is a ProviderError naming what it has", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.make([])
      const compute = yield* Nova.make({ auth: { token: Redacted.make(token), endpoints: { compute: nova } } }).pipe(
        Effect.provideService(HttpClient.HttpClient, replay.client)
      )
      const e = yield* failsWith(compute.listVolumes(), "ProviderError")
      expect([e.code, e.message.includes("volumev3")]).toEqual(["EndpointNotFound", true])
    }))

  it.effect("the layer provides Compute and the Nova tag", () =>
    Effect.gen(function*() {
      const compute = yield* Compute
      const extras = yield* Nova.Nova
      expect(compute.provider.id).toBe("openstack-nova")
      expect([...compute.provider.capabilities].sort()).toEqual(["compute.keyPairs", "compute.reboot", "compute.snapshots", "compute.startStop", "compute.volumes"])
      expect(typeof extras.allocateFloatingIp).toBe("function")
    }).pipe(Effect.provide(Nova.layer({ auth: { token: Redacted.make(token), endpoints } }).pipe(Layer.provide(Replay.layer([]))))))
})
