/**
 * The signing hook: the last step before a request goes out, run once per
 * attempt (a retry re-signs, so date-bound signatures like SigV4 and Azure
 * Shared Key are always fresh).
 *
 * When a signer runs, `request.url` is absolute, final and fully encoded, and
 * `request.urlParams` is empty — what it signs is exactly what is sent. The
 * schemes that need more machinery (SigV4, Azure Shared Key, Keystone, Google
 * JWT) live in src/auth and produce this same type.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { InvalidCredentials, type ProviderFailure } from "../schemas/Errors.js"

/** What a signer knows about the request it signs. */
export interface Context {
  readonly provider: string
  readonly operation: string
  /** 0 for the first attempt, then 1, 2, … for retries. */
  readonly attempt: number
}

/** A signer may need to fetch a token, so it can fail like any remote call. */
export type SignerError = ProviderFailure

export interface Signer {
  (request: HttpClientRequest.HttpClientRequest, context: Context): Effect.Effect<HttpClientRequest.HttpClientRequest, SignerError>
  /**
   * For signers holding cached tokens: forget the token. ProviderHttp runs
   * it once when a request is answered 401, then sends the request again
   * re-signed (DESIGN.md §5: "refreshed … once on a 401"). The function form
   * is given the rejected request, so a cache shared by concurrent requests
   * can drop that token only if it is still the current one; the plain Effect
   * form is for caches that guard against that themselves.
   */
  readonly invalidate?: Effect.Effect<void> | Invalidate
}

/** Told which signed request was refused. */
export type Invalidate = (rejected: HttpClientRequest.HttpClientRequest) => Effect.Effect<void>

/** Runs a signer's invalidation, whichever form it has, for the request that got a 401. */
export const runInvalidate = (signer: Signer, rejected: HttpClientRequest.HttpClientRequest): Effect.Effect<void> => {
  const i = signer.invalidate
  return i === undefined ? Effect.void : Effect.isEffect(i) ? i : i(rejected)
}

/** Sends requests as they are (public endpoints, or auth carried in the URL). */
export const none: Signer = (request) => Effect.succeed(request)

/** A signer from a function, with the invalidation of its cached token when it has one. */
export const make = (
  f: (request: HttpClientRequest.HttpClientRequest, context: Context) => Effect.Effect<HttpClientRequest.HttpClientRequest, SignerError>,
  invalidate?: Invalidate | Effect.Effect<void>
): Signer => (invalidate === undefined ? f : Object.assign(f, { invalidate }))

const missing = (context: Context, what: string) =>
  Effect.fail(new InvalidCredentials({ provider: context.provider, operation: context.operation, reason: `${what} is empty` }))

// A header value cannot hold CR/LF: such a "secret" would inject headers.
const unsafeHeaderValue = /[\r\n\0]/

/**
 * `Authorization: Bearer <token>`. The token may be fixed or come from an
 * Effect (a cached OAuth/Keystone token source), read on every attempt.
 */
export const bearer = (
  token: Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>, SignerError>,
  invalidate?: Invalidate | Effect.Effect<void>
): Signer =>
  make(
    (request, context) =>
      Effect.flatMap(Redacted.isRedacted(token) ? Effect.succeed(token) : token, (t) => {
        const value = Redacted.value(t)
        if (value === "" || unsafeHeaderValue.test(value)) return missing(context, "bearer token")
        return Effect.succeed(HttpClientRequest.setHeader(request, "authorization", `Bearer ${value}`))
      }),
    invalidate
  )

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** An API key in a named header (`X-API-Key` for PowerDNS, `X-Auth-Key` for Cloudflare …). */
export const apiKey = (header: string, key: Redacted.Redacted<string>): Signer => {
  if (!headerName.test(header)) throw new TypeError(`Signer.apiKey: "${header}" is not a valid header name`)
  return (request, context) => {
    const value = Redacted.value(key)
    if (value === "" || unsafeHeaderValue.test(value)) return missing(context, `API key for ${header}`)
    return Effect.succeed(HttpClientRequest.setHeader(request, header, value))
  }
}

/**
 * HTTP Basic (RFC 7617) with UTF-8 credentials. Not the platform's
 * `basicAuth`: it uses `btoa`, which throws on non-Latin-1 names.
 */
export const basic = (username: string, password: Redacted.Redacted<string>): Signer => (request, context) => {
  if (username.includes(":")) {
    return Effect.fail(new InvalidCredentials({ provider: context.provider, operation: context.operation, reason: "a Basic user name cannot contain ':'" }))
  }
  const bytes = new TextEncoder().encode(`${username}:${Redacted.value(password)}`)
  let binary = ""
  for (const b of bytes) binary += String.fromCharCode(b)
  const encoded = btoa(binary)
  return Effect.succeed(HttpClientRequest.setHeader(request, "authorization", `Basic ${encoded}`))
}

/** Applies signers left to right (e.g. a static API-version header, then a token). */
export const compose = (...signers: ReadonlyArray<Signer>): Signer => {
  const invalidating = signers.filter((s) => s.invalidate !== undefined)
  return make(
    (request, context) => Effect.reduce(signers, request, (r, s) => s(r, context)),
    invalidating.length === 0 ? undefined : (rejected) => Effect.forEach(invalidating, (s) => runInvalidate(s, rejected), { discard: true })
  )
}
