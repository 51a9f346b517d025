/**
 * DigitalOcean compute on recorded exchanges shaped as the API reference
 * documents them (fixtures.ts names each source): exact requests, pagination,
 * every documented error, rate limits, and what is never retried.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Exit, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { Replay } from "../../../src/http/index.js"
import { DigitalOcean } from "../../../src/layers/digitalocean/index.js"
import { Compute, waitUntilRunningOn } from "../../../src/services/Compute.js"
import { failsWith } from "../../contract/harness.js"
import { fingerprints, testPublicKeys } from "../../contract/Compute.js"
import * as F from "./fixtures.js"
import { isDone, jsonEquals, reply, withTime } from "./support.js"

const base = "https://api.digitalocean.com/v2"
const token = "dop_v1_0123456789abcdef-secret"
const auth = { authorization: `Bearer ${token}` }

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<DigitalOcean.DigitalOceanConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* DigitalOcean.makeServices({ token: Redacted.make(token), retry: { jitter: 0 }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { ...services, replay }
  })

const get = (path: string, response: Replay.ResponseSpec): Replay.Exchange => ({
  request: { method: "GET", url: `${base}${path}`, headers: auth },
  response
})

const list = (path: string, page: number) => `${path}${path.includes("?") ? "&" : "?"}page=${page}&per_page=200`

const example = F.droplet({
  id: 3164444,
  name: "example.com",
  status: "active",
  publicIp: "192.241.165.154",
  privateIp: "10.128.192.124",
  ipv6: "2604:a880:0:1010::18a:a001"
})

describe("DigitalOcean: nodes", () => {
  it.effect("listNodes follows links.pages.next to the end, asking the configured endpoint for the page it names", () =>
    Effect.gen(function*() {
      const second = F.droplet({ id: 3164459, name: "assets.example.com", status: "off", publicIp: "162.243.0.4", privateIp: "10.128.192.138" })
      const third = F.droplet({ id: 3164412, name: "stage.example.com", status: "new" })
      const { compute, replay } = yield* setup([
        // A next link naming another host must not receive the token: only its page number is used.
        get(list("/droplets", 1), reply(200, F.page("droplets", [example, second], 3, "https://elsewhere.example/v2/droplets?page=2&per_page=200"))),
        get(list("/droplets", 2), reply(200, F.page("droplets", [third], 3)))
      ])
      const nodes = yield* compute.listNodes()
      expect(nodes.map((n) => [n.id, n.name, n.state])).toEqual([
        ["3164444", "example.com", "running"],
        ["3164459", "assets.example.com", "stopped"],
        ["3164412", "stage.example.com", "pending"]
      ])
      expect(nodes[2]!.publicIps).toEqual([])
      yield* replay.assertDone
    }))

  it.effect("getNode maps the documented droplet: addresses by network type, slugs, creation time", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/droplets/3164444", reply(200, { droplet: example }))])
      const node = yield* compute.getNode("3164444")
      expect(node.id).toBe("3164444")
      expect(node.state).toBe("running")
      expect(node.publicIps).toEqual(["192.241.165.154", "2604:a880:0:1010::18a:a001"])
      expect(node.privateIps).toEqual(["10.128.192.124"])
      expect(node.size).toBe("s-1vcpu-1gb")
      expect(node.image).toBe("ubuntu-20-04-x64")
      expect(node.location).toBe("nyc3")
      expect(node.createdAt?.toISOString()).toBe("2020-07-21T18:37:44.000Z")
      expect(node.extra).toMatchObject({ tags: ["web", "env:prod"], vpcUuid: "760e09ef-dc84-11e8-981e-3cfdfeaae000", locked: false })
      yield* replay.assertDone
    }))

  it.effect("every documented status maps onto NodeState; one the reference does not list is unknown", () =>
    Effect.gen(function*() {
      const statuses = ["new", "active", "off", "archive", "resizing-someday"]
      const { compute, replay } = yield* setup(
        statuses.map((status, i) => get(`/droplets/${i + 1}`, reply(200, { droplet: F.droplet({ id: i + 1, name: `d${i}`, status }) })))
      )
      const states = yield* Effect.forEach(statuses, (_, i) => Effect.map(compute.getNode(String(i + 1)), (n) => n.state))
      expect(states).toEqual(["pending", "running", "stopped", "terminated", "unknown"])
      yield* replay.assertDone
    }))

  it.effect("a missing droplet is NotFound naming the node; an id that is not a number is NotFound without a request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get("/droplets/42", reply(404, F.error.notFound))])
      const e = yield* failsWith(compute.getNode("42"), "NotFound")
      expect([e.resource, e.id]).toEqual(["node", "42"])
      const local = yield* failsWith(compute.getNode("web-1"), "NotFound")
      expect([local.resource, local.id]).toEqual(["node", "web-1"])
      expect(yield* compute.listNodes({ ids: ["web-1"] })).toEqual([])
      yield* replay.assertDone
    }))

  it.effect("createNode sends the documented body (key pair name → its id), then waitUntilRunning polls new → active", () =>
    Effect.gen(function*() {
      const key = F.sshKey(289794, "deploy", testPublicKeys.ed25519, fingerprints(testPublicKeys.ed25519).md5)
      const { compute, replay } = yield* setup([
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [key], 1))),
        {
          request: {
            method: "POST",
            url: `${base}/droplets`,
            headers: { ...auth, "content-type": "application/json" },
            body: jsonEquals({
              name: "web-1",
              size: "s-1vcpu-1gb",
              image: "ubuntu-20-04-x64",
              region: "nyc3",
              ssh_keys: [289794],
              user_data: "#cloud-config\n",
              tags: ["web"],
              monitoring: true
            })
          },
          response: reply(202, { droplet: F.droplet({ id: 7, name: "web-1", status: "new" }), links: F.createLinks(7515) })
        },
        get("/droplets/7", reply(200, { droplet: F.droplet({ id: 7, name: "web-1", status: "new" }) })),
        get("/droplets/7", reply(200, { droplet: F.droplet({ id: 7, name: "web-1", status: "active", publicIp: "203.0.113.7", privateIp: "10.128.0.7" }) }))
      ])
      const created = yield* compute.createNode({
        name: "web-1",
        size: "s-1vcpu-1gb",
        image: "ubuntu-20-04-x64",
        location: "nyc3",
        keyPair: "deploy",
        userData: "#cloud-config\n",
        extra: { tags: ["web"], monitoring: true }
      })
      expect([created.id, created.state]).toEqual(["7", "pending"])
      const [running] = yield* withTime(waitUntilRunningOn(compute, [created], { schedule: Schedule.spaced("5 seconds"), timeout: "1 minute" }))
      expect(running!.state).toBe("running")
      expect(running!.publicIps).toEqual(["203.0.113.7"])
      yield* replay.assertDone
    }))

  it.effect("createNode is sent once: a dropped connection is a Transport failure, never a second droplet", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/droplets` }, response: { transportError: "socket hang up" } }
      ])
      const e = yield* failsWith(withTime(compute.createNode({ name: "web-1", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64" })), "Transport")
      expect(e.operation).toBe("Compute.createNode")
      expect((yield* replay.requests).length).toBe(1)
      yield* replay.assertDone
    }))

  it.effect("a 5xx answer to createNode is reported, not retried (it may have created the droplet)", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(500, F.error.serverError) }
      ])
      const e = yield* failsWith(withTime(compute.createNode({ name: "web-1", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64" })), "ProviderError")
      expect([e.status, e.code, e.requestId]).toEqual([500, "server_error", "4d9d8375-3c56-4925-a3e7-eb137fed17e9"])
      yield* replay.assertDone
    }))

  it.effect("a 503 answer to createNode is reported, not sent again (unlike a 429, it may come after the droplet was made)", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(503, F.error.serverError, { "retry-after": "1" }) }
      ])
      const e = yield* failsWith(withTime(compute.createNode({ name: "web-1", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64" })), "RateLimited")
      expect(e.status).toBe(503)
      yield* replay.assertDone
    }))

  it.effect("createNode refused with 429 is sent again after Retry-After (a refused request did nothing)", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(429, F.error.tooManyRequests, { "retry-after": "5" }) },
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(202, { droplet: F.droplet({ id: 8, name: "web-2", status: "new" }) }) }
      ])
      const fiber = yield* Effect.fork(compute.createNode({ name: "web-2", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64" }))
      yield* TestClock.adjust("4900 millis")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("100 millis")
      expect((yield* Fiber.join(fiber)).id).toBe("8")
      yield* replay.assertDone
    }))

  it.effect("a 429 without Retry-After waits until ratelimit-reset, measured on the server's clock", () =>
    Effect.gen(function*() {
      const reset = 1444931833
      const { compute, replay } = yield* setup([
        get(
          list("/sizes", 1),
          reply(429, F.error.tooManyRequests, {
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": String(reset),
            date: new Date((reset - 7) * 1000).toUTCString()
          })
        ),
        get(list("/sizes", 1), reply(200, F.page("sizes", [F.size()], 1)))
      ])
      const fiber = yield* Effect.fork(compute.listSizes())
      yield* TestClock.adjust("6 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).map((s) => s.id)).toEqual(["s-1vcpu-1gb"])
      yield* replay.assertDone
    }))

  it.effect("a reset an hour away is not slept through: RateLimited says how long to wait", () =>
    Effect.gen(function*() {
      const reset = 1444931833
      const { compute, replay } = yield* setup([
        get(list("/sizes", 1), reply(429, F.error.tooManyRequests, { "ratelimit-reset": String(reset), date: new Date((reset - 3600) * 1000).toUTCString() }))
      ])
      const e = yield* failsWith(compute.listSizes(), "RateLimited")
      expect(Duration.toSeconds(e.retryAfter!)).toBe(3600)
      yield* replay.assertDone
    }))

  it.effect("DigitalOcean refusing a create is NotFound for the reference it does not know; a full account stays a ProviderError", () =>
    Effect.gen(function*() {
      const spec = { name: "web-3", size: "s-9vcpu-9gb", image: "ubuntu-20-04-x64", location: "nyc3" }
      const { compute, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(422, F.error.unprocessable("You specified an invalid size for Droplet creation.")) },
        get(list("/sizes", 1), reply(200, F.page("sizes", [F.size()], 1))),
        { request: { method: "POST", url: `${base}/droplets` }, response: reply(422, F.error.unprocessable("creating this/these droplet(s) will exceed your droplet limit")) },
        get(list("/sizes", 1), reply(200, F.page("sizes", [F.size()], 1))),
        get(list("/regions", 1), reply(200, F.page("regions", [F.region()], 1))),
        get("/images/ubuntu-20-04-x64", reply(200, { image: F.image() }))
      ])
      const missing = yield* failsWith(compute.createNode(spec), "NotFound")
      expect([missing.resource, missing.id]).toEqual(["size", "s-9vcpu-9gb"])
      const full = yield* failsWith(compute.createNode({ ...spec, size: "s-1vcpu-1gb" }), "ProviderError")
      expect([full.status, full.code, full.detail]).toEqual([422, "unprocessable_entity", "creating this/these droplet(s) will exceed your droplet limit"])
      yield* replay.assertDone
    }))

  it.effect("createNode checks its input before sending anything; an unknown key pair stops it before the create", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [], 0)))])
      const spec = { name: "web-1", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64" }
      for (const [field, bad] of [
        ["name", { ...spec, name: "web_1" }],
        ["userData", { ...spec, userData: "x".repeat(64 * 1024 + 1) }],
        ["extra.tags", { ...spec, extra: { tags: "web" } }],
        ["extra.ipv6", { ...spec, extra: { ipv6: "yes" } }]
      ] as const) {
        const e = yield* failsWith(compute.createNode(bad), "InvalidInput")
        expect(e.field).toBe(field)
      }
      const e = yield* failsWith(compute.createNode({ ...spec, keyPair: "nobody" }), "NotFound")
      expect([e.resource, e.id]).toEqual(["keyPair", "nobody"])
      yield* replay.assertDone
    }))

  it.effect("reboot, start and stop check the droplet's state, then post the documented action", () =>
    Effect.gen(function*() {
      const active = { droplet: F.droplet({ id: 9, name: "web", status: "active", publicIp: "203.0.113.9" }) }
      const off = { droplet: F.droplet({ id: 9, name: "web", status: "off" }) }
      const post = (type: string, response: Replay.ResponseSpec): Replay.Exchange => ({
        request: { method: "POST", url: `${base}/droplets/9/actions`, headers: auth, body: jsonEquals({ type }) },
        response
      })
      const { compute, digitalOcean, replay } = yield* setup([
        get("/droplets/9", reply(200, active)),
        post("reboot", reply(201, F.action(1, "reboot", 9))),
        get("/droplets/9", reply(200, active)),
        get("/droplets/9", reply(200, active)),
        post("shutdown", reply(201, F.action(2, "shutdown", 9))),
        get("/droplets/9", reply(200, off)),
        get("/droplets/9", reply(200, off)),
        post("power_on", reply(201, F.action(3, "power_on", 9))),
        get("/droplets/9", reply(200, active)),
        post("power_off", reply(422, F.error.unprocessable("Droplet already has a pending event.")))
      ])
      yield* compute.rebootNode("9")
      const running = yield* failsWith(compute.startNode("9"), "Conflict")
      expect(running.reason).toBe("cannot start a node that is running")
      yield* compute.stopNode("9")
      const stopped = yield* failsWith(compute.rebootNode("9"), "Conflict")
      expect(stopped.reason).toBe("cannot reboot a node that is stopped")
      yield* compute.startNode({ id: "9" })
      const busy = yield* failsWith(digitalOcean.powerOffNode("9"), "Conflict")
      expect(busy.reason).toBe("Droplet already has a pending event.")
      yield* replay.assertDone
    }))

  it.effect("destroyNode deletes the droplet; a second time it is NotFound", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        { request: { method: "DELETE", url: `${base}/droplets/9`, headers: auth }, response: { status: 204 } },
        { request: { method: "DELETE", url: `${base}/droplets/9` }, response: reply(404, F.error.notFound) }
      ])
      yield* compute.destroyNode("9")
      const e = yield* failsWith(compute.destroyNode("9"), "NotFound")
      expect(e.resource).toBe("node")
      yield* replay.assertDone
    }))
})

describe("DigitalOcean: documented errors", () => {
  it.effect("401 unauthorized is InvalidCredentials, 403 forbidden PermissionDenied, and neither carries the token", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/droplets", 1), reply(401, F.error.unauthorized)),
        get(list("/regions", 1), reply(403, F.error.forbidden))
      ])
      const denied = yield* failsWith(compute.listNodes(), "InvalidCredentials")
      expect(denied.reason).toBe("Unable to authenticate you.")
      const forbidden = yield* failsWith(compute.listLocations(), "PermissionDenied")
      expect(forbidden.reason).toBe("You do not have access for the attempted action.")
      for (const e of [denied, forbidden]) {
        expect(JSON.stringify(e)).not.toContain(token)
        expect(e.message).not.toContain(token)
      }
      yield* replay.assertDone
    }))

  it.effect("reads are retried after a 5xx; the error names DigitalOcean's request id when they keep failing", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup(
        [
          get(list("/images", 1), reply(500, F.error.serverError)),
          get(list("/images", 1), reply(500, F.error.serverError))
        ],
        { retry: { maxAttempts: 2, jitter: 0 } }
      )
      const e = yield* failsWith(withTime(compute.listImages()), "ProviderError")
      expect([e.status, e.code, e.requestId]).toEqual([500, "server_error", "4d9d8375-3c56-4925-a3e7-eb137fed17e9"])
      yield* replay.assertDone
    }))

  it.effect("a body that is not the documented shape is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/droplets", 1), reply(200, { droplets: "none" })),
        get("/droplets/1", { status: 200, body: "<html>maintenance</html>" }),
        get(list("/droplets", 1), reply(200, F.page("droplets", [], 1, "https://api.digitalocean.com/v2/droplets?cursor=abc")))
      ])
      const shape = yield* failsWith(compute.listNodes(), "MalformedResponse")
      expect(shape.reason).toContain("droplets")
      yield* failsWith(compute.getNode("1"), "MalformedResponse")
      const link = yield* failsWith(compute.listNodes(), "MalformedResponse")
      expect(link.reason).toContain("links.pages.next")
      yield* replay.assertDone
    }))
})

describe("DigitalOcean: catalogue", () => {
  it.effect("listSizes: price is price_hourly in USD, bandwidth the transfer in GB, sizes no longer offered left out", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(
          list("/sizes", 1),
          reply(200, F.page("sizes", [F.size(), F.size("s-1vcpu-512mb", { memory: 512, priceHourly: 0.00595, available: false })], 64, `${base}/sizes?page=2&per_page=200`, `${base}/sizes?page=2&per_page=200`))
        ),
        get(list("/sizes", 2), reply(200, F.page("sizes", [F.size("s-2vcpu-4gb", { memory: 4096, vcpus: 2, disk: 80, transfer: 4, priceHourly: 0.03571 })], 64)))
      ])
      const sizes = yield* compute.listSizes()
      expect(sizes.map((s) => [s.id, s.ramMb, s.vcpus, s.diskGb, s.bandwidth, s.price])).toEqual([
        ["s-1vcpu-1gb", 1024, 1, 25, 1000, 0.00743999984115362],
        ["s-2vcpu-4gb", 4096, 2, 80, 4000, 0.03571]
      ])
      expect(sizes[0]!.extra).toMatchObject({ priceMonthly: 5 })
      yield* replay.assertDone
    }))

  it.effect("listImages follows the pages; public images are their slug, private ones their number", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/images", 1), reply(200, F.page("images", [F.image()], 2, `${base}/images?page=2&per_page=200`))),
        get(list("/images", 2), reply(200, F.page("images", [F.image({ id: 90000001, slug: null, name: "my-snapshot" })], 2)))
      ])
      const images = yield* compute.listImages()
      expect(images.map((i) => [i.id, i.name])).toEqual([["ubuntu-20-04-x64", "20.04 (LTS) x64"], ["90000001", "my-snapshot"]])
      yield* replay.assertDone
    }))

  it.effect("listLocations: regions, with the country their slug's city is in", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/regions", 1), reply(200, F.page("regions", [F.region(), F.region("fra1", "Frankfurt 1"), F.region("xyz9", "Somewhere New")], 3)))
      ])
      const locations = yield* compute.listLocations()
      expect(locations.map((l) => [l.id, l.name, l.country])).toEqual([["nyc3", "New York 3", "US"], ["fra1", "Frankfurt 1", "DE"], ["xyz9", "Somewhere New", undefined]])
      yield* replay.assertDone
    }))
})

describe("DigitalOcean: key pairs", () => {
  const ed = F.sshKey(289794, "laptop", testPublicKeys.ed25519, fingerprints(testPublicKeys.ed25519).md5)

  it.effect("import checks the name is free, then posts name and key; the answer carries the MD5 fingerprint", () =>
    Effect.gen(function*() {
      const rsa = F.sshKey(289795, "ci", testPublicKeys.rsa, fingerprints(testPublicKeys.rsa).md5)
      const { compute, replay } = yield* setup([
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [ed], 1))),
        {
          request: { method: "POST", url: `${base}/account/keys`, headers: auth, body: jsonEquals({ name: "ci", public_key: testPublicKeys.rsa }) },
          response: reply(201, { ssh_key: rsa })
        },
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [ed, rsa], 2))),
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [ed, rsa], 2))),
        { request: { method: "POST", url: `${base}/account/keys` }, response: reply(422, F.error.unprocessable("SSH Key is already in use on your account")) }
      ])
      const imported = yield* compute.importKeyPair({ name: "ci", publicKey: testPublicKeys.rsa })
      expect([imported.name, imported.fingerprint, imported.extra["id"]]).toEqual(["ci", fingerprints(testPublicKeys.rsa).md5, 289795])
      const taken = yield* failsWith(compute.importKeyPair({ name: "laptop", publicKey: testPublicKeys.rsa }), "AlreadyExists")
      expect([taken.resource, taken.id]).toEqual(["keyPair", "laptop"])
      const sameKey = yield* failsWith(compute.importKeyPair({ name: "other", publicKey: testPublicKeys.ed25519 }), "AlreadyExists")
      expect(sameKey.id).toBe("other")
      yield* failsWith(compute.importKeyPair({ name: "bad", publicKey: "ssh-ed25519 AAAA" }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("delete finds the key by name and deletes it by id; an unknown name is NotFound", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [ed], 1))),
        { request: { method: "DELETE", url: `${base}/account/keys/289794`, headers: auth }, response: { status: 204 } },
        get(list("/account/keys", 1), reply(200, F.page("ssh_keys", [], 0)))
      ])
      yield* compute.deleteKeyPair("laptop")
      const e = yield* failsWith(compute.deleteKeyPair("laptop"), "NotFound")
      expect([e.resource, e.id]).toEqual(["keyPair", "laptop"])
      yield* replay.assertDone
    }))
})

describe("DigitalOcean: volumes and snapshots", () => {
  const vol = F.volume({ id: "506f78a4-e098-11e5-ad9f-000f53306ae1", name: "example" })
  const attached = F.volume({ id: "506f78a4-e098-11e5-ad9f-000f53306ae1", name: "example", dropletIds: [9] })

  it.effect("listVolumes: attachment from droplet_ids, size in GiB, region slug", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([get(list("/volumes", 1), reply(200, F.page("volumes", [vol, { ...attached, id: "b" }], 2)))])
      const volumes = yield* compute.listVolumes()
      expect(volumes.map((v) => [v.id, v.state, v.attachedTo, v.sizeGb, v.location])).toEqual([
        ["506f78a4-e098-11e5-ad9f-000f53306ae1", "available", undefined, 10, "nyc1"],
        ["b", "inUse", "9", 10, "nyc1"]
      ])
      yield* replay.assertDone
    }))

  it.effect("createVolume posts the documented body; without a region it is InvalidInput before any request", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        {
          request: {
            method: "POST",
            url: `${base}/volumes`,
            headers: auth,
            body: jsonEquals({ name: "example", size_gigabytes: 10, region: "nyc1", filesystem_type: "ext4", filesystem_label: "example", description: "Block store for examples" })
          },
          response: reply(201, { volume: vol })
        }
      ])
      const created = yield* compute.createVolume({
        name: "example",
        sizeGb: 10,
        location: "nyc1",
        extra: { filesystemType: "ext4", filesystemLabel: "example", description: "Block store for examples" }
      })
      expect([created.id, created.state]).toEqual([vol.id, "available"])
      const e = yield* failsWith(compute.createVolume({ name: "example", sizeGb: 10 }), "InvalidInput")
      expect(e.field).toBe("location")
      yield* failsWith(compute.createVolume({ name: "Example_1", sizeGb: 10, location: "nyc1" }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("attach looks at the volume and the droplet, then posts the action with the volume's region; detach and destroy refuse what would fail", () =>
    Effect.gen(function*() {
      const { compute, replay } = yield* setup([
        get(`/volumes/${vol.id}`, reply(200, { volume: vol })),
        get("/droplets/9", reply(200, { droplet: F.droplet({ id: 9, name: "web", status: "active" }) })),
        {
          request: { method: "POST", url: `${base}/volumes/${vol.id}/actions`, headers: auth, body: jsonEquals({ type: "attach", droplet_id: 9, region: "nyc1" }) },
          response: reply(202, F.action(72531856, "attach_volume", vol.id, "volume"))
        },
        get(`/volumes/${vol.id}`, reply(200, { volume: attached })),
        get(`/volumes/${vol.id}`, reply(200, { volume: attached })),
        get(`/volumes/${vol.id}`, reply(200, { volume: attached })),
        {
          request: { method: "POST", url: `${base}/volumes/${vol.id}/actions`, body: jsonEquals({ type: "detach", droplet_id: 9, region: "nyc1" }) },
          response: reply(202, F.action(68212773, "detach_volume", vol.id, "volume"))
        },
        get(`/volumes/${vol.id}`, reply(200, { volume: vol })),
        { request: { method: "DELETE", url: `${base}/volumes/${vol.id}`, headers: auth }, response: { status: 204 } }
      ])
      const attaching = yield* compute.attachVolume(vol.id, "9")
      expect([attaching.state, attaching.attachedTo]).toEqual(["attaching", "9"])
      const again = yield* failsWith(compute.attachVolume(vol.id, "9"), "Conflict")
      expect(again.reason).toBe("attached to node 9")
      yield* failsWith(compute.destroyVolume(vol.id), "Conflict")
      const detaching = yield* compute.detachVolume(vol.id)
      expect([detaching.state, detaching.attachedTo]).toEqual(["detaching", undefined])
      yield* compute.destroyVolume(vol.id)
      yield* replay.assertDone
    }))

  it.effect("snapshots: create with a name, list per volume and for the account, delete; a missing volume is NotFound", () =>
    Effect.gen(function*() {
      const snap = F.snapshot({ id: "8eb4d51a-873f-11e6-96bf-000f53315a41", name: "big-data-snapshot1475261752", volumeId: vol.id })
      const { compute, replay } = yield* setup([
        {
          request: { method: "POST", url: `${base}/volumes/${vol.id}/snapshots`, headers: auth, body: jsonEquals({ name: "big-data-snapshot1475261752" }) },
          response: reply(201, { snapshot: snap })
        },
        get(list(`/volumes/${vol.id}/snapshots`, 1), reply(200, F.page("snapshots", [snap], 1))),
        get(list("/snapshots?resource_type=volume", 1), reply(200, F.page("snapshots", [snap], 1))),
        { request: { method: "DELETE", url: `${base}/volumes/snapshots/${snap.id}`, headers: auth }, response: { status: 204 } },
        get(list("/volumes/nope/snapshots", 1), reply(404, F.error.notFound)),
        { request: { method: "POST", url: `${base}/volumes/nope/snapshots` }, response: reply(404, F.error.notFound) }
      ])
      const created = yield* compute.createVolumeSnapshot(vol.id, { name: "big-data-snapshot1475261752" })
      expect([created.id, created.volumeId, created.sizeGb, created.state]).toEqual([snap.id, vol.id, 10, "available"])
      expect((yield* compute.listVolumeSnapshots(vol.id)).map((s) => s.id)).toEqual([snap.id])
      expect((yield* compute.listVolumeSnapshots()).map((s) => s.name)).toEqual(["big-data-snapshot1475261752"])
      yield* compute.destroyVolumeSnapshot(snap.id)
      const listed = yield* failsWith(compute.listVolumeSnapshots("nope"), "NotFound")
      expect([listed.resource, listed.id]).toEqual(["volume", "nope"])
      yield* failsWith(compute.createVolumeSnapshot("nope"), "NotFound")
      yield* replay.assertDone
    }))
})

describe("DigitalOcean: configuration", () => {
  it.effect("says it is digitalocean, in the configured region, with every compute capability", () =>
    Effect.gen(function*() {
      const { compute } = yield* setup([], { region: "fra1" })
      expect(compute.provider.id).toBe("digitalocean")
      expect(compute.provider.region).toBe("fra1")
      expect([...compute.provider.capabilities].sort()).toEqual(["compute.keyPairs", "compute.reboot", "compute.snapshots", "compute.startStop", "compute.volumes"])
    }))

  it.effect("layerConfig reads DIGITALOCEAN_TOKEN, else DIGITALOCEAN_ACCESS_TOKEN, and DIGITALOCEAN_API_URL", () =>
    Effect.gen(function*() {
      const run = (env: Record<string, string>, expected: string) =>
        Effect.gen(function*() {
          const replay = yield* Replay.make([
            { request: { url: `${env["DIGITALOCEAN_API_URL"] ?? base}/sizes?page=1&per_page=200`, headers: { authorization: `Bearer ${expected}` } }, response: reply(200, F.page("sizes", [], 0)) }
          ])
          yield* Effect.flatMap(Compute, (c) => c.listSizes()).pipe(
            Effect.provide(DigitalOcean.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, replay.client)))),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
          )
          yield* replay.assertDone
        })
      yield* run({ DIGITALOCEAN_TOKEN: "t-one", DIGITALOCEAN_ACCESS_TOKEN: "t-two" }, "t-one")
      yield* run({ DIGITALOCEAN_ACCESS_TOKEN: "t-two", DIGITALOCEAN_API_URL: "http://127.0.0.1:9/v2" }, "t-two")
      const missing = yield* Effect.exit(
        Effect.flatMap(Compute, (c) => c.listSizes()).pipe(
          Effect.provide(DigitalOcean.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request")))))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(Exit.isFailure(missing)).toBe(true)
    }))
})
