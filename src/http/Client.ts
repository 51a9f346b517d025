/**
 * ProviderHttp: one provider's view of the application's HttpClient — its
 * base URL, signer, timeout and retry policy — and the one `execute` every
 * operation goes through, so that each of them gets the same behaviour
 * (DESIGN.md §5) without writing it: a span named by the operation, a signed
 * request per attempt, a timeout per attempt, retries only when safe, 401 →
 * one re-authentication, and non-2xx → the error taxonomy.
 *
 * It needs `HttpClient.HttpClient` and never provides one (DESIGN.md §3).
 */
import { Headers, HttpBody, HttpClient, HttpClientRequest, type HttpClientError, type HttpClientResponse } from "@effect/platform"
import { Duration, Effect, Either, type Schema, Stream } from "effect"
import type { AlreadyExists, Conflict, NotFound, ProviderError, ProviderFailure, RateLimited } from "../schemas/Errors.js"
import { MalformedResponse, Transport } from "../schemas/Errors.js"
import { traced } from "../services/span.js"
import * as Decode from "./Decode.js"
import * as Errors from "./Errors.js"
import * as Redact from "./Redact.js"
import * as Retry from "./Retry.js"
import * as Signer from "./Signer.js"
import * as Timeout from "./Timeout.js"
import * as Url from "./Url.js"

export type Where = Errors.Where
export type Target = Errors.Target

export interface Config {
  /** The provider id put on every error and span ("s3", "azure-blob", …). */
  readonly provider: string
  /** Where relative request URLs are resolved; may carry a path prefix (`…/v1/AUTH_test`). */
  readonly baseUrl: string | URL
  readonly signer?: Signer.Signer | undefined
  /**
   * Per attempt: until the response headers arrive, or until the body is
   * decoded when `execute` is given a reader. Default 60 s, except for
   * requests with a streamed body (an upload of unknown size), which have
   * none unless given one.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Overrides of `Retry.defaults`, or `false` to never retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /** Sent with every request (an API version, a user agent); a request's own headers win. */
  readonly headers?: Headers.Input | undefined
  /** How this provider's error bodies say code, message and request id; default `Errors.defaultExtractor`. */
  readonly extract?: Errors.Extractor | undefined
  /**
   * The provider's own reading of a failure, tried after a request's own
   * `classify` and before the status table (a 429's reset header, a quota code).
   */
  readonly classify?: ((failure: Errors.FailureContext) => RateLimited | ProviderError | undefined) | undefined
  /**
   * Send a request that is not idempotent (a create) again when the server
   * refused it (`Retry.isRefusal`: a 429 or a throttling code did nothing).
   * Default false: such a request is sent once.
   */
  readonly resendRefused?: boolean | undefined
}

export const defaultTimeout: Duration.Duration = Duration.seconds(60)

export interface ExecuteOptions<C = never> {
  /** The portable operation ("ObjectStorage.getObject"): span name and error field. */
  readonly operation: string
  /**
   * Whether the request may be sent twice. Default: by method (GET, HEAD,
   * PUT, DELETE, OPTIONS are; POST and PATCH are not). Mark a POST `true`
   * only when the provider makes it safe (a client token, a pure query).
   */
  readonly idempotent?: boolean | undefined
  /** The resource this request is about: fills NotFound, AlreadyExists and Conflict. */
  readonly target?: Target | undefined
  /** 404 → NotFound (for `target`, or for the resource given here). Otherwise a 404 is a ProviderError. */
  readonly notFound?: Target | true | undefined
  /** 409 → AlreadyExists or Conflict. Otherwise a 409 is a ProviderError. */
  readonly conflict?: "AlreadyExists" | "Conflict" | undefined
  /** Provider override by code; `undefined` falls back to the status table. */
  readonly classify?: ((failure: Errors.FailureContext) => C | undefined) | undefined
  /** This request's timeout per attempt, or `false` for none. */
  readonly timeout?: Duration.DurationInput | false | undefined
  /** This request's retry policy (merged over the provider's), or `false` for none. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /**
   * Makes a streamed request body retryable: called for every attempt after
   * the first to produce the body again. Without it a request whose body is
   * a stream is sent at most once (its bytes are gone after the first try).
   */
  readonly recreateBody?: (() => HttpBody.HttpBody) | undefined
  /**
   * Which statuses are answers rather than errors; default 2xx. E.g. a
   * conditional GET that accepts 304, or a DELETE that treats 404 as "already
   * gone" (a retried DELETE whose first attempt did succeed).
   */
  readonly success?: ((status: number) => boolean) | undefined
  /** Extra span attributes (ids, names — never credentials). */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
}

type Present<T> = [Exclude<T, undefined | false>] extends [never] ? false : true

/** Exactly the errors `execute` can fail with for these options. */
export type Failure<O> =
  | ProviderFailure
  | (O extends { readonly notFound?: infer N } ? (Present<N> extends true ? NotFound : never) : never)
  | (O extends { readonly conflict?: infer K } ? ("AlreadyExists" extends K ? AlreadyExists : never) | ("Conflict" extends K ? Conflict : never) : never)
  | (O extends { readonly classify?: infer F } ? (F extends (failure: Errors.FailureContext) => infer C ? Exclude<C, undefined> : never) : never)

/** Turns a successful response into a value; runs inside the attempt (timed, retried). */
export type Reader<A, E = never, R = never> = (
  response: HttpClientResponse.HttpClientResponse,
  where: Where
) => Effect.Effect<A, E, R>

export interface ProviderHttp {
  readonly provider: string
  readonly baseUrl: string
  /** The absolute URL `execute` would send for this path (+ query), e.g. for presigning. */
  readonly url: (pathAndQuery: string, query?: Url.QueryInput) => string
  /**
   * Sends a request. Its URL may be relative (resolved against `baseUrl`) or
   * absolute (a "next" link); its `urlParams` are folded into the URL with
   * RFC 3986 encoding. Without a reader the response comes back with its
   * body unread — a download stays a stream.
   */
  readonly execute: {
    <const O extends ExecuteOptions<unknown>>(
      request: HttpClientRequest.HttpClientRequest,
      options: O
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, Failure<O>>
    <const O extends ExecuteOptions<unknown>, A, E, R>(
      request: HttpClientRequest.HttpClientRequest,
      options: O,
      read: Reader<A, E, R>
    ): Effect.Effect<A, Failure<O> | E, R>
  }
}

// A stream (or raw Node stream) body can be consumed once.
const isOneShot = (body: HttpBody.HttpBody): boolean => body._tag === "Stream" || body._tag === "Raw"

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u && typeof u._tag === "string" ? u._tag : undefined

/** Builds the provider's client. Requires the application's HttpClient. */
export const make = (config: Config): Effect.Effect<ProviderHttp, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client): ProviderHttp => {
    const baseUrl = String(config.baseUrl)
    const defaults = Headers.fromInput(config.headers)
    const signer = config.signer ?? Signer.none
    const providerPolicy = config.retry === false ? undefined : config.retry

    const url = (pathAndQuery: string, query?: Url.QueryInput) =>
      Url.appendQuery(Url.isAbsolute(pathAndQuery) ? pathAndQuery : Url.join(baseUrl, pathAndQuery), query === undefined ? "" : Url.query(query))

    // The request as it goes on the wire: absolute encoded URL, no urlParams, provider headers underneath.
    const prepare = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest => {
      const full = Url.appendQuery(url(request.url), Url.query(request.urlParams))
      let out = HttpClientRequest.setMethod(HttpClientRequest.get(full), request.method)
      if (request.body._tag !== "Empty") out = HttpClientRequest.setBody(out, request.body)
      return HttpClientRequest.setHeaders(out, Headers.merge(defaults, request.headers))
    }

    const execute = (
      request: HttpClientRequest.HttpClientRequest,
      options: ExecuteOptions<unknown>,
      read?: Reader<unknown, unknown, unknown>
    ): Effect.Effect<unknown, unknown, unknown> =>
      Effect.suspend(() => {
        const where: Where = { provider: config.provider, operation: options.operation }
        const prepared = prepare(request)
        const replayable = !isOneShot(prepared.body) || options.recreateBody !== undefined
        const idempotent = options.idempotent ?? Retry.isIdempotentMethod(prepared.method)
        const policy = options.retry === false || config.retry === false
          ? Retry.policy({ maxAttempts: 1 })
          : Retry.policy({ ...providerPolicy, ...options.retry })
        const timeout = options.timeout === false
          ? undefined
          : options.timeout ?? config.timeout ?? (isOneShot(prepared.body) ? undefined : defaultTimeout)
        const target = (options.notFound !== undefined && options.notFound !== true ? options.notFound : options.target) ??
          Errors.targetFromUrl(prepared.url, baseUrl)
        const mapping: Errors.MappingOptions<unknown> = {
          target,
          notFound: options.notFound !== undefined,
          conflict: options.conflict,
          classify: config.classify === undefined
            ? options.classify
            : (failure) => options.classify?.(failure) ?? config.classify?.(failure),
          extract: config.extract
        }

        let attempts = 0
        let lastSigned = prepared
        const send = Effect.suspend(() => {
          const n = attempts++
          const body = n > 0 && options.recreateBody ? HttpClientRequest.setBody(prepared, options.recreateBody()) : prepared
          return signer(body, { ...where, attempt: n }).pipe(
            Effect.flatMap((signed) => {
              lastSigned = signed
              return client.execute(signed).pipe(Effect.mapError((e: HttpClientError.HttpClientError) => Errors.fromClientError(e, where)))
            }),
            Effect.tap((response) => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
            Effect.flatMap((response): Effect.Effect<unknown, unknown, unknown> =>
              !(options.success ?? Errors.isSuccess)(response.status)
                ? Errors.fromResponse(response, where, mapping)
                : read === undefined
                ? Effect.succeed(response)
                : read(response, where)
            ),
            Timeout.apply(timeout, where)
          )
        })

        // A cached token may have expired server-side: forget it and re-sign once.
        let reauthenticated = false
        const attempt = signer.invalidate === undefined || !replayable
          ? send
          : Effect.catchIf(
            send,
            (e) => tagOf(e) === "InvalidCredentials" && !reauthenticated,
            () => Effect.suspend(() => {
              reauthenticated = true
              return Effect.zipRight(Signer.runInvalidate(signer, lastSigned), send)
            })
          )

        return attempt.pipe(
          Retry.retry(policy, {
            eligible: replayable && (idempotent || config.resendRefused === true),
            ...(idempotent ? {} : { while: Retry.isRefusal }),
            onRetry: (error, retry, wait) =>
              Effect.annotateCurrentSpan("cloudfx.http.retries", retry).pipe(
                Effect.zipRight(
                  Effect.logDebug(`${options.operation}: retry ${retry} in ${Duration.format(wait)} after: ${messageOf(error)}`)
                )
              )
          }),
          // Our header names join the platform's, so its own client span redacts them too…
          Effect.locallyWith(Headers.currentRedactedNames, Redact.mergeNames),
          // …and a URL carrying a signature is kept out of its `url.full` attribute altogether.
          Effect.locallyWith(HttpClient.currentTracerDisabledWhen, (prev) => (r) => prev(r) || Redact.hasSensitiveQuery(r.url)),
          Effect.annotateLogs({ "cloudfx.provider": config.provider, "cloudfx.operation": options.operation }),
          traced(config.provider, options.operation, {
            "http.request.method": prepared.method,
            "url.full": Redact.url(prepared.url),
            ...options.attributes
          })
        )
      })

    return { provider: config.provider, baseUrl, url, execute: execute as ProviderHttp["execute"] }
  })

/**
 * The body's bytes as a stream. The platform fails the stream of a response
 * that has no body at all (HEAD, 204) with "EmptyBody"; for us that is just
 * an empty body.
 */
const rawStream = (response: HttpClientResponse.HttpClientResponse): Stream.Stream<Uint8Array, HttpClientError.ResponseError> =>
  Stream.catchAll(response.stream, (e) => (e.reason === "EmptyBody" ? Stream.empty : Stream.fail(e)))

const bodyReadFailure = (where: Where) => (e: HttpClientError.ResponseError): Transport =>
  new Transport({ ...where, reason: Redact.text(`reading the response body failed: ${e.cause instanceof Error ? e.cause.message : e.description ?? e.reason}`) })

/** The whole body as bytes (a failure mid-body is Transport: the answer was cut off, retrying may help). */
export const bytes: Reader<Uint8Array, Transport> = (response, where) =>
  Effect.map(Effect.mapError(response.arrayBuffer, bodyReadFailure(where)), (b) => new Uint8Array(b))

/** The whole body as UTF-8 text. */
export const text: Reader<string, Transport | MalformedResponse> = (response, where) =>
  Effect.flatMap(bytes(response, where), (b) =>
    Either.match(Decode.text(b), {
      onLeft: (reason) => Effect.fail(new MalformedResponse({ ...where, reason })),
      onRight: Effect.succeed
    }))

/** A JSON body decoded through a wire schema. */
export const json = <A, I, R>(schema: Schema.Schema<A, I, R>): Reader<A, Transport | MalformedResponse, R> => (response, where) =>
  Effect.flatMap(bytes(response, where), Decode.json(schema, where))

/** An XML body decoded through a wire schema (see Decode.XmlOptions for lists and attributes). */
export const xml = <A, I, R>(schema: Schema.Schema<A, I, R>, options?: Decode.XmlOptions): Reader<A, Transport | MalformedResponse, R> => (response, where) =>
  Effect.flatMap(bytes(response, where), Decode.xml(schema, where, options))

/** Reads and discards the body, so the connection can be reused. */
export const empty: Reader<void, Transport> = (response, where) =>
  Effect.mapError(Stream.runDrain(rawStream(response)), bodyReadFailure(where))

/** The status and headers only (for HEAD, or a PUT whose answer is its ETag); the body is drained. */
export const headers: Reader<{ readonly status: number; readonly headers: Headers.Headers }, Transport> = (response, where) =>
  Effect.as(empty(response, where), { status: response.status, headers: response.headers })

/**
 * A response body as a stream of chunks, with read failures as Transport.
 * Nothing is buffered: bytes flow as the consumer pulls.
 */
export const bodyStream = (response: HttpClientResponse.HttpClientResponse, where: Where): Stream.Stream<Uint8Array, Transport> =>
  Stream.mapError(rawStream(response), bodyReadFailure(where))
