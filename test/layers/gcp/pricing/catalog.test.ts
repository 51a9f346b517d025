/**
 * Compute Engine prices from Cloud Billing Catalog pages (fixtures.ts),
 * and machine-type prices derived from core and RAM prices.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { addParts, emptyRates, parsePage } from "../../../../src/layers/gcp/pricing/catalog.js"
import { families, machineTypePrices, partOf, regionOf } from "../../../../src/layers/gcp/pricing/machineTypes.js"
import { page1, page2 } from "./fixtures.js"

const encoder = new TextEncoder()

const chunked = (value: unknown, size: number): Stream.Stream<Uint8Array> => {
  const bytes = encoder.encode(JSON.stringify(value, null, 2))
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return Stream.fromIterable(chunks)
}

const family = (name: string) => families.find((f) => f.family === name)!

describe("parsePage", () => {
  it.effect("keeps on-demand core and RAM SKUs of known families, per region, and the next page token", () =>
    Effect.gen(function*() {
      const page = yield* parsePage(chunked(page1, 61))
      expect(page.skus).toBe(5)
      expect(page.nextPageToken).toEqual(Option.some("CgwI_page2"))
      const seen = page.parts.map((p) => `${p.family.family} ${p.part} ${p.region} ${p.usdPerUnitHour}`)
      expect(seen).toEqual([
        "e2 core us-central1 0.021811",
        "e2 core us-east1 0.021811",
        "e2 core us-west1 0.021811",
        "e2 ram us-central1 0.002923",
        "e2 ram us-east1 0.002923",
        "e2 ram us-west1 0.002923",
        "n1 core us-central1 0.031611",
        "n1 core us-east1 0.031611",
        "n1 core us-west1 0.031611"
      ])
    }))

  it.effect("the last page has no token (an empty one counts as none); a region filter applies", () =>
    Effect.gen(function*() {
      const page = yield* parsePage(chunked(page2, 200), "europe-west1")
      expect(page.nextPageToken).toEqual(Option.none())
      expect(page.parts.map((p) => `${p.family.family} ${p.part} ${p.region}`)).toEqual(["e2 core europe-west1", "e2 ram europe-west1"])
    }))

  it.effect("two pages fold into whole families; machine types follow", () =>
    Effect.gen(function*() {
      const a = yield* parsePage(chunked(page1, 1000))
      const b = yield* parsePage(chunked(page2, 1000))
      const rates = addParts(addParts(emptyRates, a.parts), b.parts)
      const n1 = rates.byKey.get("n1\u0000us-central1")
      expect(n1?.core?.usdPerUnitHour).toBe(0.031611)
      expect(n1?.ram?.usdPerUnitHour).toBe(0.004237)
      expect(n1?.ram?.description).toBe("N1 Predefined Instance Ram running in Americas")
      // N1 is only priced in the Americas in these pages.
      expect(rates.byKey.has("n1\u0000europe-west1")).toBe(false)
      const belgium = rates.byKey.get("e2\u0000europe-west1")!
      const e2 = machineTypePrices(belgium.family, "europe-west1", belgium.core!.usdPerUnitHour, belgium.ram!.usdPerUnitHour)
      expect(e2.find((m) => m.machineType === "e2-standard-2")).toEqual({
        machineType: "e2-standard-2",
        region: "europe-west1",
        usdPerHour: 0.072,
        vcpus: 2,
        ramMb: 8192
      })
    }))

  it.effect("a price in another currency is refused, naming the SKU", () =>
    Effect.gen(function*() {
      const euro = JSON.parse(JSON.stringify(page1).replaceAll("\"USD\"", "\"EUR\""))
      const error = yield* Effect.flip(parsePage(chunked(euro, 500)))
      expect(error.reason).toMatch(/^skus\[0\] \(CF4E-A0C7-E3BF\): price in EUR, expected USD/)
    }))

  it.effect("zero units and nanos may be left out (proto3 JSON)", () =>
    Effect.gen(function*() {
      const first = page1.skus[0]!
      const bare = {
        skus: [{
          ...first,
          pricingInfo: [{
            pricingExpression: { usageUnit: "h", tieredRates: [{ unitPrice: { currencyCode: "USD", nanos: 21811000 } }] }
          }]
        }]
      }
      const page = yield* parsePage(chunked(bare, 64), "us-east1")
      expect(page.parts.map((p) => p.usdPerUnitHour)).toEqual([0.021811])
    }))

  it.effect("a SKU missing its category is malformed", () =>
    Effect.gen(function*() {
      const { category: _, ...noCategory } = page1.skus[1]!
      const error = yield* Effect.flip(parsePage(chunked({ skus: [page1.skus[0], noCategory] }, 500)))
      expect(error.reason).toBe("skus[1].category is missing")
    }))
})

describe("machine types", () => {
  it("maps SKU descriptions to families and parts, and nothing else", () => {
    expect(partOf("N1 Predefined Instance Core running in Americas")).toEqual({ family: family("n1"), part: "core" })
    expect(partOf("N2D AMD Instance Ram running in Frankfurt")).toEqual({ family: family("n2d"), part: "ram" })
    expect(partOf("Compute optimized Core running in Iowa")).toEqual({ family: family("c2"), part: "core" })
    expect(partOf("Preemptible N1 Predefined Instance Core running in Americas")).toBeUndefined()
    expect(partOf("N1 Predefined Instance Core")).toBeUndefined()
    expect(partOf("Custom Instance Core running in Americas")).toBeUndefined()
  })

  it("prices a machine type as vCPUs × core + GiB × RAM, shared-core E2 by its fraction", () => {
    const e2 = machineTypePrices(family("e2"), "us-central1", 0.021811, 0.002923)
    const of = (name: string) => e2.find((m) => m.machineType === name)
    expect(of("e2-standard-2")?.usdPerHour).toBe(0.067006)
    expect(of("e2-micro")).toEqual({ machineType: "e2-micro", region: "us-central1", usdPerHour: 0.00837575, vcpus: 2, ramMb: 1024 })
    const n1 = machineTypePrices(family("n1"), "us-central1", 0.031611, 0.004237)
    expect(n1.find((m) => m.machineType === "n1-standard-1")).toEqual({
      machineType: "n1-standard-1",
      region: "us-central1",
      usdPerHour: 0.04749975,
      vcpus: 1,
      ramMb: 3840
    })
    expect(n1.find((m) => m.machineType === "n1-highcpu-2")?.ramMb).toBe(Math.round(1.8 * 1024))
  })

  it("reads a zone as its region", () => {
    expect(regionOf("us-central1-a")).toBe("us-central1")
    expect(regionOf("europe-west1")).toBe("europe-west1")
    expect(regionOf("northamerica-northeast1-b")).toBe("northamerica-northeast1")
  })
})
