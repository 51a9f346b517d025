/**
 * The DigitalOcean API v2 client every DigitalOcean product shares (compute,
 * load balancers, DNS): bearer token, JSON, the documented pagination
 * (`links.pages.next`) and rate limiting (429 with `ratelimit-reset`, a Unix
 * time).
 *
 * Reads are retried by the shared policy. Writes (POST) are retried only
 * when DigitalOcean refused them with 429 — a refused request did nothing —
 * never after a lost connection or a 5xx, which may have created a droplet
 * the retry would create again: the API has no idempotency token.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Schema, Stream } from "effect"
import * as Errors from "../../http/Errors.js"
import * as Paginate from "../../http/Paginate.js"
import * as ProviderHttp from "../../http/Client.js"
import * as Signer from "../../http/Signer.js"
import { MalformedResponse } from "../../schemas/Errors.js"
import { DEFAULT_ENDPOINT, type DigitalOceanConfig, PROVIDER } from "./config.js"

// shared/pages.yml + shared/meta.yml: `links.pages.next` is the URL of the next page; absent on the last.
export const Links = Schema.Struct({
  pages: Schema.optional(
    Schema.Struct({
      next: Schema.optional(Schema.String),
      last: Schema.optional(Schema.String)
    })
  )
})

/** The fields every paginated body carries besides its items. */
export const pageFields = {
  links: Schema.optional(Links),
  meta: Schema.optional(Schema.Struct({ total: Schema.Number }))
}

type Paged = { readonly links?: typeof Links.Type | undefined }

/** The most a page may hold (shared/parameters.yml `per_page`). */
export const PAGE_SIZE = 200

export interface Client {
  readonly baseUrl: string
  readonly send: <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
    request: HttpClientRequest.HttpClientRequest,
    options: O,
    read: ProviderHttp.Reader<A, E>
  ) => Effect.Effect<A, ProviderHttp.Failure<O> | E>
  /** Every item of a paginated collection, following `links.pages.next` to the end. */
  readonly list: <const O extends ProviderHttp.ExecuteOptions<unknown>, P extends Paged, I, A>(
    path: string,
    options: O,
    schema: Schema.Schema<P, I>,
    items: (page: P) => ReadonlyArray<A>,
    query?: Readonly<Record<string, string>>
  ) => Effect.Effect<ReadonlyArray<A>, ProviderHttp.Failure<O> | MalformedResponse>
  /** The same, as a Stream that asks for a page only when the consumer pulls past the previous one. */
  readonly stream: <const O extends ProviderHttp.ExecuteOptions<unknown>, P extends Paged, I, A>(
    path: string,
    options: O,
    schema: Schema.Schema<P, I>,
    items: (page: P) => ReadonlyArray<A>,
    query?: Readonly<Record<string, string>>
  ) => Stream.Stream<A, ProviderHttp.Failure<O> | MalformedResponse>
}

/**
 * A 429 without Retry-After: `ratelimit-reset` is when the oldest counted
 * request expires, in Unix seconds, measured against the server's own clock
 * (its Date header) so that clock skew does not matter.
 */
export const rateLimitedUntilReset = Errors.rateLimitedUntilReset("ratelimit-reset")

/**
 * shared/description.md: error bodies are `{ id, message, request_id? }`;
 * the default reading takes id and message, the request id is added here.
 */
export const extract: Errors.Extractor = (response) => {
  const details = Errors.defaultExtractor(response)
  if (details.requestId !== undefined) return details
  try {
    const body: unknown = JSON.parse(response.body)
    const id = typeof body === "object" && body !== null && "request_id" in body ? body.request_id : undefined
    return typeof id === "string" && id !== "" ? { ...details, requestId: id } : details
  } catch {
    return details
  }
}

export const make = (config: DigitalOceanConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.map(
    ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: config.endpoint ?? DEFAULT_ENDPOINT,
      signer: Signer.bearer(config.token),
      timeout: config.timeout,
      retry: config.retry,
      headers: { accept: "application/json" },
      extract,
      classify: rateLimitedUntilReset,
      // A refused create did nothing: it is sent again; any other failure of one is reported.
      resendRefused: true
    }),
    (http): Client => {
      const send: Client["send"] = (request, options, read) => http.execute(request, options, read)

      const stream: Client["stream"] = (path, options, schema, items, query) => {
        const where = { provider: PROVIDER, operation: options.operation }
        const fetch = (page: Option.Option<number>) =>
          send(
            HttpClientRequest.get(path).pipe(
              HttpClientRequest.setUrlParams({ ...query, page: String(Option.getOrElse(page, () => 1)), per_page: String(PAGE_SIZE) })
            ),
            options,
            ProviderHttp.json(schema)
          ).pipe(
            Effect.flatMap((body) =>
              Effect.map(nextPage(body.links?.pages?.next, where), (next) => ({ items: items(body), next }))
            )
          )
        return Paginate.stream(fetch, { where })
      }

      const list: Client["list"] = (path, options, schema, items, query) =>
        Stream.runCollect(stream(path, options, schema, items, query)).pipe(Effect.map((chunk) => [...chunk]))

      return { baseUrl: http.baseUrl, send, list, stream }
    }
  )

/**
 * The page number in a `next` link. The link itself is not followed: it
 * names a host, and the token must only ever go to the configured endpoint.
 */
const nextPage = (next: string | undefined, where: { provider: string; operation: string }): Effect.Effect<Option.Option<number>, MalformedResponse> => {
  if (next === undefined) return Effect.succeed(Option.none())
  let page: number
  try {
    page = Number(new URL(next).searchParams.get("page"))
  } catch {
    page = Number.NaN
  }
  return Number.isSafeInteger(page) && page > 0
    ? Effect.succeed(Option.some(page))
    : Effect.fail(new MalformedResponse({ ...where, reason: "links.pages.next: expected a URL with a page number" }))
}

export const jsonBody = (body: unknown) => HttpClientRequest.bodyUnsafeJson(body)
