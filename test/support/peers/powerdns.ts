/** PowerDNS Authoritative 4.7 (Debian) with the gsqlite3 backend: HTTP API v1 and DNS (UDP+TCP) on loopback.
 * API names must be canonical (trailing dot). Caches are off, so DNS answers follow API changes at once. */
import { Context, Effect, Layer, type Scope } from "effect"
import { freePorts, httpProbe, type PeerUnavailable, startPeer, withFreshPorts } from "./runtime.js"

export interface PowerDnsPeer {
  /** http://127.0.0.1:PORT/api/v1 */
  readonly apiUrl: string
  /** "localhost", the only server id. */
  readonly serverId: string
  /** `${apiUrl}/servers/localhost` */
  readonly serverUrl: string
  /** The X-API-Key header value. */
  readonly apiKey: string
  readonly apiPort: number
  readonly dnsHost: string
  /** DNS over UDP and TCP, e.g. `dig @127.0.0.1 -p dnsPort` or node:dns Resolver.setServers([`127.0.0.1:${dnsPort}`]). */
  readonly dnsPort: number
  readonly pid: number
}

export interface PowerDnsOptions {
  readonly apiKey?: string
}

export const startPowerDns = (options: PowerDnsOptions = {}): Effect.Effect<PowerDnsPeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [dnsPort, apiPort] = yield* freePorts(2, { udp: 1 })
    const apiKey = options.apiKey ?? "cloudfx-test-key"
    const apiUrl = `http://127.0.0.1:${apiPort}/api/v1`
    const proc = yield* startPeer({
      name: "pdns",
      script: "pdns/start.sh",
      env: { DNS_PORT: String(dnsPort), API_PORT: String(apiPort), API_KEY: apiKey },
      binaries: ["pdns_server", "sqlite3"],
      files: [],
      ready: httpProbe(`${apiUrl}/servers/localhost`, { headers: { "X-API-Key": apiKey } }),
      readyTimeoutMs: 20_000
    })
    return {
      apiUrl,
      serverId: "localhost",
      serverUrl: `${apiUrl}/servers/localhost`,
      apiKey,
      apiPort: apiPort!,
      dnsHost: "127.0.0.1",
      dnsPort: dnsPort!,
      pid: proc.pid
    }
  }))

export class LocalPowerDns extends Context.Tag("cloudfx/test/peers/LocalPowerDns")<LocalPowerDns, PowerDnsPeer>() {
  static readonly layer = (options: PowerDnsOptions = {}) => Layer.scoped(LocalPowerDns, startPowerDns(options))
}
