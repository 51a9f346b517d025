/**
 * The LoadBalancer contract against the fake ELBv2 Query server
 * (fakeServer.ts), through the real HTTP client: signing, form bodies, XML,
 * errors, polling. ALB ip targets must be private addresses, hence the
 * member addresses.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Schedule } from "effect"
import * as Alb from "../../../../src/layers/aws/alb/Alb.js"
import { loadBalancerContract } from "../../../contract/LoadBalancer.js"
import { startFakeAlb } from "./fakeServer.js"
import { credentials } from "./support.js"

const alb = Layer.unwrapScoped(
  Effect.map(startFakeAlb(), (fake) =>
    Alb.layer({
      region: fake.region,
      endpoint: fake.url,
      credentials,
      subnets: ["subnet-8360a9e7", "subnet-b7d581c0"],
      pageSize: 2,
      retry: { base: "5 millis", cap: "20 millis" }
    }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

loadBalancerContract("aws-alb (fake ELBv2 Query server)", alb, {
  schedule: Schedule.spaced("5 millis"),
  timeout: "10 seconds",
  memberIps: ["10.0.1.10", "10.0.1.11", "10.0.1.12"],
  privateIp: "10.0.2.7",
  missingId: (resource) =>
    resource === "balancer"
      ? `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/missing/${Math.random().toString(16).slice(2, 18).padEnd(16, "0")}`
      : "10.0.9.9:80"
})
