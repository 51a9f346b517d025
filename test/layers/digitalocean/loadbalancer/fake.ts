/**
 * A minimal DigitalOcean load balancer API: the routes the provider uses,
 * answering with the documented bodies (fixtures.ts and ../fixtures.ts), and
 * balancers that go new → active over a few reads. A fixed set of droplets
 * (GET /v2/droplets) stands for the account's droplets that members are
 * resolved against. Where the reference says nothing (which status a bad
 * create gets), the fake answers 422 unprocessable_entity.
 */
import { Effect, type Scope } from "effect"
import { type FakeRequest, type FakeResponse, json, serve } from "../fakeHttp.js"
import * as F from "../fixtures.js"
import * as L from "./fixtures.js"

export interface FakeOptions {
  readonly token: string
  /** The account's droplets: [id, public IPv4, private IPv4]. */
  readonly droplets: ReadonlyArray<readonly [number, string, string]>
  readonly pageSize?: number
  /** Reads of a new balancer before it is active. */
  readonly readsUntilActive?: number
}

interface Record {
  readonly body: ReturnType<typeof L.balancer>
  reads: number
}

const notFound = json(404, F.error.notFound)
const unprocessable = (message: string) => json(422, F.error.unprocessable(message))

export const start = (options: FakeOptions): Effect.Effect<string, never, Scope.Scope> => {
  const pageSize = options.pageSize ?? 2
  const readsUntilActive = options.readsUntilActive ?? 2
  const balancers = new Map<string, Record>()
  const droplets = options.droplets.map(([id, publicIp, privateIp]) =>
    F.droplet({ id, name: `droplet-${id}`, status: "active", publicIp, privateIp })
  )

  const paged = (req: FakeRequest, origin: string, key: string, all: ReadonlyArray<unknown>): FakeResponse => {
    const perPage = Math.min(Number(req.query.get("per_page") ?? "20"), pageSize)
    const page = Number(req.query.get("page") ?? "1")
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const link = (n: number) => `${origin}${req.path}?page=${n}&per_page=${perPage}`
    const items = all.slice((page - 1) * perPage, page * perPage)
    return json(200, F.page(key, items, all.length, page < last ? link(page + 1) : undefined, page < last ? link(last) : undefined))
  }

  const read = (r: Record) => {
    if (r.body.status === "new" && ++r.reads > readsUntilActive) (r.body as { status: string }).status = "active"
    return r.body
  }

  const validRules = (rules: unknown): rules is ReadonlyArray<L.Rule> =>
    Array.isArray(rules) && rules.length > 0 &&
    rules.every((r: L.Rule) => ["http", "https", "http2", "tcp"].includes(r.entry_protocol) && Number.isInteger(r.entry_port) && Number.isInteger(r.target_port))

  const route = (req: FakeRequest, origin: string): FakeResponse => {
    if (req.headers["authorization"] !== `Bearer ${options.token}`) return json(401, F.error.unauthorized)
    const [version, collection, id, sub] = req.path.split("/").filter((p) => p !== "")
    if (version !== "v2") return notFound
    if (collection === "droplets" && id === undefined) return paged(req, origin, "droplets", droplets)
    if (collection !== "load_balancers") return notFound
    if (id === undefined && req.method === "GET") return paged(req, origin, "load_balancers", [...balancers.values()].map((r) => r.body))
    if (id === undefined && req.method === "POST") {
      const b = req.body as { [k: string]: unknown }
      if (typeof b["region"] !== "string") return unprocessable("region is required")
      if (!validRules(b["forwarding_rules"])) return unprocessable("forwarding_rules are invalid")
      const ids = (b["droplet_ids"] ?? []) as ReadonlyArray<number>
      if (ids.some((d) => !droplets.some((x) => x.id === d))) return unprocessable("droplet_ids contains an unknown droplet")
      const body = L.balancer({
        id: crypto.randomUUID(),
        name: String(b["name"]),
        status: "new",
        rules: b["forwarding_rules"],
        dropletIds: ids,
        region: b["region"],
        ...(typeof b["tag"] === "string" ? { tag: b["tag"] } : {})
      })
      balancers.set(body.id, { body, reads: 0 })
      return json(202, { load_balancer: body })
    }
    const r = balancers.get(id ?? "")
    if (r === undefined) return notFound
    if (sub === "droplets") {
      const ids = ((req.body as { droplet_ids?: ReadonlyArray<number> }).droplet_ids ?? [])
      if (r.body.tag !== "") return unprocessable("Individual Droplets can not be added to a load balancer configured with a Droplet tag.")
      const current = r.body.droplet_ids as Array<number>
      if (req.method === "POST") {
        if (ids.some((d) => !droplets.some((x) => x.id === d))) return notFound
        for (const d of ids) if (!current.includes(d)) current.push(d)
        return json(204)
      }
      if (req.method === "DELETE") {
        ;(r.body as { droplet_ids: ReadonlyArray<number> }).droplet_ids = current.filter((d) => !ids.includes(d))
        return json(204)
      }
      return notFound
    }
    if (sub !== undefined) return notFound
    if (req.method === "GET") return json(200, { load_balancer: read(r) })
    if (req.method === "PUT") {
      const b = req.body as { [k: string]: unknown }
      if (!validRules(b["forwarding_rules"])) return unprocessable("forwarding_rules are invalid")
      const body = L.balancer({
        id: r.body.id,
        name: String(b["name"]),
        status: r.body.status,
        rules: b["forwarding_rules"],
        dropletIds: (b["droplet_ids"] ?? []) as ReadonlyArray<number>,
        region: String(b["region"]),
        ...(typeof b["tag"] === "string" ? { tag: b["tag"] } : {})
      })
      balancers.set(body.id, { body, reads: r.reads })
      return json(200, { load_balancer: body })
    }
    if (req.method === "DELETE") {
      balancers.delete(r.body.id)
      return json(204)
    }
    return notFound
  }

  return serve(route)
}
