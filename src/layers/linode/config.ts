/**
 * What the Linode compute client is configured with, and the environment
 * variables `layerConfig` reads (Terraform's and linode-cli's names).
 */
import { Config, type Duration, Option, type Redacted } from "effect"
import type * as Retry from "../../http/Retry.js"

export interface LinodeConfig {
  /** A personal access token (linodes, volumes and account key scopes). */
  readonly token: Redacted.Redacted<string>
  /** The API base, default "https://api.linode.com/v4". */
  readonly endpoint?: string | undefined
  /**
   * The region ("us-east") new Linodes and volumes go to when the spec names
   * no location (Linode requires one), and whose prices `listSizes` reports.
   */
  readonly region?: string | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "linode"
export const DEFAULT_ENDPOINT = "https://api.linode.com/v4"

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/** LINODE_TOKEN, else LINODE_CLI_TOKEN; LINODE_URL and LINODE_REGION when set. */
export const envConfig: Config.Config.Wrap<LinodeConfig> = {
  token: Config.redacted(Config.nonEmptyString("LINODE_TOKEN")).pipe(
    Config.orElse(() => Config.redacted(Config.nonEmptyString("LINODE_CLI_TOKEN")))
  ),
  endpoint: optional("LINODE_URL"),
  region: optional("LINODE_REGION")
}
