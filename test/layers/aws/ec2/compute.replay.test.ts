/**
 * Exact requests and documented responses for the Compute operations over
 * EC2, replayed: the form body of each action, pagination to the end, and
 * each documented error code mapped into the taxonomy.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Option } from "effect"
import { Replay } from "../../../../src/http/index.js"
import { Compute } from "../../../../src/services/Compute.js"
import { Pricing } from "../../../../src/services/Pricing.js"
import type { PriceEntry } from "../../../../src/services/Pricing.js"
import { failsWith } from "../../../contract/harness.js"
import { fingerprints, testPublicKeys } from "../../../contract/Compute.js"
import * as X from "./fixtures.js"
import { decodeBody, failure, ok, post, postWith, replay, secret } from "./support.js"

const V = "Version=2016-11-15"

/** A Pricing service answering from `entries` alone, as one loaded from a user's price file would. */
const pricingWith = (entries: ReadonlyArray<typeof PriceEntry.Type>) =>
  Layer.succeed(Pricing, {
    lookup: (q) => Effect.succeed(Option.fromNullable(entries.find((e) => e.size === q.size && q.provider === "ec2" && q.region === e.region))),
    price: () => Effect.die("unused"),
    entries: () => Effect.die("unused"),
    load: () => Effect.die("unused"),
    refresh: () => Effect.die("unused")
  })

const instance = (id: string, state: string, extra: Partial<X.InstanceFields> = {}) =>
  X.instanceItem({
    id,
    image: "ami-0abcdef1234567890",
    state,
    type: "t3.micro",
    zone: "us-east-1a",
    launchTime: "2024-03-01T09:00:00.000Z",
    privateIp: "10.0.0.12",
    tags: { Name: `node-${id.slice(-4)}` },
    ...extra
  })

const i1 = "i-0aaaaaaaaaaaaaaa1"
const i2 = "i-0aaaaaaaaaaaaaaa2"
const i3 = "i-0aaaaaaaaaaaaaaa3"

describe("EC2 Compute over recorded responses", () => {
  describe("nodes", () => {
    it.effect("listNodes decodes the documented DescribeInstances sample", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const [node] = yield* compute.listNodes()
        expect(node).toMatchObject({
          id: "i-1234567890abcdef0",
          name: "Server_1",
          state: "running",
          publicIps: ["54.194.252.215", "2001:db8:1234:1a2b::123"],
          privateIps: ["192.168.1.88"],
          size: "t2.micro",
          image: "ami-bff32ccc",
          location: "eu-west-1c"
        })
        expect(node!.createdAt?.toISOString()).toBe("2018-05-08T16:46:19.000Z")
        expect(node!.extra).toMatchObject({
          ec2State: "running",
          stateCode: 16,
          keyName: "my_keypair",
          vpcId: "vpc-11112222",
          subnetId: "subnet-56f5f633",
          securityGroups: [{ id: "sg-e4076980", name: "SecurityGroup1" }],
          blockDevices: [{ device: "/dev/xvda", volumeId: "vol-1234567890abcdef0" }],
          tags: { Name: "Server_1" }
        })
        yield* Replay.assertDone
      }).pipe(Effect.provide(replay([{ request: post(`Action=DescribeInstances&${V}&MaxResults=5`), response: ok(X.describeInstancesSample) }]))))

    it.effect("listNodes follows NextToken to the last page", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const nodes = yield* compute.listNodes()
        expect(nodes.map((n) => [n.id, n.state])).toEqual([[i1, "running"], [i2, "pending"], [i3, "stopped"]])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeInstances&${V}&MaxResults=5`),
              response: ok(X.describeInstances([instance(i1, "running"), instance(i2, "pending")], "eyJ2IjoiMiJ9+/=="))
            },
            {
              request: post(`Action=DescribeInstances&${V}&MaxResults=5&NextToken=eyJ2IjoiMiJ9%2B%2F%3D%3D`),
              response: ok(X.describeInstances([instance(i3, "stopped")]))
            }
          ])
        )
      ))

    it.effect("listNodes by ids uses the instance-id filter, so a missing id is just not listed", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        expect((yield* compute.listNodes({ ids: [i1, i2] })).map((n) => n.id)).toEqual([i1])
        expect(yield* compute.listNodes({ ids: [] })).toEqual([])
        const bad = yield* failsWith(compute.listNodes({ ids: ["web-1"] }), "InvalidInput")
        expect(bad.field).toBe("ids")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([{
            request: post(`Action=DescribeInstances&${V}&Filter.1.Name=instance-id&Filter.1.Value.1=${i1}&Filter.1.Value.2=${i2}&MaxResults=5`),
            response: ok(X.describeInstances([instance(i1, "running")]))
          }])
        )
      ))

    it.effect("getNode asks for the one instance; InvalidInstanceID.NotFound is NotFound naming it", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const node = yield* compute.getNode({ id: i1 })
        expect(node.name).toBe(`node-${i1.slice(-4)}`)
        const missing = yield* failsWith(compute.getNode(i2), "NotFound")
        expect(missing).toMatchObject({ resource: "node", id: i2, operation: "Compute.getNode", provider: "aws-ec2" })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=DescribeInstances&${V}&InstanceId.1=${i1}`), response: ok(X.describeInstances([instance(i1, "running")])) },
            {
              request: post(`Action=DescribeInstances&${V}&InstanceId.1=${i2}`),
              response: failure(400, X.error("InvalidInstanceID.NotFound", `The instance ID '${i2}' does not exist`))
            }
          ])
        )
      ))

    it.effect("ids that cannot be EC2 instance ids are InvalidInput before any request", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        for (const ref of ["", "web-1", "i-123", "vol-0aaaaaaaaaaaaaaa1", { id: "" }]) {
          const e = yield* failsWith(compute.getNode(ref), "InvalidInput")
          expect(e.field).toBe("node")
        }
        yield* failsWith(compute.rebootNode("i-XYZ"), "InvalidInput")
        expect(yield* Replay.requests).toEqual([])
      }).pipe(Effect.provide(replay([]))))

    it.effect("createNode sends one RunInstances with every documented parameter and the Name tag", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const node = yield* compute.createNode({
          name: "web 1",
          size: "t3.micro",
          image: "ami-0abcdef1234567890",
          location: "us-east-1a",
          keyPair: "deploy",
          userData: "#cloud-config\nruncmd: [echo hi]\n",
          extra: {
            clientToken: "cloudfx-test-token-1",
            securityGroupIds: ["sg-0123456789abcdef0"],
            subnetId: "subnet-56f5f633",
            blockDeviceMappings: [{ deviceName: "/dev/xvda", volumeSizeGb: 20, volumeType: "gp3", deleteOnTermination: true }],
            tags: { team: "infra" }
          }
        })
        expect(node).toMatchObject({ id: i1, name: "web 1", state: "pending", size: "t3.micro", location: "us-east-1a" })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([{
            request: post(
              [
                "Action=RunInstances",
                V,
                "ClientToken=cloudfx-test-token-1",
                "ImageId=ami-0abcdef1234567890",
                "InstanceType=t3.micro",
                "MinCount=1",
                "MaxCount=1",
                "KeyName=deploy",
                "Placement.AvailabilityZone=us-east-1a",
                `UserData=${encodeURIComponent(Buffer.from("#cloud-config\nruncmd: [echo hi]\n").toString("base64"))}`,
                "SecurityGroupId.1=sg-0123456789abcdef0",
                "SubnetId=subnet-56f5f633",
                "BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda",
                "BlockDeviceMapping.1.Ebs.VolumeSize=20",
                "BlockDeviceMapping.1.Ebs.VolumeType=gp3",
                "BlockDeviceMapping.1.Ebs.DeleteOnTermination=true",
                "TagSpecification.1.ResourceType=instance",
                "TagSpecification.1.Tag.1.Key=team",
                "TagSpecification.1.Tag.1.Value=infra",
                "TagSpecification.1.Tag.2.Key=Name",
                "TagSpecification.1.Tag.2.Value=web%201"
              ].join("&")
            ),
            response: ok(X.runInstances(instance(i1, "pending", { tags: { team: "infra", Name: "web 1" }, clientToken: "cloudfx-test-token-1" })))
          }])
        )
      ))

    it.live("createNode: a RunInstances lost in transit is sent again with the same ClientToken", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const node = yield* compute.createNode({ name: "once", size: "t3.micro", image: "ami-0abcdef1234567890" })
        expect(node.id).toBe(i1)
        const [first, second] = yield* Replay.requests
        const a = decodeBody(first!.body)
        const b = decodeBody(second!.body)
        expect(a.get("ClientToken")).toMatch(/^[0-9a-f-]{36}$/)
        expect(b.toString()).toBe(a.toString())
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "RunInstances" }), response: { transportError: "socket hang up" } },
            { request: postWith({ Action: "RunInstances" }), response: ok(X.runInstances(instance(i1, "pending", { tags: { Name: "once" } }))) }
          ])
        )
      ))

    it.live("two createNode calls carry two different ClientTokens", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const spec = { name: "twin", size: "t3.micro", image: "ami-0abcdef1234567890" }
        yield* compute.createNode(spec)
        yield* compute.createNode(spec)
        const [a, b] = (yield* Replay.requests).map((r) => decodeBody(r.body).get("ClientToken"))
        expect(a).not.toBe(b)
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "RunInstances" }), response: ok(X.runInstances(instance(i1, "pending"))) },
            { request: postWith({ Action: "RunInstances" }), response: ok(X.runInstances(instance(i2, "pending"))) }
          ])
        )
      ))

    it.effect("createNode: unknown image, size, zone and key pair are NotFound naming the resource", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const spec = { name: "x", size: "t9.huge", image: "ami-0000000000000dead", location: "us-east-1z", keyPair: "nope" }
        for (const resource of ["image", "size", "location", "keyPair"]) {
          const e = yield* failsWith(compute.createNode(spec), "NotFound")
          expect([e.resource, e.id]).toEqual([resource, { image: spec.image, size: spec.size, location: spec.location, keyPair: spec.keyPair }[resource]])
        }
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "RunInstances" }), response: failure(400, X.error("InvalidAMIID.NotFound", "The image id '[ami-0000000000000dead]' does not exist")) },
            { request: postWith({ Action: "RunInstances" }), response: failure(400, X.error("InvalidParameterValue", "Invalid value 't9.huge' for InstanceType.")) },
            { request: postWith({ Action: "RunInstances" }), response: failure(400, X.error("InvalidParameterValue", "Invalid availability zone: [us-east-1z]")) },
            { request: postWith({ Action: "RunInstances" }), response: failure(400, X.error("InvalidKeyPair.NotFound", "The key pair 'nope' does not exist")) }
          ])
        )
      ))

    it.effect("createNode: InstanceLimitExceeded is a ProviderError with the code, message and request id", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const e = yield* failsWith(compute.createNode({ name: "x", size: "t3.micro", image: "ami-0abcdef1234567890" }), "ProviderError")
        expect(e).toMatchObject({
          status: 400,
          code: "InstanceLimitExceeded",
          requestId: "ea966190-f9aa-478e-9ede-example",
          detail: "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type."
        })
      }).pipe(
        Effect.provide(
          replay([{
            request: postWith({ Action: "RunInstances" }),
            response: failure(400, X.error("InstanceLimitExceeded", "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type."))
          }])
        )
      ))

    it.effect("createNode checks its input before sending anything", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const spec = { name: "x", size: "t3.micro", image: "ami-0abcdef1234567890" }
        const cases: ReadonlyArray<readonly [string, Compute.CreateNodeSpec]> = [
          ["name", { ...spec, name: "" }],
          ["size", { ...spec, size: "" }],
          ["image", { ...spec, image: "" }],
          ["userData", { ...spec, userData: "x".repeat(16 * 1024 + 1) }],
          ["extra", { ...spec, extra: { subnet: "subnet-1" } }],
          ["extra", { ...spec, extra: { clientToken: "x".repeat(65) } }],
          ["extra.securityGroupIds", { ...spec, extra: { securityGroupIds: ["default"] } }]
        ]
        for (const [field, bad] of cases) {
          const e = yield* failsWith(compute.createNode(bad), "InvalidInput")
          expect(e.field).toBe(field)
        }
        expect(yield* Replay.requests).toEqual([])
      }).pipe(Effect.provide(replay([]))))

    it.effect("start, stop, reboot and terminate send InstanceId.1 and read the documented answers", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        yield* compute.stopNode(i1)
        yield* compute.startNode(i1)
        yield* compute.rebootNode(i1)
        yield* compute.destroyNode(i1)
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=StopInstances&${V}&InstanceId.1=${i1}`), response: ok(X.stateChange("StopInstances", i1, "running", "stopping")) },
            { request: post(`Action=StartInstances&${V}&InstanceId.1=${i1}`), response: ok(X.stateChange("StartInstances", i1, "stopped", "pending")) },
            { request: post(`Action=RebootInstances&${V}&InstanceId.1=${i1}`), response: ok(X.returned("RebootInstances")) },
            { request: post(`Action=TerminateInstances&${V}&InstanceId.1=${i1}`), response: ok(X.stateChange("TerminateInstances", i1, "running", "shutting-down")) }
          ])
        )
      ))

    it.effect("IncorrectInstanceState is Conflict; InvalidInstanceID.Malformed is NotFound", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const c = yield* failsWith(compute.startNode(i1), "Conflict")
        expect(c).toMatchObject({ resource: "node", id: i1, reason: `The instance '${i1}' is not in a state from which it can be started.` })
        const n = yield* failsWith(compute.destroyNode(i2), "NotFound")
        expect([n.resource, n.id]).toEqual(["node", i2])
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "StartInstances" }), response: failure(400, X.error("IncorrectInstanceState", `The instance '${i1}' is not in a state from which it can be started.`)) },
            { request: postWith({ Action: "TerminateInstances" }), response: failure(400, X.error("InvalidInstanceID.Malformed", `Invalid id: "${i2}"`)) }
          ])
        )
      ))

    it.effect("instance states map onto NodeState, an unknown one to \"unknown\"", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const nodes = yield* compute.listNodes()
        expect(nodes.map((n) => n.state)).toEqual(["pending", "running", "stopping", "terminated", "stopping", "stopped", "unknown"])
        expect(nodes[6]!.extra["ec2State"]).toBe("hibernating")
      }).pipe(
        Effect.provide(
          replay([{
            request: post(`Action=DescribeInstances&${V}&MaxResults=5`),
            response: ok(X.describeInstances(
              ["pending", "running", "shutting-down", "terminated", "stopping", "stopped", "hibernating"].map((s, n) => instance(`i-0bbbbbbbbbbbbbbb${n}`, s))
            ))
          }])
        )
      ))
  })

  describe("errors every call can get", () => {
    it.effect("AuthFailure is InvalidCredentials, UnauthorizedOperation PermissionDenied; the secret is in neither", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const a = yield* failsWith(compute.listNodes(), "InvalidCredentials")
        expect(a.reason).toBe("AWS was not able to validate the provided access credentials")
        const d = yield* failsWith(compute.listImages(), "PermissionDenied")
        expect(d.reason).toContain("You are not authorized to perform this operation.")
        for (const e of [a, d]) expect(JSON.stringify(e) + e.message).not.toContain(secret)
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "DescribeInstances" }), response: failure(401, X.error("AuthFailure", "AWS was not able to validate the provided access credentials")) },
            { request: postWith({ Action: "DescribeImages" }), response: failure(403, X.error("UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: abc")) }
          ])
        )
      ))

    it.live("RequestLimitExceeded is retried by the shared policy, then the answer is read", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        expect((yield* compute.listNodes()).map((n) => n.id)).toEqual([i1])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "DescribeInstances" }), response: failure(503, X.error("RequestLimitExceeded", "Request limit exceeded."), { "retry-after": "0" }) },
            { request: postWith({ Action: "DescribeInstances" }), response: failure(400, X.error("Throttling", "Rate exceeded")) },
            { request: postWith({ Action: "DescribeInstances" }), response: ok(X.describeInstances([instance(i1, "running")])) }
          ])
        )
      ))

    it.live("a throttled reboot is sent again (EC2 refused it before acting); a 500 on it is not", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        yield* compute.rebootNode(i1)
        const e = yield* failsWith(compute.rebootNode(i1), "ProviderError")
        expect([e.status, e.code]).toEqual([500, "InternalError"])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "RebootInstances" }), response: failure(503, X.error("RequestLimitExceeded", "Request limit exceeded.")) },
            { request: postWith({ Action: "RebootInstances" }), response: ok(X.returned("RebootInstances")) },
            { request: postWith({ Action: "RebootInstances" }), response: failure(500, X.error("InternalError", "An internal error has occurred")) }
          ])
        )
      ))

    it.live("throttling that never ends gives RateLimited after the policy's attempts", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        yield* failsWith(compute.listSizes(), "RateLimited")
        expect((yield* Replay.requests).length).toBe(3)
      }).pipe(
        Effect.provide(
          replay(
            [{ request: postWith({ Action: "DescribeInstanceTypes" }), response: failure(503, X.error("RequestLimitExceeded", "Request limit exceeded.")), times: Infinity }],
            { retry: { base: "1 millis", cap: "2 millis", maxAttempts: 3, jitter: 0 } }
          )
        )
      ))

    it.effect("RateLimited carries the Retry-After the server sent", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const e = yield* failsWith(compute.listImages(), "RateLimited")
        expect(e.retryAfter === undefined ? undefined : Duration.toMillis(e.retryAfter)).toBe(2000)
      }).pipe(
        Effect.provide(
          replay(
            [{ request: postWith({ Action: "DescribeImages" }), response: failure(503, X.error("RequestLimitExceeded", "Request limit exceeded."), { "retry-after": "2" }) }],
            { retry: false }
          )
        )
      ))

    it.effect("an invalid request EC2 refuses is a ProviderError with its code and message", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const e = yield* failsWith(
          compute.createVolume({ name: "small", sizeGb: 1, location: "us-east-1a", snapshot: "snap-0abcdef1234567890" }),
          "ProviderError"
        )
        expect(e).toMatchObject({
          status: 400,
          code: "InvalidParameterValue",
          detail: "Volume of size 1GB is smaller than snapshot 'snap-0abcdef1234567890', expect size >= 8GB"
        })
      }).pipe(
        Effect.provide(
          replay([{
            request: postWith({ Action: "CreateVolume" }),
            response: failure(400, X.error("InvalidParameterValue", "Volume of size 1GB is smaller than snapshot 'snap-0abcdef1234567890', expect size >= 8GB"))
          }])
        )
      ))

    it.effect("an answer that is not the documented XML is MalformedResponse", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const html = yield* failsWith(compute.listNodes(), "MalformedResponse")
        expect(html.reason).toContain("not well-formed XML")
        const shape = yield* failsWith(compute.getNode(i1), "MalformedResponse")
        expect(shape.reason).toContain("instanceState")
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "DescribeInstances" }), response: ok("<html><body>proxy error</body>") },
            {
              request: postWith({ Action: "DescribeInstances" }),
              response: ok(X.describeInstances([X.instanceItem({ id: i1, image: "ami-0abcdef1234567890", state: "running", type: "t3.micro", zone: "us-east-1a", launchTime: "" }).replace(/<instanceState>.*?<\/instanceState>/, "")]))
            }
          ])
        )
      ))
  })

  describe("catalogue", () => {
    it.effect("listImages asks for the configured owners and follows every page", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const images = yield* compute.listImages()
        expect(images.map((i) => i.id)).toEqual(["ami-0abcdef1234567890", "ami-0fedcba9876543210"])
        expect(images[0]).toMatchObject({ name: "al2023", extra: { ownerAlias: "amazon", architecture: "x86_64", state: "available", public: true } })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeImages&${V}&Owner.1=amazon&Owner.2=099720109477&MaxResults=5`),
              response: ok(X.describeImages([X.imageItem({ id: "ami-0abcdef1234567890", name: "al2023", owner: "137112412989", alias: "amazon" })], "page-2"))
            },
            {
              request: post(`Action=DescribeImages&${V}&Owner.1=amazon&Owner.2=099720109477&MaxResults=5&NextToken=page-2`),
              response: ok(X.describeImages([X.imageItem({ id: "ami-0fedcba9876543210", name: "jammy", owner: "099720109477" })]))
            }
          ], { imageOwners: ["amazon", "099720109477"] })
        )
      ))

    it.effect("listSizes reads DescribeInstanceTypes page by page, with prices from the config", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const sizes = yield* compute.listSizes()
        expect(sizes.map((s) => [s.id, s.vcpus, s.ramMb, s.diskGb, s.price])).toEqual([
          ["t3.micro", 2, 1024, 0, 0.0104],
          ["c5d.large", 2, 4096, 50, undefined]
        ])
        expect(sizes[0]!.extra).toMatchObject({ networkPerformance: "Up to 5 Gigabit", freeTierEligible: true, architectures: ["x86_64"] })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeInstanceTypes&${V}&MaxResults=5`),
              response: ok(X.describeInstanceTypes([X.instanceTypeItem({ type: "t3.micro", vcpus: 2, mib: 1024, network: "Up to 5 Gigabit" })], "next-page"))
            },
            {
              request: post(`Action=DescribeInstanceTypes&${V}&MaxResults=5&NextToken=next-page`),
              response: ok(X.describeInstanceTypes([X.instanceTypeItem({ type: "c5d.large", vcpus: 2, mib: 4096, network: "Up to 10 Gigabit", storageGb: 50 })]))
            }
          ], { prices: (type, region) => (type === "t3.micro" && region === "us-east-1" ? 0.0104 : undefined) })
        )
      ))

    describe("prices without a `prices` config", () => {
      const typesPage = [{
        request: post(`Action=DescribeInstanceTypes&${V}&MaxResults=5`),
        response: ok(X.describeInstanceTypes([
          X.instanceTypeItem({ type: "t3.micro", vcpus: 2, mib: 1024, network: "Up to 5 Gigabit" }),
          X.instanceTypeItem({ type: "x9.unlisted", vcpus: 2, mib: 1024, network: "Up to 5 Gigabit" })
        ]))
      }]

      it.effect("come from the bundled table, which says where and when they are from", () =>
        Effect.gen(function*() {
          const sizes = yield* (yield* Compute).listSizes()
          expect(sizes.map((s) => [s.id, s.price])).toEqual([["t3.micro", 0.0104], ["x9.unlisted", undefined]])
          expect(sizes[0]!.extra).toMatchObject({ priceDate: "2024-06-01" })
          expect(String(sizes[0]!.extra.priceSource)).toContain("aws.amazon.com/ec2/pricing")
        }).pipe(Effect.provide(replay(typesPage))))

      it.effect("come from the Pricing service when the program provides one (a refreshed price wins over the bundled one)", () =>
        Effect.gen(function*() {
          const sizes = yield* (yield* Compute).listSizes()
          expect(sizes.map((s) => [s.id, s.price])).toEqual([["t3.micro", 0.0111], ["x9.unlisted", 0.5]])
          expect(sizes[1]!.extra).toMatchObject({ priceSource: "my price file", priceDate: "2026-11-01" })
        }).pipe(Effect.provide(replay(typesPage).pipe(Layer.provide(pricingWith([
          { provider: "aws", region: "us-east-1", size: "t3.micro", usdPerHour: 0.0111, source: "my price file", date: "2026-11-01" },
          { provider: "aws", region: "us-east-1", size: "x9.unlisted", usdPerHour: 0.5, source: "my price file", date: "2026-11-01" }
        ]))))))

      it.effect("`prices: false` leaves them unknown", () =>
        Effect.gen(function*() {
          const sizes = yield* (yield* Compute).listSizes()
          expect(sizes.map((s) => s.price)).toEqual([undefined, undefined])
        }).pipe(Effect.provide(replay(typesPage, { prices: false }))))
    })

    it.effect("listLocations: the region's zones from the documented sample, with the region's endpoint", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const locations = yield* compute.listLocations()
        expect(locations.map((l) => l.id)).toEqual(["us-east-1a", "us-east-1b"])
        expect(locations[0]!.extra).toMatchObject({
          zoneId: "use1-az1",
          state: "available",
          region: "us-east-1",
          geography: ["United States of America"],
          regionEndpoint: "ec2.us-east-1.amazonaws.com"
        })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=DescribeAvailabilityZones&${V}`), response: ok(X.describeAvailabilityZones([X.zoneItem("us-east-1", "us-east-1a", 1), X.zoneItem("us-east-1", "us-east-1b", 2)])) },
            { request: post(`Action=DescribeRegions&${V}&RegionName.1=us-east-1`), response: ok(X.describeRegions(["us-east-1"])) }
          ], {}, { mode: "match" })
        )
      ))
  })

  describe("key pairs", () => {
    const ed = fingerprints(testPublicKeys.ed25519)
    const rsa = fingerprints(testPublicKeys.rsa)

    it.effect("listKeyPairs asks for public keys and keeps EC2's fingerprints comparable", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const keys = yield* compute.listKeyPairs()
        expect(keys.map((k) => [k.name, k.fingerprint])).toEqual([
          ["my-key-pair", "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f"],
          ["ed", ed.sha256]
        ])
        expect(keys[1]!.publicKey).toBe(testPublicKeys.ed25519)
        expect(keys[1]!.extra).toMatchObject({ keyPairId: "key-0aaaaaaaaaaaaaaa1", keyType: "ed25519" })
      }).pipe(
        Effect.provide(
          replay([{
            request: post(`Action=DescribeKeyPairs&${V}&IncludePublicKey=true`),
            response: ok(X.describeKeyPairs([
              // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeKeyPairs.html (sample values)
              X.keyItem({ name: "my-key-pair", id: "key-0123456789abcdef0", fingerprint: "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f", type: "rsa" }),
              X.keyItem({ name: "ed", id: "key-0aaaaaaaaaaaaaaa1", fingerprint: `${ed.sha256.slice(7)}=`, type: "ed25519", publicKey: testPublicKeys.ed25519 })
            ]))
          }])
        )
      ))

    it.effect("importKeyPair sends the key line base64-encoded; Duplicate is AlreadyExists", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const imported = yield* compute.importKeyPair({ name: "rsa-key", publicKey: `${testPublicKeys.rsa}\n` })
        expect(imported).toMatchObject({ name: "rsa-key", fingerprint: rsa.md5, publicKey: testPublicKeys.rsa })
        expect(imported.privateKey).toBeUndefined()
        const dup = yield* failsWith(compute.importKeyPair({ name: "rsa-key", publicKey: testPublicKeys.ed25519 }), "AlreadyExists")
        expect([dup.resource, dup.id]).toEqual(["keyPair", "rsa-key"])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=ImportKeyPair&${V}&KeyName=rsa-key&PublicKeyMaterial=${encodeURIComponent(Buffer.from(testPublicKeys.rsa).toString("base64"))}`),
              response: ok(X.importKeyPair("rsa-key", "key-abced1234eEXAMPLE", rsa.md5))
            },
            { request: postWith({ Action: "ImportKeyPair" }), response: failure(400, X.error("InvalidKeyPair.Duplicate", "The keypair 'rsa-key' already exists.")) }
          ])
        )
      ))

    it.effect("keys EC2 cannot import are InvalidInput before any request", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg= ecdsa"
        const e = yield* failsWith(compute.importKeyPair({ name: "k", publicKey: ecdsa }), "InvalidInput")
        expect(e.reason).toContain("RSA and ED25519")
        yield* failsWith(compute.importKeyPair({ name: "k", publicKey: "ssh-ed25519 !!!" }), "InvalidInput")
        yield* failsWith(compute.importKeyPair({ name: "ключ", publicKey: testPublicKeys.ed25519 }), "InvalidInput")
        expect(yield* Replay.requests).toEqual([])
      }).pipe(Effect.provide(replay([]))))

    it.effect("deleteKeyPair looks the key up first (DeleteKeyPair succeeds for any name)", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        yield* compute.deleteKeyPair("my-key-pair")
        const e = yield* failsWith(compute.deleteKeyPair("gone"), "NotFound")
        expect([e.resource, e.id]).toEqual(["keyPair", "gone"])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeKeyPairs&${V}&KeyName.1=my-key-pair`),
              response: ok(X.describeKeyPairs([X.keyItem({ name: "my-key-pair", id: "key-12345abcdeEXAMPLE", fingerprint: rsa.md5, type: "rsa" })]))
            },
            { request: post(`Action=DeleteKeyPair&${V}&KeyName=my-key-pair`), response: ok(X.deleteKeyPair("key-12345abcdeEXAMPLE")) },
            {
              request: post(`Action=DescribeKeyPairs&${V}&KeyName.1=gone`),
              response: failure(400, X.error("InvalidKeyPair.NotFound", "The key pair 'gone' does not exist"))
            }
          ])
        )
      ))
  })

  describe("volumes and snapshots", () => {
    const vol = "vol-1234567890abcdef0"
    const snap = "snap-0abcdef1234567890"
    const created = "2024-03-01T09:00:00.000Z"

    it.effect("createVolume sends zone, size, snapshot and Name tag with a ClientToken", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const v = yield* compute.createVolume({ name: "data", sizeGb: 10, location: "us-east-1a", snapshot: snap, extra: { clientToken: "vol-token", volumeType: "gp3" } })
        expect(v).toMatchObject({ id: vol, name: "data", sizeGb: 10, state: "creating", location: "us-east-1a" })
        expect(v.createdAt?.toISOString()).toBe(created)
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([{
            request: post(
              `Action=CreateVolume&${V}&ClientToken=vol-token&AvailabilityZone=us-east-1a&Size=10&SnapshotId=${snap}&VolumeType=gp3` +
                "&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=data"
            ),
            response: ok(X.createVolume({ id: vol, size: 10, zone: "us-east-1a", status: "creating", createTime: created, snapshotId: snap }))
          }])
        )
      ))

    it.effect("createVolume without a location uses the first available zone; a missing snapshot is NotFound", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const e = yield* failsWith(compute.createVolume({ name: "data", sizeGb: 1, snapshot: snap }), "NotFound")
        expect([e.resource, e.id]).toEqual(["snapshot", snap])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeAvailabilityZones&${V}&Filter.1.Name=state&Filter.1.Value.1=available`),
              response: ok(X.describeAvailabilityZones([X.zoneItem("us-east-1", "us-east-1b", 2)]))
            },
            {
              request: postWith({ Action: "CreateVolume", AvailabilityZone: "us-east-1b", SnapshotId: snap }),
              response: failure(400, X.error("InvalidSnapshot.NotFound", `The snapshot '${snap}' does not exist.`))
            }
          ])
        )
      ))

    it.effect("listVolumes decodes the documented sample over two pages and maps attachment states", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const volumes = yield* compute.listVolumes()
        expect(volumes.map((v) => [v.id, v.state, v.attachedTo, v.device])).toEqual([
          [vol, "inUse", "i-1234567890abcdef0", "/dev/sdh"],
          ["vol-0aaaaaaaaaaaaaaa1", "attaching", i1, "/dev/sdf"],
          ["vol-0aaaaaaaaaaaaaaa2", "available", undefined, undefined]
        ])
        // The reference's own placeholder timestamps are not dates: left out, not a failure.
        expect(volumes[0]!.createdAt).toBeUndefined()
        expect(volumes[0]!.extra).toMatchObject({ volumeType: "standard", encrypted: true })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeVolumes&${V}&MaxResults=5`),
              // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html (the sample, verbatim, plus a nextToken)
              response: ok(`<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <volumeSet>
      <item>
         <volumeId>vol-1234567890abcdef0</volumeId>
         <size>80</size>
         <snapshotId/>
         <availabilityZone>us-east-1a</availabilityZone>
         <status>in-use</status>
         <createTime>YYYY-MM-DDTHH:MM:SS.SSSZ</createTime>
         <attachmentSet>
            <item>
               <volumeId>vol-1234567890abcdef0</volumeId>
               <instanceId>i-1234567890abcdef0</instanceId>
               <device>/dev/sdh</device>
               <status>attached</status>
               <attachTime>YYYY-MM-DDTHH:MM:SS.SSSZ</attachTime>
               <deleteOnTermination>false</deleteOnTermination>
            </item>
         </attachmentSet>
         <volumeType>standard</volumeType>
         <encrypted>true</encrypted>
         <multiAttachEnabled>false</multiAttachEnabled>
      </item>
   </volumeSet>
   <nextToken>v2</nextToken>
</DescribeVolumesResponse>`)
            },
            {
              request: post(`Action=DescribeVolumes&${V}&MaxResults=5&NextToken=v2`),
              response: ok(X.describeVolumes([
                X.volumeItem({ id: "vol-0aaaaaaaaaaaaaaa1", size: 1, zone: "us-east-1a", status: "in-use", createTime: created, attachment: { instanceId: i1, device: "/dev/sdf", status: "attaching" } }),
                X.volumeItem({ id: "vol-0aaaaaaaaaaaaaaa2", size: 1, zone: "us-east-1a", status: "available", createTime: created })
              ]))
            }
          ])
        )
      ))

    it.effect("attachVolume picks a device the instance does not use, attaches, and reads the volume back", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const v = yield* compute.attachVolume(vol, i1)
        expect(v).toMatchObject({ id: vol, state: "attaching", attachedTo: i1, device: "/dev/sdg" })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeInstances&${V}&InstanceId.1=${i1}`),
              response: ok(X.describeInstances([instance(i1, "running", { devices: [{ device: "/dev/xvda", volumeId: "vol-0aaaaaaaaaaaaaaa9" }, { device: "/dev/xvdf", volumeId: "vol-0aaaaaaaaaaaaaaa8" }] })]))
            },
            {
              request: post(`Action=AttachVolume&${V}&VolumeId=${vol}&InstanceId=${i1}&Device=%2Fdev%2Fsdg`),
              response: ok(X.volumeAttachment("AttachVolume", vol, i1, "/dev/sdg", "attaching"))
            },
            {
              request: post(`Action=DescribeVolumes&${V}&VolumeId.1=${vol}`),
              // Eventually consistent: the describe has not seen the attachment yet.
              response: ok(X.describeVolumes([X.volumeItem({ id: vol, size: 8, zone: "us-east-1a", status: "available", createTime: created })]))
            }
          ])
        )
      ))

    it.effect("VolumeInUse and IncorrectState are Conflict; InvalidVolume.NotFound is NotFound", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const a = yield* failsWith(compute.attachVolume(vol, i1, { device: "/dev/sdh" }), "Conflict")
        expect([a.resource, a.id, a.reason]).toEqual(["volume", vol, `${vol} is already attached to an instance`])
        yield* failsWith(compute.detachVolume(vol), "Conflict")
        yield* failsWith(compute.destroyVolume(vol), "Conflict")
        const n = yield* failsWith(compute.destroyVolume("vol-0aaaaaaaaaaaaaaa2"), "NotFound")
        expect([n.resource, n.id]).toEqual(["volume", "vol-0aaaaaaaaaaaaaaa2"])
        const bad = yield* failsWith(compute.attachVolume(vol, i1, { device: "sdh; rm" }), "InvalidInput")
        expect(bad.field).toBe("device")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "AttachVolume", Device: "/dev/sdh" }), response: failure(400, X.error("VolumeInUse", `${vol} is already attached to an instance`)) },
            { request: post(`Action=DetachVolume&${V}&VolumeId=${vol}`), response: failure(400, X.error("IncorrectState", `Volume '${vol}' is in the 'available' state.`)) },
            { request: post(`Action=DeleteVolume&${V}&VolumeId=${vol}`), response: failure(400, X.error("VolumeInUse", `Volume ${vol} is currently attached to ${i1}`)) },
            { request: postWith({ Action: "DeleteVolume" }), response: failure(400, X.error("InvalidVolume.NotFound", "The volume 'vol-0aaaaaaaaaaaaaaa2' does not exist.")) }
          ])
        )
      ))

    it.effect("detachVolume answers the volume as it is now", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const v = yield* compute.detachVolume(vol)
        expect(v).toMatchObject({ state: "detaching", attachedTo: i1 })
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=DetachVolume&${V}&VolumeId=${vol}`), response: ok(X.volumeAttachment("DetachVolume", vol, i1, "/dev/sdh", "detaching")) },
            {
              request: post(`Action=DescribeVolumes&${V}&VolumeId.1=${vol}`),
              response: ok(X.describeVolumes([X.volumeItem({ id: vol, size: 8, zone: "us-east-1a", status: "in-use", createTime: created, attachment: { instanceId: i1, device: "/dev/sdh", status: "detaching" } })]))
            }
          ])
        )
      ))

    it.effect("createVolumeSnapshot names the snapshot with a Name tag and the description", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const s = yield* compute.createVolumeSnapshot(vol, { name: "nightly" })
        expect(s).toMatchObject({ id: snap, name: "nightly", volumeId: vol, sizeGb: 8, state: "creating" })
        const e = yield* failsWith(compute.createVolumeSnapshot("vol-0aaaaaaaaaaaaaaa2"), "NotFound")
        expect([e.resource, e.id]).toEqual(["volume", "vol-0aaaaaaaaaaaaaaa2"])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=CreateSnapshot&${V}&VolumeId=${vol}&Description=nightly&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=nightly`),
              response: ok(X.createSnapshot({ id: snap, volumeId: vol, status: "pending", size: 8, description: "nightly", tags: { Name: "nightly" }, startTime: created }))
            },
            { request: postWith({ Action: "CreateSnapshot" }), response: failure(400, X.error("InvalidVolume.NotFound", "The volume 'vol-0aaaaaaaaaaaaaaa2' does not exist.")) }
          ])
        )
      ))

    it.effect("listVolumeSnapshots(volume) checks the volume, then lists own snapshots of it over two pages", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const snaps = yield* compute.listVolumeSnapshots(vol)
        expect(snaps.map((s) => [s.id, s.state, s.name])).toEqual([
          [snap, "available", undefined],
          ["snap-0aaaaaaaaaaaaaaa1", "creating", "b"]
        ])
        expect(snaps[0]!.extra).toMatchObject({ description: "My root volume snapshot", progress: "100%" })
        const e = yield* failsWith(compute.listVolumeSnapshots("vol-0aaaaaaaaaaaaaaa2"), "NotFound")
        expect(e.resource).toBe("volume")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=DescribeVolumes&${V}&VolumeId.1=${vol}`), response: ok(X.describeVolumes([X.volumeItem({ id: vol, size: 8, zone: "us-east-1a", status: "available", createTime: created })])) },
            {
              request: post(`Action=DescribeSnapshots&${V}&Owner.1=self&Filter.1.Name=volume-id&Filter.1.Value.1=${vol}&MaxResults=5`),
              response: ok(X.describeSnapshots([X.snapshotItem({ id: snap, volumeId: vol, status: "completed", size: 8, description: "My root volume snapshot", startTime: "2025-02-03T23:53:18.195Z" })], "s2"))
            },
            {
              request: post(`Action=DescribeSnapshots&${V}&Owner.1=self&Filter.1.Name=volume-id&Filter.1.Value.1=${vol}&MaxResults=5&NextToken=s2`),
              response: ok(X.describeSnapshots([X.snapshotItem({ id: "snap-0aaaaaaaaaaaaaaa1", volumeId: vol, status: "pending", size: 8, tags: { Name: "b" }, startTime: created })]))
            },
            { request: postWith({ Action: "DescribeVolumes" }), response: failure(400, X.error("InvalidVolume.NotFound", "The volume 'vol-0aaaaaaaaaaaaaaa2' does not exist.")) }
          ])
        )
      ))

    it.effect("destroyVolumeSnapshot: InvalidSnapshot.NotFound is NotFound, InvalidSnapshot.InUse Conflict", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const n = yield* failsWith(compute.destroyVolumeSnapshot(snap), "NotFound")
        expect([n.resource, n.id]).toEqual(["snapshot", snap])
        yield* failsWith(compute.destroyVolumeSnapshot({ id: snap }), "Conflict")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: post(`Action=DeleteSnapshot&${V}&SnapshotId=${snap}`), response: failure(400, X.error("InvalidSnapshot.NotFound", `The snapshot '${snap}' does not exist.`)) },
            { request: post(`Action=DeleteSnapshot&${V}&SnapshotId=${snap}`), response: failure(400, X.error("InvalidSnapshot.InUse", `The snapshot ${snap} is currently in use by ami-0abcdef1234567890`)) }
          ])
        )
      ))
  })

  it.effect("a configuration that cannot work fails every call with InvalidConfiguration, sending nothing", () =>
    Effect.gen(function*() {
      const compute = yield* Compute
      const e = yield* failsWith(compute.listNodes(), "ProviderError")
      expect([e.code, e.detail]).toEqual(["InvalidConfiguration", "invalid config.endpoint: must be an http(s) URL without query or credentials"])
      expect(Either.isLeft(yield* Effect.either(compute.listSizes()))).toBe(true)
      expect(yield* Replay.requests).toEqual([])
    }).pipe(Effect.provide(replay([], { endpoint: "ftp://example" }))))
})
