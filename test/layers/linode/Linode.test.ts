/**
 * Linode compute on recorded exchanges shaped as the API reference documents
 * them (fixtures.ts names each source): exact requests, page/pages
 * pagination, the documented error envelope, rate limits, the root password
 * that never comes back, and what is never retried.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { Replay } from "../../../src/http/index.js"
import { Linode } from "../../../src/layers/linode/index.js"
import { Compute, waitUntilRunningOn } from "../../../src/services/Compute.js"
import { fingerprints, testPublicKeys } from "../../contract/Compute.js"
import { failsWith } from "../../contract/harness.js"
import { isDone, jsonEquals, reply, withTime } from "../digitalocean/support.js"
import * as F from "./fixtures.js"

const base = "https://api.linode.com/v4"
const token = "linode-pat-0123456789abcdef"
const auth = { authorization: `Bearer ${token}` }
const decoder = new TextDecoder()

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Linode.LinodeConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* Linode.makeServices({ token: Redacted.make(token), region: "us-east", retry: { jitter: 0 }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { ...services, replay }
  })

const get = (path: string, response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "GET", url: `${base}${path}`, headers: auth }, response })

const list = (path: string, page: number) => `${path}?page=${page}&page_size=500`

const spec = { name: "linode123", size: "g6-standard-2", image: "linode/debian11", location: "us-east" }

describe("Linode: nodes", () => {
  it.effect("listNodes reads page after page until `pages`; public and private IPv4 are told apart, IPv6 loses its /128", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/linode/instances", 1), reply(200, F.page([F.instance({ id: 123, label: "linode123", status: "running", ipv4: ["203.0.113.1", "192.168.133.234"] })], 1, 2, 2))),
        get(list("/linode/instances", 2), reply(200, F.page([F.instance({ id: 124, label: "linode124", status: "offline", ipv6: null })], 2, 2, 2)))
      ])
      const nodes = yield* compute.listNodes()
      expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
        ["123", "linode123", "running", ["203.0.113.1", "c001:d00d::1337"], ["192.168.133.234"]],
        ["124", "linode124", "stopped", ["203.0.113.1", "192.0.2.1"], []]
      ])
      yield* replay.assertDone
    }))

  it.effect("getNode maps the documented Linode; its zone-less times are UTC", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/linode/instances/123", reply(200, F.instance({ id: 123, label: "linode123", status: "running" })))])
      const node = yield* compute.getNode("123")
      expect([node.size, node.image, node.location]).toEqual(["g6-standard-1", "linode/debian10", "us-east"])
      expect(node.createdAt?.toISOString()).toBe("2018-01-01T00:01:01.000Z")
      expect(node.extra).toMatchObject({ memoryMb: 4096, vcpus: 2, transferGb: 4000, tags: ["example tag", "another example"] })
      yield* replay.assertDone
    }))

  it.effect("every documented status maps onto NodeState; one the reference does not list is unknown", () =>
    Effect.gen(function*() {
      const expected: ReadonlyArray<readonly [string, string]> = [
        ["running", "running"],
        ["offline", "stopped"],
        ["booting", "starting"],
        ["rebooting", "rebooting"],
        ["shutting_down", "stopping"],
        ["provisioning", "pending"],
        ["deleting", "terminated"],
        ["migrating", "pending"],
        ["rebuilding", "pending"],
        ["cloning", "pending"],
        ["restoring", "pending"],
        ["stopped", "stopped"],
        ["billing_suspension", "suspended"],
        ["resizing", "unknown"]
      ]
      const { compute, replay } = yield* setup(
        expected.map(([status], i) => get(`/linode/instances/${i + 1}`, reply(200, F.instance({ id: i + 1, label: `l${i}`, status }))))
      )
      const states = yield* Effect.forEach(expected, (_, i) => Effect.map(compute.getNode(String(i + 1)), (n) => n.state))
      expect(states).toEqual(expected.map(([, s]) => s))
      yield* replay.assertDone
    }))

  it.effect("a missing Linode is NotFound naming the node; an id that is not a number is NotFound without a request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/linode/instances/42", reply(404, F.error.notFound))])
      const e = yield* failsWith(compute.getNode("42"), "NotFound")
      expect([e.resource, e.id]).toEqual(["node", "42"])
      yield* failsWith(compute.destroyNode("linode123"), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("createNode sends the documented body with a generated root password it never returns; waitUntilRunning polls provisioning → running", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/profile/sshkeys", 1), reply(200, F.page([F.sshKey(42, "deploy", testPublicKeys.ed25519)], 1, 1, 1))),
        {
          request: {
            method: "POST",
            url: `${base}/linode/instances`,
            headers: { ...auth, "content-type": "application/json" },
            body: (bytes) => {
              const b = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>
              const { root_pass, ...rest } = b
              return typeof root_pass === "string" && root_pass.length >= 32 &&
                jsonEquals({
                  label: "linode123",
                  type: "g6-standard-2",
                  region: "us-east",
                  image: "linode/debian11",
                  authorized_keys: [testPublicKeys.ed25519],
                  metadata: { user_data: Buffer.from("#cloud-config\n").toString("base64") },
                  booted: true,
                  tags: ["web"]
                })(new TextEncoder().encode(JSON.stringify(rest)))
            }
          },
          response: reply(200, F.instance({ id: 123, label: "linode123", status: "provisioning" }))
        },
        get("/linode/instances/123", reply(200, F.instance({ id: 123, label: "linode123", status: "booting" }))),
        get("/linode/instances/123", reply(200, F.instance({ id: 123, label: "linode123", status: "running" })))
      ])
      const created = yield* compute.createNode({ ...spec, keyPair: "deploy", userData: "#cloud-config\n", extra: { tags: ["web"] } })
      expect(created.state).toBe("pending")
      const sent = (yield* replay.requests)[1]!
      const rootPass = (JSON.parse(decoder.decode(sent.body)) as { root_pass: string }).root_pass
      expect(JSON.stringify(created)).not.toContain(rootPass)
      const [running] = yield* withTime(waitUntilRunningOn(compute, [created], { schedule: Schedule.spaced("5 seconds"), timeout: "1 minute" }))
      expect(running!.state).toBe("running")
      yield* replay.assertDone
    }))

  it.effect("extra.rootPass is sent as given and appears in no error; a plain string is refused", () =>
    Effect.gen(function*() {
      const secret = "c0rrect-h0rse-battery-staple!"
      const { compute, replay } = yield* setup([
        {
          request: { method: "POST", url: `${base}/linode/instances`, body: (b) => (JSON.parse(decoder.decode(b)) as { root_pass: string }).root_pass === secret },
          response: reply(400, F.errors({ field: "label", reason: "Label must be unique among your linodes" }))
        }
      ])
      const e = yield* failsWith(compute.createNode({ ...spec, extra: { rootPass: Redacted.make(secret) } }), "AlreadyExists")
      expect([e.resource, e.id]).toEqual(["node", "linode123"])
      expect(JSON.stringify(e) + e.message).not.toContain(secret)
      const plain = yield* failsWith(compute.createNode({ ...spec, extra: { rootPass: secret } }), "InvalidInput")
      expect(plain.field).toBe("extra.rootPass")
      expect(JSON.stringify(plain) + plain.message).not.toContain(secret)
      yield* replay.assertDone
    }))

  it.effect("createNode is sent once: a dropped connection is Transport; a 429 is sent again after Retry-After", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/linode/instances` }, response: { transportError: "connection reset" } },
        { request: { method: "POST", url: `${base}/linode/instances` }, response: reply(429, F.error.tooManyRequests, { "retry-after": "30", "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" }) },
        { request: { method: "POST", url: `${base}/linode/instances` }, response: reply(200, F.instance({ id: 125, label: "linode123", status: "provisioning" })) }
      ])
      yield* failsWith(withTime(compute.createNode(spec)), "Transport")
      expect((yield* replay.requests).length).toBe(1)
      const fiber = yield* Effect.fork(compute.createNode(spec))
      yield* TestClock.adjust("29 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).id).toBe("125")
      yield* replay.assertDone
    }))

  it.effect("a 429 without Retry-After waits until X-RateLimit-Reset, on the server's clock", () =>
    Effect.gen(function*() {
      const reset = 1674747739
      const { compute, replay } = yield* setup([
        get(list("/regions", 1), reply(429, F.error.tooManyRequests, { "x-ratelimit-reset": String(reset), date: new Date((reset - 12) * 1000).toUTCString() })),
        get(list("/regions", 1), reply(200, F.page([F.region()], 1, 1, 1)))
      ])
      const fiber = yield* Effect.fork(compute.listLocations())
      yield* TestClock.adjust("11 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).map((l) => l.id)).toEqual(["us-east"])
      yield* replay.assertDone
    }))

  it.effect("Linode refusing a create names the field; the unknown reference is NotFound, anything else a ProviderError", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/linode/instances` }, response: reply(400, F.errors({ field: "type", reason: "A valid plan type by that ID was not found" })) },
        get("/linode/types/g6-bogus-1", reply(404, F.error.notFound)),
        { request: { method: "POST", url: `${base}/linode/instances` }, response: reply(400, F.errors({ field: "image", reason: "image is not valid" })) },
        get("/linode/types/g6-standard-2", reply(200, F.type())),
        get("/regions/us-east", reply(200, F.region())),
        get("/images/linode/bogus", reply(404, F.error.notFound)),
        { request: { method: "POST", url: `${base}/linode/instances` }, response: reply(400, F.errors({ reason: "Account limit reached. Please open a support ticket." })) },
        get("/linode/types/g6-standard-2", reply(200, F.type())),
        get("/regions/us-east", reply(200, F.region())),
        get("/images/linode/debian11", reply(200, F.image()))
      ])
      const size = yield* failsWith(compute.createNode({ ...spec, size: "g6-bogus-1" }), "NotFound")
      expect([size.resource, size.id]).toEqual(["size", "g6-bogus-1"])
      const image = yield* failsWith(compute.createNode({ ...spec, image: "linode/bogus" }), "NotFound")
      expect([image.resource, image.id]).toEqual(["image", "linode/bogus"])
      const quota = yield* failsWith(compute.createNode(spec), "ProviderError")
      expect([quota.status, quota.detail]).toEqual([400, "Account limit reached. Please open a support ticket."])
      yield* replay.assertDone
    }))

  it.effect("createNode checks its input first: label rules, a region, key lines", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([], { region: undefined })
      for (const [field, bad] of [
        ["name", { ...spec, name: "ab" }],
        ["name", { ...spec, name: "web--1" }],
        ["name", { ...spec, name: "-web" }],
        ["location", { name: "web-1", size: "g6-standard-2", image: "linode/debian11" }],
        ["extra.authorizedKeys[0]", { ...spec, extra: { authorizedKeys: ["ssh-rsa nope"] } }],
        ["extra.privateIp", { ...spec, extra: { privateIp: "yes" } }]
      ] as const) {
        const e = yield* failsWith(compute.createNode(bad), "InvalidInput")
        expect(e.field).toBe(field)
      }
      yield* replay.assertDone
    }))

  it.effect("boot, reboot and shutdown check the state first; Linode's 400 \"busy\" is a Conflict", () =>
    Effect.gen(function*() {
      const running = reply(200, F.instance({ id: 123, label: "linode123", status: "running" }))
      const offline = reply(200, F.instance({ id: 123, label: "linode123", status: "offline" }))
      const post = (verb: string, response: Replay.ResponseSpec): Replay.Exchange => ({
        request: { method: "POST", url: `${base}/linode/instances/123/${verb}`, headers: auth },
        response
      })
      const { compute, replay } = yield* setup([
        get("/linode/instances/123", running),
        post("reboot", reply(200, {})),
        get("/linode/instances/123", running),
        get("/linode/instances/123", running),
        post("shutdown", reply(200, {})),
        get("/linode/instances/123", offline),
        post("boot", reply(400, F.error.busy))
      ])
      yield* compute.rebootNode("123")
      yield* failsWith(compute.startNode("123"), "Conflict")
      yield* compute.stopNode("123")
      const busy = yield* failsWith(compute.startNode("123"), "Conflict")
      expect(busy.reason).toBe("Linode busy.")
      yield* replay.assertDone
    }))

  it.effect("401 is InvalidCredentials, 403 PermissionDenied; a 5xx read is retried and reported with Linode's reason", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup(
        [
          get(list("/linode/instances", 1), reply(401, F.error.unauthorized)),
          get(list("/volumes", 1), reply(403, F.error.forbidden)),
          get(list("/images", 1), reply(500, F.error.serverError)),
          get(list("/images", 1), reply(500, F.error.serverError))
        ],
        { retry: { maxAttempts: 2, jitter: 0 } }
      )
      const denied = yield* failsWith(compute.listNodes(), "InvalidCredentials")
      expect(denied.reason).toBe("Invalid Token")
      expect(JSON.stringify(denied) + denied.message).not.toContain(token)
      yield* failsWith(compute.listVolumes(), "PermissionDenied")
      const server = yield* failsWith(withTime(compute.listImages()), "ProviderError")
      expect([server.status, server.detail]).toEqual([500, "Please open a Support Ticket"])
      yield* replay.assertDone
    }))

  it.effect("garbage is MalformedResponse, never a defect: a bad shape, a bad time, a page that never advances", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/linode/instances", 1), reply(200, { data: "none", page: 1, pages: 1, results: 0 })),
        get("/linode/instances/1", reply(200, { ...F.instance({ id: 1, label: "l1", status: "running" }), created: "yesterday" })),
        get(list("/images", 1), reply(200, F.page([F.image()], 1, 3, 3))),
        get(list("/images", 2), reply(200, F.page([F.image()], 1, 3, 3)))
      ])
      yield* failsWith(compute.listNodes(), "MalformedResponse")
      const time = yield* failsWith(compute.getNode("1"), "MalformedResponse")
      expect(time.reason).toContain("created")
      yield* failsWith(compute.listImages(), "MalformedResponse")
      yield* replay.assertDone
    }))
})

describe("Linode: catalogue", () => {
  it.effect("listSizes: the hourly USD price in config.region where Linode prices it differently, disk in GB", () =>
    Effect.gen(function*() {
      const types = [F.type(), F.type("g6-nanode-1", { label: "Nanode 1GB", memory: 1024, vcpus: 1, disk: 25600, transfer: 1000, hourly: 0.0075, monthly: 5, regionPrices: [] })]
      const { compute, linode, replay } = yield* setup([
        get(list("/linode/types", 1), reply(200, F.page(types, 1, 1, 2))),
        get("/linode/types/g6-standard-2", reply(200, F.type()))
      ])
      const sizes = yield* compute.listSizes()
      expect(sizes.map((s) => [s.id, s.name, s.ramMb, s.vcpus, s.diskGb, s.bandwidth, s.price])).toEqual([
        ["g6-standard-2", "Linode 4GB", 4096, 2, 80, 4000, 0.036],
        ["g6-nanode-1", "Nanode 1GB", 1024, 1, 25, 1000, 0.0075]
      ])
      const prices = yield* linode.sizePrices("g6-standard-2")
      expect(prices).toEqual({ hourly: 0.03, monthly: 20, regions: [{ region: "us-east", hourly: 0.036, monthly: 24 }] })
      yield* replay.assertDone
      const elsewhere = yield* setup([get(list("/linode/types", 1), reply(200, F.page(types, 1, 1, 2)))], { region: "eu-central" })
      expect((yield* elsewhere.compute.listSizes()).map((s) => s.price)).toEqual([0.03, 0.0075])
      yield* elsewhere.replay.assertDone
    }))

  it.effect("listImages and listLocations follow the pages; countries are ISO codes", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/images", 1), reply(200, F.page([F.image()], 1, 2, 2))),
        get(list("/images", 2), reply(200, F.page([F.image("linode/ubuntu24.04", "Ubuntu 24.04 LTS")], 2, 2, 2))),
        get(list("/regions", 1), reply(200, F.page([F.region(), F.region("eu-central", "Frankfurt, DE", "de")], 1, 1, 2)))
      ])
      expect((yield* compute.listImages()).map((i) => [i.id, i.name])).toEqual([["linode/debian11", "Debian 11"], ["linode/ubuntu24.04", "Ubuntu 24.04 LTS"]])
      expect((yield* compute.listLocations()).map((l) => [l.id, l.name, l.country])).toEqual([["us-east", "Newark, NJ, USA", "US"], ["eu-central", "Frankfurt, DE", "DE"]])
      yield* replay.assertDone
    }))
})

describe("Linode: key pairs", () => {
  it.effect("keys have the SHA256 fingerprint of their key; import checks the label is free; delete goes by id", () =>
    Effect.gen(function*() {
      const ed = F.sshKey(42, "laptop", testPublicKeys.ed25519)
      const { compute, replay } = yield* setup([
        get(list("/profile/sshkeys", 1), reply(200, F.page([ed], 1, 1, 1))),
        get(list("/profile/sshkeys", 1), reply(200, F.page([ed], 1, 1, 1))),
        {
          request: { method: "POST", url: `${base}/profile/sshkeys`, headers: auth, body: jsonEquals({ label: "ci", ssh_key: testPublicKeys.rsa }) },
          response: reply(200, F.sshKey(43, "ci", testPublicKeys.rsa))
        },
        get(list("/profile/sshkeys", 1), reply(200, F.page([ed], 1, 1, 1))),
        get(list("/profile/sshkeys", 1), reply(200, F.page([ed], 1, 1, 1))),
        { request: { method: "DELETE", url: `${base}/profile/sshkeys/42`, headers: auth }, response: reply(200, {}) }
      ])
      const [listed] = yield* compute.listKeyPairs()
      expect([listed!.name, listed!.fingerprint]).toEqual(["laptop", fingerprints(testPublicKeys.ed25519).sha256])
      const imported = yield* compute.importKeyPair({ name: "ci", publicKey: testPublicKeys.rsa })
      expect([imported.name, imported.fingerprint]).toEqual(["ci", fingerprints(testPublicKeys.rsa).sha256])
      yield* failsWith(compute.importKeyPair({ name: "laptop", publicKey: testPublicKeys.rsa }), "AlreadyExists")
      yield* compute.deleteKeyPair("laptop")
      yield* replay.assertDone
    }))
})

describe("Linode: volumes", () => {
  const attached = F.volume({ id: 12345, label: "my-volume", linodeId: 123 })
  const free = F.volume({ id: 12345, label: "my-volume" })

  it.effect("volumes map status and attachment; the device is the by-id path", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/volumes", 1), reply(200, F.page([attached, F.volume({ id: 2, label: "fresh", status: "creating" }), F.volume({ id: 3, label: "big", status: "resizing" })], 1, 1, 3)))
      ])
      const volumes = yield* compute.listVolumes()
      expect(volumes.map((v) => [v.id, v.state, v.attachedTo, v.sizeGb])).toEqual([
        ["12345", "inUse", "123", 30],
        ["2", "creating", undefined, 30],
        ["3", "updating", undefined, 30]
      ])
      expect(volumes[0]!.device).toBe("/dev/disk/by-id/scsi-0Linode_Volume_my-volume")
      yield* replay.assertDone
    }))

  it.effect("createVolume posts label, size and region; sizes under 10 GB and snapshots are refused before any request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: { method: "POST", url: `${base}/volumes`, headers: auth, body: jsonEquals({ label: "my-volume", size: 30, region: "us-east" }) },
          response: reply(200, F.volume({ id: 12345, label: "my-volume", status: "creating" }))
        }
      ])
      const created = yield* compute.createVolume({ name: "my-volume", sizeGb: 30 })
      expect([created.id, created.state, created.location]).toEqual(["12345", "creating", "us-east"])
      const small = yield* failsWith(compute.createVolume({ name: "my-volume", sizeGb: 1 }), "InvalidInput")
      expect(small.field).toBe("sizeGb")
      yield* failsWith(compute.createVolume({ name: "my-volume", sizeGb: 30, snapshot: "1" }), "Unsupported")
      yield* failsWith(compute.createVolume({ name: "my volume", sizeGb: 30 }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("attach checks volume and Linode then posts linode_id; detach and destroy refuse what would fail", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get("/volumes/12345", reply(200, free)),
        get("/linode/instances/123", reply(200, F.instance({ id: 123, label: "linode123", status: "running" }))),
        { request: { method: "POST", url: `${base}/volumes/12345/attach`, headers: auth, body: jsonEquals({ linode_id: 123 }) }, response: reply(200, attached) },
        get("/volumes/12345", reply(200, attached)),
        get("/volumes/12345", reply(200, attached)),
        { request: { method: "POST", url: `${base}/volumes/12345/detach`, headers: auth }, response: reply(200, {}) },
        get("/volumes/12345", reply(200, free)),
        { request: { method: "DELETE", url: `${base}/volumes/12345`, headers: auth }, response: reply(200, {}) }
      ])
      const inUse = yield* compute.attachVolume("12345", "123")
      expect([inUse.state, inUse.attachedTo]).toEqual(["inUse", "123"])
      yield* failsWith(compute.destroyVolume("12345"), "Conflict")
      const detaching = yield* compute.detachVolume("12345")
      expect([detaching.state, detaching.attachedTo]).toEqual(["detaching", undefined])
      yield* compute.destroyVolume("12345")
      yield* replay.assertDone
    }))

  it.effect("Linode volumes have no snapshots: Unsupported, after the input checks, without a request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([])
      expect(compute.provider.capabilities.has("compute.snapshots")).toBe(false)
      yield* failsWith(compute.createVolumeSnapshot("12345"), "Unsupported")
      yield* failsWith(compute.listVolumeSnapshots(), "Unsupported")
      yield* failsWith(compute.destroyVolumeSnapshot("7"), "Unsupported")
      yield* failsWith(compute.destroyVolumeSnapshot(""), "InvalidInput")
      yield* replay.assertDone
    }))
})

describe("Linode: configuration", () => {
  it.effect("layerConfig reads LINODE_TOKEN, else LINODE_CLI_TOKEN, and LINODE_URL", () =>
    Effect.gen(function*() {
      const run = (env: Record<string, string>, expected: string) =>
        Effect.gen(function*() {
          const replay = yield* Replay.make([
            { request: { url: `${env["LINODE_URL"] ?? base}/regions?page=1&page_size=500`, headers: { authorization: `Bearer ${expected}` } }, response: reply(200, F.page([], 1, 1, 0)) }
          ])
          yield* Effect.flatMap(Compute, (c) => c.listLocations()).pipe(
            Effect.provide(Linode.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, replay.client)))),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
          )
          yield* replay.assertDone
        })
      yield* run({ LINODE_TOKEN: "one", LINODE_CLI_TOKEN: "two" }, "one")
      yield* run({ LINODE_CLI_TOKEN: "two", LINODE_URL: "http://127.0.0.1:9/v4" }, "two")
    }))
})
