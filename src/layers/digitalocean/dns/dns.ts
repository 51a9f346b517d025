/**
 * The portable Dns service over DigitalOcean's domains and domain records
 * (see DigitalOceanDns.ts for the behaviour worth knowing).
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Stream } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Errors from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import { AlreadyExists, Conflict, InvalidInput, MalformedResponse, NotFound, Unsupported } from "../../../schemas/Errors.js"
import type { DnsRecord } from "../../../schemas/Models.js"
import type { Dns } from "../../../services/Dns.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { type Client, jsonBody } from "../client.js"
import { type DigitalOceanConfig, PROVIDER } from "../config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

/** What `createZone` accepts in `extra`. */
export interface CreateZoneExtra {
  /** DigitalOcean then creates an A record at the apex pointing there. */
  readonly ipAddress?: string
}

const integerId = /^[1-9][0-9]{0,15}$/
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Dns.${name}` })
const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

/** DigitalOcean refuses a domain it already hosts with 422; its message says so. */
const alreadyExists = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 422 && /already|taken|in use/i.test(f.message ?? "") ? new AlreadyExists({ ...f.where, resource, id }) : undefined

type Portable = Pick<DnsRecord, "name" | "type" | "data" | "priority">
const identical = (a: Portable, b: Portable) =>
  a.name === b.name && a.type === b.type && a.data.toLowerCase() === b.data.toLowerCase() && a.priority === b.priority

export const make = (config: DigitalOceanConfig, client: Client): Dns.Service => {
  const provider = providerInfo(PROVIDER, [], config.region)

  /** A zone ref is the domain name; one that cannot be a domain names no zone. */
  const zoneName = (w: validate.Where, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
    Effect.flatMap(validate.id(w, "zone", ref), (id) =>
      validate.domain(w, "zone", id).pipe(Effect.mapError(() => new NotFound({ ...w, resource: "zone", id }))))

  const recordId = (w: validate.Where, ref: Ref) => validate.id(w, "record", ref)

  const fetchDomain = (operation: string, name: string) =>
    client.send(HttpClientRequest.get(path("domains", name)), { operation, notFound: { resource: "zone", id: name } }, ProviderHttp.json(Wire.DomainBody)).pipe(
      Effect.map((b) => b.domain)
    )

  /** After a 404 on a record path: the zone's absence, or the record's. */
  const whichIsMissing = (w: validate.Where, domain: string, id: string) =>
    Effect.zipRight(fetchDomain(w.operation, domain), Effect.fail(new NotFound({ ...w, resource: "record", id })))

  const portable = (w: validate.Where, domain: string, r: Wire.DomainRecord) => {
    const mapped = Mapping.record(domain, r)
    return mapped === undefined
      ? Effect.fail(new MalformedResponse({ ...w, reason: `record ${r.id} has a type the portable model does not know: ${r.type}` }))
      : Effect.succeed(mapped)
  }

  const fetchRecord = (w: validate.Where, domain: string, id: string) =>
    integerId.test(id)
      ? client.send(
        HttpClientRequest.get(path("domains", domain, "records", id)),
        { operation: w.operation, notFound: { resource: "record", id } },
        ProviderHttp.json(Wire.RecordBody)
      ).pipe(
        Effect.flatMap((b) => portable(w, domain, b.domain_record)),
        Effect.catchTag("NotFound", () => whichIsMissing(w, domain, id))
      )
      : whichIsMissing(w, domain, id)

  /** The records at one name (DigitalOcean's `name` filter takes it fully qualified). */
  const recordsAt = (w: validate.Where, domain: string, name: string) =>
    client.list(
      path("domains", domain, "records"),
      { operation: w.operation, notFound: { resource: "zone", id: domain } },
      Wire.RecordsPage,
      (p) => p.domain_records,
      { name: Mapping.fqdn(domain, name) }
    ).pipe(Effect.flatMap((rs) => Effect.forEach(rs, (r) => portable(w, domain, r))))

  /** Checks a whole record as it will be stored. */
  const checkRecord = (w: validate.Where, spec: { name: string; type: string; data: string; ttl: number | undefined; priority: number | undefined }) =>
    Effect.gen(function*() {
      const name = yield* validate.recordName(w, spec.name)
      const type = yield* validate.recordType(w, spec.type)
      if (!Mapping.recordTypes.includes(type)) {
        return yield* Effect.fail(invalid(w, "type", `DigitalOcean serves ${Mapping.recordTypes.join(", ")}, not ${type}`))
      }
      const ttl = yield* validate.ttl(w, spec.ttl)
      yield* validate.recordData(w, type, spec.data, spec.priority)
      if (spec.priority !== undefined && type !== "MX" && type !== "SRV") {
        return yield* Effect.fail(invalid(w, "priority", `only MX and SRV records have a priority, not ${type}`))
      }
      const data = spec.data.trim()
      const host = type === "SRV" ? Mapping.parseSrv(data)?.target : data
      if (type === "SRV" && host === undefined) return yield* Effect.fail(invalid(w, "data", `SRV data is "weight port target", not "${data}"`))
      if (type === "CAA" && Mapping.parseCaa(data) === undefined) {
        return yield* Effect.fail(invalid(w, "data", `CAA data is 'flags tag "value"' with tag issue, issuewild or iodef, not "${data}"`))
      }
      if (Mapping.hostValued.has(type) && host !== undefined && host !== ".") {
        yield* validate.domain(w, "data", host).pipe(Effect.mapError(() => invalid(w, "data", `"${host}" is not a host name (${type} data names a host)`)))
      }
      return { name, type, data, ttl, priority: spec.priority } satisfies Mapping.Checked
    })

  /** What stops `candidate` from joining the records already at its name. */
  const clash = (w: validate.Where, atName: ReadonlyArray<DnsRecord>, candidate: Portable, self?: string) => {
    const others = atName.filter((r) => r.id !== self && r.name === candidate.name)
    const twin = others.find((r) => identical(r, candidate))
    const label = candidate.name === "" ? "the apex" : `"${candidate.name}"`
    if (twin !== undefined) {
      return self === undefined
        ? new AlreadyExists({ ...w, resource: "record", id: twin.id })
        : new Conflict({ ...w, resource: "record", id: self, reason: `an identical record already exists (${twin.id})` })
    }
    if (candidate.type === "CNAME" && others.length > 0) {
      return new Conflict({ ...w, resource: "record", id: candidate.name, reason: `a CNAME cannot sit beside other records (${others[0]!.type}) at ${label}` })
    }
    if (candidate.type !== "CNAME" && others.some((r) => r.type === "CNAME")) {
      return new Conflict({ ...w, resource: "record", id: candidate.name, reason: `${label} already has a CNAME` })
    }
    return undefined
  }

  /** The portable form DigitalOcean will give back for this body (so twins compare like with like). */
  const asStored = (domain: string, body: Wire.RecordWrite): Portable =>
    Mapping.record(domain, {
      id: 0,
      type: body.type,
      name: body.name,
      data: body.data,
      priority: body.priority ?? null,
      port: body.port ?? null,
      weight: body.weight ?? null,
      flags: body.flags ?? null,
      tag: body.tag ?? null
    })!

  // ------------------------------------------------------------ zones

  const listZones: Dns.Service["listZones"] = () => {
    const w = where("listZones")
    return client.stream("/domains", { operation: w.operation }, Wire.DomainsPage, (p) => p.domains).pipe(
      Stream.map(Mapping.zone),
      tracedStream(PROVIDER, w.operation)
    )
  }

  const getZone: Dns.Service["getZone"] = (ref) => {
    const w = where("getZone")
    return Effect.gen(function*() {
      const name = yield* zoneName(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", name)
      return Mapping.zone(yield* fetchDomain(w.operation, name))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const createZone: Dns.Service["createZone"] = (spec) => {
    const w = where("createZone")
    return Effect.gen(function*() {
      if (typeof spec !== "object" || spec === null) return yield* Effect.fail(invalid(w, "spec", "must be an object"))
      const domain = yield* validate.domain(w, "domain", spec.domain)
      if (spec.type !== undefined && spec.type !== "master") {
        return yield* Effect.fail(invalid(w, "type", `DigitalOcean hosts primary ("master") zones only, not "${String(spec.type)}"`))
      }
      yield* validate.ttl(w, spec.ttl)
      const extra = spec.extra ?? {}
      if (typeof extra !== "object" || extra === null) return yield* Effect.fail(invalid(w, "extra", "must be an object"))
      const ipAddress = extra["ipAddress"]
      if (ipAddress !== undefined && (typeof ipAddress !== "string" || !ipv4.test(ipAddress))) {
        return yield* Effect.fail(invalid(w, "extra.ipAddress", "must be an IPv4 address"))
      }
      yield* Effect.annotateCurrentSpan("cloudfx.zone.domain", domain)
      const exists = yield* fetchDomain(w.operation, domain).pipe(
        Effect.as(true),
        Effect.catchTag("NotFound", () => Effect.succeed(false))
      )
      if (exists) return yield* Effect.fail(new AlreadyExists({ ...w, resource: "zone", id: domain }))
      const created = yield* client.send(
        HttpClientRequest.post("/domains").pipe(jsonBody({ name: domain, ...(ipAddress === undefined ? {} : { ip_address: ipAddress }) })),
        { operation: w.operation, classify: alreadyExists("zone", domain) },
        ProviderHttp.json(Wire.DomainBody)
      )
      return Mapping.zone(created.domain)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateZone: Dns.Service["updateZone"] = () =>
    Effect.fail(new Unsupported({ ...where("updateZone"), capability: "dns.updateZone" })).pipe(traced(PROVIDER, "Dns.updateZone"))

  const deleteZone: Dns.Service["deleteZone"] = (ref) => {
    const w = where("deleteZone")
    return Effect.gen(function*() {
      const name = yield* zoneName(w, ref)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", name)
      yield* client.send(HttpClientRequest.del(path("domains", name)), { operation: w.operation, notFound: { resource: "zone", id: name } }, ProviderHttp.empty)
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ records

  const listRecords: Dns.Service["listRecords"] = (ref) => {
    const w = where("listRecords")
    return Stream.unwrap(
      Effect.map(zoneName(w, ref), (domain) =>
        client.stream(path("domains", domain, "records"), { operation: w.operation, notFound: { resource: "zone", id: domain } }, Wire.RecordsPage, (p) => p.domain_records).pipe(
          Stream.mapEffect((r) => portable(w, domain, r))
        ))
    ).pipe(tracedStream(PROVIDER, w.operation))
  }

  const getRecord: Dns.Service["getRecord"] = (zone, record) => {
    const w = where("getRecord")
    return Effect.gen(function*() {
      const domain = yield* zoneName(w, zone)
      const id = yield* recordId(w, record)
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": domain, "cloudfx.record": id })
      return yield* fetchRecord(w, domain, id)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const createRecord: Dns.Service["createRecord"] = (zone, spec) => {
    const w = where("createRecord")
    return Effect.gen(function*() {
      const domain = yield* zoneName(w, zone)
      if (typeof spec !== "object" || spec === null) return yield* Effect.fail(invalid(w, "spec", "must be an object"))
      const valid = yield* checkRecord(w, { name: spec.name, type: spec.type, data: spec.data, ttl: spec.ttl, priority: spec.priority })
      if (valid.type === "SOA") return yield* Effect.fail(invalid(w, "type", "DigitalOcean creates a domain's SOA record itself"))
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": domain, "cloudfx.record.type": valid.type })
      const body = Mapping.write(valid)
      const problem = clash(w, yield* recordsAt(w, domain, valid.name), asStored(domain, body))
      if (problem !== undefined) return yield* Effect.fail(problem)
      const created = yield* client.send(
        HttpClientRequest.post(path("domains", domain, "records")).pipe(jsonBody(body)),
        { operation: w.operation, notFound: { resource: "zone", id: domain } },
        ProviderHttp.json(Wire.RecordBody)
      )
      return yield* portable(w, domain, created.domain_record)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateRecord: Dns.Service["updateRecord"] = (zone, record, spec) => {
    const w = where("updateRecord")
    return Effect.gen(function*() {
      const domain = yield* zoneName(w, zone)
      const id = yield* recordId(w, record)
      if (typeof spec !== "object" || spec === null) return yield* Effect.fail(invalid(w, "spec", "must be an object"))
      if (spec.name !== undefined) yield* validate.recordName(w, spec.name)
      if (spec.type !== undefined) yield* validate.recordType(w, spec.type)
      yield* validate.ttl(w, spec.ttl)
      if (spec.data !== undefined && (typeof spec.data !== "string" || spec.data.length === 0)) {
        return yield* Effect.fail(invalid(w, "data", "must be a non-empty string"))
      }
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": domain, "cloudfx.record": id })
      const current = yield* fetchRecord(w, domain, id)
      if (current.type === "SOA") {
        const others = Object.entries(spec).filter(([k, v]) => v !== undefined && k !== "ttl")
        if (others.length > 0) return yield* Effect.fail(invalid(w, others[0]![0], "only the TTL of DigitalOcean's SOA record can change"))
      }
      const type = spec.type ?? current.type
      if (current.type !== "SOA" && type === "SOA") return yield* Effect.fail(invalid(w, "type", "a record cannot become the SOA record"))
      const keepsPriority = type === "MX" || type === "SRV"
      const valid = current.type === "SOA"
        ? { name: "", type: current.type, data: current.data, ttl: spec.ttl ?? current.ttl, priority: undefined }
        : yield* checkRecord(w, {
          name: spec.name ?? current.name,
          type,
          data: spec.data ?? current.data,
          ttl: spec.ttl ?? current.ttl,
          priority: spec.priority ?? (keepsPriority ? current.priority : undefined)
        })
      const body: Wire.RecordWrite = current.type === "SOA" ? { type: "SOA", name: "@", data: current.data, ...(valid.ttl === undefined ? {} : { ttl: valid.ttl }) } : Mapping.write(valid)
      if (current.type !== "SOA") {
        const problem = clash(w, yield* recordsAt(w, domain, valid.name), asStored(domain, body), id)
        if (problem !== undefined) return yield* Effect.fail(problem instanceof AlreadyExists ? new Conflict({ ...w, resource: "record", id, reason: "an identical record already exists" }) : problem)
      }
      const updated = yield* client.send(
        HttpClientRequest.put(path("domains", domain, "records", id)).pipe(jsonBody(body)),
        { operation: w.operation, notFound: { resource: "record", id } },
        ProviderHttp.json(Wire.RecordBody)
      )
      return yield* portable(w, domain, updated.domain_record)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const deleteRecord: Dns.Service["deleteRecord"] = (zone, record) => {
    const w = where("deleteRecord")
    return Effect.gen(function*() {
      const domain = yield* zoneName(w, zone)
      const id = yield* recordId(w, record)
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": domain, "cloudfx.record": id })
      if (!integerId.test(id)) return yield* whichIsMissing(w, domain, id)
      yield* client.send(
        HttpClientRequest.del(path("domains", domain, "records", id)),
        { operation: w.operation, notFound: { resource: "record", id } },
        ProviderHttp.empty
      ).pipe(Effect.catchTag("NotFound", () => whichIsMissing(w, domain, id)))
    }).pipe(traced(PROVIDER, w.operation))
  }

  return {
    provider,
    listRecordTypes: () => Effect.succeed(Mapping.recordTypes).pipe(traced(PROVIDER, "Dns.listRecordTypes")),
    listZones,
    getZone,
    createZone,
    updateZone,
    deleteZone,
    listRecords,
    getRecord,
    createRecord,
    updateRecord,
    deleteRecord
  }
}
