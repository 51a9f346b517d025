/**
 * The portable LoadBalancer service and the Classic-only extras over the
 * Classic Elastic Load Balancing API (2012-06-01). A Classic balancer sends
 * every listener's traffic to every registered EC2 instance on the
 * listener's instance port: members are instances, not addresses.
 */
import { Effect } from "effect"
import { AlreadyExists, NotFound, ProviderError, Unsupported } from "../../../schemas/Errors.js"
import { Algorithm as AlgorithmSchema, Balancer, Member, type MemberState } from "../../../schemas/Models.js"
import type { Algorithm, Node } from "../../../schemas/Models.js"
import { type LoadBalancer, memberSpecForNode } from "../../../services/LoadBalancer.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { type Client as Ec2Client, filters } from "../ec2/client.js"
import { instances as ec2Instances } from "../ec2/instances.js"
import type * as Ec2Wire from "../ec2/wire.js"
import { members, opt } from "../query/client.js"
import type { Client } from "./client.js"
import * as Input from "./input.js"
import type { ElbService, HealthCheckSpec } from "./types.js"
import * as Wire from "./wire.js"

export const protocols: ReadonlyArray<string> = ["http", "https", "tcp", "ssl"]

/**
 * Classic picks the algorithm by listener protocol, not by setting:
 * round robin for TCP/SSL, least outstanding requests for HTTP/HTTPS
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/how-elastic-load-balancing-works.html).
 */
const algorithmFor = (protocol: string): Algorithm => (protocol === "http" || protocol === "https" ? "leastConnections" : "roundRobin")
// In the order of `protocols`: the first protocol and the first algorithm make a balancer together.
export const algorithms: ReadonlyArray<Algorithm> = ["leastConnections", "roundRobin"]
const knownAlgorithms = new Set<string>(AlgorithmSchema.literals)

const instanceId = /^i-[0-9a-f]{8,17}$/

// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html
const memberStates: Record<string, MemberState> = { InService: "up", OutOfService: "down" }

const isPrivate = (ip: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(ip)

/**
 * The address a member reports: its instance's public address, else its
 * private one. The same rule on attach and on list, so a member attached by
 * its public address is listed by it.
 */
const addressOf = (i: Ec2Wire.Instance | undefined): string => i?.ipAddress ?? i?.privateIpAddress ?? ""

export const makeServices = (client: Client, ec2: Ec2Client) => {
  const provider = client.provider
  const info = providerInfo(provider, [], client.region)
  const where = (name: string): validate.Where => ({ provider, operation: `LoadBalancer.${name}` })
  const resolved = client.resolved._tag === "Right" ? client.resolved.right : undefined

  const nameOf = (w: validate.Where, ref: Ref) => Input.name(w, "balancer", typeof ref === "string" ? ref : ref?.id)

  const describe = (w: validate.Where, name: string) =>
    Effect.flatMap(
      client.call({
        action: "DescribeLoadBalancers",
        params: members("LoadBalancerNames", [name]),
        schema: Wire.DescribeLoadBalancers,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { balancer: name }
      }),
      (r) => {
        const lb = r.LoadBalancerDescriptions[0]
        return lb === undefined ? Effect.fail(new NotFound({ ...w, resource: "balancer", id: name })) : Effect.succeed(lb)
      }
    )

  const view = (lb: Wire.LoadBalancerDescription) => {
    const l = lb.ListenerDescriptions[0]?.Listener
    const protocol = (l?.Protocol ?? "").toLowerCase()
    return new Balancer({
      id: lb.LoadBalancerName,
      name: lb.LoadBalancerName,
      // Classic has no provisioning state: once described, it answers.
      state: "running",
      port: l?.LoadBalancerPort ?? 0,
      protocol,
      ...(l === undefined ? {} : { algorithm: algorithmFor(protocol) }),
      extra: {
        dnsName: lb.DNSName,
        canonicalHostedZoneNameId: lb.CanonicalHostedZoneNameID,
        createdTime: lb.CreatedTime,
        scheme: lb.Scheme,
        vpcId: lb.VPCId,
        instancePort: l?.InstancePort,
        instanceProtocol: l?.InstanceProtocol,
        listeners: lb.ListenerDescriptions.length,
        availabilityZones: lb.AvailabilityZones,
        subnets: lb.Subnets,
        securityGroups: lb.SecurityGroups,
        healthCheck: lb.HealthCheck?.Target
      }
    })
  }

  const checkProtocol = (w: validate.Where, value: string) => {
    const p = typeof value === "string" ? value.toLowerCase() : value
    return typeof p === "string" && protocols.includes(p)
      ? Effect.succeed(p)
      : Effect.fail(Input.invalid(w, "protocol", `"${String(value)}" is not one of ${protocols.join(", ")}`))
  }

  const described = ec2Instances(ec2)

  /**
   * The EC2 instances with these ids (the `instance-id` filter, which leaves
   * out an instance EC2 no longer knows instead of failing the whole call),
   * or holding this address.
   */
  const instances = (w: validate.Where, by: { readonly ids: ReadonlyArray<string> } | { readonly ip: string; readonly filter: string }) =>
    described.describe(w.operation, filters([["ids" in by ? "instance-id" : by.filter, "ids" in by ? by.ids : [by.ip]]]))

  const memberView = (name: string, id: string, ip: string, port: number, state: string | undefined, nodeId?: string) =>
    new Member({
      id,
      ip,
      port,
      balancerId: name,
      state: memberStates[state ?? ""] ?? "unknown",
      nodeId: nodeId ?? id,
      extra: { instanceId: id, health: state }
    })

  const listProtocols = () => Effect.succeed(protocols).pipe(traced(provider, "LoadBalancer.listProtocols"))
  const listAlgorithms = () => Effect.succeed(algorithms).pipe(traced(provider, "LoadBalancer.listAlgorithms"))

  const listBalancers = () => {
    const w = where("listBalancers")
    return client.all({
      action: "DescribeLoadBalancers",
      schema: Wire.DescribeLoadBalancers,
      operation: w.operation,
      page: (r) => ({ items: r.LoadBalancerDescriptions, next: r.NextMarker })
    }).pipe(Effect.map((lbs) => lbs.map(view)), traced(provider, w.operation))
  }

  const getBalancer = (ref: Ref) => {
    const w = where("getBalancer")
    return Effect.flatMap(nameOf(w, ref), (name) => Effect.map(describe(w, name), view)).pipe(traced(provider, w.operation))
  }

  const createBalancer = (spec: LoadBalancer.CreateBalancerSpec) => {
    const w = where("createBalancer")
    return Effect.gen(function*() {
      yield* Input.object(w, "spec", spec)
      const name = yield* Input.name(w, "name", spec.name)
      const port = yield* validate.port(w, "port", spec.port)
      const protocol = yield* checkProtocol(w, spec.protocol)
      const extra = (yield* Input.optionalObject(w, "extra", spec.extra)) ?? {}
      const subnets = (yield* Input.idList(w, extra, "subnets", "subnet-")) ?? resolved?.subnets ?? []
      const securityGroups = (yield* Input.idList(w, extra, "securityGroups", "sg-")) ?? resolved?.securityGroups ?? []
      const zones = extra["availabilityZones"]
      if (zones !== undefined && (!Array.isArray(zones) || !zones.every((z) => typeof z === "string"))) {
        return yield* Effect.fail(Input.invalid(w, "extra.availabilityZones", "must be a list of zone names"))
      }
      const scheme = yield* Input.oneOf(w, extra, "scheme", ["internet-facing", "internal"] as const)
      if (spec.members !== undefined && !Array.isArray(spec.members)) return yield* Effect.fail(Input.invalid(w, "members", "must be an array"))
      const wanted: Array<{ ip: string; port: number }> = []
      for (const [i, m] of (spec.members ?? []).entries()) {
        yield* Input.object(w, `members[${i}]`, m)
        wanted.push({ ip: yield* validate.ip(w, `members[${i}].ip`, m.ip), port: yield* validate.port(w, `members[${i}].port`, m.port) })
        yield* Input.noWeight(w, `members[${i}].weight`, m.weight)
      }
      const instancePort = extra["instancePort"] === undefined
        ? wanted[0]?.port ?? port
        : yield* validate.port(w, "extra.instancePort", extra["instancePort"] as number)
      if (wanted.some((m) => m.port !== instancePort)) {
        return yield* Effect.fail(Input.invalid(w, "members", `every member of a Classic balancer gets traffic on one instance port (${instancePort})`))
      }
      if (typeof spec.algorithm !== "string" || !knownAlgorithms.has(spec.algorithm)) {
        return yield* Effect.fail(Input.invalid(w, "algorithm", `"${String(spec.algorithm)}" is not an algorithm`))
      }
      if (spec.algorithm !== algorithmFor(protocol)) {
        return yield* Effect.fail(new Unsupported({ ...w, capability: `algorithm ${spec.algorithm} with a ${protocol} listener` }))
      }
      if (subnets.length === 0 && (zones === undefined || zones.length === 0)) {
        return yield* Effect.fail(Input.invalid(w, "extra.subnets", "a Classic balancer needs subnets or availability zones"))
      }
      const found = yield* Effect.forEach(wanted, (m, i) =>
        Effect.catchTag(instanceAt(w, m.ip), "NotFound", () =>
          Effect.fail(Input.invalid(w, `members[${i}].ip`, `no EC2 instance has the address ${m.ip}`))))
      const ids = [...new Set(found.map((i) => i.instanceId))]
      const instanceProtocol = protocol === "https" ? "HTTP" : protocol === "ssl" ? "TCP" : protocol.toUpperCase()
      yield* client.call({
        action: "CreateLoadBalancer",
        params: [
          ["LoadBalancerName", name],
          ["Listeners.member.1.Protocol", protocol.toUpperCase()],
          ["Listeners.member.1.LoadBalancerPort", String(port)],
          ["Listeners.member.1.InstanceProtocol", instanceProtocol],
          ["Listeners.member.1.InstancePort", String(instancePort)],
          ...(typeof extra["certificateArn"] === "string" ? [["Listeners.member.1.SSLCertificateId", extra["certificateArn"]] as const] : []),
          ...members("Subnets", subnets),
          ...members("AvailabilityZones", (zones as ReadonlyArray<string> | undefined) ?? []),
          ...members("SecurityGroups", securityGroups),
          ...opt("Scheme", scheme)
        ],
        schema: Wire.CreateLoadBalancer,
        operation: w.operation,
        mapped: ["AlreadyExists"],
        targets: { balancer: name }
      })
      if (ids.length > 0) {
        yield* client.call({
          action: "RegisterInstancesWithLoadBalancer",
          params: [["LoadBalancerName", name], ...ids.flatMap((id, i) => [[`Instances.member.${i + 1}.InstanceId`, id] as const])],
          schema: Wire.RegisterInstances,
          operation: w.operation,
          idempotent: true
        })
      }
      return yield* describe(w, name).pipe(
        Effect.map(view),
        Effect.catchTag("NotFound", () =>
          Effect.fail(new ProviderError({ ...w, code: "LoadBalancerNotFound", detail: `${name} was created but is not described` })))
      )
    }).pipe(traced(provider, w.operation))
  }

  /**
   * The instance holding this address: Classic balancers register instances,
   * never addresses. A VPC may use a public range privately, so an address
   * not found where its range says is looked for as the other kind.
   */
  const instanceAt = (w: validate.Where, ip: string) => {
    const [likely, other] = isPrivate(ip) ? ["private-ip-address", "ip-address"] : ["ip-address", "private-ip-address"]
    return Effect.flatMap(instances(w, { ip, filter: likely }), (found) => found.length > 0 ? Effect.succeed(found) : instances(w, { ip, filter: other })).pipe(
      Effect.flatMap((found) => found[0] === undefined ? Effect.fail(new NotFound({ ...w, resource: "node", id: ip })) : Effect.succeed(found[0]))
    )
  }

  const updateBalancer = (ref: Ref, _spec: LoadBalancer.UpdateBalancerSpec) => {
    const w = where("updateBalancer")
    return Effect.flatMap(nameOf(w, ref), () => Effect.fail(new Unsupported({ ...w, capability: "lb.update" }))).pipe(traced(provider, w.operation))
  }

  const destroyBalancer = (ref: Ref) => {
    const w = where("destroyBalancer")
    return Effect.gen(function*() {
      const name = yield* nameOf(w, ref)
      // DeleteLoadBalancer succeeds for a balancer that is not there: only a look says NotFound.
      yield* describe(w, name)
      yield* client.call({
        action: "DeleteLoadBalancer",
        params: [["LoadBalancerName", name]],
        schema: Wire.acknowledged("DeleteLoadBalancer"),
        operation: w.operation,
        idempotent: true
      })
    }).pipe(traced(provider, w.operation))
  }

  const health = (w: validate.Where, name: string) =>
    Effect.map(
      client.call({
        action: "DescribeInstanceHealth",
        params: [["LoadBalancerName", name]],
        schema: Wire.DescribeInstanceHealth,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { balancer: name }
      }),
      (r) => r.InstanceStates
    )

  const listMembers = (ref: Ref) => {
    const w = where("listMembers")
    return Effect.gen(function*() {
      const name = yield* nameOf(w, ref)
      const lb = yield* describe(w, name)
      const ids = lb.Instances.map((i) => i.InstanceId)
      if (ids.length === 0) return []
      const states = new Map((yield* health(w, name)).map((s) => [s.InstanceId, s.State]))
      const found = new Map((yield* instances(w, { ids })).map((i) => [i.instanceId, i]))
      const port = lb.ListenerDescriptions[0]?.Listener.InstancePort ?? 0
      return ids.map((id) => memberView(name, id, addressOf(found.get(id)), port, states.get(id)))
    }).pipe(traced(provider, w.operation))
  }

  const register = (w: validate.Where, name: string, id: string, ip: string, port: number, nodeId: string | undefined) =>
    Effect.gen(function*() {
      const lb = yield* describe(w, name)
      const instancePort = lb.ListenerDescriptions[0]?.Listener.InstancePort
      if (instancePort !== undefined && port !== instancePort) {
        return yield* Effect.fail(Input.invalid(w, "port", `this Classic balancer sends traffic to instance port ${instancePort}`))
      }
      if (lb.Instances.some((i) => i.InstanceId === id)) return yield* Effect.fail(new AlreadyExists({ ...w, resource: "member", id }))
      yield* client.call({
        action: "RegisterInstancesWithLoadBalancer",
        params: [["LoadBalancerName", name], ["Instances.member.1.InstanceId", id]],
        schema: Wire.RegisterInstances,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { balancer: name, node: id }
      })
      return memberView(name, id, ip, port, undefined, nodeId)
    })

  const attachMember = (ref: Ref, member: LoadBalancer.MemberSpec) => {
    const w = where("attachMember")
    return Effect.gen(function*() {
      const name = yield* nameOf(w, ref)
      yield* Input.object(w, "member", member)
      const ip = yield* validate.ip(w, "member.ip", member.ip)
      const port = yield* validate.port(w, "member.port", member.port)
      yield* Input.noWeight(w, "member.weight", member.weight)
      yield* describe(w, name)
      const instance = yield* instanceAt(w, ip)
      return yield* register(w, name, instance.instanceId, addressOf(instance), port, undefined)
    }).pipe(traced(provider, w.operation))
  }

  const attachComputeNode = (ref: Ref, node: Node, port: number, options?: LoadBalancer.AttachNodeOptions) => {
    const w = where("attachComputeNode")
    return Effect.gen(function*() {
      const name = yield* nameOf(w, ref)
      yield* Input.object(w, "node", node)
      const nodeId = yield* validate.id(w, "node", node)
      if (!Array.isArray(node.publicIps) || !Array.isArray(node.privateIps)) {
        return yield* Effect.fail(Input.invalid(w, "node", "must be a Node with publicIps and privateIps"))
      }
      const o = (yield* Input.optionalObject(w, "options", options)) ?? {}
      const valid = yield* validate.port(w, "port", port)
      yield* Input.noWeight(w, "weight", o.weight)
      const spec = yield* memberSpecForNode(provider, node, valid, o)
      // An EC2 node is its instance (its addresses as it says them); any other node is found by its address.
      if (instanceId.test(nodeId)) return yield* register(w, name, nodeId, node.publicIps[0] ?? spec.ip, valid, nodeId)
      yield* describe(w, name)
      const instance = yield* instanceAt(w, spec.ip)
      return yield* register(w, name, instance.instanceId, addressOf(instance), valid, nodeId)
    }).pipe(traced(provider, w.operation))
  }

  const detachMember = (ref: Ref, member: Ref) => {
    const w = where("detachMember")
    return Effect.gen(function*() {
      const name = yield* nameOf(w, ref)
      const id = yield* validate.id(w, "member", member)
      const lb = yield* describe(w, name)
      if (!lb.Instances.some((i) => i.InstanceId === id)) return yield* Effect.fail(new NotFound({ ...w, resource: "member", id }))
      yield* client.call({
        action: "DeregisterInstancesFromLoadBalancer",
        params: [["LoadBalancerName", name], ["Instances.member.1.InstanceId", id]],
        schema: Wire.DeregisterInstances,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { balancer: name, node: id }
      })
    }).pipe(traced(provider, w.operation))
  }

  const loadBalancer: LoadBalancer.Service = {
    provider: info,
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

  const extraWhere = (name: string): validate.Where => ({ provider, operation: `Elb.${name}` })

  const elb: ElbService = {
    configureHealthCheck: (ref, check: HealthCheckSpec) => {
      const w = extraWhere("configureHealthCheck")
      return Effect.gen(function*() {
        const name = yield* nameOf(w, ref)
        yield* Input.object(w, "check", check)
        if (typeof check.target !== "string" || !/^(HTTP|HTTPS):\d{1,5}\/\S*$|^(TCP|SSL):\d{1,5}$/.test(check.target)) {
          return yield* Effect.fail(Input.invalid(w, "check.target", "must be like HTTP:80/path, HTTPS:443/path, TCP:5000 or SSL:443"))
        }
        const interval = yield* validate.positiveInt(w, "check.intervalSeconds", check.intervalSeconds, 300)
        const timeout = yield* validate.positiveInt(w, "check.timeoutSeconds", check.timeoutSeconds, 60)
        const healthy = yield* validate.positiveInt(w, "check.healthyThreshold", check.healthyThreshold, 10)
        const unhealthy = yield* validate.positiveInt(w, "check.unhealthyThreshold", check.unhealthyThreshold, 10)
        yield* client.call({
          action: "ConfigureHealthCheck",
          params: [
            ["LoadBalancerName", name],
            ["HealthCheck.Target", check.target],
            ["HealthCheck.Interval", String(interval)],
            ["HealthCheck.Timeout", String(timeout)],
            ["HealthCheck.HealthyThreshold", String(healthy)],
            ["HealthCheck.UnhealthyThreshold", String(unhealthy)]
          ],
          schema: Wire.ConfigureHealthCheck,
          operation: w.operation,
          idempotent: true,
          mapped: ["NotFound"],
          targets: { balancer: name }
        })
      }).pipe(traced(provider, w.operation))
    },
    instanceHealth: (ref) => {
      const w = extraWhere("instanceHealth")
      return Effect.flatMap(nameOf(w, ref), (name) =>
        Effect.map(health(w, name), (states) =>
          states.map((s) => ({ instanceId: s.InstanceId, state: s.State ?? "Unknown", reasonCode: s.ReasonCode, description: s.Description })))).pipe(
          traced(provider, w.operation)
        )
    }
  }

  return { loadBalancer, elb }
}
