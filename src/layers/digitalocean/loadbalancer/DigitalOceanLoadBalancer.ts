/**
 * DigitalOcean Load Balancers over API v2 (`cloudfx/digitalocean`, provider
 * id "digitalocean"), on the same client, token and environment variables as
 * DigitalOcean compute.
 *
 * ```ts
 * import { DigitalOceanLoadBalancer } from "cloudfx/digitalocean"
 *
 * DigitalOceanLoadBalancer.layer({ token: Redacted.make(process.env.DIGITALOCEAN_TOKEN!), region: "fra1" })
 * DigitalOceanLoadBalancer.layerConfig() // DIGITALOCEAN_TOKEN, DIGITALOCEAN_API_URL, DIGITALOCEAN_REGION
 * ```
 *
 * The layer provides `LoadBalancer` only: DigitalOcean-specific settings go
 * through `createBalancer`'s `extra` ({@link CreateBalancerExtra}) and come
 * back in `Balancer.extra`. Behaviour worth knowing:
 * - A balancer's `port` and `protocol` are its first forwarding rule's entry
 *   port and protocol; the rule's target protocol is the entry protocol unless
 *   `extra.targetProtocol` says otherwise. Every rule is in
 *   `extra.forwardingRules`. Protocols: http, https, http2, tcp (https needs
 *   `extra.certificateId` or `extra.tlsPassthrough`, DigitalOcean's rule).
 * - Members are droplets. DigitalOcean sends each forwarding rule's traffic to
 *   every droplet on the rule's target port, so all members share one port:
 *   the first rule's target port (the members' port at creation, else
 *   `extra.targetPort`, else the entry port). A member on another port is
 *   InvalidInput, as is a `weight` (no per-droplet weights).
 * - `attachMember({ ip })` finds the droplet with that IPv4 address (public or
 *   private) in the account's droplet listing; no such droplet is InvalidInput.
 *   `attachComputeNode` uses a DigitalOcean node's droplet id directly and
 *   finds any other provider's node by its address the same way. Member ids
 *   are droplet ids; a member's `ip` is the droplet's public IPv4 (its private
 *   one when it has none), `state` is "unknown" (the API reports no per-droplet
 *   health). A droplet already on the balancer is AlreadyExists.
 * - A balancer created with `extra.tag` balances every droplet with that tag:
 *   its members are not attached or detached one by one (InvalidInput).
 * - Algorithm: DigitalOcean deprecated choosing one ("You can no longer
 *   specify an algorithm"), so `listAlgorithms` is `["roundRobin"]` and any
 *   other known algorithm is Unsupported. `Balancer.algorithm` is what the API
 *   still reports (round_robin → roundRobin, least_connections →
 *   leastConnections), absent when it reports none.
 * - States: new → pending, active → running, errored → error, anything else
 *   unknown. Balancer ids are UUIDs; any other id is NotFound without a request.
 * - Names are not unique on DigitalOcean and are not made so here.
 * - `updateBalancer` (name, port, protocol) re-reads the balancer and PUTs its
 *   whole representation back, as the API requires ("any attribute that is
 *   not provided will be reset to its default value"). A change made between
 *   the read and the PUT by someone else is overwritten.
 * - `createBalancer` is sent once (no idempotency token; a 429 is retried
 *   since a refused request did nothing). A region is required:
 *   `extra.region` or `config.region`.
 * - Health check and sticky sessions: `extra.healthCheck` ({@link HealthCheckSpec})
 *   and `extra.stickySessions` ({@link StickySessionsSpec}); also `sizeUnit`,
 *   `size`, `vpcUuid`, `projectId`, `redirectHttpToHttps`,
 *   `enableProxyProtocol`, `enableBackendKeepalive`.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Effect, Layer } from "effect"
import { LoadBalancer } from "../../../services/LoadBalancer.js"
import * as Client from "../client.js"
import { type DigitalOceanConfig, envConfig } from "../config.js"
import * as Service from "./loadBalancer.js"

export type { DigitalOceanConfig } from "../config.js"
export type { CreateBalancerExtra, HealthCheckSpec, StickySessionsSpec } from "./loadBalancer.js"
export { protocols } from "./loadBalancer.js"

/** The portable service (a plain value: one program can hold several). */
export const make = (config: DigitalOceanConfig): Effect.Effect<LoadBalancer.Service, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => Service.make(config, client))

export const layer = (config: DigitalOceanConfig): Layer.Layer<LoadBalancer, never, HttpClient.HttpClient> =>
  Layer.effect(LoadBalancer, make(config))

/**
 * Reads DIGITALOCEAN_TOKEN (else DIGITALOCEAN_ACCESS_TOKEN) as a redacted
 * secret, and DIGITALOCEAN_API_URL / DIGITALOCEAN_REGION when set, unless
 * given a config.
 */
export const layerConfig = (
  config: Config.Config.Wrap<DigitalOceanConfig> = envConfig
): Layer.Layer<LoadBalancer, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
