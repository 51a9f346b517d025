/**
 * A minimal Linode API v4 for the Compute contract: the routes the provider
 * uses, answering with the documented bodies from fixtures.ts and the
 * documented error envelope (`{ errors: [{ reason, field }] }`, 400 for a
 * bad request), with Linodes that go provisioning → running and volumes
 * creating → active over a few polls.
 */
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "../digitalocean/fakeHttp.js"
import * as F from "./fixtures.js"

export interface FakeOptions {
  readonly token: string
  /** Items per page at most (Linode allows up to 500; small here so listings page). */
  readonly pageSize?: number
  readonly pollsUntilRunning?: number
}

interface InstanceRecord {
  readonly id: number
  readonly label: string
  status: "provisioning" | "running" | "offline"
  polls: number
  readonly type: string
  readonly region: string
  readonly image: string
  readonly ipv4: ReadonlyArray<string>
  readonly ipv6: string
}

interface VolumeRecord {
  readonly id: number
  readonly label: string
  readonly size: number
  readonly region: string
  status: "creating" | "active"
  linodeId: number | null
}

const types = [
  F.type("g6-nanode-1", { label: "Nanode 1GB", memory: 1024, vcpus: 1, disk: 25600, transfer: 1000, hourly: 0.0075, monthly: 5, regionPrices: [] }),
  F.type("g6-standard-2")
]
const regions = [F.region(), F.region("eu-central", "Frankfurt, DE", "de")]
const images = [F.image(), F.image("linode/ubuntu24.04", "Ubuntu 24.04 LTS")]

const notFound = json(404, F.error.notFound)
const bad = (field: string, reason: string) => json(400, F.errors({ field, reason }))

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 2
  const pollsUntilRunning = options.pollsUntilRunning ?? 2
  const instances = new Map<number, InstanceRecord>()
  const volumes = new Map<number, VolumeRecord>()
  const keys = new Map<number, ReturnType<typeof F.sshKey>>()
  let nextId = 123
  let nextAddress = 10

  const view = (l: InstanceRecord) =>
    F.instance({ id: l.id, label: l.label, status: l.status, ipv4: l.ipv4, ipv6: l.ipv6, type: l.type, region: l.region, image: l.image })

  const volumeView = (v: VolumeRecord) => F.volume({ id: v.id, label: v.label, status: v.status, size: v.size, region: v.region, linodeId: v.linodeId })

  /** Each look at a volume after its creation finds it one step further: creating, then active. */
  const observe = (v: VolumeRecord) => {
    const out = volumeView(v)
    v.status = "active"
    return out
  }

  const paged = (req: FakeRequest, all: ReadonlyArray<unknown>): FakeResponse => {
    const size = Math.min(Number(req.query.get("page_size") ?? "100"), pageSize)
    const pages = Math.max(1, Math.ceil(all.length / size))
    const page = Math.min(Number(req.query.get("page") ?? "1"), pages)
    return json(200, F.page(all.slice((page - 1) * size, page * size), page, pages, all.length))
  }

  const routeInstances = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, [...instances.values()].map(view))
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      if (!types.some((t) => t.id === b["type"])) return bad("type", "A valid plan type by that ID was not found")
      if (!regions.some((r) => r.id === b["region"])) return bad("region", "region is not valid")
      if (!images.some((i) => i.id === b["image"])) return bad("image", "image is not valid")
      if (typeof b["root_pass"] !== "string" || b["root_pass"].length < 11) return bad("root_pass", "Password does not meet strength requirement")
      if ([...instances.values()].some((l) => l.label === b["label"])) return bad("label", "Label must be unique among your linodes")
      const n = nextAddress++
      const l: InstanceRecord = {
        id: nextId++,
        label: String(b["label"]),
        status: "provisioning",
        polls: 0,
        type: String(b["type"]),
        region: String(b["region"]),
        image: String(b["image"]),
        ipv4: [`203.0.113.${n}`, `192.168.128.${n}`],
        ipv6: `2600:3c03::f03c:91ff:fe24:${n.toString(16)}/128`
      }
      instances.set(l.id, l)
      return json(200, view(l))
    }
    const l = instances.get(Number(parts[0]))
    if (l === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") {
      if (l.status === "provisioning" && ++l.polls > pollsUntilRunning) l.status = "running"
      return json(200, view(l))
    }
    if (parts.length === 1 && req.method === "DELETE") {
      instances.delete(l.id)
      for (const v of volumes.values()) if (v.linodeId === l.id) v.linodeId = null
      return json(200, {})
    }
    if (parts.length === 2 && req.method === "POST") {
      if (l.status === "provisioning") return json(400, F.error.busy)
      switch (parts[1]) {
        case "boot":
        case "reboot":
          l.status = "running"
          return json(200, {})
        case "shutdown":
          l.status = "offline"
          return json(200, {})
      }
    }
    return notFound
  }

  const routeVolumes = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, [...volumes.values()].map(observe))
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const size = Number(b["size"])
      if (!Number.isInteger(size) || size < 10 || size > 10240) return bad("size", "Must be between 10 and 10240")
      if (!regions.some((r) => r.id === b["region"])) return bad("region", "region is not valid")
      const v: VolumeRecord = { id: nextId++, label: String(b["label"]), size, region: String(b["region"]), status: "creating", linodeId: null }
      volumes.set(v.id, v)
      return json(200, volumeView(v))
    }
    const v = volumes.get(Number(parts[0]))
    if (v === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") return json(200, observe(v))
    if (parts.length === 1 && req.method === "DELETE") {
      if (v.linodeId !== null) return json(400, F.errors({ reason: "Volume must be detached before it can be deleted." }))
      volumes.delete(v.id)
      return json(200, {})
    }
    if (parts[1] === "attach" && req.method === "POST") {
      const linodeId = Number((req.body as Record<string, unknown>)["linode_id"])
      if (!instances.has(linodeId)) return bad("linode_id", "Linode not found")
      if (v.linodeId !== null) return json(400, F.errors({ reason: "Volume is already attached." }))
      v.linodeId = linodeId
      return json(200, volumeView(v))
    }
    if (parts[1] === "detach" && req.method === "POST") {
      v.linodeId = null
      return json(200, {})
    }
    return notFound
  }

  const routeKeys = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, [...keys.values()])
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const k = F.sshKey(nextId++, String(b["label"]), String(b["ssh_key"]))
      keys.set(k.id, k)
      return json(200, k)
    }
    const k = keys.get(Number(parts[0]))
    if (k === undefined) return notFound
    if (req.method === "DELETE") {
      keys.delete(k.id)
      return json(200, {})
    }
    return json(200, k)
  }

  const route = (req: FakeRequest): FakeResponse => {
    if (req.headers["authorization"] !== `Bearer ${options.token}`) return json(401, F.error.unauthorized)
    const [version, collection, ...parts] = req.path.split("/").filter((p) => p !== "")
    if (version !== "v4") return notFound
    switch (collection) {
      case "linode":
        if (parts[0] === "instances") return routeInstances(req, parts.slice(1))
        if (parts[0] === "types") {
          if (parts.length === 1) return paged(req, types)
          const t = types.find((x) => x.id === parts[1])
          return t === undefined ? notFound : json(200, t)
        }
        return notFound
      case "regions": {
        if (parts.length === 0) return paged(req, regions)
        const r = regions.find((x) => x.id === parts[0])
        return r === undefined ? notFound : json(200, r)
      }
      case "images": {
        if (parts.length === 0) return paged(req, images)
        const i = images.find((x) => x.id === parts.join("/"))
        return i === undefined ? notFound : json(200, i)
      }
      case "profile":
        return parts[0] === "sshkeys" ? routeKeys(req, parts.slice(1)) : notFound
      case "volumes":
        return routeVolumes(req, parts)
      default:
        return notFound
    }
  }

  return serve(route)
}
