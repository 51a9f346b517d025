/**
 * The price table: what every price source becomes, and the JSON schema of
 * a price file a user can write (or download) to give cloudfx prices of
 * their own. A price file looks like
 *
 * ```json
 * {
 *   "version": 1,
 *   "entries": [
 *     { "provider": "ec2", "region": "us-east-1", "size": "t3.micro", "usdPerHour": 0.0104,
 *       "vcpus": 2, "ramMb": 1024,
 *       "source": "https://aws.amazon.com/ec2/pricing/on-demand/", "date": "2024-06-01" }
 *   ]
 * }
 * ```
 *
 * `provider` is the Compute provider id (`provider.id` of its service) or an
 * alias of it (`aws` for `ec2`, `gcp` for `gce`, see `canonicalProvider`);
 * `region` is a region (zones are read as their region); `usdPerHour` the
 * on-demand price in US dollars per hour; `vcpus` and `ramMb` optional;
 * `source` says where the price comes from and `date` (YYYY-MM-DD) when it
 * was true. A later entry for the same provider, region and size replaces
 * an earlier one.
 */
import { Schema } from "effect"
import { regionOf as awsRegionOf } from "../../layers/aws/pricing/offerIndex.js"
import { regionOf as gcpRegionOf } from "../../layers/gcp/pricing/machineTypes.js"

// Titled single filters, so a schema failure reads "entries[3].usdPerHour: expected a number ≥ 0 (USD per hour)".
const Text = Schema.String.pipe(Schema.filter((s) => s.length > 0 && s.trim() === s, { title: "a non-empty string without surrounding spaces" }))

const Quantity = Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n > 0, { title: "a positive number" }))

export const PriceEntry = Schema.Struct({
  provider: Text,
  region: Text,
  size: Text,
  usdPerHour: Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n >= 0, { title: "a number ≥ 0 (USD per hour)" })),
  vcpus: Schema.optional(Quantity),
  ramMb: Schema.optional(Quantity),
  source: Text,
  date: Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { title: "a date, YYYY-MM-DD" }))
})
export type PriceEntry = typeof PriceEntry.Type

export const PriceFile = Schema.Struct({
  version: Schema.Literal(1),
  /** Set by cloudfx in its cache: when the entries were fetched (ISO 8601). */
  fetchedAt: Schema.optional(Schema.String),
  /** Set by cloudfx in its cache: what the entries were read from. */
  source: Schema.optional(Schema.String),
  entries: Schema.Array(PriceEntry)
})
export type PriceFile = typeof PriceFile.Type

// ---------------------------------------------------------------- providers and regions

const aliases: Readonly<Record<string, string>> = {
  aws: "ec2",
  "aws-ec2": "ec2",
  amazon: "ec2",
  gcp: "gce",
  google: "gce",
  "gcp-gce": "gce",
  "google-compute": "gce",
  "openstack-nova": "openstack",
  nova: "openstack"
}

/** "AWS" → "ec2", "gcp" → "gce"; any other id as itself, lower-cased. */
export const canonicalProvider = (provider: string): string => {
  const p = provider.trim().toLowerCase()
  return aliases[p] ?? p
}

const regionRules: Readonly<Record<string, (region: string) => string>> = {
  ec2: awsRegionOf,
  gce: gcpRegionOf
}

/** A zone ("us-east-1a", "us-central1-b") → its region, for providers whose prices are per region. */
export const canonicalRegion = (provider: string, region: string): string => {
  const r = region.trim().toLowerCase()
  return regionRules[canonicalProvider(provider)]?.(r) ?? r
}

// ---------------------------------------------------------------- the table

export interface PriceTable {
  readonly get: (provider: string, region: string, size: string) => PriceEntry | undefined
  readonly all: () => ReadonlyArray<PriceEntry>
  /** Adds entries (later replace earlier); returns how many were added. */
  readonly merge: (entries: ReadonlyArray<PriceEntry>) => number
}

const keyOf = (provider: string, region: string, size: string) =>
  `${canonicalProvider(provider)}\u0000${canonicalRegion(provider, region)}\u0000${size.trim()}`

/** Entries as stored: canonical provider and region, so lookups by any alias agree. */
const normalise = (e: PriceEntry): PriceEntry => ({
  ...e,
  provider: canonicalProvider(e.provider),
  region: canonicalRegion(e.provider, e.region),
  size: e.size.trim()
})

export const makeTable = (): PriceTable => {
  const rows = new Map<string, PriceEntry>()
  return {
    get: (provider, region, size) => rows.get(keyOf(provider, region, size)),
    all: () =>
      [...rows.values()].sort((a, b) =>
        a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region) || a.size.localeCompare(b.size)
      ),
    merge: (entries) => {
      for (const e of entries) {
        const n = normalise(e)
        rows.set(keyOf(n.provider, n.region, n.size), n)
      }
      return entries.length
    }
  }
}
