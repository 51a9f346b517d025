/**
 * What the Hetzner Cloud compute client is configured with, and the
 * environment variables `layerConfig` reads (the hcloud CLI's names).
 */
import { Config, type Duration, Option, type Redacted } from "effect"
import type * as Retry from "../../http/Retry.js"

export interface HetznerConfig {
  /** A project API token (read & write). */
  readonly token: Redacted.Redacted<string>
  /** The API base, default "https://api.hetzner.cloud/v1". */
  readonly endpoint?: string | undefined
  /**
   * The location ("fsn1") new servers and volumes go to when the spec names
   * none, and whose price `listSizes` reports.
   */
  readonly region?: string | undefined
  /**
   * Hetzner prices in EUR; `NodeSize.price` is USD. Each size's net hourly
   * EUR price is multiplied by this rate. Default `DEFAULT_EUR_TO_USD`; pass
   * your own rate for accurate comparisons, or `null` to report no USD price
   * at all (the EUR prices stay in `extra`).
   */
  readonly eurToUsd?: number | null | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "hetzner"
export const DEFAULT_ENDPOINT = "https://api.hetzner.cloud/v1"

/**
 * A round EUR→USD rate (the euro traded between about 1.02 and 1.18 dollars
 * in 2023–2025): close enough to rank Hetzner against providers priced in
 * dollars, not to bill by. Not refreshed at run time.
 */
export const DEFAULT_EUR_TO_USD = 1.1

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/** HCLOUD_TOKEN; HCLOUD_ENDPOINT and HCLOUD_LOCATION when set. */
export const envConfig: Config.Config.Wrap<HetznerConfig> = {
  token: Config.redacted(Config.nonEmptyString("HCLOUD_TOKEN")),
  endpoint: optional("HCLOUD_ENDPOINT"),
  region: optional("HCLOUD_LOCATION")
}
