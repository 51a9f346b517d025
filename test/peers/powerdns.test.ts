import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Resolver } from "node:dns/promises"
import { LocalPowerDns, skipPeers } from "../support/peers/index.js"

describe.skipIf(skipPeers("pdns"))("peer: powerdns", () => {
  layer(LocalPowerDns.layer(), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("creates a zone through the API and answers DNS queries for it", () =>
      Effect.gen(function*() {
        const pdns = yield* LocalPowerDns
        const api = (method: string, path: string, body?: unknown) =>
          Effect.promise(async () => {
            const res = await fetch(`${pdns.serverUrl}${path}`, {
              method,
              headers: { "X-API-Key": pdns.apiKey, "content-type": "application/json" },
              ...(body === undefined ? {} : { body: JSON.stringify(body) })
            })
            return { status: res.status, text: await res.text() }
          })
        const zone = `smoke${Date.now()}.example.`
        expect((yield* api("POST", "/zones", { name: zone, kind: "Native", nameservers: [`ns1.${zone}`] })).status).toBe(201)
        expect((yield* api("PATCH", `/zones/${zone}`, {
          rrsets: [
            { name: `www.${zone}`, type: "A", ttl: 300, changetype: "REPLACE", records: [{ content: "192.0.2.10", disabled: false }, { content: "192.0.2.11", disabled: false }] },
            { name: zone, type: "TXT", ttl: 60, changetype: "REPLACE", records: [{ content: '"hello dns"', disabled: false }] }
          ]
        })).status).toBe(204)
        const resolver = new Resolver({ timeout: 2000, tries: 2 })
        resolver.setServers([`${pdns.dnsHost}:${pdns.dnsPort}`])
        const a = yield* Effect.promise(() => resolver.resolve4(`www.${zone.slice(0, -1)}`))
        expect([...a].sort()).toEqual(["192.0.2.10", "192.0.2.11"])
        const txt = yield* Effect.promise(() => resolver.resolveTxt(zone.slice(0, -1)))
        expect(txt).toEqual([["hello dns"]])
        expect((yield* Effect.promise(() => fetch(`${pdns.serverUrl}/zones`, { headers: { "X-API-Key": "wrong" } }))).status).toBe(401)
        expect((yield* api("DELETE", `/zones/${zone}`)).status).toBe(204)
      }))
  })
})
