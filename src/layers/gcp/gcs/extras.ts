/**
 * What GCS does beyond the portable API (libcloud's `ex_` methods), served
 * by the `Gcs` tag beside ObjectStorage: bucket location and storage class,
 * generation preconditions, compose, and storage-class changes.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import { ProviderHttp } from "../../../http/index.js"
import type { AlreadyExists, Conflict, IntegrityError, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import { InvalidInput } from "../../../schemas/Errors.js"
import type { Container, ObjectInfo } from "../../../schemas/Models.js"
import type { ObjectStorage } from "../../../services/ObjectStorage.js"
import { traced } from "../../../services/span.js"
import { type Core, objectMissing, objectPath, PROVIDER, settle404, where } from "./core.js"
import * as names from "./names.js"
import * as objects from "./objects.js"
import { createBucket } from "./storage.js"
import { preconditionFailed } from "./upload.js"
import { ObjectResource, toObjectInfo } from "./wire.js"

export interface BucketOptions {
  /** e.g. "US", "EU", "europe-west1". Default: GCS's ("US"). */
  readonly location?: string
  /** STANDARD, NEARLINE, COLDLINE, ARCHIVE. */
  readonly storageClass?: string
}

export interface GenerationPrecondition {
  /** Act only if the live object has this generation; 0 means "only if there is no live object". */
  readonly ifGenerationMatch?: number
}

export interface PutOptions extends ObjectStorage.PutOptions, GenerationPrecondition {
  readonly storageClass?: string
}

export interface DeleteOptions extends GenerationPrecondition {
  /** Delete this generation (a noncurrent version in a versioned bucket). */
  readonly generation?: number
}

export interface ComposeOptions extends GenerationPrecondition {
  readonly contentType?: string
}

export interface GcsService {
  readonly createBucket: (name: string, options?: BucketOptions) => Effect.Effect<Container, AlreadyExists | InvalidInput | ProviderFailure>
  /** Like ObjectStorage.putObject; a failed `ifGenerationMatch` is Conflict. */
  readonly putObject: <E = never>(
    container: string,
    key: string,
    body: ObjectStorage.Body<E>,
    options?: PutOptions
  ) => Effect.Effect<ObjectInfo, E | NotFound | Conflict | InvalidInput | IntegrityError | ProviderFailure>
  /** Unlike ObjectStorage.deleteObject, a missing object is NotFound; a failed precondition is Conflict. */
  readonly deleteObject: (container: string, key: string, options?: DeleteOptions) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
  /**
   * Concatenates 1 to 32 objects of one bucket into `destination`. The result
   * is a composite object: no MD5, so its portable etag is GCS's etag.
   */
  readonly compose: (
    container: string,
    sources: ReadonlyArray<string>,
    destination: string,
    options?: ComposeOptions
  ) => Effect.Effect<ObjectInfo, NotFound | Conflict | InvalidInput | ProviderFailure>
  /** Rewrites the object in place with a new storage class, keeping its content type and metadata. */
  readonly setStorageClass: (container: string, key: string, storageClass: string) => Effect.Effect<ObjectInfo, NotFound | InvalidInput | ProviderFailure>
}

const generation = (operation: string, field: string, value: number | undefined) =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidInput({ ...where(operation), field, reason: "must be a whole number ≥ 0" }))

const storageClass = (operation: string, value: string | undefined) =>
  value === undefined || /^[A-Z_]+$/.test(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidInput({ ...where(operation), field: "storageClass", reason: "must be a GCS storage class such as STANDARD or NEARLINE" }))

export const makeGcsService = (core: Core): GcsService => {
  const gcsOp = (name: string) => `Gcs.${name}`

  const createBucketWith: GcsService["createBucket"] = (name, options = {}) => {
    const operation = gcsOp("createBucket")
    return Effect.gen(function*() {
      const sc = yield* storageClass(operation, options.storageClass)
      if (options.location !== undefined && !/^[A-Za-z0-9-]+$/.test(options.location)) {
        return yield* new InvalidInput({ ...where(operation), field: "location", reason: "must be a GCS location such as US or europe-west1" })
      }
      return yield* createBucket(core, operation, name, {
        ...(options.location === undefined ? {} : { location: options.location }),
        ...(sc === undefined ? {} : { storageClass: sc })
      })
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
  }

  const putObject: GcsService["putObject"] = (container, key, body, options = {}) => {
    const operation = gcsOp("putObject")
    return Effect.gen(function*() {
      const ifGenerationMatch = yield* generation(operation, "ifGenerationMatch", options.ifGenerationMatch)
      const sc = yield* storageClass(operation, options.storageClass)
      const stored = yield* objects.putObject(core, operation, container, key, body, options, { ifGenerationMatch, storageClass: sc })
      return toObjectInfo(stored)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const deleteObject: GcsService["deleteObject"] = (container, key, options = {}) => {
    const operation = gcsOp("deleteObject")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      const gen = yield* generation(operation, "generation", options.generation)
      const ifGenerationMatch = yield* generation(operation, "ifGenerationMatch", options.ifGenerationMatch)
      yield* objects.deleteObject(core, operation, bucket, name, { generation: gen, ifGenerationMatch, missingOk: false })
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const compose: GcsService["compose"] = (container, sources, destination, options = {}) => {
    const operation = gcsOp("compose")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const dest = yield* names.objectName(where(operation), destination, "destination")
      if (sources.length < 1 || sources.length > 32) {
        return yield* new InvalidInput({ ...where(operation), field: "sources", reason: "must name 1 to 32 objects" })
      }
      const names_ = yield* Effect.forEach(sources, (s, i) => names.objectName(where(operation), s, `sources[${i}]`))
      const ifGenerationMatch = yield* generation(operation, "ifGenerationMatch", options.ifGenerationMatch)
      if (options.contentType !== undefined && (options.contentType === "" || /[\r\n]/.test(options.contentType))) {
        return yield* new InvalidInput({ ...where(operation), field: "contentType", reason: "must be a single-line media type" })
      }
      const request = HttpClientRequest.post(
        `${objectPath(bucket, dest)}/compose${ifGenerationMatch === undefined ? "" : `?ifGenerationMatch=${ifGenerationMatch}`}`
      ).pipe(
        // https://cloud.google.com/storage/docs/json_api/v1/objects/compose
        HttpClientRequest.bodyUnsafeJson({
          sourceObjects: names_.map((name) => ({ name })),
          destination: { contentType: options.contentType ?? objects.DEFAULT_CONTENT_TYPE }
        })
      )
      const composed = yield* core.http.execute(
        request,
        {
          operation,
          // The same sources composed twice give the same object.
          idempotent: true,
          classify: (f) =>
            f.status === 412 && ifGenerationMatch !== undefined
              ? preconditionFailed(operation, { bucket, key: dest })
              : objectMissing(operation, bucket, dest)(f)
        },
        ProviderHttp.json(ObjectResource)
      ).pipe(settle404(core, operation))
      return toObjectInfo(composed)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": destination }))
  }

  const setStorageClass: GcsService["setStorageClass"] = (container, key, cls) => {
    const operation = gcsOp("setStorageClass")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      const sc = yield* storageClass(operation, cls)
      if (sc === undefined) return yield* new InvalidInput({ ...where(operation), field: "storageClass", reason: "is required" })
      const current = yield* objects.getMeta(core, operation, bucket, name)
      // A rewrite with a body takes the body as the new object's metadata: carry the current one over.
      const rewritten = yield* objects.rewrite(core, operation, { bucket, key: name }, { bucket, key: name }, {
        destination: {
          storageClass: sc,
          ...(current.contentType === undefined ? {} : { contentType: current.contentType }),
          ...(current.contentEncoding === undefined ? {} : { contentEncoding: current.contentEncoding }),
          ...(current.metadata === undefined || current.metadata === null ? {} : { metadata: current.metadata })
        }
      })
      return toObjectInfo(rewritten)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  return { createBucket: createBucketWith, putObject, deleteObject, compose, setStorageClass }
}
