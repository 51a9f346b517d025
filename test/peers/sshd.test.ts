import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Client } from "ssh2"
import { LocalSshd, type SshdPeer, skipPeers, startSshd } from "../support/peers/index.js"

/** Connect with ssh2, pinning the host key, and run one command. */
const exec = (peer: SshdPeer, command: string, privateKey: Buffer = peer.privateKey) =>
  Effect.async<{ stdout: string; stderr: string; code: number | null }, Error>((resume) => {
    const conn = new Client()
    conn.on("ready", () => {
      conn.exec(command, (err, stream) => {
        if (err) { conn.end(); return resume(Effect.fail(err)) }
        let stdout = ""
        let stderr = ""
        stream.on("data", (d: Buffer) => { stdout += d.toString() })
        stream.stderr.on("data", (d: Buffer) => { stderr += d.toString() })
        stream.on("close", (code: number | null) => { conn.end(); resume(Effect.succeed({ stdout, stderr, code })) })
      })
    })
    conn.on("error", (e) => resume(Effect.fail(e)))
    conn.connect({
      host: peer.host,
      port: peer.port,
      username: peer.username,
      privateKey,
      hostVerifier: (key: Buffer) => key.equals(peer.hostKeyBlob),
      readyTimeout: 10_000
    })
    return Effect.sync(() => conn.end())
  })

describe.skipIf(skipPeers("sshd"))("peer: sshd", () => {
  layer(LocalSshd.layer(), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("accepts a key login (ed25519 and PEM RSA), pins the host key, runs a command", () =>
      Effect.gen(function*() {
        const sshd = yield* LocalSshd
        expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
        const r = yield* exec(sshd, "echo hi; echo err >&2; exit 7")
        expect(r).toEqual({ stdout: "hi\n", stderr: "err\n", code: 7 })
        expect((yield* exec(sshd, "id -un", sshd.rsaPrivateKey)).stdout.trim()).toBe(sshd.username)
      }))
  })

  it.scopedLive("delayMs: connections are refused until sshd starts, then succeed", () =>
    Effect.gen(function*() {
      const sshd = yield* startSshd({ delayMs: 1500 })
      const early = yield* Effect.either(exec(sshd, "true"))
      expect(early._tag).toBe("Left")
      yield* sshd.ready
      expect((yield* exec(sshd, "echo late")).stdout).toBe("late\n")
    }), 60_000)
})
