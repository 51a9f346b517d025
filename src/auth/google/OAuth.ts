/**
 * Google OAuth 2.0 for service accounts: a signed JWT assertion exchanged at
 * the key's `token_uri` (grant `urn:ietf:params:oauth:grant-type:jwt-bearer`)
 * for an access token, through the application's `HttpClient`; cached and
 * refreshed by `TokenCache`; put on requests by `bearerSigner`.
 *
 * The token endpoint is overridable (`tokenUri`), so tests and emulators run
 * against a local server. The response is decoded with Schema; anything else
 * is `MalformedResponse`. No error carries the assertion, the access token or
 * the response body.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Either, Redacted, Schema } from "effect"
import {
  InvalidCredentials,
  InvalidInput,
  MalformedResponse,
  PermissionDenied,
  ProviderError,
  RateLimited,
  Transport
} from "../../schemas/Errors.js"
import { makeTokenCache, type Token, type TokenCache, tokenSigner, type TokenSigner } from "../TokenCache.js"
import { describeParseError, type Where } from "./internal.js"
import { assertionClaims, type AssertionOptions, serviceAccountAssertion } from "./Jwt.js"
import type { ServiceAccountCredentials } from "./ServiceAccount.js"

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

/** Read-write access to Cloud Storage; `cloud-platform` covers every API. */
export const SCOPES = {
  cloudPlatform: "https://www.googleapis.com/auth/cloud-platform",
  storageFullControl: "https://www.googleapis.com/auth/devstorage.full_control",
  storageReadWrite: "https://www.googleapis.com/auth/devstorage.read_write",
  storageReadOnly: "https://www.googleapis.com/auth/devstorage.read_only",
  compute: "https://www.googleapis.com/auth/compute"
} as const

/** The token endpoint's success body (RFC 6749 §5.1), as Google sends it. */
export const TokenResponse = Schema.Struct({
  access_token: Schema.String.pipe(Schema.minLength(1)),
  expires_in: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  token_type: Schema.String.pipe(Schema.minLength(1))
})

/** The token endpoint's error body (RFC 6749 §5.2). */
const TokenErrorResponse = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.String)
})

export interface AccessToken extends Token {
  /** Usually "Bearer". */
  readonly tokenType: string
}

/**
 * What the token endpoint can answer besides a token: exactly the errors any
 * remote call can end in (`ProviderFailure`), so a token-backed signer fits
 * src/http's `Signer`.
 */
export type TokenError =
  | InvalidCredentials
  | PermissionDenied
  | RateLimited
  | ProviderError
  | MalformedResponse
  | Transport

/** Fetching a token: the endpoint's failures, or options rejected before anything is sent. */
export type OAuthError = InvalidInput | TokenError

const defaultWhere: Where = { provider: "gcp", operation: "Google.accessToken" }

// Anything shaped like a JWT or a long opaque token is cut out of provider text before it reaches an error.
const scrub = (text: string): string =>
  text.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/[A-Za-z0-9._~+/-]{40,}/g, "[redacted]")
    .slice(0, 300)

const retryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  if (/^\d+$/.test(value.trim())) return Duration.seconds(Number(value.trim()))
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

export interface ExchangeOptions {
  /** The token endpoint. */
  readonly tokenUri: string
  readonly where?: Where
}

/** POSTs the assertion to the token endpoint and decodes the answer. */
export const exchangeAssertion = (
  assertion: Redacted.Redacted<string>,
  options: ExchangeOptions
): Effect.Effect<AccessToken, OAuthError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const where = options.where ?? defaultWhere
    const client = yield* HttpClient.HttpClient
    const issuedAt = yield* Clock.currentTimeMillis
    const request = HttpClientRequest.post(options.tokenUri).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUrlParams({ grant_type: JWT_BEARER_GRANT, assertion: Redacted.value(assertion) })
    )
    const response = yield* client.execute(request).pipe(
      Effect.mapError((e) =>
        e._tag === "RequestError" && e.reason === "InvalidUrl"
          ? new InvalidInput({ ...where, field: "tokenUri", reason: "is not a valid URL" })
          : new Transport({ ...where, reason: `token endpoint: ${e.reason}${e.description ? `: ${scrub(e.description)}` : ""}` })
      )
    )
    const text = yield* response.text.pipe(
      Effect.mapError(() => new Transport({ ...where, reason: "token endpoint: reading the response failed" }))
    )
    let json: unknown = undefined
    let isJson = true
    try {
      json = JSON.parse(text)
    } catch {
      isJson = false
    }
    if (response.status >= 200 && response.status < 300) {
      if (!isJson) return yield* new MalformedResponse({ ...where, reason: "token response is not JSON" })
      const decoded = Schema.decodeUnknownEither(TokenResponse)(json, { errors: "first" })
      if (Either.isLeft(decoded)) {
        const { field, reason } = describeParseError(decoded.left)
        return yield* new MalformedResponse({ ...where, reason: `token response: ${field} ${reason}` })
      }
      const body = decoded.right
      return {
        token: Redacted.make(body.access_token),
        expiresAt: new Date(issuedAt + body.expires_in * 1000),
        tokenType: body.token_type
      } satisfies AccessToken
    }
    const failure = Schema.decodeUnknownEither(TokenErrorResponse)(json)
    const code = Either.isRight(failure) ? failure.right.error : undefined
    const description = Either.isRight(failure) && failure.right.error_description !== undefined
      ? scrub(failure.right.error_description)
      : undefined
    const detail = [code, description].filter((s) => s !== undefined).join(": ") || `HTTP ${response.status}`
    const status = response.status
    if (status === 429) {
      const after = retryAfter(response.headers["retry-after"], issuedAt)
      return yield* new RateLimited({ ...where, ...(after === undefined ? {} : { retryAfter: after }) })
    }
    if (
      status === 401 ||
      (status === 400 && (code === "invalid_grant" || code === "invalid_client" || code === "unauthorized_client"))
    ) {
      return yield* new InvalidCredentials({ ...where, reason: detail })
    }
    if (status === 403) return yield* new PermissionDenied({ ...where, reason: detail })
    return yield* new ProviderError({
      ...where,
      status,
      ...(code === undefined ? {} : { code }),
      detail: description ?? (code === undefined ? `token endpoint answered HTTP ${status}` : code)
    })
  })

export interface AccessTokenOptions extends AssertionOptions {
  /** Token endpoint override (tests, emulators). Default: the key's `token_uri`. */
  readonly tokenUri?: string
}

/** Signs an assertion now and exchanges it: one fresh access token. */
export const fetchAccessToken = (
  credentials: ServiceAccountCredentials,
  options: AccessTokenOptions
): Effect.Effect<AccessToken, OAuthError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const tokenUri = options.tokenUri ?? credentials.tokenUri
    // The audience is the real endpoint the key names, unless the caller says otherwise.
    const assertion = yield* serviceAccountAssertion(credentials, options)
    return yield* exchangeAssertion(assertion, { tokenUri, ...(options.where === undefined ? {} : { where: options.where }) })
  })

export interface AccessTokenCacheOptions extends AccessTokenOptions {
  /** See `TokenCacheOptions.refreshBefore`. */
  readonly refreshBefore?: Duration.DurationInput | ((lifetime: Duration.Duration) => Duration.DurationInput)
}

/**
 * A single-flight, refresh-before-expiry cache of this service account's
 * access tokens. The options (scopes, lifetime, token endpoint) are checked
 * here, once, so the cache itself fails only as the endpoint does.
 */
export const makeAccessTokenCache = (
  credentials: ServiceAccountCredentials,
  options: AccessTokenCacheOptions
): Effect.Effect<TokenCache<AccessToken, TokenError>, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const where = options.where ?? defaultWhere
    yield* assertionClaims(credentials, options, 0)
    const tokenUri = options.tokenUri ?? credentials.tokenUri
    if (!URL.canParse(tokenUri) || !/^https?:$/.test(new URL(tokenUri).protocol)) {
      return yield* new InvalidInput({ ...where, field: "tokenUri", reason: "must be an http(s) URL" })
    }
    return yield* makeTokenCache({
      // Validated above: an InvalidInput here would be a bug, not a failure.
      fetch: fetchAccessToken(credentials, options).pipe(
        Effect.catchTag("InvalidInput", (e) => Effect.die(new Error(`Google token options: ${e.message}`)))
      ),
      ...(options.refreshBefore === undefined ? {} : { refreshBefore: options.refreshBefore })
    })
  })

/**
 * The request adapter: `Authorization: Bearer <token>` from the cache, in the
 * shape of src/http's `Signer`. Its `invalidate` (after a 401) drops the
 * token this fiber sent, if it is still the cached one.
 */
export const bearerSigner = <T extends Token, E>(cache: TokenCache<T, E>): TokenSigner<E> =>
  tokenSigner(cache, (request, token) => HttpClientRequest.bearerToken(request, token.token))
