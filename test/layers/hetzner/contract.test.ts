import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { Hetzner } from "../../../src/layers/hetzner/index.js"
import { computeContract } from "../../contract/Compute.js"
import * as Fake from "./fake.js"

const token = "hcloud-contract-token"

const hetzner = Layer.unwrapScoped(
  Effect.map(Fake.start({ token }), (origin) => Hetzner.layer({ token: Redacted.make(token), endpoint: `${origin}/v1` }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

computeContract("hetzner (fake API v1)", hetzner, {
  schedule: Schedule.spaced("2 millis"),
  timeout: "10 seconds",
  // Hetzner volumes are 10 GB at least.
  volumeSizeGb: 10
})
