/**
 * The EC2 Query API's XML, as the API reference documents it
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/), for the
 * elements cloudfx reads. Lists are `<xSet><item>…</item></xSet>`; the
 * parser is told that every `item` is a list, and an empty set (`<tagSet/>`)
 * arrives as "". Everything is text: numbers and booleans are decoded here.
 */
import { Schema } from "effect"

/** The parser option that makes every `<item>` an array, however many there are. */
export const xmlOptions = { arrays: ["item"] } as const

const text = Schema.optional(Schema.String)
const bool = Schema.optional(Schema.Literal("true", "false"))
const int = Schema.optional(Schema.NumberFromString)

/** A `…Set` of `<item>`s: absent, empty or full, always an array. */
export const itemSet = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(
    Schema.transform(
      Schema.Union(Schema.Literal(""), Schema.Struct({ item: Schema.Array(item) })),
      Schema.Array(Schema.typeSchema(item)),
      {
        strict: true,
        decode: (u) => (u === "" ? [] : u.item),
        encode: (a) => ({ item: a })
      }
    ),
    { default: () => [] }
  )

/** `<DescribeXResponse>…</DescribeXResponse>`: the document's one root element, unwrapped. */
export const response = <F extends Schema.Struct.Fields>(root: string, fields: F) => {
  const inner = Schema.Struct(fields)
  return Schema.transform(Schema.Struct({ [root]: inner }), Schema.typeSchema(inner), {
    strict: false,
    decode: (doc) => (doc as Record<string, unknown>)[root],
    encode: (a) => ({ [root]: a })
  }) as unknown as Schema.Schema<Schema.Struct.Type<F>, unknown>
}

export const Tag = Schema.Struct({ key: Schema.String, value: Schema.optionalWith(Schema.String, { default: () => "" }) })
export type Tag = typeof Tag.Type

const StateName = Schema.Struct({ code: int, name: Schema.String })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
export const Instance = Schema.Struct({
  instanceId: Schema.String,
  imageId: text,
  instanceState: StateName,
  privateDnsName: text,
  dnsName: text,
  keyName: text,
  instanceType: text,
  launchTime: text,
  placement: Schema.optional(Schema.Struct({ availabilityZone: text, tenancy: text })),
  platform: text,
  subnetId: text,
  vpcId: text,
  privateIpAddress: text,
  ipAddress: text,
  groupSet: itemSet(Schema.Struct({ groupId: text, groupName: text })),
  stateReason: Schema.optional(Schema.Struct({ code: text, message: text })),
  architecture: text,
  rootDeviceType: text,
  rootDeviceName: text,
  blockDeviceMapping: itemSet(
    Schema.Struct({
      deviceName: Schema.String,
      ebs: Schema.optional(Schema.Struct({ volumeId: text, status: text, deleteOnTermination: bool }))
    })
  ),
  virtualizationType: text,
  clientToken: text,
  tagSet: itemSet(Tag),
  networkInterfaceSet: itemSet(
    Schema.Struct({ ipv6AddressesSet: itemSet(Schema.Struct({ ipv6Address: Schema.String })) })
  )
})
export type Instance = typeof Instance.Type

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Reservation.html
const Reservation = Schema.Struct({ reservationId: text, ownerId: text, instancesSet: itemSet(Instance) })

export const DescribeInstances = response("DescribeInstancesResponse", {
  reservationSet: itemSet(Reservation),
  nextToken: text
})

// RunInstances answers with one Reservation.
export const RunInstances = response("RunInstancesResponse", {
  reservationId: text,
  ownerId: text,
  instancesSet: itemSet(Instance)
})

/**
 * An answer read only for its root element and optional `<return>true</return>`:
 * Start/Stop/Reboot/TerminateInstances, DeleteVolume, DeleteSnapshot, ReleaseAddress…
 */
export const Returned = (root: string) => response(root, { return: bool })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html
export const Image = Schema.Struct({
  imageId: Schema.String,
  name: text,
  description: text,
  imageState: text,
  imageOwnerId: text,
  imageOwnerAlias: text,
  isPublic: bool,
  architecture: text,
  imageType: text,
  platform: text,
  platformDetails: text,
  rootDeviceType: text,
  virtualizationType: text,
  creationDate: text
})
export const DescribeImages = response("DescribeImagesResponse", { imagesSet: itemSet(Image), nextToken: text })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceTypeInfo.html
export const InstanceType = Schema.Struct({
  instanceType: Schema.String,
  currentGeneration: bool,
  freeTierEligible: bool,
  bareMetal: bool,
  hypervisor: text,
  processorInfo: Schema.optional(Schema.Struct({ supportedArchitectures: itemSet(Schema.String) })),
  vCpuInfo: Schema.Struct({ defaultVCpus: Schema.NumberFromString }),
  memoryInfo: Schema.Struct({ sizeInMiB: Schema.NumberFromString }),
  instanceStorageSupported: bool,
  instanceStorageInfo: Schema.optional(Schema.Struct({ totalSizeInGB: int })),
  networkInfo: Schema.optional(Schema.Struct({ networkPerformance: text }))
})
export const DescribeInstanceTypes = response("DescribeInstanceTypesResponse", {
  instanceTypeSet: itemSet(InstanceType),
  nextToken: text
})

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Region.html
export const Region = Schema.Struct({ regionName: Schema.String, regionEndpoint: text, optInStatus: text })
export const DescribeRegions = response("DescribeRegionsResponse", { regionInfo: itemSet(Region) })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AvailabilityZone.html
export const Zone = Schema.Struct({
  zoneName: Schema.String,
  zoneId: text,
  zoneState: text,
  zoneType: text,
  regionName: text,
  optInStatus: text,
  groupLongName: text,
  geographySet: itemSet(Schema.Struct({ name: text }))
})
export const DescribeAvailabilityZones = response("DescribeAvailabilityZonesResponse", { availabilityZoneInfo: itemSet(Zone) })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_KeyPairInfo.html
export const KeyPairInfo = Schema.Struct({
  keyPairId: text,
  keyName: Schema.String,
  keyFingerprint: Schema.String,
  keyType: text,
  publicKey: text,
  createTime: text,
  tagSet: itemSet(Tag)
})
export const DescribeKeyPairs = response("DescribeKeyPairsResponse", { keySet: itemSet(KeyPairInfo) })
export const ImportKeyPair = response("ImportKeyPairResponse", {
  keyName: Schema.String,
  keyPairId: text,
  keyFingerprint: Schema.String
})
// The private key is Redacted the moment it is decoded.
export const CreateKeyPair = response("CreateKeyPairResponse", {
  keyName: Schema.String,
  keyPairId: text,
  keyFingerprint: Schema.String,
  keyMaterial: Schema.Redacted(Schema.String)
})

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html
const Attachment = Schema.Struct({
  volumeId: text,
  instanceId: text,
  device: text,
  status: text,
  attachTime: text,
  deleteOnTermination: bool
})
const volumeFields = {
  volumeId: Schema.String,
  size: Schema.NumberFromString,
  snapshotId: text,
  availabilityZone: text,
  status: Schema.String,
  createTime: text,
  attachmentSet: itemSet(Attachment),
  volumeType: text,
  iops: int,
  throughput: int,
  encrypted: bool,
  multiAttachEnabled: bool,
  tagSet: itemSet(Tag)
}
export const Volume = Schema.Struct(volumeFields)
export type Volume = typeof Volume.Type
export const DescribeVolumes = response("DescribeVolumesResponse", { volumeSet: itemSet(Volume), nextToken: text })
export const CreateVolume = response("CreateVolumeResponse", volumeFields)

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html (and DetachVolume)
export const VolumeAttachment = (root: string) =>
  response(root, { volumeId: Schema.String, instanceId: text, device: text, status: text })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html
const snapshotFields = {
  snapshotId: Schema.String,
  volumeId: text,
  status: Schema.String,
  startTime: text,
  progress: text,
  ownerId: text,
  volumeSize: Schema.NumberFromString,
  description: text,
  encrypted: bool,
  tagSet: itemSet(Tag)
}
export const Snapshot = Schema.Struct(snapshotFields)
export type Snapshot = typeof Snapshot.Type
export const DescribeSnapshots = response("DescribeSnapshotsResponse", { snapshotSet: itemSet(Snapshot), nextToken: text })
export const CreateSnapshot = response("CreateSnapshotResponse", snapshotFields)

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Address.html
export const Address = Schema.Struct({
  publicIp: text,
  allocationId: text,
  domain: text,
  instanceId: text,
  associationId: text,
  networkInterfaceId: text,
  privateIpAddress: text,
  networkBorderGroup: text,
  tagSet: itemSet(Tag)
})
export const DescribeAddresses = response("DescribeAddressesResponse", { addressesSet: itemSet(Address) })
export const AllocateAddress = response("AllocateAddressResponse", {
  publicIp: Schema.String,
  allocationId: text,
  domain: text,
  networkBorderGroup: text
})
export const AssociateAddress = response("AssociateAddressResponse", { return: bool, associationId: text })

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
export const IpPermission = Schema.Struct({
  ipProtocol: Schema.String,
  fromPort: int,
  toPort: int,
  groups: itemSet(Schema.Struct({ groupId: text, userId: text, description: text })),
  ipRanges: itemSet(Schema.Struct({ cidrIp: Schema.String, description: text })),
  ipv6Ranges: itemSet(Schema.Struct({ cidrIpv6: Schema.String, description: text }))
})
export type IpPermission = typeof IpPermission.Type

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html
export const SecurityGroup = Schema.Struct({
  ownerId: text,
  groupId: Schema.String,
  groupName: Schema.String,
  groupDescription: text,
  vpcId: text,
  ipPermissions: itemSet(IpPermission),
  ipPermissionsEgress: itemSet(IpPermission),
  tagSet: itemSet(Tag)
})
export const DescribeSecurityGroups = response("DescribeSecurityGroupsResponse", {
  securityGroupInfo: itemSet(SecurityGroup),
  nextToken: text
})
export const CreateSecurityGroup = response("CreateSecurityGroupResponse", { return: bool, groupId: Schema.String })
export const RevokeSecurityGroupIngress = response("RevokeSecurityGroupIngressResponse", {
  return: bool,
  unknownIpPermissionSet: itemSet(IpPermission)
})
