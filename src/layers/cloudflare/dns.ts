/**
 * The portable Dns service and the Cloudflare-only operations, over one client.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Schema, Stream } from "effect"
import type { NotFound, ProviderFailure } from "../../schemas/Errors.js"
import { InvalidInput, Unsupported } from "../../schemas/Errors.js"
import type { DnsRecord, Zone } from "../../schemas/Models.js"
import type { Dns } from "../../services/Dns.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref } from "../../services/Refs.js"
import { traced, tracedStream } from "../../services/span.js"
import * as V from "../../services/validate.js"
import type { Client } from "./client.js"
import { type CloudflareConfig, PROVIDER } from "./config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

/** Cloudflare record settings the portable spec has no room for. */
export interface RecordOptions {
  /** Send the name's traffic through Cloudflare's proxy (A, AAAA and CNAME only). */
  readonly proxied?: boolean
  /** A note kept with the record; `null` removes it. */
  readonly comment?: string | null
  /** "name:value" tags; an empty array removes them. */
  readonly tags?: ReadonlyArray<string>
}

export type PurgeSpec =
  | { readonly everything: true }
  | { readonly files: ReadonlyArray<string> }

export interface CloudflareService {
  /** `Dns.createRecord` with the Cloudflare settings of the record. */
  readonly createRecord: (
    zone: Ref,
    spec: Dns.RecordSpec,
    options: RecordOptions
  ) => ReturnType<Dns.Service["createRecord"]>
  /** Changes only the given settings (PATCH), leaving name, type, data and TTL alone. */
  readonly setRecordOptions: (
    zone: Ref,
    record: Ref,
    options: RecordOptions
  ) => Effect.Effect<DnsRecord, NotFound | InvalidInput | ProviderFailure>
  /** Turns Cloudflare's proxy on or off for one record. */
  readonly setProxied: (zone: Ref, record: Ref, proxied: boolean) => Effect.Effect<DnsRecord, NotFound | InvalidInput | ProviderFailure>
  /** Purges the zone's cache: everything, or the given URLs. */
  readonly purgeCache: (zone: Ref, spec: PurgeSpec) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
}

const zoneTarget = (id: string) => ({ resource: "zone", id })
const recordTarget = (id: string) => ({ resource: "record", id })

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const segment = encodeURIComponent

export const make = (config: CloudflareConfig, client: Client): { readonly dns: Dns.Service; readonly cloudflare: CloudflareService } => {
  const provider = providerInfo(PROVIDER, [])
  const where = (name: string): V.Where => ({ provider: PROVIDER, operation: `Dns.${name}` })
  const invalid = (w: V.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
  const object = (w: V.Where, field: string, u: unknown) =>
    isObject(u) ? Effect.succeed(u) : Effect.fail(invalid(w, field, "must be an object"))

  const fetchZone = (w: V.Where, id: string) =>
    Effect.flatMap(
      client.send(HttpClientRequest.get(`/zones/${segment(id)}`), w.operation, { notFound: zoneTarget(id) }, Wire.Zone),
      (z) => Effect.succeed(Mapping.toZone(z))
    )

  const fetchRecord = (w: V.Where, zone: Zone, id: string) =>
    client.send(
      HttpClientRequest.get(`/zones/${segment(zone.id)}/dns_records/${segment(id)}`),
      w.operation,
      { notFound: recordTarget(id) },
      Wire.DnsRecord
    )

  const portable = (w: V.Where, zone: Zone, r: Wire.DnsRecord) =>
    Effect.flatMap(Mapping.toRecord(w, zone.id, zone.domain, r), (o) =>
      Option.match(o, {
        onSome: Effect.succeed,
        onNone: () => Effect.fail(new InvalidInput({ ...w, field: "record", reason: `${r.type} records have no portable form` }))
      }))

  const checkOptions = (w: V.Where, options: RecordOptions) =>
    Effect.gen(function*() {
      yield* object(w, "options", options)
      if (options.proxied !== undefined && typeof options.proxied !== "boolean") {
        return yield* invalid(w, "proxied", "must be true or false")
      }
      if (options.comment !== undefined && options.comment !== null && typeof options.comment !== "string") {
        return yield* invalid(w, "comment", "must be a string or null")
      }
      if (options.tags !== undefined && (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== "string"))) {
        return yield* invalid(w, "tags", "must be an array of strings")
      }
      return {
        ...(options.proxied === undefined ? {} : { proxied: options.proxied }),
        ...(options.comment === undefined ? {} : { comment: options.comment }),
        ...(options.tags === undefined ? {} : { tags: options.tags })
      } satisfies Wire.RecordBody
    })

  // -------------------------------------------------------------- zones

  const listZones = () => {
    const w = where("listZones")
    return client.list("/zones", w.operation, {}, Wire.Zone).pipe(Stream.map(Mapping.toZone), tracedStream(PROVIDER, w.operation))
  }

  const getZone = (zone: Ref) => {
    const w = where("getZone")
    return Effect.gen(function*() {
      const id = yield* V.id(w, "zone", zone)
      return yield* fetchZone(w, id)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const cloudflareZoneTypes = new Set(["full", "partial", "secondary"])

  const createZone = (spec: Dns.CreateZoneSpec) => {
    const w = where("createZone")
    return Effect.gen(function*() {
      yield* object(w, "spec", spec)
      const domain = yield* V.domain(w, "domain", spec.domain)
      if (spec.type !== undefined && spec.type !== "master" && spec.type !== "slave") {
        return yield* invalid(w, "type", `"${String(spec.type)}" is not a zone type (master or slave)`)
      }
      // Cloudflare zones have no TTL of their own: checked, then not sent (records default to "automatic").
      yield* V.ttl(w, spec.ttl)
      const extra = spec.extra === undefined ? {} : yield* object(w, "extra", spec.extra)
      const asked = extra["type"]
      if (asked !== undefined && (typeof asked !== "string" || !cloudflareZoneTypes.has(asked))) {
        return yield* invalid(w, "extra.type", "must be \"full\", \"partial\" or \"secondary\"")
      }
      const type = typeof asked === "string" ? asked : spec.type === "slave" ? "secondary" : "full"
      if (config.accountId === undefined || config.accountId === "") {
        return yield* invalid(w, "accountId", "creating a zone needs the Cloudflare account: set accountId (CLOUDFLARE_ACCOUNT_ID)")
      }
      yield* Effect.annotateCurrentSpan("cloudfx.zone.domain", domain)
      const created = yield* client.send(
        HttpClientRequest.post("/zones").pipe(
          HttpClientRequest.bodyUnsafeJson({ name: domain, account: { id: config.accountId }, type })
        ),
        w.operation,
        { zoneExists: zoneTarget(domain) },
        Wire.Zone
      )
      return Mapping.toZone(created)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateZone = (_zone: Ref, _spec: Dns.UpdateZoneSpec) =>
    Effect.fail(new Unsupported({ ...where("updateZone"), capability: "dns.updateZone" }))

  const deleteZone = (zone: Ref) => {
    const w = where("deleteZone")
    return Effect.gen(function*() {
      const id = yield* V.id(w, "zone", zone)
      yield* client.send(HttpClientRequest.del(`/zones/${segment(id)}`), w.operation, { notFound: zoneTarget(id) }, Wire.Deleted)
    }).pipe(traced(PROVIDER, w.operation))
  }

  // -------------------------------------------------------------- records

  const listRecords = (zone: Ref) => {
    const w = where("listRecords")
    return Stream.unwrap(
      Effect.gen(function*() {
        const id = yield* V.id(w, "zone", zone)
        // The zone's name turns Cloudflare's full record names into relative ones.
        const z = yield* fetchZone(w, id)
        return client.list(`/zones/${segment(id)}/dns_records`, w.operation, { notFound: zoneTarget(id) }, Wire.DnsRecord).pipe(
          Stream.mapEffect((r) => Mapping.toRecord(w, z.id, z.domain, r)),
          Stream.filterMap((o) => o)
        )
      })
    ).pipe(tracedStream(PROVIDER, w.operation))
  }

  const getRecord = (zone: Ref, record: Ref) => {
    const w = where("getRecord")
    return Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      const recordId = yield* V.id(w, "record", record)
      const z = yield* fetchZone(w, zoneId)
      return yield* portable(w, z, yield* fetchRecord(w, z, recordId))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const create = (w: V.Where, zone: Ref, spec: Dns.RecordSpec, options: RecordOptions) =>
    Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      yield* object(w, "spec", spec)
      const checked = yield* Mapping.checkRecord(w, { ...spec, ttl: spec.ttl, priority: spec.priority })
      const settings = yield* checkOptions(w, options)
      const z = yield* fetchZone(w, zoneId)
      const body = yield* Mapping.recordBody(w, z.domain, checked)
      const created = yield* client.send(
        HttpClientRequest.post(`/zones/${segment(z.id)}/dns_records`).pipe(HttpClientRequest.bodyUnsafeJson({ ...body, ...settings })),
        w.operation,
        {
          notFound: zoneTarget(zoneId),
          exists: { as: "AlreadyExists", target: recordTarget(body.name ?? checked.name) },
          nameTaken: recordTarget(checked.name)
        },
        Wire.DnsRecord
      )
      return yield* portable(w, z, created)
    })

  const createRecord = (zone: Ref, spec: Dns.RecordSpec) => {
    const w = where("createRecord")
    return create(w, zone, spec, {}).pipe(traced(PROVIDER, w.operation))
  }

  const updateRecord = (zone: Ref, record: Ref, spec: Dns.UpdateRecordSpec) => {
    const w = where("updateRecord")
    return Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      const recordId = yield* V.id(w, "record", record)
      yield* object(w, "spec", spec)
      // What can be checked alone is checked before anything is asked.
      if (spec.name !== undefined) yield* V.recordName(w, spec.name)
      if (spec.type !== undefined) yield* V.recordType(w, spec.type)
      yield* V.ttl(w, spec.ttl)
      if (spec.data !== undefined && (typeof spec.data !== "string" || spec.data.length === 0)) {
        return yield* invalid(w, "data", "must be a non-empty string")
      }
      const z = yield* fetchZone(w, zoneId)
      const wire = yield* fetchRecord(w, z, recordId)
      const current = yield* portable(w, z, wire)
      const type = spec.type ?? current.type
      const keepsPriority = type === "MX" || type === "SRV"
      const checked = yield* Mapping.checkRecord(w, {
        name: spec.name ?? current.name,
        type,
        data: spec.data ?? current.data,
        ttl: spec.ttl ?? current.ttl,
        priority: spec.priority ?? (keepsPriority ? current.priority : undefined)
      })
      const body = yield* Mapping.recordBody(w, z.domain, checked)
      // PUT overwrites the whole record: the Cloudflare settings go along unchanged.
      const settings: Wire.RecordBody = {
        ...(wire.proxied === undefined ? {} : { proxied: wire.proxied }),
        ...(wire.comment === undefined || wire.comment === null ? {} : { comment: wire.comment }),
        ...(wire.tags === undefined || wire.tags === null ? {} : { tags: wire.tags })
      }
      const updated = yield* client.send(
        HttpClientRequest.put(`/zones/${segment(z.id)}/dns_records/${segment(recordId)}`).pipe(
          HttpClientRequest.bodyUnsafeJson({ ...body, ...settings })
        ),
        w.operation,
        {
          notFound: recordTarget(recordId),
          exists: { as: "Conflict", target: recordTarget(recordId) },
          nameTaken: recordTarget(recordId)
        },
        Wire.DnsRecord
      )
      return yield* portable(w, z, updated)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const deleteRecord = (zone: Ref, record: Ref) => {
    const w = where("deleteRecord")
    return Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      const recordId = yield* V.id(w, "record", record)
      const z = yield* fetchZone(w, zoneId)
      yield* client.send(
        HttpClientRequest.del(`/zones/${segment(z.id)}/dns_records/${segment(recordId)}`),
        w.operation,
        { notFound: recordTarget(recordId) },
        Wire.Deleted
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const dns: Dns.Service = {
    provider,
    listRecordTypes: () => Effect.succeed(Mapping.recordTypes),
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

  // -------------------------------------------------------------- Cloudflare-only

  const setRecordOptions = (zone: Ref, record: Ref, options: RecordOptions) => {
    const w = { provider: PROVIDER, operation: "Cloudflare.setRecordOptions" }
    return Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      const recordId = yield* V.id(w, "record", record)
      const settings = yield* checkOptions(w, options)
      const z = yield* fetchZone(w, zoneId)
      const patched = yield* client.send(
        HttpClientRequest.patch(`/zones/${segment(z.id)}/dns_records/${segment(recordId)}`).pipe(HttpClientRequest.bodyUnsafeJson(settings)),
        w.operation,
        { notFound: recordTarget(recordId) },
        Wire.DnsRecord
      )
      return yield* portable(w, z, patched)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const purgeCache = (zone: Ref, spec: PurgeSpec) => {
    const w = { provider: PROVIDER, operation: "Cloudflare.purgeCache" }
    return Effect.gen(function*() {
      const zoneId = yield* V.id(w, "zone", zone)
      yield* object(w, "spec", spec)
      let body: Record<string, unknown>
      if ("everything" in spec && spec.everything === true) body = { purge_everything: true }
      else if ("files" in spec && Array.isArray(spec.files) && spec.files.length > 0) {
        for (const f of spec.files) {
          if (typeof f !== "string" || !/^https?:\/\/[^/\s]+/i.test(f)) return yield* invalid(w, "files", `"${String(f)}" is not an http(s) URL`)
        }
        body = { files: spec.files }
      } else return yield* invalid(w, "spec", "purge { everything: true } or { files: [urls…] } (at least one)")
      yield* client.send(
        HttpClientRequest.post(`/zones/${segment(zoneId)}/purge_cache`).pipe(HttpClientRequest.bodyUnsafeJson(body)),
        w.operation,
        { notFound: zoneTarget(zoneId) },
        Schema.Struct({ id: Schema.String })
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const cloudflare: CloudflareService = {
    createRecord: (zone, spec, options) => {
      const w = { provider: PROVIDER, operation: "Cloudflare.createRecord" }
      return create(w, zone, spec, options).pipe(traced(PROVIDER, w.operation))
    },
    setRecordOptions,
    setProxied: (zone, record, proxied) => setRecordOptions(zone, record, { proxied }),
    purgeCache
  }

  return { dns, cloudflare }
}
