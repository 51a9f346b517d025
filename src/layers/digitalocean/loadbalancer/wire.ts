/**
 * DigitalOcean load balancer bodies, as the API reference documents them
 * (https://docs.digitalocean.com/reference/api/api-reference/#tag/Load-Balancers,
 * source github.com/digitalocean/openapi specification/resources/load_balancers/).
 * Only what the mapping reads is declared; other fields are ignored.
 */
import { Schema } from "effect"
import { pageFields } from "../client.js"

// models/forwarding_rule.yml
export const ForwardingRule = Schema.Struct({
  entry_protocol: Schema.String,
  entry_port: Schema.Number,
  target_protocol: Schema.String,
  target_port: Schema.Number,
  certificate_id: Schema.optional(Schema.NullOr(Schema.String)),
  tls_passthrough: Schema.optional(Schema.NullOr(Schema.Boolean))
})
export type ForwardingRule = typeof ForwardingRule.Type

// models/health_check.yml
export const HealthCheck = Schema.Struct({
  protocol: Schema.optional(Schema.String),
  port: Schema.optional(Schema.Number),
  path: Schema.optional(Schema.NullOr(Schema.String)),
  check_interval_seconds: Schema.optional(Schema.Number),
  response_timeout_seconds: Schema.optional(Schema.Number),
  unhealthy_threshold: Schema.optional(Schema.Number),
  healthy_threshold: Schema.optional(Schema.Number)
})
export type HealthCheck = typeof HealthCheck.Type

// models/sticky_sessions.yml
export const StickySessions = Schema.Struct({
  type: Schema.optional(Schema.String),
  cookie_name: Schema.optional(Schema.NullOr(Schema.String)),
  cookie_ttl_seconds: Schema.optional(Schema.NullOr(Schema.Number))
})
export type StickySessions = typeof StickySessions.Type

// models/load_balancer_base.yml + load_balancer.yml (the response carries the whole region object)
export const LoadBalancer = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  ip: Schema.optional(Schema.NullOr(Schema.String)),
  ipv6: Schema.optional(Schema.NullOr(Schema.String)),
  size_unit: Schema.optional(Schema.NullOr(Schema.Number)),
  size: Schema.optional(Schema.NullOr(Schema.String)),
  algorithm: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.String,
  created_at: Schema.optional(Schema.String),
  forwarding_rules: Schema.NonEmptyArray(ForwardingRule),
  health_check: Schema.optional(Schema.NullOr(HealthCheck)),
  sticky_sessions: Schema.optional(Schema.NullOr(StickySessions)),
  region: Schema.optional(Schema.NullOr(Schema.Struct({ slug: Schema.String }))),
  tag: Schema.optional(Schema.NullOr(Schema.String)),
  droplet_ids: Schema.optional(Schema.NullOr(Schema.Array(Schema.Number))),
  redirect_http_to_https: Schema.optional(Schema.NullOr(Schema.Boolean)),
  enable_proxy_protocol: Schema.optional(Schema.NullOr(Schema.Boolean)),
  enable_backend_keepalive: Schema.optional(Schema.NullOr(Schema.Boolean)),
  vpc_uuid: Schema.optional(Schema.NullOr(Schema.String)),
  project_id: Schema.optional(Schema.NullOr(Schema.String))
})
export type LoadBalancer = typeof LoadBalancer.Type

export const LoadBalancersPage = Schema.Struct({ load_balancers: Schema.Array(LoadBalancer), ...pageFields })
export const LoadBalancerBody = Schema.Struct({ load_balancer: LoadBalancer })
