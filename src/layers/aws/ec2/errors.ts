/**
 * EC2 error documents and codes → the taxonomy.
 *
 * Errors come as `<Response><Errors><Error><Code>…</Code><Message>…</Message>
 * </Error></Errors><RequestID>…</RequestID></Response>`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * almost always with status 400 whatever went wrong, so the code decides.
 */
import { Either } from "effect"
import * as Decode from "../../../http/Decode.js"
import * as Errors from "../../../http/Errors.js"
import {
  AlreadyExists,
  Conflict,
  InvalidCredentials,
  NotFound,
  PermissionDenied,
  ProviderError,
  RateLimited
} from "../../../schemas/Errors.js"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const str = (u: unknown): string | undefined => (typeof u === "string" && u.trim() !== "" ? u.trim() : undefined)

/** Code, message and request id of an EC2 error document; any other body is left to the default reader. */
export const extract: Errors.Extractor = (response) => {
  const parsed = response.body.trim().startsWith("<") ? Decode.parseXml(response.body) : Either.left("not XML")
  if (Either.isRight(parsed) && isRecord(parsed.right) && isRecord(parsed.right["Response"])) {
    const doc = parsed.right["Response"]
    const errors = isRecord(doc["Errors"]) ? doc["Errors"]["Error"] : undefined
    const first: unknown = Array.isArray(errors) ? errors[0] : errors
    if (isRecord(first)) {
      return {
        code: str(first["Code"]),
        message: str(first["Message"]),
        requestId: str(doc["RequestID"]) ?? str(doc["RequestId"])
      }
    }
  }
  return Errors.defaultExtractor(response)
}

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

type Kind =
  | { readonly kind: "credentials" }
  | { readonly kind: "denied" }
  | { readonly kind: "throttled" }
  | { readonly kind: "NotFound"; readonly resource: Resource }
  | { readonly kind: "AlreadyExists"; readonly resource: Resource }
  | { readonly kind: "Conflict"; readonly resource: Resource }

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

/** "Client.UnauthorizedOperation" → "UnauthorizedOperation" (older documents prefix the fault side). */
const bare = (code: string) => code.replace(/^(?:Client|Server)\./, "")

export const kindOf = (code: string | undefined, message: string | undefined): Kind | undefined => {
  if (code === undefined) return undefined
  const c = bare(code)
  return table[c] ?? fromMessage(c, message ?? "")
}

/** Which of the resource-specific errors an operation can report; the rest become ProviderError. */
export type Mapped = "NotFound" | "AlreadyExists" | "Conflict"

export type MappedError<M extends Mapped> =
  | ("NotFound" extends M ? NotFound : never)
  | ("AlreadyExists" extends M ? AlreadyExists : never)
  | ("Conflict" extends M ? Conflict : never)

export type Targets = Partial<Record<Resource, string>>

const providerError = (ctx: Errors.FailureContext) =>
  new ProviderError({
    ...ctx.where,
    status: ctx.status,
    detail: ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`,
    ...(ctx.code === undefined ? {} : { code: ctx.code }),
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId })
  })

/**
 * The classifier for one request: credentials, permission and throttling
 * always; NotFound / AlreadyExists / Conflict only where the operation can
 * report them (naming the id from `targets`), else ProviderError with the code.
 */
export const classify = <M extends Mapped>(mapped: ReadonlyArray<M>, targets: Targets) =>
(ctx: Errors.FailureContext): MappedError<M> | InvalidCredentials | PermissionDenied | RateLimited | ProviderError | undefined => {
  const k = kindOf(ctx.code, ctx.message)
  if (k === undefined) return undefined
  const reason = ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`
  switch (k.kind) {
    case "credentials":
      return new InvalidCredentials({ ...ctx.where, reason })
    case "denied":
      return new PermissionDenied({ ...ctx.where, reason })
    case "throttled":
      return ctx.retryAfter._tag === "Some"
        ? new RateLimited({ ...ctx.where, retryAfter: ctx.retryAfter.value })
        : new RateLimited({ ...ctx.where })
  }
  if (!(mapped as ReadonlyArray<Mapped>).includes(k.kind)) return providerError(ctx)
  const id = targets[k.resource] ?? ""
  switch (k.kind) {
    case "NotFound":
      return new NotFound({ ...ctx.where, resource: k.resource, id }) as MappedError<M>
    case "AlreadyExists":
      return new AlreadyExists({ ...ctx.where, resource: k.resource, id }) as MappedError<M>
    case "Conflict":
      return new Conflict({ ...ctx.where, resource: k.resource, id, reason }) as MappedError<M>
  }
}
