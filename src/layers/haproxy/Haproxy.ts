/**
 * HAProxy as a self-hosted load balancer (`cloudfx/haproxy`, provider id
 * "haproxy"). Needs HAProxy 2.6 or later (what Debian 12 ships): dynamic
 * servers (`add server` / `del server`) arrived in 2.4 and became usable in
 * 2.6.
 *
 * ```ts
 * import { Haproxy } from "cloudfx/haproxy"
 *
 * Haproxy.layer({
 *   runtimeSocket: "/run/haproxy/admin.sock",      // or runtimeAddress: { host, port }
 *   configFile: "/etc/haproxy/haproxy.cfg",
 *   reload: { masterSocket: "/run/haproxy/master.sock" }, // or an Effect / function of yours
 *   haproxyBinary: "/usr/sbin/haproxy"              // optional: `haproxy -c` before each rewrite
 * })
 * // HAPROXY_RUNTIME_SOCKET | HAPROXY_RUNTIME_ADDRESS, HAPROXY_CONFIG, HAPROXY_MASTER_SOCKET,
 * // HAPROXY_BINARY, HAPROXY_BIND_ADDRESS
 * Haproxy.layerConfig()
 * ```
 *
 * The layer provides `LoadBalancer` and `Haproxy.Haproxy` (member weights,
 * enable/disable, reload). It requires nothing: the runtime API is a unix or
 * TCP socket (node:net), not HTTP, and the file work (read, temporary file +
 * rename, `haproxy -c`) is node:fs and node:child_process — HAProxy runs next
 * to a Node process anyway, so an Effect `FileSystem` would add a requirement
 * without making anything portable. Behaviour worth knowing:
 * - What HAProxy needs: `master-worker` mode (`-W`, and `-S <master socket>`
 *   for the master-CLI reload), a `stats socket … level admin` (add
 *   `expose-fd listeners` for reloads that never refuse a connection), and a
 *   configuration file the process may rewrite (its directory writable: the
 *   new file is written beside it and renamed over it).
 * - A balancer is a `frontend` + `backend` pair, both named by the balancer id
 *   ("lb-" and 12 hex digits), in a managed section between two marker lines
 *   appended to the file; the rest of the file is never touched. The section
 *   inherits the last `defaults` section (timeouts, logging). Each balancer
 *   and member is recorded on a `# cloudfx-…` JSON comment line the section
 *   is rendered from; a section edited by hand is refused (MalformedResponse)
 *   rather than overwritten.
 * - Protocols "http" and "tcp" (`mode`); "https" is Unsupported (no
 *   certificates). Algorithms: roundRobin and weightedRoundRobin (`balance
 *   roundrobin`, weighted anyway), leastConnections and
 *   weightedLeastConnections (`leastconn`), random, sourceIp (`source` with
 *   `hash-type consistent`: the static map would refuse `add server`).
 *   Frontends bind `bindAddress` (default 0.0.0.0); names and front ports
 *   are unique among managed balancers (AlreadyExists / Conflict).
 * - create, update (port, protocol, algorithm, name) and destroy rewrite the
 *   section and reload gracefully: old workers finish their connections.
 *   Before the rewrite the members HAProxy runs are read back (`show servers
 *   state`), so the new file holds the live members; after the reload any
 *   member missing is added again, so none is lost. A reload that fails
 *   (the master's `show proc` failure count, or no new worker answering
 *   within `reloadTimeout`) puts the previous file back: ProviderError
 *   "ReloadFailed" / "ReloadTimeout". A port in use elsewhere shows up so.
 * - Members are servers ("m-" and 10 hex digits) changed at run time without
 *   a reload: `add server` + `enable server` (they are persisted in the file
 *   at once, since HAProxy 2.6 forgets dynamic servers on reload);
 *   detachMember sets the server to drain, waits up to `drainTimeout` for its
 *   sessions to end, then maintenance, `shutdown sessions`, `del server`.
 *   Members have no health checks: a member is "up" unless disabled
 *   ("down") or at weight 0 / draining ("draining"). Weights are 0–256.
 * - Balancer state comes from the frontend's `show stat` status: OPEN/FULL →
 *   running, not loaded → pending, anything else → unknown.
 * - Runtime answers are parsed strictly (unexpected text → MalformedResponse);
 *   "No such backend" / "No such server" → NotFound, a server name taken →
 *   AlreadyExists, a socket below `level admin` → PermissionDenied.
 * - One writer: operations of one service value are serialised; two
 *   processes changing the same file are detected (ProviderError
 *   "ConcurrentChange") but not arbitrated. A drain in progress and runtime
 *   changes made outside cloudfx other than server add/delete/weight/
 *   maintenance are not persisted.
 */
import { Config, type ConfigError, Context, Effect, Layer } from "effect"
import { LoadBalancer } from "../../services/LoadBalancer.js"
import { envConfig, type HaproxyConfig } from "./config.js"
import * as Service from "./loadBalancer.js"

export type { HaproxyConfig, HaproxyReload } from "./config.js"
export type { HaproxyService } from "./loadBalancer.js"
export { haproxyAlgorithms, haproxyProtocols } from "./loadBalancer.js"

/** The HAProxy-only operations, provided by the same layer as `LoadBalancer`. */
export class Haproxy extends Context.Tag("cloudfx/haproxy/Haproxy")<Haproxy, Service.HaproxyService>() {}

/** Both services over one HAProxy (they share the lock that serialises changes). */
export const makeServices = (
  config: HaproxyConfig
): Effect.Effect<{ readonly loadBalancer: LoadBalancer.Service; readonly haproxy: Service.HaproxyService }> =>
  Service.make(config)

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: HaproxyConfig): Effect.Effect<LoadBalancer.Service> =>
  Effect.map(makeServices(config), (s) => s.loadBalancer)

export const layer = (config: HaproxyConfig): Layer.Layer<LoadBalancer | Haproxy> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ haproxy, loadBalancer }) =>
      Context.make(LoadBalancer, loadBalancer).pipe(Context.add(Haproxy, haproxy)))
  )

/** Reads the HAPROXY_* variables listed above, unless given a config. */
export const layerConfig = (
  config: Config.Config.Wrap<HaproxyConfig> = envConfig
): Layer.Layer<LoadBalancer | Haproxy, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
