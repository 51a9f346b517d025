/**
 * What an S3 client is configured with, its defaults, and the environment
 * variables `layerConfig` reads (the AWS CLI / SDK names).
 */
import type { Config, Duration } from "effect"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import type * as Retry from "../../../http/Retry.js"
import { credentialsConfig, endpointConfig as serviceEndpoint, regionConfig } from "../config.js"

/**
 * How `enableCdn` makes a bucket publicly readable:
 * - "policy": a bucket policy allowing anonymous `s3:GetObject` (AWS with
 *   Block Public Access off, MinIO, Ceph RGW, Wasabi, DigitalOcean);
 * - "acl": the canned ACL `public-read` on the bucket (Swift s3api,
 *   Backblaze B2, Ceph RGW, DigitalOcean, AWS buckets with ACLs enabled);
 * - "auto" (default): the policy, and the ACL when the server says it has no
 *   bucket policies (501 NotImplemented / 405);
 * - "none": the server has neither (Cloudflare R2, s3rver): `enableCdn` and
 *   `cdnUrl` are `Unsupported` and `storage.cdn` is not a capability.
 */
export type PublicAccess = "auto" | "policy" | "acl" | "none"

export interface S3Config {
  /** The signing region, e.g. "eu-west-1" (S3-compatibles: see `S3.presets`). */
  readonly region: string
  /** Explicit credentials; without them the chain runs at the first request: environment, then the shared credentials file. */
  readonly credentials?: AwsCredentials | undefined
  /** Another S3 endpoint ("http://127.0.0.1:9000", "https://nyc3.digitaloceanspaces.com"); default AWS's for the region. */
  readonly endpoint?: string | undefined
  /**
   * Put the bucket in the path (`host/bucket/key`) instead of the host name
   * (`bucket.host/key`). Path style is also used, whatever this says, for
   * endpoints that are IP addresses or localhost, for bucket names that are
   * not DNS labels, and for names with dots over https (the certificate's
   * wildcard covers one label only).
   */
  readonly forcePathStyle?: boolean | undefined
  /** Bytes per part of a multipart upload, 5 MiB … 5 GiB. Default 8 MiB. */
  readonly partSize?: number | undefined
  /** Parts in flight at once. Memory for one upload is at most partSize × concurrency. Default 4. */
  readonly concurrency?: number | undefined
  /** Sources larger than this are copied in parts (UploadPartCopy), 0 … 5 GiB. Default 5 GiB: CopyObject's limit (copy.ts). */
  readonly multipartCopyThreshold?: number | undefined
  /** Bytes per part of a multipart copy, 5 MiB … 5 GiB (more if the source needs over 10,000). Default 100 MiB. */
  readonly copyPartSize?: number | undefined
  /** Default "auto". */
  readonly publicAccess?: PublicAccess | undefined
  /**
   * The base of public object URLs returned by `cdnUrl`, where it is not the
   * S3 endpoint: a CDN or custom domain. `{bucket}` is replaced by the
   * bucket name ("https://{bucket}.nyc3.cdn.digitaloceanspaces.com",
   * "https://pub-….r2.dev").
   */
  readonly publicUrl?: string | undefined
  /**
   * The LocationConstraint CreateBucket sends. Default: the region, none for
   * us-east-1 (which S3 refuses as a constraint). `null` sends none at all
   * (servers that place buckets themselves).
   */
  readonly bucketLocation?: string | null | undefined
  /**
   * Whether uploads sign their payload's SHA-256, which the server checks
   * the bytes against (AWS, Swift's s3api, MinIO, Ceph, R2…). Default true.
   * Multipart parts then carry that hash alone; with `false` they carry a
   * Content-MD5 instead and are sent as UNSIGNED-PAYLOAD (for servers that
   * check MD5 but not the payload hash). A single PUT always carries both,
   * so its ETag can be checked against the MD5.
   */
  readonly signPayload?: boolean | undefined
  /** The provider id on every error and span. Default "aws-s3"; the presets set their own. */
  readonly name?: string | undefined
  /** Per-attempt timeout of small requests. Default 60 s (uploads get longer, by size). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB
export const MIN_PART_SIZE = 5 * MiB
export const MAX_PART_SIZE = 5 * GiB
export const MAX_PARTS = 10_000
export const DEFAULT_PART_SIZE = 8 * MiB
export const DEFAULT_CONCURRENCY = 4
export const DEFAULT_NAME = "aws-s3"

/** AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. */
export const endpointConfig: Config.Config<string | undefined> = serviceEndpoint("S3")

/** What `layerConfig` reads when given nothing. */
export const envConfig: Config.Config.Wrap<S3Config> = {
  region: regionConfig,
  endpoint: endpointConfig,
  credentials: credentialsConfig
}
