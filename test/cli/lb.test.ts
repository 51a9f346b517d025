/**
 * `cloudfx lb` against a real HAProxy (the profile is `--provider haproxy`
 * plus its HAPROXY_* variables), with real traffic through the balancer it
 * creates; and the member parser on its own.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parseMember } from "../../src/cli/lb.js"
import { freePorts, LocalHaproxy, skipPeers } from "../support/peers/index.js"
import { cli } from "./run.js"

describe("cloudfx lb --member", () => {
  it.effect("reads ip:port and [ipv6]:port, and refuses anything else as InvalidInput", () =>
    Effect.gen(function*() {
      expect(yield* parseMember("10.0.0.5:80")).toEqual({ ip: "10.0.0.5", port: 80 })
      expect(yield* parseMember("[2001:db8::5]:8080")).toEqual({ ip: "2001:db8::5", port: 8080 })
      for (const bad of ["10.0.0.5", "10.0.0.5:0", "10.0.0.5:65536", "2001:db8::5:80", ":80"]) {
        expect((yield* Effect.flip(parseMember(bad)))._tag, bad).toBe("InvalidInput")
      }
    }))
})

const hits = (url: string, n: number) =>
  Effect.promise(async () => {
    const counts: Record<string, number> = {}
    for (let i = 0; i < n; i++) {
      const body = (await (await fetch(url)).text()).trim()
      counts[body] = (counts[body] ?? 0) + 1
    }
    return counts
  })

describe.skipIf(skipPeers("haproxy"))("cloudfx lb on a real HAProxy", () => {
  layer(LocalHaproxy.layer({ configServers: 0 }), { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.effect("create with members, traffic spread, attach, members, detach, destroy", () =>
      Effect.gen(function*() {
        const haproxy = yield* LocalHaproxy
        const env = {
          CLOUDFX_PROVIDER: "haproxy",
          HAPROXY_RUNTIME_SOCKET: haproxy.runtimeSocket,
          HAPROXY_CONFIG: haproxy.configPath,
          HAPROXY_MASTER_SOCKET: haproxy.masterSocket
        }
        const [port] = yield* freePorts(1)
        const [b1, b2, b3] = haproxy.backends
        const created = JSON.parse((yield* cli([
          "lb", "create", "cli-web", "--port", String(port), "--algorithm", "roundRobin",
          "--member", `${b1!.host}:${b1!.port}`, "--member", `${b2!.host}:${b2!.port}`, "--json"
        ], env)).stdout)
        expect(created.balancer.name).toBe("cli-web")
        expect(created.members).toHaveLength(2)
        const url = `http://127.0.0.1:${port}/`
        expect(yield* hits(url, 10)).toEqual({ srv1: 5, srv2: 5 })

        // By name, as people type it.
        const added = JSON.parse((yield* cli(["lb", "attach", "cli-web", "--member", `${b3!.host}:${b3!.port}`, "--json"], env)).stdout)
        expect(added.port).toBe(b3!.port)
        expect(yield* hits(url, 9)).toEqual({ srv1: 3, srv2: 3, srv3: 3 })

        const table = (yield* cli(["lb", "members", "cli-web"], env)).stdout
        expect(table.split("\n").slice(2)).toHaveLength(3)
        expect(table).toContain(String(b3!.port))

        yield* cli(["lb", "detach", "cli-web", created.members[0].id], env)
        expect(yield* hits(url, 6)).toEqual({ srv2: 3, srv3: 3 })

        const listed = JSON.parse((yield* cli(["lb", "ls", "--json"], env)).stdout)
        expect(listed.map((b: { name: string }) => b.name)).toEqual(["cli-web"])
        yield* cli(["lb", "destroy", "cli-web"], env)
        expect(JSON.parse((yield* cli(["lb", "ls", "--json"], env)).stdout)).toEqual([])
        const refused = yield* Effect.promise(() => fetch(url).then(() => "answered", () => "refused"))
        expect(refused).toBe("refused")
      }))
  })
})
