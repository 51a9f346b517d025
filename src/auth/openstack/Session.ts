/**
 * An OpenStack session: one authentication (Keystone v3 / v2.0, Swift
 * tempauth, or a token given outright) shared by every OpenStack provider of
 * a program — Swift now, Nova, Glance, Cinder and Neutron later. It offers
 *
 * - `signer`: puts `X-Auth-Token` on a request (src/http's Signer);
 * - `endpoint(serviceType)`: the URL of a service, from the token's catalog,
 *   by region and interface (default: the session's);
 * - `token` / `catalog`: the current token and its catalog.
 *
 * Tokens come from a TokenCache (src/auth/TokenCache.ts): fetched on first
 * use, refreshed before they expire, one fetch however many requests wait
 * (single-flight). After a 401, ProviderHttp calls the signer's `invalidate`
 * with the rejected request: the token that request carried is dropped if it
 * is still the cached one, and the request is sent once more with a new one.
 *
 * The signer remembers which token it put on which request object (a
 * WeakMap) rather than in a FiberRef: ProviderHttp signs inside the attempt's
 * timeout, which runs on a child fiber whose FiberRefs are not passed back
 * when it fails.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { type Duration, Effect, Either, Redacted, Ref } from "effect"
import * as Signer from "../../http/Signer.js"
import { makeTokenCache } from "../TokenCache.js"
import * as Catalog from "./Catalog.js"
import type { AuthConfig, Interface, TokenConfig } from "./Config.js"
import { isTempAuth, isToken } from "./Config.js"
import { type AuthenticateOptions, type AuthError, checkSecret, invalidConfig, type Where } from "./internal.js"
import * as Keystone from "./Keystone.js"
import * as TempAuth from "./TempAuth.js"
import type { OpenStackToken } from "./Token.js"

export interface EndpointOptions {
  readonly region?: string | undefined
  readonly interface?: Interface | undefined
  readonly serviceName?: string | undefined
}

export interface OpenStackSession {
  /** "openstack-keystone", "openstack-tempauth" or "openstack-token": on the errors of authentication. */
  readonly provider: string
  /** `X-Auth-Token: <current token>`, with `invalidate` for ProviderHttp's 401 handling. */
  readonly signer: Signer.Signer
  /** The current token, fetching one when there is none or it is due for refresh. */
  readonly token: Effect.Effect<OpenStackToken, AuthError>
  readonly catalog: Effect.Effect<Catalog.Catalog, AuthError>
  /**
   * The URL of a service of this type. Keystone: from the catalog, by the
   * given (or the session's) region and interface. Tempauth: "object-store"
   * is the storage URL. A token config: its `endpoints`.
   */
  readonly endpoint: (serviceType: string, options?: EndpointOptions) => Effect.Effect<string, Catalog.EndpointNotFound | AuthError>
  /** Forget the cached token now (the next request authenticates again). */
  readonly invalidate: Effect.Effect<void>
}

export interface SessionOptions extends AuthenticateOptions {
  /** How long before expiry a token is refreshed; see TokenCacheOptions.refreshBefore. */
  readonly refreshBefore?: Duration.DurationInput | ((lifetime: Duration.Duration) => Duration.DurationInput)
}

const ENDPOINT_OPERATION = "OpenStack.endpoint"

const unsafeHeaderValue = /[\r\n\0]/

const attach = (request: HttpClientRequest.HttpClientRequest, token: Redacted.Redacted<string>) =>
  HttpClientRequest.setHeader(request, "x-auth-token", Redacted.value(token))

/** A session from a token config: nothing to fetch, nothing to refresh; a 401 is final. */
const fixed = (config: TokenConfig, options: SessionOptions): OpenStackSession => {
  const provider = options.provider ?? "openstack-token"
  const where: Where = { provider, operation: ENDPOINT_OPERATION }
  const catalog: Catalog.Catalog = Object.entries(config.endpoints).map(([serviceType, url]) => ({
    serviceType,
    interface: "public",
    url: String(url).replace(/\/+$/, "")
  }))
  const problem = checkSecret("token", config.token) ??
    (unsafeHeaderValue.test(Redacted.value(config.token)) ? "token cannot contain line breaks" : undefined)
  const token: Effect.Effect<OpenStackToken, AuthError> = problem === undefined
    ? Effect.succeed({ method: "token", token: config.token, expiresAt: new Date(8.64e15), catalog })
    : Effect.fail(invalidConfig(where, problem))
  return {
    provider,
    signer: (request) => Effect.map(token, (t) => attach(request, t.token)),
    token,
    catalog: Effect.succeed(catalog),
    endpoint: (serviceType) => Either.map(Catalog.select(catalog, { serviceType }, where), (e) => e.url),
    invalidate: Effect.void
  }
}

/** Builds a session. Nothing is sent until a token is first needed. */
export const make = (config: AuthConfig, options: SessionOptions = {}): Effect.Effect<OpenStackSession, never, HttpClient.HttpClient> => {
  if (isToken(config)) return Effect.succeed(fixed(config, options))
  return Effect.gen(function*() {
    const tempauth = isTempAuth(config)
    const provider = options.provider ?? (tempauth ? TempAuth.PROVIDER : Keystone.PROVIDER)
    const auth = { ...options, provider }
    // The last token fetched, so `invalidate` can drop it without fetching one.
    const latest = yield* Ref.make<OpenStackToken | undefined>(undefined)
    const fetch = tempauth ? TempAuth.authenticate(config, auth) : Keystone.authenticate(config, auth)
    const cache = yield* makeTokenCache({
      fetch: Effect.tap(fetch, (t) => Ref.set(latest, t)),
      ...(options.refreshBefore === undefined ? {} : { refreshBefore: options.refreshBefore })
    })
    const signedWith = new WeakMap<HttpClientRequest.HttpClientRequest, OpenStackToken>()
    const signer = Signer.make(
      (request) =>
        Effect.map(cache.get, (token) => {
          const signed = attach(request, token.token)
          signedWith.set(signed, token)
          return signed
        }),
      (rejected) =>
        Effect.suspend(() => {
          const token = signedWith.get(rejected)
          return token === undefined ? Effect.void : cache.invalidate(token)
        })
    )
    const where: Where = { provider, operation: ENDPOINT_OPERATION }
    const endpoint = (serviceType: string, endpointOptions: EndpointOptions = {}) =>
      Effect.flatMap(cache.get, (token) => {
        // Tempauth's one "catalog" entry has no region or interfaces to choose from.
        const query: Catalog.EndpointQuery = tempauth ? { serviceType } : {
          serviceType,
          region: endpointOptions.region ?? config.region,
          interface: endpointOptions.interface ?? config.interface,
          serviceName: endpointOptions.serviceName
        }
        return Either.map(Catalog.select(token.catalog, query, where), (e) => e.url)
      })
    return {
      provider,
      signer,
      token: cache.get,
      catalog: Effect.map(cache.get, (t) => t.catalog),
      endpoint,
      invalidate: Effect.flatMap(Ref.get(latest), (t) => (t === undefined ? Effect.void : cache.invalidate(t)))
    } satisfies OpenStackSession
  })
}
