/**
 * Hetzner Cloud compute on recorded exchanges shaped as the API reference
 * documents them (fixtures.ts names each source): exact requests,
 * `meta.pagination`, every documented error code we map, rate limits, the
 * EUR → USD price, the root password that is never read, and what is never
 * retried.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { Replay } from "../../../src/http/index.js"
import { Hetzner } from "../../../src/layers/hetzner/index.js"
import { Compute, waitUntilRunningOn } from "../../../src/services/Compute.js"
import { fingerprints, testPublicKeys } from "../../contract/Compute.js"
import { failsWith } from "../../contract/harness.js"
import { isDone, jsonEquals, reply, withTime } from "../digitalocean/support.js"
import * as F from "./fixtures.js"

const base = "https://api.hetzner.cloud/v1"
const token = "hcloud-0123456789abcdef-secret"
const auth = { authorization: `Bearer ${token}` }

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Hetzner.HetznerConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* Hetzner.makeServices({ token: Redacted.make(token), retry: { jitter: 0 }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { ...services, replay }
  })

const get = (path: string, response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "GET", url: `${base}${path}`, headers: auth }, response })

const list = (path: string, page: number) => `${path}${path.includes("?") ? "&" : "?"}page=${page}&per_page=50`

const spec = { name: "my-server", size: "cx22", image: "42", location: "fsn1" }

describe("Hetzner: nodes", () => {
  it.effect("listNodes follows meta.pagination.next_page to the end; IPv4 is public, the IPv6 /64 stays in extra", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/servers", 1), reply(200, F.page("servers", [F.server({ id: 42, name: "my-resource", status: "running", privateIp: "10.0.0.2" })], 1, 2, 1, 2))),
        get(list("/servers", 2), reply(200, F.page("servers", [F.server({ id: 43, name: "no-v4", status: "off", ipv4: null })], 2, 2, 1, 2)))
      ])
      const nodes = yield* compute.listNodes()
      expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
        ["42", "my-resource", "running", ["1.2.3.4"], ["10.0.0.2"]],
        ["43", "no-v4", "stopped", [], []]
      ])
      expect(nodes[0]!.extra).toMatchObject({ ipv6Network: "2001:db8::/64", datacenter: "fsn1-dc8", labels: { environment: "prod" } })
      yield* replay.assertDone
    }))

  it.effect("getNode maps the documented server: type name, image number, location from its datacenter", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/servers/42", reply(200, { server: F.server({ id: 42, name: "my-resource", status: "running" }) }))])
      const node = yield* compute.getNode("42")
      expect([node.size, node.image, node.location, node.createdAt?.toISOString()]).toEqual(["cx22", "42", "fsn1", "2016-01-30T23:55:00.000Z"])
      yield* replay.assertDone
    }))

  it.effect("every documented status maps onto NodeState; one the reference does not list is unknown", () =>
    Effect.gen(function*() {
      const expected: ReadonlyArray<readonly [string, string]> = [
        ["running", "running"],
        ["initializing", "pending"],
        ["starting", "starting"],
        ["stopping", "stopping"],
        ["off", "stopped"],
        ["deleting", "terminated"],
        ["migrating", "pending"],
        ["rebuilding", "pending"],
        ["unknown", "unknown"],
        ["hibernating", "unknown"]
      ]
      const { compute, replay } = yield* setup(
        expected.map(([status], i) => get(`/servers/${i + 1}`, reply(200, { server: F.server({ id: i + 1, name: `s${i}`, status }) })))
      )
      expect(yield* Effect.forEach(expected, (_, i) => Effect.map(compute.getNode(String(i + 1)), (n) => n.state))).toEqual(expected.map(([, s]) => s))
      yield* replay.assertDone
    }))

  it.effect("a missing server is NotFound naming the node; an id that is not a number is NotFound without a request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/servers/7", reply(404, F.errors.notFound))])
      const e = yield* failsWith(compute.getNode("7"), "NotFound")
      expect([e.resource, e.id]).toEqual(["node", "7"])
      yield* failsWith(compute.rebootNode("my-server"), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("createNode sends the documented body; the root password in the answer is never read; waitUntilRunning polls initializing → running", () =>
    Effect.gen(function*() {
      const rootPassword = "YItygq1v3GYjjMomLaKc"
      const initializing = F.server({ id: 42, name: "my-server", status: "initializing" })
      const { compute, replay } = yield* setup([
        {
          request: {
            method: "POST",
            url: `${base}/servers`,
            headers: { ...auth, "content-type": "application/json" },
            body: jsonEquals({
              name: "my-server",
              server_type: "cx22",
              image: 42,
              location: "fsn1",
              ssh_keys: ["deploy", "backup"],
              user_data: "#cloud-config\n",
              labels: { environment: "prod" },
              start_after_create: true
            })
          },
          response: reply(201, F.createdServer(initializing, rootPassword))
        },
        get("/servers/42", reply(200, { server: initializing })),
        get("/servers/42", reply(200, { server: F.server({ id: 42, name: "my-server", status: "running" }) }))
      ])
      const created = yield* compute.createNode({ ...spec, keyPair: "deploy", userData: "#cloud-config\n", extra: { labels: { environment: "prod" }, sshKeys: ["backup"] } })
      expect(created.state).toBe("pending")
      expect(JSON.stringify(created)).not.toContain(rootPassword)
      const [running] = yield* withTime(waitUntilRunningOn(compute, [created], { schedule: Schedule.spaced("5 seconds"), timeout: "1 minute" }))
      expect([running!.state, running!.publicIps]).toEqual(["running", ["1.2.3.4"]])
      yield* replay.assertDone
    }))

  it.effect("createNode is sent once: a dropped connection is Transport; a 429 is sent again once RateLimit-Reset has passed", () =>
    Effect.gen(function*() {
      const reset = 1700000000
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/servers` }, response: { transportError: "ECONNRESET" } },
        {
          request: { method: "POST", url: `${base}/servers` },
          response: reply(429, F.errors.rateLimited, {
            "ratelimit-limit": "3600",
            "ratelimit-remaining": "0",
            "ratelimit-reset": String(reset),
            date: new Date((reset - 20) * 1000).toUTCString()
          })
        },
        { request: { method: "POST", url: `${base}/servers` }, response: reply(201, F.createdServer(F.server({ id: 44, name: "my-server", status: "initializing" }), null)) }
      ])
      yield* failsWith(withTime(compute.createNode(spec)), "Transport")
      expect((yield* replay.requests).length).toBe(1)
      const fiber = yield* Effect.fork(compute.createNode(spec))
      yield* TestClock.adjust("19 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).id).toBe("44")
      yield* replay.assertDone
    }))

  it.effect("the documented error codes: uniqueness_error, invalid_input (the unknown reference named), resource_limit_exceeded", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/servers` }, response: reply(409, F.errors.uniqueness("name", "server name is already used")) },
        { request: { method: "POST", url: `${base}/servers` }, response: reply(400, F.errors.invalid("server_type", "server type not found")) },
        get(list("/server_types?name=cx99", 1), reply(200, F.page("server_types", [], 1, 1, 50, 0))),
        { request: { method: "POST", url: `${base}/servers` }, response: reply(400, F.errors.invalid("ssh_keys", "ssh key not found")) },
        get(list("/server_types?name=cx22", 1), reply(200, F.page("server_types", [F.serverType()], 1, 1, 50, 1))),
        get(list("/locations?name=fsn1", 1), reply(200, F.page("locations", [F.location()], 1, 1, 50, 1))),
        get("/images/42", reply(200, { image: F.image() })),
        get(list("/ssh_keys?name=gone", 1), reply(200, F.page("ssh_keys", [], 1, 1, 50, 0))),
        { request: { method: "POST", url: `${base}/servers` }, response: reply(403, F.errors.quota, { "x-correlation-id": "b1e6c2b4-7f2c" }) }
      ])
      const taken = yield* failsWith(compute.createNode(spec), "AlreadyExists")
      expect([taken.resource, taken.id]).toEqual(["node", "my-server"])
      const size = yield* failsWith(compute.createNode({ ...spec, size: "cx99" }), "NotFound")
      expect([size.resource, size.id]).toEqual(["size", "cx99"])
      const key = yield* failsWith(compute.createNode({ ...spec, keyPair: "gone" }), "NotFound")
      expect([key.resource, key.id]).toEqual(["keyPair", "gone"])
      const quota = yield* failsWith(compute.createNode(spec), "ProviderError")
      expect([quota.status, quota.code, quota.detail, quota.requestId]).toEqual([403, "resource_limit_exceeded", "server limit reached", "b1e6c2b4-7f2c"])
      yield* replay.assertDone
    }))

  it.effect("unauthorized is InvalidCredentials, forbidden PermissionDenied; a 5xx read is retried, then reported with its correlation id", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup(
        [
          get(list("/servers", 1), reply(401, F.errors.unauthorized)),
          get(list("/ssh_keys", 1), reply(403, F.errors.forbidden)),
          get(list("/images", 1), reply(500, F.errors.serverError, { "x-correlation-id": "c0ffee" })),
          get(list("/images", 1), reply(500, F.errors.serverError, { "x-correlation-id": "c0ffee" }))
        ],
        { retry: { maxAttempts: 2, jitter: 0 } }
      )
      const denied = yield* failsWith(compute.listNodes(), "InvalidCredentials")
      expect(denied.reason).toBe("unable to authenticate")
      expect(JSON.stringify(denied) + denied.message).not.toContain(token)
      yield* failsWith(compute.listKeyPairs(), "PermissionDenied")
      const server = yield* failsWith(withTime(compute.listImages()), "ProviderError")
      expect([server.status, server.code, server.requestId]).toEqual([500, "server_error", "c0ffee"])
      yield* replay.assertDone
    }))

  it.effect("reboot, poweron and shutdown check the state, then post the action; 423 locked is a Conflict", () =>
    Effect.gen(function*() {
      const running = reply(200, { server: F.server({ id: 42, name: "s", status: "running" }) })
      const off = reply(200, { server: F.server({ id: 42, name: "s", status: "off" }) })
      const post = (command: string, response: Replay.ResponseSpec): Replay.Exchange => ({
        request: { method: "POST", url: `${base}/servers/42/actions/${command}`, headers: auth },
        response
      })
      const done = (command: string) => reply(201, { action: F.action(13, `${command}_server`, { id: 42, type: "server" }) })
      const { compute, hetzner, replay } = yield* setup([
        get("/servers/42", running),
        post("reboot", done("reboot")),
        get("/servers/42", running),
        post("shutdown", done("shutdown")),
        get("/servers/42", off),
        get("/servers/42", off),
        post("poweron", reply(423, F.errors.locked)),
        get("/servers/42", running),
        post("reset", done("reset")),
        get("/servers/42", running),
        post("poweroff", done("poweroff"))
      ])
      yield* compute.rebootNode("42")
      yield* compute.stopNode("42")
      yield* failsWith(compute.stopNode("42"), "Conflict")
      const locked = yield* failsWith(compute.startNode("42"), "Conflict")
      expect(locked.reason).toBe("server is locked")
      yield* hetzner.resetNode("42")
      yield* hetzner.powerOffNode("42")
      yield* replay.assertDone
    }))

  it.effect("destroyNode deletes (answered with an action); a second time it is NotFound", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "DELETE", url: `${base}/servers/42`, headers: auth }, response: reply(200, { action: F.action(13, "delete_server", { id: 42, type: "server" }) }) },
        { request: { method: "DELETE", url: `${base}/servers/42` }, response: reply(404, F.errors.notFound) }
      ])
      yield* compute.destroyNode("42")
      yield* failsWith(compute.destroyNode("42"), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("garbage is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/servers", 1), reply(200, { servers: [{ id: "42" }] })),
        get(list("/locations", 1), { status: 200, body: "not json" })
      ])
      yield* failsWith(compute.listNodes(), "MalformedResponse")
      yield* failsWith(compute.listLocations(), "MalformedResponse")
      yield* replay.assertDone
    }))
})

describe("Hetzner: catalogue and prices", () => {
  const cx22 = F.serverType("cx22", {
    id: 104,
    prices: [
      { location: "nbg1", hourlyNet: "0.0070", hourlyGross: "0.0083", monthlyNet: "4.3500", monthlyGross: "5.1765", traffic: 21990232555520 },
      { location: "fsn1", hourlyNet: "0.0060", hourlyGross: "0.0071", monthlyNet: "3.7900", monthlyGross: "4.5101", traffic: 21990232555520 }
    ]
  })
  const types = reply(200, F.page("server_types", [cx22], 1, 1, 50, 1))

  it.effect("price is the net hourly EUR price × eurToUsd (default 1.1), in the cheapest location unless config.region says", () =>
    Effect.gen(function*() {
      const run = (config: Partial<Hetzner.HetznerConfig>) =>
        Effect.gen(function*() {
          const { compute, replay } = yield* setup([get(list("/server_types", 1), types)], config)
          const [size] = yield* compute.listSizes()
          yield* replay.assertDone
          return size!
        })
      const cheapest = yield* run({})
      expect([cheapest.id, cheapest.name, cheapest.ramMb, cheapest.vcpus, cheapest.diskGb, cheapest.bandwidth]).toEqual(["cx22", "CX22", 4096, 2, 40, 20480])
      expect(cheapest.price).toBeCloseTo(0.0066, 10)
      expect(cheapest.extra["priceEur"]).toMatchObject({ location: "fsn1", hourlyNet: 0.006, hourlyGross: 0.0071 })
      expect((yield* run({ region: "nbg1" })).price).toBeCloseTo(0.0077, 10)
      expect((yield* run({ region: "nbg1", eurToUsd: 1.05 })).price).toBeCloseTo(0.00735, 10)
      expect((yield* run({ region: "hel1" })).price, "not offered there").toBeUndefined()
      const none = yield* run({ eurToUsd: null })
      expect(none.price).toBeUndefined()
      expect(none.extra["pricesEur"]).toHaveLength(2)
    }))

  it.effect("sizePrices gives the EUR prices per location as Hetzner states them", () =>
    Effect.gen(function*() {
      const { hetzner, replay } = yield* setup([get(list("/server_types?name=cx22", 1), types), get(list("/server_types?name=cx99", 1), reply(200, F.page("server_types", [], 1, 1, 50, 0)))])
      const prices = yield* hetzner.sizePrices("cx22")
      expect(prices.map((p) => [p.location, p.hourlyNet, p.monthlyGross])).toEqual([["nbg1", 0.007, 5.1765], ["fsn1", 0.006, 4.5101]])
      yield* failsWith(hetzner.sizePrices("cx99"), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("images go by number (names repeat across architectures); locations carry their country", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/images", 1), reply(200, F.page("images", [F.image()], 1, 2, 1, 2))),
        get(list("/images", 2), reply(200, F.page("images", [F.image({ id: 103908130, architecture: "arm" })], 2, 2, 1, 2))),
        get(list("/locations", 1), reply(200, F.page("locations", [F.location(), F.location("hel1", { id: 3, country: "FI", description: "Helsinki DC Park 1" })], 1, 1, 50, 2)))
      ])
      const images = yield* compute.listImages()
      expect(images.map((i) => [i.id, i.name, i.extra["architecture"]])).toEqual([["42", "ubuntu-20.04", "x86"], ["103908130", "ubuntu-20.04", "arm"]])
      expect((yield* compute.listLocations()).map((l) => [l.id, l.name, l.country])).toEqual([["fsn1", "Falkenstein DC Park 1", "DE"], ["hel1", "Helsinki DC Park 1", "FI"]])
      yield* replay.assertDone
    }))
})

describe("Hetzner: key pairs", () => {
  const ed = F.sshKey(42, "laptop", testPublicKeys.ed25519, fingerprints(testPublicKeys.ed25519).md5)

  it.effect("import posts name and key (409 uniqueness_error is AlreadyExists); delete finds the key by name, then deletes it by id", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: { method: "POST", url: `${base}/ssh_keys`, headers: auth, body: jsonEquals({ name: "laptop", public_key: testPublicKeys.ed25519 }) },
          response: reply(201, { ssh_key: ed })
        },
        { request: { method: "POST", url: `${base}/ssh_keys` }, response: reply(409, F.errors.uniqueness("public_key", "SSH key with the same fingerprint already exists")) },
        get(list("/ssh_keys?name=laptop", 1), reply(200, F.page("ssh_keys", [ed], 1, 1, 50, 1))),
        { request: { method: "DELETE", url: `${base}/ssh_keys/42`, headers: auth }, response: { status: 204 } },
        get(list("/ssh_keys?name=laptop", 1), reply(200, F.page("ssh_keys", [], 1, 1, 50, 0)))
      ])
      const imported = yield* compute.importKeyPair({ name: "laptop", publicKey: testPublicKeys.ed25519 })
      expect([imported.name, imported.fingerprint]).toEqual(["laptop", fingerprints(testPublicKeys.ed25519).md5])
      const dup = yield* failsWith(compute.importKeyPair({ name: "other", publicKey: testPublicKeys.ed25519 }), "AlreadyExists")
      expect([dup.resource, dup.id]).toEqual(["keyPair", "other"])
      yield* compute.deleteKeyPair("laptop")
      yield* failsWith(compute.deleteKeyPair("laptop"), "NotFound")
      yield* replay.assertDone
    }))
})

describe("Hetzner: volumes", () => {
  const free = F.volume({ id: 4711, name: "my-volume", size: 10 })
  const attached = F.volume({ id: 4711, name: "my-volume", size: 10, server: 42 })

  it.effect("create posts name, size, location and format; attach and detach are volume actions; destroy refuses an attached volume", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: { method: "POST", url: `${base}/volumes`, headers: auth, body: jsonEquals({ name: "my-volume", size: 10, location: "fsn1", format: "xfs" }) },
          response: reply(201, { volume: { ...free, status: "creating" }, action: F.action(13, "create_volume", { id: 4711, type: "volume" }), next_actions: [] })
        },
        get("/volumes/4711", reply(200, { volume: free })),
        get("/servers/42", reply(200, { server: F.server({ id: 42, name: "s", status: "running" }) })),
        {
          request: { method: "POST", url: `${base}/volumes/4711/actions/attach`, headers: auth, body: jsonEquals({ server: 42, automount: false }) },
          response: reply(201, { action: F.action(14, "attach_volume", { id: 4711, type: "volume" }) })
        },
        get("/volumes/4711", reply(200, { volume: attached })),
        get("/volumes/4711", reply(200, { volume: attached })),
        { request: { method: "POST", url: `${base}/volumes/4711/actions/detach`, headers: auth }, response: reply(201, { action: F.action(15, "detach_volume", { id: 4711, type: "volume" }) }) },
        get("/volumes/4711", reply(200, { volume: free })),
        { request: { method: "DELETE", url: `${base}/volumes/4711`, headers: auth }, response: { status: 204 } }
      ])
      const created = yield* compute.createVolume({ name: "my-volume", sizeGb: 10, location: "fsn1", extra: { format: "xfs" } })
      expect([created.id, created.state, created.device]).toEqual(["4711", "creating", "/dev/disk/by-id/scsi-0HC_Volume_4711"])
      const attaching = yield* compute.attachVolume("4711", "42")
      expect([attaching.state, attaching.attachedTo]).toEqual(["attaching", "42"])
      yield* failsWith(compute.destroyVolume("4711"), "Conflict")
      const detaching = yield* compute.detachVolume("4711")
      expect(detaching.state).toBe("detaching")
      yield* compute.destroyVolume("4711")
      yield* replay.assertDone
    }))

  it.effect("Hetzner volumes have no snapshots, and sizes under 10 GB are refused: both before any request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([], { region: "fsn1" })
      expect(compute.provider.capabilities.has("compute.snapshots")).toBe(false)
      yield* failsWith(compute.createVolumeSnapshot("4711"), "Unsupported")
      yield* failsWith(compute.listVolumeSnapshots("4711"), "Unsupported")
      yield* failsWith(compute.createVolume({ name: "v", sizeGb: 10, snapshot: "1" }), "Unsupported")
      const small = yield* failsWith(compute.createVolume({ name: "v", sizeGb: 5 }), "InvalidInput")
      expect(small.field).toBe("sizeGb")
      yield* replay.assertDone
    }))
})

describe("Hetzner: configuration", () => {
  it.effect("layerConfig reads HCLOUD_TOKEN and HCLOUD_ENDPOINT; without a token it is a ConfigError", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.make([
        { request: { url: "http://127.0.0.1:9/v1/locations?page=1&per_page=50", headers: { authorization: "Bearer from-env" } }, response: reply(200, F.page("locations", [], 1, 1, 50, 0)) }
      ])
      const run = (env: Record<string, string>) =>
        Effect.flatMap(Compute, (c) => c.listLocations()).pipe(
          Effect.provide(Hetzner.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, replay.client)))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      yield* run({ HCLOUD_TOKEN: "from-env", HCLOUD_ENDPOINT: "http://127.0.0.1:9/v1" })
      yield* replay.assertDone
      const missing = yield* Effect.either(run({}))
      expect(missing._tag).toBe("Left")
      if (missing._tag === "Left") expect((missing.left as { _tag: string })._tag).toBe("ConfigError")
    }))
})
