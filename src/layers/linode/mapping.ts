/**
 * Linode bodies → the portable models.
 */
import { KeyPair, Node, NodeImage, NodeLocation, NodeSize, Volume } from "../../schemas/Models.js"
import type { NodeState, VolumeState } from "../../schemas/Models.js"
import * as PublicKey from "../../services/publicKey.js"
import type * as Wire from "./wire.js"

/**
 * components/schemas/Linode `status`. A Linode being migrated, rebuilt,
 * cloned or restored is on its way to running; "stopped" is what a Linode
 * in maintenance shows; a billing suspension suspends it.
 */
export const nodeState = (status: string): NodeState => {
  switch (status) {
    case "running":
      return "running"
    case "offline":
    case "stopped":
      return "stopped"
    case "booting":
      return "starting"
    case "rebooting":
      return "rebooting"
    case "shutting_down":
      return "stopping"
    case "provisioning":
    case "migrating":
    case "rebuilding":
    case "cloning":
    case "restoring":
      return "pending"
    case "deleting":
      return "terminated"
    case "billing_suspension":
      return "suspended"
    default:
      return "unknown"
  }
}

// `ipv4` lists public and private addresses together; Linode's private ones are RFC 1918 (192.168.128.0/17).
const isPrivateV4 = (ip: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip)

export const node = (l: Wire.Instance): Node =>
  new Node({
    id: String(l.id),
    name: l.label,
    state: nodeState(l.status),
    publicIps: [
      ...l.ipv4.filter((ip) => !isPrivateV4(ip)),
      // The SLAAC address, written with its /128.
      ...(l.ipv6 === undefined || l.ipv6 === null ? [] : [l.ipv6.replace(/\/\d+$/, "")])
    ],
    privateIps: l.ipv4.filter(isPrivateV4),
    ...(l.type === undefined || l.type === null ? {} : { size: l.type }),
    ...(l.image === undefined || l.image === null ? {} : { image: l.image }),
    location: l.region,
    ...(l.created === undefined ? {} : { createdAt: l.created }),
    extra: {
      status: l.status,
      tags: l.tags ?? [],
      ...(l.specs === undefined
        ? {}
        : { memoryMb: l.specs.memory, vcpus: l.specs.vcpus, diskMb: l.specs.disk, transferGb: l.specs.transfer })
    }
  })

/** The hourly USD price in `region` when Linode prices it differently there, else the default. */
export const hourlyPrice = (t: Wire.Type, region: string | undefined): number =>
  (region === undefined ? undefined : t.region_prices?.find((p) => p.id === region)?.hourly) ?? t.price.hourly

export const size = (t: Wire.Type, region: string | undefined): NodeSize =>
  new NodeSize({
    id: t.id,
    name: t.label,
    ramMb: t.memory,
    vcpus: t.vcpus,
    diskGb: t.disk / 1024,
    // The reference calls `transfer` MB, but its values are GB (4000 for a plan with 4 TB of transfer).
    bandwidth: t.transfer,
    price: hourlyPrice(t, region),
    extra: {
      ...(t.class === undefined ? {} : { class: t.class }),
      priceMonthly: t.price.monthly,
      regionPrices: t.region_prices ?? [],
      ...(t.gpus === undefined ? {} : { gpus: t.gpus }),
      ...(t.network_out === undefined ? {} : { networkOutMbits: t.network_out })
    }
  })

export const image = (i: Wire.Image): NodeImage =>
  new NodeImage({
    id: i.id,
    name: i.label,
    extra: {
      ...(i.vendor === undefined || i.vendor === null ? {} : { vendor: i.vendor }),
      ...(i.is_public === undefined ? {} : { public: i.is_public }),
      ...(i.deprecated === undefined ? {} : { deprecated: i.deprecated }),
      ...(i.size === undefined ? {} : { sizeMb: i.size }),
      ...(i.status === undefined ? {} : { status: i.status })
    }
  })

export const location = (r: Wire.Region): NodeLocation =>
  new NodeLocation({
    id: r.id,
    name: r.label ?? r.id,
    ...(/^[a-z]{2}$/i.test(r.country) ? { country: r.country.toUpperCase() } : {}),
    extra: { capabilities: r.capabilities ?? [], ...(r.status === undefined ? {} : { status: r.status }) }
  })

/** Linode gives no fingerprint: it is computed from the key, as `ssh-keygen -l` would. */
export const keyPair = (k: Wire.SshKey): KeyPair =>
  new KeyPair({
    name: k.label,
    fingerprint: PublicKey.sha256Fingerprint(Buffer.from(k.ssh_key.trim().split(/\s+/)[1] ?? "", "base64")),
    publicKey: k.ssh_key,
    extra: { id: k.id }
  })

const volumeState = (v: Wire.Volume): VolumeState => {
  switch (v.status) {
    case "creating":
      return "creating"
    case "active":
      return v.linode_id === undefined || v.linode_id === null ? "available" : "inUse"
    case "resizing":
      return "updating"
    default:
      return "unknown"
  }
}

export const volume = (v: Wire.Volume): Volume =>
  new Volume({
    id: String(v.id),
    name: v.label,
    sizeGb: v.size,
    state: volumeState(v),
    location: v.region,
    ...(v.linode_id === undefined || v.linode_id === null ? {} : { attachedTo: String(v.linode_id) }),
    ...(v.filesystem_path === undefined ? {} : { device: v.filesystem_path }),
    ...(v.created === undefined ? {} : { createdAt: v.created }),
    extra: {
      status: v.status,
      tags: v.tags ?? [],
      ...(v.hardware_type === undefined ? {} : { hardwareType: v.hardware_type })
    }
  })
