/**
 * The LoadBalancer contract against the fake Classic ELB + EC2 Query server
 * (fakeServer.ts), through the real HTTP client: signing for both services,
 * form bodies, XML, errors, pagination. Classic members are instances sent
 * traffic on the listener's one instance port, hence `memberPort`; the
 * fake account holds one instance per contract address.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Schedule } from "effect"
import * as Elb from "../../../../src/layers/aws/elb/Elb.js"
import { loadBalancerContract } from "../../../contract/LoadBalancer.js"
import { credentials } from "../alb/support.js"
import { startFakeElb } from "./fakeServer.js"

/** The instance port the contract's balancers are created with (their members' port). */
const instancePort = 8080

const elb = Layer.unwrapScoped(
  Effect.map(startFakeElb(), (fake) =>
    Elb.layer({
      region: fake.region,
      endpoint: fake.url,
      ec2Endpoint: fake.url,
      credentials,
      subnets: ["subnet-8360a9e7", "subnet-b7d581c0"],
      pageSize: 2,
      retry: { base: "5 millis", cap: "20 millis" }
    }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

loadBalancerContract("Classic ELB (fake API)", elb, {
  schedule: Schedule.spaced("5 millis"),
  timeout: "10 seconds",
  memberPort: instancePort,
  missingId: (resource) => resource === "balancer" ? `missing-${Math.random().toString(16).slice(2, 12)}` : "i-0fffffffffffffff0"
})
