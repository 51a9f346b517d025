/**
 * A minimal DigitalOcean domains API for the Dns contract: the routes the
 * provider uses, answering with the documented bodies (fixtures.ts, and the
 * shared page and error bodies of ../fixtures.ts). A new domain holds the
 * three NS records of the reference's example listing, plus the apex A record
 * when created with `ip_address`. Where the reference says nothing (which
 * status a duplicate domain gets), the fake answers 422 unprocessable_entity.
 */
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "../fakeHttp.js"
import * as F from "../fixtures.js"
import * as D from "./fixtures.js"

export interface FakeOptions {
  readonly token: string
  /** Items per page at most (small here so listings page). */
  readonly pageSize?: number
}

type Rec = ReturnType<typeof D.record>

const notFound = json(404, F.error.notFound)
const unprocessable = (message: string) => json(422, F.error.unprocessable(message))

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 3
  const domains = new Map<string, Array<Rec>>()
  let nextId = 28448429

  const paged = (req: FakeRequest, origin: string, key: string, all: ReadonlyArray<unknown>): FakeResponse => {
    const perPage = Math.min(Number(req.query.get("per_page") ?? "20"), pageSize)
    const page = Number(req.query.get("page") ?? "1")
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const link = (n: number) => {
      const q = new URLSearchParams(req.query)
      q.set("page", String(n))
      return `${origin}${req.path}?${q.toString()}`
    }
    const items = all.slice((page - 1) * perPage, page * perPage)
    return json(200, F.page(key, items, all.length, page < last ? link(page + 1) : undefined, page < last ? link(last) : undefined))
  }

  const fields = (b: Record<string, unknown>) => ({
    type: String(b["type"]),
    name: String(b["name"] ?? "@"),
    data: String(b["data"]),
    ...(typeof b["ttl"] === "number" ? { ttl: b["ttl"] } : {}),
    priority: (b["priority"] ?? null) as number | null,
    port: (b["port"] ?? null) as number | null,
    weight: (b["weight"] ?? null) as number | null,
    flags: (b["flags"] ?? null) as number | null,
    tag: (b["tag"] ?? null) as string | null
  })

  const routeRecords = (req: FakeRequest, origin: string, name: string, records: Array<Rec>, parts: ReadonlyArray<string>): FakeResponse => {
    if (parts.length === 0 && req.method === "GET") {
      const fqdn = (r: Rec) => (r.name === "@" ? name : `${r.name}.${name}`)
      const byName = req.query.get("name")
      const byType = req.query.get("type")
      return paged(req, origin, "domain_records", records.filter((r) => (byName === null || fqdn(r) === byName) && (byType === null || r.type === byType)))
    }
    if (parts.length === 0 && req.method === "POST") {
      const r = D.record({ id: nextId++, ...fields(req.body as Record<string, unknown>) })
      records.push(r)
      return json(201, { domain_record: r })
    }
    const index = records.findIndex((r) => String(r.id) === parts[0])
    if (index < 0) return notFound
    const current = records[index]!
    if (req.method === "GET") return json(200, { domain_record: current })
    if (req.method === "PUT") {
      const next = D.record({ id: current.id, ...fields({ ...current, ...(req.body as Record<string, unknown>) }) })
      records[index] = next
      return json(200, { domain_record: next })
    }
    if (req.method === "DELETE") {
      // Domain Records tag: SOA "cannot be deleted".
      if (current.type === "SOA") return unprocessable("SOA records cannot be deleted.")
      records.splice(index, 1)
      return json(204)
    }
    return notFound
  }

  const route = (req: FakeRequest, origin: string): FakeResponse => {
    if (req.headers["authorization"] !== `Bearer ${options.token}`) return json(401, F.error.unauthorized)
    const [version, collection, name, sub, ...parts] = req.path.split("/").filter((p) => p !== "")
    if (version !== "v2" || collection !== "domains") return notFound
    if (name === undefined && req.method === "GET") return paged(req, origin, "domains", [...domains.keys()].sort().map((d) => D.domain(d)))
    if (name === undefined && req.method === "POST") {
      const b = req.body as Record<string, unknown>
      const domain = String(b["name"])
      if (domains.has(domain)) return unprocessable("Name already exists")
      const records: Array<Rec> = D.nameservers(nextId)
      nextId += records.length
      if (typeof b["ip_address"] === "string") records.push(D.record({ id: nextId++, type: "A", name: "@", data: b["ip_address"] }))
      domains.set(domain, records)
      return json(201, D.createdDomain(domain))
    }
    const records = domains.get(name ?? "")
    if (records === undefined || name === undefined) return notFound
    if (sub === "records") return routeRecords(req, origin, name, records, parts)
    if (sub !== undefined) return notFound
    if (req.method === "GET") return json(200, { domain: D.domain(name) })
    if (req.method === "DELETE") {
      domains.delete(name)
      return json(204)
    }
    return notFound
  }

  return serve(route)
}
