/**
 * ELBv2 Query API responses, shaped as the API reference's example
 * responses document them (API version 2015-12-01). Each builder cites its page.
 */
const NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
const requestId = "32b8a1b0-1f34-11e6-b7d0-EXAMPLE"

const doc = (action: string, result: string) =>
  `<${action}Response xmlns="${NS}">
  <${action}Result>${result}</${action}Result>
  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
</${action}Response>`

const list = (name: string, items: ReadonlyArray<string>) =>
  items.length === 0 ? `<${name}/>` : `<${name}>${items.map((i) => `<member>${i}</member>`).join("")}</${name}>`

export interface Lb {
  readonly arn: string
  readonly name: string
  readonly state: string
  readonly vpcId?: string
  readonly type?: string
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html (Sample Response)
export const loadBalancer = (lb: Lb) => `
      <LoadBalancerArn>${lb.arn}</LoadBalancerArn>
      <Scheme>internet-facing</Scheme>
      <LoadBalancerName>${lb.name}</LoadBalancerName>
      <VpcId>${lb.vpcId ?? "vpc-3ac0fb5f"}</VpcId>
      <CanonicalHostedZoneId>Z2P70J7EXAMPLE</CanonicalHostedZoneId>
      <CreatedTime>2016-03-25T21:26:12.920Z</CreatedTime>
      <AvailabilityZones>
        <member><SubnetId>subnet-8360a9e7</SubnetId><ZoneName>us-west-2a</ZoneName></member>
        <member><SubnetId>subnet-b7d581c0</SubnetId><ZoneName>us-west-2b</ZoneName></member>
      </AvailabilityZones>
      <SecurityGroups><member>sg-5943793c</member></SecurityGroups>
      <DNSName>${lb.name}-424835706.us-west-2.elb.amazonaws.com</DNSName>
      <State><Code>${lb.state}</Code></State>
      <Type>${lb.type ?? "application"}</Type>`

export const describeLoadBalancers = (lbs: ReadonlyArray<Lb>, next?: string) =>
  doc("DescribeLoadBalancers", list("LoadBalancers", lbs.map(loadBalancer)) + (next === undefined ? "" : `<NextMarker>${next}</NextMarker>`))

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html (Sample Response)
export const createLoadBalancer = (lb: Lb) => doc("CreateLoadBalancer", list("LoadBalancers", [loadBalancer(lb)]))

export interface Tg {
  readonly arn: string
  readonly name: string
  readonly port: number
  readonly loadBalancerArns?: ReadonlyArray<string>
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html (Sample Response)
export const targetGroup = (tg: Tg) => `
      <TargetGroupArn>${tg.arn}</TargetGroupArn>
      <TargetGroupName>${tg.name}</TargetGroupName>
      <Protocol>HTTP</Protocol>
      <Port>${tg.port}</Port>
      <VpcId>vpc-3ac0fb5f</VpcId>
      <HealthCheckProtocol>HTTP</HealthCheckProtocol>
      <HealthCheckPort>traffic-port</HealthCheckPort>
      <HealthCheckIntervalSeconds>30</HealthCheckIntervalSeconds>
      <HealthCheckTimeoutSeconds>5</HealthCheckTimeoutSeconds>
      <HealthyThresholdCount>5</HealthyThresholdCount>
      <UnhealthyThresholdCount>2</UnhealthyThresholdCount>
      <HealthCheckPath>/</HealthCheckPath>
      <Matcher><HttpCode>200</HttpCode></Matcher>
      ${list("LoadBalancerArns", tg.loadBalancerArns ?? [])}
      <TargetType>ip</TargetType>`

export const createTargetGroup = (tg: Tg) => doc("CreateTargetGroup", list("TargetGroups", [targetGroup(tg)]))
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html (Sample Response)
export const describeTargetGroups = (tgs: ReadonlyArray<Tg>, next?: string) =>
  doc("DescribeTargetGroups", list("TargetGroups", tgs.map(targetGroup)) + (next === undefined ? "" : `<NextMarker>${next}</NextMarker>`))
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroup.html (Sample Response)
export const modifyTargetGroup = (tg: Tg) => doc("ModifyTargetGroup", list("TargetGroups", [targetGroup(tg)]))

export interface Ls {
  readonly arn: string
  readonly lbArn: string
  readonly port: number
  readonly protocol?: string
  readonly tgArn: string
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html (Sample Response)
export const listener = (l: Ls) => `
      <LoadBalancerArn>${l.lbArn}</LoadBalancerArn>
      <Protocol>${l.protocol ?? "HTTP"}</Protocol>
      <Port>${l.port}</Port>
      <ListenerArn>${l.arn}</ListenerArn>
      <DefaultActions><member><Type>forward</Type><TargetGroupArn>${l.tgArn}</TargetGroupArn></member></DefaultActions>`

export const createListener = (l: Ls) => doc("CreateListener", list("Listeners", [listener(l)]))
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeListeners.html (Sample Response)
export const describeListeners = (ls: ReadonlyArray<Ls>, next?: string) =>
  doc("DescribeListeners", list("Listeners", ls.map(listener)) + (next === undefined ? "" : `<NextMarker>${next}</NextMarker>`))
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html (Sample Response)
export const modifyListener = (l: Ls) => doc("ModifyListener", list("Listeners", [listener(l)]))

export interface Th {
  readonly id: string
  readonly port: number
  readonly state: string
  readonly reason?: string
}

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html (Sample Response)
export const describeTargetHealth = (ts: ReadonlyArray<Th>) =>
  doc(
    "DescribeTargetHealth",
    list(
      "TargetHealthDescriptions",
      ts.map((t) =>
        `<HealthCheckPort>${t.port}</HealthCheckPort><TargetHealth><State>${t.state}</State>${
          t.reason === undefined ? "" : `<Reason>${t.reason}</Reason>`
        }</TargetHealth><Target><Port>${t.port}</Port><Id>${t.id}</Id></Target>`
      )
    )
  )

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroupAttributes.html (Sample Response)
export const attributes = (action: "DescribeTargetGroupAttributes" | "ModifyTargetGroupAttributes", algorithm: string) =>
  doc(
    action,
    list("Attributes", [
      "<Value>300</Value><Key>deregistration_delay.timeout_seconds</Key>",
      `<Value>${algorithm}</Value><Key>load_balancing.algorithm.type</Key>`,
      "<Value>false</Value><Key>stickiness.enabled</Key>"
    ])
  )

// RegisterTargets, DeregisterTargets, DeleteLoadBalancer, DeleteTargetGroup: an empty result
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RegisterTargets.html, Sample Response).
export const empty = (action: string) =>
  `<${action}Response xmlns="${NS}">
  <${action}Result/>
  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
</${action}Response>`

// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html: the Query error document.
export const error = (code: string, message: string) =>
  `<ErrorResponse xmlns="${NS}">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>`
