/**
 * The Dns contract against the fake Route 53 REST server (fakeServer.ts),
 * through the real HTTP client: signing, XML both ways, change batches,
 * pagination by name/type, errors. Small pages so every listing spans pages.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as Route53 from "../../../../src/layers/aws/route53/Route53.js"
import { dnsContract } from "../../../contract/Dns.js"
import { startFakeRoute53 } from "./fakeServer.js"
import { credentials } from "./support.js"

const route53 = Layer.unwrapScoped(
  Effect.map(startFakeRoute53(), (fake) =>
    Route53.layer({ endpoint: fake.url, credentials, pageSize: 4, retry: { base: "5 millis", cap: "20 millis" } }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const letters = () => Array.from({ length: 13 }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[Math.floor(Math.random() * 36)]).join("")

dnsContract("aws-route53 (fake Route 53 REST server)", route53, {
  missingId: (resource) => (resource === "zone" ? `Z${letters()}` : `A:nothing-${letters().toLowerCase()}::192.0.2.77`)
})
