/**
 * A small in-process Route 53 REST server (node:http on 127.0.0.1, port 0)
 * for the Dns contract, which needs state. It answers only through the
 * documented builders in fixtures.ts and with the documented error codes, and
 * keeps just enough state: hosted zones (a new one gets an SOA and four NS
 * records at its apex), record sets ordered as ListResourceRecordSets orders
 * them (name with labels reversed, then type), change batches applied all or
 * nothing with Route 53's checks (CREATE of an existing set, DELETE of a
 * missing or different one, CNAME beside anything), changes PENDING until
 * looked at once, names stored lower case with `*` as `\052`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Either } from "effect"
import { parseXml } from "../../../../src/http/Decode.js"
import * as X from "./fixtures.js"

interface Rrset {
  readonly name: string
  readonly type: string
  readonly ttl: string | undefined
  readonly values: ReadonlyArray<string>
  readonly alias: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean } | undefined
}

interface HostedZone extends Omit<X.ZoneFixture, "comment"> {
  comment: string | undefined
  rrsets: Array<Rrset>
}

class Failure {
  constructor(readonly status: number, readonly body: string) {}
}

const randomId = (prefix: string) => prefix + Array.from({ length: 13 }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[Math.floor(Math.random() * 36)]).join("")

/** Route 53's storage form of a name: absolute, lower case, `*` escaped. */
const canonical = (name: string) => {
  const n = name.toLowerCase().replace(/\*/g, "\\052")
  return n.endsWith(".") ? n : `${n}.`
}
const reversed = (name: string) => name.split(".").reverse().join(".")
const order = (a: { name: string; type: string }, b: { name: string; type: string }) => {
  const ka = `${reversed(a.name)} ${a.type}`
  const kb = `${reversed(b.name)} ${b.type}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}
const same = (a: Rrset, b: Rrset) =>
  a.ttl === b.ttl && JSON.stringify(a.values) === JSON.stringify(b.values) && JSON.stringify(a.alias) === JSON.stringify(b.alias)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const list = (u: unknown): Array<unknown> => (u === undefined || u === "" ? [] : Array.isArray(u) ? u : [u])

const rrsetFrom = (u: Record<string, unknown>): Rrset => {
  const records = isRecord(u["ResourceRecords"]) ? list(u["ResourceRecords"]["ResourceRecord"]) : []
  const alias = isRecord(u["AliasTarget"]) ? u["AliasTarget"] : undefined
  return {
    name: canonical(String(u["Name"])),
    type: String(u["Type"]),
    ttl: u["TTL"] === undefined ? undefined : String(u["TTL"]),
    values: records.map((r) => String((r as Record<string, unknown>)["Value"])),
    alias: alias === undefined
      ? undefined
      : { hostedZoneId: String(alias["HostedZoneId"]), dnsName: String(alias["DNSName"]), evaluateTargetHealth: alias["EvaluateTargetHealth"] === "true" }
  }
}

const fixtureOf = (r: Rrset): X.RrsetFixture => ({
  name: r.name,
  type: r.type,
  ...(r.ttl === undefined ? {} : { ttl: Number(r.ttl) }),
  ...(r.alias === undefined ? { values: r.values } : { alias: r.alias })
})

export interface FakeRoute53 {
  readonly url: string
  /** Requests received, "METHOD /path?query". */
  readonly log: Array<string>
}

export const startFakeRoute53 = () =>
  Effect.acquireRelease(
    Effect.async<{ server: ReturnType<typeof createServer>; fake: FakeRoute53 }>((resume) => {
      const zones = new Map<string, HostedZone>()
      const changes = new Map<string, number>()
      const log: Array<string> = []
      const newChange = () => {
        const id = randomId("C")
        changes.set(id, 0)
        return id
      }

      const zoneOr404 = (id: string) => {
        const z = zones.get(id)
        if (z === undefined) throw new Failure(404, X.errorResponse("NoSuchHostedZone", `No hosted zone found with ID: ${id}`))
        return z
      }

      const handle = (method: string, url: URL, body: string): readonly [number, string] => {
        const path = url.pathname.replace(/^\/2013-04-01/, "")
        const q = url.searchParams
        const maxItems = Number(q.get("maxitems") ?? "100")
        let m: RegExpExecArray | null
        if (path === "/hostedzone" && method === "GET") {
          const all = [...zones.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
          const marker = q.get("marker")
          const start = marker === null ? 0 : all.findIndex((z) => z.id === marker)
          if (start < 0) throw new Failure(400, X.errorResponse("InvalidInput", "The specified marker is not valid."))
          const page = all.slice(start, start + maxItems)
          const next = all[start + maxItems]
          return [200, X.listHostedZones(page, { ...(marker === null ? {} : { marker }), ...(next === undefined ? {} : { nextMarker: next.id }), maxItems })]
        }
        if (path === "/hostedzonesbyname" && method === "GET") {
          const dnsName = q.get("dnsname")
          const all = [...zones.values()].sort((a, b) => order({ name: a.name, type: "" }, { name: b.name, type: "" }))
          const from = dnsName === null ? all : all.filter((z) => order({ name: z.name, type: "" }, { name: canonical(dnsName), type: "" }) >= 0)
          return [200, X.listHostedZonesByName(from.slice(0, maxItems), { ...(dnsName === null ? {} : { dnsName }), maxItems })]
        }
        if (path === "/hostedzone" && method === "POST") {
          const doc = Either.getOrThrow(parseXml(body)) as Record<string, Record<string, unknown>>
          const req = doc["CreateHostedZoneRequest"]!
          const callerReference = String(req["CallerReference"])
          if ([...zones.values()].some((z) => z.callerReference === callerReference)) {
            throw new Failure(409, X.errorResponse("HostedZoneAlreadyExists", `A hosted zone has already been created with the specified caller reference.`))
          }
          const name = canonical(String(req["Name"]))
          const comment = isRecord(req["HostedZoneConfig"]) ? req["HostedZoneConfig"]["Comment"] : undefined
          const id = randomId("Z")
          const z: HostedZone = {
            id,
            name,
            callerReference,
            comment: comment === undefined ? undefined : String(comment),
            rrsets: [
              { name, type: "NS", ttl: "172800", values: X.exampleNameServers.map((n) => `${n}.`), alias: undefined },
              { name, type: "SOA", ttl: "900", values: [`${X.exampleNameServers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`], alias: undefined }
            ]
          }
          zones.set(id, z)
          return [201, X.createHostedZone({ ...z, recordSetCount: 2 }, newChange())]
        }
        if ((m = /^\/hostedzone\/([^/]+)$/.exec(path)) !== null) {
          const z = zoneOr404(m[1]!)
          if (method === "GET") return [200, X.getHostedZone({ ...z, recordSetCount: z.rrsets.length })]
          if (method === "POST") {
            const doc = Either.getOrThrow(parseXml(body)) as Record<string, Record<string, unknown>>
            z.comment = String(doc["UpdateHostedZoneCommentRequest"]!["Comment"] ?? "")
            return [200, X.updateHostedZoneComment({ ...z, recordSetCount: z.rrsets.length })]
          }
          if (method === "DELETE") {
            if (z.rrsets.some((r) => !(r.name === z.name && (r.type === "SOA" || r.type === "NS")))) {
              throw new Failure(400, X.errorResponse("HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted."))
            }
            zones.delete(z.id)
            return [200, X.deleteHostedZone(newChange())]
          }
        }
        if ((m = /^\/hostedzone\/([^/]+)\/rrset$/.exec(path)) !== null) {
          const z = zoneOr404(m[1]!)
          if (method === "GET") {
            const sorted = [...z.rrsets].sort(order)
            const name = q.get("name")
            const start = name === null ? 0 : sorted.findIndex((r) => order(r, { name: canonical(name), type: q.get("type") ?? "" }) >= 0)
            const from = start < 0 ? [] : sorted.slice(start)
            const next = from[maxItems]
            return [200, X.listResourceRecordSets(from.slice(0, maxItems).map(fixtureOf), { maxItems, ...(next === undefined ? {} : { next: { name: next.name, type: next.type } }) })]
          }
          if (method === "POST") {
            const doc = Either.getOrThrow(parseXml(body)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>
            const batch = list(doc["ChangeResourceRecordSetsRequest"]!["ChangeBatch"]!["Changes"]!["Change"]) as Array<Record<string, unknown>>
            const work = [...z.rrsets]
            const refuse = (message: string) => {
              throw new Failure(400, X.invalidChangeBatch([message]))
            }
            for (const change of batch) {
              const r = rrsetFrom(change["ResourceRecordSet"] as Record<string, unknown>)
              const at = work.findIndex((x) => x.name === r.name && x.type === r.type)
              const action = String(change["Action"])
              if (action === "DELETE") {
                if (at < 0) refuse(X.messages.notFound(r.name, r.type))
                if (!same(work[at]!, r)) refuse(X.messages.mismatch(r.name, r.type))
                work.splice(at, 1)
                continue
              }
              if (action === "CREATE" && at >= 0) refuse(X.messages.exists(r.name, r.type))
              const others = work.filter((x) => x.name === r.name && x.type !== r.type)
              const clash = r.type === "CNAME" ? others[0] : others.find((x) => x.type === "CNAME")
              if (clash !== undefined) refuse(X.messages.cnameConflict(r.type, r.name, clash.type, z.name))
              if (at >= 0) work.splice(at, 1, r)
              else work.push(r)
            }
            z.rrsets = work
            return [200, X.changeResourceRecordSets(newChange())]
          }
        }
        if ((m = /^\/change\/([^/]+)$/.exec(path)) !== null && method === "GET") {
          const seen = changes.get(m[1]!)
          if (seen === undefined) throw new Failure(404, X.errorResponse("NoSuchChange", `Could not find resource with ID: ${m[1]}`))
          changes.set(m[1]!, seen + 1)
          return [200, X.getChange(m[1]!, seen >= 1 ? "INSYNC" : "PENDING")]
        }
        throw new Failure(400, X.errorResponse("InvalidInput", `Unknown request ${method} ${path}`))
      }

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1")
          log.push(`${req.method} ${url.pathname}${url.search}`)
          let status: number
          let out: string
          if (!/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/route53\/aws4_request, /.test(req.headers.authorization ?? "")) {
            status = 403
            out = X.errorResponse("InvalidClientTokenId", "The security token included in the request is invalid.")
          } else {
            try {
              ;[status, out] = handle(req.method ?? "GET", url, Buffer.concat(chunks).toString("utf8"))
            } catch (e) {
              if (!(e instanceof Failure)) throw e
              status = e.status
              out = e.body
            }
          }
          res.writeHead(status, { "content-type": "text/xml", "x-amz-request-id": "fake-request" })
          res.end(out)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, fake: { url: `http://127.0.0.1:${port}`, log } }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  ).pipe(Effect.map(({ fake }) => fake))
