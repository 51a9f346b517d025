/**
 * The error taxonomy shared by every provider (DESIGN.md §4).
 *
 * Every error names the `provider` that raised it and the portable
 * `operation` (e.g. "ObjectStorage.putObject") so a program holding several
 * providers at once can tell them apart without parsing messages.
 * None of them ever carries a credential: messages are built from ids,
 * names and provider codes only.
 */
import { Duration, Schema } from "effect"

const origin = {
  provider: Schema.String,
  operation: Schema.String
}

const where = (e: { readonly provider: string; readonly operation: string }) => `${e.provider} ${e.operation}`

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  ...origin,
  resource: Schema.String,
  id: Schema.String
}) {
  override get message() {
    return `${where(this)}: ${this.resource} "${this.id}" not found`
  }
}

export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", {
  ...origin,
  resource: Schema.String,
  id: Schema.String
}) {
  override get message() {
    return `${where(this)}: ${this.resource} "${this.id}" already exists`
  }
}

/** The request is valid but the resource's state forbids it (e.g. deleting a container that is not empty). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  ...origin,
  resource: Schema.String,
  id: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: ${this.resource} "${this.id}": ${this.reason}`
  }
}

export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: invalid credentials: ${this.reason}`
  }
}

export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: permission denied: ${this.reason}`
  }
}

export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...origin,
  /** How long the provider asked us to wait, when it said. */
  retryAfter: Schema.optional(Schema.DurationFromSelf),
  /**
   * The HTTP status it came with, when the status alone said so: 429 is a
   * refusal (nothing was done), 503 may follow work already done.
   */
  status: Schema.optional(Schema.Number)
}) {
  override get message() {
    const after = this.retryAfter === undefined ? "" : ` (retry after ${Duration.format(this.retryAfter)})`
    return `${where(this)}: rate limited${after}`
  }
}

/** Raised before any request is sent. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  ...origin,
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: invalid ${this.field}: ${this.reason}`
  }
}

/** An optional capability this provider does not have. */
export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", {
  ...origin,
  capability: Schema.String
}) {
  override get message() {
    return `${where(this)}: ${this.capability} is not supported by this provider`
  }
}

/** Any other failure the provider reported, with what it said about it. */
export class ProviderError extends Schema.TaggedError<ProviderError>()("ProviderError", {
  ...origin,
  status: Schema.optional(Schema.Number),
  code: Schema.optional(Schema.String),
  detail: Schema.String,
  requestId: Schema.optional(Schema.String)
}) {
  override get message() {
    const status = this.status === undefined ? "" : ` ${this.status}`
    const code = this.code === undefined ? "" : ` ${this.code}`
    const id = this.requestId === undefined ? "" : ` (request ${this.requestId})`
    return `${where(this)}:${status}${code}: ${this.detail}${id}`
  }
}

/** The provider answered something we cannot understand. Never a defect. */
export class MalformedResponse extends Schema.TaggedError<MalformedResponse>()("MalformedResponse", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: malformed response: ${this.reason}`
  }
}

/** The request never got an answer: connection refused or dropped, DNS, TLS, timeout. */
export class Transport extends Schema.TaggedError<Transport>()("Transport", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${where(this)}: transport failure: ${this.reason}`
  }
}

/** A wait helper gave up (cloudfx addition to DESIGN.md §4: waiting is portable, so is its failure). */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  ...origin,
  waitingFor: Schema.String,
  after: Schema.DurationFromSelf
}) {
  override get message() {
    return `${where(this)}: gave up after ${Duration.format(this.after)} waiting for ${this.waitingFor}`
  }
}

/** A resource reached a state it cannot come back from while we waited (node in error, terminated). */
export class UnexpectedState extends Schema.TaggedError<UnexpectedState>()("UnexpectedState", {
  ...origin,
  resource: Schema.String,
  id: Schema.String,
  state: Schema.String,
  expected: Schema.String
}) {
  override get message() {
    return `${where(this)}: ${this.resource} "${this.id}" is ${this.state}, expected ${this.expected}`
  }
}

/** What was stored is not what was sent (size or checksum). */
export class IntegrityError extends Schema.TaggedError<IntegrityError>()("IntegrityError", {
  ...origin,
  key: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message() {
    return `${where(this)}: integrity check failed for "${this.key}": expected ${this.expected}, got ${this.actual}`
  }
}

/** Failures any remote call can end in, whatever the operation. */
export type ProviderFailure =
  | InvalidCredentials
  | PermissionDenied
  | RateLimited
  | ProviderError
  | MalformedResponse
  | Transport

export const CloudError = Schema.Union(
  NotFound,
  AlreadyExists,
  Conflict,
  InvalidCredentials,
  PermissionDenied,
  RateLimited,
  InvalidInput,
  Unsupported,
  ProviderError,
  MalformedResponse,
  Transport,
  Timeout,
  UnexpectedState,
  IntegrityError
)
export type CloudError = typeof CloudError.Type

const tags = new Set<string>(CloudError.members.map((m) => m._tag))

/** True for any cloudfx error (useful in `Effect.catchIf`). */
export const isCloudError = (u: unknown): u is CloudError =>
  typeof u === "object" && u !== null && "_tag" in u && tags.has((u as { _tag: string })._tag)
