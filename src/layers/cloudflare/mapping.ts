/**
 * Cloudflare zones and DNS records ↔ the portable models. Cloudflare names
 * records by their full name ("www.example.com") and writes host names in
 * data without the trailing dot; portable records are relative to their zone
 * ("www", "" for the apex) and carry absolute host names ("mail.example.com.").
 */
import { Effect, Option } from "effect"
import { InvalidInput, MalformedResponse } from "../../schemas/Errors.js"
import { DnsRecord, type RecordType, RecordType as RecordTypeSchema, Zone } from "../../schemas/Models.js"
import type { Where } from "../../services/validate.js"
import * as V from "../../services/validate.js"
import type * as Wire from "./wire.js"

/** What `listRecordTypes` answers: the types cloudfx can write on Cloudflare. */
export const recordTypes: ReadonlyArray<RecordType> = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT"]
const writable = new Set<string>(recordTypes)
const portable = new Set<string>(RecordTypeSchema.literals)

/** Types whose data is one host name (MX: after its priority). */
const hostTypes: ReadonlySet<string> = new Set(["CNAME", "MX", "NS", "PTR"])

/** Cloudflare's "automatic" TTL: the portable record has none. */
export const AUTOMATIC_TTL = 1
export const MIN_TTL = 30
export const MAX_TTL = 86400

const withDot = (host: string) => (host.endsWith(".") ? host : `${host}.`)
const withoutDot = (host: string) => (host.endsWith(".") && host !== "." ? host.slice(0, -1) : host)

export const absoluteName = (name: string, domain: string) => (name === "" ? domain : `${name}.${domain}`)

export const relativeName = (full: string, domain: string): string => {
  const n = withoutDot(full).toLowerCase()
  if (n === domain) return ""
  return n.endsWith(`.${domain}`) ? n.slice(0, -(domain.length + 1)) : n
}

// ---------------------------------------------------------------- zones

export const toZone = (z: Wire.Zone): Zone =>
  new Zone({
    id: z.id,
    domain: withoutDot(z.name).toLowerCase(),
    // "secondary" zones are transferred in from a primary elsewhere; full and partial ones hold their own records.
    type: z.type === "secondary" ? "slave" : "master",
    extra: {
      cloudflareType: z.type,
      status: z.status,
      paused: z.paused,
      nameServers: z.name_servers ?? [],
      originalNameServers: z.original_name_servers ?? [],
      accountId: z.account?.id,
      createdOn: z.created_on,
      modifiedOn: z.modified_on
    }
  })

// ---------------------------------------------------------------- records: wire → portable

const quoteCaaValue = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"")}"`

const num = (u: unknown) => (typeof u === "number" && Number.isSafeInteger(u) ? u : undefined)

/**
 * The portable record, or None for a type the portable model has no name for
 * (HTTPS, SVCB, URI, SMIMEA): those are left out of listings.
 */
export const toRecord = (
  where: Where,
  zoneId: string,
  domain: string,
  r: Wire.DnsRecord
): Effect.Effect<Option.Option<DnsRecord>, MalformedResponse> => {
  if (!portable.has(r.type)) return Effect.succeed(Option.none())
  const malformed = (reason: string) => Effect.fail(new MalformedResponse({ ...where, reason: `record ${r.id} (${r.type}): ${reason}` }))
  const content = r.content ?? ""
  let data: string
  let priority: number | undefined
  switch (r.type) {
    case "MX":
      if (r.priority === undefined) return malformed("an MX record without a priority")
      priority = r.priority
      data = withDot(content)
      break
    case "SRV": {
      const d = r.data ?? {}
      const [p, weight, port, target] = [num(d["priority"]), num(d["weight"]), num(d["port"]), d["target"]]
      if (weight !== undefined && port !== undefined && typeof target === "string") {
        priority = p ?? r.priority
        data = `${weight} ${port} ${withDot(target)}`
      } else {
        // Without `data`, the formatted content: "weight port target" (priority apart) or all four.
        const fields = content.trim().split(/\s+/)
        if (fields.length === 4) {
          priority = Number(fields[0])
          data = `${fields[1]} ${fields[2]} ${withDot(fields[3]!)}`
        } else if (fields.length === 3 && r.priority !== undefined) {
          priority = r.priority
          data = `${fields[0]} ${fields[1]} ${withDot(fields[2]!)}`
        } else return malformed(`SRV content "${content}" is not "priority weight port target"`)
      }
      if (priority === undefined || !Number.isSafeInteger(priority)) return malformed("an SRV record without a priority")
      break
    }
    case "CAA": {
      const d = r.data ?? {}
      const flags = num(d["flags"])
      data = flags !== undefined && typeof d["tag"] === "string" && typeof d["value"] === "string"
        ? `${flags} ${d["tag"]} ${quoteCaaValue(d["value"])}`
        : content
      break
    }
    default:
      data = hostTypes.has(r.type) ? withDot(content) : content
  }
  if (data === "") return malformed("no content")
  return Effect.succeed(Option.some(
    new DnsRecord({
      id: r.id,
      zoneId,
      name: relativeName(r.name, domain),
      type: r.type as RecordType,
      data,
      ...(r.ttl === AUTOMATIC_TTL ? {} : { ttl: r.ttl }),
      ...(priority === undefined ? {} : { priority }),
      extra: {
        ttlAutomatic: r.ttl === AUTOMATIC_TTL,
        proxied: r.proxied ?? false,
        proxiable: r.proxiable ?? false,
        comment: r.comment ?? undefined,
        tags: r.tags ?? [],
        createdOn: r.created_on,
        modifiedOn: r.modified_on
      }
    })
  ))
}

// ---------------------------------------------------------------- records: portable → wire

export interface CheckedRecord {
  readonly name: string
  readonly type: RecordType
  readonly data: string
  readonly ttl: number | undefined
  readonly priority: number | undefined
}

const invalid = (where: Where, field: string, reason: string) => new InvalidInput({ ...where, field, reason })

/** The checks every record passes before anything is sent; normalises name ("@" → "") and data (trimmed). */
export const checkRecord = (
  where: Where,
  spec: { readonly name: string; readonly type: string; readonly data: string; readonly ttl: number | undefined; readonly priority: number | undefined }
): Effect.Effect<CheckedRecord, InvalidInput> =>
  Effect.gen(function*() {
    const name = yield* V.recordName(where, spec.name)
    const type = yield* V.recordType(where, spec.type)
    if (!writable.has(type)) {
      return yield* invalid(where, "type", `${type} records cannot be written through cloudfx on Cloudflare (${recordTypes.join(", ")})`)
    }
    const ttl = yield* V.ttl(where, spec.ttl)
    if (ttl !== undefined && (ttl < MIN_TTL || ttl > MAX_TTL)) {
      return yield* invalid(
        where,
        "ttl",
        `Cloudflare TTLs are ${MIN_TTL} to ${MAX_TTL} seconds (60 below Enterprise); leave it out for "automatic"`
      )
    }
    yield* V.recordData(where, type, spec.data, spec.priority)
    if (spec.priority !== undefined && type !== "MX" && type !== "SRV") {
      return yield* invalid(where, "priority", `only MX and SRV records have a priority, not ${type}`)
    }
    const data = spec.data.trim()
    if (hostTypes.has(type)) {
      yield* V.domain(where, "data", data).pipe(
        Effect.mapError(() => invalid(where, "data", `"${data}" is not a domain name (${type} data names a host)`))
      )
    }
    yield* recordData(where, type, data, spec.priority)
    return { name, type, data, ttl, priority: spec.priority }
  })

/** The type-specific part of a record body: `content`, or `data` for SRV and CAA. */
const recordData = (
  where: Where,
  type: RecordType,
  data: string,
  priority: number | undefined
): Effect.Effect<Pick<Wire.RecordBody, "content" | "data" | "priority">, InvalidInput> => {
  switch (type) {
    case "MX":
      return Effect.succeed({ content: withoutDot(data), ...(priority === undefined ? {} : { priority }) })
    case "SRV": {
      const m = /^(\d{1,5})\s+(\d{1,5})\s+(\S+)$/.exec(data)
      if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) {
        return Effect.fail(invalid(where, "data", `SRV data is "weight port target", not "${data}"`))
      }
      return Effect.succeed({ data: { priority, weight: Number(m[1]), port: Number(m[2]), target: withoutDot(m[3]!) } })
    }
    case "CAA": {
      const m = /^(\d{1,3})\s+([A-Za-z0-9]+)\s+(?:"((?:[^"\\]|\\.)*)"|(\S+))$/.exec(data)
      if (m === null || Number(m[1]) > 255) {
        return Effect.fail(invalid(where, "data", `CAA data is 'flags tag "value"', not "${data}"`))
      }
      const value = m[3] === undefined ? m[4]! : m[3].replace(/\\(.)/g, "$1")
      return Effect.succeed({ data: { flags: Number(m[1]), tag: m[2]!, value } })
    }
    default:
      return Effect.succeed({ content: hostTypes.has(type) ? withoutDot(data) : data })
  }
}

/** The body of a POST or PUT for a checked record (TTL 1, "automatic", when it has none). */
export const recordBody = (where: Where, domain: string, r: CheckedRecord): Effect.Effect<Wire.RecordBody, InvalidInput> =>
  Effect.map(recordData(where, r.type, r.data, r.priority), (typed) => ({
    type: r.type,
    name: absoluteName(r.name, domain),
    ttl: r.ttl ?? AUTOMATIC_TTL,
    ...typed
  }))
