/**
 * The portable ObjectStorage service over the GCS JSON API.
 *
 * - Buckets: `b?project=` listed to the last page; created with POST (409 →
 *   AlreadyExists); deleted (409 "not empty" → Conflict). Names follow GCS's
 *   rules (names.ts).
 * - `listObjects`: `o?prefix&delimiter&maxResults&pageToken`, lazily paged;
 *   `prefixes` become ObjectPrefix entries, merged in name order.
 * - Objects: `etag` is the hex MD5 (GCS's own opaque etag for composite
 *   objects, which have no MD5); `extra` has generation, metageneration,
 *   crc32c, md5Hash, storageClass and GCS's etag; `lastModified` is `updated`.
 * - `getObject`: the metadata GET (not-found known, bucket or object), then
 *   `alt=media` pinned to that generation (`ifGenerationMatch`, so the body
 *   is the version `info` describes; replaced in between → tried again),
 *   with `Range` (exclusive end → inclusive). A start at or past the end is
 *   `InvalidInput` on "range.start", as memory and local answer GCS's 416. A
 *   whole-object body is checked against the object's MD5 (else CRC32C) as
 *   it ends (`IntegrityError`), unless the object is stored compressed
 *   (`contentEncoding`), where GCS may transcode; a range is checked for
 *   length.
 * - `putObject`: see upload.ts (multipart or resumable, verified).
 * - `copyObject`: `rewriteTo`, looped on `rewriteToken`.
 * - `signedUrl`: V4 (GOOG4-RSA-SHA256) path-style URL on the configured
 *   endpoint's origin, GET or PUT, 1 s to 7 days.
 * - `enableCdn` makes the bucket's objects public: it adds `allUsers` as
 *   `roles/storage.objectViewer` to the bucket's IAM policy (read, modify,
 *   write with the policy's etag; refused where public access prevention
 *   is enforced). `cdnUrl` is `<endpoint>/<bucket>/<key>`.
 *   Cloud CDN itself sits behind an external HTTPS load balancer with the
 *   bucket as a backend; set that up outside cloudfx and use its host.
 */
import { HttpClientRequest } from "@effect/platform"
import { createHash } from "node:crypto"
import { Data, Effect, Option, Stream } from "effect"
import { signedUrl as signV4 } from "../../../auth/google/index.js"
import { Paginate, ProviderHttp, Url } from "../../../http/index.js"
import { Conflict, IntegrityError, InvalidInput, ProviderError } from "../../../schemas/Errors.js"
import type { ListEntry } from "../../../schemas/Models.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import {
  bucketPath,
  type Core,
  objectNotFound,
  objectPath,
  op,
  PROVIDER,
  projectOf,
  where,
  withQuery
} from "./core.js"
import { base64ToHex, crc32cBase64, crc32cUpdate } from "./hash.js"
import * as names from "./names.js"
import * as objects from "./objects.js"
import { BucketList, BucketResource, ObjectList, type ObjectResource, pageEntries, Policy, toContainer, toObjectInfo } from "./wire.js"

export const CAPABILITIES = ["storage.signedUrl", "storage.cdn", "storage.range", "storage.copy", "storage.multipart"] as const

const PUBLIC_ROLE = "roles/storage.objectViewer"
const PUBLIC_MEMBER = "allUsers"
const DEFAULT_PAGE_SIZE = 1000

/** The object changed between the metadata GET and the media GET (412 on ifGenerationMatch). */
class Replaced extends Data.TaggedError("GcsReplaced") {}

// Conflict only answers a generation precondition, which the portable operations never send.
const isConflict = (e: unknown): e is Conflict => e instanceof Conflict
const asProviderError = (operation: string) => (e: Conflict) =>
  Effect.fail(new ProviderError({ ...where(operation), status: 412, detail: e.reason }))

const nonEmptyToken = (t: string | undefined): Option.Option<string> => (t === undefined || t === "" ? Option.none() : Option.some(t))

export const createBucket = (core: Core, operation: string, name: string, fields: Readonly<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const bucket = yield* names.newBucketName(where(operation), name)
    const project = yield* projectOf(core, operation)
    return yield* core.http.execute(
      HttpClientRequest.post(withQuery("/storage/v1/b", { project })).pipe(HttpClientRequest.bodyUnsafeJson({ ...fields, name: bucket })),
      { operation, conflict: "AlreadyExists", target: { resource: "container", id: bucket } },
      ProviderHttp.json(BucketResource)
    ).pipe(Effect.map(toContainer))
  })

/** A whole-object body checked against the object's digest as it ends; a range checked for length. */
const checkedBody = (
  operation: string,
  key: string,
  meta: ObjectResource,
  body: Stream.Stream<Uint8Array, ObjectStorage.BodyError>,
  expectedLength: number,
  whole: boolean
): Stream.Stream<Uint8Array, ObjectStorage.BodyError> =>
  Stream.suspend(() => {
    const transcodable = meta.contentEncoding !== undefined && meta.contentEncoding !== "" && meta.contentEncoding !== "identity"
    const md5Hex = meta.md5Hash === undefined ? undefined : base64ToHex(meta.md5Hash, 16)
    const useMd5 = whole && !transcodable && md5Hex !== undefined
    const useCrc = whole && !transcodable && !useMd5 && meta.crc32c !== undefined
    const md5 = useMd5 ? createHash("md5") : undefined
    let crc = 0
    let count = 0
    const fail = (expected: string, actual: string) => new IntegrityError({ ...where(operation), key, expected, actual })
    const end = Effect.suspend(() => {
      if (transcodable) return Effect.void
      if (count !== expectedLength) return Effect.fail(fail(`${expectedLength} bytes`, `${count} bytes`))
      if (md5 !== undefined) {
        const got = md5.digest("hex")
        return got === md5Hex ? Effect.void : Effect.fail(fail(`md5 ${md5Hex}`, `md5 ${got}`))
      }
      if (useCrc) {
        const got = crc32cBase64(crc)
        return got === meta.crc32c ? Effect.void : Effect.fail(fail(`crc32c ${meta.crc32c}`, `crc32c ${got}`))
      }
      return Effect.void
    })
    return body.pipe(
      Stream.tap((chunk) =>
        Effect.sync(() => {
          count += chunk.byteLength
          md5?.update(chunk)
          if (useCrc) crc = crc32cUpdate(crc, chunk)
        })
      ),
      Stream.concat(Stream.drain(Stream.fromEffect(end)))
    )
  })

/** Bytes [start, end) of a stream. */
const slice = <E>(stream: Stream.Stream<Uint8Array, E>, start: number, end: number): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    let at = 0
    return stream.pipe(
      // Before each chunk, `at` is where it starts: nothing from `end` on is read.
      Stream.takeWhile(() => at < end),
      Stream.map((chunk) => {
        const from = at
        at += chunk.byteLength
        return chunk.subarray(Math.max(0, start - from), Math.max(0, Math.min(chunk.byteLength, end - from)))
      }),
      Stream.filter((c) => c.byteLength > 0)
    )
  })

export const makeStorage = (core: Core): ObjectStorage.Service => {
  const listContainers: ObjectStorage.Service["listContainers"] = () => {
    const operation = op("listContainers")
    return Effect.gen(function*() {
      const project = yield* projectOf(core, operation)
      const pages = Paginate.stream(
        (token: Option.Option<string>) =>
          core.http.execute(
            HttpClientRequest.get(withQuery("/storage/v1/b", { project, pageToken: Option.getOrUndefined(token) })),
            { operation },
            ProviderHttp.json(BucketList)
          ).pipe(Effect.map((page) => ({ items: (page.items ?? []).map(toContainer), next: nonEmptyToken(page.nextPageToken) }))),
        { where: where(operation) }
      )
      return [...yield* Stream.runCollect(pages)]
    }).pipe(traced(PROVIDER, operation))
  }

  const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
    const operation = op("getContainer")
    return names.bucketName(where(operation), name).pipe(
      Effect.flatMap((bucket) =>
        core.http.execute(
          HttpClientRequest.get(bucketPath(bucket)),
          { operation, notFound: { resource: "container", id: bucket } },
          ProviderHttp.json(BucketResource)
        )
      ),
      Effect.map(toContainer),
      traced(PROVIDER, operation, { "cloudfx.container": name })
    )
  }

  const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
    const operation = op("createContainer")
    return createBucket(core, operation, name, {}).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
  }

  const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
    const operation = op("deleteContainer")
    return names.bucketName(where(operation), name).pipe(
      Effect.flatMap((bucket) =>
        core.http.execute(
          HttpClientRequest.del(bucketPath(bucket)),
          { operation, notFound: { resource: "container", id: bucket }, conflict: "Conflict" },
          ProviderHttp.empty
        )
      ),
      traced(PROVIDER, operation, { "cloudfx.container": name })
    )
  }

  const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
    const operation = op("listObjects")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const o = yield* validate.listOptions(where(operation), options)
      return Paginate.stream(
        (token: Option.Option<string>) =>
          core.http.execute(
            HttpClientRequest.get(withQuery(`${bucketPath(bucket)}/o`, {
              prefix: o.prefix === "" ? undefined : o.prefix,
              delimiter: o.delimiter,
              maxResults: o.pageSize ?? DEFAULT_PAGE_SIZE,
              pageToken: Option.getOrUndefined(token)
            })),
            { operation, notFound: { resource: "container", id: bucket } },
            ProviderHttp.json(ObjectList)
          ).pipe(Effect.map((page) => ({ items: pageEntries(page) as ReadonlyArray<ListEntry>, next: nonEmptyToken(page.nextPageToken) }))),
        { where: where(operation) }
      )
    }).pipe(Stream.unwrap, tracedStream(PROVIDER, operation, { "cloudfx.container": container }))
  }

  const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
    const operation = op("headObject")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      return toObjectInfo(yield* objects.getMeta(core, operation, bucket, name))
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
    const operation = op("getObject")
    const download = (bucket: string, name: string, range: ObjectStorage.Range | undefined, tries: number): Effect.Effect<
      ObjectStorage.Download,
      Effect.Effect.Error<ReturnType<ObjectStorage.Service["getObject"]>>
    > =>
      Effect.gen(function*() {
        const meta = yield* objects.getMeta(core, operation, bucket, name)
        const size = meta.size
        if (range !== undefined && range.start >= size) {
          return yield* new InvalidInput({
            ...where(operation),
            field: "range.start",
            reason: `${range.start} is at or beyond the end of the object (${size} bytes)`
          })
        }
        const end = range === undefined ? size : Math.min(range.end ?? size, size)
        const start = range?.start ?? 0
        let request = HttpClientRequest.get(withQuery(objectPath(bucket, name), { alt: "media", ifGenerationMatch: meta.generation }))
        if (range !== undefined) request = HttpClientRequest.setHeader(request, "range", `bytes=${start}-${end - 1}`)
        const response = yield* core.http.execute(request, {
          operation,
          classify: (f) =>
            f.status === 404
              ? objectNotFound(operation, bucket, name)
              : f.status === 412
              ? new Replaced()
              : f.status === 416
              ? new InvalidInput({ ...where(operation), field: "range.start", reason: `${start} is at or beyond the end of the object` })
              : undefined
        })
        const raw = ProviderHttp.bodyStream(response, where(operation))
        // A 200 to a Range request is the whole object: cut the range out of it.
        const ranged = range !== undefined && response.status !== 206 ? slice(raw, start, end) : raw
        const body = checkedBody(operation, name, meta, ranged, end - start, range === undefined)
        return { info: toObjectInfo(meta), body }
      }).pipe(
        Effect.catchTag("GcsReplaced", () =>
          tries > 1
            ? download(bucket, name, range, tries - 1)
            : Effect.fail(new ProviderError({ ...where(operation), status: 412, detail: "the object kept changing while it was read" })))
      )
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      const range = yield* validate.range(where(operation), options?.range)
      return yield* download(bucket, name, range, 3)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const putObject: ObjectStorage.Service["putObject"] = (container, key, body, options) => {
    const operation = op("putObject")
    return objects.putObject(core, operation, container, key, body, options).pipe(
      Effect.map(toObjectInfo),
      Effect.catchIf(isConflict, asProviderError(operation)),
      traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key })
    )
  }

  const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
    const operation = op("deleteObject")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      yield* objects.deleteObject(core, operation, bucket, name, { missingOk: true }).pipe(
        Effect.catchIf(isConflict, asProviderError(operation))
      )
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
    const operation = op("copyObject")
    return Effect.gen(function*() {
      const fromBucket = yield* names.bucketName(where(operation), from.container)
      const fromKey = yield* names.objectName(where(operation), from.key)
      const toBucket = yield* names.bucketName(where(operation), to.container)
      const toKey = yield* names.objectName(where(operation), to.key)
      const copied = yield* objects.rewrite(core, operation, { bucket: fromBucket, key: fromKey }, { bucket: toBucket, key: toKey })
      return toObjectInfo(copied)
    }).pipe(
      traced(PROVIDER, operation, {
        "cloudfx.container": from.container,
        "cloudfx.key": from.key,
        "cloudfx.target.container": to.container,
        "cloudfx.target.key": to.key
      })
    )
  }

  const signedUrl: ObjectStorage.Service["signedUrl"] = (container, key, options) => {
    const operation = op("signedUrl")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      const name = yield* names.objectName(where(operation), key)
      const expiresIn = yield* validate.expiresIn(where(operation), options.expiresIn)
      const method = options.method ?? "GET"
      if (method !== "GET" && method !== "PUT") {
        return yield* new InvalidInput({ ...where(operation), field: "method", reason: "must be GET or PUT" })
      }
      const credentials = yield* core.auth.credentials
      const signed = yield* signV4(credentials, {
        bucket,
        object: name,
        method,
        expiresIn,
        endpoint: new URL(core.endpoint).origin,
        where: where(operation)
      })
      return signed.url
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
    const operation = op("enableCdn")
    const iam = (bucket: string) => `${bucketPath(bucket)}/iam`
    const attempt = (bucket: string, tries: number): Effect.Effect<void, Effect.Effect.Error<ReturnType<ObjectStorage.Service["enableCdn"]>>> =>
      Effect.gen(function*() {
        const policy = yield* core.http.execute(
          // Version 3 so that a policy with conditional bindings can be read (and written back whole).
          HttpClientRequest.get(withQuery(iam(bucket), { optionsRequestedPolicyVersion: 3 })),
          { operation, notFound: { resource: "container", id: bucket } },
          ProviderHttp.json(Policy)
        )
        const bindings = policy.bindings
        if (bindings.some((b) => b.role === PUBLIC_ROLE && b.condition === undefined && b.members.includes(PUBLIC_MEMBER))) return
        const at = bindings.findIndex((b) => b.role === PUBLIC_ROLE && b.condition === undefined)
        const updated = at === -1
          ? [...bindings, { role: PUBLIC_ROLE, members: [PUBLIC_MEMBER] }]
          : bindings.map((b, i) => (i === at ? { ...b, members: [...b.members, PUBLIC_MEMBER] } : b))
        yield* core.http.execute(
          HttpClientRequest.put(iam(bucket)).pipe(HttpClientRequest.bodyUnsafeJson({ ...policy, bindings: updated })),
          // The policy's etag makes a concurrent change a 412: read again and redo.
          { operation, notFound: { resource: "container", id: bucket }, classify: (f) => (f.status === 412 && tries > 1 ? new Replaced() : undefined) },
          ProviderHttp.json(Policy)
        )
      }).pipe(Effect.catchTag("GcsReplaced", () => attempt(bucket, tries - 1)))
    return names.bucketName(where(operation), container).pipe(
      Effect.flatMap((bucket) => attempt(bucket, 3)),
      traced(PROVIDER, operation, { "cloudfx.container": container })
    )
  }

  const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
    const operation = op("cdnUrl")
    return Effect.gen(function*() {
      const bucket = yield* names.bucketName(where(operation), container)
      if (key === undefined) return `${core.endpoint}/${Url.segment(bucket)}`
      const name = yield* names.objectName(where(operation), key)
      return `${core.endpoint}/${Url.segment(bucket)}/${Url.key(name)}`
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
  }

  return ObjectStorage.of({
    provider: providerInfo(PROVIDER, CAPABILITIES),
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
}

