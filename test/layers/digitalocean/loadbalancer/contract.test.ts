/**
 * The LoadBalancer contract on the fake DigitalOcean API. Members are
 * droplets sent traffic on the balancer's one target port (`memberPort`),
 * found by their addresses: the fake account holds one droplet per contract
 * address.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Schedule } from "effect"
import * as DigitalOceanLoadBalancer from "../../../../src/layers/digitalocean/loadbalancer/DigitalOceanLoadBalancer.js"
import { loadBalancerContract } from "../../../contract/LoadBalancer.js"
import * as Fake from "./fake.js"

const token = "dop_v1_lb-contract-token"
const droplets = [
  [4164444, "192.0.2.10", "10.99.0.10"],
  [4164445, "192.0.2.11", "10.99.0.11"],
  [4164446, "192.0.2.12", "10.99.0.12"],
  [4164447, "192.0.2.13", "10.99.0.7"]
] as const

const live = Layer.unwrapScoped(
  Effect.map(Fake.start({ token, droplets }), (origin) =>
    DigitalOceanLoadBalancer.layer({ token: Redacted.make(token), endpoint: `${origin}/v2`, region: "nyc3" }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

loadBalancerContract("DigitalOcean (fake API)", live, {
  memberPort: 8080,
  uniqueNames: false,
  missingId: (resource) => (resource === "balancer" ? "4de7ac8b-495b-4884-9a69-1050c6793cd6" : "999999999"),
  schedule: Schedule.spaced("2 millis"),
  timeout: "10 seconds"
})
