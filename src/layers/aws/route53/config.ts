/**
 * What a Route 53 client is configured with, how it is checked, and the
 * environment variables `layerConfig` reads (the AWS CLI / SDK names).
 */
import { type Config, type Duration, Either } from "effect"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import type * as Retry from "../../../http/Retry.js"
import { credentialsConfig, endpointConfig as serviceEndpoint } from "../config.js"

export interface Route53Config {
  /** Explicit credentials; without them the chain runs at the first request: environment, then the shared credentials file. */
  readonly credentials?: AwsCredentials | undefined
  /** Another Route 53 endpoint; default the global `https://route53.amazonaws.com`. */
  readonly endpoint?: string | undefined
  /**
   * The region requests are signed for. Route 53 is global and signs as
   * us-east-1 (the default); the China partition uses cn-northwest-1 with
   * its own endpoint.
   */
  readonly region?: string | undefined
  /** TTL of a record set created without one (Route 53 requires one). Default 300 s. */
  readonly defaultTtl?: number | undefined
  /** `maxitems` of list calls, capped at Route 53's own maxima (100 zones, 300 record sets). Default the maxima. */
  readonly pageSize?: number | undefined
  /** Portable changes return only once Route 53 reports them INSYNC on all its name servers. Default false. */
  readonly waitForChanges?: boolean | undefined
  /** How often GetChange is polled while waiting. Default 5 s. */
  readonly changePollInterval?: Duration.DurationInput | undefined
  /** How long a wait for INSYNC may take. Default 5 minutes. */
  readonly changeTimeout?: Duration.DurationInput | undefined
  /** The provider id on every error and span. Default "aws-route53". */
  readonly name?: string | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const DEFAULT_NAME = "aws-route53"
export const DEFAULT_ENDPOINT = "https://route53.amazonaws.com"
export const DEFAULT_REGION = "us-east-1"
export const DEFAULT_TTL = 300
export const API_VERSION = "2013-04-01"
export const XMLNS = `https://route53.amazonaws.com/doc/${API_VERSION}/`
/** Route 53's own `maxitems` ceilings. */
export const MAX_ZONE_PAGE = 100
export const MAX_RECORD_PAGE = 300

export interface Resolved {
  readonly provider: string
  readonly endpoint: string
  readonly region: string
  readonly defaultTtl: number
  readonly zonePage: number
  readonly recordPage: number
}

export interface ConfigProblem {
  readonly provider: string
  readonly field: string
  readonly reason: string
}

export const resolve = (config: Route53Config): Either.Either<Resolved, ConfigProblem> => {
  const provider = config.name ?? DEFAULT_NAME
  const fail = (field: string, reason: string) => Either.left({ provider, field, reason })
  const region = config.region ?? DEFAULT_REGION
  if (typeof region !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(region)) {
    return fail("region", "must be a region name such as \"us-east-1\"")
  }
  let endpoint = DEFAULT_ENDPOINT
  if (config.endpoint !== undefined) {
    let url: URL | undefined
    try {
      url = new URL(config.endpoint)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.username !== "") {
      return fail("endpoint", "must be an http(s) URL without query or credentials")
    }
    endpoint = config.endpoint.replace(/\/+$/, "")
  }
  const ttl = config.defaultTtl ?? DEFAULT_TTL
  if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > 2147483647) {
    return fail("defaultTtl", "must be a whole number of seconds from 0 to 2147483647")
  }
  if (config.pageSize !== undefined && (!Number.isSafeInteger(config.pageSize) || config.pageSize < 1)) {
    return fail("pageSize", "must be a positive whole number")
  }
  return Either.right({
    provider,
    endpoint,
    region,
    defaultTtl: ttl,
    zonePage: Math.min(config.pageSize ?? MAX_ZONE_PAGE, MAX_ZONE_PAGE),
    recordPage: Math.min(config.pageSize ?? MAX_RECORD_PAGE, MAX_RECORD_PAGE)
  })
}

/** AWS_ENDPOINT_URL_ROUTE_53, else AWS_ENDPOINT_URL. */
export const endpointConfig: Config.Config<string | undefined> = serviceEndpoint("ROUTE_53")

/** What `layerConfig` reads when given nothing. */
export const envConfig: Config.Config.Wrap<Route53Config> = {
  endpoint: endpointConfig,
  credentials: credentialsConfig
}
