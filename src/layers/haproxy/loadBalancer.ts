/**
 * The LoadBalancer service over one HAProxy: balancers live in the managed
 * section of its configuration file (changed with a graceful reload), members
 * are servers changed at run time through the runtime API and persisted in
 * the same section so a reload keeps them.
 */
import { randomBytes } from "node:crypto"
import { Duration, Effect, Option, Schedule } from "effect"
import {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  ProviderError,
  Unsupported
} from "../../schemas/Errors.js"
import type { MalformedResponse, PermissionDenied, Transport } from "../../schemas/Errors.js"
import { Algorithm as AlgorithmSchema, Balancer, Member } from "../../schemas/Models.js"
import type { Algorithm, BalancerState, MemberState, Node } from "../../schemas/Models.js"
import { type LoadBalancer, memberSpecForNode } from "../../services/LoadBalancer.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref } from "../../services/Refs.js"
import { traced } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import { type HaproxyConfig, PROVIDER, resolve } from "./config.js"
import * as ConfigFile from "./configFile.js"
import { prepareReload } from "./reload.js"
import * as Runtime from "./runtime.js"
import {
  type Balancer as ManagedEntry,
  type ConfigText,
  balanceDirective,
  haproxyName,
  ManagedBalancer,
  ManagedMember,
  type Protocol,
  renderConfig
} from "./section.js"

/** The HAProxy-only operations, on members of managed balancers. */
export interface HaproxyService {
  /** `set server <b>/<m> weight <w>` (0–256), persisted for the next reload. */
  readonly setMemberWeight: (balancer: Ref, member: Ref, weight: number) => Effect.Effect<Member, MemberError>
  /** `disable server` (maintenance: no traffic, sessions kept), persisted as `disabled`. */
  readonly disableMember: (balancer: Ref, member: Ref) => Effect.Effect<Member, MemberError>
  /** `enable server`, persisted. */
  readonly enableMember: (balancer: Ref, member: Ref) => Effect.Effect<Member, MemberError>
  /** Reload HAProxy now, re-applying every managed member (after editing the rest of the file, say). */
  readonly reload: () => Effect.Effect<void, Failure>
}

type Failure = PermissionDenied | ProviderError | MalformedResponse | Transport
type MemberError = NotFound | InvalidInput | Failure

export const haproxyProtocols: ReadonlyArray<Protocol> = ["http", "tcp"]
export const haproxyAlgorithms: ReadonlyArray<Algorithm> = AlgorithmSchema.literals.filter((a) => balanceDirective[a] !== undefined)

type Change<A> = readonly [ReadonlyArray<ManagedEntry>, A]

const MAX_WEIGHT = 256
const balancerName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const newId = (prefix: string, bytes: number) => prefix + randomBytes(bytes).toString("hex")

const memberState = (row: Runtime.ServerState): MemberState =>
  (row.admin & Runtime.MAINT) !== 0
    ? "down"
    : (row.admin & Runtime.DRAIN) !== 0 || row.weight === 0
    ? "draining"
    : row.operational === 2
    ? "up"
    : row.operational === 0
    ? "down"
    : "unknown"

const frontendState = (status: string | undefined): BalancerState =>
  status === undefined ? "pending" : status === "OPEN" || status === "FULL" ? "running" : "unknown"

const wildcard = new Set(["0.0.0.0", "::", "*"])

export const make = (config: HaproxyConfig) =>
  Effect.gen(function*() {
    const settings = resolve(config)
    const provider = providerInfo(PROVIDER, ["lb.update", "lb.weights"])
    const lock = yield* Effect.makeSemaphore(1)
    const serial = lock.withPermits(1)
    const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `LoadBalancer.${name}` })
    const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
    const unexpected = (w: validate.Where) => (e: { readonly _tag: string; readonly message: string }) =>
      new ProviderError({ ...w, code: e._tag, detail: e.message })

    // -------------------------------------------------------------- input checks

    const refIdOf = (w: validate.Where, field: string, ref: Ref) =>
      ref === null || ref === undefined || (typeof ref !== "string" && typeof ref !== "object")
        ? Effect.fail(invalid(w, field, "must be an id or an object with an id"))
        : validate.id(w, field, ref)

    const object = <A>(w: validate.Where, field: string, value: A) =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Effect.succeed(value)
        : Effect.fail(invalid(w, field, "must be an object"))

    const checkName = (w: validate.Where, value: string) =>
      Effect.flatMap(validate.name(w, "name", value), (n) =>
        balancerName.test(n)
          ? Effect.succeed(n)
          : Effect.fail(invalid(w, "name", "letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit")))

    const checkProtocol = (w: validate.Where, value: string) => {
      const p = typeof value === "string" ? value.toLowerCase() : ""
      if ((haproxyProtocols as ReadonlyArray<string>).includes(p)) return Effect.succeed(p as Protocol)
      if (p === "https") return Effect.fail(new Unsupported({ ...w, capability: "protocol https (TLS termination)" }))
      return Effect.fail(invalid(w, "protocol", `"${String(value)}" is not one of ${haproxyProtocols.join(", ")}`))
    }

    const checkAlgorithm = (w: validate.Where, value: Algorithm) => {
      if (typeof value !== "string" || !(AlgorithmSchema.literals as ReadonlyArray<string>).includes(value)) {
        return Effect.fail(invalid(w, "algorithm", `"${String(value)}" is not an algorithm`))
      }
      return haproxyAlgorithms.includes(value)
        ? Effect.succeed(value)
        : Effect.fail(new Unsupported({ ...w, capability: `algorithm ${value}` }))
    }

    const checkWeight = (w: validate.Where, field: string, value: number | undefined) =>
      value === undefined || (Number.isSafeInteger(value) && value >= 0 && value <= MAX_WEIGHT)
        ? Effect.succeed(value)
        : Effect.fail(invalid(w, field, `must be a whole number from 0 to ${MAX_WEIGHT}`))

    const checkIp = (w: validate.Where, field: string, value: string) =>
      Effect.map(validate.ip(w, field, value), (ip) => ip.toLowerCase())

    const checkMember = (w: validate.Where, field: string, member: LoadBalancer.MemberSpec) =>
      Effect.gen(function*() {
        yield* object(w, field, member)
        const ip = yield* checkIp(w, `${field}.ip`, member.ip)
        const port = yield* validate.port(w, `${field}.port`, member.port)
        const weight = yield* checkWeight(w, `${field}.weight`, member.weight)
        return { ip, port, weight: weight ?? 1 }
      })

    const noExtra = (w: validate.Where, extra: Readonly<Record<string, unknown>> | undefined) =>
      extra === undefined || (typeof extra === "object" && extra !== null && Object.keys(extra).length === 0)
        ? Effect.void
        : Effect.fail(invalid(w, "extra", "HAProxy balancers take no extra options"))

    // -------------------------------------------------------------- runtime API

    const command = (w: validate.Where, cmd: string) => Runtime.send(w, settings.target, cmd, settings.timeout)
    const query = (w: validate.Where, cmd: string) => Runtime.sendIdempotent(w, settings.target, cmd, settings.timeout)

    const loadedBackends = (w: validate.Where) =>
      Effect.flatMap(query(w, "show backend"), (answer) => {
        const lines = answer.split("\n").filter((l) => l.length > 0)
        return lines[0] === "# name"
          ? Effect.succeed(new Set(lines.slice(1)))
          : Effect.fail(new ProviderError({ ...w, code: "RuntimeApi", detail: `"show backend": ${lines[0] ?? "empty answer"}` }))
      })

    const allServers = (w: validate.Where) =>
      Effect.flatMap(query(w, "show servers state"), (a) => Runtime.parseServersState(w, a))

    /** The servers of one backend; `None` when HAProxy has not loaded it. */
    const serversOf = (w: validate.Where, backend: string) =>
      Effect.flatMap(query(w, `show servers state ${backend}`), (answer) =>
        /^Can't find backend/.test(answer.trim())
          ? Effect.succeed(Option.none<ReadonlyArray<Runtime.ServerState>>())
          : Effect.map(Runtime.parseServersState(w, answer), (rows) => Option.some(rows.filter((r) => r.backend === backend))))

    const frontendStatuses = (w: validate.Where) =>
      Effect.flatMap(query(w, "show stat -1 1 -1"), (a) => Runtime.parseStat(w, a)).pipe(
        Effect.map((rows) => new Map(rows.filter((r) => r["svname"] === "FRONTEND").map((r) => [r["pxname"]!, r["status"]!])))
      )

    const serverStat = (w: validate.Where, backend: string, server: string) =>
      Effect.flatMap(query(w, `show stat ${backend} 4 -1`), (a) => Runtime.parseStat(w, a)).pipe(
        Effect.map((rows) => rows.find((r) => r["pxname"] === backend && r["svname"] === server))
      )

    const subject = (backend: string, server?: string): Runtime.Subject => (server === undefined ? { backend } : { backend, server })

    const addServer = (w: validate.Where, backend: string, m: ManagedMember) =>
      Effect.gen(function*() {
        const answer = yield* command(w, `add server ${backend}/${m.id} ${m.ip}:${m.port} weight ${m.weight}`)
        yield* Runtime.expectLine(w, subject(backend, m.id), answer, "New server registered.")
        // Servers added at run time start in maintenance.
        if (!m.disabled) yield* Runtime.expectEmpty(w, subject(backend, m.id), yield* command(w, `enable server ${backend}/${m.id}`))
      })

    /** Drain (no new sessions), wait for the open ones to end, then maintenance and delete. */
    const removeServer = (w: validate.Where, backend: string, server: string) =>
      Effect.gen(function*() {
        const s = subject(backend, server)
        yield* Runtime.expectEmpty(w, s, yield* command(w, `set server ${backend}/${server} state drain`))
        const deadline = Date.now() + Duration.toMillis(settings.drainTimeout)
        while (Date.now() < deadline) {
          const row = yield* serverStat(w, backend, server)
          if (row === undefined || (row["scur"] === "0" && (row["qcur"] ?? "0") === "0")) break
          yield* Effect.sleep("100 millis")
        }
        yield* Runtime.expectEmpty(w, s, yield* command(w, `disable server ${backend}/${server}`))
        yield* Runtime.expectEmpty(w, s, yield* command(w, `shutdown sessions server ${backend}/${server}`))
        // Connections cut a moment ago may still be counted: retry the delete briefly.
        yield* Effect.flatMap(command(w, `del server ${backend}/${server}`), (a) => Runtime.expectLine(w, s, a, "Server deleted.")).pipe(
          Effect.retry({ times: 30, schedule: Schedule.spaced("100 millis"), while: (e) => e._tag === "Conflict" })
        )
      })

    // -------------------------------------------------------------- the file

    const load = (w: validate.Where) => ConfigFile.load(w, settings.configFile)

    const write = (w: validate.Where, loaded: ConfigFile.LoadedConfig, balancers: ReadonlyArray<ManagedEntry>) =>
      ConfigFile.replace(w, settings.configFile, renderConfig(loaded, balancers), {
        expected: loaded.text,
        haproxyBinary: settings.haproxyBinary
      })

    const entryOf = (w: validate.Where, loaded: ConfigText, id: string) => {
      const entry = loaded.balancers.find((b) => b.balancer.id === id)
      return entry === undefined ? Effect.fail(new NotFound({ ...w, resource: "balancer", id })) : Effect.succeed(entry)
    }

    /** What the file says, with the members HAProxy runs right now where it runs the backend (live wins). */
    const withLive = (entry: ManagedEntry, rows: Option.Option<ReadonlyArray<Runtime.ServerState>>): ManagedEntry =>
      Option.match(rows, {
        onNone: () => entry,
        onSome: (live) => {
          const known = new Map(entry.members.map((m) => [m.id, m]))
          return {
            balancer: entry.balancer,
            members: live.map((r) => {
              const nodeId = known.get(r.name)?.nodeId
              return new ManagedMember({
                id: r.name,
                ip: r.address,
                port: r.port,
                weight: r.weight,
                // `disable server` and the `disabled` keyword both set forced maintenance; a drain is not persisted
                disabled: (r.admin & Runtime.FORCED_MAINT) !== 0,
                ...(nodeId === undefined ? {} : { nodeId })
              })
            })
          }
        }
      })

    const liveEntries = (w: validate.Where, loaded: ConfigText) =>
      Effect.gen(function*() {
        if (loaded.balancers.length === 0) return []
        const backends = yield* loadedBackends(w)
        const rows = yield* allServers(w)
        return loaded.balancers.map((entry) =>
          withLive(entry, backends.has(entry.balancer.id) ? Option.some(rows.filter((r) => r.backend === entry.balancer.id)) : Option.none())
        )
      })

    /** Re-add every persisted member HAProxy does not run (dynamic servers do not survive a reload). */
    const reapply = (w: validate.Where, balancers: ReadonlyArray<ManagedEntry>) =>
      Effect.gen(function*() {
        const rows = yield* allServers(w)
        let readded = 0
        for (const { balancer, members } of balancers) {
          for (const m of members) {
            if (rows.some((r) => r.backend === balancer.id && r.name === m.id)) continue
            yield* addServer(w, balancer.id, m)
            readded++
          }
        }
        yield* Effect.annotateCurrentSpan("cloudfx.haproxy.readded", readded)
      })

    /**
     * Change the set of balancers: rewrite the section from the live state,
     * reload, re-apply members. A failed reload puts the previous file back.
     */
    const reconfigure = <A, E>(
      w: validate.Where,
      change: (current: ReadonlyArray<ManagedEntry>) => Effect.Effect<Change<A>, E>
    ) =>
      serial(Effect.gen(function*() {
        const loaded = yield* load(w)
        const current = yield* liveEntries(w, loaded)
        const [next, result] = yield* change(current)
        const text = renderConfig(loaded, next)
        const reload = yield* prepareReload(w, settings)
        yield* ConfigFile.replace(w, settings.configFile, text, { expected: loaded.text, haproxyBinary: settings.haproxyBinary })
        yield* reload.pipe(
          Effect.tapError(() =>
            Effect.ignore(ConfigFile.replace(w, settings.configFile, loaded.text, { expected: text, haproxyBinary: undefined }))
          )
        )
        yield* reapply(w, next).pipe(
          Effect.catchTags({ NotFound: unexpected(w), AlreadyExists: unexpected(w), Conflict: unexpected(w) })
        )
        return result
      }))

    // -------------------------------------------------------------- views

    const balancerView = (b: ManagedBalancer, status: string | undefined, members: number) =>
      new Balancer({
        id: b.id,
        name: b.name,
        state: frontendState(status),
        ...(wildcard.has(b.bind) ? {} : { ip: b.bind }),
        port: b.port,
        protocol: b.protocol,
        algorithm: b.algorithm,
        extra: { createdAt: b.createdAt, members, frontend: b.id, backend: b.id, bind: b.bind, status: status ?? "not loaded" }
      })

    const memberView = (balancerId: string, m: ManagedMember, row: Runtime.ServerState | undefined) =>
      new Member({
        id: m.id,
        ip: m.ip,
        port: m.port,
        balancerId,
        weight: row?.weight ?? m.weight,
        state: row === undefined ? "unknown" : memberState(row),
        ...(m.nodeId === undefined ? {} : { nodeId: m.nodeId }),
        extra: row === undefined
          ? { server: m.id, loaded: false }
          : { server: m.id, loaded: true, operationalState: row.operational, adminState: row.admin }
      })

    const viewOf = (w: validate.Where, id: string) =>
      Effect.gen(function*() {
        const loaded = yield* load(w)
        const entry = yield* entryOf(w, loaded, id)
        const statuses = yield* frontendStatuses(w)
        return balancerView(entry.balancer, statuses.get(id), entry.members.length)
      })

    // -------------------------------------------------------------- balancers

    const listProtocols = () => Effect.succeed(haproxyProtocols as ReadonlyArray<string>).pipe(traced(PROVIDER, "LoadBalancer.listProtocols"))
    const listAlgorithms = () => Effect.succeed(haproxyAlgorithms).pipe(traced(PROVIDER, "LoadBalancer.listAlgorithms"))

    const listBalancers = () => {
      const w = where("listBalancers")
      return Effect.gen(function*() {
        const loaded = yield* load(w)
        if (loaded.balancers.length === 0) return []
        const statuses = yield* frontendStatuses(w)
        return loaded.balancers.map((e) => balancerView(e.balancer, statuses.get(e.balancer.id), e.members.length))
      }).pipe(traced(PROVIDER, w.operation))
    }

    const getBalancer = (balancer: Ref) => {
      const w = where("getBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        return yield* viewOf(w, id)
      }).pipe(traced(PROVIDER, w.operation))
    }

    const portTaken = (current: ReadonlyArray<ManagedEntry>, port: number, except?: string) =>
      current.find((e) => e.balancer.port === port && e.balancer.id !== except)

    const createBalancer = (spec: LoadBalancer.CreateBalancerSpec) => {
      const w = where("createBalancer")
      return Effect.gen(function*() {
        yield* object(w, "spec", spec)
        const name = yield* checkName(w, spec.name)
        const port = yield* validate.port(w, "port", spec.port)
        const protocol = yield* checkProtocol(w, spec.protocol)
        if (spec.members !== undefined && !Array.isArray(spec.members)) return yield* Effect.fail(invalid(w, "members", "must be an array"))
        const members: Array<ManagedMember> = []
        for (const [i, m] of (spec.members ?? []).entries()) {
          const valid = yield* checkMember(w, `members[${i}]`, m)
          const twin = members.findIndex((x) => x.ip === valid.ip && x.port === valid.port)
          if (twin >= 0) return yield* Effect.fail(invalid(w, `members[${i}]`, `same ip:port as members[${twin}]`))
          members.push(new ManagedMember({ id: newId("m-", 5), ...valid, disabled: false }))
        }
        const algorithm = yield* checkAlgorithm(w, spec.algorithm)
        yield* noExtra(w, spec.extra)
        const balancer = new ManagedBalancer({
          id: newId("lb-", 6),
          name,
          bind: settings.bindAddress,
          port,
          protocol,
          algorithm,
          createdAt: new Date().toISOString()
        })
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": balancer.id, "cloudfx.balancer.name": name })
        yield* reconfigure(w, (current): Effect.Effect<Change<void>, AlreadyExists | Conflict> => {
          if (current.some((e) => e.balancer.name === name)) return Effect.fail(new AlreadyExists({ ...w, resource: "balancer", id: name }))
          const other = portTaken(current, port)
          if (other !== undefined) {
            return Effect.fail(new Conflict({ ...w, resource: "balancer", id: name, reason: `port ${port} is used by balancer ${other.balancer.id}` }))
          }
          return Effect.succeed([[...current, { balancer, members }], undefined])
        })
        return yield* viewOf(w, balancer.id).pipe(Effect.catchTag("NotFound", unexpected(w)))
      }).pipe(traced(PROVIDER, w.operation))
    }

    const updateBalancer = (balancer: Ref, spec: LoadBalancer.UpdateBalancerSpec) => {
      const w = where("updateBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* object(w, "spec", spec)
        const name = spec.name === undefined ? undefined : yield* checkName(w, spec.name)
        const port = spec.port === undefined ? undefined : yield* validate.port(w, "port", spec.port)
        const protocol = spec.protocol === undefined ? undefined : yield* checkProtocol(w, spec.protocol)
        const algorithm = spec.algorithm === undefined ? undefined : yield* checkAlgorithm(w, spec.algorithm)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        yield* reconfigure(w, (current): Effect.Effect<Change<void>, NotFound | Conflict> => {
          const entry = current.find((e) => e.balancer.id === id)
          if (entry === undefined) return Effect.fail(new NotFound({ ...w, resource: "balancer", id }))
          if (name !== undefined && current.some((e) => e.balancer.name === name && e.balancer.id !== id)) {
            return Effect.fail(new Conflict({ ...w, resource: "balancer", id, reason: `another balancer is already named "${name}"` }))
          }
          const other = port === undefined ? undefined : portTaken(current, port, id)
          if (other !== undefined) {
            return Effect.fail(new Conflict({ ...w, resource: "balancer", id, reason: `port ${port} is used by balancer ${other.balancer.id}` }))
          }
          const b = entry.balancer
          const next = new ManagedBalancer({
            ...b,
            name: name ?? b.name,
            port: port ?? b.port,
            protocol: protocol ?? b.protocol,
            algorithm: algorithm ?? b.algorithm
          })
          return Effect.succeed([current.map((e) => (e.balancer.id === id ? { balancer: next, members: e.members } : e)), undefined])
        })
        return yield* viewOf(w, id).pipe(Effect.catchTag("NotFound", unexpected(w)))
      }).pipe(traced(PROVIDER, w.operation))
    }

    const destroyBalancer = (balancer: Ref) => {
      const w = where("destroyBalancer")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        yield* reconfigure(w, (current): Effect.Effect<Change<void>, NotFound> =>
          current.some((e) => e.balancer.id === id)
            ? Effect.succeed([current.filter((e) => e.balancer.id !== id), undefined])
            : Effect.fail(new NotFound({ ...w, resource: "balancer", id })))
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- members

    const listMembers = (balancer: Ref) => {
      const w = where("listMembers")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
        const loaded = yield* load(w)
        const entry = yield* entryOf(w, loaded, id)
        const rows = yield* serversOf(w, id)
        const live = withLive(entry, rows)
        return live.members.map((m) => memberView(id, m, Option.getOrUndefined(rows)?.find((r) => r.name === m.id)))
      }).pipe(traced(PROVIDER, w.operation))
    }

    /** Under the lock: the file and the live servers of one managed backend. */
    const memberContext = (w: validate.Where, id: string) =>
      Effect.gen(function*() {
        const loaded = yield* load(w)
        const entry = yield* entryOf(w, loaded, id)
        const rows = yield* serversOf(w, id)
        if (Option.isNone(rows)) {
          return yield* Effect.fail(
            new ProviderError({ ...w, code: "NotLoaded", detail: `HAProxy does not run balancer ${id} from its file: reload it first` })
          )
        }
        return { loaded, entry: withLive(entry, rows), rows: rows.value }
      })

    const replaceEntry = (loaded: ConfigText, entry: ManagedEntry) =>
      loaded.balancers.map((e) => (e.balancer.id === entry.balancer.id ? entry : e))

    const addMember = (w: validate.Where, id: string, spec: { ip: string; port: number; weight: number }, nodeId: string | undefined) =>
      serial(Effect.gen(function*() {
        const { entry, loaded, rows } = yield* memberContext(w, id)
        if (rows.some((r) => r.address.toLowerCase() === spec.ip && r.port === spec.port)) {
          return yield* Effect.fail(new AlreadyExists({ ...w, resource: "member", id: `${spec.ip}:${spec.port}` }))
        }
        const member = new ManagedMember({ id: newId("m-", 5), ...spec, disabled: false, ...(nodeId === undefined ? {} : { nodeId }) })
        yield* addServer(w, id, member).pipe(Effect.catchTags({ AlreadyExists: unexpected(w), Conflict: unexpected(w) }))
        yield* write(w, loaded, replaceEntry(loaded, { balancer: entry.balancer, members: [...entry.members, member] })).pipe(
          // not persisted, so not attached: take it back out of HAProxy
          Effect.tapError(() => Effect.ignore(removeServer(w, id, member.id)))
        )
        const row = Option.getOrUndefined(yield* serversOf(w, id))?.find((r) => r.name === member.id)
        return memberView(id, member, row)
      }))

    const attachMember = (balancer: Ref, member: LoadBalancer.MemberSpec) => {
      const w = where("attachMember")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        const valid = yield* checkMember(w, "member", member)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.member": `${valid.ip}:${valid.port}` })
        return yield* addMember(w, id, valid, undefined)
      }).pipe(traced(PROVIDER, w.operation))
    }

    const attachComputeNode = (balancer: Ref, node: Node, port: number, options?: LoadBalancer.AttachNodeOptions) => {
      const w = where("attachComputeNode")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        yield* object(w, "node", node)
        const nodeId = yield* refIdOf(w, "node", node)
        if (!Array.isArray(node.publicIps) || !Array.isArray(node.privateIps)) {
          return yield* Effect.fail(invalid(w, "node", "must be a Node with publicIps and privateIps"))
        }
        const o = options === undefined ? {} : yield* object(w, "options", options)
        const valid = yield* validate.port(w, "port", port)
        const weight = yield* checkWeight(w, "weight", o.weight)
        const spec = yield* memberSpecForNode(PROVIDER, node, valid, o)
        const ip = yield* checkIp(w, "node", spec.ip)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.node": nodeId })
        return yield* addMember(w, id, { ip, port: valid, weight: weight ?? 1 }, spec.nodeId)
      }).pipe(traced(PROVIDER, w.operation))
    }

    const memberIdOf = (w: validate.Where, member: Ref) =>
      Effect.flatMap(refIdOf(w, "member", member), (m) =>
        haproxyName.test(m) ? Effect.succeed(m) : Effect.fail(invalid(w, "member", `"${m}" is not a HAProxy server name`)))

    const detachMember = (balancer: Ref, member: Ref) => {
      const w = where("detachMember")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        const memberId = yield* memberIdOf(w, member)
        yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.member": memberId })
        yield* serial(Effect.gen(function*() {
          const { entry, loaded, rows } = yield* memberContext(w, id)
          if (!rows.some((r) => r.name === memberId)) return yield* Effect.fail(new NotFound({ ...w, resource: "member", id: memberId }))
          yield* removeServer(w, id, memberId).pipe(Effect.catchTags({ AlreadyExists: unexpected(w), Conflict: unexpected(w) }))
          yield* write(w, loaded, replaceEntry(loaded, { balancer: entry.balancer, members: entry.members.filter((m) => m.id !== memberId) }))
        }))
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- HAProxy-only

    const changeMember = (
      name: string,
      balancer: Ref,
      member: Ref,
      cmd: (backend: string, server: string) => string,
      persist: (m: ManagedMember) => ManagedMember
    ) => {
      const w = { provider: PROVIDER, operation: `Haproxy.${name}` }
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "balancer", balancer)
        const memberId = yield* memberIdOf(w, member)
        return yield* serial(Effect.gen(function*() {
          const { entry, loaded } = yield* memberContext(w, id)
          const current = entry.members.find((m) => m.id === memberId)
          if (current === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "member", id: memberId }))
          yield* Runtime.expectEmpty(w, subject(id, memberId), yield* command(w, cmd(id, memberId))).pipe(
            Effect.catchTags({ AlreadyExists: unexpected(w), Conflict: unexpected(w) })
          )
          const next = persist(current)
          yield* write(w, loaded, replaceEntry(loaded, { balancer: entry.balancer, members: entry.members.map((m) => (m.id === memberId ? next : m)) }))
          const row = Option.getOrUndefined(yield* serversOf(w, id))?.find((r) => r.name === memberId)
          return memberView(id, next, row)
        }))
      }).pipe(traced(PROVIDER, w.operation))
    }

    const haproxy: HaproxyService = {
      setMemberWeight: (balancer, member, weight) =>
        Effect.flatMap(checkWeight({ provider: PROVIDER, operation: "Haproxy.setMemberWeight" }, "weight", weight ?? Number.NaN), (valid) =>
          changeMember("setMemberWeight", balancer, member, (b, s) => `set server ${b}/${s} weight ${valid}`, (m) =>
            new ManagedMember({ ...m, weight: valid ?? m.weight }))),
      disableMember: (balancer, member) =>
        changeMember("disableMember", balancer, member, (b, s) => `disable server ${b}/${s}`, (m) => new ManagedMember({ ...m, disabled: true })),
      enableMember: (balancer, member) =>
        changeMember("enableMember", balancer, member, (b, s) => `enable server ${b}/${s}`, (m) => new ManagedMember({ ...m, disabled: false })),
      reload: () => {
        const w = { provider: PROVIDER, operation: "Haproxy.reload" }
        return reconfigure(w, (current): Effect.Effect<Change<void>> => Effect.succeed([current, undefined])).pipe(traced(PROVIDER, w.operation))
      }
    }

    const loadBalancer: LoadBalancer.Service = {
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
    return { loadBalancer, haproxy }
  })
