/**
 * Google Compute Engine: the portable `Compute` service over the Compute
 * Engine API v1, and the `Gce.Gce` tag for what only GCE has (firewall
 * rules, static external addresses, image families).
 *
 * ```ts
 * import { Gce } from "cloudfx/gcp"
 * program.pipe(
 *   Effect.provide(Gce.layer({ project: "my-project", zone: "europe-west1-b", serviceAccount: Redacted.make(keyJson) })),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * Authentication is a service account key (src/auth/google: a signed JWT
 * exchanged for an OAuth token, cached, refreshed before expiry and once on
 * a 401). Every mutating call waits for its Operation to be DONE before it
 * returns. See compute.ts for how each portable operation maps onto GCE,
 * names.ts for ids, nodeSpec.ts for `createNode`'s `extra`, sshKeys.ts for
 * key pairs (project metadata "ssh-keys").
 */
import type { HttpClient } from "@effect/platform"
import { Config, type ConfigError, Context, Effect, Layer } from "effect"
import { Compute } from "../../../services/Compute.js"
import { withDefaultPrices } from "../../../services/pricing/defaults.js"
import { makeCore } from "./client.js"
import { makeCompute } from "./compute.js"
import { envConfig, type GceConfig } from "./config.js"
import { type GceService, makeGce } from "./extras.js"

export { CAPABILITIES } from "./compute.js"
export { defaultImageProjects, envConfig } from "./config.js"
export type { GceConfig } from "./config.js"
export type { ServiceAccountInput } from "./auth.js"
export type { AddressSpec, Firewall, FirewallRule, FirewallSpec, GceService, StaticAddress } from "./extras.js"
export type { NodeExtra } from "./nodeSpec.js"

/** GCE-specific operations, provided by `layer` beside `Compute`. */
export class Gce extends Context.Tag("cloudfx/Gce")<Gce, GceService>() {}

/** Both services over one HTTP client and one token cache. */
export const makeServices = (config: GceConfig): Effect.Effect<{ readonly compute: Compute.Service; readonly gce: GceService }, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const core = yield* makeCore(config)
    const bare = makeCompute(core)
    const compute = config.prices === undefined ? yield* withDefaultPrices(bare, { provider: "gce", region: core.region }) : bare
    return { compute, gce: makeGce(core) }
  })

/** The portable Compute service, as a plain value. */
export const make = (config: GceConfig): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

export const layer = (config: GceConfig): Layer.Layer<Compute | Gce, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ compute, gce }) => Context.make(Compute, compute).pipe(Context.add(Gce, gce)))
  )

/**
 * From the environment by default: GOOGLE_APPLICATION_CREDENTIALS (key file
 * path), GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT, CLOUDSDK_COMPUTE_ZONE,
 * and CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE when set.
 */
export const layerConfig = (
  config: Config.Config.Wrap<GceConfig> = envConfig
): Layer.Layer<Compute | Gce, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
