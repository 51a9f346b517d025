/** OpenSSH sshd 9.2 (Debian) on a free loopback port with its own ed25519 host key and a generated client key
 * pair (ed25519; a PEM RSA pair too) in authorized_keys. The login user is whoever runs the tests (root in CI).
 * `delayMs` starts sshd that much later (keys are ready at once) so connection-retry logic can be tested. */
import { Context, Effect, Layer, type Scope } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { userInfo } from "node:os"
import { freePorts, type PeerSpec, type PeerUnavailable, startPeer, tcpBanner, waitReady, withFreshPorts } from "./runtime.js"

export interface SshdPeer {
  readonly host: string
  readonly port: number
  readonly username: string
  /** OpenSSH-format ed25519 private key (what ssh2's `privateKey` takes). */
  readonly privateKeyPath: string
  readonly privateKey: Buffer
  /** "ssh-ed25519 AAAA... cloudfx-test-client" */
  readonly publicKey: string
  /** A PEM ("BEGIN RSA PRIVATE KEY") 2048-bit RSA key, also authorized. */
  readonly rsaPrivateKeyPath: string
  readonly rsaPrivateKey: Buffer
  /** "ssh-ed25519 AAAA... cloudfx-test-host" */
  readonly hostPublicKey: string
  /** The raw host key blob: what ssh2's `hostVerifier(key)` receives. */
  readonly hostKeyBlob: Buffer
  /** "SHA256:..." as `ssh-keygen -l` prints it. */
  readonly hostKeyFingerprint: string
  /** "[127.0.0.1]:PORT ssh-ed25519 AAAA..." for a known_hosts file. */
  readonly knownHostsLine: string
  readonly delayMs: number
  /** Completes once sshd accepts connections (immediately unless delayMs > 0). */
  readonly ready: Effect.Effect<void, PeerUnavailable>
  readonly pid: number
}

export interface SshdOptions {
  /** Start listening only after this many ms (the helper then returns at once, before sshd listens). */
  readonly delayMs?: number
}

export const startSshd = (options: SshdOptions = {}): Effect.Effect<SshdPeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [port] = yield* freePorts(1)
    const delayMs = Math.max(0, Math.round(options.delayMs ?? 0))
    const spec: PeerSpec = {
      name: "sshd",
      script: "sshd/start.sh",
      env: { PORT: String(port), DELAY_MS: String(delayMs) },
      binaries: ["/usr/sbin/sshd", "ssh-keygen"],
      ready: async (_, signal) => (await tcpBanner(port!, signal)).startsWith("SSH-2.0-"),
      readyTimeoutMs: 20_000 + delayMs
    }
    const proc = yield* startPeer(spec, { waitReady: delayMs === 0 })
    // keys and config are written before sshd starts (and before the delay)
    yield* waitReady({ ...spec, ready: async () => /HOST_FINGERPRINT=/.test(readFileSync(`${proc.base}/peer.env`, "utf8")) }, proc)
    const read = (f: string) => readFileSync(`${proc.base}/${f}`)
    const hostPublicKey = read("ssh_host_ed25519_key.pub").toString("utf8").trim()
    const hostKeyBlob = Buffer.from(hostPublicKey.split(" ")[1] ?? "", "base64")
    const ready = delayMs === 0 ? Effect.void : waitReady(spec, proc)
    return {
      host: "127.0.0.1",
      port: port!,
      username: userInfo().username,
      privateKeyPath: `${proc.base}/client_ed25519`,
      privateKey: read("client_ed25519"),
      publicKey: read("client_ed25519.pub").toString("utf8").trim(),
      rsaPrivateKeyPath: `${proc.base}/client_rsa`,
      rsaPrivateKey: read("client_rsa"),
      hostPublicKey,
      hostKeyBlob,
      hostKeyFingerprint: `SHA256:${createHash("sha256").update(hostKeyBlob).digest("base64").replace(/=+$/, "")}`,
      knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey.split(" ").slice(0, 2).join(" ")}`,
      delayMs,
      ready,
      pid: proc.pid
    }
  }))

export class LocalSshd extends Context.Tag("cloudfx/test/peers/LocalSshd")<LocalSshd, SshdPeer>() {
  static readonly layer = (options: SshdOptions = {}) => Layer.scoped(LocalSshd, startSshd(options))
}
