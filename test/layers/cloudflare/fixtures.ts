/**
 * Cloudflare API v4 bodies, shaped as the API reference documents them.
 *
 * - Envelope `{ errors, messages, success, result, result_info }` and the
 *   error object `{ code, message, documentation_url?, source? }`:
 *   https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/get/
 * - `error_chain` inside an error (a 400 6003 "Invalid request headers"
 *   whose chain says why): the same envelope, as Cloudflare's API answers a
 *   malformed Authorization header.
 * - Zone: https://developers.cloudflare.com/api/resources/zones/methods/get/
 *   (example values: id 023e105f4ecef8ad9ca31a8372d0c353, name_servers
 *   bob/lola.ns.cloudflare.com, original_name_servers ns1/ns2.originaldnshost.com).
 * - Zone list with `result_info { count, page, per_page, total_count, total_pages }`:
 *   https://developers.cloudflare.com/api/resources/zones/methods/list/
 * - DNS record (A example: name example.com, content 198.51.100.4,
 *   proxiable, proxied, ttl, comment, tags, created_on, modified_on, meta):
 *   https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/get/
 *   and the create example at
 *   https://developers.cloudflare.com/dns/manage-dns-records/reference/dns-record-types/
 * - SRV `data { priority, weight, port, target }`, CAA `data { flags, tag, value }`, MX `priority`:
 *   https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/create/
 * - 429 with Retry-After (seconds): https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */

export interface ApiError {
  readonly code: number
  readonly message: string
  readonly error_chain?: ReadonlyArray<ApiError>
}

export const ok = (result: unknown) => ({ errors: [], messages: [], success: true, result })

export const listed = (
  result: ReadonlyArray<unknown>,
  info: { readonly page: number; readonly per_page: number; readonly total_count: number }
) => ({
  errors: [],
  messages: [],
  success: true,
  result,
  result_info: {
    count: result.length,
    page: info.page,
    per_page: info.per_page,
    total_count: info.total_count,
    total_pages: Math.ceil(info.total_count / info.per_page)
  }
})

export const failure = (errors: ReadonlyArray<ApiError>) => ({ errors, messages: [], success: false, result: null })

export interface ZoneSpec {
  readonly id?: string
  readonly name: string
  readonly type?: string
  readonly status?: string
  readonly accountId?: string
  readonly createdOn?: string
}

/** The documented zone example, with the given id, name, type and status. */
export const zone = (z: ZoneSpec) => ({
  id: z.id ?? "023e105f4ecef8ad9ca31a8372d0c353",
  account: { id: z.accountId ?? "023e105f4ecef8ad9ca31a8372d0c353", name: "Example Account Name" },
  activated_on: "2014-01-02T00:01:00.12345Z",
  created_on: z.createdOn ?? "2014-01-01T05:20:00.12345Z",
  development_mode: 7200,
  meta: {
    cdn_only: true,
    custom_certificate_quota: 1,
    dns_only: true,
    foundation_dns: true,
    page_rule_quota: 100,
    phishing_detected: false,
    step: 2
  },
  modified_on: "2014-01-01T05:20:00.12345Z",
  name: z.name,
  name_servers: ["bob.ns.cloudflare.com", "lola.ns.cloudflare.com"],
  original_dnshost: "NameCheap",
  original_name_servers: ["ns1.originaldnshost.com", "ns2.originaldnshost.com"],
  original_registrar: "GoDaddy",
  owner: { id: "023e105f4ecef8ad9ca31a8372d0c353", name: "Example Org", type: "organization" },
  paused: false,
  permissions: ["#worker:read"],
  status: z.status ?? "active",
  type: z.type ?? "full",
  vanity_name_servers: ["ns1.example.com", "ns2.example.com"]
})

export interface RecordSpec {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly content?: string
  readonly ttl: number
  readonly priority?: number
  readonly data?: Readonly<Record<string, unknown>>
  readonly proxied?: boolean
  readonly proxiable?: boolean
  readonly comment?: string | null
  readonly tags?: ReadonlyArray<string>
  readonly created_on?: string
  readonly modified_on?: string
}

/** A DNS record as the reference's example has it. */
export const record = (r: RecordSpec) => ({
  id: r.id,
  name: r.name,
  type: r.type,
  ...(r.content === undefined ? {} : { content: r.content }),
  ttl: r.ttl,
  ...(r.priority === undefined ? {} : { priority: r.priority }),
  ...(r.data === undefined ? {} : { data: r.data }),
  proxiable: r.proxiable ?? false,
  proxied: r.proxied ?? false,
  ...(r.comment === undefined || r.comment === null ? {} : { comment: r.comment, comment_modified_on: "2024-01-01T05:20:00.12345Z" }),
  tags: r.tags ?? [],
  ...(r.tags === undefined || r.tags.length === 0 ? {} : { tags_modified_on: "2025-01-01T05:20:00.12345Z" }),
  settings: {},
  meta: {},
  created_on: r.created_on ?? "2014-01-01T05:20:00.12345Z",
  modified_on: r.modified_on ?? "2014-01-01T05:20:00.12345Z"
})
