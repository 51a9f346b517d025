import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schedule } from "effect"
import * as Index from "../../../src/layers/memory/index.js"
import { Memory } from "../../../src/layers/memory/index.js"
import { Compute, waitUntilRunning } from "../../../src/services/Compute.js"
import { Dns } from "../../../src/services/Dns.js"
import { LoadBalancer } from "../../../src/services/LoadBalancer.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"

describe("cloudfx/memory", () => {
  it("exports one namespace, Memory, with makers and layers for every service", () => {
    expect(Object.keys(Index)).toEqual(["Memory"])
    for (
      const name of [
        "makeCompute",
        "makeLoadBalancer",
        "makeDns",
        "makeObjectStorage",
        "layerCompute",
        "layerLoadBalancer",
        "layerDns",
        "layerObjectStorage",
        "layer"
      ] as const
    ) {
      expect(typeof Memory[name], name).toBe("function")
    }
  })

  it.effect("Memory.layer provides all four services, each its own memory cloud", () =>
    Effect.gen(function*() {
      const compute = yield* Compute
      const storage = yield* ObjectStorage
      const lb = yield* LoadBalancer
      const dns = yield* Dns
      for (const s of [compute, storage, lb, dns]) expect(s.provider.id).toBe("memory")
      for (const s of [compute, lb, dns]) expect(s.provider.region).toBe("lab-1")
      const node = yield* compute.createNode({ name: "n", size: "s-1vcpu-1gb", image: "debian-12" })
      const [running] = yield* waitUntilRunning([node], { schedule: Schedule.forever })
      const b = yield* lb.createBalancer({ name: "b", port: 80, protocol: "http", algorithm: "roundRobin" })
      const member = yield* lb.attachComputeNode(b, running!, 8080)
      expect(member.ip).toBe(running!.publicIps[0])
      const zone = yield* dns.createZone({ domain: "memory.example" })
      const record = yield* dns.createRecord(zone, { name: "www", type: "A", data: b.ip! })
      expect(record.data).toMatch(/^198\.51\.100\./)
      yield* storage.createContainer("c")
      expect((yield* storage.listContainers()).map((c) => c.name)).toEqual(["c"])
    }).pipe(Effect.provide(Memory.layer({ region: "lab-1", pollsUntilRunning: 1 }))))

  it.effect("building a layer twice gives two independent clouds", () =>
    Effect.gen(function*() {
      const make = Layer.build(Memory.layerCompute())
      const a = yield* Effect.map(make, (ctx) => Context.get(ctx, Compute))
      const b = yield* Effect.map(make, (ctx) => Context.get(ctx, Compute))
      yield* a.createNode({ name: "only-a", size: "s-1vcpu-1gb", image: "debian-12" })
      expect((yield* a.listNodes()).length).toBe(1)
      expect(yield* b.listNodes()).toEqual([])
    }).pipe(Effect.scoped))
})
