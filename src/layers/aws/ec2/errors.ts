/**
 * EC2 error codes → the taxonomy. The document (`<Response><Errors><Error>`)
 * is read by the shared Query extractor (../query/errors.ts); EC2 answers
 * almost always with status 400 whatever went wrong, so the code decides.
 */
import * as Query from "../query/errors.js"

export const extract = Query.extract

/** The resources EC2 error codes talk about, under the names cloudfx errors use. */
export type Resource =
  | "node"
  | "volume"
  | "snapshot"
  | "keyPair"
  | "image"
  | "size"
  | "location"
  | "address"
  | "association"
  | "securityGroup"
  | "rule"
  | "vpc"
  | "subnet"

type Kind = Query.Kind<Resource>

const table: Record<string, Kind> = {
  AuthFailure: { kind: "credentials" },
  MissingAuthenticationToken: { kind: "credentials" },
  InvalidClientTokenId: { kind: "credentials" },
  SignatureDoesNotMatch: { kind: "credentials" },
  UnauthorizedOperation: { kind: "denied" },
  OptInRequired: { kind: "denied" },
  Blocked: { kind: "denied" },
  PendingVerification: { kind: "denied" },
  RequestLimitExceeded: { kind: "throttled" },
  Throttling: { kind: "throttled" },
  "InvalidInstanceID.NotFound": { kind: "NotFound", resource: "node" },
  "InvalidInstanceID.Malformed": { kind: "NotFound", resource: "node" },
  "InvalidVolume.NotFound": { kind: "NotFound", resource: "volume" },
  "InvalidVolumeID.Malformed": { kind: "NotFound", resource: "volume" },
  "InvalidSnapshot.NotFound": { kind: "NotFound", resource: "snapshot" },
  "InvalidSnapshotID.Malformed": { kind: "NotFound", resource: "snapshot" },
  "InvalidKeyPair.NotFound": { kind: "NotFound", resource: "keyPair" },
  "InvalidAMIID.NotFound": { kind: "NotFound", resource: "image" },
  "InvalidAMIID.Malformed": { kind: "NotFound", resource: "image" },
  "InvalidAMIID.Unavailable": { kind: "NotFound", resource: "image" },
  InvalidInstanceType: { kind: "NotFound", resource: "size" },
  "InvalidZone.NotFound": { kind: "NotFound", resource: "location" },
  "InvalidAllocationID.NotFound": { kind: "NotFound", resource: "address" },
  "InvalidAddress.NotFound": { kind: "NotFound", resource: "address" },
  "InvalidAddressID.NotFound": { kind: "NotFound", resource: "address" },
  "InvalidAssociationID.NotFound": { kind: "NotFound", resource: "association" },
  "InvalidGroup.NotFound": { kind: "NotFound", resource: "securityGroup" },
  "InvalidGroupId.Malformed": { kind: "NotFound", resource: "securityGroup" },
  "InvalidPermission.NotFound": { kind: "NotFound", resource: "rule" },
  "InvalidVpcID.NotFound": { kind: "NotFound", resource: "vpc" },
  "InvalidSubnetID.NotFound": { kind: "NotFound", resource: "subnet" },
  "InvalidKeyPair.Duplicate": { kind: "AlreadyExists", resource: "keyPair" },
  "InvalidGroup.Duplicate": { kind: "AlreadyExists", resource: "securityGroup" },
  "InvalidPermission.Duplicate": { kind: "AlreadyExists", resource: "rule" },
  IncorrectInstanceState: { kind: "Conflict", resource: "node" },
  IncorrectState: { kind: "Conflict", resource: "volume" },
  VolumeInUse: { kind: "Conflict", resource: "volume" },
  "InvalidVolume.ZoneMismatch": { kind: "Conflict", resource: "volume" },
  "InvalidSnapshot.InUse": { kind: "Conflict", resource: "snapshot" },
  "InvalidGroup.InUse": { kind: "Conflict", resource: "securityGroup" },
  DependencyViolation: { kind: "Conflict", resource: "securityGroup" },
  "Resource.AlreadyAssociated": { kind: "Conflict", resource: "address" },
  "InvalidIPAddress.InUse": { kind: "Conflict", resource: "address" }
}

/**
 * InvalidParameterValue is also how RunInstances and CreateVolume say a
 * size or zone does not exist ("Invalid value 'x' for InstanceType",
 * "Invalid availability zone: [x]"); only the message tells them apart.
 */
const fromMessage = (code: string, message: string): Kind | undefined => {
  if (code !== "InvalidParameterValue" && code !== "Unsupported") return undefined
  if (/instance ?type/i.test(message)) return { kind: "NotFound", resource: "size" }
  if (/availability zone/i.test(message)) return { kind: "NotFound", resource: "location" }
  return undefined
}

export const kindOf = (code: string | undefined, message: string | undefined): Kind | undefined => {
  if (code === undefined) return undefined
  const c = Query.bare(code)
  return table[c] ?? fromMessage(c, message ?? "")
}

/** Which of the resource-specific errors an operation can report; the rest become ProviderError. */
export type Mapped = Query.Mapped

export type MappedError<M extends Mapped> = Query.MappedError<M>

export type Targets = Query.Targets<Resource>

/**
 * The classifier for one request: credentials, permission and throttling
 * always; NotFound / AlreadyExists / Conflict only where the operation can
 * report them (naming the id from `targets`), else ProviderError with the code.
 */
export const classify = Query.classifier(kindOf)
