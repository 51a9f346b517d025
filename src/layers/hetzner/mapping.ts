/**
 * Hetzner Cloud bodies → the portable models.
 */
import { KeyPair, Node, NodeImage, NodeLocation, NodeSize, Volume } from "../../schemas/Models.js"
import type { NodeState } from "../../schemas/Models.js"
import type * as Wire from "./wire.js"

/**
 * Server `status`: running, initializing, starting, stopping, off,
 * deleting, migrating, rebuilding, unknown. A server being migrated or
 * rebuilt is on its way back to running; one being deleted is gone.
 */
export const nodeState = (status: string): NodeState => {
  switch (status) {
    case "running":
      return "running"
    case "initializing":
    case "migrating":
    case "rebuilding":
      return "pending"
    case "starting":
      return "starting"
    case "stopping":
      return "stopping"
    case "off":
      return "stopped"
    case "deleting":
      return "terminated"
    default:
      return "unknown"
  }
}

const locationOf = (s: Wire.Server): Wire.Location | undefined => s.location ?? s.datacenter?.location ?? undefined

export const node = (s: Wire.Server): Node => {
  const location = locationOf(s)
  const ipv4 = s.public_net.ipv4?.ip
  const ipv6 = s.public_net.ipv6?.ip
  return new Node({
    id: String(s.id),
    name: s.name,
    state: nodeState(s.status),
    // The IPv6 entry is the server's /64 network, not an address: it stays in `extra`.
    publicIps: ipv4 === undefined ? [] : [ipv4],
    privateIps: (s.private_net ?? []).map((n) => n.ip),
    size: s.server_type.name,
    ...(s.image === undefined || s.image === null ? {} : { image: String(s.image.id) }),
    ...(location === undefined ? {} : { location: location.name }),
    createdAt: s.created,
    extra: {
      status: s.status,
      serverTypeId: s.server_type.id,
      ...(s.datacenter === undefined || s.datacenter === null ? {} : { datacenter: s.datacenter.name }),
      ...(ipv6 === undefined ? {} : { ipv6Network: ipv6 }),
      ...(s.image?.name === undefined || s.image.name === null ? {} : { imageName: s.image.name }),
      ...(s.locked === undefined ? {} : { locked: s.locked }),
      labels: s.labels ?? {},
      volumeIds: (s.volumes ?? []).map(String)
    }
  })
}

/** One location's price of a size, EUR per hour and per month, as Hetzner gives them. */
export interface EuroPrice {
  readonly location: string
  readonly hourlyNet: number
  readonly hourlyGross: number
  readonly monthlyNet: number
  readonly monthlyGross: number
  /** Bytes of traffic included per month there. */
  readonly includedTraffic: number | undefined
}

export const euroPrices = (t: Wire.ServerType): ReadonlyArray<EuroPrice> =>
  t.prices.map((p) => ({
    location: p.location,
    hourlyNet: Number(p.price_hourly.net),
    hourlyGross: Number(p.price_hourly.gross),
    monthlyNet: Number(p.price_monthly.net),
    monthlyGross: Number(p.price_monthly.gross),
    includedTraffic: p.included_traffic
  }))

/**
 * The price `NodeSize.price` is based on: the configured location's, else the
 * cheapest location's. Net (without VAT), as the other providers' prices are.
 */
export const chosenPrice = (t: Wire.ServerType, location: string | undefined): EuroPrice | undefined => {
  const all = euroPrices(t).filter((p) => Number.isFinite(p.hourlyNet))
  if (location !== undefined) return all.find((p) => p.location === location)
  return [...all].sort((a, b) => a.hourlyNet - b.hourlyNet)[0]
}

const GiB = 1024 ** 3

export const size = (t: Wire.ServerType, location: string | undefined, eurToUsd: number | null): NodeSize => {
  const price = chosenPrice(t, location)
  const traffic = price?.includedTraffic ?? t.included_traffic ?? undefined
  return new NodeSize({
    id: t.name,
    name: t.description ?? t.name,
    // Hetzner gives memory in GB.
    ramMb: Math.round(t.memory * 1024),
    vcpus: t.cores,
    diskGb: t.disk,
    // Included traffic is in bytes (20 TB = 20 × 1024⁴).
    ...(traffic === undefined ? {} : { bandwidth: Math.round(traffic / GiB) }),
    ...(price === undefined || eurToUsd === null ? {} : { price: Math.round(price.hourlyNet * eurToUsd * 1e7) / 1e7 }),
    extra: {
      serverTypeId: t.id,
      ...(price === undefined ? {} : { priceEur: price }),
      pricesEur: euroPrices(t),
      ...(eurToUsd === null ? {} : { eurToUsd }),
      ...(t.cpu_type === undefined ? {} : { cpuType: t.cpu_type }),
      ...(t.architecture === undefined ? {} : { architecture: t.architecture }),
      ...(t.storage_type === undefined ? {} : { storageType: t.storage_type }),
      deprecated: t.deprecated === true
    }
  })
}

// Images are addressed by number: names repeat across architectures, and snapshots have none.
export const image = (i: Wire.Image): NodeImage =>
  new NodeImage({
    id: String(i.id),
    name: i.name ?? i.description ?? String(i.id),
    extra: {
      type: i.type,
      ...(i.status === undefined ? {} : { status: i.status }),
      ...(i.name === undefined || i.name === null ? {} : { slug: i.name }),
      ...(i.os_flavor === undefined ? {} : { osFlavor: i.os_flavor }),
      ...(i.os_version === undefined || i.os_version === null ? {} : { osVersion: i.os_version }),
      ...(i.architecture === undefined ? {} : { architecture: i.architecture }),
      ...(i.deprecated === undefined || i.deprecated === null ? {} : { deprecated: i.deprecated })
    }
  })

export const location = (l: Wire.Location): NodeLocation =>
  new NodeLocation({
    id: l.name,
    name: l.description ?? l.name,
    ...(l.country !== undefined && /^[A-Z]{2}$/.test(l.country) ? { country: l.country } : {}),
    extra: {
      id: l.id,
      ...(l.city === undefined ? {} : { city: l.city }),
      ...(l.network_zone === undefined ? {} : { networkZone: l.network_zone })
    }
  })

export const keyPair = (k: Wire.SshKey): KeyPair =>
  new KeyPair({ name: k.name, fingerprint: k.fingerprint, publicKey: k.public_key, extra: { id: k.id } })

export const volume = (v: Wire.Volume): Volume => {
  const attachedTo = v.server ?? undefined
  return new Volume({
    id: String(v.id),
    name: v.name,
    sizeGb: v.size,
    state: v.status === "creating" ? "creating" : v.status === "available" ? (attachedTo === undefined ? "available" : "inUse") : "unknown",
    location: v.location.name,
    ...(attachedTo === undefined ? {} : { attachedTo: String(attachedTo) }),
    ...(v.linux_device === undefined ? {} : { device: v.linux_device }),
    createdAt: v.created,
    extra: { status: v.status, ...(v.format === undefined || v.format === null ? {} : { format: v.format }), labels: v.labels ?? {} }
  })
}
