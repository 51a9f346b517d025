/**
 * DigitalOcean domain and domain record bodies exactly as the reference
 * documents them, parameterised only by names, ids and values. Shared by the
 * replay tests and the fake so the two cannot drift apart.
 *
 * Source: https://docs.digitalocean.com/reference/api/api-reference/#tag/Domains
 * and #tag/Domain-Records, generated from github.com/digitalocean/openapi
 * (paths under specification/resources/domains/).
 */

// responses/all_domains_response.yml (example domains[0]); zone_file as there
export const domain = (name = "example.com", ttl: number | null = 1800) => ({
  name,
  ttl,
  zone_file: [
    `$ORIGIN ${name}.`,
    `$TTL ${ttl ?? 1800}`,
    `${name}. IN SOA ns1.digitalocean.com. hostmaster.${name}. 1415982609 10800 3600 604800 1800`,
    `${name}. 1800 IN NS ns1.digitalocean.com.`,
    `${name}. 1800 IN NS ns2.digitalocean.com.`,
    `${name}. 1800 IN NS ns3.digitalocean.com.`,
    ""
  ].join("\n")
})

// responses/create_domain_response.yml (example): zone_file is null right after creation
export const createdDomain = (name = "example.com") => ({ domain: { name, ttl: 1800, zone_file: null } })

export interface RecordOptions {
  readonly id: number
  readonly type: string
  readonly name: string
  readonly data: string
  readonly ttl?: number
  readonly priority?: number | null
  readonly port?: number | null
  readonly weight?: number | null
  readonly flags?: number | null
  readonly tag?: string | null
}

// examples.yml DomainRecordsAll / DomainRecordCreated: every field present, null where the type has none
export const record = (o: RecordOptions) => ({
  id: o.id,
  type: o.type,
  name: o.name,
  data: o.data,
  priority: o.priority ?? null,
  port: o.port ?? null,
  ttl: o.ttl ?? 1800,
  weight: o.weight ?? null,
  flags: o.flags ?? null,
  tag: o.tag ?? null
})

// examples.yml DomainRecordsAll: the three NS records a new domain has
export const nameservers = (firstId: number) =>
  ["ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com"].map((data, i) => record({ id: firstId + i, type: "NS", name: "@", data }))
