/**
 * An in-memory load balancer service: balancers go pending → running over a
 * number of observations (getBalancer / listBalancers), names are unique,
 * members are unique by ip:port and have ids.
 *
 * Provider-specific `extra` accepted by `createBalancer`:
 * - `provisioning: "fail"` — the balancer goes pending → error.
 *
 * Resources named in NotFound / Conflict / AlreadyExists: "balancer", "member".
 */
import { Clock, Effect, Ref } from "effect"
import { AlreadyExists, Conflict, NotFound, ProviderError, Unsupported } from "../../schemas/Errors.js"
import { Algorithm as AlgorithmSchema, Balancer, Member } from "../../schemas/Models.js"
import type { Algorithm, BalancerState, Node } from "../../schemas/Models.js"
import { type LoadBalancer, memberSpecForNode } from "../../services/LoadBalancer.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref as CloudRef } from "../../services/Refs.js"
import { traced } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import {
  done,
  invalid,
  type MemoryConfig,
  newId,
  object,
  observe,
  optionalObject,
  PROVIDER,
  refIdOf,
  refuse,
  resolve,
  transact,
  type Transition,
  withEntry,
  withoutEntry
} from "./config.js"
import { makeInjector } from "./faults.js"

interface MemberRecord {
  readonly id: string
  readonly ip: string
  readonly port: number
  readonly weight: number
  readonly nodeId: string | undefined
}

interface BalancerRecord {
  readonly id: string
  readonly name: string
  readonly port: number
  readonly protocol: string
  readonly algorithm: Algorithm
  readonly ip: string
  readonly createdAt: Date
  readonly extra: Readonly<Record<string, unknown>>
  readonly state: BalancerState
  readonly transition: Transition<BalancerState> | undefined
  readonly members: ReadonlyArray<MemberRecord>
}

interface State {
  readonly balancers: ReadonlyMap<string, BalancerRecord>
}

export const memoryProtocols: ReadonlyArray<string> = ["http", "https", "tcp"]
export const memoryAlgorithms: ReadonlyArray<Algorithm> = [
  "roundRobin",
  "leastConnections",
  "random",
  "sourceIp",
  "weightedRoundRobin",
  "weightedLeastConnections"
]

// TEST-NET-2 (RFC 5737).
const addressPool: ReadonlyArray<string> = Array.from({ length: 254 }, (_, i) => `198.51.100.${i + 1}`)

/** Like ELB and HAProxy backends: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit. */
const balancerName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** HAProxy's range; 0 takes the member out of rotation. */
const MAX_WEIGHT = 256

const knownAlgorithms = new Set<string>(AlgorithmSchema.literals)

export const makeLoadBalancer = (config: MemoryConfig = {}): Effect.Effect<LoadBalancer.Service> =>
  Effect.gen(function*() {
    const settings = resolve(config)
    const inject = makeInjector(PROVIDER, config)
    const ref = yield* Ref.make<State>({ balancers: new Map() })
    const atomically = transact(ref)
    const provider = providerInfo(PROVIDER, ["lb.update", "lb.weights"], settings.region)
    const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `LoadBalancer.${name}` })
    const notFound = (w: validate.Where, resource: string, id: string) => new NotFound({ ...w, resource, id })

    // -------------------------------------------------------------- input checks

    const checkName = (w: validate.Where, value: string) =>
      Effect.flatMap(validate.name(w, "name", value), (n) =>
        balancerName.test(n)
          ? Effect.succeed(n)
          : Effect.fail(invalid(w, "name", "letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit")))

    const checkProtocol = (w: validate.Where, value: string) => {
      const p = typeof value === "string" ? value.toLowerCase() : value
      return typeof p === "string" && memoryProtocols.includes(p)
        ? Effect.succeed(p)
        : Effect.fail(invalid(w, "protocol", `"${String(value)}" is not one of ${memoryProtocols.join(", ")}`))
    }

    const checkAlgorithm = (w: validate.Where, value: Algorithm) => {
      if (typeof value !== "string" || !knownAlgorithms.has(value)) {
        return Effect.fail(invalid(w, "algorithm", `"${String(value)}" is not an algorithm`))
      }
      return memoryAlgorithms.includes(value)
        ? Effect.succeed(value)
        : Effect.fail(new Unsupported({ ...w, capability: `algorithm ${value}` }))
    }

    const checkWeight = (w: validate.Where, field: string, value: number | undefined) =>
      value === undefined || (Number.isSafeInteger(value) && value >= 0 && value <= MAX_WEIGHT)
        ? Effect.succeed(value)
        : Effect.fail(invalid(w, field, `must be a whole number from 0 to ${MAX_WEIGHT}`))

    const checkMember = (w: validate.Where, field: string, member: LoadBalancer.MemberSpec) =>
      Effect.gen(function*() {
        yield* object(w, field, member)
        const ip = yield* validate.ip(w, `${field}.ip`, member.ip)
        const port = yield* validate.port(w, `${field}.port`, member.port)
        const weight = yield* checkWeight(w, `${field}.weight`, member.weight)
        return { ip, port, weight }
      })

    // -------------------------------------------------------------- views

    const shown = (b: BalancerRecord): BalancerState => b.transition?.now ?? b.state

    const balancerView = (b: BalancerRecord, state: BalancerState) =>
      new Balancer({
        id: b.id,
        name: b.name,
        state,
        ip: b.ip,
        port: b.port,
        protocol: b.protocol,
        algorithm: b.algorithm,
        extra: { ...b.extra, createdAt: b.createdAt, members: b.members.length }
      })

    const memberView = (b: BalancerRecord, m: MemberRecord) =>
      new Member({
        id: m.id,
        ip: m.ip,
        port: m.port,
        balancerId: b.id,
        weight: m.weight,
        state: m.weight === 0 ? "draining" : "up",
        ...(m.nodeId === undefined ? {} : { nodeId: m.nodeId }),
        extra: {}
      })

    const observeBalancer = (b: BalancerRecord): readonly [Balancer, BalancerRecord] => {
      if (b.transition === undefined) return [balancerView(b, b.state), b]
      const [seen, next] = observe(b.transition)
      return next === undefined
        ? [balancerView(b, seen), { ...b, state: seen, transition: undefined }]
        : [balancerView(b, seen), { ...b, transition: next }]
    }

    const nameTaken = (s: State, name: string, except?: string) => {
      for (const b of s.balancers.values()) if (b.name === name && b.id !== except) return true
      return false
    }

    // -------------------------------------------------------------- balancers

    const listProtocols = () =>
      inject("LoadBalancer.listProtocols", Effect.succeed(memoryProtocols)).pipe(
        traced(PROVIDER, "LoadBalancer.listProtocols")
      )

    const listAlgorithms = () =>
      inject("LoadBalancer.listAlgorithms", Effect.succeed(memoryAlgorithms)).pipe(
        traced(PROVIDER, "LoadBalancer.listAlgorithms")
      )

    const listBalancers = () => {
      const w = where("listBalancers")
      return inject(
        w.operation,
        atomically((s) => {
          const seen: Array<Balancer> = []
          const balancers = new Map<string, BalancerRecord>()
          for (const b of s.balancers.values()) {
            const [view, next] = observeBalancer(b)
            seen.push(view)
            balancers.set(b.id, next)
          }
          return done(seen as ReadonlyArray<Balancer>, { balancers })
        })
      ).pipe(traced(PROVIDER, w.operation))
    }

    const getBalancer = (balancer: CloudRef) => {
      const w = where("getBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const b = s.balancers.get(id)
            if (b === undefined) return refuse(notFound(w, "balancer", id))
            const [view, next] = observeBalancer(b)
            return done(view, { balancers: withEntry(s.balancers, id, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const createBalancer = (spec: LoadBalancer.CreateBalancerSpec) => {
      const w = where("createBalancer")
      return Effect.gen(function*() {
        yield* object(w, "spec", spec)
        const name = yield* checkName(w, spec.name)
        const port = yield* validate.port(w, "port", spec.port)
        const protocol = yield* checkProtocol(w, spec.protocol)
        const extra = (yield* optionalObject(w, "extra", spec.extra)) ?? {}
        if (extra["provisioning"] !== undefined && extra["provisioning"] !== "succeed" && extra["provisioning"] !== "fail") {
          return yield* Effect.fail(invalid(w, "extra.provisioning", `must be "succeed" or "fail"`))
        }
        if (spec.members !== undefined && !Array.isArray(spec.members)) {
          return yield* Effect.fail(invalid(w, "members", "must be an array"))
        }
        const members: Array<MemberRecord> = []
        for (const [i, m] of (spec.members ?? []).entries()) {
          const valid = yield* checkMember(w, `members[${i}]`, m)
          const twin = members.findIndex((x) => x.ip === valid.ip && x.port === valid.port)
          if (twin >= 0) return yield* Effect.fail(invalid(w, `members[${i}]`, `same ip:port as members[${twin}]`))
          members.push({ id: newId("m-", 12), ip: valid.ip, port: valid.port, weight: valid.weight ?? 1, nodeId: undefined })
        }
        const algorithm = yield* checkAlgorithm(w, spec.algorithm)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer.name", name)
        const createdAt = new Date(yield* Clock.currentTimeMillis)
        const id = newId("lb-0", 16)
        const target: BalancerState = extra["provisioning"] === "fail" ? "error" : "running"
        return yield* inject(
          w.operation,
          atomically((s) => {
            if (nameTaken(s, name)) return refuse(new AlreadyExists({ ...w, resource: "balancer", id: name }))
            const used = new Set(Array.from(s.balancers.values(), (b) => b.ip))
            const ip = addressPool.find((a) => !used.has(a))
            if (ip === undefined) {
              return refuse(
                new ProviderError({ ...w, status: 400, code: "TooManyLoadBalancers", detail: "balancer quota exceeded" })
              )
            }
            const immediate = settings.pollsUntilRunning === 0
            const record: BalancerRecord = {
              id,
              name,
              port,
              protocol,
              algorithm,
              ip,
              createdAt,
              extra: { ...extra },
              state: immediate ? target : "pending",
              transition: immediate ? undefined : { now: "pending", to: target, remaining: settings.pollsUntilRunning },
              members
            }
            return done(balancerView(record, shown(record)), { balancers: withEntry(s.balancers, id, record) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const updateBalancer = (balancer: CloudRef, spec: LoadBalancer.UpdateBalancerSpec) => {
      const w = where("updateBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* object(w, "spec", spec)
        const name = spec.name === undefined ? undefined : yield* checkName(w, spec.name)
        const port = spec.port === undefined ? undefined : yield* validate.port(w, "port", spec.port)
        const protocol = spec.protocol === undefined ? undefined : yield* checkProtocol(w, spec.protocol)
        const algorithm = spec.algorithm === undefined ? undefined : yield* checkAlgorithm(w, spec.algorithm)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const b = s.balancers.get(id)
            if (b === undefined) return refuse(notFound(w, "balancer", id))
            if (name !== undefined && nameTaken(s, name, id)) {
              return refuse(
                new Conflict({ ...w, resource: "balancer", id, reason: `another balancer is already named "${name}"` })
              )
            }
            const next: BalancerRecord = {
              ...b,
              ...(name === undefined ? {} : { name }),
              ...(port === undefined ? {} : { port }),
              ...(protocol === undefined ? {} : { protocol }),
              ...(algorithm === undefined ? {} : { algorithm })
            }
            return done(balancerView(next, shown(next)), { balancers: withEntry(s.balancers, id, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const destroyBalancer = (balancer: CloudRef) => {
      const w = where("destroyBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        return yield* inject(
          w.operation,
          atomically((s) =>
            s.balancers.has(id)
              ? done(undefined, { balancers: withoutEntry(s.balancers, id) })
              : refuse(notFound(w, "balancer", id))
          )
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- members

    const listMembers = (balancer: CloudRef) => {
      const w = where("listMembers")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        return yield* inject(
          w.operation,
          Effect.flatMap(Ref.get(ref), (s) => {
            const b = s.balancers.get(id)
            return b === undefined
              ? Effect.fail(notFound(w, "balancer", id))
              : Effect.succeed(b.members.map((m) => memberView(b, m)))
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const addMember = (
      w: validate.Where,
      id: string,
      member: { readonly ip: string; readonly port: number; readonly weight: number | undefined },
      nodeId: string | undefined
    ) => {
      const memberId = newId("m-", 12)
      return inject(
        w.operation,
        atomically((s) => {
          const b = s.balancers.get(id)
          if (b === undefined) return refuse(notFound(w, "balancer", id))
          if (b.members.some((m) => m.ip === member.ip && m.port === member.port)) {
            return refuse(new AlreadyExists({ ...w, resource: "member", id: `${member.ip}:${member.port}` }))
          }
          const record: MemberRecord = { id: memberId, ip: member.ip, port: member.port, weight: member.weight ?? 1, nodeId }
          const next: BalancerRecord = { ...b, members: [...b.members, record] }
          return done(memberView(next, record), { balancers: withEntry(s.balancers, id, next) })
        })
      )
    }

    const attachMember = (balancer: CloudRef, member: LoadBalancer.MemberSpec) => {
      const w = where("attachMember")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        const valid = yield* checkMember(w, "member", member)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.member": `${valid.ip}:${valid.port}` })
        return yield* addMember(w, id, valid, undefined)
      }).pipe(traced(PROVIDER, w.operation))
    }

    const attachComputeNode = (
      balancer: CloudRef,
      node: Node,
      port: number,
      options?: LoadBalancer.AttachNodeOptions
    ) => {
      const w = where("attachComputeNode")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* object(w, "node", node)
        const nodeId = yield* refIdOf(w, "node", node)
        if (!Array.isArray(node.publicIps) || !Array.isArray(node.privateIps)) {
          return yield* Effect.fail(invalid(w, "node", "must be a Node with publicIps and privateIps"))
        }
        const o = (yield* optionalObject(w, "options", options)) ?? {}
        const valid = yield* validate.port(w, "port", port)
        yield* checkWeight(w, "weight", o.weight)
        const spec = yield* memberSpecForNode(PROVIDER, node, valid, o)
        const ip = yield* validate.ip(w, "node", spec.ip)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.node": nodeId })
        return yield* addMember(w, id, { ip, port: spec.port, weight: spec.weight }, spec.nodeId)
      }).pipe(traced(PROVIDER, w.operation))
    }

    const detachMember = (balancer: CloudRef, member: CloudRef) => {
      const w = where("detachMember")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        const memberId = yield* refIdOf(w, "member", member)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.member": memberId })
        return yield* inject(
          w.operation,
          atomically((s) => {
            const b = s.balancers.get(id)
            if (b === undefined) return refuse(notFound(w, "balancer", id))
            if (!b.members.some((m) => m.id === memberId)) return refuse(notFound(w, "member", memberId))
            const next: BalancerRecord = { ...b, members: b.members.filter((m) => m.id !== memberId) }
            return done(undefined, { balancers: withEntry(s.balancers, id, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const service: LoadBalancer.Service = {
      provider,
      listProtocols,
      listAlgorithms,
      listBalancers,
      getBalancer,
      createBalancer,
      updateBalancer,
      destroyBalancer,
      listMembers,
      attachMember,
      attachComputeNode,
      detachMember
    }
    return service
  })
