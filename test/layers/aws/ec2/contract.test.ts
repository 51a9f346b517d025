/**
 * The Compute contract against the fake EC2 Query server (fakeServer.ts),
 * through the real HTTP client: signing, form bodies, XML, errors, polling.
 * EC2 treats starting a running node and stopping a stopped one as no-ops,
 * hence `strictStateRules: false`.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Schedule } from "effect"
import * as Ec2 from "../../../../src/layers/aws/ec2/Ec2.js"
import { computeContract } from "../../../contract/Compute.js"
import { startFakeEc2 } from "./fakeServer.js"
import { credentials } from "./support.js"

const hex17 = () => `0${Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join("")}`
const prefixes = { node: "i", volume: "vol", snapshot: "snap" } as const

const ec2 = Layer.unwrapScoped(
  Effect.map(startFakeEc2({ pollsUntilRunning: 2 }), (fake) =>
    Ec2.layer({ region: fake.region, endpoint: fake.url, credentials, pageSize: 5, retry: { base: "5 millis", cap: "20 millis" } }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

computeContract("aws-ec2 (fake EC2 Query server)", ec2, {
  schedule: Schedule.spaced("5 millis"),
  timeout: "10 seconds",
  strictStateRules: false,
  missingId: (resource) => `${prefixes[resource]}-${hex17()}`
})
