/**
 * GCE resources → the portable models. States follow the documented enums;
 * anything else is "unknown", never a failure.
 */
import type { NodeState, SnapshotState, VolumeState } from "../../../schemas/Models.js"
import { Node, NodeImage, NodeLocation, NodeSize, Volume, VolumeSnapshot } from "../../../schemas/Models.js"
import { lastSegment, regionOfZone, zonalId, zonalIdFromUrl } from "./names.js"
import type { Disk, Image, Instance, MachineType, Snapshot, Zone } from "./wire.js"

/**
 * https://cloud.google.com/compute/docs/instances/instance-life-cycle —
 * TERMINATED is a stopped instance (it can be started again); a deleted one
 * is gone (404). REPAIRING comes back by itself, so it is not "error" (which
 * would end a wait for it); PENDING is a Flex-start instance waiting for
 * capacity.
 */
const nodeStates: Readonly<Record<string, NodeState>> = {
  PROVISIONING: "pending",
  PENDING: "pending",
  STAGING: "starting",
  RUNNING: "running",
  REPAIRING: "pending",
  STOPPING: "stopping",
  PENDING_STOP: "stopping",
  SUSPENDING: "stopping",
  DEPROVISIONING: "stopping",
  STOPPED: "stopped",
  TERMINATED: "stopped",
  SUSPENDED: "suspended"
}

export const nodeState = (status: string | undefined): NodeState => (status === undefined ? "unknown" : nodeStates[status] ?? "unknown")

const date = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

export const toNode = (defaultZone: string, i: Instance): Node => {
  const zone = lastSegment(i.zone)
  const interfaces = i.networkInterfaces ?? []
  const publicIps = interfaces.flatMap((n) => [
    ...(n.accessConfigs ?? []).map((a) => a.natIP),
    ...(n.ipv6AccessConfigs ?? []).map((a) => a.externalIpv6)
  ]).filter((ip): ip is string => ip !== undefined && ip !== "")
  const privateIps = interfaces.flatMap((n) => [n.networkIP, n.ipv6Address]).filter((ip): ip is string => ip !== undefined && ip !== "")
  const createdAt = date(i.creationTimestamp)
  return new Node({
    id: zonalId(defaultZone, zone, i.name),
    name: i.name,
    state: nodeState(i.status),
    publicIps,
    privateIps,
    ...defined({ size: lastSegment(i.machineType), location: zone, createdAt }),
    extra: defined({
      gceId: i.id,
      status: i.status,
      statusMessage: i.statusMessage,
      zone,
      labels: i.labels,
      tags: i.tags?.items,
      cpuPlatform: i.cpuPlatform,
      disks: i.disks?.map((d) => defined({ deviceName: d.deviceName, boot: d.boot, source: zonalIdFromUrl(defaultZone, d.source) })),
      selfLink: i.selfLink
    })
  })
}

export const toSize = (
  m: MachineType,
  region: string,
  prices: ((machineType: string, region: string) => number | undefined) | false | undefined
): NodeSize => {
  const price = typeof prices === "function" ? prices(m.name, region) : undefined
  return new NodeSize({
    id: m.name,
    name: m.name,
    ramMb: m.memoryMb,
    vcpus: m.guestCpus,
    // imageSpaceGb is deprecated and usually absent: the boot disk is sized separately, from the image.
    diskGb: m.imageSpaceGb ?? 0,
    ...(price === undefined || !Number.isFinite(price) ? {} : { price }),
    extra: defined({
      description: m.description,
      sharedCpu: m.isSharedCpu,
      maximumPersistentDisks: m.maximumPersistentDisks,
      zone: m.zone === undefined ? undefined : lastSegment(m.zone),
      gceId: m.id
    })
  })
}

/** Ids are "project/name" whatever the project, so any listed image can be passed back as is. */
export const toImage = (project: string, i: Image): NodeImage =>
  new NodeImage({
    id: `${project}/${i.name}`,
    name: i.name,
    extra: defined({
      project,
      family: i.family,
      description: i.description,
      architecture: i.architecture,
      diskSizeGb: i.diskSizeGb,
      status: i.status,
      createdAt: i.creationTimestamp,
      gceId: i.id
    })
  })

export const toLocation = (z: Zone): NodeLocation =>
  new NodeLocation({
    id: z.name,
    name: z.name,
    extra: defined({
      region: lastSegment(z.region) ?? regionOfZone(z.name),
      status: z.status,
      description: z.description,
      gceId: z.id
    })
  })

/** Usable: not DEPRECATED, OBSOLETE or DELETED (ACTIVE or no deprecation at all). */
export const isCurrent = (r: { readonly deprecated?: { readonly state?: string | undefined } | undefined }): boolean =>
  r.deprecated?.state === undefined || r.deprecated.state === "ACTIVE"

const volumeStateOf = (d: Disk): VolumeState => {
  switch (d.status) {
    case "CREATING":
    case "RESTORING":
      return "creating"
    case "READY":
      return (d.users ?? []).length > 0 ? "inUse" : "available"
    case "DELETING":
      return "deleting"
    case "FAILED":
    case "UNAVAILABLE":
      return "error"
    default:
      return "unknown"
  }
}

export const toVolume = (defaultZone: string, d: Disk): Volume => {
  const zone = lastSegment(d.zone)
  const attachedTo = zonalIdFromUrl(defaultZone, d.users?.[0])
  const createdAt = date(d.creationTimestamp)
  return new Volume({
    id: zonalId(defaultZone, zone, d.name),
    name: d.name,
    sizeGb: d.sizeGb,
    state: volumeStateOf(d),
    ...defined({ location: zone, attachedTo, createdAt }),
    extra: defined({
      gceId: d.id,
      status: d.status,
      type: lastSegment(d.type),
      users: d.users?.map((u) => zonalIdFromUrl(defaultZone, u)),
      sourceSnapshot: lastSegment(d.sourceSnapshot),
      sourceImage: d.sourceImage,
      labels: d.labels
    })
  })
}

const snapshotStates: Readonly<Record<string, SnapshotState>> = {
  CREATING: "creating",
  UPLOADING: "creating",
  READY: "available",
  DELETING: "deleting",
  FAILED: "error"
}

export const toSnapshot = (defaultZone: string, s: Snapshot): VolumeSnapshot => {
  const createdAt = date(s.creationTimestamp)
  return new VolumeSnapshot({
    id: s.name,
    name: s.name,
    sizeGb: s.diskSizeGb,
    state: s.status === undefined ? "unknown" : snapshotStates[s.status] ?? "unknown",
    ...defined({ volumeId: zonalIdFromUrl(defaultZone, s.sourceDisk), createdAt }),
    extra: defined({ gceId: s.id, status: s.status, sourceDiskId: s.sourceDiskId, storageBytes: s.storageBytes, labels: s.labels })
  })
}
