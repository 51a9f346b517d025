/**
 * Prices of compute sizes by provider, size and region (DESIGN.md §2).
 *
 * The table starts from the prices bundled with cloudfx (pricing/bundled.ts,
 * with their source and date), then whatever earlier refreshes left in the
 * on-disk cache, then what this program loads: a price file of your own
 * (the schema is in pricing/table.ts), the AWS Price List bulk API's EC2
 * price list files, or the Cloud Billing Catalog API's Compute Engine SKUs.
 * New prices need no new release.
 *
 * ```ts
 * const pricing = yield* Pricing
 * yield* pricing.refresh(awsOffer({ region: "eu-west-1" }))    // cached for maxAge (24 h)
 * const usd = yield* pricing.price({ provider: "ec2", size: "t3.micro", region: "eu-west-1" })
 * ```
 *
 * `withPrices(compute, pricing)` fills `NodeSize.price` where a provider's
 * API has none (EC2, Compute Engine), and `cheapestSize(requirements,
 * computes)` ranks the sizes of several providers by price.
 */
import type { FileSystem, HttpClient } from "@effect/platform"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { homedir } from "node:os"
import { join } from "node:path"
import type * as Retry from "../http/Retry.js"
import * as AwsIndex from "../layers/aws/pricing/offerIndex.js"
import * as GcpCatalog from "../layers/gcp/pricing/catalog.js"
import { InvalidInput } from "../schemas/Errors.js"
import type { ProviderFailure } from "../schemas/Errors.js"
import { bundledPrices } from "./pricing/bundled.js"
import * as Cache from "./pricing/cache.js"
import * as Sources from "./pricing/sources.js"
import { canonicalProvider, canonicalRegion, makeTable, PriceFile } from "./pricing/table.js"
import type { PriceEntry } from "./pricing/table.js"
import { traced } from "./span.js"
import * as validate from "./validate.js"

export { cheapestSize, withPrices } from "./pricing/compute.js"
export type { CheapestSizeOptions, SizeOffer, SizeRequirements, WithPricesOptions } from "./pricing/compute.js"
export { awsOffer, gcpCatalog, priceFile } from "./pricing/sources.js"
export { bundledPrices } from "./pricing/bundled.js"
export { canonicalProvider, canonicalRegion, PriceEntry, PriceFile } from "./pricing/table.js"

export class Pricing extends Context.Tag("cloudfx/Pricing")<Pricing, Pricing.Service>() {}

export declare namespace Pricing {
  export interface Query {
    /** A Compute provider id ("ec2", "gce", …) or an alias ("aws", "gcp"). */
    readonly provider: string
    /** The size id: "t3.micro", "e2-standard-2". */
    readonly size: string
    /** A region; a zone is read as its region ("us-east-1a" → "us-east-1"). */
    readonly region: string
  }

  export type Entry = PriceEntry
  export type Source = Sources.Source
  export type Progress = Sources.Progress
  export type OnDownload = Sources.OnDownload

  export interface LoadOptions {
    /** A progress display per download or file read (the CLI draws a bar). */
    readonly onDownload?: OnDownload | undefined
  }

  export interface RefreshOptions extends LoadOptions {
    /** Fetch even when the cache is younger than `maxAge`. */
    readonly force?: boolean | undefined
  }

  export interface Loaded {
    /** What was read: "AWS Price List, EC2 us-east-1", "price file ./prices.json". */
    readonly source: string
    /** How many prices it gave. */
    readonly entries: number
    readonly fetchedAt: Date
    /** Served from the cache instead of the source. */
    readonly fromCache: boolean
    /** From a cache older than `maxAge`, because the source could not be read (a warning was logged). */
    readonly stale: boolean
  }

  export interface Service {
    /** The on-demand price in USD per hour, when known. */
    readonly price: (query: Query) => Effect.Effect<Option.Option<number>, InvalidInput>
    /** The whole entry (price, source, date), when known. */
    readonly lookup: (query: Query) => Effect.Effect<Option.Option<Entry>, InvalidInput>
    /** Every known price, by provider, region and size; optionally of one provider and/or region. */
    readonly entries: (filter?: { readonly provider?: string; readonly region?: string }) => Effect.Effect<ReadonlyArray<Entry>>
    /** Reads a source now, caches what it gave and adds it to the table. */
    readonly load: (source: Source, options?: LoadOptions) => Effect.Effect<Loaded, InvalidInput | ProviderFailure>
    /**
     * `load`, unless the cache of this downloaded source is younger than
     * `maxAge` (a file on disk is always read again). When the source fails
     * and an older cache exists, the older cache is used and a warning logged.
     */
    readonly refresh: (source: Source, options?: RefreshOptions) => Effect.Effect<Loaded, InvalidInput | ProviderFailure>
  }
}

export interface PricingConfig {
  /** Where fetched prices are cached; `false` for no cache. Default `~/.cache/cloudfx/pricing`. */
  readonly cacheDir?: string | false | undefined
  /** How long a cached source is used before `refresh` fetches it again. Default 24 hours. */
  readonly maxAge?: Duration.DurationInput | undefined
  /** Start from the bundled prices. Default true. */
  readonly bundled?: boolean | undefined
  /** The AWS Price List bulk API endpoint. Default https://pricing.us-east-1.amazonaws.com. */
  readonly awsEndpoint?: string | undefined
  /** The Cloud Billing API endpoint. Default https://cloudbilling.googleapis.com. */
  readonly gcpEndpoint?: string | undefined
  /** Retry policy for downloads (see http/Retry), or `false`. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const defaultCacheDir = (): string => join(homedir(), ".cache", "cloudfx", "pricing")

const PROVIDER = "pricing"

const decodeBundled = Schema.decodeUnknownSync(PriceFile)

const checkQuery = (operation: string, query: Pricing.Query) => {
  const where = { provider: PROVIDER, operation }
  if (typeof query !== "object" || query === null) {
    return Effect.fail(new InvalidInput({ ...where, field: "query", reason: "must be { provider, size, region }" }))
  }
  return Effect.all({
    provider: validate.name(where, "provider", query.provider),
    size: validate.name(where, "size", query.size),
    region: validate.name(where, "region", query.region)
  })
}

const optionalText = (where: validate.Where, field: string, value: unknown) =>
  value === undefined ? Effect.void : Effect.asVoid(validate.name(where, field, value as string, 4096))

const checkSource = (where: validate.Where, source: Sources.Source): Effect.Effect<Sources.Source, InvalidInput> => {
  if (typeof source !== "object" || source === null) {
    return Effect.fail(new InvalidInput({ ...where, field: "source", reason: "must be priceFile(…), awsOffer(…) or gcpCatalog(…)" }))
  }
  switch (source._tag) {
    case "PriceFile":
      return Effect.as(validate.name(where, "source", source.from, 4096), source)
    case "AwsOffer":
      return Effect.as(Effect.all([validate.name(where, "region", source.region), optionalText(where, "source", source.from)]), source)
    case "GcpCatalog":
      if (source.apiKey !== undefined && !Redacted.isRedacted(source.apiKey)) {
        return Effect.fail(new InvalidInput({ ...where, field: "apiKey", reason: "must be Redacted (Redacted.make(key))" }))
      }
      return Effect.as(Effect.all([optionalText(where, "region", source.region), optionalText(where, "source", source.from)]), source)
    default:
      return Effect.fail(new InvalidInput({ ...where, field: "source", reason: "must be priceFile(…), awsOffer(…) or gcpCatalog(…)" }))
  }
}

/** The Pricing service. Needs an HttpClient (downloads) and a FileSystem (files and the cache). */
export const makePricing = (
  config: PricingConfig = {}
): Effect.Effect<Pricing.Service, never, HttpClient.HttpClient | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<HttpClient.HttpClient | FileSystem.FileSystem>()
    const maxAge = Duration.toMillis(Duration.decode(config.maxAge ?? "24 hours"))
    const settings: Sources.Settings = {
      awsEndpoint: config.awsEndpoint ?? AwsIndex.defaultEndpoint,
      gcpEndpoint: config.gcpEndpoint ?? GcpCatalog.defaultEndpoint,
      retry: config.retry
    }
    const table = makeTable()
    if (config.bundled !== false) table.merge(decodeBundled(bundledPrices).entries)
    const cache = config.cacheDir === false ? Cache.none : yield* Cache.make(config.cacheDir ?? defaultCacheDir())
    for (const cached of yield* cache.readAll) table.merge(cached.file.entries)

    const lookup = (operation: string) => (query: Pricing.Query) =>
      Effect.map(checkQuery(operation, query), (q) => Option.fromNullable(table.get(q.provider, q.region, q.size)))

    // Adds a cached source's entries to the table and says so.
    const useCached = (cached: Cache.Cached, stale: boolean): Pricing.Loaded => {
      table.merge(cached.file.entries)
      return {
        source: cached.file.source ?? "cache",
        entries: cached.file.entries.length,
        fetchedAt: cached.fetchedAt,
        fromCache: true,
        stale
      }
    }

    const fetchNow = (where: validate.Where, source: Sources.Source, options: Pricing.LoadOptions | undefined) =>
      Effect.gen(function*() {
        const fetched = yield* Sources.fetchSource(source, settings, where, options?.onDownload)
        if (fetched.entries.length === 0 && source._tag !== "PriceFile") {
          return yield* Effect.fail(
            new InvalidInput({ ...where, field: "source", reason: `${fetched.description} gave no prices (is it the right file or region?)` })
          )
        }
        const now = yield* Clock.currentTimeMillis
        const fetchedAt = new Date(now)
        yield* cache.write(Sources.cacheKey(source), {
          version: 1,
          fetchedAt: fetchedAt.toISOString(),
          source: fetched.description,
          entries: fetched.entries
        })
        table.merge(fetched.entries)
        return { source: fetched.description, entries: fetched.entries.length, fetchedAt, fromCache: false, stale: false }
      }).pipe(Effect.provide(context))

    const load = (source: Sources.Source, options?: Pricing.LoadOptions) => {
      const where = { provider: PROVIDER, operation: "Pricing.load" }
      return Effect.flatMap(checkSource(where, source), (s) =>
        fetchNow(where, s, options).pipe(traced(PROVIDER, where.operation, { "cloudfx.pricing.source": Sources.describe(s) })))
    }

    const refresh = (source: Sources.Source, options?: Pricing.RefreshOptions) => {
      const where = { provider: PROVIDER, operation: "Pricing.refresh" }
      return Effect.flatMap(checkSource(where, source), (s) =>
        Effect.gen(function*() {
          const cached = yield* cache.read(Sources.cacheKey(s))
          const now = yield* Clock.currentTimeMillis
          const fresh = Option.isSome(cached) && now - cached.value.fetchedAt.getTime() < maxAge
          if (fresh && options?.force !== true && !Sources.isLocal(s)) {
            return useCached(cached.value, false)
          }
          return yield* fetchNow(where, s, options).pipe(
            Effect.catchAll((error) =>
              Option.match(cached, {
                onNone: () => Effect.fail(error),
                onSome: (c) =>
                  Effect.as(
                    Effect.logWarning(
                      `${Sources.describe(s)}: ${error.message}; using the cached prices of ${c.fetchedAt.toISOString()} instead`
                    ),
                    useCached(c, true)
                  )
              })
            )
          )
        }).pipe(traced(PROVIDER, where.operation, { "cloudfx.pricing.source": Sources.describe(s) })))
    }

    return {
      price: (query) => Effect.map(lookup("Pricing.price")(query), Option.map((e) => e.usdPerHour)),
      lookup: lookup("Pricing.lookup"),
      entries: (filter) =>
        Effect.sync(() =>
          table.all().filter((e) =>
            (filter?.provider === undefined || e.provider === canonicalProvider(filter.provider)) &&
            (filter?.region === undefined || e.region === canonicalRegion(e.provider, filter.region))
          )
        ),
      load,
      refresh
    } satisfies Pricing.Service
  })

export const layerPricing = (
  config?: PricingConfig
): Layer.Layer<Pricing, never, HttpClient.HttpClient | FileSystem.FileSystem> => Layer.effect(Pricing, makePricing(config))
