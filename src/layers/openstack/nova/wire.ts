/**
 * The bodies of Nova v2.1, Glance v2, Cinder v3 and Neutron v2.0, as their
 * API references show them (docs.openstack.org/api-ref/compute, /image/v2,
 * /block-storage/v3, /network/v2; the examples are the projects'
 * doc/api_samples and api-ref/source/<version>/samples files). Only what the mapping
 * reads is declared: the create answer's `adminPass` is never decoded.
 */
import { Schema } from "effect"

const Link = Schema.Struct({ href: Schema.String, rel: Schema.String })
/** `servers_links`, `flavors_links`, …: a "next" link when there is a further page. */
const links = Schema.optional(Schema.NullOr(Schema.Array(Link)))
export type Links = ReadonlyArray<typeof Link.Type> | null | undefined

const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optional(Schema.NullOr(s))

// ---------------------------------------------------------------- Nova

export const Address = Schema.Struct({
  addr: Schema.String,
  version: Schema.optional(Schema.Number),
  "OS-EXT-IPS:type": Schema.optional(Schema.String)
})

export const Server = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  status: Schema.String,
  created: opt(Schema.String),
  addresses: opt(Schema.Record({ key: Schema.String, value: Schema.Array(Address) })),
  accessIPv4: opt(Schema.String),
  accessIPv6: opt(Schema.String),
  // Before 2.47 `{ id, links }`; from 2.47 the flavor itself, named by `original_name`.
  flavor: opt(Schema.Struct({ id: Schema.optional(Schema.String), original_name: Schema.optional(Schema.String) })),
  // "" when the server boots from a volume.
  image: opt(Schema.Union(Schema.String, Schema.Struct({ id: Schema.String }))),
  key_name: opt(Schema.String),
  metadata: opt(Schema.Record({ key: Schema.String, value: Schema.String })),
  hostId: opt(Schema.String),
  tenant_id: opt(Schema.String),
  user_id: opt(Schema.String),
  progress: opt(Schema.Number),
  fault: opt(Schema.Struct({ code: Schema.optional(Schema.Number), message: Schema.optional(Schema.String) })),
  "OS-EXT-AZ:availability_zone": opt(Schema.String),
  "OS-EXT-STS:vm_state": opt(Schema.String),
  "OS-EXT-STS:task_state": opt(Schema.String),
  "OS-EXT-STS:power_state": opt(Schema.Number)
})
export type Server = typeof Server.Type

export const ServersPage = Schema.Struct({ servers: Schema.Array(Server), servers_links: links })
export const ServerBody = Schema.Struct({ server: Server })
/** POST /servers answers 202 with the id and links only. */
export const CreatedServer = Schema.Struct({ server: Schema.Struct({ id: Schema.String }) })

export const Flavor = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  ram: Schema.Number,
  vcpus: Schema.Number,
  disk: Schema.Number,
  // "" when there is none.
  swap: Schema.optional(Schema.Union(Schema.Number, Schema.String)),
  rxtx_factor: Schema.optional(Schema.Number),
  description: opt(Schema.String),
  "OS-FLV-EXT-DATA:ephemeral": Schema.optional(Schema.Number),
  "OS-FLV-DISABLED:disabled": Schema.optional(Schema.Boolean),
  "os-flavor-access:is_public": Schema.optional(Schema.Boolean)
})
export type Flavor = typeof Flavor.Type
export const FlavorsPage = Schema.Struct({ flavors: Schema.Array(Flavor), flavors_links: links })
export const FlavorBody = Schema.Struct({ flavor: Flavor })

export const AvailabilityZone = Schema.Struct({
  zoneName: Schema.String,
  zoneState: Schema.Struct({ available: Schema.Boolean })
})
export type AvailabilityZone = typeof AvailabilityZone.Type
export const AvailabilityZones = Schema.Struct({ availabilityZoneInfo: Schema.Array(AvailabilityZone) })

export const Keypair = Schema.Struct({
  name: Schema.String,
  fingerprint: Schema.String,
  public_key: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  user_id: Schema.optional(Schema.String)
})
export type Keypair = typeof Keypair.Type
export const KeypairsPage = Schema.Struct({ keypairs: Schema.Array(Schema.Struct({ keypair: Keypair })), keypairs_links: links })
export const KeypairBody = Schema.Struct({ keypair: Keypair })

export const VolumeAttachment = Schema.Struct({
  id: Schema.optional(Schema.String),
  device: opt(Schema.String),
  serverId: Schema.String,
  volumeId: Schema.String
})
export const VolumeAttachmentBody = Schema.Struct({ volumeAttachment: VolumeAttachment })

// ---------------------------------------------------------------- Glance

export const Image = Schema.Struct({
  id: Schema.String,
  name: opt(Schema.String),
  status: Schema.String,
  visibility: Schema.optional(Schema.String),
  disk_format: opt(Schema.String),
  container_format: opt(Schema.String),
  min_disk: opt(Schema.Number),
  min_ram: opt(Schema.Number),
  size: opt(Schema.Number),
  owner: opt(Schema.String),
  created_at: opt(Schema.String),
  os_distro: opt(Schema.String),
  os_version: opt(Schema.String),
  architecture: opt(Schema.String)
})
export type Image = typeof Image.Type
/** `next` is a path with the marker ("/v2/images?marker=…") on every page but the last. */
export const ImagesPage = Schema.Struct({ images: Schema.Array(Image), next: Schema.optional(Schema.String) })

// ---------------------------------------------------------------- Cinder

export const CinderAttachment = Schema.Struct({
  server_id: Schema.String,
  attachment_id: opt(Schema.String),
  device: opt(Schema.String)
})

export const Volume = Schema.Struct({
  id: Schema.String,
  name: opt(Schema.String),
  size: Schema.Number,
  status: Schema.String,
  availability_zone: opt(Schema.String),
  attachments: Schema.optional(Schema.Array(CinderAttachment)),
  created_at: opt(Schema.String),
  snapshot_id: opt(Schema.String),
  volume_type: opt(Schema.String),
  bootable: opt(Schema.String),
  multiattach: opt(Schema.Boolean),
  description: opt(Schema.String)
})
export type Volume = typeof Volume.Type
export const VolumesPage = Schema.Struct({ volumes: Schema.Array(Volume), volumes_links: links })
export const VolumeBody = Schema.Struct({ volume: Volume })

export const Snapshot = Schema.Struct({
  id: Schema.String,
  name: opt(Schema.String),
  status: Schema.String,
  size: Schema.Number,
  volume_id: Schema.String,
  created_at: opt(Schema.String),
  description: opt(Schema.String)
})
export type Snapshot = typeof Snapshot.Type
export const SnapshotsPage = Schema.Struct({ snapshots: Schema.Array(Snapshot), snapshots_links: links })
export const SnapshotBody = Schema.Struct({ snapshot: Snapshot })

// ---------------------------------------------------------------- Neutron

export const FloatingIp = Schema.Struct({
  id: Schema.String,
  floating_ip_address: Schema.String,
  floating_network_id: Schema.String,
  port_id: opt(Schema.String),
  fixed_ip_address: opt(Schema.String),
  router_id: opt(Schema.String),
  status: opt(Schema.String),
  description: opt(Schema.String),
  port_details: opt(Schema.Struct({ device_id: Schema.optional(Schema.String) }))
})
export type FloatingIp = typeof FloatingIp.Type
export const FloatingIpsPage = Schema.Struct({ floatingips: Schema.Array(FloatingIp), floatingips_links: links })
export const FloatingIpBody = Schema.Struct({ floatingip: FloatingIp })

export const Port = Schema.Struct({
  id: Schema.String,
  device_id: Schema.optional(Schema.String),
  network_id: Schema.optional(Schema.String),
  fixed_ips: Schema.Array(Schema.Struct({ ip_address: Schema.String, subnet_id: Schema.optional(Schema.String) }))
})
export type Port = typeof Port.Type
export const PortsPage = Schema.Struct({ ports: Schema.Array(Port), ports_links: links })
