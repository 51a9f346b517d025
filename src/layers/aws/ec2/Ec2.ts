/**
 * Amazon EC2 (`cloudfx/aws`, provider id "aws-ec2" unless `name` says
 * otherwise): the portable `Compute` service and the EC2-only `Ec2.Ec2`
 * (Elastic IPs, security groups, generated key pairs, regions) over the EC2
 * Query API, signed with SigV4.
 *
 * ```ts
 * import { Ec2 } from "cloudfx/aws"
 *
 * // credentials from AWS_ACCESS_KEY_ID… or ~/.aws/credentials
 * Ec2.layer({ region: "eu-west-1" })
 * // AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…
 * Ec2.layerConfig()
 * // EC2 has no prices of its own: sizes are priced from the `Pricing` service
 * // when one is provided (refreshable from the AWS Price List), else from the
 * // bundled table; or from wherever you keep them:
 * Ec2.layer({ region: "eu-west-1", prices: (type, region) => table[region]?.[type] })
 * ```
 *
 * See compute.ts for what EC2 does differently from other clouds (no-op
 * start/stop, ClientToken idempotency, zones for volumes).
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Compute } from "../../../services/Compute.js"
import { withDefaultPrices } from "../../../services/pricing/defaults.js"
import * as Client from "./client.js"
import { makeCompute } from "./compute.js"
import { type Ec2Config, envConfig } from "./config.js"
import { makeExtras } from "./extras.js"
import type { Ec2Service } from "./types.js"

export type { Ec2Config } from "./config.js"
export type {
  CreateSecurityGroup,
  Ec2Service,
  ElasticIp,
  IngressRule,
  InstanceState,
  ListInstancesOptions,
  Region,
  SecurityGroup
} from "./types.js"

/** The EC2-only operations, provided by the same layer as `Compute`. */
export class Ec2 extends Context.Tag("cloudfx/aws/Ec2")<Ec2, Ec2Service>() {}

/** Both services over one client (one credential cache, one connection pool). */
export const makeServices = (
  config: Ec2Config
): Effect.Effect<{ readonly compute: Compute.Service; readonly ec2: Ec2Service }, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* Client.make(config)
    const bare = makeCompute(client, config)
    const compute = config.prices === undefined
      ? yield* withDefaultPrices(bare, { provider: "ec2", region: client.region })
      : bare
    return { compute, ec2: makeExtras(client, compute.provider) }
  })

/** The portable service alone (a plain value: hold several, e.g. one per region). */
export const make = (config: Ec2Config): Effect.Effect<Compute.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.compute)

/** The EC2-only service alone. */
export const makeEc2 = (config: Ec2Config): Effect.Effect<Ec2Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.ec2)

export const layer = (config: Ec2Config): Layer.Layer<Compute | Ec2, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ compute, ec2 }) => Context.make(Compute, compute).pipe(Context.add(Ec2, ec2)))
  )

/**
 * Reads the AWS CLI / SDK variables unless given a config: AWS_REGION (or
 * AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_EC2 (or AWS_ENDPOINT_URL),
 * AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); without
 * keys there, the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 * AWS_PROFILE) is read at the first request.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Ec2Config> = envConfig
): Layer.Layer<Compute | Ec2, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
