/**
 * Where prices come from, and how each source becomes price entries:
 *
 * - a price file (table.ts schema), from a path or an http(s) URL;
 * - the AWS Price List bulk API (service index → region index → the
 *   region's EC2 price list file), or such a price list file given directly;
 * - the Cloud Billing Catalog API's Compute Engine SKUs, page after page,
 *   or a file / URL holding them.
 *
 * Problems with something the user pointed at on disk are `InvalidInput`
 * (field "source"); problems with what a server answered are the usual
 * provider failures (`MalformedResponse` for an unreadable body).
 */
import { FileSystem, HttpClientRequest } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Clock, Effect, Option, Redacted, Schema, Stream } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import * as Decode from "../../http/Decode.js"
import * as Paginate from "../../http/Paginate.js"
import * as Redact from "../../http/Redact.js"
import type * as Retry from "../../http/Retry.js"
import * as Url from "../../http/Url.js"
import * as AwsIndex from "../../layers/aws/pricing/offerIndex.js"
import { parseOffer } from "../../layers/aws/pricing/offer.js"
import * as GcpCatalog from "../../layers/gcp/pricing/catalog.js"
import { machineTypePrices } from "../../layers/gcp/pricing/machineTypes.js"
import { InvalidInput, MalformedResponse } from "../../schemas/Errors.js"
import type { ProviderFailure } from "../../schemas/Errors.js"
import type { Where } from "../validate.js"
import { JsonStreamError, parseStream } from "./jsonStream.js"
import { type PriceEntry, PriceFile } from "./table.js"

// ---------------------------------------------------------------- sources

/** The user's own price file (table.ts), at a path or an http(s) URL. */
export interface PriceFileSource {
  readonly _tag: "PriceFile"
  readonly from: string
}

/** EC2 prices of one region from the AWS Price List bulk API, or from a price list file at `from`. */
export interface AwsOfferSource {
  readonly _tag: "AwsOffer"
  readonly region: string
  readonly from?: string | undefined
}

/**
 * Compute Engine prices from the Cloud Billing Catalog API (which needs an
 * API key), of one region or all; or from `from`: a file holding a `skus`
 * listing, or a URL answering like the catalogue's skus endpoint.
 */
export interface GcpCatalogSource {
  readonly _tag: "GcpCatalog"
  readonly region?: string | undefined
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly from?: string | undefined
}

export type Source = PriceFileSource | AwsOfferSource | GcpCatalogSource

export const priceFile = (from: string): PriceFileSource => ({ _tag: "PriceFile", from })
export const awsOffer = (options: { readonly region: string; readonly from?: string | undefined }): AwsOfferSource => ({
  _tag: "AwsOffer",
  ...options
})
export const gcpCatalog = (
  options: {
    readonly region?: string | undefined
    readonly apiKey?: Redacted.Redacted<string> | undefined
    readonly from?: string | undefined
  } = {}
): GcpCatalogSource => ({ _tag: "GcpCatalog", ...options })

const isUrl = (s: string) => /^https?:\/\//i.test(s)

/** A source read from the local disk: always read again, the cache only saves downloads. */
export const isLocal = (source: Source): boolean => source.from !== undefined && !isUrl(source.from)

/** Where a source's entries are cached: one file per provider and region, or per price file location. */
export const cacheKey = (source: Source): string => {
  switch (source._tag) {
    case "PriceFile":
      return `file-${fnv1a(source.from)}`
    case "AwsOffer":
      return `aws-${source.region}`
    case "GcpCatalog":
      return `gcp-${source.region ?? "all"}`
  }
}

// A cache file name, not a security boundary: a short stable hash is enough.
const fnv1a = (s: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, "0")
}

/** A short description for logs and the cache: never an API key. */
export const describe = (source: Source): string => {
  switch (source._tag) {
    case "PriceFile":
      return `price file ${Redact.url(source.from)}`
    case "AwsOffer":
      return `AWS Price List, EC2 ${source.region}${source.from === undefined ? "" : ` from ${Redact.url(source.from)}`}`
    case "GcpCatalog":
      return `Cloud Billing Catalog, Compute Engine ${source.region ?? "all regions"}${source.from === undefined ? "" : ` from ${Redact.url(source.from)}`}`
  }
}

// ---------------------------------------------------------------- reading bytes

export interface Progress {
  readonly advance: (bytes: number) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/** Called when a download (or a local file read) starts: a progress display for it. */
export type OnDownload = (download: { readonly location: string; readonly total: number | undefined }) => Effect.Effect<Progress>

export interface Settings {
  readonly awsEndpoint: string
  readonly gcpEndpoint: string
  readonly retry: Partial<Retry.Policy> | false | undefined
}

export interface Fetched {
  readonly entries: ReadonlyArray<PriceEntry>
  /** What the entries were read from (`describe`). */
  readonly description: string
}

type Opened<E> = {
  readonly bytes: Stream.Stream<Uint8Array, E>
  /** How a problem with these bytes' content is reported. */
  readonly malformed: (reason: string) => InvalidInput | MalformedResponse
}

const withProgress = <E>(bytes: Stream.Stream<Uint8Array, E>, location: string, total: number | undefined, onDownload: OnDownload | undefined) =>
  onDownload === undefined
    ? bytes
    : Stream.unwrapScoped(
      Effect.map(
        Effect.acquireRelease(onDownload({ location: Redact.url(location), total }), (p) => p.done),
        (p) => Stream.tap(bytes, (chunk) => p.advance(chunk.byteLength))
      )
    )

const fileBytes = (path: string, where: Where, onDownload: OnDownload | undefined) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const unreadable = (e: { readonly message: string }) =>
      new InvalidInput({ ...where, field: "source", reason: `cannot read ${path}: ${e.message}` })
    const info = yield* Effect.mapError(fs.stat(path), unreadable)
    if (info.type !== "File") return yield* Effect.fail(new InvalidInput({ ...where, field: "source", reason: `${path} is not a file` }))
    const bytes = Stream.mapError(fs.stream(path, { chunkSize: 64 * 1024 }), unreadable)
    return {
      bytes: withProgress(bytes, path, Number(info.size), onDownload),
      malformed: (reason: string) => new InvalidInput({ ...where, field: "source", reason: `${path}: ${reason}` })
    } satisfies Opened<InvalidInput>
  })

const urlBytes = (http: ProviderHttp.ProviderHttp, url: string, where: Where, onDownload: OnDownload | undefined) =>
  Effect.map(http.execute(HttpClientRequest.get(url), { operation: where.operation }), (response) => {
    const length = Number(response.headers["content-length"])
    return {
      bytes: withProgress(ProviderHttp.bodyStream(response, where), url, Number.isFinite(length) ? length : undefined, onDownload),
      malformed: (reason: string) => new MalformedResponse({ ...where, reason: `${Redact.path(url)}: ${reason}` })
    } satisfies Opened<ProviderFailure>
  })

const open = (
  http: ProviderHttp.ProviderHttp,
  from: string,
  where: Where,
  onDownload: OnDownload | undefined
): Effect.Effect<Opened<InvalidInput | ProviderFailure>, InvalidInput | ProviderFailure, FileSystem.FileSystem> =>
  isUrl(from) ? urlBytes(http, from, where, onDownload) : fileBytes(from, where, onDownload)

/** Runs a streaming parse over opened bytes, reporting a format problem the way that source reports it. */
const parseWith = <A, E>(
  opened: Opened<E>,
  parse: (bytes: Stream.Stream<Uint8Array, E>) => Effect.Effect<A, E | JsonStreamError>
): Effect.Effect<A, E | InvalidInput | MalformedResponse> =>
  Effect.mapError(parse(opened.bytes), (e) => (e instanceof JsonStreamError ? opened.malformed(e.reason) : e))

const today = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString().slice(0, 10))

// ---------------------------------------------------------------- price files

const decodePriceFile = Schema.decodeUnknownEither(PriceFile, { errors: "first", onExcessProperty: "ignore" })

/** A price file is small (the table it feeds is): it is read whole, then checked against the schema. */
const readPriceFile = (http: ProviderHttp.ProviderHttp, source: PriceFileSource, where: Where, onDownload: OnDownload | undefined) =>
  Effect.gen(function*() {
    const opened = yield* open(http, source.from, where, onDownload)
    let document: unknown
    yield* parseWith(opened, (bytes) =>
      parseStream(bytes, {
        select: (path) => path.length === 0,
        onValue: (_path, value) => {
          document = value
        }
      }))
    const decoded = decodePriceFile(document)
    if (decoded._tag === "Left") return yield* Effect.fail(opened.malformed(Decode.describeIssue(decoded.left.issue)))
    return { entries: decoded.right.entries, description: describe(source) } satisfies Fetched
  })

// ---------------------------------------------------------------- AWS

const awsOfferUrl = (http: ProviderHttp.ProviderHttp, settings: Settings, region: string, where: Where) =>
  Effect.gen(function*() {
    const index = yield* http.execute(
      HttpClientRequest.get(Url.join(settings.awsEndpoint, AwsIndex.serviceIndexPath)),
      { operation: where.operation },
      ProviderHttp.json(AwsIndex.ServiceIndex)
    )
    const regionIndexUrl = index.offers[AwsIndex.serviceCode]?.currentRegionIndexUrl
    if (regionIndexUrl === undefined) {
      return yield* Effect.fail(new MalformedResponse({ ...where, reason: `the service index has no ${AwsIndex.serviceCode} region index` }))
    }
    const regions = yield* http.execute(
      HttpClientRequest.get(AwsIndex.resolve(settings.awsEndpoint, regionIndexUrl)),
      { operation: where.operation },
      ProviderHttp.json(AwsIndex.RegionIndex)
    )
    const entry = regions.regions[region]
    if (entry === undefined) {
      return yield* Effect.fail(new InvalidInput({ ...where, field: "region", reason: `AWS publishes no EC2 prices for "${region}"` }))
    }
    return AwsIndex.resolve(settings.awsEndpoint, entry.currentVersionUrl)
  })

const readAwsOffer = (http: ProviderHttp.ProviderHttp, settings: Settings, source: AwsOfferSource, where: Where, onDownload: OnDownload | undefined) =>
  Effect.gen(function*() {
    const from = source.from ?? (yield* awsOfferUrl(http, settings, source.region, where))
    const opened = yield* open(http, from, where, onDownload)
    const offer = yield* parseWith(opened, (bytes) => parseOffer(bytes, { region: source.region }))
    const date = offer.publicationDate?.slice(0, 10) ?? (yield* today)
    const origin = `AWS Price List ${Redact.path(from)}${offer.version === undefined ? "" : ` (version ${offer.version})`}`
    const entries = offer.prices.map((p): PriceEntry => ({
      provider: "ec2",
      region: p.region,
      size: p.instanceType,
      usdPerHour: p.usdPerHour,
      ...(p.vcpus === undefined ? {} : { vcpus: p.vcpus }),
      ...(p.ramMb === undefined ? {} : { ramMb: p.ramMb }),
      source: origin,
      date
    }))
    return { entries, description: describe(source) } satisfies Fetched
  })

// ---------------------------------------------------------------- Google Cloud

const gcpPages = (http: ProviderHttp.ProviderHttp, settings: Settings, source: GcpCatalogSource, where: Where, onDownload: OnDownload | undefined) => {
  const fromFile = source.from !== undefined && !isUrl(source.from)
  const base = source.from ?? Url.join(settings.gcpEndpoint, GcpCatalog.skusPath)
  const fetch = (token: Option.Option<string>) =>
    Effect.gen(function*() {
      if (fromFile) {
        const opened = yield* fileBytes(base, where, onDownload)
        const page = yield* parseWith(opened, (bytes) => GcpCatalog.parsePage(bytes, source.region))
        if (Option.isSome(page.nextPageToken)) {
          yield* Effect.logWarning(`${base} ends with a nextPageToken: only the SKUs in the file were read`)
        }
        return { items: page.parts, next: Option.none<string>() }
      }
      const key = source.apiKey === undefined ? undefined : Redacted.value(source.apiKey)
      const url = Url.make(base, "", { currencyCode: "USD", pageSize: 5000, pageToken: Option.getOrUndefined(token), key })
      const opened = yield* urlBytes(http, url, where, onDownload)
      const page = yield* parseWith(opened, (bytes) => GcpCatalog.parsePage(bytes, source.region))
      return { items: page.parts, next: page.nextPageToken }
    })
  return Paginate.stream(fetch, { where })
}

const readGcpCatalog = (http: ProviderHttp.ProviderHttp, settings: Settings, source: GcpCatalogSource, where: Where, onDownload: OnDownload | undefined) =>
  Effect.gen(function*() {
    if (source.from === undefined && source.apiKey === undefined) {
      return yield* Effect.fail(new InvalidInput({ ...where, field: "apiKey", reason: "the Cloud Billing Catalog API needs an API key" }))
    }
    const rates = yield* Stream.runFold(
      Stream.chunks(gcpPages(http, settings, source, where, onDownload)),
      GcpCatalog.emptyRates,
      (rates, parts) => GcpCatalog.addParts(rates, [...parts])
    )
    const date = yield* today
    const entries: Array<PriceEntry> = []
    for (const { core, family, ram, region } of rates.byKey.values()) {
      if (core === undefined || ram === undefined) continue
      const origin = `Cloud Billing Catalog: "${core.description}" × vCPUs + "${ram.description}" × GiB`
      for (const p of machineTypePrices(family, region, core.usdPerUnitHour, ram.usdPerUnitHour)) {
        entries.push({ provider: "gce", region, size: p.machineType, usdPerHour: p.usdPerHour, vcpus: p.vcpus, ramMb: p.ramMb, source: origin, date })
      }
    }
    return { entries, description: describe(source) } satisfies Fetched
  })

// ---------------------------------------------------------------- any source

export const fetchSource = (
  source: Source,
  settings: Settings,
  where: Where,
  onDownload: OnDownload | undefined
): Effect.Effect<Fetched, InvalidInput | ProviderFailure, FileSystem.FileSystem | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const provider = source._tag === "AwsOffer" ? "aws-pricing" : source._tag === "GcpCatalog" ? "gcp-billing-catalog" : "pricing"
    const located: Where = { ...where, provider }
    const http = yield* ProviderHttp.make({
      provider,
      baseUrl: source._tag === "GcpCatalog" ? settings.gcpEndpoint : settings.awsEndpoint,
      retry: settings.retry
    })
    switch (source._tag) {
      case "PriceFile":
        return yield* readPriceFile(http, source, located, onDownload)
      case "AwsOffer":
        return yield* readAwsOffer(http, settings, source, located, onDownload)
      case "GcpCatalog":
        return yield* readGcpCatalog(http, settings, source, located, onDownload)
    }
  })
