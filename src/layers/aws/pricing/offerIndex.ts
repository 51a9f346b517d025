/**
 * Finding the EC2 price list file of a region through the AWS Price List
 * bulk API's index files, all relative to the pricing endpoint:
 *
 *   /offers/v1.0/aws/index.json                       service index:
 *     { offers: { AmazonEC2: { offerCode, currentVersionUrl, currentRegionIndexUrl } } }
 *   currentRegionIndexUrl (…/AmazonEC2/current/region_index.json):
 *     { regions: { <region>: { regionCode, currentVersionUrl } } }
 *   currentVersionUrl (…/AmazonEC2/<version>/<region>/index.json): the price list file (see offer.ts)
 *
 * Service index:  https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-the-offer-index.html
 * Region index:   https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/service-region-index-file-for-service.html
 */
import { Schema } from "effect"

export const defaultEndpoint = "https://pricing.us-east-1.amazonaws.com"

export const serviceIndexPath = "/offers/v1.0/aws/index.json"

export const serviceCode = "AmazonEC2"

export const ServiceIndex = Schema.Struct({
  offers: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      offerCode: Schema.String,
      currentVersionUrl: Schema.String,
      currentRegionIndexUrl: Schema.optional(Schema.String)
    })
  })
})

export const RegionIndex = Schema.Struct({
  regions: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({ regionCode: Schema.String, currentVersionUrl: Schema.String })
  })
})

/** The index files' URLs are relative to the endpoint's origin. */
export const resolve = (endpoint: string, url: string): string => new URL(url, endpoint).toString()

/** "us-east-1a" (an availability zone) → "us-east-1"; a region stays as it is. */
export const regionOf = (zoneOrRegion: string): string => {
  const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/.exec(zoneOrRegion)
  return m?.[1] ?? zoneOrRegion
}
