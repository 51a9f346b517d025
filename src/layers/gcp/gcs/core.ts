/**
 * What every GCS operation shares: the provider's HTTP client (bearer
 * signer, GCS error extractor), paths, and telling "no such bucket" from "no
 * such object" on a 404 — GCS answers both with reason `notFound`, and says
 * which in the message ("The specified bucket does not exist." / "No such
 * object: b/o"); when the message says neither, a bucket GET decides.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { type Duration, Effect, Option, Schema } from "effect"
import { type Errors, ProviderHttp, type Retry, Url } from "../../../http/index.js"
import { InvalidCredentials, NotFound, RateLimited } from "../../../schemas/Errors.js"
import { type Auth, makeAuth, type ServiceAccountInput } from "./auth.js"
import { BucketResource, extractError } from "./wire.js"

export const PROVIDER = "gcs"
export const DEFAULT_ENDPOINT = "https://storage.googleapis.com"
/** GCS resumable chunks must be multiples of this (except the last). */
export const CHUNK_UNIT = 256 * 1024
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
/** Byte bodies up to this go in one multipart request; above it, a resumable session. */
export const DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024

export interface CoreConfig {
  readonly project?: string | undefined
  readonly serviceAccount: ServiceAccountInput
  readonly endpoint?: string | undefined
  readonly tokenUri?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly chunkSize?: number | undefined
  readonly multipartThreshold?: number | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export interface Core {
  readonly http: ProviderHttp.ProviderHttp
  readonly auth: Auth
  /** The endpoint without a trailing "/" (public and signed URLs are built on it). */
  readonly endpoint: string
  readonly config: CoreConfig
}

export const where = (operation: string) => ({ provider: PROVIDER, operation })
export const op = (name: string) => `ObjectStorage.${name}`

export const makeCore = (config: CoreConfig): Effect.Effect<Core, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const endpoint = (config.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "")
    const auth = yield* makeAuth({
      provider: PROVIDER,
      serviceAccount: config.serviceAccount,
      tokenUri: config.tokenUri,
      scopes: config.scopes
    })
    const base = yield* ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: endpoint,
      signer: auth.signer,
      extract: extractError,
      timeout: config.timeout,
      retry: config.retry
    })
    // Throttling by reason whatever the status (GCS has answered rateLimitExceeded with 403 as well as 429).
    const execute = ((request: HttpClientRequest.HttpClientRequest, options: ProviderHttp.ExecuteOptions<unknown>, read?: ProviderHttp.Reader<unknown, unknown, unknown>) =>
      base.execute(
        request,
        { ...options, classify: (f: Errors.FailureContext) => options.classify?.(f) ?? throttled(f) },
        read as ProviderHttp.Reader<unknown, unknown, unknown>
      )) as ProviderHttp.ProviderHttp["execute"]
    return { http: { ...base, execute }, auth, endpoint, config }
  })

const throttled = (f: Errors.FailureContext): RateLimited | undefined =>
  f.code === "rateLimitExceeded" || f.code === "userRateLimitExceeded"
    ? Option.match(f.retryAfter, {
      onNone: () => new RateLimited({ ...f.where }),
      onSome: (retryAfter) => new RateLimited({ ...f.where, retryAfter })
    })
    : undefined

export const bucketPath = (bucket: string) => `/storage/v1/b/${Url.segment(bucket)}`
/** JSON-API object names are one path segment: "/" is encoded too. */
export const objectPath = (bucket: string, key: string) => `${bucketPath(bucket)}/o/${Url.segment(key)}`
export const uploadPath = (bucket: string) => `/upload/storage/v1/b/${Url.segment(bucket)}/o`

export const withQuery = (path: string, query: Url.QueryInput) => {
  const q = Url.query(query)
  return q === "" ? path : `${path}?${q}`
}

export const containerNotFound = (operation: string, bucket: string) =>
  new NotFound({ ...where(operation), resource: "container", id: bucket })
export const objectNotFound = (operation: string, bucket: string, key: string) =>
  new NotFound({ ...where(operation), resource: "object", id: `${bucket}/${key}` })

/**
 * A 404 whose message does not say whether the bucket or the object is missing.
 * A Schema class, not `Data.TaggedError`, whose emitted declaration has `any`.
 */
export class Unclear404 extends Schema.TaggedError<Unclear404>()("GcsUnclear404", { bucket: Schema.String, key: Schema.String }) {}

/** `classify` for requests about one object: 404 → NotFound of the bucket or the object, or Unclear404. */
export const objectMissing = (operation: string, bucket: string, key: string) => (f: Errors.FailureContext) => {
  if (f.status !== 404) return undefined
  const message = f.message ?? ""
  if (/bucket does not exist/i.test(message)) return containerNotFound(operation, bucket)
  const named = /^no such object: (.+)$/i.exec(message)
  // The message names the missing object (for compose, one of the sources).
  if (named !== null) return new NotFound({ ...where(operation), resource: "object", id: named[1]! })
  if (/^no such object/i.test(message)) return objectNotFound(operation, bucket, key)
  return new Unclear404({ bucket, key })
}

/** Whether a bucket exists: true, false on 404, and true when we cannot tell (e.g. no storage.buckets.get permission). */
export const bucketExists = (core: Core, operation: string, bucket: string): Effect.Effect<boolean> =>
  core.http.execute(
    HttpClientRequest.get(bucketPath(bucket)),
    { operation, notFound: { resource: "container", id: bucket } },
    ProviderHttp.json(BucketResource)
  ).pipe(
    Effect.as(true),
    Effect.catchAll((e) => Effect.succeed(e._tag !== "NotFound"))
  )

/** Settles an Unclear404 by asking for the bucket. */
export const settle404 = (core: Core, operation: string) => <A, E, R>(self: Effect.Effect<A, E | Unclear404, R>): Effect.Effect<A, E | NotFound, R> =>
  Effect.catchIf(
    self,
    (e): e is Unclear404 => e instanceof Unclear404,
    (e) =>
      Effect.flatMap(bucketExists(core, operation, e.bucket), (exists) =>
        Effect.fail(exists ? objectNotFound(operation, e.bucket, e.key) : containerNotFound(operation, e.bucket)))
  ) as Effect.Effect<A, E | NotFound, R>

/** The project buckets are listed and created in: the config's, else the key's `project_id`. */
export const projectOf = (core: Core, operation: string): Effect.Effect<string, InvalidCredentials> =>
  core.config.project !== undefined && core.config.project !== ""
    ? Effect.succeed(core.config.project)
    : Effect.flatMap(
      Effect.mapError(core.auth.credentials, (e) => new InvalidCredentials({ ...where(operation), reason: e.reason })),
      (c) =>
        c.projectId !== undefined && c.projectId !== ""
          ? Effect.succeed(c.projectId)
          : Effect.fail(
            new InvalidCredentials({ ...where(operation), reason: "no project: set the config's project or use a key with project_id" })
          )
    )
