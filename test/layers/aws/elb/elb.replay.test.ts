/**
 * Classic ELB over recorded responses written from the 2012-06-01 API
 * reference's sample responses (./fixtures.ts, each builder beside its
 * page: API_DescribeLoadBalancers.html, API_CreateLoadBalancer.html,
 * API_RegisterInstancesWithLoadBalancer.html, API_DescribeInstanceHealth.html,
 * API_ConfigureHealthCheck.html, CommonErrors.html) and EC2's
 * DescribeInstances (../ec2/fixtures.ts) for the address → instance rule.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Elb from "../../../../src/layers/aws/elb/Elb.js"
import { Node } from "../../../../src/schemas/Models.js"
import { LoadBalancer } from "../../../../src/services/LoadBalancer.js"
import { failsWith } from "../../../contract/harness.js"
import { credentials, failure, ok, signed } from "../alb/support.js"
import * as E from "../ec2/fixtures.js"
import * as X from "./fixtures.js"

const V = "Version=2012-06-01"
const elbUrl = "https://elasticloadbalancing.us-west-2.amazonaws.com/"
const ec2Url = "https://ec2.us-west-2.amazonaws.com/"
const ec2Signed = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/ec2\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/
const elb = (body: string | RegExp): Replay.RequestMatcher => ({ method: "POST", url: elbUrl, headers: { authorization: signed }, body })
const ec2 = (body: string | RegExp): Replay.RequestMatcher => ({ method: "POST", url: ec2Url, headers: { authorization: ec2Signed }, body })
/** DescribeInstances with one filter, every page (MaxResults at the action's ceiling). */
const ec2Filter = (name: string, value: string) =>
  ec2(`Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=${name}&Filter.1.Value.1=${value}&MaxResults=1000`)
const instance = "i-0aaaaaaaaaaaaaaa1"
const ec2Instance = (id: string, privateIp: string, publicIp?: string) =>
  E.instanceItem({
    id,
    image: "ami-1",
    state: "running",
    type: "t3.micro",
    zone: "us-west-2a",
    launchTime: "2024-01-01T00:00:00.000Z",
    privateIp,
    ...(publicIp === undefined ? {} : { publicIp })
  })
const lb = (name: string, instances: ReadonlyArray<string>, protocol = "HTTP") =>
  X.lbItem({ name, protocol, port: 80, instanceProtocol: protocol, instancePort: 80, instances })
const describeOne = (name = "my-loadbalancer") => elb(`Action=DescribeLoadBalancers&${V}&LoadBalancerNames.member.1=${name}`)
const quickRetry = { maxAttempts: 3, base: "1 millis", cap: "2 millis", jitter: 0 } as const

const replay = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Elb.ElbConfig> = {}) =>
  Elb.layer({ region: "us-west-2", credentials, subnets: ["subnet-8360a9e7"], pageSize: 1, retry: false, ...config })
    .pipe(Layer.provideMerge(Replay.layer(exchanges)))

const ec2Node = (id: string, publicIps: ReadonlyArray<string>, privateIps: ReadonlyArray<string>) =>
  new Node({ id, name: "web", state: "running", publicIps, privateIps })

describe("Classic ELB over recorded responses", () => {
  it.effect("create with a member found by its address, list over two pages, members with health, detach, destroy", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      expect(yield* lbs.listAlgorithms()).toEqual(["leastConnections", "roundRobin"])
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
      { request: ec2Filter("private-ip-address", "10.0.0.12"), response: ok(E.describeInstances([ec2Instance(instance, "10.0.0.12")])) },
      {
        request: elb(`Action=CreateLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Listeners.member.1.Protocol=HTTP&Listeners.member.1.LoadBalancerPort=80&Listeners.member.1.InstanceProtocol=HTTP&Listeners.member.1.InstancePort=80&Subnets.member.1=subnet-8360a9e7`),
        response: ok(X.createLoadBalancer("my-loadbalancer"))
      },
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(X.registered("RegisterInstancesWithLoadBalancer", [instance])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&PageSize=1`), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])], "bWFya2Vy")) },
      { request: elb(`Action=DescribeLoadBalancers&${V}&PageSize=1&Marker=bWFya2Vy`), response: ok(X.describeLoadBalancers([lb("other", [])])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DescribeInstanceHealth&${V}&LoadBalancerName=my-loadbalancer`), response: ok(X.describeInstanceHealth([{ id: instance, state: "InService", reasonCode: "N/A", description: "N/A" }])) },
      { request: ec2Filter("instance-id", instance), response: ok(E.describeInstances([ec2Instance(instance, "10.0.0.12")])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: ec2Filter("private-ip-address", "10.0.0.12"), response: ok(E.describeInstances([ec2Instance(instance, "10.0.0.12")])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: elb(`Action=DeregisterInstancesFromLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(X.registered("DeregisterInstancesFromLoadBalancer", [])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      { request: elb(`Action=DeleteLoadBalancer&${V}&LoadBalancerName=my-loadbalancer`), response: ok(X.deleteLoadBalancer()) }
    ]))))

  it.effect("attachComputeNode: an EC2 node is registered by its id, no address lookup; the member reports its public address", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const node = ec2Node(instance, ["54.194.252.215"], ["10.0.0.12"])
      const m = yield* lbs.attachComputeNode("my-loadbalancer", node, 80, { usePrivateIp: true })
      expect([m.id, m.ip, m.port, m.nodeId, m.balancerId]).toEqual([instance, "54.194.252.215", 80, instance, "my-loadbalancer"])
      const privateOnly = yield* lbs.attachComputeNode("my-loadbalancer", ec2Node("i-0bbbbbbbbbbbbbbb2", [], ["10.0.0.13"]), 80, { usePrivateIp: true })
      expect([privateOnly.id, privateOnly.ip]).toEqual(["i-0bbbbbbbbbbbbbbb2", "10.0.0.13"])
      yield* failsWith(lbs.attachComputeNode("my-loadbalancer", node, 80), "AlreadyExists")
      const gone = yield* failsWith(lbs.attachComputeNode("my-loadbalancer", ec2Node("i-0ccccccccccccccc3", ["198.51.100.9"], []), 80), "NotFound")
      expect([gone.resource, gone.id]).toEqual(["node", "i-0ccccccccccccccc3"])
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(X.registered("RegisterInstancesWithLoadBalancer", [instance])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=i-0bbbbbbbbbbbbbbb2`), response: ok(X.registered("RegisterInstancesWithLoadBalancer", [instance, "i-0bbbbbbbbbbbbbbb2"])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance, "i-0bbbbbbbbbbbbbbb2"])])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance, "i-0bbbbbbbbbbbbbbb2"])])) },
      // API_RegisterInstancesWithLoadBalancer.html, Errors: InvalidInstance, "The specified endpoint is not valid."
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=i-0ccccccccccccccc3`), response: failure(400, X.error("InvalidInstance", "The specified endpoint is not valid.")) }
    ]))))

  it.effect("a non-EC2 node is found by its address, as the other kind when its range misleads; listing survives a vanished instance", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      // A VPC may use a public range privately: 198.51.100.20 is found as a private address.
      const m = yield* lbs.attachComputeNode("my-loadbalancer", ec2Node("web-1", ["198.51.100.20"], []), 80)
      expect([m.id, m.ip, m.nodeId]).toEqual([instance, "198.51.100.20", "web-1"])
      const nf = yield* failsWith(lbs.attachMember("my-loadbalancer", { ip: "203.0.113.5", port: 80 }), "NotFound")
      expect([nf.resource, nf.id]).toEqual(["node", "203.0.113.5"])
      const ms = yield* lbs.listMembers("my-loadbalancer")
      expect(ms.map((x) => [x.id, x.ip, x.state])).toEqual([[instance, "198.51.100.20", "down"], ["i-0ddddddddddddddd4", "", "unknown"]])
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      { request: ec2Filter("ip-address", "198.51.100.20"), response: ok(E.describeInstances([])) },
      { request: ec2Filter("private-ip-address", "198.51.100.20"), response: ok(E.describeInstances([ec2Instance(instance, "198.51.100.20")])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      { request: elb(`Action=RegisterInstancesWithLoadBalancer&${V}&LoadBalancerName=my-loadbalancer&Instances.member.1.InstanceId=${instance}`), response: ok(X.registered("RegisterInstancesWithLoadBalancer", [instance])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance])])) },
      { request: ec2Filter("ip-address", "203.0.113.5"), response: ok(E.describeInstances([])) },
      { request: ec2Filter("private-ip-address", "203.0.113.5"), response: ok(E.describeInstances([])) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [instance, "i-0ddddddddddddddd4"])])) },
      {
        request: elb(`Action=DescribeInstanceHealth&${V}&LoadBalancerName=my-loadbalancer`),
        response: ok(X.describeInstanceHealth([
          { id: instance, state: "OutOfService", reasonCode: "ELB", description: "Instance registration is still in progress." },
          { id: "i-0ddddddddddddddd4", state: "Unknown", reasonCode: "ELB", description: "A transient error occurred. Please try again later." }
        ]))
      },
      {
        request: ec2(`Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=instance-id&Filter.1.Value.1=${instance}&Filter.1.Value.2=i-0ddddddddddddddd4&MaxResults=1000`),
        response: ok(E.describeInstances([ec2Instance(instance, "198.51.100.20")]))
      }
    ]))))

  it.effect("errors: LoadBalancerNotFound, DuplicateLoadBalancerName, TooManyLoadBalancers, ValidationError; the fixed algorithm; no update", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const nf = yield* failsWith(lbs.getBalancer("gone"), "NotFound")
      expect([nf.resource, nf.id]).toEqual(["balancer", "gone"])
      const spec = { name: "my-loadbalancer", port: 80, protocol: "tcp", algorithm: "roundRobin" } as const
      expect((yield* failsWith(lbs.createBalancer(spec), "AlreadyExists")).id).toBe("my-loadbalancer")
      expect((yield* failsWith(lbs.createBalancer(spec), "ProviderError")).code).toBe("TooManyLoadBalancers")
      const invalid = yield* failsWith(lbs.createBalancer(spec), "ProviderError")
      expect([invalid.code, invalid.status, invalid.detail]).toEqual(["ValidationError", 400, "Either AvailabilityZones or SubnetIds must be specified"])
      yield* failsWith(lbs.createBalancer({ ...spec, algorithm: "leastConnections" }), "Unsupported")
      yield* failsWith(lbs.updateBalancer("my-loadbalancer", { port: 81 }), "Unsupported")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeOne("gone"), response: failure(400, X.error("LoadBalancerNotFound", "There is no ACTIVE Load Balancer named 'gone'")) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, X.error("DuplicateLoadBalancerName", "The specified load balancer name already exists for this account.")) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, X.error("TooManyLoadBalancers", "The quota for the number of load balancers has been reached.")) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, X.error("ValidationError", "Either AvailabilityZones or SubnetIds must be specified")) }
    ]))))

  it.live("Throttling is retried: a Describe until it answers, a create (refused before acting) too; then RateLimited", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      expect((yield* lbs.getBalancer("my-loadbalancer")).name).toBe("my-loadbalancer")
      yield* lbs.createBalancer({ name: "my-loadbalancer", port: 80, protocol: "tcp", algorithm: "roundRobin" })
      yield* failsWith(lbs.getBalancer("my-loadbalancer"), "RateLimited")
      yield* failsWith(lbs.destroyBalancer("my-loadbalancer"), "RateLimited")
      expect((yield* Replay.requests).length).toBe(13)
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeOne(), response: failure(400, X.error("Throttling", "Rate exceeded")) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      { request: elb(/^Action=CreateLoadBalancer&/), response: failure(400, X.error("Throttling", "Rate exceeded")), times: 2 },
      { request: elb(/^Action=CreateLoadBalancer&/), response: ok(X.createLoadBalancer("my-loadbalancer")) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [], "TCP")])) },
      { request: describeOne(), response: failure(400, X.error("Throttling", "Rate exceeded")), times: 3 },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [], "TCP")])) },
      { request: elb(`Action=DeleteLoadBalancer&${V}&LoadBalancerName=my-loadbalancer`), response: failure(400, X.error("Throttling", "Rate exceeded")), times: 3 }
    ], { retry: quickRetry }))))

  it.effect("InvalidClientTokenId is InvalidCredentials, AccessDenied PermissionDenied, from ELB and from EC2; the secret is in none", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const c = yield* failsWith(lbs.getBalancer("my-loadbalancer"), "InvalidCredentials")
      const d = yield* failsWith(lbs.listBalancers(), "PermissionDenied")
      expect(d.reason).toContain("elasticloadbalancing:DescribeLoadBalancers")
      const e = yield* failsWith(lbs.attachMember("my-loadbalancer", { ip: "10.0.0.12", port: 80 }), "PermissionDenied")
      expect(e.reason).toContain("ec2:DescribeInstances")
      for (const x of [c, d, e]) expect(JSON.stringify(x)).not.toContain("wJalrXUtnFEMI")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeOne(), response: failure(403, X.error("InvalidClientTokenId", "The security token included in the request is invalid.")) },
      { request: elb(/^Action=DescribeLoadBalancers&/), response: failure(400, X.error("AccessDenied", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers")) },
      { request: describeOne(), response: ok(X.describeLoadBalancers([lb("my-loadbalancer", [])])) },
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html: UnauthorizedOperation
      { request: ec2Filter("private-ip-address", "10.0.0.12"), response: failure(403, E.error("UnauthorizedOperation", "You are not authorized to perform this operation. User is not authorized to perform: ec2:DescribeInstances")) }
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
        response: ok(X.configureHealthCheck("HTTP:80/ping", 30, 3, 2, 2))
      },
      {
        request: elb(`Action=DescribeInstanceHealth&${V}&LoadBalancerName=my-loadbalancer`),
        response: ok(X.describeInstanceHealth([{ id: instance, state: "OutOfService", reasonCode: "Instance", description: "Instance has failed at least the UnhealthyThreshold number of health checks consecutively." }]))
      }
    ]))))
})
