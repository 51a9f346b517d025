/**
 * The HAProxy provider against a real HAProxy 2.6 (Debian) with three real
 * HTTP backends (test/support/peers/haproxy.ts): traffic is sent through the
 * frontends cloudfx creates and counted per backend. One HAProxy for the
 * whole file; reloads go through the master CLI, the runtime API through its
 * unix socket, and every rewrite is checked with `haproxy -c`.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { request } from "node:http"
import { createServer, type Server } from "node:net"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Haproxy } from "../../../src/layers/haproxy/index.js"
import { Memory } from "../../../src/layers/memory/index.js"
import { LoadBalancer } from "../../../src/services/LoadBalancer.js"
import { Compute, waitUntilRunningOn } from "../../../src/services/Compute.js"
import { freePorts, type HaproxyPeer, LocalHaproxy, skipPeers } from "../../support/peers/index.js"
import { outcome } from "../memory/support.js"
import { BEGIN } from "../../../src/layers/haproxy/section.js"

const configFor = (peer: HaproxyPeer): Haproxy.HaproxyConfig => ({
  runtimeSocket: peer.runtimeSocket,
  configFile: peer.configPath,
  reload: { masterSocket: peer.masterSocket },
  haproxyBinary: "haproxy",
  bindAddress: "127.0.0.1",
  drainTimeout: "5 seconds"
})

const TestLayer = Layer.unwrapEffect(Effect.map(LocalHaproxy, (peer) => Haproxy.layer(configFor(peer)))).pipe(
  Layer.provideMerge(LocalHaproxy.layer({ configServers: 0 }))
)

/** One GET on a fresh connection: the backend that answered, or the connection error code. */
const get = (port: number) =>
  Effect.async<string, string>((resume) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 5000 }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (d: string) => (body += d))
      res.on("end", () => {
        const by = res.headers["x-backend"]
        resume(res.statusCode === 200 && typeof by === "string" && body.trim() === by ? Effect.succeed(by) : Effect.fail(`HTTP ${res.statusCode} ${body.trim()}`))
      })
    })
    req.on("error", (e: NodeJS.ErrnoException) => resume(Effect.fail(e.code ?? e.message)))
    req.on("timeout", () => req.destroy(new Error("timeout")))
    req.end()
  })

const spread = (port: number, n: number) =>
  Effect.gen(function*() {
    const counts: Record<string, number> = {}
    for (let i = 0; i < n; i++) {
      const by = yield* get(port)
      counts[by] = (counts[by] ?? 0) + 1
    }
    return counts
  })

const workerPid = (peer: HaproxyPeer) =>
  Effect.map(peer.runtime("show info"), (info) => Number(/^Pid: (\d+)$/m.exec(info)?.[1]))

const freePort = Effect.map(freePorts(1), (ps) => ps[0]!)

describe.skipIf(skipPeers("haproxy"))("haproxy provider, real HAProxy", () => {
  layer(TestLayer, { timeout: "90 seconds", excludeTestServices: true })((it) => {
    it.effect("round robin over three real backends, detach, leastconn across a reload, destroy closes the port", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const lb = yield* LoadBalancer
        const [srv1, srv2, srv3] = peer.backends
        const port = yield* freePort
        const userPart = (yield* Effect.promise(() => readFile(peer.configPath, "utf8"))).split(BEGIN)[0]

        const b = yield* lb.createBalancer({ name: "web", port, protocol: "http", algorithm: "roundRobin" })
        expect([b.state, b.port, b.ip, b.algorithm]).toEqual(["running", port, "127.0.0.1", "roundRobin"])
        const members = []
        for (const s of [srv1!, srv2!, srv3!]) members.push(yield* lb.attachMember(b, { ip: s.host, port: s.port }))
        expect(members.map((m) => m.state)).toEqual(["up", "up", "up"])

        expect(yield* spread(port, 30)).toEqual({ srv1: 10, srv2: 10, srv3: 10 })

        yield* lb.detachMember(b, members[1]!)
        expect((yield* lb.listMembers(b)).map((m) => m.id)).toEqual([members[0]!.id, members[2]!.id])
        expect(yield* peer.runtime(`show servers state ${b.id}`)).not.toContain(members[1]!.id)
        expect(yield* spread(port, 20)).toEqual({ srv1: 10, srv3: 10 })

        const before = yield* workerPid(peer)
        const switched = yield* lb.updateBalancer(b, { algorithm: "leastConnections" })
        expect([switched.algorithm, switched.state]).toEqual(["leastConnections", "running"])
        expect(yield* workerPid(peer), "a new worker runs the new config").not.toBe(before)
        expect(yield* peer.runtime("show stat")).toMatch(new RegExp(`^${b.id},BACKEND,(?:[^,]*,)*leastconn,`, "m"))
        const kept = yield* lb.listMembers(b)
        expect(kept.map((m) => [m.id, m.ip, m.port, m.state])).toEqual([
          [members[0]!.id, srv1!.host, srv1!.port, "up"],
          [members[2]!.id, srv3!.host, srv3!.port, "up"]
        ])
        const after = yield* spread(port, 20)
        expect(Object.keys(after).sort()).toEqual(["srv1", "srv3"])

        yield* lb.destroyBalancer(b)
        expect(yield* Effect.flip(get(port))).toBe("ECONNREFUSED")
        expect(yield* outcome(lb.getBalancer(b))).toBe("NotFound")
        expect(yield* peer.runtime("show backend")).not.toContain(b.id)
        const file = yield* Effect.promise(() => readFile(peer.configPath, "utf8"))
        expect(file.split(BEGIN)[0], "the rest of the file is untouched").toBe(userPart)
      }))

    it.effect("members survive reloads: weights, maintenance and the node id are persisted in the section", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const lb = yield* LoadBalancer
        const haproxy = yield* Haproxy.Haproxy
        const [srv1, srv2] = peer.backends
        const port = yield* freePort
        const b = yield* lb.createBalancer({ name: "persist", port, protocol: "http", algorithm: "random", members: [{ ip: srv1!.host, port: srv1!.port, weight: 3 }] })
        const compute = yield* Effect.provide(Compute, Memory.layerCompute({ pollsUntilRunning: 0 }))
        const created = yield* compute.createNode({ name: "web-1", size: "s-1vcpu-1gb", image: "ubuntu-24.04", location: "fra1" })
        const [node] = yield* waitUntilRunningOn(compute, [created.id])
        const fromNode = yield* lb.attachComputeNode(b, node!, 8080, { weight: 2 })
        expect([fromNode.ip, fromNode.port, fromNode.nodeId, fromNode.weight]).toEqual([node!.publicIps[0], 8080, node!.id, 2])
        const second = yield* lb.attachMember(b, { ip: srv2!.host, port: srv2!.port })

        const weighted = yield* haproxy.setMemberWeight(b, second, 7)
        expect(weighted.weight).toBe(7)
        const disabled = yield* haproxy.disableMember(b, fromNode)
        expect(disabled.state).toBe("down")
        // only srv1 and srv2 serve: the node's member is in maintenance
        expect(Object.keys(yield* spread(port, 12)).sort()).toEqual(["srv1", "srv2"])

        const before = yield* workerPid(peer)
        yield* haproxy.reload()
        expect(yield* workerPid(peer)).not.toBe(before)
        const after = yield* lb.listMembers(b)
        expect(after.map((m) => [m.ip, m.port, m.weight, m.state, m.nodeId])).toEqual([
          [srv1!.host, srv1!.port, 3, "up", undefined],
          [node!.publicIps[0], 8080, 2, "down", node!.id],
          [srv2!.host, srv2!.port, 7, "up", undefined]
        ])
        const enabled = yield* haproxy.enableMember(b, fromNode)
        expect(enabled.state).toBe("up")
        expect(yield* outcome(haproxy.setMemberWeight(b, second, 300))).toBe("InvalidInput")
        expect(yield* outcome(haproxy.disableMember(b, "m-missing"))).toBe("NotFound")
        yield* lb.destroyBalancer(b)
      }))

    it.effect("a port another process holds: the reload fails, the previous file is restored, nothing changes", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const lb = yield* LoadBalancer
        const port = yield* freePort
        const blocker = yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const s = createServer()
            s.listen(port, "127.0.0.1", () => resume(Effect.succeed(s)))
          }),
          (s) =>
            Effect.async<void>((resume) => {
              s.close(() => resume(Effect.void))
            })
        )
        expect(blocker.listening).toBe(true)
        const fileBefore = yield* Effect.promise(() => readFile(peer.configPath, "utf8"))
        const balancersBefore = yield* lb.listBalancers()
        const failed = yield* Effect.flip(lb.createBalancer({ name: "blocked", port, protocol: "tcp", algorithm: "leastConnections" }))
        expect([failed._tag, (failed as { code?: string }).code]).toEqual(["ProviderError", "ReloadFailed"])
        expect(yield* Effect.promise(() => readFile(peer.configPath, "utf8"))).toBe(fileBefore)
        expect(yield* lb.listBalancers()).toEqual(balancersBefore)
        // HAProxy still serves the runtime API and takes the next change
        const ok = yield* lb.createBalancer({ name: "unblocked", port: yield* freePort, protocol: "tcp", algorithm: "sourceIp" })
        expect(ok.state).toBe("running")
        yield* lb.destroyBalancer(ok)
      }).pipe(Effect.scoped))

    it.effect("haproxy -c refuses a broken configuration before it replaces the file", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const bad = yield* Haproxy.make({ ...configFor(peer), bindAddress: "999.1.1.1" })
        const fileBefore = yield* Effect.promise(() => readFile(peer.configPath, "utf8"))
        const failed = yield* Effect.flip(bad.createBalancer({ name: "bad-bind", port: yield* freePort, protocol: "http", algorithm: "roundRobin" }))
        expect([failed._tag, (failed as { code?: string }).code]).toEqual(["ProviderError", "ConfigRejected"])
        expect(yield* Effect.promise(() => readFile(peer.configPath, "utf8"))).toBe(fileBefore)
      }))

    it.effect("the TCP runtime address and a caller's reload Effect work the same", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const lb = yield* Haproxy.make({
          runtimeAddress: peer.runtimeAddress,
          configFile: peer.configPath,
          reload: peer.reload(),
          bindAddress: "127.0.0.1"
        })
        const [srv3] = peer.backends.slice(2)
        const port = yield* freePort
        const b = yield* lb.createBalancer({ name: "over-tcp", port, protocol: "http", algorithm: "roundRobin" })
        yield* lb.attachMember(b, { ip: srv3!.host, port: srv3!.port })
        expect(yield* spread(port, 3)).toEqual({ srv3: 3 })
        const moved = yield* freePort
        const updated = yield* lb.updateBalancer(b, { port: moved })
        expect(updated.port).toBe(moved)
        expect(yield* spread(moved, 2)).toEqual({ srv3: 2 })
        expect(yield* Effect.flip(get(port))).toBe("ECONNREFUSED")
        yield* lb.destroyBalancer(b)
      }))

    it.effect("a managed section edited by hand is refused, not overwritten", () =>
      Effect.gen(function*() {
        const peer = yield* LocalHaproxy
        const lb = yield* LoadBalancer
        const b = yield* lb.createBalancer({ name: "edited", port: yield* freePort, protocol: "http", algorithm: "roundRobin" })
        const original = yield* Effect.promise(() => readFile(peer.configPath, "utf8"))
        const [user, managed] = original.split(BEGIN)
        yield* Effect.promise(() => writeFile(peer.configPath, `${user}${BEGIN}${managed!.replace("    default_backend", "    maxconn 10\n    default_backend")}`))
        expect(yield* outcome(lb.listBalancers())).toBe("MalformedResponse")
        expect(yield* outcome(lb.attachMember(b, { ip: "192.0.2.1", port: 80 }))).toBe("MalformedResponse")
        yield* Effect.promise(() => writeFile(peer.configPath, original))
        yield* lb.destroyBalancer(b)
      }))
  })
})

describe("haproxy provider, a runtime API answering garbage", () => {
  it.live("MalformedResponse, never a defect", () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "cloudfx-haproxy-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const socket = join(dir, "admin.sock")
        yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const s = createServer((c) => c.end("this is not haproxy\n"))
            s.listen(socket, () => resume(Effect.succeed(s)))
          }),
          // not waiting for close: a test failure must not hang on a half-open connection
          (s) => Effect.sync(() => s.close())
        )
        const configFile = join(dir, "haproxy.cfg")
        yield* Effect.promise(() => writeFile(configFile, "global\n"))
        const lb = yield* Haproxy.make({ runtimeSocket: socket, configFile, reload: Effect.void })
        expect(yield* lb.listBalancers()).toEqual([])
        expect(yield* outcome(lb.createBalancer({ name: "x", port: 20001, protocol: "http", algorithm: "roundRobin" }))).toBe("MalformedResponse")
        expect(yield* Effect.promise(() => readFile(configFile, "utf8")), "nothing written").toBe("global\n")
        const gone = yield* Haproxy.make({ runtimeSocket: join(dir, "missing.sock"), configFile, reload: Effect.void })
        expect(yield* outcome(gone.createBalancer({ name: "x", port: 20001, protocol: "http", algorithm: "roundRobin" }))).toBe("Transport")
      }).pipe(Effect.scoped))
})
