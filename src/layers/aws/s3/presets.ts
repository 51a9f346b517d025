/**
 * Configuration for S3-compatible services: spread one into the config and
 * add the credentials.
 *
 * ```ts
 * S3.layer({ ...S3.presets.r2({ accountId }), credentials })
 * S3.layer({ ...S3.presets.minio({ endpoint: "http://minio.local:9000" }), credentials })
 * ```
 *
 * Each one sets the endpoint pattern, the signing region that service
 * expects, the addressing style it serves, and how (whether) `enableCdn` can
 * make a bucket public there.
 */
import type { S3Config } from "./config.js"

export type Preset = Omit<S3Config, "credentials">

export const presets = {
  /**
   * MinIO: path style (virtual hosts need MINIO_DOMAIN on the server),
   * region "us-east-1" unless MINIO_SITE_REGION says otherwise; public
   * access through an anonymous bucket policy (MinIO has no ACLs).
   */
  minio: (options: { readonly endpoint?: string; readonly region?: string } = {}): Preset => ({
    name: "minio",
    endpoint: options.endpoint ?? "http://127.0.0.1:9000",
    region: options.region ?? "us-east-1",
    forcePathStyle: true,
    publicAccess: "policy"
  }),

  /**
   * Ceph Object Gateway (RGW), by default on port 7480 (8080 under cephadm).
   * The region is the zonegroup's `api_name`; "us-east-1" sends no
   * LocationConstraint, so buckets land in the default zonegroup. Path style
   * unless `rgw_dns_name` (or the zonegroup's `hostnames`) is set, then pass
   * `virtualHosted: true`. Bucket policies and ACLs both work.
   */
  cephRgw: (options: { readonly endpoint: string; readonly region?: string; readonly virtualHosted?: boolean }): Preset => ({
    name: "ceph-rgw",
    endpoint: options.endpoint,
    region: options.region ?? "us-east-1",
    forcePathStyle: options.virtualHosted !== true,
    publicAccess: "auto"
  }),

  /**
   * DigitalOcean Spaces: `https://<region>.digitaloceanspaces.com` with the
   * region slug (nyc3, sfo3, ams3, fra1, sgp1, syd1, …) as the signing
   * region, virtual-hosted. Buckets are made public with the `public-read`
   * ACL; with `cdn: true` public URLs go through the Spaces CDN
   * (`<bucket>.<region>.cdn.digitaloceanspaces.com`, enabled per Space in the
   * control panel or API).
   */
  digitalOceanSpaces: (options: { readonly region: string; readonly cdn?: boolean }): Preset => ({
    name: "digitalocean-spaces",
    endpoint: `https://${options.region}.digitaloceanspaces.com`,
    region: options.region,
    publicAccess: "acl",
    ...(options.cdn === true ? { publicUrl: `https://{bucket}.${options.region}.cdn.digitaloceanspaces.com` } : {})
  }),

  /**
   * Cloudflare R2: `https://<account id>.r2.cloudflarestorage.com` (or
   * `<account id>.<jurisdiction>.r2.cloudflarestorage.com` for the eu and
   * fedramp jurisdictions), region "auto". R2 places buckets itself (no
   * LocationConstraint) and has neither ACLs nor bucket policies: public
   * access (an r2.dev subdomain or a custom domain) is configured in
   * Cloudflare, so `storage.cdn` is not offered.
   */
  r2: (options: { readonly accountId: string; readonly jurisdiction?: "eu" | "fedramp" }): Preset => ({
    name: "cloudflare-r2",
    endpoint: `https://${options.accountId}${options.jurisdiction === undefined ? "" : `.${options.jurisdiction}`}.r2.cloudflarestorage.com`,
    region: "auto",
    forcePathStyle: true,
    bucketLocation: null,
    publicAccess: "none"
  }),

  /**
   * Backblaze B2's S3 API: `https://s3.<region>.backblazeb2.com`, with the
   * region from the bucket's endpoint (us-west-004, eu-central-003, …).
   * Buckets are public through the canned ACL (B2 accepts `private` and
   * `public-read` only; no bucket policies).
   */
  backblazeB2: (options: { readonly region: string }): Preset => ({
    name: "backblaze-b2",
    endpoint: `https://s3.${options.region}.backblazeb2.com`,
    region: options.region,
    publicAccess: "acl"
  }),

  /**
   * Wasabi: `https://s3.<region>.wasabisys.com` (us-east-1, us-east-2,
   * us-central-1, us-west-1, eu-central-1, eu-central-2, eu-west-1,
   * eu-west-2, ap-northeast-1, ap-northeast-2, ap-southeast-1,
   * ap-southeast-2, ca-central-1, …). Bucket policies and ACLs work, but
   * Wasabi allows public buckets only on paid accounts.
   */
  wasabi: (options: { readonly region?: string } = {}): Preset => ({
    name: "wasabi",
    endpoint: `https://s3.${options.region ?? "us-east-1"}.wasabisys.com`,
    region: options.region ?? "us-east-1",
    publicAccess: "auto"
  }),

  /**
   * OpenStack Swift's s3api middleware on a Swift proxy: path style, the
   * region of its `location` setting (us-east-1 by default). `public-read`
   * becomes the container's `.r:*` read ACL, but s3api serves only signed
   * requests: the public URL is Swift's own, so give the account
   * (`AUTH_<project>`) to have `cdnUrl` point there.
   */
  swiftS3api: (options: { readonly endpoint: string; readonly region?: string; readonly account?: string }): Preset => ({
    name: "swift-s3api",
    endpoint: options.endpoint,
    region: options.region ?? "us-east-1",
    forcePathStyle: true,
    publicAccess: "acl",
    ...(options.account === undefined ? {} : { publicUrl: `${options.endpoint.replace(/\/+$/, "")}/v1/${options.account}/{bucket}` })
  })
} as const
