/**
 * The portable ObjectStorage and the S3-specific service, both built on one
 * Client (S3Config → requests).
 */
import { HttpClientRequest } from "@effect/platform"
import type { HttpClientResponse } from "@effect/platform"
import { Duration, Effect, Option, Predicate, Stream } from "effect"
import { presignUrl } from "../../../auth/aws/HttpSigner.js"
import * as ProviderHttp from "../../../http/Client.js"
import type { FailureContext } from "../../../http/Errors.js"
import * as Paginate from "../../../http/Paginate.js"
import {
  AlreadyExists,
  InvalidInput,
  MalformedResponse,
  NotFound
} from "../../../schemas/Errors.js"
import { Container } from "../../../schemas/Models.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { type Capability, providerInfo } from "../../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { withQuery } from "./addressing.js"
import type { Client } from "./client.js"
import { MAX_PART_SIZE, MIN_PART_SIZE } from "./config.js"
import * as Copy from "./copy.js"
import * as S3Errors from "./errors.js"
import { contentRange, fromHeaders, parseDate } from "./objectInfo.js"
import type { PresignOptions, PutOptions, S3Service } from "./types.js"
import * as Listing from "./listing.js"
import * as PublicAccess from "./publicAccess.js"
import * as Upload from "./upload.js"
import {
  createBucketBody,
  ListAllMyBucketsResult,
  ListBucketResult,
  ListMultipartUploadsResult,
  xmlOptions
} from "./wire.js"

const op = (name: string) => `ObjectStorage.${name}`
const DEFAULT_CONTENT_TYPE = "application/octet-stream"
const DEFAULT_PAGE_SIZE = 1000


const storageClassPattern = /^[A-Z][A-Z0-9_]*$/

export const make = (client: Client, copySettings: Copy.Settings = Copy.defaults): { readonly storage: ObjectStorage.Service; readonly s3: S3Service } => {
  const { address, http, provider } = client
  const where = (operation: string) => ({ provider, operation })
  const invalid = (operation: string, field: string, reason: string) => new InvalidInput({ ...where(operation), field, reason })
  const common = (bucket?: string) => S3Errors.common(client.region, bucket)
  const uploads = Upload.make(client)

  // ------------------------------------------------------------ input

  const bucketName = (operation: string, name: string) => validate.containerName(where(operation), name)
  const objectKey = (operation: string, key: string) => validate.objectKey(where(operation), key)

  const bodySource = <E>(operation: string, body: ObjectStorage.Body<E>): Effect.Effect<Upload.Source<E>, InvalidInput> => {
    if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: Buffer.from(body, "utf8") })
    if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body })
    if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
    return Effect.fail(invalid(operation, "body", "must be a Uint8Array, a string or a Stream"))
  }

  /** S3's own limits on top of the portable option checks. */
  const putOptions = (operation: string, options: PutOptions | undefined) =>
    Effect.flatMap(validate.putOptions(where(operation), options), (o) => {
      const s3 = (options ?? {}) as PutOptions
      if (o.partSize !== undefined && (o.partSize < MIN_PART_SIZE || o.partSize > MAX_PART_SIZE)) {
        return Effect.fail(invalid(operation, "partSize", `must be from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB) bytes`))
      }
      if (s3.storageClass !== undefined && !storageClassPattern.test(s3.storageClass)) {
        return Effect.fail(invalid(operation, "storageClass", "must be an S3 storage class such as STANDARD or GLACIER_IR"))
      }
      for (const field of ["cacheControl", "contentDisposition", "contentEncoding", "sseKmsKeyId", "acl"] as const) {
        const v = s3[field]
        if (v !== undefined && (typeof v !== "string" || v === "" || /[\r\n\0]/.test(v))) {
          return Effect.fail(invalid(operation, field, "must be a non-empty single line"))
        }
      }
      return Effect.succeed(s3)
    })

  const uploadHeaders = (o: PutOptions): Record<string, string> => {
    const headers: Record<string, string> = { "content-type": o.contentType ?? DEFAULT_CONTENT_TYPE }
    for (const [k, v] of Object.entries(o.metadata ?? {})) headers[`x-amz-meta-${k.toLowerCase()}`] = v
    if (o.storageClass !== undefined) headers["x-amz-storage-class"] = o.storageClass
    if (o.acl !== undefined) headers["x-amz-acl"] = o.acl
    if (o.cacheControl !== undefined) headers["cache-control"] = o.cacheControl
    if (o.contentDisposition !== undefined) headers["content-disposition"] = o.contentDisposition
    if (o.contentEncoding !== undefined) headers["content-encoding"] = o.contentEncoding
    if (o.serverSideEncryption !== undefined) headers["x-amz-server-side-encryption"] = o.serverSideEncryption
    if (o.sseKmsKeyId !== undefined) headers["x-amz-server-side-encryption-aws-kms-key-id"] = o.sseKmsKeyId
    return headers
  }

  // ------------------------------------------------------------ buckets

  /** HEAD bucket: its region when it exists; NotFound when it does not. */
  const headBucket = (operation: string, bucket: string) =>
    http.execute(
      HttpClientRequest.head(address.bucketUrl(bucket)),
      { operation, notFound: { resource: "container", id: bucket }, classify: common(bucket), attributes: { "cloudfx.container": bucket } },
      ProviderHttp.headers
    )

  const listContainers: ObjectStorage.Service["listContainers"] = () => {
    const operation = op("listContainers")
    const page = (token: Option.Option<string>) =>
      http.execute(
        HttpClientRequest.get(withQuery(`${address.serviceUrl}/`, { "continuation-token": Option.getOrUndefined(token) })),
        { operation, classify: common() },
        ProviderHttp.xml(ListAllMyBucketsResult, xmlOptions)
      ).pipe(Effect.map((r): Paginate.Page<Container, string> => {
        const buckets = r.ListAllMyBucketsResult.Buckets === "" ? [] : r.ListAllMyBucketsResult.Buckets.Bucket
        return {
          items: buckets.map((b) => {
            const createdAt = parseDate(b.CreationDate)
            return new Container({
              name: b.Name,
              ...(createdAt === undefined ? {} : { createdAt }),
              ...(b.BucketRegion === undefined ? {} : { extra: { region: b.BucketRegion } })
            })
          }),
          next: Option.fromNullable(r.ListAllMyBucketsResult.ContinuationToken).pipe(Option.filter((t) => t !== ""))
        }
      }))
    return Stream.runCollect(Paginate.stream(page, { where: where(operation) })).pipe(
      Effect.map((c) => [...c]),
      traced(provider, operation)
    )
  }

  const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
    const operation = op("getContainer")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, name)
      const { headers } = yield* headBucket(operation, bucket)
      const region = headers["x-amz-bucket-region"]
      return new Container({ name: bucket, ...(region === undefined ? {} : { extra: { region } }) })
    }).pipe(traced(provider, operation, { "cloudfx.container": name }))
  }

  const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
    const operation = op("createContainer")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, name)
      // In us-east-1 S3 answers 200 to creating a bucket you already own: ask first.
      const exists = yield* headBucket(operation, bucket).pipe(
        Effect.as(true),
        Effect.catchAll(() => Effect.succeed(false))
      )
      if (exists) return yield* new AlreadyExists({ ...where(operation), resource: "container", id: bucket })
      let request = HttpClientRequest.put(address.bucketUrl(bucket))
      if (client.bucketLocation !== undefined) {
        request = HttpClientRequest.bodyText(request, createBucketBody(client.bucketLocation), "application/xml")
      }
      yield* http.execute(
        request,
        {
          operation,
          conflict: "AlreadyExists",
          target: { resource: "container", id: bucket },
          classify: (ctx) => common(bucket)(ctx) ?? S3Errors.bucketExists(ctx, bucket) ?? S3Errors.invalidArgument(ctx),
          attributes: { "cloudfx.container": bucket }
        },
        ProviderHttp.empty
      )
      return new Container({ name: bucket })
    }).pipe(traced(provider, operation, { "cloudfx.container": name }))
  }

  const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
    const operation = op("deleteContainer")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, name)
      yield* http.execute(
        HttpClientRequest.del(address.bucketUrl(bucket)),
        {
          operation,
          notFound: { resource: "container", id: bucket },
          conflict: "Conflict",
          target: { resource: "container", id: bucket },
          classify: (ctx) => common(bucket)(ctx) ?? S3Errors.bucketNotEmpty(ctx, bucket),
          attributes: { "cloudfx.container": bucket }
        },
        ProviderHttp.empty
      )
    }).pipe(traced(provider, operation, { "cloudfx.container": name }))
  }

  // ------------------------------------------------------------ listing

  const malformed = (operation: string, reason: string) => new MalformedResponse({ ...where(operation), reason })

  const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
    const operation = op("listObjects")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const o = yield* validate.listOptions(where(operation), options)
      const page = (token: Option.Option<string>) =>
        http.execute(
          HttpClientRequest.get(withQuery(address.bucketUrl(bucket), {
            "list-type": "2",
            prefix: o.prefix,
            delimiter: o.delimiter,
            "max-keys": o.pageSize ?? DEFAULT_PAGE_SIZE,
            "continuation-token": Option.getOrUndefined(token),
            // Keys may hold characters XML 1.0 cannot carry.
            "encoding-type": "url"
          })),
          {
            operation,
            classify: (ctx) => common(bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket),
            notFound: { resource: "container", id: bucket },
            attributes: { "cloudfx.container": bucket }
          },
          ProviderHttp.xml(ListBucketResult, xmlOptions)
        ).pipe(Effect.flatMap((r) => Listing.objectsPage(where(operation), r.ListBucketResult)))
      return Paginate.stream(page, { where: where(operation) })
    }).pipe(Stream.unwrap, tracedStream(provider, operation, { "cloudfx.container": container }))
  }

  // ------------------------------------------------------------ objects

  /** A 404 on HEAD has no body to tell a missing key from a missing bucket: ask about the bucket. */
  const whichMissing = (operation: string, bucket: string) => (e: NotFound) =>
    e.resource === "object"
      ? Effect.zipRight(headBucket(operation, bucket), Effect.fail(e))
      : Effect.fail(e)

  const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
    const operation = op("headObject")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      const { headers } = yield* http.execute(
        HttpClientRequest.head(address.objectUrl(bucket, k)),
        {
          operation,
          notFound: { resource: "object", id: `${bucket}/${k}` },
          classify: common(bucket),
          attributes: { "cloudfx.container": bucket, "cloudfx.key": k }
        },
        ProviderHttp.headers
      ).pipe(Effect.catchTag("NotFound", whichMissing(operation, bucket)))
      return fromHeaders(k, Number(headers["content-length"] ?? "0"), headers)
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  /** Skips `skip` bytes and stops after `take`: for a server that ignored our Range and sent the whole object. */
  const slice = <E>(body: Stream.Stream<Uint8Array, E>, skip: number, take: number | undefined) => {
    let at = 0
    const end = take === undefined ? Infinity : skip + take
    return body.pipe(
      Stream.takeWhile(() => at < end),
      Stream.map((chunk) => {
        const from = Math.max(0, skip - at)
        const to = Math.min(chunk.byteLength, end - at)
        at += chunk.byteLength
        return from === 0 && to === chunk.byteLength ? chunk : chunk.subarray(from, Math.max(from, to))
      }),
      Stream.filter((c) => c.byteLength > 0)
    )
  }

  const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
    const operation = op("getObject")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      const range = yield* validate.range(where(operation), options?.range)
      let request = HttpClientRequest.get(address.objectUrl(bucket, k))
      if (range !== undefined) {
        // Ours is end-exclusive, HTTP's end-inclusive.
        request = HttpClientRequest.setHeader(request, "range", `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}`)
      }
      const response: HttpClientResponse.HttpClientResponse = yield* http.execute(request, {
        operation,
        classify: (ctx: FailureContext) =>
          common(bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket) ?? S3Errors.noSuchKey(ctx, bucket, k) ??
            (range === undefined ? undefined : S3Errors.invalidRange(ctx, range.start)),
        notFound: { resource: "object", id: `${bucket}/${k}` },
        attributes: { "cloudfx.container": bucket, "cloudfx.key": k }
      })
      const headers = response.headers
      // Read off what is left so the connection can be reused, but not for long: a server that
      // promised more than it sends (s3rver's empty ranges) would hold us until its socket times out.
      const discard = ProviderHttp.empty(response, where(operation)).pipe(Effect.timeout("1 second"), Effect.ignore)
      const served = response.status === 206 ? contentRange(headers["content-range"]) : undefined
      const size = response.status === 206 ? served?.total : Number(headers["content-length"])
      if (size === undefined || !Number.isSafeInteger(size)) {
        yield* discard
        return yield* malformed(operation, served === undefined ? "no valid Content-Length or Content-Range" : "no valid Content-Range")
      }
      const info = fromHeaders(k, size, headers)
      let body = ProviderHttp.bodyStream(response, where(operation))
      if (range !== undefined) {
        if (range.start >= size) {
          yield* discard
          return yield* invalid(operation, "range.start", `${range.start} is at or beyond the end of the object (${size} bytes)`)
        }
        const length = Math.min(range.end ?? size, size) - range.start
        // Never more than asked, whatever was served: the whole object (Range ignored) or a longer range (s3rver's "bytes=0-0").
        const from = served?.start ?? 0
        if (from > range.start) {
          yield* discard
          return yield* malformed(operation, `asked for bytes from ${range.start}, the answer starts at ${from}`)
        }
        if (from < range.start || (served === undefined ? size : served.end + 1 - served.start) > length) {
          body = slice(body, range.start - from, length)
        }
      }
      return { info, body } satisfies ObjectStorage.Download
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const putObjectWith = <E>(
    operation: string,
    container: string,
    key: string,
    body: ObjectStorage.Body<E>,
    options: PutOptions | undefined
  ) =>
    Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      const o = yield* putOptions(operation, options)
      const source = yield* bodySource(operation, body)
      const spec: Upload.UploadSpec = {
        bucket,
        key: k,
        operation,
        headers: uploadHeaders(o),
        contentType: o.contentType ?? DEFAULT_CONTENT_TYPE,
        partSize: o.partSize ?? client.partSize,
        concurrency: o.concurrency ?? client.concurrency
      }
      if (source._tag === "Stream") {
        // Not-found is known before the body is pulled. Without s3:ListBucket the HEAD is refused: go on, the upload will say.
        yield* headBucket(operation, bucket).pipe(Effect.catchTag("PermissionDenied", () => Effect.void))
      }
      return yield* uploads.upload(spec, source)
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))

  const putObject: ObjectStorage.Service["putObject"] = (container, key, body, options) =>
    putObjectWith(op("putObject"), container, key, body, options)

  const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
    const operation = op("deleteObject")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      yield* http.execute(
        HttpClientRequest.del(address.objectUrl(bucket, k)),
        {
          operation,
          classify: (ctx) => common(bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket) ?? S3Errors.noSuchKey(ctx, bucket, k),
          attributes: { "cloudfx.container": bucket, "cloudfx.key": k }
        },
        ProviderHttp.empty
      ).pipe(
        // S3 answers 204 for a key that is not there; a server that says NoSuchKey means the same.
        Effect.catchIf((e) => e._tag === "NotFound" && e.resource === "object", () => Effect.void)
      )
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const copies = Copy.make(client, copySettings, { uploads, headBucket })

  const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
    const operation = op("copyObject")
    return Effect.gen(function*() {
      const fromBucket = yield* bucketName(operation, from.container)
      const fromKey = yield* objectKey(operation, from.key)
      const toBucket = yield* bucketName(operation, to.container)
      const toKey = yield* objectKey(operation, to.key)
      return yield* copies.copy({ operation, from: { bucket: fromBucket, key: fromKey }, to: { bucket: toBucket, key: toKey } })
    }).pipe(
      traced(provider, operation, {
        "cloudfx.container": from.container,
        "cloudfx.key": from.key,
        "cloudfx.target.container": to.container,
        "cloudfx.target.key": to.key
      })
    )
  }

  // ------------------------------------------------------------ presigned URLs

  const presign = (operation: string, container: string, key: string, options: PresignOptions) =>
    Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      const lifetime = yield* validate.expiresIn(where(operation), options.expiresIn)
      const method = options.method ?? "GET"
      if (!["GET", "PUT", "HEAD", "DELETE"].includes(method)) {
        return yield* invalid(operation, "method", "must be GET, PUT, HEAD or DELETE")
      }
      const query: Record<string, string | undefined> = {
        "response-content-type": options.responseContentType,
        "response-content-disposition": options.responseContentDisposition,
        "response-cache-control": options.responseCacheControl,
        versionId: options.versionId
      }
      let request = HttpClientRequest.make(method)(withQuery(address.objectUrl(bucket, k), query))
      // Signed headers: whoever uses the URL must send exactly these.
      const signed: Record<string, string> = {}
      if (options.contentType !== undefined) signed["content-type"] = options.contentType
      if (options.storageClass !== undefined) signed["x-amz-storage-class"] = options.storageClass
      for (const [name, value] of Object.entries(options.metadata ?? {})) signed[`x-amz-meta-${name.toLowerCase()}`] = value
      for (const [name, value] of Object.entries(signed)) {
        if (/[\r\n\0]/.test(value)) return yield* invalid(operation, name, "must be a single line")
      }
      request = HttpClientRequest.setHeaders(request, signed)
      const credentials = yield* client.credentials(operation)
      return yield* presignUrl({
        credentials,
        region: client.region,
        service: "s3",
        s3: true,
        expiresIn: Math.max(1, Math.floor(Duration.toSeconds(lifetime))),
        where: where(operation)
      })(request)
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))

  const signedUrl: ObjectStorage.Service["signedUrl"] = (container, key, options) =>
    presign(op("signedUrl"), container, key, {
      expiresIn: options.expiresIn,
      ...(options.method === undefined ? {} : { method: options.method })
    })

  // ------------------------------------------------------------ public access

  const publicAccess = PublicAccess.make(client)

  const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
    const operation = op("enableCdn")
    return Effect.flatMap(bucketName(operation, container), (bucket) => publicAccess.enable(operation, bucket)).pipe(
      traced(provider, operation, { "cloudfx.container": container })
    )
  }

  const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
    const operation = op("cdnUrl")
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = key === undefined ? undefined : yield* objectKey(operation, key)
      return yield* publicAccess.url(operation, bucket, k)
    }).pipe(traced(provider, operation, { "cloudfx.container": container }))
  }

  // ------------------------------------------------------------ S3 only

  const listMultipartUploads: S3Service["listMultipartUploads"] = (container, options) => {
    const operation = "S3.listMultipartUploads"
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      if (options?.prefix !== undefined && options.prefix.includes("\0")) return yield* invalid(operation, "prefix", "must not contain NUL")
      const page = (token: Option.Option<Listing.UploadsToken>) =>
        http.execute(
          HttpClientRequest.get(withQuery(address.bucketUrl(bucket), {
            uploads: null,
            prefix: options?.prefix,
            "key-marker": Option.getOrUndefined(Option.map(token, ([k]) => k)),
            "upload-id-marker": Option.getOrUndefined(Option.map(token, ([, u]) => u)),
            "encoding-type": "url"
          })),
          {
            operation,
            classify: (ctx) => common(bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket),
            notFound: { resource: "container", id: bucket },
            attributes: { "cloudfx.container": bucket }
          },
          ProviderHttp.xml(ListMultipartUploadsResult, xmlOptions)
        ).pipe(Effect.flatMap((r) => Listing.uploadsPage(where(operation), r.ListMultipartUploadsResult)))
      return Paginate.stream(page, { where: where(operation) })
    }).pipe(Stream.unwrap, tracedStream(provider, operation, { "cloudfx.container": container }))
  }

  const abortMultipartUpload: S3Service["abortMultipartUpload"] = (container, key, uploadId) => {
    const operation = "S3.abortMultipartUpload"
    return Effect.gen(function*() {
      const bucket = yield* bucketName(operation, container)
      const k = yield* objectKey(operation, key)
      if (typeof uploadId !== "string" || uploadId === "") return yield* invalid(operation, "uploadId", "must be a non-empty string")
      yield* http.execute(
        HttpClientRequest.del(withQuery(address.objectUrl(bucket, k), { uploadId })),
        {
          operation,
          classify: (ctx) =>
            common(bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket) ?? S3Errors.noSuchUpload(ctx, uploadId),
          notFound: { resource: "multipart upload", id: uploadId },
          attributes: { "cloudfx.container": bucket, "cloudfx.key": k }
        },
        ProviderHttp.empty
      )
    }).pipe(traced(provider, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const capabilities: Array<Capability> = ["storage.signedUrl", "storage.range", "storage.copy", "storage.multipart"]
  if (publicAccess.supported) capabilities.push("storage.cdn")
  const info = providerInfo(provider, capabilities, client.region)

  const storage = ObjectStorage.of({
    provider: info,
    listContainers,
    getContainer,
    createContainer,
    deleteContainer,
    listObjects,
    headObject,
    getObject,
    putObject,
    deleteObject,
    copyObject,
    signedUrl,
    enableCdn,
    cdnUrl
  })

  const s3: S3Service = {
    provider: info,
    endpoint: address.serviceUrl,
    putObject: (container, key, body, options) => putObjectWith("S3.putObject", container, key, body, options),
    listMultipartUploads,
    abortMultipartUpload,
    presign: (container, key, options) => presign("S3.presign", container, key, options),
    objectUrl: (container, key) =>
      Effect.gen(function*() {
        const bucket = yield* bucketName("S3.objectUrl", container)
        const k = yield* objectKey("S3.objectUrl", key)
        return address.objectUrl(bucket, k)
      })
  }
  return { storage, s3 }
}
