/**
 * The `Ssh` service over ssh2 (pure JavaScript SSH2: no ssh binary needed).
 *
 * ```ts
 * import { Ssh2, KnownHosts } from "cloudfx/ssh"
 * Ssh2.layer({ knownHosts: KnownHosts.file() })   // TOFU into ~/.ssh/known_hosts by default
 * ```
 */
import { constants } from "node:os"
import { Duration, Effect, Layer, Redacted } from "effect"
import ssh2 from "ssh2"
import type { ClientChannel, ConnectConfig, ParsedKey, SFTPWrapper } from "ssh2"
import { InvalidInput } from "../../schemas/Errors.js"
import { quote } from "../../services/shell.js"
import { Ssh } from "../../services/Ssh.js"
import {
  BadPrivateKey,
  HostKeyMismatch,
  SftpFailed,
  SshAuthenticationFailed,
  SshCommandTimeout,
  SshConnectionFailed,
  SshSessionFailed
} from "../../services/SshErrors.js"
import type { SshConnectError } from "../../services/SshErrors.js"
import { traced } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import * as KnownHosts from "./KnownHosts.js"

const PROVIDER = "ssh"

export interface Ssh2Config {
  /** Where TrustOnFirstUse records keys when a connection names no store. Default: in memory, per service. */
  readonly knownHosts?: Ssh.KnownHostsStore
  /** Default connect timeout (TCP + handshake + authentication). Default 20 seconds. */
  readonly timeout?: Duration.DurationInput
}

// ---------------------------------------------------------------- remote command wrapper

/**
 * sshd does not stop a command when its channel closes (no pty), and refuses
 * "signal" requests for root logins (no privilege separation there). So each
 * command runs under a small sh wrapper: the command is a child in the
 * session's process group, and a watcher blocked on the channel's stdin
 * signals that group (TERM, KILL 3 s later) when stdin reaches EOF, which
 * happens when we close the channel or the connection drops. A command
 * that finishes ends the watcher and exits with the command's status.
 */
const WRAPPER = [
  `exec 3<&0 </dev/null`,
  `\${SHELL:-/bin/sh} -c "$1" 3<&- & c=$!`,
  `(while read -r _ <&3; do :; done; trap "" TERM; kill -TERM 0; sleep 3; kill -KILL 0) & w=$!`,
  `exec 3<&-`,
  `wait $c; s=$?`,
  `kill $w 2>/dev/null`,
  `exit $s`
].join("; ")

export const wrapCommand = (command: string): string => `exec /bin/sh -c ${quote(WRAPPER)} cloudfx-exec ${quote(command)}`

// ---------------------------------------------------------------- output buffers

/** Keeps the last `max` bytes written. */
const tail = (max: number) => {
  const chunks: Array<Buffer> = []
  let size = 0
  let dropped = 0
  return {
    push: (b: Buffer) => {
      chunks.push(b)
      size += b.length
      while (size > max && chunks.length > 0) {
        const first = chunks[0]!
        const excess = size - max
        if (first.length <= excess) {
          chunks.shift()
          size -= first.length
          dropped += first.length
        } else {
          chunks[0] = first.subarray(excess)
          size -= excess
          dropped += excess
        }
      }
    },
    text: () => (dropped > 0 ? `[… ${dropped} bytes dropped]\n` : "") + Buffer.concat(chunks).toString("utf8")
  }
}

const signalNumber = (name: string): number | undefined => {
  const key = (name.startsWith("SIG") ? name : `SIG${name}`) as keyof typeof constants.signals
  return constants.signals[key]
}

// ---------------------------------------------------------------- validation

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/

/** The credential rules both `connect` and `checkCredentials` apply; the agent socket to use, if any. */
const checkCredentialFields = (
  where: { readonly provider: string; readonly operation: string },
  credentials: Ssh.Credentials
): Effect.Effect<string | undefined, InvalidInput> => {
  const bad = (field: string, reason: string) => Effect.fail(new InvalidInput({ ...where, field, reason }))
  const given = credentials.agent
  if (given !== undefined && typeof given !== "boolean" && (typeof given !== "string" || given === "")) {
    return bad("agent", "must be true (for $SSH_AUTH_SOCK), false or a socket path")
  }
  const agent = given === true ? process.env["SSH_AUTH_SOCK"] : given === false ? undefined : given
  if (given === true && (agent === undefined || agent === "")) return bad("agent", "SSH_AUTH_SOCK is not set")
  if (credentials.privateKey === undefined && credentials.password === undefined && agent === undefined) {
    return bad("privateKey", "give a privateKey, a password or an agent")
  }
  if (credentials.passphrase !== undefined && credentials.privateKey === undefined) {
    return bad("passphrase", "is only used with a privateKey")
  }
  return Effect.succeed(agent)
}

const checkOptions = (options: Ssh.ConnectOptions) =>
  Effect.gen(function*() {
    const where = { provider: PROVIDER, operation: "Ssh.connect" }
    const bad = (field: string, reason: string) => new InvalidInput({ ...where, field, reason })
    if (typeof options !== "object" || options === null) return yield* Effect.fail(bad("options", "must be an object"))
    const host = yield* validate.name(where, "host", options.host)
    if (/\s/.test(host)) return yield* Effect.fail(bad("host", "must not contain whitespace"))
    const port = yield* validate.port(where, "port", options.port ?? 22)
    const username = yield* validate.name(where, "username", options.username)
    const agent = yield* checkCredentialFields(where, options)
    const policy = options.hostKey
    if (policy !== undefined) {
      if (!["Fingerprint", "TrustOnFirstUse", "KnownHosts", "InsecureAcceptAny"].includes(policy._tag)) {
        return yield* Effect.fail(bad("hostKey", `unknown policy "${String(policy._tag)}"`))
      }
      if (policy._tag === "Fingerprint") {
        if (!Array.isArray(policy.fingerprints) || policy.fingerprints.length === 0) {
          return yield* Effect.fail(bad("hostKey.fingerprints", "must list at least one fingerprint"))
        }
        const wrong = policy.fingerprints.find((f) => typeof f !== "string" || !FINGERPRINT.test(f))
        if (wrong !== undefined) {
          return yield* Effect.fail(bad("hostKey.fingerprints", `"${String(wrong).slice(0, 60)}" is not a "SHA256:…" fingerprint as ssh-keygen -l prints it`))
        }
      }
      if (policy._tag === "KnownHosts" && policy.store === undefined) {
        return yield* Effect.fail(bad("hostKey.store", "KnownHosts needs a store"))
      }
    }
    const timeout = Duration.decodeUnknown(options.timeout ?? "20 seconds")
    if (timeout._tag === "None" || !Duration.isFinite(timeout.value) || Duration.toMillis(timeout.value) <= 0) {
      return yield* Effect.fail(bad("timeout", "must be a positive duration"))
    }
    return { host, port, username, agent, timeout: timeout.value }
  })

/** Parse the key here so a bad key or passphrase is a typed error before any connection is made. */
const parsePrivateKey = (
  options: Ssh.Credentials,
  where: { operation: string; host: string; port: number }
): Effect.Effect<ParsedKey | undefined, BadPrivateKey> => {
  const privateKey = options.privateKey
  if (privateKey === undefined) return Effect.succeed(undefined)
  const bad = (reason: string) => new BadPrivateKey({ provider: PROVIDER, ...where, reason })
  const passphrase = options.passphrase === undefined ? undefined : Redacted.value(options.passphrase)
  return Effect.try({
    try: () => ssh2.utils.parseKey(keyMaterial(privateKey), passphrase),
    catch: () => bad("the key could not be parsed")
  }).pipe(
    Effect.flatMap((parsed) => {
      // ssh2's messages name the format and the problem, never the key material
      if (parsed instanceof Error) return Effect.fail(bad(parsed.message))
      const key = Array.isArray(parsed) ? parsed[0] : parsed
      if (key === undefined) return Effect.fail(bad("no key found"))
      if (!key.isPrivateKey()) return Effect.fail(bad("this is a public key, not a private key"))
      return Effect.succeed(key)
    })
  )
}

const keyMaterial = (key: Redacted.Redacted<string | Uint8Array>): string | Buffer => {
  const material = Redacted.value(key)
  return typeof material === "string" ? material : Buffer.from(material)
}

// ---------------------------------------------------------------- host key check

const keyOf = (blob: Buffer): Ssh.HostKey => {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0
  return { type: blob.subarray(4, 4 + length).toString("latin1"), blob: new Uint8Array(blob) }
}

const sameKey = (a: Ssh.HostKey, b: Ssh.HostKey) => a.type === b.type && Buffer.from(a.blob).equals(Buffer.from(b.blob))

/** The verdict on a presented key: undefined to accept, or the reason to refuse. */
const judge = (
  policy: Ssh.HostKeyPolicy,
  fallbackStore: Ssh.KnownHostsStore,
  host: string,
  port: number,
  key: Ssh.HostKey
): Effect.Effect<{ readonly reason: string; readonly expected: ReadonlyArray<string> } | undefined> => {
  const print = KnownHosts.fingerprint(key)
  switch (policy._tag) {
    case "InsecureAcceptAny":
      return Effect.succeed(undefined)
    case "Fingerprint": {
      const expected = policy.fingerprints.map((f) => f.replace(/=+$/, ""))
      return Effect.succeed(expected.includes(print) ? undefined : { reason: "not the pinned fingerprint", expected })
    }
    case "TrustOnFirstUse":
    case "KnownHosts": {
      const store = policy.store ?? fallbackStore
      return store.lookup(host, port).pipe(
        Effect.flatMap(({ keys, revoked }) => {
          if (revoked.some((r) => sameKey(r, key))) return Effect.succeed({ reason: "the key is marked @revoked", expected: [] })
          if (keys.some((k) => sameKey(k, key))) return Effect.succeed(undefined)
          const expected = keys.map(KnownHosts.fingerprint)
          if (keys.length > 0) {
            return Effect.succeed({ reason: "it differs from the known host key (possible man-in-the-middle, or the host was rebuilt)", expected })
          }
          if (policy._tag === "KnownHosts") return Effect.succeed({ reason: "the host is not in known hosts", expected })
          return Effect.as(Effect.logInfo(`ssh: trusting ${KnownHosts.hostName(host, port)} on first use: ${key.type} ${print}`).pipe(
            Effect.zipRight(store.add(host, port, key))
          ), undefined)
        }),
        Effect.catchAll((e) => Effect.succeed({ reason: `known hosts unusable: ${e.reason}`, expected: [] }))
      )
    }
  }
}

// ---------------------------------------------------------------- connect

const connectionError = (
  err: Error & { level?: string; code?: string },
  where: { host: string; port: number; username: string }
): SshConnectError => {
  const base = { provider: PROVIDER, operation: "Ssh.connect", host: where.host, port: where.port }
  if (err.level === "client-authentication") {
    return new SshAuthenticationFailed({ ...base, username: where.username, reason: "every offered credential was rejected" })
  }
  if (err.level === "agent") return new SshAuthenticationFailed({ ...base, username: where.username, reason: `agent: ${err.message}` })
  if (err.level === "client-timeout") return new SshConnectionFailed({ ...base, reason: "timed out waiting for the SSH handshake" })
  return new SshConnectionFailed({ ...base, reason: err.code ?? err.message })
}

const open = (
  config: ConnectConfig,
  policy: Ssh.HostKeyPolicy,
  fallbackStore: Ssh.KnownHostsStore,
  where: { host: string; port: number; username: string },
  timeout: Duration.Duration
) =>
  Effect.async<{ client: InstanceType<typeof ssh2.Client>; fingerprint: string }, SshConnectError>((resume) => {
    const client = new ssh2.Client()
    let settled = false
    let refused: HostKeyMismatch | undefined
    let fingerprint = ""
    const settle = (e: Effect.Effect<{ client: InstanceType<typeof ssh2.Client>; fingerprint: string }, SshConnectError>) => {
      if (settled) return
      settled = true
      resume(e)
    }
    client.on("ready", () => settle(Effect.succeed({ client, fingerprint })))
    client.on("error", (err: Error & { level?: string; code?: string }) => {
      client.end()
      settle(Effect.fail(refused ?? connectionError(err, where)))
    })
    client.on("close", () =>
      settle(Effect.fail(
        refused ??
          new SshConnectionFailed({
            provider: PROVIDER,
            operation: "Ssh.connect",
            host: where.host,
            port: where.port,
            reason: "the server closed the connection before the session was ready"
          })
      ))
    )
    client.connect({
      ...config,
      readyTimeout: Duration.toMillis(timeout),
      hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
        const key = keyOf(blob)
        fingerprint = KnownHosts.fingerprint(key)
        Effect.runPromise(judge(policy, fallbackStore, where.host, where.port, key)).then((verdict) => {
          if (verdict !== undefined) {
            refused = new HostKeyMismatch({
              provider: PROVIDER,
              operation: "Ssh.connect",
              host: where.host,
              port: where.port,
              keyType: key.type,
              fingerprint,
              expected: [...verdict.expected],
              reason: verdict.reason
            })
          }
          verify(verdict === undefined)
        }, () => verify(false))
      }
    })
    return Effect.sync(() => client.destroy())
  })

// ---------------------------------------------------------------- session

const makeSession = (
  client: InstanceType<typeof ssh2.Client>,
  where: { host: string; port: number; username: string },
  fingerprint: string
): Ssh.Session => {
  const base = (operation: string) => ({ provider: PROVIDER, operation, host: where.host, port: where.port })
  const span = (operation: string, extra: Record<string, unknown> = {}) =>
    traced(PROVIDER, operation, { "cloudfx.ssh.host": where.host, "cloudfx.ssh.port": where.port, ...extra })
  const checkPath = (operation: string, field: string, path: string) =>
    validate.name({ provider: PROVIDER, operation }, field, path, 4096)

  const exec = (command: string, options: Ssh.ExecOptions = {}) => {
    const operation = "Ssh.exec"
    return Effect.gen(function*() {
      yield* validate.name({ provider: PROVIDER, operation }, "command", command, 256 * 1024)
      const max = options.maxOutputBytes ?? 1024 * 1024
      if (!Number.isSafeInteger(max) || max < 0) {
        return yield* Effect.fail(new InvalidInput({ provider: PROVIDER, operation, field: "maxOutputBytes", reason: "must be a non-negative integer" }))
      }
      const timeout = options.timeout === undefined ? undefined : Duration.decodeUnknown(options.timeout)
      if (timeout !== undefined && (timeout._tag === "None" || Duration.toMillis(timeout.value) <= 0)) {
        return yield* Effect.fail(new InvalidInput({ provider: PROVIDER, operation, field: "timeout", reason: "must be a positive duration" }))
      }
      const stdout = tail(max)
      const stderr = tail(max)
      const run = Effect.async<Ssh.ExecResult, SshSessionFailed>((resume) => {
        let channel: ClientChannel | undefined
        let exit: { code: number | null; signal: string | undefined } | undefined
        let done = false
        client.exec(wrapCommand(command), (err, stream) => {
          if (err) {
            done = true
            return resume(Effect.fail(new SshSessionFailed({ ...base(operation), reason: `cannot open a channel: ${err.message}` })))
          }
          channel = stream
          stream.on("data", (b: Buffer) => stdout.push(b))
          stream.stderr.on("data", (b: Buffer) => stderr.push(b))
          stream.on("exit", (code: number | null, signal?: string) => {
            exit = { code, signal: signal?.replace(/^SIG/, "") }
          })
          stream.on("close", () => {
            done = true
            if (exit === undefined) {
              return resume(Effect.fail(new SshSessionFailed({ ...base(operation), reason: "the connection was lost before the command finished" })))
            }
            const bySignal = exit.signal === undefined ? undefined : signalNumber(exit.signal)
            const exitCode = exit.code ?? (bySignal === undefined ? 255 : 128 + bySignal)
            resume(Effect.succeed({
              stdout: stdout.text(),
              stderr: stderr.text(),
              exitCode,
              ...(exit.signal === undefined ? {} : { signal: exit.signal })
            }))
          })
        })
        return Effect.sync(() => {
          if (done || channel === undefined) return
          // EOF on stdin is what the remote wrapper waits for; the signal helps where sshd honours it
          try {
            channel.signal("TERM")
          } catch { /* channel already closing */ }
          channel.end()
          channel.close()
        })
      })
      return yield* timeout === undefined ? run : run.pipe(
        Effect.timeoutFail({
          duration: timeout.value,
          onTimeout: () => new SshCommandTimeout({ ...base(operation), after: timeout.value, stdout: stdout.text(), stderr: stderr.text() })
        })
      )
    }).pipe(span(operation))
  }

  const sftp = Effect.acquireRelease(
    Effect.async<SFTPWrapper, SshSessionFailed>((resume) => {
      client.sftp((err, s) =>
        resume(err ? Effect.fail(new SshSessionFailed({ ...base("Ssh.sftp"), reason: `SFTP unavailable: ${err.message}` })) : Effect.succeed(s))
      )
    }),
    (s) => Effect.sync(() => s.end())
  )

  const sftpCall = (operation: string, path: string, call: (s: SFTPWrapper, cb: (err: unknown) => void) => void) =>
    (s: SFTPWrapper) =>
      Effect.async<void, SftpFailed>((resume) => {
        call(s, (err) =>
          resume(
            err
              ? Effect.fail(new SftpFailed({ ...base(operation), path, reason: (err as Error).message ?? String(err) }))
              : Effect.void
          ))
      })

  const checkMode = (operation: string, mode: number | undefined) =>
    mode === undefined || (Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)
      ? Effect.succeed(mode ?? 0o644)
      : Effect.fail(new InvalidInput({ provider: PROVIDER, operation, field: "mode", reason: "must be permission bits between 0 and 0o7777" }))

  const putBytes = (content: Uint8Array | string, remotePath: string, options: Ssh.PutOptions = {}) => {
    const operation = "Ssh.putBytes"
    return Effect.gen(function*() {
      yield* checkPath(operation, "remotePath", remotePath)
      if (typeof content !== "string" && !(content instanceof Uint8Array)) {
        return yield* Effect.fail(new InvalidInput({ provider: PROVIDER, operation, field: "content", reason: "must be a string or bytes" }))
      }
      const mode = yield* checkMode(operation, options.mode)
      const data = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content.buffer, content.byteOffset, content.byteLength)
      yield* Effect.scoped(Effect.flatMap(sftp, (s) =>
        sftpCall(operation, remotePath, (s, cb) => s.writeFile(remotePath, data, { mode }, cb))(s).pipe(
          // the server applies its umask to the mode given at open: set it exactly
          Effect.zipRight(sftpCall(operation, remotePath, (s, cb) => s.chmod(remotePath, mode, cb))(s))
        )))
    }).pipe(span(operation))
  }

  const putFile = (localPath: string, remotePath: string, options: Ssh.PutOptions = {}) => {
    const operation = "Ssh.putFile"
    return Effect.gen(function*() {
      yield* checkPath(operation, "localPath", localPath)
      yield* checkPath(operation, "remotePath", remotePath)
      const mode = yield* checkMode(operation, options.mode)
      yield* Effect.scoped(Effect.flatMap(sftp, (s) =>
        Effect.async<void, SftpFailed>((resume) => {
          s.fastPut(localPath, remotePath, { mode }, (err) =>
            resume(
              err
                ? Effect.fail(new SftpFailed({
                  ...base(operation),
                  path: (err as NodeJS.ErrnoException).path === localPath ? localPath : remotePath,
                  reason: (err as NodeJS.ErrnoException).code ?? err.message
                }))
                : Effect.void
            ))
        }).pipe(Effect.zipRight(sftpCall(operation, remotePath, (s, cb) => s.chmod(remotePath, mode, cb))(s)))))
    }).pipe(span(operation))
  }

  const remove = (remotePath: string) => {
    const operation = "Ssh.remove"
    return Effect.gen(function*() {
      yield* checkPath(operation, "remotePath", remotePath)
      yield* Effect.scoped(Effect.flatMap(sftp, (s) =>
        Effect.async<void, SftpFailed>((resume) => {
          s.unlink(remotePath, (err) => {
            // SSH_FX_NO_SUCH_FILE: already gone is what we wanted
            if (!err || (err as { code?: unknown }).code === 2) return resume(Effect.void)
            resume(Effect.fail(new SftpFailed({ ...base(operation), path: remotePath, reason: err.message })))
          })
        })))
    }).pipe(span(operation))
  }

  return { host: where.host, port: where.port, username: where.username, hostKeyFingerprint: fingerprint, exec, putFile, putBytes, remove }
}

// ---------------------------------------------------------------- service

export const make = (config: Ssh2Config = {}): Effect.Effect<Ssh.Service> =>
  Effect.sync(() => {
    const fallbackStore = config.knownHosts ?? KnownHosts.memory()
    const connect = (options: Ssh.ConnectOptions) =>
      Effect.gen(function*() {
        const checked = yield* checkOptions({ ...options, ...(options.timeout === undefined && config.timeout !== undefined ? { timeout: config.timeout } : {}) })
        const where = { host: checked.host, port: checked.port, username: checked.username }
        const key = yield* parsePrivateKey(options, { operation: "Ssh.connect", host: checked.host, port: checked.port })
        const connectConfig: ConnectConfig = {
          host: checked.host,
          port: checked.port,
          username: checked.username,
          tryKeyboard: false,
          // ssh2 parses again: give it the material it was checked as
          ...(key === undefined || options.privateKey === undefined ? {} : { privateKey: keyMaterial(options.privateKey) }),
          ...(options.passphrase === undefined ? {} : { passphrase: Redacted.value(options.passphrase) }),
          ...(options.password === undefined ? {} : { password: Redacted.value(options.password) }),
          ...(checked.agent === undefined ? {} : { agent: checked.agent })
        }
        const policy = options.hostKey ?? { _tag: "TrustOnFirstUse" }
        const { client, fingerprint } = yield* Effect.acquireRelease(
          open(connectConfig, policy, fallbackStore, where, checked.timeout),
          ({ client }) => Effect.sync(() => client.end())
        )
        return makeSession(client, where, fingerprint)
      }).pipe(
        traced(PROVIDER, "Ssh.connect", {
          "cloudfx.ssh.host": String(options?.host),
          "cloudfx.ssh.port": options?.port ?? 22,
          "cloudfx.ssh.username": String(options?.username)
        })
      )
    const checkCredentials = (credentials: Ssh.Credentials) => {
      const operation = "Ssh.checkCredentials"
      return Effect.gen(function*() {
        if (typeof credentials !== "object" || credentials === null) {
          return yield* Effect.fail(new InvalidInput({ provider: PROVIDER, operation, field: "credentials", reason: "must be an object" }))
        }
        yield* checkCredentialFields({ provider: PROVIDER, operation }, credentials)
        // no server is involved yet: the error names none
        yield* parsePrivateKey(credentials, { operation, host: "", port: 0 })
      }).pipe(traced(PROVIDER, operation))
    }
    return { connect, checkCredentials }
  })

export const layer = (config: Ssh2Config = {}): Layer.Layer<Ssh> => Layer.effect(Ssh, make(config))
