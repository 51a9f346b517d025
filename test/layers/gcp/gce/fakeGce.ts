/**
 * A small in-process Compute Engine for the contract suite: node:http on
 * 127.0.0.1, answering with the documented shapes from fixtures.ts.
 * Requests need a bearer token the local OAuth endpoint issued (which checks
 * the RS256 assertion against the test key). Mutations answer a PENDING
 * Operation that advances one step per `wait` (PENDING → RUNNING → DONE) and
 * takes effect when DONE; instances go PROVISIONING → STAGING → RUNNING over
 * reads. Lists honour `maxResults` and `pageToken`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as F from "./fixtures.js"

interface InstanceState {
  id: string
  name: string
  zone: string
  machineType: string
  status: string
  reads: number
  networkIP: string
  natIP: string | undefined
  disks: Array<{ deviceName: string; source: string; boot: boolean; index: number }>
  metadata: Array<{ key: string; value: string }>
  labels: Record<string, string> | undefined
}

interface DiskState {
  id: string
  name: string
  zone: string
  sizeGb: number
  status: string
  users: Array<string>
  sourceSnapshot: string | undefined
  sourceImage: string | undefined
}

interface SnapshotState {
  id: string
  name: string
  sourceDisk: string
  sourceDiskId: string
  diskSizeGb: number
  status: string
  reads: number
}

interface OperationState {
  shape: F.OperationShape
  waits: number
  effect: () => void
  error: { code: string; message: string; status: number } | undefined
}

export interface FakeGce {
  readonly url: string
  /** Requests answered, "METHOD /path?query status". */
  readonly log: Array<string>
  /** Whether a Bearer token is acceptable (the token server's issued list). */
  authorize: (token: string) => boolean
  /** Make the next setCommonInstanceMetadata see a stale fingerprint (another writer got in first). */
  raceMetadata: number
  readonly close: () => Promise<void>
}

const ZONES = ["us-central1-a", "us-central1-b"]
const IMAGES: Record<string, ReadonlyArray<ReturnType<typeof F.image>>> = {
  [F.PROJECT]: [F.image(F.PROJECT, "cloudfx-base", { family: "cloudfx" })],
  "debian-cloud": [
    F.image("debian-cloud", "debian-11-bullseye-v20231010", { family: "debian-11", deprecated: "DEPRECATED" }),
    F.image("debian-cloud", "debian-12-bookworm-v20240110", { family: "debian-12" }),
    F.image("debian-cloud", "debian-12-bookworm-arm64-v20240110", { family: "debian-12-arm64" })
  ]
}
const MACHINE_TYPES = [
  F.machineType("e2-micro", 2, 1024, { shared: true }),
  F.machineType("e2-small", 2, 2048, { shared: true }),
  F.machineType("e2-standard-2", 2, 8192),
  F.machineType("n1-standard-1", 1, 3840, { deprecated: "DEPRECATED" }),
  F.machineType("n2-standard-2", 2, 8192)
]

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** A page of `all` from `maxResults` and `pageToken` (an opaque offset). */
const page = <T>(all: ReadonlyArray<T>, query: URLSearchParams): { items: ReadonlyArray<T>; next: string | undefined } => {
  const size = Math.min(500, Number(query.get("maxResults") ?? "500") || 500)
  const start = query.get("pageToken") === null ? 0 : Number(Buffer.from(query.get("pageToken")!, "base64url").toString("utf8"))
  const items = all.slice(start, start + size)
  return { items, next: start + size < all.length ? Buffer.from(String(start + size)).toString("base64url") : undefined }
}

const last = (url: string) => url.slice(url.lastIndexOf("/") + 1)

export const startFakeGce = async (): Promise<FakeGce> => {
  const instances = new Map<string, InstanceState>()
  const disks = new Map<string, DiskState>()
  const snapshots = new Map<string, SnapshotState>()
  const operations = new Map<string, OperationState>()
  const firewalls = new Map<string, ReturnType<typeof F.firewall>>()
  const addresses = new Map<string, ReturnType<typeof F.address>>()
  let metadata = { fingerprint: "fp-0", items: [] as Array<{ key: string; value: string }> }
  let fingerprints = 0
  let counter = 0
  let server: Server | undefined

  const state: FakeGce = {
    url: "",
    log: [],
    authorize: () => false,
    raceMetadata: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections()
        server?.close(() => resolve())
      })
  }

  const zonalKey = (zone: string, name: string) => `${zone}/${name}`
  const instanceUrl = (zone: string, name: string) => `${F.zoneUrl(zone)}/instances/${name}`
  const diskUrl = (zone: string, name: string) => `${F.zoneUrl(zone)}/disks/${name}`

  const renderInstance = (i: InstanceState) => {
    // Observed states advance: a fresh instance shows PROVISIONING, then STAGING, then RUNNING.
    if (i.status === "PROVISIONING" || i.status === "STAGING") {
      i.reads++
      if (i.reads >= 2) i.status = i.status === "PROVISIONING" ? "STAGING" : "RUNNING"
      if (i.reads >= 2) i.reads = 0
    }
    return F.instance({
      name: i.name,
      zone: i.zone,
      status: i.status,
      machineType: i.machineType,
      networkIP: i.networkIP,
      ...(i.status === "RUNNING" && i.natIP !== undefined ? { natIP: i.natIP } : {}),
      disks: i.disks,
      metadata: i.metadata,
      id: i.id,
      ...(i.labels === undefined ? {} : { labels: i.labels })
    })
  }
  const renderDisk = (d: DiskState) =>
    F.disk({
      id: d.id,
      name: d.name,
      zone: d.zone,
      sizeGb: d.sizeGb,
      status: d.status,
      users: d.users,
      ...(d.sourceSnapshot === undefined ? {} : { sourceSnapshot: d.sourceSnapshot }),
      ...(d.sourceImage === undefined ? {} : { sourceImage: d.sourceImage })
    })
  const renderSnapshot = (s: SnapshotState) => {
    if (s.status === "CREATING" && ++s.reads >= 2) s.status = "READY"
    return F.snapshot({ id: s.id, name: s.name, sourceDisk: s.sourceDisk, sourceDiskId: s.sourceDiskId, diskSizeGb: s.diskSizeGb, status: s.status })
  }

  const newOperation = (
    operationType: string,
    targetLink: string,
    scope: F.OperationShape["scope"],
    effect: () => void,
    error?: { code: string; message: string; status: number }
  ) => {
    const name = `operation-${Date.now()}-${(counter++).toString(16).padStart(8, "0")}`
    const shape: F.OperationShape = { name, status: "PENDING", operationType, targetLink, scope }
    operations.set(name, { shape, waits: 0, effect, error })
    return F.operation(shape)
  }

  // One step per wait; the effect (or the error) lands when the operation is DONE.
  const advance = (o: OperationState) => {
    o.waits++
    if (o.shape.status === "DONE") return
    if (o.waits === 1) {
      o.shape = { ...o.shape, status: "RUNNING" }
      return
    }
    if (o.error === undefined) {
      o.shape = { ...o.shape, status: "DONE" }
      o.effect()
    } else {
      o.shape = { ...o.shape, status: "DONE", error: { code: o.error.code, message: o.error.message }, httpErrorStatusCode: o.error.status, httpErrorMessage: "BAD REQUEST" }
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const method = req.method ?? "GET"
    const send = (status: number, body: unknown) => {
      state.log.push(`${method} ${url.pathname}${url.search} ${status}`)
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" })
      res.end(JSON.stringify(body))
    }
    const auth = req.headers.authorization ?? ""
    if (!auth.startsWith("Bearer ") || !state.authorize(auth.slice(7))) return send(401, F.errors.unauthorized())

    const prefix = `/compute/v1/projects/${F.PROJECT}`
    const q = url.searchParams
    let path = url.pathname
    const body = method === "POST" ? await readBody(req) : ""
    const json = body === "" ? {} : (JSON.parse(body) as Record<string, unknown>)

    // Public image projects are readable by anyone.
    const imagesMatch = /^\/compute\/v1\/projects\/([^/]+)\/global\/images(?:\/(family\/)?([^/]+))?$/.exec(path)
    if (imagesMatch !== null && method === "GET") {
      const [, project, family, name] = imagesMatch
      const all = IMAGES[project!]
      if (all === undefined) return send(404, F.errors.notFound(`projects/${project}`))
      if (name === undefined) {
        const p = page(all, q)
        return send(200, F.imageList(project!, p.items, p.next))
      }
      const found = family === undefined ? all.find((i) => i.name === name) : [...all].reverse().find((i) => i.family === name && i.deprecated === undefined)
      return found === undefined ? send(404, F.errors.notFound(`projects/${project}/global/images/${family ?? ""}${name}`)) : send(200, found)
    }
    if (!path.startsWith(prefix)) return send(404, F.errors.notFound(path.replace(/^\/compute\/v1\//, "").split("/").slice(0, 2).join("/")))
    path = path.slice(prefix.length)
    let m: RegExpExecArray | null

    if (path === "" && method === "GET") return send(200, F.project(metadata))
    if (path === "/setCommonInstanceMetadata" && method === "POST") {
      if (state.raceMetadata > 0) {
        state.raceMetadata--
        metadata = { ...metadata, fingerprint: `fp-${++fingerprints}` }
      }
      if (json["fingerprint"] !== metadata.fingerprint) return send(412, F.errors.fingerprint())
      const items = (json["items"] ?? []) as Array<{ key: string; value: string }>
      metadata = { fingerprint: `fp-${++fingerprints}`, items }
      return send(200, newOperation("compute.projects.setCommonInstanceMetadata", F.projectUrl(), "global", () => {}))
    }
    if ((m = /^\/(global|zones\/[^/]+|regions\/[^/]+)\/operations\/([^/]+)\/wait$/.exec(path)) && method === "POST") {
      const o = operations.get(m[2]!)
      if (o === undefined) return send(404, F.errors.notFound(`projects/${F.PROJECT}/${m[1]}/operations/${m[2]}`))
      advance(o)
      return send(200, F.operation(o.shape))
    }
    if (path === "/zones" && method === "GET") {
      const p = page(ZONES.map((z) => F.zone(z)), q)
      return send(200, F.zoneList(p.items, p.next))
    }
    if ((m = /^\/zones\/([^/]+)$/.exec(path)) && method === "GET") {
      return ZONES.includes(m[1]!) ? send(200, F.zone(m[1]!)) : send(404, F.errors.notFound(`projects/${F.PROJECT}/zones/${m[1]}`))
    }
    const zoneOf = (z: string) => ZONES.includes(z)
    if ((m = /^\/zones\/([^/]+)\//.exec(path)) && !zoneOf(m[1]!)) return send(404, F.errors.notFound(`projects/${F.PROJECT}/zones/${m[1]}`))

    if ((m = /^\/zones\/([^/]+)\/machineTypes$/.exec(path)) && method === "GET") {
      const p = page(MACHINE_TYPES.map((t) => ({ ...t, zone: m![1]! })), q)
      return send(200, F.machineTypeList(p.items, p.next, m[1]))
    }
    if ((m = /^\/zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(path)) && method === "GET") {
      const t = MACHINE_TYPES.find((x) => x.name === m![2])
      return t === undefined ? send(404, F.errors.notFound(`projects/${F.PROJECT}/zones/${m[1]}/machineTypes/${m[2]}`)) : send(200, { ...t, zone: m[1] })
    }

    // ------------------------------------------------------------ instances
    if (path === "/aggregated/instances" && method === "GET") {
      const all = [...instances.values()]
      return send(200, F.instanceAggregatedList(Object.fromEntries(ZONES.map((z) => [z, all.filter((i) => i.zone === z).map(renderInstance)]))))
    }
    if ((m = /^\/zones\/([^/]+)\/instances$/.exec(path))) {
      const zone = m[1]!
      if (method === "GET") {
        const p = page([...instances.values()].filter((i) => i.zone === zone), q)
        return send(200, F.instanceList(p.items.map(renderInstance), p.next, zone))
      }
      if (method === "POST") {
        const name = String(json["name"])
        if (!/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) return send(400, F.errors.invalid("resource.name", name))
        if (instances.has(zonalKey(zone, name))) return send(409, F.errors.alreadyExists(`projects/${F.PROJECT}/zones/${zone}/instances/${name}`))
        const machineType = last(String(json["machineType"]))
        const bootDisk = (json["disks"] as Array<{ initializeParams: { sourceImage: string } }>)[0]!
        const n = counter++
        const interfaces = json["networkInterfaces"] as Array<{ accessConfigs?: Array<{ natIP?: string }> }>
        const wantsPublic = (interfaces[0]?.accessConfigs ?? []).length > 0
        const record: InstanceState = {
          id: F.newId(),
          name,
          zone,
          machineType,
          status: "PROVISIONING",
          reads: 0,
          networkIP: `10.128.${(n >> 8) & 255}.${n & 255}`,
          natIP: wantsPublic ? interfaces[0]!.accessConfigs![0]!.natIP ?? `34.66.${(n >> 8) & 255}.${n & 255}` : undefined,
          disks: [{ deviceName: name, source: diskUrl(zone, name), boot: true, index: 0 }],
          metadata: ((json["metadata"] as { items?: Array<{ key: string; value: string }> } | undefined)?.items) ?? [],
          labels: json["labels"] as Record<string, string> | undefined
        }
        instances.set(zonalKey(zone, name), record)
        disks.set(zonalKey(zone, name), {
          id: F.newId(),
          name,
          zone,
          sizeGb: 10,
          status: "READY",
          users: [instanceUrl(zone, name)],
          sourceSnapshot: undefined,
          sourceImage: bootDisk.initializeParams.sourceImage
        })
        return send(200, newOperation("insert", instanceUrl(zone, name), { zone }, () => {}))
      }
    }
    if ((m = /^\/zones\/([^/]+)\/instances\/([^/]+)(?:\/(start|stop|reset|attachDisk|detachDisk))?$/.exec(path))) {
      const [, zone, name, action] = m as unknown as [string, string, string, string | undefined]
      const key = zonalKey(zone, name)
      const i = instances.get(key)
      if (i === undefined) return send(404, F.errors.notFound(`projects/${F.PROJECT}/zones/${zone}/instances/${name}`))
      const target = instanceUrl(zone, name)
      if (action === undefined && method === "GET") return send(200, renderInstance(i))
      if (action === undefined && method === "DELETE") {
        i.status = "STOPPING"
        return send(200, newOperation("delete", target, { zone }, () => {
          instances.delete(key)
          disks.delete(key)
          for (const d of disks.values()) d.users = d.users.filter((u) => u !== target)
        }))
      }
      if (method !== "POST") return send(405, F.errorBody(405, "httpMethodNotAllowed", "Method not allowed"))
      switch (action) {
        case "start":
          if (i.status === "TERMINATED") i.status = "STAGING"
          return send(200, newOperation("start", target, { zone }, () => {}))
        case "stop":
          if (i.status !== "TERMINATED") i.status = "STOPPING"
          return send(200, newOperation("stop", target, { zone }, () => void (i.status = "TERMINATED")))
        case "reset":
          if (i.status !== "RUNNING") return send(400, F.errors.notReady(`projects/${F.PROJECT}/zones/${zone}/instances/${name}`))
          return send(200, newOperation("reset", target, { zone }, () => {}))
        case "attachDisk": {
          const source = String(json["source"])
          const dm = /zones\/([^/]+)\/disks\/([^/]+)$/.exec(source)
          const d = dm === null ? undefined : disks.get(zonalKey(dm[1]!, dm[2]!))
          if (d === undefined) return send(404, F.errors.notFound(source.replace(/^.*?(projects\/)/, "$1")))
          const deviceName = typeof json["deviceName"] === "string" ? json["deviceName"] : `persistent-disk-${i.disks.length}`
          if (d.users.length > 0) {
            return send(200, newOperation("attachDisk", target, { zone }, () => {}, {
              code: "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
              message: `The disk resource 'projects/${F.PROJECT}/zones/${d.zone}/disks/${d.name}' is already being used by '${d.users[0]!.replace(/^.*?(projects\/)/, "$1")}'`,
              status: 400
            }))
          }
          d.users = [target]
          return send(200, newOperation("attachDisk", target, { zone }, () => {
            i.disks.push({ deviceName, source: diskUrl(d.zone, d.name), boot: false, index: i.disks.length })
          }))
        }
        case "detachDisk": {
          const device = q.get("deviceName")
          const attached = i.disks.find((d) => d.deviceName === device)
          if (attached === undefined) return send(400, F.errorBody(400, "invalid", `Invalid value for field 'deviceName': '${device}'. No attached disk found with device name '${device}'`))
          return send(200, newOperation("detachDisk", target, { zone }, () => {
            i.disks = i.disks.filter((d) => d !== attached)
            const dm = /zones\/([^/]+)\/disks\/([^/]+)$/.exec(attached.source)!
            const d = disks.get(zonalKey(dm[1]!, dm[2]!))
            if (d !== undefined) d.users = d.users.filter((u) => u !== target)
          }))
        }
      }
    }

    // ------------------------------------------------------------ disks
    if (path === "/aggregated/disks" && method === "GET") {
      const all = [...disks.values()]
      return send(200, F.diskAggregatedList(Object.fromEntries(ZONES.map((z) => [z, all.filter((d) => d.zone === z).map(renderDisk)]))))
    }
    if ((m = /^\/zones\/([^/]+)\/disks$/.exec(path))) {
      const zone = m[1]!
      if (method === "GET") {
        const p = page([...disks.values()].filter((d) => d.zone === zone), q)
        return send(200, F.diskList(p.items.map(renderDisk), p.next, zone))
      }
      if (method === "POST") {
        const name = String(json["name"])
        if (disks.has(zonalKey(zone, name))) return send(409, F.errors.alreadyExists(`projects/${F.PROJECT}/zones/${zone}/disks/${name}`))
        const sourceSnapshot = typeof json["sourceSnapshot"] === "string" ? last(json["sourceSnapshot"]) : undefined
        if (sourceSnapshot !== undefined && !snapshots.has(sourceSnapshot)) {
          return send(404, F.errors.notFound(`projects/${F.PROJECT}/global/snapshots/${sourceSnapshot}`))
        }
        const record: DiskState = {
          id: F.newId(),
          name,
          zone,
          sizeGb: Number(json["sizeGb"]),
          status: "CREATING",
          users: [],
          sourceSnapshot,
          sourceImage: undefined
        }
        disks.set(zonalKey(zone, name), record)
        return send(200, newOperation("insert", diskUrl(zone, name), { zone }, () => void (record.status = "READY")))
      }
    }
    if ((m = /^\/zones\/([^/]+)\/disks\/([^/]+)(\/createSnapshot)?$/.exec(path))) {
      const [, zone, name, createSnapshot] = m as unknown as [string, string, string, string | undefined]
      const key = zonalKey(zone, name)
      const d = disks.get(key)
      if (d === undefined) return send(404, F.errors.notFound(`projects/${F.PROJECT}/zones/${zone}/disks/${name}`))
      if (createSnapshot === undefined && method === "GET") return send(200, renderDisk(d))
      if (createSnapshot === undefined && method === "DELETE") {
        if (d.users.length > 0) {
          return send(400, F.errors.inUse(`projects/${F.PROJECT}/zones/${zone}/disks/${name}`, d.users[0]!.replace(/^.*?(projects\/)/, "$1")))
        }
        d.status = "DELETING"
        return send(200, newOperation("delete", diskUrl(zone, name), { zone }, () => void disks.delete(key)))
      }
      if (createSnapshot !== undefined && method === "POST") {
        const snapshotName = String(json["name"])
        if (snapshots.has(snapshotName)) return send(409, F.errors.alreadyExists(`projects/${F.PROJECT}/global/snapshots/${snapshotName}`))
        return send(200, newOperation("createSnapshot", diskUrl(zone, name), { zone }, () => {
          snapshots.set(snapshotName, {
            id: F.newId(),
            name: snapshotName,
            sourceDisk: diskUrl(zone, name),
            sourceDiskId: d.id,
            diskSizeGb: d.sizeGb,
            status: "CREATING",
            reads: 0
          })
        }))
      }
    }

    // ------------------------------------------------------------ snapshots
    if (path === "/global/snapshots" && method === "GET") {
      const p = page([...snapshots.values()], q)
      return send(200, F.snapshotList(p.items.map(renderSnapshot), p.next))
    }
    if ((m = /^\/global\/snapshots\/([^/]+)$/.exec(path))) {
      const s = snapshots.get(m[1]!)
      if (s === undefined) return send(404, F.errors.notFound(`projects/${F.PROJECT}/global/snapshots/${m[1]}`))
      if (method === "GET") return send(200, renderSnapshot(s))
      if (method === "DELETE") {
        s.status = "DELETING"
        return send(200, newOperation("delete", `${F.projectUrl()}/global/snapshots/${s.name}`, "global", () => void snapshots.delete(s.name)))
      }
    }

    // ------------------------------------------------------------ firewalls, addresses
    if (path === "/global/firewalls") {
      if (method === "GET") {
        const p = page([...firewalls.values()], q)
        return send(200, F.firewallList(p.items, p.next))
      }
      const name = String(json["name"])
      if (firewalls.has(name)) return send(409, F.errors.alreadyExists(`projects/${F.PROJECT}/global/firewalls/${name}`))
      return send(200, newOperation("insert", `${F.projectUrl()}/global/firewalls/${name}`, "global", () => {
        firewalls.set(name, {
          ...F.firewall({
            name,
            allowed: json["allowed"] as Array<{ IPProtocol: string; ports?: Array<string> }>,
            sourceRanges: (json["sourceRanges"] as Array<string> | undefined) ?? ["0.0.0.0/0"],
            ...(json["targetTags"] === undefined ? {} : { targetTags: json["targetTags"] as Array<string> }),
            ...(json["priority"] === undefined ? {} : { priority: json["priority"] as number })
          })
        })
      }))
    }
    if ((m = /^\/global\/firewalls\/([^/]+)$/.exec(path))) {
      const f = firewalls.get(m[1]!)
      if (f === undefined) return send(404, F.errors.notFound(`projects/${F.PROJECT}/global/firewalls/${m[1]}`))
      if (method === "GET") return send(200, f)
      return send(200, newOperation("delete", f.selfLink, "global", () => void firewalls.delete(f.name)))
    }
    if ((m = /^\/regions\/([^/]+)\/addresses$/.exec(path))) {
      const region = m[1]!
      if (method === "GET") {
        const p = page([...addresses.values()].filter((a) => last(a.region) === region), q)
        return send(200, F.addressList(p.items, p.next, region))
      }
      const name = String(json["name"])
      if (addresses.has(name)) return send(409, F.errors.alreadyExists(`projects/${F.PROJECT}/regions/${region}/addresses/${name}`))
      const n = counter++
      return send(200, newOperation("insert", `${F.regionUrl(region)}/addresses/${name}`, { region }, () => {
        addresses.set(name, F.address({ name, address: `35.202.${(n >> 8) & 255}.${n & 255}`, region }))
      }))
    }
    if ((m = /^\/regions\/([^/]+)\/addresses\/([^/]+)$/.exec(path))) {
      const a = addresses.get(m[2]!)
      if (a === undefined || last(a.region) !== m[1]) return send(404, F.errors.notFound(`projects/${F.PROJECT}/regions/${m[1]}/addresses/${m[2]}`))
      if (method === "GET") return send(200, a)
      return send(200, newOperation("delete", a.selfLink, { region: m[1]! }, () => void addresses.delete(a.name)))
    }

    return send(404, F.errorBody(404, "notFound", `The requested URL ${url.pathname} was not found on this server.`))
  }

  server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify(F.errorBody(500, "backendError", e instanceof Error ? e.message : String(e))))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, { url: `http://127.0.0.1:${port}` })
}
