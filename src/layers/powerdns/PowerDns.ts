/**
 * PowerDNS Authoritative, over its HTTP API v1 (`cloudfx/powerdns`,
 * provider id "powerdns"). Tested against pdns 4.7 (Debian) with the
 * gsqlite3 backend; any 4.x with `api=yes` works.
 *
 * ```ts
 * import { PowerDns } from "cloudfx/powerdns"
 *
 * PowerDns.layer({ endpoint: "http://127.0.0.1:8081/api/v1", apiKey: Redacted.make(key) })
 * // PDNS_API_URL, PDNS_API_KEY, PDNS_SERVER_ID (default "localhost")
 * PowerDns.layerConfig()
 * ```
 *
 * The layer provides `Dns` and `PowerDns.PowerDns` (NOTIFY, rectify, pdns's
 * own zone-file export). Behaviour worth knowing:
 * - Zones: ids and domains are the zone name without the trailing dot
 *   ("example.com"); "example.com." is accepted wherever a zone is named.
 *   A new zone is "Native" (served from the database; `type: "master"`),
 *   `extra.kind` picks Master/Producer, `type: "slave"` makes a Slave with
 *   `extra.masters`. It gets an SOA (`<first name server> hostmaster.<zone>.
 *   <YYYYMMDD01> 10800 3600 604800 3600`) and NS records for `nameservers`
 *   (config or `extra.nameservers`, "@" standing for the zone; default
 *   ns1.<zone>. and ns2.<zone>.), both with the zone's TTL (default 3600).
 * - `Zone.ttl` is the SOA's TTL, so `listZones` (which PowerDNS answers
 *   without records) has none; `updateZone({ ttl })` changes it, and it is
 *   the TTL of new RRsets created without one. PowerDNS moves the SOA serial
 *   on every change (its `soa_edit_api`, default "DEFAULT"; set
 *   `soaEditApi: ""` to leave it alone).
 * - Records: PowerDNS stores RRsets (name, type, TTL, records); each record
 *   of an RRset is one portable `DnsRecord`. Its id is its name, type and
 *   content ("A:www:MTkyLjAuMi4x", content base64url), stable across calls
 *   and processes, so an update that changes the data changes the id (use
 *   the returned record). The SOA's id is "SOA::", whatever its serial.
 * - Every change is one PATCH replacing whole RRsets: creating, updating or
 *   deleting one record rewrites its RRset with its siblings kept (disabled
 *   flags too). The TTL belongs to the RRset: a record created or updated
 *   with a `ttl` sets it for its siblings as well. There is no locking: two
 *   clients changing the same RRset at once can lose one change.
 * - MX and SRV priority is the first field of the content ("10 mail.x.");
 *   names in data are made absolute (a trailing dot added); TXT/SPF data is
 *   the plain text — quoted for PowerDNS and cut into 255-byte strings
 *   between characters, read back as the strings joined. TXT data already
 *   written as quoted strings (`"v=spf1 -all"`) is taken as such. CAA values
 *   are quoted when given bare (`0 issue letsencrypt.org`). Data comes back
 *   in PowerDNS's canonical form ("2001:DB8:0::1" → "2001:db8::1").
 * - A record identical to one of its RRset is AlreadyExists; a CNAME beside
 *   other data, or a second CNAME, is Conflict — checked first, and mapped
 *   from PowerDNS's own 422s. Other 422/400 answers are InvalidInput with
 *   PowerDNS's message as the reason; 401 (wrong key) is InvalidCredentials.
 * - ALIAS records are stored and listed; pdns answers them only when its
 *   own config has `resolver=` and `expand-alias=yes`.
 * - Record types PowerDNS has no portable name for (LUA, …) are not listed
 *   and are left untouched. Listings are one request each (the API does not
 *   page), streamed.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Dns } from "../../services/Dns.js"
import * as Client from "./client.js"
import { envConfig, type PowerDnsConfig } from "./config.js"
import * as Service from "./dns.js"

export type { PowerDnsConfig } from "./config.js"
export { DEFAULT_HOSTMASTER, DEFAULT_NAMESERVERS, DEFAULT_SERVER } from "./config.js"
export { DEFAULT_TTL, powerDnsRecordTypes, type PowerDnsService, type ZoneKind, zoneKinds } from "./dns.js"

/** The PowerDNS-only operations, provided by the same layer as `Dns`. */
export class PowerDns extends Context.Tag("cloudfx/powerdns/PowerDns")<PowerDns, Service.PowerDnsService>() {}

/** Both services over one client. */
export const makeServices = (
  config: PowerDnsConfig
): Effect.Effect<{ readonly dns: Dns.Service; readonly powerDns: Service.PowerDnsService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: PowerDnsConfig): Effect.Effect<Dns.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.dns)

export const layer = (config: PowerDnsConfig): Layer.Layer<Dns | PowerDns, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ dns, powerDns }) => Context.make(Dns, dns).pipe(Context.add(PowerDns, powerDns)))
  )

/** Reads PDNS_API_URL, PDNS_API_KEY (redacted) and PDNS_SERVER_ID (optional), unless given a config. */
export const layerConfig = (
  config: Config.Config.Wrap<PowerDnsConfig> = envConfig
): Layer.Layer<Dns | PowerDns, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
