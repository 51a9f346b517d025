/**
 * Linode (Akamai) instances and block storage volumes over API v4
 * (`cloudfx/linode`, provider id "linode").
 *
 * ```ts
 * import { Linode } from "cloudfx/linode"
 *
 * Linode.layer({ token: Redacted.make(process.env.LINODE_TOKEN!), region: "us-east" })
 * // LINODE_TOKEN (or LINODE_CLI_TOKEN), LINODE_URL, LINODE_REGION
 * Linode.layerConfig()
 * ```
 *
 * The layer provides `Compute` and `Linode.Linode` (a size's prices by
 * region). Behaviour worth knowing:
 * - Ids: instances, volumes and keys are numbers (as strings); sizes are
 *   type ids ("g6-standard-1"), images "linode/debian12", locations region
 *   ids ("us-east").
 * - `NodeSize.price` is the type's hourly USD price — in `config.region`
 *   when Linode prices it differently there (`region_prices`), else the
 *   default; `bandwidth` is the monthly transfer in GB.
 * - States: running, offline/stopped → stopped, booting → starting,
 *   rebooting, shutting_down → stopping, provisioning / migrating /
 *   rebuilding / cloning / restoring → pending, deleting → terminated,
 *   billing_suspension → suspended, anything else → unknown. start/stop/
 *   reboot are boot/shutdown/reboot, each after checking the state (Conflict
 *   otherwise; Linode's own 400 "busy" is a Conflict too).
 * - `createNode` needs a region (`location` or `config.region`). Linode
 *   requires a root password with an image: give it as `extra.rootPass`
 *   (a `Redacted<string>`), or a random one is generated, sent once and never
 *   kept — it is never in the returned node. Log in with `keyPair` or
 *   `extra.authorizedKeys`. `userData` goes to Metadata (cloud-init),
 *   base64-encoded. `extra`: `rootPass`, `authorizedKeys`, `tags`,
 *   `privateIp`. Sent once (no idempotency token in the API): a lost
 *   connection or 5xx is reported, a 429 retried. When Linode refuses it, the
 *   type, region and image are looked up to say which is unknown (NotFound).
 * - Key labels are not unique on Linode: `importKeyPair` refuses a taken
 *   name, `deleteKeyPair` deletes every key with it. Linode gives no
 *   fingerprint: it is computed (SHA256, as `ssh-keygen -l`).
 * - Volumes are 10 to 10240 GB and need a region; `device` is their
 *   `/dev/disk/by-id/…` path. Linode volumes have no snapshots (backups are
 *   of whole instances): `compute.snapshots` is not a capability, and the
 *   snapshot operations (and `createVolume` from a snapshot) are Unsupported.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Compute } from "../../services/Compute.js"
import * as Client from "./client.js"
import * as Service from "./compute.js"
import { envConfig, type LinodeConfig } from "./config.js"

export type { LinodeConfig } from "./config.js"
export { DEFAULT_ENDPOINT } from "./config.js"
export type { CreateNodeExtra, LinodeService, SizePrices } from "./compute.js"

/** The Linode-only operations, provided by the same layer as `Compute`. */
export class Linode extends Context.Tag("cloudfx/linode/Linode")<Linode, Service.LinodeService>() {}

/** Both services over one client. */
export const makeServices = (
  config: LinodeConfig
): Effect.Effect<{ readonly compute: Compute.Service; readonly linode: Service.LinodeService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: LinodeConfig): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

export const layer = (config: LinodeConfig): Layer.Layer<Compute | Linode, never, HttpClient.HttpClient> =>
  Layer.effectContext(Effect.map(makeServices(config), ({ compute, linode }) => Context.make(Compute, compute).pipe(Context.add(Linode, linode))))

/** Reads LINODE_TOKEN (else LINODE_CLI_TOKEN) as a redacted secret, and LINODE_URL / LINODE_REGION when set, unless given a config. */
export const layerConfig = (
  config: Config.Config.Wrap<LinodeConfig> = envConfig
): Layer.Layer<Compute | Linode, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
