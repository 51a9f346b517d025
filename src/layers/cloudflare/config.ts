/**
 * What the Cloudflare client is configured with, and the environment
 * variables `layerConfig` reads (the names wrangler, the Terraform provider
 * and Cloudflare's SDKs use).
 */
import { Config, type Duration, Option, type Redacted } from "effect"
import type * as Retry from "../../http/Retry.js"

export interface CloudflareConfig {
  /** An API token (Zone:Read and DNS:Edit; Zone:Edit to create and delete zones). */
  readonly apiToken: Redacted.Redacted<string>
  /** The account new zones are created in; `createZone` needs it. */
  readonly accountId?: string | undefined
  /** The API base, default "https://api.cloudflare.com/client/v4". */
  readonly endpoint?: string | undefined
  /** Items asked for per page of a listing (zones allow 5 to 50). Default 50. */
  readonly pageSize?: number | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "cloudflare"
export const DEFAULT_ENDPOINT = "https://api.cloudflare.com/client/v4"
export const DEFAULT_PAGE_SIZE = 50

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/** CLOUDFLARE_API_TOKEN (redacted), CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_BASE_URL when set. */
export const envConfig: Config.Config.Wrap<CloudflareConfig> = {
  apiToken: Config.redacted(Config.nonEmptyString("CLOUDFLARE_API_TOKEN")),
  accountId: optional("CLOUDFLARE_ACCOUNT_ID"),
  endpoint: optional("CLOUDFLARE_BASE_URL")
}
