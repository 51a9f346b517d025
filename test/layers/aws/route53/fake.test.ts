/**
 * Through the fake Route 53 server: BIND export and import over the portable
 * interface alone, Route 53's spellings (wildcards as \052, long TXT split
 * into 255-byte strings, MX/SRV priorities) and the Route 53-only operations.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as Route53 from "../../../../src/layers/aws/route53/Route53.js"
import { exportZoneOn, importBindZoneInto } from "../../../../src/services/Bind.js"
import { Dns } from "../../../../src/services/Dns.js"
import { failsWith } from "../../../contract/harness.js"
import { startFakeRoute53 } from "./fakeServer.js"
import { credentials } from "./support.js"

const fakeLayer = Layer.unwrapScoped(
  Effect.map(startFakeRoute53(), (fake) =>
    Route53.layer({ endpoint: fake.url, credentials, pageSize: 3, changePollInterval: "5 millis", retry: { base: "5 millis", cap: "20 millis" } }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const zoneText = [
  "$ORIGIN bind.example.",
  "$TTL 3600",
  "",
  "bind.example.\t3600\tIN\tMX\t10\tmail.bind.example.",
  "www.bind.example.\t300\tIN\tA\t192.0.2.1",
  "www.bind.example.\t300\tIN\tA\t192.0.2.2",
  "*.bind.example.\t600\tIN\tCNAME\twww.bind.example.",
  "_sip._tcp.bind.example.\t60\tIN\tSRV\t5\t10 5060 sip.bind.example.",
  `bind.example.\t120\tIN\tTXT\t"v=spf1 include:_spf.example.net ~all"`
].join("\n")

layer(fakeLayer, { excludeTestServices: true, timeout: "2 minutes" })("Route 53 through the fake server", (it) => {
  it.scoped("importBindZone then exportZoneToBind round-trips the records", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      const { records, zone } = yield* Effect.acquireRelease(importBindZoneInto(dns, zoneText), (z) => Effect.ignore(dns.deleteZone(z.zone)))
      expect(zone.domain).toBe("bind.example")
      expect(records.length).toBe(6)
      const wildcard = records.find((r) => r.type === "CNAME")!
      expect([wildcard.name, wildcard.data, wildcard.ttl]).toEqual(["*", "www.bind.example.", 600])
      const srv = records.find((r) => r.type === "SRV")!
      expect([srv.priority, srv.data]).toEqual([5, "10 5060 sip.bind.example."])

      const text = yield* exportZoneOn(dns, zone.id)
      const lines = text.split("\n")
      expect(lines.slice(0, 3)).toEqual(["$ORIGIN bind.example.", "$TTL 3600", ""])
      // Every imported line comes back (Route 53 orders record sets by reversed name, then type).
      for (const line of zoneText.split("\n").slice(3)) expect(lines).toContain(line)
      // Plus the SOA and four NS records Route 53 made for the zone.
      expect(lines.filter((l) => /\tIN\tNS\t/.test(l)).length).toBe(4)
      expect(lines.filter((l) => /\tIN\tSOA\t/.test(l)).length).toBe(1)
    }))

  it.scoped("a long TXT value is read back whole; quotes, backslashes and UTF-8 survive", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      const zone = yield* Effect.acquireRelease(dns.createZone({ domain: "txt.example" }), (z) => Effect.ignore(dns.deleteZone(z)))
      const dkim = "v=DKIM1; k=rsa; p=" + "A".repeat(400)
      const long = yield* dns.createRecord(zone, { name: "sel._domainkey", type: "TXT", data: dkim })
      const odd = yield* dns.createRecord(zone, { name: "odd", type: "TXT", data: "say \"hi\" \\ caf\u00e9" })
      const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(zone)))
      expect(listed.find((r) => r.id === long.id)?.data).toBe(dkim)
      expect(listed.find((r) => r.id === odd.id)?.data).toBe("say \"hi\" \\ caf\u00e9")
      expect((yield* dns.getRecord(zone, odd.id)).data).toBe("say \"hi\" \\ caf\u00e9")
    }))

  it.scoped("SOA and apex NS are listed but cannot be deleted; the NS can be updated in place", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      const zone = yield* Effect.acquireRelease(dns.createZone({ domain: "apex.example" }), (z) => Effect.ignore(dns.deleteZone(z)))
      const records = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(zone)))
      const soa = records.find((r) => r.type === "SOA")!
      const ns = records.filter((r) => r.type === "NS")
      expect(ns.length).toBe(4)
      yield* failsWith(dns.deleteRecord(zone, soa), "InvalidInput", "deleting the SOA")
      yield* failsWith(dns.deleteRecord(zone, ns[0]!), "InvalidInput", "deleting an apex NS")
      yield* failsWith(dns.updateRecord(zone, ns[0]!, { name: "sub" }), "InvalidInput", "moving an apex NS")
      const updated = yield* dns.updateRecord(zone, ns[0]!, { ttl: 3600 })
      expect(updated.ttl).toBe(3600)
      const after = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(zone))).filter((r) => r.type === "NS")
      expect(after.map((r) => r.ttl), "the TTL is the record set's").toEqual([3600, 3600, 3600, 3600])
    }))

  it.scoped("Route53: comments, change polling, alias records", () =>
    Effect.gen(function*() {
      const dns = yield* Dns
      const r53 = yield* Route53.Route53
      const zone = yield* Effect.acquireRelease(
        dns.createZone({ domain: "alias.example", extra: { comment: "first" } }),
        (z) => Effect.ignore(dns.deleteZone(z))
      )
      expect(zone.extra["comment"]).toBe("first")
      expect((yield* r53.updateComment(zone, "second")).extra["comment"]).toBe("second")
      expect((yield* dns.updateZone(zone, { extra: { comment: "third" } })).extra["comment"]).toBe("third")
      yield* failsWith(dns.updateZone(zone, { ttl: 60 }), "Unsupported")

      const record = yield* dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.1" })
      const changeId = record.extra["changeId"] as string
      expect(record.extra["changeStatus"]).toBe("PENDING")
      expect((yield* r53.waitForChange(changeId)).status).toBe("INSYNC")
      yield* failsWith(r53.getChange("CNOSUCHCHANGE1"), "NotFound")

      const alias = yield* r53.upsertAlias(zone, { name: "", type: "A", dnsName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" })
      expect(alias.extra["alias"]).toEqual({ hostedZoneId: "Z2FDTNDATAQYW2", dnsName: "d111111abcdef8.cloudfront.net.", evaluateTargetHealth: false })
      const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(zone)))
      expect(listed.find((r) => r.id === alias.id)?.data).toBe("d111111abcdef8.cloudfront.net.")
      yield* failsWith(dns.updateRecord(zone, alias, { data: "192.0.2.9" }), "InvalidInput")
      yield* dns.deleteRecord(zone, alias)
      yield* failsWith(dns.getRecord(zone, alias), "NotFound")

    }))
})
