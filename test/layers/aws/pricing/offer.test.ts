/**
 * The EC2 price list file reader, on an excerpt written as documented
 * (fixtures.ts) and on a generated multi-megabyte file fed chunk by chunk.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { parseOffer } from "../../../../src/layers/aws/pricing/offer.js"
import { regionOf } from "../../../../src/layers/aws/pricing/offerIndex.js"
import { offerExcerpt, offerTermsFirst } from "./fixtures.js"

const encoder = new TextEncoder()

/** `text` as a stream of `size`-byte chunks (cutting through tokens and multi-byte characters). */
const chunked = (text: string, size: number): Stream.Stream<Uint8Array> => {
  const bytes = encoder.encode(text)
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return Stream.fromIterable(chunks)
}

describe("parseOffer", () => {
  it.effect("keeps shared-tenancy Linux on-demand hours and drops every other row", () =>
    Effect.gen(function*() {
      const offer = yield* parseOffer(chunked(JSON.stringify(offerExcerpt, null, 2), 97), { region: "us-east-1" })
      expect(offer.prices).toEqual([
        { instanceType: "m5.large", region: "us-east-1", usdPerHour: 0.096, vcpus: 2, ramMb: 8192, sku: "GYK8DUW5JTBMRHQJ" },
        { instanceType: "t3.micro", region: "us-east-1", usdPerHour: 0.0104, vcpus: 2, ramMb: 1024, sku: "2X8MC7ZHJ3YQ5GAF" }
      ])
      expect(offer.products).toBe(7)
      expect(offer.kept).toBe(2)
      expect(offer.publicationDate).toBe("2024-06-05T00:00:00Z")
      expect(offer.version).toBe("20240605000000")
    }))

  it.effect("reads the same prices when terms come before products", () =>
    Effect.gen(function*() {
      const offer = yield* parseOffer(chunked(JSON.stringify(offerTermsFirst), 13), { region: "us-east-1" })
      expect(offer.prices.map((p) => [p.instanceType, p.usdPerHour])).toEqual([["m5.large", 0.096], ["t3.micro", 0.0104]])
    }))

  it.effect("a region filter drops rows of another region", () =>
    Effect.gen(function*() {
      const offer = yield* parseOffer(chunked(JSON.stringify(offerExcerpt), 4096), { region: "eu-west-1" })
      expect(offer.prices).toEqual([])
    }))

  it.effect("broken JSON fails with the position", () =>
    Effect.gen(function*() {
      const text = JSON.stringify(offerExcerpt).replace("\"products\":{", "\"products\":{,")
      const error = yield* Effect.flip(parseOffer(chunked(text, 50), { region: "us-east-1" }))
      expect(error._tag).toBe("JsonStreamError")
      expect(error.reason).toMatch(/expected a property name at character \d+/)
    }))

  it.effect("a kept row whose price is not a number fails, naming the SKU", () =>
    Effect.gen(function*() {
      const text = JSON.stringify(offerExcerpt).replace("\"0.0960000000\"", "\"ninety cents\"")
      const error = yield* Effect.flip(parseOffer(chunked(text, 512), { region: "us-east-1" }))
      expect(error.reason).toContain("terms.OnDemand.GYK8DUW5JTBMRHQJ")
    }))

  it.effect("a product without attributes fails, naming where", () =>
    Effect.gen(function*() {
      const broken = { ...offerExcerpt, products: { ...offerExcerpt.products, X: { sku: "X", productFamily: "Compute Instance" } } }
      const error = yield* Effect.flip(parseOffer(chunked(JSON.stringify(broken), 512), { region: "us-east-1" }))
      expect(error.reason).toBe("products.attributes is missing")
    }))

  it.effect("invalid UTF-8 is an error, not replacement characters", () =>
    Effect.gen(function*() {
      const bytes = encoder.encode(JSON.stringify(offerExcerpt))
      const bad = new Uint8Array(bytes)
      bad[200] = 0xff
      const error = yield* Effect.flip(parseOffer(Stream.make(bad), { region: "us-east-1" }))
      expect(error.reason).toMatch(/not valid UTF-8/)
    }))

  it.effect("a generated multi-megabyte file is read chunk by chunk with a small bound on held text", () =>
    Effect.gen(function*() {
      const products = 6_000
      const pieces = generatedOffer(products)
      let pulled = 0
      let bytes = 0
      const source = Stream.unfoldChunk(0, (i) => {
        const piece = pieces(i)
        if (piece === undefined) return Option.none()
        pulled++
        const chunk = encoder.encode(piece)
        bytes += chunk.byteLength
        return Option.some([Chunk.of(chunk), i + 1] as const)
      })
      const offer = yield* parseOffer(source, { region: "us-east-1" })
      expect(bytes).toBeGreaterThan(4 * 1024 * 1024)
      expect(pulled).toBeGreaterThan(3000)
      // Every third product is a kept Linux row with its own instance type.
      expect(offer.products).toBe(products)
      expect(offer.prices.length).toBe(products / 3)
      expect(offer.prices.find((p) => p.instanceType === "gen.3xlarge")?.usdPerHour).toBe(0.004)
      // Nothing near the file's size was ever held: only a token cut by a chunk boundary.
      expect(offer.maxPending).toBeLessThan(200)
    }), 60_000)
})

describe("regionOf", () => {
  it("reads an availability zone as its region", () => {
    expect(regionOf("us-east-1a")).toBe("us-east-1")
    expect(regionOf("us-gov-west-1b")).toBe("us-gov-west-1")
    expect(regionOf("eu-west-1")).toBe("eu-west-1")
  })
})

/**
 * A price list file of `n` products, then their terms, cut into pieces of
 * about a kilobyte that split tokens anywhere. Piece i is made on demand.
 */
const generatedOffer = (n: number) => {
  const sku = (i: number) => `GEN${String(i).padStart(13, "0")}`
  const productText = (i: number) =>
    JSON.stringify(sku(i)) + ":" + JSON.stringify({
      sku: sku(i),
      productFamily: "Compute Instance",
      attributes: {
        servicecode: "AmazonEC2",
        location: "US East (N. Virginia)",
        locationType: "AWS Region",
        regionCode: "us-east-1",
        instanceType: `gen.${i}xlarge`,
        vcpu: "4",
        memory: "16 GiB",
        tenancy: "Shared",
        operatingSystem: i % 3 === 0 ? "Linux" : "Windows",
        licenseModel: "No License required",
        operation: i % 3 === 0 ? "RunInstances" : "RunInstances:0002",
        capacitystatus: "Used",
        preInstalledSw: "NA",
        usagetype: `BoxUsage:gen.${i}xlarge`
      }
    })
  const termText = (i: number) =>
    JSON.stringify(sku(i)) + ":" + JSON.stringify({
      [`${sku(i)}.JRTCKXETXF`]: {
        offerTermCode: "JRTCKXETXF",
        sku: sku(i),
        effectiveDate: "2024-06-01T00:00:00Z",
        priceDimensions: {
          [`${sku(i)}.JRTCKXETXF.6YS6EN2CT7`]: {
            rateCode: `${sku(i)}.JRTCKXETXF.6YS6EN2CT7`,
            description: "generated",
            unit: "Hrs",
            pricePerUnit: { USD: ((i + 1) / 1000).toFixed(10) },
            appliesTo: []
          }
        },
        termAttributes: {}
      }
    })
  // Whole records are made lazily, one at a time, and cut into 1000-byte pieces.
  let record = -1
  let text = ""
  let offset = 0
  const recordText = (r: number): string | undefined => {
    if (r === 0) return "{\"formatVersion\":\"v1.0\",\"offerCode\":\"AmazonEC2\",\"version\":\"gen\",\"publicationDate\":\"2024-06-05T00:00:00Z\",\"products\":{"
    if (r <= n) return (r > 1 ? "," : "") + productText(r - 1)
    if (r === n + 1) return "},\"terms\":{\"OnDemand\":{"
    if (r <= 2 * n + 1) return (r > n + 2 ? "," : "") + termText(r - n - 2)
    if (r === 2 * n + 2) return "}}}"
    return undefined
  }
  return (_piece: number): string | undefined => {
    while (offset >= text.length) {
      const next = recordText(++record)
      if (next === undefined) return undefined
      text = next
      offset = 0
    }
    const piece = text.slice(offset, offset + 1000)
    offset += 1000
    return piece
  }
}
