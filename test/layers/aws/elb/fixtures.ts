/**
 * Classic Elastic Load Balancing (2012-06-01) Query API responses, shaped as
 * the API reference's sample responses document them, each builder beside
 * the page it comes from. The replay tests and the fake server both answer
 * through these, so the two cannot drift apart. EC2's DescribeInstances (the
 * address → instance lookup) comes from ../ec2/fixtures.ts.
 */

export const NS = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>`, as every sample response is. */
export const doc = (action: string, result: string, requestId = "83c88b9d-12b7-11e3-8b82-87b12EXAMPLE") =>
  `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`

const members = (name: string, items: ReadonlyArray<string>) =>
  items.length === 0 ? `<${name}/>` : `<${name}>${items.map((i) => `<member>${i}</member>`).join("")}</${name}>`

const instances = (ids: ReadonlyArray<string>) => members("Instances", ids.map((id) => `<InstanceId>${esc(id)}</InstanceId>`))

export interface LbFields {
  readonly name: string
  readonly protocol: string
  readonly port: number
  readonly instanceProtocol: string
  readonly instancePort: number
  readonly instances: ReadonlyArray<string>
  readonly zones?: ReadonlyArray<string>
  readonly subnets?: ReadonlyArray<string>
  readonly securityGroups?: ReadonlyArray<string>
  readonly scheme?: string
  readonly vpcId?: string
  readonly region?: string
}

/**
 * One LoadBalancerDescription `member`: the elements of the DescribeLoadBalancers
 * sample response, in its order
 * (https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeLoadBalancers.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html).
 */
export const lbItem = (lb: LbFields): string => {
  const dns = `${lb.name}-1234567890.${lb.region ?? "us-west-2"}.elb.amazonaws.com`
  return "<member>" +
    members("SecurityGroups", (lb.securityGroups ?? []).map(esc)) +
    `<LoadBalancerName>${esc(lb.name)}</LoadBalancerName>` +
    "<CreatedTime>2013-05-24T21:15:31.280Z</CreatedTime>" +
    "<HealthCheck><Interval>90</Interval><Target>HTTP:80/</Target><HealthyThreshold>2</HealthyThreshold><Timeout>60</Timeout><UnhealthyThreshold>10</UnhealthyThreshold></HealthCheck>" +
    "<ListenerDescriptions><member><PolicyNames/><Listener>" +
    `<Protocol>${lb.protocol}</Protocol><LoadBalancerPort>${lb.port}</LoadBalancerPort>` +
    `<InstanceProtocol>${lb.instanceProtocol}</InstanceProtocol><InstancePort>${lb.instancePort}</InstancePort>` +
    "</Listener></member></ListenerDescriptions>" +
    instances(lb.instances) +
    "<Policies><AppCookieStickinessPolicies/><OtherPolicies/><LBCookieStickinessPolicies/></Policies>" +
    members("AvailabilityZones", (lb.zones ?? ["us-west-2a"]).map(esc)) +
    "<CanonicalHostedZoneNameID>ZZZZZZZZZZZ123X</CanonicalHostedZoneNameID>" +
    `<CanonicalHostedZoneName>${dns}</CanonicalHostedZoneName>` +
    `<Scheme>${lb.scheme ?? "internet-facing"}</Scheme>` +
    "<SourceSecurityGroup><OwnerAlias>amazon-elb</OwnerAlias><GroupName>amazon-elb-sg</GroupName></SourceSecurityGroup>" +
    `<DNSName>${dns}</DNSName>` +
    "<BackendServerDescriptions/>" +
    members("Subnets", (lb.subnets ?? []).map(esc)) +
    (lb.vpcId === undefined ? "" : `<VPCId>${lb.vpcId}</VPCId>`) +
    "</member>"
}

/** https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeLoadBalancers.html (NextMarker: "If there are no additional results, the string is empty") */
export const describeLoadBalancers = (items: ReadonlyArray<string>, next?: string) =>
  doc("DescribeLoadBalancers", `<LoadBalancerDescriptions>${items.join("")}</LoadBalancerDescriptions>${next === undefined ? "" : `<NextMarker>${next}</NextMarker>`}`)

/** https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_CreateLoadBalancer.html */
export const createLoadBalancer = (name: string, region = "us-west-2") =>
  doc("CreateLoadBalancer", `<DNSName>${name}-1234567890.${region}.elb.amazonaws.com</DNSName>`)

/** https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DeleteLoadBalancer.html */
export const deleteLoadBalancer = () => doc("DeleteLoadBalancer", "")

/**
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_RegisterInstancesWithLoadBalancer.html,
 * API_DeregisterInstancesFromLoadBalancer.html: the instances registered after the call.
 */
export const registered = (action: "RegisterInstancesWithLoadBalancer" | "DeregisterInstancesFromLoadBalancer", ids: ReadonlyArray<string>) =>
  doc(action, instances(ids))

export interface InstanceStateFields {
  readonly id: string
  readonly state: "InService" | "OutOfService" | "Unknown"
  readonly reasonCode: "ELB" | "Instance" | "N/A"
  readonly description: string
}

/**
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeInstanceHealth.html
 * (sample: Description, InstanceId, State, ReasonCode) and API_InstanceState.html (the documented descriptions).
 */
export const describeInstanceHealth = (states: ReadonlyArray<InstanceStateFields>) =>
  doc(
    "DescribeInstanceHealth",
    members(
      "InstanceStates",
      states.map((s) => `<Description>${esc(s.description)}</Description><InstanceId>${s.id}</InstanceId><State>${s.state}</State><ReasonCode>${s.reasonCode}</ReasonCode>`)
    )
  )

/** https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_ConfigureHealthCheck.html */
export const configureHealthCheck = (target: string, interval: number, timeout: number, healthy: number, unhealthy: number) =>
  doc(
    "ConfigureHealthCheck",
    `<HealthCheck><Interval>${interval}</Interval><Target>${esc(target)}</Target><HealthyThreshold>${healthy}</HealthyThreshold><Timeout>${timeout}</Timeout><UnhealthyThreshold>${unhealthy}</UnhealthyThreshold></HealthCheck>`
  )

/**
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/CommonErrors.html:
 * `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
export const error = (code: string, message: string, type: "Sender" | "Receiver" = "Sender") =>
  `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error><RequestId>a5ef1dc5-EXAMPLE</RequestId></ErrorResponse>`

/** The status CommonErrors.html gives a code: 403 for a bad key id, 500/503 for the service's own failures, else 400 (throttling and denial too). */
export const errorStatus = (code: string): number =>
  code === "InvalidClientTokenId" ? 403 : code === "InternalFailure" ? 500 : code === "ServiceUnavailable" ? 503 : 400
