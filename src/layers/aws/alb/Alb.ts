/**
 * Application Load Balancers (`cloudfx/aws`, provider id "aws-alb" unless
 * `name` says otherwise): the portable `LoadBalancer` and the ALB-only
 * `Alb.Alb` (listeners, the target group, health checks) over the Elastic
 * Load Balancing v2 Query API (2015-12-01), signed with SigV4 for service
 * "elasticloadbalancing".
 *
 * ```ts
 * import { Alb } from "cloudfx/aws"
 *
 * Alb.layer({ region: "eu-west-1", subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"] })
 * // AWS_REGION, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 / AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…
 * Alb.layerConfig()
 * ```
 *
 * Behaviour worth knowing:
 * - A balancer is an ALB + one listener (the balancer's port and protocol)
 *   forwarding to one target group of target type "ip", named like the
 *   balancer. Its id is the load balancer ARN; `ip` is absent (an ALB has a
 *   DNS name, in `extra.dnsName`, not a fixed address).
 * - Members are targets `ip:port` (their id). AWS accepts only private
 *   addresses (RFC 1918, 100.64.0.0/10) in or peered with the VPC, so
 *   `attachComputeNode` usually wants `{ usePrivateIp: true }`. Targets have
 *   no weights: a weight is InvalidInput. A deregistered target drains for
 *   the deregistration delay and is no longer listed. Member state comes from
 *   DescribeTargetHealth: healthy → up, unhealthy → down, the rest unknown.
 * - Algorithms (`load_balancing.algorithm.type`): roundRobin = round_robin,
 *   leastConnections = least_outstanding_requests (fewest requests in
 *   flight), random = weighted_random. Others are Unsupported.
 * - States: provisioning → pending, active and active_impaired → running,
 *   failed → error.
 * - Creation needs subnets (`extra.subnets` or `config.subnets`, two zones at
 *   least); `extra.securityGroups`, `extra.scheme`, and for https
 *   `extra.certificateArn`, are passed on. CreateLoadBalancer, CreateTargetGroup
 *   and CreateListener are idempotent in AWS (same settings answer the
 *   existing resource), so the name is looked up first to report
 *   AlreadyExists. A creation that fails half-way deletes what it made.
 * - `updateBalancer` changes the listener port (ModifyListener) and the
 *   algorithm; renaming and changing protocol are Unsupported.
 * - `destroyBalancer` deletes the balancer and the target group named like
 *   it (never groups of other names, which may serve other balancers).
 *   DeleteLoadBalancer succeeds for a missing balancer, so it is looked up first.
 * - Getting a balancer costs three calls (balancer, listeners, target group
 *   attributes); listing costs one page call plus two per balancer. Network
 *   and Gateway Load Balancers are not listed.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { LoadBalancer } from "../../../services/LoadBalancer.js"
import * as Client from "../elb/client.js"
import { type AlbConfig, API_VERSION, DEFAULT_NAME, envConfig } from "./config.js"
import { makeServices as build } from "./service.js"
import type { AlbService } from "./types.js"

export type { AlbConfig } from "./config.js"
export type { AlbService, HealthCheckSpec, ListenerInfo, TargetGroupInfo } from "./types.js"

/** The ALB-only operations, provided by the same layer as `LoadBalancer`. */
export class Alb extends Context.Tag("cloudfx/aws/Alb")<Alb, AlbService>() {}

/** Both services over one client (one credential cache, one connection pool). */
export const makeServices = (
  config: AlbConfig
): Effect.Effect<{ readonly loadBalancer: LoadBalancer.Service; readonly alb: AlbService }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config, config.name ?? DEFAULT_NAME, API_VERSION), (client) => build(client, config))

/** The portable service alone (a plain value: hold several, e.g. one per region). */
export const make = (config: AlbConfig): Effect.Effect<LoadBalancer.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.loadBalancer)

export const layer = (config: AlbConfig): Layer.Layer<LoadBalancer | Alb, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ alb, loadBalancer }) => Context.make(LoadBalancer, loadBalancer).pipe(Context.add(Alb, alb)))
  )

/**
 * Reads the AWS CLI / SDK variables unless given a config: AWS_REGION (or
 * AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 (or
 * AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 * AWS_SESSION_TOKEN); without keys there, the shared credentials file.
 */
export const layerConfig = (
  config: Config.Config.Wrap<AlbConfig> = envConfig
): Layer.Layer<LoadBalancer | Alb, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
