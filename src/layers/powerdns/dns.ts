/**
 * The portable Dns service over the PowerDNS HTTP API, and the PowerDNS-only
 * operations beside it. See PowerDns.ts for the behaviour worth knowing.
 */
import { HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Stream } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import { AlreadyExists, Conflict, InvalidInput, NotFound, type ProviderFailure } from "../../schemas/Errors.js"
import { DnsRecord, RecordType as RecordTypeSchema, Zone } from "../../schemas/Models.js"
import type { RecordType, ZoneType } from "../../schemas/Models.js"
import type { Dns } from "../../services/Dns.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref } from "../../services/Refs.js"
import { traced, tracedStream } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import { type Client, refusedInput, refusedRecord, refusedUpdate } from "./client.js"
import { DEFAULT_HOSTMASTER, DEFAULT_NAMESERVERS, type PowerDnsConfig, PROVIDER } from "./config.js"
import * as C from "./content.js"
import * as Wire from "./wire.js"

/** The record types PowerDNS serves from its database (and accepts through the API). */
export const powerDnsRecordTypes: ReadonlyArray<RecordType> = [
  "A",
  "AAAA",
  "AFSDB",
  "ALIAS",
  "CAA",
  "CERT",
  "CNAME",
  "DNAME",
  "DS",
  "HINFO",
  "LOC",
  "MX",
  "NAPTR",
  "NS",
  "OPENPGPKEY",
  "PTR",
  "RP",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "TLSA",
  "TXT"
]
const supported = new Set<string>(powerDnsRecordTypes)
const portable = new Set<string>(RecordTypeSchema.literals)

/** PowerDNS zone kinds; the first four serve the zone from their own data. */
export const zoneKinds = ["Native", "Master", "Producer", "Slave", "Consumer"] as const
export type ZoneKind = (typeof zoneKinds)[number]
const primaryKinds = new Set<string>(["Native", "Master", "Primary", "Producer"])

/** TTL of new zones' SOA and NS when the spec gives none (seconds). */
export const DEFAULT_TTL = 3600

/** The PowerDNS-only operations, provided beside `Dns` by the same layer. */
export interface PowerDnsService {
  /** Send DNS NOTIFY for the zone to its secondaries (`PUT …/notify`; Master/Producer zones). */
  readonly notifyZone: (zone: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** Rectify the zone's DNSSEC ordering and auth data (`PUT …/rectify`). */
  readonly rectifyZone: (zone: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** The zone as PowerDNS exports it (`GET …/export`): AXFR-style zone file text. */
  readonly exportZoneFile: (zone: Ref) => Effect.Effect<string, NotFound | InvalidInput | ProviderFailure>
}

interface CheckedRecord {
  readonly name: string
  readonly type: RecordType
  readonly data: string
  readonly ttl: number | undefined
  readonly priority: number | undefined
  readonly content: string
}

const withoutDot = (name: string) => name.replace(/\.$/, "")
const sameName = (a: string, b: string) => withoutDot(a).toLowerCase() === withoutDot(b).toLowerCase()

export const make = (config: PowerDnsConfig, client: Client): { readonly dns: Dns.Service; readonly powerDns: PowerDnsService } => {
  const provider = providerInfo(PROVIDER, ["dns.updateZone"])
  const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Dns.${name}` })
  const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
  const zoneTarget = (zoneId: string) => ({ resource: "zone", id: withoutDot(zoneId) })

  // -------------------------------------------------------------- input

  /** A zone ref → the PowerDNS zone id, canonical ("example.com" → "example.com."). */
  const zoneIdOf = (w: validate.Where, zone: Ref) =>
    Effect.map(validate.id(w, "zone", zone), (id) => (id.endsWith(".") ? id : `${id}.`))

  const object = (w: validate.Where, field: string, value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Effect.void
      : Effect.fail(invalid(w, field, "must be an object"))

  const checkRecord = (
    w: validate.Where,
    spec: { name: string; type: string; data: string; ttl: number | undefined; priority: number | undefined }
  ): Effect.Effect<CheckedRecord, InvalidInput> =>
    Effect.gen(function*() {
      const name = yield* validate.recordName(w, spec.name)
      const type = yield* validate.recordType(w, spec.type)
      if (!supported.has(type)) return yield* invalid(w, "type", `PowerDNS does not serve ${type} records`)
      const ttl = yield* validate.ttl(w, spec.ttl)
      yield* validate.recordData(w, type, spec.data, spec.priority)
      if (spec.priority !== undefined && type !== "MX" && type !== "SRV") {
        return yield* invalid(w, "priority", `only MX and SRV records have a priority, not ${type}`)
      }
      const data = spec.data.trim()
      const host = (value: string, what: string) =>
        value === "."
          ? Effect.void
          : Effect.asVoid(validate.domain(w, "data", value).pipe(
            Effect.mapError(() => invalid(w, "data", `"${value}" is not a domain name (${what})`))
          ))
      if (C.domainValued.has(type) || type === "MX") yield* host(data, `${type} data names a host`)
      if (type === "SRV") {
        const m = /^(\d{1,5})\s+(\d{1,5})\s+(\S+)$/.exec(data)
        if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) {
          return yield* invalid(w, "data", `SRV data is "weight port target", not "${data}"`)
        }
        yield* host(m[3]!, "the SRV target names a host")
      }
      if (type === "SOA") {
        if (name !== "") return yield* invalid(w, "name", "an SOA record lives at the zone apex")
        if (!/^\S+\s+\S+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/.test(data)) {
          return yield* invalid(w, "data", "SOA data is \"mname rname serial refresh retry expire minimum\"")
        }
      }
      if (type === "CAA" && !/^\d{1,3}\s+[A-Za-z0-9]+\s+\S/.test(data)) {
        return yield* invalid(w, "data", `CAA data is "flags tag value" (0 issue "letsencrypt.org"), not "${data}"`)
      }
      // TXT leading and trailing blanks are data; every other type's are not.
      const text = type === "TXT" || type === "SPF" ? spec.data : data
      return { name, type, data, ttl, priority: spec.priority, content: C.toContent(type, text, spec.priority) }
    })

  interface ZoneExtra {
    readonly kind?: ZoneKind
    readonly masters?: ReadonlyArray<string>
    readonly account?: string
    readonly nameservers?: ReadonlyArray<string>
    readonly soaEditApi?: string
  }

  const strings = (w: validate.Where, field: string, value: unknown) =>
    Array.isArray(value) && value.every((x) => typeof x === "string" && x.length > 0)
      ? Effect.succeed(value as ReadonlyArray<string>)
      : Effect.fail(invalid(w, field, "must be a list of non-empty strings"))

  /** `extra` of a zone spec: PowerDNS's zone settings, each checked; unknown keys are refused, not ignored. */
  const checkZoneExtra = (w: validate.Where, extra: unknown, creating: boolean): Effect.Effect<ZoneExtra, InvalidInput> =>
    Effect.gen(function*() {
      if (extra === undefined) return {}
      yield* object(w, "extra", extra)
      const e = extra as Record<string, unknown>
      const known = creating ? ["kind", "masters", "account", "nameservers", "soaEditApi"] : ["kind", "masters", "account"]
      for (const key of Object.keys(e)) {
        if (!known.includes(key)) return yield* invalid(w, `extra.${key}`, `not a PowerDNS zone setting here (${known.join(", ")})`)
      }
      const out: { -readonly [K in keyof ZoneExtra]: ZoneExtra[K] } = {}
      if (e["kind"] !== undefined) {
        if (!(zoneKinds as ReadonlyArray<unknown>).includes(e["kind"])) {
          return yield* invalid(w, "extra.kind", `must be one of ${zoneKinds.join(", ")}`)
        }
        out.kind = e["kind"] as ZoneKind
      }
      if (e["masters"] !== undefined) out.masters = yield* strings(w, "extra.masters", e["masters"])
      if (e["nameservers"] !== undefined) out.nameservers = yield* strings(w, "extra.nameservers", e["nameservers"])
      if (e["account"] !== undefined) {
        if (typeof e["account"] !== "string") return yield* invalid(w, "extra.account", "must be a string")
        out.account = e["account"]
      }
      if (e["soaEditApi"] !== undefined) {
        if (typeof e["soaEditApi"] !== "string") return yield* invalid(w, "extra.soaEditApi", "must be a string")
        out.soaEditApi = e["soaEditApi"]
      }
      return out
    })

  /** The zone type and PowerDNS kind agree: master ↔ Native/Master/Producer, slave ↔ Slave/Consumer. */
  const kindFor = (w: validate.Where, type: ZoneType | undefined, kind: ZoneKind | undefined) => {
    if (type !== undefined && type !== "master" && type !== "slave") {
      return Effect.fail(invalid(w, "type", `"${String(type)}" is not a zone type (master or slave)`))
    }
    if (kind !== undefined && type !== undefined && (type === "master") !== primaryKinds.has(kind)) {
      return Effect.fail(invalid(w, "extra.kind", `${kind} is not a ${type} zone`))
    }
    return Effect.succeed(kind ?? (type === undefined ? undefined : type === "master" ? "Native" as const : "Slave" as const))
  }

  // -------------------------------------------------------------- views

  const soaOf = (z: Wire.ZoneDetail) => z.rrsets.find((r) => r.type === "SOA" && sameName(r.name, z.name))

  const zoneView = (z: Wire.ZoneSummary | Wire.ZoneDetail): Zone => {
    const detail = "rrsets" in z ? z : undefined
    const soa = detail === undefined ? undefined : soaOf(detail)
    const ns = detail?.rrsets.find((r) => r.type === "NS" && sameName(r.name, z.name))
    return new Zone({
      id: withoutDot(z.id),
      domain: withoutDot(z.name).toLowerCase(),
      type: primaryKinds.has(z.kind) ? "master" : "slave",
      ...(soa?.ttl === undefined ? {} : { ttl: soa.ttl }),
      extra: {
        kind: z.kind,
        ...(z.serial === undefined ? {} : { serial: z.serial }),
        ...(z.account === undefined || z.account === "" ? {} : { account: z.account }),
        ...(z.masters === undefined || z.masters.length === 0 ? {} : { masters: z.masters }),
        ...(z.dnssec === undefined ? {} : { dnssec: z.dnssec }),
        ...(ns === undefined ? {} : { nameservers: ns.records.map((r) => r.content) })
      }
    })
  }

  const recordView = (zone: Wire.ZoneDetail, rrset: Wire.RRSet, record: Wire.WireRecord): DnsRecord => {
    const name = C.relativeName(rrset.name, withoutDot(zone.name).toLowerCase())
    const { data, priority } = C.fromContent(rrset.type, record.content)
    return new DnsRecord({
      id: C.recordId(name, rrset.type, record.content),
      zoneId: withoutDot(zone.id),
      name,
      type: rrset.type as RecordType,
      data,
      ...(rrset.ttl === undefined ? {} : { ttl: rrset.ttl }),
      ...(priority === undefined ? {} : { priority }),
      extra: { content: record.content, ...(record.disabled === true ? { disabled: true } : {}) }
    })
  }

  /** Every record of the zone in the portable model; types it has no name for (LUA, …) are left out. */
  const recordsOf = (zone: Wire.ZoneDetail): ReadonlyArray<DnsRecord> =>
    zone.rrsets.flatMap((rrset) => (portable.has(rrset.type) ? rrset.records.map((r) => recordView(zone, rrset, r)) : []))

  // -------------------------------------------------------------- requests

  const listZoneSummaries = (w: validate.Where) =>
    client.send(HttpClientRequest.get("zones"), { operation: w.operation }, ProviderHttp.json(Wire.ZoneList))

  /**
   * The zone with its RRsets: all of them, or those of one name (and type).
   * The name filter is used only when the zone id is its name, which is
   * every zone whose name needs no escaping.
   */
  const fetchZone = (w: validate.Where, zoneId: string, only?: { readonly name: string; readonly type?: string }) => {
    const filter = only !== undefined && !zoneId.includes("=")
      ? { rrset_name: C.absoluteName(only.name, withoutDot(zoneId).toLowerCase()), ...(only.type === undefined ? {} : { rrset_type: only.type }) }
      : undefined
    return client.send(
      HttpClientRequest.get(client.zonePath(zoneId)).pipe(filter === undefined ? (r) => r : HttpClientRequest.setUrlParams(filter)),
      { operation: w.operation, notFound: zoneTarget(zoneId) },
      ProviderHttp.json(Wire.ZoneDetail)
    )
  }

  const fetchZoneOnly = (w: validate.Where, zoneId: string) =>
    client.send(
      HttpClientRequest.get(client.zonePath(zoneId)).pipe(HttpClientRequest.setUrlParams({ rrsets: "false" })),
      { operation: w.operation, notFound: zoneTarget(zoneId) },
      ProviderHttp.json(Wire.ZoneDetail)
    )

  const rrsetAt = (zone: Wire.ZoneDetail, owner: string, type: string) =>
    zone.rrsets.find((r) => r.type === type && sameName(r.name, owner))

  /** The zone, and the record a record id names in it (NotFound "record" when the zone has no such record). */
  const findRecord = (w: validate.Where, zoneId: string, recordId: string) =>
    Effect.gen(function*() {
      const key = C.parseRecordId(recordId)
      if (key === undefined) {
        // Still a NotFound "zone" when the zone itself is missing.
        yield* fetchZoneOnly(w, zoneId)
        return yield* new NotFound({ ...w, resource: "record", id: recordId })
      }
      const zone = yield* fetchZone(w, zoneId, { name: key.name, type: key.type })
      const domain = withoutDot(zone.name).toLowerCase()
      const rrset = rrsetAt(zone, C.absoluteName(key.name, domain), key.type)
      const record = rrset?.records.find((r) => key.content === undefined || r.content === key.content)
      if (rrset === undefined || record === undefined) return yield* new NotFound({ ...w, resource: "record", id: recordId })
      return { zone, domain, rrset, record }
    })

  const keep = (r: Wire.WireRecord) => ({ content: r.content, disabled: r.disabled === true })

  /** The TTL a new RRset gets when none is given: the zone's (its SOA's), read unless `known` holds the apex. */
  const zoneTtl = (w: validate.Where, zoneId: string, known: Wire.ZoneDetail) => {
    const soa = soaOf(known)
    if (soa?.ttl !== undefined) return Effect.succeed(soa.ttl)
    return Effect.map(fetchZone(w, zoneId, { name: "", type: "SOA" }), (z) => soaOf(z)?.ttl ?? DEFAULT_TTL)
  }

  /** A REPLACE of the RRset with these records, or its DELETE when none is left. */
  const rrsetChange = (
    name: string,
    type: string,
    ttl: number,
    records: ReadonlyArray<{ readonly content: string; readonly disabled: boolean }>
  ): Wire.RRSetChange =>
    records.length === 0
      ? { name, type, changetype: "DELETE" }
      : { name, type, ttl, changetype: "REPLACE", records }

  /** What stops a record of `type` from joining the `others` at its name (the RRsets there, without the record being moved). */
  const clash = (
    w: validate.Where,
    others: ReadonlyArray<Wire.RRSet>,
    type: string,
    label: string
  ): Conflict | undefined => {
    const occupied = others.filter((r) => r.records.length > 0)
    const where = label === "" ? "the apex" : `"${label}"`
    const other = occupied.find((r) => r.type !== type)
    if (type === "CNAME" && other !== undefined) {
      return new Conflict({ ...w, resource: "record", id: label, reason: `a CNAME cannot sit beside other records (${other.type}) at ${where}` })
    }
    if (type === "CNAME" && occupied.some((r) => r.type === "CNAME")) {
      return new Conflict({ ...w, resource: "record", id: label, reason: `${where} already has a CNAME (a name has at most one)` })
    }
    if (type !== "CNAME" && occupied.some((r) => r.type === "CNAME")) {
      return new Conflict({ ...w, resource: "record", id: label, reason: `${where} already has a CNAME` })
    }
    if (type === "SOA" && occupied.some((r) => r.type === "SOA")) {
      return new Conflict({ ...w, resource: "record", id: label, reason: "the zone already has an SOA record" })
    }
    return undefined
  }

  /**
   * After a change, the record as PowerDNS stored it: PowerDNS rewrites
   * content into its canonical form ("2001:0DB8::1" → "2001:db8::1"), and the
   * id must be made from what it will list.
   */
  const readBack = (w: validate.Where, zoneId: string, owner: string, type: string, before: ReadonlySet<string>, sent: string) =>
    Effect.gen(function*() {
      const zone = yield* fetchZone(w, zoneId, { name: C.relativeName(owner, withoutDot(zoneId).toLowerCase()), type })
      const rrset = rrsetAt(zone, owner, type)
      const stored = rrset?.records.find((r) => r.content === sent) ??
        rrset?.records.find((r) => !before.has(r.content))
      if (rrset === undefined || stored === undefined) {
        // Changed underneath us between the PATCH and this read: report what was sent.
        return recordView(zone, { name: owner, type, records: [], ...(rrset?.ttl === undefined ? {} : { ttl: rrset.ttl }) }, {
          content: sent,
          disabled: false
        })
      }
      return recordView(zone, rrset, stored)
    })

  // -------------------------------------------------------------- zones

  const listZones = () => {
    const w = where("listZones")
    return Stream.unwrap(Effect.map(listZoneSummaries(w), (zones) => Stream.fromIterable(zones.map(zoneView)))).pipe(
      tracedStream(PROVIDER, w.operation)
    )
  }

  const getZone = (zone: Ref) => {
    const w = where("getZone")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", zoneId)
      // The SOA (the zone's TTL) and NS at the apex are all the view needs.
      const z = yield* fetchZone(w, zoneId, { name: "" })
      return zoneView(z)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const expand = (template: string, domain: string) => C.dotted(template.replace(/@$/, domain))

  const createZone = (spec: Dns.CreateZoneSpec) => {
    const w = where("createZone")
    return Effect.gen(function*() {
      yield* object(w, "spec", spec)
      const domain = yield* validate.domain(w, "domain", spec.domain)
      const ttl = (yield* validate.ttl(w, spec.ttl)) ?? DEFAULT_TTL
      const extra = yield* checkZoneExtra(w, spec.extra, true)
      const kind = (yield* kindFor(w, spec.type, extra.kind)) ?? "Native"
      const nameservers = (extra.nameservers ?? config.nameservers ?? DEFAULT_NAMESERVERS).map((n) => expand(n, domain))
      if (nameservers.length === 0) return yield* invalid(w, "nameservers", "a zone needs at least one name server")
      for (const ns of nameservers) yield* validate.domain(w, "extra.nameservers", ns)
      const hostmaster = expand(config.hostmaster ?? DEFAULT_HOSTMASTER, domain)
      yield* validate.domain(w, "hostmaster", hostmaster)
      yield* Effect.annotateCurrentSpan("cloudfx.zone.domain", domain)
      const now = new Date(yield* Clock.currentTimeMillis)
      const serial = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, "0")}${String(now.getUTCDate()).padStart(2, "0")}01`
      const primary = primaryKinds.has(kind)
      const soaEditApi = extra.soaEditApi ?? config.soaEditApi
      const body = {
        name: `${domain}.`,
        kind,
        nameservers: [],
        ...(extra.masters === undefined ? {} : { masters: extra.masters }),
        ...(extra.account === undefined ? {} : { account: extra.account }),
        ...(soaEditApi === undefined ? {} : { soa_edit_api: soaEditApi }),
        // A secondary's data comes from its primary: it starts empty.
        ...(primary
          ? {
            rrsets: [
              {
                name: `${domain}.`,
                type: "SOA",
                ttl,
                records: [{ content: `${nameservers[0]} ${hostmaster} ${serial} 10800 3600 604800 3600`, disabled: false }]
              },
              { name: `${domain}.`, type: "NS", ttl, records: nameservers.map((content) => ({ content, disabled: false })) }
            ]
          }
          : {})
      }
      const created = yield* client.send(
        HttpClientRequest.post("zones").pipe(HttpClientRequest.bodyUnsafeJson(body)),
        { operation: w.operation, conflict: "AlreadyExists", target: { resource: "zone", id: domain }, classify: refusedInput("domain") },
        ProviderHttp.json(Wire.ZoneDetail)
      )
      return zoneView(created)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateZone = (zone: Ref, spec: Dns.UpdateZoneSpec) => {
    const w = where("updateZone")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* object(w, "spec", spec)
      const ttl = yield* validate.ttl(w, spec.ttl)
      const extra = yield* checkZoneExtra(w, spec.extra, false)
      const kind = yield* kindFor(w, spec.type, extra.kind)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", zoneId)
      const current = yield* fetchZone(w, zoneId, { name: "" })
      if (ttl !== undefined) {
        const soa = soaOf(current)
        if (soa === undefined) return yield* invalid(w, "ttl", "the zone has no SOA record to carry its TTL")
        yield* client.patch(zoneId, w.operation, [rrsetChange(soa.name, "SOA", ttl, soa.records.map(keep))], refusedInput("ttl"))
      }
      if (kind !== undefined || extra.masters !== undefined || extra.account !== undefined) {
        yield* client.send(
          HttpClientRequest.put(client.zonePath(zoneId)).pipe(
            HttpClientRequest.bodyUnsafeJson({
              ...(kind === undefined ? {} : { kind }),
              ...(extra.masters === undefined ? {} : { masters: extra.masters }),
              ...(extra.account === undefined ? {} : { account: extra.account })
            })
          ),
          { operation: w.operation, notFound: zoneTarget(zoneId), classify: refusedInput("extra") },
          ProviderHttp.empty
        )
      }
      return zoneView(yield* fetchZone(w, zoneId, { name: "" }))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const deleteZone = (zone: Ref) => {
    const w = where("deleteZone")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", zoneId)
      yield* client.send(
        HttpClientRequest.del(client.zonePath(zoneId)),
        { operation: w.operation, notFound: zoneTarget(zoneId) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  // -------------------------------------------------------------- records

  const listRecords = (zone: Ref) => {
    const w = where("listRecords")
    return Stream.unwrap(
      Effect.gen(function*() {
        const zoneId = yield* zoneIdOf(w, zone)
        const z = yield* fetchZone(w, zoneId)
        return Stream.fromIterable(recordsOf(z))
      })
    ).pipe(tracedStream(PROVIDER, w.operation))
  }

  const getRecord = (zone: Ref, record: Ref) => {
    const w = where("getRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      const recordId = yield* validate.id(w, "record", record)
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
      const found = yield* findRecord(w, zoneId, recordId)
      return recordView(found.zone, found.rrset, found.record)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const createRecord = (zone: Ref, spec: Dns.RecordSpec) => {
    const w = where("createRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* object(w, "spec", spec)
      const valid = yield* checkRecord(w, { ...spec, ttl: spec.ttl, priority: spec.priority })
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record.type": valid.type })
      // Every RRset at the name: the new record's own, and those it could clash with.
      const current = yield* fetchZone(w, zoneId, { name: valid.name })
      const domain = withoutDot(current.name).toLowerCase()
      const owner = C.absoluteName(valid.name, domain)
      const atName = current.rrsets.filter((r) => sameName(r.name, owner))
      const rrset = atName.find((r) => r.type === valid.type)
      const twin = rrset?.records.find((r) => r.content === valid.content)
      if (twin !== undefined) {
        return yield* new AlreadyExists({ ...w, resource: "record", id: C.recordId(valid.name, valid.type, twin.content) })
      }
      const problem = clash(w, atName, valid.type, valid.name)
      if (problem !== undefined) return yield* problem
      const ttl = valid.ttl ?? rrset?.ttl ?? (yield* zoneTtl(w, zoneId, current))
      const existing = rrset?.records ?? []
      yield* client.patch(
        zoneId,
        w.operation,
        [rrsetChange(owner, valid.type, ttl, [...existing.map(keep), { content: valid.content, disabled: false }])],
        refusedRecord
      )
      return yield* readBack(w, zoneId, owner, valid.type, new Set(existing.map((r) => r.content)), valid.content)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateRecord = (zone: Ref, record: Ref, spec: Dns.UpdateRecordSpec) => {
    const w = where("updateRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      const recordId = yield* validate.id(w, "record", record)
      yield* object(w, "spec", spec)
      // Check what can be checked alone before asking for the current record.
      if (spec.name !== undefined) yield* validate.recordName(w, spec.name)
      if (spec.type !== undefined) yield* validate.recordType(w, spec.type)
      yield* validate.ttl(w, spec.ttl)
      if (spec.data !== undefined && (typeof spec.data !== "string" || spec.data.length === 0)) {
        return yield* invalid(w, "data", "must be a non-empty string")
      }
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
      const found = yield* findRecord(w, zoneId, recordId)
      const { domain, rrset } = found
      const currentName = C.relativeName(rrset.name, domain)
      const currentData = C.fromContent(rrset.type, found.record.content)
      const type = spec.type ?? (rrset.type as RecordType)
      if (rrset.type === "SOA" && type !== "SOA") return yield* invalid(w, "type", "the SOA record stays an SOA record")
      const valid = yield* checkRecord(w, {
        name: spec.name ?? currentName,
        type,
        data: spec.data ?? currentData.data,
        ttl: spec.ttl,
        priority: spec.priority ?? (type === "MX" || type === "SRV" ? currentData.priority : undefined)
      })
      const owner = C.absoluteName(valid.name, domain)
      const sameRRSet = sameName(owner, rrset.name) && valid.type === rrset.type
      const siblings = rrset.records.filter((r) => r !== found.record)

      if (sameRRSet) {
        const twin = siblings.find((r) => r.content === valid.content)
        if (twin !== undefined) {
          return yield* new Conflict({ ...w, resource: "record", id: recordId, reason: `an identical record already exists (${C.recordId(valid.name, valid.type, twin.content)})` })
        }
        const records = rrset.records.map((r) => (r === found.record ? { content: valid.content, disabled: r.disabled === true } : keep(r)))
        yield* client.patch(zoneId, w.operation, [rrsetChange(owner, valid.type, valid.ttl ?? rrset.ttl ?? DEFAULT_TTL, records)], refusedUpdate)
        return yield* readBack(w, zoneId, owner, valid.type, new Set(siblings.map((r) => r.content)), valid.content)
      }

      // Moving to another RRset: everything at the target name, whatever its type.
      const target = yield* fetchZone(w, zoneId, { name: valid.name })
      const atName = target.rrsets
        .filter((r) => sameName(r.name, owner))
        .map((r) => (r.type === rrset.type && sameName(r.name, rrset.name) ? { ...r, records: siblings } : r))
      const targetRRSet = atName.find((r) => r.type === valid.type)
      const twin = targetRRSet?.records.find((r) => r.content === valid.content)
      if (twin !== undefined) {
        return yield* new Conflict({ ...w, resource: "record", id: recordId, reason: `an identical record already exists (${C.recordId(valid.name, valid.type, twin.content)})` })
      }
      const problem = clash(w, atName, valid.type, valid.name)
      if (problem !== undefined) return yield* problem
      const existing = targetRRSet?.records ?? []
      yield* client.patch(
        zoneId,
        w.operation,
        [
          rrsetChange(rrset.name, rrset.type, rrset.ttl ?? DEFAULT_TTL, siblings.map(keep)),
          rrsetChange(owner, valid.type, valid.ttl ?? targetRRSet?.ttl ?? rrset.ttl ?? DEFAULT_TTL, [
            ...existing.map(keep),
            { content: valid.content, disabled: found.record.disabled === true }
          ])
        ],
        refusedUpdate
      )
      return yield* readBack(w, zoneId, owner, valid.type, new Set(existing.map((r) => r.content)), valid.content)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const deleteRecord = (zone: Ref, record: Ref) => {
    const w = where("deleteRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      const recordId = yield* validate.id(w, "record", record)
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordId })
      const { record: r, rrset } = yield* findRecord(w, zoneId, recordId)
      if (rrset.type === "SOA") return yield* invalid(w, "record", "the SOA record belongs to the zone: delete the zone instead")
      const rest = rrset.records.filter((x) => x !== r).map(keep)
      yield* client.patch(zoneId, w.operation, [rrsetChange(rrset.name, rrset.type, rrset.ttl ?? DEFAULT_TTL, rest)], refusedInput("record"))
    }).pipe(traced(PROVIDER, w.operation))
  }

  // -------------------------------------------------------------- PowerDNS only

  const zoneAction = (name: string, action: "notify" | "rectify") => (zone: Ref) => {
    const w: validate.Where = { provider: PROVIDER, operation: `PowerDns.${name}` }
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* client.send(
        HttpClientRequest.put(`${client.zonePath(zoneId)}/${action}`),
        { operation: w.operation, notFound: zoneTarget(zoneId), classify: refusedInput("zone") },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const exportZoneFile = (zone: Ref) => {
    const w: validate.Where = { provider: PROVIDER, operation: "PowerDns.exportZoneFile" }
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      return yield* client.send(
        HttpClientRequest.get(`${client.zonePath(zoneId)}/export`).pipe(HttpClientRequest.setHeader("accept", "text/plain")),
        { operation: w.operation, notFound: zoneTarget(zoneId) },
        ProviderHttp.text
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const dns: Dns.Service = {
    provider,
    listRecordTypes: () => Effect.succeed(powerDnsRecordTypes).pipe(traced(PROVIDER, "Dns.listRecordTypes")),
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
  const powerDns: PowerDnsService = {
    notifyZone: zoneAction("notifyZone", "notify"),
    rectifyZone: zoneAction("rectifyZone", "rectify"),
    exportZoneFile
  }
  return { dns, powerDns }
}
