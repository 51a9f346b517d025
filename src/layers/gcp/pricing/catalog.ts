/**
 * Compute Engine core and RAM prices from the Cloud Billing Catalog API:
 * `GET https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus?key=…&currencyCode=USD&pageToken=…`,
 * one page of SKUs at a time, each page read as a stream and only the SKUs
 * that price a machine family's cores or memory (machineTypes.ts) kept.
 *
 * Reference: https://cloud.google.com/billing/v1/how-tos/catalog-api
 *            https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list
 *   { skus: [ { name, skuId, description,
 *               category: { serviceDisplayName, resourceFamily, resourceGroup, usageType },
 *               serviceRegions: [ "us-central1", … ],
 *               pricingInfo: [ { effectiveTime, summary,
 *                                pricingExpression: { usageUnit, usageUnitDescription, baseUnit, displayQuantity,
 *                                                     tieredRates: [ { startUsageAmount, unitPrice: { currencyCode, units, nanos } } ] } } ] } ],
 *     nextPageToken: "…" }
 *
 * A SKU is used when its category says resourceFamily "Compute" and
 * usageType "OnDemand" (not Preemptible, not a commitment), its description
 * starts with a family's core or RAM prefix followed by " running in ", and
 * its usage unit is "h" (a core) or "GiBy.h" (RAM). The price is the tier
 * starting at zero usage of the latest pricingInfo; `units` is an int64 in
 * a string and, like `nanos` and `startUsageAmount`, left out when zero
 * (proto3 JSON). resourceGroup is not used: it is "CPU"/"RAM" for most
 * families but "N1Standard" for both parts of N1.
 */
import { Effect, Either, Option, Schema } from "effect"
import type { Stream } from "effect"
import { describeIssue } from "../../../http/Decode.js"
import { JsonStreamError, type JsonValue, parseStream } from "../../../services/pricing/jsonStream.js"
import { type Family, type Part, partOf } from "./machineTypes.js"

export const defaultEndpoint = "https://cloudbilling.googleapis.com"

/** The Compute Engine service in the catalogue. */
export const computeEngineService = "6F81-5844-456A"

export const skusPath = `/v1/services/${computeEngineService}/skus`

const Money = Schema.Struct({
  currencyCode: Schema.String,
  units: Schema.optionalWith(Schema.String, { default: () => "0" }),
  nanos: Schema.optionalWith(Schema.Number, { default: () => 0 })
})

const Sku = Schema.Struct({
  skuId: Schema.String,
  description: Schema.String,
  category: Schema.Struct({
    resourceFamily: Schema.String,
    usageType: Schema.String
  }),
  serviceRegions: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  pricingInfo: Schema.Array(Schema.Struct({
    effectiveTime: Schema.optional(Schema.String),
    pricingExpression: Schema.Struct({
      usageUnit: Schema.String,
      tieredRates: Schema.Array(Schema.Struct({
        startUsageAmount: Schema.optionalWith(Schema.Number, { default: () => 0 }),
        unitPrice: Money
      }))
    })
  }))
})
type Sku = typeof Sku.Type

const decodeSku = Schema.decodeUnknownEither(Sku, { onExcessProperty: "ignore" })

/** One part price of one family in one region. */
export interface PartPrice {
  readonly family: Family
  readonly part: Part
  readonly region: string
  readonly usdPerUnitHour: number
  /** The SKU description, for the entries' source. */
  readonly description: string
}

export interface Page {
  readonly parts: ReadonlyArray<PartPrice>
  readonly nextPageToken: Option.Option<string>
  readonly skus: number
}

const reject = (reason: string): never => {
  throw new JsonStreamError({ reason })
}

const unitFor: Record<Part, string> = { core: "h", ram: "GiBy.h" }

const priceOf = (sku: Sku, at: string): number | undefined => {
  const latest = [...sku.pricingInfo].sort((a, b) => (a.effectiveTime ?? "").localeCompare(b.effectiveTime ?? "")).at(-1)
  const base = latest?.pricingExpression.tieredRates.find((t) => t.startUsageAmount === 0)
  if (base === undefined) return undefined
  const { currencyCode, nanos, units } = base.unitPrice
  if (currencyCode !== "USD") return reject(`${at}: price in ${currencyCode.slice(0, 8)}, expected USD (ask with currencyCode=USD)`)
  if (!/^-?\d+$/.test(units) || !Number.isInteger(nanos)) return reject(`${at}: unitPrice is not units + nanos`)
  const n = Number(units) + nanos / 1e9
  return n > 0 ? n : undefined
}

const partsOf = (sku: Sku, at: string, region: string | undefined): ReadonlyArray<PartPrice> => {
  if (sku.category.resourceFamily !== "Compute" || sku.category.usageType !== "OnDemand") return []
  const which = partOf(sku.description)
  if (which === undefined) return []
  const latestUnit = sku.pricingInfo.at(-1)?.pricingExpression.usageUnit
  if (latestUnit !== unitFor[which.part]) return []
  const price = priceOf(sku, at)
  if (price === undefined) return []
  const regions = region === undefined ? sku.serviceRegions : sku.serviceRegions.filter((r) => r === region)
  return regions.map((r) => ({ ...which, region: r, usdPerUnitHour: price, description: sku.description }))
}

/**
 * Reads one page of `services.skus.list` (or a file holding all SKUs in
 * one `skus` array). `region` keeps only that region's prices.
 */
export const parsePage = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  region?: string
): Effect.Effect<Page, E | JsonStreamError, R> =>
  Effect.suspend(() => {
    const parts: Array<PartPrice> = []
    let next: string | undefined
    let skus = 0
    const onSku = (index: number, value: JsonValue) => {
      skus++
      const decoded = decodeSku(value)
      if (Either.isLeft(decoded)) return reject(`skus[${index}].${describeIssue(decoded.left.issue)}`)
      parts.push(...partsOf(decoded.right, `skus[${index}] (${decoded.right.skuId})`, region))
    }
    return parseStream(bytes, {
      select: (path) =>
        (path.length === 1 && path[0] === "nextPageToken") || (path.length === 2 && path[0] === "skus" && typeof path[1] === "number"),
      onValue: (path, value) => {
        if (path.length === 2) return onSku(path[1] as number, value)
        if (typeof value !== "string") return reject("nextPageToken: expected a string")
        next = value
      }
    }).pipe(
      Effect.map(() => ({ parts, skus, nextPageToken: next === undefined || next === "" ? Option.none() : Option.some(next) }))
    )
  })

/** Core and RAM prices per family and region, folded from pages. */
export interface Rates {
  readonly byKey: ReadonlyMap<string, { readonly family: Family; readonly region: string; readonly core?: PartPrice; readonly ram?: PartPrice }>
}

export const emptyRates: Rates = { byKey: new Map() }

export const addParts = (rates: Rates, parts: ReadonlyArray<PartPrice>): Rates => {
  if (parts.length === 0) return rates
  const byKey = new Map(rates.byKey)
  for (const p of parts) {
    const key = `${p.family.family}\u0000${p.region}`
    const current = byKey.get(key) ?? { family: p.family, region: p.region }
    byKey.set(key, { ...current, [p.part]: p })
  }
  return { byKey }
}
