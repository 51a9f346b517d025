/**
 * What the DigitalOcean client (compute, load balancers, DNS) is configured with, and the
 * environment variables `layerConfig` reads (doctl's and Terraform's names).
 */
import { Config, type Duration, Option, type Redacted } from "effect"
import type * as Retry from "../../http/Retry.js"

export interface DigitalOceanConfig {
  /** A personal access token (read + write scopes for everything but listing). */
  readonly token: Redacted.Redacted<string>
  /** The API base, default "https://api.digitalocean.com/v2" (a local fake or a proxy otherwise). */
  readonly endpoint?: string | undefined
  /**
   * The region slug ("fra1") new droplets, volumes and load balancers go to
   * when the spec names no location. Droplets without one are placed by
   * DigitalOcean; volumes and load balancers need one.
   */
  readonly region?: string | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "digitalocean"
export const DEFAULT_ENDPOINT = "https://api.digitalocean.com/v2"

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/**
 * DIGITALOCEAN_TOKEN, else DIGITALOCEAN_ACCESS_TOKEN (doctl); the endpoint
 * from DIGITALOCEAN_API_URL and the default region from DIGITALOCEAN_REGION
 * when set.
 */
export const envConfig: Config.Config.Wrap<DigitalOceanConfig> = {
  token: Config.redacted(Config.nonEmptyString("DIGITALOCEAN_TOKEN")).pipe(
    Config.orElse(() => Config.redacted(Config.nonEmptyString("DIGITALOCEAN_ACCESS_TOKEN")))
  ),
  endpoint: optional("DIGITALOCEAN_API_URL"),
  region: optional("DIGITALOCEAN_REGION")
}
