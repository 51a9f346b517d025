/**
 * Route 53 error documents and codes → the taxonomy.
 *
 * Errors come as
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/requests-rest-responses.html),
 * except ChangeResourceRecordSets' InvalidChangeBatch, whose root is
 * `<InvalidChangeBatch><Messages><Message>…</Message>…</Messages></InvalidChangeBatch>`
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html#API_ChangeResourceRecordSets_Errors):
 * its messages, joined, are the error's message. Many codes share status 400,
 * so the code decides.
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
const strings = (u: unknown): Array<string> =>
  (Array.isArray(u) ? u : [u]).map(str).filter((s): s is string => s !== undefined)

export const extract: Errors.Extractor = (response) => {
  const parsed = response.body.trim().startsWith("<") ? Decode.parseXml(response.body) : Either.left("not XML")
  const header = response.headers["x-amz-request-id"]
  if (Either.isRight(parsed) && isRecord(parsed.right)) {
    const doc = parsed.right
    const batch = doc["InvalidChangeBatch"]
    if (isRecord(batch)) {
      const messages = isRecord(batch["Messages"]) ? strings(batch["Messages"]["Message"]) : []
      const single = str(batch["message"]) ?? str(batch["Message"])
      return {
        code: "InvalidChangeBatch",
        message: messages.length > 0 ? messages.join("; ") : single,
        requestId: header ?? str(batch["RequestId"])
      }
    }
    const root = doc["ErrorResponse"]
    if (isRecord(root) && isRecord(root["Error"])) {
      return { code: str(root["Error"]["Code"]), message: str(root["Error"]["Message"]), requestId: header ?? str(root["RequestId"]) }
    }
  }
  return Errors.defaultExtractor(response)
}

type Kind = "credentials" | "denied" | "throttled" | "zoneMissing" | "zoneExists" | "changeMissing" | "batch"

const table: Record<string, Kind> = {
  InvalidClientTokenId: "credentials",
  SignatureDoesNotMatch: "credentials",
  MissingAuthenticationToken: "credentials",
  IncompleteSignature: "credentials",
  ExpiredToken: "credentials",
  UnrecognizedClientException: "credentials",
  AccessDenied: "denied",
  AccessDeniedException: "denied",
  OptInRequired: "denied",
  Throttling: "throttled",
  ThrottlingException: "throttled",
  // "Route 53 hasn't finished processing the previous request": nothing was done, try again later.
  PriorRequestNotComplete: "throttled",
  NoSuchHostedZone: "zoneMissing",
  HostedZoneAlreadyExists: "zoneExists",
  NoSuchChange: "changeMissing",
  InvalidChangeBatch: "batch"
}

/** Which of the resource-specific errors an operation reports as such; the rest become ProviderError. */
export type Mapped = "NotFound" | "AlreadyExists" | "Conflict"

export type MappedError<M extends Mapped> =
  | ("NotFound" extends M ? NotFound : never)
  | ("AlreadyExists" extends M ? AlreadyExists : never)
  | ("Conflict" extends M ? Conflict : never)

/** The ids NotFound / AlreadyExists / Conflict name, by resource. */
export interface Targets {
  readonly zone?: string | undefined
  /** The domain of a zone being created. */
  readonly domain?: string | undefined
  readonly record?: string | undefined
  readonly change?: string | undefined
}

const providerError = (ctx: Errors.FailureContext) =>
  new ProviderError({
    ...ctx.where,
    status: ctx.status,
    detail: ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`,
    ...(ctx.code === undefined ? {} : { code: ctx.code }),
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId })
  })

/**
 * What a rejected change batch means for the record it was about, read from
 * Route 53's messages ("Tried to create resource record set … but it already
 * exists", "RRSet of type CNAME … is not permitted because a conflicting
 * RRSet of type A … already exists", "… but it was not found", "… but the
 * values provided do not match the current values").
 */
const batchKind = (message: string): "AlreadyExists" | "Conflict" | "NotFound" | undefined => {
  if (/but it already exists/i.test(message)) return "AlreadyExists"
  if (/conflicting RRSet|is not permitted|do not match the current values/i.test(message)) return "Conflict"
  if (/but it was not found/i.test(message)) return "NotFound"
  return undefined
}

/**
 * The classifier for one request: credentials, permission and throttling
 * always; NotFound / AlreadyExists / Conflict where the operation can report
 * them (naming the id from `targets`), else ProviderError with the code and
 * Route 53's message.
 */
export const classify = <M extends Mapped>(mapped: ReadonlyArray<M>, targets: Targets) =>
(ctx: Errors.FailureContext): MappedError<M> | InvalidCredentials | PermissionDenied | RateLimited | ProviderError | undefined => {
  const kind = ctx.code === undefined ? undefined : table[ctx.code]
  if (kind === undefined) return undefined
  const reason = ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`
  const allowed = (m: Mapped) => (mapped as ReadonlyArray<Mapped>).includes(m)
  switch (kind) {
    case "credentials":
      return new InvalidCredentials({ ...ctx.where, reason })
    case "denied":
      return new PermissionDenied({ ...ctx.where, reason })
    case "throttled":
      return ctx.retryAfter._tag === "Some"
        ? new RateLimited({ ...ctx.where, retryAfter: ctx.retryAfter.value })
        : new RateLimited({ ...ctx.where })
    case "zoneMissing":
      return allowed("NotFound") && targets.zone !== undefined
        ? new NotFound({ ...ctx.where, resource: "zone", id: targets.zone }) as MappedError<M>
        : providerError(ctx)
    case "zoneExists":
      return allowed("AlreadyExists") && targets.domain !== undefined
        ? new AlreadyExists({ ...ctx.where, resource: "zone", id: targets.domain }) as MappedError<M>
        : providerError(ctx)
    case "changeMissing":
      return allowed("NotFound") && targets.change !== undefined
        ? new NotFound({ ...ctx.where, resource: "change", id: targets.change }) as MappedError<M>
        : providerError(ctx)
    case "batch": {
      const k = batchKind(reason)
      if (k === undefined || !allowed(k) || targets.record === undefined) return providerError(ctx)
      const id = targets.record
      switch (k) {
        case "AlreadyExists":
          return new AlreadyExists({ ...ctx.where, resource: "record", id }) as MappedError<M>
        case "NotFound":
          return new NotFound({ ...ctx.where, resource: "record", id }) as MappedError<M>
        case "Conflict":
          return new Conflict({ ...ctx.where, resource: "record", id, reason }) as MappedError<M>
      }
    }
  }
}
