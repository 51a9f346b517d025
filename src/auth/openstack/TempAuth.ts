/**
 * Swift's v1.0 authentication (tempauth, swauth and the clusters that copied
 * it): `GET authUrl` with X-Auth-User and X-Auth-Key answers the token in
 * X-Auth-Token (or X-Storage-Token), the account's storage URL in
 * X-Storage-Url, and, from tempauth, the seconds the token has left in
 * X-Auth-Token-Expires. Without that header the token is used for an hour
 * (a 401 refreshes it anyway).
 */
import { HttpClientRequest } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Clock, Effect, Either, Redacted } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import { MalformedResponse } from "../../schemas/Errors.js"
import type { TempAuthConfig } from "./Config.js"
import { type AuthenticateOptions, type AuthError, authHttp, checkSecret, checkUrl, invalidConfig, nonEmpty, scrub, type Where } from "./internal.js"
import type { OpenStackToken } from "./Token.js"

export const PROVIDER = "openstack-tempauth"
export const OPERATION = "Swift.authenticate"

/** How long a token without X-Auth-Token-Expires is used. */
export const DEFAULT_LIFETIME_MS = 60 * 60 * 1000

const usable = (value: string | undefined): value is string => value !== undefined && value !== "" && !/[\r\n\0]/.test(value)

/** The auth response's headers → the token (its catalog: the storage URL as "object-store"). */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  askedAt: number,
  where: Where
): Either.Either<OpenStackToken, MalformedResponse> => {
  const token = headers["x-auth-token"] ?? headers["x-storage-token"]
  if (!usable(token)) return Either.left(new MalformedResponse({ ...where, reason: "no usable X-Auth-Token header in the auth response" }))
  const storageUrl = headers["x-storage-url"]
  if (storageUrl === undefined || checkUrl("X-Storage-Url", storageUrl) !== undefined) {
    return Either.left(new MalformedResponse({ ...where, reason: "no http(s) X-Storage-Url header in the auth response" }))
  }
  const expires = headers["x-auth-token-expires"]
  const seconds = expires !== undefined && /^\d+(\.\d+)?$/.test(expires.trim()) ? Number(expires.trim()) : undefined
  const lifetime = seconds === undefined ? DEFAULT_LIFETIME_MS : seconds * 1000
  return Either.right({
    method: "tempauth",
    token: Redacted.make(token),
    expiresAt: new Date(askedAt + lifetime),
    catalog: [{ serviceType: "object-store", interface: "public", url: storageUrl.replace(/\/+$/, "") }]
  })
}

export const authenticate = (
  config: TempAuthConfig,
  options: AuthenticateOptions = {}
): Effect.Effect<OpenStackToken, AuthError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const where: Where = { provider: options.provider ?? PROVIDER, operation: OPERATION }
    const problem = checkUrl("authUrl", config.authUrl) ??
      (nonEmpty(config.user) ? undefined : "user is required") ??
      (/[\r\n\0]/.test(config.user) ? "user cannot contain line breaks" : undefined) ??
      checkSecret("key", config.key) ??
      (/[\r\n\0]/.test(Redacted.value(config.key)) ? "key cannot contain line breaks" : undefined)
    if (problem !== undefined) return yield* invalidConfig(where, problem)
    const http = yield* authHttp(where, config.authUrl, options)
    const askedAt = yield* Clock.currentTimeMillis
    const request = HttpClientRequest.get(config.authUrl).pipe(
      HttpClientRequest.setHeaders({ "x-auth-user": config.user, "x-auth-key": Redacted.value(config.key) })
    )
    return yield* http.execute(request, { operation: OPERATION }, (response, w) =>
      Effect.flatMap(ProviderHttp.headers(response, w), ({ headers }) => fromHeaders(headers, askedAt, w)))
  }).pipe(Effect.mapError(scrub([config.key])))
