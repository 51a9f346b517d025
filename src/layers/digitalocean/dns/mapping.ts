/**
 * DigitalOcean domains and records onto the portable Zone and DnsRecord, and
 * portable record specs onto DigitalOcean's fields. Names: DigitalOcean
 * writes the apex "@", the portable model "". Data: SRV's weight and port and
 * CAA's flags and tag are fields of their own on DigitalOcean and part of the
 * data in the portable (zone-file) form.
 */
import { DnsRecord, RecordType as RecordTypeSchema, Zone } from "../../../schemas/Models.js"
import type { RecordType } from "../../../schemas/Models.js"
import type * as Wire from "./wire.js"

/** The types DigitalOcean serves (the Domain Records tag of the reference). */
export const recordTypes: ReadonlyArray<RecordType> = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"]

/** Types whose data (or SRV target) names a host: absolute in the portable form. */
export const hostValued: ReadonlySet<RecordType> = new Set<RecordType>(["CNAME", "MX", "NS", "SRV"])

export const zone = (d: Wire.Domain): Zone =>
  new Zone({
    id: d.name,
    domain: d.name.toLowerCase().replace(/\.$/, ""),
    type: "master",
    ...(d.ttl === undefined || d.ttl === null ? {} : { ttl: d.ttl }),
    extra: d.zone_file === undefined || d.zone_file === null ? {} : { zoneFile: d.zone_file }
  })

/** A host as the portable model writes it: absolute with a trailing dot ("@" is the zone's apex). */
const absolute = (domain: string, host: string) => (host === "@" ? `${domain}.` : host.endsWith(".") ? host : `${host}.`)

const isRecordType = (t: string): t is RecordType => (RecordTypeSchema.literals as ReadonlyArray<string>).includes(t)

/** The portable record, or undefined for a type the portable model does not know. */
export const record = (domain: string, r: Wire.DomainRecord): DnsRecord | undefined => {
  if (!isRecordType(r.type)) return undefined
  const name = r.name === "@" || r.name === "" ? "" : r.name.toLowerCase()
  let data = r.data
  const extra: Record<string, unknown> = {}
  switch (r.type) {
    case "CNAME":
    case "MX":
    case "NS":
      data = absolute(domain, r.data)
      break
    case "SRV":
      data = `${r.weight ?? 0} ${r.port ?? 0} ${absolute(domain, r.data)}`
      extra["weight"] = r.weight ?? 0
      extra["port"] = r.port ?? 0
      break
    case "CAA":
      data = `${r.flags ?? 0} ${r.tag ?? ""} "${r.data}"`
      extra["flags"] = r.flags ?? 0
      extra["tag"] = r.tag ?? ""
      break
  }
  const priority = (r.type === "MX" || r.type === "SRV") && r.priority !== undefined && r.priority !== null ? r.priority : undefined
  return new DnsRecord({
    id: String(r.id),
    zoneId: domain,
    name,
    type: r.type,
    data,
    ...(r.ttl === undefined || r.ttl === null ? {} : { ttl: r.ttl }),
    ...(priority === undefined ? {} : { priority }),
    extra
  })
}

/** The fully qualified name DigitalOcean's `name` filter takes. */
export const fqdn = (domain: string, name: string) => (name === "" ? domain : `${name}.${domain}`)

const srv = /^(\d{1,5})\s+(\d{1,5})\s+(\S+)$/
const caa = /^(\d{1,3})\s+(issue|issuewild|iodef)\s+(.+)$/

/** SRV data "weight port target" split, or undefined when it is not that. */
export const parseSrv = (data: string) => {
  const m = srv.exec(data.trim())
  if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) return undefined
  return { weight: Number(m[1]), port: Number(m[2]), target: m[3]! }
}

/** CAA data `flags tag "value"` split (the value's quotes removed), or undefined. */
export const parseCaa = (data: string) => {
  const m = caa.exec(data.trim())
  if (m === null || Number(m[1]) > 255) return undefined
  const raw = m[3]!.trim()
  const value = raw.length >= 2 && raw.startsWith("\"") && raw.endsWith("\"") ? raw.slice(1, -1) : raw
  return value.length === 0 ? undefined : { flags: Number(m[1]), tag: m[2]!, value }
}

/** DigitalOcean names hosts with a trailing dot; without one it would read them relative to the zone. */
const dotted = (host: string) => (host.endsWith(".") ? host : `${host}.`)

export interface Checked {
  readonly name: string
  readonly type: RecordType
  readonly data: string
  readonly ttl: number | undefined
  readonly priority: number | undefined
}

/** The body for a record already checked (SRV and CAA data parse). */
export const write = (r: Checked): Wire.RecordWrite => {
  const base = { type: r.type, name: r.name === "" ? "@" : r.name, ...(r.ttl === undefined ? {} : { ttl: r.ttl }) }
  switch (r.type) {
    case "CNAME":
    case "NS":
      return { ...base, data: dotted(r.data) }
    case "MX":
      return { ...base, data: dotted(r.data), priority: r.priority ?? 0 }
    case "SRV": {
      const s = parseSrv(r.data)!
      return { ...base, data: dotted(s.target), priority: r.priority ?? 0, port: s.port, weight: s.weight }
    }
    case "CAA": {
      const c = parseCaa(r.data)!
      return { ...base, data: c.value, flags: c.flags, tag: c.tag }
    }
    default:
      return { ...base, data: r.data }
  }
}
