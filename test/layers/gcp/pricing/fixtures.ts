/**
 * Cloud Billing Catalog API `services.skus.list` pages for Compute Engine
 * (service 6F81-5844-456A), shaped as documented:
 * https://cloud.google.com/billing/v1/how-tos/catalog-api (response example) and
 * https://cloud.google.com/billing/docs/reference/rest/v1/services.skus (Sku, Category, PricingInfo,
 * PricingExpression, TierRate, Money — `units` is an int64, so a JSON string).
 * The listing is split over two pages by nextPageToken. The E2 and N1 prices are the published
 * Americas on-demand prices; the Belgium ones are made up for the test.
 */

const money = (usd: number) => ({ currencyCode: "USD", units: String(Math.floor(usd)), nanos: Math.round((usd % 1) * 1e9) })

const sku = (
  skuId: string,
  description: string,
  category: { resourceGroup: string; usageType: string; resourceFamily?: string },
  serviceRegions: ReadonlyArray<string>,
  usageUnit: "h" | "GiBy.h" | "GiBy",
  usd: number
) => ({
  name: `services/6F81-5844-456A/skus/${skuId}`,
  skuId,
  description,
  category: { serviceDisplayName: "Compute Engine", resourceFamily: "Compute", ...category },
  serviceRegions,
  pricingInfo: [
    {
      summary: "",
      pricingExpression: {
        usageUnit,
        usageUnitDescription: { h: "hour", "GiBy.h": "gibibyte hour", GiBy: "gibibyte" }[usageUnit],
        baseUnit: { h: "s", "GiBy.h": "By.s", GiBy: "By" }[usageUnit],
        baseUnitDescription: { h: "second", "GiBy.h": "byte second", GiBy: "byte" }[usageUnit],
        baseUnitConversionFactor: { h: 3600, "GiBy.h": 3865470566400, GiBy: 1073741824 }[usageUnit],
        displayQuantity: 1,
        tieredRates: [{ startUsageAmount: 0, unitPrice: money(usd) }]
      },
      aggregationInfo: { aggregationLevel: "ACCOUNT", aggregationInterval: "DAILY", aggregationCount: 1 },
      currencyConversionRate: 1,
      effectiveTime: "2024-06-01T08:00:00.000Z"
    }
  ],
  serviceProviderName: "Google",
  geoTaxonomy: { type: serviceRegions.length > 1 ? "MULTI_REGIONAL" : "REGIONAL", regions: serviceRegions }
})

const americas = ["us-central1", "us-east1", "us-west1"]

export const page1 = {
  skus: [
    sku("CF4E-A0C7-E3BF", "E2 Instance Core running in Americas", { resourceGroup: "CPU", usageType: "OnDemand" }, americas, "h", 0.021811),
    sku("F449-33EC-A5EF", "E2 Instance Ram running in Americas", { resourceGroup: "RAM", usageType: "OnDemand" }, americas, "GiBy.h", 0.002923),
    sku("2D1C-4A9B-0E5D", "Spot Preemptible E2 Instance Core running in Americas", { resourceGroup: "CPU", usageType: "Preemptible" }, americas, "h", 0.006543),
    sku("2E27-4F75-95CD", "N1 Predefined Instance Core running in Americas", { resourceGroup: "N1Standard", usageType: "OnDemand" }, americas, "h", 0.031611),
    sku("0A2E-8E5A-3C8D", "Nvidia Tesla T4 GPU running in Americas", { resourceGroup: "GPU", usageType: "OnDemand" }, americas, "h", 0.35)
  ],
  nextPageToken: "CgwI_page2"
}

export const page2 = {
  skus: [
    sku("6C71-A3C9-5A4C", "N1 Predefined Instance Ram running in Americas", { resourceGroup: "N1Standard", usageType: "OnDemand" }, americas, "GiBy.h", 0.004237),
    sku("9F5B-1E2A-44D0", "E2 Instance Core running in Belgium", { resourceGroup: "CPU", usageType: "OnDemand" }, ["europe-west1"], "h", 0.024),
    sku("9F5B-1E2A-44D1", "E2 Instance Ram running in Belgium", { resourceGroup: "RAM", usageType: "OnDemand" }, ["europe-west1"], "GiBy.h", 0.003),
    sku("7A3C-2B1D-9E0F", "Commitment v1: E2 Cpu in Americas for 1 Year", { resourceGroup: "CPU", usageType: "Commit1Yr" }, americas, "h", 0.013741),
    sku("5E1D-3A2F-8B7C", "Network Inter Zone Egress", { resourceGroup: "InterzoneEgress", usageType: "OnDemand", resourceFamily: "Network" }, americas, "GiBy", 0.01)
  ],
  nextPageToken: ""
}
