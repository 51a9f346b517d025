/**
 * Which provider a CLI command talks to. A profile is a provider id plus
 * that provider's conventional environment variables (each layer's
 * `layerConfig` reads them: AWS_REGION and AWS_ACCESS_KEY_ID for EC2,
 * DIGITALOCEAN_TOKEN, PDNS_API_URL…), so no secret is ever typed on the
 * command line. Without `--provider` a command uses $CLOUDFX_PROVIDER, else
 * the embedded memory cloud, which lives as long as the process does.
 */
import { Options } from "@effect/cli"
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer, Option } from "effect"
import type { ConfigError } from "effect"
import { Alb, Ec2, Elb, Route53 } from "../layers/aws/index.js"
import { Cloudflare } from "../layers/cloudflare/index.js"
import { DigitalOcean, DigitalOceanDns, DigitalOceanLoadBalancer } from "../layers/digitalocean/index.js"
import { Gce } from "../layers/gcp/index.js"
import { Haproxy } from "../layers/haproxy/index.js"
import { Hetzner } from "../layers/hetzner/index.js"
import { Linode } from "../layers/linode/index.js"
import { Memory } from "../layers/memory/index.js"
import { Nova } from "../layers/openstack/index.js"
import { PowerDns } from "../layers/powerdns/index.js"
import { InvalidInput } from "../schemas/Errors.js"
import type { Compute } from "../services/Compute.js"
import type { Dns } from "../services/Dns.js"
import type { LoadBalancer } from "../services/LoadBalancer.js"

export interface ProviderEntry<S> {
  /** What the user types after --provider; the first alias is the id. */
  readonly names: ReadonlyArray<string>
  /** The environment variables it reads, for --help and error messages. */
  readonly env: string
  readonly layer: () => Layer.Layer<S, ConfigError.ConfigError, HttpClient.HttpClient>
}

export const computeProviders: ReadonlyArray<ProviderEntry<Compute>> = [
  { names: ["memory"], env: "none", layer: () => Memory.layerCompute({ pollsUntilRunning: 2 }) },
  { names: ["ec2", "aws"], env: "AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws", layer: () => Ec2.layerConfig() },
  { names: ["gce", "gcp"], env: "GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_CLOUD_PROJECT, CLOUDSDK_COMPUTE_ZONE", layer: () => Gce.layerConfig() },
  { names: ["digitalocean", "do"], env: "DIGITALOCEAN_TOKEN, DIGITALOCEAN_REGION", layer: () => DigitalOcean.layerConfig() },
  { names: ["linode"], env: "LINODE_TOKEN, LINODE_REGION", layer: () => Linode.layerConfig() },
  { names: ["hetzner"], env: "HCLOUD_TOKEN, HCLOUD_LOCATION", layer: () => Hetzner.layerConfig() },
  { names: ["openstack", "nova"], env: "OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_REGION_NAME…", layer: () => Nova.layerConfig() }
]

export const loadBalancerProviders: ReadonlyArray<ProviderEntry<LoadBalancer>> = [
  { names: ["memory"], env: "none", layer: () => Memory.layerLoadBalancer() },
  { names: ["haproxy"], env: "HAPROXY_RUNTIME_SOCKET or HAPROXY_RUNTIME_ADDRESS, HAPROXY_CONFIG, HAPROXY_MASTER_SOCKET", layer: () => Haproxy.layerConfig() },
  { names: ["alb"], env: "AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws", layer: () => Alb.layerConfig() },
  { names: ["elb"], env: "AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws", layer: () => Elb.layerConfig() },
  { names: ["digitalocean", "do"], env: "DIGITALOCEAN_TOKEN, DIGITALOCEAN_REGION", layer: () => DigitalOceanLoadBalancer.layerConfig() }
]

export const dnsProviders: ReadonlyArray<ProviderEntry<Dns>> = [
  { names: ["memory"], env: "none", layer: () => Memory.layerDns() },
  { names: ["powerdns", "pdns"], env: "PDNS_API_URL, PDNS_API_KEY, PDNS_SERVER_ID", layer: () => PowerDns.layerConfig() },
  { names: ["route53", "aws"], env: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws", layer: () => Route53.layerConfig() },
  { names: ["cloudflare"], env: "CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID", layer: () => Cloudflare.layerConfig() },
  { names: ["digitalocean", "do"], env: "DIGITALOCEAN_TOKEN", layer: () => DigitalOceanDns.layerConfig() }
]

/** `--provider`, defaulting to $CLOUDFX_PROVIDER, then "memory". */
export const providerOption = <S>(entries: ReadonlyArray<ProviderEntry<S>>, what: string) =>
  Options.text("provider").pipe(
    Options.withDescription(
      `the ${what} provider (default $CLOUDFX_PROVIDER, else memory): ` +
        entries.map((e) => `${e.names.join("|")} (${e.env})`).join("; ")
    ),
    Options.optional
  )

/**
 * The layer for the chosen provider, over Node's HTTP client (streams
 * bodies, follows no redirect with a signed request).
 */
export const providerLayer = <S>(
  entries: ReadonlyArray<ProviderEntry<S>>,
  chosen: Option.Option<string>,
  operation: string
): Effect.Effect<Layer.Layer<S, ConfigError.ConfigError>, InvalidInput | ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const fromEnv = yield* Config.option(Config.string("CLOUDFX_PROVIDER"))
    const name = Option.getOrElse(Option.orElse(chosen, () => fromEnv), () => "memory").trim().toLowerCase()
    const entry = entries.find((e) => e.names.includes(name))
    if (entry === undefined) {
      return yield* new InvalidInput({
        provider: "cli",
        operation,
        field: "provider",
        reason: `unknown provider "${name}"; one of: ${entries.map((e) => e.names[0]).join(", ")}`
      })
    }
    return entry.layer().pipe(Layer.provide(NodeHttpClient.layerUndici))
  })
