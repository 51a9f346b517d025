/**
 * `cheapestSize` across two memory clouds with different catalogues, and
 * `withPrices` filling what a provider does not price.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Memory } from "../../../src/layers/memory/index.js"
import { NodeLocation, NodeSize } from "../../../src/schemas/Models.js"
import { cheapestSize, makePricing, type Pricing, withPrices } from "../../../src/services/Pricing.js"
import { FetchHttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Layer } from "effect"

const size = (id: string, ramMb: number, vcpus: number | undefined, diskGb: number, price?: number) =>
  new NodeSize({ id, name: id, ramMb, diskGb, ...(vcpus === undefined ? {} : { vcpus }), ...(price === undefined ? {} : { price }), extra: {} })

const location = (id: string) => new NodeLocation({ id, name: id.toUpperCase(), extra: {} })

// Two clouds, each with its own sizes and places.
const cloudA = Memory.makeCompute({
  region: "a-1",
  pollsUntilRunning: 0,
  locations: [location("fra1"), location("ams1")],
  sizes: [
    size("a-small", 1024, 1, 20, 0.005),
    size("a-2-2", 2048, 2, 40, 0.02),
    size("a-2-4", 4096, 2, 50, 0.03),
    size("a-4-8", 8192, 4, 80, 0.06),
    size("a-mystery", 4096, 2, 50)
  ]
})
const cloudB = Memory.makeCompute({
  region: "b-1",
  pollsUntilRunning: 0,
  locations: [location("nyc1")],
  sizes: [
    size("b-2-2", 2048, 2, 25, 0.018),
    size("b-2-4", 4096, 2, 50, 0.03),
    size("b-2-4-same", 4096, 2, 50, 0.03),
    size("b-big-disk", 2048, 2, 500, 0.03),
    size("b-novcpu", 8192, undefined, 100, 0.001)
  ]
})

const ids = (offers: ReadonlyArray<{ readonly provider: { readonly region?: string }; readonly size: NodeSize }>) =>
  offers.map((o) => `${o.provider.region}/${o.size.id}`)

describe("cheapestSize", () => {
  it.effect("ranks every qualifying size of every cloud by price, ties broken the same way every time", () =>
    Effect.gen(function*() {
      const a = yield* cloudA
      const b = yield* cloudB
      const offers = yield* cheapestSize({ minRamMb: 2048, minVcpus: 2 }, [a, b])
      expect(ids(offers)).toEqual([
        "b-1/b-2-2",
        "a-1/a-2-2",
        // 0.03 each: more RAM first, then the order of the clouds, then the id (b-big-disk has less RAM).
        "a-1/a-2-4",
        "b-1/b-2-4",
        "b-1/b-2-4-same",
        "b-1/b-big-disk",
        "a-1/a-4-8"
      ])
      expect(offers[0]?.price).toBe(0.018)
      // The same question with the clouds the other way round: only the order of true ties changes.
      expect(ids(yield* cheapestSize({ minRamMb: 2048, minVcpus: 2 }, [b, a]))).toEqual([
        "b-1/b-2-2",
        "a-1/a-2-2",
        "b-1/b-2-4",
        "b-1/b-2-4-same",
        "a-1/a-2-4",
        "b-1/b-big-disk",
        "a-1/a-4-8"
      ])
    }))

  it.effect("the cheapest provider in one call, and a node made on it", () =>
    Effect.gen(function*() {
      const clouds = [yield* cloudA, yield* cloudB]
      const [best] = yield* cheapestSize({ minRamMb: 4096, minVcpus: 2, minDiskGb: 45 }, clouds)
      expect(best?.provider.region).toBe("a-1")
      expect(best?.size.id).toBe("a-2-4")
      const node = yield* best!.compute.createNode({ name: "cheap", size: best!.size, image: "debian-12" })
      expect(node.size).toBe("a-2-4")
    }))

  it.effect("at the same price and RAM, more vCPUs and then more disk come first", () =>
    Effect.gen(function*() {
      const c = yield* Memory.makeCompute({
        sizes: [size("disk-10", 2048, 2, 10, 0.01), size("cpu-4", 2048, 4, 10, 0.01), size("disk-90", 2048, 2, 90, 0.01)]
      })
      expect(ids(yield* cheapestSize({}, [c])).map((s) => s.split("/")[1])).toEqual(["cpu-4", "disk-90", "disk-10"])
    }))

  it.effect("sizes without a price are left out, or ranked last (smallest first) when asked", () =>
    Effect.gen(function*() {
      const a = yield* cloudA
      expect(ids(yield* cheapestSize({ minRamMb: 4096 }, [a]))).toEqual(["a-1/a-2-4", "a-1/a-4-8"])
      expect(ids(yield* cheapestSize({ minRamMb: 4096 }, [a], { unpriced: "last" }))).toEqual(["a-1/a-2-4", "a-1/a-4-8", "a-1/a-mystery"])
    }))

  it.effect("a size that does not say its vCPUs never meets a vCPU requirement", () =>
    Effect.gen(function*() {
      const b = yield* cloudB
      expect(ids(yield* cheapestSize({ minRamMb: 8192 }, [b]))).toEqual(["b-1/b-novcpu"])
      expect(ids(yield* cheapestSize({ minRamMb: 8192, minVcpus: 1 }, [b]))).toEqual([])
    }))

  it.effect("a location keeps only the clouds serving it: by location id or name, or region", () =>
    Effect.gen(function*() {
      const clouds = [yield* cloudA, yield* cloudB]
      expect(new Set(ids(yield* cheapestSize({ location: "nyc1" }, clouds)).map((s) => s.split("/")[0]))).toEqual(new Set(["b-1"]))
      expect(new Set(ids(yield* cheapestSize({ location: "AMS1" }, clouds)).map((s) => s.split("/")[0]))).toEqual(new Set(["a-1"]))
      expect(new Set(ids(yield* cheapestSize({ location: "b-1" }, clouds)).map((s) => s.split("/")[0]))).toEqual(new Set(["b-1"]))
      expect(yield* cheapestSize({ location: "syd1" }, clouds)).toEqual([])
    }))

  it.effect("requirements are checked first", () =>
    Effect.gen(function*() {
      const a = yield* cloudA
      expect(yield* Effect.flip(cheapestSize({ minRamMb: -1 }, [a]))).toMatchObject({ _tag: "InvalidInput", field: "minRamMb" })
      expect(yield* Effect.flip(cheapestSize({ minVcpus: Number.NaN }, [a]))).toMatchObject({ _tag: "InvalidInput", field: "minVcpus" })
      expect(yield* Effect.flip(cheapestSize({ location: " " }, [a]))).toMatchObject({ _tag: "InvalidInput", field: "location" })
      expect(yield* Effect.flip(cheapestSize({}, "nope" as never))).toMatchObject({ _tag: "InvalidInput", field: "computes" })
    }))
})

describe("withPrices", () => {
  const pricing = makePricing({ cacheDir: false }).pipe(Effect.provide(Layer.merge(FetchHttpClient.layer, NodeFileSystem.layer)))

  // An EC2-like catalogue without prices, as the EC2 API answers.
  const ec2Like = Memory.makeCompute({
    region: "us-east-1",
    sizes: [size("t3.micro", 1024, 2, 8), size("m5.large", 8192, 2, 8), size("x9.huge", 999_999, 96, 8), size("c5.large", 4096, 2, 8, 0.5)]
  })

  it.effect("fills missing prices from the table, says where they came from, and keeps the provider's own", () =>
    Effect.gen(function*() {
      const p: Pricing.Service = yield* pricing
      const priced = withPrices(yield* ec2Like, p, { provider: "ec2" })
      const sizes = yield* priced.listSizes()
      const byId = new Map(sizes.map((s) => [s.id, s]))
      expect(byId.get("t3.micro")?.price).toBe(0.0104)
      expect(byId.get("t3.micro")?.extra).toMatchObject({ priceDate: "2024-06-01" })
      expect(String(byId.get("t3.micro")?.extra["priceSource"])).toContain("aws.amazon.com")
      expect(byId.get("m5.large")?.price).toBe(0.096)
      expect(byId.get("x9.huge")?.price).toBeUndefined()
      expect(byId.get("c5.large")?.price).toBe(0.5)
    }))

  it.effect("without a region nothing is looked up; with one given, it is used", () =>
    Effect.gen(function*() {
      const p = yield* pricing
      const regionless = yield* Memory.makeCompute({ sizes: [size("t3.micro", 1024, 2, 8)] })
      const noRegion = { ...regionless, provider: { id: "ec2", capabilities: regionless.provider.capabilities } }
      expect((yield* withPrices(noRegion, p).listSizes())[0]?.price).toBeUndefined()
      expect((yield* withPrices(noRegion, p, { region: "eu-west-1" }).listSizes())[0]?.price).toBe(0.0114)
    }))

  it.effect("cheapestSize with pricing ranks sizes the provider did not price", () =>
    Effect.gen(function*() {
      const p = yield* pricing
      const ec2 = { ...(yield* ec2Like) }
      const ec2Compute = { ...ec2, provider: { ...ec2.provider, id: "ec2" } }
      const memory = yield* Memory.makeCompute({ region: "m-1" })
      const offers = yield* cheapestSize({ minRamMb: 1024, minVcpus: 2 }, [ec2Compute, memory], { pricing: p })
      expect(ids(offers).slice(0, 4)).toEqual(["us-east-1/t3.micro", "m-1/s-2vcpu-4gb", "m-1/s-4vcpu-8gb", "us-east-1/m5.large"])
      expect(Option.fromNullable(offers.find((o) => o.size.id === "x9.huge"))).toEqual(Option.none())
    }))
})
