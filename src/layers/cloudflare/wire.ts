/**
 * Cloudflare API v4 shapes, as the API reference documents them
 * (https://developers.cloudflare.com/api/): the envelope every answer comes
 * in, zones and DNS records. Fields cloudfx does not read are not declared
 * (decoding ignores them).
 */
import { Schema } from "effect"

const optionalNullable = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/** `{ code, message, error_chain? }`; the chain nests the same shape. */
export interface ApiError {
  readonly code: number
  readonly message: string
  readonly error_chain?: ReadonlyArray<ApiError> | undefined
}
export const ApiError: Schema.Schema<ApiError> = Schema.Struct({
  code: Schema.Number,
  message: Schema.String,
  error_chain: Schema.optional(Schema.Array(Schema.suspend(() => ApiError)))
})

/** https://developers.cloudflare.com/api/resources/zones/methods/list/ — `result_info`. */
export const ResultInfo = Schema.Struct({
  page: Schema.optional(Schema.Number),
  per_page: Schema.optional(Schema.Number),
  count: Schema.optional(Schema.Number),
  total_count: Schema.optional(Schema.Number),
  total_pages: Schema.optional(Schema.Number)
})

/** `{ success, errors, messages, result, result_info? }` around every answer. */
export const Envelope = <A, I>(result: Schema.Schema<A, I>) =>
  Schema.Struct({
    success: Schema.Boolean,
    errors: Schema.optional(Schema.Array(ApiError)),
    result,
    result_info: optionalNullable(ResultInfo)
  })

/** https://developers.cloudflare.com/api/resources/zones/methods/get/ */
export const Zone = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  type: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  paused: Schema.optional(Schema.Boolean),
  name_servers: Schema.optional(Schema.Array(Schema.String)),
  original_name_servers: optionalNullable(Schema.Array(Schema.String)),
  account: Schema.optional(Schema.Struct({ id: Schema.optional(Schema.String), name: Schema.optional(Schema.String) })),
  created_on: Schema.optional(Schema.String),
  modified_on: Schema.optional(Schema.String),
  activated_on: optionalNullable(Schema.String)
})
export type Zone = typeof Zone.Type

/** SRV `data` (https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/create/). */
export const SrvData = Schema.Struct({
  priority: Schema.Number,
  weight: Schema.Number,
  port: Schema.Number,
  target: Schema.String
})

/** CAA `data`. */
export const CaaData = Schema.Struct({
  flags: Schema.Number,
  tag: Schema.String,
  value: Schema.String
})

/** https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/get/ */
export const DnsRecord = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  type: Schema.String,
  content: Schema.optional(Schema.String),
  ttl: Schema.Number,
  priority: Schema.optional(Schema.Number),
  proxied: Schema.optional(Schema.Boolean),
  proxiable: Schema.optional(Schema.Boolean),
  comment: optionalNullable(Schema.String),
  tags: optionalNullable(Schema.Array(Schema.String)),
  data: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  created_on: Schema.optional(Schema.String),
  modified_on: Schema.optional(Schema.String)
})
export type DnsRecord = typeof DnsRecord.Type

/** What a DELETE answers: the id of what is gone. */
export const Deleted = Schema.Struct({ id: Schema.String })

/** The body of a record create / overwrite (POST, PUT) or a partial change (PATCH). */
export interface RecordBody {
  readonly type?: string
  readonly name?: string
  readonly content?: string
  readonly ttl?: number
  readonly priority?: number
  readonly data?: Readonly<Record<string, unknown>>
  readonly proxied?: boolean
  readonly comment?: string | null
  readonly tags?: ReadonlyArray<string>
}
