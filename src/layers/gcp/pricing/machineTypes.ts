/**
 * Compute Engine bills a predefined machine type as its vCPUs times the
 * family's core-hour price plus its memory (GiB) times the family's RAM
 * GiB-hour price. The Cloud Billing catalogue prices the parts, one SKU per
 * family, part and place, described as "<prefix> running in <place>"; this
 * table says which SKU prefix prices which family, and which machine types
 * each family has (https://cloud.google.com/compute/docs/machine-resource).
 *
 *   family  core SKU prefix                 RAM SKU prefix
 *   n1      N1 Predefined Instance Core     N1 Predefined Instance Ram
 *   e2      E2 Instance Core                E2 Instance Ram
 *   n2      N2 Instance Core                N2 Instance Ram
 *   n2d     N2D AMD Instance Core           N2D AMD Instance Ram
 *   c2      Compute optimized Core          Compute optimized Ram
 *
 * Custom machine types have SKUs of their own ("Custom Instance Core") and
 * are not derived; neither are f1-micro and g1-small, which are priced per
 * instance. E2 shared-core types are billed for a fraction of a vCPU
 * (e2-micro 0.25, e2-small 0.5, e2-medium 1).
 */

export type MachineType = readonly [name: string, billedVcpus: number, memoryGib: number, guestVcpus: number]

export interface Family {
  readonly family: string
  readonly coreSku: string
  readonly ramSku: string
  /** Machine types: name, vCPUs billed, memory GiB, vCPUs the guest sees. */
  readonly machineTypes: ReadonlyArray<MachineType>
}

const series = (
  family: string,
  kind: string,
  gibPerVcpu: number,
  counts: ReadonlyArray<number>
): ReadonlyArray<MachineType> => counts.map((n) => [`${family}-${kind}-${n}`, n, n * gibPerVcpu, n] as const)

export const families: ReadonlyArray<Family> = [
  {
    family: "n1",
    coreSku: "N1 Predefined Instance Core",
    ramSku: "N1 Predefined Instance Ram",
    machineTypes: [
      ...series("n1", "standard", 3.75, [1, 2, 4, 8, 16, 32, 64, 96]),
      ...series("n1", "highmem", 6.5, [2, 4, 8, 16, 32, 64, 96]),
      ...series("n1", "highcpu", 0.9, [2, 4, 8, 16, 32, 64, 96])
    ]
  },
  {
    family: "e2",
    coreSku: "E2 Instance Core",
    ramSku: "E2 Instance Ram",
    machineTypes: [
      ["e2-micro", 0.25, 1, 2],
      ["e2-small", 0.5, 2, 2],
      ["e2-medium", 1, 4, 2],
      ...series("e2", "standard", 4, [2, 4, 8, 16, 32]),
      ...series("e2", "highmem", 8, [2, 4, 8, 16]),
      ...series("e2", "highcpu", 1, [2, 4, 8, 16, 32])
    ]
  },
  {
    family: "n2",
    coreSku: "N2 Instance Core",
    ramSku: "N2 Instance Ram",
    machineTypes: [
      ...series("n2", "standard", 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
      ...series("n2", "highmem", 8, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
      ...series("n2", "highcpu", 1, [2, 4, 8, 16, 32, 48, 64, 80, 96])
    ]
  },
  {
    family: "n2d",
    coreSku: "N2D AMD Instance Core",
    ramSku: "N2D AMD Instance Ram",
    machineTypes: [
      ...series("n2d", "standard", 4, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224]),
      ...series("n2d", "highmem", 8, [2, 4, 8, 16, 32, 48, 64, 80, 96]),
      ...series("n2d", "highcpu", 1, [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224])
    ]
  },
  {
    family: "c2",
    coreSku: "Compute optimized Core",
    ramSku: "Compute optimized Ram",
    machineTypes: series("c2", "standard", 4, [4, 8, 16, 30, 60])
  }
]

export type Part = "core" | "ram"

/** Which family and part a SKU description prices, if any: "E2 Instance Core running in Americas" → e2 core. */
export const partOf = (description: string): { readonly family: Family; readonly part: Part } | undefined => {
  for (const family of families) {
    if (description.startsWith(`${family.coreSku} running in `)) return { family, part: "core" }
    if (description.startsWith(`${family.ramSku} running in `)) return { family, part: "ram" }
  }
  return undefined
}

export interface MachineTypePrice {
  readonly machineType: string
  readonly region: string
  readonly usdPerHour: number
  readonly vcpus: number
  readonly ramMb: number
}

/** Nine decimals: the catalogue's own precision (nanos); more is float noise. */
const roundNanos = (n: number) => Math.round(n * 1e9) / 1e9

/** Every machine type of `family` in `region`, from its core and RAM hourly prices. */
export const machineTypePrices = (
  family: Family,
  region: string,
  coreHour: number,
  ramGibHour: number
): ReadonlyArray<MachineTypePrice> =>
  family.machineTypes.map(([machineType, billed, gib, vcpus]) => ({
    machineType,
    region,
    usdPerHour: roundNanos(billed * coreHour + gib * ramGibHour),
    vcpus,
    ramMb: Math.round(gib * 1024)
  }))

/** "us-central1-a" (a zone) → "us-central1"; a region stays as it is. */
export const regionOf = (zoneOrRegion: string): string => {
  const m = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(zoneOrRegion)
  return m?.[1] ?? zoneOrRegion
}
