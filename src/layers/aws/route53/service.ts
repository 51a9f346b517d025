/**
 * The portable `Dns` service and the Route 53-only operations, over one
 * client. See Route53.ts for the behaviour worth knowing.
 */
import { randomUUID } from "node:crypto"
import { Duration, Effect, Option, Schedule, Stream } from "effect"
import * as Paginate from "../../../http/Paginate.js"
import {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  type ProviderFailure,
  ProviderError,
  type Timeout,
  Unsupported
} from "../../../schemas/Errors.js"
import type { DnsRecord, RecordType, Zone } from "../../../schemas/Models.js"
import type { Dns } from "../../../services/Dns.js"
import { pollUntil } from "../../../services/poll.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as V from "../../../services/validate.js"
import type { Client } from "./client.js"
import { DEFAULT_REGION, DEFAULT_TTL, MAX_RECORD_PAGE, MAX_ZONE_PAGE, type Route53Config } from "./config.js"
import type { Mapped, MappedError } from "./errors.js"
import { absolute, aliasKey, decodeName, parseRecordId, recordId, toValue, valueKey } from "./names.js"
import { changeExtra, placeOf, recordsOf, route53RecordTypes, supportedTypes, valueKeysOf, zoneView } from "./views.js"
import * as W from "./wire.js"

/** A change as Route 53 reports it (GetChange). */
export interface ChangeStatus {
  /** "C2682N5HXP0BZ4" (without "/change/"). */
  readonly id: string
  /** "PENDING" until every Route 53 name server has it, then "INSYNC". */
  readonly status: string
  readonly submittedAt: string
  readonly comment?: string
}

export interface WaitOptions {
  /** Between two GetChange calls. Default `config.changePollInterval` (5 s). */
  readonly interval?: Duration.DurationInput
  /** Default `config.changeTimeout` (5 minutes). */
  readonly timeout?: Duration.DurationInput
}

export interface AliasSpec {
  /** Relative to the zone; "" (or "@") is the apex. */
  readonly name: string
  readonly type: "A" | "AAAA" | "CNAME" | "MX" | "NAPTR" | "PTR" | "SPF" | "SRV" | "TXT" | "CAA" | "DS"
  /** The target's DNS name, e.g. "d111111abcdef8.cloudfront.net." or an ELB's DNS name. */
  readonly dnsName: string
  /** The target's hosted zone ("Z2FDTNDATAQYW2" for CloudFront, the load balancer's own zone for ELB). */
  readonly hostedZoneId: string
  /** Default false. */
  readonly evaluateTargetHealth?: boolean
}

/** The Route 53-only operations (the `Route53.Route53` tag). */
export interface Route53Service {
  /** GetChange: whether a change (`extra.changeId` of a zone or record) has reached every name server. */
  readonly getChange: (changeId: string) => Effect.Effect<ChangeStatus, NotFound | InvalidInput | ProviderFailure>
  /** Polls GetChange until the change is INSYNC. */
  readonly waitForChange: (
    changeId: string,
    options?: WaitOptions
  ) => Effect.Effect<ChangeStatus, NotFound | InvalidInput | Timeout | ProviderFailure>
  /** UpdateHostedZoneComment: the one setting of a hosted zone Route 53 lets you change. */
  readonly updateComment: (zone: Ref, comment: string) => Effect.Effect<Zone, NotFound | InvalidInput | ProviderFailure>
  /** Creates or replaces (UPSERT) the simple alias record set at name/type. */
  readonly upsertAlias: (zone: Ref, alias: AliasSpec) => Effect.Effect<DnsRecord, NotFound | Conflict | InvalidInput | ProviderFailure>
}

interface ZoneInfo {
  readonly id: string
  readonly domain: string
}

// Route 53's limits per change batch: 1000 ResourceRecord elements, 32,000 value characters (100 changes in older documents).
const BATCH_CHANGES = 100
const BATCH_RECORDS = 1000
const BATCH_CHARS = 32_000

const domainValued: ReadonlySet<string> = new Set(["CNAME", "NS", "PTR"])
/** Record sets Route 53 holds a single value in. */
const singleValued: ReadonlySet<string> = new Set(["CNAME", "SOA"])

export const makeServices = (
  config: Route53Config,
  client: Client
): { readonly dns: Dns.Service; readonly route53: Route53Service } => {
  const PROVIDER = client.provider
  const settings = client.settings
  const zonePage = settings?.zonePage ?? MAX_ZONE_PAGE
  const recordPage = settings?.recordPage ?? MAX_RECORD_PAGE
  const defaultTtl = settings?.defaultTtl ?? DEFAULT_TTL
  const pollInterval = config.changePollInterval ?? Duration.seconds(5)
  const changeTimeout = config.changeTimeout ?? Duration.minutes(5)
  const provider = providerInfo(PROVIDER, [], settings?.region ?? DEFAULT_REGION)
  const where = (operation: string): V.Where => ({ provider: PROVIDER, operation })
  const invalid = (w: V.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

  // -------------------------------------------------------------- input

  /** A hosted zone id: "Z1PA6795UKMFR9", "/hostedzone/Z1PA6795UKMFR9" accepted. */
  const zoneIdOf = (w: V.Where, zone: Ref) =>
    Effect.flatMap(V.id(w, "zone", zone), (raw) => {
      const id = W.bareId(raw)
      return /^[A-Za-z0-9]{1,32}$/.test(id)
        ? Effect.succeed(id)
        : Effect.fail(invalid(w, "zone", `"${raw}" is not a Route 53 hosted zone id (up to 32 letters and digits)`))
    })

  const stringField = (w: V.Where, field: string, value: unknown, max: number) =>
    typeof value === "string" && value.length <= max && !value.includes("\0")
      ? Effect.succeed(value)
      : Effect.fail(invalid(w, field, `must be a string of at most ${max} characters`))

  interface Checked {
    readonly name: string
    readonly type: RecordType
    readonly data: string
    readonly ttl: number | undefined
    readonly priority: number | undefined
  }

  const checkRecord = (
    w: V.Where,
    spec: { readonly name: string; readonly type: string; readonly data: string; readonly ttl?: number | undefined; readonly priority?: number | undefined }
  ) =>
    Effect.gen(function*() {
      const name = yield* V.recordName(w, spec.name)
      const type = yield* V.recordType(w, spec.type)
      if (!supportedTypes.has(type)) return yield* invalid(w, "type", `Route 53 has no ${type} records (it has ${route53RecordTypes.join(", ")})`)
      const ttl = yield* V.ttl(w, spec.ttl)
      yield* V.recordData(w, type, spec.data, spec.priority)
      if (spec.priority !== undefined && type !== "MX" && type !== "SRV") {
        return yield* invalid(w, "priority", `only MX and SRV records have a priority, not ${type}`)
      }
      const data = spec.data
      if (domainValued.has(type) || type === "MX") {
        yield* V.domain(w, "data", data).pipe(Effect.mapError(() => invalid(w, "data", `"${data}" is not a domain name (${type} data names a host)`)))
      }
      if (type === "SRV") {
        const m = /^(\d{1,5}) (\d{1,5}) (\S+)$/.exec(data)
        if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) return yield* invalid(w, "data", `SRV data is "weight port target", not "${data}"`)
      }
      if (type === "SOA") {
        if (name !== "") return yield* invalid(w, "name", "an SOA record lives at the zone apex")
        if (!/^\S+ \S+ \d+ \d+ \d+ \d+ \d+$/.test(data)) return yield* invalid(w, "data", "SOA data is \"mname rname serial refresh retry expire minimum\"")
      }
      return { name, type, data, ttl, priority: spec.priority } satisfies Checked
    })

  const isProtected = (key: { readonly type: string; readonly name: string }) => key.type === "SOA" || (key.type === "NS" && key.name === "")

  // -------------------------------------------------------------- requests

  const zoneInfo = (w: V.Where, zoneId: string) =>
    Effect.map(
      client.call({
        method: "GET",
        path: `/hostedzone/${zoneId}`,
        schema: W.GetHostedZoneResponse,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { zone: zoneId }
      }),
      (r) => r.GetHostedZoneResponse
    )

  const domainOf = (w: V.Where, zoneId: string) =>
    Effect.map(zoneInfo(w, zoneId), (r): ZoneInfo => ({ id: zoneId, domain: decodeName(r.HostedZone.Name) }))

  interface RecordToken {
    readonly name: string
    readonly type: string | undefined
    readonly identifier: string | undefined
  }

  const rrsetPage = (w: V.Where, zoneId: string, from: Option.Option<RecordToken>, maxItems: number) =>
    Effect.map(
      client.call({
        method: "GET",
        path: `/hostedzone/${zoneId}/rrset`,
        query: Option.match(from, {
          onNone: () => ({ maxitems: maxItems }),
          onSome: (t) => ({ name: t.name, type: t.type, identifier: t.identifier, maxitems: maxItems })
        }),
        schema: W.ListResourceRecordSetsResponse,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { zone: zoneId }
      }),
      (r): Paginate.Page<W.ResourceRecordSet, RecordToken> => {
        const l = r.ListResourceRecordSetsResponse
        return {
          items: l.ResourceRecordSets,
          next: l.IsTruncated && l.NextRecordName !== undefined
            ? Option.some({ name: l.NextRecordName, type: l.NextRecordType, identifier: l.NextRecordIdentifier })
            : Option.none()
        }
      }
    )

  const allRrsets = (w: V.Where, zoneId: string) =>
    Paginate.stream((t: Option.Option<RecordToken>) => rrsetPage(w, zoneId, t, recordPage), { where: w })

  /**
   * The record set at exactly this name and type, and set identifier when
   * given; without one, the first record set of that name and type whatever
   * its set identifier (so the caller sees routing-policy sets in the way).
   */
  const rrsetAt = (w: V.Where, zone: ZoneInfo, name: string, type: string, setIdentifier?: string) =>
    Effect.map(
      rrsetPage(w, zone.id, Option.some({ name: absolute(name, zone.domain), type, identifier: setIdentifier }), 1),
      (page) => {
        const first = page.items[0]
        return first !== undefined && placeOf(first, zone.domain) === name && first.Type === type &&
            (setIdentifier === undefined || first.SetIdentifier === setIdentifier)
          ? first
          : undefined
      }
    )

  const getChange = (w: V.Where, changeId: string) =>
    Effect.map(
      client.call({
        method: "GET",
        path: `/change/${changeId}`,
        schema: W.GetChangeResponse,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { change: changeId }
      }),
      (r): ChangeStatus => {
        const c = r.GetChangeResponse.ChangeInfo
        return { id: W.bareId(c.Id), status: c.Status, submittedAt: c.SubmittedAt, ...(c.Comment === undefined ? {} : { comment: c.Comment }) }
      }
    )

  const waitInSync = (w: V.Where, changeId: string, options: WaitOptions = {}) =>
    pollUntil({
      provider: PROVIDER,
      operation: w.operation,
      waitingFor: `change ${changeId} to be INSYNC`,
      check: getChange(w, changeId),
      done: (c) => c.status === "INSYNC",
      schedule: Schedule.spaced(options.interval ?? pollInterval),
      timeout: options.timeout ?? changeTimeout
    })

  /** With `waitForChanges`, a portable change returns once INSYNC; a wait that times out is a ProviderError. */
  const settled = (w: V.Where, change: W.ChangeInfo): Effect.Effect<W.ChangeInfo, ProviderFailure> =>
    config.waitForChanges !== true || change.Status === "INSYNC"
      ? Effect.succeed(change)
      : waitInSync(w, W.bareId(change.Id)).pipe(
        Effect.map((c) => ({ ...change, Status: c.status })),
        Effect.catchTags({
          Timeout: (t) =>
            Effect.fail(new ProviderError({ ...w, code: "ChangeNotInSync", detail: `the change was made but ${t.waitingFor} took longer than ${Duration.format(t.after)}` })),
          NotFound: (e) => Effect.fail(new ProviderError({ ...w, code: "NoSuchChange", detail: `change ${e.id} vanished while waiting for it` }))
        })
      )

  const submit = <M extends Mapped>(w: V.Where, zoneId: string, changes: ReadonlyArray<W.Change>, mapped: ReadonlyArray<M>, record?: string) =>
    client.call({
      method: "POST",
      path: `/hostedzone/${zoneId}/rrset`,
      body: W.changeBatch(changes),
      schema: W.ChangeResourceRecordSetsResponse,
      operation: w.operation,
      mapped,
      targets: { zone: zoneId, record }
    }).pipe(
      Effect.flatMap((r) => settled(w, r.ChangeResourceRecordSetsResponse.ChangeInfo))
    ) as Effect.Effect<W.ChangeInfo, ProviderFailure | MappedError<M>>

  // -------------------------------------------------------------- zones

  const listZones = (): Stream.Stream<Zone, ProviderFailure> => {
    const w = where("Dns.listZones")
    return Paginate.stream(
      (marker: Option.Option<string>) =>
        Effect.map(
          client.call({
            method: "GET",
            path: "/hostedzone",
            query: { marker: Option.getOrUndefined(marker), maxitems: zonePage },
            schema: W.ListHostedZonesResponse,
            operation: w.operation
          }),
          (r): Paginate.Page<Zone, string> => {
            const l = r.ListHostedZonesResponse
            return {
              items: l.HostedZones.map((z) => zoneView(z)),
              next: l.IsTruncated && l.NextMarker !== undefined ? Option.some(l.NextMarker) : Option.none()
            }
          }
        ),
      { where: w }
    ).pipe(tracedStream(PROVIDER, w.operation))
  }

  const getZone = (zone: Ref) => {
    const w = where("Dns.getZone")
    return Effect.gen(function*() {
      const id = yield* zoneIdOf(w, zone)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
      const r = yield* zoneInfo(w, id)
      return zoneView(r.HostedZone, { nameservers: r.DelegationSet?.NameServers })
    }).pipe(traced(PROVIDER, w.operation))
  }

  /** Hosted zones named `domain` (Route 53 lets one name have several). */
  const zonesNamed = (w: V.Where, domain: string) =>
    Effect.map(
      client.call({
        method: "GET",
        path: "/hostedzonesbyname",
        query: { dnsname: domain, maxitems: MAX_ZONE_PAGE },
        schema: W.ListHostedZonesByNameResponse,
        operation: w.operation
      }),
      (r) => r.ListHostedZonesByNameResponse.HostedZones.filter((z) => decodeName(z.Name) === domain)
    )

  const createExtraKeys = new Set(["comment", "callerReference", "delegationSetId"])

  const createZone = (spec: Dns.CreateZoneSpec) => {
    const w = where("Dns.createZone")
    return Effect.gen(function*() {
      if (typeof spec !== "object" || spec === null) return yield* invalid(w, "spec", "must be an object")
      const domain = yield* V.domain(w, "domain", spec.domain)
      if (spec.type !== undefined && spec.type !== "master") {
        return yield* invalid(w, "type", `Route 53 hosts primary ("master") zones only, not "${String(spec.type)}"`)
      }
      yield* V.ttl(w, spec.ttl)
      const extra = spec.extra ?? {}
      for (const k of Object.keys(extra)) {
        if (!createExtraKeys.has(k)) return yield* invalid(w, `extra.${k}`, `not a Route 53 zone setting (${[...createExtraKeys].join(", ")})`)
      }
      const comment = extra["comment"] === undefined ? undefined : yield* stringField(w, "extra.comment", extra["comment"], 256)
      const delegationSetId = extra["delegationSetId"] === undefined
        ? undefined
        : yield* stringField(w, "extra.delegationSetId", extra["delegationSetId"], 32)
      const callerReference = extra["callerReference"] === undefined
        ? `cloudfx-${randomUUID()}`
        : yield* stringField(w, "extra.callerReference", extra["callerReference"], 128)
      yield* Effect.annotateCurrentSpan("cloudfx.zone.domain", domain)

      // Route 53 would happily create a second zone of the same name; the portable contract refuses one.
      if ((yield* zonesNamed(w, domain)).length > 0) return yield* new AlreadyExists({ ...w, resource: "zone", id: domain })

      const body = W.document("CreateHostedZoneRequest", [
        ["Name", `${domain}.`],
        ["CallerReference", callerReference],
        ["HostedZoneConfig", comment === undefined ? undefined : { Comment: comment }],
        ["DelegationSetId", delegationSetId]
      ])
      return yield* client.call({
        method: "POST",
        path: "/hostedzone",
        body,
        schema: W.CreateHostedZoneResponse,
        operation: w.operation,
        // The CallerReference makes a second send harmless: at worst it is refused as HostedZoneAlreadyExists.
        idempotent: true,
        mapped: ["AlreadyExists"],
        targets: { domain }
      }).pipe(
        Effect.flatMap((r) =>
          Effect.map(settled(w, r.CreateHostedZoneResponse.ChangeInfo), (change) =>
            zoneView(r.CreateHostedZoneResponse.HostedZone, { nameservers: r.CreateHostedZoneResponse.DelegationSet?.NameServers, change }))
        ),
        // A retry after a lost answer is refused: the zone with our CallerReference is the one we made.
        Effect.catchTag("AlreadyExists", (e) =>
          Effect.flatMap(zonesNamed(w, domain), (zones) => {
            const ours = zones.find((z) => z.CallerReference === callerReference)
            return ours === undefined ? Effect.fail(e) : Effect.succeed(zoneView(ours))
          }))
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateComment = (w: V.Where, id: string, comment: string) =>
    Effect.map(
      client.call({
        method: "POST",
        path: `/hostedzone/${id}`,
        body: W.document("UpdateHostedZoneCommentRequest", [["Comment", comment]]),
        schema: W.UpdateHostedZoneCommentResponse,
        operation: w.operation,
        // Setting the same comment twice leaves the same zone.
        idempotent: true,
        mapped: ["NotFound"],
        targets: { zone: id }
      }),
      (r) => zoneView(r.UpdateHostedZoneCommentResponse.HostedZone)
    )

  const updateZone = (zone: Ref, spec: Dns.UpdateZoneSpec) => {
    const w = where("Dns.updateZone")
    return Effect.gen(function*() {
      const id = yield* zoneIdOf(w, zone)
      if (typeof spec !== "object" || spec === null) return yield* invalid(w, "spec", "must be an object")
      yield* V.ttl(w, spec.ttl)
      if (spec.type !== undefined && spec.type !== "master" && spec.type !== "slave") {
        return yield* invalid(w, "type", `"${String(spec.type)}" is not a zone type (master or slave)`)
      }
      const extra = spec.extra ?? {}
      for (const k of Object.keys(extra)) {
        if (k !== "comment") return yield* invalid(w, `extra.${k}`, "the comment is the only hosted zone setting Route 53 can change")
      }
      const comment = extra["comment"] === undefined ? undefined : yield* stringField(w, "extra.comment", extra["comment"], 256)
      // Route 53 zones have no TTL (each record set has its own) and are always primary.
      if (spec.ttl !== undefined || spec.type === "slave") {
        return yield* new Unsupported({ ...w, capability: "dns.updateZone" })
      }
      yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
      return comment === undefined ? yield* getZone(id) : yield* updateComment(w, id, comment)
    }).pipe(traced(PROVIDER, w.operation))
  }

  /** DELETE changes for every record set, in batches within Route 53's limits. */
  const deleteBatches = (rrsets: ReadonlyArray<W.ResourceRecordSet>): Array<Array<W.Change>> => {
    const batches: Array<Array<W.Change>> = []
    let current: Array<W.Change> = []
    let records = 0
    let chars = 0
    for (const rrset of rrsets) {
      const values = rrset.ResourceRecords
      const size = values.reduce((n, v) => n + v.Value.length, 0)
      if (current.length > 0 && (current.length >= BATCH_CHANGES || records + values.length > BATCH_RECORDS || chars + size > BATCH_CHARS)) {
        batches.push(current)
        current = []
        records = 0
        chars = 0
      }
      current.push({ action: "DELETE", rrset })
      records += values.length
      chars += size
    }
    if (current.length > 0) batches.push(current)
    return batches
  }

  const deleteZone = (zone: Ref) => {
    const w = where("Dns.deleteZone")
    return Effect.gen(function*() {
      const id = yield* zoneIdOf(w, zone)
      yield* Effect.annotateCurrentSpan("cloudfx.zone", id)
      const z = yield* domainOf(w, id)
      // Route 53 refuses to delete a zone holding records (HostedZoneNotEmpty); the portable delete takes them with it.
      const all = yield* Stream.runCollect(allRrsets(w, id))
      const own = Array.from(all).filter((r) => {
        const name = placeOf(r, z.domain)
        return !(name !== undefined && isProtected({ type: r.Type, name }))
      })
      for (const batch of deleteBatches(own)) yield* submit(w, id, batch, ["NotFound"])
      yield* client.call({
        method: "DELETE",
        path: `/hostedzone/${id}`,
        schema: W.DeleteHostedZoneResponse,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { zone: id }
      })
    }).pipe(traced(PROVIDER, w.operation))
  }

  // -------------------------------------------------------------- records

  const listRecords = (zone: Ref): Stream.Stream<DnsRecord, NotFound | InvalidInput | ProviderFailure> => {
    const w = where("Dns.listRecords")
    return Stream.unwrap(
      Effect.gen(function*() {
        const id = yield* zoneIdOf(w, zone)
        const z = yield* domainOf(w, id)
        return Stream.flatMap(allRrsets(w, id), (rrset) => Stream.fromIterable(recordsOf(id, z.domain, rrset)))
      })
    ).pipe(tracedStream(PROVIDER, w.operation))
  }

  /** The zone, the record id's parts, and the record set holding it (NotFound for the zone, then the record). */
  const locate = (w: V.Where, zone: Ref, record: Ref) =>
    Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      const recordRef = yield* V.id(w, "record", record)
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": recordRef })
      const key = parseRecordId(recordRef)
      const z = yield* domainOf(w, zoneId)
      const missing = new NotFound({ ...w, resource: "record", id: recordRef })
      if (key === undefined) return yield* missing
      const rrset = yield* rrsetAt(w, z, key.name, key.type, key.setIdentifier)
      if (rrset === undefined || rrset.SetIdentifier !== key.setIdentifier || !valueKeysOf(rrset).includes(key.value)) {
        return yield* missing
      }
      return { zone: z, key, id: recordRef, rrset }
    })

  const recordIn = (zone: ZoneInfo, rrset: W.ResourceRecordSet, id: string, extra: Record<string, unknown> = {}) =>
    Effect.suspend(() => {
      const found = recordsOf(zone.id, zone.domain, rrset, extra).find((r) => r.id === id)
      // Only reachable if Route 53 answered a record set we cannot map back (a type or name outside the model).
      return found === undefined
        ? Effect.fail(new ProviderError({ provider: PROVIDER, operation: "Dns.getRecord", code: "UnmappableRecord", detail: `record ${id} has no portable form` }))
        : Effect.succeed(found)
    })

  const getRecord = (zone: Ref, record: Ref) => {
    const w = where("Dns.getRecord")
    return Effect.gen(function*() {
      const { id, rrset, zone: z } = yield* locate(w, zone, record)
      return yield* recordIn(z, rrset, id)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const withValues = (rrset: W.ResourceRecordSet, values: ReadonlyArray<string>, ttl: number | undefined): W.ResourceRecordSet => ({
    ...rrset,
    ...(ttl === undefined ? {} : { TTL: ttl }),
    ResourceRecords: values.map((Value) => ({ Value }))
  })

  const valuesOf = (rrset: W.ResourceRecordSet) => rrset.ResourceRecords.map((r) => r.Value)

  /**
   * Why `value` (key `k`) cannot join the record set now at its place:
   * routing-policy or alias sets there, the value already there, a second
   * value for a single-valued type.
   */
  const obstacle = (w: V.Where, at: W.ResourceRecordSet | undefined, type: string, label: string, k: string, id: string) => {
    if (at === undefined) return undefined
    if (at.SetIdentifier !== undefined) return new Conflict({ ...w, resource: "record", id, reason: `${label} holds routing-policy record sets (SetIdentifier "${at.SetIdentifier}")` })
    if (at.AliasTarget !== undefined) return new Conflict({ ...w, resource: "record", id, reason: `${label} is an alias record set` })
    if (valueKeysOf(at).includes(k)) return "duplicate" as const
    if (singleValued.has(type)) return new Conflict({ ...w, resource: "record", id, reason: `${label} already has its ${type} record (one value only)` })
    return undefined
  }

  const createRecord = (zone: Ref, spec: Dns.RecordSpec) => {
    const w = where("Dns.createRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      if (typeof spec !== "object" || spec === null) return yield* invalid(w, "spec", "must be an object")
      const r = yield* checkRecord(w, spec)
      const z = yield* domainOf(w, zoneId)
      const k = valueKey(r.data, r.priority)
      const id = recordId({ type: r.type, name: r.name, setIdentifier: undefined, value: k })
      yield* Effect.annotateCurrentSpan({ "cloudfx.zone": zoneId, "cloudfx.record": id })
      const current = yield* rrsetAt(w, z, r.name, r.type)
      const label = `${r.type} ${absolute(r.name, z.domain)}`
      const blocked = obstacle(w, current, r.type, label, k, id)
      if (blocked === "duplicate") return yield* new AlreadyExists({ ...w, resource: "record", id })
      if (blocked !== undefined) return yield* blocked
      const value = toValue(r.type, r.data, r.priority)
      const next: W.ResourceRecordSet = current === undefined
        ? { Name: absolute(r.name, z.domain), Type: r.type, TTL: r.ttl ?? defaultTtl, ResourceRecords: [{ Value: value }] }
        : withValues(current, [...valuesOf(current), value], r.ttl)
      const changes: Array<W.Change> = current === undefined
        ? [{ action: "CREATE", rrset: next }]
        : [{ action: "DELETE", rrset: current }, { action: "CREATE", rrset: next }]
      const change = yield* submit(w, zoneId, changes, ["AlreadyExists", "Conflict", "NotFound"], id)
      return yield* recordIn(z, next, id, changeExtra(change))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const updateRecord = (zone: Ref, record: Ref, spec: Dns.UpdateRecordSpec) => {
    const w = where("Dns.updateRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      yield* V.id(w, "record", record)
      if (typeof spec !== "object" || spec === null) return yield* invalid(w, "spec", "must be an object")
      if (spec.name !== undefined) yield* V.recordName(w, spec.name)
      if (spec.type !== undefined) yield* V.recordType(w, spec.type)
      yield* V.ttl(w, spec.ttl)
      const { id: oldId, key, rrset, zone: z } = yield* locate(w, zoneId, record)
      if (rrset.AliasTarget !== undefined) {
        return yield* invalid(w, "record", "alias records are changed with Route53.upsertAlias, not updateRecord")
      }
      const old = (yield* recordIn(z, rrset, oldId))
      const type = spec.type ?? old.type
      const r = yield* checkRecord(w, {
        name: spec.name ?? old.name,
        type,
        data: spec.data ?? old.data,
        ttl: spec.ttl,
        priority: spec.priority ?? (type === "MX" || type === "SRV" ? old.priority : undefined)
      })
      const moving = r.name !== key.name || r.type !== key.type
      if (moving && (isProtected(key) || key.setIdentifier !== undefined)) {
        return yield* invalid(w, "record", "the zone's SOA and apex NS records, and routing-policy records, keep their name and type")
      }
      const k = valueKey(r.data, r.priority)
      const newId = recordId({ type: r.type, name: r.name, setIdentifier: key.setIdentifier, value: k })
      const value = toValue(r.type, r.data, r.priority)
      const oldValues = valuesOf(rrset)
      const at = oldValues.findIndex((_, i) => valueKeysOf(rrset)[i] === key.value)

      let changes: Array<W.Change>
      let next: W.ResourceRecordSet
      if (!moving) {
        if (k !== key.value && valueKeysOf(rrset).includes(k)) {
          return yield* new Conflict({ ...w, resource: "record", id: oldId, reason: `the record set already holds ${k}` })
        }
        next = withValues(rrset, oldValues.map((v, i) => (i === at ? value : v)), r.ttl)
        if (k === key.value && (r.ttl === undefined || r.ttl === rrset.TTL)) return yield* recordIn(z, next, newId)
        changes = [{ action: "DELETE", rrset }, { action: "CREATE", rrset: next }]
      } else {
        const target = yield* rrsetAt(w, z, r.name, r.type)
        const label = `${r.type} ${absolute(r.name, z.domain)}`
        const blocked = obstacle(w, target, r.type, label, k, oldId)
        if (blocked === "duplicate") {
          return yield* new Conflict({ ...w, resource: "record", id: oldId, reason: `${label} already holds ${k}` })
        }
        if (blocked !== undefined) return yield* blocked
        const rest = oldValues.filter((_, i) => i !== at)
        next = target === undefined
          ? { Name: absolute(r.name, z.domain), Type: r.type, TTL: r.ttl ?? rrset.TTL ?? defaultTtl, ResourceRecords: [{ Value: value }] }
          : withValues(target, [...valuesOf(target), value], r.ttl)
        changes = [
          { action: "DELETE", rrset },
          ...(rest.length === 0 ? [] : [{ action: "CREATE" as const, rrset: withValues(rrset, rest, undefined) }]),
          ...(target === undefined ? [] : [{ action: "DELETE" as const, rrset: target }]),
          { action: "CREATE", rrset: next }
        ]
      }
      const change = yield* submit(w, zoneId, changes, ["Conflict", "NotFound"], oldId)
      return yield* recordIn(z, next, newId, changeExtra(change))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const deleteRecord = (zone: Ref, record: Ref) => {
    const w = where("Dns.deleteRecord")
    return Effect.gen(function*() {
      const zoneId = yield* zoneIdOf(w, zone)
      const recordRef = yield* V.id(w, "record", record)
      const parsed = parseRecordId(recordRef)
      if (parsed !== undefined && isProtected(parsed)) {
        return yield* invalid(w, "record", `the zone's ${parsed.type} record belongs to the hosted zone: Route 53 deletes it with the zone`)
      }
      const { id, rrset } = yield* locate(w, zoneId, recordRef)
      const keys = valueKeysOf(rrset)
      const rest = valuesOf(rrset).filter((_, i) => keys[i] !== parsed!.value)
      const changes: Array<W.Change> = rrset.AliasTarget !== undefined || rest.length === 0
        ? [{ action: "DELETE", rrset }]
        : [{ action: "DELETE", rrset }, { action: "CREATE", rrset: withValues(rrset, rest, undefined) }]
      yield* submit(w, zoneId, changes, ["NotFound", "Conflict"], id).pipe(
        // The set changed between our read and the batch: report it rather than guess.
        Effect.catchTag("Conflict", (c) => Effect.fail(new ProviderError({ ...w, code: "InvalidChangeBatch", detail: c.reason })))
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  const dns: Dns.Service = {
    provider,
    listRecordTypes: () => Effect.succeed(route53RecordTypes).pipe(traced(PROVIDER, "Dns.listRecordTypes")),
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

  // -------------------------------------------------------------- Route 53 only

  const changeIdOf = (w: V.Where, changeId: string) =>
    Effect.flatMap(V.id(w, "changeId", changeId), (raw) => {
      const id = W.bareId(raw)
      return /^[A-Za-z0-9]{1,32}$/.test(id) ? Effect.succeed(id) : Effect.fail(invalid(w, "changeId", `"${raw}" is not a Route 53 change id`))
    })

  const aliasTypes = new Set(["A", "AAAA", "CNAME", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT", "CAA", "DS"])

  const route53: Route53Service = {
    getChange: (changeId) => {
      const w = where("Route53.getChange")
      return Effect.flatMap(changeIdOf(w, changeId), (id) => getChange(w, id)).pipe(traced(PROVIDER, w.operation))
    },
    waitForChange: (changeId, options) => {
      const w = where("Route53.waitForChange")
      return Effect.flatMap(changeIdOf(w, changeId), (id) => waitInSync(w, id, options)).pipe(traced(PROVIDER, w.operation))
    },
    updateComment: (zone, comment) => {
      const w = where("Route53.updateComment")
      return Effect.gen(function*() {
        const id = yield* zoneIdOf(w, zone)
        const c = yield* stringField(w, "comment", comment, 256)
        return yield* updateComment(w, id, c)
      }).pipe(traced(PROVIDER, w.operation))
    },
    upsertAlias: (zone, alias) => {
      const w = where("Route53.upsertAlias")
      return Effect.gen(function*() {
        const zoneId = yield* zoneIdOf(w, zone)
        if (typeof alias !== "object" || alias === null) return yield* invalid(w, "alias", "must be an object")
        const name = yield* V.recordName(w, alias.name)
        if (!aliasTypes.has(alias.type)) return yield* invalid(w, "type", `alias records are of type ${[...aliasTypes].join(", ")}`)
        const dnsName = yield* V.domain(w, "dnsName", alias.dnsName)
        const hostedZoneId = yield* zoneIdOf(w, alias.hostedZoneId).pipe(Effect.mapError(() => invalid(w, "hostedZoneId", "must be a hosted zone id")))
        const z = yield* domainOf(w, zoneId)
        const rrset: W.ResourceRecordSet = {
          Name: absolute(name, z.domain),
          Type: alias.type,
          ResourceRecords: [],
          AliasTarget: { HostedZoneId: hostedZoneId, DNSName: `${dnsName}.`, EvaluateTargetHealth: alias.evaluateTargetHealth === true }
        }
        const id = recordId({ type: alias.type, name, setIdentifier: undefined, value: aliasKey(`${dnsName}.`) })
        const change = yield* submit(w, zoneId, [{ action: "UPSERT", rrset }], ["Conflict", "NotFound"], id)
        return yield* recordIn(z, rrset, id, changeExtra(change))
      }).pipe(traced(PROVIDER, w.operation))
    }
  }

  return { dns, route53 }
}
