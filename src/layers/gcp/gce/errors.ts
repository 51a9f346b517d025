/**
 * Compute Engine failures → the error taxonomy, for both ways GCE reports
 * them: an HTTP error body `{error: {code, message, errors: [{reason,
 * domain, message}]}}`, and a DONE operation carrying `error.errors[]` with
 * upper-case codes (RESOURCE_NOT_FOUND, QUOTA_EXCEEDED, …) and the HTTP
 * status it would have had.
 *
 * GCE's not-found message names the missing resource ("The resource
 * 'projects/p/zones/z/instances/i' was not found"), which tells a missing
 * instance from a missing disk in calls that involve both (attachDisk).
 *
 * Reference: https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses
 * and the Operation resource, https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations
 */
import { Duration, Effect, Option } from "effect"
import type { Errors } from "../../../http/index.js"
import { Redact } from "../../../http/index.js"
import {
  AlreadyExists,
  Conflict,
  InvalidCredentials,
  NotFound,
  PermissionDenied,
  type ProviderFailure,
  ProviderError,
  RateLimited
} from "../../../schemas/Errors.js"
import type { Where } from "../../../services/validate.js"
import type { Operation } from "./wire.js"

/** What a GCE call can fail with before an operation narrows it. */
export type GceFailure = NotFound | AlreadyExists | Conflict | ProviderFailure

/** The resource a call is about, for NotFound / AlreadyExists / Conflict. */
export interface Target {
  readonly resource: string
  readonly id: string
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const text = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/** `code` is the first `errors[].reason` (notFound, quotaExceeded, …): the HTTP status is already known. */
export const extract: Errors.Extractor = (response) => {
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    return {}
  }
  const error = isRecord(body) ? body["error"] : undefined
  if (!isRecord(error)) return {}
  const first = Array.isArray(error["errors"]) && isRecord(error["errors"][0]) ? error["errors"][0] : {}
  const code = text(first["reason"]) ?? text(error["status"])
  const message = text(error["message"]) ?? text(first["message"])
  return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) }
}

const collections: ReadonlyArray<readonly [RegExp, string]> = [
  [/\/instances\/([^/]+)$/, "node"],
  [/\/disks\/([^/]+)$/, "volume"],
  [/\/snapshots\/([^/]+)$/, "snapshot"],
  [/\/images\/(?:family\/)?([^/]+)$/, "image"],
  [/\/machineTypes\/([^/]+)$/, "size"],
  [/\/firewalls\/([^/]+)$/, "firewall"],
  [/\/addresses\/([^/]+)$/, "address"],
  [/\/zones\/([^/]+)$/, "location"],
  [/\/regions\/([^/]+)$/, "region"]
]

/**
 * Which resource a not-found message names. The caller's own id is kept
 * when the message names the resource the caller asked about (ids are
 * "zone/name" where GCE says only the name).
 */
export const missingTarget = (message: string | undefined, target: Target): Target => {
  const path = message === undefined ? undefined : /resource '([^']+)' was not found/.exec(message)?.[1]
  if (path === undefined) return target
  for (const [pattern, resource] of collections) {
    const m = pattern.exec(path)
    if (m !== null) return resource === target.resource ? target : { resource, id: m[1]! }
  }
  return target
}

const rateLimitReasons = new Set(["rateLimitExceeded", "userRateLimitExceeded"])
const conflictReasons = new Set(["resourceNotReady", "resourceInUseByAnotherResource", "conditionNotMet"])

/**
 * `classify` for ProviderHttp: with a target, 404 → NotFound, 409 →
 * AlreadyExists (or Conflict), resourceNotReady / resourceInUse /
 * conditionNotMet → Conflict. Always: 403 rate-limit reasons → RateLimited
 * (GCE's API rate limit is a 403, not a 429), 403 quotaExceeded →
 * ProviderError with its code (a quota is not a permission, and waiting
 * does not lift it). The rest falls through to the status table.
 */
export const classify = (target: Target | undefined) => (f: Errors.FailureContext): GceFailure | undefined => {
  const reason = f.code
  if (f.status === 403 && reason !== undefined && rateLimitReasons.has(reason)) {
    return Option.match(f.retryAfter, {
      onNone: () => new RateLimited({ ...f.where }),
      onSome: (retryAfter) => new RateLimited({ ...f.where, retryAfter })
    })
  }
  if (reason === "quotaExceeded") {
    return new ProviderError({ ...f.where, status: f.status, code: reason, detail: f.message ?? "quota exceeded", ...(f.requestId === undefined ? {} : { requestId: f.requestId }) })
  }
  if (target === undefined) return undefined
  if (f.status === 404) return new NotFound({ ...f.where, ...missingTarget(f.message, target) })
  if (f.status === 409 && (reason === undefined || reason === "alreadyExists")) return new AlreadyExists({ ...f.where, ...target })
  if (f.status === 409 || f.status === 412 || (f.status === 400 && reason !== undefined && conflictReasons.has(reason))) {
    return new Conflict({ ...f.where, ...target, reason: f.message ?? reason ?? "conflict" })
  }
  return undefined
}

/**
 * The error a DONE operation ended with, or undefined when it succeeded.
 * Codes first; the operation's HTTP status decides the rest.
 */
export const operationFailure = (where: Where, operation: Operation, target: Target | undefined): GceFailure | undefined => {
  const errors = operation.error?.errors ?? []
  if (errors.length === 0 && (operation.httpErrorStatusCode === undefined || operation.httpErrorStatusCode < 400)) return undefined
  const first = errors[0]
  const code = first?.code
  const message = Redact.text(errors.map((e) => e.message ?? e.code ?? "").filter((m) => m !== "").join("; ") || (operation.httpErrorMessage ?? "operation failed"))
  const status = operation.httpErrorStatusCode
  const providerError = () =>
    new ProviderError({ ...where, ...(status === undefined ? {} : { status }), ...(code === undefined ? {} : { code }), detail: message })
  switch (code) {
    case "RESOURCE_NOT_FOUND":
      return target === undefined ? providerError() : new NotFound({ ...where, ...missingTarget(first?.message, target) })
    case "RESOURCE_ALREADY_EXISTS":
      return target === undefined ? providerError() : new AlreadyExists({ ...where, ...target })
    case "RESOURCE_NOT_READY":
    case "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE":
    case "CONDITION_NOT_MET":
      return target === undefined ? providerError() : new Conflict({ ...where, ...target, reason: message })
    case "RESOURCE_OPERATION_RATE_EXCEEDED":
      return new RateLimited({ ...where })
  }
  switch (status) {
    case 401:
      return new InvalidCredentials({ ...where, reason: message })
    case 403:
      return code === "QUOTA_EXCEEDED" ? providerError() : new PermissionDenied({ ...where, reason: message })
    case 404:
      return target === undefined ? providerError() : new NotFound({ ...where, ...missingTarget(first?.message, target) })
    case 429:
      return new RateLimited({ ...where })
  }
  return providerError()
}

type Extra = NotFound | AlreadyExists | Conflict
type ExtraTag = Extra["_tag"]

const asProviderError = (e: Extra): ProviderError => {
  switch (e._tag) {
    case "NotFound":
      return new ProviderError({ provider: e.provider, operation: e.operation, status: 404, code: "notFound", detail: e.message })
    case "AlreadyExists":
      return new ProviderError({ provider: e.provider, operation: e.operation, status: 409, code: "alreadyExists", detail: e.message })
    case "Conflict":
      return new ProviderError({ provider: e.provider, operation: e.operation, code: "conflict", detail: e.message })
  }
}

const isExtra = (u: unknown): u is Extra =>
  u instanceof NotFound || u instanceof AlreadyExists || u instanceof Conflict

/**
 * Keeps the typed errors an operation may fail with and turns the others
 * into ProviderError, so each operation's error channel names exactly what
 * its interface says.
 */
export const only = <const K extends ExtraTag = never>(...keep: ReadonlyArray<K>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, Exclude<Extra, { readonly _tag: K }>> | ProviderError, R> =>
  Effect.catchIf(
    self,
    (e): e is E & Extra => isExtra(e) && !(keep as ReadonlyArray<string>).includes(e._tag),
    (e) => Effect.fail(asProviderError(e))
  ) as Effect.Effect<A, Exclude<E, Exclude<Extra, { readonly _tag: K }>> | ProviderError, R>

/** A Timeout while waiting on an operation is a provider failure: the interface has no Timeout for it. */
export const operationTimedOut = (where: Where, name: string, after: Duration.Duration) =>
  new ProviderError({ ...where, code: "operationTimeout", detail: `operation ${name} was not DONE after ${Duration.format(after)}` })
