/**
 * The LoadBalancer contract against a real HAProxy 2.6 (its own instance for
 * this file): balancers on free high ports bound to 127.0.0.1, members at
 * documentation addresses (HAProxy connects to a member only when traffic
 * comes, and these balancers get none). Reloads through the master CLI.
 */
import { describe } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { Haproxy } from "../../../src/layers/haproxy/index.js"
import { LocalHaproxy, skipPeers } from "../../support/peers/index.js"
import { loadBalancerContract } from "../../contract/LoadBalancer.js"

const lbLayer = Layer.unwrapEffect(
  Effect.map(LocalHaproxy, (peer) =>
    Haproxy.layer({
      runtimeSocket: peer.runtimeSocket,
      configFile: peer.configPath,
      reload: { masterSocket: peer.masterSocket },
      bindAddress: "127.0.0.1",
      drainTimeout: "2 seconds"
    }))
).pipe(Layer.provide(LocalHaproxy.layer({ configServers: 0 })))

// Below the kernel's ephemeral range (32768+), so no other test's client socket holds one.
let next = 20000 + Math.floor(Math.random() * 5000)
const port = () => next++

describe.skipIf(skipPeers("haproxy"))("haproxy", () => {
  loadBalancerContract("haproxy (real HAProxy 2.6)", lbLayer, {
    port,
    schedule: Schedule.spaced("200 millis"),
    timeout: "30 seconds"
  })
})
