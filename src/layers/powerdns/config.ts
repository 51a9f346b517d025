/**
 * What the PowerDNS client is configured with, and the environment variables
 * `layerConfig` reads (the names pdns's own tooling and the Terraform / octoDNS
 * providers use: PDNS_API_URL, PDNS_API_KEY, PDNS_SERVER_ID).
 */
import { Config, type Duration, Option, type Redacted } from "effect"
import type * as Retry from "../../http/Retry.js"

export interface PowerDnsConfig {
  /**
   * The HTTP API base: "http://host:8081/api/v1" (or ".../api", or the
   * webserver root: "/api/v1" is added when the path does not end in it).
   */
  readonly endpoint: string
  /** The `api-key` of pdns.conf, sent as `X-API-Key`. */
  readonly apiKey: Redacted.Redacted<string>
  /** The server id in `/servers/{server}`; pdns has only "localhost". */
  readonly server?: string | undefined
  /**
   * Name servers of new zones (their NS records; the first is the SOA mname).
   * "@" stands for the zone ("ns1.@" in zone example.com is ns1.example.com.).
   * Default ["ns1.@", "ns2.@"]. A zone's own `extra.nameservers` wins.
   */
  readonly nameservers?: ReadonlyArray<string> | undefined
  /** The SOA rname (mailbox) of new zones, "@" being the zone. Default "hostmaster.@". */
  readonly hostmaster?: string | undefined
  /**
   * The `soa_edit_api` of new zones: how pdns moves the SOA serial on each API
   * change. Default "DEFAULT" (pdns's own: YYYYMMDDnn, increased on every
   * change); "" leaves the serial alone.
   */
  readonly soaEditApi?: "DEFAULT" | "INCREASE" | "EPOCH" | "OFF" | "" | undefined
  /** Per-attempt timeout. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const PROVIDER = "powerdns"
export const DEFAULT_SERVER = "localhost"
export const DEFAULT_NAMESERVERS: ReadonlyArray<string> = ["ns1.@", "ns2.@"]
export const DEFAULT_HOSTMASTER = "hostmaster.@"

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

/**
 * PDNS_API_URL (the API base) and PDNS_API_KEY (redacted), PDNS_SERVER_ID
 * when set (default "localhost").
 */
export const envConfig: Config.Config.Wrap<PowerDnsConfig> = {
  endpoint: Config.nonEmptyString("PDNS_API_URL"),
  apiKey: Config.redacted(Config.nonEmptyString("PDNS_API_KEY")),
  server: optional("PDNS_SERVER_ID")
}

/** The API base ending in /api/v1, whatever part of it the user gave. */
export const apiBase = (endpoint: string): string => {
  const trimmed = endpoint.replace(/\/+$/, "")
  if (/\/api\/v1$/.test(trimmed)) return trimmed
  if (/\/api$/.test(trimmed)) return `${trimmed}/v1`
  return `${trimmed}/api/v1`
}
