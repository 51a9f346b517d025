/**
 * Cloudflare DNS on recorded exchanges shaped as the API reference documents
 * them (fixtures.ts names each source): exact requests, pagination over two
 * pages, every documented error, rate limits, and what is never retried.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { Replay } from "../../../src/http/index.js"
import { Cloudflare } from "../../../src/layers/cloudflare/index.js"
import { Dns } from "../../../src/services/Dns.js"
import { failsWith } from "../../contract/harness.js"
import { jsonEquals, reply, withTime } from "../digitalocean/support.js"
import * as F from "./fixtures.js"

const base = "https://api.cloudflare.com/client/v4"
const token = "cf-api-token-0123456789-secret"
const auth = { authorization: `Bearer ${token}` }
const accountId = "023e105f4ecef8ad9ca31a8372d0c353"
const zoneId = "023e105f4ecef8ad9ca31a8372d0c353"
const recordId = "372e67954025e0ba6aaa6d586b9e0b59"

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Cloudflare.CloudflareConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* Cloudflare.makeServices({ apiToken: Redacted.make(token), accountId, retry: { jitter: 0 }, ...config }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { ...services, replay }
  })

const on = (method: string, path: string, response: Replay.ResponseSpec, body?: unknown): Replay.Exchange => ({
  request: { method, url: `${base}${path}`, headers: auth, ...(body === undefined ? {} : { body: jsonEquals(body) }) },
  response
})
const get = (path: string, response: Replay.ResponseSpec) => on("GET", path, response)

const theZone = F.zone({ id: zoneId, name: "example.com" })
const getZone = get(`/zones/${zoneId}`, reply(200, F.ok(theZone)))

const aRecord = F.record({
  id: recordId,
  name: "www.example.com",
  type: "A",
  content: "198.51.100.4",
  ttl: 3600,
  proxied: true,
  proxiable: true,
  comment: "Domain verification record",
  tags: ["owner:dns-team"]
})

const routeError = (id: string) =>
  F.failure([{ code: 7003, message: `Could not route to /zones/${id}, perhaps your object identifier is invalid?` }, {
    code: 7000,
    message: "No route for that URI"
  }])

describe("Cloudflare: zones", () => {
  it.effect("listZones follows result_info over two pages and maps the documented zone", () =>
    Effect.gen(function*() {
      const second = F.zone({ id: "9a7806061c88ada191ed06f989cc3dac", name: "example.org", type: "partial", status: "pending" })
      const third = F.zone({ id: "0f7f0e2a1e2b4d9c8e7a6b5c4d3e2f1a", name: "example.net", type: "secondary" })
      const { dns, replay } = yield* setup([
        get("/zones?page=1&per_page=2", reply(200, F.listed([theZone, second], { page: 1, per_page: 2, total_count: 3 }))),
        get("/zones?page=2&per_page=2", reply(200, F.listed([third], { page: 2, per_page: 2, total_count: 3 })))
      ], { pageSize: 2 })
      const zones = [...yield* Stream.runCollect(dns.listZones())]
      expect(zones.map((z) => [z.id, z.domain, z.type])).toEqual([
        [zoneId, "example.com", "master"],
        ["9a7806061c88ada191ed06f989cc3dac", "example.org", "master"],
        ["0f7f0e2a1e2b4d9c8e7a6b5c4d3e2f1a", "example.net", "slave"]
      ])
      expect(zones[0]!.ttl).toBeUndefined()
      expect(zones[0]!.extra).toMatchObject({
        cloudflareType: "full",
        status: "active",
        nameServers: ["bob.ns.cloudflare.com", "lola.ns.cloudflare.com"],
        accountId
      })
      expect(zones[1]!.extra).toMatchObject({ cloudflareType: "partial", status: "pending" })
      yield* replay.assertDone
    }))

  it.effect("a listing taken from partially asks for one page only", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get("/zones?page=1&per_page=1", reply(200, F.listed([theZone], { page: 1, per_page: 1, total_count: 5 })))
      ], { pageSize: 1 })
      expect([...yield* Stream.runCollect(Stream.take(dns.listZones(), 1))].map((z) => z.id)).toEqual([zoneId])
      yield* replay.assertDone
    }))

  it.effect("getZone, and a bad identifier (7003 with its chain of errors) is NotFound", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([getZone, get("/zones/nope", reply(400, routeError("nope")))])
      const z = yield* dns.getZone(zoneId)
      expect([z.id, z.domain, z.type]).toEqual([zoneId, "example.com", "master"])
      const e = yield* failsWith(dns.getZone("nope"), "NotFound")
      expect([e.resource, e.id]).toEqual(["zone", "nope"])
      yield* replay.assertDone
    }))

  it.effect("createZone posts name, account and type; 1061 is AlreadyExists", () =>
    Effect.gen(function*() {
      const body = { name: "example.com", account: { id: accountId }, type: "full" }
      const { dns, replay } = yield* setup([
        on("POST", "/zones", reply(200, F.ok(F.zone({ id: zoneId, name: "example.com", status: "pending" }))), body),
        on("POST", "/zones", reply(400, F.failure([{ code: 1061, message: "example.com already exists" }])), body),
        on("POST", "/zones", reply(200, F.ok(F.zone({ id: zoneId, name: "example.com", type: "partial" }))), { ...body, type: "partial" })
      ])
      const z = yield* dns.createZone({ domain: "Example.COM.", ttl: 3600 })
      expect([z.id, z.domain, z.type]).toEqual([zoneId, "example.com", "master"])
      const e = yield* failsWith(dns.createZone({ domain: "example.com" }), "AlreadyExists")
      expect([e.resource, e.id]).toEqual(["zone", "example.com"])
      const partial = yield* dns.createZone({ domain: "example.com", extra: { type: "partial" } })
      expect(partial.extra["cloudflareType"]).toBe("partial")
      yield* replay.assertDone
    }))

  it.effect("createZone without an account id, or with a bad extra.type, is InvalidInput before any request", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([], { accountId: undefined })
      const e = yield* failsWith(dns.createZone({ domain: "example.com" }), "InvalidInput")
      expect(e.field).toBe("accountId")
      yield* failsWith(dns.createZone({ domain: "example.com", extra: { type: "primary" } }), "InvalidInput")
      yield* failsWith(dns.createZone({ domain: "bad domain" }), "InvalidInput")
      expect(yield* replay.requests).toEqual([])
    }))

  it.effect("deleteZone answers the deleted id; updateZone is Unsupported and not a capability", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        on("DELETE", `/zones/${zoneId}`, reply(200, F.ok({ id: zoneId }))),
        on("DELETE", `/zones/${zoneId}`, reply(400, routeError(zoneId)))
      ])
      yield* dns.deleteZone(zoneId)
      yield* failsWith(dns.deleteZone(zoneId), "NotFound")
      yield* failsWith(dns.updateZone(zoneId, { ttl: 60 }), "Unsupported")
      expect([...dns.provider.capabilities]).toEqual([])
      expect(dns.provider.id).toBe("cloudflare")
      yield* replay.assertDone
    }))
})

describe("Cloudflare: records", () => {
  it.effect("listRecords reads the zone's name, then every page; names relative, hosts absolute, TTL 1 automatic", () =>
    Effect.gen(function*() {
      const mx = F.record({ id: "a1", name: "example.com", type: "MX", content: "mail.example.com", priority: 10, ttl: 1 })
      const srv = F.record({
        id: "a2",
        name: "_sip._tcp.example.com",
        type: "SRV",
        content: "5 5060 sip.example.com",
        data: { priority: 10, weight: 5, port: 5060, target: "sip.example.com" },
        ttl: 300
      })
      const caa = F.record({
        id: "a3",
        name: "example.com",
        type: "CAA",
        content: "0 issue \"letsencrypt.org\"",
        data: { flags: 0, tag: "issue", value: "letsencrypt.org" },
        ttl: 3600
      })
      const https = F.record({ id: "a4", name: "example.com", type: "HTTPS", content: "1 . alpn=\"h2\"", ttl: 300 })
      const { dns, replay } = yield* setup([
        getZone,
        get(`/zones/${zoneId}/dns_records?page=1&per_page=3`, reply(200, F.listed([aRecord, mx, srv], { page: 1, per_page: 3, total_count: 5 }))),
        get(`/zones/${zoneId}/dns_records?page=2&per_page=3`, reply(200, F.listed([caa, https], { page: 2, per_page: 3, total_count: 5 })))
      ], { pageSize: 3 })
      const records = [...yield* Stream.runCollect(dns.listRecords(zoneId))]
      expect(records.map((r) => [r.id, r.name, r.type, r.data, r.ttl, r.priority])).toEqual([
        [recordId, "www", "A", "198.51.100.4", 3600, undefined],
        ["a1", "", "MX", "mail.example.com.", undefined, 10],
        ["a2", "_sip._tcp", "SRV", "5 5060 sip.example.com.", 300, 10],
        ["a3", "", "CAA", "0 issue \"letsencrypt.org\"", 3600, undefined]
      ])
      expect(records[0]!.zoneId).toBe(zoneId)
      expect(records[0]!.extra).toMatchObject({ proxied: true, proxiable: true, comment: "Domain verification record", tags: ["owner:dns-team"], ttlAutomatic: false })
      expect(records[1]!.extra["ttlAutomatic"]).toBe(true)
      yield* replay.assertDone
    }))

  it.effect("listRecords of a missing zone is NotFound naming the zone", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([get("/zones/gone", reply(400, routeError("gone")))])
      const e = yield* failsWith(Stream.runCollect(dns.listRecords("gone")), "NotFound")
      expect([e.resource, e.id]).toEqual(["zone", "gone"])
      yield* replay.assertDone
    }))

  it.effect("getRecord, and 81044 is NotFound naming the record", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        getZone,
        get(`/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok(aRecord))),
        getZone,
        get(`/zones/${zoneId}/dns_records/missing`, reply(404, F.failure([{ code: 81044, message: "Record does not exist." }])))
      ])
      const r = yield* dns.getRecord(zoneId, recordId)
      expect([r.name, r.type, r.data, r.ttl]).toEqual(["www", "A", "198.51.100.4", 3600])
      const e = yield* failsWith(dns.getRecord(zoneId, "missing"), "NotFound")
      expect([e.resource, e.id]).toEqual(["record", "missing"])
      yield* replay.assertDone
    }))

  it.effect("createRecord sends the full name and the documented body per type; no TTL is automatic (1)", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(200, F.ok(aRecord)), { type: "A", name: "www.example.com", content: "198.51.100.4", ttl: 3600 }),
        getZone,
        on(
          "POST",
          `/zones/${zoneId}/dns_records`,
          reply(200, F.ok(F.record({ id: "m1", name: "example.com", type: "MX", content: "mail.example.com", priority: 10, ttl: 1 }))),
          { type: "MX", name: "example.com", content: "mail.example.com", priority: 10, ttl: 1 }
        ),
        getZone,
        on(
          "POST",
          `/zones/${zoneId}/dns_records`,
          reply(200, F.ok(F.record({ id: "s1", name: "_sip._tcp.example.com", type: "SRV", content: "20 5060 sip.example.com", data: { priority: 5, weight: 20, port: 5060, target: "sip.example.com" }, ttl: 600 }))),
          { type: "SRV", name: "_sip._tcp.example.com", ttl: 600, data: { priority: 5, weight: 20, port: 5060, target: "sip.example.com" } }
        ),
        getZone,
        on(
          "POST",
          `/zones/${zoneId}/dns_records`,
          reply(200, F.ok(F.record({ id: "c1", name: "example.com", type: "CAA", content: "0 issue \"letsencrypt.org\"", data: { flags: 0, tag: "issue", value: "letsencrypt.org" }, ttl: 1 }))),
          { type: "CAA", name: "example.com", ttl: 1, data: { flags: 0, tag: "issue", value: "letsencrypt.org" } }
        )
      ])
      const a = yield* dns.createRecord(zoneId, { name: "www", type: "A", data: "198.51.100.4", ttl: 3600 })
      expect([a.id, a.name]).toEqual([recordId, "www"])
      const mx = yield* dns.createRecord(zoneId, { name: "@", type: "MX", data: "mail.example.com.", priority: 10 })
      expect([mx.name, mx.data, mx.priority, mx.ttl]).toEqual(["", "mail.example.com.", 10, undefined])
      const srv = yield* dns.createRecord(zoneId, { name: "_sip._tcp", type: "SRV", data: "20 5060 sip.example.com.", priority: 5, ttl: 600 })
      expect([srv.data, srv.priority]).toEqual(["20 5060 sip.example.com.", 5])
      const caa = yield* dns.createRecord(zoneId, { name: "", type: "CAA", data: "0 issue \"letsencrypt.org\"" })
      expect(caa.data).toBe("0 issue \"letsencrypt.org\"")
      yield* replay.assertDone
    }))

  it.effect("81057 is AlreadyExists, 81053 a Conflict, a 400 validation error a ProviderError with Cloudflare's message", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(400, F.failure([{ code: 81057, message: "Record already exists." }]))),
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(400, F.failure([{ code: 81053, message: "An A, AAAA, or CNAME record with that host already exists." }]))),
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(400, F.failure([{ code: 9005, message: "Content for A record must be a valid IPv4 address." }])))
      ])
      const spec = { name: "www", type: "A", data: "198.51.100.4" } as const
      const dup = yield* failsWith(dns.createRecord(zoneId, spec), "AlreadyExists")
      expect(dup.resource).toBe("record")
      const clash = yield* failsWith(dns.createRecord(zoneId, { name: "www", type: "CNAME", data: "example.net." }), "Conflict")
      expect(clash.reason).toContain("81053")
      const e = yield* failsWith(dns.createRecord(zoneId, spec), "ProviderError")
      expect([e.status, e.code, e.detail]).toEqual([400, "9005", "Content for A record must be a valid IPv4 address. (9005)"])
      yield* replay.assertDone
    }))

  it.effect("bad records are InvalidInput before any request", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([])
      const bad: ReadonlyArray<Dns.RecordSpec> = [
        { name: "www", type: "A", data: "198.51.100.4", ttl: 10 },
        { name: "www", type: "A", data: "198.51.100.4", ttl: 90000 },
        { name: "www", type: "SSHFP", data: "1 1 abcd" },
        { name: "_s._tcp", type: "SRV", data: "5060 sip.example.com.", priority: 1 },
        { name: "", type: "CAA", data: "0 issue" },
        { name: "www", type: "A", data: "198.51.100.4", priority: 5 },
        { name: "www", type: "CNAME", data: "not a host" }
      ]
      for (const spec of bad) yield* failsWith(dns.createRecord(zoneId, spec), "InvalidInput", JSON.stringify(spec))
      expect(yield* replay.requests).toEqual([])
    }))

  it.effect("updateRecord reads, merges and overwrites (PUT) keeping proxied, comment and tags; 81058 is a Conflict", () =>
    Effect.gen(function*() {
      const put = { type: "A", name: "www.example.com", content: "198.51.100.5", ttl: 600, proxied: true, comment: "Domain verification record", tags: ["owner:dns-team"] }
      const { dns, replay } = yield* setup([
        getZone,
        get(`/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok(aRecord))),
        on("PUT", `/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok({ ...aRecord, content: "198.51.100.5", ttl: 600 })), put),
        getZone,
        get(`/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok(aRecord))),
        on("PUT", `/zones/${zoneId}/dns_records/${recordId}`, reply(400, F.failure([{ code: 81058, message: "An identical record already exists." }])))
      ])
      const r = yield* dns.updateRecord(zoneId, recordId, { data: "198.51.100.5", ttl: 600 })
      expect([r.id, r.data, r.ttl]).toEqual([recordId, "198.51.100.5", 600])
      const e = yield* failsWith(dns.updateRecord(zoneId, recordId, { data: "198.51.100.6" }), "Conflict")
      expect([e.resource, e.id]).toEqual(["record", recordId])
      yield* replay.assertDone
    }))

  it.effect("deleteRecord answers the deleted id; a missing one is NotFound", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        getZone,
        on("DELETE", `/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok({ id: recordId }))),
        getZone,
        on("DELETE", `/zones/${zoneId}/dns_records/${recordId}`, reply(404, F.failure([{ code: 81044, message: "Record does not exist." }])))
      ])
      yield* dns.deleteRecord(zoneId, recordId)
      const e = yield* failsWith(dns.deleteRecord(zoneId, recordId), "NotFound")
      expect(e.resource).toBe("record")
      yield* replay.assertDone
    }))

  it.effect("listRecordTypes are the writable ones", () =>
    Effect.gen(function*() {
      const { dns } = yield* setup([])
      expect(yield* dns.listRecordTypes()).toEqual(["A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT"])
    }))
})

describe("Cloudflare: the Cloudflare tag", () => {
  it.effect("setProxied PATCHes proxied alone; createRecord takes comment and tags", () =>
    Effect.gen(function*() {
      const { cloudflare, replay } = yield* setup([
        getZone,
        on("PATCH", `/zones/${zoneId}/dns_records/${recordId}`, reply(200, F.ok({ ...aRecord, proxied: false })), { proxied: false }),
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(200, F.ok(aRecord)), {
          type: "A",
          name: "www.example.com",
          content: "198.51.100.4",
          ttl: 1,
          proxied: true,
          comment: "Domain verification record",
          tags: ["owner:dns-team"]
        })
      ])
      const r = yield* cloudflare.setProxied(zoneId, recordId, false)
      expect(r.extra["proxied"]).toBe(false)
      const created = yield* cloudflare.createRecord(zoneId, { name: "www", type: "A", data: "198.51.100.4" }, {
        proxied: true,
        comment: "Domain verification record",
        tags: ["owner:dns-team"]
      })
      expect(created.extra["comment"]).toBe("Domain verification record")
      yield* replay.assertDone
    }))

  it.effect("purgeCache posts purge_everything or files; bad URLs are InvalidInput", () =>
    Effect.gen(function*() {
      const { cloudflare, replay } = yield* setup([
        on("POST", `/zones/${zoneId}/purge_cache`, reply(200, F.ok({ id: zoneId })), { purge_everything: true }),
        on("POST", `/zones/${zoneId}/purge_cache`, reply(200, F.ok({ id: zoneId })), { files: ["https://example.com/a.css"] })
      ])
      yield* cloudflare.purgeCache(zoneId, { everything: true })
      yield* cloudflare.purgeCache(zoneId, { files: ["https://example.com/a.css"] })
      yield* failsWith(cloudflare.purgeCache(zoneId, { files: ["a.css"] }), "InvalidInput")
      yield* failsWith(cloudflare.purgeCache(zoneId, { files: [] }), "InvalidInput")
      yield* replay.assertDone
    }))
})

describe("Cloudflare: authentication, rate limits, retries", () => {
  it.effect("10000 is InvalidCredentials; the token never appears in the error", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([get(`/zones/${zoneId}`, reply(403, F.failure([{ code: 10000, message: "Authentication error" }])))])
      const e = yield* failsWith(dns.getZone(zoneId), "InvalidCredentials")
      expect(e.reason).toBe("Authentication error (10000)")
      expect(JSON.stringify(e)).not.toContain(token)
      expect(e.message).not.toContain(token)
      yield* replay.assertDone
    }))

  it.effect("9109 with a 401 is InvalidCredentials, with a 403 PermissionDenied", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get(`/zones/${zoneId}`, reply(401, F.failure([{ code: 9109, message: "Invalid access token" }]))),
        get(`/zones/${zoneId}`, reply(403, F.failure([{ code: 9109, message: "Unauthorized to access requested resource" }])))
      ])
      yield* failsWith(dns.getZone(zoneId), "InvalidCredentials")
      const e = yield* failsWith(dns.getZone(zoneId), "PermissionDenied")
      expect(e.reason).toBe("Unauthorized to access requested resource (9109)")
      yield* replay.assertDone
    }))

  it.effect("an error_chain becomes one readable message", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get(`/zones/${zoneId}`, reply(400, F.failure([{ code: 6003, message: "Invalid request headers", error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }] }])))
      ])
      const e = yield* failsWith(dns.getZone(zoneId), "ProviderError")
      expect([e.code, e.detail]).toEqual(["6003", "Invalid request headers (6003): Invalid format for Authorization header (6111)"])
      yield* replay.assertDone
    }))

  it.effect("a 429 on a read waits Retry-After and retries", () =>
    Effect.gen(function*() {
      const limited = reply(429, F.failure([{ code: 971, message: "Please wait and consider throttling your request speed" }]), { "retry-after": "30" })
      const { dns, replay } = yield* setup([get(`/zones/${zoneId}`, limited), getZone])
      const z = yield* withTime(dns.getZone(zoneId))
      expect(z.id).toBe(zoneId)
      yield* replay.assertDone
    }))

  it.effect("a 429 on a POST is retried (nothing was done); a 500 on a POST is not", () =>
    Effect.gen(function*() {
      const limited = reply(429, F.failure([{ code: 971, message: "Please wait and consider throttling your request speed" }]), { "retry-after": "5" })
      const { dns, replay } = yield* setup([
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, limited),
        on("POST", `/zones/${zoneId}/dns_records`, reply(200, F.ok(aRecord))),
        getZone,
        on("POST", `/zones/${zoneId}/dns_records`, reply(500, F.failure([{ code: 10001, message: "Internal error" }])))
      ])
      const spec = { name: "www", type: "A", data: "198.51.100.4", ttl: 3600 } as const
      expect((yield* withTime(dns.createRecord(zoneId, spec))).id).toBe(recordId)
      const e = yield* failsWith(withTime(dns.createRecord(zoneId, spec)), "ProviderError")
      expect(e.status).toBe(500)
      yield* replay.assertDone
    }))

  it.effect("a 2xx envelope with success false is a ProviderError; garbage is MalformedResponse", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get(`/zones/${zoneId}`, reply(200, F.failure([{ code: 1000, message: "Something odd" }]))),
        get(`/zones/${zoneId}`, { status: 200, headers: { "content-type": "application/json" }, body: "{\"success\":true,\"result\":{\"id\":1}}" })
      ])
      yield* failsWith(dns.getZone(zoneId), "ProviderError")
      yield* failsWith(dns.getZone(zoneId), "MalformedResponse")
      yield* replay.assertDone
    }))
})

describe("Cloudflare: layerConfig", () => {
  it.effect("reads CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_BASE_URL", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.make([
        { request: { method: "GET", url: "http://127.0.0.1:1/v4/zones/z1", headers: auth }, response: reply(200, F.ok(F.zone({ id: "z1", name: "example.com" }))) }
      ])
      const program = Effect.flatMap(Dns, (dns) => dns.getZone("z1"))
      const z = yield* program.pipe(
        Effect.provide(Cloudflare.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, replay.client)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([
          ["CLOUDFLARE_API_TOKEN", token],
          ["CLOUDFLARE_ACCOUNT_ID", accountId],
          ["CLOUDFLARE_BASE_URL", "http://127.0.0.1:1/v4"]
        ])))
      )
      expect(z.domain).toBe("example.com")
      yield* replay.assertDone
    }))

  it.effect("fails with a ConfigError without a token", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.flatMap(Dns, (dns) => dns.getZone("z1")).pipe(
          Effect.provide(Cloudflare.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request")))))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(exit._tag).toBe("Failure")
    }))
})
