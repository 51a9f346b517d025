import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Option, Stream, TestClock } from "effect"
import fc from "fast-check"
import { makeDns } from "../../../src/layers/memory/dns.js"
import { Memory } from "../../../src/layers/memory/index.js"
import type { DnsRecord } from "../../../src/schemas/Models.js"
import type { Dns } from "../../../src/services/Dns.js"
import { outcome, withRecordedSpans } from "./support.js"

const collect = <A, E>(s: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(s), Chunk.toReadonlyArray)
const shape = (r: DnsRecord) => [r.name, r.type, r.data, r.priority ?? null] as const

describe("memory Dns", () => {
  it.effect("says it is memory, with updateZone and the usual record types", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      expect(dns.provider.id).toBe("memory")
      expect([...dns.provider.capabilities]).toEqual(["dns.updateZone"])
      const types = yield* dns.listRecordTypes()
      expect(types).toEqual(expect.arrayContaining(["A", "AAAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT", "CAA"]))
      expect(types).toEqual(Memory.memoryRecordTypes)
    }))

  it.effect("a master zone starts with an SOA and two NS records at the apex, like PowerDNS", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      yield* TestClock.setTime(Date.UTC(2030, 4, 17))
      const zone = yield* dns.createZone({ domain: "Example.COM.", ttl: 600 })
      expect(zone.domain).toBe("example.com")
      expect(zone.id).toMatch(/^Z[A-Z0-9]{13}$/)
      expect(zone.extra["nameservers"]).toEqual(["ns1.memory.cloudfx.test.", "ns2.memory.cloudfx.test."])
      const records = yield* collect(dns.listRecords(zone))
      expect(records.map(shape)).toEqual([
        ["", "NS", "ns1.memory.cloudfx.test.", null],
        ["", "NS", "ns2.memory.cloudfx.test.", null],
        ["", "SOA", "ns1.memory.cloudfx.test. hostmaster.example.com. 2030051701 10800 3600 604800 3600", null]
      ])
      expect(records.every((r) => r.ttl === 600)).toBe(true)

      const soa = records.find((r) => r.type === "SOA")!
      expect(yield* Effect.flip(dns.deleteRecord(zone, soa))).toMatchObject({ _tag: "InvalidInput", field: "record" })
      expect(
        yield* outcome(dns.createRecord(zone, { name: "", type: "SOA", data: "a. b. 1 2 3 4 5" })),
        "one SOA per zone"
      ).toBe("Conflict")
      expect(yield* outcome(dns.createRecord(zone, { name: "sub", type: "SOA", data: "a. b. 1 2 3 4 5" }))).toBe(
        "InvalidInput"
      )
      const bumped = yield* dns.updateRecord(zone, soa, {
        data: "ns1.memory.cloudfx.test. hostmaster.example.com. 2030051702 10800 3600 604800 3600"
      })
      expect(bumped.id).toBe(soa.id)
      expect(yield* outcome(dns.updateRecord(zone, soa, { type: "TXT", data: "\"x\"" }))).toBe("InvalidInput")
      expect(
        yield* outcome(dns.createRecord(zone, { name: "", type: "CNAME", data: "elsewhere.example.net." })),
        "no CNAME at an apex that has SOA/NS"
      ).toBe("Conflict")
      const ns = records.find((r) => r.type === "NS")!
      yield* dns.deleteRecord(zone, ns)
      expect((yield* collect(dns.listRecords(zone))).length).toBe(2)

      const slave = yield* dns.createZone({ domain: "slave.example", type: "slave" })
      expect(yield* collect(dns.listRecords(slave))).toEqual([])
      const bare = yield* makeDns({ dnsApexRecords: false })
      expect(yield* collect(bare.listRecords(yield* bare.createZone({ domain: "bare.example" })))).toEqual([])
    }))

  it.effect("record data is checked by type; priority only for MX and SRV", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns({ dnsApexRecords: false })
      const zone = yield* dns.createZone({ domain: "checks.example" })
      const ok: ReadonlyArray<Dns.RecordSpec> = [
        { name: "www", type: "CNAME", data: "web.example.net." },
        { name: "", type: "MX", data: "mail.example.net.", priority: 0 },
        { name: "_sip._tcp", type: "SRV", data: "5 5060 sip.example.net.", priority: 10 },
        { name: "*", type: "A", data: "192.0.2.1" },
        { name: "v6", type: "AAAA", data: "2001:db8::1" },
        { name: "", type: "CAA", data: "0 issue \"letsencrypt.org\"" },
        { name: "", type: "NS", data: "ns.example.net." },
        { name: "Upper", type: "TXT", data: "\"kept as is\"" }
      ]
      for (const spec of ok) expect(yield* outcome(dns.createRecord(zone, spec)), `${spec.type} ${spec.name}`).toBe("Success")
      const bad: ReadonlyArray<Dns.RecordSpec> = [
        { name: "x", type: "CNAME", data: "not a host" },
        { name: "x", type: "NS", data: "bad!.example." },
        { name: "x", type: "SRV", data: "sip.example.net.", priority: 1 },
        { name: "x", type: "SRV", data: "70000 1 sip.example.net.", priority: 1 },
        { name: "x", type: "A", data: "192.0.2.1", priority: 5 },
        { name: "x", type: "DS", data: "12345 8 2 abcdef" },
        { name: "x", type: "TXT", data: "a\0b" }
      ]
      for (const spec of bad) {
        expect(yield* outcome(dns.createRecord(zone, spec)), `${spec.type} ${spec.data}`).toBe("InvalidInput")
      }
      const listed = yield* collect(dns.listRecords(zone))
      expect(listed.length).toBe(ok.length)
      expect(listed.find((r) => r.type === "TXT")?.name, "names are lower-cased").toBe("upper")
      const mx = listed.find((r) => r.type === "MX")!
      const asA = yield* dns.updateRecord(zone, mx, { type: "A", data: "192.0.2.5", name: "mx" })
      expect(asA.priority, "an A record drops the MX priority").toBeUndefined()
      expect(asA.id).toBe(mx.id)
    }))

  it.effect("record ttl defaults to the zone's ttl, then 3600", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      const withTtl = yield* dns.createZone({ domain: "ttl.example", ttl: 120 })
      const without = yield* dns.createZone({ domain: "nottl.example" })
      expect((yield* dns.createRecord(withTtl, { name: "a", type: "A", data: "192.0.2.1" })).ttl).toBe(120)
      expect((yield* dns.createRecord(without, { name: "a", type: "A", data: "192.0.2.1" })).ttl).toBe(3600)
      expect((yield* dns.updateZone(withTtl, { ttl: 60, type: "slave", extra: { note: "x" } }))).toMatchObject({
        ttl: 60,
        type: "slave",
        extra: { note: "x" }
      })
    }))

  it.effect("deleting a zone deletes its records; the domain can be created again", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      const zone = yield* dns.createZone({ domain: "again.example" })
      const r = yield* dns.createRecord(zone, { name: "a", type: "A", data: "192.0.2.1" })
      yield* dns.deleteZone(zone)
      expect(yield* outcome(dns.getRecord(zone, r))).toBe("NotFound")
      const fresh = yield* dns.createZone({ domain: "again.example" })
      expect(fresh.id).not.toBe(zone.id)
      expect((yield* collect(dns.listRecords(fresh))).some((x) => x.id === r.id)).toBe(false)
    }))

  it.effect("listings are paginated: one fault roll per page, and latency per page (TestClock)", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns({ pageSize: 2, latency: "1 second", dnsApexRecords: false })
      for (const d of ["a.example", "b.example", "c.example", "d.example", "e.example"]) {
        const fiber = yield* Effect.fork(dns.createZone({ domain: d }))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
      }
      const listing = yield* Effect.fork(collect(dns.listZones()))
      yield* TestClock.adjust("2 seconds")
      expect(Option.isNone(yield* Fiber.poll(listing)), "three pages of 2: not done after two").toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(listing)).map((z) => z.domain)).toEqual([
        "a.example",
        "b.example",
        "c.example",
        "d.example",
        "e.example"
      ])

      const faulty = yield* makeDns({ pageSize: 1, faults: { seed: 5, transport: 0.3 } })
      const outcomes: Array<string> = []
      for (let i = 0; i < 6; i++) outcomes.push(yield* outcome(faulty.createZone({ domain: `z${i}.example` })))
      const expected = outcomes.flatMap((o, i) => (o === "Success" ? [`z${i}.example`] : []))
      const seen = yield* collect(faulty.listZones()).pipe(Effect.retry({ times: 200 }))
      expect(seen.map((z) => z.domain)).toEqual(expected)
      expect(outcomes).toContain("Transport")
    }))

  it.effect("a zone deleted mid-listing ends the Stream with NotFound", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns({ pageSize: 1, dnsApexRecords: false })
      const zone = yield* dns.createZone({ domain: "mid.example" })
      for (let i = 0; i < 3; i++) yield* dns.createRecord(zone, { name: `h${i}`, type: "A", data: "192.0.2.1" })
      const result = yield* outcome(
        dns.listRecords(zone).pipe(
          Stream.tap((r) => (r.name === "h0" ? Effect.ignore(dns.deleteZone(zone)) : Effect.void)),
          Stream.runDrain
        )
      )
      expect(result).toBe("NotFound")
    }))

  it.effect("garbage input is InvalidInput, never a defect", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      const zone = yield* dns.createZone({ domain: "garbage.example" })
      const before = yield* collect(dns.listRecords(zone))
      const garbage = <A>(u: unknown) => u as A
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        dns.createZone(garbage(null)),
        dns.createZone(garbage({ domain: 5 })),
        dns.createZone(garbage({ domain: "x.example", type: "primary" })),
        dns.createZone(garbage({ domain: "x.example", extra: [] })),
        dns.getZone(garbage(undefined)),
        dns.updateZone(zone, garbage(null)),
        dns.updateZone(zone, garbage({ type: "hint" })),
        collect(dns.listRecords(garbage(null))),
        dns.createRecord(zone, garbage(null)),
        dns.createRecord(zone, garbage({ name: 1, type: "A", data: "192.0.2.1" })),
        dns.createRecord(zone, garbage({ name: "a", type: "A", data: 1 })),
        dns.createRecord(zone, garbage({ name: "a", type: undefined, data: "192.0.2.1" })),
        dns.updateRecord(zone, before[0]!, garbage(null)),
        dns.updateRecord(zone, before[0]!, garbage({ data: 7 })),
        dns.deleteRecord(zone, garbage({}))
      ]
      for (const [i, call] of calls.entries()) expect(yield* outcome(call), `call ${i}`).toBe("InvalidInput")
      expect(yield* collect(dns.listRecords(zone))).toEqual(before)
      expect((yield* collect(dns.listZones())).length).toBe(1)
    }))

  it.effect("every operation runs in its span", () =>
    Effect.gen(function*() {
      const dns = yield* makeDns()
      const { spans } = yield* withRecordedSpans(
        Effect.gen(function*() {
          const zone = yield* dns.createZone({ domain: "span.example" })
          yield* dns.createRecord(zone, { name: "a", type: "A", data: "192.0.2.1" })
          yield* collect(dns.listRecords(zone))
        })
      )
      expect(spans.map((s) => s.name)).toEqual(["Dns.createZone", "Dns.createRecord", "Dns.listRecords"])
      expect(spans[0]!.attributes.get("cloudfx.zone.domain")).toBe("span.example")
    }))

  it("listZones and listRecords give the full listing in a stable order, whatever the page size", async () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,8}$/)
    const recordSpec = fc.oneof(
      fc.record({
        name: fc.constantFrom("", "www", "mail", "a", "b.c", "*"),
        type: fc.constant("A" as const),
        data: fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`)
      }),
      fc.record({
        name: fc.constantFrom("", "www", "txt"),
        type: fc.constant("TXT" as const),
        data: fc.stringMatching(/^[a-z0-9 =]{1,12}$/).map((s) => `"${s}"`)
      }),
      fc.record({
        name: fc.constantFrom("", "mx"),
        type: fc.constant("MX" as const),
        data: fc.constantFrom("mx1.example.net.", "mx2.example.net."),
        priority: fc.integer({ min: 0, max: 20 })
      })
    )
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.uniqueArray(label, { minLength: 0, maxLength: 30 }),
        fc.array(recordSpec, { maxLength: 60 }),
        fc.boolean(),
        async (pageSize, labels, specs, apexRecords) => {
          await Effect.runPromise(Effect.gen(function*() {
            const dns = yield* makeDns({ pageSize, dnsApexRecords: apexRecords })
            const zones = []
            for (const l of labels) zones.push(yield* dns.createZone({ domain: `${l}.prop.example` }))
            const listedZones = yield* collect(dns.listZones())
            expect(listedZones.map((z) => z.domain)).toEqual(zones.map((z) => z.domain).sort())
            expect(listedZones.map((z) => z.id)).toEqual((yield* collect(dns.listZones())).map((z) => z.id))

            const zone = yield* dns.createZone({ domain: "records.prop.example" })
            const initial = yield* collect(dns.listRecords(zone))
            const created: Array<DnsRecord> = []
            for (const spec of specs) {
              const r = yield* Effect.either(dns.createRecord(zone, spec))
              if (r._tag === "Right") created.push(r.right)
              else expect(r.left._tag, "only exact duplicates are refused").toBe("AlreadyExists")
            }
            const listed = yield* collect(dns.listRecords(zone))
            expect(listed.length).toBe(initial.length + created.length)
            expect(new Set(listed.map((r) => r.id)).size).toBe(listed.length)
            expect(listed.map((r) => r.id).sort()).toEqual([...initial, ...created].map((r) => r.id).sort())
            // Stable: the same listing again, and the same order as with one big page.
            expect((yield* collect(dns.listRecords(zone))).map((r) => r.id)).toEqual(listed.map((r) => r.id))
            const keys = listed.map(shape)
            const sorted = [...keys].sort((a, b) =>
              a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 :
              (a[3] ?? -1) - (b[3] ?? -1) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)
            )
            expect(keys).toEqual(sorted)
          }))
        }
      ),
      { numRuns: 60 }
    )
  })
})
