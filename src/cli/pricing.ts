/**
 * `cloudfx pricing`: refresh the price table from a provider or a file,
 * show what is known, and find the cheapest size for some requirements.
 *
 *   cloudfx pricing refresh --provider aws --region eu-west-1       # AWS Price List bulk API (streamed)
 *   cloudfx pricing refresh --provider gcp --api-key KEY            # Cloud Billing Catalog API
 *   cloudfx pricing refresh --from ./prices.json                    # a price file of your own (or a URL)
 *   cloudfx pricing show --provider ec2 --size t3.micro --region us-east-1
 *   cloudfx pricing cheapest --min-ram 2048 --min-vcpus 2           # over the memory cloud
 *
 * Downloads go through the platform's fetch client; what is fetched is
 * cached (`--cache-dir`, default ~/.cache/cloudfx/pricing) so later runs,
 * and `show`, use it.
 */
import { Command, Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect, Layer, Option, Redacted } from "effect"
import { Memory } from "../layers/memory/index.js"
import { InvalidInput, NotFound } from "../schemas/Errors.js"
import {
  awsOffer,
  cheapestSize,
  defaultCacheDir,
  gcpCatalog,
  layerPricing,
  priceFile,
  Pricing
} from "../services/Pricing.js"
import type { Pricing as PricingNs } from "../services/Pricing.js"
import { makeProgress } from "./progress.js"
import { renderTable } from "./table.js"

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON document instead of a table"))

const cacheDir = Options.directory("cache-dir").pipe(
  Options.withDescription(`where fetched prices are kept (default ${defaultCacheDir()})`),
  Options.optional
)

const pricingLayer = (dir: Option.Option<string>) =>
  layerPricing({ cacheDir: Option.getOrElse(dir, defaultCacheDir) }).pipe(Layer.provide(FetchHttpClient.layer))

// ---------------------------------------------------------------- refresh

const provider = Options.choice("provider", ["aws", "gcp"]).pipe(
  Options.withDescription("read the provider's own price format (AWS Price List, Cloud Billing Catalog)"),
  Options.optional
)

const region = Options.text("region").pipe(Options.withDescription("the region to read prices of"), Options.optional)

const from = Options.text("from").pipe(
  Options.withDescription("a file or http(s) URL to read instead of the provider's endpoint (with --provider: in its format; without: a cloudfx price file)"),
  Options.optional
)

const apiKey = Options.redacted("api-key").pipe(
  Options.withDescription("Google Cloud API key for the Cloud Billing Catalog API (default: $CLOUDFX_GCP_API_KEY)"),
  Options.optional
)

const force = Options.boolean("force").pipe(Options.withDescription("fetch even when the cached prices are fresh"))

const gcpKeyFromEnv = (): Option.Option<Redacted.Redacted<string>> => {
  const key = process.env["CLOUDFX_GCP_API_KEY"]
  return key === undefined || key === "" ? Option.none() : Option.some(Redacted.make(key))
}

const sourceOf = (args: {
  readonly provider: Option.Option<"aws" | "gcp">
  readonly region: Option.Option<string>
  readonly from: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
}): Effect.Effect<PricingNs.Source, InvalidInput> => {
  const fromFile = Option.getOrUndefined(args.from)
  const at = Option.getOrUndefined(args.region)
  if (Option.isNone(args.provider)) {
    return fromFile === undefined
      ? Effect.fail(
        new InvalidInput({ provider: "pricing", operation: "Pricing.refresh", field: "source", reason: "give --provider aws|gcp, or --from a price file" })
      )
      : Effect.succeed(priceFile(fromFile))
  }
  if (args.provider.value === "aws") return Effect.succeed(awsOffer({ region: at ?? "us-east-1", from: fromFile }))
  const key = Option.orElse(args.apiKey, gcpKeyFromEnv)
  return Effect.succeed(gcpCatalog({ region: at, from: fromFile, apiKey: Option.getOrUndefined(key) }))
}

const refreshCommand = Command.make(
  "refresh",
  { provider, region, from, apiKey, force, json, cacheDir },
  (args) =>
    Effect.gen(function*() {
      const source = yield* sourceOf(args)
      const pricing = yield* Pricing
      const loaded = yield* pricing.refresh(source, {
        force: args.force,
        onDownload: (d) => makeProgress(`${/^https?:/.test(d.location) ? "download" : "read"} ${d.location}`, d.total, !args.json)
      })
      if (args.json) {
        yield* Console.log(JSON.stringify({ ...loaded, fetchedAt: loaded.fetchedAt.toISOString() }, null, 2))
        return
      }
      const how = loaded.stale
        ? " (from a stale cache: the source could not be read)"
        : loaded.fromCache
        ? " (from the cache; --force to fetch again)"
        : ""
      yield* Console.log(`${loaded.entries} prices from ${loaded.source}, fetched ${loaded.fetchedAt.toISOString()}${how}`)
    }).pipe(Effect.provide(pricingLayer(args.cacheDir)))
).pipe(Command.withDescription("read prices from a provider's price list or a price file, and cache them"))

// ---------------------------------------------------------------- show

const showProvider = Options.text("provider").pipe(Options.withDescription("compute provider id or alias: ec2 (aws), gce (gcp), …"))
const size = Options.text("size").pipe(Options.withDescription("the size, e.g. t3.micro (default: every size)"), Options.optional)

const entryRow = (e: PricingNs.Entry) => [e.provider, e.region, e.size, e.vcpus, e.ramMb, e.usdPerHour, e.date, e.source]
const entryHeaders = ["provider", "region", "size", "vCPUs", "RAM MB", "USD/hour", "date", "source"]

const showCommand = Command.make(
  "show",
  { provider: showProvider, size, region, json, cacheDir },
  (args) =>
    Effect.gen(function*() {
      const pricing = yield* Pricing
      const at = Option.getOrUndefined(args.region)
      const entries = Option.isSome(args.size) && at !== undefined
        ? Option.toArray(yield* pricing.lookup({ provider: args.provider, size: args.size.value, region: at }))
        : (yield* pricing.entries({ provider: args.provider, ...(at === undefined ? {} : { region: at }) })).filter((e) =>
          Option.isNone(args.size) || e.size === args.size.value
        )
      if (entries.length === 0) {
        const what = [args.provider, Option.getOrElse(args.size, () => "*"), at ?? "*"].join(" ")
        return yield* Effect.fail(new NotFound({ provider: "pricing", operation: "Pricing.show", resource: "price", id: what }))
      }
      yield* Console.log(args.json ? JSON.stringify(entries, null, 2) : renderTable(entryHeaders, entries.map(entryRow)))
    }).pipe(Effect.provide(pricingLayer(args.cacheDir)))
).pipe(Command.withDescription("show known prices: one size in one region, or every size of a provider (and region)"))

// ---------------------------------------------------------------- cheapest

const minRam = Options.integer("min-ram").pipe(Options.withDescription("at least this much RAM, in MB"), Options.withDefault(0))
const minVcpus = Options.integer("min-vcpus").pipe(Options.withDescription("at least this many vCPUs"), Options.withDefault(0))
const minDisk = Options.integer("min-disk").pipe(Options.withDescription("at least this much disk, in GB"), Options.withDefault(0))
const location = Options.text("location").pipe(Options.withDescription("only providers serving this location"), Options.optional)
const includeUnpriced = Options.boolean("include-unpriced").pipe(Options.withDescription("list sizes of unknown price last"))

const cheapestCommand = Command.make(
  "cheapest",
  { minRam, minVcpus, minDisk, location, includeUnpriced, json, cacheDir },
  (args) =>
    Effect.gen(function*() {
      const pricing = yield* Pricing
      // No account is configured here: the memory cloud stands in for the providers.
      const computes = [yield* Memory.makeCompute()]
      const offers = yield* cheapestSize(
        { minRamMb: args.minRam, minVcpus: args.minVcpus, minDiskGb: args.minDisk, location: Option.getOrUndefined(args.location) },
        computes,
        { pricing, unpriced: args.includeUnpriced ? "last" : "exclude" }
      )
      const rows = offers.map((o) => ({
        provider: o.provider.id,
        region: o.provider.region,
        size: o.size.id,
        vcpus: o.size.vcpus,
        ramMb: o.size.ramMb,
        diskGb: o.size.diskGb,
        usdPerHour: o.price
      }))
      if (args.json) return yield* Console.log(JSON.stringify(rows, null, 2))
      if (rows.length === 0) return yield* Console.log("no size meets these requirements")
      yield* Console.log(
        renderTable(
          ["#", "provider", "region", "size", "vCPUs", "RAM MB", "disk GB", "USD/hour"],
          rows.map((r, i) => [i + 1, r.provider, r.region, r.size, r.vcpus, r.ramMb, r.diskGb, r.usdPerHour])
        )
      )
    }).pipe(Effect.provide(pricingLayer(args.cacheDir)))
).pipe(Command.withDescription("rank sizes meeting RAM / vCPU / disk needs by hourly price across providers"))

export const pricingCommand = Command.make("pricing").pipe(
  Command.withDescription("prices of compute sizes: refresh, show, cheapest"),
  Command.withSubcommands([refreshCommand, showCommand, cheapestCommand])
)
