/**
 * A minimal OpenStack for the Compute contract: the Nova v2.1, Glance v2 and
 * Cinder v3 routes the provider uses, under /compute/v2.1, /image/v2 and
 * /volume/v3/<project>, answering with the documented bodies of fixtures.ts
 * and the documented faults (`{"itemNotFound": {"message", "code"}}`, 400
 * badRequest, 409 conflictingRequest), with servers that go BUILD → ACTIVE,
 * volumes creating → available and snapshots creating → available over a
 * few reads, and lists paged by `limit` / `marker` with `*_links` (Glance:
 * `next`). Every request must carry an X-Auth-Token that `authorize`
 * accepts (the real Keystone, in the contract test).
 */
import { createHash, randomUUID } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"
import * as F from "./fixtures.js"

export interface FakeOptions {
  /** Whether a token is good (e.g. asked of Keystone); 401 otherwise. */
  readonly authorize: (token: string) => Promise<boolean>
  /** Items per page when the client asks for no limit (small, so that lists page). */
  readonly pageSize?: number
  readonly pollsUntilActive?: number
}

interface ServerRecord {
  readonly id: string
  readonly name: string
  status: string
  taskState: string | null
  polls: number
  /** What the current transition ends in, after `polls` reaches 0. */
  next: { readonly status: string; readonly after: number } | undefined
  readonly flavor: string
  readonly image: string
  readonly zone: string
  readonly keyName: string | null
  readonly n: number
  readonly created: string
}

interface VolumeRecord {
  readonly id: string
  readonly name: string
  readonly size: number
  readonly zone: string
  readonly snapshotId: string | null
  status: string
  attachedTo: string | null
  reads: number
  readonly created: string
}

interface SnapshotRecord {
  readonly id: string
  readonly name: string | null
  readonly volumeId: string
  readonly size: number
  status: string
  reads: number
}

interface Answer {
  readonly status: number
  readonly body?: unknown
}

const answer = (status: number, body?: unknown): Answer => (body === undefined ? { status } : { status, body })
const fault = (status: number, name: string, message: string): Answer => answer(status, { [name]: { code: status, message } })

const md5 = (publicKey: string) => createHash("md5").update(Buffer.from(publicKey.split(" ")[1] ?? "", "base64")).digest("hex").match(/../g)!.join(":")

/** One page of `items` (by `key`) after `marker`, with a next link when the page is full (as Nova and Cinder do). */
const page = <A>(items: ReadonlyArray<A>, key: (a: A) => string, query: URLSearchParams, defaultLimit: number) => {
  const limit = Number(query.get("limit") ?? defaultLimit)
  const marker = query.get("marker")
  const start = marker === null ? 0 : items.findIndex((a) => key(a) === marker) + 1
  const slice = items.slice(start, start + limit)
  const last = slice[slice.length - 1]
  const next = slice.length === limit && last !== undefined ? `limit=${limit}&marker=${encodeURIComponent(key(last))}` : undefined
  return { slice, next }
}

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 2
  const pollsUntilActive = options.pollsUntilActive ?? 2
  const servers = new Map<string, ServerRecord>()
  const volumes = new Map<string, VolumeRecord>()
  const snapshots = new Map<string, SnapshotRecord>()
  const keypairs = new Map<string, ReturnType<typeof F.keypair>>()
  let counter = 10

  const tickServer = (s: ServerRecord) => {
    if (s.next === undefined) return
    s.polls++
    if (s.polls >= s.next.after) {
      s.status = s.next.status
      s.taskState = null
      s.next = undefined
    }
  }
  const tickVolume = (v: VolumeRecord) => {
    v.reads++
    if (v.reads < 1) return
    if (v.status === "creating") v.status = "available"
    else if (v.status === "attaching") v.status = "in-use"
    else if (v.status === "detaching") {
      v.status = "available"
      v.attachedTo = null
    } else if (v.status === "deleting") volumes.delete(v.id)
  }
  const tickSnapshot = (s: SnapshotRecord) => {
    s.reads++
    if (s.status === "creating") s.status = "available"
    else if (s.status === "deleting") snapshots.delete(s.id)
  }

  const serverView = (s: ServerRecord) =>
    F.server({
      id: s.id,
      name: s.name,
      status: s.status,
      taskState: s.taskState,
      flavor: s.flavor,
      image: s.image,
      zone: s.zone,
      keyName: s.keyName,
      created: s.created,
      addresses: s.status === "BUILD" ? {} : F.addresses(`192.168.0.${s.n}`, `203.0.113.${s.n}`)
    })
  const volumeView = (v: VolumeRecord, origin: string, project: string) =>
    F.volume({
      id: v.id,
      name: v.name,
      size: v.size,
      status: v.status,
      zone: v.zone,
      snapshotId: v.snapshotId,
      created: v.created,
      origin,
      project,
      attachments: v.attachedTo === null || v.status === "attaching" ? [] : [{ serverId: v.attachedTo, volumeId: v.id, device: "/dev/vdb" }]
    })
  const snapshotView = (s: SnapshotRecord) => F.snapshot({ id: s.id, name: s.name, volumeId: s.volumeId, size: s.size, status: s.status })

  const action = (s: ServerRecord, verb: string, allowed: ReadonlyArray<string>, to: { status: string; taskState: string | null; final: string }) => {
    if (!allowed.includes(s.status) || s.next !== undefined) {
      return fault(409, "conflictingRequest", `Cannot '${verb}' instance ${s.id} while it is in vm_state ${s.status === "SHUTOFF" ? "stopped" : s.status.toLowerCase()}`)
    }
    s.status = to.status
    s.taskState = to.taskState
    s.polls = 0
    s.next = { status: to.final, after: 1 }
    return answer(202)
  }

  const compute = (method: string, parts: ReadonlyArray<string>, query: URLSearchParams, body: any, origin: string): Answer => {
    const [head, id, sub, subId] = parts
    if (head === "flavors" && id === "detail" && method === "GET") {
      const { next, slice } = page(F.flavors, (f) => f.id, query, pageSize)
      return answer(200, { flavors: slice, ...(next === undefined ? {} : { flavors_links: [{ href: `${origin}/compute/v2.1/flavors/detail?${next}`, rel: "next" }] }) })
    }
    if (head === "flavors" && id !== undefined && method === "GET") {
      const f = F.flavors.find((x) => x.id === id)
      return f === undefined ? fault(404, "itemNotFound", `Flavor ${id} could not be found.`) : answer(200, { flavor: f })
    }
    if (head === "os-availability-zone" && method === "GET") return answer(200, F.availabilityZones)
    if (head === "os-keypairs") {
      if (id === undefined && method === "GET") {
        const all = [...keypairs.values()].sort((a, b) => a.name.localeCompare(b.name))
        const { next, slice } = page(all, (k) => k.name, query, pageSize)
        return answer(200, {
          keypairs: slice.map((keypair) => ({ keypair })),
          ...(next === undefined ? {} : { keypairs_links: [{ href: `${origin}/compute/v2.1/os-keypairs?${next}`, rel: "next" }] })
        })
      }
      if (id === undefined && method === "POST") {
        const { name, public_key } = body.keypair as { name: string; public_key: string }
        if (keypairs.has(name)) return fault(409, "conflictingRequest", `Key pair '${name}' already exists.`)
        const k = F.keypair({ name, publicKey: public_key, fingerprint: md5(public_key) })
        keypairs.set(name, k)
        return answer(201, { keypair: { ...k, user_id: "fake" } })
      }
      const k = id === undefined ? undefined : keypairs.get(id)
      if (k === undefined) return fault(404, "itemNotFound", `Keypair ${id} not found for user fake`)
      if (method === "GET") return answer(200, { keypair: k })
      if (method === "DELETE") {
        keypairs.delete(k.name)
        return answer(204)
      }
    }
    if (head !== "servers") return fault(404, "itemNotFound", "The resource could not be found.")
    if (id === "detail" && method === "GET") {
      const all = [...servers.values()]
      all.forEach(tickServer)
      const { next, slice } = page(all, (s) => s.id, query, pageSize)
      return answer(200, {
        servers: slice.map(serverView),
        ...(next === undefined ? {} : { servers_links: [{ href: `${origin}/compute/v2.1/servers/detail?${next}`, rel: "next" }] })
      })
    }
    if (id === undefined && method === "POST") {
      const s = body.server as { name: string; flavorRef: string; imageRef: string; availability_zone?: string; key_name?: string }
      if (!F.flavors.some((f) => f.id === s.flavorRef)) return fault(400, "badRequest", `Flavor ${s.flavorRef} could not be found.`)
      if (!F.images.some((i) => i.id === s.imageRef)) return fault(400, "badRequest", `Image ${s.imageRef} could not be found.`)
      if (s.availability_zone !== undefined && !F.availabilityZones.availabilityZoneInfo.some((z) => z.zoneName === s.availability_zone)) {
        return fault(400, "badRequest", "The requested availability zone is not available")
      }
      if (s.key_name !== undefined && !keypairs.has(s.key_name)) return fault(400, "badRequest", "Invalid key_name provided.")
      const record: ServerRecord = {
        id: randomUUID(),
        name: s.name,
        status: "BUILD",
        taskState: "spawning",
        polls: 0,
        next: { status: "ACTIVE", after: pollsUntilActive },
        flavor: s.flavorRef,
        image: s.imageRef,
        zone: s.availability_zone ?? "nova",
        keyName: s.key_name ?? null,
        n: counter++,
        created: new Date().toISOString().replace(/\.\d+Z$/, "Z")
      }
      servers.set(record.id, record)
      return answer(202, F.createdServer(record.id, origin))
    }
    const s = id === undefined ? undefined : servers.get(id)
    if (s === undefined) return fault(404, "itemNotFound", `Instance ${id} could not be found.`)
    if (sub === undefined && method === "GET") {
      tickServer(s)
      return answer(200, { server: serverView(s) })
    }
    if (sub === undefined && method === "DELETE") {
      servers.delete(s.id)
      return answer(204)
    }
    if (sub === "action" && method === "POST") {
      if ("os-start" in body) return action(s, "start", ["SHUTOFF"], { status: "SHUTOFF", taskState: "powering-on", final: "ACTIVE" })
      if ("os-stop" in body) return action(s, "stop", ["ACTIVE"], { status: "ACTIVE", taskState: "powering-off", final: "SHUTOFF" })
      if ("reboot" in body) return action(s, "reboot", ["ACTIVE"], { status: body.reboot.type === "HARD" ? "HARD_REBOOT" : "REBOOT", taskState: "rebooting", final: "ACTIVE" })
      return fault(400, "badRequest", "Invalid request body")
    }
    if (sub === "os-volume_attachments" && method === "POST") {
      const volumeId = body.volumeAttachment.volumeId as string
      const v = volumes.get(volumeId)
      if (v === undefined) return fault(404, "itemNotFound", `Volume ${volumeId} could not be found.`)
      if (v.status !== "available") return fault(400, "badRequest", `Invalid volume: volume ${volumeId} status must be 'available'. Currently in '${v.status}'`)
      v.status = "attaching"
      v.attachedTo = s.id
      v.reads = 0
      return answer(200, { volumeAttachment: { device: "/dev/vdb", id: volumeId, serverId: s.id, volumeId } })
    }
    if (sub === "os-volume_attachments" && subId !== undefined && method === "DELETE") {
      const v = volumes.get(subId)
      if (v === undefined || v.attachedTo !== s.id) return fault(404, "itemNotFound", `volume_id not found: ${subId}`)
      v.status = "detaching"
      v.reads = 0
      return answer(202)
    }
    return fault(404, "itemNotFound", "The resource could not be found.")
  }

  const image = (method: string, parts: ReadonlyArray<string>, query: URLSearchParams): Answer => {
    const [head, id] = parts
    if (head !== "images" || method !== "GET") return answer(404)
    if (id !== undefined) {
      const i = F.images.find((x) => x.id === id)
      // Glance's 404 is plain text, not JSON.
      return i === undefined ? answer(404) : answer(200, i)
    }
    const { next, slice } = page(F.images, (i) => i.id, query, pageSize)
    return answer(200, { images: slice, schema: "/v2/schemas/images", first: "/v2/images", ...(next === undefined ? {} : { next: `/v2/images?${next}` }) })
  }

  const volume = (method: string, parts: ReadonlyArray<string>, query: URLSearchParams, body: any, origin: string): Answer => {
    const [project, head, id] = parts
    const view = (v: VolumeRecord) => volumeView(v, origin, project!)
    if (head === "volumes") {
      if (id === "detail" && method === "GET") {
        ;[...volumes.values()].forEach(tickVolume)
        const { next, slice } = page([...volumes.values()], (v) => v.id, query, pageSize)
        return answer(200, {
          volumes: slice.map(view),
          ...(next === undefined ? {} : { volumes_links: [{ href: `${origin}/volume/v3/${project}/volumes/detail?${next}`, rel: "next" }] })
        })
      }
      if (id === undefined && method === "POST") {
        const spec = body.volume as { name: string; size: number; availability_zone?: string; snapshot_id?: string }
        const zone = spec.availability_zone ?? "nova"
        if (!F.availabilityZones.availabilityZoneInfo.some((z) => z.zoneName === zone)) {
          return fault(400, "badRequest", `Invalid input received: Availability zone '${zone}' is invalid.`)
        }
        if (spec.snapshot_id !== undefined && !snapshots.has(spec.snapshot_id)) return fault(404, "itemNotFound", `Snapshot ${spec.snapshot_id} could not be found.`)
        const v: VolumeRecord = {
          id: randomUUID(),
          name: spec.name,
          size: spec.size,
          zone,
          snapshotId: spec.snapshot_id ?? null,
          status: "creating",
          attachedTo: null,
          reads: 0,
          created: new Date().toISOString().replace("Z", "000")
        }
        volumes.set(v.id, v)
        return answer(202, { volume: view(v) })
      }
      const v = id === undefined ? undefined : volumes.get(id)
      if (v === undefined) return fault(404, "itemNotFound", `Volume ${id} could not be found.`)
      if (method === "GET") {
        tickVolume(v)
        return volumes.has(v.id) ? answer(200, { volume: view(v) }) : fault(404, "itemNotFound", `Volume ${id} could not be found.`)
      }
      if (method === "DELETE") {
        if (v.status !== "available" && v.status !== "error") {
          return fault(400, "badRequest", "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.")
        }
        v.status = "deleting"
        v.reads = 0
        return answer(202)
      }
    }
    if (head === "snapshots") {
      if (id === "detail" && method === "GET") {
        ;[...snapshots.values()].forEach(tickSnapshot)
        const volumeId = query.get("volume_id")
        const all = [...snapshots.values()].filter((s) => volumeId === null || s.volumeId === volumeId)
        const { next, slice } = page(all, (s) => s.id, query, pageSize)
        return answer(200, {
          snapshots: slice.map(snapshotView),
          ...(next === undefined ? {} : { snapshots_links: [{ href: `${origin}/volume/v3/${project}/snapshots/detail?${next}`, rel: "next" }] })
        })
      }
      if (id === undefined && method === "POST") {
        const spec = body.snapshot as { volume_id: string; name?: string }
        const v = volumes.get(spec.volume_id)
        if (v === undefined) return fault(404, "itemNotFound", `Volume ${spec.volume_id} could not be found.`)
        const s: SnapshotRecord = { id: randomUUID(), name: spec.name ?? null, volumeId: v.id, size: v.size, status: "creating", reads: 0 }
        snapshots.set(s.id, s)
        return answer(202, { snapshot: snapshotView(s) })
      }
      const s = id === undefined ? undefined : snapshots.get(id)
      if (s === undefined) return fault(404, "itemNotFound", `Snapshot ${id} could not be found.`)
      if (method === "GET") return answer(200, { snapshot: snapshotView(s) })
      if (method === "DELETE") {
        if (s.status !== "available" && s.status !== "error") return fault(400, "badRequest", "Invalid snapshot: Snapshot status must be available or error.")
        s.status = "deleting"
        return answer(202)
      }
    }
    return fault(404, "itemNotFound", "The resource could not be found.")
  }

  const route = (method: string, url: URL, body: unknown, origin: string): Answer => {
    const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent)
    const [service, version, ...rest] = parts
    if (service === "compute" && version === "v2.1") return compute(method, rest, url.searchParams, body, origin)
    if (service === "image" && version === "v2") return image(method, rest, url.searchParams)
    if (service === "volume" && version === "v3") return volume(method, rest, url.searchParams, body, origin)
    return answer(404)
  }

  return Effect.acquireRelease(
    Effect.async<{ server: http.Server; origin: string }>((resume) => {
      let origin = ""
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const token = String(req.headers["x-auth-token"] ?? "")
          options.authorize(token).then((ok) => {
            const out = ok
              ? (() => {
                const text = Buffer.concat(chunks).toString("utf8")
                return route(req.method ?? "GET", new URL(req.url ?? "/", origin), text === "" ? undefined : JSON.parse(text), origin)
              })()
              : answer(401, { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } })
            const payload = out.body === undefined ? undefined : JSON.stringify(out.body)
            res.writeHead(out.status, payload === undefined ? {} : { "content-type": "application/json" })
            res.end(payload)
          }).catch((e: unknown) => {
            res.writeHead(500, { "content-type": "application/json" })
            res.end(JSON.stringify({ fakeServerBug: String(e) }))
          })
        })
      })
      server.listen(0, "127.0.0.1", () => {
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        resume(Effect.succeed({ server, origin }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ origin }) => origin))
}
