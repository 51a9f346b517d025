import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { makeCompute } from "../../../src/layers/memory/compute.js"
import { Memory } from "../../../src/layers/memory/index.js"
import type { Node } from "../../../src/schemas/Models.js"
import { Compute, waitUntilRunning, waitUntilRunningOn } from "../../../src/services/Compute.js"
import { outcome, withRecordedSpans } from "./support.js"

const spec = (name: string, extra?: Record<string, unknown>) => ({
  name,
  size: "s-1vcpu-1gb",
  image: "debian-12",
  ...(extra === undefined ? {} : { extra })
})

/** Observe a node `n` times with getNode, returning the states seen. */
const observeStates = (compute: Compute.Service, id: string, n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.map(compute.getNode(id), (x) => x.state))

const keys = {
  ed25519: {
    line: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZC3+mkIbtz4/KrYYb8uPGLfPj8tIRiJpLT4b3FKx7a cloudfx-contract",
    fingerprint: "SHA256:iL78xC/28rk9HI2GGL0TFoiYklJZDQihNo2On3mizbQ"
  },
  rsa: {
    line:
      "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1/ePlGgdVn/O6RQZaMQKRJM+VDpKVvAenFhplL5VejyAYpV6wsVGi4eZnwx9Bw6VG9YVJ05An8KyMbH1Cqte/QKaRQtTP/11ZsF6kncmsZkqKItoifkMTDgOjBAmCh7R5ABVdQkuxc7N1EB0dcy5d2g3s7sQIPK+9qSQWlhtYu8VXkbPWh1nKHCZaXE3DVIELTAcEjR3XIcNAzVeJUVcM+hzqylE4gQC92Z4AcXBUDHhGs0gLOYMeqzGNXwsB6moNTLPYJkptbKXrWH5YhdROgeK65vPH4FVANkaMlVUenTXjRqwpNde65TW9dN8zIcdg4MFznK1URz4q6//UoiOn rsa-test",
    fingerprint: "SHA256:I84hf90/lra9jBMxbi2GXIuMGtYELb2V4dh+VfoZjuw"
  },
  ecdsa: {
    line:
      "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCqfqj7MHJtr2zgzK5t0PfsFYHS+0mBIgzZb4uSsyieZ2WJchbvoWDqt0DiZ/RncltvDSIlhoo6DCMJKmwaSru8= ecdsa",
    fingerprint: "SHA256:mbfFK4HzW2bl180JmqHfTspbI/ARdfuQCNb6AAn5qLo"
  }
} as const

describe("memory Compute", () => {
  it.effect("says it is memory, in its region, with every compute capability", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ region: "test-9" })
      expect(compute.provider.id).toBe("memory")
      expect(compute.provider.region).toBe("test-9")
      expect([...compute.provider.capabilities].sort()).toEqual(
        ["compute.keyPairs", "compute.reboot", "compute.snapshots", "compute.startStop", "compute.volumes"]
      )
    }))

  it.effect("the default catalogue is realistic, and can be replaced", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute()
      const sizes = yield* compute.listSizes()
      expect(sizes.length).toBeGreaterThanOrEqual(5)
      for (const s of sizes) {
        expect(s.price).toBeGreaterThan(0)
        expect(s.price).toBeLessThan(5)
        expect(s.vcpus).toBeGreaterThan(0)
        expect(s.bandwidth).toBeGreaterThan(0)
      }
      expect(sizes.map((s) => s.ramMb)).toEqual([...sizes.map((s) => s.ramMb)].sort((a, b) => a - b))
      expect((yield* compute.listImages()).map((i) => i.id)).toEqual(expect.arrayContaining(["debian-12", "ubuntu-24.04"]))
      for (const l of yield* compute.listLocations()) expect(l.country).toMatch(/^[A-Z]{2}$/)

      const custom = yield* makeCompute({ sizes: [sizes[0]!], images: [], locations: [] })
      expect((yield* custom.listSizes()).map((s) => s.id)).toEqual([sizes[0]!.id])
      expect(yield* custom.listImages()).toEqual([])
      expect(yield* outcome(custom.createNode(spec("x")))).toBe("NotFound")
    }))

  it.effect("a new node is pending for pollsUntilRunning observations, then running with addresses", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ pollsUntilRunning: 3 })
      const created = yield* compute.createNode(spec("web"))
      expect(created.state).toBe("pending")
      expect(created.id).toMatch(/^i-0[0-9a-f]{16}$/)
      expect(created.publicIps).toEqual([])
      expect(created.privateIps[0]).toMatch(/^10\.\d+\.\d+\.\d+$/)
      expect(created.location).toBe("ams1")
      // Creating is not an observation; getNode and listNodes both are.
      expect(yield* observeStates(compute, created.id, 2)).toEqual(["pending", "pending"])
      const [listed] = yield* compute.listNodes()
      expect(listed!.state).toBe("pending")
      const running = yield* compute.getNode(created.id)
      expect(running.state).toBe("running")
      expect(running.publicIps[0]).toMatch(/^203\.0\.113\.\d+$/)
      expect(running.privateIps).toEqual(created.privateIps)
      expect(yield* observeStates(compute, created.id, 3)).toEqual(["running", "running", "running"])
    }))

  it.effect("pollsUntilRunning 0 runs at once; every node gets its own addresses", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ pollsUntilRunning: 0 })
      const nodes: Array<Node> = []
      for (let i = 0; i < 5; i++) nodes.push(yield* compute.createNode(spec(`n${i}`)))
      expect(nodes.map((n) => n.state)).toEqual(Array(5).fill("running"))
      expect(new Set(nodes.map((n) => n.id)).size).toBe(5)
      expect(new Set(nodes.map((n) => n.publicIps[0])).size).toBe(5)
      expect(new Set(nodes.map((n) => n.privateIps[0])).size).toBe(5)
    }))

  it.effect("a destroyed node is terminated for pollsUntilGone observations, then NotFound", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ pollsUntilRunning: 1, pollsUntilGone: 2 })
      const node = yield* compute.createNode(spec("doomed"))
      const other = yield* compute.createNode(spec("survivor"))
      yield* compute.destroyNode(node)
      const first = yield* compute.getNode(node.id)
      expect(first.state).toBe("terminated")
      expect(first.publicIps).toEqual([])
      expect((yield* compute.listNodes()).map((n) => [n.name, n.state])).toEqual([
        ["doomed", "terminated"],
        ["survivor", "pending"]
      ])
      // Terminating twice is a no-op while it is visible.
      yield* compute.destroyNode(node.id)
      expect(yield* outcome(compute.getNode(node.id))).toBe("NotFound")
      expect((yield* compute.listNodes()).map((n) => n.id)).toEqual([other.id])
      expect(yield* outcome(compute.destroyNode(node.id))).toBe("NotFound")
      expect(yield* outcome(compute.rebootNode(node.id))).toBe("NotFound")
    }))

  it.effect("pollsUntilGone defaults to pollsUntilRunning; 0 means gone at once", () =>
    Effect.gen(function*() {
      const slow = yield* makeCompute({ pollsUntilRunning: 4 })
      const a = yield* slow.createNode(spec("a"))
      yield* slow.destroyNode(a)
      expect(yield* observeStates(slow, a.id, 4)).toEqual(Array(4).fill("terminated"))
      expect(yield* outcome(slow.getNode(a.id))).toBe("NotFound")

      const quick = yield* makeCompute({ pollsUntilRunning: 0 })
      const b = yield* quick.createNode(spec("b"))
      yield* quick.destroyNode(b)
      expect(yield* outcome(quick.getNode(b.id))).toBe("NotFound")
      expect(yield* quick.listNodes()).toEqual([])
    }))

  it.effect("reboot, stop and start follow the state rules, through transitional states", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ pollsUntilRunning: 1 })
      const node = yield* compute.createNode(spec("box"))
      for (const action of [compute.rebootNode, compute.stopNode, compute.startNode]) {
        expect(yield* outcome(action(node.id)), "nothing but destroy while pending").toBe("Conflict")
      }
      expect(yield* observeStates(compute, node.id, 2)).toEqual(["pending", "running"])
      expect(yield* outcome(compute.startNode(node.id))).toBe("Conflict")

      yield* compute.rebootNode(node.id)
      expect(yield* outcome(compute.rebootNode(node.id)), "rebooting while rebooting").toBe("Conflict")
      expect(yield* observeStates(compute, node.id, 2)).toEqual(["rebooting", "running"])

      yield* compute.stopNode(node)
      expect(yield* outcome(compute.stopNode(node)), "stopping while stopping").toBe("Conflict")
      expect(yield* observeStates(compute, node.id, 2)).toEqual(["stopping", "stopped"])
      const stopped = yield* compute.getNode(node.id)
      expect(stopped.publicIps.length, "the address is kept while stopped").toBe(1)
      const conflict = yield* Effect.flip(compute.stopNode(node))
      expect(conflict._tag).toBe("Conflict")
      expect(conflict).toMatchObject({ resource: "node", id: node.id, operation: "Compute.stopNode", provider: "memory" })
      expect(yield* outcome(compute.rebootNode(node))).toBe("Conflict")

      yield* compute.startNode(node)
      expect(yield* observeStates(compute, node.id, 2)).toEqual(["starting", "running"])
      expect((yield* compute.getNode(node.id)).publicIps).toEqual(stopped.publicIps)

      yield* compute.destroyNode(node)
      for (const action of [compute.rebootNode, compute.stopNode, compute.startNode]) {
        expect(yield* outcome(action(node.id))).toBe("Conflict")
      }
    }))

  describe("waitUntilRunning", () => {
    it.effect("returns the running nodes once they run", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 5 })
        const a = yield* compute.createNode(spec("a"))
        const b = yield* compute.createNode(spec("b"))
        const nodes = yield* waitUntilRunningOn(compute, [a, b.id], { schedule: Schedule.forever })
        expect(nodes.map((n) => [n.id, n.state])).toEqual([[a.id, "running"], [b.id, "running"]])
        expect(nodes.every((n) => n.publicIps.length === 1)).toBe(true)
      }))

    it.effect("works from context with Memory.layerCompute", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const node = yield* compute.createNode(spec("ctx"))
        const [running] = yield* waitUntilRunning([node], { schedule: Schedule.forever })
        expect(running!.state).toBe("running")
      }).pipe(Effect.provide(Memory.layerCompute({ pollsUntilRunning: 2 }))))

    it.effect("fails with Timeout when a node never runs (TestClock)", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 1_000_000 })
        const node = yield* compute.createNode(spec("slow"))
        const fiber = yield* Effect.fork(
          waitUntilRunningOn(compute, [node], { schedule: Schedule.spaced("1 second"), timeout: "1 minute" })
        )
        yield* TestClock.adjust("59 seconds")
        expect(Option.isNone(yield* Fiber.poll(fiber)), "still waiting before the minute is up").toBe(true)
        yield* TestClock.adjust("2 seconds")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error._tag).toBe("Timeout")
        expect(error).toMatchObject({ provider: "memory", operation: "Compute.waitUntilRunning" })
      }))

    it.effect("fails with UnexpectedState when a node ends in error", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 2 })
        const node = yield* compute.createNode(spec("broken", { provisioning: "fail" }))
        expect(node.state).toBe("pending")
        const error = yield* Effect.flip(waitUntilRunningOn(compute, [node], { schedule: Schedule.forever }))
        expect(error).toMatchObject({ _tag: "UnexpectedState", id: node.id, state: "error", expected: "running" })
        expect((yield* compute.getNode(node)).state).toBe("error")
        expect(yield* outcome(compute.rebootNode(node))).toBe("Conflict")
        yield* compute.destroyNode(node)
      }))

    it.effect("fails with UnexpectedState when a node is terminated while waiting", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 3 })
        const node = yield* compute.createNode(spec("gone"))
        yield* compute.destroyNode(node)
        const error = yield* Effect.flip(waitUntilRunningOn(compute, [node], { schedule: Schedule.forever }))
        expect(error).toMatchObject({ _tag: "UnexpectedState", state: "terminated" })
      }))

    it.effect("honours requirePublicIp for a node without a public address", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 1 })
        const node = yield* compute.createNode(spec("private", { assignPublicIp: false }))
        const [running] = yield* waitUntilRunningOn(compute, [node], {
          schedule: Schedule.forever,
          requirePublicIp: false
        })
        expect(running!.state).toBe("running")
        expect(running!.publicIps).toEqual([])
        expect(running!.privateIps.length).toBe(1)

        const fiber = yield* Effect.fork(
          waitUntilRunningOn(compute, [node], { schedule: Schedule.spaced("1 second"), timeout: "30 seconds" })
        )
        yield* TestClock.adjust("31 seconds")
        expect((yield* Effect.flip(Fiber.join(fiber)))._tag).toBe("Timeout")
      }))
  })

  describe("key pairs", () => {
    it.effect("fingerprints are what ssh-keygen -l prints", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute()
        for (const [kind, key] of Object.entries(keys)) {
          const imported = yield* compute.importKeyPair({ name: kind, publicKey: `  ${key.line}\n` })
          expect(imported.fingerprint, kind).toBe(key.fingerprint)
          expect(imported.publicKey, "stored trimmed").toBe(key.line)
          expect(imported.extra["type"]).toBe(key.line.split(" ")[0])
        }
        expect((yield* compute.listKeyPairs()).map((k) => k.name)).toEqual(["ed25519", "rsa", "ecdsa"])
      }))

    it.effect("a key without a comment is fine; garbage is InvalidInput naming publicKey", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute()
        const bare = keys.ed25519.line.split(" ").slice(0, 2).join(" ")
        expect((yield* compute.importKeyPair({ name: "bare", publicKey: bare })).fingerprint).toBe(keys.ed25519.fingerprint)
        const blob = keys.ed25519.line.split(" ")[1]!
        for (
          const publicKey of [
            "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
            `ssh-ed25519 ${blob.slice(0, -4)}`,
            `ssh-ed25519 ${blob}==`,
            `ecdsa-sha2-nistp256 ${blob}`,
            `ssh-ed25519 ${Buffer.from("garbage that is base64").toString("base64")}`,
            42 as unknown as string
          ]
        ) {
          const error = yield* Effect.flip(compute.importKeyPair({ name: "bad", publicKey }))
          expect(error, String(publicKey)).toMatchObject({ _tag: "InvalidInput", field: "publicKey" })
        }
        expect((yield* compute.listKeyPairs()).map((k) => k.name)).toEqual(["bare"])
      }))

    it.effect("createNode needs an existing key pair and records it", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute()
        expect(yield* outcome(compute.createNode({ ...spec("k"), keyPair: "nope" }))).toBe("NotFound")
        yield* compute.importKeyPair({ name: "mine", publicKey: keys.ed25519.line })
        const node = yield* compute.createNode({ ...spec("k"), keyPair: "mine", userData: "#cloud-config\n" })
        expect(node.extra["keyPair"]).toBe("mine")
        expect(node.extra["hasUserData"]).toBe(true)
        expect(JSON.stringify(node), "user data is never shown back").not.toContain("cloud-config")
        expect(yield* outcome(compute.createNode({ ...spec("k"), userData: "x".repeat(16385) }))).toBe("InvalidInput")
      }))
  })

  describe("volumes", () => {
    it.effect("attach picks free devices, refuses conflicts, and a destroyed node lets its volumes go", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ pollsUntilRunning: 0 })
        const node = yield* compute.createNode(spec("db"))
        const v1 = yield* compute.createVolume({ name: "data", sizeGb: 10 })
        const v2 = yield* compute.createVolume({ name: "logs", sizeGb: 5 })
        expect(v1.id).toMatch(/^vol-0[0-9a-f]{16}$/)
        expect(v1.state).toBe("available")
        expect(v1.location).toBe("ams1")
        const a1 = yield* compute.attachVolume(v1, node)
        const a2 = yield* compute.attachVolume(v2, node)
        expect([a1.device, a2.device]).toEqual(["/dev/vdb", "/dev/vdc"])
        expect([a1.state, a1.attachedTo]).toEqual(["inUse", node.id])

        const v3 = yield* compute.createVolume({ name: "more", sizeGb: 1 })
        expect(yield* outcome(compute.attachVolume(v3, node, { device: "/dev/vdb" })), "device taken").toBe("Conflict")
        expect(yield* outcome(compute.attachVolume(v3, node, { device: "sdb" }))).toBe("InvalidInput")
        expect((yield* compute.attachVolume(v3, node, { device: "/dev/sdf" })).device).toBe("/dev/sdf")

        const elsewhere = yield* compute.createVolume({ name: "far", sizeGb: 1, location: "syd1" })
        const mismatch = yield* Effect.flip(compute.attachVolume(elsewhere, node))
        expect(mismatch).toMatchObject({ _tag: "Conflict", resource: "volume" })
        expect(yield* outcome(compute.createVolume({ name: "x", sizeGb: 1, location: "mars1" }))).toBe("NotFound")

        yield* compute.destroyNode(node)
        const volumes = yield* compute.listVolumes()
        expect(volumes.filter((v) => v.state === "inUse")).toEqual([])
        expect(yield* outcome(compute.attachVolume(v1, node)), "a terminated node takes no volume").toBe("Conflict")
        yield* compute.destroyVolume(v1)
        expect((yield* compute.listVolumes()).map((v) => v.name)).toEqual(["logs", "more", "far"])
      }))

    it.effect("snapshots keep their size; a volume from one must be at least as big", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute()
        const volume = yield* compute.createVolume({ name: "src", sizeGb: 20 })
        const snapshot = yield* compute.createVolumeSnapshot(volume)
        expect(snapshot).toMatchObject({ volumeId: volume.id, sizeGb: 20, state: "available" })
        expect(snapshot.id).toMatch(/^snap-0[0-9a-f]{16}$/)
        expect(snapshot.name).toBeUndefined()
        const small = yield* Effect.flip(compute.createVolume({ name: "small", sizeGb: 10, snapshot }))
        expect(small).toMatchObject({ _tag: "InvalidInput", field: "sizeGb" })
        const restored = yield* compute.createVolume({ name: "copy", sizeGb: 30, snapshot })
        expect(restored.extra["snapshotId"]).toBe(snapshot.id)
        // A snapshot outlives its volume.
        yield* compute.destroyVolume(volume)
        expect((yield* compute.listVolumeSnapshots()).map((s) => s.id)).toEqual([snapshot.id])
        expect(yield* outcome(compute.listVolumeSnapshots(volume))).toBe("NotFound")
        expect((yield* compute.listVolumes()).map((v) => v.name)).toEqual(["copy"])
      }))
  })

  it.effect("garbage input is InvalidInput, never a defect", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute()
      const garbage = <A>(u: unknown) => u as A
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        compute.getNode(garbage(undefined)),
        compute.getNode(garbage(null)),
        compute.getNode(garbage(42)),
        compute.getNode(garbage({ id: 42 })),
        compute.createNode(garbage(null)),
        compute.createNode(garbage("web")),
        compute.createNode(garbage({ name: "x", size: undefined, image: "debian-12" })),
        compute.createNode({ ...spec("x"), extra: garbage("nope") }),
        compute.createNode({ ...spec("x"), extra: { assignPublicIp: "yes" } }),
        compute.createNode({ ...spec("x"), extra: { provisioning: "maybe" } }),
        compute.listNodes(garbage({ ids: "i-1" })),
        compute.listNodes(garbage(7)),
        compute.importKeyPair(garbage(undefined)),
        compute.importKeyPair(garbage({ name: 1, publicKey: keys.ed25519.line })),
        compute.deleteKeyPair(garbage(null)),
        compute.createVolume(garbage({ name: "v", sizeGb: "10" })),
        compute.createVolume({ name: "v", sizeGb: 20000 }),
        compute.attachVolume(garbage(null), garbage(null)),
        compute.attachVolume("vol-1", "i-1", garbage({ device: 5 })),
        compute.createVolumeSnapshot("vol-1", garbage({ name: "" })),
        compute.listVolumeSnapshots(garbage(null))
      ]
      for (const [i, call] of calls.entries()) expect(yield* outcome(call), `call ${i}`).toBe("InvalidInput")
      expect(yield* compute.listNodes()).toEqual([])
    }))

  it.effect("every make is its own cloud", () =>
    Effect.gen(function*() {
      const one = yield* makeCompute()
      const two = yield* makeCompute()
      const node = yield* one.createNode(spec("only-in-one"))
      yield* one.importKeyPair({ name: "k", publicKey: keys.ed25519.line })
      expect(yield* two.listNodes()).toEqual([])
      expect(yield* outcome(two.getNode(node.id))).toBe("NotFound")
      yield* two.importKeyPair({ name: "k", publicKey: keys.ed25519.line })
    }))

  describe("faults and latency", () => {
    const script = (compute: Compute.Service) =>
      Effect.forEach(Array.from({ length: 60 }, (_, i) => i), (i) =>
        outcome<unknown, unknown, never>(
          i % 3 === 0
            ? compute.createNode(spec(`n${i}`))
            : i % 3 === 1
            ? compute.listNodes()
            : compute.listSizes()
        ))

    it.effect("seeded faults are deterministic, typed, and change nothing", () =>
      Effect.gen(function*() {
        const faults = { seed: 42, rateLimited: 0.2, transport: 0.2, retryAfter: "3 seconds" } as const
        const a = yield* script(yield* makeCompute({ faults }))
        const b = yield* script(yield* makeCompute({ faults }))
        expect(a).toEqual(b)
        expect(new Set(a)).toEqual(new Set(["Success", "RateLimited", "Transport"]))
        const c = yield* script(yield* makeCompute({ faults: { ...faults, seed: 7 } }))
        expect(c).not.toEqual(a)

        const compute = yield* makeCompute({ faults })
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 30 }, (_, i) => i),
          (i) => outcome(compute.createNode(spec(`node-${i}`)))
        )
        const created = outcomes.filter((o) => o === "Success").length
        expect(created).toBeGreaterThan(0)
        expect(created).toBeLessThan(30)
        // Read until a listing gets through: only the calls that succeeded created anything.
        const nodes = yield* compute.listNodes().pipe(Effect.retry({ times: 50 }))
        expect(nodes.length).toBe(created)
        expect(nodes.map((n) => n.name)).toEqual(
          outcomes.flatMap((o, i) => (o === "Success" ? [`node-${i}`] : []))
        )
        const limited = yield* Effect.flip(
          makeCompute({ faults: { seed: 1, rateLimited: 1 } }).pipe(
            Effect.flatMap((x) => x.listSizes())
          )
        )
        expect(limited).toMatchObject({ _tag: "RateLimited", provider: "memory", operation: "Compute.listSizes" })
      }))

    it.effect("bad input is refused before the fault injector rolls", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ faults: { seed: 3, transport: 1 } })
        expect(yield* outcome(compute.getNode(""))).toBe("InvalidInput")
        expect(yield* outcome(compute.getNode("i-1"))).toBe("Transport")
      }))

    it.effect("latency delays every call (TestClock)", () =>
      Effect.gen(function*() {
        const compute = yield* makeCompute({ latency: "2 seconds", pollsUntilRunning: 0 })
        const fiber = yield* Effect.fork(compute.createNode(spec("late")))
        yield* TestClock.adjust("1999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 milli")
        const node = yield* Fiber.join(fiber)
        expect(node.state).toBe("running")
        const listing = yield* Effect.fork(compute.listNodes())
        yield* TestClock.adjust("2 seconds")
        expect((yield* Fiber.join(listing)).length).toBe(1)
      }))
  })

  it.effect("every operation runs in its span, with provider attributes", () =>
    Effect.gen(function*() {
      const compute = yield* makeCompute({ pollsUntilRunning: 0 })
      const { spans } = yield* withRecordedSpans(
        Effect.gen(function*() {
          const node = yield* compute.createNode(spec("traced"))
          yield* compute.getNode(node.id)
          yield* compute.rebootNode(node.id)
          yield* compute.listSizes()
        })
      )
      expect(spans.map((s) => s.name)).toEqual([
        "Compute.createNode",
        "Compute.getNode",
        "Compute.rebootNode",
        "Compute.listSizes"
      ])
      expect(Object.fromEntries(spans[1]!.attributes)).toMatchObject({
        "cloudfx.provider": "memory",
        "cloudfx.operation": "Compute.getNode"
      })
      expect(spans[1]!.attributes.get("cloudfx.node")).toMatch(/^i-0/)
    }))
})
