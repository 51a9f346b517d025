/**
 * The S3-specific service (libcloud's `ex_` methods for S3) and its options.
 */
import type { Duration, Effect, Stream } from "effect"
import type {
  IntegrityError,
  InvalidCredentials,
  InvalidInput,
  NotFound,
  ProviderFailure
} from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import type { ObjectStorage } from "../../../services/ObjectStorage.js"
import type { ProviderInfo } from "../../../services/ProviderInfo.js"

/** AWS's storage classes; S3-compatibles may have their own (any upper-case name is accepted). */
export type StorageClass =
  | "STANDARD"
  | "REDUCED_REDUNDANCY"
  | "STANDARD_IA"
  | "ONEZONE_IA"
  | "INTELLIGENT_TIERING"
  | "GLACIER"
  | "GLACIER_IR"
  | "DEEP_ARCHIVE"
  | "EXPRESS_ONEZONE"
  | (string & {})

export type CannedAcl =
  | "private"
  | "public-read"
  | "public-read-write"
  | "authenticated-read"
  | "bucket-owner-read"
  | "bucket-owner-full-control"

export interface PutOptions extends ObjectStorage.PutOptions {
  readonly storageClass?: StorageClass
  readonly acl?: CannedAcl
  readonly cacheControl?: string
  readonly contentDisposition?: string
  readonly contentEncoding?: string
  readonly serverSideEncryption?: "AES256" | "aws:kms" | "aws:kms:dsse"
  readonly sseKmsKeyId?: string
}

export interface PresignOptions {
  /** Default GET. */
  readonly method?: "GET" | "PUT" | "HEAD" | "DELETE"
  /** 1 second to 7 days. */
  readonly expiresIn: Duration.DurationInput
  /** Signed: a PUT through the URL must send this Content-Type. */
  readonly contentType?: string
  /** Signed: a PUT through the URL must send these `x-amz-meta-*` headers. */
  readonly metadata?: Readonly<Record<string, string>>
  /** Signed: a PUT through the URL must send this `x-amz-storage-class`. */
  readonly storageClass?: StorageClass
  /** What S3 answers a GET through the URL with, instead of the stored values. */
  readonly responseContentType?: string
  readonly responseContentDisposition?: string
  readonly responseCacheControl?: string
  readonly versionId?: string
}

/** An upload started and neither completed nor aborted: its parts are stored (and billed). */
export interface MultipartUpload {
  readonly key: string
  readonly uploadId: string
  readonly initiated?: Date
  readonly storageClass?: StorageClass
}

export interface S3Service {
  readonly provider: ProviderInfo
  /** The service endpoint this client talks to. */
  readonly endpoint: string
  /** `ObjectStorage.putObject` with S3's options (storage class, ACL, SSE, caching headers). */
  readonly putObject: <E = never>(
    bucket: string,
    key: string,
    body: ObjectStorage.Body<E>,
    options?: PutOptions
  ) => Effect.Effect<ObjectInfo, E | NotFound | InvalidInput | IntegrityError | ProviderFailure>
  /** Uploads in progress (or left behind), oldest key first. */
  readonly listMultipartUploads: (
    bucket: string,
    options?: { readonly prefix?: string }
  ) => Stream.Stream<MultipartUpload, NotFound | InvalidInput | ProviderFailure>
  /** Discards an upload and its parts; `NotFound` when there is no such upload. */
  readonly abortMultipartUpload: (
    bucket: string,
    key: string,
    uploadId: string
  ) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** A presigned URL for any of GET, PUT, HEAD, DELETE, with signed headers and response overrides. */
  readonly presign: (
    bucket: string,
    key: string,
    options: PresignOptions
  ) => Effect.Effect<string, InvalidInput | InvalidCredentials>
  /** The object's URL (not signed). */
  readonly objectUrl: (bucket: string, key: string) => Effect.Effect<string, InvalidInput>
}
