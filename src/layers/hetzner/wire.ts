/**
 * Hetzner Cloud API v1 bodies, as the reference describes them
 * (https://docs.hetzner.cloud/reference/cloud; the Go client's schema
 * package, github.com/hetznercloud/hcloud-go hcloud/schema, mirrors it).
 * Only what the mapping reads is declared; other fields — the create
 * response's `root_password` among them — are not decoded at all.
 */
import { Schema } from "effect"

// "Pagination": `meta.pagination`, `next_page` null on the last page.
const meta = Schema.optional(
  Schema.Struct({
    pagination: Schema.Struct({
      page: Schema.Number,
      per_page: Schema.Number,
      next_page: Schema.NullOr(Schema.Number),
      last_page: Schema.optional(Schema.NullOr(Schema.Number)),
      total_entries: Schema.optional(Schema.NullOr(Schema.Number))
    })
  })
)

export const Location = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  description: Schema.optional(Schema.String),
  country: Schema.optional(Schema.String),
  city: Schema.optional(Schema.String),
  network_zone: Schema.optional(Schema.String)
})
export type Location = typeof Location.Type

// Prices are decimal strings in EUR.
const Amount = Schema.Struct({ net: Schema.String, gross: Schema.String })

export const ServerType = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  description: Schema.optional(Schema.String),
  cores: Schema.Number,
  memory: Schema.Number,
  disk: Schema.Number,
  deprecated: Schema.optional(Schema.NullOr(Schema.Boolean)),
  prices: Schema.Array(
    Schema.Struct({
      location: Schema.String,
      price_hourly: Amount,
      price_monthly: Amount,
      included_traffic: Schema.optional(Schema.Number)
    })
  ),
  storage_type: Schema.optional(Schema.String),
  cpu_type: Schema.optional(Schema.String),
  architecture: Schema.optional(Schema.String),
  included_traffic: Schema.optional(Schema.NullOr(Schema.Number))
})
export type ServerType = typeof ServerType.Type

export const Image = Schema.Struct({
  id: Schema.Number,
  type: Schema.String,
  status: Schema.optional(Schema.String),
  name: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.String),
  os_flavor: Schema.optional(Schema.String),
  os_version: Schema.optional(Schema.NullOr(Schema.String)),
  architecture: Schema.optional(Schema.String),
  deprecated: Schema.optional(Schema.NullOr(Schema.String))
})
export type Image = typeof Image.Type

export const Server = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  status: Schema.String,
  created: Schema.Date,
  public_net: Schema.Struct({
    ipv4: Schema.optional(Schema.NullOr(Schema.Struct({ ip: Schema.String }))),
    ipv6: Schema.optional(Schema.NullOr(Schema.Struct({ ip: Schema.String })))
  }),
  private_net: Schema.optional(Schema.Array(Schema.Struct({ ip: Schema.String, network: Schema.optional(Schema.Number) }))),
  server_type: Schema.Struct({ id: Schema.Number, name: Schema.String }),
  datacenter: Schema.optional(Schema.NullOr(Schema.Struct({ name: Schema.String, location: Location }))),
  location: Schema.optional(Schema.NullOr(Location)),
  image: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.Number, name: Schema.optional(Schema.NullOr(Schema.String)) }))),
  locked: Schema.optional(Schema.Boolean),
  labels: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  volumes: Schema.optional(Schema.Array(Schema.Number))
})
export type Server = typeof Server.Type

export const SshKey = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  fingerprint: Schema.String,
  public_key: Schema.String
})
export type SshKey = typeof SshKey.Type

// `server` is where it is attached; `status` "creating" | "available".
export const Volume = Schema.Struct({
  id: Schema.Number,
  created: Schema.Date,
  name: Schema.String,
  server: Schema.optional(Schema.NullOr(Schema.Number)),
  location: Location,
  size: Schema.Number,
  linux_device: Schema.optional(Schema.String),
  status: Schema.String,
  format: Schema.optional(Schema.NullOr(Schema.String)),
  labels: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})
export type Volume = typeof Volume.Type

const Action = Schema.Struct({ id: Schema.Number, command: Schema.String, status: Schema.String })

export const ServersPage = Schema.Struct({ servers: Schema.Array(Server), meta })
export const ServerBody = Schema.Struct({ server: Server })
export const ServerTypesPage = Schema.Struct({ server_types: Schema.Array(ServerType), meta })
export const ServerTypeBody = Schema.Struct({ server_type: ServerType })
export const LocationsPage = Schema.Struct({ locations: Schema.Array(Location), meta })
export const ImagesPage = Schema.Struct({ images: Schema.Array(Image), meta })
export const ImageBody = Schema.Struct({ image: Image })
export const SshKeysPage = Schema.Struct({ ssh_keys: Schema.Array(SshKey), meta })
export const SshKeyBody = Schema.Struct({ ssh_key: SshKey })
export const VolumesPage = Schema.Struct({ volumes: Schema.Array(Volume), meta })
export const VolumeBody = Schema.Struct({ volume: Volume })
export const ActionBody = Schema.Struct({ action: Action })
