/**
 * OpenStack compute (`cloudfx/openstack`, provider id "openstack-nova"):
 * servers, flavors, key pairs and availability zones on Nova v2.1, images
 * on Glance v2, volumes and snapshots on Cinder v3, floating IPs on Neutron
 * v2.0 — one Keystone session for all four, each endpoint from the token's
 * catalog unless `endpoints` names it.
 *
 * ```ts
 * import { Nova } from "cloudfx/openstack"
 *
 * Nova.layer({
 *   auth: { authUrl: "https://keystone:5000/v3", username: "demo", password, projectName: "demo",
 *           userDomainName: "Default", projectDomainName: "Default" },
 *   region: "RegionOne",
 *   prices: { "m1.small": 0.02 }
 * })
 * Nova.layerConfig()            // OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, …
 * Nova.layerFromKeystone({})    // over a Keystone.layer's session, shared with Swift
 * ```
 *
 * The layer provides `Compute` and `Nova.Nova` (floating IPs, hard reboot).
 * Behaviour worth knowing:
 * - Microversion: `DEFAULT_MICROVERSION` (2.35) unless `microversion` says
 *   otherwise; from 2.47 a server's size is its flavor's name (Nova no longer
 *   says the id), and from 2.37 servers are created with `networks: "auto"`
 *   unless `extra.networks` names them.
 * - States: ACTIVE → running, BUILD / REBUILD / RESIZE / RESCUE → pending,
 *   REBOOT / HARD_REBOOT → rebooting, SHUTOFF / SHELVED* → stopped,
 *   PAUSED / SUSPENDED → suspended, ERROR → error, DELETED / SOFT_DELETED →
 *   terminated, anything else → unknown (mapping.ts). start/stop/reboot are
 *   os-start / os-stop / a SOFT reboot; Nova answers 409 in a state that
 *   forbids them (Conflict).
 * - Addresses: floating IPs and fixed IPs outside the private ranges are
 *   public; Nova's access IPs too.
 * - Prices: OpenStack has none; `prices` (a table by flavor name, or a
 *   function) gives `NodeSize.price`, else, with a `region`, the `Pricing`
 *   service when the program provides one (a price file of your cloud's
 *   prices under provider "openstack" and that region).
 * - `createNode` is sent once (no idempotency token): a lost connection or
 *   5xx is reported, a rate-limit refusal retried. When Nova refuses it as
 *   invalid, the flavor, image, zone and key pair are looked up to say which
 *   is unknown (NotFound). `extra`: networks, securityGroups, metadata,
 *   configDrive. The answer's `adminPass` is never decoded.
 * - Volumes live in Cinder, are attached through Nova (os-volume_attachments);
 *   attaching an attached volume, and destroying one, are Conflicts checked
 *   first. Snapshots are Cinder snapshots.
 * - Errors: Nova's `{"itemNotFound": {message, code}}` bodies give the
 *   message; overLimit with a Retry-After (or `retryAfter`) is RateLimited,
 *   a 403 "Quota exceeded" a ProviderError.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import * as Session from "../../../auth/openstack/Session.js"
import { Compute } from "../../../services/Compute.js"
import { withDefaultPrices } from "../../../services/pricing/defaults.js"
import { Keystone } from "../keystone/Keystone.js"
import * as Client from "./client.js"
import * as Service from "./compute.js"
import { envConfig, type NovaConfig } from "./config.js"
import * as Extras from "./extras.js"

export type { NovaConfig, ServiceType } from "./config.js"
export { DEFAULT_MICROVERSION, PROVIDER } from "./config.js"
export type { CreateNodeExtra, CreateVolumeExtra } from "./compute.js"
export type { AllocateFloatingIp, FloatingIp, NovaService } from "./extras.js"

/** The OpenStack-only operations, provided by the same layer as `Compute`. */
export class Nova extends Context.Tag("cloudfx/openstack/Nova")<Nova, Extras.NovaService>() {}

export interface Services {
  readonly compute: Compute.Service
  readonly nova: Extras.NovaService
}

/** Both services over a session shared with other OpenStack providers (see Keystone). */
export const makeWith = (config: Omit<NovaConfig, "auth">, session: Session.OpenStackSession): Effect.Effect<Services, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* Client.make(config, session)
    const bare = Service.make(config, client)
    // A cloud's own price list (a price file loaded into Pricing) fills what the config does not.
    const compute = config.prices === undefined && config.region !== undefined
      ? yield* withDefaultPrices(bare, { provider: "openstack", region: config.region })
      : bare
    return { compute, nova: Extras.make(client) }
  })

/** Both services over a session of their own. */
export const makeServices = (config: NovaConfig): Effect.Effect<Services, never, HttpClient.HttpClient> =>
  Effect.flatMap(
    Session.make(config.auth, {
      ...(config.timeout === undefined ? {} : { timeout: config.timeout }),
      ...(config.retry === undefined ? {} : { retry: config.retry })
    }),
    (session) => makeWith(config, session)
  )

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: NovaConfig): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

const context = ({ compute, nova }: Services) => Context.make(Compute, compute).pipe(Context.add(Nova, nova))

export const layer = (config: NovaConfig): Layer.Layer<Compute | Nova, never, HttpClient.HttpClient> =>
  Layer.effectContext(Effect.map(makeServices(config), context))

/** Over the session a `Keystone.layer` provides: one token shared with Swift and the rest. */
export const layerFromKeystone = (
  config: Omit<NovaConfig, "auth"> = {}
): Layer.Layer<Compute | Nova, never, HttpClient.HttpClient | Keystone> =>
  Layer.effectContext(Effect.map(Effect.flatMap(Keystone, (session) => makeWith(config, session)), context))

/**
 * Reads OS_AUTH_URL, OS_USERNAME, OS_PASSWORD (redacted), OS_PROJECT_NAME,
 * OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE
 * (or OS_APPLICATION_CREDENTIAL_ID / OS_APPLICATION_CREDENTIAL_SECRET) and
 * OS_COMPUTE_API_VERSION, unless given a config.
 */
export const layerConfig = (
  config: Config.Config<NovaConfig> = envConfig
): Layer.Layer<Compute | Nova, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.unwrapEffect(Effect.map(config, layer))

export { envConfig }
