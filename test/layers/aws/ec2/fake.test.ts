/**
 * Flows that need a server with state and a real connection: launch and
 * wait until running, throttling, a RunInstances answer lost on the wire.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Schedule } from "effect"
import * as Ec2 from "../../../../src/layers/aws/ec2/Ec2.js"
import { Compute, waitUntilRunning } from "../../../../src/services/Compute.js"
import { failsWith } from "../../../contract/harness.js"
import { type FakeEc2, startFakeEc2 } from "./fakeServer.js"
import { credentials } from "./support.js"

class Fake extends Context.Tag("test/FakeEc2")<Fake, FakeEc2>() {}

const world = Layer.unwrapScoped(
  Effect.map(startFakeEc2({ pollsUntilRunning: 3 }), (fake) =>
    Layer.mergeAll(
      Layer.succeed(Fake, fake),
      Ec2.layer({ region: fake.region, endpoint: fake.url, credentials, pageSize: 5, retry: { base: "5 millis", cap: "20 millis", jitter: 0 } })
    ))
).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

const spec = { size: "t3.micro", image: "ami-0abcdef1234567890", location: "us-east-1a" }
const since = (fake: FakeEc2, start: number) => fake.received.slice(start)

layer(world, { excludeTestServices: true })("EC2 against the fake Query server", (it) => {
  it.effect("create → poll → running through waitUntilRunning", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const compute = yield* Compute
      const created = yield* compute.createNode({ ...spec, name: "waiter" })
      expect(created.state).toBe("pending")
      expect(created.publicIps).toEqual([])
      const start = fake.received.length
      const [running] = yield* waitUntilRunning([created], { schedule: Schedule.spaced("5 millis"), timeout: "10 seconds" })
      expect(running).toMatchObject({ id: created.id, name: "waiter", state: "running" })
      expect(running!.publicIps[0]).toMatch(/^203\.0\.113\.\d+$/)
      const polls = since(fake, start).filter((r) => r.action === "DescribeInstances")
      expect(polls.length).toBe(4)
      expect(polls.every((r) => r.params.get("InstanceId.1") === created.id)).toBe(true)
      yield* compute.destroyNode(created)
    }))

  it.effect("the wire: a form POST signed for ec2 in the region, the documented Version", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const compute = yield* Compute
      const start = fake.received.length
      yield* compute.listLocations()
      for (const r of since(fake, start)) {
        expect(r.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
        expect(r.headers["authorization"]).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ec2\/aws4_request/)
        expect(r.params.get("Version")).toBe("2016-11-15")
      }
    }))

  it.effect("RequestLimitExceeded is retried, then the answer is read", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const compute = yield* Compute
      const start = fake.received.length
      fake.fault("DescribeInstanceTypes", "throttle")
      fake.fault("DescribeInstanceTypes", "throttle")
      const sizes = yield* compute.listSizes()
      expect(sizes.map((s) => s.id)).toContain("t2.nano")
      // Two refusals, then two pages.
      expect(since(fake, start).map((r) => r.action)).toEqual(Array(4).fill("DescribeInstanceTypes"))
    }))

  it.effect("a RunInstances answer lost on the wire: sent again with its ClientToken, one instance launched", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const compute = yield* Compute
      const before = fake.instanceCount()
      const start = fake.received.length
      fake.fault("RunInstances", "drop")
      const node = yield* compute.createNode({ ...spec, name: "exactly-once" })
      const runs = since(fake, start).filter((r) => r.action === "RunInstances")
      expect(runs.length).toBe(2)
      expect(runs[0]!.params.get("ClientToken")).toBeTruthy()
      expect(runs[1]!.params.get("ClientToken")).toBe(runs[0]!.params.get("ClientToken"))
      expect(fake.instanceCount()).toBe(before + 1)
      const listed = (yield* compute.listNodes()).filter((n) => n.name === "exactly-once")
      expect(listed.map((n) => n.id)).toEqual([node.id])
      yield* compute.destroyNode(node)
    }))

  it.effect("a reboot whose answer is lost is not sent twice", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const compute = yield* Compute
      const node = yield* compute.createNode({ ...spec, name: "reboot-once" })
      yield* waitUntilRunning([node], { schedule: Schedule.spaced("5 millis"), timeout: "10 seconds" })
      const start = fake.received.length
      fake.fault("RebootInstances", "drop")
      yield* failsWith(compute.rebootNode(node), "Transport")
      expect(since(fake, start).filter((r) => r.action === "RebootInstances").length).toBe(1)
      fake.fault("RebootInstances", "throttle")
      yield* compute.rebootNode(node)
      expect(since(fake, start).filter((r) => r.action === "RebootInstances").length).toBe(3)
      yield* compute.destroyNode(node)
    }))

  it.effect("Ec2.listNodes by state; createKeyPair's private key stays Redacted", () =>
    Effect.gen(function*() {
      const compute = yield* Compute
      const ec2 = yield* Ec2.Ec2
      const node = yield* compute.createNode({ ...spec, name: "by-state" })
      const pending = yield* ec2.listNodes({ ids: [node.id], states: ["pending"] })
      expect(pending.map((n) => n.id)).toEqual([node.id])
      yield* compute.destroyNode(node)
      const key = yield* ec2.createKeyPair("generated", { keyType: "ed25519" })
      expect(Redacted.value(key.privateKey!)).toContain("BEGIN PRIVATE KEY")
      expect(JSON.stringify(key)).not.toContain("BEGIN PRIVATE KEY")
      expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
      const listed = (yield* compute.listKeyPairs()).find((k) => k.name === "generated")
      expect(listed?.fingerprint).toBe(key.fingerprint)
      yield* compute.deleteKeyPair("generated")
    }))

  it.effect("credentials EC2 does not know are InvalidCredentials (AuthFailure)", () =>
    Effect.gen(function*() {
      const fake = yield* Fake
      const stranger = yield* Ec2.make({
        region: fake.region,
        endpoint: fake.url,
        credentials: { accessKeyId: "AKIDSTRANGER", secretAccessKey: Redacted.make("nope") }
      })
      const e = yield* failsWith(stranger.listNodes(), "InvalidCredentials")
      expect(e.reason).toContain("not able to validate")
    }))
})
