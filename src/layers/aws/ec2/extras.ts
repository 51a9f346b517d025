/**
 * The `Ec2.Ec2` service: Elastic IPs, security groups, generated key pairs,
 * regions, and instance listings by EC2 state.
 */
import { Effect } from "effect"
import { InvalidInput, MalformedResponse, NotFound } from "../../../schemas/Errors.js"
import type { ProviderInfo } from "../../../services/ProviderInfo.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { idAction } from "./actions.js"
import { type Client, filters, opt, type Params, tagSpecification } from "./client.js"
import { instances } from "./instances.js"
import * as Ids from "./ids.js"
import * as To from "./mapping.js"
import type { ElasticIp, Ec2Service, IngressRule, InstanceState, SecurityGroup } from "./types.js"
import * as Wire from "./wire.js"

const instanceStates: ReadonlySet<string> = new Set<InstanceState>([
  "pending",
  "running",
  "shutting-down",
  "terminated",
  "stopping",
  "stopped"
])

const ipv4Cidr = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/
const ipv6Cidr = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/
const protocols = /^(?:tcp|udp|icmp|icmpv6|-1|\d{1,3})$/

const present = (s: string | undefined) => (s === undefined || s === "" ? undefined : s)

const elasticIp = (a: typeof Wire.Address.Type): ElasticIp | undefined => {
  const id = present(a.allocationId)
  const publicIp = present(a.publicIp)
  if (id === undefined || publicIp === undefined) return undefined
  const associationId = present(a.associationId)
  const instanceId = present(a.instanceId)
  const networkInterfaceId = present(a.networkInterfaceId)
  const privateIp = present(a.privateIpAddress)
  const domain = present(a.domain)
  return {
    id,
    publicIp,
    ...(domain === undefined ? {} : { domain }),
    ...(associationId === undefined ? {} : { associationId }),
    ...(instanceId === undefined ? {} : { instanceId }),
    ...(networkInterfaceId === undefined ? {} : { networkInterfaceId }),
    ...(privateIp === undefined ? {} : { privateIp }),
    tags: To.tagsOf(a.tagSet)
  }
}

const rule = (p: Wire.IpPermission): IngressRule => {
  const description = p.ipRanges[0]?.description ?? p.ipv6Ranges[0]?.description ?? p.groups[0]?.description
  const sourceGroups = p.groups.map((g) => g.groupId).filter((g): g is string => g !== undefined && g !== "")
  return {
    protocol: p.ipProtocol,
    ...(p.fromPort === undefined ? {} : { fromPort: p.fromPort }),
    ...(p.toPort === undefined ? {} : { toPort: p.toPort }),
    ...(p.ipRanges.length === 0 ? {} : { cidrs: p.ipRanges.map((r) => r.cidrIp) }),
    ...(p.ipv6Ranges.length === 0 ? {} : { ipv6Cidrs: p.ipv6Ranges.map((r) => r.cidrIpv6) }),
    ...(sourceGroups.length === 0 ? {} : { sourceGroups }),
    ...(present(description) === undefined ? {} : { description: description! })
  }
}

const securityGroup = (g: typeof Wire.SecurityGroup.Type): SecurityGroup => {
  const description = present(g.groupDescription)
  const vpcId = present(g.vpcId)
  const ownerId = present(g.ownerId)
  return {
    id: g.groupId,
    name: g.groupName,
    ...(description === undefined ? {} : { description }),
    ...(vpcId === undefined ? {} : { vpcId }),
    ...(ownerId === undefined ? {} : { ownerId }),
    ingress: g.ipPermissions.map(rule),
    egress: g.ipPermissionsEgress.map(rule),
    tags: To.tagsOf(g.tagSet)
  }
}

export const makeExtras = (client: Client, info: ProviderInfo): Ec2Service => {
  const provider = client.provider
  const where = (op: string): validate.Where => ({ provider, operation: `Ec2.${op}` })
  const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
  const inst = instances(client)

  const listNodes: Ec2Service["listNodes"] = (options) => {
    const w = where("listNodes")
    return Effect.gen(function*() {
      const entries: Array<readonly [string, ReadonlyArray<string>]> = []
      if (options?.ids !== undefined) {
        const ids = yield* Effect.forEach(options.ids, (r) => Ids.id(w, "node", r, "ids"))
        if (ids.length === 0) return []
        entries.push(["instance-id", ids])
      }
      if (options?.states !== undefined) {
        const bad = options.states.find((s) => !instanceStates.has(s))
        if (bad !== undefined) return yield* Effect.fail(invalid(w, "states", `"${String(bad).slice(0, 40)}" is not an EC2 instance state`))
        if (options.states.length === 0) return []
        entries.push(["instance-state-name", options.states])
      }
      return (yield* inst.describe(w.operation, filters(entries))).map((i) => To.node(i))
    }).pipe(traced(provider, w.operation))
  }

  const listRegions: Ec2Service["listRegions"] = () =>
    client.call({ action: "DescribeRegions", schema: Wire.DescribeRegions, operation: "Ec2.listRegions", idempotent: true }).pipe(
      Effect.map((a) =>
        a.regionInfo.map((r) => {
          const endpoint = present(r.regionEndpoint)
          const optInStatus = present(r.optInStatus)
          return {
            name: r.regionName,
            ...(endpoint === undefined ? {} : { endpoint }),
            ...(optInStatus === undefined ? {} : { optInStatus })
          }
        })
      )
    )

  const createKeyPair: Ec2Service["createKeyPair"] = (name, options) => {
    const w = where("createKeyPair")
    return Effect.gen(function*() {
      const keyName = yield* validate.name(w, "name", name, 255)
      if (!/^[\x20-\x7e]+$/.test(keyName)) return yield* Effect.fail(invalid(w, "name", "EC2 key pair names are printable ASCII"))
      const keyType = options?.keyType
      if (keyType !== undefined && keyType !== "rsa" && keyType !== "ed25519") {
        return yield* Effect.fail(invalid(w, "keyType", "must be \"rsa\" or \"ed25519\""))
      }
      const answer = yield* client.call({
        action: "CreateKeyPair",
        params: [["KeyName", keyName], ...opt("KeyType", keyType), ["KeyFormat", "pem"]],
        schema: Wire.CreateKeyPair,
        operation: w.operation,
        mapped: ["AlreadyExists"],
        targets: { keyPair: keyName }
      })
      return To.keyPair({ ...answer, ...(keyType === undefined ? {} : { keyType }) }, answer.keyMaterial)
    })
  }

  // -------------------------------------------------------------- Elastic IPs

  const listAddresses: Ec2Service["listAddresses"] = () =>
    client.call({ action: "DescribeAddresses", schema: Wire.DescribeAddresses, operation: "Ec2.listAddresses", idempotent: true }).pipe(
      Effect.map((a) => a.addressesSet.flatMap((x) => elasticIp(x) ?? []))
    )

  const allocateAddress: Ec2Service["allocateAddress"] = (options) => {
    const w = where("allocateAddress")
    return Effect.gen(function*() {
      for (const [k, v] of Object.entries(options?.tags ?? {})) {
        if (k === "" || typeof v !== "string") return yield* Effect.fail(invalid(w, `tags.${k}`, "tags are non-empty keys with string values"))
      }
      const answer = yield* client.call({
        action: "AllocateAddress",
        params: [["Domain", "vpc"], ...tagSpecification("elastic-ip", options?.tags ?? {})],
        schema: Wire.AllocateAddress,
        operation: w.operation
      })
      const id = present(answer.allocationId)
      if (id === undefined) return yield* Effect.fail(new MalformedResponse({ ...w, reason: "AllocateAddress answered without an allocationId" }))
      const domain = present(answer.domain)
      return { id, publicIp: answer.publicIp, ...(domain === undefined ? {} : { domain }), tags: { ...options?.tags } }
    })
  }

  const associateAddress: Ec2Service["associateAddress"] = (address, node, options) => {
    const w = where("associateAddress")
    return Effect.gen(function*() {
      const allocationId = yield* Ids.id(w, "address", address)
      const instanceId = yield* Ids.id(w, "node", node)
      const answer = yield* client.call({
        action: "AssociateAddress",
        params: [
          ["AllocationId", allocationId],
          ["InstanceId", instanceId],
          ...opt("AllowReassociation", options?.allowReassociation)
        ],
        schema: Wire.AssociateAddress,
        operation: w.operation,
        mapped: ["NotFound", "Conflict"],
        targets: { address: allocationId, node: instanceId }
      })
      const associationId = present(answer.associationId)
      if (associationId === undefined) {
        return yield* Effect.fail(new MalformedResponse({ ...w, reason: "AssociateAddress answered without an associationId" }))
      }
      return associationId
    })
  }

  const disassociateAddress: Ec2Service["disassociateAddress"] = idAction(client, {
    operation: "Ec2.disassociateAddress",
    action: "DisassociateAddress",
    param: "AssociationId",
    kind: "association",
    resource: "association",
    mapped: ["NotFound"]
  })

  const releaseAddress: Ec2Service["releaseAddress"] = idAction(client, {
    operation: "Ec2.releaseAddress",
    action: "ReleaseAddress",
    param: "AllocationId",
    kind: "address",
    resource: "address",
    mapped: ["NotFound", "Conflict"]
  })

  // -------------------------------------------------------------- security groups

  const listSecurityGroups: Ec2Service["listSecurityGroups"] = () =>
    client.all({
      action: "DescribeSecurityGroups",
      schema: Wire.DescribeSecurityGroups,
      operation: "Ec2.listSecurityGroups",
      maxPage: 1000,
      page: (a) => ({ items: a.securityGroupInfo, next: a.nextToken })
    }).pipe(Effect.map((gs) => gs.map(securityGroup)), traced(provider, "Ec2.listSecurityGroups"))

  const text = (w: validate.Where, field: string, value: string) =>
    Effect.flatMap(validate.name(w, field, value, 255), (v) =>
      /^[\x20-\x7e]+$/.test(v) ? Effect.succeed(v) : Effect.fail(invalid(w, field, "must be printable ASCII")))

  const createSecurityGroup: Ec2Service["createSecurityGroup"] = (group) => {
    const w = where("createSecurityGroup")
    return Effect.gen(function*() {
      const name = yield* text(w, "name", group?.name)
      if (/^sg-/i.test(name)) return yield* Effect.fail(invalid(w, "name", "cannot start with \"sg-\""))
      const description = yield* text(w, "description", group.description ?? name)
      if (group.vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(group.vpcId)) {
        return yield* Effect.fail(invalid(w, "vpcId", "is not a VPC id (vpc-…)"))
      }
      const answer = yield* client.call({
        action: "CreateSecurityGroup",
        params: [["GroupName", name], ["GroupDescription", description], ...opt("VpcId", group.vpcId)],
        schema: Wire.CreateSecurityGroup,
        operation: w.operation,
        mapped: ["AlreadyExists", "NotFound"],
        targets: { securityGroup: name, ...(group.vpcId === undefined ? {} : { vpc: group.vpcId }) }
      })
      return {
        id: answer.groupId,
        name,
        description,
        ...(group.vpcId === undefined ? {} : { vpcId: group.vpcId }),
        // EC2 adds its default egress rule; listSecurityGroups shows it.
        ingress: [],
        egress: [],
        tags: {}
      }
    })
  }

  const permissions = (w: validate.Where, rules: ReadonlyArray<IngressRule>): Effect.Effect<Params, InvalidInput> =>
    Effect.gen(function*() {
      if (rules === undefined || rules === null || typeof rules.length !== "number" || rules.length === 0) return yield* Effect.fail(invalid(w, "rules", "must name at least one rule"))
      const out: Array<readonly [string, string]> = []
      for (const [i, r] of rules.entries()) {
        const field = `rules[${i}]`
        const p = `IpPermissions.${i + 1}`
        if (typeof r?.protocol !== "string" || !protocols.test(r.protocol)) {
          return yield* Effect.fail(invalid(w, `${field}.protocol`, "must be tcp, udp, icmp, icmpv6, -1 (all) or a protocol number"))
        }
        const ranged = r.protocol === "tcp" || r.protocol === "udp"
        for (const end of ["fromPort", "toPort"] as const) {
          const v = r[end]
          if (ranged && v === undefined) return yield* Effect.fail(invalid(w, `${field}.${end}`, `is required for ${r.protocol}`))
          const [lo, hi] = ranged ? [0, 65535] : [-1, 255]
          if (v !== undefined && (!Number.isSafeInteger(v) || v < lo || v > hi)) {
            return yield* Effect.fail(invalid(w, `${field}.${end}`, `must be a whole number from ${lo} to ${hi}`))
          }
        }
        if (ranged && r.fromPort! > r.toPort!) return yield* Effect.fail(invalid(w, `${field}.fromPort`, "must not exceed toPort"))
        const cidrs = r.cidrs ?? []
        const ipv6 = r.ipv6Cidrs ?? []
        const groups = r.sourceGroups ?? []
        if (cidrs.length + ipv6.length + groups.length === 0) {
          return yield* Effect.fail(invalid(w, field, "must admit at least one CIDR or source group"))
        }
        const bad = cidrs.find((c) => !ipv4Cidr.test(c)) ?? ipv6.find((c) => !ipv6Cidr.test(c))
        if (bad !== undefined) return yield* Effect.fail(invalid(w, `${field}.cidrs`, `"${String(bad).slice(0, 60)}" is not a CIDR block`))
        const badGroup = groups.find((g) => !Ids.isId("securityGroup", g))
        if (badGroup !== undefined) return yield* Effect.fail(invalid(w, `${field}.sourceGroups`, `"${String(badGroup).slice(0, 60)}" is not a security group id`))
        if (r.description !== undefined && (typeof r.description !== "string" || !/^[\x20-\x7e]{0,255}$/.test(r.description))) {
          return yield* Effect.fail(invalid(w, `${field}.description`, "must be at most 255 printable ASCII characters"))
        }
        out.push(
          [`${p}.IpProtocol`, r.protocol],
          ...opt(`${p}.FromPort`, r.fromPort),
          ...opt(`${p}.ToPort`, r.toPort),
          ...cidrs.flatMap((c, j) => [[`${p}.IpRanges.${j + 1}.CidrIp`, c] as const, ...opt(`${p}.IpRanges.${j + 1}.Description`, r.description)]),
          ...ipv6.flatMap((c, j) => [[`${p}.Ipv6Ranges.${j + 1}.CidrIpv6`, c] as const, ...opt(`${p}.Ipv6Ranges.${j + 1}.Description`, r.description)]),
          ...groups.flatMap((g, j) => [[`${p}.Groups.${j + 1}.GroupId`, g] as const, ...opt(`${p}.Groups.${j + 1}.Description`, r.description)])
        )
      }
      return out
    })

  const authorizeIngress: Ec2Service["authorizeIngress"] = (group, rules) => {
    const w = where("authorizeIngress")
    return Effect.gen(function*() {
      const groupId = yield* Ids.id(w, "securityGroup", group, "group")
      const params = yield* permissions(w, rules)
      yield* client.call({
        action: "AuthorizeSecurityGroupIngress",
        params: [["GroupId", groupId], ...params],
        schema: Wire.Returned("AuthorizeSecurityGroupIngressResponse"),
        operation: w.operation,
        mapped: ["NotFound", "AlreadyExists"],
        targets: { securityGroup: groupId, rule: groupId }
      })
    })
  }

  const revokeIngress: Ec2Service["revokeIngress"] = (group, rules) => {
    const w = where("revokeIngress")
    return Effect.gen(function*() {
      const groupId = yield* Ids.id(w, "securityGroup", group, "group")
      const params = yield* permissions(w, rules)
      const answer = yield* client.call({
        action: "RevokeSecurityGroupIngress",
        params: [["GroupId", groupId], ...params],
        schema: Wire.RevokeSecurityGroupIngress,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { securityGroup: groupId, rule: groupId }
      })
      // EC2 answers "true" and lists the rules it did not find, rather than failing.
      if (answer.unknownIpPermissionSet.length > 0) {
        const r = rule(answer.unknownIpPermissionSet[0]!)
        return yield* Effect.fail(
          new NotFound({ ...w, resource: "rule", id: `${groupId} ${r.protocol} ${r.fromPort ?? ""}-${r.toPort ?? ""}` })
        )
      }
    })
  }

  const deleteSecurityGroup: Ec2Service["deleteSecurityGroup"] = idAction(client, {
    operation: "Ec2.deleteSecurityGroup",
    action: "DeleteSecurityGroup",
    param: "GroupId",
    kind: "securityGroup",
    field: "group",
    resource: "securityGroup",
    mapped: ["NotFound", "Conflict"]
  })

  return {
    provider: info,
    region: client.region,
    endpoint: client.endpoint,
    listNodes,
    listRegions,
    createKeyPair,
    listAddresses,
    allocateAddress,
    associateAddress,
    disassociateAddress,
    releaseAddress,
    listSecurityGroups,
    createSecurityGroup,
    authorizeIngress,
    revokeIngress,
    deleteSecurityGroup
  }
}
