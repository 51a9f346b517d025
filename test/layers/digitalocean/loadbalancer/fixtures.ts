/**
 * DigitalOcean load balancer bodies exactly as the reference documents them,
 * parameterised only by ids, names, statuses, rules and droplet ids. Shared by
 * the replay tests and the fake so the two cannot drift apart.
 *
 * Source: https://docs.digitalocean.com/reference/api/api-reference/#tag/Load-Balancers,
 * generated from github.com/digitalocean/openapi
 * (specification/resources/load_balancers/responses/examples.yml).
 */
import * as F from "../fixtures.js"

export interface Rule {
  readonly entry_protocol: string
  readonly entry_port: number
  readonly target_protocol: string
  readonly target_port: number
  readonly certificate_id?: string
  readonly tls_passthrough?: boolean
}

// load_balancer_basic_response.forwarding_rules[0]
export const httpRule = (entryPort = 80, targetPort = 80): Rule => ({
  entry_protocol: "http",
  entry_port: entryPort,
  target_protocol: "http",
  target_port: targetPort,
  certificate_id: "",
  tls_passthrough: false
})

export interface BalancerOptions {
  readonly id?: string
  readonly name?: string
  readonly status?: string
  readonly ip?: string
  readonly rules?: ReadonlyArray<Rule>
  readonly dropletIds?: ReadonlyArray<number>
  readonly tag?: string
  readonly region?: string
  readonly stickySessions?: Record<string, unknown>
  readonly healthCheck?: Record<string, unknown>
  readonly algorithm?: string
}

// load_balancer_basic_response.load_balancer (region object as there, via the compute fixtures' region())
export const balancer = (o: BalancerOptions = {}) => ({
  id: o.id ?? "4de7ac8b-495b-4884-9a69-1050c6793cd6",
  name: o.name ?? "example-lb-01",
  ip: o.ip ?? "104.131.186.241",
  algorithm: o.algorithm ?? "round_robin",
  status: o.status ?? "new",
  created_at: "2017-02-01T22:22:58Z",
  forwarding_rules: o.rules ?? [httpRule()],
  health_check: o.healthCheck ?? {
    protocol: "http",
    port: 80,
    path: "/",
    check_interval_seconds: 10,
    response_timeout_seconds: 5,
    healthy_threshold: 5,
    unhealthy_threshold: 3
  },
  sticky_sessions: o.stickySessions ?? { type: "none" },
  region: F.region(o.region ?? "nyc3"),
  tag: o.tag ?? "",
  droplet_ids: o.dropletIds ?? [3164444, 3164445],
  redirect_http_to_https: false,
  enable_proxy_protocol: false,
  enable_backend_keepalive: false,
  vpc_uuid: "c33931f2-a26a-4e61-b85c-4e95a2ec431b"
})
