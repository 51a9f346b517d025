import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { DigitalOcean } from "../../../src/layers/digitalocean/index.js"
import { computeContract } from "../../contract/Compute.js"
import * as Fake from "./fake.js"

const token = "dop_v1_contract-token"

const digitalOcean = Layer.unwrapScoped(
  Effect.map(Fake.start({ token }), (origin) => DigitalOcean.layer({ token: Redacted.make(token), endpoint: `${origin}/v2` }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

computeContract("digitalocean (fake API v2)", digitalOcean, {
  schedule: Schedule.spaced("2 millis"),
  timeout: "10 seconds"
})
