/**
 * The text side of the HAProxy provider without a server: runtime API
 * answers (as HAProxy 2.6.12 prints them, captured from the Debian package)
 * parsed strictly, errors classified, and the managed section rendered,
 * parsed back and refused when edited by hand.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Layer } from "effect"
import { Haproxy } from "../../../src/layers/haproxy/index.js"
import { LoadBalancer } from "../../../src/services/LoadBalancer.js"
import { Algorithm as AlgorithmSchema } from "../../../src/schemas/Models.js"
import * as Runtime from "../../../src/layers/haproxy/runtime.js"
import { BEGIN, END, ManagedBalancer, ManagedMember, parseConfig, renderConfig, renderSection } from "../../../src/layers/haproxy/section.js"
import { outcome } from "../memory/support.js"

const w = { provider: "haproxy", operation: "LoadBalancer.test" }

const serversState = [
  "1",
  "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port",
  "4 be 1 srv1 127.0.0.1 2 0 1 1 8 15 3 2 6 0 0 0 - 44471 - 0 0 - - 0",
  "4 be 3 x1 192.0.2.10 2 8 7 5 0 1 0 0 0 0 0 0 - 8080 - 0 0 - - 0",
  "4 be 4 x2 ::1 0 1 1 1 0 1 0 0 0 0 0 0 - 8080 - 0 0 - - 0",
  "",
  ""
].join("\n")

const statHeader = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,"

describe("haproxy runtime answers", () => {
  it.effect("show servers state: rows by header name, numbers checked", () =>
    Effect.gen(function*() {
      const rows = yield* Runtime.parseServersState(w, serversState)
      expect(rows.map((r) => [r.backend, r.name, r.address, r.port, r.operational, r.admin, r.weight])).toEqual([
        ["be", "srv1", "127.0.0.1", 44471, 2, 0, 1],
        ["be", "x1", "192.0.2.10", 8080, 2, 8, 7],
        ["be", "x2", "::1", 8080, 0, 1, 1]
      ])
      expect(yield* Runtime.parseServersState(w, `${serversState.split("\n").slice(0, 2).join("\n")}\n\n`)).toEqual([])
    }))

  it.effect("show servers state garbage is MalformedResponse", () =>
    Effect.gen(function*() {
      const lines = serversState.split("\n")
      const garbage = [
        "",
        "Can't find backend.\n",
        "2\n" + lines.slice(1).join("\n"),
        "1\nbe_id be_name\n",
        "1\n# be_id be_name srv_name\n4 be x\n",
        [lines[0], lines[1], "4 be 1 srv1 127.0.0.1 2 0 1"].join("\n"),
        [lines[0], lines[1], lines[2]!.replace("44471", "port")].join("\n")
      ]
      for (const g of garbage) expect(yield* outcome(Runtime.parseServersState(w, g)), JSON.stringify(g)).toBe("MalformedResponse")
    }))

  it.effect("show stat: CSV rows keyed by the header; a ragged row or no header is MalformedResponse", () =>
    Effect.gen(function*() {
      const ok = `${statHeader}\nfe,FRONTEND,,,0,0,9978,0,0,0,0,0,0,,,,,OPEN,\n\n`
      const rows = yield* Runtime.parseStat(w, ok)
      expect(rows.map((r) => [r["pxname"], r["svname"], r["status"]])).toEqual([["fe", "FRONTEND", "OPEN"]])
      expect(yield* outcome(Runtime.parseStat(w, `${statHeader}\nfe,FRONTEND,OPEN\n`))).toBe("MalformedResponse")
      expect(yield* outcome(Runtime.parseStat(w, "Unknown command\n"))).toBe("MalformedResponse")
    }))

  it.effect("show info Pid and master show proc", () =>
    Effect.gen(function*() {
      expect(yield* Runtime.parsePid(w, "Name: HAProxy\nVersion: 2.6.12\nPid: 15740\nUptime: 0d\n")).toBe(15740)
      expect(yield* outcome(Runtime.parsePid(w, "Name: HAProxy\n"))).toBe("MalformedResponse")
      const proc = [
        "#<PID>          <type>          <reloads>       <uptime>        <version>      ",
        "15725           master          4 [failed: 1]   0d00h00m29s     2.6.12-1+deb12u4",
        "# workers",
        "16647           worker          1               0d00h00m08s     2.6.12-1+deb12u4",
        "# programs",
        ""
      ].join("\n")
      expect(yield* Runtime.parseShowProc(w, proc)).toEqual({ reloads: 4, failed: 1, workers: [16647] })
      expect(yield* outcome(Runtime.parseShowProc(w, ""))).toBe("MalformedResponse")
    }))

  it("runtime errors map onto the taxonomy", () => {
    const s = { backend: "lb-1", server: "m-1" }
    const tagOf = (answer: string) => {
      const e = Runtime.classify(w, s, answer)
      return [e._tag, "resource" in e ? e.resource : undefined]
    }
    expect(tagOf("No such backend.\n")).toEqual(["NotFound", "balancer"])
    expect(tagOf("Can't find backend.\n")).toEqual(["NotFound", "balancer"])
    expect(tagOf("No such server.\n\n")).toEqual(["NotFound", "member"])
    expect(tagOf("Already exists a server with the same name in backend.\n")).toEqual(["AlreadyExists", "member"])
    expect(tagOf("Only servers in maintenance mode can be deleted.\n")).toEqual(["Conflict", "member"])
    expect(tagOf("Backend must use a dynamic load balancing to support dynamic servers.\n")).toEqual(["Conflict", "balancer"])
    expect(tagOf("Permission denied\n")).toEqual(["PermissionDenied", undefined])
    expect(tagOf("Unknown command, but maybe one of the following ones is a better match:\n  add map\n")).toEqual(["ProviderError", undefined])
    expect(tagOf("Absolute weight can only be between 0 and 256 inclusive.\n")).toEqual(["ProviderError", undefined])
  })

  it.effect("a command carrying a separator is never sent", () =>
    Effect.gen(function*() {
      expect(yield* outcome(Runtime.send(w, { path: "/nonexistent" }, "show stat;del server be/x", Duration.seconds(1)))).toBe("Defect")
      expect(yield* outcome(Runtime.send(w, { path: "/nonexistent/admin.sock" }, "show stat", Duration.seconds(1)))).toBe("Transport")
      expect(yield* outcome(Runtime.send(w, undefined, "show stat", Duration.seconds(1)))).toBe("Transport")
    }))
})

const balancer = (id: string, port: number, algorithm: typeof AlgorithmSchema.Type = "roundRobin") =>
  new ManagedBalancer({ id, name: `web-${id}`, bind: "127.0.0.1", port, protocol: "http", algorithm, createdAt: "2024-01-01T00:00:00.000Z" })

const member = (id: string, port: number, nodeId?: string) =>
  new ManagedMember({ id, ip: "192.0.2.10", port, weight: 3, disabled: id.endsWith("d"), ...(nodeId === undefined ? {} : { nodeId }) })

describe("haproxy managed section", () => {
  const user = "global\n    maxconn 100\n\ndefaults\n    mode http\n\nfrontend mine\n    bind :80\n"
  const balancers = [
    { balancer: balancer("lb-aaaaaaaaaaaa", 8080, "sourceIp"), members: [member("m-1", 81, "node #1 \"quoted\""), member("m-2d", 82)] },
    { balancer: balancer("lb-bbbbbbbbbbbb", 8081), members: [] }
  ]

  it("renders frontend + backend pairs and parses back exactly, the rest of the file untouched", () => {
    const text = renderConfig({ before: user, balancers: [], after: "" }, balancers)
    expect(text.startsWith(user)).toBe(true)
    expect(text).toContain("frontend lb-aaaaaaaaaaaa\n    mode http\n    bind 127.0.0.1:8080\n    default_backend lb-aaaaaaaaaaaa\n")
    expect(text).toContain("    balance source\n    hash-type consistent\n")
    expect(text).toContain("    server m-1 192.0.2.10:81 weight 3\n")
    expect(text).toContain("    server m-2d 192.0.2.10:82 weight 3 disabled\n")
    const parsed = Either.getOrThrow(parseConfig(`${text}backend after\n    balance roundrobin\n`))
    expect(parsed.before).toBe(user)
    expect(parsed.after).toBe("backend after\n    balance roundrobin\n")
    expect(parsed.balancers).toEqual(balancers)
    expect(renderConfig(parsed, parsed.balancers)).toBe(`${text}backend after\n    balance roundrobin\n`)
  })

  it("every offered algorithm renders a balance line", () => {
    for (const a of ["roundRobin", "leastConnections", "random", "sourceIp"] as const) {
      expect(renderSection([{ balancer: balancer("lb-cccccccccccc", 1, a), members: [] }])).toMatch(/\n {4}balance \w+\n/)
    }
  })

  it("a file without a section gets one appended; an empty section stays", () => {
    expect(Either.getOrThrow(parseConfig("global\n    maxconn 1"))).toEqual({ before: "global\n    maxconn 1\n", balancers: [], after: "" })
    const empty = renderConfig({ before: user, balancers: [], after: "" }, [])
    expect(empty).toBe(`${user}${BEGIN}\n${END}\n`)
    expect(Either.getOrThrow(parseConfig(empty)).balancers).toEqual([])
  })

  it("hand edits, broken markers and bad JSON are refused", () => {
    const text = renderConfig({ before: user, balancers: [], after: "" }, balancers)
    const broken = [
      text.replace("bind 127.0.0.1:8080", "bind 127.0.0.1:9090"),
      text.replace("    server m-1 ", "    server m-9 "),
      text.replace(`${END}\n`, ""),
      text.replace(`${BEGIN}\n`, ""),
      `${text}${BEGIN}\n${END}\n`,
      text.replace("\"port\":8080", "\"port\":0"),
      text.replace("# cloudfx-balancer {", "# cloudfx-balancer {{"),
      text.replace("frontend lb-bbbbbbbbbbbb\n", "frontend lb-bbbbbbbbbbbb\n    maxconn 5\n")
    ]
    for (const b of broken) expect(Either.isLeft(parseConfig(b)), b).toBe(true)
  })
})

describe("haproxy layerConfig", () => {
  it.effect("reads HAPROXY_* and refuses a bad runtime address", () =>
    Effect.gen(function*() {
      const env = (vars: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
      const base = { HAPROXY_CONFIG: "/etc/haproxy/haproxy.cfg", HAPROXY_MASTER_SOCKET: "/run/haproxy/master.sock" }
      const lb = yield* Effect.provide(LoadBalancer, Haproxy.layerConfig().pipe(Layer.provide(env({ ...base, HAPROXY_RUNTIME_ADDRESS: "127.0.0.1:9999" }))))
      expect(lb.provider.id).toBe("haproxy")
      expect([...lb.provider.capabilities].sort()).toEqual(["lb.update", "lb.weights"])
      expect(yield* lb.listProtocols()).toEqual(["http", "tcp"])
      expect(yield* lb.listAlgorithms()).toEqual(["random", "roundRobin", "leastConnections", "weightedRoundRobin", "weightedLeastConnections", "sourceIp"])
      const bad = yield* Effect.exit(Layer.build(Haproxy.layerConfig().pipe(Layer.provide(env({ ...base, HAPROXY_RUNTIME_ADDRESS: "localhost" })))).pipe(Effect.scoped))
      expect(bad._tag).toBe("Failure")
      const missing = yield* Effect.exit(Layer.build(Haproxy.layerConfig().pipe(Layer.provide(env({ HAPROXY_RUNTIME_SOCKET: "/x" })))).pipe(Effect.scoped))
      expect(missing._tag).toBe("Failure")
    }))
})
