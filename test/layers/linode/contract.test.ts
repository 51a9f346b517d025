import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { Linode } from "../../../src/layers/linode/index.js"
import { computeContract } from "../../contract/Compute.js"
import * as Fake from "./fake.js"

const token = "linode-contract-token"

const linode = Layer.unwrapScoped(
  Effect.map(Fake.start({ token }), (origin) => Linode.layer({ token: Redacted.make(token), endpoint: `${origin}/v4` }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

computeContract("linode (fake API v4)", linode, {
  schedule: Schedule.spaced("2 millis"),
  timeout: "10 seconds",
  // Linode volumes are 10 GB at least.
  volumeSizeGb: 10
})
