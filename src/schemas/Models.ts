/**
 * The portable domain models (DESIGN.md §2). Every model carries `extra`:
 * what a provider knows beyond the portable fields, never needed to use the
 * portable API.
 */
import { Schema } from "effect"

const extra = Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
  default: () => ({})
})

// ---------------------------------------------------------------- compute

export const NodeState = Schema.Literal(
  "running",
  "starting",
  "rebooting",
  "pending",
  "stopping",
  "stopped",
  "suspended",
  "terminated",
  "error",
  "unknown"
)
export type NodeState = typeof NodeState.Type

export class Node extends Schema.Class<Node>("cloudfx/Node")({
  id: Schema.String,
  name: Schema.String,
  state: NodeState,
  publicIps: Schema.Array(Schema.String),
  privateIps: Schema.Array(Schema.String),
  /** Size id, when the provider says. */
  size: Schema.optional(Schema.String),
  /** Image id, when the provider says. */
  image: Schema.optional(Schema.String),
  /** Location id, when the provider says. */
  location: Schema.optional(Schema.String),
  createdAt: Schema.optional(Schema.Date),
  extra
}) {}

export class NodeImage extends Schema.Class<NodeImage>("cloudfx/NodeImage")({
  id: Schema.String,
  name: Schema.String,
  extra
}) {}

export class NodeSize extends Schema.Class<NodeSize>("cloudfx/NodeSize")({
  id: Schema.String,
  name: Schema.String,
  ramMb: Schema.Number,
  vcpus: Schema.optional(Schema.Number),
  diskGb: Schema.Number,
  /** Included transfer in GB per month, when the provider says. */
  bandwidth: Schema.optional(Schema.Number),
  /** On-demand price in USD per hour; undefined when unknown. */
  price: Schema.optional(Schema.Number),
  extra
}) {}

export class NodeLocation extends Schema.Class<NodeLocation>("cloudfx/NodeLocation")({
  id: Schema.String,
  name: Schema.String,
  /** ISO 3166-1 alpha-2 code, when known. */
  country: Schema.optional(Schema.String),
  extra
}) {}

export class KeyPair extends Schema.Class<KeyPair>("cloudfx/KeyPair")({
  name: Schema.String,
  fingerprint: Schema.String,
  publicKey: Schema.optional(Schema.String),
  /** Only when the provider generated the key; never logged. */
  privateKey: Schema.optional(Schema.Redacted(Schema.String)),
  extra
}) {}

export const VolumeState = Schema.Literal(
  "creating",
  "available",
  "attaching",
  "inUse",
  "detaching",
  "deleting",
  "deleted",
  "backup",
  "migrating",
  "updating",
  "error",
  "unknown"
)
export type VolumeState = typeof VolumeState.Type

export class Volume extends Schema.Class<Volume>("cloudfx/Volume")({
  id: Schema.String,
  name: Schema.String,
  sizeGb: Schema.Number,
  state: VolumeState,
  location: Schema.optional(Schema.String),
  /** Id of the node it is attached to. */
  attachedTo: Schema.optional(Schema.String),
  device: Schema.optional(Schema.String),
  createdAt: Schema.optional(Schema.Date),
  extra
}) {}

export const SnapshotState = Schema.Literal("creating", "available", "deleting", "error", "unknown")
export type SnapshotState = typeof SnapshotState.Type

export class VolumeSnapshot extends Schema.Class<VolumeSnapshot>("cloudfx/VolumeSnapshot")({
  id: Schema.String,
  name: Schema.optional(Schema.String),
  volumeId: Schema.optional(Schema.String),
  sizeGb: Schema.Number,
  state: SnapshotState,
  createdAt: Schema.optional(Schema.Date),
  extra
}) {}

// ---------------------------------------------------------------- object storage

export class Container extends Schema.Class<Container>("cloudfx/Container")({
  name: Schema.String,
  createdAt: Schema.optional(Schema.Date),
  extra
}) {}

export class ObjectInfo extends Schema.TaggedClass<ObjectInfo>("cloudfx/ObjectInfo")("ObjectInfo", {
  key: Schema.String,
  size: Schema.Number,
  /** As the provider reports it, without quotes. Not always an MD5 (multipart, SSE-KMS). */
  etag: Schema.optional(Schema.String),
  lastModified: Schema.optional(Schema.Date),
  contentType: Schema.optional(Schema.String),
  metadata: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({})
  }),
  extra
}) {}

/** A "directory" rolled up by a delimiter listing: every key under it starts with `key`. */
export class ObjectPrefix extends Schema.TaggedClass<ObjectPrefix>("cloudfx/ObjectPrefix")("ObjectPrefix", {
  key: Schema.String
}) {}

export type ListEntry = ObjectInfo | ObjectPrefix

// ---------------------------------------------------------------- load balancers

export const BalancerState = Schema.Literal("running", "pending", "error", "deleted", "unknown")
export type BalancerState = typeof BalancerState.Type

export const Algorithm = Schema.Literal(
  "random",
  "roundRobin",
  "leastConnections",
  "weightedRoundRobin",
  "weightedLeastConnections",
  "sourceIp",
  "shortestResponse"
)
export type Algorithm = typeof Algorithm.Type

export class Balancer extends Schema.Class<Balancer>("cloudfx/Balancer")({
  id: Schema.String,
  name: Schema.String,
  state: BalancerState,
  ip: Schema.optional(Schema.String),
  port: Schema.Number,
  protocol: Schema.String,
  algorithm: Schema.optional(Algorithm),
  extra
}) {}

export const MemberState = Schema.Literal("up", "down", "draining", "unknown")
export type MemberState = typeof MemberState.Type

export class Member extends Schema.Class<Member>("cloudfx/Member")({
  id: Schema.String,
  ip: Schema.String,
  port: Schema.Number,
  balancerId: Schema.String,
  weight: Schema.optional(Schema.Number),
  state: Schema.optionalWith(MemberState, { default: () => "unknown" as const }),
  /** The compute node behind it, when attached with attachComputeNode. */
  nodeId: Schema.optional(Schema.String),
  extra
}) {}

// ---------------------------------------------------------------- dns

/** Every record type Apache Libcloud knows. */
export const RecordType = Schema.Literal(
  "A",
  "AAAA",
  "AFSDB",
  "ALIAS",
  "CAA",
  "CERT",
  "CNAME",
  "DNAME",
  "DNSKEY",
  "DS",
  "GEO",
  "HINFO",
  "KEY",
  "LOC",
  "MX",
  "NAPTR",
  "NS",
  "NSEC",
  "OPENPGPKEY",
  "PTR",
  "REDIRECT",
  "RP",
  "RRSIG",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "TLSA",
  "TXT",
  "URL",
  "WKS"
)
export type RecordType = typeof RecordType.Type

export const ZoneType = Schema.Literal("master", "slave")
export type ZoneType = typeof ZoneType.Type

export class Zone extends Schema.Class<Zone>("cloudfx/Zone")({
  id: Schema.String,
  /** Without the trailing dot: "example.com". */
  domain: Schema.String,
  type: ZoneType,
  ttl: Schema.optional(Schema.Number),
  extra
}) {}

export class DnsRecord extends Schema.Class<DnsRecord>("cloudfx/DnsRecord")({
  id: Schema.String,
  zoneId: Schema.String,
  /** Relative to the zone; "" is the apex. */
  name: Schema.String,
  type: RecordType,
  data: Schema.String,
  ttl: Schema.optional(Schema.Number),
  /** MX and SRV. */
  priority: Schema.optional(Schema.Number),
  extra
}) {}
