/**
 * The Classic Elastic Load Balancing Query API's XML (API version
 * 2012-06-01), as the API reference documents it
 * (https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/),
 * for the elements cloudfx reads.
 */
import { Schema } from "effect"
import { acknowledged, int, memberList, result, text } from "../query/wire.js"

export { acknowledged }

// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_HealthCheck.html
export const HealthCheck = Schema.Struct({
  Target: Schema.String,
  Interval: int,
  Timeout: int,
  UnhealthyThreshold: int,
  HealthyThreshold: int
})

// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html
export const LoadBalancerDescription = Schema.Struct({
  LoadBalancerName: Schema.String,
  DNSName: text,
  CanonicalHostedZoneNameID: text,
  CreatedTime: text,
  Scheme: text,
  VPCId: text,
  ListenerDescriptions: memberList(
    Schema.Struct({
      Listener: Schema.Struct({ Protocol: Schema.String, LoadBalancerPort: Schema.NumberFromString, InstanceProtocol: text, InstancePort: Schema.NumberFromString })
    })
  ),
  Instances: memberList(Schema.Struct({ InstanceId: Schema.String })),
  AvailabilityZones: memberList(Schema.String),
  Subnets: memberList(Schema.String),
  SecurityGroups: memberList(Schema.String),
  HealthCheck: Schema.optional(HealthCheck)
})
export type LoadBalancerDescription = typeof LoadBalancerDescription.Type

// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeLoadBalancers.html
export const DescribeLoadBalancers = result("DescribeLoadBalancers", { LoadBalancerDescriptions: memberList(LoadBalancerDescription), NextMarker: text })
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_CreateLoadBalancer.html
export const CreateLoadBalancer = result("CreateLoadBalancer", { DNSName: text })
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeInstanceHealth.html
export const DescribeInstanceHealth = result("DescribeInstanceHealth", {
  InstanceStates: memberList(Schema.Struct({ InstanceId: Schema.String, State: text, ReasonCode: text, Description: text }))
})
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_RegisterInstancesWithLoadBalancer.html
export const RegisterInstances = result("RegisterInstancesWithLoadBalancer", { Instances: memberList(Schema.Struct({ InstanceId: Schema.String })) })
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DeregisterInstancesFromLoadBalancer.html
export const DeregisterInstances = result("DeregisterInstancesFromLoadBalancer", { Instances: memberList(Schema.Struct({ InstanceId: Schema.String })) })
// https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_ConfigureHealthCheck.html
export const ConfigureHealthCheck = result("ConfigureHealthCheck", { HealthCheck: Schema.optional(HealthCheck) })
