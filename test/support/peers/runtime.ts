/**
 * The process plumbing shared by every real-server peer: start a scripts/peers/<name>/start.sh supervisor in
 * its own process group, wait until the server answers, and stop it by PID (then its group) when the scope
 * closes, removing its temp dir. The start scripts stop their servers by themselves when this process dies
 * (they watch PEER_PARENT_PID), so an interrupted or crashed test run leaves nothing behind either.
 *
 * Env:
 *   CLOUDFX_SKIP_PEERS=1        skip every real-server suite (or a comma list: "swift,keystone")
 *   CLOUDFX_KEEP_PEERS=1        keep each peer's temp dir (configs, logs) after it stops, for debugging
 *   CLOUDFX_PEER_TIMEOUT_MS     readiness timeout for every peer (default: per peer, 20-90 s)
 */
import { spawn, type ChildProcess } from "node:child_process"
import { accessSync, constants, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer, connect } from "node:net"
import { createSocket } from "node:dgram"
import { tmpdir } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Data, Effect, type Scope } from "effect"

export type PeerName = "s3rver" | "azurite" | "swift" | "keystone" | "pdns" | "haproxy" | "sshd"

/** A real server could not be started (missing package, bad config, timeout); `logTail` has its last log lines. */
export class PeerUnavailable extends Data.TaggedError("PeerUnavailable")<{
  readonly peer: string
  readonly reason: "missing" | "start-failed" | "port-in-use" | "timeout" | "command-failed"
  readonly message: string
  readonly logTail: string
}> {}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
export const peersScriptsDir = join(repoRoot, "scripts", "peers")

// ---------------------------------------------------------------------------------------------- skipping

const skipList = (): ReadonlyArray<string> | "all" => {
  const raw = (process.env.CLOUDFX_SKIP_PEERS ?? "").trim().toLowerCase()
  if (raw === "" || raw === "0" || raw === "false") return []
  if (raw === "1" || raw === "true" || raw === "all") return "all"
  return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
}
const warned = new Set<string>()

/**
 * True when CLOUDFX_SKIP_PEERS asks to skip any of these peers (then a one-line notice is printed).
 * Without that variable nothing is skipped: a missing server makes its suite fail, loudly.
 * Use as `describe.skipIf(skipPeers("swift"))("...", () => { layer(LocalSwift.layer())(...) })`.
 */
export const skipPeers = (...names: ReadonlyArray<PeerName>): boolean => {
  const list = skipList()
  const hit = list === "all" ? names : names.filter((n) => list.includes(n))
  if (hit.length === 0) return false
  const key = hit.join(",")
  if (!warned.has(key)) {
    warned.add(key)
    console.warn(`[peers] skipping tests that need ${key}: CLOUDFX_SKIP_PEERS=${process.env.CLOUDFX_SKIP_PEERS}`)
  }
  return true
}

// ---------------------------------------------------------------------------------------------- ports

const bindTcp = (port: number) =>
  new Promise<{ port: number; close: () => Promise<void> }>((ok, ko) => {
    const server = createServer()
    server.once("error", ko)
    server.listen(port, "127.0.0.1", () => {
      const address = server.address()
      if (address === null || typeof address === "string") return ko(new Error("no address"))
      ok({ port: address.port, close: () => new Promise<void>((done) => server.close(() => done())) })
    })
  })
const udpFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const socket = createSocket("udp4")
    socket.once("error", () => { socket.close(); ok(false) })
    socket.bind(port, "127.0.0.1", () => socket.close(() => ok(true)))
  })

/**
 * `count` distinct TCP ports free on 127.0.0.1 right now: the kernel picks them (bind to port 0). All are held
 * until all are chosen, so one call never returns the same port twice. `udp` asks that the first `udp` ports
 * also be free for UDP (a DNS server binds both).
 */
export const freePorts = (count: number, options: { readonly udp?: number } = {}): Effect.Effect<ReadonlyArray<number>, PeerUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      const held: Array<{ port: number; close: () => Promise<void> }> = []
      try {
        for (let i = 0; i < count; i++) {
          for (let attempt = 0; ; attempt++) {
            const h = await bindTcp(0)
            if (i < (options.udp ?? 0) && !(await udpFree(h.port)) && attempt < 20) { await h.close(); continue }
            held.push(h)
            break
          }
        }
        return held.map((h) => h.port)
      } finally {
        await Promise.all(held.map((h) => h.close()))
      }
    },
    catch: (e) => new PeerUnavailable({ peer: "ports", reason: "start-failed", message: `cannot pick free ports: ${String(e)}`, logTail: "" })
  })

// ---------------------------------------------------------------------------------------------- processes

/** A started start.sh supervisor and what it left in its temp dir. */
export interface PeerProcess {
  readonly name: string
  /** PID of the start.sh supervisor; also its process group id (it runs detached). */
  readonly pid: number
  /** The peer's temp dir: configs, data, `logs/`, `run/<child>.pid`, `peer.env`. Removed on stop. */
  readonly base: string
  readonly logDir: string
  /** Last lines of every log in logDir (supervisor first). */
  readonly logTail: (lines?: number) => string
  /** PID of one supervised child (e.g. "haproxy", "proxy", "sshd"), from run/<child>.pid. */
  readonly childPid: (child: string) => number | undefined
  /** The supervisor has exited (the servers are down). */
  readonly exited: () => boolean
  /** What the start script recorded in peer.env (ports, paths, ids), as KEY -> value. */
  readonly peerEnv: () => Readonly<Record<string, string>>
}

export interface PeerSpec {
  readonly name: PeerName
  /** Relative to scripts/peers, e.g. "swift/start.sh". */
  readonly script: string
  readonly env: Readonly<Record<string, string>>
  /** Programs that must be on PATH (or absolute paths that must exist). */
  readonly binaries?: ReadonlyArray<string>
  /** Files that must exist (e.g. node_modules/azurite/...), relative to the repo root. */
  readonly files?: ReadonlyArray<string>
  /** One readiness probe; polled every 100 ms until true. */
  readonly ready: (peer: PeerProcess, signal: AbortSignal) => Promise<boolean>
  readonly readyTimeoutMs: number
}

const live = new Map<number, ChildProcess>()
let exitHookInstalled = false
const installExitHook = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Last resort when the worker exits without closing its scopes: kill every group we started.
  process.once("exit", () => {
    for (const pid of live.keys()) {
      try { process.kill(-pid, "SIGKILL") } catch { /* already gone */ }
    }
  })
}

const onPath = (bin: string): boolean => {
  const candidates = bin.includes("/") ? [bin] : (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "").map((d) => join(d, bin))
  return candidates.some((c) => {
    try { accessSync(c, constants.X_OK); return true } catch { return false }
  })
}

const tailOf = (file: string, lines: number): string => {
  try {
    const text = readFileSync(file, "utf8")
    return text.split("\n").slice(-lines - 1).join("\n")
  } catch { return "" }
}

const logTailOf = (logDir: string, lines: number): string => {
  let names: Array<string> = []
  try { names = readdirSync(logDir).filter((f) => f.endsWith(".log")).sort((a, b) => (a === "supervisor.log" ? -1 : b === "supervisor.log" ? 1 : a.localeCompare(b))) } catch { /* no dir */ }
  return names
    .map((n) => `--- ${n} (last ${lines} lines)\n${tailOf(join(logDir, n), lines).trimEnd()}`)
    .join("\n")
}

const PORT_IN_USE = /address already in use|EADDRINUSE|cannot bind|could not bind|bind\(\) failed|unable to bind|Errno 98/i
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((ok) => {
    const onAbort = () => { clearTimeout(t); ok() }
    const t = setTimeout(() => { signal?.removeEventListener("abort", onAbort); ok() }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })

const stopProcess = async (child: ChildProcess, pid: number, graceMs = 8000): Promise<void> => {
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const groupAlive = () => {
    try { process.kill(-pid, 0); return true } catch { return false }
  }
  if (!exited()) {
    try { process.kill(pid, "SIGTERM") } catch { /* gone */ }
    const deadline = Date.now() + graceMs
    while (!exited() && Date.now() < deadline) await sleep(50)
  }
  // the supervisor has stopped its children; anything left in the group (or a supervisor that hung) is killed
  if (groupAlive()) {
    const deadline = Date.now() + 1500
    while (groupAlive() && Date.now() < deadline) await sleep(50)
    if (groupAlive()) {
      try { process.kill(-pid, "SIGKILL") } catch { /* gone */ }
      const hard = Date.now() + 3000
      while (groupAlive() && Date.now() < hard) await sleep(50)
    }
  }
  live.delete(pid)
}

const spawnPeer = (spec: PeerSpec): Effect.Effect<{ proc: PeerProcess; child: ChildProcess }, PeerUnavailable> =>
  Effect.try({
    try: () => {
      const script = join(peersScriptsDir, spec.script)
      const base = mkdtempSync(join(tmpdir(), `cloudfx-${spec.name}-`))
      const logDir = join(base, "logs")
      const out = openSync(join(base, "supervisor.out"), "a")
      let child: ChildProcess
      try {
        child = spawn("bash", [script], {
          cwd: repoRoot,
          detached: true, // own process group: the whole tree can be stopped by its PID
          stdio: ["ignore", out, out],
          env: { ...process.env, ...spec.env, BASE: base, PEER_PARENT_PID: String(process.pid) }
        })
      } finally {
        closeSync(out)
      }
      if (child.pid === undefined) throw new Error(`could not spawn bash ${script}`)
      const pid = child.pid
      live.set(pid, child)
      installExitHook()
      child.on("error", () => { /* reported through exited() and the logs */ })
      const proc: PeerProcess = {
        name: spec.name,
        pid,
        base,
        logDir,
        logTail: (lines = 40) => {
          const sup = tailOf(join(base, "supervisor.out"), lines).trimEnd()
          return [`--- supervisor (${spec.script}, pid ${pid})\n${sup}`, logTailOf(logDir, lines)].filter((s) => s !== "").join("\n")
        },
        childPid: (name) => {
          try {
            const n = Number(readFileSync(join(base, "run", `${name}.pid`), "utf8").trim())
            return Number.isFinite(n) && n > 0 ? n : undefined
          } catch { return undefined }
        },
        exited: () => child.exitCode !== null || child.signalCode !== null,
        peerEnv: () => {
          const out: Record<string, string> = {}
          let text = ""
          try { text = readFileSync(join(base, "peer.env"), "utf8") } catch { /* not written yet */ }
          for (const line of text.split("\n")) {
            const i = line.indexOf("=")
            // values are written with printf %q: plain words stay as they are, others are '...'-quoted
            if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).replace(/^'(.*)'$/, "$1").replace(/\\(.)/g, "$1")
          }
          return out
        }
      }
      return { proc, child }
    },
    catch: (e) => new PeerUnavailable({ peer: spec.name, reason: "start-failed", message: `${spec.name}: cannot start ${spec.script}: ${String(e)}`, logTail: "" })
  })

const removeBase = (base: string) => {
  if (process.env.CLOUDFX_KEEP_PEERS === "1") {
    console.warn(`[peers] kept ${base} (CLOUDFX_KEEP_PEERS=1)`)
    return
  }
  try { rmSync(base, { recursive: true, force: true }) } catch { /* best effort */ }
}

const readyTimeout = (spec: PeerSpec) => {
  const env = Number(process.env.CLOUDFX_PEER_TIMEOUT_MS)
  return Number.isFinite(env) && env > 0 ? env : spec.readyTimeoutMs
}

/**
 * Start one peer and wait until `spec.ready` says yes. The release (registered before the wait, so it runs
 * however the wait ends) stops the supervisor by PID, then its process group, and removes the temp dir.
 * A peer whose log says its port was taken meanwhile fails with reason "port-in-use" (see `withFreshPorts`).
 */
export const startPeer = (spec: PeerSpec, options: { readonly waitReady?: boolean } = {}): Effect.Effect<PeerProcess, PeerUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const missing = [
      ...(spec.binaries ?? []).filter((b) => !onPath(b)),
      ...(spec.files ?? []).filter((f) => !existsSync(join(repoRoot, f)))
    ]
    if (missing.length > 0) {
      return yield* new PeerUnavailable({
        peer: spec.name,
        reason: "missing",
        message: `${spec.name}: not installed here (missing ${missing.join(", ")}). Run \`bash scripts/peers/install.sh\` as root ` +
          `and \`npm ci\`, or set CLOUDFX_SKIP_PEERS=1 (or =${spec.name}) to skip the tests that need it.`,
        logTail: ""
      })
    }
    const started = Date.now()
    const { proc, child } = yield* Effect.acquireRelease(spawnPeer(spec), ({ proc, child }) =>
      Effect.promise(async () => {
        await stopProcess(child, proc.pid)
        removeBase(proc.base)
      })
    )
    if (options.waitReady === false) return proc
    yield* waitReady(spec, proc, started).pipe(
      // stop at once on failure (the scope may stay open a while, e.g. a layer's)
      Effect.tapError(() => Effect.promise(() => stopProcess(child, proc.pid)))
    )
    return proc
  })

/** Poll `spec.ready` until true, the supervisor exits, or the timeout passes. */
export const waitReady = (spec: PeerSpec, proc: PeerProcess, started = Date.now()): Effect.Effect<void, PeerUnavailable> =>
  Effect.tryPromise({
    try: async (signal) => {
      const timeoutMs = readyTimeout(spec)
      const deadline = started + timeoutMs
      let lastError = ""
      while (!signal.aborted) {
        if (proc.exited()) return { ok: false as const, why: "exited" as const, lastError }
        // one controller per probe, linked to the outer signal and removed again (no listener pile-up)
        const probe = new AbortController()
        const abort = () => probe.abort()
        signal.addEventListener("abort", abort, { once: true })
        const timer = setTimeout(abort, 3000)
        try {
          if (await spec.ready(proc, probe.signal)) return { ok: true as const, ms: Date.now() - started }
        } catch (e) {
          lastError = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ""}` : String(e)
        } finally {
          clearTimeout(timer)
          signal.removeEventListener("abort", abort)
        }
        if (Date.now() > deadline) return { ok: false as const, why: "timeout" as const, lastError }
        await sleep(100, signal)
      }
      return { ok: false as const, why: "interrupted" as const, lastError }
    },
    catch: (e) => new PeerUnavailable({ peer: spec.name, reason: "start-failed", message: `${spec.name}: readiness check crashed: ${String(e)}`, logTail: proc.logTail() })
  }).pipe(
    Effect.flatMap((r) => {
      if (r.ok) {
        if (process.env.CLOUDFX_PEERS_VERBOSE === "1") console.info(`[peers] ${spec.name} ready in ${r.ms} ms (${proc.base})`)
        return Effect.void
      }
      const tail = proc.logTail()
      const reason = PORT_IN_USE.test(tail) ? "port-in-use" : r.why === "timeout" ? "timeout" : "start-failed"
      const what = r.why === "exited" ? "exited before it was ready" : r.why === "timeout" ? `was not ready after ${readyTimeout(spec)} ms` : "start was interrupted"
      return Effect.fail(new PeerUnavailable({
        peer: spec.name,
        reason,
        message: `${spec.name} ${what}${r.lastError ? ` (last probe: ${r.lastError})` : ""}\n${tail}`,
        logTail: tail
      }))
    })
  )

/** Run a start that picks its own ports again (up to `times` more) when another process took one meanwhile. */
export const withFreshPorts = <A, R>(start: Effect.Effect<A, PeerUnavailable, R>, times = 2): Effect.Effect<A, PeerUnavailable, R> =>
  Effect.retry(start, { times, while: (e) => e.reason === "port-in-use" })

// ---------------------------------------------------------------------------------------------- probes

/** GET `url` and test the status (default: 2xx). */
export const httpProbe = (url: string, init: { readonly headers?: Record<string, string>; readonly status?: (s: number) => boolean } = {}) =>
  async (_: PeerProcess, signal: AbortSignal): Promise<boolean> => {
    const res = await fetch(url, { signal, ...(init.headers ? { headers: init.headers } : {}) })
    await res.arrayBuffer()
    return (init.status ?? ((s) => s >= 200 && s < 300))(res.status)
  }

/** Every probe says yes. */
export const allProbes = (...probes: ReadonlyArray<(p: PeerProcess, s: AbortSignal) => Promise<boolean>>) =>
  async (p: PeerProcess, s: AbortSignal): Promise<boolean> => {
    for (const probe of probes) if (!(await probe(p, s))) return false
    return true
  }

/** Connect over TCP and read the first bytes the server sends (e.g. an SSH banner). */
export const tcpBanner = (port: number, signal: AbortSignal, host = "127.0.0.1"): Promise<string> =>
  new Promise((ok, ko) => {
    const socket = connect({ host, port })
    let data = ""
    const done = (e?: Error) => { socket.destroy(); if (e) ko(e); else ok(data) }
    socket.setTimeout(3000, () => done(new Error("banner timeout")))
    socket.on("data", (d) => { data += d.toString("latin1"); if (data.includes("\n")) done() })
    socket.on("error", (e) => done(e))
    socket.on("end", () => done())
    signal.addEventListener("abort", () => done(new Error("aborted")), { once: true })
  })

/** Send one line to a unix or TCP socket and read the whole answer until the server closes (HAProxy's CLI). */
export const socketCommand = (target: { readonly path: string } | { readonly host: string; readonly port: number }, command: string, timeoutMs = 5000): Promise<string> =>
  new Promise((ok, ko) => {
    const socket = "path" in target ? connect({ path: target.path }) : connect({ host: target.host, port: target.port })
    const chunks: Array<Buffer> = []
    socket.setTimeout(timeoutMs, () => { socket.destroy(); ko(new Error(`no answer to "${command}" within ${timeoutMs} ms`)) })
    // end() half-closes: the master CLI answers and closes only once it sees the end of the input
    socket.on("connect", () => socket.end(`${command}\n`))
    socket.on("data", (d) => chunks.push(d))
    socket.on("error", ko)
    socket.on("close", () => ok(Buffer.concat(chunks).toString("utf8")))
  })
