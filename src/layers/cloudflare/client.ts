/**
 * The Cloudflare API v4 client: bearer API token, the JSON envelope
 * (`{ success, errors, result, result_info }`), error codes read out of the
 * envelope (with their `error_chain`) and page-number pagination followed
 * to the end.
 *
 * Reads, PUTs and DELETEs are retried by the shared policy. POST and PATCH
 * are retried only when Cloudflare refused them with 429 — a refused request
 * did nothing — never after a lost connection or a 5xx: the API has no
 * idempotency key, and a second POST would create a second record.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Schema, Stream } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import * as Decode from "../../http/Decode.js"
import type * as Errors from "../../http/Errors.js"
import * as Paginate from "../../http/Paginate.js"
import * as Signer from "../../http/Signer.js"
import { AlreadyExists, Conflict, InvalidCredentials, type MalformedResponse, NotFound, ProviderError, type ProviderFailure } from "../../schemas/Errors.js"
import { type CloudflareConfig, DEFAULT_ENDPOINT, DEFAULT_PAGE_SIZE, PROVIDER } from "./config.js"
import * as Wire from "./wire.js"

// ---------------------------------------------------------------- error bodies

const parseErrors = (body: string): ReadonlyArray<Wire.ApiError> => {
  try {
    const parsed: unknown = JSON.parse(body)
    const decoded = Schema.decodeUnknownOption(Schema.Struct({ errors: Schema.Array(Wire.ApiError) }))(parsed)
    return Option.match(decoded, { onNone: () => [], onSome: (b) => b.errors })
  } catch {
    return []
  }
}

/** Every code in the errors and their chains, outermost first. */
export const codesOf = (errors: ReadonlyArray<Wire.ApiError>): ReadonlyArray<number> =>
  errors.flatMap((e) => [e.code, ...codesOf(e.error_chain ?? [])])

const describe = (e: Wire.ApiError): string => {
  const own = `${e.message} (${e.code})`
  const chain = e.error_chain ?? []
  return chain.length === 0 ? own : `${own}: ${chain.map(describe).join("; ")}`
}

/**
 * All errors, chains included, as one sentence:
 * "Invalid request headers (6003): Invalid format for Authorization header (6111)".
 */
export const describeErrors = (errors: ReadonlyArray<Wire.ApiError>): string | undefined =>
  errors.length === 0 ? undefined : errors.map(describe).join("; ")

export const extract: Errors.Extractor = (response) => {
  const errors = parseErrors(response.body)
  const first = errors[0]
  return {
    code: first === undefined ? undefined : String(first.code),
    message: describeErrors(errors),
    requestId: response.headers["cf-ray"]
  }
}

// ---------------------------------------------------------------- codes → taxonomy

/** "Authentication error": the token itself was refused, whatever the status. */
const AUTHENTICATION_ERROR = 10000
/** 9109 is "Invalid access token" with a 401, "Unauthorized to access requested resource" with a 403. */
const ACCESS_TOKEN = 9109
/** "No route for that URI" / "Could not route to …, perhaps your object identifier is invalid?" */
export const NO_ROUTE = [7000, 7003] as const
/** "Record does not exist." */
export const RECORD_MISSING = 81044
/** "Record already exists." / "An identical record already exists." */
export const RECORD_EXISTS = [81057, 81058] as const
/** "An A, AAAA, or CNAME record with that host already exists." / "A CNAME record with that host already exists." */
export const NAME_TAKEN = [81053, 81054] as const
/** "<domain> already exists" on zone creation. */
export const ZONE_EXISTS = 1061

export interface Rules {
  /** NO_ROUTE, RECORD_MISSING and 404 → NotFound for this resource. */
  readonly notFound?: Errors.Target | undefined
  /** RECORD_EXISTS → AlreadyExists (a create) or Conflict (an update). */
  readonly exists?: { readonly as: "AlreadyExists" | "Conflict"; readonly target: Errors.Target } | undefined
  /** NAME_TAKEN → Conflict. */
  readonly nameTaken?: Errors.Target | undefined
  /** ZONE_EXISTS → AlreadyExists. */
  readonly zoneExists?: Errors.Target | undefined
}

export type Classified<R extends Rules> =
  | InvalidCredentials
  | (R extends { readonly notFound: Errors.Target } ? NotFound : never)
  | (R extends { readonly exists: { readonly as: infer K } } ? (K extends "AlreadyExists" ? AlreadyExists : Conflict) : never)
  | (R extends { readonly nameTaken: Errors.Target } ? Conflict : never)
  | (R extends { readonly zoneExists: Errors.Target } ? AlreadyExists : never)

/**
 * Cloudflare's codes say more than its statuses (a missing record can be a
 * 400 7003 or a 404 81044; an existing one a 400 81057), so the codes decide
 * first, then the status table.
 */
export const classify = <const R extends Rules>(rules: R) => (failure: Errors.FailureContext): Classified<R> | undefined => {
  const codes = codesOf(parseErrors(failure.body))
  const has = (...wanted: ReadonlyArray<number>) => codes.some((c) => wanted.includes(c))
  const where = failure.where
  const reason = failure.message ?? "Cloudflare refused the request"
  if (has(AUTHENTICATION_ERROR) || (failure.status === 401 && has(ACCESS_TOKEN))) {
    return new InvalidCredentials({ ...where, reason }) as Classified<R>
  }
  if (rules.zoneExists !== undefined && has(ZONE_EXISTS)) return new AlreadyExists({ ...where, ...rules.zoneExists }) as Classified<R>
  if (rules.exists !== undefined && has(...RECORD_EXISTS)) {
    return (rules.exists.as === "AlreadyExists"
      ? new AlreadyExists({ ...where, ...rules.exists.target })
      : new Conflict({ ...where, ...rules.exists.target, reason })) as Classified<R>
  }
  if (rules.nameTaken !== undefined && has(...NAME_TAKEN)) return new Conflict({ ...where, ...rules.nameTaken, reason }) as Classified<R>
  if (rules.notFound !== undefined && (failure.status === 404 || has(...NO_ROUTE, RECORD_MISSING))) {
    return new NotFound({ ...where, ...rules.notFound }) as Classified<R>
  }
  return undefined
}

// ---------------------------------------------------------------- the client

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next: Option.Option<number>
}

export interface Client {
  readonly pageSize: number
  /** Sends a request and returns the envelope's `result`. */
  readonly send: <const R extends Rules, A, I>(
    request: HttpClientRequest.HttpClientRequest,
    operation: string,
    rules: R,
    result: Schema.Schema<A, I>
  ) => Effect.Effect<A, ProviderFailure | Classified<R>>
  /** Every item of a listing, one page per pull, until `result_info` says there are no more. */
  readonly list: <const R extends Rules, A, I>(
    path: string,
    operation: string,
    rules: R,
    item: Schema.Schema<A, I>,
    query?: Readonly<Record<string, string>>
  ) => Stream.Stream<A, ProviderFailure | Classified<R>>
}

interface Answer<A> {
  readonly result: A
  readonly result_info: typeof Wire.ResultInfo.Type | null | undefined
}

/**
 * The page after `page`, from `result_info`: `total_pages` when given, else
 * `total_count` / `per_page`; else a full page means there may be more.
 */
export const nextPage = (
  info: typeof Wire.ResultInfo.Type | null | undefined,
  page: number,
  received: number,
  asked: number
): Option.Option<number> => {
  if (info === undefined || info === null) return Option.none()
  const perPage = info.per_page ?? asked
  const total = info.total_pages ??
    (info.total_count === undefined || perPage <= 0 ? undefined : Math.ceil(info.total_count / perPage))
  if (total !== undefined) return page < total && received > 0 ? Option.some(page + 1) : Option.none()
  return received >= perPage && received > 0 ? Option.some(page + 1) : Option.none()
}

export const make = (config: CloudflareConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.map(
    ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: config.endpoint ?? DEFAULT_ENDPOINT,
      signer: Signer.bearer(config.apiToken),
      timeout: config.timeout,
      retry: config.retry,
      headers: { accept: "application/json" },
      extract,
      // A refused create did nothing: it is sent again; any other failure of one is reported.
      resendRefused: true
    }),
    (http): Client => {
      const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE

      const exchange = <const R extends Rules, A, I>(
        request: HttpClientRequest.HttpClientRequest,
        operation: string,
        rules: R,
        result: Schema.Schema<A, I>
      ) => {
        // The envelope first: a refusal carries `result: null`, which the result schema would call malformed.
        const out = http.execute(
          request,
          { operation, classify: classify(rules) },
          (response, where) =>
            Effect.flatMap(ProviderHttp.json(Wire.Envelope(Schema.Unknown))(response, where), (body): Effect.Effect<Answer<A>, ProviderError | MalformedResponse> =>
              body.success
                ? Effect.map(Decode.decodeUnknown(result, where)(body.result), (decoded) => ({ result: decoded, result_info: body.result_info }))
                : Effect.fail(
                  new ProviderError({
                    ...where,
                    status: response.status,
                    detail: describeErrors(body.errors ?? []) ?? "success: false",
                    ...(body.errors?.[0] === undefined ? {} : { code: String(body.errors[0].code) })
                  })
                ))
        )
        // The options carry only `classify`: what can fail is ProviderFailure and what it returns.
        return out as Effect.Effect<Answer<A>, ProviderFailure | Classified<R>>
      }

      const send: Client["send"] = (request, operation, rules, result) =>
        Effect.map(exchange(request, operation, rules, result), (body) => body.result)

      const list: Client["list"] = (path, operation, rules, item, query) => {
        const where = { provider: PROVIDER, operation }
        const fetch = (token: Option.Option<number>) => {
          const page = Option.getOrElse(token, () => 1)
          return Effect.map(
            exchange(
              HttpClientRequest.get(path).pipe(
                HttpClientRequest.setUrlParams({ ...query, page: String(page), per_page: String(pageSize) })
              ),
              operation,
              rules,
              Schema.Array(item)
            ),
            (body): Paginate.Page<(typeof item)["Type"], number> => ({
              items: body.result,
              next: nextPage(body.result_info, page, body.result.length, pageSize)
            })
          )
        }
        return Paginate.stream(fetch, { where })
      }

      return { pageSize, send, list }
    }
  )
