/**
 * DigitalOcean domain and domain record bodies, as the API reference
 * documents them (https://docs.digitalocean.com/reference/api/api-reference/#tag/Domains
 * and #tag/Domain-Records, source github.com/digitalocean/openapi
 * specification/resources/domains/). Only what the mapping reads is declared.
 */
import { Schema } from "effect"
import { pageFields } from "../client.js"

// models/domain.yml: `ttl` and `zone_file` are read-only and nullable.
export const Domain = Schema.Struct({
  name: Schema.String,
  ttl: Schema.optional(Schema.NullOr(Schema.Number)),
  zone_file: Schema.optional(Schema.NullOr(Schema.String))
})
export type Domain = typeof Domain.Type

// models/domain_record.yml: priority, port, weight, flags and tag are null where the type has none.
export const DomainRecord = Schema.Struct({
  id: Schema.Number,
  type: Schema.String,
  name: Schema.String,
  data: Schema.String,
  priority: Schema.optional(Schema.NullOr(Schema.Number)),
  port: Schema.optional(Schema.NullOr(Schema.Number)),
  ttl: Schema.optional(Schema.NullOr(Schema.Number)),
  weight: Schema.optional(Schema.NullOr(Schema.Number)),
  flags: Schema.optional(Schema.NullOr(Schema.Number)),
  tag: Schema.optional(Schema.NullOr(Schema.String))
})
export type DomainRecord = typeof DomainRecord.Type

export const DomainsPage = Schema.Struct({ domains: Schema.Array(Domain), ...pageFields })
export const DomainBody = Schema.Struct({ domain: Domain })
export const RecordsPage = Schema.Struct({ domain_records: Schema.Array(DomainRecord), ...pageFields })
export const RecordBody = Schema.Struct({ domain_record: DomainRecord })

/** What create (POST) and update (PUT) send for one record. */
export interface RecordWrite {
  readonly type: string
  readonly name: string
  readonly data: string
  readonly ttl?: number
  readonly priority?: number
  readonly port?: number
  readonly weight?: number
  readonly flags?: number
  readonly tag?: string
}
