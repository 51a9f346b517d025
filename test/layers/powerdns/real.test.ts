/**
 * PowerDNS beyond the contract, on a real pdns: records made through
 * cloudfx answered by real DNS queries to pdns's port, RRset siblings kept
 * across updates, ids stable across calls and clients, content canonical
 * forms, TXT quoting and splitting, the SOA serial, credentials, the
 * PowerDNS-only operations, and the zone-copy example (PowerDNS → memory →
 * PowerDNS).
 */
import { Resolver } from "node:dns/promises"
import { describe, expect, layer } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { copyZone } from "../../../examples/copy-zone.js"
import { Memory } from "../../../src/layers/memory/index.js"
import type { DnsRecord } from "../../../src/schemas/Models.js"
import { exportZoneOn } from "../../../src/services/Bind.js"
import type { Dns } from "../../../src/services/Dns.js"
import { failsWith, uniqueSuffix } from "../../contract/harness.js"
import { LocalPowerDns, skipPeers } from "../../support/peers/index.js"
import { servicesFor } from "./support.js"

const freshDomain = () => `r${uniqueSuffix()}.cloudfx-real.test`

const records = (dns: Dns.Service, zone: string) => Effect.map(Stream.runCollect(dns.listRecords(zone)), Chunk.toReadonlyArray)

const scopedZone = (dns: Dns.Service, spec: Dns.CreateZoneSpec) =>
  Effect.acquireRelease(dns.createZone(spec), (z) => Effect.ignore(dns.deleteZone(z.id)))

const shape = (r: DnsRecord) => ({
  name: r.name,
  type: r.type,
  data: r.data,
  ttl: r.ttl,
  ...(r.priority === undefined ? {} : { priority: r.priority })
})
const byKey = (a: { name: string; type: string; data: string }, b: typeof a) =>
  `${a.name} ${a.type} ${a.data}`.localeCompare(`${b.name} ${b.type} ${b.data}`)

describe.skipIf(skipPeers("pdns"))("PowerDNS for real", () => {
  layer(Layer.merge(LocalPowerDns.layer(), NodeHttpClient.layerUndici), { timeout: "2 minutes", excludeTestServices: true })((it) => {
    const resolverFor = (port: number) => {
      const resolver = new Resolver({ timeout: 3000, tries: 2 })
      resolver.setServers([`127.0.0.1:${port}`])
      return resolver
    }
    const ask = <A>(f: () => Promise<A>) => Effect.promise(f)

    it.scoped("records created through cloudfx are answered by pdns over DNS", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns } = yield* servicesFor(peer)
        const zone = yield* scopedZone(dns, { domain: freshDomain(), ttl: 600 })
        const d = zone.domain
        // 656 bytes; "é" (2 bytes) would straddle byte 255, so the first cut comes before it.
        const long = "k=".concat("x".repeat(252), "é", "y".repeat(400))
        yield* dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.10", ttl: 120 })
        yield* dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.11" })
        yield* dns.createRecord(zone, { name: "v6", type: "AAAA", data: "2001:0DB8:0:0::1" })
        yield* dns.createRecord(zone, { name: "", type: "MX", data: "mail.example.net", priority: 10 })
        yield* dns.createRecord(zone, { name: "", type: "MX", data: "backup.example.net.", priority: 20 })
        yield* dns.createRecord(zone, { name: "", type: "TXT", data: "v=spf1 include:_spf.example.net -all" })
        yield* dns.createRecord(zone, { name: "long", type: "TXT", data: long })
        yield* dns.createRecord(zone, { name: "quoted", type: "TXT", data: "say \"hi\" \\ bye" })
        yield* dns.createRecord(zone, { name: "_sip._tcp", type: "SRV", data: "5 5060 sip.example.net.", priority: 10 })
        yield* dns.createRecord(zone, { name: "alias", type: "CNAME", data: "target.example.net" })
        yield* dns.createRecord(zone, { name: "", type: "CAA", data: "0 issue letsencrypt.org" })
        yield* dns.createRecord(zone, { name: "", type: "CAA", data: "0 iodef \"mailto:security@example.net\"" })

        const r = resolverFor(peer.dnsPort)
        expect((yield* ask(() => r.resolve4(`www.${d}`))).sort()).toEqual(["192.0.2.10", "192.0.2.11"])
        const withTtl = yield* ask(() => r.resolve4(`www.${d}`, { ttl: true }))
        expect(withTtl.map((a) => a.ttl), "the RRset TTL").toEqual([120, 120])
        expect(yield* ask(() => r.resolve6(`v6.${d}`))).toEqual(["2001:db8::1"])
        expect((yield* ask(() => r.resolveMx(d))).sort((a, b) => a.priority - b.priority)).toEqual([
          { exchange: "mail.example.net", priority: 10 },
          { exchange: "backup.example.net", priority: 20 }
        ])
        const txt = yield* ask(() => r.resolveTxt(d))
        expect(txt).toEqual([["v=spf1 include:_spf.example.net -all"]])
        const longTxt = (yield* ask(() => r.resolveTxt(`long.${d}`)))[0]!
        expect(longTxt.length, "split into 255-byte strings").toBe(3)
        // node:dns hands TXT strings over byte for byte, as Latin-1.
        const bytes = longTxt.map((s) => Buffer.from(s, "latin1"))
        expect(bytes.map((b) => b.length), "cut between characters").toEqual([254, 255, 147])
        expect(Buffer.concat(bytes).toString("utf8")).toBe(long)
        expect((yield* ask(() => r.resolveTxt(`quoted.${d}`)))[0]!.join("")).toBe("say \"hi\" \\ bye")
        expect(yield* ask(() => r.resolveSrv(`_sip._tcp.${d}`))).toEqual([
          { name: "sip.example.net", port: 5060, priority: 10, weight: 5 }
        ])
        expect(yield* ask(() => r.resolveCname(`alias.${d}`))).toEqual(["target.example.net"])
        const caa = yield* ask(() => r.resolveCaa(d))
        expect(caa.map((c) => ({ ...c })).sort((a, b) => Object.keys(a).join().localeCompare(Object.keys(b).join()))).toEqual([
          { critical: 0, iodef: "mailto:security@example.net" },
          { critical: 0, issue: "letsencrypt.org" }
        ])

        // …and cloudfx reads them back in the portable form.
        const listed = yield* records(dns, zone.id)
        const find = (name: string, type: string) => listed.filter((x) => x.name === name && x.type === type)
        expect(find("v6", "AAAA").map((x) => x.data), "canonical AAAA").toEqual(["2001:db8::1"])
        expect(find("long", "TXT").map((x) => x.data)).toEqual([long])
        expect(find("quoted", "TXT").map((x) => x.data)).toEqual(["say \"hi\" \\ bye"])
        expect(find("", "MX").map((x) => [x.priority, x.data]).sort()).toEqual([[10, "mail.example.net."], [20, "backup.example.net."]])
        expect(find("_sip._tcp", "SRV").map((x) => [x.priority, x.data])).toEqual([[10, "5 5060 sip.example.net."]])
        expect(find("", "CAA").map((x) => x.data).sort()).toEqual(["0 iodef \"mailto:security@example.net\"", "0 issue \"letsencrypt.org\""])
        expect(find("www", "A").map((x) => x.ttl)).toEqual([120, 120])
        expect(find("v6", "AAAA")[0]!.ttl, "a new RRset takes the zone's TTL").toBe(600)

        // A changed record is answered changed, at once (pdns caches are off).
        const www10 = find("www", "A").find((x) => x.data === "192.0.2.10")!
        yield* dns.updateRecord(zone, www10, { data: "192.0.2.12" })
        expect((yield* ask(() => r.resolve4(`www.${d}`))).sort()).toEqual(["192.0.2.11", "192.0.2.12"])
        yield* dns.deleteRecord(zone, find("alias", "CNAME")[0]!)
        const gone = yield* Effect.flip(Effect.tryPromise(() => r.resolveCname(`alias.${d}`)))
        expect((gone.error as { code?: string }).code, "no CNAME any more").toBe("ENOTFOUND")
      }))

    it.scoped("one record changes, its RRset siblings stay, ids are stable across calls and clients", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns } = yield* servicesFor(peer)
        const zone = yield* scopedZone(dns, { domain: freshDomain() })
        const a = yield* dns.createRecord(zone, { name: "h", type: "A", data: "192.0.2.1", ttl: 300 })
        const b = yield* dns.createRecord(zone, { name: "h", type: "A", data: "192.0.2.2" })
        const c = yield* dns.createRecord(zone, { name: "h", type: "A", data: "192.0.2.3" })
        expect(b.ttl, "a record without ttl joins its RRset's").toBe(300)

        // Another client (another process would do the same) sees the same ids.
        const other = (yield* servicesFor(peer)).dns
        const ids = (xs: ReadonlyArray<DnsRecord>) => xs.map((x) => x.id).sort()
        expect(ids(yield* records(other, zone.id))).toEqual(ids(yield* records(dns, zone.id)))
        expect((yield* other.getRecord(zone, b.id)).data).toBe("192.0.2.2")

        const moved = yield* dns.updateRecord(zone, b, { data: "192.0.2.20" })
        expect(moved.id, "the id follows the content").not.toBe(b.id)
        yield* failsWith(dns.getRecord(zone, b.id), "NotFound", "the old id")
        for (const sibling of [a, c]) expect((yield* dns.getRecord(zone, sibling.id)).id).toBe(sibling.id)
        const h = (yield* records(dns, zone.id)).filter((x) => x.name === "h")
        expect(h.map((x) => x.data), "order kept, siblings kept").toEqual(["192.0.2.1", "192.0.2.20", "192.0.2.3"])

        // A TTL change is the RRset's.
        const relived = yield* dns.updateRecord(zone, a, { ttl: 900 })
        expect(relived.id, "same content, same id").toBe(a.id)
        expect((yield* dns.getRecord(zone, c)).ttl).toBe(900)

        // Moving one record to another name and type leaves the others where they were.
        const txt = yield* dns.updateRecord(zone, c, { name: "t", type: "TXT", data: "moved" })
        expect([txt.name, txt.type, txt.data]).toEqual(["t", "TXT", "moved"])
        expect((yield* records(dns, zone.id)).filter((x) => x.name === "h").map((x) => x.data)).toEqual(["192.0.2.1", "192.0.2.20"])

        // Deleting the last record of an RRset removes the RRset.
        yield* dns.deleteRecord(zone, a)
        yield* dns.deleteRecord(zone, moved)
        expect((yield* records(dns, zone.id)).filter((x) => x.name === "h")).toEqual([])

        // The SOA's id survives the serial moving (soa_edit_api DEFAULT here).
        const soa = (yield* records(dns, zone.id)).find((x) => x.type === "SOA")!
        expect(soa.id).toBe("SOA::")
        yield* dns.createRecord(zone, { name: "bump", type: "A", data: "192.0.2.9" })
        const after = yield* dns.getRecord(zone, soa.id)
        const serial = (s: string) => Number(s.split(" ")[2])
        expect(serial(after.data), "pdns moved the serial").toBeGreaterThan(serial(soa.data))
        yield* failsWith(dns.deleteRecord(zone, soa), "InvalidInput", "deleting the SOA")
      }))

    it.scoped("zones: name servers, kinds, TTL, PowerDNS-only operations", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns, powerDns } = yield* servicesFor(peer, { nameservers: ["ns.example.net", "ns2.@"], hostmaster: "dns.example.net" })
        const domain = freshDomain()
        const zone = yield* scopedZone(dns, { domain, ttl: 7200 })
        expect(zone.id).toBe(domain)
        expect(zone.ttl).toBe(7200)
        expect(zone.extra["kind"]).toBe("Native")
        expect(zone.extra["nameservers"]).toEqual(["ns.example.net.", `ns2.${domain}.`])
        const apex = yield* records(dns, `${domain}.`)
        expect(apex.find((r) => r.type === "SOA")!.data).toMatch(new RegExp(`^ns\\.example\\.net\\. dns\\.example\\.net\\. \\d+ 10800 3600 604800 3600$`))

        const master = yield* dns.updateZone(zone, { extra: { kind: "Master" }, ttl: 300 })
        expect([master.type, master.extra["kind"], master.ttl]).toEqual(["master", "Master", 300])
        yield* powerDns.notifyZone(zone)
        yield* powerDns.rectifyZone(zone)
        const text = yield* powerDns.exportZoneFile(zone)
        expect(text).toContain(`${domain}.\t300\tIN\tSOA\tns.example.net.`)

        yield* failsWith(dns.updateZone(zone, { type: "slave", extra: { kind: "Native" } }), "InvalidInput", "slave but Native")
        yield* failsWith(dns.createZone({ domain: freshDomain(), extra: { kind: "Bogus" } }), "InvalidInput", "unknown kind")
        yield* failsWith(dns.createZone({ domain: freshDomain(), extra: { colour: "blue" } }), "InvalidInput", "unknown extra")

        const secondary = yield* scopedZone(dns, { domain: freshDomain(), type: "slave", extra: { masters: ["192.0.2.53"] } })
        expect([secondary.type, secondary.extra["kind"], secondary.extra["masters"]]).toEqual(["slave", "Slave", ["192.0.2.53"]])
        expect(yield* records(dns, secondary.id), "a secondary starts empty").toEqual([])

        const alias = yield* dns.createRecord(zone, { name: "", type: "ALIAS", data: "lb.example.net" })
        expect(alias.data).toBe("lb.example.net.")
      }))

    it.effect("a wrong API key is InvalidCredentials, and the key is never shown", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns } = yield* servicesFor(peer, { apiKey: Redacted.make("wrong-key-s3cr3t") })
        const e = yield* failsWith(Stream.runDrain(dns.listZones()), "InvalidCredentials")
        expect(e.message).not.toContain("s3cr3t")
        expect(e.message).not.toContain(peer.apiKey)
        const e2 = yield* failsWith(dns.createZone({ domain: freshDomain() }), "InvalidCredentials")
        expect(e2.provider).toBe("powerdns")
      }))

    it.effect("PowerDNS's own refusals keep its message", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns } = yield* servicesFor(peer)
        const zone = yield* dns.createZone({ domain: freshDomain() })
        // Shapes only PowerDNS checks: the portable checks let them through.
        const e = yield* failsWith(dns.createRecord(zone, { name: "bad", type: "SSHFP", data: "1 1 nothex" }), "InvalidInput")
        expect(e.reason).toContain("SSHFP")
        const dup = yield* dns.createRecord(zone, { name: "v6", type: "AAAA", data: "2001:db8::5" })
        // The same address spelled another way: only PowerDNS knows it is a duplicate.
        const again = yield* failsWith(dns.createRecord(zone, { name: "v6", type: "AAAA", data: "2001:DB8:0::5" }), "AlreadyExists")
        expect(again.resource).toBe("record")
        yield* dns.deleteRecord(zone, dup)
        yield* dns.deleteZone(zone)
      }))

    it.effect("examples/copy-zone.ts: PowerDNS → memory → PowerDNS keeps every record", () =>
      Effect.gen(function*() {
        const peer = yield* LocalPowerDns
        const { dns: pdns } = yield* servicesFor(peer)
        const memory = yield* Memory.makeDns()
        const original = yield* pdns.createZone({ domain: freshDomain(), ttl: 1800 })
        const specs: ReadonlyArray<Dns.RecordSpec> = [
          { name: "", type: "A", data: "192.0.2.1" },
          { name: "www", type: "A", data: "192.0.2.2", ttl: 300 },
          { name: "www", type: "A", data: "192.0.2.3", ttl: 300 },
          { name: "v6", type: "AAAA", data: "2001:db8::7" },
          { name: "", type: "MX", data: "mail.example.net.", priority: 10 },
          { name: "", type: "TXT", data: "v=spf1 -all" },
          { name: "dkim._domainkey", type: "TXT", data: "v=DKIM1; k=rsa; p=".concat("A".repeat(400)) },
          { name: "odd", type: "TXT", data: "semi;colon \"quotes\" back\\slash" },
          { name: "_sip._tcp", type: "SRV", data: "5 5060 sip.example.net.", priority: 20 },
          { name: "docs", type: "CNAME", data: "example.github.io." },
          { name: "", type: "CAA", data: "0 issue \"letsencrypt.org\"" }
        ]
        for (const spec of specs) yield* pdns.createRecord(original, spec)
        const portableOf = (rs: ReadonlyArray<DnsRecord>) =>
          rs.filter((r) => r.type !== "SOA" && r.type !== "NS").map(shape).sort(byKey)
        const before = portableOf(yield* records(pdns, original.id))

        const toMemory = yield* copyZone(pdns, memory, original)
        expect(toMemory.zone.domain).toBe(original.domain)
        expect(toMemory.records.length).toBe(specs.length)
        expect(portableOf(yield* records(memory, toMemory.zone.id))).toEqual(before)

        yield* pdns.deleteZone(original)
        const back = yield* copyZone(memory, pdns, toMemory.zone)
        expect(back.zone.id).toBe(original.id)
        expect(back.zone.ttl).toBe(1800)
        expect(portableOf(yield* records(pdns, back.zone.id))).toEqual(before)
        // The copy is served: a record answered by a real query.
        const r = resolverFor(peer.dnsPort)
        expect((yield* Effect.promise(() => r.resolveTxt(`dkim._domainkey.${original.domain}`)))[0]!.join("")).toBe(specs[6]!.data)
        expect(yield* exportZoneOn(pdns, back.zone)).toContain(`www.${original.domain}.\t300\tIN\tA\t192.0.2.3`)
        yield* pdns.deleteZone(back.zone)
      }))
  })
})
