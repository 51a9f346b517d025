/**
 * Elastic Load Balancing error codes (Classic 2012-06-01 and v2 2015-12-01)
 * → the taxonomy. The document is `<ErrorResponse><Error><Type/><Code/>
 * <Message/></Error><RequestId/></ErrorResponse>` with status 400 for
 * nearly everything, read by the shared Query extractor. The codes are the
 * Query wire codes of the documented exceptions (LoadBalancerNotFound for
 * LoadBalancerNotFoundException / AccessPointNotFoundException, …):
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/CommonErrors.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html.
 *
 * Quotas (TooManyLoadBalancers, TooManyTargets…), ValidationError and
 * InvalidConfigurationRequest have no portable meaning beyond "the provider
 * refused": they stay ProviderError with their code.
 */
import * as Query from "../query/errors.js"

/** The resources ELB error codes talk about, under the names cloudfx errors use. */
export type Resource = "balancer" | "member" | "targetGroup" | "listener" | "node"

type Kind = Query.Kind<Resource>

const table: Readonly<Record<string, Kind>> = {
  ...Query.commonCodes,
  LoadBalancerNotFound: { kind: "NotFound", resource: "balancer" },
  TargetGroupNotFound: { kind: "NotFound", resource: "targetGroup" },
  ListenerNotFound: { kind: "NotFound", resource: "listener" },
  InvalidInstance: { kind: "NotFound", resource: "node" },
  DuplicateLoadBalancerName: { kind: "AlreadyExists", resource: "balancer" },
  DuplicateTargetGroupName: { kind: "AlreadyExists", resource: "targetGroup" },
  DuplicateListener: { kind: "AlreadyExists", resource: "listener" },
  ResourceInUse: { kind: "Conflict", resource: "targetGroup" }
}

export const kindOf = (code: string | undefined, _message: string | undefined): Kind | undefined =>
  code === undefined ? undefined : table[Query.bare(code)]

export type Mapped = Query.Mapped
export type MappedError<M extends Mapped> = Query.MappedError<M>
export type Targets = Query.Targets<Resource>

export const classify = Query.classifier(kindOf)
