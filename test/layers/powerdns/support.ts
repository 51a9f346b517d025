/** PowerDNS layers over the real local pdns (test/support/peers/powerdns.ts). */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { PowerDns } from "../../../src/layers/powerdns/index.js"
import type { PowerDnsPeer } from "../../support/peers/index.js"

export const configFor = (peer: PowerDnsPeer, overrides: Partial<PowerDns.PowerDnsConfig> = {}): PowerDns.PowerDnsConfig => ({
  endpoint: peer.apiUrl,
  apiKey: Redacted.make(peer.apiKey),
  server: peer.serverId,
  ...overrides
})

/** Dns + PowerDns over the peer (needs an HttpClient in the context). */
export const servicesFor = (peer: PowerDnsPeer, overrides: Partial<PowerDns.PowerDnsConfig> = {}) =>
  PowerDns.makeServices(configFor(peer, overrides))

export const layerFor = <E, R>(
  peer: Layer.Layer<R, E>,
  get: Effect.Effect<PowerDnsPeer, never, R>,
  overrides: Partial<PowerDns.PowerDnsConfig> = {}
) =>
  Layer.unwrapEffect(Effect.map(get, (p) => PowerDns.layer(configFor(p, overrides)))).pipe(
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provide(peer)
  )
