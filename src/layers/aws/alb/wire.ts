/**
 * The Elastic Load Balancing v2 Query API's XML (API version 2015-12-01),
 * as the API reference documents it
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/),
 * for the elements cloudfx reads. Everything is text: numbers are decoded here.
 */
import { Schema } from "effect"
import { acknowledged, int, memberList, result, text } from "../query/wire.js"

export { acknowledged }

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancer.html
export const LoadBalancer = Schema.Struct({
  LoadBalancerArn: Schema.String,
  LoadBalancerName: Schema.String,
  DNSName: text,
  CanonicalHostedZoneId: text,
  CreatedTime: text,
  Scheme: text,
  VpcId: text,
  Type: text,
  IpAddressType: text,
  State: Schema.optional(Schema.Struct({ Code: Schema.String, Reason: text })),
  AvailabilityZones: memberList(Schema.Struct({ ZoneName: text, SubnetId: text })),
  SecurityGroups: memberList(Schema.String)
})
export type LoadBalancer = typeof LoadBalancer.Type

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroup.html
export const TargetGroup = Schema.Struct({
  TargetGroupArn: Schema.String,
  TargetGroupName: Schema.String,
  Protocol: text,
  Port: int,
  VpcId: text,
  TargetType: text,
  HealthCheckProtocol: text,
  HealthCheckPath: text,
  LoadBalancerArns: memberList(Schema.String)
})
export type TargetGroup = typeof TargetGroup.Type

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Listener.html
export const Listener = Schema.Struct({
  ListenerArn: Schema.String,
  LoadBalancerArn: text,
  Port: int,
  Protocol: text,
  DefaultActions: memberList(Schema.Struct({ Type: Schema.String, TargetGroupArn: text }))
})
export type Listener = typeof Listener.Type

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealthDescription.html
export const TargetHealthDescription = Schema.Struct({
  Target: Schema.Struct({ Id: Schema.String, Port: int, AvailabilityZone: text }),
  HealthCheckPort: text,
  TargetHealth: Schema.optional(Schema.Struct({ State: text, Reason: text, Description: text }))
})
export type TargetHealthDescription = typeof TargetHealthDescription.Type

const Attribute = Schema.Struct({ Key: Schema.String, Value: Schema.optionalWith(Schema.String, { default: () => "" }) })

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html
export const DescribeLoadBalancers = result("DescribeLoadBalancers", { LoadBalancers: memberList(LoadBalancer), NextMarker: text })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
export const CreateLoadBalancer = result("CreateLoadBalancer", { LoadBalancers: memberList(LoadBalancer) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html
export const DescribeTargetGroups = result("DescribeTargetGroups", { TargetGroups: memberList(TargetGroup), NextMarker: text })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
export const CreateTargetGroup = result("CreateTargetGroup", { TargetGroups: memberList(TargetGroup) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeListeners.html
export const DescribeListeners = result("DescribeListeners", { Listeners: memberList(Listener), NextMarker: text })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html
export const CreateListener = result("CreateListener", { Listeners: memberList(Listener) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html
export const ModifyListener = result("ModifyListener", { Listeners: memberList(Listener) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html
export const DescribeTargetHealth = result("DescribeTargetHealth", { TargetHealthDescriptions: memberList(TargetHealthDescription) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroupAttributes.html
export const DescribeTargetGroupAttributes = result("DescribeTargetGroupAttributes", { Attributes: memberList(Attribute) })
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroupAttributes.html
export const ModifyTargetGroupAttributes = result("ModifyTargetGroupAttributes", { Attributes: memberList(Attribute) })
