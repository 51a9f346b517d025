/**
 * DigitalOcean API v2 bodies, as the OpenAPI reference describes them
 * (https://docs.digitalocean.com/reference/api/api-reference/, source
 * github.com/digitalocean/openapi, specification/resources/*). Only what the
 * mapping reads is declared; other fields are ignored.
 */
import { Schema } from "effect"
import { pageFields } from "../client.js"

const optionalArray = <A, I>(item: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(Schema.Array(item)))

// regions/models/region.yml
export const Region = Schema.Struct({
  slug: Schema.String,
  name: Schema.String,
  available: Schema.optional(Schema.Boolean),
  features: optionalArray(Schema.String),
  sizes: optionalArray(Schema.String)
})
export type Region = typeof Region.Type

// sizes/models/size.yml: memory MB, disk GB, transfer TB, prices USD.
export const Size = Schema.Struct({
  slug: Schema.String,
  memory: Schema.Number,
  vcpus: Schema.Number,
  disk: Schema.Number,
  transfer: Schema.Number,
  price_monthly: Schema.Number,
  price_hourly: Schema.Number,
  regions: Schema.Array(Schema.String),
  available: Schema.Boolean,
  description: Schema.optional(Schema.String)
})
export type Size = typeof Size.Type

// images/models/image.yml: `slug` is null for private images.
export const Image = Schema.Struct({
  id: Schema.Number,
  name: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  distribution: Schema.optional(Schema.String),
  slug: Schema.optional(Schema.NullOr(Schema.String)),
  public: Schema.optional(Schema.Boolean),
  regions: optionalArray(Schema.String),
  created_at: Schema.optional(Schema.Date),
  min_disk_size: Schema.optional(Schema.NullOr(Schema.Number)),
  size_gigabytes: Schema.optional(Schema.NullOr(Schema.Number)),
  description: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String)
})
export type Image = typeof Image.Type

// droplets/models/network_v4.yml, network_v6.yml
const Network = Schema.Struct({
  ip_address: Schema.String,
  type: Schema.String
})

// droplets/models/droplet.yml
export const Droplet = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  memory: Schema.Number,
  vcpus: Schema.Number,
  disk: Schema.Number,
  locked: Schema.Boolean,
  status: Schema.String,
  created_at: Schema.Date,
  features: optionalArray(Schema.String),
  volume_ids: optionalArray(Schema.String),
  image: Schema.optional(Schema.NullOr(Image)),
  size_slug: Schema.String,
  networks: Schema.Struct({
    v4: optionalArray(Network),
    v6: optionalArray(Network)
  }),
  region: Region,
  tags: optionalArray(Schema.String),
  vpc_uuid: Schema.optional(Schema.NullOr(Schema.String))
})
export type Droplet = typeof Droplet.Type

// ssh_keys/models/ssh_key.yml: the fingerprint is MD5, colon-separated.
export const SshKey = Schema.Struct({
  id: Schema.Number,
  fingerprint: Schema.String,
  public_key: Schema.String,
  name: Schema.String
})
export type SshKey = typeof SshKey.Type

// volumes/models/volume_base.yml + volume_full.yml: no status; `droplet_ids` says where it is attached.
export const Volume = Schema.Struct({
  id: Schema.String,
  region: Region,
  droplet_ids: optionalArray(Schema.Number),
  name: Schema.String,
  description: Schema.optional(Schema.String),
  size_gigabytes: Schema.Number,
  created_at: Schema.Date,
  filesystem_type: Schema.optional(Schema.String),
  filesystem_label: Schema.optional(Schema.String),
  tags: optionalArray(Schema.String)
})
export type Volume = typeof Volume.Type

// snapshots/models/snapshots.yml: `min_disk_size` is the source volume's size, `size_gigabytes` the data in it.
export const Snapshot = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  regions: Schema.Array(Schema.String),
  created_at: Schema.Date,
  resource_id: Schema.String,
  resource_type: Schema.String,
  min_disk_size: Schema.Number,
  size_gigabytes: Schema.Number,
  tags: optionalArray(Schema.String)
})
export type Snapshot = typeof Snapshot.Type

export const DropletsPage = Schema.Struct({ droplets: Schema.Array(Droplet), ...pageFields })
export const DropletBody = Schema.Struct({ droplet: Droplet })
export const SizesPage = Schema.Struct({ sizes: Schema.Array(Size), ...pageFields })
export const RegionsPage = Schema.Struct({ regions: Schema.Array(Region), ...pageFields })
export const ImagesPage = Schema.Struct({ images: Schema.Array(Image), ...pageFields })
export const ImageBody = Schema.Struct({ image: Image })
export const SshKeysPage = Schema.Struct({ ssh_keys: Schema.Array(SshKey), ...pageFields })
export const SshKeyBody = Schema.Struct({ ssh_key: SshKey })
export const VolumesPage = Schema.Struct({ volumes: Schema.Array(Volume), ...pageFields })
export const VolumeBody = Schema.Struct({ volume: Volume })
export const SnapshotsPage = Schema.Struct({ snapshots: Schema.Array(Snapshot), ...pageFields })
export const SnapshotBody = Schema.Struct({ snapshot: Snapshot })

// droplets/models/droplet_actions.yml, volumes/models/volumeAction.yml: only that an action was accepted matters.
export const ActionBody = Schema.Struct({
  action: Schema.Struct({ id: Schema.Number, status: Schema.String, type: Schema.String })
})
