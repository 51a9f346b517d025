/**
 * Nova, Glance, Cinder and Neutron bodies → the portable models.
 */
import { KeyPair, Node, NodeImage, NodeLocation, NodeSize, Volume, VolumeSnapshot } from "../../../schemas/Models.js"
import type { NodeState, SnapshotState, VolumeState } from "../../../schemas/Models.js"
import type * as Wire from "./wire.js"

/**
 * Nova server `status` (api-ref/compute "Server Status"). A server in
 * RESCUE, RESIZE or a password change is busy until Nova is done (pending);
 * VERIFY_RESIZE and MIGRATING servers are up and serving (running); PAUSED
 * and SUSPENDED keep their memory (suspended); SHELVED ones are shut off
 * (stopped); SOFT_DELETED ones can be restored but are gone for the user.
 */
const byStatus: Readonly<Record<string, NodeState>> = {
  ACTIVE: "running",
  BUILD: "pending",
  REBUILD: "pending",
  RESCUE: "pending",
  RESIZE: "pending",
  REVERT_RESIZE: "pending",
  PASSWORD: "pending",
  VERIFY_RESIZE: "running",
  MIGRATING: "running",
  REBOOT: "rebooting",
  HARD_REBOOT: "rebooting",
  SHUTOFF: "stopped",
  SHELVED: "stopped",
  SHELVED_OFFLOADED: "stopped",
  PAUSED: "suspended",
  SUSPENDED: "suspended",
  ERROR: "error",
  DELETED: "terminated",
  SOFT_DELETED: "terminated",
  UNKNOWN: "unknown"
}

/** The status, refined by the task under way (`OS-EXT-STS:task_state`) where it says more. */
export const nodeState = (status: string, taskState?: string | null): NodeState => {
  if (taskState === "powering-off" && status === "ACTIVE") return "stopping"
  if (taskState === "powering-on" && status === "SHUTOFF") return "starting"
  return byStatus[status.toUpperCase()] ?? "unknown"
}

// IPv4 private (RFC 1918), shared (RFC 6598) and link-local; IPv6 unique-local and link-local.
const privateAddress = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|169\.254\.|f[cd][0-9a-f]{2}:|fe[89ab][0-9a-f]:)/i

export const isPrivateAddress = (ip: string): boolean => privateAddress.test(ip)

/**
 * Floating IPs are public; a fixed IP is public when it is not in a
 * private range (a provider network with routable addresses); the access
 * IPs a user set are public.
 */
export const addresses = (s: Wire.Server): { readonly publicIps: ReadonlyArray<string>; readonly privateIps: ReadonlyArray<string> } => {
  const publicIps = new Set<string>()
  const privateIps = new Set<string>()
  for (const list of Object.values(s.addresses ?? {})) {
    for (const a of list) {
      if (a["OS-EXT-IPS:type"] === "floating" || !isPrivateAddress(a.addr)) publicIps.add(a.addr)
      else privateIps.add(a.addr)
    }
  }
  for (const ip of [s.accessIPv4, s.accessIPv6]) if (typeof ip === "string" && ip !== "") publicIps.add(ip)
  return { publicIps: [...publicIps], privateIps: [...privateIps] }
}

/** OpenStack times: Nova's carry a zone ("…Z"), Cinder's do not ("2015-11-29T03:01:44.000000") and are UTC. */
export const utc = (s: string | null | undefined): Date | undefined => {
  if (typeof s !== "string" || s === "") return undefined
  const d = new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`)
  return Number.isNaN(d.getTime()) ? undefined : d
}

const some = <K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> =>
  value === undefined || value === null ? {} : ({ [key]: value } as Record<K, V>)

export const node = (s: Wire.Server): Node => {
  const { privateIps, publicIps } = addresses(s)
  const size = s.flavor?.id ?? s.flavor?.original_name
  const image = typeof s.image === "object" && s.image !== null ? s.image.id : undefined
  const createdAt = utc(s.created)
  return new Node({
    id: s.id,
    name: s.name,
    state: nodeState(s.status, s["OS-EXT-STS:task_state"]),
    publicIps,
    privateIps,
    ...some("size", size),
    ...some("image", image),
    ...some("location", s["OS-EXT-AZ:availability_zone"]),
    ...some("createdAt", createdAt),
    extra: {
      status: s.status,
      ...some("vmState", s["OS-EXT-STS:vm_state"]),
      ...some("taskState", s["OS-EXT-STS:task_state"]),
      ...some("powerState", s["OS-EXT-STS:power_state"]),
      ...some("keyName", s.key_name),
      ...some("hostId", s.hostId),
      ...some("projectId", s.tenant_id),
      ...some("userId", s.user_id),
      ...some("progress", s.progress),
      ...some("fault", s.fault?.message),
      ...some("flavorName", s.flavor?.original_name),
      // Boot from volume: no image, its root disk is a volume.
      bootFromVolume: image === undefined,
      metadata: s.metadata ?? {},
      addresses: s.addresses ?? {}
    }
  })
}

export const size = (f: Wire.Flavor, price: number | undefined): NodeSize =>
  new NodeSize({
    id: f.id,
    name: f.name,
    ramMb: f.ram,
    vcpus: f.vcpus,
    diskGb: f.disk,
    ...(price === undefined || !Number.isFinite(price) || price < 0 ? {} : { price }),
    extra: {
      ...some("ephemeralGb", f["OS-FLV-EXT-DATA:ephemeral"]),
      // "" means no swap.
      swapMb: typeof f.swap === "number" ? f.swap : 0,
      ...some("rxtxFactor", f.rxtx_factor),
      ...some("isPublic", f["os-flavor-access:is_public"]),
      ...some("disabled", f["OS-FLV-DISABLED:disabled"]),
      ...some("description", f.description)
    }
  })

export const image = (i: Wire.Image): NodeImage =>
  new NodeImage({
    id: i.id,
    name: i.name ?? i.id,
    extra: {
      status: i.status,
      ...some("visibility", i.visibility),
      ...some("diskFormat", i.disk_format),
      ...some("containerFormat", i.container_format),
      ...some("minDiskGb", i.min_disk),
      ...some("minRamMb", i.min_ram),
      ...some("sizeBytes", i.size),
      ...some("owner", i.owner),
      ...some("osDistro", i.os_distro),
      ...some("osVersion", i.os_version),
      ...some("architecture", i.architecture),
      ...some("createdAt", i.created_at)
    }
  })

export const location = (z: Wire.AvailabilityZone): NodeLocation =>
  new NodeLocation({ id: z.zoneName, name: z.zoneName, extra: { available: z.zoneState.available } })

export const keyPair = (k: Wire.Keypair): KeyPair =>
  new KeyPair({
    name: k.name,
    fingerprint: k.fingerprint,
    ...some("publicKey", k.public_key?.trim()),
    extra: { ...some("type", k.type), ...some("userId", k.user_id) }
  })

/** Cinder volume `status` (api-ref/block-storage "Volume statuses"). */
const volumeStates: Readonly<Record<string, VolumeState>> = {
  creating: "creating",
  downloading: "creating",
  managing: "creating",
  available: "available",
  reserved: "attaching",
  attaching: "attaching",
  "in-use": "inUse",
  detaching: "detaching",
  deleting: "deleting",
  "backing-up": "backup",
  "restoring-backup": "backup",
  uploading: "updating",
  extending: "updating",
  retyping: "migrating",
  error: "error",
  error_deleting: "error",
  error_backing_up: "error",
  error_restoring: "error",
  error_extending: "error",
  error_managing: "error"
}

export const volumeState = (status: string): VolumeState => volumeStates[status] ?? "unknown"

export const volume = (v: Wire.Volume): Volume => {
  const attachment = v.attachments?.[0]
  const createdAt = utc(v.created_at)
  return new Volume({
    id: v.id,
    name: v.name ?? "",
    sizeGb: v.size,
    state: volumeState(v.status),
    ...some("location", v.availability_zone),
    ...some("attachedTo", attachment?.server_id),
    ...some("device", attachment?.device),
    ...some("createdAt", createdAt),
    extra: {
      status: v.status,
      ...some("volumeType", v.volume_type),
      ...some("snapshotId", v.snapshot_id),
      ...some("bootable", v.bootable === undefined || v.bootable === null ? undefined : v.bootable === "true"),
      ...some("multiattach", v.multiattach),
      ...some("description", v.description),
      attachedToAll: (v.attachments ?? []).map((a) => a.server_id)
    }
  })
}

const snapshotStates: Readonly<Record<string, SnapshotState>> = {
  creating: "creating",
  available: "available",
  "backing-up": "available",
  deleting: "deleting",
  restoring: "creating",
  unmanaging: "deleting",
  error: "error",
  error_deleting: "error"
}

export const snapshot = (s: Wire.Snapshot): VolumeSnapshot => {
  const createdAt = utc(s.created_at)
  return new VolumeSnapshot({
    id: s.id,
    ...some("name", s.name),
    volumeId: s.volume_id,
    sizeGb: s.size,
    state: snapshotStates[s.status] ?? "unknown",
    ...some("createdAt", createdAt),
    extra: { status: s.status, ...some("description", s.description) }
  })
}
