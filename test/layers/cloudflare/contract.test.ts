import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { Cloudflare } from "../../../src/layers/cloudflare/index.js"
import { exportZoneToBind, importBindZoneInto } from "../../../src/services/Bind.js"
import { Dns } from "../../../src/services/Dns.js"
import { dnsContract } from "../../contract/Dns.js"
import * as Fake from "./fake.js"

const token = "cf-contract-token"
const accountId = "01a7362d577a6c3019a474fd6f485823"

const cloudflare = Layer.unwrapScoped(
  Effect.map(Fake.start({ token, accountId }), (origin) =>
    Cloudflare.layer({ apiToken: Redacted.make(token), accountId, endpoint: `${origin}/client/v4`, pageSize: 10 }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

dnsContract("cloudflare (fake API v4)", cloudflare, { listingSize: 25 })

describe("Cloudflare: BIND through the Dns interface", () => {
  layer(cloudflare, { excludeTestServices: true })((it) => {
    it.scoped("importBindZoneInto then exportZoneToBind gives back every record, SRV and CAA included", () =>
      Effect.gen(function*() {
        const dns = yield* Dns
        const text = [
          "$ORIGIN bind.cloudfx-cf.example.",
          "$TTL 3600",
          "@\t300\tIN\tA\t192.0.2.10",
          "www\t300\tIN\tCNAME\tbind.cloudfx-cf.example.",
          "@\t3600\tIN\tMX\t10\tmail.example.net.",
          "_sip._tcp\t600\tIN\tSRV\t5\t20\t5060\tsip.example.net.",
          "@\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"",
          "@\t3600\tIN\tTXT\t\"v=spf1 -all\"",
          "v6\t3600\tIN\tAAAA\t2001:db8::1"
        ].join("\n")
        const { records, zone } = yield* Effect.acquireRelease(importBindZoneInto(dns, text), ({ zone }) => Effect.ignore(dns.deleteZone(zone)))
        expect(zone.domain).toBe("bind.cloudfx-cf.example")
        expect(records.length).toBe(7)
        const listed = yield* Stream.runCollect(dns.listRecords(zone))
        const exported = exportZoneToBind({ domain: zone.domain, ttl: 3600 }, listed)
        expect(exported.split("\n").slice(3).sort()).toEqual([
          "_sip._tcp.bind.cloudfx-cf.example.\t600\tIN\tSRV\t5\t20 5060 sip.example.net.",
          "bind.cloudfx-cf.example.\t300\tIN\tA\t192.0.2.10",
          "bind.cloudfx-cf.example.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"",
          "bind.cloudfx-cf.example.\t3600\tIN\tMX\t10\tmail.example.net.",
          "bind.cloudfx-cf.example.\t3600\tIN\tTXT\t\"v=spf1 -all\"",
          "v6.bind.cloudfx-cf.example.\t3600\tIN\tAAAA\t2001:db8::1",
          "www.bind.cloudfx-cf.example.\t300\tIN\tCNAME\tbind.cloudfx-cf.example."
        ])
      }))
  })
})
