/**
 * Hetzner Cloud servers and volumes over API v1 (`cloudfx/hetzner`,
 * provider id "hetzner").
 *
 * ```ts
 * import { Hetzner } from "cloudfx/hetzner"
 *
 * Hetzner.layer({ token: Redacted.make(process.env.HCLOUD_TOKEN!), region: "fsn1" })
 * // HCLOUD_TOKEN, HCLOUD_ENDPOINT, HCLOUD_LOCATION
 * Hetzner.layerConfig()
 * ```
 *
 * The layer provides `Compute` and `Hetzner.Hetzner` (hard power-off and
 * reset, EUR prices per location). Behaviour worth knowing:
 * - Ids: servers, images, keys and volumes are numbers (as strings) — image
 *   names repeat across architectures, so images go by number; sizes are
 *   server type names ("cx22"), locations location names ("fsn1").
 * - Prices: Hetzner prices in EUR, per location, as decimal strings.
 *   `NodeSize.price` is the net (VAT-free, like the other providers' prices)
 *   hourly EUR price × `config.eurToUsd` (default `DEFAULT_EUR_TO_USD`, 1.1,
 *   a round rate, not a live one; `null` leaves `price` undefined). The
 *   location is `config.region` when set (no price there: `price` undefined),
 *   else the cheapest location. Every location's EUR prices are in
 *   `extra.pricesEur`, the one used in `extra.priceEur`. `bandwidth` is the
 *   included traffic in GiB.
 * - States: running, initializing / migrating / rebuilding → pending,
 *   starting, stopping, off → stopped, deleting → terminated, anything
 *   else → unknown. start/stop/reboot are poweron / ACPI shutdown / ACPI
 *   reboot, each after checking the state (Conflict otherwise; 423 `locked`
 *   is a Conflict too); `Hetzner.powerOffNode` and `resetNode` are the hard ones.
 * - `createNode` passes key pairs by name (`keyPair`, `extra.sshKeys`);
 *   without one Hetzner mails nothing but answers a `root_password`, which
 *   is never decoded, kept or shown. `extra`: `labels`, `sshKeys`. Sent once
 *   (no idempotency token): a lost connection or 5xx is reported, a 429
 *   retried. A taken name is AlreadyExists (409 uniqueness_error); when
 *   Hetzner refuses a create as invalid, the server type, location, image and
 *   keys are looked up to say which is unknown (NotFound).
 * - 403 `resource_limit_exceeded` (a project quota) is a ProviderError, not
 *   PermissionDenied.
 * - Volumes are 10 to 10240 GB and need a location; they are attached
 *   without automount. Hetzner volumes have no snapshots (server snapshots
 *   are images): `compute.snapshots` is not a capability and the snapshot
 *   operations (and `createVolume` from a snapshot) are Unsupported.
 * - The IPv6 of a server is a /64 network, kept in `extra.ipv6Network`;
 *   `publicIps` holds its IPv4 (when it has one).
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Compute } from "../../services/Compute.js"
import * as Client from "./client.js"
import * as Service from "./compute.js"
import { envConfig, type HetznerConfig } from "./config.js"

export type { HetznerConfig } from "./config.js"
export { DEFAULT_ENDPOINT, DEFAULT_EUR_TO_USD } from "./config.js"
export type { CreateNodeExtra, CreateVolumeExtra, HetznerService } from "./compute.js"
export type { EuroPrice } from "./mapping.js"

/** The Hetzner-only operations, provided by the same layer as `Compute`. */
export class Hetzner extends Context.Tag("cloudfx/hetzner/Hetzner")<Hetzner, Service.HetznerService>() {}

/** Both services over one client. */
export const makeServices = (
  config: HetznerConfig
): Effect.Effect<{ readonly compute: Compute.Service; readonly hetzner: Service.HetznerService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: HetznerConfig): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

export const layer = (config: HetznerConfig): Layer.Layer<Compute | Hetzner, never, HttpClient.HttpClient> =>
  Layer.effectContext(Effect.map(makeServices(config), ({ compute, hetzner }) => Context.make(Compute, compute).pipe(Context.add(Hetzner, hetzner))))

/** Reads HCLOUD_TOKEN as a redacted secret, and HCLOUD_ENDPOINT / HCLOUD_LOCATION when set, unless given a config. */
export const layerConfig = (
  config: Config.Config.Wrap<HetznerConfig> = envConfig
): Layer.Layer<Compute | Hetzner, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
