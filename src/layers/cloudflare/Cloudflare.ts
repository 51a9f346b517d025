/**
 * Cloudflare DNS over API v4 (`cloudfx/cloudflare`, provider id "cloudflare").
 *
 * ```ts
 * import { Cloudflare } from "cloudfx/cloudflare"
 *
 * Cloudflare.layer({ apiToken: Redacted.make(process.env.CLOUDFLARE_API_TOKEN!), accountId: "…" })
 * // CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_BASE_URL
 * Cloudflare.layerConfig()
 * ```
 *
 * The layer provides `Dns` and `Cloudflare.Cloudflare` (proxied toggle,
 * record comment and tags, cache purge). Behaviour worth knowing:
 * - Auth is an API token (`Authorization: Bearer`), never the legacy global
 *   key. `createZone` needs `accountId`; everything else does not.
 * - Zones: Cloudflare "full" and "partial" zones are `master`, "secondary"
 *   ones `slave`; `createZone` sends "full" (or "secondary" for `slave`),
 *   `extra.type` picks explicitly. Cloudflare zones have no TTL: `ttl` is
 *   checked and not sent, and zones come back without one. `updateZone` is
 *   `Unsupported` (nothing portable to change). `extra` holds
 *   `cloudflareType`, `status`, `paused`, `nameServers`, `accountId`.
 * - Records: names are relative to the zone (Cloudflare's full names are cut
 *   at the zone's domain, fetched first for every record operation, which
 *   also tells a missing zone from a missing record). Host names in data
 *   (CNAME, MX, NS, PTR, SRV target) come back absolute with a trailing dot
 *   and are sent without it. MX priority is Cloudflare's `priority`; SRV is
 *   portable "weight port target" + `priority` ↔ Cloudflare's `data`
 *   `{ priority, weight, port, target }`; CAA is `flags tag "value"` ↔
 *   `data { flags, tag, value }`.
 * - TTL: Cloudflare's 1 ("automatic") is a record without `ttl`
 *   (`extra.ttlAutomatic`); a record created without `ttl` is automatic.
 *   Explicit TTLs must be 30 to 86400 (InvalidInput otherwise; Cloudflare
 *   itself wants 60 and up below Enterprise).
 * - Writable types: A, AAAA, CAA, CNAME, MX, NS, PTR, SRV, TXT. Records of
 *   types the portable model has no name for (HTTPS, SVCB, URI, SMIMEA) are
 *   left out of listings; `getRecord` on one is InvalidInput.
 * - `updateRecord` reads the record and overwrites it (PUT) with the merge,
 *   keeping `proxied`, `comment` and `tags`; `Cloudflare.setRecordOptions`
 *   changes those alone (PATCH). `extra` carries them on every record.
 * - Errors come from the envelope's codes first (their `error_chain` joined
 *   into one message): 81057/81058 record exists → AlreadyExists on create,
 *   Conflict on update; 81053/81054 a CNAME clash → Conflict; 1061 zone
 *   exists → AlreadyExists; 7000/7003 (no route, bad identifier), 81044 and
 *   404 → NotFound; 10000, and 9109 with a 401 → InvalidCredentials; other
 *   403s → PermissionDenied; 429 → RateLimited with Retry-After, retried.
 *   POST/PATCH are retried only after a 429 (no idempotency key exists).
 * - Listings follow `result_info` page by page (`pageSize`, default 50) to
 *   `total_pages`, lazily: `Stream.take` fetches only what it needs.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Dns } from "../../services/Dns.js"
import * as Client from "./client.js"
import { type CloudflareConfig, envConfig } from "./config.js"
import * as Service from "./dns.js"

export type { CloudflareConfig } from "./config.js"
export { DEFAULT_ENDPOINT } from "./config.js"
export type { CloudflareService, PurgeSpec, RecordOptions } from "./dns.js"

/** The Cloudflare-only operations, provided by the same layer as `Dns`. */
export class Cloudflare extends Context.Tag("cloudfx/cloudflare/Cloudflare")<Cloudflare, Service.CloudflareService>() {}

/** Both services over one client. */
export const makeServices = (
  config: CloudflareConfig
): Effect.Effect<{ readonly dns: Dns.Service; readonly cloudflare: Service.CloudflareService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: CloudflareConfig): Effect.Effect<Dns.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.dns)

export const layer = (config: CloudflareConfig): Layer.Layer<Dns | Cloudflare, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ cloudflare, dns }) => Context.make(Dns, dns).pipe(Context.add(Cloudflare, cloudflare)))
  )

/** Reads CLOUDFLARE_API_TOKEN as a redacted secret, and CLOUDFLARE_ACCOUNT_ID / CLOUDFLARE_BASE_URL when set, unless given a config. */
export const layerConfig = (
  config: Config.Config.Wrap<CloudflareConfig> = envConfig
): Layer.Layer<Dns | Cloudflare, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
