/**
 * What the HAProxy provider is configured with, and the environment variables
 * `layerConfig` reads.
 */
import { Config, ConfigError, Duration, type Effect, Either, Option } from "effect"

/**
 * How to make HAProxy load the rewritten configuration:
 * - `{ masterSocket }`: the master CLI's `reload` command (HAProxy started
 *   with `-W -S <masterSocket>`); a rejected configuration is detected from
 *   the master's `show proc` failure count;
 * - an Effect, or a function (sync or returning a Promise) the caller owns:
 *   `systemctl reload haproxy`, a signal, a container restart…
 * Either way the provider then waits until a new worker answers on the
 * runtime API before it continues.
 */
export type HaproxyReload =
  | { readonly masterSocket: string }
  | Effect.Effect<unknown, unknown>
  | (() => unknown)

export interface HaproxyConfig {
  /** The runtime API (admin level) on a unix socket: `stats socket /run/haproxy/admin.sock level admin`. */
  readonly runtimeSocket?: string | undefined
  /** The runtime API on TCP (`stats socket ipv4@127.0.0.1:9999 level admin`); used when `runtimeSocket` is not set. */
  readonly runtimeAddress?: { readonly host: string; readonly port: number } | undefined
  /** The configuration file HAProxy loads; the provider owns only its managed section (see `section.ts`). */
  readonly configFile: string
  readonly reload: HaproxyReload
  /** The haproxy binary: when set, every rewritten file is checked with `haproxy -c -f` before it replaces the old one. */
  readonly haproxyBinary?: string | undefined
  /** The address frontends bind to. Default "0.0.0.0". */
  readonly bindAddress?: string | undefined
  /** Per runtime API command. Default 5 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How long a reload may take until a new worker answers. Default 30 s. */
  readonly reloadTimeout?: Duration.DurationInput | undefined
  /** How long a detached member drains its sessions before they are cut. Default 30 s. */
  readonly drainTimeout?: Duration.DurationInput | undefined
}

export const PROVIDER = "haproxy"

export interface Resolved {
  readonly target: { readonly path: string } | { readonly host: string; readonly port: number } | undefined
  readonly configFile: string
  readonly reload: HaproxyReload
  readonly haproxyBinary: string | undefined
  readonly bindAddress: string
  readonly timeout: Duration.Duration
  readonly reloadTimeout: Duration.Duration
  readonly drainTimeout: Duration.Duration
}

export const resolve = (config: HaproxyConfig): Resolved => ({
  target: config.runtimeSocket !== undefined
    ? { path: config.runtimeSocket }
    : config.runtimeAddress !== undefined
    ? { host: config.runtimeAddress.host, port: config.runtimeAddress.port }
    : undefined,
  configFile: config.configFile,
  reload: config.reload,
  haproxyBinary: config.haproxyBinary,
  bindAddress: config.bindAddress ?? "0.0.0.0",
  timeout: Duration.decode(config.timeout ?? "5 seconds"),
  reloadTimeout: Duration.decode(config.reloadTimeout ?? "30 seconds"),
  drainTimeout: Duration.decode(config.drainTimeout ?? "30 seconds")
})

const optional = (name: string): Config.Config<string | undefined> =>
  Config.option(Config.nonEmptyString(name)).pipe(Config.map(Option.getOrUndefined))

const hostPort = (name: string): Config.Config<{ readonly host: string; readonly port: number } | undefined> =>
  optional(name).pipe(
    Config.mapOrFail((value) => {
      if (value === undefined) return Either.right(undefined)
      const m = /^(.+):(\d{1,5})$/.exec(value)
      const port = m === null ? NaN : Number(m[2])
      return m === null || port < 1 || port > 65535
        ? Either.left(ConfigError.InvalidData([name], `expected host:port, got "${value}"`))
        : Either.right({ host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port })
    })
  )

/**
 * HAPROXY_RUNTIME_SOCKET or HAPROXY_RUNTIME_ADDRESS (host:port), HAPROXY_CONFIG
 * (the file), HAPROXY_MASTER_SOCKET (reload through the master CLI), and when
 * set HAPROXY_BINARY, HAPROXY_BIND_ADDRESS.
 */
export const envConfig: Config.Config.Wrap<HaproxyConfig> = {
  runtimeSocket: optional("HAPROXY_RUNTIME_SOCKET"),
  runtimeAddress: hostPort("HAPROXY_RUNTIME_ADDRESS"),
  configFile: Config.nonEmptyString("HAPROXY_CONFIG"),
  reload: Config.map(Config.nonEmptyString("HAPROXY_MASTER_SOCKET"), (masterSocket): HaproxyReload => ({ masterSocket })),
  haproxyBinary: optional("HAPROXY_BINARY"),
  bindAddress: optional("HAPROXY_BIND_ADDRESS")
}
