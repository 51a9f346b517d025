/**
 * Amazon S3 and S3-compatible object storage (`cloudfx/aws`, provider id
 * "aws-s3" unless a preset or `name` says otherwise), over the S3 REST API
 * signed with SigV4.
 *
 * ```ts
 * import { S3 } from "cloudfx/aws"
 *
 * // AWS, credentials from AWS_ACCESS_KEY_ID… or ~/.aws/credentials
 * S3.layer({ region: "eu-west-1" })
 * // the environment: AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…
 * S3.layerConfig()
 * // S3-compatibles (see `presets` for each one's endpoint, region and public-access conventions)
 * S3.layer({ ...S3.presets.minio({ endpoint: "http://127.0.0.1:9000" }), credentials })
 * S3.layer({ ...S3.presets.cephRgw({ endpoint: "http://rgw.local:7480" }), credentials })
 * S3.layer({ ...S3.presets.digitalOceanSpaces({ region: "fra1" }), credentials })
 * S3.layer({ ...S3.presets.r2({ accountId: "0123…cdef" }), credentials })
 * S3.layer({ ...S3.presets.backblazeB2({ region: "us-west-004" }), credentials })
 * S3.layer({ ...S3.presets.wasabi({ region: "eu-central-1" }), credentials })
 * ```
 *
 * where `credentials = { accessKeyId, secretAccessKey: Redacted.make(secret) }`.
 * The layer provides `ObjectStorage` and the S3-only `S3.S3` (storage classes,
 * multipart upload housekeeping, presigning with options).
 *
 * Behaviour worth knowing:
 * - Uploads: one PUT with Content-MD5 up to `partSize` (default 8 MiB),
 *   multipart above, `concurrency` (default 4) parts at once, each part
 *   signed by its SHA-256 which the server checks (`signPayload`); memory is at
 *   most partSize × concurrency, and the source stream is read only as
 *   fast as parts are stored. A failed or interrupted multipart upload is
 *   aborted. The ETag of a single PUT must be the MD5 of what was sent
 *   (unless SSE-KMS / SSE-C), the size of a multipart object must be what was
 *   sent; otherwise `IntegrityError`.
 * - Listings use `encoding-type=url`, so keys with characters XML cannot
 *   carry survive; objects and prefixes come in UTF-8 key order.
 * - A bucket in another region is a `ProviderError` naming that region: the
 *   request is not re-sent elsewhere.
 * - `enableCdn` adds a public-read statement to the bucket policy (keeping
 *   the policy's other statements), or sets the `public-read` ACL where the
 *   server has no policies (see `publicAccess`). On AWS either needs Block
 *   Public Access turned off for the bucket (and ACLs enabled for the ACL);
 *   until then it fails with `PermissionDenied`. `cdnUrl` is the object's
 *   plain URL, or `publicUrl`'s.
 * - Copies are done by the server. The source is read (HEAD) first; up to
 *   `multipartCopyThreshold` (default 5 GiB, CopyObject's limit) one
 *   CopyObject keeps its metadata; above, a multipart copy of UploadPartCopy
 *   ranges (`copyPartSize`, default 100 MiB — the AWS SDK TransferManager's
 *   defaults; the AWS CLI would copy in parts from 8 MiB) `concurrency` at a
 *   time, each pinned to the source's ETag, carrying its content type,
 *   x-amz-meta-* and content headers (not its tags or ACL). A failed or
 *   interrupted multipart copy is aborted.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Either, Layer, Stream } from "effect"
import { InvalidInput, ProviderError } from "../../../schemas/Errors.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import * as Client from "./client.js"
import { envConfig, type S3Config } from "./config.js"
import * as Copy from "./copy.js"
import * as Service from "./service.js"
import type { S3Service } from "./types.js"

export type { PublicAccess, S3Config } from "./config.js"
export { presets, type Preset } from "./presets.js"
export type { CannedAcl, MultipartUpload, PresignOptions, PutOptions, S3Service, StorageClass } from "./types.js"

/** The S3-only operations, provided by the same layer as `ObjectStorage`. */
export class S3 extends Context.Tag("cloudfx/aws/S3")<S3, S3Service>() {}

/**
 * Both services over one client. A configuration that cannot work (a bad
 * endpoint URL, a part size S3 refuses) is reported by every operation as
 * `InvalidInput`, before any request.
 */
export const makeServices = (
  config: S3Config
): Effect.Effect<{ readonly storage: ObjectStorage.Service; readonly s3: S3Service }, never, HttpClient.HttpClient> =>
  Either.match(Either.all([Client.resolve(config), Copy.settings(config)]), {
    onLeft: (error) => Effect.succeed(misconfigured(error)),
    onRight: ([resolved, copy]) => Effect.map(Client.make(config, resolved), (client) => Service.make(client, copy))
  })

/** The portable service alone (a plain value: hold several, e.g. to copy between providers). */
export const make = (config: S3Config): Effect.Effect<ObjectStorage.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.storage)

/** The S3-only service alone. */
export const makeS3 = (config: S3Config): Effect.Effect<S3Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.s3)

export const layer = (config: S3Config): Layer.Layer<ObjectStorage | S3, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ s3, storage }) => Context.make(ObjectStorage, storage).pipe(Context.add(S3, s3)))
  )

/**
 * Reads the AWS CLI / SDK variables unless given a config: AWS_REGION (or
 * AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL),
 * AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); without
 * keys there, the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 * AWS_PROFILE) is read at the first request.
 */
export const layerConfig = (
  config: Config.Config.Wrap<S3Config> = envConfig
): Layer.Layer<ObjectStorage | S3, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))

const misconfigured = (error: InvalidInput): { readonly storage: ObjectStorage.Service; readonly s3: S3Service } => {
  const fail = (operation: string) =>
    Effect.fail(new InvalidInput({ provider: error.provider, operation, field: `config.${error.field}`, reason: error.reason }))
  const op = (name: string) => fail(`ObjectStorage.${name}`)
  const info = providerInfo(error.provider, [])
  const storage = ObjectStorage.of({
    provider: info,
    // Its only failures are the provider's: say it as one.
    listContainers: () =>
      Effect.fail(
        new ProviderError({
          provider: error.provider,
          operation: "ObjectStorage.listContainers",
          code: "InvalidConfiguration",
          detail: `invalid config.${error.field}: ${error.reason}`
        })
      ),
    getContainer: () => op("getContainer"),
    createContainer: () => op("createContainer"),
    deleteContainer: () => op("deleteContainer"),
    listObjects: () => Stream.fromEffect(op("listObjects")),
    headObject: () => op("headObject"),
    getObject: () => op("getObject"),
    putObject: () => op("putObject"),
    deleteObject: () => op("deleteObject"),
    copyObject: () => op("copyObject"),
    signedUrl: () => op("signedUrl"),
    enableCdn: () => op("enableCdn"),
    cdnUrl: () => op("cdnUrl")
  })
  const s3: S3Service = {
    provider: info,
    endpoint: "",
    putObject: () => fail("S3.putObject"),
    listMultipartUploads: () => Stream.fromEffect(fail("S3.listMultipartUploads")),
    abortMultipartUpload: () => fail("S3.abortMultipartUpload"),
    presign: () => fail("S3.presign"),
    objectUrl: () => fail("S3.objectUrl")
  }
  return { storage, s3 }
}
