/**
 * The Linode API v4 client: bearer token, JSON, page/pages pagination and
 * the documented errors (`{ errors: [{ reason, field? }] }`) and rate
 * limits (429 with Retry-After, X-RateLimit-Reset).
 *
 * Reads are retried by the shared policy. Writes (POST) are retried only
 * when Linode refused them with 429 — never after a lost connection or a
 * 5xx, which may have created a Linode the retry would create again: the
 * API has no idempotency token.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, type Schema, Stream } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import * as Errors from "../../http/Errors.js"
import * as Paginate from "../../http/Paginate.js"
import * as Signer from "../../http/Signer.js"
import { MalformedResponse } from "../../schemas/Errors.js"
import { DEFAULT_ENDPOINT, type LinodeConfig, PROVIDER } from "./config.js"

/** The most a page may hold ("Page sizes … can be set to return between 25 and 500"). */
export const PAGE_SIZE = 500

interface Paged {
  readonly page: number
  readonly pages: number
}

export interface Client {
  readonly send: <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
    request: HttpClientRequest.HttpClientRequest,
    options: O,
    read: ProviderHttp.Reader<A, E>
  ) => Effect.Effect<A, ProviderHttp.Failure<O> | E>
  /** Every item of a paginated collection, page after page until `pages`. */
  readonly list: <const O extends ProviderHttp.ExecuteOptions<unknown>, P extends Paged, I, A>(
    path: string,
    options: O,
    schema: Schema.Schema<P, I>,
    items: (page: P) => ReadonlyArray<A>
  ) => Effect.Effect<ReadonlyArray<A>, ProviderHttp.Failure<O> | MalformedResponse>
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The first error's field as the code, every reason as the message. */
export const extract: Errors.Extractor = (response) => {
  try {
    const body: unknown = JSON.parse(response.body)
    const errors = isRecord(body) && Array.isArray(body["errors"]) ? body["errors"].filter(isRecord) : []
    const reasons = errors.map((e) => e["reason"]).filter((r): r is string => typeof r === "string" && r !== "")
    const field = errors[0]?.["field"]
    return {
      ...(typeof field === "string" && field !== "" ? { code: field } : {}),
      ...(reasons.length === 0 ? {} : { message: reasons.join("; ") })
    }
  } catch {
    return {}
  }
}

/** A 429 without Retry-After: X-RateLimit-Reset is the end of the window in Unix seconds (server clock). */
export const rateLimitedUntilReset = Errors.rateLimitedUntilReset("x-ratelimit-reset")


export const make = (config: LinodeConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
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

      const list: Client["list"] = (path, options, schema, items) => {
        const where = { provider: PROVIDER, operation: options.operation }
        const fetch = (page: Option.Option<number>) =>
          send(
            HttpClientRequest.get(path).pipe(
              HttpClientRequest.setUrlParams({ page: String(Option.getOrElse(page, () => 1)), page_size: String(PAGE_SIZE) })
            ),
            options,
            ProviderHttp.json(schema)
          ).pipe(
            Effect.map((body) => ({
              items: items(body),
              next: body.page < body.pages ? Option.some(body.page + 1) : Option.none<number>()
            }))
          )
        return Stream.runCollect(Paginate.stream(fetch, { where })).pipe(Effect.map((chunk) => [...chunk]))
      }

      return { send, list }
    }
  )

export const jsonBody = (body: unknown) => HttpClientRequest.bodyUnsafeJson(body)
