/**
 * The LoadBalancer contract's lifecycle, on the fake API, as far as
 * DigitalOcean can follow it: every member shares the balancer's target port
 * (the contract's "same droplet on a second port" step cannot be expressed on
 * DigitalOcean, so the suite itself is not run; see DigitalOceanLoadBalancer.ts).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Schedule } from "effect"
import * as DigitalOceanLoadBalancer from "../../../../src/layers/digitalocean/loadbalancer/DigitalOceanLoadBalancer.js"
import { Node } from "../../../../src/schemas/Models.js"
import { LoadBalancer, waitUntilBalancerReadyOn } from "../../../../src/services/LoadBalancer.js"
import { failsWith, failsWithOneOf } from "../../../contract/harness.js"
import * as Fake from "./fake.js"

const token = "dop_v1_lb-lifecycle-token"
const droplets = [[3164444, "192.0.2.10", "10.99.0.10"], [3164445, "192.0.2.11", "10.99.0.11"], [3164446, "192.0.2.12", "10.99.0.7"]] as const

const live = Layer.unwrapScoped(
  Effect.map(Fake.start({ token, droplets }), (origin) =>
    DigitalOceanLoadBalancer.layer({ token: Redacted.make(token), endpoint: `${origin}/v2`, region: "nyc3" }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const wait = { schedule: Schedule.spaced("2 millis"), timeout: "10 seconds" } as const
const node = (id: string, publicIps: ReadonlyArray<string>, privateIps: ReadonlyArray<string>) =>
  new Node({ id, name: "n", state: "running", publicIps, privateIps })

layer(live, { excludeTestServices: true })("DigitalOcean load balancer on the fake API", (it) => {
  it.scoped("create with a member, wait, attach by address and by node, refuse twins and other ports, update, destroy", () =>
    Effect.gen(function*() {
      const lb = yield* LoadBalancer
      const created = yield* Effect.acquireRelease(
        lb.createBalancer({ name: "web-lb", port: 80, protocol: "http", algorithm: "roundRobin", members: [{ ip: "192.0.2.10", port: 8080 }] }),
        (b) => Effect.ignore(lb.destroyBalancer(b.id))
      )
      expect([created.state, created.port, created.protocol, created.extra["targetPort"]]).toEqual(["pending", 80, "http", 8080])
      const ready = yield* waitUntilBalancerReadyOn(lb, created, wait)
      expect(ready.state).toBe("running")
      expect((yield* lb.listMembers(created)).map((m) => [m.id, m.ip, m.port])).toEqual([["3164444", "192.0.2.10", 8080]])

      const second = yield* lb.attachMember(created, { ip: "10.99.0.11", port: 8080 })
      expect([second.id, second.ip, second.port, second.balancerId]).toEqual(["3164445", "192.0.2.11", 8080, created.id])
      expect((yield* failsWith(lb.attachMember(created, { ip: "192.0.2.11", port: 8080 }), "AlreadyExists")).resource).toBe("member")
      const port = yield* failsWith(lb.attachMember(created, { ip: "192.0.2.12", port: 8081 }), "InvalidInput")
      expect(port.reason).toContain("one target port (8080)")
      yield* failsWith(lb.attachMember(created, { ip: "198.51.100.1", port: 8080 }), "InvalidInput")
      yield* failsWith(lb.attachMember(created, { ip: "192.0.2.12", port: 8080, weight: 2 }), "InvalidInput")

      const foreign = yield* lb.attachComputeNode(created, node("i-0abc", [], ["10.99.0.7"]), 8080, { usePrivateIp: true })
      expect([foreign.id, foreign.nodeId, foreign.ip]).toEqual(["3164446", "i-0abc", "192.0.2.12"])
      yield* failsWith(lb.attachComputeNode(created, node("3164446", ["192.0.2.12"], []), 8080), "AlreadyExists")
      yield* failsWith(lb.attachComputeNode(created, node("x", [], []), 8080), "InvalidInput")
      expect((yield* lb.listMembers(created)).map((m) => m.id).sort()).toEqual(["3164444", "3164445", "3164446"])

      yield* lb.detachMember(created, second)
      expect((yield* failsWith(lb.detachMember(created, second.id), "NotFound")).resource).toBe("member")
      const own = yield* lb.attachComputeNode(created, node("3164445", ["192.0.2.11"], []), 8080)
      expect([own.id, own.nodeId]).toEqual(["3164445", "3164445"])

      yield* failsWithOneOf(lb.updateBalancer(created, { algorithm: "leastConnections" }), ["Unsupported"])
      const updated = yield* lb.updateBalancer(created, { port: 8000, name: "web-lb-2" })
      expect([updated.port, updated.name, updated.extra["targetPort"]]).toEqual([8000, "web-lb-2", 8080])
      expect((yield* lb.listMembers(created)).length, "members survive the PUT").toBe(3)

      yield* lb.destroyBalancer(created)
      expect((yield* failsWith(lb.getBalancer(created.id), "NotFound")).resource).toBe("balancer")
      yield* failsWith(lb.listMembers(created), "NotFound")
    }))

  it.scoped("a balancer by droplet tag takes no single members; a region is required", () =>
    Effect.gen(function*() {
      const lb = yield* LoadBalancer
      const tagged = yield* Effect.acquireRelease(
        lb.createBalancer({ name: "tagged", port: 443, protocol: "tcp", algorithm: "roundRobin", extra: { tag: "web" } }),
        (b) => Effect.ignore(lb.destroyBalancer(b.id))
      )
      expect(tagged.extra["tag"]).toBe("web")
      yield* failsWith(lb.attachMember(tagged, { ip: "192.0.2.10", port: 443 }), "InvalidInput")
      yield* failsWith(
        lb.createBalancer({ name: "both", port: 80, protocol: "http", algorithm: "roundRobin", members: [{ ip: "192.0.2.10", port: 80 }], extra: { tag: "web" } }),
        "InvalidInput"
      )
      yield* failsWith(
        lb.createBalancer({ name: "ports", port: 80, protocol: "http", algorithm: "roundRobin", members: [{ ip: "192.0.2.10", port: 80 }, { ip: "192.0.2.11", port: 81 }] }),
        "InvalidInput"
      )
      expect((yield* lb.listBalancers()).map((b) => b.name)).toEqual(["tagged"])
    }))
})
