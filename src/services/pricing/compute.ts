/**
 * Prices meet Compute: `withPrices` fills the sizes a provider lists without
 * a price (EC2 and Compute Engine APIs have none) from a Pricing service,
 * and `cheapestSize` ranks the sizes of several Compute services by price —
 * "which provider is cheapest for 2 vCPUs and 4 GB?" in one call.
 */
import { Effect, Option } from "effect"
import { InvalidInput } from "../../schemas/Errors.js"
import type { ProviderFailure } from "../../schemas/Errors.js"
import { NodeSize } from "../../schemas/Models.js"
import type { Compute } from "../Compute.js"
import type { Pricing } from "../Pricing.js"
import type { ProviderInfo } from "../ProviderInfo.js"
import { traced } from "../span.js"

export interface WithPricesOptions {
  /** The provider to look prices up under. Default: `compute.provider.id`. */
  readonly provider?: string | undefined
  /** The region to look prices up in. Default: `compute.provider.region` (without one, nothing is filled). */
  readonly region?: string | undefined
}

/**
 * Fills `price` for each size that has none, from `pricing`, looked up by
 * the size's id and then its name. A filled size says where its price came
 * from in `extra.priceSource` and `extra.priceDate`. Sizes that have a price
 * keep it: a provider's own answer wins.
 */
const fillPrices = (
  sizes: ReadonlyArray<NodeSize>,
  pricing: Pick<Pricing.Service, "lookup">,
  provider: string,
  region: string | undefined
): Effect.Effect<ReadonlyArray<NodeSize>> =>
  region === undefined ? Effect.succeed(sizes) : Effect.forEach(sizes, (size) => {
    if (size.price !== undefined) return Effect.succeed(size)
    const find = (name: string) => Effect.option(pricing.lookup({ provider, size: name, region })).pipe(Effect.map(Option.flatten))
    return find(size.id).pipe(
      Effect.flatMap((found) => (Option.isNone(found) && size.name !== size.id ? find(size.name) : Effect.succeed(found))),
      Effect.map(Option.match({
        onNone: () => size,
        onSome: (entry) =>
          new NodeSize({ ...size, price: entry.usdPerHour, extra: { ...size.extra, priceSource: entry.source, priceDate: entry.date } })
      }))
    )
  })

/** `compute` with `listSizes` answering prices from `pricing` where the provider gives none. */
export const withPrices = (compute: Compute.Service, pricing: Pick<Pricing.Service, "lookup">, options: WithPricesOptions = {}): Compute.Service => {
  const provider = options.provider ?? compute.provider.id
  const region = options.region ?? compute.provider.region
  return {
    ...compute,
    listSizes: () => Effect.flatMap(compute.listSizes(), (sizes) => fillPrices(sizes, pricing, provider, region))
  }
}

// ---------------------------------------------------------------- cheapestSize

export interface SizeRequirements {
  readonly minRamMb?: number | undefined
  readonly minVcpus?: number | undefined
  readonly minDiskGb?: number | undefined
  /**
   * Only providers that serve this location: their region, or the id or
   * name of one of their `listLocations`.
   */
  readonly location?: string | undefined
}

export interface SizeOffer {
  readonly provider: ProviderInfo
  /** The service to create the node with. */
  readonly compute: Compute.Service
  readonly size: NodeSize
  /** USD per hour; undefined only with `unpriced: "last"`. */
  readonly price: number | undefined
}

export interface CheapestSizeOptions {
  /** Fills missing prices (see `withPrices`) before ranking. */
  readonly pricing?: Pricing.Service | undefined
  /** Sizes with no known price: left out (default), or ranked after every priced one. */
  readonly unpriced?: "exclude" | "last" | undefined
}

const where = { provider: "pricing", operation: "Pricing.cheapestSize" }

const checkRequirements = (r: SizeRequirements): Effect.Effect<SizeRequirements, InvalidInput> => {
  if (typeof r !== "object" || r === null) return Effect.fail(new InvalidInput({ ...where, field: "requirements", reason: "must be an object" }))
  for (const field of ["minRamMb", "minVcpus", "minDiskGb"] as const) {
    const v = r[field]
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      return Effect.fail(new InvalidInput({ ...where, field, reason: "must be a number ≥ 0" }))
    }
  }
  if (r.location !== undefined && (typeof r.location !== "string" || r.location.trim() === "")) {
    return Effect.fail(new InvalidInput({ ...where, field: "location", reason: "must be a non-empty string" }))
  }
  return Effect.succeed(r)
}

// A size that does not say how many vCPUs it has cannot be shown to have enough.
const meets = (size: NodeSize, r: SizeRequirements): boolean =>
  size.ramMb >= (r.minRamMb ?? 0) &&
  size.diskGb >= (r.minDiskGb ?? 0) &&
  (r.minVcpus === undefined || r.minVcpus === 0 || (size.vcpus !== undefined && size.vcpus >= r.minVcpus))

const serves = (compute: Compute.Service, location: string | undefined): Effect.Effect<boolean, ProviderFailure> => {
  if (location === undefined) return Effect.succeed(true)
  if (compute.provider.region === location) return Effect.succeed(true)
  return Effect.map(compute.listLocations(), (all) => all.some((l) => l.id === location || l.name === location))
}

const codeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

interface Ranked extends SizeOffer {
  readonly index: number
}

/**
 * Ties are broken so the order never depends on timing: at the same price
 * the bigger machine first (more RAM, then vCPUs, then disk), then the
 * order of `computes`, then the size id. Unpriced sizes (with
 * `unpriced: "last"`) go smallest first, the likeliest cheapest.
 */
const compare = (a: Ranked, b: Ranked): number => {
  if (a.price !== undefined && b.price !== undefined) {
    return a.price - b.price ||
      b.size.ramMb - a.size.ramMb ||
      (b.size.vcpus ?? 0) - (a.size.vcpus ?? 0) ||
      b.size.diskGb - a.size.diskGb ||
      a.index - b.index ||
      codeUnits(a.size.id, b.size.id)
  }
  if (a.price !== undefined) return -1
  if (b.price !== undefined) return 1
  return a.size.ramMb - b.size.ramMb ||
    (a.size.vcpus ?? 0) - (b.size.vcpus ?? 0) ||
    a.size.diskGb - b.size.diskGb ||
    a.index - b.index ||
    codeUnits(a.size.id, b.size.id)
}

/**
 * Every size of every given Compute service that meets the requirements,
 * cheapest first. Sizes without a price are left out unless `unpriced:
 * "last"`; give `pricing` to fill prices the providers do not return.
 */
export const cheapestSize = (
  requirements: SizeRequirements,
  computes: ReadonlyArray<Compute.Service>,
  options: CheapestSizeOptions = {}
): Effect.Effect<ReadonlyArray<SizeOffer>, InvalidInput | ProviderFailure> =>
  Effect.gen(function*() {
    const r = yield* checkRequirements(requirements)
    if (!Array.isArray(computes)) {
      return yield* Effect.fail(new InvalidInput({ ...where, field: "computes", reason: "must be an array of Compute services" }))
    }
    const perCompute = yield* Effect.forEach(computes, (given, index) =>
      Effect.gen(function*() {
        if (!(yield* serves(given, r.location))) return []
        const compute: Compute.Service = options.pricing === undefined ? given : withPrices(given, options.pricing)
        const sizes: ReadonlyArray<NodeSize> = yield* compute.listSizes()
        return sizes
          .filter((size) => meets(size, r))
          .map((size): Ranked => ({ provider: given.provider, compute: given, size, price: size.price, index }))
      }), { concurrency: 8 })
    const all = perCompute.flat().filter((o) => o.price !== undefined || options.unpriced === "last")
    return all.sort(compare).map(({ index: _, ...offer }) => offer)
  }).pipe(traced(where.provider, where.operation, { "cloudfx.providers": Array.isArray(computes) ? computes.length : 0 }))
