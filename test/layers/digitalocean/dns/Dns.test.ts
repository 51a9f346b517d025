/**
 * DigitalOcean DNS on recorded exchanges shaped as the reference documents
 * them (fixtures.ts names each source): exact requests, pagination, the
 * "@" / SRV / CAA mapping, BIND export through the Dns interface, and the
 * documented errors.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Redacted, Stream } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as DigitalOceanDns from "../../../../src/layers/digitalocean/dns/DigitalOceanDns.js"
import { exportZoneToBind } from "../../../../src/services/Bind.js"
import { failsWith } from "../../../contract/harness.js"
import * as F from "../fixtures.js"
import { jsonEquals, reply } from "../support.js"
import * as D from "./fixtures.js"

const base = "https://api.digitalocean.com/v2"
const token = "dop_v1_0123456789abcdef-dns-secret"
const auth = { authorization: `Bearer ${token}` }

const setup = (exchanges: ReadonlyArray<Replay.Exchange>) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const dns = yield* DigitalOceanDns.make({ token: Redacted.make(token), retry: { jitter: 0 } }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { dns, replay }
  })

const get = (path: string, response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "GET", url: `${base}${path}`, headers: auth }, response })
const send = (method: string, path: string, body: unknown, response: Replay.ResponseSpec): Replay.Exchange => ({
  request: { method, url: `${base}${path}`, headers: { ...auth, "content-type": "application/json" }, body: jsonEquals(body) },
  response
})
const list = (path: string, page: number, query = "") => `${path}?${query}page=${page}&per_page=200`
const collect = <A, E>(s: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(s), Chunk.toReadonlyArray)

const documented = [
  ...D.nameservers(28448429),
  D.record({ id: 28448432, type: "A", name: "@", data: "1.2.3.4" }),
  D.record({ id: 28448433, type: "A", name: "www", data: "162.10.66.0" }),
  D.record({ id: 28448434, type: "CNAME", name: "blog", data: "@" }),
  D.record({ id: 28448435, type: "MX", name: "@", data: "mail.example.com", priority: 10 }),
  D.record({ id: 28448436, type: "SRV", name: "_sip._tcp", data: "sip.example.com", priority: 10, port: 5060, weight: 5 }),
  D.record({ id: 28448437, type: "CAA", name: "@", data: "letsencrypt.org", flags: 0, tag: "issue" }),
  D.record({ id: 28448438, type: "TXT", name: "@", data: "v=spf1 -all", ttl: 300 })
]

describe("DigitalOcean DNS: replayed", () => {
  it.effect("listZones is a lazy Stream over links.pages.next; getZone maps the documented domain", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get(list("/domains", 1), reply(200, F.page("domains", [D.domain("example.com")], 2, `${base}/domains?page=2&per_page=200`))),
        get(list("/domains", 2), reply(200, F.page("domains", [D.domain("example.org", null)], 2))),
        get(list("/domains", 1), reply(200, F.page("domains", [D.domain("example.com")], 2, `${base}/domains?page=2&per_page=200`))),
        get("/domains/example.com", reply(200, { domain: D.domain() }))
      ])
      const zones = yield* collect(dns.listZones())
      expect(zones.map((z) => [z.id, z.domain, z.type, z.ttl])).toEqual([["example.com", "example.com", "master", 1800], ["example.org", "example.org", "master", undefined]])
      expect(Chunk.size(yield* Stream.runCollect(Stream.take(dns.listZones(), 1))), "one page for one zone").toBe(1)
      const zone = yield* dns.getZone("Example.COM.")
      expect(zone.extra["zoneFile"]).toContain("IN SOA ns1.digitalocean.com.")
      yield* replay.assertDone
    }))

  it.effect("listRecords maps @, host data, MX priority, SRV and CAA fields onto zone-file data; the BIND export follows", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get(list("/domains/example.com/records", 1), reply(200, F.page("domain_records", documented.slice(0, 6), 11, `${base}/domains/example.com/records?page=2&per_page=200`))),
        get(list("/domains/example.com/records", 2), reply(200, F.page("domain_records", documented.slice(6), 11)))
      ])
      const records = yield* collect(dns.listRecords("example.com"))
      expect(records.map((r) => [r.id, r.name, r.type, r.data, r.priority])).toEqual([
        ["28448429", "", "NS", "ns1.digitalocean.com.", undefined],
        ["28448430", "", "NS", "ns2.digitalocean.com.", undefined],
        ["28448431", "", "NS", "ns3.digitalocean.com.", undefined],
        ["28448432", "", "A", "1.2.3.4", undefined],
        ["28448433", "www", "A", "162.10.66.0", undefined],
        ["28448434", "blog", "CNAME", "example.com.", undefined],
        ["28448435", "", "MX", "mail.example.com.", 10],
        ["28448436", "_sip._tcp", "SRV", "5 5060 sip.example.com.", 10],
        ["28448437", "", "CAA", "0 issue \"letsencrypt.org\"", undefined],
        ["28448438", "", "TXT", "v=spf1 -all", undefined]
      ])
      expect(records[7]!.extra).toEqual({ weight: 5, port: 5060 })
      expect(records.every((r) => r.zoneId === "example.com")).toBe(true)
      const bind = exportZoneToBind({ domain: "example.com", ttl: 1800 }, records)
      expect(bind).toContain("_sip._tcp.example.com.\t1800\tIN\tSRV\t10\t5 5060 sip.example.com.")
      expect(bind).toContain("example.com.\t300\tIN\tTXT\t\"v=spf1 -all\"")
      yield* replay.assertDone
    }))

  it.effect("createZone checks the name is free, then POSTs name and ip_address; a taken name is AlreadyExists", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get("/domains/example.com", reply(404, F.error.notFound)),
        send("POST", "/domains", { name: "example.com", ip_address: "1.2.3.4" }, reply(201, D.createdDomain())),
        get("/domains/example.com", reply(200, { domain: D.domain() })),
        get("/domains/example.net", reply(404, F.error.notFound)),
        { request: { method: "POST", url: `${base}/domains` }, response: reply(422, F.error.unprocessable("Name already exists")) }
      ])
      const zone = yield* dns.createZone({ domain: "Example.com.", ttl: 3600, extra: { ipAddress: "1.2.3.4" } })
      expect([zone.id, zone.ttl]).toEqual(["example.com", 1800])
      expect((yield* failsWith(dns.createZone({ domain: "example.com" }), "AlreadyExists")).resource).toBe("zone")
      expect((yield* failsWith(dns.createZone({ domain: "example.net" }), "AlreadyExists")).id).toBe("example.net")
      yield* failsWith(dns.updateZone("example.com", { ttl: 60 }), "Unsupported")
      yield* failsWith(dns.createZone({ domain: "example.com", type: "slave" }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("createRecord reads the name (fully qualified) for twins and CNAME clashes, then POSTs DigitalOcean's fields", () =>
    Effect.gen(function*() {
      const srv = D.record({ id: 28448440, type: "SRV", name: "_sip._tcp", data: "sip.example.com.", priority: 10, port: 5060, weight: 5, ttl: 600 })
      const caa = D.record({ id: 28448441, type: "CAA", name: "@", data: "letsencrypt.org", flags: 0, tag: "issuewild" })
      const { dns, replay } = yield* setup([
        get(list("/domains/example.com/records", 1, "name=_sip._tcp.example.com&"), reply(200, F.page("domain_records", [], 0))),
        send("POST", "/domains/example.com/records", { type: "SRV", name: "_sip._tcp", data: "sip.example.com.", priority: 10, port: 5060, weight: 5, ttl: 600 }, reply(201, { domain_record: srv })),
        get(list("/domains/example.com/records", 1, "name=example.com&"), reply(200, F.page("domain_records", D.nameservers(1), 3))),
        send("POST", "/domains/example.com/records", { type: "CAA", name: "@", data: "letsencrypt.org", flags: 0, tag: "issuewild" }, reply(201, { domain_record: caa })),
        get(list("/domains/example.com/records", 1, "name=blog.example.com&"), reply(200, F.page("domain_records", [D.record({ id: 7, type: "CNAME", name: "blog", data: "@" })], 1))),
        get(list("/domains/example.com/records", 1, "name=example.com&"), reply(200, F.page("domain_records", D.nameservers(1), 3)))
      ])
      const created = yield* dns.createRecord("example.com", { name: "_sip._tcp", type: "SRV", data: "5 5060 sip.example.com.", priority: 10, ttl: 600 })
      expect([created.id, created.data, created.priority, created.ttl]).toEqual(["28448440", "5 5060 sip.example.com.", 10, 600])
      const issued = yield* dns.createRecord("example.com", { name: "@", type: "CAA", data: "0 issuewild \"letsencrypt.org\"" })
      expect([issued.name, issued.data]).toEqual(["", "0 issuewild \"letsencrypt.org\""])
      yield* failsWith(dns.createRecord("example.com", { name: "blog", type: "A", data: "192.0.2.1" }), "Conflict")
      const twin = yield* failsWith(dns.createRecord("example.com", { name: "", type: "NS", data: "ns2.digitalocean.com." }), "AlreadyExists")
      expect(twin.id).toBe("2")
      yield* failsWith(dns.createRecord("example.com", { name: "", type: "SOA", data: "a b 1 2 3 4 5" }), "InvalidInput")
      yield* failsWith(dns.createRecord("example.com", { name: "x", type: "PTR", data: "host.example.com." }), "InvalidInput")
      yield* replay.assertDone
    }))

  it.effect("updateRecord PUTs the whole record; the SOA takes only a TTL; deleteRecord DELETEs", () =>
    Effect.gen(function*() {
      const www = D.record({ id: 28448433, type: "A", name: "www", data: "162.10.66.0" })
      const soa = D.record({ id: 28448428, type: "SOA", name: "@", data: "1800" })
      const { dns, replay } = yield* setup([
        get("/domains/example.com/records/28448433", reply(200, { domain_record: www })),
        get(list("/domains/example.com/records", 1, "name=www.example.com&"), reply(200, F.page("domain_records", [www], 1))),
        send("PUT", "/domains/example.com/records/28448433", { type: "A", name: "www", data: "162.10.66.1", ttl: 600 }, reply(200, { domain_record: { ...www, data: "162.10.66.1", ttl: 600 } })),
        get("/domains/example.com/records/28448428", reply(200, { domain_record: soa })),
        get("/domains/example.com/records/28448428", reply(200, { domain_record: soa })),
        send("PUT", "/domains/example.com/records/28448428", { type: "SOA", name: "@", data: "1800", ttl: 3600 }, reply(200, { domain_record: { ...soa, ttl: 3600 } })),
        { request: { method: "DELETE", url: `${base}/domains/example.com/records/28448433`, headers: auth }, response: reply(204) }
      ])
      const updated = yield* dns.updateRecord("example.com", "28448433", { data: "162.10.66.1", ttl: 600 })
      expect([updated.data, updated.ttl]).toEqual(["162.10.66.1", 600])
      yield* failsWith(dns.updateRecord("example.com", "28448428", { data: "x" }), "InvalidInput")
      expect((yield* dns.updateRecord("example.com", "28448428", { ttl: 3600 })).ttl).toBe(3600)
      yield* dns.deleteRecord("example.com", "28448433")
      yield* replay.assertDone
    }))

  it.effect("a 404 on a record is told apart (zone or record) with one more request; listing a missing zone is NotFound", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        get("/domains/example.com/records/42", reply(404, F.error.notFound)),
        get("/domains/example.com", reply(200, { domain: D.domain() })),
        { request: { method: "DELETE", url: `${base}/domains/gone.example/records/42` }, response: reply(404, F.error.notFound) },
        get("/domains/gone.example", reply(404, F.error.notFound)),
        get(list("/domains/gone.example/records", 1), reply(404, F.error.notFound))
      ])
      expect((yield* failsWith(dns.getRecord("example.com", "42"), "NotFound")).resource).toBe("record")
      expect((yield* failsWith(dns.deleteRecord("gone.example", "42"), "NotFound")).resource).toBe("zone")
      expect((yield* failsWith(collect(dns.listRecords("gone.example")), "NotFound")).resource).toBe("zone")
      yield* replay.assertDone
    }))

  it.effect("documented errors: 401 InvalidCredentials without the token, 429 RateLimited until ratelimit-reset, a create's 5xx ProviderError with its request id, not retried", () =>
    Effect.gen(function*() {
      const reset = 1444931833
      const { dns, replay } = yield* setup([
        get(list("/domains", 1), reply(401, F.error.unauthorized)),
        get("/domains/example.com", reply(429, F.error.tooManyRequests, { "ratelimit-reset": String(reset), date: new Date((reset - 3600) * 1000).toUTCString() })),
        get("/domains/example.org", reply(404, F.error.notFound)),
        // A create is sent once: a 5xx may have created the domain.
        { request: { method: "POST", url: `${base}/domains` }, response: reply(500, F.error.serverError) }
      ])
      const denied = yield* failsWith(collect(dns.listZones()), "InvalidCredentials")
      expect(JSON.stringify(denied)).not.toContain(token)
      const limited = yield* failsWith(dns.getZone("example.com"), "RateLimited")
      expect(Duration.toSeconds(limited.retryAfter!)).toBe(3600)
      const failed = yield* failsWith(dns.createZone({ domain: "example.org" }), "ProviderError")
      expect(failed.requestId).toBe("4d9d8375-3c56-4925-a3e7-eb137fed17e9")
      yield* replay.assertDone
    }))
})
