/**
 * Object operations shared by the portable service and the `Gcs` tag:
 * metadata GET, uploads (choosing multipart or resumable), rewrite (copy,
 * storage-class change) and delete, each with the GCS error mapping.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Predicate, Stream } from "effect"
import { ProviderHttp } from "../../../http/index.js"
import type { NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import { InvalidInput, MalformedResponse } from "../../../schemas/Errors.js"
import type { ObjectStorage } from "../../../services/ObjectStorage.js"
import * as validate from "../../../services/validate.js"
import {
  bucketExists,
  CHUNK_UNIT,
  containerNotFound,
  type Core,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MULTIPART_THRESHOLD,
  objectMissing,
  objectNotFound,
  objectPath,
  settle404,
  where,
  withQuery
} from "./core.js"
import * as names from "./names.js"
import { preconditionFailed, type UploadError, uploadMultipart, uploadResumable, type UploadTarget } from "./upload.js"
import { type ObjectResource, ObjectResource as ObjectResourceSchema, RewriteResponse } from "./wire.js"

export const DEFAULT_CONTENT_TYPE = "application/octet-stream"

export const getMeta = (core: Core, operation: string, bucket: string, key: string): Effect.Effect<ObjectResource, NotFound | ProviderFailure> =>
  core.http.execute(
    HttpClientRequest.get(objectPath(bucket, key)),
    { operation, classify: objectMissing(operation, bucket, key) },
    ProviderHttp.json(ObjectResourceSchema)
  ).pipe(settle404(core, operation))

export type Body<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

export const bodyOf = <E>(operation: string, body: ObjectStorage.Body<E>): Effect.Effect<Body<E>, InvalidInput> => {
  if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: new TextEncoder().encode(body) })
  if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body })
  if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
  return Effect.fail(new InvalidInput({ ...where(operation), field: "body", reason: "must be a Uint8Array, a string or a Stream" }))
}

/** The chunk size of one upload: the call's `partSize`, else the config's; a multiple of 256 KiB. */
export const chunkSizeOf = (core: Core, operation: string, options: ObjectStorage.PutOptions): Effect.Effect<number, InvalidInput> => {
  const [field, size] = options.partSize !== undefined
    ? ["partSize", options.partSize] as const
    : ["chunkSize", core.config.chunkSize ?? DEFAULT_CHUNK_SIZE] as const
  return Number.isSafeInteger(size) && size > 0 && size % CHUNK_UNIT === 0
    ? Effect.succeed(size)
    : Effect.fail(new InvalidInput({ ...where(operation), field, reason: `must be a positive multiple of ${CHUNK_UNIT} bytes (256 KiB), as GCS resumable uploads require` }))
}

export interface PutExtras {
  readonly ifGenerationMatch?: number | undefined
  readonly storageClass?: string | undefined
}

/** Validates everything about a put, then uploads; not-found is known before a Stream body is read. */
export const putObject = <E>(
  core: Core,
  operation: string,
  container: string,
  key: string,
  body: ObjectStorage.Body<E>,
  options: ObjectStorage.PutOptions | undefined,
  extras: PutExtras = {}
): Effect.Effect<ObjectResource, E | InvalidInput | UploadError> =>
  Effect.gen(function*() {
    const bucket = yield* names.bucketName(where(operation), container)
    const name = yield* names.objectName(where(operation), key)
    const o = yield* validate.putOptions(where(operation), options)
    const chunkSize = yield* chunkSizeOf(core, operation, o)
    const threshold = core.config.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD
    if (!Number.isSafeInteger(threshold) || threshold < 0) {
      return yield* new InvalidInput({ ...where(operation), field: "multipartThreshold", reason: "must be a whole number of bytes ≥ 0" })
    }
    const source = yield* bodyOf(operation, body)
    const target: UploadTarget = {
      bucket,
      key: name,
      contentType: o.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: { ...o.metadata },
      storageClass: extras.storageClass,
      ifGenerationMatch: extras.ifGenerationMatch
    }
    return source._tag === "Bytes" && source.bytes.byteLength <= threshold
      ? yield* uploadMultipart(core, operation, target, source.bytes)
      : yield* uploadResumable(
        core,
        operation,
        target,
        source._tag === "Bytes" ? Stream.succeed(source.bytes) : source.stream,
        chunkSize
      )
  })

export interface RewriteOptions {
  /** Destination metadata; absent: copied from the source. */
  readonly destination?: Readonly<Record<string, unknown>> | undefined
}

/**
 * `rewriteTo`, repeated with `rewriteToken` until `done` (large objects,
 * or changes of location or storage class, take several calls). A 404 is
 * settled by asking for each bucket: source bucket, destination bucket, else
 * the source object.
 */
export const rewrite = (
  core: Core,
  operation: string,
  from: { readonly bucket: string; readonly key: string },
  to: { readonly bucket: string; readonly key: string },
  options: RewriteOptions = {}
): Effect.Effect<ObjectResource, NotFound | ProviderFailure> => {
  const path = `${objectPath(from.bucket, from.key)}/rewriteTo/b/${objectPath(to.bucket, to.key).slice("/storage/v1/b/".length)}`
  const call = (token: string | undefined) => {
    const request = HttpClientRequest.post(withQuery(path, { rewriteToken: token }))
    return core.http.execute(
      options.destination === undefined ? request : HttpClientRequest.bodyUnsafeJson(request, options.destination),
      // The same rewrite sent twice ends in the same object.
      { operation, idempotent: true, notFound: { resource: "object", id: `${from.bucket}/${from.key}` } },
      ProviderHttp.json(RewriteResponse)
    )
  }
  const loop = (token: string | undefined, rewritten: number): Effect.Effect<ObjectResource, NotFound | ProviderFailure> =>
    Effect.flatMap(call(token), (r) => {
      if (r.done) {
        return r.resource === undefined
          ? Effect.fail(new MalformedResponse({ ...where(operation), reason: "rewrite is done but has no resource" }))
          : Effect.succeed(r.resource)
      }
      if (r.rewriteToken === undefined || r.rewriteToken === "") {
        return Effect.fail(new MalformedResponse({ ...where(operation), reason: "rewrite is not done and has no rewriteToken" }))
      }
      if (r.rewriteToken === token && r.totalBytesRewritten <= rewritten) {
        return Effect.fail(new MalformedResponse({ ...where(operation), reason: "rewrite makes no progress" }))
      }
      return loop(r.rewriteToken, r.totalBytesRewritten)
    })
  return Effect.catchTag(loop(undefined, 0), "NotFound", () =>
    Effect.gen(function*() {
      if (!(yield* bucketExists(core, operation, from.bucket))) return yield* containerNotFound(operation, from.bucket)
      if (!(yield* bucketExists(core, operation, to.bucket))) return yield* containerNotFound(operation, to.bucket)
      return yield* objectNotFound(operation, from.bucket, from.key)
    }))
}

export interface DeleteOptions {
  readonly generation?: number | undefined
  readonly ifGenerationMatch?: number | undefined
  /** A missing object is success (the portable contract) or NotFound. */
  readonly missingOk: boolean
}

export const deleteObject = (core: Core, operation: string, bucket: string, key: string, options: DeleteOptions) =>
  core.http.execute(
    HttpClientRequest.del(withQuery(objectPath(bucket, key), { generation: options.generation, ifGenerationMatch: options.ifGenerationMatch })),
    {
      operation,
      classify: (f) =>
        f.status === 412 && options.ifGenerationMatch !== undefined
          ? preconditionFailed(operation, { bucket, key })
          : objectMissing(operation, bucket, key)(f)
    },
    ProviderHttp.empty
  ).pipe(
    settle404(core, operation),
    Effect.catchIf(
      (e): e is NotFound => options.missingOk && e._tag === "NotFound" && e.resource === "object",
      () => Effect.void
    )
  )
