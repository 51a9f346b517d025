/**
 * Server-side copies: one CopyObject, or a multipart copy where S3 refuses one.
 *
 * CopyObject takes sources up to 5 GiB. Above `multipartCopyThreshold`
 * (default 5 GiB: one request whenever S3 allows it, as the AWS SDK's
 * TransferManager does) the copy is a multipart upload whose parts are
 * UploadPartCopy byte ranges of the source (`copyPartSize`, default 100 MiB,
 * grown so the parts fit in 10,000), `concurrency` at a time. No byte passes
 * through this process either way.
 *
 * The source is read (HEAD) first: its size picks the path. A multipart copy
 * must not splice two versions of a source replaced under it, so every part
 * is pinned to the Last-Modified that was read
 * (x-amz-copy-source-if-unmodified-since), and before the parts are joined the
 * source is read again: another ETag or Last-Modified fails the copy. Not
 * x-amz-copy-source-if-match, which would be exact on AWS: Swift's s3api
 * (2.30) compares it with its own ETag, not the S3 one, for sources that were
 * themselves uploaded in parts, and refuses every part.
 *
 * CopyObject keeps the source's metadata itself (x-amz-metadata-directive
 * COPY). A multipart copy writes a new object, so CreateMultipartUpload
 * carries what the HEAD showed: Content-Type, x-amz-meta-*, Cache-Control,
 * Content-Disposition, Content-Encoding, Content-Language, Expires and the
 * website redirect. Neither path keeps the storage class or SSE settings (S3
 * applies the bucket's defaults to both).
 *
 * A failed or interrupted multipart copy is aborted (uninterruptibly):
 * nothing becomes visible under the target key and no parts remain.
 */
import { HttpClientRequest } from "@effect/platform"
import type { Headers } from "@effect/platform"
import { Effect, Either, Exit, identity } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import * as Url from "../../../http/Url.js"
import {
  InvalidInput,
  MalformedResponse,
  NotFound,
  type ProviderError,
  type ProviderFailure,
  type RateLimited
} from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import { withQuery } from "./addressing.js"
import { type Client, uploadTimeout } from "./client.js"
import { DEFAULT_NAME, MAX_PART_SIZE, MAX_PARTS, MiB, MIN_PART_SIZE, type S3Config } from "./config.js"
import * as S3Errors from "./errors.js"
import { fromHeaders } from "./objectInfo.js"
import type * as Upload from "./upload.js"
import { CopyObjectOutcome, CopyPartOutcome, unquoteEtag, xmlOptions } from "./wire.js"

/** The largest source CopyObject accepts: the default keeps every copy S3 allows a single request. */
export const DEFAULT_MULTIPART_COPY_THRESHOLD = MAX_PART_SIZE
/** The AWS SDK TransferManager's copy part size: few requests, each well within a request timeout. */
export const DEFAULT_COPY_PART_SIZE = 100 * MiB

export interface Settings {
  /** Sources larger than this many bytes are copied in parts. */
  readonly threshold: number
  /** Bytes per UploadPartCopy (more when the source would need over 10,000 parts). */
  readonly partSize: number
}

export const defaults: Settings = { threshold: DEFAULT_MULTIPART_COPY_THRESHOLD, partSize: DEFAULT_COPY_PART_SIZE }

/** The copy settings of a config, checked like the rest of it (client.ts `resolve`). */
export const settings = (config: S3Config): Either.Either<Settings, InvalidInput> => {
  const invalid = (field: string, reason: string) =>
    Either.left(new InvalidInput({ provider: config.name ?? DEFAULT_NAME, operation: "S3.config", field, reason }))
  const threshold = config.multipartCopyThreshold ?? DEFAULT_MULTIPART_COPY_THRESHOLD
  if (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > MAX_PART_SIZE) {
    return invalid("multipartCopyThreshold", `must be a whole number of bytes from 0 to ${MAX_PART_SIZE} (5 GiB, CopyObject's limit)`)
  }
  const partSize = config.copyPartSize ?? DEFAULT_COPY_PART_SIZE
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    return invalid("copyPartSize", `must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB)`)
  }
  return Either.right({ threshold, partSize })
}

export interface ObjectAddress {
  readonly bucket: string
  readonly key: string
}

/** A copy whose names are already validated. */
export interface CopyRequest {
  readonly operation: string
  readonly from: ObjectAddress
  readonly to: ObjectAddress
}

export interface Dependencies {
  readonly uploads: Upload.Uploads
  /** HEAD bucket: NotFound when it does not exist. */
  readonly headBucket: (operation: string, bucket: string) => Effect.Effect<unknown, NotFound | ProviderFailure>
}

const DEFAULT_CONTENT_TYPE = "application/octet-stream"

/** Headers a multipart copy sets on the new object from the source's HEAD (CopyObject's COPY directive keeps them). */
const carriedHeaders = new Set([
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
  "x-amz-website-redirect-location"
])

const carried = (source: Headers.Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith("x-amz-meta-") || carriedHeaders.has(name)) out[name] = value
  }
  return out
}

/** Source ranges of `partSize` bytes, HTTP's inclusive ends. */
export const partRanges = (size: number, partSize: number) =>
  Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({
    partNumber: i + 1,
    first: i * partSize,
    last: Math.min(size, (i + 1) * partSize) - 1
  }))

/** The configured part size, or the smallest whole MiB that fits the source in 10,000 parts. */
export const partSizeFor = (size: number, configured: number) => Math.max(configured, Math.ceil(size / MAX_PARTS / MiB) * MiB)

export const make = (client: Client, copySettings: Settings, { headBucket, uploads }: Dependencies) => {
  const { address, http } = client
  const common = (bucket: string) => S3Errors.common(client.region, bucket)

  // AWS and s3api percent-decode the header: keys keep "/", everything else is encoded as in a URL path.
  const copySource = ({ bucket, key }: ObjectAddress) => `/${Url.segment(bucket)}/${Url.key(key)}`

  const attributes = (r: CopyRequest, request: string, extra: Record<string, unknown> = {}) => ({
    "cloudfx.container": r.from.bucket,
    "cloudfx.key": r.from.key,
    "cloudfx.target.container": r.to.bucket,
    "cloudfx.target.key": r.to.key,
    "s3.request": request,
    ...extra
  })

  const containerNotFound = (operation: string, bucket: string) =>
    new NotFound({ provider: client.provider, operation, resource: "container", id: bucket })

  /** A 404 to HEAD has no body to tell a missing key from a missing bucket: the bucket is asked. */
  const headSource = (r: CopyRequest) =>
    http.execute(
      HttpClientRequest.head(address.objectUrl(r.from.bucket, r.from.key)),
      {
        operation: r.operation,
        notFound: { resource: "object", id: `${r.from.bucket}/${r.from.key}` },
        classify: common(r.from.bucket),
        attributes: attributes(r, "HeadObject")
      },
      ProviderHttp.headers
    ).pipe(Effect.catchTag("NotFound", (e) => Effect.zipRight(headBucket(r.operation, r.from.bucket), Effect.fail(e))))

  const single = (r: CopyRequest, size: number) =>
    Effect.gen(function*() {
      yield* http.execute(
        HttpClientRequest.put(address.objectUrl(r.to.bucket, r.to.key)).pipe(
          HttpClientRequest.setHeader("x-amz-copy-source", copySource(r.from)),
          HttpClientRequest.setHeader("x-amz-metadata-directive", "COPY")
        ),
        {
          operation: r.operation,
          classify: (ctx) =>
            common(r.to.bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, r.to.bucket) ?? S3Errors.noSuchKey(ctx, r.from.bucket, r.from.key),
          // S3 copies at its own pace (up to 5 GiB), holding the answer until it is done.
          timeout: uploadTimeout(client, size),
          attributes: attributes(r, "CopyObject", { "s3.copy.size": size })
        },
        (response, where) =>
          Effect.flatMap(ProviderHttp.xml(CopyObjectOutcome, xmlOptions)(response, where), (outcome) =>
            "Error" in outcome ? Effect.fail(S3Errors.embeddedError(where, outcome.Error.Code, outcome.Error.Message)) : Effect.void)
      ).pipe(
        // NoSuchBucket does not say which of the two buckets is missing.
        Effect.catchIf(
          (e) => e._tag === "NotFound" && e.resource === "container",
          () => Effect.zipRight(headBucket(r.operation, r.to.bucket), Effect.fail(containerNotFound(r.operation, r.from.bucket)))
        )
      )
      // The copy's answer has only an ETag: read the rest (size, type, metadata) back.
      const { headers } = yield* http.execute(
        HttpClientRequest.head(address.objectUrl(r.to.bucket, r.to.key)),
        {
          operation: r.operation,
          notFound: { resource: "object", id: `${r.to.bucket}/${r.to.key}` },
          classify: common(r.to.bucket),
          attributes: attributes(r, "HeadObject")
        },
        ProviderHttp.headers
      )
      return fromHeaders(r.to.key, Number(headers["content-length"] ?? "0"), headers)
    })

  const copyPart = (
    r: CopyRequest,
    spec: Upload.UploadSpec,
    uploadId: string,
    sourceDate: string | undefined,
    range: { readonly partNumber: number; readonly first: number; readonly last: number }
  ) =>
    http.execute(
      HttpClientRequest.put(withQuery(address.objectUrl(spec.bucket, spec.key), { partNumber: range.partNumber, uploadId })).pipe(
        HttpClientRequest.setHeader("x-amz-copy-source", copySource(r.from)),
        HttpClientRequest.setHeader("x-amz-copy-source-range", `bytes=${range.first}-${range.last}`),
        sourceDate === undefined ? identity : HttpClientRequest.setHeader("x-amz-copy-source-if-unmodified-since", sourceDate)
      ),
      {
        operation: r.operation,
        classify: (ctx) =>
          common(spec.bucket)(ctx) ?? S3Errors.noSuchKey(ctx, r.from.bucket, r.from.key) ?? S3Errors.noSuchUpload(ctx, uploadId) ??
            S3Errors.sourceChanged(ctx, `${r.from.bucket}/${r.from.key}`) ??
            // The target bucket holds the upload: a bucket missing now is the source's.
            S3Errors.noSuchBucket(ctx, r.from.bucket),
        timeout: uploadTimeout(client, range.last - range.first + 1),
        attributes: attributes(r, "UploadPartCopy", { "s3.part_number": range.partNumber, "s3.upload_id": uploadId })
      },
      (response, where) =>
        Effect.flatMap(
          ProviderHttp.xml(CopyPartOutcome, xmlOptions)(response, where),
          (outcome): Effect.Effect<Upload.Stored, RateLimited | ProviderError | MalformedResponse> => {
            if ("Error" in outcome) return Effect.fail(S3Errors.embeddedError(where, outcome.Error.Code, outcome.Error.Message))
            const etag = outcome.CopyPartResult.ETag
            return etag === undefined || etag.trim() === ""
              ? Effect.fail(new MalformedResponse({ ...where, reason: `CopyPartResult of part ${range.partNumber} has no ETag` }))
              : Effect.succeed({ partNumber: range.partNumber, etag: unquoteEtag(etag) })
          }
        )
    )

  const multipart = (r: CopyRequest, size: number, source: Headers.Headers) => {
    const spec: Upload.UploadSpec = {
      bucket: r.to.bucket,
      key: r.to.key,
      operation: r.operation,
      headers: carried(source),
      contentType: source["content-type"] ?? DEFAULT_CONTENT_TYPE,
      partSize: partSizeFor(size, copySettings.partSize),
      concurrency: client.concurrency
    }
    const ranges = partRanges(size, spec.partSize)
    return Effect.acquireUseRelease(
      uploads.createUpload(spec),
      (uploadId) =>
        Effect.gen(function*() {
          const parts = yield* Effect.forEach(ranges, (range) => copyPart(r, spec, uploadId, source["last-modified"], range), {
            concurrency: spec.concurrency
          })
          // A replacement within the same second as the Last-Modified read (or an AWS multipart upload, whose
          // Last-Modified is when it began) passes the parts' condition: its ETag or date tells.
          const now = yield* headSource(r)
          if (now.headers["etag"] !== source["etag"] || now.headers["last-modified"] !== source["last-modified"]) {
            return yield* S3Errors.sourceReplaced({ provider: client.provider, operation: r.operation }, `${r.from.bucket}/${r.from.key}`)
          }
          yield* uploads.complete(spec, uploadId, parts)
          return yield* uploads.stored(spec, size).pipe(
            // The server said the parts were joined, but the object is not the source's size: its answer was wrong.
            Effect.catchTag("IntegrityError", (e) =>
              Effect.fail(new MalformedResponse({ provider: e.provider, operation: e.operation, reason: `the copy stored ${e.actual}, the source has ${e.expected}` })))
          )
        }),
      (uploadId, exit) => (Exit.isSuccess(exit) ? Effect.void : uploads.abort(spec, uploadId))
    )
  }

  const copy = (r: CopyRequest): Effect.Effect<ObjectInfo, NotFound | InvalidInput | ProviderFailure> =>
    Effect.gen(function*() {
      const { headers } = yield* headSource(r)
      const size = Number(headers["content-length"])
      if (!Number.isSafeInteger(size) || size < 0) {
        return yield* new MalformedResponse({ provider: client.provider, operation: r.operation, reason: "the source's HEAD has no valid Content-Length" })
      }
      return yield* (size > copySettings.threshold ? multipart(r, size, headers) : single(r, size))
    })

  return { copy }
}
