/**
 * PowerDNS requests and error answers, exactly, on replayed responses.
 *
 * Every response body here was recorded from the real pdns 4.7.3 this suite
 * runs (scripts/peers/pdns) by sending it the request shown; the API
 * reference documents the shape: "the response code is 4xx or 5xx … with a
 * JSON body containing an `error` field" for refusals
 * (https://doc.powerdns.com/authoritative/http-api/index.html#working-with-the-api),
 * while the generic 401/404/409 answers are the webserver's plain-text
 * status phrase. Zone and RRset shapes:
 * https://doc.powerdns.com/authoritative/http-api/zone.html
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { Replay } from "../../../src/http/index.js"
import { PowerDns } from "../../../src/layers/powerdns/index.js"
import { Dns } from "../../../src/services/Dns.js"
import { failsWith } from "../../contract/harness.js"

const key = "replay-api-key-9f3c"
const base = "http://pdns.test:8081/api/v1/servers/localhost"

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<PowerDns.PowerDnsConfig> = {}) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const services = yield* PowerDns.makeServices({
      endpoint: "http://pdns.test:8081",
      apiKey: Redacted.make(key),
      retry: false,
      ...config
    }).pipe(Effect.provideService(HttpClient.HttpClient, replay.client))
    return { ...services, replay }
  })

const auth = { "x-api-key": key }
const json = (status: number, body: unknown): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})
const plain = (status: number, phrase: string): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body: phrase
})
const decoder = new TextDecoder()
const bodyOf = (r: { readonly body: Uint8Array }) => JSON.parse(decoder.decode(r.body)) as unknown

/** A zone as GET /zones/{id} answers it (pdns 4.7.3, trimmed of fields cloudfx ignores). */
const zone = (rrsets: ReadonlyArray<unknown>) => ({
  account: "",
  dnssec: false,
  id: "example.org.",
  kind: "Native",
  masters: [],
  name: "example.org.",
  serial: 2024010101,
  rrsets
})
const soa = {
  comments: [],
  name: "example.org.",
  records: [{ content: "ns1.example.org. hostmaster.example.org. 2024010101 10800 3600 604800 3600", disabled: false }],
  ttl: 3600,
  type: "SOA"
}
const wwwA = {
  comments: [],
  name: "www.example.org.",
  records: [{ content: "192.0.2.1", disabled: false }, { content: "192.0.2.2", disabled: true }],
  ttl: 300,
  type: "A"
}

describe("PowerDNS on replayed responses", () => {
  it.effect("the key goes in X-API-Key; a wrong one is InvalidCredentials and never shown", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones`, headers: auth }, response: plain(401, "Unauthorized") }
      ])
      const e = yield* failsWith(Stream.runDrain(dns.listZones()), "InvalidCredentials")
      expect(e.operation).toBe("Dns.listZones")
      expect(e.message).not.toContain(key)
      yield* replay.assertDone
    }))

  it.effect("the endpoint may be the webserver root, /api or /api/v1; the server id is a path segment", () =>
    Effect.gen(function*() {
      for (const endpoint of ["http://pdns.test:8081", "http://pdns.test:8081/api", "http://pdns.test:8081/api/v1/"]) {
        const { dns, replay } = yield* setup([
          { request: { method: "GET", url: "http://pdns.test:8081/api/v1/servers/my%20server/zones" }, response: json(200, []) }
        ], { endpoint, server: "my server" })
        yield* Stream.runDrain(dns.listZones())
        yield* replay.assertDone
      }
    }))

  it.effect("a missing zone (plain-text 404) is NotFound naming the zone without its dot", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones/nope.example.?rrset_name=nope.example.` }, response: plain(404, "Not Found") },
        { request: { method: "DELETE", url: `${base}/zones/nope.example.` }, response: plain(404, "Not Found") }
      ])
      const e = yield* failsWith(dns.getZone("nope.example"), "NotFound")
      expect([e.resource, e.id]).toEqual(["zone", "nope.example"])
      yield* failsWith(dns.deleteZone("nope.example."), "NotFound")
      yield* replay.assertDone
    }))

  it.effect("createZone sends SOA and NS, a taken name (plain-text 409) is AlreadyExists, a refused one (422) InvalidInput", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/zones` }, response: plain(409, "Conflict") },
        {
          request: { method: "POST", url: `${base}/zones` },
          response: json(422, { error: "Name 'under_score\\032.example.' contains unsupported characters" })
        }
      ])
      const e = yield* failsWith(dns.createZone({ domain: "Example.ORG.", ttl: 600 }), "AlreadyExists")
      expect([e.resource, e.id]).toEqual(["zone", "example.org"])
      const [sent] = yield* replay.requests
      const body = bodyOf(sent!) as Record<string, unknown>
      expect(body["name"]).toBe("example.org.")
      expect(body["kind"]).toBe("Native")
      expect(body["nameservers"]).toEqual([])
      expect(body["rrsets"]).toEqual([
        {
          name: "example.org.",
          type: "SOA",
          ttl: 600,
          records: [{ content: expect.stringMatching(/^ns1\.example\.org\. hostmaster\.example\.org\. \d{10} 10800 3600 604800 3600$/), disabled: false }]
        },
        {
          name: "example.org.",
          type: "NS",
          ttl: 600,
          records: [{ content: "ns1.example.org.", disabled: false }, { content: "ns2.example.org.", disabled: false }]
        }
      ])
      const refused = yield* failsWith(dns.createZone({ domain: "under_score.example" }), "InvalidInput")
      expect(refused.reason).toBe("Name 'under_score\\032.example.' contains unsupported characters")
      expect(refused.field).toBe("domain")
      yield* replay.assertDone
    }))

  it.effect("createRecord PATCHes the whole RRset, siblings and their disabled flags kept, then reads back the stored form", () =>
    Effect.gen(function*() {
      const stored = { ...wwwA, records: [...wwwA.records, { content: "192.0.2.3", disabled: false }] }
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=www.example.org.`, headers: auth }, response: json(200, zone([wwwA])) },
        { request: { method: "PATCH", url: `${base}/zones/example.org.`, headers: auth }, response: { status: 204 } },
        { request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=www.example.org.&rrset_type=A` }, response: json(200, zone([stored])) }
      ])
      const created = yield* dns.createRecord("example.org", { name: "WWW", type: "A", data: "192.0.2.3" })
      expect([created.id, created.zoneId, created.name, created.data, created.ttl]).toEqual([
        `A:www:${Buffer.from("192.0.2.3").toString("base64url")}`,
        "example.org",
        "www",
        "192.0.2.3",
        300
      ])
      const patch = (yield* replay.requests)[1]!
      expect(bodyOf(patch)).toEqual({
        rrsets: [{
          name: "www.example.org.",
          type: "A",
          ttl: 300,
          changetype: "REPLACE",
          records: [
            { content: "192.0.2.1", disabled: false },
            { content: "192.0.2.2", disabled: true },
            { content: "192.0.2.3", disabled: false }
          ]
        }]
      })
      yield* replay.assertDone
    }))

  it.effect("PowerDNS's 422s: bad content is InvalidInput, a duplicate AlreadyExists, a CNAME clash Conflict — each with its message", () =>
    Effect.gen(function*() {
      const empty = { request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=www.example.org.` }, response: json(200, zone([])) }
      const patch = (error: string): Replay.Exchange => ({
        request: { method: "PATCH", url: `${base}/zones/example.org.` },
        response: json(422, { error })
      })
      const parse = "Record www.example.org./SSHFP '1 1 nothex': Parsing record content (try 'pdnsutil check-zone'): unable to parse hex"
      const duplicate = "Duplicate record in RRset www.example.org. IN AAAA with content \"2001:db8::5\""
      const clash = "RRset www.example.org. IN CNAME: Conflicts with pre-existing RRset"
      const { dns, replay } = yield* setup([empty, patch(parse), empty, patch(duplicate), empty, patch(clash)])

      const bad = yield* failsWith(dns.createRecord("example.org", { name: "www", type: "SSHFP", data: "1 1 nothex", ttl: 60 }), "InvalidInput")
      expect(bad.reason).toBe(parse)
      const dup = yield* failsWith(dns.createRecord("example.org", { name: "www", type: "AAAA", data: "2001:DB8::5", ttl: 60 }), "AlreadyExists")
      expect([dup.resource, dup.id]).toEqual(["record", "www.example.org. AAAA"])
      const cname = yield* failsWith(dns.createRecord("example.org", { name: "www", type: "CNAME", data: "x.example.net.", ttl: 60 }), "Conflict")
      expect(cname.reason).toBe(clash)
      yield* replay.assertDone
    }))

  it.effect("updateRecord into a copy of a sibling, refused by PowerDNS, is Conflict (update cannot be AlreadyExists)", () =>
    Effect.gen(function*() {
      const v6 = {
        comments: [],
        name: "v6.example.org.",
        records: [{ content: "2001:db8::1", disabled: false }, { content: "2001:db8::2", disabled: false }],
        ttl: 300,
        type: "AAAA"
      }
      const id = `AAAA:v6:${Buffer.from("2001:db8::1").toString("base64url")}`
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=v6.example.org.&rrset_type=AAAA` }, response: json(200, zone([v6])) },
        {
          request: { method: "PATCH", url: `${base}/zones/example.org.` },
          response: json(422, { error: "Duplicate record in RRset v6.example.org. IN AAAA with content \"2001:db8::2\"" })
        }
      ])
      // Another spelling of the sibling's address: only PowerDNS knows they are the same.
      const e = yield* failsWith(dns.updateRecord("example.org", id, { data: "2001:DB8:0::2" }), "Conflict")
      expect(e.reason).toContain("Duplicate record")
      const patch = (yield* replay.requests)[1]!
      expect(bodyOf(patch)).toEqual({
        rrsets: [{
          name: "v6.example.org.",
          type: "AAAA",
          ttl: 300,
          changetype: "REPLACE",
          records: [{ content: "2001:DB8:0::2", disabled: false }, { content: "2001:db8::2", disabled: false }]
        }]
      })
      yield* replay.assertDone
    }))

  it.effect("a 5xx keeps PowerDNS's message; garbage is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones` }, response: json(500, { error: "Backend error: database is locked" }) },
        { request: { method: "GET", url: `${base}/zones` }, response: json(200, { zones: "not a list" }) },
        { request: { method: "GET", url: `${base}/zones` }, response: { status: 200, body: "<html>proxy</html>" } }
      ])
      const e = yield* failsWith(Stream.runDrain(dns.listZones()), "ProviderError")
      expect([e.status, e.detail]).toEqual([500, "Backend error: database is locked"])
      yield* failsWith(Stream.runDrain(dns.listZones()), "MalformedResponse")
      yield* failsWith(Stream.runDrain(dns.listZones()), "MalformedResponse")
      yield* replay.assertDone
    }))

  it.effect("a record id that PowerDNS cannot hold is NotFound after checking the zone; bad input sends nothing", () =>
    Effect.gen(function*() {
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones/example.org.?rrsets=false` }, response: json(200, zone([])) },
        { request: { method: "GET", url: `${base}/zones/gone.example.?rrsets=false` }, response: plain(404, "Not Found") }
      ])
      const e = yield* failsWith(dns.getRecord("example.org", "not-an-id"), "NotFound")
      expect(e.resource).toBe("record")
      const z = yield* failsWith(dns.deleteRecord("gone.example", "not-an-id"), "NotFound")
      expect(z.resource).toBe("zone")
      yield* failsWith(dns.createRecord("example.org", { name: "www", type: "WKS" as "A", data: "x" }), "InvalidInput")
      yield* failsWith(dns.createRecord("example.org", { name: "", type: "CAA", data: "issue letsencrypt.org" }), "InvalidInput")
      yield* failsWith(dns.createRecord("example.org", { name: "www", type: "A", data: "192.0.2.1", priority: 5 }), "InvalidInput")
      yield* failsWith(dns.createZone({ domain: "example.org", type: "master", extra: { kind: "Slave" } }), "InvalidInput")
      expect((yield* replay.requests).length).toBe(2)
      yield* replay.assertDone
    }))

  it.effect("updateZone: the TTL is the SOA's (PATCH), kind and masters a PUT", () =>
    Effect.gen(function*() {
      const updated = { ...soa, ttl: 900 }
      const { dns, replay } = yield* setup([
        { request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=example.org.` }, response: json(200, zone([soa])) },
        { request: { method: "PATCH", url: `${base}/zones/example.org.` }, response: { status: 204 } },
        { request: { method: "PUT", url: `${base}/zones/example.org.` }, response: { status: 204 } },
        {
          request: { method: "GET", url: `${base}/zones/example.org.?rrset_name=example.org.` },
          response: json(200, { ...zone([updated]), kind: "Master", masters: [] })
        }
      ])
      const z = yield* dns.updateZone("example.org.", { ttl: 900, extra: { kind: "Master" } })
      expect([z.id, z.domain, z.type, z.ttl, z.extra["kind"]]).toEqual(["example.org", "example.org", "master", 900, "Master"])
      const [, patch, put] = yield* replay.requests
      expect(bodyOf(patch!)).toEqual({
        rrsets: [{ name: "example.org.", type: "SOA", ttl: 900, changetype: "REPLACE", records: soa.records }]
      })
      expect(bodyOf(put!)).toEqual({ kind: "Master" })
      yield* replay.assertDone
    }))

  it.effect("layerConfig reads PDNS_API_URL, PDNS_API_KEY and PDNS_SERVER_ID", () =>
    Effect.gen(function*() {
      const replay = yield* Replay.make([
        { request: { method: "GET", url: "http://10.0.0.5:8081/api/v1/servers/pdns-1/zones", headers: { "x-api-key": "from-env" } }, response: json(200, []) }
      ])
      const env = ConfigProvider.fromMap(new Map([
        ["PDNS_API_URL", "http://10.0.0.5:8081/api/v1"],
        ["PDNS_API_KEY", "from-env"],
        ["PDNS_SERVER_ID", "pdns-1"]
      ]))
      const dns = yield* Effect.provide(
        Dns,
        PowerDns.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, replay.client)), Layer.provide(Layer.setConfigProvider(env)))
      )
      expect(dns.provider.id).toBe("powerdns")
      expect([...dns.provider.capabilities]).toEqual(["dns.updateZone"])
      yield* Stream.runDrain(dns.listZones())
      yield* replay.assertDone
    }))
})
