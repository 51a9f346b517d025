/**
 * The prices cloudfx ships with, so `Pricing` answers without a network:
 * Linux on-demand, shared tenancy, in US dollars per hour, for a few common
 * EC2 instance types (us-east-1, us-west-2, eu-west-1) and Compute Engine
 * machine types (us-central1, us-east1, us-west1), as the providers
 * published them on 2024-06-01. The Compute Engine figures are the published
 * per-part prices multiplied out for each machine type (E2: $0.021811 per
 * vCPU-hour and $0.002923 per GiB-hour; N1 and N2: $0.031611 and $0.004237),
 * which is how Google bills them; e2-micro/small/medium are billed for 0.25,
 * 0.5 and 1 vCPU.
 *
 * It is data in the price file format (table.ts), decoded through the same
 * schema as any other price file; refresh from the providers to replace it
 * (`cloudfx pricing refresh`, `Pricing.refresh`).
 */
import type { PriceFile } from "./table.js"

const aws = "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, shared tenancy)"
const gcp = "https://cloud.google.com/compute/vm-instance-pricing (vCPUs × core-hour + GiB × RAM-hour)"
const date = "2024-06-01"

export const bundledPrices: typeof PriceFile.Encoded = {
  version: 1,
  source: "bundled with cloudfx",
  entries: [
    { provider: "ec2", region: "us-east-1", size: "t3.micro", usdPerHour: 0.0104, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t3.small", usdPerHour: 0.0208, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t3.medium", usdPerHour: 0.0416, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t3.large", usdPerHour: 0.0832, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t3.xlarge", usdPerHour: 0.1664, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t4g.micro", usdPerHour: 0.0084, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "t4g.small", usdPerHour: 0.0168, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "m5.large", usdPerHour: 0.096, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "m5.xlarge", usdPerHour: 0.192, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "c5.large", usdPerHour: 0.085, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "c5.xlarge", usdPerHour: 0.17, vcpus: 4, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-east-1", size: "r5.large", usdPerHour: 0.126, vcpus: 2, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t3.micro", usdPerHour: 0.0104, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t3.small", usdPerHour: 0.0208, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t3.medium", usdPerHour: 0.0416, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t3.large", usdPerHour: 0.0832, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t3.xlarge", usdPerHour: 0.1664, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t4g.micro", usdPerHour: 0.0084, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "t4g.small", usdPerHour: 0.0168, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "m5.large", usdPerHour: 0.096, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "m5.xlarge", usdPerHour: 0.192, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "c5.large", usdPerHour: 0.085, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "c5.xlarge", usdPerHour: 0.17, vcpus: 4, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "us-west-2", size: "r5.large", usdPerHour: 0.126, vcpus: 2, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t3.micro", usdPerHour: 0.0114, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t3.small", usdPerHour: 0.0228, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t3.medium", usdPerHour: 0.0456, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t3.large", usdPerHour: 0.0912, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t3.xlarge", usdPerHour: 0.1824, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t4g.micro", usdPerHour: 0.0092, vcpus: 2, ramMb: 1024, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "t4g.small", usdPerHour: 0.0184, vcpus: 2, ramMb: 2048, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "m5.large", usdPerHour: 0.107, vcpus: 2, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "m5.xlarge", usdPerHour: 0.214, vcpus: 4, ramMb: 16384, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "c5.large", usdPerHour: 0.096, vcpus: 2, ramMb: 4096, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "c5.xlarge", usdPerHour: 0.192, vcpus: 4, ramMb: 8192, source: aws, date },
    { provider: "ec2", region: "eu-west-1", size: "r5.large", usdPerHour: 0.141, vcpus: 2, ramMb: 16384, source: aws, date },
    { provider: "gce", region: "us-central1", size: "e2-micro", usdPerHour: 0.00837575, vcpus: 2, ramMb: 1024, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "e2-small", usdPerHour: 0.0167515, vcpus: 2, ramMb: 2048, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "e2-medium", usdPerHour: 0.033503, vcpus: 2, ramMb: 4096, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "e2-standard-2", usdPerHour: 0.067006, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "e2-standard-4", usdPerHour: 0.134012, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "e2-standard-8", usdPerHour: 0.268024, vcpus: 8, ramMb: 32768, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n1-standard-1", usdPerHour: 0.04749975, vcpus: 1, ramMb: 3840, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n1-standard-2", usdPerHour: 0.0949995, vcpus: 2, ramMb: 7680, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n1-standard-4", usdPerHour: 0.189999, vcpus: 4, ramMb: 15360, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n2-standard-2", usdPerHour: 0.097118, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n2-standard-4", usdPerHour: 0.194236, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-central1", size: "n2-standard-8", usdPerHour: 0.388472, vcpus: 8, ramMb: 32768, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-micro", usdPerHour: 0.00837575, vcpus: 2, ramMb: 1024, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-small", usdPerHour: 0.0167515, vcpus: 2, ramMb: 2048, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-medium", usdPerHour: 0.033503, vcpus: 2, ramMb: 4096, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-standard-2", usdPerHour: 0.067006, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-standard-4", usdPerHour: 0.134012, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "e2-standard-8", usdPerHour: 0.268024, vcpus: 8, ramMb: 32768, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n1-standard-1", usdPerHour: 0.04749975, vcpus: 1, ramMb: 3840, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n1-standard-2", usdPerHour: 0.0949995, vcpus: 2, ramMb: 7680, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n1-standard-4", usdPerHour: 0.189999, vcpus: 4, ramMb: 15360, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n2-standard-2", usdPerHour: 0.097118, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n2-standard-4", usdPerHour: 0.194236, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-east1", size: "n2-standard-8", usdPerHour: 0.388472, vcpus: 8, ramMb: 32768, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-micro", usdPerHour: 0.00837575, vcpus: 2, ramMb: 1024, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-small", usdPerHour: 0.0167515, vcpus: 2, ramMb: 2048, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-medium", usdPerHour: 0.033503, vcpus: 2, ramMb: 4096, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-standard-2", usdPerHour: 0.067006, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-standard-4", usdPerHour: 0.134012, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "e2-standard-8", usdPerHour: 0.268024, vcpus: 8, ramMb: 32768, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n1-standard-1", usdPerHour: 0.04749975, vcpus: 1, ramMb: 3840, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n1-standard-2", usdPerHour: 0.0949995, vcpus: 2, ramMb: 7680, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n1-standard-4", usdPerHour: 0.189999, vcpus: 4, ramMb: 15360, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n2-standard-2", usdPerHour: 0.097118, vcpus: 2, ramMb: 8192, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n2-standard-4", usdPerHour: 0.194236, vcpus: 4, ramMb: 16384, source: gcp, date },
    { provider: "gce", region: "us-west1", size: "n2-standard-8", usdPerHour: 0.388472, vcpus: 8, ramMb: 32768, source: gcp, date },
  ]
}
