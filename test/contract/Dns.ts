/**
 * The Dns contract: written once against the portable interface, run by
 * every DNS provider (memory, PowerDNS, Route 53, Cloudflare, …).
 *
 * Safe on a shared real server: every zone is a fresh random subdomain of
 * `domainSuffix`, deleted when its test ends, pass or fail. Providers may
 * create records of their own in a new zone (SOA and NS at the apex, as
 * PowerDNS and Route 53 do); the suite only requires that those are SOA/NS
 * records at the apex and leaves them alone.
 */
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import type { Layer } from "effect"
import type { DnsRecord } from "../../src/schemas/Models.js"
import { RecordType as RecordTypeSchema } from "../../src/schemas/Models.js"
import { Dns } from "../../src/services/Dns.js"
import type { Capability } from "../../src/services/ProviderInfo.js"
import { defaultMissingId, failsWith, neverFailsWith, uniqueSuffix } from "./harness.js"

export interface DnsContractOptions {
  /** vitest timeout of each test, in ms. Default 60 s. */
  readonly testTimeout?: number
  /** Test zones are "<random>.<domainSuffix>". Default "cloudfx-contract.example". */
  readonly domainSuffix?: string
  /** A well-formed id nobody has, for NotFound checks. */
  readonly missingId?: (resource: "zone" | "record") => string
  /** How many records the listing test creates (enough to span pages). Default 25. */
  readonly listingSize?: number
}

const dnsCapabilities: ReadonlyArray<Capability> = ["dns.updateZone"]

const basicTypes = ["A", "AAAA", "CNAME", "MX", "TXT"] as const

export const dnsContract = <E>(name: string, dnsLayer: Layer.Layer<Dns, E>, options: DnsContractOptions = {}): void => {
  const testTimeout = options.testTimeout ?? 60_000
  const suffix = options.domainSuffix ?? "cloudfx-contract.example"
  const missing = options.missingId ?? defaultMissingId
  const listingSize = options.listingSize ?? 25

  layer(dnsLayer, { excludeTestServices: true, timeout: "2 minutes" })(`Dns contract: ${name}`, (it) => {
    const has = (dns: Dns.Service, c: Capability) => dns.provider.capabilities.has(c)
    const freshDomain = () => `z${uniqueSuffix()}.${suffix}`

    const scopedZone = (dns: Dns.Service, spec: Dns.CreateZoneSpec) =>
      Effect.acquireRelease(dns.createZone(spec), (z) => Effect.ignore(dns.deleteZone(z.id)))

    const records = (dns: Dns.Service, zone: string) =>
      Effect.map(Stream.runCollect(dns.listRecords(zone)), Chunk.toReadonlyArray)

    const zonesNamed = (dns: Dns.Service, domain: string) =>
      Effect.map(Stream.runCollect(dns.listZones()), (zs) => Chunk.toReadonlyArray(zs).filter((z) => z.domain === domain))

    // A provider may raise the SOA serial on every change (PowerDNS does, as RFC 1912 asks):
    // "the zone is unchanged" compares everything but the serial.
    const shape = (r: DnsRecord) => ({
      name: r.name,
      type: r.type,
      data: r.type === "SOA" ? r.data.trim().split(/\s+/).map((field, i) => (i === 2 ? "<serial>" : field)).join(" ") : r.data,
      ...(r.priority === undefined ? {} : { priority: r.priority })
    })

    it.effect("provider info names the provider and only DNS capabilities", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        expect(dns.provider.id.length).toBeGreaterThan(0)
        for (const c of dns.provider.capabilities) expect(dnsCapabilities).toContain(c)
      }))

    it.effect("record types are listed, including the basic ones", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const types = yield* dns.listRecordTypes()
        for (const t of types) expect(RecordTypeSchema.literals).toContain(t)
        for (const t of basicTypes) expect(types).toContain(t)
        expect(new Set(types).size).toBe(types.length)
      }))

    it.effect("capabilities agree with Unsupported, both ways", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const probe = dns.updateZone(missing("zone"), { ttl: 600 })
        if (has(dns, "dns.updateZone")) {
          yield* neverFailsWith(probe, "Unsupported", "updateZone with dns.updateZone listed")
          yield* failsWith(probe, "NotFound", "updating a missing zone")
        } else {
          yield* failsWith(probe, "Unsupported", "updateZone without dns.updateZone")
        }
      }), testTimeout)

    it.scoped("a zone lives: create (normalised), get, list, refuse a duplicate, update, delete", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const domain = freshDomain()
        expect(yield* zonesNamed(dns, domain)).toEqual([])
        const zone = yield* scopedZone(dns, { domain: `${domain.toUpperCase()}.`, ttl: 3600 })
        expect(zone.domain, "no trailing dot, lower case").toBe(domain)
        expect(zone.type).toBe("master")
        expect(zone.id.length).toBeGreaterThan(0)

        const fetched = yield* dns.getZone(zone.id)
        expect([fetched.id, fetched.domain, fetched.type]).toEqual([zone.id, domain, "master"])
        expect((yield* dns.getZone(zone)).id, "a Zone is a Ref too").toBe(zone.id)
        expect((yield* zonesNamed(dns, domain)).map((z) => z.id), "listed once").toEqual([zone.id])

        for (const spelling of [domain, `${domain}.`, domain.toUpperCase()]) {
          const e = yield* failsWith(dns.createZone({ domain: spelling }), "AlreadyExists", `zone ${spelling} again`)
          expect(e.resource).toBe("zone")
        }
        expect((yield* zonesNamed(dns, domain)).length).toBe(1)

        // What a provider puts in a new zone by itself is SOA / NS at the apex, nothing else.
        for (const r of yield* records(dns, zone.id)) {
          expect(["SOA", "NS"], `provider record ${r.type} ${r.name}`).toContain(r.type)
          expect(r.name).toBe("")
          expect(r.zoneId).toBe(zone.id)
        }

        if (has(dns, "dns.updateZone")) {
          const updated = yield* dns.updateZone(zone, { ttl: 7200 })
          expect(updated.id).toBe(zone.id)
          expect(updated.ttl).toBe(7200)
          expect((yield* dns.getZone(zone)).ttl).toBe(7200)
          yield* failsWith(dns.updateZone(zone, { ttl: -1 }), "InvalidInput", "updating the zone ttl to -1")
          expect((yield* dns.getZone(zone)).ttl).toBe(7200)
        } else {
          yield* failsWith(dns.updateZone(zone, { ttl: 7200 }), "Unsupported")
        }

        yield* dns.deleteZone(zone)
        const e = yield* failsWith(dns.getZone(zone), "NotFound", "a deleted zone")
        expect(e.resource).toBe("zone")
        yield* failsWith(dns.deleteZone(zone), "NotFound", "deleting a deleted zone")
        yield* failsWith(records(dns, zone.id), "NotFound", "records of a deleted zone")
        expect(yield* zonesNamed(dns, domain)).toEqual([])
      }), testTimeout)

    it.scoped("records live: create, get, list, refuse duplicates and CNAME clashes, update, delete", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const zone = yield* scopedZone(dns, { domain: freshDomain() })
        const initial = yield* records(dns, zone.id)

        const www = yield* dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.1", ttl: 300 })
        expect(shape(www)).toEqual({ name: "www", type: "A", data: "192.0.2.1" })
        expect(www.ttl).toBe(300)
        expect(www.zoneId).toBe(zone.id)
        expect(www.id.length).toBeGreaterThan(0)
        const fetched = yield* dns.getRecord(zone, www.id)
        expect([fetched.id, ...Object.values(shape(fetched)), fetched.ttl]).toEqual([www.id, "www", "A", "192.0.2.1", 300])
        expect((yield* dns.getRecord(zone.id, www)).id, "a DnsRecord is a Ref too").toBe(www.id)

        const www2 = yield* dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.2", ttl: 300 })
        expect(www2.id).not.toBe(www.id)
        const dup = yield* failsWith(
          dns.createRecord(zone, { name: "www", type: "A", data: "192.0.2.1", ttl: 300 }),
          "AlreadyExists",
          "an identical record"
        )
        expect(dup.resource).toBe("record")

        yield* failsWith(
          dns.createRecord(zone, { name: "www", type: "CNAME", data: "elsewhere.example.net." }),
          "Conflict",
          "a CNAME beside an A record"
        )
        const alias = yield* dns.createRecord(zone, { name: "alias", type: "CNAME", data: "www.example.net." })
        yield* failsWith(
          dns.createRecord(zone, { name: "alias", type: "TXT", data: "\"hello\"" }),
          "Conflict",
          "a TXT beside a CNAME"
        )
        yield* failsWith(
          dns.createRecord(zone, { name: "alias", type: "CNAME", data: "other.example.net." }),
          "Conflict",
          "a second CNAME at one name"
        )

        const mx = yield* dns.createRecord(zone, { name: "", type: "MX", data: "mail.example.net.", priority: 10 })
        expect(mx.priority).toBe(10)
        expect(mx.name).toBe("")
        const apexTxt = yield* dns.createRecord(zone, { name: "@", type: "TXT", data: "\"v=spf1 -all\"" })
        expect(apexTxt.name, "@ is the apex").toBe("")
        const v6 = yield* dns.createRecord(zone, { name: "v6", type: "AAAA", data: "2001:db8::1" })
        expect(v6.type).toBe("AAAA")

        const mine = [www, www2, alias, mx, apexTxt, v6]
        const listed = yield* records(dns, zone.id)
        for (const r of mine) {
          expect(listed.filter((x) => x.id === r.id).map(shape), `${r.type} ${r.name} listed once`).toEqual([shape(r)])
        }
        expect(listed.length).toBe(initial.length + mine.length)
        const again = yield* records(dns, zone.id)
        expect(again.map((r) => r.id).sort(), "record ids are stable").toEqual(listed.map((r) => r.id).sort())

        const updated = yield* dns.updateRecord(zone, www, { data: "192.0.2.3", ttl: 600 })
        expect(shape(updated)).toEqual({ name: "www", type: "A", data: "192.0.2.3" })
        expect(updated.ttl).toBe(600)
        const reread = yield* dns.getRecord(zone, updated.id)
        expect([reread.data, reread.ttl]).toEqual(["192.0.2.3", 600])
        yield* failsWith(
          dns.updateRecord(zone, updated, { data: "192.0.2.2" }),
          "Conflict",
          "updating a record into a copy of another"
        )
        yield* failsWith(
          dns.updateRecord(zone, updated, { data: "not-an-ip" }),
          "InvalidInput",
          "updating an A record to bad data"
        )
        yield* failsWith(
          dns.updateRecord(zone, alias, { name: "www" }),
          "Conflict",
          "moving a CNAME beside A records"
        )
        expect((yield* dns.getRecord(zone, updated.id)).data, "failed updates change nothing").toBe("192.0.2.3")
        expect((yield* dns.getRecord(zone, alias.id)).name).toBe("alias")

        for (const r of [updated, www2, alias, mx, apexTxt, v6]) {
          yield* dns.deleteRecord(zone, r.id)
          const e = yield* failsWith(dns.getRecord(zone, r.id), "NotFound", `${r.type} ${r.name} after delete`)
          expect(e.resource).toBe("record")
        }
        yield* failsWith(dns.deleteRecord(zone, www2.id), "NotFound", "deleting a deleted record")
        expect((yield* records(dns, zone.id)).map(shape), "back to what the zone started with").toEqual(
          initial.map(shape)
        )
      }), testTimeout)

    it.scoped("missing zones and records are NotFound, naming the resource", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const zoneId = missing("zone")
        const recordId = missing("record")
        const spec: Dns.RecordSpec = { name: "www", type: "A", data: "192.0.2.1" }
        const zoneChecks: Array<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["getZone", dns.getZone(zoneId)],
          ["deleteZone", dns.deleteZone(zoneId)],
          ["listRecords", records(dns, zoneId)],
          ["getRecord", dns.getRecord(zoneId, recordId)],
          ["createRecord", dns.createRecord(zoneId, spec)],
          ["updateRecord", dns.updateRecord(zoneId, recordId, { ttl: 60 })],
          ["deleteRecord", dns.deleteRecord(zoneId, recordId)]
        ]
        if (has(dns, "dns.updateZone")) zoneChecks.push(["updateZone", dns.updateZone(zoneId, { ttl: 60 })])
        for (const [operation, check] of zoneChecks) {
          const e = yield* failsWith(check, "NotFound", operation)
          expect((e as unknown as { resource: string }).resource, operation).toBe("zone")
        }
        const zone = yield* scopedZone(dns, { domain: freshDomain() })
        const recordChecks: Array<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["getRecord", dns.getRecord(zone, recordId)],
          ["updateRecord", dns.updateRecord(zone, recordId, { ttl: 60 })],
          ["deleteRecord", dns.deleteRecord(zone, recordId)]
        ]
        for (const [operation, check] of recordChecks) {
          const e = yield* failsWith(check, "NotFound", operation)
          expect((e as unknown as { resource: string }).resource, operation).toBe("record")
        }
      }), testTimeout)

    it.scoped("bad input is InvalidInput, before anything changes", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const domain = freshDomain()
        const badZones: ReadonlyArray<readonly [string, Dns.CreateZoneSpec]> = [
          ["empty domain", { domain: "" }],
          ["domain with a space", { domain: `bad domain.${suffix}` }],
          ["domain with '!'", { domain: `bad!.${suffix}` }],
          ["label starting with '-'", { domain: `-x.${suffix}` }],
          ["empty label", { domain: `a..${suffix}` }],
          ["label of 64 characters", { domain: `${"a".repeat(64)}.${suffix}` }],
          ["negative ttl", { domain, ttl: -5 }],
          ["NaN ttl", { domain, ttl: Number.NaN }],
          ["fractional ttl", { domain, ttl: 1.5 }]
        ]
        for (const [what, spec] of badZones) yield* failsWith(scopedZone(dns, spec), "InvalidInput", what)
        expect(yield* zonesNamed(dns, domain)).toEqual([])
        yield* failsWith(dns.getZone(""), "InvalidInput", "getZone('')")
        yield* failsWith(dns.deleteZone(""), "InvalidInput", "deleteZone('')")
        yield* failsWith(records(dns, ""), "InvalidInput", "listRecords('')")

        const zone = yield* scopedZone(dns, { domain })
        const before = yield* records(dns, zone.id)
        const badRecords: ReadonlyArray<readonly [string, Dns.RecordSpec]> = [
          ["unknown type", { name: "www", type: "BOGUS" as Dns.RecordSpec["type"], data: "x" }],
          ["A with a name", { name: "www", type: "A", data: "not-an-ip" }],
          ["A out of range", { name: "www", type: "A", data: "256.1.1.1" }],
          ["AAAA with IPv4", { name: "www", type: "AAAA", data: "192.0.2.1" }],
          ["negative ttl", { name: "www", type: "A", data: "192.0.2.1", ttl: -1 }],
          ["NaN ttl", { name: "www", type: "A", data: "192.0.2.1", ttl: Number.NaN }],
          ["fractional ttl", { name: "www", type: "A", data: "192.0.2.1", ttl: 1.5 }],
          ["name with a space", { name: "bad name", type: "A", data: "192.0.2.1" }],
          ["name with '!'", { name: "bad!", type: "A", data: "192.0.2.1" }],
          ["absolute name", { name: "www.", type: "A", data: "192.0.2.1" }],
          ["empty data", { name: "www", type: "TXT", data: "" }],
          ["two-line data", { name: "www", type: "TXT", data: "a\nb" }],
          ["MX without priority", { name: "", type: "MX", data: "mail.example.net." }],
          ["MX with priority -1", { name: "", type: "MX", data: "mail.example.net.", priority: -1 }],
          ["MX with priority NaN", { name: "", type: "MX", data: "mail.example.net.", priority: Number.NaN }],
          ["SRV without priority", { name: "_sip._tcp", type: "SRV", data: "5 5060 sip.example.net." }]
        ]
        for (const [what, spec] of badRecords) yield* failsWith(dns.createRecord(zone, spec), "InvalidInput", what)
        yield* failsWith(
          dns.createRecord("", { name: "www", type: "A", data: "192.0.2.1" }),
          "InvalidInput",
          "createRecord('')"
        )
        const ok = yield* dns.createRecord(zone, { name: "ok", type: "A", data: "192.0.2.9", ttl: 300 })
        yield* failsWith(dns.updateRecord(zone, ok, { ttl: -1 }), "InvalidInput", "updating to ttl -1")
        yield* failsWith(
          dns.updateRecord(zone, ok, { type: "BOGUS" as Dns.RecordSpec["type"] }),
          "InvalidInput",
          "updating to an unknown type"
        )
        yield* failsWith(dns.updateRecord(zone, ok, { name: "bad name" }), "InvalidInput", "updating to a bad name")
        yield* failsWith(dns.getRecord(zone, ""), "InvalidInput", "getRecord(_, '')")
        yield* failsWith(dns.deleteRecord(zone, ""), "InvalidInput", "deleteRecord(_, '')")
        const after = yield* records(dns, zone.id)
        expect(after.filter((r) => r.id !== ok.id).map(shape), "nothing else was created").toEqual(before.map(shape))
        const unchanged = yield* dns.getRecord(zone, ok)
        expect([unchanged.name, unchanged.type, unchanged.data, unchanged.ttl]).toEqual(["ok", "A", "192.0.2.9", 300])
      }), testTimeout)

    it.scoped("listings are complete Streams: every zone and record once", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const zones = [
          yield* scopedZone(dns, { domain: freshDomain() }),
          yield* scopedZone(dns, { domain: freshDomain() }),
          yield* scopedZone(dns, { domain: freshDomain() })
        ]
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listZones()))
        for (const z of zones) expect(all.filter((x) => x.id === z.id).length, `zone ${z.domain} once`).toBe(1)
        expect(new Set(all.map((z) => z.id)).size, "no zone twice").toBe(all.length)

        const zone = zones[0]!
        const created: Array<DnsRecord> = []
        for (let i = 0; i < listingSize; i++) {
          created.push(yield* dns.createRecord(zone, { name: `host${i}`, type: "A", data: `192.0.2.${i + 1}` }))
        }
        const listed = yield* records(dns, zone.id)
        expect(new Set(listed.map((r) => r.id)).size, "no record twice").toBe(listed.length)
        for (const r of created) expect(listed.filter((x) => x.id === r.id).length, `${r.name} once`).toBe(1)
        // A Stream can be taken from partially without fetching everything.
        const firstTwo = yield* Stream.runCollect(Stream.take(dns.listRecords(zone), 2))
        expect(Chunk.size(firstTwo)).toBe(2)
      }), testTimeout)
  })
}
