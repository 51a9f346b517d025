/**
 * A minimal in-process Cloudflare API v4 for the Dns contract suite: zones
 * and DNS records kept in memory, answered with the documented envelope and
 * shapes (fixtures.ts names the reference pages). It implements only what
 * cloudfx sends and the refusals Cloudflare documents for it:
 *
 * - a token other than the expected one → 403 10000 "Authentication error";
 * - an unknown zone id → 400 7003 "Could not route to …, perhaps your object
 *   identifier is invalid?"; an unknown record id → 404 81044 "Record does
 *   not exist.";
 * - a zone name already taken → 400 1061 "<name> already exists";
 * - an identical record → 400 81058; a CNAME beside anything, or anything
 *   beside a CNAME → 400 81053 / 81054 (the create-record notes: "A/AAAA
 *   records cannot exist on the same name as CNAME records").
 */
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "../digitalocean/fakeHttp.js"
import * as F from "./fixtures.js"

interface StoredRecord {
  id: string
  name: string
  type: string
  content: string
  ttl: number
  priority?: number
  data?: Record<string, unknown>
  proxied: boolean
  comment: string | null
  tags: Array<string>
  created_on: string
  modified_on: string
}

const hex = () => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("")

const fail = (status: number, code: number, message: string) => json(status, F.failure([{ code, message }]))

const page = <A>(items: ReadonlyArray<A>, query: URLSearchParams) => {
  const pageNo = Math.max(1, Number(query.get("page") ?? "1"))
  const perPage = Math.max(1, Number(query.get("per_page") ?? "20"))
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage)
  return json(200, F.listed(slice, { page: pageNo, per_page: perPage, total_count: items.length }))
}

/** The formatted `content` Cloudflare shows for records written through `data`. */
const contentOf = (type: string, data: Record<string, unknown>) =>
  type === "SRV" ? `${data["weight"]} ${data["port"]} ${data["target"]}` : `${data["flags"]} ${data["tag"]} "${data["value"]}"`

export const start = (options: { readonly token: string; readonly accountId: string }): Effect.Effect<string, never, Scope.Scope> => {
  const zones = new Map<string, F.ZoneSpec & { id: string }>()
  const records = new Map<string, Array<StoredRecord>>()

  const sameRecord = (a: Omit<StoredRecord, "id">, b: Omit<StoredRecord, "id">) =>
    a.name === b.name && a.type === b.type && a.content === b.content && a.priority === b.priority

  /** What Cloudflare refuses about `candidate` among `others`. */
  const refusal = (others: ReadonlyArray<StoredRecord>, candidate: Omit<StoredRecord, "id">): FakeResponse | undefined => {
    if (others.some((r) => sameRecord(r, candidate))) return fail(400, 81058, "An identical record already exists.")
    const atName = others.filter((r) => r.name === candidate.name)
    if (candidate.type === "CNAME" && atName.length > 0) {
      return fail(400, 81053, "An A, AAAA, or CNAME record with that host already exists.")
    }
    if (candidate.type !== "CNAME" && atName.some((r) => r.type === "CNAME")) {
      return fail(400, 81054, "A CNAME record with that host already exists.")
    }
    return undefined
  }

  const fromBody = (body: Record<string, unknown>, now: string, keep?: StoredRecord): Omit<StoredRecord, "id"> => {
    const type = String(body["type"] ?? keep?.type)
    const data = body["data"] as Record<string, unknown> | undefined
    const priority = type === "SRV" ? (data?.["priority"] as number | undefined) : (body["priority"] as number | undefined)
    return {
      name: String(body["name"] ?? keep?.name),
      type,
      content: data === undefined ? String(body["content"] ?? keep?.content) : contentOf(type, data),
      ttl: Number(body["ttl"] ?? keep?.ttl ?? 1),
      ...(priority === undefined ? {} : { priority }),
      ...(data === undefined ? {} : { data }),
      proxied: Boolean(body["proxied"] ?? keep?.proxied ?? false),
      comment: (body["comment"] as string | null | undefined) ?? keep?.comment ?? null,
      tags: (body["tags"] as Array<string> | undefined) ?? keep?.tags ?? [],
      created_on: keep?.created_on ?? now,
      modified_on: now
    }
  }

  const view = (r: StoredRecord) => F.record({ ...r, proxiable: ["A", "AAAA", "CNAME"].includes(r.type) })

  const handle = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${options.token}`) return fail(403, 10000, "Authentication error")
    const now = new Date().toISOString()
    const parts = req.path.replace(/^\/client\/v4/, "").split("/").filter((p) => p !== "")
    const body = (req.body ?? {}) as Record<string, unknown>
    if (parts[0] !== "zones") return fail(400, 7000, "No route for that URI")
    if (parts.length === 1) {
      if (req.method === "GET") return page([...zones.values()].sort((a, b) => a.name.localeCompare(b.name)).map(F.zone), req.query)
      if (req.method === "POST") {
        const name = String(body["name"] ?? "")
        const account = body["account"] as { id?: string } | undefined
        if (account?.id !== options.accountId) return fail(403, 9109, "Unauthorized to access requested resource")
        if ([...zones.values()].some((z) => z.name === name)) return fail(400, 1061, `${name} already exists`)
        const z = { id: hex(), name, type: String(body["type"] ?? "full"), accountId: options.accountId, createdOn: now }
        zones.set(z.id, z)
        records.set(z.id, [])
        return json(200, F.ok(F.zone(z)))
      }
    }
    const zoneId = parts[1]!
    const zone = zones.get(zoneId)
    if (zone === undefined) {
      return fail(400, 7003, `Could not route to /zones/${zoneId}, perhaps your object identifier is invalid?`)
    }
    const list = records.get(zoneId)!
    if (parts.length === 2) {
      if (req.method === "GET") return json(200, F.ok(F.zone(zone)))
      if (req.method === "DELETE") {
        zones.delete(zoneId)
        records.delete(zoneId)
        return json(200, F.ok({ id: zoneId }))
      }
    }
    if (parts[2] === "dns_records") {
      if (parts.length === 3) {
        if (req.method === "GET") return page(list.map(view), req.query)
        if (req.method === "POST") {
          const candidate = fromBody(body, now)
          const refused = refusal(list, candidate)
          if (refused !== undefined) return refused
          const stored = { id: hex(), ...candidate }
          list.push(stored)
          return json(200, F.ok(view(stored)))
        }
      }
      const at = list.findIndex((r) => r.id === parts[3])
      if (at < 0) return fail(404, 81044, "Record does not exist.")
      const current = list[at]!
      if (req.method === "GET") return json(200, F.ok(view(current)))
      if (req.method === "DELETE") {
        list.splice(at, 1)
        return json(200, F.ok({ id: current.id }))
      }
      if (req.method === "PUT" || req.method === "PATCH") {
        // PUT overwrites; PATCH keeps what the body leaves out.
        const next = { id: current.id, ...fromBody(body, now, req.method === "PATCH" ? current : undefined) }
        const refused = refusal(list.filter((r) => r.id !== current.id), next)
        if (refused !== undefined) return refused
        list[at] = next
        return json(200, F.ok(view(next)))
      }
    }
    return fail(400, 7000, "No route for that URI")
  }

  return serve(handle)
}
