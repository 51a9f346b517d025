/**
 * Where EC2 and Compute Engine sizes get a price when the layer's config
 * names no price source: the `Pricing` service when the program provides
 * one (so a `refresh` from the providers is seen at once), else the prices
 * bundled with cloudfx. Either way a filled size carries `extra.priceSource`
 * and `extra.priceDate`, so a caller can tell a dated table from a fresh one.
 */
import { Effect, Option, Schema } from "effect"
import type { Compute } from "../Compute.js"
import { Pricing } from "../Pricing.js"
import { bundledPrices } from "./bundled.js"
import { withPrices } from "./compute.js"
import { makeTable, PriceFile } from "./table.js"
import type { PriceTable } from "./table.js"

let bundledTable: PriceTable | undefined

const bundled = (): PriceTable => {
  if (bundledTable === undefined) {
    const table = makeTable()
    table.merge(Schema.decodeUnknownSync(PriceFile)(bundledPrices).entries)
    bundledTable = table
  }
  return bundledTable
}

/** The bundled prices alone, as the part of `Pricing` that `withPrices` reads. */
export const bundledLookup: Pick<Pricing.Service, "lookup"> = {
  lookup: (query) => Effect.sync(() => Option.fromNullable(bundled().get(query.provider, query.region, query.size)))
}

/**
 * `compute` with prices from the `Pricing` in the context, else from the
 * bundled table. Reads the context once, when the layer is built.
 */
export const withDefaultPrices = (
  compute: Compute.Service,
  where: { readonly provider: string; readonly region: string }
): Effect.Effect<Compute.Service> =>
  Effect.map(
    Effect.serviceOption(Pricing),
    (pricing) => withPrices(compute, Option.getOrElse(pricing, () => bundledLookup), where)
  )
