/** The ALB-only service's types (the `Alb.Alb` tag). */
import type { Effect } from "effect"
import type { InvalidInput, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import type { Ref } from "../../../services/Refs.js"

export interface ListenerInfo {
  readonly arn: string
  readonly port: number
  readonly protocol: string
  /** Where its default actions forward. */
  readonly targetGroupArns: ReadonlyArray<string>
}

export interface TargetGroupInfo {
  readonly arn: string
  readonly name: string
  readonly protocol: string | undefined
  readonly port: number | undefined
  readonly vpcId: string | undefined
  readonly targetType: string | undefined
  readonly healthCheckProtocol: string | undefined
  readonly healthCheckPath: string | undefined
}

/** ModifyTargetGroup's health check settings; what is left out stays as it is. */
export interface HealthCheckSpec {
  readonly protocol?: "http" | "https"
  readonly path?: string
  /** A port number or "traffic-port". */
  readonly port?: string
  readonly intervalSeconds?: number
  readonly timeoutSeconds?: number
  readonly healthyThreshold?: number
  readonly unhealthyThreshold?: number
  /** HTTP codes counted healthy: "200", "200,202", "200-299". */
  readonly matcher?: string
}

export interface AlbService {
  /** Every listener of the balancer. */
  readonly listListeners: (balancer: Ref) => Effect.Effect<ReadonlyArray<ListenerInfo>, NotFound | InvalidInput | ProviderFailure>
  /** The target group the balancer's members live in. */
  readonly targetGroup: (balancer: Ref) => Effect.Effect<TargetGroupInfo, NotFound | InvalidInput | ProviderFailure>
  /** How the balancer checks its members' health. */
  readonly configureHealthCheck: (balancer: Ref, check: HealthCheckSpec) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
}
