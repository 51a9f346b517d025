import { describe, expect, layer } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { KnownHosts, Ssh, Ssh2 } from "../../../src/layers/ssh/index.js"
import { freePorts, LocalSshd, skipPeers, type SshdPeer } from "../../support/peers/index.js"
import { authorize, eventually, keygen, readPids, running } from "./support.js"

const work = mkdtempSync(join(tmpdir(), "cloudfx-ssh2-"))

const login = (peer: SshdPeer, extra: Partial<Ssh.ConnectOptions> = {}): Ssh.ConnectOptions => ({
  host: peer.host,
  port: peer.port,
  username: peer.username,
  privateKey: Redacted.make(peer.privateKey.toString("utf8")),
  hostKey: { _tag: "Fingerprint", fingerprints: [peer.hostKeyFingerprint] },
  ...extra
})

const run = (options: Ssh.ConnectOptions, command = "echo ok") =>
  Effect.scoped(Effect.flatMap(Ssh, (ssh) => Effect.flatMap(ssh.connect(options), (s) => s.exec(command))))

const failure = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.flip(self)

const acceptedLogins = (peer: SshdPeer) =>
  readFileSync(join(peer.privateKeyPath, "..", "logs", "sshd.log"), "utf8").split("\n").filter((l) => l.includes("Accepted ")).length

describe.skipIf(skipPeers("sshd"))("Ssh2 against a real sshd", () => {
  layer(Layer.merge(LocalSshd.layer(), Ssh2.layer()), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("pinned fingerprint, OpenSSH ed25519 key: stdout, stderr and exit code", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const r = yield* run(login(peer), "echo out; echo err >&2; exit 7")
        expect(r).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 7 })
        const session = yield* Effect.scoped(Effect.flatMap(Ssh, (ssh) => ssh.connect(login(peer))))
        expect(session.hostKeyFingerprint).toBe(peer.hostKeyFingerprint)
      }))

    it.effect("keys: PEM RSA, OpenSSH and PEM ECDSA, RSA in OpenSSH form, passphrase-protected ed25519 / ECDSA / PEM RSA", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const me = (k: string | Buffer, passphrase?: string) =>
          run(login(peer, { privateKey: Redacted.make(k.toString()), ...(passphrase ? { passphrase: Redacted.make(passphrase) } : {}) }), "id -un")
        expect((yield* me(peer.rsaPrivateKey)).stdout.trim()).toBe(peer.username)
        const keys = [
          { key: keygen("ecdsa"), passphrase: undefined },
          { key: keygen("ecdsa", { format: "PEM" }), passphrase: undefined },
          { key: keygen("rsa"), passphrase: undefined },
          { key: keygen("ed25519", { passphrase: "correct horse" }), passphrase: "correct horse" },
          { key: keygen("ecdsa", { passphrase: "battery staple" }), passphrase: "battery staple" },
          { key: keygen("rsa", { passphrase: "pem pass", format: "PEM" }), passphrase: "pem pass" }
        ]
        expect(keys[1]!.key.privateKey).toContain("BEGIN EC PRIVATE KEY")
        expect(keys[3]!.key.privateKey).toContain("BEGIN OPENSSH PRIVATE KEY")
        for (const { key, passphrase } of keys) {
          authorize(peer, key)
          expect((yield* me(key.privateKey, passphrase)).stdout.trim()).toBe(peer.username)
        }
        // a protected key without its passphrase, or with the wrong one: typed, before any connection
        const locked = keys[3]!.key.privateKey
        const missing = yield* failure(me(locked))
        expect(missing._tag).toBe("BadPrivateKey")
        const wrong = yield* failure(me(locked, "wrong"))
        expect(wrong._tag).toBe("BadPrivateKey")
        expect(wrong.message).not.toContain("wrong")
        expect((yield* failure(me("not a key")))._tag).toBe("BadPrivateKey")
      }))

    it.effect("a key the server does not accept: SshAuthenticationFailed (fatal)", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const stranger = keygen("ed25519")
        const e = yield* failure(run(login(peer, { privateKey: Redacted.make(stranger.privateKey) })))
        expect(e._tag).toBe("SshAuthenticationFailed")
        expect(e.message).not.toContain("PRIVATE KEY")
      }))

    it.effect("host key mismatch: refused before authentication (no login reaches sshd)", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        yield* run(login(peer))
        const before = acceptedLogins(peer)
        const e = yield* failure(run(login(peer, { hostKey: { _tag: "Fingerprint", fingerprints: ["SHA256:" + "A".repeat(43)] } })))
        expect(e._tag).toBe("HostKeyMismatch")
        if (e._tag === "HostKeyMismatch") {
          expect(e.fingerprint).toBe(peer.hostKeyFingerprint)
          expect(e.expected).toEqual(["SHA256:" + "A".repeat(43)])
        }
        // the key offered is authorized: had authentication run, sshd would have logged an accepted login
        yield* Effect.sleep("200 millis")
        expect(acceptedLogins(peer)).toBe(before)
      }))

    it.effect("trust on first use into a known_hosts file; strict known hosts; hashed and @revoked entries", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const file = join(work, "known_hosts")
        const tofu = { _tag: "TrustOnFirstUse", store: KnownHosts.file(file) } as const
        yield* run(login(peer, { hostKey: tofu }))
        expect(readFileSync(file, "utf8")).toBe(`${peer.knownHostsLine}\n`)
        expect(statSync(file).mode & 0o777).toBe(0o600)
        yield* run(login(peer, { hostKey: tofu }))
        expect(readFileSync(file, "utf8").split("\n").filter((l) => l !== "")).toHaveLength(1)

        // a different key recorded for this host:port
        const other = keygen("ed25519").publicKey.split(" ").slice(0, 2).join(" ")
        const poisoned = KnownHosts.memory(`[127.0.0.1]:${peer.port} ${other}`)
        const e = yield* failure(run(login(peer, { hostKey: { _tag: "TrustOnFirstUse", store: poisoned } })))
        expect(e._tag).toBe("HostKeyMismatch")

        // strict: unknown host refused, known host accepted
        const strictEmpty = yield* failure(run(login(peer, { hostKey: { _tag: "KnownHosts", store: KnownHosts.memory() } })))
        expect(strictEmpty._tag).toBe("HostKeyMismatch")
        expect(strictEmpty.message).toContain("not in known hosts")
        yield* run(login(peer, { hostKey: { _tag: "KnownHosts", store: KnownHosts.file(file) } }))

        // ssh-keygen -H hashes the names; the entry still matches
        execFileSync("ssh-keygen", ["-q", "-H", "-f", file])
        expect(readFileSync(file, "utf8")).toMatch(/^\|1\|/)
        yield* run(login(peer, { hostKey: { _tag: "KnownHosts", store: KnownHosts.file(file) } }))

        const revoked = KnownHosts.memory([peer.knownHostsLine, `@revoked * ${peer.hostPublicKey}`])
        expect((yield* failure(run(login(peer, { hostKey: { _tag: "KnownHosts", store: revoked } }))))._tag).toBe("HostKeyMismatch")

        // the named opt-out checks nothing
        expect((yield* run(login(peer, { hostKey: { _tag: "InsecureAcceptAny" } }))).exitCode).toBe(0)
      }))

    it.effect("default policy: the service pins the first key it sees per host:port", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const store = KnownHosts.memory()
        const ssh = yield* Ssh2.make({ knownHosts: store })
        const { hostKey: _, ...noPolicy } = login(peer)
        yield* Effect.scoped(Effect.flatMap(ssh.connect(noPolicy), (s) => s.exec("true")))
        expect((yield* store.lookup(peer.host, peer.port)).keys).toHaveLength(1)
        const other = Ssh2.make({ knownHosts: KnownHosts.memory(`[127.0.0.1]:${peer.port} ${keygen("ed25519").publicKey}`) })
        const e = yield* Effect.flip(Effect.scoped(Effect.flatMap(other, (s) => s.connect(noPolicy))))
        expect(e._tag).toBe("HostKeyMismatch")
      }))

    it.effect("putBytes / putFile set the mode exactly (checked on disk); remove is idempotent", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const local = join(work, "local.bin")
        writeFileSync(local, Buffer.alloc(300_000, 7))
        const a = join(work, "a.txt")
        const b = join(work, "b.bin")
        yield* Effect.scoped(Effect.gen(function*() {
          const ssh = yield* Ssh
          const s = yield* ssh.connect(login(peer))
          yield* s.putBytes("secret\n", a, { mode: 0o600 })
          yield* s.putFile(local, b, { mode: 0o751 })
          expect(readFileSync(a, "utf8")).toBe("secret\n")
          expect(statSync(a).mode & 0o7777).toBe(0o600)
          expect(readFileSync(b).equals(readFileSync(local))).toBe(true)
          expect(statSync(b).mode & 0o7777).toBe(0o751)
          yield* s.putBytes(new Uint8Array([1, 2, 3]), a)
          expect(statSync(a).mode & 0o7777).toBe(0o644)
          yield* s.remove(a)
          expect(existsSync(a)).toBe(false)
          yield* s.remove(a)
          const missing = yield* Effect.flip(s.putFile(join(work, "nope"), b))
          expect(missing._tag).toBe("SftpFailed")
          const denied = yield* Effect.flip(s.putBytes("x", "/proc/cloudfx-cannot-write"))
          expect(denied._tag).toBe("SftpFailed")
        }))
      }))

    it.effect("exec timeout stops the remote command and its children; the error carries the output so far", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const pids = join(work, "timeout.pids")
        const e = yield* failure(Effect.scoped(Effect.gen(function*() {
          const s = yield* Effect.flatMap(Ssh, (ssh) => ssh.connect(login(peer)))
          return yield* s.exec(`echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; echo started; wait`, { timeout: "3 seconds" })
        })))
        expect(e._tag).toBe("SshCommandTimeout")
        if (e._tag === "SshCommandTimeout") expect(e.stdout).toBe("started\n")
        const started = readPids(pids)
        expect(started).toHaveLength(2)
        yield* eventually(() => started.every((p) => !running(p)))
      }))

    it.effect("interrupting exec closes the channel and the remote processes end", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const pids = join(work, "interrupt.pids")
        const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const s = yield* Effect.flatMap(Ssh, (ssh) => ssh.connect(login(peer)))
          return yield* s.exec(`echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait`)
        })))
        yield* eventually(() => readPids(pids).length === 2)
        const started = readPids(pids)
        expect(started.every(running)).toBe(true)
        yield* Fiber.interrupt(fiber)
        yield* eventually(() => started.every((p) => !running(p)))
      }))

    it.effect("nothing listening: SshConnectionFailed (retryable); bad input: InvalidInput", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const [closed] = yield* freePorts(1)
        const e = yield* failure(run(login(peer, { port: closed! })))
        expect(e._tag).toBe("SshConnectionFailed")
        const { privateKey: _, ...noAuth } = login(peer)
        expect((yield* failure(run(noAuth)))._tag).toBe("InvalidInput")
        expect((yield* failure(run(login(peer, { hostKey: { _tag: "Fingerprint", fingerprints: ["MD5:aa"] } }))))._tag).toBe("InvalidInput")
        expect((yield* failure(run(login(peer, { port: 70000 }))))._tag).toBe("InvalidInput")
      }))
  })
})

// no server here: checkCredentials never connects (ssh-keygen, from the same openssh install as sshd, makes the keys)
describe.skipIf(skipPeers("sshd"))("Ssh2.checkCredentials", () => {
  layer(Ssh2.layer(), { excludeTestServices: true })((it) => {
    const check = (credentials: Ssh.Credentials) => Effect.flatMap(Ssh, (ssh) => ssh.checkCredentials(credentials))
    const key = (text: string) => Redacted.make(text)

    it.effect("usable keys pass: plain ed25519 (text or bytes), protected ed25519 and PEM RSA with their passphrase; password or agent alone", () =>
      Effect.gen(function*() {
        const plain = keygen("ed25519")
        const locked = keygen("ed25519", { passphrase: "correct horse" })
        const pem = keygen("rsa", { passphrase: "pem pass", format: "PEM" })
        yield* check({ privateKey: key(plain.privateKey) })
        yield* check({ privateKey: Redacted.make(new TextEncoder().encode(plain.privateKey)) })
        yield* check({ privateKey: key(locked.privateKey), passphrase: Redacted.make("correct horse") })
        yield* check({ privateKey: key(pem.privateKey), passphrase: Redacted.make("pem pass") })
        yield* check({ password: Redacted.make("pw") })
        yield* check({ agent: join(work, "agent.sock") })
      }))

    it.effect("malformed, public, protected-without-passphrase and wrong-passphrase keys: BadPrivateKey naming no server or secret", () =>
      Effect.gen(function*() {
        const locked = keygen("ed25519", { passphrase: "correct horse" })
        const pem = keygen("rsa", { passphrase: "pem pass", format: "PEM" })
        const cases: ReadonlyArray<[Ssh.Credentials, RegExp]> = [
          [{ privateKey: key("not a key") }, /unsupported key format/i],
          [{ privateKey: key("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n") }, /./],
          [{ privateKey: key(locked.publicKey) }, /public key/],
          [{ privateKey: key(locked.privateKey) }, /no passphrase given/],
          [{ privateKey: key(pem.privateKey) }, /no passphrase given/],
          [{ privateKey: key(locked.privateKey), passphrase: Redacted.make("wrong guess") }, /passphrase/],
          [{ privateKey: key(pem.privateKey), passphrase: Redacted.make("wrong guess") }, /passphrase/]
        ]
        for (const [credentials, reason] of cases) {
          const e = yield* failure(check(credentials))
          expect(e._tag).toBe("BadPrivateKey")
          if (e._tag !== "BadPrivateKey") continue
          expect(e).toMatchObject({ operation: "Ssh.checkCredentials", host: "", port: 0 })
          expect(e.reason).toMatch(reason)
          expect(String(e)).not.toMatch(/wrong guess|correct horse|pem pass/)
        }
      }))

    it.effect("nothing to log in with, a passphrase without a key, a bad agent value, agent: true without SSH_AUTH_SOCK: InvalidInput", () =>
      Effect.gen(function*() {
        const field = (credentials: Ssh.Credentials) =>
          Effect.map(failure(check(credentials)), (e) => (e._tag === "InvalidInput" ? e.field : e._tag))
        expect(yield* field({})).toBe("privateKey")
        expect(yield* field({ agent: false })).toBe("privateKey")
        expect(yield* field({ password: Redacted.make("pw"), passphrase: Redacted.make("x") })).toBe("passphrase")
        expect(yield* field({ agent: "" })).toBe("agent")
        expect(yield* field({ agent: 42 as unknown as string })).toBe("agent")
        expect(yield* field(null as unknown as Ssh.Credentials)).toBe("credentials")
        const sock = process.env["SSH_AUTH_SOCK"]
        delete process.env["SSH_AUTH_SOCK"]
        try {
          expect(yield* field({ agent: true })).toBe("agent")
        } finally {
          if (sock !== undefined) process.env["SSH_AUTH_SOCK"] = sock
        }
      }))
  })
})
