/**
 * The Hetzner Cloud API v1 client: bearer token, JSON, `meta.pagination`
 * and the documented errors (`{ error: { code, message, details } }`) and
 * rate limits (429 `rate_limit_exceeded` with RateLimit-Reset, a Unix time).
 *
 * Reads are retried by the shared policy. Writes (POST) are retried only
 * when Hetzner refused them with 429 — never after a lost connection or a
 * 5xx, which may have created a server the retry would create again: the
 * API has no idempotency token.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, type Schema, Stream } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import * as Errors from "../../http/Errors.js"
import * as Paginate from "../../http/Paginate.js"
import * as Signer from "../../http/Signer.js"
import { type MalformedResponse, ProviderError } from "../../schemas/Errors.js"
import { DEFAULT_ENDPOINT, type HetznerConfig, PROVIDER } from "./config.js"

/** The most a page may hold ("per_page … maximum 50"). */
export const PAGE_SIZE = 50

interface Paged {
  readonly meta?: { readonly pagination: { readonly next_page: number | null } } | undefined
}

export interface Client {
  readonly send: <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
    request: HttpClientRequest.HttpClientRequest,
    options: O,
    read: ProviderHttp.Reader<A, E>
  ) => Effect.Effect<A, ProviderHttp.Failure<O> | E>
  /** Every item of a paginated collection, following `meta.pagination.next_page` to the end. */
  readonly list: <const O extends ProviderHttp.ExecuteOptions<unknown>, P extends Paged, I, A>(
    path: string,
    options: O,
    schema: Schema.Schema<P, I>,
    items: (page: P) => ReadonlyArray<A>,
    query?: Readonly<Record<string, string>>
  ) => Effect.Effect<ReadonlyArray<A>, ProviderHttp.Failure<O> | MalformedResponse>
}

/** A 429 without Retry-After: RateLimit-Reset is when the bucket is full again, in Unix seconds (server clock). */
export const rateLimitedUntilReset = Errors.rateLimitedUntilReset("ratelimit-reset")

/**
 * 403 `resource_limit_exceeded` is a quota (servers, volumes, cores per
 * project), not a missing permission: a ProviderError that says so.
 */
const quota = (failure: Errors.FailureContext): ProviderError | undefined =>
  failure.status === 403 && failure.code === "resource_limit_exceeded"
    ? new ProviderError({
      ...failure.where,
      status: 403,
      code: failure.code,
      detail: failure.message ?? "resource limit exceeded",
      ...(failure.requestId === undefined ? {} : { requestId: failure.requestId })
    })
    : undefined


export const make = (config: HetznerConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.map(
    ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: config.endpoint ?? DEFAULT_ENDPOINT,
      signer: Signer.bearer(config.token),
      timeout: config.timeout,
      retry: config.retry,
      headers: { accept: "application/json" },
      classify: (failure) => quota(failure) ?? rateLimitedUntilReset(failure),
      // A refused create did nothing: it is sent again; any other failure of one is reported.
      resendRefused: true
    }),
    (http): Client => {
      const send: Client["send"] = (request, options, read) => http.execute(request, options, read)

      const list: Client["list"] = (path, options, schema, items, query) => {
        const where = { provider: PROVIDER, operation: options.operation }
        const fetch = (page: Option.Option<number>) =>
          send(
            HttpClientRequest.get(path).pipe(
              HttpClientRequest.setUrlParams({ ...query, page: String(Option.getOrElse(page, () => 1)), per_page: String(PAGE_SIZE) })
            ),
            options,
            ProviderHttp.json(schema)
          ).pipe(
            Effect.map((body) => ({ items: items(body), next: Option.fromNullable(body.meta?.pagination.next_page) }))
          )
        return Stream.runCollect(Paginate.stream(fetch, { where })).pipe(Effect.map((chunk) => [...chunk]))
      }

      return { send, list }
    }
  )

export const jsonBody = (body: unknown) => HttpClientRequest.bodyUnsafeJson(body)
