/**
 * Linode API v4 bodies, as the OpenAPI reference describes them
 * (https://techdocs.akamai.com/linode-api/reference/api, source
 * github.com/linode/linode-api-docs openapi.yaml, components/schemas). Only
 * what the mapping reads is declared; other fields are ignored.
 */
import { ParseResult, Schema } from "effect"

/**
 * "All times returned by the API are in UTC", written without a zone
 * ("2018-01-01T00:01:01"): read as UTC, not as local time.
 */
export const UtcDate = Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
  strict: true,
  decode: (s, _, ast) => {
    const d = new Date(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`)
    return Number.isNaN(d.getTime()) ? ParseResult.fail(new ParseResult.Type(ast, s, "not a date-time")) : ParseResult.succeed(d)
  },
  encode: (d) => ParseResult.succeed(d.toISOString().replace(/\.\d{3}Z$/, ""))
})

// components/schemas/PaginationEnvelope
const pageFields = {
  page: Schema.Number,
  pages: Schema.Number,
  results: Schema.Number
}

const optionalString = Schema.optional(Schema.NullOr(Schema.String))

// components/schemas/Linode
export const Instance = Schema.Struct({
  id: Schema.Number,
  label: Schema.String,
  region: Schema.String,
  image: optionalString,
  type: optionalString,
  status: Schema.String,
  created: Schema.optional(UtcDate),
  ipv4: Schema.Array(Schema.String),
  ipv6: optionalString,
  specs: Schema.optional(
    Schema.Struct({ disk: Schema.Number, memory: Schema.Number, vcpus: Schema.Number, transfer: Schema.Number })
  ),
  tags: Schema.optional(Schema.Array(Schema.String)),
  hypervisor: optionalString
})
export type Instance = typeof Instance.Type

const Price = Schema.Struct({ hourly: Schema.Number, monthly: Schema.Number })

// components/schemas/LinodeType: memory and disk in MB; prices in USD, with region_prices where they differ.
export const Type = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  disk: Schema.Number,
  class: Schema.optional(Schema.String),
  price: Price,
  region_prices: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({ id: Schema.String, hourly: Schema.Number, monthly: Schema.Number })))),
  memory: Schema.Number,
  vcpus: Schema.Number,
  transfer: Schema.Number,
  network_out: Schema.optional(Schema.Number),
  gpus: Schema.optional(Schema.Number)
})
export type Type = typeof Type.Type

// components/schemas/Region
export const Region = Schema.Struct({
  id: Schema.String,
  label: Schema.optional(Schema.String),
  country: Schema.String,
  capabilities: Schema.optional(Schema.Array(Schema.String)),
  status: Schema.optional(Schema.String)
})
export type Region = typeof Region.Type

// components/schemas/Image
export const Image = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  description: optionalString,
  created: Schema.optional(UtcDate),
  type: Schema.optional(Schema.String),
  is_public: Schema.optional(Schema.Boolean),
  vendor: optionalString,
  size: Schema.optional(Schema.Number),
  deprecated: Schema.optional(Schema.Boolean),
  status: Schema.optional(Schema.String)
})
export type Image = typeof Image.Type

// components/schemas/SSHKey: no fingerprint in the API.
export const SshKey = Schema.Struct({
  id: Schema.Number,
  label: Schema.String,
  ssh_key: Schema.String,
  created: Schema.optional(UtcDate)
})
export type SshKey = typeof SshKey.Type

// components/schemas/Volume: size in GiB; linode_id says where it is attached.
export const Volume = Schema.Struct({
  id: Schema.Number,
  label: Schema.String,
  filesystem_path: Schema.optional(Schema.String),
  status: Schema.String,
  size: Schema.Number,
  region: Schema.String,
  linode_id: Schema.optional(Schema.NullOr(Schema.Number)),
  linode_label: optionalString,
  created: Schema.optional(UtcDate),
  tags: Schema.optional(Schema.Array(Schema.String)),
  hardware_type: Schema.optional(Schema.String)
})
export type Volume = typeof Volume.Type

export const InstancesPage = Schema.Struct({ data: Schema.Array(Instance), ...pageFields })
export const TypesPage = Schema.Struct({ data: Schema.Array(Type), ...pageFields })
export const RegionsPage = Schema.Struct({ data: Schema.Array(Region), ...pageFields })
export const ImagesPage = Schema.Struct({ data: Schema.Array(Image), ...pageFields })
export const SshKeysPage = Schema.Struct({ data: Schema.Array(SshKey), ...pageFields })
export const VolumesPage = Schema.Struct({ data: Schema.Array(Volume), ...pageFields })

/** Actions and deletes answer `{}`: only the status matters. */
export const Empty = Schema.Struct({})
