import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { makeLoadBalancer } from "../../../src/layers/memory/loadBalancer.js"
import { Memory } from "../../../src/layers/memory/index.js"
import { Node } from "../../../src/schemas/Models.js"
import { LoadBalancer, waitUntilBalancerReady, waitUntilBalancerReadyOn } from "../../../src/services/LoadBalancer.js"
import { outcome, withRecordedSpans } from "./support.js"

const base = { port: 80, protocol: "http", algorithm: "roundRobin" } as const

describe("memory LoadBalancer", () => {
  it.effect("says it is memory, with update and weights, http/https/tcp", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer()
      expect(lb.provider.id).toBe("memory")
      expect([...lb.provider.capabilities].sort()).toEqual(["lb.update", "lb.weights"])
      expect(yield* lb.listProtocols()).toEqual(["http", "https", "tcp"])
      expect(yield* lb.listAlgorithms()).toContain("roundRobin")
    }))

  it.effect("a new balancer is pending for pollsUntilRunning observations, then running", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer({ pollsUntilRunning: 2 })
      const b = yield* lb.createBalancer({ ...base, name: "web" })
      expect(b.state).toBe("pending")
      expect(b.id).toMatch(/^lb-0[0-9a-f]{16}$/)
      expect(b.ip).toMatch(/^198\.51\.100\.\d+$/)
      expect((yield* lb.getBalancer(b)).state).toBe("pending")
      expect((yield* lb.listBalancers())[0]!.state).toBe("pending")
      expect((yield* lb.getBalancer(b)).state).toBe("running")
      expect((yield* lb.getBalancer(b)).state).toBe("running")

      const quick = yield* makeLoadBalancer({ pollsUntilRunning: 0 })
      expect((yield* quick.createBalancer({ ...base, name: "now" })).state).toBe("running")
    }))

  it.effect("protocols are case-insensitive; unknown ones and unoffered algorithms are refused", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer()
      expect((yield* lb.createBalancer({ ...base, name: "a", protocol: "HTTPS" })).protocol).toBe("https")
      expect(yield* Effect.flip(lb.createBalancer({ ...base, name: "b", protocol: "udp" }))).toMatchObject({
        _tag: "InvalidInput",
        field: "protocol"
      })
      expect(yield* Effect.flip(lb.createBalancer({ ...base, name: "b", algorithm: "shortestResponse" }))).toMatchObject({
        _tag: "Unsupported",
        capability: "algorithm shortestResponse"
      })
      expect(yield* outcome(lb.createBalancer({ ...base, name: "bad name with spaces" }))).toBe("InvalidInput")
      expect(yield* outcome(lb.createBalancer({ ...base, name: "x".repeat(65) }))).toBe("InvalidInput")
      expect((yield* lb.listBalancers()).map((b) => b.name)).toEqual(["a"])
    }))

  it.effect("initial members must be distinct; members keep weights and node ids", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer()
      const dup = yield* Effect.flip(
        lb.createBalancer({
          ...base,
          name: "dup",
          members: [{ ip: "192.0.2.1", port: 80 }, { ip: "192.0.2.1", port: 80 }]
        })
      )
      expect(dup).toMatchObject({ _tag: "InvalidInput", field: "members[1]" })
      const b = yield* lb.createBalancer({ ...base, name: "w", members: [{ ip: "192.0.2.1", port: 80, weight: 3 }] })
      const [first] = yield* lb.listMembers(b)
      expect(first).toMatchObject({ ip: "192.0.2.1", port: 80, weight: 3, state: "up", balancerId: b.id })
      expect(first!.id).toMatch(/^m-[0-9a-f]{12}$/)
      const drained = yield* lb.attachMember(b, { ip: "192.0.2.2", port: 80, weight: 0 })
      expect(drained.state).toBe("draining")
      expect(yield* outcome(lb.attachMember(b, { ip: "192.0.2.3", port: 80, weight: 257 }))).toBe("InvalidInput")
      const node = new Node({ id: "i-1", name: "n", state: "running", publicIps: ["203.0.113.5"], privateIps: ["10.0.0.5"] })
      const m = yield* lb.attachComputeNode(b, node, 8080, { weight: 2 })
      expect(m).toMatchObject({ ip: "203.0.113.5", port: 8080, weight: 2, nodeId: "i-1" })
      const garbage = yield* outcome(lb.attachComputeNode(b, { id: "i-2" } as unknown as Node, 80))
      expect(garbage).toBe("InvalidInput")
      const noPrivate = new Node({ id: "i-3", name: "n", state: "running", publicIps: ["203.0.113.6"], privateIps: [] })
      expect(yield* outcome(lb.attachComputeNode(b, noPrivate, 80, { usePrivateIp: true }))).toBe("InvalidInput")
    }))

  it.effect("renaming onto a taken name is Conflict; updates keep members", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer({ pollsUntilRunning: 0 })
      const a = yield* lb.createBalancer({ ...base, name: "a", members: [{ ip: "192.0.2.1", port: 80 }] })
      yield* lb.createBalancer({ ...base, name: "b" })
      expect(yield* Effect.flip(lb.updateBalancer(a, { name: "b" }))).toMatchObject({ _tag: "Conflict", id: a.id })
      expect(yield* outcome(lb.updateBalancer(a, { algorithm: "shortestResponse" }))).toBe("Unsupported")
      const renamed = yield* lb.updateBalancer(a, { name: "a2", protocol: "tcp", algorithm: "leastConnections" })
      expect(renamed).toMatchObject({ name: "a2", protocol: "tcp", algorithm: "leastConnections", port: 80 })
      expect(yield* lb.updateBalancer(a, {})).toMatchObject({ name: "a2" })
      expect((yield* lb.listMembers(a)).length).toBe(1)
      expect(yield* outcome(lb.createBalancer({ ...base, name: "a" })), "the old name is free again").toBe("Success")
    }))

  describe("waitUntilBalancerReady", () => {
    it.effect("returns the running balancer", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const b = yield* lb.createBalancer({ ...base, name: "ready" })
        const ready = yield* waitUntilBalancerReady(b, { schedule: Schedule.forever })
        expect(ready.state).toBe("running")
      }).pipe(Effect.provide(Memory.layerLoadBalancer({ pollsUntilRunning: 4 }))))

    it.effect("fails with UnexpectedState when the balancer ends in error", () =>
      Effect.gen(function*() {
        const lb = yield* makeLoadBalancer({ pollsUntilRunning: 2 })
        const b = yield* lb.createBalancer({ ...base, name: "broken", extra: { provisioning: "fail" } })
        const error = yield* Effect.flip(waitUntilBalancerReadyOn(lb, b, { schedule: Schedule.forever }))
        expect(error).toMatchObject({ _tag: "UnexpectedState", resource: "balancer", id: b.id, state: "error" })
      }))

    it.effect("fails with Timeout when the balancer never gets ready (TestClock)", () =>
      Effect.gen(function*() {
        const lb = yield* makeLoadBalancer({ pollsUntilRunning: 1_000_000 })
        const b = yield* lb.createBalancer({ ...base, name: "slow" })
        const fiber = yield* Effect.fork(
          waitUntilBalancerReadyOn(lb, b, { schedule: Schedule.spaced("1 second"), timeout: "20 seconds" })
        )
        yield* TestClock.adjust("19 seconds")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("2 seconds")
        expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({
          _tag: "Timeout",
          operation: "LoadBalancer.waitUntilBalancerReady"
        })
      }))

    it.effect("fails with NotFound when the balancer is destroyed while waiting", () =>
      Effect.gen(function*() {
        const lb = yield* makeLoadBalancer({ pollsUntilRunning: 3 })
        const b = yield* lb.createBalancer({ ...base, name: "gone" })
        yield* lb.destroyBalancer(b)
        expect(yield* outcome(waitUntilBalancerReadyOn(lb, b, { schedule: Schedule.forever }))).toBe("NotFound")
      }))
  })

  it.effect("seeded faults are deterministic and change nothing; latency applies (TestClock)", () =>
    Effect.gen(function*() {
      const faults = { seed: 11, rateLimited: 0.3, transport: 0.2 } as const
      const run = (lb: LoadBalancer.Service) =>
        Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          (i) => outcome(lb.createBalancer({ ...base, name: `b${i}` }))
        )
      const lb = yield* makeLoadBalancer({ faults })
      const first = yield* run(lb)
      expect(yield* run(yield* makeLoadBalancer({ faults }))).toEqual(first)
      expect(new Set(first)).toEqual(new Set(["Success", "RateLimited", "Transport"]))
      const names = (yield* lb.listBalancers().pipe(Effect.retry({ times: 50 }))).map((b) => b.name)
      expect(names).toEqual(first.flatMap((o, i) => (o === "Success" ? [`b${i}`] : [])))

      const slow = yield* makeLoadBalancer({ latency: "500 millis" })
      const fiber = yield* Effect.fork(slow.listBalancers())
      yield* TestClock.adjust("499 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 milli")
      expect(yield* Fiber.join(fiber)).toEqual([])
    }))

  it.effect("garbage input is InvalidInput, never a defect", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer()
      const garbage = <A>(u: unknown) => u as A
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        lb.createBalancer(garbage(null)),
        lb.createBalancer(garbage({ ...base, name: "x", members: "nope" })),
        lb.createBalancer(garbage({ ...base, name: "x", members: [null] })),
        lb.createBalancer(garbage({ ...base, name: "x", protocol: 5 })),
        lb.createBalancer(garbage({ ...base, name: "x", algorithm: undefined })),
        lb.createBalancer({ ...base, name: "x", extra: { provisioning: "later" } }),
        lb.getBalancer(garbage(undefined)),
        lb.updateBalancer("lb-1", garbage(null)),
        lb.attachMember("lb-1", garbage(undefined)),
        lb.attachComputeNode("lb-1", garbage(null), 80),
        lb.attachComputeNode("lb-1", garbage({ id: "i-1", publicIps: ["192.0.2.1"], privateIps: [] }), 80, garbage(3)),
        lb.detachMember(garbage(null), "m-1")
      ]
      for (const [i, call] of calls.entries()) expect(yield* outcome(call), `call ${i}`).toBe("InvalidInput")
      expect(yield* lb.listBalancers()).toEqual([])
    }))

  it.effect("every operation runs in its span", () =>
    Effect.gen(function*() {
      const lb = yield* makeLoadBalancer()
      const { spans } = yield* withRecordedSpans(
        Effect.gen(function*() {
          const b = yield* lb.createBalancer({ ...base, name: "t" })
          yield* lb.attachMember(b, { ip: "192.0.2.1", port: 80 })
          yield* lb.listMembers(b)
        })
      )
      expect(spans.map((s) => s.name)).toEqual([
        "LoadBalancer.createBalancer",
        "LoadBalancer.attachMember",
        "LoadBalancer.listMembers"
      ])
      expect(spans[1]!.attributes.get("cloudfx.member")).toBe("192.0.2.1:80")
      expect(spans[1]!.attributes.get("cloudfx.provider")).toBe("memory")
    }))
})
