/**
 * What the OpenStack compute provider is configured with, and the
 * environment variables `layerConfig` reads (the OpenStack CLI's names).
 */
import { Config, type Duration, Option } from "effect"
import * as Auth from "../../../auth/openstack/Config.js"
import type * as Retry from "../../../http/Retry.js"

/** Catalog service types this provider talks to. */
export type ServiceType = "compute" | "image" | "volumev3" | "network"

export interface NovaConfig {
  /** Keystone (password or application credential), or a token with its endpoints by service type. */
  readonly auth: Auth.KeystoneConfig | Auth.TokenConfig
  /** Catalog region; default: the auth config's, else any. Also the region `prices` is asked about. */
  readonly region?: string | undefined
  /** Catalog interface; default: the auth config's, else "public". */
  readonly interface?: Auth.Interface | undefined
  /** The compute endpoint ("https://nova.example.com:8774/v2.1"), instead of the catalog's: shorthand for `endpoints.compute`. */
  readonly endpoint?: string | undefined
  /**
   * Per service type, a URL to use instead of the catalog's: compute
   * ("…/v2.1"), image (Glance root, "/v2" is added), volumev3 ("…/v3" or
   * "…/v3/<project>"), network (Neutron root, "/v2.0" is added).
   */
  readonly endpoints?: Partial<Readonly<Record<ServiceType, string>>> | undefined
  /**
   * Compute API microversion sent on every Nova request, as
   * `OpenStack-API-Version: compute <v>` and `X-OpenStack-Nova-API-Version`.
   * Default `DEFAULT_MICROVERSION`.
   */
  readonly microversion?: string | undefined
  /**
   * The hourly on-demand USD price of a flavor (OpenStack has no prices of
   * its own): a table by flavor name (or id), or a function of the flavor
   * name and the configured region. Without it `NodeSize.price` is undefined.
   */
  readonly prices?:
    | Readonly<Record<string, number>>
    | ((flavor: string, region: string | undefined) => number | undefined)
    | undefined
  /** Items asked for per page (`limit`); default: each service's own maximum. */
  readonly pageSize?: number | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "openstack-nova"

/**
 * 2.35: flavors keep their id on servers (2.47 embeds them instead), key
 * pairs are paginated and typed, and `networks` is still optional on create
 * (2.37 requires it). Every Nova since Newton (2016) serves it.
 */
export const DEFAULT_MICROVERSION = "2.35"

/** "2.35" → [2, 35]; undefined when not a microversion. */
export const parseMicroversion = (v: string): readonly [number, number] | undefined => {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim())
  return m === null ? undefined : [Number(m[1]), Number(m[2])]
}

/** Whether microversion `v` is at least `major.minor`. */
export const atLeast = (v: string, major: number, minor: number): boolean => {
  const p = parseMicroversion(v)
  return p !== undefined && (p[0] > major || (p[0] === major && p[1] >= minor))
}

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/**
 * Keystone from OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME,
 * OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE
 * (or OS_APPLICATION_CREDENTIAL_ID / _SECRET); the microversion from
 * OS_COMPUTE_API_VERSION when set.
 */
export const envConfig: Config.Config<NovaConfig> = Config.all({
  auth: Auth.keystoneFromEnv,
  region: optional("OS_REGION_NAME"),
  microversion: optional("OS_COMPUTE_API_VERSION")
}).pipe(Config.map(({ auth, microversion, region }): NovaConfig => ({
  auth,
  ...(region === undefined ? {} : { region }),
  ...(microversion === undefined ? {} : { microversion })
})))
