/**
 * Azure Blob error codes → the error taxonomy. The code comes from the
 * `x-ms-error-code` header (the only place a HEAD response carries it), else
 * from the XML body's `<Code>`.
 */
import { Option } from "effect"
import * as Errors from "../../../http/Errors.js"
import {
  AlreadyExists,
  IntegrityError,
  InvalidCredentials,
  InvalidInput,
  NotFound,
  PermissionDenied,
  RateLimited
} from "../../../schemas/Errors.js"

export const extract: Errors.Extractor = (response) => {
  const details = Errors.defaultExtractor(response)
  const header = response.headers["x-ms-error-code"]
  return header === undefined || header.trim() === "" ? details : { ...details, code: header.trim() }
}

const authentication = new Set(["AuthenticationFailed", "InvalidAuthenticationInfo", "NoAuthenticationInformation"])

const permission = new Set([
  "AuthorizationFailure",
  "AuthorizationPermissionMismatch",
  "AuthorizationSourceIPMismatch",
  "AuthorizationProtocolMismatch",
  "AuthorizationServiceMismatch",
  "AuthorizationResourceTypeMismatch",
  "InsufficientAccountPermissions",
  "AccountIsDisabled",
  "KeyBasedAuthenticationNotPermitted",
  "PublicAccessNotPermitted"
])

const reasonOf = (f: Errors.FailureContext) => f.message ?? f.code ?? `HTTP ${f.status}`

/**
 * Credentials and throttling, for every request. Azure's AuthorizationFailure
 * means "not allowed" (a firewall rule, say) — but Azurite answers a bad
 * Shared Key signature with it, saying the server "failed to authenticate":
 * that wording is what makes it InvalidCredentials. (A HEAD carries no
 * message, so there it stays PermissionDenied.)
 */
export const classifyAccess = (f: Errors.FailureContext): InvalidCredentials | PermissionDenied | RateLimited | undefined => {
  const code = f.code
  if (code === undefined) return undefined
  if (authentication.has(code) || (code === "AuthorizationFailure" && /failed to authenticate/i.test(f.message ?? ""))) {
    return new InvalidCredentials({ ...f.where, reason: reasonOf(f) })
  }
  if (permission.has(code)) return new PermissionDenied({ ...f.where, reason: reasonOf(f) })
  if (code === "ServerBusy" || code === "TpsOverAccountLimit" || code === "IngressOverAccountLimit" || code === "EgressOverAccountLimit") {
    return Option.match(f.retryAfter, {
      onNone: () => new RateLimited({ ...f.where }),
      onSome: (retryAfter) => new RateLimited({ ...f.where, retryAfter })
    })
  }
  return undefined
}

export interface Subject {
  readonly container: string
  readonly key?: string | undefined
}

export const containerNotFound = (where: Errors.Where, container: string) =>
  new NotFound({ ...where, resource: "container", id: container })

export const objectNotFound = (where: Errors.Where, container: string, key: string) =>
  new NotFound({ ...where, resource: "object", id: `${container}/${key}` })

/** Not-found by what is missing: the container or the blob. */
export const classifyResource = (subject: Subject) => (f: Errors.FailureContext) => {
  const access = classifyAccess(f)
  if (access !== undefined) return access
  if (f.code === "ContainerNotFound") return containerNotFound(f.where, subject.container)
  if (f.status === 404 && subject.key !== undefined) return objectNotFound(f.where, subject.container, subject.key)
  if (f.status === 404) return containerNotFound(f.where, subject.container)
  return undefined
}

export const classifyCreate = (container: string) => (f: Errors.FailureContext) =>
  classifyAccess(f) ??
    (f.code === "ContainerAlreadyExists" ? new AlreadyExists({ ...f.where, resource: "container", id: container }) : undefined)

/** Azure answers a range starting at or past the end (any range of an empty blob) with 416 InvalidRange. */
export const classifyRead = (subject: Subject & { readonly key: string }) => (f: Errors.FailureContext) =>
  f.status === 416 || f.code === "InvalidRange"
    ? new InvalidInput({ ...f.where, field: "range.start", reason: "is at or beyond the end of the object" })
    : classifyResource(subject)(f)

/** A body the service found corrupt against the Content-MD5 we sent. */
export const classifyWrite = (subject: Subject & { readonly key: string }) => (f: Errors.FailureContext) =>
  f.code === "Md5Mismatch"
    ? new IntegrityError({ ...f.where, key: subject.key, expected: "the MD5 sent", actual: reasonOf(f) })
    : classifyResource(subject)(f)
