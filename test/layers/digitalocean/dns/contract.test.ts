import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import * as DigitalOceanDns from "../../../../src/layers/digitalocean/dns/DigitalOceanDns.js"
import { dnsContract } from "../../../contract/Dns.js"
import * as Fake from "./fake.js"

const token = "dop_v1_dns-contract-token"

const digitalOceanDns = Layer.unwrapScoped(
  Effect.map(Fake.start({ token }), (origin) => DigitalOceanDns.layer({ token: Redacted.make(token), endpoint: `${origin}/v2` }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

dnsContract("digitalocean (fake API v2)", digitalOceanDns, { listingSize: 7 })
