/**
 * The Compute Engine API v1 as it is on the wire: the JSON resources cloudfx
 * reads, decoded leniently (fields the API marks "Output Only" may be absent;
 * enum fields are plain strings so a status added later maps to "unknown"
 * instead of failing the decode).
 *
 * Reference: https://cloud.google.com/compute/docs/reference/rest/v1
 * (instances, machineTypes, images, zones, disks, snapshots, projects,
 * firewalls, addresses, zoneOperations/globalOperations/regionOperations).
 */
import { Schema } from "effect"

/** int64 fields come as decimal strings ("10"); int32 fields as numbers. Either is accepted. */
const Int64 = Schema.Union(Schema.NumberFromString, Schema.Number).pipe(Schema.filter(Number.isFinite, { message: () => "a finite number" }))

const Deprecated = Schema.Struct({
  state: Schema.optional(Schema.String),
  replacement: Schema.optional(Schema.String)
})

/** A list warning (e.g. NO_RESULTS_ON_PAGE in an aggregated list's empty scope). */
const Warning = Schema.Struct({
  code: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})

const Labels = Schema.Record({ key: Schema.String, value: Schema.String })

/** A list response: one page of `items`, and `nextPageToken` while there are more. */
const listOf = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({ items: Schema.optional(Schema.Array(item)), nextPageToken: Schema.optional(Schema.String) })

/** https://cloud.google.com/compute/docs/reference/rest/v1/instances (AccessConfig) */
export const AccessConfig = Schema.Struct({
  type: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  natIP: Schema.optional(Schema.String),
  externalIpv6: Schema.optional(Schema.String)
})

export const NetworkInterface = Schema.Struct({
  name: Schema.optional(Schema.String),
  network: Schema.optional(Schema.String),
  subnetwork: Schema.optional(Schema.String),
  networkIP: Schema.optional(Schema.String),
  ipv6Address: Schema.optional(Schema.String),
  accessConfigs: Schema.optional(Schema.Array(AccessConfig)),
  ipv6AccessConfigs: Schema.optional(Schema.Array(AccessConfig))
})

export const AttachedDisk = Schema.Struct({
  source: Schema.optional(Schema.String),
  deviceName: Schema.optional(Schema.String),
  boot: Schema.optional(Schema.Boolean),
  mode: Schema.optional(Schema.String),
  index: Schema.optional(Schema.Number)
})
export type AttachedDisk = typeof AttachedDisk.Type

export const MetadataItem = Schema.Struct({
  key: Schema.String,
  value: Schema.optional(Schema.String)
})
export type MetadataItem = typeof MetadataItem.Type

/** https://cloud.google.com/compute/docs/reference/rest/v1/projects/setCommonInstanceMetadata (Metadata) */
export const Metadata = Schema.Struct({
  fingerprint: Schema.optional(Schema.String),
  items: Schema.optional(Schema.Array(MetadataItem))
})
export type Metadata = typeof Metadata.Type

/** https://cloud.google.com/compute/docs/reference/rest/v1/instances */
export const Instance = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  status: Schema.optional(Schema.String),
  statusMessage: Schema.optional(Schema.String),
  zone: Schema.optional(Schema.String),
  machineType: Schema.optional(Schema.String),
  creationTimestamp: Schema.optional(Schema.String),
  networkInterfaces: Schema.optional(Schema.Array(NetworkInterface)),
  disks: Schema.optional(Schema.Array(AttachedDisk)),
  labels: Schema.optional(Labels),
  tags: Schema.optional(Schema.Struct({ items: Schema.optional(Schema.Array(Schema.String)) })),
  cpuPlatform: Schema.optional(Schema.String),
  selfLink: Schema.optional(Schema.String)
})
export type Instance = typeof Instance.Type

export const InstanceList = listOf(Instance)

/** https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList */
export const InstanceAggregatedList = Schema.Struct({
  items: Schema.optional(
    Schema.Record({
      key: Schema.String,
      value: Schema.Struct({ instances: Schema.optional(Schema.Array(Instance)), warning: Schema.optional(Warning) })
    })
  ),
  nextPageToken: Schema.optional(Schema.String),
  unreachables: Schema.optional(Schema.Array(Schema.String))
})

/** https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes */
export const MachineType = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  description: Schema.optional(Schema.String),
  guestCpus: Schema.Number,
  memoryMb: Schema.Number,
  imageSpaceGb: Schema.optional(Schema.Number),
  maximumPersistentDisks: Schema.optional(Schema.Number),
  isSharedCpu: Schema.optional(Schema.Boolean),
  zone: Schema.optional(Schema.String),
  deprecated: Schema.optional(Deprecated),
  selfLink: Schema.optional(Schema.String)
})
export type MachineType = typeof MachineType.Type

export const MachineTypeList = listOf(MachineType)

/** https://cloud.google.com/compute/docs/reference/rest/v1/images */
export const Image = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  family: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  architecture: Schema.optional(Schema.String),
  diskSizeGb: Schema.optional(Int64),
  creationTimestamp: Schema.optional(Schema.String),
  deprecated: Schema.optional(Deprecated),
  selfLink: Schema.optional(Schema.String)
})
export type Image = typeof Image.Type

export const ImageList = listOf(Image)

/** https://cloud.google.com/compute/docs/reference/rest/v1/zones */
export const Zone = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  description: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  region: Schema.optional(Schema.String),
  deprecated: Schema.optional(Deprecated),
  selfLink: Schema.optional(Schema.String)
})
export type Zone = typeof Zone.Type

export const ZoneList = listOf(Zone)

/** https://cloud.google.com/compute/docs/reference/rest/v1/disks */
export const Disk = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  sizeGb: Int64,
  zone: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  users: Schema.optional(Schema.Array(Schema.String)),
  sourceSnapshot: Schema.optional(Schema.String),
  sourceImage: Schema.optional(Schema.String),
  creationTimestamp: Schema.optional(Schema.String),
  labels: Schema.optional(Labels),
  selfLink: Schema.optional(Schema.String)
})
export type Disk = typeof Disk.Type

export const DiskList = listOf(Disk)

export const DiskAggregatedList = Schema.Struct({
  items: Schema.optional(
    Schema.Record({
      key: Schema.String,
      value: Schema.Struct({ disks: Schema.optional(Schema.Array(Disk)), warning: Schema.optional(Warning) })
    })
  ),
  nextPageToken: Schema.optional(Schema.String)
})

/** https://cloud.google.com/compute/docs/reference/rest/v1/snapshots */
export const Snapshot = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  status: Schema.optional(Schema.String),
  sourceDisk: Schema.optional(Schema.String),
  sourceDiskId: Schema.optional(Schema.String),
  diskSizeGb: Int64,
  storageBytes: Schema.optional(Int64),
  creationTimestamp: Schema.optional(Schema.String),
  labels: Schema.optional(Labels),
  selfLink: Schema.optional(Schema.String)
})
export type Snapshot = typeof Snapshot.Type

export const SnapshotList = listOf(Snapshot)

/** https://cloud.google.com/compute/docs/reference/rest/v1/projects/get (only what key pairs need) */
export const Project = Schema.Struct({
  name: Schema.optional(Schema.String),
  commonInstanceMetadata: Schema.optional(Metadata)
})

/** https://cloud.google.com/compute/docs/reference/rest/v1/firewalls */
export const FirewallRule = Schema.Struct({
  IPProtocol: Schema.String,
  ports: Schema.optional(Schema.Array(Schema.String))
})

export const Firewall = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  description: Schema.optional(Schema.String),
  network: Schema.optional(Schema.String),
  priority: Schema.optional(Schema.Number),
  direction: Schema.optional(Schema.String),
  sourceRanges: Schema.optional(Schema.Array(Schema.String)),
  destinationRanges: Schema.optional(Schema.Array(Schema.String)),
  sourceTags: Schema.optional(Schema.Array(Schema.String)),
  targetTags: Schema.optional(Schema.Array(Schema.String)),
  allowed: Schema.optional(Schema.Array(FirewallRule)),
  denied: Schema.optional(Schema.Array(FirewallRule)),
  disabled: Schema.optional(Schema.Boolean),
  creationTimestamp: Schema.optional(Schema.String)
})
export type Firewall = typeof Firewall.Type

export const FirewallList = listOf(Firewall)

/** https://cloud.google.com/compute/docs/reference/rest/v1/addresses */
export const Address = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  address: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  region: Schema.optional(Schema.String),
  addressType: Schema.optional(Schema.String),
  networkTier: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  users: Schema.optional(Schema.Array(Schema.String)),
  creationTimestamp: Schema.optional(Schema.String)
})
export type Address = typeof Address.Type

export const AddressList = listOf(Address)

/**
 * https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations —
 * what every mutating call answers. `error.errors[].code` is an upper-case
 * identifier (RESOURCE_NOT_FOUND, QUOTA_EXCEEDED, …), unlike the camelCase
 * `reason` of an HTTP error body.
 */
export const Operation = Schema.Struct({
  id: Schema.optional(Schema.String),
  name: Schema.String,
  status: Schema.String,
  operationType: Schema.optional(Schema.String),
  zone: Schema.optional(Schema.String),
  region: Schema.optional(Schema.String),
  targetLink: Schema.optional(Schema.String),
  targetId: Schema.optional(Schema.String),
  progress: Schema.optional(Schema.Number),
  statusMessage: Schema.optional(Schema.String),
  error: Schema.optional(
    Schema.Struct({
      errors: Schema.optional(
        Schema.Array(Schema.Struct({
          code: Schema.optional(Schema.String),
          message: Schema.optional(Schema.String),
          location: Schema.optional(Schema.String)
        }))
      )
    })
  ),
  httpErrorStatusCode: Schema.optional(Schema.Number),
  httpErrorMessage: Schema.optional(Schema.String)
})
export type Operation = typeof Operation.Type
