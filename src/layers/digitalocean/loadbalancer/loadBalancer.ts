/**
 * The portable LoadBalancer service over DigitalOcean's load balancer API
 * (see DigitalOceanLoadBalancer.ts for the behaviour worth knowing).
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import * as Url from "../../../http/Url.js"
import { AlreadyExists, InvalidInput, NotFound, Unsupported } from "../../../schemas/Errors.js"
import type { Algorithm, Node } from "../../../schemas/Models.js"
import { type LoadBalancer, memberSpecForNode } from "../../../services/LoadBalancer.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { type Client, jsonBody } from "../client.js"
import * as ComputeWire from "../compute/wire.js"
import { type DigitalOceanConfig, PROVIDER } from "../config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

/** Health check settings (models/health_check.yml), camel-cased. */
export interface HealthCheckSpec {
  readonly protocol?: "http" | "https" | "tcp"
  readonly port?: number
  readonly path?: string
  readonly checkIntervalSeconds?: number
  readonly responseTimeoutSeconds?: number
  readonly unhealthyThreshold?: number
  readonly healthyThreshold?: number
}

/** Sticky sessions (models/sticky_sessions.yml), camel-cased. */
export interface StickySessionsSpec {
  readonly type: "none" | "cookies"
  readonly cookieName?: string
  readonly cookieTtlSeconds?: number
}

/** What `createBalancer` accepts in `extra` (each checked, InvalidInput otherwise). */
export interface CreateBalancerExtra {
  /** Region slug; default `config.region` (one of the two is required). */
  readonly region?: string
  /** Nodes (1–100); DigitalOcean's default is 1. */
  readonly sizeUnit?: number
  /** The deprecated size slug, still the only one in AMS2, NYC2 and SFO1. */
  readonly size?: "lb-small" | "lb-medium" | "lb-large"
  /** Balance every droplet with this tag instead of listed members (then members cannot be attached one by one). */
  readonly tag?: string
  readonly vpcUuid?: string
  readonly projectId?: string
  /** Protocol to the droplets; default the entry protocol. */
  readonly targetProtocol?: "http" | "https" | "http2" | "tcp"
  /** Port on the droplets when the spec has no members; default the entry port. */
  readonly targetPort?: number
  readonly certificateId?: string
  readonly tlsPassthrough?: boolean
  readonly healthCheck?: HealthCheckSpec
  readonly stickySessions?: StickySessionsSpec
  readonly redirectHttpToHttps?: boolean
  readonly enableProxyProtocol?: boolean
  readonly enableBackendKeepalive?: boolean
}

/** models/forwarding_rule.yml `entry_protocol`. */
export const protocols: ReadonlyArray<string> = ["http", "https", "http2", "tcp"]

/**
 * DigitalOcean deprecated `algorithm` ("You can no longer specify an
 * algorithm"): every new balancer is round robin.
 */
const algorithms: ReadonlyArray<Algorithm> = ["roundRobin"]

// Balancer ids are UUIDs (models/load_balancer_base.yml); anything else names no balancer.
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const integerId = /^[1-9][0-9]{0,15}$/
// Host-name characters, as for droplets.
const balancerName = /^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `LoadBalancer.${name}` })
const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

type Kind = "string" | "boolean" | "number" | "object"
const optional = <T>(w: validate.Where, field: string, value: unknown, kind: Kind, check?: (v: T) => boolean, rule?: string): Effect.Effect<T | undefined, InvalidInput> => {
  if (value === undefined) return Effect.succeed(undefined)
  const ok = kind === "object" ? typeof value === "object" && value !== null && !Array.isArray(value) : typeof value === kind
  if (!ok) return Effect.fail(invalid(w, field, `must be a ${kind}`))
  if (check !== undefined && !check(value as T)) return Effect.fail(invalid(w, field, rule ?? "is not valid"))
  return Effect.succeed(value as T)
}
const oneOf = (values: ReadonlyArray<string>) => (v: string) => values.includes(v)
const wholeIn = (min: number, max: number) => (v: number) => Number.isSafeInteger(v) && v >= min && v <= max

const healthCheckBody = (w: validate.Where, value: unknown) =>
  Effect.gen(function*() {
    const h = yield* optional<Record<string, unknown>>(w, "extra.healthCheck", value, "object")
    if (h === undefined) return undefined
    const f = (k: string) => `extra.healthCheck.${k}`
    const protocol = yield* optional<string>(w, f("protocol"), h["protocol"], "string", oneOf(["http", "https", "tcp"]), "must be http, https or tcp")
    const port = yield* optional<number>(w, f("port"), h["port"], "number", wholeIn(1, 65535), "must be a port")
    const p = yield* optional<string>(w, f("path"), h["path"], "string", (s) => s.startsWith("/"), "must start with '/'")
    const seconds = (k: string) => optional<number>(w, f(k), h[k], "number", wholeIn(1, 3600), "must be a whole number of seconds")
    const counts = (k: string) => optional<number>(w, f(k), h[k], "number", wholeIn(1, 100), "must be a whole number")
    const body: Record<string, unknown> = {
      protocol,
      port,
      path: p,
      check_interval_seconds: yield* seconds("checkIntervalSeconds"),
      response_timeout_seconds: yield* seconds("responseTimeoutSeconds"),
      unhealthy_threshold: yield* counts("unhealthyThreshold"),
      healthy_threshold: yield* counts("healthyThreshold")
    }
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
  })

const stickyBody = (w: validate.Where, value: unknown) =>
  Effect.gen(function*() {
    const s = yield* optional<Record<string, unknown>>(w, "extra.stickySessions", value, "object")
    if (s === undefined) return undefined
    const type = yield* optional<string>(w, "extra.stickySessions.type", s["type"], "string", oneOf(["none", "cookies"]), "must be none or cookies")
    if (type === undefined) return yield* Effect.fail(invalid(w, "extra.stickySessions.type", "is required (none or cookies)"))
    const name = yield* optional<string>(w, "extra.stickySessions.cookieName", s["cookieName"], "string", (v) => /^[A-Za-z0-9_-]{1,40}$/.test(v), "must be 1–40 letters, digits, '-' or '_'")
    const ttl = yield* optional<number>(w, "extra.stickySessions.cookieTtlSeconds", s["cookieTtlSeconds"], "number", wholeIn(1, 86400 * 365), "must be a whole number of seconds")
    return { type, ...(name === undefined ? {} : { cookie_name: name }), ...(ttl === undefined ? {} : { cookie_ttl_seconds: ttl }) }
  })

/** The settings of an existing balancer, as the update (PUT) body must restate them. */
const restate = (lb: Wire.LoadBalancer): Record<string, unknown> => {
  const keep = (key: string, value: unknown) => (value === undefined || value === null ? {} : { [key]: value })
  return {
    name: lb.name,
    ...keep("region", lb.region?.slug),
    forwarding_rules: lb.forwarding_rules,
    ...keep("health_check", lb.health_check),
    ...keep("sticky_sessions", lb.sticky_sessions),
    ...keep("size_unit", lb.size_unit),
    ...keep("size", lb.size_unit === undefined || lb.size_unit === null ? lb.size : undefined),
    ...keep("redirect_http_to_https", lb.redirect_http_to_https),
    ...keep("enable_proxy_protocol", lb.enable_proxy_protocol),
    ...keep("enable_backend_keepalive", lb.enable_backend_keepalive),
    ...keep("vpc_uuid", lb.vpc_uuid),
    ...keep("project_id", lb.project_id),
    // droplet_ids and tag are mutually exclusive (update_load_balancer.yml).
    ...(lb.tag !== undefined && lb.tag !== null && lb.tag !== "" ? { tag: lb.tag } : { droplet_ids: lb.droplet_ids ?? [] })
  }
}

const byTag = (lb: Wire.LoadBalancer) => lb.tag !== undefined && lb.tag !== null && lb.tag !== ""

export const make = (config: DigitalOceanConfig, client: Client): LoadBalancer.Service => {
  const provider = providerInfo(PROVIDER, ["lb.update"], config.region)

  const balancerId = (w: validate.Where, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
    Effect.flatMap(validate.id(w, "balancer", ref), (id) => (uuid.test(id) ? Effect.succeed(id) : Effect.fail(new NotFound({ ...w, resource: "balancer", id }))))

  const fetch = (operation: string, id: string) =>
    client.send(
      HttpClientRequest.get(path("load_balancers", id)),
      { operation, notFound: { resource: "balancer", id } },
      ProviderHttp.json(Wire.LoadBalancerBody)
    ).pipe(Effect.map((b) => b.load_balancer))

  const droplets = (operation: string) => client.list("/droplets", { operation }, ComputeWire.DropletsPage, (p) => p.droplets)

  const targetPort = (lb: Wire.LoadBalancer) => lb.forwarding_rules[0].target_port

  /** The droplet with this IPv4 address (public or private): DigitalOcean balances droplets, not addresses. */
  const dropletByIp = (w: validate.Where, field: string, all: ReadonlyArray<ComputeWire.Droplet>, ip: string) => {
    const found = all.find((d) => (d.networks.v4 ?? []).some((n) => n.ip_address === ip))
    return found === undefined
      ? Effect.fail(invalid(w, field, `no droplet has the address ${ip}: DigitalOcean balances only this account's droplets`))
      : Effect.succeed(found)
  }

  const checkMemberSpec = (w: validate.Where, field: string, m: LoadBalancer.MemberSpec) =>
    Effect.gen(function*() {
      if (typeof m !== "object" || m === null) return yield* Effect.fail(invalid(w, field, "must be an object"))
      const ip = yield* validate.ip(w, `${field}.ip`, m.ip)
      const port = yield* validate.port(w, `${field}.port`, m.port)
      if (m.weight !== undefined) return yield* Effect.fail(invalid(w, `${field}.weight`, "DigitalOcean load balancers have no member weights"))
      return { ip, port }
    })

  const samePort = (w: validate.Where, field: string, port: number, expected: number) =>
    port === expected
      ? Effect.void
      : Effect.fail(
        invalid(w, field, `DigitalOcean sends every droplet the balancer's traffic on one target port (${expected}), not ${port}`)
      )

  const checkAlgorithm = (w: validate.Where, value: Algorithm) => {
    if (typeof value !== "string") return Effect.fail(invalid(w, "algorithm", "must be a string"))
    if (algorithms.includes(value)) return Effect.void
    return ["random", "leastConnections", "weightedRoundRobin", "weightedLeastConnections", "sourceIp", "shortestResponse"].includes(value)
      ? Effect.fail(new Unsupported({ ...w, capability: `algorithm ${value} (DigitalOcean deprecated choosing one: every balancer is round robin)` }))
      : Effect.fail(invalid(w, "algorithm", `"${value}" is not an algorithm`))
  }

  const checkProtocol = (w: validate.Where, field: string, value: unknown) =>
    typeof value === "string" && protocols.includes(value)
      ? Effect.succeed(value)
      : Effect.fail(invalid(w, field, `"${String(value)}" is not one of ${protocols.join(", ")}`))

  const checkName = (w: validate.Where, value: string) =>
    Effect.flatMap(validate.name(w, "name", value), (n) =>
      balancerName.test(n) ? Effect.succeed(n) : Effect.fail(invalid(w, "name", "letters, digits, '.' and '-', starting with a letter or digit")))

  // ------------------------------------------------------------ balancers

  const listBalancers: LoadBalancer.Service["listBalancers"] = () => {
    const w = where("listBalancers")
    return client.list("/load_balancers", { operation: w.operation }, Wire.LoadBalancersPage, (p) => p.load_balancers).pipe(
      Effect.map((all) => all.map(Mapping.balancer)),
      traced(PROVIDER, w.operation)
    )
  }

  const getBalancer: LoadBalancer.Service["getBalancer"] = (ref) => {
    const w = where("getBalancer")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
      return Mapping.balancer(yield* fetch(w.operation, id))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const createBalancer: LoadBalancer.Service["createBalancer"] = (spec) => {
    const w = where("createBalancer")
    return Effect.gen(function*() {
      if (typeof spec !== "object" || spec === null) return yield* Effect.fail(invalid(w, "spec", "must be an object"))
      const name = yield* checkName(w, spec.name)
      const port = yield* validate.port(w, "port", spec.port)
      const protocol = yield* checkProtocol(w, "protocol", spec.protocol)
      yield* checkAlgorithm(w, spec.algorithm)
      if (spec.members !== undefined && !Array.isArray(spec.members)) return yield* Effect.fail(invalid(w, "members", "must be an array"))
      const members = yield* Effect.forEach(spec.members ?? [], (m, i) => checkMemberSpec(w, `members[${i}]`, m))
      const extra = (yield* optional<Record<string, unknown>>(w, "extra", spec.extra, "object")) ?? {}
      const x = (k: string) => `extra.${k}`
      const region = (yield* optional<string>(w, x("region"), extra["region"], "string", (s) => /^[a-z0-9]+$/.test(s), "must be a region slug")) ?? config.region
      if (region === undefined) return yield* Effect.fail(invalid(w, x("region"), "DigitalOcean needs a region: set extra.region or config.region"))
      const sizeUnit = yield* optional<number>(w, x("sizeUnit"), extra["sizeUnit"], "number", wholeIn(1, 100), "must be a whole number from 1 to 100")
      const size = yield* optional<string>(w, x("size"), extra["size"], "string", oneOf(["lb-small", "lb-medium", "lb-large"]), "must be lb-small, lb-medium or lb-large")
      const tag = yield* optional<string>(w, x("tag"), extra["tag"], "string", (s) => s.length > 0, "must not be empty")
      if (tag !== undefined && members.length > 0) return yield* Effect.fail(invalid(w, x("tag"), "a balancer takes either members or a droplet tag, not both"))
      const vpcUuid = yield* optional<string>(w, x("vpcUuid"), extra["vpcUuid"], "string", (s) => uuid.test(s), "must be a UUID")
      const projectId = yield* optional<string>(w, x("projectId"), extra["projectId"], "string", (s) => uuid.test(s), "must be a UUID")
      const targetProtocol = (yield* optional<string>(w, x("targetProtocol"), extra["targetProtocol"], "string", oneOf(protocols), `must be one of ${protocols.join(", ")}`)) ?? protocol
      const givenTargetPort = yield* optional<number>(w, x("targetPort"), extra["targetPort"], "number", wholeIn(1, 65535), "must be a port")
      const certificateId = yield* optional<string>(w, x("certificateId"), extra["certificateId"], "string", (s) => s.length > 0, "must not be empty")
      const tlsPassthrough = yield* optional<boolean>(w, x("tlsPassthrough"), extra["tlsPassthrough"], "boolean")
      const flags = {
        redirect_http_to_https: yield* optional<boolean>(w, x("redirectHttpToHttps"), extra["redirectHttpToHttps"], "boolean"),
        enable_proxy_protocol: yield* optional<boolean>(w, x("enableProxyProtocol"), extra["enableProxyProtocol"], "boolean"),
        enable_backend_keepalive: yield* optional<boolean>(w, x("enableBackendKeepalive"), extra["enableBackendKeepalive"], "boolean")
      }
      const healthCheck = yield* healthCheckBody(w, extra["healthCheck"])
      const sticky = yield* stickyBody(w, extra["stickySessions"])

      const target = members[0]?.port ?? givenTargetPort ?? port
      if (givenTargetPort !== undefined && members[0] !== undefined) yield* samePort(w, x("targetPort"), givenTargetPort, members[0].port)
      for (const [i, m] of members.entries()) yield* samePort(w, `members[${i}].port`, m.port, target)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer.name", name)

      const dropletIds: Array<number> = []
      if (members.length > 0) {
        const all = yield* droplets(w.operation)
        for (const [i, m] of members.entries()) {
          const d = yield* dropletByIp(w, `members[${i}].ip`, all, m.ip)
          if (dropletIds.includes(d.id)) return yield* Effect.fail(invalid(w, `members[${i}]`, `droplet ${d.id} is listed twice`))
          dropletIds.push(d.id)
        }
      }
      const rule = {
        entry_protocol: protocol,
        entry_port: port,
        target_protocol: targetProtocol,
        target_port: target,
        ...(certificateId === undefined ? {} : { certificate_id: certificateId }),
        ...(tlsPassthrough === undefined ? {} : { tls_passthrough: tlsPassthrough })
      }
      const body = {
        name,
        region,
        forwarding_rules: [rule],
        ...(tag === undefined ? { droplet_ids: dropletIds } : { tag }),
        ...(sizeUnit === undefined ? {} : { size_unit: sizeUnit }),
        ...(size === undefined ? {} : { size }),
        ...(vpcUuid === undefined ? {} : { vpc_uuid: vpcUuid }),
        ...(projectId === undefined ? {} : { project_id: projectId }),
        ...(healthCheck === undefined ? {} : { health_check: healthCheck }),
        ...(sticky === undefined ? {} : { sticky_sessions: sticky }),
        ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))
      }
      const created = yield* client.send(
        HttpClientRequest.post("/load_balancers").pipe(jsonBody(body)),
        { operation: w.operation },
        ProviderHttp.json(Wire.LoadBalancerBody)
      )
      return Mapping.balancer(created.load_balancer)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateBalancer: LoadBalancer.Service["updateBalancer"] = (ref, spec) => {
    const w = where("updateBalancer")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      if (typeof spec !== "object" || spec === null) return yield* Effect.fail(invalid(w, "spec", "must be an object"))
      const name = spec.name === undefined ? undefined : yield* checkName(w, spec.name)
      const port = spec.port === undefined ? undefined : yield* validate.port(w, "port", spec.port)
      const protocol = spec.protocol === undefined ? undefined : yield* checkProtocol(w, "protocol", spec.protocol)
      if (spec.algorithm !== undefined) yield* checkAlgorithm(w, spec.algorithm)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
      const current = yield* fetch(w.operation, id)
      const [first, ...rest] = current.forwarding_rules
      const rule = {
        ...first,
        ...(port === undefined ? {} : { entry_port: port }),
        // The target protocol follows the entry protocol when they were the same.
        ...(protocol === undefined ? {} : { entry_protocol: protocol, ...(first.target_protocol === first.entry_protocol ? { target_protocol: protocol } : {}) })
      }
      const body = { ...restate(current), ...(name === undefined ? {} : { name }), forwarding_rules: [rule, ...rest] }
      const updated = yield* client.send(
        HttpClientRequest.put(path("load_balancers", id)).pipe(jsonBody(body)),
        { operation: w.operation, notFound: { resource: "balancer", id } },
        ProviderHttp.json(Wire.LoadBalancerBody)
      )
      return Mapping.balancer(updated.load_balancer)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyBalancer: LoadBalancer.Service["destroyBalancer"] = (ref) => {
    const w = where("destroyBalancer")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
      yield* client.send(HttpClientRequest.del(path("load_balancers", id)), { operation: w.operation, notFound: { resource: "balancer", id } }, ProviderHttp.empty)
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ members

  const membersOf = (operation: string, lb: Wire.LoadBalancer) =>
    Effect.gen(function*() {
      const ids = lb.droplet_ids ?? []
      if (ids.length === 0) return []
      const all = yield* droplets(operation)
      const port = targetPort(lb)
      return ids.map((dropletId) => Mapping.member(lb.id, dropletId, all.find((d) => d.id === dropletId), port))
    })

  const listMembers: LoadBalancer.Service["listMembers"] = (ref) => {
    const w = where("listMembers")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
      return yield* membersOf(w.operation, yield* fetch(w.operation, id))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const addDroplet = (w: validate.Where, lb: Wire.LoadBalancer, droplet: ComputeWire.Droplet, port: number, nodeId?: string) =>
    Effect.gen(function*() {
      yield* samePort(w, "port", port, targetPort(lb))
      if (byTag(lb)) {
        return yield* Effect.fail(invalid(w, "balancer", `balancer ${lb.id} balances the droplets tagged "${lb.tag}": tag the droplet instead`))
      }
      if ((lb.droplet_ids ?? []).includes(droplet.id)) {
        return yield* Effect.fail(new AlreadyExists({ ...w, resource: "member", id: String(droplet.id) }))
      }
      yield* client.send(
        HttpClientRequest.post(path("load_balancers", lb.id, "droplets")).pipe(jsonBody({ droplet_ids: [droplet.id] })),
        // Adding a droplet that is already there changes nothing: safe to send again.
        { operation: w.operation, idempotent: true, notFound: { resource: "balancer", id: lb.id } },
        ProviderHttp.empty
      )
      return Mapping.member(lb.id, droplet.id, droplet, port, nodeId)
    })

  const attachMember: LoadBalancer.Service["attachMember"] = (ref, spec) => {
    const w = where("attachMember")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      const { ip, port } = yield* checkMemberSpec(w, "member", spec)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", id)
      const lb = yield* fetch(w.operation, id)
      yield* samePort(w, "member.port", port, targetPort(lb))
      const droplet = yield* dropletByIp(w, "member.ip", yield* droplets(w.operation), ip)
      return yield* addDroplet(w, lb, droplet, port)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const attachComputeNode: LoadBalancer.Service["attachComputeNode"] = (ref, node: Node, port, options) => {
    const w = where("attachComputeNode")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      if (typeof node !== "object" || node === null || !Array.isArray(node.publicIps) || !Array.isArray(node.privateIps)) {
        return yield* Effect.fail(invalid(w, "node", "must be a Node with publicIps and privateIps"))
      }
      const valid = yield* validate.port(w, "port", port)
      if (options?.weight !== undefined) return yield* Effect.fail(invalid(w, "options.weight", "DigitalOcean load balancers have no member weights"))
      // The same checks as every provider (an address to use), before any request.
      const wanted = yield* memberSpecForNode(PROVIDER, node, valid, options ?? {})
      yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.node": node.id })
      const lb = yield* fetch(w.operation, id)
      yield* samePort(w, "port", valid, targetPort(lb))
      const all = yield* droplets(w.operation)
      // A DigitalOcean node is its droplet; a node from elsewhere is found by its address.
      const own = integerId.test(node.id) ? all.find((d) => String(d.id) === node.id) : undefined
      const droplet = own ?? (yield* dropletByIp(w, "node", all, wanted.ip))
      return yield* addDroplet(w, lb, droplet, valid, node.id)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const detachMember: LoadBalancer.Service["detachMember"] = (ref, member) => {
    const w = where("detachMember")
    return Effect.gen(function*() {
      const id = yield* balancerId(w, ref)
      const memberId = yield* validate.id(w, "member", member)
      yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": id, "cloudfx.member": memberId })
      const lb = yield* fetch(w.operation, id)
      const dropletId = integerId.test(memberId) ? Number(memberId) : undefined
      if (dropletId === undefined || !(lb.droplet_ids ?? []).includes(dropletId)) {
        return yield* Effect.fail(new NotFound({ ...w, resource: "member", id: memberId }))
      }
      if (byTag(lb)) {
        return yield* Effect.fail(invalid(w, "member", `balancer ${id} balances the droplets tagged "${lb.tag}": untag the droplet instead`))
      }
      yield* client.send(
        HttpClientRequest.del(path("load_balancers", id, "droplets")).pipe(jsonBody({ droplet_ids: [dropletId] })),
        { operation: w.operation, notFound: { resource: "balancer", id } },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  return {
    provider,
    listProtocols: () => Effect.succeed(protocols).pipe(traced(PROVIDER, "LoadBalancer.listProtocols")),
    listAlgorithms: () => Effect.succeed(algorithms).pipe(traced(PROVIDER, "LoadBalancer.listAlgorithms")),
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
}
