/**
 * DigitalOcean bodies → the portable models.
 */
import { KeyPair, Node, NodeImage, NodeLocation, NodeSize, Volume, VolumeSnapshot } from "../../../schemas/Models.js"
import type { NodeState } from "../../../schemas/Models.js"
import type * as Wire from "./wire.js"

/**
 * droplets/models/droplet.yml: "new", "active", "off", "archive". An
 * archived droplet is destroyed (its record lingers for the account's history).
 */
export const nodeState = (status: string): NodeState => {
  switch (status) {
    case "new":
      return "pending"
    case "active":
      return "running"
    case "off":
      return "stopped"
    case "archive":
      return "terminated"
    default:
      return "unknown"
  }
}

/** The id an image is addressed by: its slug for DigitalOcean's public images, else its number. */
export const imageId = (image: { readonly id: number; readonly slug?: string | null | undefined }): string =>
  image.slug ?? String(image.id)

const addresses = (networks: Wire.Droplet["networks"], kind: "public" | "private"): Array<string> =>
  [...(networks.v4 ?? []), ...(networks.v6 ?? [])].filter((n) => n.type === kind).map((n) => n.ip_address)

export const node = (d: Wire.Droplet): Node =>
  new Node({
    id: String(d.id),
    name: d.name,
    state: nodeState(d.status),
    publicIps: addresses(d.networks, "public"),
    privateIps: addresses(d.networks, "private"),
    size: d.size_slug,
    ...(d.image === undefined || d.image === null ? {} : { image: imageId(d.image) }),
    location: d.region.slug,
    createdAt: d.created_at,
    extra: {
      status: d.status,
      locked: d.locked,
      memoryMb: d.memory,
      vcpus: d.vcpus,
      diskGb: d.disk,
      regionName: d.region.name,
      ...(d.image?.name === undefined ? {} : { imageName: d.image.name }),
      features: d.features ?? [],
      tags: d.tags ?? [],
      volumeIds: d.volume_ids ?? [],
      ...(d.vpc_uuid === undefined || d.vpc_uuid === null ? {} : { vpcUuid: d.vpc_uuid })
    }
  })

export const size = (s: Wire.Size): NodeSize =>
  new NodeSize({
    id: s.slug,
    name: s.description === undefined ? s.slug : `${s.description} ${s.slug}`,
    ramMb: s.memory,
    vcpus: s.vcpus,
    diskGb: s.disk,
    // `transfer` is in terabytes.
    bandwidth: s.transfer * 1000,
    price: s.price_hourly,
    extra: { priceMonthly: s.price_monthly, regions: s.regions, available: s.available }
  })

export const image = (i: Wire.Image): NodeImage =>
  new NodeImage({
    id: imageId(i),
    name: i.name ?? imageId(i),
    extra: {
      numericId: i.id,
      ...(i.type === undefined ? {} : { type: i.type }),
      ...(i.distribution === undefined ? {} : { distribution: i.distribution }),
      ...(i.public === undefined ? {} : { public: i.public }),
      regions: i.regions ?? [],
      ...(i.min_disk_size === undefined || i.min_disk_size === null ? {} : { minDiskGb: i.min_disk_size }),
      ...(i.status === undefined ? {} : { status: i.status })
    }
  })

// The API gives no country; a region slug's letters name its city, and DigitalOcean's cities are few
// (https://docs.digitalocean.com/platform/regional-availability/).
const countries: Readonly<Record<string, string>> = {
  nyc: "US",
  sfo: "US",
  atl: "US",
  ric: "US",
  ams: "NL",
  sgp: "SG",
  lon: "GB",
  fra: "DE",
  tor: "CA",
  blr: "IN",
  syd: "AU"
}

export const location = (r: Wire.Region): NodeLocation => {
  const country = countries[r.slug.replace(/\d+$/, "")]
  return new NodeLocation({
    id: r.slug,
    name: r.name,
    ...(country === undefined ? {} : { country }),
    extra: { features: r.features ?? [], sizes: r.sizes ?? [], available: r.available ?? true }
  })
}

export const keyPair = (k: Wire.SshKey): KeyPair =>
  new KeyPair({ name: k.name, fingerprint: k.fingerprint, publicKey: k.public_key, extra: { id: k.id } })

export const volume = (v: Wire.Volume): Volume => {
  const attachedTo = v.droplet_ids?.[0]
  return new Volume({
    id: v.id,
    name: v.name,
    sizeGb: v.size_gigabytes,
    state: attachedTo === undefined ? "available" : "inUse",
    location: v.region.slug,
    ...(attachedTo === undefined ? {} : { attachedTo: String(attachedTo) }),
    createdAt: v.created_at,
    extra: {
      ...(v.description === undefined ? {} : { description: v.description }),
      ...(v.filesystem_type === undefined ? {} : { filesystemType: v.filesystem_type }),
      ...(v.filesystem_label === undefined ? {} : { filesystemLabel: v.filesystem_label }),
      tags: v.tags ?? []
    }
  })
}

export const snapshot = (s: Wire.Snapshot): VolumeSnapshot =>
  new VolumeSnapshot({
    id: s.id,
    name: s.name,
    volumeId: s.resource_id,
    sizeGb: s.min_disk_size,
    // The API has no snapshot status: a snapshot it lists can be used.
    state: "available",
    createdAt: s.created_at,
    extra: { regions: s.regions, dataGb: s.size_gigabytes, tags: s.tags ?? [] }
  })
