/**
 * The OpenStack-only operations beside Compute: Neutron floating IPs
 * (list, allocate from an external network, associate with a server's port,
 * disassociate, release) and Nova's hard reboot.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Errors from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import { Conflict, InvalidInput, NotFound, type ProviderFailure } from "../../../schemas/Errors.js"
import { type Ref, refId } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { jsonBody, type NovaClient, nextLink } from "./client.js"
import { PROVIDER } from "./config.js"
import * as Wire from "./wire.js"

export interface FloatingIp {
  readonly id: string
  readonly address: string
  /** The external network it was allocated from. */
  readonly networkId: string
  /** The port it is associated with, when it is. */
  readonly portId: string | undefined
  /** The fixed IP of that port it maps to. */
  readonly fixedIp: string | undefined
  /** The server owning that port, when Neutron says (`port_details`, Rocky and later). */
  readonly nodeId: string | undefined
  /** "ACTIVE", "DOWN" or "ERROR". */
  readonly status: string | undefined
  readonly description: string | undefined
}

export interface AllocateFloatingIp {
  /** The external network (id) to take the address from. */
  readonly network: string
  /** A specific address of that network, when you want one. */
  readonly address?: string
  readonly description?: string
}

export interface NovaService {
  readonly listFloatingIps: () => Effect.Effect<ReadonlyArray<FloatingIp>, ProviderFailure>
  /** Allocates an address (sent once: Neutron has no idempotency token). */
  readonly allocateFloatingIp: (spec: AllocateFloatingIp) => Effect.Effect<FloatingIp, NotFound | Conflict | InvalidInput | ProviderFailure>
  /**
   * Maps a floating IP (its id or address) to a server's port: the port with
   * `fixedIp` when given, else the server's first port.
   */
  readonly associateFloatingIp: (
    floatingIp: Ref,
    node: Ref,
    options?: { readonly fixedIp?: string }
  ) => Effect.Effect<FloatingIp, NotFound | Conflict | InvalidInput | ProviderFailure>
  readonly disassociateFloatingIp: (floatingIp: Ref) => Effect.Effect<FloatingIp, NotFound | InvalidInput | ProviderFailure>
  /** Gives the address back to the pool. */
  readonly releaseFloatingIp: (floatingIp: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** A hard reboot (power cycle), for a server that ignores `rebootNode`'s soft one. */
  readonly hardRebootNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
}

export const floatingIp = (f: Wire.FloatingIp): FloatingIp => ({
  id: f.id,
  address: f.floating_ip_address,
  networkId: f.floating_network_id,
  portId: f.port_id ?? undefined,
  fixedIp: f.fixed_ip_address ?? undefined,
  nodeId: f.port_details?.device_id ?? undefined,
  status: f.status ?? undefined,
  description: f.description ?? undefined
})

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Nova.${name}` })

const ipLike = /^[0-9.]+$|:/

/** 409 (IpAddressAlreadyAllocated, FloatingIPPortAlreadyAssociated, …) is a Conflict. */
const conflictOn = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 409 ? new Conflict({ ...f.where, resource, id, reason: f.message ?? "refused in its current state" }) : undefined

export const make = (client: NovaClient): NovaService => {
  const send = client.send

  /** A floating IP by id, or by address (looked up with `?floating_ip_address=`). */
  const resolve = (w: validate.Where, ref: Ref) =>
    Effect.gen(function*() {
      const given = yield* validate.id(w, "floatingIp", ref)
      if (ipLike.test(given)) {
        const found = yield* client.list("network", "/floatingips", w.operation, Wire.FloatingIpsPage, (p) => ({
          items: p.floatingips,
          next: nextLink(p.floatingips_links)
        }), { floating_ip_address: given })
        const match = found.find((f) => f.floating_ip_address === given)
        if (match === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "floatingIp", id: given }))
        return match.id
      }
      if (Url.isDotSegment(given)) return yield* Effect.fail(new NotFound({ ...w, resource: "floatingIp", id: given }))
      return given
    })

  const update = (w: validate.Where, id: string, body: Record<string, unknown>) =>
    send(
      "network",
      HttpClientRequest.put(Url.path("floatingips", id)).pipe(jsonBody({ floatingip: body })),
      { operation: w.operation, notFound: { resource: "floatingIp", id }, classify: conflictOn("floatingIp", id) },
      ProviderHttp.json(Wire.FloatingIpBody)
    ).pipe(Effect.map((b) => floatingIp(b.floatingip)))

  const listFloatingIps: NovaService["listFloatingIps"] = () =>
    client.list("network", "/floatingips", "Nova.listFloatingIps", Wire.FloatingIpsPage, (p) => ({
      items: p.floatingips,
      next: nextLink(p.floatingips_links)
    })).pipe(Effect.map((all) => all.map(floatingIp)), traced(PROVIDER, "Nova.listFloatingIps"))

  const allocateFloatingIp: NovaService["allocateFloatingIp"] = (spec) => {
    const w = where("allocateFloatingIp")
    return Effect.gen(function*() {
      const network = yield* validate.id(w, "network", spec.network)
      const address = spec.address === undefined ? undefined : yield* validate.ip(w, "address", spec.address)
      if (spec.description !== undefined && typeof spec.description !== "string") {
        return yield* Effect.fail(new InvalidInput({ ...w, field: "description", reason: "must be a string" }))
      }
      const created = yield* send(
        "network",
        HttpClientRequest.post("/floatingips").pipe(jsonBody({
          floatingip: {
            floating_network_id: network,
            ...(address === undefined ? {} : { floating_ip_address: address }),
            ...(spec.description === undefined ? {} : { description: spec.description })
          }
        })),
        // Neutron: 404 ExternalNetworkNotFound / NetworkNotFound; 409 when the address is taken.
        { operation: w.operation, notFound: { resource: "network", id: network }, classify: conflictOn("floatingIp", address ?? network) },
        ProviderHttp.json(Wire.FloatingIpBody)
      )
      return floatingIp(created.floatingip)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const associateFloatingIp: NovaService["associateFloatingIp"] = (ref, nodeRef, options) => {
    const w = where("associateFloatingIp")
    return Effect.gen(function*() {
      yield* validate.id(w, "floatingIp", ref)
      const nodeId = yield* validate.id(w, "node", nodeRef)
      const fixedIp = options?.fixedIp === undefined ? undefined : yield* validate.ip(w, "fixedIp", options.fixedIp)
      const id = yield* resolve(w, ref)
      const ports = yield* client.list("network", "/ports", w.operation, Wire.PortsPage, (p) => ({ items: p.ports, next: nextLink(p.ports_links) }), {
        device_id: nodeId
      })
      const port = fixedIp === undefined ? ports[0] : ports.find((p) => p.fixed_ips.some((ip) => ip.ip_address === fixedIp))
      if (port === undefined) {
        return yield* Effect.fail(
          fixedIp === undefined ? new NotFound({ ...w, resource: "node", id: nodeId }) : new NotFound({ ...w, resource: "fixedIp", id: `${nodeId} ${fixedIp}` })
        )
      }
      return yield* update(w, id, { port_id: port.id, ...(fixedIp === undefined ? {} : { fixed_ip_address: fixedIp }) })
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.floatingIp": refId(ref), "cloudfx.node": refId(nodeRef) }))
  }

  const disassociateFloatingIp: NovaService["disassociateFloatingIp"] = (ref) => {
    const w = where("disassociateFloatingIp")
    return Effect.flatMap(resolve(w, ref), (id) => update(w, id, { port_id: null })).pipe(
      // Only the association could conflict, and there is none to be made.
      Effect.catchTag("Conflict", (e) => Effect.fail(new NotFound({ ...w, resource: "floatingIp", id: e.id }))),
      traced(PROVIDER, w.operation, { "cloudfx.floatingIp": refId(ref) })
    )
  }

  const releaseFloatingIp: NovaService["releaseFloatingIp"] = (ref) => {
    const w = where("releaseFloatingIp")
    return Effect.flatMap(resolve(w, ref), (id) =>
      send("network", HttpClientRequest.del(Url.path("floatingips", id)), { operation: w.operation, notFound: { resource: "floatingIp", id } }, ProviderHttp.empty)).pipe(
        traced(PROVIDER, w.operation, { "cloudfx.floatingIp": refId(ref) })
      )
  }

  const hardRebootNode: NovaService["hardRebootNode"] = (ref) => {
    const w = where("hardRebootNode")
    return Effect.gen(function*() {
      const id = yield* validate.id(w, "node", ref)
      if (Url.isDotSegment(id)) return yield* Effect.fail(new NotFound({ ...w, resource: "node", id }))
      yield* send(
        "compute",
        HttpClientRequest.post(`${Url.path("servers", id)}/action`).pipe(jsonBody({ reboot: { type: "HARD" } })),
        { operation: w.operation, notFound: { resource: "node", id }, classify: conflictOn("node", id) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) }))
  }

  return { listFloatingIps, allocateFloatingIp, associateFloatingIp, disassociateFloatingIp, releaseFloatingIp, hardRebootNode }
}
