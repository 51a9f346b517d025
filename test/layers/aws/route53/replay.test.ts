/**
 * Route 53 over recorded responses written from the API reference
 * (fixtures.ts cites each page): every method's exact request, pagination
 * over two pages of zones and of record sets, and each documented error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Layer, Stream } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Route53 from "../../../../src/layers/aws/route53/Route53.js"
import { Dns } from "../../../../src/services/Dns.js"
import { failsWith } from "../../../contract/harness.js"
import * as X from "./fixtures.js"
import { baseConfig, del, failure, get, ok, post, replay } from "./support.js"

const Z = "Z1PA6795UKMFR9"
const zone: X.ZoneFixture = { id: Z, name: "example.com.", callerReference: "myUniqueIdentifier", comment: "This is my first hosted zone.", recordSetCount: 5 }
const other: X.ZoneFixture = { id: "Z2682N5HXP0BZ4", name: "example.net.", callerReference: "2017-03-01T11:22:14Z", recordSetCount: 2 }
const NS = { name: "example.com.", type: "NS", ttl: 172800, values: X.exampleNameServers.map((n) => `${n}.`) }
const SOA = { name: "example.com.", type: "SOA", ttl: 900, values: ["ns-2048.awsdns-64.com. hostmaster.awsdns.com. 1 7200 900 1209600 86400"] }
const WWW = { name: "www.example.com.", type: "A", ttl: 300, values: ["192.0.2.1", "192.0.2.2"] }
const head = `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`
const tail = `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
const set = (name: string, type: string, ttl: number, values: ReadonlyArray<string>) =>
  `<ResourceRecordSet><Name>${name}</Name><Type>${type}</Type><TTL>${ttl}</TTL><ResourceRecords>${
    values.map((v) => `<ResourceRecord><Value>${v}</Value></ResourceRecord>`).join("")
  }</ResourceRecords></ResourceRecordSet>`
const change = (action: string, rrset: string) => `<Change><Action>${action}</Action>${rrset}</Change>`
const batch = (...changes: ReadonlyArray<string>) => head + changes.join("") + tail
const zoneLookup = { request: get(`/hostedzone/${Z}`), response: ok(X.getHostedZone(zone)) }
const setAt = (name: string, type: string, sets: ReadonlyArray<X.RrsetFixture>) => ({
  request: get(`/hostedzone/${Z}/rrset`, { name, type, maxitems: "1" }),
  response: ok(X.listResourceRecordSets(sets, { maxItems: 1 }))
})
const changed = (id = "C2682N5HXP0BZ4") => ok(X.changeResourceRecordSets(id))

describe("Route 53 over recorded responses", () => {
  describe("hosted zones", () => {
    it.effect("listZones follows NextMarker over two pages", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const zones = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listZones()))
        expect(zones.map((z) => [z.id, z.domain, z.type])).toEqual([[Z, "example.com", "master"], [other.id, "example.net", "master"]])
        expect(zones[0]!.extra).toMatchObject({ comment: "This is my first hosted zone.", callerReference: "myUniqueIdentifier", privateZone: false, recordSetCount: 5 })
        expect(zones[0]!.ttl).toBeUndefined()
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/hostedzone", { maxitems: "1", marker: null }), response: ok(X.listHostedZones([zone], { maxItems: 1, nextMarker: other.id })) },
        { request: get("/hostedzone", { maxitems: "1", marker: other.id }), response: ok(X.listHostedZones([other], { maxItems: 1, marker: other.id })) }
      ], { pageSize: 1 }))))

    it.effect("getZone reads the zone and its name servers; a /hostedzone/ id is accepted", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const z = yield* dns.getZone(`/hostedzone/${Z}`)
        expect([z.id, z.domain]).toEqual([Z, "example.com"])
        expect(z.extra["nameservers"]).toEqual(X.exampleNameServers)
        yield* failsWith(dns.getZone("not a zone id!"), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([zoneLookup]))))

    it.effect("createZone checks the name is free, then sends CreateHostedZone with its CallerReference", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const z = yield* dns.createZone({ domain: "Example.COM.", ttl: 3600, extra: { comment: "This is my first hosted zone.", callerReference: "myUniqueIdentifier" } })
        expect([z.id, z.domain]).toEqual([Z, "example.com"])
        expect(z.extra).toMatchObject({ changeId: "C1PA6795UKMFR9", changeStatus: "PENDING", nameservers: X.exampleNameServers })
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/hostedzonesbyname", { dnsname: "example.com", maxitems: "100" }), response: ok(X.listHostedZonesByName([other], { dnsName: "example.com", maxItems: 100 })) },
        {
          request: post(
            "/hostedzone",
            `<?xml version="1.0" encoding="UTF-8"?>\n<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>example.com.</Name><CallerReference>myUniqueIdentifier</CallerReference><HostedZoneConfig><Comment>This is my first hosted zone.</Comment></HostedZoneConfig></CreateHostedZoneRequest>`
          ),
          response: ok(X.createHostedZone(zone, "C1PA6795UKMFR9"), 201)
        }
      ]))))

    it.effect("createZone: a taken name is AlreadyExists before any CreateHostedZone; bad input sends nothing", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const e = yield* failsWith(dns.createZone({ domain: "example.com" }), "AlreadyExists")
        expect([e.resource, e.id]).toEqual(["zone", "example.com"])
        yield* failsWith(dns.createZone({ domain: "example.com", type: "slave" }), "InvalidInput")
        yield* failsWith(dns.createZone({ domain: "example.com", extra: { vpc: "vpc-1" } }), "InvalidInput")
        yield* failsWith(dns.createZone({ domain: "bad domain" }), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/hostedzonesbyname", { dnsname: "example.com" }), response: ok(X.listHostedZonesByName([zone], { dnsName: "example.com", maxItems: 100 })) }
      ]))))

    it.live("createZone is retried after a lost answer: HostedZoneAlreadyExists for our CallerReference gives our zone", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const z = yield* dns.createZone({ domain: "example.com", extra: { callerReference: "myUniqueIdentifier" } })
        expect(z.id).toBe(Z)
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/hostedzonesbyname"), response: ok(X.listHostedZonesByName([], { dnsName: "example.com", maxItems: 100 })) },
        { request: post("/hostedzone", /<CallerReference>myUniqueIdentifier</), response: { transportError: "socket hang up" } },
        {
          request: post("/hostedzone", /<CallerReference>myUniqueIdentifier</),
          response: failure(409, X.errorResponse("HostedZoneAlreadyExists", "The hosted zone you're trying to create already exists."))
        },
        { request: get("/hostedzonesbyname"), response: ok(X.listHostedZonesByName([zone], { dnsName: "example.com", maxItems: 100 })) }
      ]))))

    it.effect("createZone: HostedZoneAlreadyExists for another CallerReference is AlreadyExists", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const e = yield* failsWith(dns.createZone({ domain: "example.com", extra: { callerReference: "mine" } }), "AlreadyExists")
        expect(e.id).toBe("example.com")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/hostedzonesbyname"), response: ok(X.listHostedZonesByName([], { maxItems: 100 })) },
        { request: post("/hostedzone"), response: failure(409, X.errorResponse("HostedZoneAlreadyExists", "The hosted zone you're trying to create already exists.")) },
        { request: get("/hostedzonesbyname"), response: ok(X.listHostedZonesByName([zone], { maxItems: 100 })) }
      ]))))

    it.effect("updateZone changes the comment (UpdateHostedZoneComment); a TTL is Unsupported without a request", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const z = yield* dns.updateZone(Z, { extra: { comment: "new comment" } })
        expect(z.extra["comment"]).toBe("new comment")
        yield* failsWith(dns.updateZone(Z, { ttl: 600 }), "Unsupported")
        yield* failsWith(dns.updateZone(Z, { extra: { ttl: 1 } }), "InvalidInput")
        const r53 = yield* Route53.Route53
        expect((yield* r53.updateComment(Z, "new comment")).id).toBe(Z)
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        {
          request: post(
            `/hostedzone/${Z}`,
            `<?xml version="1.0" encoding="UTF-8"?>\n<UpdateHostedZoneCommentRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Comment>new comment</Comment></UpdateHostedZoneCommentRequest>`
          ),
          response: ok(X.updateHostedZoneComment({ ...zone, comment: "new comment" })),
          times: 2
        }
      ]))))

    it.effect("deleteZone deletes the records but SOA and apex NS (read over two pages), then the zone", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        yield* dns.deleteZone(Z)
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        { request: get(`/hostedzone/${Z}/rrset`, { maxitems: "2", name: null }), response: ok(X.listResourceRecordSets([NS, SOA], { maxItems: 2, next: { name: "www.example.com.", type: "A" } })) },
        { request: get(`/hostedzone/${Z}/rrset`, { maxitems: "2", name: "www.example.com.", type: "A" }), response: ok(X.listResourceRecordSets([WWW], { maxItems: 2 })) },
        { request: post(`/hostedzone/${Z}/rrset`, batch(change("DELETE", set("www.example.com.", "A", 300, ["192.0.2.1", "192.0.2.2"])))), response: changed() },
        { request: del(`/hostedzone/${Z}`), response: ok(X.deleteHostedZone("C1PA6795UKMFR9")) }
      ], { pageSize: 2 }))))

    it.effect("documented zone errors: NoSuchHostedZone → NotFound, HostedZoneNotEmpty → ProviderError", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const missing = yield* failsWith(dns.getZone(Z), "NotFound")
        expect([missing.resource, missing.id]).toEqual(["zone", Z])
        yield* failsWith(Stream.runDrain(dns.listRecords(Z)), "NotFound")
        const notEmpty = yield* failsWith(dns.deleteZone(Z), "ProviderError")
        expect([notEmpty.status, notEmpty.code]).toEqual([400, "HostedZoneNotEmpty"])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get(`/hostedzone/${Z}`), response: failure(404, X.errorResponse("NoSuchHostedZone", `No hosted zone found with ID: ${Z}`)), times: 2 },
        zoneLookup,
        { request: get(`/hostedzone/${Z}/rrset`), response: ok(X.listResourceRecordSets([NS, SOA], { maxItems: 300 })) },
        {
          request: del(`/hostedzone/${Z}`),
          response: failure(400, X.errorResponse("HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted."))
        }
      ]))))
  })

  describe("records", () => {
    const weighted = { name: "api.example.com.", type: "A", setIdentifier: "blue", weight: 10, ttl: 60, values: ["192.0.2.10"] }
    const page1: ReadonlyArray<X.RrsetFixture> = [
      NS,
      SOA,
      { name: "example.com.", type: "MX", ttl: 300, values: ["10 mail.example.com."] },
      { name: "example.com.", type: "TXT", ttl: 300, values: [`"v=DKIM1; p=${"A".repeat(245)}" "${"B".repeat(10)}"`] },
      weighted
    ]
    const page2: ReadonlyArray<X.RrsetFixture> = [
      { ...weighted, setIdentifier: "green", weight: 90, values: ["192.0.2.11"] },
      { name: "cdn.example.com.", type: "A", alias: { hostedZoneId: "Z2FDTNDATAQYW2", dnsName: "d111111abcdef8.cloudfront.net.", evaluateTargetHealth: false } },
      { name: "\\052.example.com.", type: "CNAME", ttl: 300, values: ["www.example.com"] },
      { name: "www.example.com.", type: "HTTPS", ttl: 300, values: ["1 . alpn=h2"] },
      WWW
    ]

    it.effect("listRecords follows NextRecordName/Type/Identifier: one record per value, Route 53's spellings undone", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const records = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(Z)))
        const view = records.map((r) => [r.id, r.name, r.type, r.data, r.priority ?? null, r.ttl ?? null])
        expect(view).toEqual([
          ...X.exampleNameServers.map((n) => [`NS:@::${n}.`, "", "NS", `${n}.`, null, 172800]),
          [`SOA:@::${SOA.values[0]}`, "", "SOA", SOA.values[0], null, 900],
          ["MX:@::10 mail.example.com.", "", "MX", "mail.example.com.", 10, 300],
          [`TXT:@::v=DKIM1; p=${"A".repeat(245)}${"B".repeat(10)}`, "", "TXT", `v=DKIM1; p=${"A".repeat(245)}${"B".repeat(10)}`, null, 300],
          ["A:api:blue:192.0.2.10", "api", "A", "192.0.2.10", null, 60],
          ["A:api:green:192.0.2.11", "api", "A", "192.0.2.11", null, 60],
          ["A:cdn::alias d111111abcdef8.cloudfront.net.", "cdn", "A", "d111111abcdef8.cloudfront.net.", null, null],
          ["CNAME:*::www.example.com", "*", "CNAME", "www.example.com", null, 300],
          ["A:www::192.0.2.1", "www", "A", "192.0.2.1", null, 300],
          ["A:www::192.0.2.2", "www", "A", "192.0.2.2", null, 300]
        ])
        expect(records.find((r) => r.name === "api")!.extra).toEqual({ setIdentifier: "blue", routing: { Weight: "10" } })
        expect(records.find((r) => r.name === "cdn")!.extra["alias"]).toEqual({ hostedZoneId: "Z2FDTNDATAQYW2", dnsName: "d111111abcdef8.cloudfront.net.", evaluateTargetHealth: false })
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        { request: get(`/hostedzone/${Z}/rrset`, { maxitems: "5", name: null }), response: ok(X.listResourceRecordSets(page1, { maxItems: 5, next: { name: "api.example.com.", type: "A", identifier: "green" } })) },
        { request: get(`/hostedzone/${Z}/rrset`, { maxitems: "5", name: "api.example.com.", type: "A", identifier: "green" }), response: ok(X.listResourceRecordSets(page2, { maxItems: 5 })) }
      ], { pageSize: 5 }))))

    it.effect("getRecord reads the one record set its id names", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const r = yield* dns.getRecord(Z, "A:www::192.0.2.2")
        expect([r.name, r.type, r.data, r.ttl, r.zoneId]).toEqual(["www", "A", "192.0.2.2", 300, Z])
        const w = yield* dns.getRecord(Z, "A:api:blue:192.0.2.10")
        expect(w.extra["setIdentifier"]).toBe("blue")
        const gone = yield* failsWith(dns.getRecord(Z, "A:www::192.0.2.9"), "NotFound")
        expect([gone.resource, gone.id]).toEqual(["record", "A:www::192.0.2.9"])
        yield* failsWith(dns.getRecord(Z, "nonsense"), "NotFound")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("www.example.com.", "A", [WWW]),
        zoneLookup,
        { request: get(`/hostedzone/${Z}/rrset`, { name: "api.example.com.", type: "A", identifier: "blue", maxitems: "1" }), response: ok(X.listResourceRecordSets([weighted], { maxItems: 1 })) },
        zoneLookup,
        setAt("www.example.com.", "A", [WWW]),
        zoneLookup
      ]))))

    it.effect("createRecord: a new record set is CREATEd with the default TTL; MX priority goes first in the value", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const mx = yield* dns.createRecord(Z, { name: "", type: "MX", data: "mail.example.com.", priority: 10 })
        expect([mx.id, mx.ttl, mx.priority, mx.extra["changeId"], mx.extra["changeStatus"]]).toEqual(["MX:@::10 mail.example.com.", 300, 10, "C2682N5HXP0BZ4", "PENDING"])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("example.com.", "MX", [{ name: "example.com.", type: "NS", ttl: 172800, values: ["ns-2048.awsdns-64.com."] }]),
        { request: post(`/hostedzone/${Z}/rrset`, batch(change("CREATE", set("example.com.", "MX", 300, ["10 mail.example.com."])))), response: changed() }
      ]))))

    it.effect("createRecord into an existing set DELETEs exactly what was read and CREATEs it with the new value", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const r = yield* dns.createRecord(Z, { name: "www", type: "A", data: "192.0.2.3", ttl: 600 })
        expect([r.id, r.ttl]).toEqual(["A:www::192.0.2.3", 600])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("www.example.com.", "A", [WWW]),
        {
          request: post(
            `/hostedzone/${Z}/rrset`,
            batch(
              change("DELETE", set("www.example.com.", "A", 300, ["192.0.2.1", "192.0.2.2"])),
              change("CREATE", set("www.example.com.", "A", 600, ["192.0.2.1", "192.0.2.2", "192.0.2.3"]))
            )
          ),
          response: changed()
        }
      ]))))

    it.effect("createRecord: TXT is quoted, escaped and split into 255-byte strings; a duplicate is AlreadyExists without a change", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const data = `say "hi" \\ ${"x".repeat(300)}`
        const r = yield* dns.createRecord(Z, { name: "txt", type: "TXT", data, ttl: 60 })
        expect(r.data).toBe(data)
        const dup = yield* failsWith(dns.createRecord(Z, { name: "www", type: "A", data: "192.0.2.1" }), "AlreadyExists")
        expect([dup.resource, dup.id]).toEqual(["record", "A:www::192.0.2.1"])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("txt.example.com.", "TXT", []),
        {
          request: post(
            `/hostedzone/${Z}/rrset`,
            batch(change("CREATE", set("txt.example.com.", "TXT", 60, [`"say \\"hi\\" \\\\ ${"x".repeat(244)}" "${"x".repeat(56)}"`])))
          ),
          response: changed()
        },
        zoneLookup,
        setAt("www.example.com.", "A", [WWW])
      ]))))

    it.effect("updateRecord rewrites the set keeping its sibling; deleteRecord of one value keeps the other", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const updated = yield* dns.updateRecord(Z, "A:www::192.0.2.1", { data: "192.0.2.9" })
        expect([updated.id, updated.data, updated.ttl]).toEqual(["A:www::192.0.2.9", "192.0.2.9", 300])
        yield* dns.deleteRecord(Z, "A:www::192.0.2.2")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("www.example.com.", "A", [WWW]),
        {
          request: post(
            `/hostedzone/${Z}/rrset`,
            batch(change("DELETE", set("www.example.com.", "A", 300, ["192.0.2.1", "192.0.2.2"])), change("CREATE", set("www.example.com.", "A", 300, ["192.0.2.9", "192.0.2.2"])))
          ),
          response: changed()
        },
        zoneLookup,
        setAt("www.example.com.", "A", [{ ...WWW, values: ["192.0.2.9", "192.0.2.2"] }]),
        {
          request: post(
            `/hostedzone/${Z}/rrset`,
            batch(change("DELETE", set("www.example.com.", "A", 300, ["192.0.2.9", "192.0.2.2"])), change("CREATE", set("www.example.com.", "A", 300, ["192.0.2.9"])))
          ),
          response: changed()
        }
      ]))))

    it.effect("the SOA and apex NS cannot be deleted: InvalidInput before any request", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        yield* failsWith(dns.deleteRecord(Z, `SOA:@::${SOA.values[0]}`), "InvalidInput")
        yield* failsWith(dns.deleteRecord(Z, "NS:@::ns-2048.awsdns-64.com."), "InvalidInput")
        expect(yield* Replay.requests).toEqual([])
      }).pipe(Effect.provide(replay([]))))

    it.effect("InvalidChangeBatch: its messages decide AlreadyExists / Conflict / NotFound, else a ProviderError naming them all", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const exists = yield* failsWith(dns.createRecord(Z, { name: "new", type: "A", data: "192.0.2.1" }), "AlreadyExists")
        expect(exists.id).toBe("A:new::192.0.2.1")
        const cname = yield* failsWith(dns.createRecord(Z, { name: "www", type: "CNAME", data: "example.net." }), "Conflict")
        expect(cname.reason).toContain("conflicting RRSet of type A")
        const gone = yield* failsWith(dns.createRecord(Z, { name: "www", type: "A", data: "192.0.2.3" }), "NotFound")
        expect([gone.resource, gone.id]).toEqual(["record", "A:www::192.0.2.3"])
        const other = yield* failsWith(dns.createRecord(Z, { name: "new", type: "A", data: "192.0.2.1" }), "ProviderError")
        expect([other.status, other.code, other.detail]).toEqual([400, "InvalidChangeBatch", "first problem; second problem"])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("new.example.com.", "A", []),
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.invalidChangeBatch([X.messages.exists("new.example.com.", "A")])) },
        zoneLookup,
        setAt("www.example.com.", "CNAME", [WWW]),
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.invalidChangeBatch([X.messages.cnameConflict("CNAME", "www.example.com.", "A", "example.com.")])) },
        zoneLookup,
        setAt("www.example.com.", "A", [WWW]),
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.invalidChangeBatch([X.messages.notFound("www.example.com.", "A")])) },
        zoneLookup,
        setAt("new.example.com.", "A", []),
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.invalidChangeBatch(["first problem", "second problem"])) }
      ]))))

    it.live("PriorRequestNotComplete and Throttling refuse a change batch unread: it is sent again", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const r = yield* dns.createRecord(Z, { name: "new", type: "A", data: "192.0.2.1" })
        expect(r.id).toBe("A:new::192.0.2.1")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("new.example.com.", "A", []),
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.errorResponse("PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.")) },
        { request: post(`/hostedzone/${Z}/rrset`), response: failure(400, X.errorResponse("Throttling", "Rate exceeded")) },
        { request: post(`/hostedzone/${Z}/rrset`), response: changed() }
      ]))))

    it.effect("a lost answer to a change batch is not resent (Transport)", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        yield* failsWith(dns.createRecord(Z, { name: "new", type: "A", data: "192.0.2.1" }), "Transport")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("new.example.com.", "A", []),
        { request: post(`/hostedzone/${Z}/rrset`), response: { transportError: "socket hang up" } }
      ]))))
  })

  describe("other documented errors", () => {
    it.live("InvalidClientTokenId → InvalidCredentials, AccessDenied → PermissionDenied, Throttling on a GET → RateLimited after retries, InvalidInput → ProviderError", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        yield* failsWith(dns.getZone(Z), "InvalidCredentials")
        const denied = yield* failsWith(dns.getZone(Z), "PermissionDenied")
        expect(denied.reason).toContain("not authorized")
        yield* failsWith(dns.getZone(Z), "RateLimited")
        const bad = yield* failsWith(dns.getZone(Z), "ProviderError")
        expect([bad.code, bad.requestId]).toEqual(["InvalidInput", "b25f48e8-84fd-11e6-80d9-574e0c4664cb"])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get(`/hostedzone/${Z}`), response: failure(403, X.errorResponse("InvalidClientTokenId", "The security token included in the request is invalid.")) },
        {
          request: get(`/hostedzone/${Z}`),
          response: failure(403, X.errorResponse("AccessDenied", "User: arn:aws:iam::123456789012:user/test is not authorized to perform: route53:GetHostedZone"))
        },
        { request: get(`/hostedzone/${Z}`), response: failure(400, X.errorResponse("Throttling", "Rate exceeded")), times: 2 },
        { request: get(`/hostedzone/${Z}`), response: failure(400, X.errorResponse("InvalidInput", "The specified hosted zone ID is not valid.")) }
      ], { retry: { maxAttempts: 2, base: "1 millis", cap: "2 millis", jitter: 0 } }))))
  })

  describe("Route53.Route53", () => {
    it.live("getChange, waitForChange (GetChange until INSYNC), NoSuchChange → NotFound", () =>
      Effect.gen(function*() {
        const r53 = yield* Route53.Route53
        expect(yield* r53.getChange("/change/C2682N5HXP0BZ4")).toEqual({ id: "C2682N5HXP0BZ4", status: "PENDING", submittedAt: "2017-03-10T01:36:41.958Z" })
        expect((yield* r53.waitForChange("C2682N5HXP0BZ4", { interval: "1 millis" })).status).toBe("INSYNC")
        const e = yield* failsWith(r53.getChange("C0000000000000"), "NotFound")
        expect([e.resource, e.id]).toEqual(["change", "C0000000000000"])
        yield* failsWith(r53.getChange("bad/id"), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        { request: get("/change/C2682N5HXP0BZ4"), response: ok(X.getChange("C2682N5HXP0BZ4", "PENDING")), times: 2 },
        { request: get("/change/C2682N5HXP0BZ4"), response: ok(X.getChange("C2682N5HXP0BZ4", "INSYNC")) },
        { request: get("/change/C0000000000000"), response: failure(404, X.errorResponse("NoSuchChange", "Could not find resource with ID: C0000000000000")) }
      ]))))

    it.live("waitForChanges: a portable change returns once GetChange says INSYNC", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const r = yield* dns.createRecord(Z, { name: "new", type: "A", data: "192.0.2.1" })
        expect(r.extra["changeStatus"]).toBe("INSYNC")
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        setAt("new.example.com.", "A", []),
        { request: post(`/hostedzone/${Z}/rrset`), response: changed() },
        { request: get("/change/C2682N5HXP0BZ4"), response: ok(X.getChange("C2682N5HXP0BZ4", "PENDING")) },
        { request: get("/change/C2682N5HXP0BZ4"), response: ok(X.getChange("C2682N5HXP0BZ4", "INSYNC")) }
      ], { waitForChanges: true, changePollInterval: "1 millis" }))))

    it.effect("upsertAlias sends an UPSERT of an alias record set", () =>
      Effect.gen(function*() {
        const r53 = yield* Route53.Route53
        const r = yield* r53.upsertAlias(Z, { name: "cdn", type: "A", dnsName: "d111111abcdef8.cloudfront.net.", hostedZoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false })
        expect([r.id, r.data]).toEqual(["A:cdn::alias d111111abcdef8.cloudfront.net.", "d111111abcdef8.cloudfront.net."])
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([
        zoneLookup,
        {
          request: post(
            `/hostedzone/${Z}/rrset`,
            batch(change(
              "UPSERT",
              "<ResourceRecordSet><Name>cdn.example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d111111abcdef8.cloudfront.net.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>"
            ))
          ),
          response: changed()
        }
      ]))))
  })

  it.effect("layerConfig reads AWS_ENDPOINT_URL_ROUTE_53 and the AWS credential variables", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      expect((yield* dns.getZone(Z)).id).toBe(Z)
      expect(dns.provider.id).toBe("aws-route53")
      expect([...dns.provider.capabilities]).toEqual([])
      yield* Replay.assertDone
    }).pipe(Effect.provide(
      Route53.layerConfig().pipe(
        Layer.provideMerge(Replay.layer([{ request: { ...get(`/hostedzone/${Z}`), url: `http://127.0.0.1:4566/2013-04-01/hostedzone/${Z}` }, response: ok(X.getHostedZone(zone)) }])),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
          ["AWS_ENDPOINT_URL_ROUTE_53", "http://127.0.0.1:4566"],
          ["AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"],
          ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
        ]))))
      )
    )))

  it.effect("secrets stay out of errors", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      const e = yield* failsWith(dns.getZone(Z), "InvalidCredentials")
      expect(JSON.stringify(e)).not.toContain(baseConfig.credentials === undefined ? "x" : "wJalrXUtnFEMI")
    }).pipe(Effect.provide(replay([
      { request: get(`/hostedzone/${Z}`), response: failure(403, X.errorResponse("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")) }
    ]))))
})
