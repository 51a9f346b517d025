/**
 * AWS Price List bulk API documents, shaped as documented:
 * - service price list file: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html
 *   (products keyed by SKU with productFamily and attributes; terms.OnDemand[sku][sku.offerTermCode] with
 *   priceDimensions[sku.offerTermCode.rateCode] { unit, pricePerUnit: { USD } })
 * - service index: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-the-offer-index.html
 * - region index: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/service-region-index-file-for-service.html
 * Attribute names and values are those of the EC2 file (operatingSystem, tenancy, preInstalledSw,
 * capacitystatus, licenseModel, operation, locationType, regionCode, vcpu, memory).
 */

const attributes = (over: Record<string, string>) => ({
  servicecode: "AmazonEC2",
  location: "US East (N. Virginia)",
  locationType: "AWS Region",
  regionCode: "us-east-1",
  instanceType: "t3.micro",
  currentGeneration: "Yes",
  instanceFamily: "General purpose",
  vcpu: "2",
  physicalProcessor: "Intel Skylake E5 2686 v5",
  memory: "1 GiB",
  storage: "EBS only",
  networkPerformance: "Up to 5 Gigabit",
  processorArchitecture: "64-bit",
  tenancy: "Shared",
  operatingSystem: "Linux",
  licenseModel: "No License required",
  usagetype: "BoxUsage:t3.micro",
  operation: "RunInstances",
  capacitystatus: "Used",
  preInstalledSw: "NA",
  servicename: "Amazon Elastic Compute Cloud",
  ...over
})

const product = (sku: string, family: string, over: Record<string, string>) => ({
  sku,
  productFamily: family,
  attributes: attributes(over)
})

const onDemand = (sku: string, usd: string, description: string) => ({
  [`${sku}.JRTCKXETXF`]: {
    offerTermCode: "JRTCKXETXF",
    sku,
    effectiveDate: "2024-06-01T00:00:00Z",
    priceDimensions: {
      [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
        rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
        description,
        beginRange: "0",
        endRange: "Inf",
        unit: "Hrs",
        pricePerUnit: { USD: usd },
        appliesTo: []
      }
    },
    termAttributes: {}
  }
})

/** us-east-1: two Linux rows to keep, and rows each filter must drop. */
export const offerExcerpt = {
  formatVersion: "v1.0",
  disclaimer: "This pricing list is for informational purposes only.",
  offerCode: "AmazonEC2",
  version: "20240605000000",
  publicationDate: "2024-06-05T00:00:00Z",
  products: {
    "2X8MC7ZHJ3YQ5GAF": product("2X8MC7ZHJ3YQ5GAF", "Compute Instance", {}),
    "8UKW4TXJ5WBTGMRM": product("8UKW4TXJ5WBTGMRM", "Compute Instance", {
      operatingSystem: "Windows",
      usagetype: "BoxUsage:t3.micro",
      operation: "RunInstances:0002"
    }),
    "C5KZ7X3ZDSW6D3SU": product("C5KZ7X3ZDSW6D3SU", "Compute Instance", { tenancy: "Dedicated", usagetype: "DedicatedUsage:t3.micro" }),
    "F4Q9FXU3TGBBN3JF": product("F4Q9FXU3TGBBN3JF", "Compute Instance", { capacitystatus: "UnusedCapacityReservation" }),
    "GYK8DUW5JTBMRHQJ": product("GYK8DUW5JTBMRHQJ", "Compute Instance", {
      instanceType: "m5.large",
      memory: "8 GiB",
      usagetype: "BoxUsage:m5.large"
    }),
    "HVG7YH4RSWDJ2FPV": product("HVG7YH4RSWDJ2FPV", "Compute Instance", {
      instanceType: "m5.large",
      memory: "8 GiB",
      location: "US East (Boston)",
      locationType: "AWS Local Zone",
      regionCode: "us-east-1-bos-1"
    }),
    "P8HF6QJ9K5S6G5SR": {
      sku: "P8HF6QJ9K5S6G5SR",
      productFamily: "Storage",
      attributes: { servicecode: "AmazonEC2", location: "US East (N. Virginia)", regionCode: "us-east-1", volumeType: "General Purpose", usagetype: "EBS:VolumeUsage.gp3" }
    }
  },
  terms: {
    OnDemand: {
      "2X8MC7ZHJ3YQ5GAF": onDemand("2X8MC7ZHJ3YQ5GAF", "0.0104000000", "$0.0104 per On Demand Linux t3.micro Instance Hour"),
      "8UKW4TXJ5WBTGMRM": onDemand("8UKW4TXJ5WBTGMRM", "0.0196000000", "$0.0196 per On Demand Windows t3.micro Instance Hour"),
      "C5KZ7X3ZDSW6D3SU": onDemand("C5KZ7X3ZDSW6D3SU", "0.0125000000", "$0.0125 per Dedicated Linux t3.micro Instance Hour"),
      "F4Q9FXU3TGBBN3JF": onDemand("F4Q9FXU3TGBBN3JF", "0.0104000000", "$0.0104 per Unused Reservation Linux t3.micro Instance Hour"),
      "GYK8DUW5JTBMRHQJ": onDemand("GYK8DUW5JTBMRHQJ", "0.0960000000", "$0.096 per On Demand Linux m5.large Instance Hour"),
      "HVG7YH4RSWDJ2FPV": onDemand("HVG7YH4RSWDJ2FPV", "0.1150000000", "$0.115 per On Demand Linux m5.large Instance Hour"),
      "P8HF6QJ9K5S6G5SR": {
        "P8HF6QJ9K5S6G5SR.JRTCKXETXF": {
          offerTermCode: "JRTCKXETXF",
          sku: "P8HF6QJ9K5S6G5SR",
          effectiveDate: "2024-06-01T00:00:00Z",
          priceDimensions: {
            "P8HF6QJ9K5S6G5SR.JRTCKXETXF.6YS6EN2CT7": {
              rateCode: "P8HF6QJ9K5S6G5SR.JRTCKXETXF.6YS6EN2CT7",
              description: "$0.08 per GB-month of General Purpose (gp3) provisioned storage",
              beginRange: "0",
              endRange: "Inf",
              unit: "GB-Mo",
              pricePerUnit: { USD: "0.0800000000" },
              appliesTo: []
            }
          },
          termAttributes: {}
        }
      }
    },
    Reserved: {
      "2X8MC7ZHJ3YQ5GAF": {
        "2X8MC7ZHJ3YQ5GAF.4NA7Y494T4": {
          offerTermCode: "4NA7Y494T4",
          sku: "2X8MC7ZHJ3YQ5GAF",
          effectiveDate: "2024-06-01T00:00:00Z",
          priceDimensions: {
            "2X8MC7ZHJ3YQ5GAF.4NA7Y494T4.6YS6EN2CT7": {
              rateCode: "2X8MC7ZHJ3YQ5GAF.4NA7Y494T4.6YS6EN2CT7",
              description: "Linux/UNIX (Amazon VPC), t3.micro reserved instance applied",
              beginRange: "0",
              endRange: "Inf",
              unit: "Hrs",
              pricePerUnit: { USD: "0.0065000000" },
              appliesTo: []
            }
          },
          termAttributes: { LeaseContractLength: "1yr", OfferingClass: "standard", PurchaseOption: "No Upfront" }
        }
      }
    }
  }
}

/** The same file with terms written before products (not the documented order, still valid JSON). */
export const offerTermsFirst = {
  formatVersion: offerExcerpt.formatVersion,
  offerCode: offerExcerpt.offerCode,
  version: offerExcerpt.version,
  publicationDate: offerExcerpt.publicationDate,
  terms: offerExcerpt.terms,
  products: offerExcerpt.products
}

export const serviceIndex = (regionIndexUrl: string) => ({
  formatVersion: "v1.0",
  disclaimer: "This pricing list is for informational purposes only.",
  publicationDate: "2024-06-05T00:00:00Z",
  offers: {
    AmazonS3: {
      offerCode: "AmazonS3",
      currentVersionUrl: "/offers/v1.0/aws/AmazonS3/current/index.json",
      currentRegionIndexUrl: "/offers/v1.0/aws/AmazonS3/current/region_index.json"
    },
    AmazonEC2: {
      offerCode: "AmazonEC2",
      currentVersionUrl: "/offers/v1.0/aws/AmazonEC2/current/index.json",
      currentRegionIndexUrl: regionIndexUrl,
      savingsPlanVersionIndexUrl: "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
    }
  }
})

export const regionIndex = {
  formatVersion: "v1.0",
  disclaimer: "This pricing list is for informational purposes only.",
  publicationDate: "2024-06-05T00:00:00Z",
  regions: {
    "us-east-1": {
      regionCode: "us-east-1",
      currentVersionUrl: "/offers/v1.0/aws/AmazonEC2/20240605000000/us-east-1/index.json"
    },
    "eu-west-1": {
      regionCode: "eu-west-1",
      currentVersionUrl: "/offers/v1.0/aws/AmazonEC2/20240605000000/eu-west-1/index.json"
    }
  }
}
