/**
 * What every GCE operation shares: the provider's HTTP client (bearer signer,
 * GCE error reading), JSON requests decoded through wire schemas, list
 * pagination, and mutating calls that send a `requestId` and wait for their
 * Operation to be DONE.
 *
 * Every mutating call carries a fresh `requestId` (a UUID), which GCE uses
 * to ignore a repeat of a request it has already taken: so it is marked
 * idempotent and retried like a GET, and a POST that timed out is never
 * turned into two instances.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Option, Schedule, type Schema, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { Paginate, ProviderHttp, Url } from "../../../http/index.js"
import { pollUntil } from "../../../services/poll.js"
import { makeSigner } from "./auth.js"
import { DEFAULT_ENDPOINT, type GceConfig, MAX_PAGE_SIZE } from "./config.js"
import { classify, extract, type GceFailure, operationFailure, operationTimedOut, type Target } from "./errors.js"
import { lastSegment, regionOfZone } from "./names.js"
import { Operation } from "./wire.js"

export const DEFAULT_PROVIDER = "gce"

export interface Core {
  readonly http: ProviderHttp.ProviderHttp
  readonly provider: string
  readonly project: string
  readonly zone: string
  readonly region: string
  readonly config: GceConfig
  readonly pageSize: number
}

/** "https://compute.googleapis.com", with or without gcloud's "/compute/v1/" suffix. */
const apiRoot = (endpoint: string | undefined) =>
  (endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "").replace(/\/compute\/v1$/, "")

export const makeCore = (config: GceConfig): Effect.Effect<Core, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const provider = config.name ?? DEFAULT_PROVIDER
    const signer = yield* makeSigner({
      provider,
      serviceAccount: config.serviceAccount,
      tokenUri: config.tokenUri,
      scopes: config.scopes
    })
    const http = yield* ProviderHttp.make({
      provider,
      baseUrl: `${apiRoot(config.endpoint)}/compute/v1/projects`,
      signer,
      extract,
      timeout: config.timeout,
      retry: config.retry
    })
    const pageSize = config.pageSize === undefined || !Number.isSafeInteger(config.pageSize)
      ? MAX_PAGE_SIZE
      : Math.min(MAX_PAGE_SIZE, Math.max(1, config.pageSize))
    return { http, provider, project: config.project, zone: config.zone, region: regionOfZone(config.zone), config, pageSize }
  })

export const where = (core: Core, operation: string) => ({ provider: core.provider, operation })

export interface CallOptions {
  readonly operation: string
  /** Names the resource for NotFound / AlreadyExists / Conflict; without it those statuses are ProviderError. */
  readonly target?: Target | undefined
  readonly idempotent?: boolean | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

const withQuery = (path: string, query: Url.QueryInput) => Url.appendQuery(path, Url.query(query))

const send = <A, I>(
  core: Core,
  request: HttpClientRequest.HttpClientRequest,
  options: CallOptions,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, GceFailure> =>
  core.http.execute(
    HttpClientRequest.acceptJson(request),
    {
      operation: options.operation,
      target: options.target,
      idempotent: options.idempotent,
      timeout: options.timeout,
      classify: classify(options.target)
    },
    ProviderHttp.json(schema)
  )

/** GET one resource. */
export const get = <A, I>(core: Core, path: string, options: CallOptions, schema: Schema.Schema<A, I>) =>
  send(core, HttpClientRequest.get(path), options, schema)

/** Every page of a list, `maxResults` at a time, `pageToken` to the end. */
export const list = <T, L extends { readonly nextPageToken?: string | undefined }, I>(
  core: Core,
  path: string,
  options: CallOptions,
  schema: Schema.Schema<L, I>,
  items: (page: L) => ReadonlyArray<T>
): Effect.Effect<ReadonlyArray<T>, GceFailure> =>
  Paginate.stream(
    (token: Option.Option<string>) =>
      get(core, withQuery(path, { maxResults: core.pageSize, pageToken: Option.getOrUndefined(token) }), options, schema).pipe(
        Effect.map((page) => ({
          items: items(page),
          next: page.nextPageToken === undefined || page.nextPageToken === "" ? Option.none<string>() : Option.some(page.nextPageToken)
        }))
      ),
    { where: where(core, options.operation) }
  ).pipe(Stream.runCollect, Effect.map((chunk) => [...chunk]))

const defaultOperationSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("250 millis").pipe(
  Schedule.union(Schedule.spaced("5 seconds"))
)

/** `wait` returns after at most 2 minutes (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/wait). */
const WAIT_TIMEOUT = Duration.seconds(150)

const operationPath = (core: Core, op: Operation) => {
  const zone = lastSegment(op.zone)
  const region = lastSegment(op.region)
  const scope = zone !== undefined ? Url.path("zones", zone) : region !== undefined ? Url.path("regions", region) : "/global"
  return `${Url.path(core.project)}${scope}${Url.path("operations", op.name)}/wait`
}

/**
 * Asks about an operation (`…/operations/{name}/wait`, which holds the
 * answer server-side until DONE or about 2 minutes) on the configured
 * schedule until it is DONE, then turns its `error` into the taxonomy.
 */
export const awaitOperation = (core: Core, op: Operation, options: CallOptions): Effect.Effect<Operation, GceFailure> =>
  Effect.gen(function*() {
    const w = where(core, options.operation)
    const done = op.status === "DONE"
      ? op
      : yield* pollUntil({
        provider: core.provider,
        operation: options.operation,
        waitingFor: `operation ${op.name}`,
        check: send(core, HttpClientRequest.post(operationPath(core, op)), { operation: options.operation, idempotent: true, timeout: WAIT_TIMEOUT }, Operation),
        done: (current) => current.status === "DONE",
        schedule: core.config.operationSchedule ?? defaultOperationSchedule,
        timeout: core.config.operationTimeout ?? "10 minutes"
      }).pipe(Effect.catchTag("Timeout", (t) => Effect.fail(operationTimedOut(w, op.name, t.after))))
    const failure = operationFailure(w, done, options.target)
    return failure === undefined ? done : yield* Effect.fail(failure)
  })

/** Sends a mutating call with a fresh `requestId` (so retrying it is safe) and returns its Operation, not yet DONE. */
export const start = (
  core: Core,
  method: "POST" | "DELETE",
  path: string,
  options: CallOptions & { readonly body?: unknown; readonly query?: Record<string, string | undefined> }
): Effect.Effect<Operation, GceFailure> =>
  Effect.suspend(() => {
    const url = withQuery(path, { ...options.query, requestId: randomUUID() })
    const base = method === "POST" ? HttpClientRequest.post(url) : HttpClientRequest.del(url)
    const request = options.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, options.body)
    return send(core, request, { ...options, idempotent: true }, Operation)
  })

/** A mutating call, waited on until its Operation is DONE. */
export const mutate = (
  core: Core,
  method: "POST" | "DELETE",
  path: string,
  options: CallOptions & { readonly body?: unknown; readonly query?: Record<string, string | undefined> }
): Effect.Effect<Operation, GceFailure> => Effect.flatMap(start(core, method, path, options), (op) => awaitOperation(core, op, options))

