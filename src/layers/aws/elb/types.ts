/** The Classic-ELB-only service's types (the `Elb.Elb` tag). */
import type { Effect } from "effect"
import type { InvalidInput, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import type { Ref } from "../../../services/Refs.js"

/** ConfigureHealthCheck's settings (all required by the API). */
export interface HealthCheckSpec {
  /** "HTTP:80/health", "TCP:5000", "SSL:443", "HTTPS:443/ping". */
  readonly target: string
  readonly intervalSeconds: number
  readonly timeoutSeconds: number
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
}

export interface InstanceHealth {
  readonly instanceId: string
  /** "InService", "OutOfService" or "Unknown". */
  readonly state: string
  readonly reasonCode: string | undefined
  readonly description: string | undefined
}

export interface ElbService {
  readonly configureHealthCheck: (balancer: Ref, check: HealthCheckSpec) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** DescribeInstanceHealth, as AWS says it. */
  readonly instanceHealth: (balancer: Ref) => Effect.Effect<ReadonlyArray<InstanceHealth>, NotFound | InvalidInput | ProviderFailure>
}
