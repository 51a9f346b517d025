// The plumbing itself: servers are stopped by PID with their temp dirs removed, failures carry the server's
// log tail, a missing package is reported as such, and a start script stops its servers when the test
// process that started it dies (PEER_PARENT_PID), so an interrupted run leaves nothing behind.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePorts, httpProbe, peersScriptsDir, skipPeers, startPeer, startS3rver, withFreshPorts } from "../support/peers/index.js"

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true } catch { return false }
}
const waitFor = async (cond: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!cond() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50))
  return cond()
}

describe.skipIf(skipPeers("s3rver"))("peers harness", () => {
  it.live("stops the server by PID when the scope closes and removes its temp dir", () =>
    Effect.gen(function*() {
      const seen = yield* Effect.scoped(Effect.gen(function*() {
        const s3 = yield* startS3rver()
        const server = Number(readFileSync(join(s3.dataDir, "..", "run", "s3rver.pid"), "utf8"))
        expect(alive(s3.pid)).toBe(true)
        expect(alive(server)).toBe(true)
        return { supervisor: s3.pid, server, base: join(s3.dataDir, "..") }
      }))
      expect(alive(seen.supervisor)).toBe(false)
      expect(alive(seen.server)).toBe(false)
      expect(existsSync(seen.base)).toBe(false)
    }), 60_000)

  it.live("a start that never gets ready fails with the server's log tail and leaves nothing running", () =>
    Effect.gen(function*() {
      const [port] = yield* freePorts(1)
      let base = ""
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        yield* startPeer({
          name: "s3rver",
          script: "s3rver/start.sh",
          env: { PORT: String(port) },
          ready: async (p) => { base = p.base; return false },
          readyTimeoutMs: 2_000
        })
      })))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error.reason).toBe("timeout")
        expect(exit.cause.error.logTail).toContain("S3rver listening")
        expect(exit.cause.error.message).toContain("s3rver.log")
      } else {
        expect.fail(`expected a PeerUnavailable failure, got ${String(exit)}`)
      }
      expect(existsSync(base)).toBe(false)
      // the port is free again
      const bound = yield* Effect.promise(() => new Promise<boolean>((ok) => {
        const srv = createServer().once("error", () => ok(false)).listen(port, "127.0.0.1", () => srv.close(() => ok(true)))
      }))
      expect(bound).toBe(true)
    }), 60_000)

  it.live("a port taken meanwhile is reported as port-in-use, and withFreshPorts starts again on new ports", () =>
    Effect.gen(function*() {
      const [taken] = yield* freePorts(1)
      const blocker = createServer((socket) => socket.destroy())
      yield* Effect.promise(() => new Promise<void>((ok) => blocker.listen(taken, "127.0.0.1", () => ok())))
      let attempts = 0
      const start = Effect.gen(function*() {
        attempts++
        const port = attempts === 1 ? taken! : (yield* freePorts(1))[0]!
        return yield* startPeer({ name: "s3rver", script: "s3rver/start.sh", env: { PORT: String(port) }, ready: httpProbe(`http://127.0.0.1:${port}/`), readyTimeoutMs: 20_000 })
      })
      const firstError = yield* Effect.flip(Effect.scoped(start))
      expect(firstError.reason).toBe("port-in-use")
      attempts = 0
      yield* Effect.scoped(withFreshPorts(start))
      expect(attempts).toBe(2)
      blocker.close()
    }), 60_000)

  it.live("a missing program is reported as missing, with the install hint", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(startPeer({
        name: "swift",
        script: "swift/start.sh",
        env: {},
        binaries: ["cloudfx-no-such-program"],
        ready: async () => true,
        readyTimeoutMs: 1_000
      })))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined).toMatchObject({
        _tag: "PeerUnavailable",
        reason: "missing",
        message: expect.stringContaining("scripts/peers/install.sh")
      })
    }))

  it("a start script stops its servers when the harness process dies (PEER_PARENT_PID)", async () => {
    const fakeHarness = spawn("sleep", ["60"], { stdio: "ignore" })
    const base = mkdtempSync(join(tmpdir(), "cloudfx-harness-"))
    const supervisor = spawn("bash", [join(peersScriptsDir, "s3rver/start.sh")], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, BASE: base, PEER_PARENT_PID: String(fakeHarness.pid) }
    })
    const pidFile = join(base, "run", "s3rver.pid")
    try {
      expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 15_000)).toBe(true)
      const server = Number(readFileSync(pidFile, "utf8"))
      expect(alive(server)).toBe(true)
      fakeHarness.kill("SIGKILL")
      expect(await waitFor(() => !alive(server) && supervisor.exitCode !== null, 10_000)).toBe(true)
    } finally {
      fakeHarness.kill("SIGKILL")
      try { process.kill(-supervisor.pid!, "SIGKILL") } catch { /* gone */ }
      rmSync(base, { recursive: true, force: true })
    }
  }, 60_000)
})
