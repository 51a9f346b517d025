/**
 * EC2 on-demand Linux prices from an AWS Price List service price list file
 * (the bulk API's per-region `AmazonEC2/current/<region>/index.json`), read
 * as a stream: the file is hundreds of megabytes, and only the few hundred
 * rows that name a shared-tenancy Linux instance with no pre-installed
 * software are kept.
 *
 * Format: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html
 *   { formatVersion, disclaimer, offerCode, version, publicationDate,
 *     products: { <sku>: { sku, productFamily, attributes: { instanceType, regionCode, location, locationType,
 *                                                             operatingSystem, tenancy, preInstalledSw,
 *                                                             capacitystatus, licenseModel, operation, vcpu, memory, … } } },
 *     terms: { OnDemand: { <sku>: { <sku>.<offerTermCode>: { priceDimensions: { <rateCode>: { unit, pricePerUnit: { USD } } } } } },
 *              Reserved: { … } } }
 *
 * A row is kept when productFamily is "Compute Instance" (or its bare-metal
 * variant) and operatingSystem "Linux", tenancy "Shared", preInstalledSw
 * "NA", capacitystatus "Used" (the other statuses price capacity
 * reservations), licenseModel "No License required" and operation
 * "RunInstances" when those attributes are present, and locationType is "AWS
 * Region" (Local and Wavelength Zones share the region's file). Its price is
 * the OnDemand dimension whose unit is "Hrs". A zero price is no price: the
 * file lists such rows for instance types one cannot run there.
 *
 * The documented order is products, then terms; then only the terms of kept
 * rows are built. Should terms come first, every OnDemand hourly price is
 * remembered until the products arrive (memory then grows with the number
 * of SKUs, never with the size of the file).
 */
import { Effect, Either, Schema } from "effect"
import type { Stream } from "effect"
import { describeIssue } from "../../../http/Decode.js"
import { type JsonPath, JsonStreamError, type JsonValue, parseStream } from "../../../services/pricing/jsonStream.js"

const Attributes = Schema.Record({ key: Schema.String, value: Schema.String })

const Product = Schema.Struct({
  sku: Schema.String,
  productFamily: Schema.optional(Schema.String),
  attributes: Attributes
})

const PriceDimension = Schema.Struct({
  unit: Schema.String,
  pricePerUnit: Schema.Record({ key: Schema.String, value: Schema.String })
})

/** `terms.OnDemand[sku]`: one offer term per term code. */
const OnDemandTerms = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({ priceDimensions: Schema.Record({ key: Schema.String, value: PriceDimension }) })
})

const decodeProduct = Schema.decodeUnknownEither(Product, { onExcessProperty: "ignore" })
const decodeTerms = Schema.decodeUnknownEither(OnDemandTerms, { onExcessProperty: "ignore" })

export interface Ec2Price {
  readonly instanceType: string
  readonly region: string
  readonly usdPerHour: number
  readonly vcpus: number | undefined
  readonly ramMb: number | undefined
  readonly sku: string
}

export interface ParsedOffer {
  /** The file's `publicationDate` (ISO date-time), when it has one. */
  readonly publicationDate: string | undefined
  readonly version: string | undefined
  readonly prices: ReadonlyArray<Ec2Price>
  /** Products read, and how many of them were kept. */
  readonly products: number
  readonly kept: number
  /** The most text the parser held back at once (the streaming bound). */
  readonly maxPending: number
}

export interface ParseOptions {
  /** Keep only rows of this region (`regionCode`); rows without a regionCode are taken to be of it. */
  readonly region?: string | undefined
}

const families: ReadonlySet<string> = new Set(["Compute Instance", "Compute Instance (bare metal)"])

/** Attributes that must have this value when the row has them at all. */
const required: ReadonlyArray<readonly [string, string]> = [
  ["operatingSystem", "Linux"],
  ["tenancy", "Shared"],
  ["preInstalledSw", "NA"],
  ["capacitystatus", "Used"],
  ["licenseModel", "No License required"],
  ["operation", "RunInstances"],
  ["locationType", "AWS Region"]
]

/** "2", "0.5 GiB", "1,952 GiB" → numbers; anything else is unknown. */
const quantity = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const m = /^\s*([\d,]+(?:\.\d+)?)\s*(GiB)?\s*$/.exec(text)
  if (m === null || m[1] === undefined) return undefined
  const n = Number(m[1].replace(/,/g, ""))
  return Number.isFinite(n) && n > 0 ? n : undefined
}

interface Row {
  readonly instanceType: string
  readonly region: string
  readonly vcpus: number | undefined
  readonly ramMb: number | undefined
}

const reject = (reason: string): never => {
  throw new JsonStreamError({ reason })
}

const hourly = (sku: string, value: JsonValue): number | undefined => {
  const decoded = decodeTerms(value)
  if (Either.isLeft(decoded)) return reject(`terms.OnDemand.${sku}.${describeIssue(decoded.left.issue)}`)
  for (const term of Object.values(decoded.right)) {
    for (const dimension of Object.values(term.priceDimensions)) {
      if (dimension.unit !== "Hrs") continue
      const usd = dimension.pricePerUnit["USD"]
      if (usd === undefined) continue
      const n = Number(usd)
      if (usd.trim() === "" || !Number.isFinite(n) || n < 0) return reject(`terms.OnDemand.${sku}: USD price "${usd.slice(0, 40)}" is not a number`)
      return n
    }
  }
  return undefined
}

/** Reads an EC2 service price list file; `JsonStreamError` names what is wrong with it. */
export const parseOffer = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: ParseOptions = {}
): Effect.Effect<ParsedOffer, E | JsonStreamError, R> =>
  Effect.suspend(() => {
    const rows = new Map<string, Row>()
    // Only filled when terms come before products (see the module comment).
    const early = new Map<string, number>()
    const prices = new Map<string, Ec2Price>()
    let products = 0
    let publicationDate: string | undefined
    let version: string | undefined

    const keep = (sku: string, row: Row, usdPerHour: number | undefined) => {
      if (usdPerHour === undefined || usdPerHour <= 0) return
      const key = `${row.region}\u0000${row.instanceType}`
      const seen = prices.get(key)
      // Two kept rows for one type would mean a filter this module lacks; the cheaper is the plain Linux one.
      if (seen === undefined || usdPerHour < seen.usdPerHour) prices.set(key, { ...row, usdPerHour, sku })
    }

    const onProduct = (value: JsonValue) => {
      products++
      const decoded = decodeProduct(value)
      if (Either.isLeft(decoded)) return reject(`products.${describeIssue(decoded.left.issue)}`)
      const { attributes: a, productFamily, sku } = decoded.right
      if (productFamily === undefined || !families.has(productFamily)) return
      for (const [name, wanted] of required) {
        const actual = a[name]
        if (actual !== undefined && actual !== wanted) return
      }
      if (a["operatingSystem"] === undefined || a["tenancy"] === undefined) return
      const instanceType = a["instanceType"]
      if (instanceType === undefined || instanceType === "") return
      const regionCode = a["regionCode"]
      if (options.region !== undefined && regionCode !== undefined && regionCode !== options.region) return
      const region = regionCode ?? options.region
      if (region === undefined) return reject(`products.${sku}: no regionCode, and no region was given to read the file for`)
      const memory = quantity(a["memory"])
      const row: Row = { instanceType, region, vcpus: quantity(a["vcpu"]), ramMb: memory === undefined ? undefined : Math.round(memory * 1024) }
      rows.set(sku, row)
      const price = early.get(sku)
      if (price !== undefined) keep(sku, row, price)
    }

    const isProduct = (path: JsonPath) => path.length === 2 && path[0] === "products"
    const isOnDemand = (path: JsonPath) => path.length === 3 && path[0] === "terms" && path[1] === "OnDemand"

    return parseStream(bytes, {
      select: (path) => {
        if (path.length === 1) return path[0] === "publicationDate" || path[0] === "version"
        if (isProduct(path)) return true
        // Before any product: remember every price; after: only those of kept rows.
        if (isOnDemand(path)) return products === 0 || rows.has(path[2] as string)
        return false
      },
      onValue: (path, value) => {
        if (path.length === 1) {
          if (typeof value !== "string") return reject(`${String(path[0])}: expected a string`)
          if (path[0] === "publicationDate") publicationDate = value
          else version = value
          return
        }
        if (isProduct(path)) return onProduct(value)
        const sku = path[2] as string
        const price = hourly(sku, value)
        const row = rows.get(sku)
        if (row !== undefined) keep(sku, row, price)
        else if (products === 0 && price !== undefined) early.set(sku, price)
      }
    }).pipe(
      Effect.map(({ maxPending }) => ({
        publicationDate,
        version,
        prices: [...prices.values()].sort((a, b) => a.region.localeCompare(b.region) || a.instanceType.localeCompare(b.instanceType)),
        products,
        kept: rows.size,
        maxPending
      }))
    )
  })
