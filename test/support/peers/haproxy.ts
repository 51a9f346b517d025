/** HAProxy 2.6 (Debian) in master-worker mode, plus three node HTTP backends that name themselves (body
 * "srvN\n", header x-backend: srvN; HAProxy adds X-Served-By: srvN). Frontend "fe" -> backend "be" with srv1
 * and srv2 declared (srv3 runs but is free for "add server"). The config lives in a writable directory: rewrite
 * it and `reload`. Runtime API gotchas (2.6): servers added at runtime start in maint with checks off and are
 * lost on reload; no runtime command changes `balance` (edit + reload). */
import { Context, Effect, Layer, type Scope } from "effect"
import { dirname } from "node:path"
import { allProbes, freePorts, httpProbe, type PeerProcess, PeerUnavailable, socketCommand, startPeer, withFreshPorts } from "./runtime.js"

export interface HaproxyBackend {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly url: string
  /** Declared in the initial config's backend "be". */
  readonly inConfig: boolean
}

export interface HaproxyPeer {
  /** http://127.0.0.1:PORT, frontend "fe" -> backend "be" */
  readonly frontendUrl: string
  readonly frontendPort: number
  readonly frontendName: string
  readonly backendName: string
  readonly backends: ReadonlyArray<HaproxyBackend>
  /** http://127.0.0.1:PORT/stats */
  readonly statsUrl: string
  /** Runtime API, admin level, unix socket ("show stat", "add server be/x ...", "set server ...") */
  readonly runtimeSocket: string
  /** The same runtime API over TCP. */
  readonly runtimeAddress: { readonly host: string; readonly port: number }
  /** Master CLI unix socket ("reload", "show proc", "@1 show info"). */
  readonly masterSocket: string
  /** haproxy.cfg; its directory is writable. */
  readonly configPath: string
  readonly configDir: string
  /** server-state-file named in the config (dump "show servers state" into it before a reload to keep states). */
  readonly serverStateFile: string
  /** PID of the HAProxy master process. */
  readonly masterPid: number
  /** A command that makes the master reload its config (what a provider would run). */
  readonly reloadCommand: ReadonlyArray<string>
  /** Send one runtime API command (admin socket) and return the answer. */
  readonly runtime: (command: string) => Effect.Effect<string, PeerUnavailable>
  /** Send one master CLI command and return the answer. */
  readonly master: (command: string) => Effect.Effect<string, PeerUnavailable>
  /** Reload through the master CLI and wait until the new worker serves the runtime API; fails when the new config is rejected. */
  readonly reload: () => Effect.Effect<void, PeerUnavailable>
  readonly pid: number
}

export interface HaproxyOptions {
  /** `balance` of backend "be" (must be dynamic for "add server": roundrobin, leastconn, random, ...). */
  readonly algorithm?: string
  /** How many of srv1..srv3 the initial config declares (default 2). */
  readonly configServers?: 0 | 1 | 2 | 3
  /** Appended to the rendered config. */
  readonly extraConfig?: string
}

const parseMaster = (showProc: string) => {
  const m = /^\s*\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(showProc)
  return m ? { reloads: Number(m[1]), failed: Number(m[2]) } : undefined
}

const command = (proc: PeerProcess, target: { path: string } | { host: string; port: number }, cmd: string) =>
  Effect.tryPromise({
    try: () => socketCommand(target, cmd),
    catch: (e) => new PeerUnavailable({ peer: "haproxy", reason: "command-failed", message: `haproxy "${cmd}": ${String(e)}`, logTail: proc.logTail(20) })
  })

export const startHaproxy = (options: HaproxyOptions = {}): Effect.Effect<HaproxyPeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [fe, api, stats, b1, b2, b3] = yield* freePorts(6)
    const configServers = options.configServers ?? 2
    const backends = [b1!, b2!, b3!].map((port, i) => ({
      name: `srv${i + 1}`, host: "127.0.0.1", port, url: `http://127.0.0.1:${port}`, inConfig: i < configServers
    }))
    const frontendUrl = `http://127.0.0.1:${fe}`
    const proc = yield* startPeer({
      name: "haproxy",
      script: "haproxy/start.sh",
      env: {
        FE_PORT: String(fe), API_PORT: String(api), STATS_PORT: String(stats),
        B1_PORT: String(b1), B2_PORT: String(b2), B3_PORT: String(b3),
        ALGO: options.algorithm ?? "roundrobin", CFG_SERVERS: String(configServers), EXTRA_CONFIG: options.extraConfig ?? ""
      },
      binaries: ["haproxy", "node"],
      ready: allProbes(
        ...backends.map((b) => httpProbe(`${b.url}/health`)),
        httpProbe(`http://127.0.0.1:${stats}/stats`),
        // every declared server is UP in "show stat" (runtime API answering too)
        async (p) => {
          const csv = await socketCommand({ path: `${p.base}/admin.sock` }, "show stat")
          return backends.filter((b) => b.inConfig).every((b) => new RegExp(`^be,${b.name},(?:[^,]*,){15}UP,`, "m").test(csv))
        }
      ),
      readyTimeoutMs: 30_000
    })
    const runtimeSocket = `${proc.base}/admin.sock`
    const masterSocket = `${proc.base}/master.sock`
    const masterPid = proc.childPid("haproxy")
    if (masterPid === undefined) {
      return yield* new PeerUnavailable({ peer: "haproxy", reason: "start-failed", message: "haproxy: no master pid file", logTail: proc.logTail() })
    }
    const runtime = (cmd: string) => command(proc, { path: runtimeSocket }, cmd)
    const master = (cmd: string) => command(proc, { path: masterSocket }, cmd)
    const reload = () =>
      Effect.gen(function*() {
        const before = parseMaster(yield* master("show proc"))
        if (before === undefined) return yield* new PeerUnavailable({ peer: "haproxy", reason: "command-failed", message: "haproxy: cannot read \"show proc\"", logTail: proc.logTail(20) })
        yield* master("reload").pipe(Effect.catchAll(() => Effect.void)) // the master may close the CLI while re-executing
        const outcome = yield* Effect.tryPromise({
          try: async () => {
            const deadline = Date.now() + 15_000
            while (Date.now() < deadline) {
              await new Promise((ok) => setTimeout(ok, 100))
              const now = await socketCommand({ path: masterSocket }, "show proc").then(parseMaster, () => undefined)
              if (now === undefined) continue
              if (now.failed > before.failed) return "failed"
              if (now.reloads > before.reloads) {
                const info = await socketCommand({ path: runtimeSocket }, "show info").catch(() => "")
                if (info.includes("Pid:")) return "ok"
              }
            }
            return "timeout"
          },
          catch: (e) => String(e)
        }).pipe(Effect.catchAll((e) => Effect.succeed(e)))
        if (outcome !== "ok") {
          return yield* new PeerUnavailable({ peer: "haproxy", reason: "command-failed", message: `haproxy reload: ${outcome}\n${proc.logTail(30)}`, logTail: proc.logTail(30) })
        }
      })
    const configPath = `${proc.base}/etc/haproxy.cfg`
    return {
      frontendUrl,
      frontendPort: fe!,
      frontendName: "fe",
      backendName: "be",
      backends,
      statsUrl: `http://127.0.0.1:${stats}/stats`,
      runtimeSocket,
      runtimeAddress: { host: "127.0.0.1", port: api! },
      masterSocket,
      configPath,
      configDir: dirname(configPath),
      serverStateFile: `${proc.base}/server-state`,
      masterPid,
      reloadCommand: ["kill", "-USR2", String(masterPid)],
      runtime,
      master,
      reload,
      pid: proc.pid
    }
  }))

export class LocalHaproxy extends Context.Tag("cloudfx/test/peers/LocalHaproxy")<LocalHaproxy, HaproxyPeer>() {
  static readonly layer = (options: HaproxyOptions = {}) => Layer.scoped(LocalHaproxy, startHaproxy(options))
}
