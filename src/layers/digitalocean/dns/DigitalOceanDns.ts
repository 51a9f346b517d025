/**
 * DigitalOcean DNS (domains and domain records) over API v2
 * (`cloudfx/digitalocean`, provider id "digitalocean"), on the same client,
 * token and environment variables as DigitalOcean compute.
 *
 * ```ts
 * import { DigitalOceanDns } from "cloudfx/digitalocean"
 *
 * DigitalOceanDns.layer({ token: Redacted.make(process.env.DIGITALOCEAN_TOKEN!) })
 * DigitalOceanDns.layerConfig() // DIGITALOCEAN_TOKEN, DIGITALOCEAN_API_URL
 * ```
 *
 * The layer provides `Dns` only. Behaviour worth knowing:
 * - A zone's id is its domain name ("example.com"): DigitalOcean addresses
 *   domains by name. Zones are primary ("master") only; `type: "slave"` is
 *   InvalidInput. `extra.ipAddress` makes DigitalOcean add an apex A record.
 * - Zone TTL: DigitalOcean chooses a domain's TTL (the reference marks it
 *   read-only), so `createZone`'s `ttl` is checked but not sent, and
 *   `Zone.ttl` is what DigitalOcean reports. DigitalOcean has no zone update:
 *   `updateZone` is Unsupported (`dns.updateZone` is not listed).
 * - A new domain holds DigitalOcean's NS records at the apex (ns1–3.digitalocean.com.).
 *   The SOA record, where DigitalOcean lists it, can only have its TTL changed
 *   (`updateRecord(zone, soa, { ttl })`) and cannot be created or deleted.
 * - Record types: A, AAAA, CAA, CNAME, MX, NS, SOA, SRV, TXT. Names are
 *   relative ("" is the apex, which DigitalOcean writes "@"; "@" is accepted).
 *   Host data (CNAME, MX, NS, the SRV target) is absolute with a trailing dot
 *   both ways ("@" from DigitalOcean becomes the zone's apex). SRV data is
 *   "weight port target" with `priority`; CAA data is `flags tag "value"`
 *   (DigitalOcean's `flags`, `tag` and `data`); both are also in `extra`.
 *   TXT data is sent as given. Record ids are DigitalOcean's integers.
 * - DigitalOcean does not itself refuse a duplicate record or a CNAME beside
 *   other records in a way the reference documents, so `createRecord` and
 *   `updateRecord` first read the records at the name (the API's `name`
 *   filter): an identical record is AlreadyExists (Conflict on update), a
 *   CNAME clash is Conflict. Two writers racing past that check are not
 *   caught.
 * - `createZone` checks the domain is not already there (AlreadyExists), and
 *   a 422 saying the name is taken is AlreadyExists too. Creates are sent
 *   once (no idempotency token; a 429 is retried).
 * - A 404 on a record is resolved into NotFound for the zone or the record
 *   with one more request. Listings are Streams following `links.pages.next`
 *   (200 per page), one page per pull.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Effect, Layer } from "effect"
import { Dns } from "../../../services/Dns.js"
import * as Client from "../client.js"
import { type DigitalOceanConfig, envConfig } from "../config.js"
import * as Service from "./dns.js"

export type { DigitalOceanConfig } from "../config.js"
export type { CreateZoneExtra } from "./dns.js"
export { recordTypes } from "./mapping.js"

/** The portable service (a plain value: one program can hold several). */
export const make = (config: DigitalOceanConfig): Effect.Effect<Dns.Service, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

export const layer = (config: DigitalOceanConfig): Layer.Layer<Dns, never, HttpClient.HttpClient> => Layer.effect(Dns, make(config))

/**
 * Reads DIGITALOCEAN_TOKEN (else DIGITALOCEAN_ACCESS_TOKEN) as a redacted
 * secret, and DIGITALOCEAN_API_URL when set, unless given a config.
 */
export const layerConfig = (
  config: Config.Config.Wrap<DigitalOceanConfig> = envConfig
): Layer.Layer<Dns, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
