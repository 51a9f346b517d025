/**
 * Google Cloud Storage (`cloudfx/gcp`, provider id "gcs") over the JSON API
 * (storage/v1 for metadata and listings, upload/storage/v1 for uploads,
 * `alt=media` for downloads), authenticated as a service account with OAuth
 * access tokens (cached, refreshed before expiry and once after a 401).
 *
 * ```ts
 * import { Gcs } from "cloudfx/gcp"
 * program.pipe(
 *   Effect.provide(Gcs.layer({ project: "my-project", serviceAccount: "/path/key.json" })),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * The layer provides `ObjectStorage` and `Gcs.Gcs` (bucket location and
 * storage class, generation preconditions, compose, storage-class changes).
 * Behaviour of each operation: storage.ts; uploads: upload.ts; naming rules:
 * names.ts.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError, Duration } from "effect"
import { Config, Context, Effect, Layer, Option } from "effect"
import type { Retry } from "../../../http/index.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import type { ServiceAccountInput } from "./auth.js"
import { makeCore } from "./core.js"
import { type GcsService, makeGcsService } from "./extras.js"
import { makeStorage } from "./storage.js"

export type { BucketOptions, ComposeOptions, DeleteOptions, GenerationPrecondition, PutOptions } from "./extras.js"
export { CHUNK_UNIT, DEFAULT_CHUNK_SIZE, DEFAULT_ENDPOINT, DEFAULT_MULTIPART_THRESHOLD } from "./core.js"
export { isRefusedKey } from "./names.js"
export type { ServiceAccountInput } from "./auth.js"

export interface GcsConfig {
  /** Where buckets are listed and created. Default: the key's `project_id`. */
  readonly project?: string
  /** The service-account key: its JSON text (Redacted or not), the parsed JSON, or a path to the file. */
  readonly serviceAccount: ServiceAccountInput
  /** Default https://storage.googleapis.com (signed and public URLs use its origin). */
  readonly endpoint?: string
  /** OAuth token endpoint override (tests, private endpoints). Default: the key's `token_uri`. */
  readonly tokenUri?: string
  /** Default devstorage.full_control (enableCdn changes bucket IAM). */
  readonly scopes?: ReadonlyArray<string>
  /** Bytes per resumable-upload chunk: a multiple of 256 KiB; default 8 MiB. Memory per upload is about this. */
  readonly chunkSize?: number
  /**
   * Accepted for symmetry with providers that upload parts in parallel. A GCS
   * resumable session takes its chunks strictly in order, so it has no effect.
   */
  readonly concurrency?: number
  /** Byte bodies up to this size go in one multipart request; default 8 MiB. */
  readonly multipartThreshold?: number
  /** Per-attempt timeout (ProviderHttp's default: 60 s). */
  readonly timeout?: Duration.DurationInput
  readonly retry?: Partial<Retry.Policy> | false
}

/** GCS beyond the portable API, provided by the same layer as ObjectStorage. */
export class Gcs extends Context.Tag("cloudfx/gcp/Gcs")<Gcs, GcsService>() {}

export type { GcsService }

const build = (config: GcsConfig) =>
  Effect.map(makeCore(config), (core) => ({ storage: makeStorage(core), gcs: makeGcsService(core) }))

/** The portable service. */
export const make = (config: GcsConfig): Effect.Effect<ObjectStorage.Service, never, HttpClient.HttpClient> =>
  Effect.map(build(config), (s) => s.storage)

/** The GCS-specific service on its own (sharing nothing with a `make` of the same config). */
export const makeGcs = (config: GcsConfig): Effect.Effect<GcsService, never, HttpClient.HttpClient> =>
  Effect.map(build(config), (s) => s.gcs)

/** ObjectStorage and Gcs, sharing one token cache. */
export const layer = (config: GcsConfig): Layer.Layer<ObjectStorage | Gcs, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(build(config), (s) => Context.make(ObjectStorage, s.storage).pipe(Context.add(Gcs, s.gcs)))
  )

const fromEnvironment: Config.Config<GcsConfig> = Config.all({
  serviceAccount: Config.redacted("GOOGLE_APPLICATION_CREDENTIALS"),
  project: Config.option(Config.nonEmptyString("GOOGLE_CLOUD_PROJECT").pipe(Config.orElse(() => Config.nonEmptyString("GCLOUD_PROJECT"))))
}).pipe(
  Config.map(({ project, serviceAccount }): GcsConfig =>
    Option.match(project, { onNone: () => ({ serviceAccount }), onSome: (p) => ({ serviceAccount, project: p }) })
  )
)

/**
 * By default GOOGLE_APPLICATION_CREDENTIALS (the key file's path, kept
 * Redacted in case it holds the JSON itself) and GOOGLE_CLOUD_PROJECT or
 * GCLOUD_PROJECT (optional: the key's project_id otherwise).
 */
export const layerConfig = (
  config?: Config.Config.Wrap<GcsConfig>
): Layer.Layer<ObjectStorage | Gcs, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config === undefined ? fromEnvironment : Config.unwrap(config), layer))
