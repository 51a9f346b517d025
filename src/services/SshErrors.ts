/**
 * The SSH side of the error taxonomy (kept beside src/schemas/Errors.ts in its
 * style: Schema.TaggedError with `provider` ("ssh") and `operation`). Whether
 * an error is worth retrying is part of its type: `SshConnectionFailed` is
 * what a server that is still booting looks like; the others will not get
 * better by trying again.
 */
import { Duration, Schema } from "effect"

const origin = {
  provider: Schema.String,
  operation: Schema.String,
  host: Schema.String,
  port: Schema.Number
}

// A check made before any connection (Ssh.checkCredentials) has no host: it names the operation alone.
const at = (e: { readonly operation: string; readonly host: string; readonly port: number }) =>
  e.host === "" ? e.operation : `${e.operation} ${e.host}:${e.port}`

/** No SSH session came up: refused, unreachable, timed out, reset, no SSH banner. Retryable. */
export class SshConnectionFailed extends Schema.TaggedError<SshConnectionFailed>()("SshConnectionFailed", {
  ...origin,
  reason: Schema.String
}) {
  get retryable(): true {
    return true
  }
  override get message() {
    return `${at(this)}: connection failed: ${this.reason}`
  }
}

/** The server rejected every credential offered for this user. Fatal. */
export class SshAuthenticationFailed extends Schema.TaggedError<SshAuthenticationFailed>()("SshAuthenticationFailed", {
  ...origin,
  username: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${at(this)}: authentication failed for "${this.username}": ${this.reason}`
  }
}

/**
 * The server's host key is not the one expected (pinned fingerprint, known
 * hosts entry, revoked key, or unknown under a strict known-hosts policy).
 * The connection was dropped before any credential was sent. Fatal.
 */
export class HostKeyMismatch extends Schema.TaggedError<HostKeyMismatch>()("HostKeyMismatch", {
  ...origin,
  keyType: Schema.String,
  /** "SHA256:…" of the key the server presented. */
  fingerprint: Schema.String,
  /** Fingerprints that would have been accepted (empty when the host is unknown). */
  expected: Schema.Array(Schema.String),
  reason: Schema.String
}) {
  override get message() {
    const expected = this.expected.length === 0 ? "" : ` (expected ${this.expected.join(" or ")})`
    return `${at(this)}: host key ${this.keyType} ${this.fingerprint} refused: ${this.reason}${expected}`
  }
}

/** The private key cannot be used: unreadable, unsupported, encrypted without a passphrase, wrong passphrase. Fatal. */
export class BadPrivateKey extends Schema.TaggedError<BadPrivateKey>()("BadPrivateKey", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${at(this)}: unusable private key: ${this.reason}`
  }
}

/** A command ran longer than its timeout; it was stopped (its process group signalled, its channel closed). */
export class SshCommandTimeout extends Schema.TaggedError<SshCommandTimeout>()("SshCommandTimeout", {
  ...origin,
  after: Schema.DurationFromSelf,
  /** What the command had written before it was stopped (the tail, when long). */
  stdout: Schema.String,
  stderr: Schema.String
}) {
  override get message() {
    return `${at(this)}: command stopped after ${Duration.format(this.after)}`
  }
}

/** The established session failed: channel refused, connection lost mid-command. */
export class SshSessionFailed extends Schema.TaggedError<SshSessionFailed>()("SshSessionFailed", {
  ...origin,
  reason: Schema.String
}) {
  override get message() {
    return `${at(this)}: ${this.reason}`
  }
}

/** An SFTP operation failed (or the local file to send could not be read). */
export class SftpFailed extends Schema.TaggedError<SftpFailed>()("SftpFailed", {
  ...origin,
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${at(this)}: ${this.path}: ${this.reason}`
  }
}

/** What `Ssh.connect` can fail with besides InvalidInput. */
export type SshConnectError = SshConnectionFailed | SshAuthenticationFailed | HostKeyMismatch | BadPrivateKey

/** Everything an open session's operations can fail with. */
export type SshSessionError = SshCommandTimeout | SshSessionFailed | SftpFailed

export const SshError = Schema.Union(
  SshConnectionFailed,
  SshAuthenticationFailed,
  HostKeyMismatch,
  BadPrivateKey,
  SshCommandTimeout,
  SshSessionFailed,
  SftpFailed
)
export type SshError = typeof SshError.Type

/** Fatal connection errors end a connect-retry loop at once. */
export const isRetryableConnectError = (e: unknown): e is SshConnectionFailed =>
  typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "SshConnectionFailed"
