/**
 * Writing objects: one PUT for bytes, strings and streams that fit in one
 * segment; a Static Large Object for longer streams of unknown length.
 *
 * - Every single PUT carries the MD5 as its ETag: Swift refuses a body that
 *   does not match (422), and the ETag it answers is checked too
 *   (`IntegrityError` either way).
 * - A Static Large Object: the stream is cut into `segmentSize` segments,
 *   uploaded with at most `concurrency` in flight (memory: about
 *   (concurrency + 2) × segmentSize) to the segment container
 *   ("<container>_segments" by default, created on demand) under a prefix of
 *   their own ("<upload id>/00000001", …), each with its MD5 checked; then
 *   the manifest (`?multipart-manifest=put`) is written last, so nothing is
 *   visible under the key before every byte is stored. Each segment is its
 *   own replayable request, so a dropped connection retries that segment
 *   only.
 * - A manifest may list at most the cluster's `max_manifest_segments`
 *   (its `/info`, else Swift's default 1000; a lower `maxManifestSegments`
 *   in the config wins, a higher one does not). A stream that needs more
 *   segments is a nested SLO: every full group of that many segments
 *   becomes a sub-manifest in the segment container ("<upload id>/manifest-1-…"),
 *   written as the stream goes, full groups of sub-manifests become
 *   sub-manifests one level up, and the object's manifest lists the top
 *   level. Only the open group of each level is held (a few hundred bytes an
 *   entry), never a record per segment of the whole stream. Swift follows
 *   at most 10 levels of manifests, which bounds the size.
 * - If the stream fails, a request fails or the upload is interrupted, what
 *   was written is deleted — every sub-manifest with its segments
 *   (`?multipart-manifest=delete`), every other segment, and the upload's
 *   prefix listed once more for any that landed late: no object, nothing
 *   orphaned. The manifest write itself is not interruptible — it is the
 *   commit.
 * - Overwriting a Static Large Object (by a PUT or a copy) deletes the old
 *   object's segments once the new object is in place, as python-swiftclient
 *   does; this is why every write first HEADs its key.
 * - The ETag of a Static Large Object is Swift's: the MD5 of its segments'
 *   ETags, not of the content.
 */
import { createHash, randomUUID } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Exit, Option, Predicate, Stream } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import {
  IntegrityError,
  InvalidInput,
  type NotFound,
  ProviderError,
  type ProviderFailure
} from "../../../schemas/Errors.js"
import { ObjectInfo } from "../../../schemas/Models.js"
import type { ObjectStorage } from "../../../services/ObjectStorage.js"
import { containerPath, containerTarget, objectPath, type SwiftClient, type Where } from "./client.js"
import { isStaticLargeObject, metadataHeaders, OBJECT_META, unquote } from "./headers.js"
import { BulkDeleteReport, ObjectListing, StoredManifest } from "./wire.js"

export interface UploadDefaults {
  readonly segmentSize: number
  readonly concurrency: number
  /** One container for every upload's segments; default "<container>_segments". */
  readonly segmentContainer: string | undefined
  /** Entries per manifest, when lower than the cluster's max_manifest_segments. */
  readonly maxManifestSegments: number | undefined
}

/** Swift's limits on metadata (swift.common.constraints defaults). */
const MAX_META_NAME = 128
const MAX_META_VALUE = 256
const MAX_META_COUNT = 90
const MAX_META_OVERALL = 4096
/** Swift's default max_manifest_segments, when /info does not say. */
const DEFAULT_MAX_SEGMENTS = 1000
/** Swift's max_slo_recursion_depth: a GET follows at most this many levels of manifests. */
const MAX_MANIFEST_LEVELS = 10
const MAX_CONTAINER_NAME = 256
/** Marks a segment container cloudfx created, so deleting its container may remove it once empty. */
export const SEGMENTS_FOR = "cloudfx-segments-for"

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

/** "<container>_segments", or a hashed name when that would be longer than Swift allows. */
export const defaultSegmentContainer = (container: string): string => {
  const name = `${container}_segments`
  return Buffer.byteLength(name, "utf8") <= MAX_CONTAINER_NAME
    ? name
    : `${createHash("sha256").update(container).digest("hex").slice(0, 32)}_segments`
}

export const segmentContainerOf = (defaults: UploadDefaults, container: string): string =>
  defaults.segmentContainer ?? defaultSegmentContainer(container)

/** Swift's own limits on user metadata, checked before anything is sent. */
export const checkMetadata = (where: Where, metadata: Readonly<Record<string, string>> | undefined): Effect.Effect<void, InvalidInput> => {
  const entries = Object.entries(metadata ?? {})
  const invalid = (field: string, reason: string) => Effect.fail(new InvalidInput({ ...where, field, reason }))
  if (entries.length > MAX_META_COUNT) return invalid("metadata", `Swift allows at most ${MAX_META_COUNT} entries`)
  let overall = 0
  for (const [k, v] of entries) {
    if (k.length > MAX_META_NAME) return invalid(`metadata.${k}`, `Swift allows keys of at most ${MAX_META_NAME} characters`)
    if (v.length > MAX_META_VALUE) return invalid(`metadata.${k}`, `Swift allows values of at most ${MAX_META_VALUE} characters`)
    overall += k.length + v.length
  }
  if (overall > MAX_META_OVERALL) return invalid("metadata", `Swift allows at most ${MAX_META_OVERALL} characters of keys and values in all`)
  return Effect.void
}

type Source<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

export const bodySource = <E>(where: Where, body: ObjectStorage.Body<E>): Effect.Effect<Source<E>, InvalidInput> => {
  if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: Buffer.from(body, "utf8") })
  if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body })
  if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
  return Effect.fail(new InvalidInput({ ...where, field: "body", reason: "must be a Uint8Array, a string or a Stream" }))
}

/**
 * Cuts a byte stream into segments of exactly `size` bytes (the last one
 * shorter). A segment is copied once, into its own buffer.
 */
export const segmentsOf = <E, R>(source: Stream.Stream<Uint8Array, E, R>, size: number): Stream.Stream<Uint8Array, E, R> =>
  Stream.suspend(() => {
    let buffer = new Uint8Array(size)
    let used = 0
    const full = source.pipe(
      Stream.mapConcat((chunk) => {
        const out: Array<Uint8Array> = []
        let at = 0
        while (at < chunk.byteLength) {
          const n = Math.min(size - used, chunk.byteLength - at)
          buffer.set(chunk.subarray(at, at + n), used)
          used += n
          at += n
          if (used === size) {
            out.push(buffer)
            buffer = new Uint8Array(size)
            used = 0
          }
        }
        return out
      })
    )
    return Stream.concat(full, Stream.suspend(() => (used > 0 ? Stream.make(buffer.subarray(0, used)) : Stream.empty)))
  })

// ---------------------------------------------------------------- segments of what is there now

interface SegmentRef {
  readonly container: string
  readonly name: string
  /** A sub-manifest: deleted with its own segments. */
  readonly manifest?: boolean
}

/** "/container/a/b" → { container, name: "a/b" } (manifest paths are not URL-encoded). */
const segmentRef = (path: string): SegmentRef | undefined => {
  const m = /^\/?([^/]+)\/(.+)$/s.exec(path)
  return m === null ? undefined : { container: m[1]!, name: m[2]! }
}

/**
 * HEAD the key: the segments of the Static Large Object stored there now, if
 * it is one (they are deleted once it has been replaced). 404 is "nothing
 * there"; `requireContainer` then checks that the container exists.
 */
export const currentSegments = (
  client: SwiftClient,
  operation: string,
  container: string,
  key: string,
  requireContainer: boolean
): Effect.Effect<ReadonlyArray<SegmentRef>, NotFound | ProviderFailure> =>
  Effect.gen(function*() {
    const h = yield* client.http(operation)
    const head = yield* h.execute(
      HttpClientRequest.head(objectPath(container, key)),
      { operation, success: (s) => (s >= 200 && s < 300) || s === 404 },
      ProviderHttp.headers
    )
    if (head.status === 404) {
      if (requireContainer) yield* client.headContainer(operation, container)
      return []
    }
    if (!isStaticLargeObject(head.headers)) return []
    const manifest = yield* h.execute(
      HttpClientRequest.get(objectPath(container, key)).pipe(
        HttpClientRequest.setUrlParams({ "multipart-manifest": "get" }),
        HttpClientRequest.acceptJson
      ),
      { operation, success: (s) => (s >= 200 && s < 300) || s === 404 },
      (response, w) => (response.status === 404 ? Effect.as(ProviderHttp.empty(response, w), []) : ProviderHttp.json(StoredManifest)(response, w))
    )
    return manifest.flatMap((m) => {
      const ref = m.name === undefined ? undefined : segmentRef(m.name)
      return ref === undefined ? [] : [m.sub_slo === true ? { ...ref, manifest: true } : ref]
    })
  })

/**
 * DELETE `?multipart-manifest=delete`: a Static Large Object with its
 * segments, sub-manifests included. Swift answers 200 with a bulk-delete
 * report even when some of them could not be deleted.
 */
const deleteLargeObject = (h: ProviderHttp.ProviderHttp, where: Where, container: string, key: string) =>
  Effect.gen(function*() {
    const report = yield* h.execute(
      HttpClientRequest.del(objectPath(container, key)).pipe(
        HttpClientRequest.setUrlParams({ "multipart-manifest": "delete" }),
        HttpClientRequest.acceptJson
      ),
      { operation: where.operation, attributes: { "cloudfx.container": container, "cloudfx.key": key } },
      ProviderHttp.json(BulkDeleteReport)
    )
    const status = Number(report["Response Status"].split(" ")[0])
    if (!(status >= 200 && status < 300) || report.Errors.length > 0) {
      const first = report.Errors[0]
      return yield* new ProviderError({
        ...where,
        status: Number.isFinite(status) ? status : 500,
        code: "BulkDeleteFailed",
        detail: `deleting the large object and its segments: ${report["Response Status"]}${first === undefined ? "" : ` (${first.join(": ")})`}`
      })
    }
  })

const deleteOne = (client: SwiftClient, h: ProviderHttp.ProviderHttp, operation: string, ref: SegmentRef) =>
  ref.manifest === true
    // A sub-manifest already gone is fine: its segments were deleted with it.
    ? deleteLargeObject(h, client.where(operation), ref.container, ref.name).pipe(
      Effect.catchIf((e) => e._tag === "ProviderError" && e.status === 404, () => Effect.void)
    )
    : h.execute(
      HttpClientRequest.del(objectPath(ref.container, ref.name)),
      { operation, success: (s) => (s >= 200 && s < 300) || s === 404 },
      ProviderHttp.empty
    )

/** Best effort: a segment that cannot be deleted now is logged, never a failure of the operation. */
export const deleteSegments = (client: SwiftClient, operation: string, refs: ReadonlyArray<SegmentRef>): Effect.Effect<void> =>
  refs.length === 0 ? Effect.void : Effect.flatMap(client.http(operation), (h) =>
    Effect.forEach(refs, (ref) => deleteOne(client, h, operation, ref), { concurrency: 4, discard: true })).pipe(
      Effect.catchAll((e) => Effect.logWarning(`${operation}: could not delete ${refs.length} old segment(s): ${e.message}`))
    )

/** Every object under `prefix` in `container` (following the listing to its end). */
const listPrefix = (client: SwiftClient, operation: string, container: string, prefix: string) =>
  Effect.flatMap(client.http(operation), (h) => {
    const page = (marker: string | undefined): Effect.Effect<ReadonlyArray<string>, ProviderFailure> =>
      h.execute(
        HttpClientRequest.get(containerPath(container)).pipe(
          HttpClientRequest.setUrlParams({ format: "json", prefix, limit: "1000", ...(marker === undefined ? {} : { marker }) })
        ),
        { operation, success: (s) => (s >= 200 && s < 300) || s === 404 },
        (response, w) =>
          response.status === 404 || response.status === 204
            ? Effect.as(ProviderHttp.empty(response, w), [])
            : Effect.map(ProviderHttp.json(ObjectListing)(response, w), (l) => l.flatMap((e) => ("name" in e ? [e.name] : [])))
      ).pipe(Effect.flatMap((names) => names.length < 1000 ? Effect.succeed(names) : Effect.map(page(names[names.length - 1]), (more) => [...names, ...more])))
    return page(undefined)
  })

// ---------------------------------------------------------------- writing

export interface PutRequest<E> {
  readonly container: string
  readonly key: string
  readonly source: Source<E>
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly segmentSize: number
  readonly concurrency: number
  /** The config's `maxManifestSegments`, if any. */
  readonly maxManifestSegments?: number | undefined
}

const integrity = (where: Where, key: string, expected: string, actual: string) => new IntegrityError({ ...where, key, expected, actual })

const lastModifiedOf = (headers: Readonly<Record<string, string | undefined>>): Date => {
  const at = headers["last-modified"] === undefined ? Number.NaN : Date.parse(headers["last-modified"])
  return Number.isNaN(at) ? new Date() : new Date(at)
}

const info = (r: PutRequest<unknown>, size: number, etag: string, headers: Readonly<Record<string, string | undefined>>, extra: Record<string, unknown> = {}) =>
  new ObjectInfo({
    key: r.key,
    size,
    etag,
    lastModified: lastModifiedOf(headers),
    contentType: r.contentType,
    metadata: Object.fromEntries(Object.entries(r.metadata).map(([k, v]) => [k.toLowerCase(), v])),
    extra
  })

const objectHeaders = (r: PutRequest<unknown>): Record<string, string> => ({
  "content-type": r.contentType,
  ...metadataHeaders(OBJECT_META, r.metadata)
})

/** One PUT of the whole body, its MD5 checked both ways. */
const putSingle = (client: SwiftClient, operation: string, r: PutRequest<unknown>, bytes: Uint8Array) =>
  Effect.gen(function*() {
    const where = client.where(operation)
    const sum = md5(bytes)
    const h = yield* client.http(operation)
    const answer = yield* h.execute(
      HttpClientRequest.put(objectPath(r.container, r.key)).pipe(
        HttpClientRequest.bodyUint8Array(bytes, r.contentType),
        HttpClientRequest.setHeaders({ ...objectHeaders(r), etag: sum, "content-length": String(bytes.byteLength) })
      ),
      {
        operation,
        notFound: containerTarget(r.container),
        classify: (f) => (f.status === 422 ? integrity(where, r.key, sum, "a body whose MD5 Swift computed differently") : undefined),
        attributes: { "cloudfx.container": r.container, "cloudfx.key": r.key, "cloudfx.bytes": bytes.byteLength }
      },
      ProviderHttp.headers
    )
    const etag = unquote(answer.headers["etag"])
    if (etag !== sum) return yield* integrity(where, r.key, sum, etag ?? "no ETag")
    return info(r, bytes.byteLength, sum, answer.headers)
  })

/** One entry of a manifest: a segment, or a sub-manifest (its ETag and size are its whole content's). */
interface Entry {
  readonly name: string
  readonly etag: string
  readonly size: number
}

const uploadId = () => `${Date.now().toString(36)}-${randomUUID()}`

/** What Swift answers as a Static Large Object's ETag: the MD5 of its entries' ETags. */
const manifestEtag = (entries: ReadonlyArray<Entry>) => md5(Buffer.from(entries.map((e) => e.etag).join(""), "utf8"))

const manifestBody = (container: string, entries: ReadonlyArray<Entry>) =>
  JSON.stringify(entries.map((e) => ({ path: `/${container}/${e.name}`, etag: e.etag, size_bytes: e.size })))

/** The cluster's limit, lowered (never raised) by the config's. */
const manifestLimit = (client: SwiftClient, operation: string, configured: number | undefined) =>
  client.info(operation).pipe(
    Effect.map((i) => i.slo?.max_manifest_segments ?? DEFAULT_MAX_SEGMENTS),
    Effect.orElseSucceed(() => DEFAULT_MAX_SEGMENTS),
    Effect.map((cluster) => (configured === undefined || !(configured >= 1) ? cluster : Math.min(cluster, Math.floor(configured))))
  )

/**
 * The segments, sub-manifests as groups fill up, then the manifest; on any
 * failure or interruption everything written is deleted again.
 */
const putLarge = <E>(
  client: SwiftClient,
  operation: string,
  r: PutRequest<E>,
  segments: Stream.Stream<Uint8Array, E>,
  segmentContainer: string
) =>
  Effect.gen(function*() {
    const where = client.where(operation)
    const h = yield* client.http(operation)
    const limit = yield* manifestLimit(client, operation, r.maxManifestSegments)
    const prefix = `${uploadId()}/`
    /**
     * The open group of each level: segments at 0, sub-manifests of level-k
     * groups at k + 1. For the cleanup, everything written is at all times
     * in a group or in `loose` (a sub-manifest covers its segments).
     */
    const levels: Array<Array<Entry>> = [[]]
    /** Segments not yet in a sub-manifest, and sub-manifests being written. */
    const loose = new Set<string>()
    let segmentCount = 0
    let manifestCount = 0

    const ensureSegmentContainer = h.execute(
      HttpClientRequest.put(containerPath(segmentContainer)).pipe(
        HttpClientRequest.setHeaders(
          segmentContainer === defaultSegmentContainer(r.container) ? { [`x-container-meta-${SEGMENTS_FOR}`]: r.container } : {}
        )
      ),
      { operation, attributes: { "cloudfx.container": segmentContainer } },
      ProviderHttp.empty
    )

    const tooMany = () =>
      new ProviderError({
        ...where,
        code: "TooManySegments",
        detail: limit < 2
          ? `the stream needs more than ${limit} segment(s) of ${r.segmentSize} bytes (the cluster's max_manifest_segments): use a larger segment size`
          : `the stream needs more than ${MAX_MANIFEST_LEVELS} levels of manifests of ${limit} entries over segments of ${r.segmentSize} bytes: use a larger segment size`
      })

    const uploadSegment = ([bytes, index]: readonly [Uint8Array, number]) =>
      Effect.gen(function*() {
        const name = `${prefix}${String(index + 1).padStart(8, "0")}`
        loose.add(name)
        const sum = md5(bytes)
        const answer = yield* h.execute(
          HttpClientRequest.put(objectPath(segmentContainer, name)).pipe(
            HttpClientRequest.bodyUint8Array(bytes, "application/octet-stream"),
            HttpClientRequest.setHeaders({ etag: sum, "content-length": String(bytes.byteLength) })
          ),
          {
            operation,
            classify: (f) => (f.status === 422 ? integrity(where, r.key, `segment ${index + 1} MD5 ${sum}`, "a different MD5 at Swift") : undefined),
            attributes: { "cloudfx.container": segmentContainer, "cloudfx.key": name, "cloudfx.bytes": bytes.byteLength }
          },
          ProviderHttp.headers
        )
        const etag = unquote(answer.headers["etag"])
        if (etag !== sum) return yield* integrity(where, r.key, `segment ${index + 1} MD5 ${sum}`, etag ?? "no ETag")
        return { name, etag: sum, size: bytes.byteLength } satisfies Entry
      })

    /** A manifest PUT: Swift checks every entry's ETag and size, and answers the manifest's ETag. */
    const putManifest = (container: string, key: string, entries: ReadonlyArray<Entry>, headers: Record<string, string>) =>
      h.execute(
        HttpClientRequest.put(objectPath(container, key)).pipe(
          HttpClientRequest.setUrlParams({ "multipart-manifest": "put" }),
          HttpClientRequest.bodyText(manifestBody(segmentContainer, entries), "application/json"),
          HttpClientRequest.setHeaders(headers)
        ),
        {
          operation,
          notFound: containerTarget(container),
          attributes: { "cloudfx.container": container, "cloudfx.key": key, "cloudfx.segments": entries.length }
        },
        ProviderHttp.headers
      )

    /** The open group of `level` becomes a sub-manifest, an entry of the level above (closed first when full). */
    const close = (level: number): Effect.Effect<void, NotFound | IntegrityError | ProviderFailure> =>
      Effect.gen(function*() {
        // Levels of sub-manifests, plus the object's manifest on top.
        if (limit < 2 || level + 2 > MAX_MANIFEST_LEVELS) return yield* tooMany()
        if (levels[level + 1] === undefined) levels[level + 1] = []
        if (levels[level + 1]!.length >= limit) yield* close(level + 1)
        const group = levels[level]!
        const name = `${prefix}manifest-${level + 1}-${String(++manifestCount).padStart(8, "0")}`
        const expected = manifestEtag(group)
        loose.add(name)
        const answer = yield* putManifest(segmentContainer, name, group, { "content-type": "application/octet-stream" })
        const etag = unquote(answer.headers["etag"])
        if (etag !== undefined && etag !== expected) return yield* integrity(where, r.key, `sub-manifest ${name} ETag ${expected}`, etag)
        levels[level] = []
        if (level === 0) for (const e of group) loose.delete(e.name)
        loose.delete(name)
        levels[level + 1]!.push({ name, etag: expected, size: group.reduce((n, e) => n + e.size, 0) })
      })

    const add = (segment: Entry) =>
      Effect.zipRight(
        Effect.suspend(() => (levels[0]!.length >= limit ? close(0) : Effect.void)),
        Effect.sync(() => {
          segmentCount++
          levels[0]!.push(segment)
        })
      )

    const cleanup = Effect.gen(function*() {
      const covering = levels.slice(1).flatMap((group) => group.map((e): SegmentRef => ({ container: segmentContainer, name: e.name, manifest: true })))
      yield* deleteSegments(client, operation, covering)
      yield* deleteSegments(client, operation, [...loose].map((name) => ({ container: segmentContainer, name })))
      // A PUT cut off by the interruption may still have landed after its DELETE.
      const late = yield* listPrefix(client, operation, segmentContainer, prefix).pipe(Effect.orElseSucceed(() => []))
      yield* deleteSegments(client, operation, late.map((name) => ({ container: segmentContainer, name })))
    })

    const upload = Effect.gen(function*() {
      yield* ensureSegmentContainer
      yield* segments.pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(uploadSegment, { concurrency: r.concurrency }),
        Stream.runForEach(add)
      )
      // Every open group below the top becomes a sub-manifest; the top group is the object's manifest.
      for (let level = 0; level < levels.length - 1; level++) {
        if (levels[level]!.length > 0) yield* close(level)
      }
      const top = levels[levels.length - 1]!
      const size = top.reduce((n, e) => n + e.size, 0)
      const expected = manifestEtag(top)
      const put = putManifest(r.container, r.key, top, objectHeaders(r))
      // A manifest PUT whose answer was lost may still have been stored: if the key now holds exactly this object, it was.
      const landed = Effect.flatMap(
        h.execute(HttpClientRequest.head(objectPath(r.container, r.key)), { operation, success: (s) => s < 300 || s === 404 }, ProviderHttp.headers),
        (head) => Effect.succeed(head.status < 300 && isStaticLargeObject(head.headers) && unquote(head.headers["etag"]) === expected)
      )
      const answer = yield* Effect.uninterruptible(
        put.pipe(
          Effect.catchAll((error) =>
            Effect.flatMap(Effect.orElseSucceed(landed, () => false), (ok) =>
              ok ? Effect.succeed({ status: 201, headers: {} as Record<string, string> }) : Effect.fail(error))
          )
        )
      )
      const etag = unquote(answer.headers["etag"])
      if (etag !== undefined && etag !== expected) return yield* integrity(where, r.key, expected, etag)
      return info(r, size, expected, answer.headers, {
        staticLargeObject: true,
        segments: segmentCount,
        ...(manifestCount > 0 ? { subManifests: manifestCount } : {})
      })
    })

    return yield* Effect.onExit(upload, (exit) => (Exit.isSuccess(exit) ? Effect.void : cleanup))
  })

/** The whole write: HEAD the key, upload, then delete the replaced object's segments. */
export const put = <E>(
  client: SwiftClient,
  operation: string,
  r: PutRequest<E>,
  segmentContainer: string
): Effect.Effect<ObjectInfo, E | NotFound | IntegrityError | ProviderFailure> =>
  Effect.gen(function*() {
    // A stream is only read once the container is known to exist.
    const replaced = yield* currentSegments(client, operation, r.container, r.key, r.source._tag === "Stream")
    const written: ObjectInfo = r.source._tag === "Bytes"
      ? yield* putSingle(client, operation, r, r.source.bytes)
      : yield* Effect.scoped(Effect.gen(function*() {
        const source = r.source as Extract<Source<E>, { _tag: "Stream" }>
        const pull = yield* Stream.toPull(segmentsOf(source.stream, r.segmentSize))
        let pending: Array<Uint8Array> = []
        const next: Effect.Effect<Option.Option<Uint8Array>, E> = Effect.suspend(() => {
          const head = pending.shift()
          if (head !== undefined) return Effect.succeed(Option.some(head))
          return Effect.matchEffect(pull, {
            onFailure: Option.match({ onNone: () => Effect.succeed(Option.none()), onSome: (e: E) => Effect.fail(e) }),
            onSuccess: (chunk) => {
              pending = [...chunk]
              return next
            }
          })
        })
        const first = yield* next
        const second = Option.isNone(first) ? Option.none() : yield* next
        if (Option.isNone(second)) return yield* putSingle(client, operation, r, Option.getOrElse(first, () => new Uint8Array(0)))
        const rest = Stream.repeatEffectOption(
          Effect.flatMap(Effect.mapError(next, Option.some), Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed }))
        )
        const all = Stream.concat(Stream.make(Option.getOrThrow(first), second.value), rest)
        return yield* putLarge(client, operation, r, all, segmentContainer)
      }))
    yield* deleteSegments(client, operation, replaced)
    return written
  })

/**
 * Deletes an object, and its segments when it is a Static Large Object.
 * Missing is fine; a missing container is NotFound.
 */
export const remove = (client: SwiftClient, operation: string, container: string, key: string): Effect.Effect<void, NotFound | ProviderFailure> =>
  Effect.gen(function*() {
    const h = yield* client.http(operation)
    const attributes = { "cloudfx.container": container, "cloudfx.key": key }
    const head = yield* h.execute(
      HttpClientRequest.head(objectPath(container, key)),
      { operation, success: (s) => (s >= 200 && s < 300) || s === 404, attributes },
      ProviderHttp.headers
    )
    if (head.status === 404) {
      yield* client.headContainer(operation, container)
      return
    }
    if (!isStaticLargeObject(head.headers)) {
      yield* h.execute(
        HttpClientRequest.del(objectPath(container, key)),
        { operation, success: (s) => (s >= 200 && s < 300) || s === 404, attributes },
        ProviderHttp.empty
      )
      return
    }
    yield* deleteLargeObject(h, client.where(operation), container, key)
  })

export type { SegmentRef }
