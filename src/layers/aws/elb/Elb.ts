/**
 * Classic Elastic Load Balancing (`cloudfx/aws`, provider id "aws-elb"
 * unless `name` says otherwise): the portable `LoadBalancer` and the
 * Classic-only `Elb.Elb` (health checks, instance health) over the Query API
 * version 2012-06-01, signed with SigV4 for service "elasticloadbalancing".
 *
 * ```ts
 * import { Elb } from "cloudfx/aws"
 *
 * Elb.layer({ region: "eu-west-1", subnets: ["subnet-a"], securityGroups: ["sg-1"] })
 * // AWS_REGION, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING / AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, AWS_ACCESS_KEY_ID…
 * Elb.layerConfig()
 * ```
 *
 * Behaviour worth knowing:
 * - A balancer's id is its name. It has one listener (the balancer's port
 *   and protocol → the instance port); Classic has no provisioning state, so
 *   a described balancer is "running".
 * - Members are EC2 instances, never addresses: a Classic balancer sends
 *   traffic to every registered instance on the listener's instance port.
 *   A member's id is its instance id, its port the instance port, its ip the
 *   instance's public (else private) address — on attach and on list alike,
 *   so a member attached by an instance's private address reports its public
 *   one when it has one. `attachMember({ ip, port })` maps the address to the
 *   instance holding it with EC2 DescribeInstances (filter
 *   `private-ip-address` for RFC 1918 / 100.64/10 addresses, `ip-address`
 *   otherwise, then the other one: a VPC may use a public range privately),
 *   NotFound "node" when none does; `port` must be the instance port
 *   (InvalidInput otherwise), so one instance is one member whatever port it
 *   is attached with. `attachComputeNode` registers an EC2 node (id `i-…`)
 *   directly, without a lookup, and finds any other node by its address.
 *   Listing members reads their instances with the `instance-id` filter, so
 *   an instance EC2 no longer knows is listed with ip "" instead of failing.
 * - Algorithms are not a setting: Classic uses round robin for tcp/ssl
 *   listeners and least outstanding requests (leastConnections) for
 *   http/https. Asking for the other one is Unsupported. `listAlgorithms`
 *   is in the order of `listProtocols` (http first, leastConnections first).
 * - No weights (InvalidInput), no `updateBalancer` (Unsupported: lb.update
 *   is not listed).
 * - Member state is DescribeInstanceHealth's: InService → up,
 *   OutOfService → down, Unknown → unknown.
 * - DeleteLoadBalancer succeeds for a missing balancer, so it is looked up first.
 * - Because members are instances, the portable contract runs with
 *   `memberPort` (one port per balancer, one member per machine).
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { LoadBalancer } from "../../../services/LoadBalancer.js"
import * as Ec2Client from "../ec2/client.js"
import * as Client from "./client.js"
import { CLASSIC_API_VERSION, classicEnvConfig, DEFAULT_NAME, type ElbConfig } from "./config.js"
import { makeServices as build } from "./service.js"
import type { ElbService } from "./types.js"

export type { ElbConfig } from "./config.js"
export type { ElbService, HealthCheckSpec, InstanceHealth } from "./types.js"

/** The Classic-only operations, provided by the same layer as `LoadBalancer`. */
export class Elb extends Context.Tag("cloudfx/aws/Elb")<Elb, ElbService>() {}

export const makeServices = (
  config: ElbConfig
): Effect.Effect<{ readonly loadBalancer: LoadBalancer.Service; readonly elb: ElbService }, never, HttpClient.HttpClient> => {
  const name = config.name ?? DEFAULT_NAME
  return Effect.zipWith(
    Client.make(config, name, CLASSIC_API_VERSION),
    Ec2Client.make({
      region: config.region,
      credentials: config.credentials,
      endpoint: config.ec2Endpoint,
      name,
      timeout: config.timeout,
      retry: config.retry
    }),
    build
  )
}

/** The portable service alone (a plain value: hold several, e.g. one per region). */
export const make = (config: ElbConfig): Effect.Effect<LoadBalancer.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.loadBalancer)

export const layer = (config: ElbConfig): Layer.Layer<LoadBalancer | Elb, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ elb, loadBalancer }) => Context.make(LoadBalancer, loadBalancer).pipe(Context.add(Elb, elb)))
  )

/**
 * Reads the AWS CLI / SDK variables unless given a config: AWS_REGION (or
 * AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING (or
 * AWS_ENDPOINT_URL), AWS_ENDPOINT_URL_EC2, AWS_ACCESS_KEY_ID +
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); without keys there, the
 * shared credentials file.
 */
export const layerConfig = (
  config: Config.Config.Wrap<ElbConfig> = classicEnvConfig
): Layer.Layer<LoadBalancer | Elb, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
