/**
 * The SSH client service `deployNode` runs on: open a session (scoped, so the
 * connection always closes), run commands, send files over SFTP.
 *
 * Host keys are always checked unless the caller names the opt-out:
 * - `{ _tag: "Fingerprint", fingerprints: ["SHA256:…"] }` pins the key, in the
 *   form `ssh-keygen -l` prints;
 * - `{ _tag: "TrustOnFirstUse", store }` accepts an unknown host once and
 *   records its key in the store (OpenSSH's `accept-new`); a different key
 *   later is refused;
 * - `{ _tag: "KnownHosts", store }` accepts only hosts already in the store;
 * - `{ _tag: "InsecureAcceptAny" }` checks nothing.
 * Without a policy, `TrustOnFirstUse` over the service's own in-memory store
 * applies: the first key seen for a host:port is pinned for the life of the
 * service. ssh2 asks for the verdict before authenticating, so a refused key
 * never sees a credential.
 *
 * The implementation over ssh2 is `Ssh2` in src/layers/ssh (`cloudfx/ssh`).
 */
import { Context } from "effect"
import type { Duration, Effect, Redacted, Scope } from "effect"
import type { InvalidInput } from "../schemas/Errors.js"
import type { BadPrivateKey, SshConnectError, SshSessionError } from "./SshErrors.js"

export class Ssh extends Context.Tag("cloudfx/Ssh")<Ssh, Ssh.Service>() {}

export declare namespace Ssh {
  /** One host key as the server presents it. */
  export interface HostKey {
    /** "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", … */
    readonly type: string
    /** The key blob (what fingerprints hash). */
    readonly blob: Uint8Array
  }

  /** Where known host keys live: a known_hosts file, or memory. */
  export interface KnownHostsStore {
    /** Keys recorded for host:port; `revoked` are keys marked `@revoked`. */
    readonly lookup: (
      host: string,
      port: number
    ) => Effect.Effect<{ readonly keys: ReadonlyArray<HostKey>; readonly revoked: ReadonlyArray<HostKey> }, KnownHostsError>
    readonly add: (host: string, port: number, key: HostKey) => Effect.Effect<void, KnownHostsError>
  }

  export interface KnownHostsError {
    readonly _tag: "KnownHostsError"
    readonly reason: string
  }

  export type HostKeyPolicy =
    | { readonly _tag: "Fingerprint"; readonly fingerprints: ReadonlyArray<string> }
    | { readonly _tag: "TrustOnFirstUse"; readonly store?: KnownHostsStore }
    | { readonly _tag: "KnownHosts"; readonly store: KnownHostsStore }
    | { readonly _tag: "InsecureAcceptAny" }

  /** What a login offers: at least one of a private key, a password, an agent. */
  export interface Credentials {
    /** OpenSSH ("BEGIN OPENSSH PRIVATE KEY") or PEM key text: ed25519, ECDSA or RSA. */
    readonly privateKey?: Redacted.Redacted<string | Uint8Array>
    readonly passphrase?: Redacted.Redacted<string>
    readonly password?: Redacted.Redacted<string>
    /** Use an ssh-agent: `true` for $SSH_AUTH_SOCK, or the socket path. */
    readonly agent?: boolean | string
  }

  export interface ConnectOptions extends Credentials {
    readonly host: string
    /** Default 22. */
    readonly port?: number
    readonly username: string
    /** Default: TrustOnFirstUse over the service's in-memory store. */
    readonly hostKey?: HostKeyPolicy
    /** Time for TCP connect + handshake + authentication. Default 20 seconds. */
    readonly timeout?: Duration.DurationInput
  }

  export interface ExecOptions {
    /** Stop the command (its whole process group) after this long. Default: no limit. */
    readonly timeout?: Duration.DurationInput
    /** Keep at most this many bytes of each of stdout and stderr (the tail). Default 1 MiB. */
    readonly maxOutputBytes?: number
  }

  export interface ExecResult {
    readonly stdout: string
    readonly stderr: string
    /** The exit status; 128 + n when killed by signal n, as a shell reports it. */
    readonly exitCode: number
    /** The signal that ended it, when one did ("TERM", "KILL", …). */
    readonly signal?: string
  }

  export interface PutOptions {
    /** Permission bits set after writing, e.g. 0o600. Default 0o644. */
    readonly mode?: number
  }

  export interface Session {
    readonly host: string
    readonly port: number
    readonly username: string
    /** "SHA256:…" of the host key the server presented. */
    readonly hostKeyFingerprint: string
    /**
     * Run a command with the user's login shell. Interrupting the effect (or
     * the timeout) stops the remote command and everything it started in the
     * foreground: it runs in the session's process group, which is signalled
     * (TERM, KILL 3 s later) as soon as the channel closes.
     */
    readonly exec: (command: string, options?: ExecOptions) => Effect.Effect<ExecResult, SshSessionError | InvalidInput>
    /** Send a local file (streamed, not read into memory). Relative paths are from the login directory. */
    readonly putFile: (
      localPath: string,
      remotePath: string,
      options?: PutOptions
    ) => Effect.Effect<void, SshSessionError | InvalidInput>
    readonly putBytes: (
      content: Uint8Array | string,
      remotePath: string,
      options?: PutOptions
    ) => Effect.Effect<void, SshSessionError | InvalidInput>
    /** Delete a remote file; one already gone is not an error. */
    readonly remove: (remotePath: string) => Effect.Effect<void, SshSessionError | InvalidInput>
  }

  export interface Service {
    readonly connect: (options: ConnectOptions) => Effect.Effect<Session, SshConnectError | InvalidInput, Scope.Scope>
    /**
     * Check credentials here, without connecting: the private key parses and
     * is private, an encrypted key has its passphrase and the passphrase
     * opens it (BadPrivateKey); something to log in with is given, a
     * passphrase comes with a key, `agent: true` has $SSH_AUTH_SOCK
     * (InvalidInput). Whether the server accepts them is only known by
     * connecting. A BadPrivateKey from here names no server: its host is ""
     * and its port 0.
     */
    readonly checkCredentials: (credentials: Credentials) => Effect.Effect<void, BadPrivateKey | InvalidInput>
  }
}
