/**
 * Keystone authentication: Identity v3 (`POST /v3/auth/tokens`, the token in
 * the X-Subject-Token header) with a password or an application credential,
 * and Identity v2.0 (`POST /v2.0/tokens`, `access.token.id`) for older
 * clouds. Requests go through ProviderHttp, so they get its spans, timeout,
 * retries (a token request is safe to repeat) and status mapping: a 401 is
 * `InvalidCredentials`, a 403 `PermissionDenied`.
 *
 * Configuration problems (no user, no secret, a project and a domain scope at
 * once) are `InvalidCredentials` too, raised before anything is sent: the
 * token fetch may run inside any operation, and every operation can fail
 * that way. No error carries the password or the secret.
 */
import { HttpClientRequest } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Clock, Effect, Either, Redacted } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import { MalformedResponse } from "../../schemas/Errors.js"
import * as Catalog from "./Catalog.js"
import type { KeystoneApplicationCredentialConfig, KeystoneConfig, KeystonePasswordConfig } from "./Config.js"
import { isApplicationCredential } from "./Config.js"
import {
  type AuthenticateOptions,
  type AuthError,
  authHttp,
  checkSecret,
  checkUrl,
  invalidConfig,
  nonEmpty,
  parseTimestamp,
  scrub,
  type Where
} from "./internal.js"
import type { OpenStackToken } from "./Token.js"
import { V2TokenResponse, V3TokenResponse } from "./Wire.js"

export const PROVIDER = "openstack-keystone"
export const OPERATION = "Keystone.authenticate"

export type IdentityVersion = "v3" | "v2.0"

/** The Identity root to POST to, and its version, from the configured `authUrl`. */
export const identityEndpoint = (authUrl: string): { readonly version: IdentityVersion; readonly url: string } => {
  const url = authUrl.replace(/\/+$/, "")
  if (/\/v2\.0$/.test(url)) return { version: "v2.0", url }
  if (/\/v3$/.test(url)) return { version: "v3", url }
  return { version: "v3", url: `${url}/v3` }
}

export type { AuthenticateOptions } from "./internal.js"

// ---------------------------------------------------------------- v3 request bodies

type Json = Record<string, unknown>

const byIdOrName = (id: string | undefined, name: string | undefined): Json | undefined =>
  nonEmpty(id) ? { id } : nonEmpty(name) ? { name } : undefined

const DEFAULT_DOMAIN: Json = { id: "default" }

/** `{ id }`, or `{ name, domain }` (domain default "default"); a reason when there is neither. */
const userRef = (c: {
  readonly userId?: string | undefined
  readonly username?: string | undefined
  readonly userDomainId?: string | undefined
  readonly userDomainName?: string | undefined
}): Either.Either<Json, string> => {
  if (nonEmpty(c.userId)) return Either.right({ id: c.userId })
  if (nonEmpty(c.username)) return Either.right({ name: c.username, domain: byIdOrName(c.userDomainId, c.userDomainName) ?? DEFAULT_DOMAIN })
  return Either.left("username or userId is required")
}

const scopeOf = (c: KeystonePasswordConfig): Either.Either<Json | undefined, string> => {
  const project = nonEmpty(c.projectId) || nonEmpty(c.projectName)
  const domain = byIdOrName(c.domainId, c.domainName)
  if (project && domain !== undefined) return Either.left("scope the token to a project or to a domain, not both")
  if (nonEmpty(c.projectId)) return Either.right({ project: { id: c.projectId } })
  if (nonEmpty(c.projectName)) {
    const projectDomain = byIdOrName(c.projectDomainId, c.projectDomainName) ??
      byIdOrName(c.userDomainId, c.userDomainName) ??
      DEFAULT_DOMAIN
    return Either.right({ project: { name: c.projectName, domain: projectDomain } })
  }
  return Either.right(domain === undefined ? undefined : { domain })
}

const passwordBody = (c: KeystonePasswordConfig): Either.Either<Json, string> =>
  Either.gen(function*() {
    const user = yield* userRef(c)
    const scope = yield* scopeOf(c)
    const auth: Json = {
      identity: { methods: ["password"], password: { user: { ...user, password: Redacted.value(c.password) } } }
    }
    return { auth: scope === undefined ? auth : { ...auth, scope } }
  })

const applicationCredentialBody = (c: KeystoneApplicationCredentialConfig): Either.Either<Json, string> =>
  Either.gen(function*() {
    const secret = Redacted.value(c.applicationCredentialSecret)
    const credential: Json = nonEmpty(c.applicationCredentialId)
      ? { id: c.applicationCredentialId, secret }
      : nonEmpty(c.applicationCredentialName)
      ? { name: c.applicationCredentialName, secret, user: yield* Either.mapLeft(userRef(c), (r) => `an application credential named by name needs its user: ${r}`) }
      : yield* Either.left("applicationCredentialId or applicationCredentialName is required")
    // No scope: an application credential's token is scoped to its own project.
    return { auth: { identity: { methods: ["application_credential"], application_credential: credential } } }
  })

/** The v3 `POST /auth/tokens` body for a config, or why the config cannot authenticate. */
export const v3RequestBody = (config: KeystoneConfig): Either.Either<Json, string> => {
  const urlProblem = checkUrl("authUrl", config.authUrl)
  if (urlProblem !== undefined) return Either.left(urlProblem)
  if (isApplicationCredential(config)) {
    const secretProblem = checkSecret("applicationCredentialSecret", config.applicationCredentialSecret)
    return secretProblem === undefined ? applicationCredentialBody(config) : Either.left(secretProblem)
  }
  const secretProblem = checkSecret("password", config.password)
  return secretProblem === undefined ? passwordBody(config) : Either.left(secretProblem)
}

/** The v2.0 `POST /tokens` body (password credentials and a tenant), or why there is none. */
export const v2RequestBody = (config: KeystoneConfig): Either.Either<Json, string> => {
  const urlProblem = checkUrl("authUrl", config.authUrl)
  if (urlProblem !== undefined) return Either.left(urlProblem)
  if (isApplicationCredential(config)) return Either.left("application credentials need Identity v3 (authUrl ending in /v3)")
  const secretProblem = checkSecret("password", config.password)
  if (secretProblem !== undefined) return Either.left(secretProblem)
  if (!nonEmpty(config.username)) return Either.left("Identity v2.0 needs a username")
  if (nonEmpty(config.domainId) || nonEmpty(config.domainName)) return Either.left("Identity v2.0 has no domain scope")
  const tenant = nonEmpty(config.projectId)
    ? { tenantId: config.projectId }
    : nonEmpty(config.projectName)
    ? { tenantName: config.projectName }
    : {}
  return Either.right({ auth: { passwordCredentials: { username: config.username, password: Redacted.value(config.password) }, ...tenant } })
}

// ---------------------------------------------------------------- responses

const malformed = (where: Where, reason: string) => new MalformedResponse({ ...where, reason })

// A header value cannot carry CR/LF; such a "token" would inject headers into every request.
const usableToken = (value: string | undefined): value is string => value !== undefined && value !== "" && !/[\r\n\0]/.test(value)

/**
 * When to stop using the token: the server's expiry, or earlier when our
 * clock is behind the server's (its lifetime counted from when we asked).
 */
const expiry = (expires: Date, issued: Date | undefined, askedAt: number): Date =>
  issued === undefined ? expires : new Date(Math.min(expires.getTime(), askedAt + (expires.getTime() - issued.getTime())))

const timestamps = (where: Where, expiresField: string, expires: string, issued: string | undefined) => {
  const expiresAt = parseTimestamp(expires)
  if (expiresAt === undefined) return Either.left(malformed(where, `${expiresField}: expected an ISO 8601 timestamp`))
  const issuedAt = issued === undefined ? undefined : parseTimestamp(issued)
  return Either.right({ expiresAt, issuedAt })
}

/** A v3 token response (X-Subject-Token + body) → the token. */
export const fromV3Response = (
  subjectToken: string | undefined,
  body: V3TokenResponse,
  askedAt: number,
  where: Where
): Either.Either<OpenStackToken, MalformedResponse> =>
  Either.gen(function*() {
    if (!usableToken(subjectToken)) return yield* Either.left(malformed(where, "no usable X-Subject-Token header in the token response"))
    const t = body.token
    const { expiresAt, issuedAt } = yield* timestamps(where, "token.expires_at", t.expires_at, t.issued_at)
    return {
      method: "keystone-v3",
      token: Redacted.make(subjectToken),
      expiresAt: expiry(expiresAt, issuedAt, askedAt),
      ...(issuedAt === undefined ? {} : { issuedAt }),
      catalog: Catalog.fromV3(body),
      ...(t.user === undefined ? {} : { user: { id: t.user.id, ...(t.user.name === undefined ? {} : { name: t.user.name }) } }),
      ...(t.project === undefined ? {} : {
        project: {
          id: t.project.id,
          ...(t.project.name === undefined ? {} : { name: t.project.name }),
          ...(t.project.domain === undefined ? {} : { domainId: t.project.domain.id })
        }
      }),
      ...(t.domain === undefined ? {} : { domain: { id: t.domain.id, ...(t.domain.name === undefined ? {} : { name: t.domain.name }) } }),
      roles: (t.roles ?? []).flatMap((r) => (r.name === undefined ? [] : [r.name]))
    } satisfies OpenStackToken
  })

/** A v2.0 access body → the token. */
export const fromV2Response = (body: V2TokenResponse, askedAt: number, where: Where): Either.Either<OpenStackToken, MalformedResponse> =>
  Either.gen(function*() {
    const t = body.access.token
    if (!usableToken(t.id)) return yield* Either.left(malformed(where, "access.token.id is not a usable token"))
    const { expiresAt, issuedAt } = yield* timestamps(where, "access.token.expires", t.expires, t.issued_at)
    const user = body.access.user
    return {
      method: "keystone-v2.0",
      token: Redacted.make(t.id),
      expiresAt: expiry(expiresAt, issuedAt, askedAt),
      ...(issuedAt === undefined ? {} : { issuedAt }),
      catalog: Catalog.fromV2(body),
      ...(user === undefined ? {} : { user: { id: user.id, ...(user.name === undefined ? {} : { name: user.name }) } }),
      ...(t.tenant === undefined ? {} : { project: { id: t.tenant.id, ...(t.tenant.name === undefined ? {} : { name: t.tenant.name }) } }),
      roles: (user?.roles ?? []).map((r) => r.name)
    } satisfies OpenStackToken
  })

// ---------------------------------------------------------------- authenticate

const secretsOf = (config: KeystoneConfig) =>
  isApplicationCredential(config) ? [config.applicationCredentialSecret] : [config.password]

/**
 * One fresh token for `config` (no caching here: see Session). v3 or v2.0
 * by the shape of `authUrl`.
 */
export const authenticate = (
  config: KeystoneConfig,
  options: AuthenticateOptions = {}
): Effect.Effect<OpenStackToken, AuthError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const where: Where = { provider: options.provider ?? PROVIDER, operation: OPERATION }
    const { url, version } = identityEndpoint(String(config.authUrl ?? ""))
    const body = version === "v3" ? v3RequestBody(config) : v2RequestBody(config)
    if (Either.isLeft(body)) return yield* invalidConfig(where, body.left)
    const http = yield* authHttp(where, url, options)
    const askedAt = yield* Clock.currentTimeMillis
    const request = HttpClientRequest.post(version === "v3" ? "/auth/tokens" : "/tokens").pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUnsafeJson(body.right)
    )
    // Asking for a token twice only makes a second token: safe to retry.
    const execute = { operation: OPERATION, idempotent: true }
    if (version === "v3") {
      return yield* http.execute(request, execute, (response, w) =>
        Effect.flatMap(ProviderHttp.json(V3TokenResponse)(response, w), (decoded) =>
          fromV3Response(response.headers["x-subject-token"], decoded, askedAt, w)))
    }
    return yield* http.execute(request, execute, (response, w) =>
      Effect.flatMap(ProviderHttp.json(V2TokenResponse)(response, w), (decoded) => fromV2Response(decoded, askedAt, w)))
  }).pipe(Effect.mapError(scrub(secretsOf(config))))
