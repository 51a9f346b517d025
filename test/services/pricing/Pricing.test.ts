/**
 * The Pricing service: bundled prices, price files from disk and from a
 * URL, the AWS Price List and Cloud Billing Catalog sources through a local
 * server speaking their documented formats, and the on-disk cache with its
 * max age (driven by TestClock).
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Schema, TestClock } from "effect"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  awsOffer,
  bundledPrices,
  gcpCatalog,
  makePricing,
  priceFile,
  PriceFile,
  type PricingConfig
} from "../../../src/services/Pricing.js"
import { captureLogs } from "../../http/support.js"
import { offerExcerpt } from "../../layers/aws/pricing/fixtures.js"
import { type PriceServer, startPriceServer, userPrices } from "./server.js"

let server: PriceServer
let root: string
let dirs = 0

beforeAll(async () => {
  server = await startPriceServer()
  root = await mkdtemp(join(tmpdir(), "cloudfx-pricing-"))
})

afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

const freshDir = () => join(root, `cache-${dirs++}`)

const env = Layer.mergeAll(FetchHttpClient.layer, NodeFileSystem.layer)

const pricing = (config: PricingConfig = {}) =>
  makePricing({ retry: false, awsEndpoint: server.url, gcpEndpoint: server.url, cacheDir: freshDir(), ...config }).pipe(Effect.provide(env))

const writeJson = async (name: string, value: unknown) => {
  const path = join(root, name)
  await writeFile(path, typeof value === "string" ? value : JSON.stringify(value))
  return path
}

describe("bundled prices", () => {
  it("are a valid price file, every entry with its source and date", () => {
    const file = Schema.decodeUnknownSync(PriceFile)(bundledPrices)
    expect(file.entries.length).toBeGreaterThan(40)
    for (const e of file.entries) {
      expect(e.source.length).toBeGreaterThan(10)
      expect(e.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    expect(new Set(file.entries.map((e) => e.provider))).toEqual(new Set(["ec2", "gce"]))
  })

  it.effect("answer by provider alias, size and region or zone", () =>
    Effect.gen(function*() {
      const p = yield* pricing({ cacheDir: false })
      expect(yield* p.price({ provider: "ec2", size: "t3.micro", region: "us-east-1" })).toEqual(Option.some(0.0104))
      expect(yield* p.price({ provider: "aws", size: "t3.micro", region: "us-east-1c" })).toEqual(Option.some(0.0104))
      expect(yield* p.price({ provider: "GCP", size: "e2-standard-2", region: "us-central1-f" })).toEqual(Option.some(0.067006))
      expect(yield* p.price({ provider: "ec2", size: "t3.micro", region: "ap-south-2" })).toEqual(Option.none())
      expect(yield* p.price({ provider: "nobody", size: "t3.micro", region: "us-east-1" })).toEqual(Option.none())
      const entry = yield* p.lookup({ provider: "ec2", size: "m5.large", region: "eu-west-1" })
      expect(Option.getOrThrow(entry)).toMatchObject({ usdPerHour: 0.107, vcpus: 2, ramMb: 8192, date: "2024-06-01" })
      expect((yield* p.entries({ provider: "gcp", region: "us-east1" })).map((e) => e.size)).toContain("n2-standard-8")
    }))

  it.effect("refuse an empty or missing query field before looking", () =>
    Effect.gen(function*() {
      const p = yield* pricing({ cacheDir: false })
      const e = yield* Effect.flip(p.price({ provider: "ec2", size: "", region: "us-east-1" }))
      expect(e).toMatchObject({ _tag: "InvalidInput", field: "size", operation: "Pricing.price" })
      const f = yield* Effect.flip(p.price(null as never))
      expect(f).toMatchObject({ _tag: "InvalidInput", field: "query" })
    }))

  it.effect("can be left out", () =>
    Effect.gen(function*() {
      const p = yield* pricing({ cacheDir: false, bundled: false })
      expect(yield* p.entries()).toEqual([])
    }))
})

describe("price files", () => {
  it.effect("from disk: later prices replace bundled ones, new providers join, and the cache keeps them", () =>
    Effect.gen(function*() {
      const path = yield* Effect.promise(() => writeJson("mine.json", userPrices))
      const cacheDir = freshDir()
      const p = yield* pricing({ cacheDir })
      const loaded = yield* p.load(priceFile(path))
      expect(loaded).toMatchObject({ entries: 2, fromCache: false, stale: false, source: `price file ${path}` })
      expect(yield* p.price({ provider: "ec2", size: "t3.micro", region: "us-east-1" })).toEqual(Option.some(0.0099))
      expect(yield* p.price({ provider: "hetzner", size: "cx22", region: "fsn1" })).toEqual(Option.some(0.0065))
      // A new program starts from the cache.
      const again = yield* pricing({ cacheDir })
      expect(yield* again.price({ provider: "hetzner", size: "cx22", region: "fsn1" })).toEqual(Option.some(0.0065))
      const files = yield* Effect.promise(() => readdir(cacheDir))
      expect(files).toHaveLength(1)
      expect(files[0]).toMatch(/^file-[0-9a-f]{8}\.json$/)
    }))

  it.effect("a file that breaks the schema is InvalidInput naming the entry and field", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const path = yield* Effect.promise(() => writeJson("bad.json", { version: 1, entries: [userPrices.entries[1], { ...userPrices.entries[0], usdPerHour: -1 }] }))
      const e = yield* Effect.flip(p.load(priceFile(path)))
      expect(e._tag).toBe("InvalidInput")
      expect(e.message).toContain(`${path}: entries[1].usdPerHour`)
      expect(e.message).toContain("expected a number ≥ 0 (USD per hour)")
      const date = yield* Effect.promise(() => writeJson("date.json", { version: 1, entries: [{ ...userPrices.entries[0], date: "July" }] }))
      expect((yield* Effect.flip(p.load(priceFile(date)))).message).toContain("entries[0].date: expected a date, YYYY-MM-DD")
      const version = yield* Effect.promise(() => writeJson("version.json", { version: 2, entries: [] }))
      expect((yield* Effect.flip(p.load(priceFile(version)))).message).toContain("version: expected 1")
    }))

  it.effect("text that is not JSON, and a missing file, are InvalidInput", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const path = yield* Effect.promise(() => writeJson("not.json", "{\"version\": 1, \"entries\": [}"))
      const e = yield* Effect.flip(p.load(priceFile(path)))
      expect(e).toMatchObject({ _tag: "InvalidInput", field: "source" })
      expect(e.message).toMatch(/not\.json: unexpected character at 27$/)
      const missing = yield* Effect.flip(p.load(priceFile(join(root, "nowhere.json"))))
      expect(missing).toMatchObject({ _tag: "InvalidInput", field: "source" })
      expect(missing.message).toContain("cannot read")
      // Nothing was added.
      expect(yield* p.price({ provider: "hetzner", size: "cx22", region: "fsn1" })).toEqual(Option.none())
    }))

  it.effect("from a URL; a bad body is MalformedResponse, a missing one a ProviderError", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const loaded = yield* p.load(priceFile(`${server.url}/prices.json`))
      expect(loaded.entries).toBe(2)
      expect(yield* p.price({ provider: "hetzner", size: "cx22", region: "fsn1" })).toEqual(Option.some(0.0065))
      const bad = yield* Effect.flip(p.load(priceFile(`${server.url}/broken.json`)))
      expect(bad._tag).toBe("MalformedResponse")
      expect(bad.message).toContain("/broken.json: entries[0].usdPerHour")
      const gone = yield* Effect.flip(p.load(priceFile(`${server.url}/gone.json`)))
      expect(gone).toMatchObject({ _tag: "ProviderError", status: 404 })
    }))

  it.effect("a source that is not one is refused before anything is read", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      expect(yield* Effect.flip(p.load({ _tag: "Nope" } as never))).toMatchObject({ _tag: "InvalidInput", field: "source" })
      expect(yield* Effect.flip(p.load(priceFile("")))).toMatchObject({ _tag: "InvalidInput", field: "source" })
      expect(yield* Effect.flip(p.load(awsOffer({ region: "" })))).toMatchObject({ _tag: "InvalidInput", field: "region" })
      expect(yield* Effect.flip(p.load(gcpCatalog({ apiKey: "plain" as never })))).toMatchObject({ _tag: "InvalidInput", field: "apiKey" })
    }))
})

describe("provider sources", () => {
  it.effect("AWS: service index → region index → the region's price list file, streamed with progress", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const progress: Array<string> = []
      let bytes = 0
      const loaded = yield* p.load(awsOffer({ region: "us-east-1" }), {
        onDownload: ({ location, total }) =>
          Effect.sync(() => {
            progress.push(`start ${location} ${total}`)
            return {
              advance: (n) => Effect.sync(() => (bytes += n)),
              done: Effect.sync(() => progress.push("done"))
            }
          })
      })
      expect(loaded.entries).toBe(2)
      const offerPath = "/offers/v1.0/aws/AmazonEC2/20240605000000/us-east-1/index.json"
      const size = Buffer.byteLength(JSON.stringify(offerExcerpt, null, 2))
      expect(progress).toEqual([`start ${server.url}${offerPath} ${size}`, "done"])
      expect(bytes).toBe(size)
      const entry = Option.getOrThrow(yield* p.lookup({ provider: "ec2", size: "m5.large", region: "us-east-1" }))
      expect(entry).toEqual({
        provider: "ec2",
        region: "us-east-1",
        size: "m5.large",
        usdPerHour: 0.096,
        vcpus: 2,
        ramMb: 8192,
        source: `AWS Price List ${server.url}${offerPath} (version 20240605000000)`,
        date: "2024-06-05"
      })
    }))

  it.effect("AWS: a region the index does not list is InvalidInput on the region", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const e = yield* Effect.flip(p.load(awsOffer({ region: "mars-north-1" })))
      expect(e).toMatchObject({ _tag: "InvalidInput", field: "region", provider: "aws-pricing" })
    }))

  it.effect("AWS: a price list file on disk", () =>
    Effect.gen(function*() {
      const path = yield* Effect.promise(() => writeJson("us-east-1.json", offerExcerpt))
      const p = yield* pricing()
      expect((yield* p.load(awsOffer({ region: "us-east-1", from: path }))).entries).toBe(2)
      // A file with nothing for the region is refused rather than cached as "no prices".
      const e = yield* Effect.flip(p.load(awsOffer({ region: "eu-west-1", from: path })))
      expect(e).toMatchObject({ _tag: "InvalidInput", field: "source" })
      expect(e.message).toContain("gave no prices")
    }))

  it.effect("Google Cloud: both catalogue pages, the key sent but never shown", () =>
    Effect.gen(function*() {
      const p = yield* pricing()
      const before = server.requests.length
      const loaded = yield* p.load(gcpCatalog({ apiKey: Redacted.make("test-api-key-123") }))
      const sent = server.requests.slice(before)
      expect(sent).toHaveLength(2)
      expect(sent[0]).toBe("/v1/services/6F81-5844-456A/skus?currencyCode=USD&pageSize=5000&key=test-api-key-123")
      expect(sent[1]).toBe("/v1/services/6F81-5844-456A/skus?currencyCode=USD&pageSize=5000&pageToken=CgwI_page2&key=test-api-key-123")
      expect(loaded.source).toBe("Cloud Billing Catalog, Compute Engine all regions")
      expect(yield* p.price({ provider: "gce", size: "e2-standard-2", region: "us-central1" })).toEqual(Option.some(0.067006))
      expect(yield* p.price({ provider: "gce", size: "n1-standard-1", region: "us-west1-b" })).toEqual(Option.some(0.04749975))
      expect(yield* p.price({ provider: "gce", size: "e2-standard-2", region: "europe-west1" })).toEqual(Option.some(0.072))
      const entry = Option.getOrThrow(yield* p.lookup({ provider: "gce", size: "e2-standard-2", region: "europe-west1" }))
      expect(entry.source).toBe("Cloud Billing Catalog: \"E2 Instance Core running in Belgium\" × vCPUs + \"E2 Instance Ram running in Belgium\" × GiB")
      const denied = yield* Effect.flip(p.load(gcpCatalog({ apiKey: Redacted.make("wrong-key-456") })))
      expect(denied._tag).toBe("PermissionDenied")
      expect(JSON.stringify(denied)).not.toContain("wrong-key-456")
      expect(denied.message).not.toContain("wrong-key-456")
    }))

  it.effect("Google Cloud: one region only, or refused without a key", () =>
    Effect.gen(function*() {
      const p = yield* pricing({ bundled: false })
      yield* p.load(gcpCatalog({ apiKey: Redacted.make("test-api-key-123"), region: "europe-west1" }))
      expect(new Set((yield* p.entries()).map((e) => e.region))).toEqual(new Set(["europe-west1"]))
      expect(yield* Effect.flip(p.load(gcpCatalog()))).toMatchObject({ _tag: "InvalidInput", field: "apiKey" })
    }))
})

describe("refresh and the cache", () => {
  const flaky = () => priceFile(`${server.url}/flaky.json`)

  it.effect("fetches once per max age, and again with force", () =>
    Effect.gen(function*() {
      server.flakyStatus = 200
      const p = yield* pricing({ maxAge: "24 hours" })
      const hits = () => server.hits.get("/flaky.json") ?? 0
      const start = hits()
      expect(yield* p.refresh(flaky())).toMatchObject({ fromCache: false, stale: false, entries: 2 })
      expect(hits()).toBe(start + 1)
      yield* TestClock.adjust("23 hours")
      expect(yield* p.refresh(flaky())).toMatchObject({ fromCache: true, stale: false, fetchedAt: new Date(0) })
      expect(hits()).toBe(start + 1)
      yield* TestClock.adjust("2 hours")
      expect(yield* p.refresh(flaky())).toMatchObject({ fromCache: false, fetchedAt: new Date(25 * 3600_000) })
      expect(hits()).toBe(start + 2)
      expect(yield* p.refresh(flaky(), { force: true })).toMatchObject({ fromCache: false })
      expect(hits()).toBe(start + 3)
    }))

  it.effect("a stale cache is used, with a warning, when the source fails; without a cache the failure stands", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      server.flakyStatus = 200
      const cacheDir = freshDir()
      const p = yield* pricing({ cacheDir, bundled: false })
      yield* p.refresh(flaky())
      server.flakyStatus = 500
      yield* TestClock.adjust("30 hours")
      // Another program, later: the source is down, the day-old cache answers.
      const later = yield* pricing({ cacheDir, bundled: false })
      const loaded = yield* later.refresh(flaky())
      expect(loaded).toMatchObject({ fromCache: true, stale: true, entries: 2, fetchedAt: new Date(0) })
      expect(yield* later.price({ provider: "hetzner", size: "cx22", region: "fsn1" })).toEqual(Option.some(0.0065))
      const warning = logs.lines.find((l) => l.includes("using the cached prices"))
      expect(warning).toContain("level=WARN")
      expect(warning).toContain("500")
      const empty = yield* pricing({ bundled: false })
      expect(yield* Effect.flip(empty.refresh(flaky()))).toMatchObject({ _tag: "ProviderError", status: 500 })
      server.flakyStatus = 200
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("a damaged cache file is ignored with a warning", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const cacheDir = freshDir()
      yield* Effect.promise(async () => {
        await mkdir(cacheDir, { recursive: true })
        await writeFile(join(cacheDir, "aws-us-east-1.json"), "{\"version\":1,\"entries\":[{\"provider\":\"ec2\"}]}")
      })
      const p = yield* pricing({ cacheDir })
      expect(yield* p.price({ provider: "ec2", size: "t3.micro", region: "us-east-1" })).toEqual(Option.some(0.0104))
      expect(logs.lines.some((l) => l.includes("ignoring price cache") && l.includes("entries[0].region is missing"))).toBe(true)
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("the cache file is a price file with fetchedAt and source", () =>
    Effect.gen(function*() {
      const cacheDir = freshDir()
      const p = yield* pricing({ cacheDir })
      yield* TestClock.adjust("1 hour")
      yield* p.refresh(awsOffer({ region: "us-east-1" }))
      const text = yield* Effect.promise(() => readFile(join(cacheDir, "aws-us-east-1.json"), "utf8"))
      const file = Schema.decodeUnknownSync(Schema.parseJson(PriceFile))(text)
      expect(file.fetchedAt).toBe("1970-01-01T01:00:00.000Z")
      expect(file.source).toBe("AWS Price List, EC2 us-east-1")
      expect(file.entries.map((e) => e.size)).toEqual(["m5.large", "t3.micro"])
    }))
})
