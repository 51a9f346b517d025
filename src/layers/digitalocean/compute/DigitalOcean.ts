/**
 * DigitalOcean droplets, block storage volumes and their snapshots, over API
 * v2 (`cloudfx/digitalocean`, provider id "digitalocean").
 *
 * ```ts
 * import { DigitalOcean } from "cloudfx/digitalocean"
 *
 * DigitalOcean.layer({ token: Redacted.make(process.env.DIGITALOCEAN_TOKEN!), region: "fra1" })
 * // DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN), DIGITALOCEAN_API_URL, DIGITALOCEAN_REGION
 * DigitalOcean.layerConfig()
 * ```
 *
 * The layer provides `Compute` and `DigitalOcean.DigitalOcean` (hard power
 * off and power cycle). Behaviour worth knowing:
 * - Ids: droplets and key pairs are numbers (as strings); images are their
 *   slug ("ubuntu-24-04-x64") when they have one, else their number; sizes
 *   and locations are slugs ("s-1vcpu-1gb", "fra1").
 * - `NodeSize.price` is DigitalOcean's `price_hourly` (USD); `bandwidth` is
 *   the included transfer in GB (DigitalOcean gives TB). Sizes and regions
 *   DigitalOcean no longer offers (`available: false`) are not listed.
 * - States: new → pending, active → running, off → stopped, archive →
 *   terminated. `stopNode` is a graceful `shutdown` (the OS may ignore it:
 *   `DigitalOcean.powerOffNode` is the hard one); `startNode` is `power_on`,
 *   `rebootNode` a graceful `reboot`. Each checks the droplet's state first
 *   (Conflict otherwise); DigitalOcean's own 422 for a busy droplet is a
 *   Conflict too.
 * - Key pair names are not unique on DigitalOcean: `importKeyPair` refuses a
 *   taken name (AlreadyExists), `deleteKeyPair` deletes every key of that name,
 *   `createNode`'s `keyPair` picks the first. Fingerprints are MD5.
 * - `createNode` is sent once: DigitalOcean has no idempotency token, so a
 *   lost connection or a 5xx is reported, not retried (that could create a
 *   second droplet); a 429 is retried, since a refused request did nothing.
 *   When DigitalOcean refuses a create (400/404/422), the size, location and
 *   image are looked up to say which one is unknown (NotFound).
 *   `extra`: `tags`, `vpcUuid`, `ipv6`, `monitoring`, `backups`.
 * - Volumes need a region (`location`, or `config.region`); their names are
 *   lower-case letters, digits and '-'. `extra`: `description`,
 *   `filesystemType` ("ext4" | "xfs"), `filesystemLabel`, `tags`. Attaching
 *   ignores `device`: DigitalOcean chooses.
 * - Listings follow `links.pages.next` to the end (200 per page); the next
 *   link's page number is used, never its host, so the token only goes to the
 *   configured endpoint.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Compute } from "../../../services/Compute.js"
import * as Client from "../client.js"
import * as Service from "./compute.js"
import { type DigitalOceanConfig, envConfig } from "../config.js"

export type { DigitalOceanConfig } from "../config.js"
export { DEFAULT_ENDPOINT } from "../config.js"
export type { CreateNodeExtra, CreateVolumeExtra, DigitalOceanService } from "./compute.js"

/** The DigitalOcean-only operations, provided by the same layer as `Compute`. */
export class DigitalOcean extends Context.Tag("cloudfx/digitalocean/DigitalOcean")<DigitalOcean, Service.DigitalOceanService>() {}

/** Both services over one client. */
export const makeServices = (
  config: DigitalOceanConfig
): Effect.Effect<{ readonly compute: Compute.Service; readonly digitalOcean: Service.DigitalOceanService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: DigitalOceanConfig): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

export const layer = (config: DigitalOceanConfig): Layer.Layer<Compute | DigitalOcean, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ compute, digitalOcean }) => Context.make(Compute, compute).pipe(Context.add(DigitalOcean, digitalOcean)))
  )

/**
 * Reads DIGITALOCEAN_TOKEN (else DIGITALOCEAN_ACCESS_TOKEN) as a redacted
 * secret, and DIGITALOCEAN_API_URL / DIGITALOCEAN_REGION when set, unless
 * given a config.
 */
export const layerConfig = (
  config: Config.Config.Wrap<DigitalOceanConfig> = envConfig
): Layer.Layer<Compute | DigitalOcean, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
