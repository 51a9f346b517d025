/**
 * Route 53's REST XML (API 2013-04-01), as fast-xml-parser hands it over
 * (elements → properties, text → strings, namespace dropped), and the request
 * documents we send. Element names and order follow the API reference:
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53.html
 */
import { Schema } from "effect"
import { XmlList } from "../../../http/Decode.js"
import { XMLNS } from "./config.js"

/** `<Wrapper><Item/>…</Wrapper>` (or `<Wrapper/>`, or absent) → the items. */
const container = <A, I>(tag: string, item: Schema.Schema<A, I>) =>
  Schema.optionalWith(
    Schema.transform(
      Schema.Union(Schema.Literal(""), Schema.Struct({ [tag]: XmlList(item) })),
      Schema.Array(Schema.typeSchema(item)),
      {
        strict: false,
        decode: (u) => (u === "" ? [] : (u as Record<string, ReadonlyArray<A>>)[tag] ?? []),
        encode: (items) => ({ [tag]: items })
      }
    ),
    { default: () => [] }
  )

const Flag = Schema.transform(Schema.Literal("true", "false"), Schema.Boolean, {
  strict: true,
  decode: (s) => s === "true",
  encode: (b) => (b ? "true" : "false")
})

// ---------------------------------------------------------------- hosted zones

const ZoneConfig = Schema.Union(
  Schema.Literal(""),
  Schema.Struct({ Comment: Schema.optional(Schema.String), PrivateZone: Schema.optional(Flag) })
)

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html */
export const HostedZone = Schema.Struct({
  Id: Schema.String,
  Name: Schema.String,
  CallerReference: Schema.String,
  Config: Schema.optional(ZoneConfig),
  ResourceRecordSetCount: Schema.optional(Schema.NumberFromString)
})
export type HostedZone = typeof HostedZone.Type

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_DelegationSet.html */
const DelegationSet = Schema.Struct({ NameServers: container("NameServer", Schema.String) })

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeInfo.html */
export const ChangeInfo = Schema.Struct({
  Id: Schema.String,
  Status: Schema.String,
  SubmittedAt: Schema.String,
  Comment: Schema.optional(Schema.String)
})
export type ChangeInfo = typeof ChangeInfo.Type

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html */
export const CreateHostedZoneResponse = Schema.Struct({
  CreateHostedZoneResponse: Schema.Struct({
    HostedZone,
    ChangeInfo,
    DelegationSet: Schema.optional(DelegationSet)
  })
})

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html */
export const GetHostedZoneResponse = Schema.Struct({
  GetHostedZoneResponse: Schema.Struct({ HostedZone, DelegationSet: Schema.optional(DelegationSet) })
})

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZones.html */
export const ListHostedZonesResponse = Schema.Struct({
  ListHostedZonesResponse: Schema.Struct({
    HostedZones: container("HostedZone", HostedZone),
    IsTruncated: Flag,
    NextMarker: Schema.optional(Schema.String)
  })
})

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html */
export const ListHostedZonesByNameResponse = Schema.Struct({
  ListHostedZonesByNameResponse: Schema.Struct({
    HostedZones: container("HostedZone", HostedZone),
    IsTruncated: Flag
  })
})

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHostedZoneComment.html */
export const UpdateHostedZoneCommentResponse = Schema.Struct({
  UpdateHostedZoneCommentResponse: Schema.Struct({ HostedZone })
})

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_DeleteHostedZone.html */
export const DeleteHostedZoneResponse = Schema.Struct({ DeleteHostedZoneResponse: Schema.Struct({ ChangeInfo }) })

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html */
export const GetChangeResponse = Schema.Struct({ GetChangeResponse: Schema.Struct({ ChangeInfo }) })

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html */
export const ChangeResourceRecordSetsResponse = Schema.Struct({
  ChangeResourceRecordSetsResponse: Schema.Struct({ ChangeInfo })
})

// ---------------------------------------------------------------- record sets

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html */
export const AliasTarget = Schema.Struct({
  HostedZoneId: Schema.String,
  DNSName: Schema.String,
  EvaluateTargetHealth: Flag
})
export type AliasTarget = typeof AliasTarget.Type

/**
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 * The fields cloudfx reads are decoded; the routing-policy ones (Weight,
 * Region, GeoLocation, Failover, HealthCheckId, …) are kept as parsed, so a
 * record set rewritten to change one value keeps them exactly.
 */
export const ResourceRecordSet = Schema.Struct(
  {
    Name: Schema.String,
    Type: Schema.String,
    SetIdentifier: Schema.optional(Schema.String),
    TTL: Schema.optional(Schema.NumberFromString),
    ResourceRecords: container("ResourceRecord", Schema.Struct({ Value: Schema.String })),
    AliasTarget: Schema.optional(AliasTarget)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type ResourceRecordSet = typeof ResourceRecordSet.Type

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html */
export const ListResourceRecordSetsResponse = Schema.Struct({
  ListResourceRecordSetsResponse: Schema.Struct({
    ResourceRecordSets: container("ResourceRecordSet", ResourceRecordSet),
    IsTruncated: Flag,
    NextRecordName: Schema.optional(Schema.String),
    NextRecordType: Schema.optional(Schema.String),
    NextRecordIdentifier: Schema.optional(Schema.String)
  })
})

// ---------------------------------------------------------------- writing

// Element text only (no attributes are written), so quotes stay as they are: TXT values read as sent.
export const escapeXml = (s: string): string => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!)

const element = (name: string, value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join("")
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v)).join("")}</${name}>`
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

/** A request document: `<Root xmlns="…">children</Root>`, children in the order given. */
export const document = (root: string, children: ReadonlyArray<readonly [string, unknown]>): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${children.map(([k, v]) => element(k, v)).join("")}</${root}>`

// The schema's element order (API_ResourceRecordSet.html); anything else keeps its place after them.
const rrsetOrder = [
  "Name",
  "Type",
  "SetIdentifier",
  "Weight",
  "Region",
  "GeoLocation",
  "Failover",
  "MultiValueAnswer",
  "TTL",
  "ResourceRecords",
  "AliasTarget",
  "HealthCheckId",
  "TrafficPolicyInstanceId",
  "CidrRoutingConfig",
  "GeoProximityLocation"
]

/** A record set as the `<ResourceRecordSet>` element of a change, every field it came with kept. */
export const rrsetElement = (rrset: ResourceRecordSet): string => {
  const fields: Record<string, unknown> = {
    ...rrset,
    ResourceRecords: rrset.ResourceRecords.length === 0
      ? undefined
      : { ResourceRecord: rrset.ResourceRecords },
    AliasTarget: rrset.AliasTarget === undefined ? undefined : {
      HostedZoneId: rrset.AliasTarget.HostedZoneId,
      DNSName: rrset.AliasTarget.DNSName,
      EvaluateTargetHealth: rrset.AliasTarget.EvaluateTargetHealth ? "true" : "false"
    }
  }
  const keys = [...rrsetOrder.filter((k) => k in fields), ...Object.keys(fields).filter((k) => !rrsetOrder.includes(k))]
  return `<ResourceRecordSet>${keys.map((k) => element(k, fields[k])).join("")}</ResourceRecordSet>`
}

export type Action = "CREATE" | "DELETE" | "UPSERT"

export interface Change {
  readonly action: Action
  readonly rrset: ResourceRecordSet
}

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html (request syntax) */
export const changeBatch = (changes: ReadonlyArray<Change>, comment?: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch>${
    comment === undefined ? "" : `<Comment>${escapeXml(comment)}</Comment>`
  }<Changes>${
    changes.map((c) => `<Change><Action>${c.action}</Action>${rrsetElement(c.rrset)}</Change>`).join("")
  }</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`

/** "/hostedzone/Z1PA6795UKMFR9" → "Z1PA6795UKMFR9" (also "/change/C…"). */
export const bareId = (id: string): string => id.replace(/^\/?(?:hostedzone|change)\//, "")
