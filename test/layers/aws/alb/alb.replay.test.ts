/**
 * Application Load Balancers over recorded responses (fixtures.ts, from the
 * ELBv2 API reference): exact requests for every method, pagination over two
 * pages, and each documented error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Alb from "../../../../src/layers/aws/alb/Alb.js"
import { LoadBalancer } from "../../../../src/services/LoadBalancer.js"
import { failsWith } from "../../../contract/harness.js"
import * as X from "./fixtures.js"
import { failure, ok, post, replay } from "./support.js"

const V = "Version=2015-12-01"
const lbArn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188"
const lb2Arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/other-lb/73e2d6bc24d8a067"
const tgArn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-load-balancer/73e2d6bc24d8a067"
const lsArn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2"
const enc = encodeURIComponent
const lb: X.Lb = { arn: lbArn, name: "my-load-balancer", state: "active" }
const tg: X.Tg = { arn: tgArn, name: "my-load-balancer", port: 80 }
const ls: X.Ls = { arn: lsArn, lbArn, port: 80, tgArn }
const describeListeners = (arn = lbArn) => post(`Action=DescribeListeners&${V}&LoadBalancerArn=${enc(arn)}&PageSize=1`)
const attributesOf = post(`Action=DescribeTargetGroupAttributes&${V}&TargetGroupArn=${enc(tgArn)}`)
const health = post(`Action=DescribeTargetHealth&${V}&TargetGroupArn=${enc(tgArn)}`)

describe("Application Load Balancers over recorded responses", () => {
  it.effect("createBalancer: name check, balancer, target group, algorithm, listener, targets", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const b = yield* lbs.createBalancer({
        name: "my-load-balancer",
        port: 80,
        protocol: "http",
        algorithm: "leastConnections",
        members: [{ ip: "10.0.1.10", port: 8080 }]
      })
      expect([b.id, b.name, b.port, b.protocol, b.algorithm, b.state]).toEqual([lbArn, "my-load-balancer", 80, "http", "leastConnections", "pending"])
      expect(b.extra["dnsName"]).toBe("my-load-balancer-424835706.us-west-2.elb.amazonaws.com")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: post(`Action=DescribeLoadBalancers&${V}&Names.member.1=my-load-balancer`), response: failure(400, X.error("LoadBalancerNotFound", "Load balancers '[my-load-balancer]' not found")) },
      {
        request: post(`Action=CreateLoadBalancer&${V}&Name=my-load-balancer&Type=application&Subnets.member.1=subnet-8360a9e7&Subnets.member.2=subnet-b7d581c0&SecurityGroups.member.1=sg-5943793c`),
        response: ok(X.createLoadBalancer({ ...lb, state: "provisioning" }))
      },
      { request: post(`Action=CreateTargetGroup&${V}&Name=my-load-balancer&Protocol=HTTP&Port=80&TargetType=ip&VpcId=vpc-3ac0fb5f`), response: ok(X.createTargetGroup(tg)) },
      {
        request: post(`Action=ModifyTargetGroupAttributes&${V}&TargetGroupArn=${enc(tgArn)}&Attributes.member.1.Key=load_balancing.algorithm.type&Attributes.member.1.Value=least_outstanding_requests`),
        response: ok(X.attributes("ModifyTargetGroupAttributes", "least_outstanding_requests"))
      },
      {
        request: post(`Action=CreateListener&${V}&LoadBalancerArn=${enc(lbArn)}&Protocol=HTTP&Port=80&DefaultActions.member.1.Type=forward&DefaultActions.member.1.TargetGroupArn=${enc(tgArn)}`),
        response: ok(X.createListener(ls))
      },
      { request: post(`Action=RegisterTargets&${V}&TargetGroupArn=${enc(tgArn)}&Targets.member.1.Id=10.0.1.10&Targets.member.1.Port=8080`), response: ok(X.empty("RegisterTargets")) }
    ]))))

  it.effect("a creation that fails half-way deletes the balancer it made", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const e = yield* failsWith(lbs.createBalancer({ name: "my-load-balancer", port: 80, protocol: "http", algorithm: "roundRobin" }), "ProviderError")
      expect(e.code).toBe("TooManyTargetGroups")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: post(`Action=DescribeLoadBalancers&${V}&Names.member.1=my-load-balancer`), response: failure(400, X.error("LoadBalancerNotFound", "not found")) },
      { request: { body: /^Action=CreateLoadBalancer&/ }, response: ok(X.createLoadBalancer({ ...lb, state: "provisioning" })) },
      { request: { body: /^Action=CreateTargetGroup&/ }, response: failure(400, X.error("TooManyTargetGroups", "You have reached the maximum number of target groups for your account.")) },
      { request: post(`Action=DeleteLoadBalancer&${V}&LoadBalancerArn=${enc(lbArn)}`), response: ok(X.empty("DeleteLoadBalancer")) }
    ]))))

  it.effect("listBalancers follows NextMarker over two pages and skips Network Load Balancers", () =>
    Effect.gen(function*() {
      const bs = yield* (yield* LoadBalancer).listBalancers()
      expect(bs.map((b) => [b.name, b.state, b.port, b.algorithm])).toEqual([
        ["my-load-balancer", "running", 80, "roundRobin"],
        ["other-lb", "pending", 0, undefined]
      ])
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: post(`Action=DescribeLoadBalancers&${V}&PageSize=1`), response: ok(X.describeLoadBalancers([lb], "bWFya2VyLTE=")) },
      { request: post(`Action=DescribeLoadBalancers&${V}&PageSize=1&Marker=bWFya2VyLTE%3D`), response: ok(X.describeLoadBalancers([{ arn: lb2Arn, name: "other-lb", state: "provisioning" }, { arn: `${lb2Arn}0`, name: "nlb", state: "active", type: "network" }])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: attributesOf, response: ok(X.attributes("DescribeTargetGroupAttributes", "round_robin")) },
      { request: describeListeners(lb2Arn), response: ok(X.describeListeners([])) }
    // The balancers of a page are looked at concurrently: any order.
    ], {}, { mode: "match" }))))

  it.effect("getBalancer, members with their health, attach, detach, update, destroy", () =>
    Effect.gen(function*() {
      const lbs = yield* LoadBalancer
      const b = yield* lbs.getBalancer(lbArn)
      expect([b.port, b.algorithm, b.state]).toEqual([80, "roundRobin", "running"])
      const ms = yield* lbs.listMembers(b)
      expect(ms.map((m) => [m.id, m.state])).toEqual([["10.0.1.10:80", "up"], ["10.0.1.11:80", "down"]])
      const dup = yield* failsWith(lbs.attachMember(b, { ip: "10.0.1.10", port: 80 }), "AlreadyExists")
      expect([dup.resource, dup.id]).toEqual(["member", "10.0.1.10:80"])
      yield* lbs.detachMember(b, "10.0.1.11:80")
      const u = yield* lbs.updateBalancer(b, { port: 8080, algorithm: "random" })
      expect([u.port, u.algorithm]).toEqual([8080, "random"])
      yield* lbs.destroyBalancer(b)
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: post(`Action=DescribeLoadBalancers&${V}&LoadBalancerArns.member.1=${enc(lbArn)}`), response: ok(X.describeLoadBalancers([lb])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: attributesOf, response: ok(X.attributes("DescribeTargetGroupAttributes", "round_robin")) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: health, response: ok(X.describeTargetHealth([{ id: "10.0.1.10", port: 80, state: "healthy" }, { id: "10.0.1.11", port: 80, state: "unhealthy", reason: "Target.Timeout" }, { id: "10.0.1.12", port: 80, state: "draining", reason: "Target.DeregistrationInProgress" }])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: health, response: ok(X.describeTargetHealth([{ id: "10.0.1.10", port: 80, state: "healthy" }])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: health, response: ok(X.describeTargetHealth([{ id: "10.0.1.11", port: 80, state: "unhealthy" }])) },
      { request: post(`Action=DeregisterTargets&${V}&TargetGroupArn=${enc(tgArn)}&Targets.member.1.Id=10.0.1.11&Targets.member.1.Port=80`), response: ok(X.empty("DeregisterTargets")) },
      { request: post(`Action=DescribeLoadBalancers&${V}&LoadBalancerArns.member.1=${enc(lbArn)}`), response: ok(X.describeLoadBalancers([lb])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      {
        request: post(`Action=ModifyTargetGroupAttributes&${V}&TargetGroupArn=${enc(tgArn)}&Attributes.member.1.Key=load_balancing.algorithm.type&Attributes.member.1.Value=weighted_random`),
        response: ok(X.attributes("ModifyTargetGroupAttributes", "weighted_random"))
      },
      { request: post(`Action=ModifyListener&${V}&ListenerArn=${enc(lsArn)}&Port=8080`), response: ok(X.modifyListener({ ...ls, port: 8080 })) },
      { request: post(`Action=DescribeLoadBalancers&${V}&LoadBalancerArns.member.1=${enc(lbArn)}`), response: ok(X.describeLoadBalancers([lb])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: post(`Action=DeleteLoadBalancer&${V}&LoadBalancerArn=${enc(lbArn)}`), response: ok(X.empty("DeleteLoadBalancer")) },
      { request: post(`Action=DescribeTargetGroups&${V}&TargetGroupArns.member.1=${enc(tgArn)}`), response: ok(X.describeTargetGroups([tg])) },
      { request: post(`Action=DeleteTargetGroup&${V}&TargetGroupArn=${enc(tgArn)}`), response: ok(X.empty("DeleteTargetGroup")) }
    ]))))

  it.effect("extras: listeners, target group, health check", () =>
    Effect.gen(function*() {
      const alb = yield* Alb.Alb
      expect(yield* alb.listListeners(lbArn)).toEqual([{ arn: lsArn, port: 80, protocol: "http", targetGroupArns: [tgArn] }])
      expect((yield* alb.targetGroup(lbArn)).targetType).toBe("ip")
      yield* alb.configureHealthCheck(lbArn, { path: "/health", intervalSeconds: 10, matcher: "200-299" })
      yield* failsWith(alb.configureHealthCheck(lbArn, { path: "health" }), "InvalidInput")
      yield* Replay.assertDone
    }).pipe(Effect.provide(replay([
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: post(`Action=DescribeTargetGroups&${V}&TargetGroupArns.member.1=${enc(tgArn)}`), response: ok(X.describeTargetGroups([tg])) },
      { request: describeListeners(), response: ok(X.describeListeners([ls])) },
      { request: post(`Action=ModifyTargetGroup&${V}&TargetGroupArn=${enc(tgArn)}&HealthCheckPath=%2Fhealth&HealthCheckIntervalSeconds=10&Matcher.HttpCode=200-299`), response: ok(X.modifyTargetGroup(tg)) }
    ]))))

  describe("documented errors", () => {
    const getting = (response: ReturnType<typeof failure>, times = 1) =>
      replay([{ request: post(`Action=DescribeLoadBalancers&${V}&LoadBalancerArns.member.1=${enc(lbArn)}`), response, times }])

    it.effect("LoadBalancerNotFound is NotFound naming the balancer", () =>
      Effect.gen(function*() {
        const e = yield* failsWith((yield* LoadBalancer).getBalancer(lbArn), "NotFound")
        expect([e.resource, e.id]).toEqual(["balancer", lbArn])
      }).pipe(Effect.provide(getting(failure(400, X.error("LoadBalancerNotFound", "One or more load balancers not found"))))))

    it.effect("TargetGroupNotFound is a ProviderError with its code where no target group was named", () =>
      Effect.gen(function*() {
        const e = yield* failsWith((yield* LoadBalancer).listMembers(lbArn), "ProviderError")
        expect(e.code).toBe("TargetGroupNotFound")
      }).pipe(Effect.provide(replay([
        { request: describeListeners(), response: ok(X.describeListeners([ls])) },
        { request: health, response: failure(400, X.error("TargetGroupNotFound", "One or more target groups not found")) }
      ]))))

    it.effect("DuplicateLoadBalancerName is AlreadyExists; TooManyLoadBalancers and ValidationError keep their codes", () =>
      Effect.gen(function*() {
        const lbs = yield* LoadBalancer
        const spec = { name: "my-load-balancer", port: 80, protocol: "http", algorithm: "roundRobin" } as const
        const dup = yield* failsWith(lbs.createBalancer(spec), "AlreadyExists")
        expect([dup.resource, dup.id]).toEqual(["balancer", "my-load-balancer"])
        expect((yield* failsWith(lbs.createBalancer(spec), "ProviderError")).code).toBe("TooManyLoadBalancers")
        expect((yield* failsWith(lbs.createBalancer(spec), "ProviderError")).code).toBe("ValidationError")
      }).pipe(Effect.provide(replay([
        { request: { body: /^Action=DescribeLoadBalancers&/ }, response: failure(400, X.error("LoadBalancerNotFound", "not found")) },
        { request: { body: /^Action=CreateLoadBalancer&/ }, response: failure(400, X.error("DuplicateLoadBalancerName", "A load balancer with the same name 'my-load-balancer' exists, but with different settings")) },
        { request: { body: /^Action=DescribeLoadBalancers&/ }, response: failure(400, X.error("LoadBalancerNotFound", "not found")) },
        { request: { body: /^Action=CreateLoadBalancer&/ }, response: failure(400, X.error("TooManyLoadBalancers", "You have reached the maximum number of load balancers for your account.")) },
        { request: { body: /^Action=DescribeLoadBalancers&/ }, response: failure(400, X.error("LoadBalancerNotFound", "not found")) },
        { request: { body: /^Action=CreateLoadBalancer&/ }, response: failure(400, X.error("ValidationError", "At least two subnets in two different Availability Zones must be specified")) }
      ]))))

    it.live("Throttling is retried, then RateLimited", () =>
      Effect.gen(function*() {
        yield* failsWith((yield* LoadBalancer).getBalancer(lbArn), "RateLimited")
        expect((yield* Replay.requests).length).toBe(3)
      }).pipe(Effect.provide(replay([
        { request: post(`Action=DescribeLoadBalancers&${V}&LoadBalancerArns.member.1=${enc(lbArn)}`), response: failure(400, X.error("Throttling", "Rate exceeded")), times: 3 }
      ], { retry: { maxAttempts: 3, base: "1 millis", cap: "2 millis", jitter: 0 } }))))

    it.effect("InvalidClientTokenId is InvalidCredentials, AccessDenied PermissionDenied; the secret is in neither", () =>
      Effect.gen(function*() {
        const lbs = yield* LoadBalancer
        const c = yield* failsWith(lbs.getBalancer(lbArn), "InvalidCredentials")
        const d = yield* failsWith(lbs.getBalancer(lbArn), "PermissionDenied")
        for (const e of [c, d]) expect(JSON.stringify(e)).not.toContain("wJalrXUtnFEMI")
      }).pipe(Effect.provide(replay([
        { request: { body: /^Action=DescribeLoadBalancers&/ }, response: failure(403, X.error("InvalidClientTokenId", "The security token included in the request is invalid.")) },
        { request: { body: /^Action=DescribeLoadBalancers&/ }, response: failure(403, X.error("AccessDenied", "User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers")) }
      ]))))

    it.effect("garbage is MalformedResponse; a bad ARN is InvalidInput before any request", () =>
      Effect.gen(function*() {
        const lbs = yield* LoadBalancer
        yield* failsWith(lbs.getBalancer("my-load-balancer"), "InvalidInput")
        yield* failsWith(lbs.getBalancer(lbArn), "MalformedResponse")
      }).pipe(Effect.provide(replay([{ request: { body: /^Action=DescribeLoadBalancers&/ }, response: ok("<DescribeLoadBalancersResponse><Nope/></DescribeLoadBalancersResponse>") }]))))
  })
})
