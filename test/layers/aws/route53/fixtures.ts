/**
 * Route 53 response documents, built exactly as the API reference's
 * "Response Syntax" and examples show them (API version 2013-04-01). Each
 * builder cites its page. Shared by the replay tests and the fake server, so
 * neither can drift from the reference on its own.
 */
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"
const head = `<?xml version="1.0" encoding="UTF-8"?>\n`

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

export interface ZoneFixture {
  readonly id: string
  /** As Route 53 writes it: absolute, with the trailing dot. */
  readonly name: string
  readonly callerReference: string
  readonly comment?: string | undefined
  readonly recordSetCount?: number | undefined
}

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html */
export const hostedZone = (z: ZoneFixture) =>
  `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${esc(z.name)}</Name><CallerReference>${esc(z.callerReference)}</CallerReference>` +
  `<Config>${z.comment === undefined ? "" : `<Comment>${esc(z.comment)}</Comment>`}<PrivateZone>false</PrivateZone></Config>` +
  `${z.recordSetCount === undefined ? "" : `<ResourceRecordSetCount>${z.recordSetCount}</ResourceRecordSetCount>`}</HostedZone>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_DelegationSet.html */
export const delegationSet = (nameServers: ReadonlyArray<string>) =>
  `<DelegationSet><NameServers>${nameServers.map((n) => `<NameServer>${n}</NameServer>`).join("")}</NameServers></DelegationSet>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeInfo.html */
export const changeInfo = (id: string, status: "PENDING" | "INSYNC", submittedAt = "2017-03-10T01:36:41.958Z") =>
  `<ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>${submittedAt}</SubmittedAt></ChangeInfo>`

/** The name servers of the example in https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html */
export const exampleNameServers = ["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net", "ns-2050.awsdns-66.org", "ns-2051.awsdns-67.co.uk"]

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html (201 Created) */
export const createHostedZone = (z: ZoneFixture, change: string, nameServers = exampleNameServers) =>
  `${head}<CreateHostedZoneResponse xmlns="${XMLNS}">${hostedZone(z)}${changeInfo(change, "PENDING")}${delegationSet(nameServers)}</CreateHostedZoneResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html */
export const getHostedZone = (z: ZoneFixture, nameServers = exampleNameServers) =>
  `${head}<GetHostedZoneResponse xmlns="${XMLNS}">${hostedZone(z)}${delegationSet(nameServers)}</GetHostedZoneResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZones.html */
export const listHostedZones = (zones: ReadonlyArray<ZoneFixture>, page: { marker?: string; nextMarker?: string; maxItems: number }) =>
  `${head}<ListHostedZonesResponse xmlns="${XMLNS}"><HostedZones>${zones.map(hostedZone).join("")}</HostedZones>` +
  `${page.marker === undefined ? "" : `<Marker>${page.marker}</Marker>`}<IsTruncated>${page.nextMarker !== undefined}</IsTruncated>` +
  `${page.nextMarker === undefined ? "" : `<NextMarker>${page.nextMarker}</NextMarker>`}<MaxItems>${page.maxItems}</MaxItems></ListHostedZonesResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html */
export const listHostedZonesByName = (
  zones: ReadonlyArray<ZoneFixture>,
  page: { dnsName?: string; maxItems: number; next?: { name: string; id: string } }
) =>
  `${head}<ListHostedZonesByNameResponse xmlns="${XMLNS}"><HostedZones>${zones.map(hostedZone).join("")}</HostedZones>` +
  `${page.dnsName === undefined ? "" : `<DNSName>${esc(page.dnsName)}</DNSName>`}<IsTruncated>${page.next !== undefined}</IsTruncated>` +
  `${page.next === undefined ? "" : `<NextDNSName>${esc(page.next.name)}</NextDNSName><NextHostedZoneId>${page.next.id}</NextHostedZoneId>`}` +
  `<MaxItems>${page.maxItems}</MaxItems></ListHostedZonesByNameResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHostedZoneComment.html */
export const updateHostedZoneComment = (z: ZoneFixture) =>
  `${head}<UpdateHostedZoneCommentResponse xmlns="${XMLNS}">${hostedZone(z)}</UpdateHostedZoneCommentResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_DeleteHostedZone.html */
export const deleteHostedZone = (change: string) =>
  `${head}<DeleteHostedZoneResponse xmlns="${XMLNS}">${changeInfo(change, "PENDING")}</DeleteHostedZoneResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html */
export const getChange = (id: string, status: "PENDING" | "INSYNC") =>
  `${head}<GetChangeResponse xmlns="${XMLNS}">${changeInfo(id, status)}</GetChangeResponse>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html */
export const changeResourceRecordSets = (id: string) =>
  `${head}<ChangeResourceRecordSetsResponse xmlns="${XMLNS}">${changeInfo(id, "PENDING")}</ChangeResourceRecordSetsResponse>`

export interface RrsetFixture {
  /** As Route 53 writes it (absolute, escaped: `\\052` for `*`). */
  readonly name: string
  readonly type: string
  readonly ttl?: number
  readonly values?: ReadonlyArray<string>
  readonly setIdentifier?: string
  readonly weight?: number
  readonly alias?: { readonly hostedZoneId: string; readonly dnsName: string; readonly evaluateTargetHealth: boolean }
}

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (element order as documented) */
export const rrset = (r: RrsetFixture) =>
  `<ResourceRecordSet><Name>${esc(r.name)}</Name><Type>${r.type}</Type>` +
  `${r.setIdentifier === undefined ? "" : `<SetIdentifier>${esc(r.setIdentifier)}</SetIdentifier>`}` +
  `${r.weight === undefined ? "" : `<Weight>${r.weight}</Weight>`}` +
  `${r.ttl === undefined ? "" : `<TTL>${r.ttl}</TTL>`}` +
  `${r.values === undefined ? "" : `<ResourceRecords>${r.values.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join("")}</ResourceRecords>`}` +
  `${
    r.alias === undefined
      ? ""
      : `<AliasTarget><HostedZoneId>${r.alias.hostedZoneId}</HostedZoneId><DNSName>${esc(r.alias.dnsName)}</DNSName><EvaluateTargetHealth>${r.alias.evaluateTargetHealth}</EvaluateTargetHealth></AliasTarget>`
  }</ResourceRecordSet>`

/** https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html */
export const listResourceRecordSets = (
  sets: ReadonlyArray<RrsetFixture>,
  page: { maxItems: number; next?: { name: string; type: string; identifier?: string | undefined } }
) =>
  `${head}<ListResourceRecordSetsResponse xmlns="${XMLNS}"><ResourceRecordSets>${sets.map(rrset).join("")}</ResourceRecordSets>` +
  `<IsTruncated>${page.next !== undefined}</IsTruncated>` +
  `${
    page.next === undefined
      ? ""
      : `<NextRecordName>${esc(page.next.name)}</NextRecordName><NextRecordType>${page.next.type}</NextRecordType>${
        page.next.identifier === undefined ? "" : `<NextRecordIdentifier>${esc(page.next.identifier)}</NextRecordIdentifier>`
      }`
  }<MaxItems>${page.maxItems}</MaxItems></ListResourceRecordSetsResponse>`

/**
 * The REST error document of
 * https://docs.aws.amazon.com/Route53/latest/APIReference/requests-rest-responses.html
 * (codes and statuses from each action's "Errors" section).
 */
export const errorResponse = (code: string, message: string, requestId = "b25f48e8-84fd-11e6-80d9-574e0c4664cb") =>
  `${head}<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`

/**
 * InvalidChangeBatch, whose document has its own root and a list of messages
 * (API_ChangeResourceRecordSets.html, "Errors": InvalidChangeBatch "contains a
 * list of messages"; the document shape is the one the AWS SDKs parse).
 */
export const invalidChangeBatch = (messages: ReadonlyArray<string>, requestId = "b25f48e8-84fd-11e6-80d9-574e0c4664cb") =>
  `${head}<InvalidChangeBatch xmlns="${XMLNS}"><Messages>${messages.map((m) => `<Message>${esc(m)}</Message>`).join("")}</Messages><RequestId>${requestId}</RequestId></InvalidChangeBatch>`

/** Route 53's change-batch messages, as it words them. */
export const messages = {
  exists: (name: string, type: string) => `Tried to create resource record set [name='${name}', type='${type}'] but it already exists`,
  notFound: (name: string, type: string) => `Tried to delete resource record set [name='${name}', type='${type}'] but it was not found`,
  mismatch: (name: string, type: string) =>
    `Tried to delete resource record set [name='${name}', type='${type}'] but the values provided do not match the current values`,
  cnameConflict: (type: string, name: string, other: string, zone: string) =>
    `RRSet of type ${type} with DNS name ${name} is not permitted because a conflicting RRSet of type ${other} with the same DNS name already exists in zone ${zone}`
}
