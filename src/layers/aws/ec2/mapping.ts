/**
 * EC2's documented resources → the portable models. Unknown states map to
 * "unknown" (the raw one stays in `extra`), never a failure.
 */
import type { Redacted } from "effect"
import {
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  type NodeState,
  type SnapshotState,
  Volume,
  type VolumeState,
  VolumeSnapshot
} from "../../../schemas/Models.js"
import { normalizeFingerprint } from "./keys.js"
import type * as Wire from "./wire.js"

/** "" and absent are the same thing in EC2's XML (`<reason/>`). */
const present = (s: string | undefined): string | undefined => (s === undefined || s === "" ? undefined : s)

/** Documented timestamps are ISO 8601; an unreadable one (the reference's own "YYYY-MM-DD…") is left out. */
export const date = (s: string | undefined): Date | undefined => {
  if (s === undefined || s === "") return undefined
  const d = new Date(s)
  return Number.isNaN(d.getTime()) ? undefined : d
}

/**
 * The models are built from values the wire schemas already decoded and
 * typed; validating them again costs a third of a large listing's decode.
 */
const trusted = { disableValidation: true } as const

const definedOnly = (o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}

export const tagsOf = (tags: ReadonlyArray<Wire.Tag>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const t of tags) out[t.key] = t.value
  return out
}

const nameTag = (tags: ReadonlyArray<Wire.Tag>): string | undefined => tags.find((t) => t.key === "Name")?.value

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html
const nodeStates: Readonly<Record<string, NodeState>> = {
  pending: "pending",
  running: "running",
  // Termination in progress: still billed, still shutting down, not yet gone.
  "shutting-down": "stopping",
  terminated: "terminated",
  stopping: "stopping",
  stopped: "stopped"
}

export const nodeState = (ec2: string): NodeState => nodeStates[ec2] ?? "unknown"

export const node = (i: Wire.Instance, fallbackName?: string): Node => {
  const ipv6 = i.networkInterfaceSet.flatMap((n) => n.ipv6AddressesSet.map((a) => a.ipv6Address))
  const publicIp = present(i.ipAddress)
  const privateIp = present(i.privateIpAddress)
  const createdAt = date(i.launchTime)
  const size = present(i.instanceType)
  const image = present(i.imageId)
  const location = present(i.placement?.availabilityZone)
  return new Node({
    id: i.instanceId,
    name: nameTag(i.tagSet) ?? fallbackName ?? "",
    state: nodeState(i.instanceState.name),
    publicIps: publicIp === undefined ? ipv6 : [publicIp, ...ipv6],
    privateIps: privateIp === undefined ? [] : [privateIp],
    ...(size === undefined ? {} : { size }),
    ...(image === undefined ? {} : { image }),
    ...(location === undefined ? {} : { location }),
    ...(createdAt === undefined ? {} : { createdAt }),
    extra: definedOnly({
      ec2State: i.instanceState.name,
      stateCode: i.instanceState.code,
      stateReason: present(i.stateReason?.message),
      keyName: present(i.keyName),
      vpcId: present(i.vpcId),
      subnetId: present(i.subnetId),
      securityGroups: i.groupSet.map((g) => definedOnly({ id: g.groupId, name: g.groupName })),
      publicDnsName: present(i.dnsName),
      privateDnsName: present(i.privateDnsName),
      architecture: present(i.architecture),
      platform: present(i.platform),
      rootDeviceType: present(i.rootDeviceType),
      rootDeviceName: present(i.rootDeviceName),
      blockDevices: i.blockDeviceMapping.map((b) => definedOnly({ device: b.deviceName, volumeId: b.ebs?.volumeId })),
      clientToken: present(i.clientToken),
      tags: tagsOf(i.tagSet)
    })
  }, trusted)
}

export const image = (i: typeof Wire.Image.Type): NodeImage =>
  new NodeImage({
    id: i.imageId,
    name: present(i.name) ?? i.imageId,
    extra: definedOnly({
      description: present(i.description),
      state: present(i.imageState),
      ownerId: present(i.imageOwnerId),
      ownerAlias: present(i.imageOwnerAlias),
      public: i.isPublic === undefined ? undefined : i.isPublic === "true",
      architecture: present(i.architecture),
      platform: present(i.platform),
      platformDetails: present(i.platformDetails),
      rootDeviceType: present(i.rootDeviceType),
      virtualizationType: present(i.virtualizationType),
      createdAt: present(i.creationDate)
    })
  })

export const size = (
  t: typeof Wire.InstanceType.Type,
  price: number | undefined
): NodeSize =>
  new NodeSize({
    id: t.instanceType,
    name: t.instanceType,
    ramMb: t.memoryInfo.sizeInMiB,
    vcpus: t.vCpuInfo.defaultVCpus,
    // EBS-only types have no local disk.
    diskGb: t.instanceStorageInfo?.totalSizeInGB ?? 0,
    ...(price === undefined || !Number.isFinite(price) || price < 0 ? {} : { price }),
    extra: definedOnly({
      networkPerformance: present(t.networkInfo?.networkPerformance),
      architectures: t.processorInfo?.supportedArchitectures,
      currentGeneration: t.currentGeneration === undefined ? undefined : t.currentGeneration === "true",
      freeTierEligible: t.freeTierEligible === undefined ? undefined : t.freeTierEligible === "true",
      bareMetal: t.bareMetal === undefined ? undefined : t.bareMetal === "true",
      hypervisor: present(t.hypervisor),
      instanceStorage: t.instanceStorageSupported === "true"
    })
  })

export const location = (z: typeof Wire.Zone.Type, region: typeof Wire.Region.Type | undefined): NodeLocation =>
  new NodeLocation({
    id: z.zoneName,
    name: z.zoneName,
    extra: definedOnly({
      zoneId: present(z.zoneId),
      state: present(z.zoneState),
      zoneType: present(z.zoneType),
      region: present(z.regionName),
      optInStatus: present(z.optInStatus),
      longName: present(z.groupLongName),
      geography: z.geographySet.map((g) => g.name).filter((n): n is string => n !== undefined && n !== ""),
      regionEndpoint: present(region?.regionEndpoint),
      regionOptInStatus: present(region?.optInStatus)
    })
  })

export const keyPair = (
  k: { readonly keyName: string; readonly keyFingerprint: string; readonly keyPairId?: string | undefined; readonly keyType?: string | undefined; readonly publicKey?: string | undefined; readonly createTime?: string | undefined },
  privateKey?: Redacted.Redacted<string>
): KeyPair => {
  const publicKey = present(k.publicKey?.trim())
  return new KeyPair({
    name: k.keyName,
    fingerprint: normalizeFingerprint(k.keyFingerprint),
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(privateKey === undefined ? {} : { privateKey }),
    extra: definedOnly({
      keyPairId: present(k.keyPairId),
      keyType: present(k.keyType),
      ec2Fingerprint: k.keyFingerprint.trim(),
      createdAt: present(k.createTime)
    })
  })
}

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html (status) and
// API_VolumeAttachment.html (attachment status: attaching | attached | detaching | detached | busy)
export const volumeState = (status: string, attachment: string | undefined): VolumeState => {
  switch (status) {
    case "creating":
      return "creating"
    case "available":
      return "available"
    case "in-use":
      return attachment === "attaching" ? "attaching" : attachment === "detaching" ? "detaching" : "inUse"
    case "deleting":
      return "deleting"
    case "deleted":
      return "deleted"
    case "error":
      return "error"
    default:
      return "unknown"
  }
}

export const volume = (v: Wire.Volume): Volume => {
  const attachment = v.attachmentSet.find((a) => a.status !== "detached")
  const attachedTo = present(attachment?.instanceId)
  const device = present(attachment?.device)
  const zone = present(v.availabilityZone)
  const createdAt = date(v.createTime)
  return new Volume({
    id: v.volumeId,
    name: nameTag(v.tagSet) ?? "",
    sizeGb: v.size,
    state: volumeState(v.status, attachment?.status),
    ...(zone === undefined ? {} : { location: zone }),
    ...(attachedTo === undefined ? {} : { attachedTo }),
    ...(device === undefined ? {} : { device }),
    ...(createdAt === undefined ? {} : { createdAt }),
    extra: definedOnly({
      ec2State: v.status,
      attachmentState: present(attachment?.status),
      volumeType: present(v.volumeType),
      iops: v.iops,
      throughput: v.throughput,
      encrypted: v.encrypted === undefined ? undefined : v.encrypted === "true",
      snapshotId: present(v.snapshotId),
      multiAttach: v.multiAttachEnabled === undefined ? undefined : v.multiAttachEnabled === "true",
      tags: tagsOf(v.tagSet)
    })
  })
}

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html
// (status: pending | completed | error | recoverable | recovering)
const snapshotStates: Readonly<Record<string, SnapshotState>> = {
  pending: "creating",
  completed: "available",
  error: "error"
}

export const snapshot = (s: Wire.Snapshot, fallbackName?: string): VolumeSnapshot => {
  const name = nameTag(s.tagSet) ?? fallbackName
  const volumeId = present(s.volumeId)
  const createdAt = date(s.startTime)
  return new VolumeSnapshot({
    id: s.snapshotId,
    ...(name === undefined ? {} : { name }),
    ...(volumeId === undefined ? {} : { volumeId }),
    sizeGb: s.volumeSize,
    state: snapshotStates[s.status] ?? "unknown",
    ...(createdAt === undefined ? {} : { createdAt }),
    extra: definedOnly({
      ec2State: s.status,
      progress: present(s.progress),
      ownerId: present(s.ownerId),
      description: present(s.description),
      encrypted: s.encrypted === undefined ? undefined : s.encrypted === "true",
      tags: tagsOf(s.tagSet)
    })
  })
}
