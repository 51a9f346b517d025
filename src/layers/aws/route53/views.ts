/**
 * Route 53 hosted zones and record sets → portable Zones and DnsRecords:
 * one DnsRecord per value of a record set (one per alias record set), ids
 * derived from name, type, set identifier and value (names.ts).
 */
import { DnsRecord, type RecordType, Zone } from "../../../schemas/Models.js"
import { aliasKey, decodeName, fromValue, recordId, relative, valueKey } from "./names.js"
import { bareId, type ChangeInfo, type HostedZone, type ResourceRecordSet } from "./wire.js"

/** The record types Route 53 serves that the portable model names. */
export const route53RecordTypes: ReadonlyArray<RecordType> = [
  "A",
  "AAAA",
  "CAA",
  "CNAME",
  "DS",
  "MX",
  "NAPTR",
  "NS",
  "PTR",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "TLSA",
  "TXT"
]
export const supportedTypes: ReadonlySet<string> = new Set(route53RecordTypes)

export const changeExtra = (change: ChangeInfo | undefined) =>
  change === undefined ? {} : { changeId: bareId(change.Id), changeStatus: change.Status }

export const zoneView = (
  z: HostedZone,
  more: { readonly nameservers?: ReadonlyArray<string> | undefined; readonly change?: ChangeInfo | undefined } = {}
): Zone => {
  const config = typeof z.Config === "object" ? z.Config : {}
  return new Zone({
    id: bareId(z.Id),
    domain: decodeName(z.Name),
    type: "master",
    extra: {
      callerReference: z.CallerReference,
      ...(config.Comment === undefined ? {} : { comment: config.Comment }),
      privateZone: config.PrivateZone ?? false,
      ...(z.ResourceRecordSetCount === undefined ? {} : { recordSetCount: z.ResourceRecordSetCount }),
      ...(more.nameservers === undefined ? {} : { nameservers: more.nameservers }),
      ...changeExtra(more.change)
    }
  })
}

const known = new Set(["Name", "Type", "SetIdentifier", "TTL", "ResourceRecords", "AliasTarget"])

/** Routing-policy fields (Weight, Region, GeoLocation, Failover, HealthCheckId, …) as Route 53 gave them. */
const routingOf = (rrset: ResourceRecordSet) => {
  const routing: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(rrset)) if (!known.has(k) && v !== undefined) routing[k] = v
  return {
    ...(rrset.SetIdentifier === undefined ? {} : { setIdentifier: rrset.SetIdentifier }),
    ...(Object.keys(routing).length === 0 ? {} : { routing })
  }
}

/** The record set's place in the zone: relative name (undefined when outside the zone) and type. */
export const placeOf = (rrset: ResourceRecordSet, domain: string) => relative(decodeName(rrset.Name), domain)

/** The value keys (as in record ids) of a record set, in order. */
export const valueKeysOf = (rrset: ResourceRecordSet): Array<string> =>
  rrset.AliasTarget !== undefined
    ? [aliasKey(rrset.AliasTarget.DNSName)]
    : rrset.ResourceRecords.map((rr) => {
      const v = fromValue(rrset.Type, rr.Value)
      return valueKey(v.data, v.priority)
    })

/**
 * Every value of a record set as a portable record; none for types the
 * portable model has no name for (HTTPS, SVCB) or names outside the zone.
 */
export const recordsOf = (zoneId: string, domain: string, rrset: ResourceRecordSet, extra: Record<string, unknown> = {}): Array<DnsRecord> => {
  const name = placeOf(rrset, domain)
  if (name === undefined || !supportedTypes.has(rrset.Type)) return []
  const type = rrset.Type as RecordType
  const common = { zoneId, name, type }
  const routing = routingOf(rrset)
  if (rrset.AliasTarget !== undefined) {
    const a = rrset.AliasTarget
    return [
      new DnsRecord({
        ...common,
        id: recordId({ type, name, setIdentifier: rrset.SetIdentifier, value: aliasKey(a.DNSName) }),
        data: a.DNSName,
        extra: {
          alias: { hostedZoneId: a.HostedZoneId, dnsName: a.DNSName, evaluateTargetHealth: a.EvaluateTargetHealth },
          ...routing,
          ...extra
        }
      })
    ]
  }
  return rrset.ResourceRecords.map((rr) => {
    const v = fromValue(type, rr.Value)
    return new DnsRecord({
      ...common,
      id: recordId({ type, name, setIdentifier: rrset.SetIdentifier, value: valueKey(v.data, v.priority) }),
      data: v.data,
      ...(rrset.TTL === undefined ? {} : { ttl: rrset.TTL }),
      ...(v.priority === undefined ? {} : { priority: v.priority }),
      extra: { ...routing, ...extra }
    })
  })
}
