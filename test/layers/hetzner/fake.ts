/**
 * A minimal Hetzner Cloud API v1 for the Compute contract: the routes the
 * provider uses, answering with the documented bodies from fixtures.ts and
 * the documented error codes and statuses (400 invalid_input, 404
 * not_found, 409 uniqueness_error, 423 locked), with servers that go
 * initializing → running and volumes creating → available over a few looks.
 */
import { createHash } from "node:crypto"
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "../digitalocean/fakeHttp.js"
import * as F from "./fixtures.js"

export interface FakeOptions {
  readonly token: string
  /** Items per page at most (Hetzner allows 50; small here so listings page). */
  readonly pageSize?: number
  readonly pollsUntilRunning?: number
}

interface ServerRecord {
  readonly id: number
  readonly name: string
  status: "initializing" | "running" | "off"
  polls: number
  readonly type: ReturnType<typeof F.serverType>
  readonly location: ReturnType<typeof F.location>
  readonly image: ReturnType<typeof F.image>
  readonly ipv4: string
  readonly privateIp: string
}

interface VolumeRecord {
  readonly id: number
  readonly name: string
  readonly size: number
  readonly location: ReturnType<typeof F.location>
  status: "creating" | "available"
  server: number | null
}

const eur = (location: string, hourlyNet: string, hourlyGross: string, monthlyNet: string, monthlyGross: string) => ({
  location,
  hourlyNet,
  hourlyGross,
  monthlyNet,
  monthlyGross,
  traffic: 21990232555520
})

const types = [
  F.serverType("cpx11", { id: 22, cores: 2, memory: 2, disk: 40, prices: [eur("fsn1", "0.0071", "0.0085", "4.3500", "5.1765")] }),
  F.serverType("cx22", { id: 104, cores: 2, memory: 4, disk: 40, prices: [eur("fsn1", "0.0060", "0.0071", "3.7900", "4.5101"), eur("nbg1", "0.0060", "0.0071", "3.7900", "4.5101")] }),
  F.serverType("cax11", { id: 45, cores: 2, memory: 4, disk: 40, prices: [eur("fsn1", "0.0061", "0.0073", "3.7900", "4.5101"), eur("hel1", "0.0061", "0.0073", "3.7900", "4.5101")] })
]
const locations = [
  F.location(),
  F.location("nbg1", { id: 2, city: "Nuremberg", description: "Nuremberg DC Park 1" }),
  F.location("hel1", { id: 3, city: "Helsinki", country: "FI", description: "Helsinki DC Park 1" })
]
const images = [F.image(), F.image({ id: 103908130, architecture: "arm" }), F.image({ id: 114690387, name: "debian-12" })]

const notFound = json(404, F.errors.notFound)
const invalid = (field: string, message: string) => json(400, F.errors.invalid(field, message))

const md5 = (publicKey: string) => createHash("md5").update(Buffer.from(publicKey.split(" ")[1] ?? "", "base64")).digest("hex").match(/../g)!.join(":")

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 2
  const pollsUntilRunning = options.pollsUntilRunning ?? 2
  const servers = new Map<number, ServerRecord>()
  const volumes = new Map<number, VolumeRecord>()
  const keys = new Map<number, ReturnType<typeof F.sshKey>>()
  let nextId = 42
  let nextAction = 13
  let nextAddress = 10

  const view = (s: ServerRecord) =>
    F.server({
      id: s.id,
      name: s.name,
      status: s.status,
      ipv4: s.ipv4,
      privateIp: s.privateIp,
      serverType: s.type,
      location: s.location,
      image: s.image,
      volumes: [...volumes.values()].filter((v) => v.server === s.id).map((v) => v.id)
    })

  /** Each look at a volume after its creation finds it one step further: creating, then available. */
  const observe = (v: VolumeRecord) => {
    const out = F.volume({ id: v.id, name: v.name, server: v.server, status: v.status, size: v.size, location: v.location })
    v.status = "available"
    return out
  }

  const paged = (req: FakeRequest, key: string, all: ReadonlyArray<{ readonly name?: string | null }>): FakeResponse => {
    const name = req.query.get("name")
    const matching = name === null ? all : all.filter((x) => x.name === name)
    const perPage = Math.min(Number(req.query.get("per_page") ?? "25"), pageSize)
    const last = Math.max(1, Math.ceil(matching.length / perPage))
    const page = Math.min(Number(req.query.get("page") ?? "1"), last)
    return json(200, F.page(key, matching.slice((page - 1) * perPage, page * perPage), page, last, perPage, matching.length))
  }

  const action = (command: string, resource: { id: number; type: string }) => json(201, { action: F.action(nextAction++, command, resource) })

  const routeServers = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, "servers", [...servers.values()].map(view))
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const type = types.find((t) => t.name === b["server_type"])
      if (type === undefined) return invalid("server_type", "server type not found")
      const location = b["location"] === undefined ? locations[0]! : locations.find((l) => l.name === b["location"])
      if (location === undefined) return invalid("location", "location not found")
      const image = images.find((i) => i.id === b["image"] || (i.name === b["image"] && i.architecture === type.architecture))
      if (image === undefined) return invalid("image", "image not found")
      const keyNames = (b["ssh_keys"] ?? []) as ReadonlyArray<string>
      if (keyNames.some((k) => ![...keys.values()].some((x) => x.name === k))) return invalid("ssh_keys", "ssh key not found")
      if ([...servers.values()].some((s) => s.name === b["name"])) return json(409, F.errors.uniqueness("name", "server name is already used"))
      const n = nextAddress++
      const s: ServerRecord = {
        id: nextId++,
        name: String(b["name"]),
        status: "initializing",
        polls: 0,
        type,
        location,
        image,
        ipv4: `203.0.113.${n}`,
        privateIp: `10.0.0.${n}`
      }
      servers.set(s.id, s)
      return json(201, F.createdServer(view(s), keyNames.length === 0 ? "YItygq1v3GYjjMomLaKc" : null))
    }
    const s = servers.get(Number(parts[0]))
    if (s === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") {
      if (s.status === "initializing" && ++s.polls > pollsUntilRunning) s.status = "running"
      return json(200, { server: view(s) })
    }
    if (parts.length === 1 && req.method === "DELETE") {
      servers.delete(s.id)
      for (const v of volumes.values()) if (v.server === s.id) v.server = null
      return json(200, { action: F.action(nextAction++, "delete_server", { id: s.id, type: "server" }) })
    }
    if (parts[1] === "actions" && req.method === "POST") {
      if (s.status === "initializing") return json(423, F.errors.locked)
      switch (parts[2]) {
        case "poweron":
        case "reboot":
        case "reset":
          s.status = "running"
          break
        case "shutdown":
        case "poweroff":
          s.status = "off"
          break
        default:
          return notFound
      }
      return action(`${parts[2]}_server`, { id: s.id, type: "server" })
    }
    return notFound
  }

  const routeVolumes = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, "volumes", [...volumes.values()].map(observe))
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const size = Number(b["size"])
      if (!Number.isInteger(size) || size < 10 || size > 10240) return invalid("size", "must be between 10 and 10240")
      const location = locations.find((l) => l.name === b["location"])
      if (location === undefined) return invalid("location", "location not found")
      if ([...volumes.values()].some((v) => v.name === b["name"])) return json(409, F.errors.uniqueness("name", "volume name is already used"))
      const v: VolumeRecord = { id: nextId++, name: String(b["name"]), size, location, status: "creating", server: null }
      volumes.set(v.id, v)
      return json(201, { volume: observe(v), action: F.action(nextAction++, "create_volume", { id: v.id, type: "volume" }), next_actions: [] })
    }
    const v = volumes.get(Number(parts[0]))
    if (v === undefined) return notFound
    if (parts.length === 1 && req.method === "GET") return json(200, { volume: observe(v) })
    if (parts.length === 1 && req.method === "DELETE") {
      if (v.server !== null) return json(423, F.errors.locked)
      volumes.delete(v.id)
      return json(204)
    }
    if (parts[1] === "actions" && parts[2] === "attach" && req.method === "POST") {
      const serverId = Number((req.body as Record<string, unknown>)["server"])
      if (!servers.has(serverId)) return invalid("server", "server not found")
      if (v.server !== null) return json(409, F.error("volume_already_attached", "volume is already attached to a server"))
      v.server = serverId
      return action("attach_volume", { id: v.id, type: "volume" })
    }
    if (parts[1] === "actions" && parts[2] === "detach" && req.method === "POST") {
      v.server = null
      return action("detach_volume", { id: v.id, type: "volume" })
    }
    return notFound
  }

  const routeKeys = (req: FakeRequest, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") return paged(req, "ssh_keys", [...keys.values()])
    if (parts.length === 0 && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const fingerprint = md5(String(b["public_key"]))
      if ([...keys.values()].some((k) => k.name === b["name"])) return json(409, F.errors.uniqueness("name", "SSH key with the same name already exists"))
      if ([...keys.values()].some((k) => k.fingerprint === fingerprint)) {
        return json(409, F.errors.uniqueness("public_key", "SSH key with the same fingerprint already exists"))
      }
      const k = F.sshKey(nextId++, String(b["name"]), String(b["public_key"]), fingerprint)
      keys.set(k.id, k)
      return json(201, { ssh_key: k })
    }
    const k = keys.get(Number(parts[0]))
    if (k === undefined) return notFound
    if (req.method === "DELETE") {
      keys.delete(k.id)
      return json(204)
    }
    return json(200, { ssh_key: k })
  }

  const route = (req: FakeRequest): FakeResponse => {
    if (req.headers["authorization"] !== `Bearer ${options.token}`) return json(401, F.errors.unauthorized)
    const [version, collection, ...parts] = req.path.split("/").filter((p) => p !== "")
    if (version !== "v1") return notFound
    switch (collection) {
      case "servers":
        return routeServers(req, parts)
      case "volumes":
        return routeVolumes(req, parts)
      case "ssh_keys":
        return routeKeys(req, parts)
      case "server_types":
        return paged(req, "server_types", types)
      case "locations":
        return paged(req, "locations", locations)
      case "images": {
        if (parts.length === 0) return paged(req, "images", images)
        const i = images.find((x) => String(x.id) === parts[0])
        return i === undefined ? notFound : json(200, { image: i })
      }
      default:
        return notFound
    }
  }

  return serve(route)
}
