/**
 * What GCE has beyond the portable Compute API (libcloud's `ex_` methods),
 * provided by the same layer as the `Gce.Gce` tag: firewall rules, static
 * external addresses (to pin a node's public IP: `createNode` with
 * `extra.natIP`), and resolving an image family to its newest image.
 */
import { Effect } from "effect"
import { InvalidInput, type AlreadyExists, type Conflict, type NotFound, type ProviderFailure } from "../../../schemas/Errors.js"
import type { NodeImage } from "../../../schemas/Models.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { type Core, get, list, mutate, where } from "./client.js"
import { DEFAULT_NETWORK } from "./config.js"
import { only } from "./errors.js"
import { toImage } from "./mapping.js"
import * as names from "./names.js"
import { Address, AddressList, Firewall as FirewallWire, FirewallList, Image } from "./wire.js"

export interface FirewallRule {
  /** "tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all", or an IP protocol number. */
  readonly protocol: string
  /** "22", "8000-8100"; none for every port. */
  readonly ports?: ReadonlyArray<string>
}

export interface Firewall {
  readonly id: string
  readonly name: string
  readonly network: string | undefined
  readonly direction: "INGRESS" | "EGRESS" | undefined
  readonly priority: number | undefined
  readonly sourceRanges: ReadonlyArray<string>
  readonly destinationRanges: ReadonlyArray<string>
  readonly sourceTags: ReadonlyArray<string>
  readonly targetTags: ReadonlyArray<string>
  readonly allowed: ReadonlyArray<FirewallRule>
  readonly denied: ReadonlyArray<FirewallRule>
  readonly disabled: boolean
  readonly description: string | undefined
}

export interface FirewallSpec {
  readonly name: string
  /** A network name or URL; default the layer's network. */
  readonly network?: string
  /** Default "INGRESS". */
  readonly direction?: "INGRESS" | "EGRESS"
  /** 0 (highest) to 65535; GCE's default is 1000. */
  readonly priority?: number
  readonly sourceRanges?: ReadonlyArray<string>
  readonly destinationRanges?: ReadonlyArray<string>
  readonly sourceTags?: ReadonlyArray<string>
  /** Network tags of the instances the rule applies to (`createNode` `extra.tags`); none for all. */
  readonly targetTags?: ReadonlyArray<string>
  /** Exactly one of `allowed` and `denied`. */
  readonly allowed?: ReadonlyArray<FirewallRule>
  readonly denied?: ReadonlyArray<FirewallRule>
  readonly description?: string
}

export interface StaticAddress {
  readonly id: string
  readonly name: string
  readonly address: string | undefined
  /** RESERVING, RESERVED (free) or IN_USE. */
  readonly status: string | undefined
  readonly region: string | undefined
  /** Ids of the instances using it. */
  readonly users: ReadonlyArray<string>
  readonly description: string | undefined
}

export interface AddressSpec {
  readonly name: string
  /** Default the layer's region (its zone's). */
  readonly region?: string
  readonly description?: string
}

export interface GceService {
  readonly listFirewalls: () => Effect.Effect<ReadonlyArray<Firewall>, ProviderFailure>
  readonly createFirewall: (spec: FirewallSpec) => Effect.Effect<Firewall, AlreadyExists | InvalidInput | ProviderFailure>
  readonly deleteFirewall: (name: string) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  readonly listAddresses: (options?: { readonly region?: string }) => Effect.Effect<ReadonlyArray<StaticAddress>, InvalidInput | ProviderFailure>
  readonly reserveAddress: (spec: AddressSpec) => Effect.Effect<StaticAddress, AlreadyExists | InvalidInput | ProviderFailure>
  /** Conflict while an instance uses it. */
  readonly releaseAddress: (name: string, options?: { readonly region?: string }) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
  /** The newest non-deprecated image of a family ("debian-cloud", "debian-12"). */
  readonly imageFromFamily: (project: string, family: string) => Effect.Effect<NodeImage, NotFound | InvalidInput | ProviderFailure>
}

const protocols = /^(tcp|udp|icmp|esp|ah|sctp|ipip|all|\d{1,3})$/
const portRange = /^\d{1,5}(-\d{1,5})?$/
const cidr = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/

const toFirewall = (f: typeof FirewallWire.Type): Firewall => ({
  id: f.name,
  name: f.name,
  network: names.lastSegment(f.network),
  direction: f.direction === "INGRESS" || f.direction === "EGRESS" ? f.direction : undefined,
  priority: f.priority,
  sourceRanges: f.sourceRanges ?? [],
  destinationRanges: f.destinationRanges ?? [],
  sourceTags: f.sourceTags ?? [],
  targetTags: f.targetTags ?? [],
  allowed: (f.allowed ?? []).map((r) => ({ protocol: r.IPProtocol, ...(r.ports === undefined ? {} : { ports: r.ports }) })),
  denied: (f.denied ?? []).map((r) => ({ protocol: r.IPProtocol, ...(r.ports === undefined ? {} : { ports: r.ports }) })),
  disabled: f.disabled ?? false,
  description: f.description
})

const toAddress = (defaultZone: string) => (a: typeof Address.Type): StaticAddress => ({
  id: a.name,
  name: a.name,
  address: a.address,
  status: a.status,
  region: names.lastSegment(a.region),
  users: (a.users ?? []).map((u) => names.zonalIdFromUrl(defaultZone, u) ?? u),
  description: a.description
})

export const makeGce = (core: Core): GceService => {
  const { project } = core
  const w = (operation: string) => where(core, operation)
  const op = (name: string) => `Gce.${name}`
  const nameOf = (operation: string, field: string, value: string) =>
    Effect.flatMap(validate.name(w(operation), field, value), (n) => names.resourceName(w(operation), field, n))
  const regionOf = (operation: string, region: string | undefined) =>
    region === undefined ? Effect.succeed(core.region) : nameOf(operation, "region", region)

  const rules = (operation: string, field: string, value: ReadonlyArray<FirewallRule> | undefined) =>
    Effect.forEach(value ?? [], (r, i) => {
      if (typeof r?.protocol !== "string" || !protocols.test(r.protocol)) {
        return Effect.fail(new InvalidInput({ ...w(operation), field: `${field}[${i}].protocol`, reason: "must be tcp, udp, icmp, esp, ah, sctp, ipip, all or a protocol number" }))
      }
      if (r.ports !== undefined && !(Array.isArray(r.ports) && r.ports.every((p) => typeof p === "string" && portRange.test(p)))) {
        return Effect.fail(new InvalidInput({ ...w(operation), field: `${field}[${i}].ports`, reason: "must be ports or ranges: \"22\", \"8000-8100\"" }))
      }
      return Effect.succeed({ IPProtocol: r.protocol, ...(r.ports === undefined ? {} : { ports: r.ports }) })
    })

  const strings = (operation: string, field: string, value: ReadonlyArray<string> | undefined, pattern: RegExp) =>
    value === undefined || (Array.isArray(value) && value.every((v) => typeof v === "string" && pattern.test(v)))
      ? Effect.succeed(value)
      : Effect.fail(new InvalidInput({ ...w(operation), field, reason: "has an invalid entry" }))

  const listFirewalls: GceService["listFirewalls"] = () => {
    const operation = op("listFirewalls")
    return list(core, names.paths.firewalls(project), { operation }, FirewallList, (page) => page.items ?? []).pipe(
      Effect.map((items) => items.map(toFirewall)),
      only(),
      traced(core.provider, operation)
    )
  }

  const createFirewall: GceService["createFirewall"] = (spec) => {
    const operation = op("createFirewall")
    return Effect.gen(function*() {
      const name = yield* nameOf(operation, "name", spec.name)
      if ((spec.allowed === undefined) === (spec.denied === undefined)) {
        return yield* new InvalidInput({ ...w(operation), field: "allowed", reason: "give exactly one of allowed and denied" })
      }
      const allowed = spec.allowed === undefined ? undefined : yield* rules(operation, "allowed", spec.allowed)
      const denied = spec.denied === undefined ? undefined : yield* rules(operation, "denied", spec.denied)
      if (spec.direction !== undefined && spec.direction !== "INGRESS" && spec.direction !== "EGRESS") {
        return yield* new InvalidInput({ ...w(operation), field: "direction", reason: "must be INGRESS or EGRESS" })
      }
      if (spec.priority !== undefined && !(Number.isSafeInteger(spec.priority) && spec.priority >= 0 && spec.priority <= 65535)) {
        return yield* new InvalidInput({ ...w(operation), field: "priority", reason: "must be a whole number from 0 to 65535" })
      }
      yield* strings(operation, "sourceRanges", spec.sourceRanges, cidr)
      yield* strings(operation, "destinationRanges", spec.destinationRanges, cidr)
      yield* strings(operation, "sourceTags", spec.sourceTags, /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/)
      yield* strings(operation, "targetTags", spec.targetTags, /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/)
      const target = { resource: "firewall", id: name }
      yield* mutate(core, "POST", names.paths.firewalls(project), {
        operation,
        target,
        body: {
          name,
          network: spec.network ?? core.config.network ?? DEFAULT_NETWORK,
          direction: spec.direction ?? "INGRESS",
          ...(spec.priority === undefined ? {} : { priority: spec.priority }),
          ...(spec.sourceRanges === undefined ? {} : { sourceRanges: spec.sourceRanges }),
          ...(spec.destinationRanges === undefined ? {} : { destinationRanges: spec.destinationRanges }),
          ...(spec.sourceTags === undefined ? {} : { sourceTags: spec.sourceTags }),
          ...(spec.targetTags === undefined ? {} : { targetTags: spec.targetTags }),
          ...(allowed === undefined ? {} : { allowed }),
          ...(denied === undefined ? {} : { denied }),
          ...(spec.description === undefined ? {} : { description: spec.description })
        }
      })
      return toFirewall(yield* get(core, names.paths.firewall(project, name), { operation, target }, FirewallWire))
    }).pipe(only("AlreadyExists"), traced(core.provider, operation, { "cloudfx.firewall": String(spec.name) }))
  }

  const deleteFirewall: GceService["deleteFirewall"] = (name) => {
    const operation = op("deleteFirewall")
    return nameOf(operation, "name", name).pipe(
      Effect.flatMap((n) => mutate(core, "DELETE", names.paths.firewall(project, n), { operation, target: { resource: "firewall", id: n } })),
      Effect.asVoid,
      only("NotFound"),
      traced(core.provider, operation, { "cloudfx.firewall": String(name) })
    )
  }

  const listAddresses: GceService["listAddresses"] = (options) => {
    const operation = op("listAddresses")
    return regionOf(operation, options?.region).pipe(
      Effect.flatMap((region) => list(core, names.paths.addresses(project, region), { operation }, AddressList, (page) => page.items ?? [])),
      Effect.map((items) => items.map(toAddress(core.zone))),
      only(),
      traced(core.provider, operation)
    )
  }

  const reserveAddress: GceService["reserveAddress"] = (spec) => {
    const operation = op("reserveAddress")
    return Effect.gen(function*() {
      const name = yield* nameOf(operation, "name", spec.name)
      const region = yield* regionOf(operation, spec.region)
      const target = { resource: "address", id: name }
      yield* mutate(core, "POST", names.paths.addresses(project, region), {
        operation,
        target,
        body: { name, ...(spec.description === undefined ? {} : { description: spec.description }) }
      })
      return toAddress(core.zone)(yield* get(core, names.paths.address(project, region, name), { operation, target }, Address))
    }).pipe(only("AlreadyExists"), traced(core.provider, operation, { "cloudfx.address": String(spec.name) }))
  }

  const releaseAddress: GceService["releaseAddress"] = (name, options) => {
    const operation = op("releaseAddress")
    return Effect.gen(function*() {
      const n = yield* nameOf(operation, "name", name)
      const region = yield* regionOf(operation, options?.region)
      yield* mutate(core, "DELETE", names.paths.address(project, region, n), { operation, target: { resource: "address", id: n } })
    }).pipe(only("NotFound", "Conflict"), traced(core.provider, operation, { "cloudfx.address": String(name) }))
  }

  const imageFromFamily: GceService["imageFromFamily"] = (imageProject, family) => {
    const operation = op("imageFromFamily")
    return Effect.gen(function*() {
      const ref = yield* names.image(w(operation), project, `${String(imageProject)}/family/${String(family)}`)
      const image = yield* get(core, names.paths.image(ref), { operation, target: { resource: "image", id: `${imageProject}/family/${family}` } }, Image)
      return toImage(ref.project, image)
    }).pipe(only("NotFound"), traced(core.provider, operation, { "cloudfx.image": `${String(imageProject)}/family/${String(family)}` }))
  }

  return { listFirewalls, createFirewall, deleteFirewall, listAddresses, reserveAddress, releaseAddress, imageFromFamily }
}
