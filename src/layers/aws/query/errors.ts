/**
 * AWS Query API error documents and the code → taxonomy classifier every
 * Query product shares; each product brings its own table of codes.
 *
 * Two documented shapes, both almost always status 400 whatever went wrong,
 * so the code decides:
 * - EC2: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
 * - the other Query services (Elastic Load Balancing, IAM, STS…):
 *   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html).
 */
import { Either } from "effect"
import * as Decode from "../../../http/Decode.js"
import * as Errors from "../../../http/Errors.js"
import {
  AlreadyExists,
  Conflict,
  InvalidCredentials,
  NotFound,
  PermissionDenied,
  ProviderError,
  RateLimited
} from "../../../schemas/Errors.js"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const str = (u: unknown): string | undefined => (typeof u === "string" && u.trim() !== "" ? u.trim() : undefined)

const firstOf = (u: unknown): unknown => (Array.isArray(u) ? u[0] : u)

/** Code, message and request id of a Query error document; any other body is left to the default reader. */
export const extract: Errors.Extractor = (response) => {
  const parsed = response.body.trim().startsWith("<") ? Decode.parseXml(response.body) : Either.left("not XML")
  if (Either.isRight(parsed) && isRecord(parsed.right)) {
    const root = parsed.right
    const doc = isRecord(root["Response"]) ? root["Response"] : isRecord(root["ErrorResponse"]) ? root["ErrorResponse"] : undefined
    if (doc !== undefined) {
      const error = firstOf(isRecord(doc["Errors"]) ? doc["Errors"]["Error"] : doc["Error"])
      if (isRecord(error)) {
        return {
          code: str(error["Code"]),
          message: str(error["Message"]),
          requestId: str(doc["RequestID"]) ?? str(doc["RequestId"])
        }
      }
    }
  }
  return Errors.defaultExtractor(response)
}

/** What a code means, for a product whose resources are named by `R`. */
export type Kind<R extends string = string> =
  | { readonly kind: "credentials" }
  | { readonly kind: "denied" }
  | { readonly kind: "throttled" }
  | { readonly kind: "NotFound"; readonly resource: R }
  | { readonly kind: "AlreadyExists"; readonly resource: R }
  | { readonly kind: "Conflict"; readonly resource: R }

/** The codes every Query service answers the same way (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html). */
export const commonCodes: Readonly<Record<string, Kind<never>>> = {
  AuthFailure: { kind: "credentials" },
  MissingAuthenticationToken: { kind: "credentials" },
  InvalidClientTokenId: { kind: "credentials" },
  SignatureDoesNotMatch: { kind: "credentials" },
  IncompleteSignature: { kind: "credentials" },
  ExpiredToken: { kind: "credentials" },
  AccessDenied: { kind: "denied" },
  AccessDeniedException: { kind: "denied" },
  NotAuthorized: { kind: "denied" },
  UnauthorizedOperation: { kind: "denied" },
  OptInRequired: { kind: "denied" },
  Throttling: { kind: "throttled" },
  ThrottlingException: { kind: "throttled" },
  RequestLimitExceeded: { kind: "throttled" }
}

/** "Client.UnauthorizedOperation" → "UnauthorizedOperation" (older documents prefix the fault side). */
export const bare = (code: string) => code.replace(/^(?:Client|Server)\./, "")

/** Which of the resource-specific errors an operation can report; the rest become ProviderError. */
export type Mapped = "NotFound" | "AlreadyExists" | "Conflict"

export type MappedError<M extends Mapped> =
  | ("NotFound" extends M ? NotFound : never)
  | ("AlreadyExists" extends M ? AlreadyExists : never)
  | ("Conflict" extends M ? Conflict : never)

/** The ids named in NotFound / AlreadyExists / Conflict, by resource. */
export type Targets<R extends string = string> = Partial<Record<R, string>>

export type Classified<M extends Mapped> =
  | MappedError<M>
  | InvalidCredentials
  | PermissionDenied
  | RateLimited
  | ProviderError
  | undefined

const providerError = (ctx: Errors.FailureContext) =>
  new ProviderError({
    ...ctx.where,
    status: ctx.status,
    detail: ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`,
    ...(ctx.code === undefined ? {} : { code: ctx.code }),
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId })
  })

/**
 * The classifier for one request: credentials, permission and throttling
 * always; NotFound / AlreadyExists / Conflict only where the operation can
 * report them (naming the id from `targets`), else ProviderError with the
 * code. Codes `kindOf` does not know fall through to the status table.
 */
export const classifier = <R extends string>(kindOf: (code: string | undefined, message: string | undefined) => Kind<R> | undefined) =>
<M extends Mapped>(mapped: ReadonlyArray<M>, targets: Targets<R>) =>
(ctx: Errors.FailureContext): Classified<M> => {
  const k = kindOf(ctx.code, ctx.message)
  if (k === undefined) return undefined
  const reason = ctx.message ?? ctx.code ?? `HTTP ${ctx.status}`
  switch (k.kind) {
    case "credentials":
      return new InvalidCredentials({ ...ctx.where, reason })
    case "denied":
      return new PermissionDenied({ ...ctx.where, reason })
    case "throttled":
      return ctx.retryAfter._tag === "Some"
        ? new RateLimited({ ...ctx.where, retryAfter: ctx.retryAfter.value })
        : new RateLimited({ ...ctx.where })
  }
  if (!(mapped as ReadonlyArray<Mapped>).includes(k.kind)) return providerError(ctx)
  const id = targets[k.resource] ?? ""
  switch (k.kind) {
    case "NotFound":
      return new NotFound({ ...ctx.where, resource: k.resource, id }) as MappedError<M>
    case "AlreadyExists":
      return new AlreadyExists({ ...ctx.where, resource: k.resource, id }) as MappedError<M>
    case "Conflict":
      return new Conflict({ ...ctx.where, resource: k.resource, id, reason }) as MappedError<M>
  }
}
