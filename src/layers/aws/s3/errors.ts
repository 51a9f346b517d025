/**
 * S3 error codes → the taxonomy. The status table in src/http does most of
 * the work; these classifiers add what one status cannot say: which 404 (no
 * bucket, no key), which 409 (exists, not empty), credentials vs permission
 * on a 403, and a bucket that lives in another region.
 */
import {
  AlreadyExists,
  Conflict,
  IntegrityError,
  InvalidCredentials,
  InvalidInput,
  NotFound,
  ProviderError,
  RateLimited
} from "../../../schemas/Errors.js"
import type { FailureContext } from "../../../http/Errors.js"
import * as Redact from "../../../http/Redact.js"
import { errorDocument } from "./wire.js"

/** Codes that mean the credentials themselves are wrong, not what they may do. */
const credentialCodes = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "TokenRefreshRequired",
  "InvalidSecurity",
  "MissingSecurityHeader",
  "RequestTimeTooSkewed"
])

const redirectCodes = new Set([
  "PermanentRedirect",
  "TemporaryRedirect",
  "AuthorizationHeaderMalformed",
  "IllegalLocationConstraintException"
])

const regionInEndpoint = /(?:^|\.)s3[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com/

const regionOf = (ctx: FailureContext): string | undefined => {
  const header = ctx.headers["x-amz-bucket-region"]
  if (header !== undefined && header.trim() !== "") return header.trim()
  const doc = errorDocument(ctx.body)
  if (doc?.region !== undefined) return doc.region
  const fromEndpoint = doc?.endpoint === undefined ? undefined : regionInEndpoint.exec(doc.endpoint)?.[1]
  if (fromEndpoint !== undefined) return fromEndpoint
  // AuthorizationHeaderMalformed: "… the region 'us-east-1' is wrong; expecting 'eu-west-1'"
  return /expecting '([a-z0-9-]+)'/.exec(ctx.message ?? "")?.[1]
}

const providerError = (ctx: FailureContext, detail: string) =>
  new ProviderError({
    ...ctx.where,
    status: ctx.status,
    detail: Redact.text(detail),
    ...(ctx.code === undefined ? {} : { code: ctx.code }),
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId })
  })

/**
 * A bucket in another region. Never followed: the request was signed for
 * this region and would be refused there, and a silent cross-region hop
 * hides a misconfiguration that costs latency and transfer on every call.
 */
const wrongRegion = (ctx: FailureContext, configured: string, bucket: string | undefined): ProviderError | undefined => {
  const redirect = ctx.status === 301 || ctx.status === 307 || (ctx.code !== undefined && redirectCodes.has(ctx.code))
  if (!redirect) return undefined
  const region = regionOf(ctx)
  // AuthorizationHeaderMalformed without a region is about the header itself.
  if (region === undefined && ctx.code === "AuthorizationHeaderMalformed") return undefined
  const what = bucket === undefined ? "the bucket" : `bucket "${bucket}"`
  return providerError(
    ctx,
    region === undefined
      ? `${what} is in another region than ${configured} (the server did not say which)`
      : region === configured
      ? `${what} must be addressed through its region's endpoint (${region})`
      : `${what} is in region ${region}, not ${configured}: use a client configured with region "${region}"`
  )
}

/** What every S3 request can fail with beyond the status table. */
export const common = (configured: string, bucket?: string) => (ctx: FailureContext): InvalidCredentials | ProviderError | undefined => {
  const redirect = wrongRegion(ctx, configured, bucket)
  if (redirect !== undefined) return redirect
  if (ctx.code !== undefined && credentialCodes.has(ctx.code)) {
    return new InvalidCredentials({ ...ctx.where, reason: ctx.message === undefined ? ctx.code : `${ctx.code}: ${ctx.message}` })
  }
  return undefined
}

export const noSuchBucket = (ctx: FailureContext, bucket: string): NotFound | undefined =>
  ctx.code === "NoSuchBucket" ? new NotFound({ ...ctx.where, resource: "container", id: bucket }) : undefined

export const noSuchKey = (ctx: FailureContext, bucket: string, key: string): NotFound | undefined =>
  ctx.code === "NoSuchKey" ? new NotFound({ ...ctx.where, resource: "object", id: `${bucket}/${key}` }) : undefined

export const noSuchUpload = (ctx: FailureContext, uploadId: string): NotFound | undefined =>
  ctx.code === "NoSuchUpload" ? new NotFound({ ...ctx.where, resource: "multipart upload", id: uploadId }) : undefined

export const bucketExists = (ctx: FailureContext, bucket: string): AlreadyExists | undefined =>
  ctx.code === "BucketAlreadyOwnedByYou" || ctx.code === "BucketAlreadyExists"
    ? new AlreadyExists({ ...ctx.where, resource: "container", id: bucket })
    : undefined

export const bucketNotEmpty = (ctx: FailureContext, bucket: string): Conflict | undefined =>
  ctx.code === "BucketNotEmpty"
    ? new Conflict({ ...ctx.where, resource: "container", id: bucket, reason: "container is not empty" })
    : undefined

/** 416: the range starts at or beyond the end of the object (the memory and local providers' rule too). */
export const invalidRange = (ctx: FailureContext, start: number): InvalidInput | undefined =>
  ctx.status === 416 || ctx.code === "InvalidRange"
    ? new InvalidInput({ ...ctx.where, field: "range.start", reason: `${start} is at or beyond the end of the object` })
    : undefined

/** Inputs only the server could judge: names it refuses, a storage class it does not offer. */
export const invalidArgument = (ctx: FailureContext): InvalidInput | undefined =>
  ctx.code === "InvalidBucketName"
    ? new InvalidInput({ ...ctx.where, field: "container", reason: ctx.message ?? "the server refused the bucket name" })
    : ctx.code === "KeyTooLongError"
    ? new InvalidInput({ ...ctx.where, field: "key", reason: ctx.message ?? "the server refused the key as too long" })
    : ctx.code === "InvalidStorageClass"
    ? new InvalidInput({ ...ctx.where, field: "storageClass", reason: ctx.message ?? "the server does not offer this storage class" })
    : undefined

/** BadDigest: the bytes that arrived are not the bytes whose Content-MD5 we sent. */
/** The server hashed other bytes than the ones the request's digest (`"Content-MD5 …"`, `"SHA-256 …"`) was made from. */
export const badDigest = (ctx: FailureContext, key: string, digest: string): IntegrityError | undefined =>
  ctx.code === "BadDigest" || ctx.code === "XAmzContentSHA256Mismatch"
    ? new IntegrityError({ ...ctx.where, key, expected: digest, actual: `the server received different bytes (${ctx.code})` })
    : undefined

const replacedDetail = (source: string) => `the copy source "${source}" was replaced during the copy`

/**
 * 412 to a part copy pinned to the source's Last-Modified
 * (x-amz-copy-source-if-unmodified-since): the source was replaced after it
 * was read, and parts of two versions must not be joined.
 */
export const sourceChanged = (ctx: FailureContext, source: string): ProviderError | undefined =>
  ctx.status === 412 || ctx.code === "PreconditionFailed" ? providerError(ctx, replacedDetail(source)) : undefined

/** The same, found by reading the source again before the parts are joined. */
export const sourceReplaced = (where: { readonly provider: string; readonly operation: string }, source: string): ProviderError =>
  new ProviderError({ ...where, status: 412, code: "PreconditionFailed", detail: Redact.text(replacedDetail(source)) })

/**
 * An `<Error>` in the body of a 200 (CompleteMultipartUpload, CopyObject, UploadPartCopy),
 * mapped as the status its code stands for — so InternalError (500) and
 * SlowDown (503) are retried like their HTTP counterparts.
 */
export const embeddedError = (
  where: { readonly provider: string; readonly operation: string },
  code: string,
  message: string | undefined
): RateLimited | ProviderError =>
  code === "SlowDown"
    ? new RateLimited({ ...where })
    : new ProviderError({
      ...where,
      status: code === "InternalError" || code === "ServiceUnavailable" ? 500 : 200,
      code: Redact.text(code, 100),
      detail: Redact.text(message ?? code)
    })
