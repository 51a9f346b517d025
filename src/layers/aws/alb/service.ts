/**
 * The portable LoadBalancer service and the ALB-only extras over the
 * Elastic Load Balancing v2 API. A cloudfx balancer is one Application Load
 * Balancer, one listener forwarding to one target group of target type "ip"
 * named like the balancer; members are that group's targets (ip:port).
 */
import { Effect, Schedule } from "effect"
import { AlreadyExists, NotFound, ProviderError, Unsupported } from "../../../schemas/Errors.js"
import { Algorithm as AlgorithmSchema, Balancer, type BalancerState, Member, type MemberState } from "../../../schemas/Models.js"
import type { Algorithm, Node } from "../../../schemas/Models.js"
import { type LoadBalancer, memberSpecForNode } from "../../../services/LoadBalancer.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { members, opt, type Params } from "../query/client.js"
import type { Client } from "../elb/client.js"
import * as Input from "../elb/input.js"
import type { AlbConfig } from "./config.js"
import type { AlbService, HealthCheckSpec } from "./types.js"
import * as Wire from "./wire.js"

export const protocols: ReadonlyArray<string> = ["http", "https"]

/**
 * `load_balancing.algorithm.type` ↔ the portable names. Least outstanding
 * requests picks the target with the fewest requests in flight, which for
 * HTTP is what least connections means; weighted_random is random choice
 * (its weights are ALB's own anomaly scores, not the user's).
 */
const algorithmToWire: Partial<Record<Algorithm, string>> = {
  roundRobin: "round_robin",
  leastConnections: "least_outstanding_requests",
  random: "weighted_random"
}
const algorithmFromWire = new Map(Object.entries(algorithmToWire).map(([k, v]) => [v, k as Algorithm]))
export const algorithms = Object.keys(algorithmToWire) as ReadonlyArray<Algorithm>
const ALGORITHM_KEY = "load_balancing.algorithm.type"
const knownAlgorithms = new Set<string>(AlgorithmSchema.literals)

const arnPattern = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/

const states: Record<string, BalancerState> = {
  active: "running",
  // Routing, but short of capacity to scale: it answers.
  active_impaired: "running",
  provisioning: "pending",
  failed: "error"
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
const memberStates: Record<string, MemberState> = {
  healthy: "up",
  unhealthy: "down",
  draining: "draining",
  initial: "unknown",
  unused: "unknown",
  unavailable: "unknown",
  "unhealthy.draining": "draining"
}

interface Front {
  readonly listener: Wire.Listener | undefined
  readonly targetGroupArn: string | undefined
}

/** The listener cloudfx manages: the first that forwards to a target group. */
const frontOf = (listeners: ReadonlyArray<Wire.Listener>): Front => {
  for (const l of listeners) {
    const forward = l.DefaultActions.find((a) => a.Type === "forward" && a.TargetGroupArn !== undefined)
    if (forward !== undefined) return { listener: l, targetGroupArn: forward.TargetGroupArn }
  }
  return { listener: listeners[0], targetGroupArn: undefined }
}

const memberId = (ip: string, port: number) => `${ip}:${port}`

export const makeServices = (client: Client, config: AlbConfig) => {
  const provider = client.provider
  const info = providerInfo(provider, ["lb.update"], client.region)
  const where = (name: string): validate.Where => ({ provider, operation: `LoadBalancer.${name}` })
  const resolved = client.resolved._tag === "Right" ? client.resolved.right : undefined

  const arnOf = (w: validate.Where, ref: Ref) =>
    Effect.flatMap(validate.id(w, "balancer", ref), (id) =>
      arnPattern.test(id) ? Effect.succeed(id) : Effect.fail(Input.invalid(w, "balancer", "must be an Application Load Balancer ARN")))

  const checkAlgorithm = (w: validate.Where, value: Algorithm) => {
    if (typeof value !== "string" || !knownAlgorithms.has(value)) {
      return Effect.fail(Input.invalid(w, "algorithm", `"${String(value)}" is not an algorithm`))
    }
    const wire = algorithmToWire[value]
    return wire === undefined ? Effect.fail(new Unsupported({ ...w, capability: `algorithm ${value}` })) : Effect.succeed(wire)
  }

  const checkProtocol = (w: validate.Where, value: string) => {
    const p = typeof value === "string" ? value.toLowerCase() : value
    return typeof p === "string" && protocols.includes(p)
      ? Effect.succeed(p)
      : Effect.fail(Input.invalid(w, "protocol", `"${String(value)}" is not one of ${protocols.join(", ")}`))
  }

  const checkMember = (w: validate.Where, field: string, m: LoadBalancer.MemberSpec) =>
    Effect.gen(function*() {
      yield* Input.object(w, field, m)
      const ip = yield* validate.ip(w, `${field}.ip`, m.ip)
      const port = yield* validate.port(w, `${field}.port`, m.port)
      yield* Input.noWeight(w, `${field}.weight`, m.weight)
      return { ip, port }
    })

  // ------------------------------------------------------------ reads

  const describe = (w: validate.Where, arn: string) =>
    Effect.flatMap(
      client.call({
        action: "DescribeLoadBalancers",
        params: members("LoadBalancerArns", [arn]),
        schema: Wire.DescribeLoadBalancers,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { balancer: arn }
      }),
      (r) => {
        const lb = r.LoadBalancers[0]
        return lb === undefined ? Effect.fail(new NotFound({ ...w, resource: "balancer", id: arn })) : Effect.succeed(lb)
      }
    )

  const listeners = (w: validate.Where, arn: string) =>
    client.all({
      action: "DescribeListeners",
      params: [["LoadBalancerArn", arn]],
      schema: Wire.DescribeListeners,
      operation: w.operation,
      mapped: ["NotFound"],
      targets: { balancer: arn },
      page: (r) => ({ items: r.Listeners, next: r.NextMarker })
    })

  const algorithmOf = (w: validate.Where, targetGroupArn: string | undefined) =>
    targetGroupArn === undefined ? Effect.succeed(undefined) : Effect.map(
      client.call({
        action: "DescribeTargetGroupAttributes",
        params: [["TargetGroupArn", targetGroupArn]],
        schema: Wire.DescribeTargetGroupAttributes,
        operation: w.operation,
        idempotent: true
      }),
      (r) => {
        const v = r.Attributes.find((a) => a.Key === ALGORITHM_KEY)?.Value
        return v === undefined ? undefined : algorithmFromWire.get(v)
      }
    )

  const view = (lb: Wire.LoadBalancer, front: Front, algorithm: Algorithm | undefined) =>
    new Balancer({
      id: lb.LoadBalancerArn,
      name: lb.LoadBalancerName,
      state: states[lb.State?.Code ?? ""] ?? "unknown",
      // An ALB has a DNS name, not a fixed address.
      port: front.listener?.Port ?? 0,
      protocol: (front.listener?.Protocol ?? "").toLowerCase(),
      ...(algorithm === undefined ? {} : { algorithm }),
      extra: {
        dnsName: lb.DNSName,
        canonicalHostedZoneId: lb.CanonicalHostedZoneId,
        state: lb.State?.Code,
        stateReason: lb.State?.Reason,
        scheme: lb.Scheme,
        vpcId: lb.VpcId,
        createdTime: lb.CreatedTime,
        securityGroups: lb.SecurityGroups,
        subnets: lb.AvailabilityZones.flatMap((z) => (z.SubnetId === undefined ? [] : [z.SubnetId])),
        listenerArn: front.listener?.ListenerArn,
        targetGroupArn: front.targetGroupArn
      }
    })

  const enrich = (w: validate.Where, lb: Wire.LoadBalancer) =>
    Effect.flatMap(listeners(w, lb.LoadBalancerArn), (ls) => {
      const front = frontOf(ls)
      return Effect.map(algorithmOf(w, front.targetGroupArn), (a) => view(lb, front, a))
    })

  const targetsOf = (w: validate.Where, targetGroupArn: string) =>
    Effect.map(
      client.call({
        action: "DescribeTargetHealth",
        params: [["TargetGroupArn", targetGroupArn]],
        schema: Wire.DescribeTargetHealth,
        operation: w.operation,
        idempotent: true
      }),
      // A deregistered target drains for the deregistration delay: it is no longer a member.
      (r) => r.TargetHealthDescriptions.filter((t) => !(t.TargetHealth?.State ?? "").includes("draining"))
    )

  const groupOf = (w: validate.Where, arn: string) =>
    Effect.flatMap(listeners(w, arn), (ls) => {
      const { targetGroupArn } = frontOf(ls)
      return targetGroupArn === undefined
        ? Effect.fail(new ProviderError({ ...w, code: "NoTargetGroup", detail: `balancer ${arn} has no listener forwarding to a target group` }))
        : Effect.succeed(targetGroupArn)
    })

  const memberView = (arn: string, t: Wire.TargetHealthDescription, nodeId?: string) =>
    new Member({
      id: memberId(t.Target.Id, t.Target.Port ?? 0),
      ip: t.Target.Id,
      port: t.Target.Port ?? 0,
      balancerId: arn,
      state: memberStates[t.TargetHealth?.State ?? ""] ?? "unknown",
      ...(nodeId === undefined ? {} : { nodeId }),
      extra: { health: t.TargetHealth?.State, reason: t.TargetHealth?.Reason, availabilityZone: t.Target.AvailabilityZone }
    })

  const targetParams = (targets: ReadonlyArray<{ readonly ip: string; readonly port: number }>): Params =>
    targets.flatMap((t, i) => [[`Targets.member.${i + 1}.Id`, t.ip] as const, [`Targets.member.${i + 1}.Port`, String(t.port)] as const])

  const register = (w: validate.Where, targetGroupArn: string, targets: ReadonlyArray<{ readonly ip: string; readonly port: number }>) =>
    client.call({
      action: "RegisterTargets",
      params: [["TargetGroupArn", targetGroupArn], ...targetParams(targets)],
      schema: Wire.acknowledged("RegisterTargets"),
      operation: w.operation,
      // Registering a registered target changes nothing.
      idempotent: true
    })

  const setAlgorithm = (w: validate.Where, targetGroupArn: string, wire: string) =>
    client.call({
      action: "ModifyTargetGroupAttributes",
      params: [["TargetGroupArn", targetGroupArn], ["Attributes.member.1.Key", ALGORITHM_KEY], ["Attributes.member.1.Value", wire]],
      schema: Wire.ModifyTargetGroupAttributes,
      operation: w.operation,
      idempotent: true
    })

  const deleteGroup = (w: validate.Where, targetGroupArn: string) =>
    client.call({
      action: "DeleteTargetGroup",
      params: [["TargetGroupArn", targetGroupArn]],
      schema: Wire.acknowledged("DeleteTargetGroup"),
      operation: w.operation,
      idempotent: true,
      mapped: ["Conflict"],
      targets: { targetGroup: targetGroupArn }
    }).pipe(
      // The group stays in use for a moment after its balancer's listeners go.
      Effect.retry({ while: (e) => e._tag === "Conflict", schedule: Schedule.spaced("1 second"), times: 10 })
    )

  const deleteBalancer = (w: validate.Where, arn: string) =>
    client.call({
      action: "DeleteLoadBalancer",
      params: [["LoadBalancerArn", arn]],
      schema: Wire.acknowledged("DeleteLoadBalancer"),
      operation: w.operation,
      idempotent: true
    })

  // ------------------------------------------------------------ balancers

  const listProtocols = () => Effect.succeed(protocols).pipe(traced(provider, "LoadBalancer.listProtocols"))
  const listAlgorithms = () => Effect.succeed(algorithms).pipe(traced(provider, "LoadBalancer.listAlgorithms"))

  const listBalancers = () => {
    const w = where("listBalancers")
    return client.all({
      action: "DescribeLoadBalancers",
      schema: Wire.DescribeLoadBalancers,
      operation: w.operation,
      page: (r) => ({ items: r.LoadBalancers, next: r.NextMarker })
    }).pipe(
      // Network and Gateway Load Balancers share the API but not the model.
      Effect.map((lbs) => lbs.filter((lb) => lb.Type === undefined || lb.Type === "application")),
      Effect.flatMap((lbs) =>
        Effect.forEach(lbs, (lb) =>
          // Gone between the two calls: no longer listed.
          Effect.catchTag(Effect.asSome(enrich(w, lb)), "NotFound", () => Effect.succeedNone), { concurrency: 4 })
      ),
      Effect.map((bs) => bs.flatMap((b) => (b._tag === "Some" ? [b.value] : []))),
      traced(provider, w.operation)
    )
  }

  const getBalancer = (ref: Ref) => {
    const w = where("getBalancer")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", arn)
      return yield* enrich(w, yield* describe(w, arn))
    }).pipe(traced(provider, w.operation))
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
      const scheme = (yield* Input.oneOf(w, extra, "scheme", ["internet-facing", "internal"] as const)) ?? config.scheme
      const certificate = extra["certificateArn"]
      if (certificate !== undefined && (typeof certificate !== "string" || !certificate.startsWith("arn:"))) {
        return yield* Effect.fail(Input.invalid(w, "extra.certificateArn", "must be a certificate ARN"))
      }
      if (protocol === "https" && certificate === undefined) {
        return yield* Effect.fail(Input.invalid(w, "extra.certificateArn", "an https listener needs a certificate ARN"))
      }
      if (spec.members !== undefined && !Array.isArray(spec.members)) return yield* Effect.fail(Input.invalid(w, "members", "must be an array"))
      const initial: Array<{ ip: string; port: number }> = []
      for (const [i, m] of (spec.members ?? []).entries()) {
        const valid = yield* checkMember(w, `members[${i}]`, m)
        if (initial.some((x) => x.ip === valid.ip && x.port === valid.port)) {
          return yield* Effect.fail(Input.invalid(w, `members[${i}]`, "the same ip:port is listed twice"))
        }
        initial.push(valid)
      }
      const algorithm = yield* checkAlgorithm(w, spec.algorithm)
      if (subnets.length === 0) {
        return yield* Effect.fail(Input.invalid(w, "extra.subnets", "an Application Load Balancer needs subnets (extra.subnets or config.subnets)"))
      }
      yield* Effect.annotateCurrentSpan("cloudfx.balancer.name", name)

      // CreateLoadBalancer is idempotent: the same name and settings answer the existing balancer, so look first.
      const taken = yield* client.call({
        action: "DescribeLoadBalancers",
        params: members("Names", [name]),
        schema: Wire.DescribeLoadBalancers,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"]
      }).pipe(Effect.map((r) => r.LoadBalancers.length > 0), Effect.catchTag("NotFound", () => Effect.succeed(false)))
      if (taken) return yield* Effect.fail(new AlreadyExists({ ...w, resource: "balancer", id: name }))

      const created = yield* client.call({
        action: "CreateLoadBalancer",
        params: [
          ["Name", name],
          ["Type", "application"],
          ...members("Subnets", subnets),
          ...members("SecurityGroups", securityGroups),
          ...opt("Scheme", scheme)
        ],
        schema: Wire.CreateLoadBalancer,
        operation: w.operation,
        idempotent: true,
        mapped: ["AlreadyExists"],
        targets: { balancer: name }
      })
      const lb = created.LoadBalancers[0]
      if (lb === undefined) {
        return yield* Effect.fail(new ProviderError({ ...w, code: "EmptyResult", detail: "CreateLoadBalancer answered no load balancer" }))
      }
      let groupArn: string | undefined
      const rest = Effect.gen(function*() {
        const group = yield* client.call({
          action: "CreateTargetGroup",
          params: [
            ["Name", name],
            ["Protocol", typeof extra["targetProtocol"] === "string" ? extra["targetProtocol"] : "HTTP"],
            ["Port", String(port)],
            ["TargetType", "ip"],
            ...opt("VpcId", lb.VpcId)
          ],
          schema: Wire.CreateTargetGroup,
          operation: w.operation,
          idempotent: true,
          mapped: ["AlreadyExists"],
          targets: { targetGroup: name }
        })
        const tg = group.TargetGroups[0]
        if (tg === undefined) {
          return yield* Effect.fail(new ProviderError({ ...w, code: "EmptyResult", detail: "CreateTargetGroup answered no target group" }))
        }
        // The same settings answer an existing group: one already serving a balancer is someone else's.
        if (tg.LoadBalancerArns.length > 0) {
          return yield* Effect.fail(
            new ProviderError({ ...w, code: "DuplicateTargetGroupName", detail: `target group ${name} already exists and is in use` })
          )
        }
        groupArn = tg.TargetGroupArn
        yield* setAlgorithm(w, tg.TargetGroupArn, algorithm)
        const listener = yield* client.call({
          action: "CreateListener",
          params: [
            ["LoadBalancerArn", lb.LoadBalancerArn],
            ["Protocol", protocol.toUpperCase()],
            ["Port", String(port)],
            ["DefaultActions.member.1.Type", "forward"],
            ["DefaultActions.member.1.TargetGroupArn", tg.TargetGroupArn],
            ...(typeof certificate === "string" ? [["Certificates.member.1.CertificateArn", certificate] as const] : [])
          ],
          schema: Wire.CreateListener,
          operation: w.operation,
          idempotent: true
        })
        if (initial.length > 0) yield* register(w, tg.TargetGroupArn, initial)
        return view(lb, { listener: listener.Listeners[0], targetGroupArn: tg.TargetGroupArn }, spec.algorithm)
      })
      // Half a balancer is worse than none: undo what was made (also when interrupted).
      return yield* Effect.onError(rest, () =>
        Effect.ignore(
          Effect.zipRight(
            deleteBalancer(w, lb.LoadBalancerArn),
            Effect.suspend(() => (groupArn === undefined ? Effect.void : deleteGroup(w, groupArn)))
          )
        ))
    }).pipe(traced(provider, w.operation))
  }

  const updateBalancer = (ref: Ref, spec: LoadBalancer.UpdateBalancerSpec) => {
    const w = where("updateBalancer")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      yield* Input.object(w, "spec", spec)
      const name = spec.name === undefined ? undefined : yield* Input.name(w, "name", spec.name)
      const port = spec.port === undefined ? undefined : yield* validate.port(w, "port", spec.port)
      const protocol = spec.protocol === undefined ? undefined : yield* checkProtocol(w, spec.protocol)
      const algorithm = spec.algorithm === undefined ? undefined : yield* checkAlgorithm(w, spec.algorithm)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", arn)
      const lb = yield* describe(w, arn)
      if (name !== undefined && name !== lb.LoadBalancerName) {
        return yield* Effect.fail(new Unsupported({ ...w, capability: "renaming an Application Load Balancer" }))
      }
      const front = frontOf(yield* listeners(w, arn))
      if (front.listener === undefined || front.targetGroupArn === undefined) {
        return yield* Effect.fail(new ProviderError({ ...w, code: "NoTargetGroup", detail: `balancer ${arn} has no listener forwarding to a target group` }))
      }
      if (protocol !== undefined && protocol !== (front.listener.Protocol ?? "").toLowerCase()) {
        // HTTP ↔ HTTPS changes certificates and policies, which have no portable form.
        return yield* Effect.fail(new Unsupported({ ...w, capability: "changing a listener's protocol" }))
      }
      if (algorithm !== undefined) yield* setAlgorithm(w, front.targetGroupArn, algorithm)
      let listener = front.listener
      if (port !== undefined && port !== listener.Port) {
        const modified = yield* client.call({
          action: "ModifyListener",
          params: [["ListenerArn", listener.ListenerArn], ["Port", String(port)]],
          schema: Wire.ModifyListener,
          operation: w.operation,
          idempotent: true
        })
        listener = modified.Listeners[0] ?? listener
      }
      const now = algorithm === undefined ? yield* algorithmOf(w, front.targetGroupArn) : spec.algorithm
      return view(lb, { listener, targetGroupArn: front.targetGroupArn }, now)
    }).pipe(traced(provider, w.operation))
  }

  const destroyBalancer = (ref: Ref) => {
    const w = where("destroyBalancer")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", arn)
      // DeleteLoadBalancer succeeds for a balancer that is not there: only a look says NotFound.
      const lb = yield* describe(w, arn)
      const ls = yield* listeners(w, arn)
      const forwarded = new Set(ls.flatMap((l) => l.DefaultActions.flatMap((a) => (a.TargetGroupArn === undefined ? [] : [a.TargetGroupArn]))))
      yield* deleteBalancer(w, arn)
      if (forwarded.size === 0) return
      // Only the group cloudfx made for it (named like the balancer); others may serve other balancers.
      const groups = yield* client.call({
        action: "DescribeTargetGroups",
        params: members("TargetGroupArns", [...forwarded]),
        schema: Wire.DescribeTargetGroups,
        operation: w.operation,
        idempotent: true
      })
      yield* Effect.forEach(
        groups.TargetGroups.filter((g) => g.TargetGroupName === lb.LoadBalancerName),
        (g) => Effect.catchTag(deleteGroup(w, g.TargetGroupArn), "Conflict", () => Effect.void),
        { discard: true }
      )
    }).pipe(traced(provider, w.operation))
  }

  // ------------------------------------------------------------ members

  const listMembers = (ref: Ref) => {
    const w = where("listMembers")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.balancer", arn)
      const { targetGroupArn } = frontOf(yield* listeners(w, arn))
      if (targetGroupArn === undefined) return []
      return (yield* targetsOf(w, targetGroupArn)).map((t) => memberView(arn, t))
    }).pipe(traced(provider, w.operation))
  }

  const addMember = (w: validate.Where, arn: string, m: { readonly ip: string; readonly port: number }, nodeId: string | undefined) =>
    Effect.gen(function*() {
      const group = yield* groupOf(w, arn)
      const present = yield* targetsOf(w, group)
      const id = memberId(m.ip, m.port)
      // RegisterTargets accepts a registered target again without a word: only a look finds the duplicate.
      if (present.some((t) => t.Target.Id === m.ip && t.Target.Port === m.port)) {
        return yield* Effect.fail(new AlreadyExists({ ...w, resource: "member", id }))
      }
      yield* register(w, group, [m])
      return memberView(arn, { Target: { Id: m.ip, Port: m.port, AvailabilityZone: undefined }, HealthCheckPort: undefined, TargetHealth: { State: "initial", Reason: "Elb.RegistrationInProgress", Description: undefined } }, nodeId)
    })

  const attachMember = (ref: Ref, member: LoadBalancer.MemberSpec) => {
    const w = where("attachMember")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      const valid = yield* checkMember(w, "member", member)
      yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": arn, "cloudfx.member": memberId(valid.ip, valid.port) })
      return yield* addMember(w, arn, valid, undefined)
    }).pipe(traced(provider, w.operation))
  }

  const attachComputeNode = (ref: Ref, node: Node, port: number, options?: LoadBalancer.AttachNodeOptions) => {
    const w = where("attachComputeNode")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      yield* Input.object(w, "node", node)
      const nodeId = yield* validate.id(w, "node", node)
      if (!Array.isArray(node.publicIps) || !Array.isArray(node.privateIps)) {
        return yield* Effect.fail(Input.invalid(w, "node", "must be a Node with publicIps and privateIps"))
      }
      const o = (yield* Input.optionalObject(w, "options", options)) ?? {}
      const valid = yield* validate.port(w, "port", port)
      yield* Input.noWeight(w, "weight", o.weight)
      const spec = yield* memberSpecForNode(provider, node, valid, o)
      const ip = yield* validate.ip(w, "node", spec.ip)
      yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": arn, "cloudfx.node": nodeId })
      return yield* addMember(w, arn, { ip, port: spec.port }, nodeId)
    }).pipe(traced(provider, w.operation))
  }

  const detachMember = (ref: Ref, member: Ref) => {
    const w = where("detachMember")
    return Effect.gen(function*() {
      const arn = yield* arnOf(w, ref)
      const id = yield* validate.id(w, "member", member)
      const at = id.lastIndexOf(":")
      const ip = id.slice(0, at)
      const port = Number(id.slice(at + 1))
      if (at <= 0 || !Number.isSafeInteger(port)) return yield* Effect.fail(Input.invalid(w, "member", "must be a member id \"ip:port\""))
      yield* Effect.annotateCurrentSpan({ "cloudfx.balancer": arn, "cloudfx.member": id })
      const group = yield* groupOf(w, arn)
      const present = yield* targetsOf(w, group)
      if (!present.some((t) => t.Target.Id === ip && t.Target.Port === port)) {
        return yield* Effect.fail(new NotFound({ ...w, resource: "member", id }))
      }
      yield* client.call({
        action: "DeregisterTargets",
        params: [["TargetGroupArn", group], ...targetParams([{ ip, port }])],
        schema: Wire.acknowledged("DeregisterTargets"),
        operation: w.operation,
        idempotent: true
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

  // ------------------------------------------------------------ extras

  const extraWhere = (name: string): validate.Where => ({ provider, operation: `Alb.${name}` })

  const alb: AlbService = {
    listListeners: (ref) => {
      const w = extraWhere("listListeners")
      return Effect.flatMap(arnOf(w, ref), (arn) =>
        Effect.map(listeners(w, arn), (ls) =>
          ls.map((l) => ({
            arn: l.ListenerArn,
            port: l.Port ?? 0,
            protocol: (l.Protocol ?? "").toLowerCase(),
            targetGroupArns: l.DefaultActions.flatMap((a) => (a.TargetGroupArn === undefined ? [] : [a.TargetGroupArn]))
          })))).pipe(traced(provider, w.operation))
    },
    targetGroup: (ref) => {
      const w = extraWhere("targetGroup")
      return Effect.gen(function*() {
        const arn = yield* arnOf(w, ref)
        const group = yield* groupOf(w, arn)
        const r = yield* client.call({
          action: "DescribeTargetGroups",
          params: members("TargetGroupArns", [group]),
          schema: Wire.DescribeTargetGroups,
          operation: w.operation,
          idempotent: true,
          mapped: ["NotFound"],
          targets: { targetGroup: group }
        })
        const tg = r.TargetGroups[0]
        if (tg === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "targetGroup", id: group }))
        return {
          arn: tg.TargetGroupArn,
          name: tg.TargetGroupName,
          protocol: tg.Protocol,
          port: tg.Port,
          vpcId: tg.VpcId,
          targetType: tg.TargetType,
          healthCheckProtocol: tg.HealthCheckProtocol,
          healthCheckPath: tg.HealthCheckPath
        }
      }).pipe(traced(provider, w.operation))
    },
    configureHealthCheck: (ref, check: HealthCheckSpec) => {
      const w = extraWhere("configureHealthCheck")
      return Effect.gen(function*() {
        const arn = yield* arnOf(w, ref)
        yield* Input.object(w, "check", check)
        const seconds = (field: keyof HealthCheckSpec, max: number) => {
          const v = check[field]
          return v === undefined ? Effect.succeed(undefined) : validate.positiveInt(w, `check.${field}`, v as number, max)
        }
        const interval = yield* seconds("intervalSeconds", 300)
        const timeout = yield* seconds("timeoutSeconds", 120)
        const healthy = yield* seconds("healthyThreshold", 10)
        const unhealthy = yield* seconds("unhealthyThreshold", 10)
        if (check.path !== undefined && (typeof check.path !== "string" || !check.path.startsWith("/"))) {
          return yield* Effect.fail(Input.invalid(w, "check.path", "must start with /"))
        }
        if (check.protocol !== undefined && !["http", "https"].includes(check.protocol)) {
          return yield* Effect.fail(Input.invalid(w, "check.protocol", "must be http or https"))
        }
        const group = yield* groupOf(w, arn)
        yield* client.call({
          action: "ModifyTargetGroup",
          params: [
            ["TargetGroupArn", group],
            ...opt("HealthCheckProtocol", check.protocol?.toUpperCase()),
            ...opt("HealthCheckPath", check.path),
            ...opt("HealthCheckPort", check.port),
            ...opt("HealthCheckIntervalSeconds", interval),
            ...opt("HealthCheckTimeoutSeconds", timeout),
            ...opt("HealthyThresholdCount", healthy),
            ...opt("UnhealthyThresholdCount", unhealthy),
            ...opt("Matcher.HttpCode", check.matcher)
          ],
          schema: Wire.acknowledged("ModifyTargetGroup"),
          operation: w.operation,
          idempotent: true,
          mapped: ["NotFound"],
          targets: { targetGroup: group }
        })
      }).pipe(traced(provider, w.operation))
    }
  }

  return { loadBalancer, alb }
}
