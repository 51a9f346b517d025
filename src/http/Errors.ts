/**
 * HTTP answers → the error taxonomy (DESIGN.md §4).
 *
 * The status decides the error; the provider only helps read its body (code,
 * message, request id) and, where one status means different things for one
 * operation (S3's 409 BucketAlreadyOwnedByYou vs BucketNotEmpty), overrides
 * the mapping by code. Everything that comes from the wire and ends up in an
 * error is passed through `Redact.text`, so an echoed URL or header cannot
 * carry a secret into a log.
 */
import type { HttpClientError, HttpClientResponse } from "@effect/platform"
import { Headers } from "@effect/platform"
import { Clock, Duration, Effect, Option, Stream } from "effect"
import { XMLParser } from "fast-xml-parser"
import {
  AlreadyExists,
  Conflict,
  InvalidCredentials,
  MalformedResponse,
  NotFound,
  PermissionDenied,
  type ProviderFailure,
  ProviderError,
  RateLimited,
  Transport
} from "../schemas/Errors.js"
import type { Where } from "../services/validate.js"
import * as Redact from "./Redact.js"

export type { Where }

/** The resource a request is about, used to fill NotFound / AlreadyExists / Conflict. */
export interface Target {
  readonly resource: string
  readonly id: string
}

/** Every error a response or transport failure can be mapped to. */
export type HttpError = NotFound | AlreadyExists | Conflict | ProviderFailure

/** What a provider's error body and headers say about a failure. */
export interface Details {
  readonly code?: string | undefined
  readonly message?: string | undefined
  readonly requestId?: string | undefined
}

/** A failed response, with its body already read (bounded) as text. */
export interface FailedResponse {
  readonly status: number
  readonly headers: Headers.Headers
  /** At most `errorBodyLimit` bytes of the body, decoded as UTF-8 ("" for HEAD). */
  readonly body: string
  /** The request URL (only ever shown redacted). */
  readonly url: string
}

/** Reads provider details out of a failed response. */
export type Extractor = (response: FailedResponse) => Details

/** Headers providers put their request id in, most specific first. */
export const requestIdHeaders: ReadonlyArray<string> = [
  "x-amz-request-id",
  "x-ms-request-id",
  "x-openstack-request-id",
  "x-compute-request-id",
  "x-trans-id",
  "x-guploader-uploadid",
  "x-request-id",
  "request-id",
  "x-correlation-id",
  "cf-ray"
]

const nonEmpty = (u: unknown): string | undefined =>
  typeof u === "string" && u.trim() !== "" ? u.trim() : typeof u === "number" ? String(u) : undefined

const requestIdFrom = (headers: Headers.Headers): string | undefined => {
  for (const name of requestIdHeaders) {
    const v = headers[name]
    if (v !== undefined && v !== "") return v
  }
  return undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// JSON error shapes, in the order they are tried:
//   {error: {code, message}}            GCP, Azure ARM, OpenStack (Nova {"itemNotFound": {message, code}})
//   {code, message} / {id, message}     DigitalOcean {id, message}, Linode-ish
//   {errors: [{reason|code, message}]}  Linode, Cloudflare
//   {error: "x", error_description}     OAuth
const fromJson = (body: unknown): Details => {
  if (!isRecord(body)) return {}
  const err = body["error"]
  if (isRecord(err)) {
    const first = Array.isArray(err["errors"]) && isRecord(err["errors"][0]) ? err["errors"][0] : {}
    return {
      code: nonEmpty(err["code"]) ?? nonEmpty(err["status"]) ?? nonEmpty(first["reason"]),
      message: nonEmpty(err["message"]) ?? nonEmpty(first["message"])
    }
  }
  if (typeof err === "string") {
    return { code: nonEmpty(err), message: nonEmpty(body["error_description"]) ?? nonEmpty(body["message"]) }
  }
  const errors = body["errors"]
  if (Array.isArray(errors) && isRecord(errors[0])) {
    const e = errors[0]
    return { code: nonEmpty(e["code"]), message: nonEmpty(e["message"]) ?? nonEmpty(e["reason"]) }
  }
  if (body["message"] !== undefined || body["code"] !== undefined || body["id"] !== undefined) {
    return { code: nonEmpty(body["code"]) ?? nonEmpty(body["id"]), message: nonEmpty(body["message"]) ?? nonEmpty(body["detail"]) }
  }
  // Nova / Cinder: {"itemNotFound": {"message": "...", "code": 404}}
  const keys = Object.keys(body)
  if (keys.length === 1 && isRecord(body[keys[0]!])) {
    const inner = body[keys[0]!] as Record<string, unknown>
    if (inner["message"] !== undefined) return { code: keys[0], message: nonEmpty(inner["message"]) }
  }
  return {}
}

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, removeNSPrefix: true, ignoreDeclaration: true })

// S3, Azure, GCS XML API: <Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>
const fromXml = (body: string): Details => {
  let doc: unknown
  try {
    doc = xmlParser.parse(body)
  } catch {
    return {}
  }
  if (!isRecord(doc)) return {}
  const root = isRecord(doc["Error"]) ? doc["Error"] : isRecord(doc["error"]) ? doc["error"] : undefined
  if (root === undefined) return {}
  return {
    code: nonEmpty(root["Code"]) ?? nonEmpty(root["code"]),
    message: nonEmpty(root["Message"]) ?? nonEmpty(root["message"]),
    requestId: nonEmpty(root["RequestId"])
  }
}

/**
 * Tries the common JSON and XML error shapes, then the request-id headers.
 * Plain-text and HTML bodies give no message: the status phrase is used
 * instead, so a proxy's HTML page never ends up in an error.
 */
export const defaultExtractor: Extractor = (response) => {
  const body = response.body.trim()
  let details: Details = {}
  if (body.startsWith("{")) {
    try {
      details = fromJson(JSON.parse(body))
    } catch {
      details = {}
    }
  } else if (body.startsWith("<") && !/^<(!doctype\s+)?html/i.test(body)) {
    details = fromXml(body)
  }
  return { ...details, requestId: requestIdFrom(response.headers) ?? details.requestId }
}

/**
 * Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), relative
 * to `nowMillis` (pass the Effect Clock's time, so TestClock controls it).
 * A date in the past means "now". Anything else is ignored.
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const v = value.trim()
  if (/^\d+$/.test(v)) return Option.some(Duration.seconds(Number(v)))
  // Some providers send fractional seconds; accept them rather than ignore the hint.
  if (/^\d+\.\d+$/.test(v)) return Option.some(Duration.millis(Math.ceil(Number(v) * 1000)))
  // Only date-looking strings: Date.parse accepts odd things ("1") as years.
  if (!/[a-z]/i.test(v)) return Option.none()
  // asctime ("Sun Nov  6 08:49:37 1994") carries no zone but means GMT; Date.parse would read local time.
  const at = Date.parse(/^[a-z]{3} [a-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/i.test(v) ? `${v} GMT` : v)
  if (Number.isNaN(at)) return Option.none()
  return Option.some(Duration.millis(Math.max(0, at - nowMillis)))
}

/** The server's requested wait, from Retry-After or the millisecond variants Azure and others send. */
export const retryAfterFrom = (headers: Headers.Headers, nowMillis: number): Option.Option<Duration.Duration> => {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = headers[name]
    if (v !== undefined && /^\d+$/.test(v.trim())) return Option.some(Duration.millis(Number(v.trim())))
  }
  return parseRetryAfter(headers["retry-after"], nowMillis)
}

const phrases: Record<number, string> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  406: "not acceptable",
  408: "request timeout",
  409: "conflict",
  410: "gone",
  411: "length required",
  412: "precondition failed",
  413: "payload too large",
  415: "unsupported media type",
  416: "range not satisfiable",
  422: "unprocessable entity",
  429: "too many requests",
  500: "internal server error",
  501: "not implemented",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout"
}

/** Everything a mapping decision can look at. */
export interface FailureContext extends Details {
  readonly where: Where
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
  /** The request URL with secrets removed. */
  readonly url: string
  readonly retryAfter: Option.Option<Duration.Duration>
  /** The target named by the caller, or one derived from the URL path. */
  readonly target: Target
}

/** How the caller wants statuses mapped for one operation. */
export interface MappingOptions<C = never> {
  /** The resource the request is about. */
  readonly target?: Target | undefined
  /** Map 404 to NotFound (otherwise 404 is a ProviderError: not an expected outcome of this operation). */
  readonly notFound?: boolean | undefined
  /** Map 409 to AlreadyExists or Conflict (otherwise ProviderError). */
  readonly conflict?: "AlreadyExists" | "Conflict" | undefined
  /** Provider override, e.g. by code; `undefined` falls back to the status mapping. */
  readonly classify?: ((failure: FailureContext) => C | undefined) | undefined
  /** Reads code/message/request id; default `defaultExtractor`. */
  readonly extract?: Extractor | undefined
}

/**
 * A target for a request that named none: its decoded path, relative to the
 * provider's base URL when given (so a Swift 404 says "/c/o", not
 * "/v1/AUTH_test/c/o"). Never the query.
 */
export const targetFromUrl = (url: string, baseUrl?: string): Target => {
  const withoutOrigin = (u: string) => Redact.path(u).replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "")
  let p = withoutOrigin(url)
  if (baseUrl !== undefined) {
    const prefix = withoutOrigin(baseUrl).replace(/\/$/, "")
    if (prefix !== "" && (p === prefix || p.startsWith(`${prefix}/`))) p = p.slice(prefix.length)
  }
  let id = p
  try {
    id = decodeURIComponent(p)
  } catch {
    // keep it encoded
  }
  return { resource: "resource", id: id === "" ? "/" : id }
}

/** The status → taxonomy table, with the caller's and provider's overrides applied. */
export const fromStatus = <C = never>(
  response: FailedResponse,
  where: Where,
  options: MappingOptions<C>,
  nowMillis: number
): HttpError | C => {
  const { status } = response
  let details: Details = {}
  try {
    details = (options.extract ?? defaultExtractor)(response)
  } catch {
    details = { requestId: requestIdFrom(response.headers) }
  }
  const code = details.code === undefined ? undefined : Redact.text(details.code, 100)
  const message = details.message === undefined ? undefined : Redact.text(details.message)
  const requestId = details.requestId === undefined ? undefined : Redact.text(details.requestId, 200)
  const retryAfter = retryAfterFrom(response.headers, nowMillis)
  const target = options.target ?? targetFromUrl(response.url)
  const context: FailureContext = {
    where,
    status,
    headers: response.headers,
    body: response.body,
    url: Redact.url(response.url),
    retryAfter,
    target,
    code,
    message,
    requestId
  }
  if (options.classify) {
    const custom = options.classify(context)
    if (custom !== undefined) return custom
  }
  const reason = message ?? code ?? phrases[status] ?? `HTTP ${status}`
  switch (status) {
    case 401:
      return new InvalidCredentials({ ...where, reason })
    case 403:
      return new PermissionDenied({ ...where, reason })
    case 404:
      if (options.notFound) return new NotFound({ ...where, ...target })
      break
    case 409:
      if (options.conflict === "AlreadyExists") return new AlreadyExists({ ...where, ...target })
      if (options.conflict === "Conflict") return new Conflict({ ...where, ...target, reason })
      break
    case 429:
    case 503:
      return Option.match(retryAfter, {
        onNone: () => new RateLimited({ ...where, status }),
        onSome: (d) => new RateLimited({ ...where, retryAfter: d, status })
      })
  }
  return new ProviderError({
    ...where,
    status,
    detail: reason,
    ...(code === undefined ? {} : { code }),
    ...(requestId === undefined ? {} : { requestId })
  })
}

/** How much of an error body is read: enough for any provider's error document, bounded against a huge one. */
export const errorBodyLimit = 64 * 1024

const decoder = new TextDecoder()

/**
 * Reads at most `limit` bytes of a body, then stops (which aborts the rest of
 * the transfer). A body that fails mid-way gives what was read.
 */
export const readPrefix = (response: HttpClientResponse.HttpClientResponse, limit = errorBodyLimit): Effect.Effect<string> =>
  response.stream.pipe(
    Stream.runFoldWhile(
      { chunks: [] as Array<Uint8Array>, size: 0 },
      (acc) => acc.size < limit,
      (acc, chunk) => {
        const take = chunk.byteLength > limit - acc.size ? chunk.subarray(0, limit - acc.size) : chunk
        acc.chunks.push(take)
        return { chunks: acc.chunks, size: acc.size + take.byteLength }
      }
    ),
    Effect.map(({ chunks, size }) => {
      const all = new Uint8Array(size)
      let at = 0
      for (const c of chunks) {
        all.set(c, at)
        at += c.byteLength
      }
      return decoder.decode(all)
    }),
    Effect.orElseSucceed(() => "")
  )

/** Reads a failed response (bounded) and fails with its mapped error. */
export const fromResponse = <C = never>(
  response: HttpClientResponse.HttpClientResponse,
  where: Where,
  options: MappingOptions<C> = {}
): Effect.Effect<never, HttpError | C> =>
  Effect.flatMap(
    Effect.zip(readPrefix(response), Clock.currentTimeMillis),
    ([body, now]) =>
      Effect.fail(
        fromStatus(
          { status: response.status, headers: response.headers, body, url: response.request.url },
          where,
          options,
          now
        )
      )
  )

const describeCause = (cause: unknown): string | undefined => {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    const inner = (cause as { cause?: unknown }).cause
    // fetch and undici wrap the useful part ("ECONNREFUSED", "other side closed") one level down.
    const innerText = inner instanceof Error ? describeCause(inner) : undefined
    const own = typeof code === "string" && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message
    return innerText !== undefined && innerText !== own ? `${own}: ${innerText}` : own
  }
  return typeof cause === "string" ? cause : undefined
}

/**
 * A platform client error → Transport (no answer: refused, reset, DNS, TLS,
 * invalid URL) or MalformedResponse (an answer we could not decode). A
 * ResponseError for a bad status is mapped by status, as `fromResponse` does.
 */
export const fromClientError = (
  error: HttpClientError.HttpClientError,
  where: Where
): Transport | MalformedResponse => {
  const target = `${error.request.method} ${Redact.url(error.request.url)}`
  const what = describeCause(error.cause) ?? error.description
  if (error._tag === "RequestError") {
    const kind = error.reason === "InvalidUrl" ? "invalid URL" : error.reason === "Encode" ? "could not send the request body" : "request failed"
    return new Transport({ ...where, reason: Redact.text(`${kind}${what === undefined ? "" : `: ${what}`} (${target})`) })
  }
  return new MalformedResponse({
    ...where,
    reason: Redact.text(`${error.reason === "EmptyBody" ? "empty body" : "could not read the body"}${what === undefined ? "" : `: ${what}`} (${error.response.status} ${target})`)
  })
}

/** Whether a status is a success the caller can read the body of. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300

/** Re-exported so callers can build Headers for `fromStatus` in tests and extractors. */
export const headersFrom = (input: Headers.Input): Headers.Headers => Headers.fromInput(input)

/**
 * For APIs that answer a 429 without Retry-After but with a reset header in
 * Unix seconds (DigitalOcean and Hetzner `ratelimit-reset`, Linode
 * `x-ratelimit-reset`): the wait is measured against the server's own clock
 * (its Date header) so that clock skew does not matter.
 */
export const rateLimitedUntilReset = (header: string) => (failure: FailureContext): RateLimited | undefined => {
  if (failure.status !== 429 || Option.isSome(failure.retryAfter)) return undefined
  const reset = Number(failure.headers[header])
  if (!Number.isFinite(reset) || reset <= 0) return undefined
  const date = Date.parse(failure.headers["date"] ?? "")
  const now = Number.isNaN(date) ? Date.now() : date
  return new RateLimited({ ...failure.where, retryAfter: Duration.millis(Math.max(0, reset * 1000 - now)), status: 429 })
}
