/**
 * The portable ObjectStorage service over the Blob service REST API.
 *
 * - Containers: names follow Azure's rules (3–63 lower-case letters, digits,
 *   single hyphens) and are InvalidInput otherwise, before any request.
 *   `deleteContainer` of a container with blobs is `Conflict`, as the
 *   contract says, although Azure itself deletes a container with all its
 *   blobs: a one-entry listing checks first. A blob written between that
 *   check and the delete goes with the container — the API has no
 *   conditional delete on emptiness. Recreating a name Azure is still
 *   deleting (409 ContainerBeingDeleted, up to a minute or so on the real
 *   service) is retried for 60 s.
 * - Listings are lazy Streams, one List Blobs page per pull, in the
 *   service's order: UTF-16 code units (as JavaScript compares strings), not
 *   UTF-8 bytes — keys above U+FFFF sort before U+E000–U+FFFF. Metadata is
 *   included, so listed ObjectInfos are complete.
 * - ETags: see wire.ts (the content's MD5 for what cloudfx writes; Azure's
 *   ETag in `extra.azureEtag`). Full downloads are checked against the MD5
 *   and every download against its length: a mismatch fails the body with
 *   IntegrityError.
 * - Metadata names: Azure wants C# identifiers; others are encoded (names.ts).
 * - Uploads: upload.ts.
 * - deleteObject deletes the blob with its snapshots.
 * - copyObject is Copy Blob within the account, polled until done when the
 *   service copies asynchronously; on timeout or interruption the copy is
 *   aborted, which leaves an empty destination blob (Azure's behaviour).
 * - signedUrl is a blob service SAS (GET → r, PUT → c+w) and needs the
 *   account key: with SAS-only or anonymous configs it is Unsupported, and
 *   so are enableCdn and cdnUrl (Set Container ACL is refused to any SAS).
 * - enableCdn sets the container's public access to "blob" (anonymous reads
 *   of blobs, no listing), keeping its stored access policies; accounts with
 *   public access disabled answer PermissionDenied. cdnUrl is the public
 *   URL under `cdnEndpoint` (default the blob endpoint) — an Azure CDN or
 *   Front Door endpoint is created through ARM, outside this API; give its
 *   host as `cdnEndpoint`. cdnUrl sends nothing.
 */
import { HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, Option, Predicate, Schedule, Stream } from "effect"
import { createHash } from "node:crypto"
import { blobSas, sasQueryString } from "../../../auth/azure/Sas.js"
import * as ProviderHttp from "../../../http/Client.js"
import * as Paginate from "../../../http/Paginate.js"
import {
  Conflict,
  IntegrityError,
  InvalidInput,
  MalformedResponse,
  ProviderError,
  Unsupported
} from "../../../schemas/Errors.js"
import type { NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import type { Container, ListEntry } from "../../../schemas/Models.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import type { Capability } from "../../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { setPublicAccess } from "./access.js"
import { blobPath, type Client, containerPath, PROVIDER } from "./client.js"
import { copyBlob } from "./copy.js"
import { classifyAccess, classifyCreate, classifyRead, classifyResource } from "./errors.js"
import { blobName, containerName, metadataHeaders } from "./names.js"
import { MAX_BLOCK_SIZE, putBlob, putStream, type Target } from "./upload.js"
import * as Wire from "./wire.js"

export const op = (name: string) => `ObjectStorage.${name}`
export const whereOf = (operation: string): validate.Where => ({ provider: PROVIDER, operation })

export type AccessTier = "Hot" | "Cool" | "Cold" | "Archive"
export const ACCESS_TIERS: ReadonlySet<string> = new Set(["Hot", "Cool", "Cold", "Archive"])

export interface AzurePutOptions extends ObjectStorage.PutOptions {
  readonly accessTier?: AccessTier
}

type Source<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

const bodySource = <E>(where: validate.Where, body: ObjectStorage.Body<E>): Effect.Effect<Source<E>, InvalidInput> => {
  if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: new TextEncoder().encode(body) })
  if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body })
  if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
  return Effect.fail(new InvalidInput({ ...where, field: "body", reason: "must be a Uint8Array, a string or a Stream" }))
}

const lowerKeys = (metadata: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata ?? {})) out[k.toLowerCase()] = v
  return out
}

const malformed = (where: validate.Where) => (reason: string) => new MalformedResponse({ ...where, reason })

const fromEither = <A>(where: validate.Where, e: Either.Either<A, string>): Effect.Effect<A, MalformedResponse> =>
  Either.match(e, { onLeft: (reason) => Effect.fail(malformed(where)(reason)), onRight: Effect.succeed })

/** The service's page limit; a larger `pageSize` asks for this many (the Stream is the same). */
const MAX_PAGE = 5000

/** A page of a listing, the `marker` to continue from. */
const page = <A>(items: ReadonlyArray<A>, marker: string | undefined): Paginate.Page<A, string> => ({
  items,
  next: Option.fromNullable(marker)
})

export const makeStorage = (client: Client) => {
  const { http } = client

  // Minting a SAS and Set Container ACL both need the account key: a SAS may do neither.
  const owner = client.credentials !== undefined
  const capabilities: Array<Capability> = ["storage.range", "storage.copy", "storage.multipart"]
  if (owner) capabilities.push("storage.signedUrl", "storage.cdn")

  // ------------------------------------------------------------ containers

  const listContainerPage = (operation: string, marker: Option.Option<string>) =>
    http.execute(
      HttpClientRequest.get("/").pipe(
        HttpClientRequest.setUrlParams({ comp: "list", maxresults: String(MAX_PAGE), ...(Option.isSome(marker) ? { marker: marker.value } : {}) })
      ),
      { operation, classify: classifyAccess },
      ProviderHttp.xml(Wire.ListContainersResult, Wire.listContainersArrays)
    ).pipe(Effect.map((r) => page(Wire.containers(r), Wire.nextMarker(r.EnumerationResults.NextMarker))))

  const listContainers: ObjectStorage.Service["listContainers"] = () => {
    const operation = op("listContainers")
    return Paginate.stream((marker: Option.Option<string>) => listContainerPage(operation, marker), { where: whereOf(operation) }).pipe(
      Stream.runCollect,
      Effect.map((chunk): ReadonlyArray<Container> => Array.from(chunk)),
      traced(PROVIDER, operation)
    )
  }

  const containerProperties = (operation: string, c: string) =>
    http.execute(
      HttpClientRequest.head(containerPath(c)).pipe(HttpClientRequest.setUrlParams({ restype: "container" })),
      { operation, classify: classifyResource({ container: c }) },
      ProviderHttp.headers
    )

  const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
    const operation = op("getContainer")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), name)
      const { headers } = yield* containerProperties(operation, c)
      return Wire.containerFromHeaders(c, headers)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
  }

  const beingDeleted = (e: unknown) => e instanceof ProviderError && e.code === "ContainerBeingDeleted"

  const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
    const operation = op("createContainer")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), name)
      const { headers } = yield* http.execute(
        HttpClientRequest.put(containerPath(c)).pipe(HttpClientRequest.setUrlParams({ restype: "container" })),
        { operation, classify: classifyCreate(c) },
        ProviderHttp.headers
      ).pipe(
        Effect.retry({ while: beingDeleted, schedule: Schedule.spaced(Duration.seconds(2)).pipe(Schedule.upTo(Duration.seconds(60))) })
      )
      return Wire.containerFromHeaders(c, headers)
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
  }

  const listBlobPage = (
    operation: string,
    c: string,
    o: ObjectStorage.ListOptions & { readonly pageSize?: number | undefined },
    marker: Option.Option<string>
  ) =>
    http.execute(
      HttpClientRequest.get(containerPath(c)).pipe(
        HttpClientRequest.setUrlParams({
          restype: "container",
          comp: "list",
          include: "metadata",
          ...(o.prefix === undefined || o.prefix === "" ? {} : { prefix: o.prefix }),
          ...(o.delimiter === undefined ? {} : { delimiter: o.delimiter }),
          ...(o.pageSize === undefined ? {} : { maxresults: String(Math.min(o.pageSize, MAX_PAGE)) }),
          ...(Option.isSome(marker) ? { marker: marker.value } : {})
        })
      ),
      { operation, classify: classifyResource({ container: c }) },
      ProviderHttp.xml(Wire.ListBlobsResult, Wire.listBlobsArrays)
    ).pipe(
      Effect.flatMap((r) =>
        Effect.map(fromEither(whereOf(operation), Wire.listEntries(r)), (items) => page(items, Wire.nextMarker(r.EnumerationResults.NextMarker)))
      )
    )

  const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
    const operation = op("deleteContainer")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), name)
      const first = yield* listBlobPage(operation, c, { pageSize: 1 }, Option.none())
      if (first.items.length > 0) {
        return yield* new Conflict({ ...whereOf(operation), resource: "container", id: c, reason: "the container is not empty" })
      }
      yield* http.execute(
        HttpClientRequest.del(containerPath(c)).pipe(HttpClientRequest.setUrlParams({ restype: "container" })),
        { operation, classify: classifyResource({ container: c }) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
  }

  // ------------------------------------------------------------ objects

  const samePrefix = (a: ListEntry, b: ListEntry) => a._tag === "ObjectPrefix" && b._tag === "ObjectPrefix" && a.key === b.key

  const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
    const operation = op("listObjects")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const o = yield* validate.listOptions(whereOf(operation), options)
      return Paginate.stream((marker: Option.Option<string>) => listBlobPage(operation, c, o, marker), { where: whereOf(operation) }).pipe(
        // A prefix whose keys straddle two pages may be reported by both.
        Stream.changesWith(samePrefix)
      )
    }).pipe(Stream.unwrap, tracedStream(PROVIDER, operation, { "cloudfx.container": container }))
  }

  const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
    const operation = op("headObject")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = yield* blobName(whereOf(operation), key)
      const { headers } = yield* http.execute(
        HttpClientRequest.head(blobPath(c, k)),
        { operation, classify: classifyResource({ container: c, key: k }) },
        ProviderHttp.headers
      )
      return yield* fromEither(whereOf(operation), Wire.infoFromHeaders(k, headers, false))
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  /** The body, failing with IntegrityError when it is not `length` bytes or (given) its MD5 differs. */
  const checkedBody = (
    operation: string,
    key: string,
    body: Stream.Stream<Uint8Array, ProviderFailure>,
    length: number | undefined,
    md5Hex: string | undefined
  ): Stream.Stream<Uint8Array, ObjectStorage.BodyError> =>
    Stream.suspend(() => {
      const hash = md5Hex === undefined ? undefined : createHash("md5")
      let received = 0
      const check = Effect.suspend(() => {
        const integrity = (expected: string, actual: string) => new IntegrityError({ ...whereOf(operation), key, expected, actual })
        if (length !== undefined && received !== length) return Effect.fail(integrity(`${length} bytes`, `${received} bytes`))
        const actual = hash?.digest("hex")
        if (md5Hex !== undefined && actual !== md5Hex) return Effect.fail(integrity(`MD5 ${md5Hex}`, `MD5 ${actual}`))
        return Effect.void
      })
      return body.pipe(
        Stream.tap((chunk) =>
          Effect.sync(() => {
            hash?.update(chunk)
            received += chunk.byteLength
          })
        ),
        Stream.concat(Stream.execute(check))
      )
    })

  const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
    const operation = op("getObject")
    return Effect.gen(function*() {
      const where = whereOf(operation)
      const c = yield* containerName(where, container)
      const k = yield* blobName(where, key)
      const range = yield* validate.range(where, options?.range)
      const request = range === undefined
        ? HttpClientRequest.get(blobPath(c, k))
        : HttpClientRequest.get(blobPath(c, k)).pipe(
          HttpClientRequest.setHeader("x-ms-range", `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}`)
        )
      const response = yield* http.execute(request, { operation, classify: classifyRead({ container: c, key: k }) })
      const ranged = response.status === 206
      const info = yield* fromEither(where, Wire.infoFromHeaders(k, response.headers, ranged))
      // Azure answers 416 here; Azurite serves a range of an empty blob as the (empty) whole.
      if (range !== undefined && range.start >= info.size) {
        yield* ProviderHttp.empty(response, where)
        return yield* new InvalidInput({ ...where, field: "range.start", reason: "is at or beyond the end of the object" })
      }
      if (range !== undefined && !ranged && (range.start > 0 || (range.end !== undefined && range.end < info.size))) {
        yield* ProviderHttp.empty(response, where)
        return yield* malformed(where)("the service answered a range request with the whole blob")
      }
      // A client that decompresses (fetch does, for a blob stored with Content-Encoding: gzip) hands over other
      // bytes than the ones stored: their length and MD5 cannot be checked.
      const encoding = response.headers["content-encoding"]
      const asStored = encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"
      const lengthHeader = response.headers["content-length"]
      const length = asStored && lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined
      // Only a whole body can be checked against the whole blob's MD5.
      const md5 = ranged || !asStored || info.extra["contentMd5"] === undefined ? undefined : Wire.md5Hex(String(info.extra["contentMd5"]))
      const body = checkedBody(operation, k, ProviderHttp.bodyStream(response, where), length, md5)
      return { info, body } satisfies ObjectStorage.Download
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const put = <E>(
    container: string,
    key: string,
    body: ObjectStorage.Body<E>,
    options: AzurePutOptions | undefined
  ) => {
    const operation = op("putObject")
    return Effect.gen(function*() {
      const where = whereOf(operation)
      const c = yield* containerName(where, container)
      const k = yield* blobName(where, key)
      const o = yield* validate.putOptions(where, options)
      const tier = options?.accessTier
      if (tier !== undefined && !ACCESS_TIERS.has(tier)) {
        return yield* new InvalidInput({ ...where, field: "accessTier", reason: "must be Hot, Cool, Cold or Archive" })
      }
      const blockSize = yield* validate.positiveInt(where, "partSize", o.partSize ?? client.blockSize, MAX_BLOCK_SIZE)
      const concurrency = yield* validate.positiveInt(where, "concurrency", o.concurrency ?? client.concurrency, 64)
      const source = yield* bodySource(where, body)
      const contentType = o.contentType ?? "application/octet-stream"
      const metadata = lowerKeys(o.metadata)
      const target: Target = {
        http,
        operation,
        container: c,
        key: k,
        path: blobPath(c, k),
        blockSize,
        concurrency,
        contentType,
        metadata,
        blobHeaders: {
          "x-ms-blob-content-type": contentType,
          ...metadataHeaders(metadata),
          ...(tier === undefined ? {} : { "x-ms-access-tier": tier })
        }
      }
      if (source._tag === "Bytes" && source.bytes.byteLength <= blockSize) return yield* putBlob(target, source.bytes)
      return yield* source._tag === "Bytes"
        ? putStream(target, Stream.succeed(source.bytes), { copy: false })
        : putStream(target, source.stream, { copy: true })
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const putObject: ObjectStorage.Service["putObject"] = (container, key, body, options) => put(container, key, body, options)

  const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
    const operation = op("deleteObject")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = yield* blobName(whereOf(operation), key)
      yield* http.execute(
        HttpClientRequest.del(blobPath(c, k)).pipe(HttpClientRequest.setHeader("x-ms-delete-snapshots", "include")),
        { operation, classify: classifyResource({ container: c, key: k }) },
        ProviderHttp.empty
      ).pipe(
        // Already gone (or a retry whose first attempt did delete it).
        Effect.catchIf((e): e is NotFound => e._tag === "NotFound" && e.resource === "object", () => Effect.void)
      )
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  // ------------------------------------------------------------ copy, signed URLs, public access

  const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
    const operation = op("copyObject")
    return Effect.gen(function*() {
      const where = whereOf(operation)
      const fc = yield* containerName(where, from.container)
      const fk = yield* blobName(where, from.key)
      const tc = yield* containerName(where, to.container)
      const tk = yield* blobName(where, to.key)
      return yield* copyBlob(client, operation, { container: fc, key: fk }, { container: tc, key: tk })
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
      const where = whereOf(operation)
      const c = yield* containerName(where, container)
      const k = yield* blobName(where, key)
      const expiresIn = yield* validate.expiresIn(where, options.expiresIn)
      const method = options.method ?? "GET"
      if (method !== "GET" && method !== "PUT") return yield* new InvalidInput({ ...where, field: "method", reason: "must be GET or PUT" })
      if (client.credentials === undefined) return yield* new Unsupported({ ...where, capability: "storage.signedUrl" })
      const sas = yield* blobSas(client.credentials, c, k, {
        permissions: method === "GET" ? ["read"] : ["create", "write"],
        expiresIn,
        // An emulator on plain http only honours a SAS that allows http.
        protocol: client.endpoint.startsWith("http:") ? "https,http" : "https",
        version: client.version,
        where
      })
      return `${client.endpoint}${blobPath(c, k)}?${sasQueryString(sas.query)}`
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
    const operation = op("enableCdn")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      if (!owner) return yield* new Unsupported({ ...whereOf(operation), capability: "storage.cdn" })
      yield* setPublicAccess(client, operation, c, "blob")
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
  }

  const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
    const operation = op("cdnUrl")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = key === undefined ? undefined : yield* blobName(whereOf(operation), key)
      if (!owner) return yield* new Unsupported({ ...whereOf(operation), capability: "storage.cdn" })
      return `${client.cdnEndpoint}${k === undefined ? containerPath(c) : blobPath(c, k)}`
    }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
  }

  const service = ObjectStorage.of({
    provider: providerInfo(PROVIDER, capabilities),
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
  return { service, put }
}
