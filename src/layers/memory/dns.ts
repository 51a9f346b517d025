/**
 * An in-memory DNS service that behaves like PowerDNS / Route 53:
 *
 * - A new master zone gets, at its apex, one SOA record
 *   ("ns1.memory.cloudfx.test. hostmaster.<domain>. <serial> 10800 3600 604800 3600")
 *   and two NS records (ns1/ns2.memory.cloudfx.test.), and `listRecords`
 *   lists them like any other record. `dnsApexRecords: false` turns this off.
 *   The SOA can be updated but not deleted (InvalidInput) and a zone has only
 *   one (Conflict); the NS records are ordinary records. Slave zones start empty.
 * - Record names are relative ("" is the apex, "@" is accepted for it); the
 *   data is stored as given once valid. Domain-valued data (CNAME, NS, MX, PTR,
 *   DNAME, ALIAS) must be a domain name, SRV data is "weight port target", and
 *   `priority` is required for MX and SRV and refused for other types.
 * - A record identical to an existing one (name, type, data, priority) is
 *   AlreadyExists; a CNAME next to any other record at the same name (or a
 *   record next to a CNAME) is Conflict. Record ids never change, not even on
 *   update. Each record keeps its own TTL (no RRset TTL coupling).
 * - `listZones` is ordered by domain, `listRecords` by name, type, priority,
 *   data; both are fetched in pages of `pageSize`, each page one call (one
 *   fault roll), continuing after the last key seen so concurrent changes
 *   never duplicate an entry.
 *
 * Resources named in NotFound / AlreadyExists / Conflict: "zone", "record".
 */
import { Chunk, Clock, Effect, Option, Ref, Stream } from "effect"
import { AlreadyExists, Conflict, NotFound } from "../../schemas/Errors.js"
import { DnsRecord, Zone } from "../../schemas/Models.js"
import type { RecordType, ZoneType } from "../../schemas/Models.js"
import type { Dns } from "../../services/Dns.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref as CloudRef } from "../../services/Refs.js"
import { traced, tracedStream } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import {
  done,
  invalid,
  type MemoryConfig,
  newId,
  newUpperId,
  object,
  optionalObject,
  PROVIDER,
  refIdOf,
  refuse,
  resolve,
  transact,
  withEntry,
  withoutEntry
} from "./config.js"
import { makeInjector } from "./faults.js"

interface ZoneRecord {
  readonly id: string
  readonly domain: string
  readonly type: ZoneType
  readonly ttl: number | undefined
  readonly extra: Readonly<Record<string, unknown>>
  readonly createdAt: Date
}

interface RecordRecord {
  readonly id: string
  readonly name: string
  readonly type: RecordType
  readonly data: string
  readonly ttl: number
  readonly priority: number | undefined
}

interface State {
  readonly zones: ReadonlyMap<string, ZoneRecord>
  /** Records by zone id. */
  readonly records: ReadonlyMap<string, ReadonlyArray<RecordRecord>>
}

export const memoryRecordTypes: ReadonlyArray<RecordType> = [
  "A",
  "AAAA",
  "ALIAS",
  "CAA",
  "CNAME",
  "DNAME",
  "MX",
  "NAPTR",
  "NS",
  "PTR",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "TLSA",
  "TXT"
]
const supported = new Set<string>(memoryRecordTypes)

export const memoryNameservers: ReadonlyArray<string> = ["ns1.memory.cloudfx.test.", "ns2.memory.cloudfx.test."]

const DEFAULT_TTL = 3600

const domainValued: ReadonlySet<RecordType> = new Set(["CNAME", "NS", "MX", "PTR", "DNAME", "ALIAS"])

// ---------------------------------------------------------------- ordering

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const recordKey = (r: RecordRecord) => [r.name, r.type, r.priority ?? -1, r.data, r.id] as const
const compareRecords = (a: RecordRecord, b: RecordRecord): number => {
  const ka = recordKey(a)
  const kb = recordKey(b)
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i]!
    const y = kb[i]!
    const c = typeof x === "number" && typeof y === "number" ? x - y : compareStrings(String(x), String(y))
    if (c !== 0) return c
  }
  return 0
}

const identical = (a: Pick<RecordRecord, "name" | "type" | "data" | "priority">, b: typeof a) =>
  a.name === b.name && a.type === b.type && a.data === b.data && a.priority === b.priority

export const makeDns = (config: MemoryConfig = {}): Effect.Effect<Dns.Service> =>
  Effect.gen(function*() {
    const settings = resolve(config)
    const inject = makeInjector(PROVIDER, config)
    const apexRecords = config.dnsApexRecords !== false
    const ref = yield* Ref.make<State>({ zones: new Map(), records: new Map() })
    const atomically = transact(ref)
    const provider = providerInfo(PROVIDER, ["dns.updateZone"], settings.region)
    const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Dns.${name}` })
    const notFound = (w: validate.Where, resource: string, id: string) => new NotFound({ ...w, resource, id })

    // -------------------------------------------------------------- views

    const zoneView = (z: ZoneRecord) =>
      new Zone({
        id: z.id,
        domain: z.domain,
        type: z.type,
        ...(z.ttl === undefined ? {} : { ttl: z.ttl }),
        extra: { ...z.extra, createdAt: z.createdAt, nameservers: memoryNameservers }
      })

    const recordView = (zoneId: string, r: RecordRecord) =>
      new DnsRecord({
        id: r.id,
        zoneId,
        name: r.name,
        type: r.type,
        data: r.data,
        ttl: r.ttl,
        ...(r.priority === undefined ? {} : { priority: r.priority }),
        extra: {}
      })

    // -------------------------------------------------------------- input checks

    const checkZoneType = (w: validate.Where, type: ZoneType | undefined) =>
      type === undefined || type === "master" || type === "slave"
        ? Effect.succeed(type)
        : Effect.fail(invalid(w, "type", `"${String(type)}" is not a zone type (master or slave)`))

    /** A whole record, as it will be stored (ttl still optional). */
    const checkRecord = (
      w: validate.Where,
      spec: { name: string; type: string; data: string; ttl: number | undefined; priority: number | undefined }
    ) =>
      Effect.gen(function*() {
        const name = yield* validate.recordName(w, spec.name)
        const type = yield* validate.recordType(w, spec.type)
        if (!supported.has(type)) return yield* Effect.fail(invalid(w, "type", `${type} records are not supported here`))
        const ttl = yield* validate.ttl(w, spec.ttl)
        yield* validate.recordData(w, type, spec.data, spec.priority)
        if (spec.priority !== undefined && type !== "MX" && type !== "SRV") {
          return yield* Effect.fail(invalid(w, "priority", `only MX and SRV records have a priority, not ${type}`))
        }
        const data = spec.data.trim()
        if (domainValued.has(type) && data !== ".") {
          yield* validate.domain(w, "data", data).pipe(
            Effect.mapError(() => invalid(w, "data", `"${data}" is not a domain name (${type} data names a host)`))
          )
        }
        if (type === "SRV") {
          const m = /^(\d{1,5}) (\d{1,5}) (\S+)$/.exec(data)
          if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) {
            return yield* Effect.fail(invalid(w, "data", `SRV data is "weight port target", not "${data}"`))
          }
        }
        if (type === "SOA") {
          if (name !== "") return yield* Effect.fail(invalid(w, "name", "an SOA record lives at the zone apex"))
          if (!/^\S+ \S+ \d+ \d+ \d+ \d+ \d+$/.test(data)) {
            return yield* Effect.fail(invalid(w, "data", "SOA data is \"mname rname serial refresh retry expire minimum\""))
          }
        }
        return { name, type, data, ttl, priority: spec.priority }
      })

    /** What stops `candidate` from joining `others` (the zone's records without the one being replaced). */
    const clash = (
      w: validate.Where,
      others: ReadonlyArray<RecordRecord>,
      candidate: Omit<RecordRecord, "id" | "ttl">
    ): { readonly twin: RecordRecord } | Conflict | undefined => {
      const twin = others.find((r) => identical(r, candidate))
      if (twin !== undefined) return { twin }
      const atName = others.filter((r) => r.name === candidate.name)
      const label = candidate.name === "" ? "the apex" : `"${candidate.name}"`
      if (candidate.type === "CNAME" && atName.length > 0) {
        return new Conflict({
          ...w,
          resource: "record",
          id: candidate.name,
          reason: `a CNAME cannot sit beside other records (${atName[0]!.type}) at ${label}`
        })
      }
      if (candidate.type !== "CNAME" && atName.some((r) => r.type === "CNAME")) {
        return new Conflict({ ...w, resource: "record", id: candidate.name, reason: `${label} already has a CNAME` })
      }
      if (candidate.type === "SOA" && others.some((r) => r.type === "SOA")) {
        return new Conflict({ ...w, resource: "record", id: candidate.name, reason: "the zone already has an SOA record" })
      }
      return undefined
    }

    // -------------------------------------------------------------- zones

    const page = <A>(all: ReadonlyArray<A>, start: number) => {
      const items = all.slice(start, start + settings.pageSize)
      return [items, start + items.length < all.length] as const
    }

    const listZones = () => {
      const w = where("listZones")
      return Stream.paginateChunkEffect(undefined as string | undefined, (after) =>
        inject(
          w.operation,
          Effect.map(Ref.get(ref), (s) => {
            const sorted = Array.from(s.zones.values()).sort((a, b) => compareStrings(a.domain, b.domain))
            const start = after === undefined ? 0 : sorted.findIndex((z) => z.domain > after)
            const [items, more] = start < 0 ? [[], false] as const : page(sorted, start)
            const last = items[items.length - 1]
            return [
              items.map(zoneView),
              more && last !== undefined ? Option.some(last.domain) : Option.none()
            ] as const
          })
        ).pipe(Effect.map(([items, next]) => [chunkOf(items), next] as const))).pipe(tracedStream(PROVIDER, w.operation))
    }

    const getZone = (zone: CloudRef) => {
      const w = where("getZone")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "zone", zone)
        yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
        return yield* inject(
          w.operation,
          Effect.flatMap(Ref.get(ref), (s) => {
            const z = s.zones.get(id)
            return z === undefined ? Effect.fail(notFound(w, "zone", id)) : Effect.succeed(zoneView(z))
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const createZone = (spec: Dns.CreateZoneSpec) => {
      const w = where("createZone")
      return Effect.gen(function*() {
        yield* object(w, "spec", spec)
        const domain = yield* validate.domain(w, "domain", spec.domain)
        const type = (yield* checkZoneType(w, spec.type)) ?? "master"
        const ttl = yield* validate.ttl(w, spec.ttl)
        const extra = (yield* optionalObject(w, "extra", spec.extra)) ?? {}
        yield* Effect.annotateCurrentSpan("cloudfx.zone.domain", domain)
        const createdAt = new Date(yield* Clock.currentTimeMillis)
        const serial = Number(
          `${createdAt.getUTCFullYear()}${String(createdAt.getUTCMonth() + 1).padStart(2, "0")}${
            String(createdAt.getUTCDate()).padStart(2, "0")
          }01`
        )
        const id = newUpperId("Z", 13)
        const zoneTtl = ttl ?? DEFAULT_TTL
        const initial: ReadonlyArray<RecordRecord> = apexRecords && type === "master"
          ? [
            {
              id: newId("", 32),
              name: "",
              type: "SOA",
              data: `${memoryNameservers[0]} hostmaster.${domain}. ${serial} 10800 3600 604800 3600`,
              ttl: zoneTtl,
              priority: undefined
            },
            ...memoryNameservers.map((ns): RecordRecord => ({
              id: newId("", 32),
              name: "",
              type: "NS",
              data: ns,
              ttl: zoneTtl,
              priority: undefined
            }))
          ]
          : []
        return yield* inject(
          w.operation,
          atomically((s) => {
            for (const z of s.zones.values()) {
              if (z.domain === domain) return refuse(new AlreadyExists({ ...w, resource: "zone", id: domain }))
            }
            const record: ZoneRecord = { id, domain, type, ttl, extra: { ...extra }, createdAt }
            return done(zoneView(record), {
              zones: withEntry(s.zones, id, record),
              records: withEntry(s.records, id, initial)
            })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const updateZone = (zone: CloudRef, spec: Dns.UpdateZoneSpec) => {
      const w = where("updateZone")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "zone", zone)
        yield* object(w, "spec", spec)
        const type = yield* checkZoneType(w, spec.type)
        const ttl = yield* validate.ttl(w, spec.ttl)
        const extra = yield* optionalObject(w, "extra", spec.extra)
        yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const z = s.zones.get(id)
            if (z === undefined) return refuse(notFound(w, "zone", id))
            const next: ZoneRecord = {
              ...z,
              ...(type === undefined ? {} : { type }),
              ...(ttl === undefined ? {} : { ttl }),
              ...(extra === undefined ? {} : { extra: { ...z.extra, ...extra } })
            }
            return done(zoneView(next), { ...s, zones: withEntry(s.zones, id, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const deleteZone = (zone: CloudRef) => {
      const w = where("deleteZone")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "zone", zone)
        yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
        return yield* inject(
          w.operation,
          atomically((s) =>
            s.zones.has(id)
              ? done(undefined, { zones: withoutEntry(s.zones, id), records: withoutEntry(s.records, id) })
              : refuse(notFound(w, "zone", id))
          )
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- records

    const listRecords = (zone: CloudRef) => {
      const w = where("listRecords")
      return Stream.unwrap(
        Effect.map(refIdOf(w, "zone", zone), (id) =>
          Stream.paginateChunkEffect(undefined as RecordRecord | undefined, (after) =>
            inject(
              w.operation,
              Effect.flatMap(Ref.get(ref), (s) => {
                if (!s.zones.has(id)) return Effect.fail(notFound(w, "zone", id))
                const sorted = [...(s.records.get(id) ?? [])].sort(compareRecords)
                const start = after === undefined ? 0 : sorted.findIndex((r) => compareRecords(r, after) > 0)
                const [items, more] = start < 0 ? [[], false] as const : page(sorted, start)
                const last = items[items.length - 1]
                return Effect.succeed(
                  [
                    chunkOf(items.map((r) => recordView(id, r))),
                    more && last !== undefined ? Option.some(last) : Option.none()
                  ] as const
                )
              })
            )))
      ).pipe(tracedStream(PROVIDER, w.operation))
    }

    const getRecord = (zone: CloudRef, record: CloudRef) => {
      const w = where("getRecord")
      return Effect.gen(function*() {
        const zoneId = yield* refIdOf(w, "zone", zone)
        const recordId = yield* refIdOf(w, "record", record)
        yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
        return yield* inject(
          w.operation,
          Effect.flatMap(Ref.get(ref), (s) => {
            if (!s.zones.has(zoneId)) return Effect.fail(notFound(w, "zone", zoneId))
            const r = s.records.get(zoneId)?.find((x) => x.id === recordId)
            return r === undefined ? Effect.fail(notFound(w, "record", recordId)) : Effect.succeed(recordView(zoneId, r))
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const createRecord = (zone: CloudRef, spec: Dns.RecordSpec) => {
      const w = where("createRecord")
      return Effect.gen(function*() {
        const zoneId = yield* refIdOf(w, "zone", zone)
        yield* object(w, "spec", spec)
        const valid = yield* checkRecord(w, {
          name: spec.name,
          type: spec.type,
          data: spec.data,
          ttl: spec.ttl,
          priority: spec.priority
        })
        yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record.type": valid.type })
        const id = newId("", 32)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const z = s.zones.get(zoneId)
            if (z === undefined) return refuse(notFound(w, "zone", zoneId))
            const records = s.records.get(zoneId) ?? []
            const problem = clash(w, records, valid)
            if (problem instanceof Conflict) return refuse(problem)
            if (problem !== undefined) return refuse(new AlreadyExists({ ...w, resource: "record", id: problem.twin.id }))
            const record: RecordRecord = { ...valid, id, ttl: valid.ttl ?? z.ttl ?? DEFAULT_TTL }
            return done(recordView(zoneId, record), { ...s, records: withEntry(s.records, zoneId, [...records, record]) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const updateRecord = (zone: CloudRef, record: CloudRef, spec: Dns.UpdateRecordSpec) => {
      const w = where("updateRecord")
      return Effect.gen(function*() {
        const zoneId = yield* refIdOf(w, "zone", zone)
        const recordId = yield* refIdOf(w, "record", record)
        yield* object(w, "spec", spec)
        // Check what can be checked alone before asking for the current record.
        if (spec.name !== undefined) yield* validate.recordName(w, spec.name)
        if (spec.type !== undefined) yield* validate.recordType(w, spec.type)
        yield* validate.ttl(w, spec.ttl)
        if (spec.data !== undefined && (typeof spec.data !== "string" || spec.data.length === 0)) {
          return yield* Effect.fail(invalid(w, "data", "must be a non-empty string"))
        }
        yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
        return yield* inject(
          w.operation,
          Effect.gen(function*() {
            const s = yield* Ref.get(ref)
            if (!s.zones.has(zoneId)) return yield* Effect.fail(notFound(w, "zone", zoneId))
            const current = s.records.get(zoneId)?.find((x) => x.id === recordId)
            if (current === undefined) return yield* Effect.fail(notFound(w, "record", recordId))
            const type = spec.type ?? current.type
            const keepsPriority = type === "MX" || type === "SRV"
            const valid = yield* checkRecord(w, {
              name: spec.name ?? current.name,
              type,
              data: spec.data ?? current.data,
              ttl: spec.ttl ?? current.ttl,
              priority: spec.priority ?? (keepsPriority ? current.priority : undefined)
            })
            if (current.type === "SOA" && valid.type !== "SOA") {
              return yield* Effect.fail(invalid(w, "type", "the SOA record stays an SOA record"))
            }
            return yield* atomically((s2) => {
              const records = s2.records.get(zoneId)
              const now = records?.find((x) => x.id === recordId)
              if (records === undefined || now === undefined) return refuse(notFound(w, "record", recordId))
              const others = records.filter((x) => x.id !== recordId)
              const problem = clash(w, others, valid)
              if (problem instanceof Conflict) return refuse(problem)
              if (problem !== undefined) {
                return refuse(
                  new Conflict({
                    ...w,
                    resource: "record",
                    id: recordId,
                    reason: `an identical record already exists (${problem.twin.id})`
                  })
                )
              }
              const next: RecordRecord = { ...valid, id: recordId, ttl: valid.ttl ?? now.ttl }
              return done(recordView(zoneId, next), {
                ...s2,
                records: withEntry(s2.records, zoneId, records.map((x) => (x.id === recordId ? next : x)))
              })
            })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const deleteRecord = (zone: CloudRef, record: CloudRef) => {
      const w = where("deleteRecord")
      return Effect.gen(function*() {
        const zoneId = yield* refIdOf(w, "zone", zone)
        const recordId = yield* refIdOf(w, "record", record)
        yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
        return yield* inject(
          w.operation,
          atomically((s) => {
            if (!s.zones.has(zoneId)) return refuse(notFound(w, "zone", zoneId))
            const records = s.records.get(zoneId) ?? []
            const r = records.find((x) => x.id === recordId)
            if (r === undefined) return refuse(notFound(w, "record", recordId))
            if (r.type === "SOA") {
              return refuse(invalid(w, "record", "the SOA record belongs to the zone: delete the zone instead"))
            }
            return done(undefined, {
              ...s,
              records: withEntry(s.records, zoneId, records.filter((x) => x.id !== recordId))
            })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const service: Dns.Service = {
      provider,
      listRecordTypes: () => Effect.succeed(memoryRecordTypes).pipe(traced(PROVIDER, "Dns.listRecordTypes")),
      listZones,
      getZone,
      createZone,
      updateZone,
      deleteZone,
      listRecords,
      getRecord,
      createRecord,
      updateRecord,
      deleteRecord
    }
    return service
  })

const chunkOf = <A>(items: ReadonlyArray<A>) => Chunk.fromIterable(items)
