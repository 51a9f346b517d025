/**
 * DigitalOcean load balancers and droplets onto the portable Balancer and
 * Member models.
 */
import type { Algorithm, BalancerState } from "../../../schemas/Models.js"
import { Balancer, Member } from "../../../schemas/Models.js"
import type * as ComputeWire from "../compute/wire.js"
import type * as Wire from "./wire.js"

/** models/load_balancer_base.yml `status`: new, active, errored. */
export const balancerState = (status: string): BalancerState => {
  switch (status) {
    case "new":
      return "pending"
    case "active":
      return "running"
    case "errored":
      return "error"
    default:
      return "unknown"
  }
}

export const algorithmOf = (algorithm: string | null | undefined): Algorithm | undefined =>
  algorithm === "round_robin" ? "roundRobin" : algorithm === "least_connections" ? "leastConnections" : undefined

const defined = <K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> =>
  value === undefined || value === null ? {} : ({ [key]: value } as Record<K, V>)

export const forwardingRule = (r: Wire.ForwardingRule) => ({
  entryProtocol: r.entry_protocol,
  entryPort: r.entry_port,
  targetProtocol: r.target_protocol,
  targetPort: r.target_port,
  ...defined("certificateId", r.certificate_id === "" ? undefined : r.certificate_id),
  ...defined("tlsPassthrough", r.tls_passthrough)
})

export const healthCheck = (h: Wire.HealthCheck) => ({
  ...defined("protocol", h.protocol),
  ...defined("port", h.port),
  ...defined("path", h.path),
  ...defined("checkIntervalSeconds", h.check_interval_seconds),
  ...defined("responseTimeoutSeconds", h.response_timeout_seconds),
  ...defined("unhealthyThreshold", h.unhealthy_threshold),
  ...defined("healthyThreshold", h.healthy_threshold)
})

export const stickySessions = (s: Wire.StickySessions) => ({
  ...defined("type", s.type),
  ...defined("cookieName", s.cookie_name),
  ...defined("cookieTtlSeconds", s.cookie_ttl_seconds)
})

/** The first forwarding rule is the balancer's port and protocol; the others are in `extra`. */
export const balancer = (lb: Wire.LoadBalancer): Balancer => {
  const rule = lb.forwarding_rules[0]!
  const algorithm = algorithmOf(lb.algorithm)
  return new Balancer({
    id: lb.id,
    name: lb.name,
    state: balancerState(lb.status),
    ...(lb.ip === undefined || lb.ip === null || lb.ip === "" ? {} : { ip: lb.ip }),
    port: rule.entry_port,
    protocol: rule.entry_protocol,
    ...(algorithm === undefined ? {} : { algorithm }),
    extra: {
      status: lb.status,
      targetPort: rule.target_port,
      targetProtocol: rule.target_protocol,
      forwardingRules: lb.forwarding_rules.map(forwardingRule),
      dropletIds: (lb.droplet_ids ?? []).map(String),
      ...defined("region", lb.region?.slug),
      ...defined("createdAt", lb.created_at === undefined ? undefined : new Date(lb.created_at)),
      ...defined("ipv6", lb.ipv6 === "" ? undefined : lb.ipv6),
      ...defined("sizeUnit", lb.size_unit),
      ...defined("size", lb.size),
      ...defined("tag", lb.tag === "" ? undefined : lb.tag),
      ...defined("healthCheck", lb.health_check === undefined || lb.health_check === null ? undefined : healthCheck(lb.health_check)),
      ...defined(
        "stickySessions",
        lb.sticky_sessions === undefined || lb.sticky_sessions === null ? undefined : stickySessions(lb.sticky_sessions)
      ),
      ...defined("redirectHttpToHttps", lb.redirect_http_to_https),
      ...defined("enableProxyProtocol", lb.enable_proxy_protocol),
      ...defined("enableBackendKeepalive", lb.enable_backend_keepalive),
      ...defined("vpcUuid", lb.vpc_uuid),
      ...defined("projectId", lb.project_id)
    }
  })
}

export const ipv4Of = (d: ComputeWire.Droplet, kind: "public" | "private"): string | undefined =>
  (d.networks.v4 ?? []).find((n) => n.type === kind)?.ip_address

/**
 * A droplet behind a balancer. Its address is the public IPv4 (the private
 * one when it has none); the port is the balancer's target port, the same for
 * every droplet. `nodeId` is the droplet, or the node the caller attached
 * (another provider's node found by its address). A droplet id DigitalOcean still lists on the balancer but
 * that no longer exists has no address ("").
 */
export const member = (
  balancerId: string,
  dropletId: number,
  droplet: ComputeWire.Droplet | undefined,
  port: number,
  nodeId: string = String(dropletId)
): Member => {
  const publicIp = droplet === undefined ? undefined : ipv4Of(droplet, "public")
  const privateIp = droplet === undefined ? undefined : ipv4Of(droplet, "private")
  return new Member({
    id: String(dropletId),
    ip: publicIp ?? privateIp ?? "",
    port,
    balancerId,
    state: "unknown",
    nodeId,
    extra: {
      ...defined("dropletName", droplet?.name),
      ...defined("publicIp", publicIp),
      ...defined("privateIp", privateIp),
      ...(droplet === undefined ? { dropletMissing: true } : {})
    }
  })
}
