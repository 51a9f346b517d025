/**
 * What an Elastic Load Balancing client (Classic or Application) is
 * configured with, how it is checked, and the environment variables
 * `layerConfig` reads (the AWS CLI / SDK names). Both APIs live on the same
 * endpoint and sign as service "elasticloadbalancing".
 */
import { type Config, type Duration, Either } from "effect"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import type * as Retry from "../../../http/Retry.js"
import { credentialsConfig, endpointConfig, regionConfig } from "../config.js"
import { checkEndpoint, defaultEndpoint, isRegion } from "../query/config.js"

export interface ElbBaseConfig {
  /** The region the client works in and signs for, e.g. "eu-west-1". */
  readonly region: string
  /** Explicit credentials; without them the chain runs at the first request: environment, then the shared credentials file. */
  readonly credentials?: AwsCredentials | undefined
  /** Another Elastic Load Balancing endpoint ("http://127.0.0.1:4566"); default AWS's for the region. */
  readonly endpoint?: string | undefined
  /** Subnets new balancers are placed in, unless `extra.subnets` says otherwise. */
  readonly subnets?: ReadonlyArray<string> | undefined
  /** Security groups of new balancers, unless `extra.securityGroups` says otherwise. */
  readonly securityGroups?: ReadonlyArray<string> | undefined
  /** Items asked for per page of a Describe call (`PageSize`, 1–400). Default 400. */
  readonly pageSize?: number | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const SERVICE = "elasticloadbalancing"
export const MAX_PAGE_SIZE = 400

export interface Resolved {
  readonly provider: string
  readonly region: string
  readonly endpoint: string
  readonly pageSize: number
  readonly subnets: ReadonlyArray<string>
  readonly securityGroups: ReadonlyArray<string>
}

export interface ConfigProblem {
  readonly provider: string
  readonly field: string
  readonly reason: string
}

const awsIds = (values: ReadonlyArray<string> | undefined, prefix: string) =>
  values === undefined || (Array.isArray(values) && values.every((v) => typeof v === "string" && v.startsWith(prefix)))

export const resolve = (config: ElbBaseConfig, provider: string): Either.Either<Resolved, ConfigProblem> => {
  const fail = (field: string, reason: string) => Either.left({ provider, field, reason })
  if (!isRegion(config.region)) return fail("region", "must be a region name such as \"eu-west-1\"")
  let endpoint = defaultEndpoint(SERVICE, config.region)
  if (config.endpoint !== undefined) {
    const problem = checkEndpoint(config.endpoint)
    if (problem !== undefined) return fail("endpoint", problem)
    endpoint = config.endpoint
  }
  const pageSize = config.pageSize ?? MAX_PAGE_SIZE
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return fail("pageSize", `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  if (!awsIds(config.subnets, "subnet-")) return fail("subnets", "must be subnet ids (\"subnet-…\")")
  if (!awsIds(config.securityGroups, "sg-")) return fail("securityGroups", "must be security group ids (\"sg-…\")")
  return Either.right({
    provider,
    region: config.region,
    endpoint,
    pageSize,
    subnets: config.subnets ?? [],
    securityGroups: config.securityGroups ?? []
  })
}

/** AWS_REGION, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING(_V2) or AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID… */
export const baseEnvConfig = (endpointVariable: string): Config.Config.Wrap<ElbBaseConfig> => ({
  region: regionConfig,
  endpoint: endpointConfig(endpointVariable),
  credentials: credentialsConfig
})

export interface ElbConfig extends ElbBaseConfig {
  /**
   * The EC2 endpoint used to find the instance behind a member address
   * (DescribeInstances); default AWS's for the region.
   */
  readonly ec2Endpoint?: string | undefined
  /** The provider id on every error and span. Default "aws-elb". */
  readonly name?: string | undefined
}

export const DEFAULT_NAME = "aws-elb"
export const CLASSIC_API_VERSION = "2012-06-01"

/** What Classic `layerConfig` reads when given nothing. */
export const classicEnvConfig: Config.Config.Wrap<ElbConfig> = {
  ...baseEnvConfig("ELASTIC_LOAD_BALANCING"),
  ec2Endpoint: endpointConfig("EC2")
}
