/**
 * The LoadBalancer contract: written once against the portable interface,
 * run by every load balancer provider (memory, HAProxy, ELB, …).
 *
 * Safe on a shared real server: names carry a random suffix, the front port
 * is random in a high range (or given), members use documentation addresses
 * (or given ones), and every balancer a test creates is destroyed when it ends.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { Layer } from "effect"
import { Algorithm as AlgorithmSchema, Node } from "../../src/schemas/Models.js"
import type { Algorithm } from "../../src/schemas/Models.js"
import { LoadBalancer, waitUntilBalancerReadyOn } from "../../src/services/LoadBalancer.js"
import type { Capability } from "../../src/services/ProviderInfo.js"
import {
  type ContractTiming,
  defaultMissingId,
  eventually,
  failsWith,
  failsWithOneOf,
  neverFailsWith,
  timing,
  uniqueSuffix
} from "./harness.js"

export interface LoadBalancerContractOptions extends ContractTiming {
  /** Front ports for test balancers. Default: random in 20000–29999 for each balancer. */
  readonly port?: () => number
  /** Three member addresses (public-looking). Default 192.0.2.10–12 (TEST-NET-1). */
  readonly memberIps?: readonly [string, string, string]
  /** A private address for attachComputeNode with usePrivateIp. Default 10.99.0.7. */
  readonly privateIp?: string
  /** Whether balancer names are unique (AlreadyExists on a duplicate). Default true. */
  readonly uniqueNames?: boolean
  /** A well-formed id nobody has, for NotFound checks. */
  readonly missingId?: (resource: "balancer" | "member") => string
  /**
   * The one port every member of a balancer takes, for providers whose
   * members are machines sent traffic on the balancer's single target port
   * (DigitalOcean droplets, Classic ELB instances): members on other ports
   * are not attempted. Default: members on any port.
   */
  readonly memberPort?: number
}

const lbCapabilities: ReadonlyArray<Capability> = ["lb.update", "lb.weights"]

export const loadBalancerContract = <E>(
  name: string,
  lbLayer: Layer.Layer<LoadBalancer, E>,
  options: LoadBalancerContractOptions = {}
): void => {
  const { schedule, testTimeout, timeout } = timing(options)
  const waitOptions = { schedule, timeout } as const
  const port = options.port ?? (() => 20000 + Math.floor(Math.random() * 10000))
  const [ip1, ip2, ip3] = options.memberIps ?? ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
  const privateIp = options.privateIp ?? "10.99.0.7"
  const uniqueNames = options.uniqueNames ?? true
  const missing = options.missingId ?? defaultMissingId
  const onePort = options.memberPort
  const mp = onePort ?? 8080

  layer(lbLayer, { excludeTestServices: true, timeout: "2 minutes" })(`LoadBalancer contract: ${name}`, (it) => {
    const has = (lb: LoadBalancer.Service, c: Capability) => lb.provider.capabilities.has(c)

    const basics = (lb: LoadBalancer.Service) =>
      Effect.gen(function*() {
        const protocols = yield* lb.listProtocols()
        const algorithms = yield* lb.listAlgorithms()
        return { protocol: protocols[0]!, algorithm: algorithms[0]!, algorithms }
      })

    const scopedBalancer = (lb: LoadBalancer.Service, spec: LoadBalancer.CreateBalancerSpec) =>
      Effect.acquireRelease(lb.createBalancer(spec), (b) => Effect.ignore(lb.destroyBalancer(b.id)))

    const named = (lb: LoadBalancer.Service, balancerName: string) =>
      Effect.map(lb.listBalancers(), (bs) => bs.filter((b) => b.name === balancerName))

    const fakeNode = (publicIps: ReadonlyArray<string>, privateIps: ReadonlyArray<string>) =>
      new Node({ id: `cloudfx-node-${uniqueSuffix()}`, name: "cloudfx-fake", state: "running", publicIps, privateIps })

    it.effect("provider info names the provider and only load balancer capabilities", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        expect(lb.provider.id.length).toBeGreaterThan(0)
        for (const c of lb.provider.capabilities) expect(lbCapabilities).toContain(c)
      }))

    it.effect("protocols and algorithms are listed", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const protocols = yield* lb.listProtocols()
        expect(protocols.length).toBeGreaterThan(0)
        for (const p of protocols) expect(p).toMatch(/^[a-z0-9]+$/)
        expect(new Set(protocols).size).toBe(protocols.length)
        const algorithms = yield* lb.listAlgorithms()
        expect(algorithms.length).toBeGreaterThan(0)
        for (const a of algorithms) expect(AlgorithmSchema.literals).toContain(a)
      }), testTimeout)

    it.effect("capabilities agree with Unsupported, both ways", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const probe = lb.updateBalancer(missing("balancer"), { port: port() })
        if (has(lb, "lb.update")) {
          yield* neverFailsWith(probe, "Unsupported", "updateBalancer with lb.update listed")
          yield* failsWith(probe, "NotFound", "updating a missing balancer")
        } else {
          yield* failsWith(probe, "Unsupported", "updateBalancer without lb.update")
        }
      }), testTimeout)

    it.scoped("a balancer lives: create, wait until ready, members, update, destroy", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const { algorithm, algorithms, protocol } = yield* basics(lb)
        const balancerName = `cloudfx-lb-${uniqueSuffix()}`
        const front = port()
        expect(yield* named(lb, balancerName)).toEqual([])

        const created = yield* scopedBalancer(lb, {
          name: balancerName,
          port: front,
          protocol,
          algorithm,
          members: [{ ip: ip1, port: mp }]
        })
        expect(created.name).toBe(balancerName)
        expect(created.port).toBe(front)
        expect(created.protocol).toBe(protocol)
        expect(["pending", "running"]).toContain(created.state)

        const ready = yield* waitUntilBalancerReadyOn(lb, created, waitOptions)
        expect(ready.state).toBe("running")
        const fetched = yield* lb.getBalancer(created.id)
        expect({ name: fetched.name, port: fetched.port, protocol: fetched.protocol }).toEqual({
          name: balancerName,
          port: front,
          protocol
        })
        if (fetched.algorithm !== undefined) expect(fetched.algorithm).toBe(algorithm)
        expect((yield* lb.listBalancers()).filter((b) => b.id === created.id).length, "listed once").toBe(1)

        const initial = yield* lb.listMembers(created)
        expect(initial.map((m) => [m.ip, m.port])).toEqual([[ip1, mp]])
        expect(initial[0]!.balancerId).toBe(created.id)
        expect(initial[0]!.id.length).toBeGreaterThan(0)

        const second = yield* lb.attachMember(created, { ip: ip2, port: mp })
        expect([second.ip, second.port, second.balancerId]).toEqual([ip2, mp, created.id])
        const dup = yield* failsWith(lb.attachMember(created, { ip: ip2, port: mp }), "AlreadyExists", "a duplicate member")
        expect(dup.resource).toBe("member")
        expect((yield* lb.listMembers(created)).length, "the duplicate was not added").toBe(2)
        if (onePort === undefined) {
          const otherPort = yield* lb.attachMember(created, { ip: ip2, port: 8081 })
          expect(otherPort.id).not.toBe(second.id)
        }

        const viaNode = fakeNode([ip3], [privateIp])
        const fromNode = yield* lb.attachComputeNode(created, viaNode, mp)
        expect([fromNode.ip, fromNode.port, fromNode.nodeId]).toEqual([ip3, mp, viaNode.id])
        // With one member port, the private address is another machine's (one machine is one member).
        const privateNode = onePort === undefined ? viaNode : fakeNode([], [privateIp])
        const fromPrivate = yield* lb.attachComputeNode(created, privateNode, onePort ?? 9090, { usePrivateIp: true })
        // A machine-backed member (memberPort) reports its machine's address, which may be the public one.
        if (onePort === undefined) expect([fromPrivate.ip, fromPrivate.port]).toEqual([privateIp, 9090])
        else expect(fromPrivate.port).toBe(onePort)
        yield* failsWith(
          lb.attachComputeNode(created, fakeNode([], []), 8080),
          "InvalidInput",
          "attaching a node without addresses"
        )
        yield* failsWith(lb.attachComputeNode(created, viaNode, mp), "AlreadyExists", "attaching the same node twice")

        const members = yield* lb.listMembers(created)
        expect(members.map((m) => `${m.ip}:${m.port}`).sort()).toEqual(
          (onePort === undefined
            ? [`${ip1}:8080`, `${ip2}:8080`, `${ip2}:8081`, `${ip3}:8080`, `${privateIp}:9090`]
            : [`${ip1}:${mp}`, `${ip2}:${mp}`, `${ip3}:${mp}`, `${fromPrivate.ip}:${mp}`]).sort()
        )
        expect(new Set(members.map((m) => m.id)).size, "member ids are unique").toBe(members.length)

        yield* lb.detachMember(created, second)
        expect((yield* lb.listMembers(created)).some((m) => m.id === second.id)).toBe(false)
        const gone = yield* failsWith(lb.detachMember(created, second.id), "NotFound", "detaching a detached member")
        expect(gone.resource).toBe("member")

        if (has(lb, "lb.weights")) {
          const weighted = yield* lb.attachMember(created, { ip: ip2, port: 8082, weight: 5 })
          expect(weighted.weight).toBe(5)
          const listed = (yield* lb.listMembers(created)).find((m) => m.id === weighted.id)
          expect(listed?.weight).toBe(5)
        }

        if (has(lb, "lb.update")) {
          const nextPort = port()
          const other = algorithms.find((a) => a !== algorithm) ?? algorithm
          const updated = yield* lb.updateBalancer(created, { port: nextPort, algorithm: other })
          expect(updated.port).toBe(nextPort)
          const after = yield* waitUntilBalancerReadyOn(lb, created, waitOptions)
          expect(after.port).toBe(nextPort)
          if (after.algorithm !== undefined) expect(after.algorithm).toBe(other)
          expect(after.name).toBe(balancerName)
        } else {
          yield* failsWith(lb.updateBalancer(created, { port: port() }), "Unsupported")
        }

        yield* lb.destroyBalancer(created)
        yield* eventually(
          "the balancer to go",
          Effect.map(Effect.either(lb.getBalancer(created.id)), (r) => (Either.isLeft(r) ? r.left._tag : r.right.state)),
          (s) => s === "NotFound" || s === "deleted",
          waitOptions
        )
        yield* failsWith(lb.destroyBalancer(created), "NotFound", "destroying a destroyed balancer")
        yield* failsWith(lb.listMembers(created), "NotFound", "members of a destroyed balancer")
        expect(yield* named(lb, balancerName)).toEqual([])
      }), testTimeout * 3)

    it.effect("missing balancers and members are NotFound, naming the resource", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const id = missing("balancer")
        const checks: Array<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["getBalancer", lb.getBalancer(id)],
          ["destroyBalancer", lb.destroyBalancer(id)],
          ["listMembers", lb.listMembers(id)],
          ["attachMember", lb.attachMember(id, { ip: ip1, port: 80 })],
          ["attachComputeNode", lb.attachComputeNode(id, fakeNode([ip1], []), 80)],
          ["detachMember", lb.detachMember(id, missing("member"))],
          ["waitUntilBalancerReady", waitUntilBalancerReadyOn(lb, id, waitOptions)]
        ]
        if (has(lb, "lb.update")) checks.push(["updateBalancer", lb.updateBalancer(id, { port: 80 })])
        for (const [operation, check] of checks) {
          const e = yield* failsWith(check, "NotFound", operation)
          expect((e as unknown as { resource: string }).resource, operation).toBe("balancer")
        }
      }), testTimeout)

    it.scoped("duplicate balancer names are AlreadyExists", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        if (!uniqueNames) return
        const { algorithm, protocol } = yield* basics(lb)
        const balancerName = `cloudfx-dup-${uniqueSuffix()}`
        yield* scopedBalancer(lb, { name: balancerName, port: port(), protocol, algorithm })
        yield* failsWith(
          scopedBalancer(lb, { name: balancerName, port: port(), protocol, algorithm }),
          "AlreadyExists",
          "a second balancer with the same name"
        )
        expect((yield* named(lb, balancerName)).length).toBe(1)
      }), testTimeout)

    it.scoped("bad input is InvalidInput (or Unsupported), before anything changes", () =>
      Effect.gen(function*() {
        const lb = yield* LoadBalancer
        const { algorithm, algorithms, protocol } = yield* basics(lb)
        const balancerName = `cloudfx-bad-${uniqueSuffix()}`
        const good: LoadBalancer.CreateBalancerSpec = { name: balancerName, port: port(), protocol, algorithm }
        const bad: ReadonlyArray<readonly [string, LoadBalancer.CreateBalancerSpec]> = [
          ["empty name", { ...good, name: "" }],
          ["port 0", { ...good, port: 0 }],
          ["port 70000", { ...good, port: 70000 }],
          ["port NaN", { ...good, port: Number.NaN }],
          ["port 1.5", { ...good, port: 1.5 }],
          ["port -80", { ...good, port: -80 }],
          ["empty protocol", { ...good, protocol: "" }],
          ["unknown protocol", { ...good, protocol: "gopher" }],
          ["unknown algorithm", { ...good, algorithm: "bogus" as Algorithm }],
          ["member with a bad ip", { ...good, members: [{ ip: "not-an-ip", port: 80 }] }],
          ["member with ip 256.0.0.1", { ...good, members: [{ ip: "256.0.0.1", port: 80 }] }],
          ["member with port NaN", { ...good, members: [{ ip: ip1, port: Number.NaN }] }],
          ["member with port 0", { ...good, members: [{ ip: ip1, port: 0 }] }]
        ]
        for (const [what, spec] of bad) {
          yield* failsWith(scopedBalancer(lb, spec), "InvalidInput", what)
        }
        for (const a of AlgorithmSchema.literals.filter((x) => !algorithms.includes(x))) {
          yield* failsWithOneOf(
            scopedBalancer(lb, { ...good, algorithm: a }),
            ["Unsupported", "InvalidInput"],
            `algorithm ${a}, which is not listed`
          )
        }
        yield* failsWith(lb.getBalancer(""), "InvalidInput", "getBalancer('')")
        yield* failsWith(lb.destroyBalancer(""), "InvalidInput", "destroyBalancer('')")
        yield* failsWith(lb.listMembers(""), "InvalidInput", "listMembers('')")
        expect(yield* named(lb, balancerName)).toEqual([])

        const b = yield* scopedBalancer(lb, good)
        const memberBad: ReadonlyArray<readonly [string, LoadBalancer.MemberSpec]> = [
          ["bad ip", { ip: "not-an-ip", port: 80 }],
          ["empty ip", { ip: "", port: 80 }],
          ["port NaN", { ip: ip1, port: Number.NaN }],
          ["port 65536", { ip: ip1, port: 65536 }],
          ["weight -1", { ip: ip1, port: 80, weight: -1 }]
        ]
        for (const [what, member] of memberBad) yield* failsWith(lb.attachMember(b, member), "InvalidInput", what)
        yield* failsWith(lb.attachComputeNode(b, fakeNode([ip1], []), Number.NaN), "InvalidInput", "node port NaN")
        yield* failsWith(lb.detachMember(b, ""), "InvalidInput", "detachMember(_, '')")
        if (has(lb, "lb.update")) {
          yield* failsWith(lb.updateBalancer(b, { port: 0 }), "InvalidInput", "updating to port 0")
          yield* failsWith(lb.updateBalancer(b, { name: "" }), "InvalidInput", "updating to an empty name")
        }
        expect(yield* lb.listMembers(b)).toEqual([])
        const after = yield* lb.getBalancer(b)
        expect([after.name, after.port]).toEqual([good.name, good.port])
      }), testTimeout)
  })
}
