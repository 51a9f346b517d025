/**
 * PowerDNS Authoritative HTTP API v1 shapes, as the API reference documents
 * them (https://doc.powerdns.com/authoritative/http-api/zone.html): only the
 * fields cloudfx reads; the rest is ignored.
 */
import { Schema } from "effect"

/** One resource record of an RRset. */
export const WireRecord = Schema.Struct({
  content: Schema.String,
  disabled: Schema.optional(Schema.Boolean)
})
export type WireRecord = typeof WireRecord.Type

/** All records of one name and type, sharing a TTL. */
export const RRSet = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  ttl: Schema.optional(Schema.Number),
  records: Schema.Array(WireRecord)
})
export type RRSet = typeof RRSet.Type

/** A zone as `GET /servers/{server}/zones` lists it (no rrsets). */
export const ZoneSummary = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  kind: Schema.String,
  serial: Schema.optional(Schema.Number),
  account: Schema.optional(Schema.String),
  masters: Schema.optional(Schema.Array(Schema.String)),
  dnssec: Schema.optional(Schema.Boolean)
})
export type ZoneSummary = typeof ZoneSummary.Type

export const ZoneList = Schema.Array(ZoneSummary)

/** A zone as `GET /servers/{server}/zones/{zone}` and `POST .../zones` answer it. */
export const ZoneDetail = Schema.Struct({
  ...ZoneSummary.fields,
  rrsets: Schema.optionalWith(Schema.Array(RRSet), { default: () => [] })
})
export type ZoneDetail = typeof ZoneDetail.Type

/** The body of `PATCH /servers/{server}/zones/{zone}`: each RRset replaced whole, or deleted. */
export interface RRSetChange {
  readonly name: string
  readonly type: string
  readonly changetype: "REPLACE" | "DELETE"
  readonly ttl?: number
  readonly records?: ReadonlyArray<{ readonly content: string; readonly disabled: boolean }>
}
