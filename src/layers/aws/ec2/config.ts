/**
 * What an EC2 client is configured with, how it is checked, and the
 * environment variables `layerConfig` reads (the AWS CLI / SDK names).
 */
import { type Config, type Duration, Either } from "effect"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import type * as Retry from "../../../http/Retry.js"
import { credentialsConfig, endpointConfig as serviceEndpoint, regionConfig } from "../config.js"
import { checkEndpoint, defaultEndpoint as queryEndpoint, isRegion } from "../query/config.js"

export interface Ec2Config {
  /** The region the client works in and signs for, e.g. "eu-west-1". */
  readonly region: string
  /** Explicit credentials; without them the chain runs at the first request: environment, then the shared credentials file. */
  readonly credentials?: AwsCredentials | undefined
  /** Another EC2 endpoint ("http://127.0.0.1:4566"); default AWS's for the region. */
  readonly endpoint?: string | undefined
  /**
   * Whose images `listImages` lists (`Owner.N`): "self", "amazon",
   * "aws-marketplace" or account ids. Default ["self", "amazon"].
   */
  readonly imageOwners?: ReadonlyArray<string> | undefined
  /**
   * The hourly on-demand USD price of an instance type in a region, for
   * `NodeSize.price` (EC2 itself has no prices). By default prices come
   * from the `Pricing` service when the program provides one, else from the
   * prices bundled with cloudfx; `false` leaves them undefined.
   */
  readonly prices?: ((instanceType: string, region: string) => number | undefined) | false | undefined
  /**
   * Items asked for per page of a paginated Describe call (`MaxResults`),
   * capped at each action's own maximum. Default: each action's maximum.
   */
  readonly pageSize?: number | undefined
  /** The provider id on every error and span. Default "aws-ec2". */
  readonly name?: string | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const DEFAULT_NAME = "aws-ec2"
export const API_VERSION = "2016-11-15"
export const DEFAULT_IMAGE_OWNERS: ReadonlyArray<string> = ["self", "amazon"]
/** AWS's smallest MaxResults for the paginated Describe calls. */
export const MIN_PAGE_SIZE = 5

export interface Resolved {
  readonly provider: string
  readonly region: string
  readonly endpoint: string
  readonly imageOwners: ReadonlyArray<string>
  readonly pageSize: number | undefined
}

/** The endpoint AWS documents for a region (the China partition has its own domain). */
export const defaultEndpoint = (region: string): string => queryEndpoint("ec2", region)

export interface ConfigProblem {
  readonly field: string
  readonly reason: string
}

export const resolve = (config: Ec2Config): Either.Either<Resolved, ConfigProblem & { readonly provider: string }> => {
  const provider = config.name ?? DEFAULT_NAME
  const fail = (field: string, reason: string) => Either.left({ provider, field, reason })
  if (!isRegion(config.region)) {
    return fail("region", "must be a region name such as \"eu-west-1\"")
  }
  let endpoint = defaultEndpoint(config.region)
  if (config.endpoint !== undefined) {
    const problem = checkEndpoint(config.endpoint)
    if (problem !== undefined) return fail("endpoint", problem)
    endpoint = config.endpoint
  }
  const owners = config.imageOwners ?? DEFAULT_IMAGE_OWNERS
  if (owners.length === 0 || owners.some((o) => typeof o !== "string" || !/^[a-z0-9-]+$/.test(o))) {
    return fail("imageOwners", "must be a non-empty list of \"self\", \"amazon\", \"aws-marketplace\" or account ids")
  }
  if (config.pageSize !== undefined && (!Number.isSafeInteger(config.pageSize) || config.pageSize < MIN_PAGE_SIZE)) {
    return fail("pageSize", `must be a whole number of at least ${MIN_PAGE_SIZE}`)
  }
  return Either.right({ provider, region: config.region, endpoint, imageOwners: owners, pageSize: config.pageSize })
}

/** AWS_ENDPOINT_URL_EC2, else AWS_ENDPOINT_URL (the SDKs' service-specific endpoint variables). */
export const endpointConfig: Config.Config<string | undefined> = serviceEndpoint("EC2")

/** What `layerConfig` reads when given nothing. */
export const envConfig: Config.Config.Wrap<Ec2Config> = {
  region: regionConfig,
  endpoint: endpointConfig,
  credentials: credentialsConfig
}
