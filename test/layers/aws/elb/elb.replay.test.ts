/**
 * Classic ELB over recorded responses written from the 2012-06-01 API
 * reference's sample responses
 * (https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_DescribeLoadBalancers.html,
 * API_CreateLoadBalancer.html, API_RegisterInstancesWithLoadBalancer.html,
 * API_DescribeInstanceHealth.html, API_ConfigureHealthCheck.html, CommonErrors.html)
 * and EC2's DescribeInstances for the address → instance rule.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Elb from "../../../../src/layers/aws/elb/Elb.js"
import { LoadBalancer } from "../../../../src/services/LoadBalancer.js"
import { failsWith } from "../../../contract/harness.js"
import * as E from "../ec2/fixtures.js"
import { credentials, failure, ok, signed } from "../alb/support.js"

const NS = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"
const doc = (action: string, result: string) =>
  `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>83c88b9d-12b7-11e3-8b82-87b12EXAMPLE</RequestId></ResponseMetadata></${action}Response>`
const lbXml = (name: string, instances: ReadonlyArray<string>) =>
  `<member><SecurityGroups/><LoadBalancerName>${name}</LoadBalancerName><CreatedTime>2013-05-24T21:15:31.280Z</CreatedTime>` +
  `<HealthCheck><Interval>90</Interval><Target>HTTP:80/</Target><HealthyThreshold>2</HealthyThreshold><Timeout>60</Timeout><UnhealthyThreshold>10</UnhealthyThreshold></HealthCheck>` +
  `<ListenerDescriptions><member><PolicyNames/><Listener><Protocol>HTTP</Protocol><LoadBalancerPort>80</LoadBalancerPort><InstanceProtocol>HTTP</InstanceProtocol><InstancePort>80</InstancePort></Listener></member></ListenerDescriptions>` +
  `<Instances>${instances.map((i) => `<member><InstanceId>${i}</InstanceId></member>`).join("")}</Instances>` +
  `<AvailabilityZones><member>us-west-2a</member></AvailabilityZones><Subnets/><DNSName>${name}-1234567890.us-west-2.elb.amazonaws.com</DNSName><Scheme>internet-facing</Scheme></member>`
const describeLbs = (items: ReadonlyArray<string>, next?: string) =>
  doc("DescribeLoadBalancers", `<LoadBalancerDescriptions>${items.join("")}</LoadBalancerDescriptions>${next === undefined ? "" : `<NextMarker>${next}</NextMarker>`}`)
const errorXml = (code: string, message: string) =>
  `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>a5ef1dc5-EXAMPLE</RequestId></ErrorResponse>`

const V = "Version=2012-06-01"
const elbUrl = "https://elasticloadbalancing.us-west-2.amazonaws.com/"
const ec2Url = "https://ec2.us-west-2.amazonaws.com/"
const elb = (body: string | RegExp): Replay.RequestMatcher => ({ method: "POST", url: elbUrl, headers: { authorization: signed }, body })
const ec2 = (body: string | RegExp): Replay.RequestMatcher => ({ method: "POST", url: ec2Url, body })
const instance = "i-0aaaaaaaaaaaaaaa1"

const replay = (exchanges: ReadonlyArray<Replay.Exchange>) =>
  Elb.layer({ region: "us-west-2", credentials, subnets: ["subnet-8360a9e7"], pageSize: 1, retry: false })
    .pipe(Layer.provideMerge(Replay.layer(exchanges)))

describe("Classic ELB over recorded responses", () => {
  it.effect("create with a member found by its address, list over two pages, members with health, detach, destroy", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const b = yield* lbs.createBalancer({ name: "my-loadbalancer", port: 80, protocol: "http", algorithm: "leastConnections", members: [{ ip: "10.0.0.12", port: 80 }] })
      expect([b.id, b.state, b.port, b.algorithm]).toEqual(["my-loadbalancer", "running", 80, "leastConnections"])
      expect((yield* lbs.listBalancers()).map((x) => x.name)).toEqual(["my-loadbalancer", "other"])
      const ms = yield* lbs.listMembers(b)
      expect(ms.map((m) => [m.id, m.ip, m.port, m.state])).toEqual([[instance, "10.0.0.12", 80, "up"]])
      yield* failsWith(lbs.attachMember(b, { ip: "10.0.0.12", port: 8080 }), "InvalidInput")
      yield* lbs.detachMember(b, instance)
      yield* lbs.destroyBalancer(b)
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: ec2(/^Action=DescribeInstances&Version=2016-11-15&Filter\.1\.Name=private-ip-address&Filter\.1\.Value\.1=10\.0\.0\.12$/), response: ok(E.describeInstances([E.instanceItem({ id: instance, image: "ami-1", state: "running", type: "t3.micro", zone: "us-west-2a", launchTime: "2024-01-01T00:00:00.000Z", privateIp: "10.0.0.12" })])) },
      {
        request: elb(`Action=CreateLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Listeners.member.1.Protocol=HTTP&Listeners.member.1.LoadBalancerPort=80&Listeners.member.1.InstanceProtocol=HTTP&Listeners.member.1.InstancePort=80&Subnets.member.1=subnet-8360a9e7`),
        response: ok(doc("CreateLoadBalancer", "<DNSName>my-loadbalancer-1234567890.us-west-2.elb.amazonaws.com</DNSName>"))
      },
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(doc("RegisterInstancesWithLoadBalancer", `<Instances><member><InstanceId>${instance}</InstanceId></member></Instances>`)) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&PageSize=1`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])], "bWFya2Vy")) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&PageSize=1&Marker=bWFya2Vy`), response: ok(describeLbs([lbXml("other", [])])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DescribeInstanceHealth&${V}&LoadBalancerName=my-loadbalancer`), response: ok(doc("DescribeInstanceHealth", `<InstanceStates><member><Description>N/A</Description><InstanceId>${instance}</InstanceId><State>InService</State><ReasonCode>N/A</ReasonCode></member></InstanceStates>`)) },
      { request: ec2(`Action=DescribeInstances&Version=2016-11-15&InstanceId.1=${instance}`), response: ok(E.describeInstances([E.instanceItem({ id: instance, image: "ami-1", state: "running", type: "t3.micro", zone: "us-west-2a", launchTime: "2024-01-01T00:00:00.000Z", privateIp: "10.0.0.12" })])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])])) },
      { request: ec2(/^Action=DescribeInstances&/), response: ok(E.describeInstances([E.instanceItem({ id: instance, image: "ami-1", state: "running", type: "t3.micro", zone: "us-west-2a", launchTime: "2024-01-01T00:00:00.000Z", privateIp: "10.0.0.12" })])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DeregisterInstancesFromLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(doc("DeregisterInstancesFromLoadBalancer", "<Instances/>")) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=my-loadbalancer`), response: ok(describeLbs([lbXml("my-loadbalancer", [])])) },
      { request: elb(`Action=DeleteLoadBalancer&${V}&LoadBalancerName=my-loadbalancer`), response: ok(doc("DeleteLoadBalancer", "")) }
    ]))))

  it.effect("errors: LoadBalancerNotFound, DuplicateLoadBalancerName, TooManyLoadBalancers; the fixed algorithm; no update", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const nf = yield* failsWith(lbs.getBalancer("gone"), "NotFound")
      expect([nf.resource, nf.id]).toEqual(["balancer", "gone"])
      const spec = { name: "my-loadbalancer", port: 80, protocol: "tcp", algorithm: "roundRobin" } as const
      expect((yield* failsWith(lbs.createBalancer(spec), "AlreadyExists")).id).toBe("my-loadbalancer")
      expect((yield* failsWith(lbs.createBalancer(spec), "ProviderError")).code).toBe("TooManyLoadBalancers")
      yield* failsWith(lbs.createBalancer({ ...spec, algorithm: "leastConnections" }), "Unsupported")
      yield* failsWith(lbs.updateBalancer("my-loadbalancer", { port: 81 }), "Unsupported")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=gone`), response: failure(400, errorXml("LoadBalancerNotFound", "There is no ACTIVE Load Balancer named 'gone'")) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, errorXml("DuplicateLoadBalancerName", "Load balancer name 'my-loadbalancer' already exists")) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, errorXml("TooManyLoadBalancers", "Exceeded quota of account")) }
    ]))))

  it.effect("extras: ConfigureHealthCheck and DescribeInstanceHealth", () =>
    Effect.gen(function*() {
      const x = yield* Elb.Elb
      yield* x.configureHealthCheck("my-loadbalancer", { target: "HTTP:80/ping", intervalSeconds: 30, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 })
      yield* failsWith(x.configureHealthCheck("my-loadbalancer", { target: "FTP:21", intervalSeconds: 30, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 }), "InvalidInput")
      expect(yield* x.instanceHealth("my-loadbalancer")).toEqual([{ instanceId: instance, state: "OutOfService", reasonCode: "Instance", description: "Instance has failed at least the UnhealthyThreshold number of health checks consecutively." }])
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      {
        request: elb(`Action=ConfigureHealthCheck&${V}&LoadBalancerName=my-loadbalancer&HealthCheck.Target=HTTP%3A80%2Fping&HealthCheck.Interval=30&HealthCheck.Timeout=3&HealthCheck.HealthyThreshold=2&HealthCheck.UnhealthyThreshold=2`),
        response: ok(doc("ConfigureHealthCheck", "<HealthCheck><Interval>30</Interval><Target>HTTP:80/ping</Target><HealthyThreshold>2</HealthyThreshold><Timeout>3</Timeout><UnhealthyThreshold>2</UnhealthyThreshold></HealthCheck>"))
      },
      { request: elb(`Action=DescribeInstanceHealth&${V}&LoadBalancerName=my-loadbalancer`), response: ok(doc("DescribeInstanceHealth", `<InstanceStates><member><Description>Instance has failed at least the UnhealthyThreshold number of health checks consecutively.</Description><InstanceId>${instance}</InstanceId><State>OutOfService</State><ReasonCode>Instance</ReasonCode></member></InstanceStates>`)) }
    ]))))
})
