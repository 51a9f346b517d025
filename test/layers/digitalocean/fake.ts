/**
 * A minimal DigitalOcean API v2 for the Compute contract: the routes the
 * provider uses, answering with the documented bodies from fixtures.ts, the
 * documented error bodies and statuses, and droplets that go new → active
 * (with addresses) over a few polls, as real ones do.
 *
 * Where the reference says nothing (which 4xx a bad droplet create gets), the
 * fake answers 422 unprocessable_entity like the reference's examples of
 * refused creates.
 */
import { createHash } from "node:crypto"
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "./fakeHttp.js"
import * as F from "./fixtures.js"

export interface FakeOptions {
  readonly token: string
  /** Items per page at most (DigitalOcean's cap is 200; small here so listings page). */
  readonly pageSize?: number
  /** GETs of a new droplet before it is active. */
  readonly pollsUntilActive?: number
}

interface DropletRecord {
  readonly id: number
  readonly name: string
  status: "new" | "active" | "off"
  polls: number
  readonly size: string
  readonly region: string
  readonly image: ReturnType<typeof F.image>
  readonly publicIp: string
  readonly privateIp: string
  readonly tags: ReadonlyArray<string>
}

interface VolumeRecord {
  readonly id: string
  readonly name: string
  readonly sizeGb: number
  readonly region: string
  dropletId: number | undefined
}

const sizes = [
  F.size("s-1vcpu-1gb"),
  F.size("s-2vcpu-2gb", { memory: 2048, vcpus: 2, disk: 60, transfer: 3.0, priceMonthly: 18, priceHourly: 0.02679 }),
  F.size("s-1vcpu-512mb", { memory: 512, disk: 20, transfer: 0.5, priceMonthly: 4, priceHourly: 0.00595, available: false })
]
const regions = [F.region("nyc3", "New York 3"), F.region("fra1", "Frankfurt 1")]
const images = [
  F.image(),
  F.image({ id: 106433672, slug: "debian-12-x64", name: "12 x64", type: "base" }),
  F.image({ id: 90000001, slug: null, name: "my-snapshot", type: "snapshot" })
]

const md5 = (publicKey: string) => createHash("md5").update(Buffer.from(publicKey.split(" ")[1] ?? "", "base64")).digest("hex").match(/../g)!.join(":")

const notFound = json(404, F.error.notFound)
const unprocessable = (message: string) => json(422, F.error.unprocessable(message))

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 2
  const pollsUntilActive = options.pollsUntilActive ?? 2
  const droplets = new Map<number, DropletRecord>()
  const volumes = new Map<string, VolumeRecord>()
  const snapshots = new Map<string, ReturnType<typeof F.snapshot>>()
  const keys = new Map<number, ReturnType<typeof F.sshKey>>()
  let nextId = 3164444
  let nextAction = 36804636
  let nextAddress = 10

  const view = (d: DropletRecord) =>
    F.droplet({
      id: d.id,
      name: d.name,
      status: d.status,
      size: d.size,
      region: d.region,
      image: d.image,
      tags: d.tags,
      volumeIds: [...volumes.values()].filter((v) => v.dropletId === d.id).map((v) => v.id),
      ...(d.status === "new" ? {} : { publicIp: d.publicIp, privateIp: d.privateIp })
    })

  const volumeView = (v: VolumeRecord) =>
    F.volume({ id: v.id, name: v.name, sizeGb: v.sizeGb, region: v.region, dropletIds: v.dropletId === undefined ? [] : [v.dropletId] })

  /** shared/pages.yml: `next` and `last` links to this server, while there are more. */
  const paged = (req: FakeRequest, origin: string, key: string, all: ReadonlyArray<unknown>): FakeResponse => {
    const perPage = Math.min(Number(req.query.get("per_page") ?? "20"), pageSize)
    const page = Number(req.query.get("page") ?? "1")
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const items = all.slice((page - 1) * perPage, page * perPage)
    const link = (n: number) => {
      const q = new URLSearchParams(req.query)
      q.set("page", String(n))
      return `${origin}${req.path}?${q.toString()}`
    }
    return json(200, F.page(key, items, all.length, page < last ? link(page + 1) : undefined, page < last ? link(last) : undefined))
  }

  const findImage = (ref: unknown) => images.find((i) => i.slug === ref || i.id === ref || String(i.id) === ref)

  const routeDroplets = (req: FakeRequest, origin: string, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") {
      return paged(req, origin, "droplets", [...droplets.values()].map(view))
    }
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      if (!sizes.some((s) => s.slug === b["size"])) return unprocessable("You specified an invalid size for Droplet creation.")
      if (b["region"] !== undefined && !regions.some((r) => r.slug === b["region"])) return unprocessable("You specified an invalid region for Droplet creation.")
      const image = findImage(b["image"])
      if (image === undefined) return unprocessable("You specified an invalid image for Droplet creation.")
      const keyIds = (b["ssh_keys"] ?? []) as ReadonlyArray<number>
      if (keyIds.some((k) => !keys.has(k))) return unprocessable("You specified an invalid SSH key for Droplet creation.")
      const id = nextId++
      const n = nextAddress++
      const d: DropletRecord = {
        id,
        name: String(b["name"]),
        status: "new",
        polls: 0,
        size: String(b["size"]),
        region: typeof b["region"] === "string" ? b["region"] : "nyc3",
        image,
        publicIp: `203.0.113.${n}`,
        privateIp: `10.128.0.${n}`,
        tags: (b["tags"] ?? []) as ReadonlyArray<string>
      }
      droplets.set(id, d)
      return json(202, { droplet: view(d), links: F.createLinks(nextAction++) })
    }
    const d = droplets.get(Number(parts[0]))
    if (d === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") {
      if (d.status === "new" && ++d.polls > pollsUntilActive) d.status = "active"
      return json(200, { droplet: view(d) })
    }
    if (parts.length === 1 && req.method === "DELETE") {
      droplets.delete(d.id)
      for (const v of volumes.values()) if (v.dropletId === d.id) v.dropletId = undefined
      return json(204)
    }
    if (parts[1] === "actions" && req.method === "POST") {
      const type = (req.body as Record<string, unknown>)["type"]
      if (d.status === "new") return unprocessable("Droplet already has a pending event.")
      switch (type) {
        case "power_on":
          d.status = "active"
          break
        case "power_off":
        case "shutdown":
          d.status = "off"
          break
        case "reboot":
        case "power_cycle":
          d.status = "active"
          break
        default:
          return unprocessable(`${String(type)} is not a droplet action`)
      }
      return json(201, F.action(nextAction++, String(type), d.id))
    }
    return notFound
  }

  const routeVolumes = (req: FakeRequest, origin: string, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts[0] === "snapshots") {
      const s = snapshots.get(parts[1] ?? "")
      if (s === undefined) return notFound
      if (req.method === "GET") return json(200, { snapshot: s })
      if (req.method === "DELETE") {
        snapshots.delete(s.id)
        return json(204)
      }
      return notFound
    }
    if (parts.length === 0 && req.method === "GET") return paged(req, origin, "volumes", [...volumes.values()].map(volumeView))
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const snapshotId = b["snapshot_id"]
      const source = typeof snapshotId === "string" ? snapshots.get(snapshotId) : undefined
      if (snapshotId !== undefined && source === undefined) return notFound
      const region = typeof b["region"] === "string" ? b["region"] : source?.regions[0]
      if (region === undefined || !regions.some((r) => r.slug === region)) return unprocessable("You specified an invalid region for Volume creation.")
      const sizeGb = Number(b["size_gigabytes"])
      if (!Number.isInteger(sizeGb) || sizeGb < 1 || (source !== undefined && sizeGb < source.min_disk_size)) {
        return unprocessable("size_gigabytes is invalid")
      }
      const v: VolumeRecord = { id: crypto.randomUUID(), name: String(b["name"]), sizeGb, region, dropletId: undefined }
      volumes.set(v.id, v)
      return json(201, { volume: volumeView(v) })
    }
    const v = volumes.get(parts[0] ?? "")
    if (v === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") return json(200, { volume: volumeView(v) })
    if (parts.length === 1 && req.method === "DELETE") {
      if (v.dropletId !== undefined) return unprocessable("Volume is attached to a Droplet; detach it first.")
      volumes.delete(v.id)
      return json(204)
    }
    if (parts[1] === "actions" && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const dropletId = Number(b["droplet_id"])
      if (!droplets.has(dropletId)) return notFound
      if (b["type"] === "attach") {
        if (v.dropletId !== undefined) return unprocessable("Volume is already attached to a Droplet.")
        v.dropletId = dropletId
      } else if (b["type"] === "detach") {
        if (v.dropletId !== dropletId) return unprocessable("Volume is not attached to this Droplet.")
        v.dropletId = undefined
      } else {
        return unprocessable(`${String(b["type"])} is not a volume action`)
      }
      return json(202, F.action(nextAction++, `${String(b["type"])}_volume`, v.id, "volume"))
    }
    if (parts[1] === "snapshots" && req.method === "GET") {
      return paged(req, origin, "snapshots", [...snapshots.values()].filter((s) => s.resource_id === v.id))
    }
    if (parts[1] === "snapshots" && req.method === "POST") {
      const s = F.snapshot({ id: crypto.randomUUID(), name: String((req.body as Record<string, unknown>)["name"]), volumeId: v.id, minDiskSize: v.sizeGb, region: v.region })
      snapshots.set(s.id, s)
      return json(201, { snapshot: s })
    }
    return notFound
  }

  const routeKeys = (req: FakeRequest, origin: string, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, origin, "ssh_keys", [...keys.values()])
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const publicKey = String(b["public_key"])
      const fingerprint = md5(publicKey)
      if ([...keys.values()].some((k) => k.fingerprint === fingerprint)) return unprocessable("SSH Key is already in use on your account")
      const k = F.sshKey(nextId++, String(b["name"]), publicKey, fingerprint)
      keys.set(k.id, k)
      return json(201, { ssh_key: k })
    }
    const k = [...keys.values()].find((x) => String(x.id) === parts[0] || x.fingerprint === parts[0])
    if (k === undefined) return notFound
    if (req.method === "DELETE") {
      keys.delete(k.id)
      return json(204)
    }
    return json(200, { ssh_key: k })
  }

  const route = (req: FakeRequest, origin: string): FakeResponse => {
    if (req.headers["authorization"] !== `Bearer ${options.token}`) return json(401, F.error.unauthorized)
    const [version, collection, ...parts] = req.path.split("/").filter((p) => p !== "")
    if (version !== "v2") return notFound
    switch (collection) {
      case "droplets":
        return routeDroplets(req, origin, parts)
      case "volumes":
        return routeVolumes(req, origin, parts)
      case "account":
        return parts[0] === "keys" ? routeKeys(req, origin, parts.slice(1)) : notFound
      case "sizes":
        return paged(req, origin, "sizes", sizes)
      case "regions":
        return paged(req, origin, "regions", regions)
      case "images": {
        if (parts.length === 0) return paged(req, origin, "images", images)
        const image = findImage(parts[0]) ?? findImage(Number(parts[0]))
        return image === undefined ? notFound : json(200, { image })
      }
      case "snapshots":
        return paged(req, origin, "snapshots", [...snapshots.values()].filter((s) => req.query.get("resource_type") !== "droplet" && s.resource_type === "volume"))
      default:
        return notFound
    }
  }

  return serve(route)
}
