/**
 * An in-memory object store that behaves like S3:
 *
 * - Containers: `createContainer` of an existing name is `AlreadyExists`,
 *   anything on a missing one is `NotFound` (resource "container"),
 *   `deleteContainer` of a non-empty one is `Conflict`.
 * - Objects carry the hex MD5 of their content as etag, `lastModified` (from
 *   the Effect `Clock`, so `TestClock` controls it), a content type
 *   (default "application/octet-stream") and user metadata, whose keys are
 *   stored lower-cased as S3 does. A missing object is `NotFound` with
 *   resource "object" and id "container/key".
 * - `listObjects` is a Stream over internal pages of `pageSize` entries
 *   (`ListOptions.pageSize`, else `MemoryStorageConfig.pageSize`, default
 *   100), keys in the lexicographic order of their UTF-8 bytes, `prefix`
 *   filtering and `delimiter` roll-up into `ObjectPrefix` entries; each page
 *   is one call through the fault injector, as each page is one request to a
 *   real provider. Writes between pages are seen by later pages.
 * - Ranges: `end` is exclusive and clamped to the size; `start` at or beyond
 *   the size (so any range of an empty object) is `InvalidInput` on
 *   "range.start", as S3 answers 416. `info` always describes the whole object.
 * - `putObject` of a Stream collects it and stores it in one step once it has
 *   ended: until then nothing is visible, and a failed or interrupted stream
 *   leaves the previous object (or none). The container must exist when the
 *   upload starts (`NotFound` before the body is read) and still exist when
 *   it ends.
 * - `signedUrl`, `enableCdn`, `cdnUrl` are `Unsupported` (after input checks);
 *   capabilities are "storage.range" and "storage.copy".
 *
 * Every call checks its input first (`InvalidInput`, before any fault), then
 * goes through the latency / fault injector, inside a `traced` span.
 */
import { createHash } from "node:crypto"
import { Chunk, Clock, Effect, Option, Predicate, Stream } from "effect"
import {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  type RateLimited,
  type Transport,
  Unsupported
} from "../../schemas/Errors.js"
import { Container, ObjectInfo, ObjectPrefix } from "../../schemas/Models.js"
import type { ListEntry } from "../../schemas/Models.js"
import { ObjectStorage } from "../../services/ObjectStorage.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import { type Behaviour, makeInjector } from "./faults.js"

export interface MemoryStorageConfig extends Behaviour {
  /** Entries per internal page of `listObjects` when the caller does not say. Default 100. */
  readonly pageSize?: number
}

const PROVIDER = "memory"
const DEFAULT_CONTENT_TYPE = "application/octet-stream"
/** Downloads are emitted in chunks of this size, as a network body would be. */
const BODY_CHUNK = 64 * 1024

interface StoredObject {
  readonly bytes: Uint8Array
  readonly etag: string
  readonly lastModified: Date
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
}

interface Bucket {
  readonly createdAt: Date
  readonly objects: Map<string, StoredObject>
  /** Keys in UTF-8 byte order; rebuilt lazily after a write. */
  sorted: Array<string> | undefined
}

/**
 * Compare strings by the UTF-8 bytes they encode to (= code point order).
 * JavaScript's `<` compares UTF-16 code units, which puts U+10000.. (surrogate
 * pairs) before U+E000..U+FFFF; shift the two ranges to fix that.
 */
const compareUtf8 = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return fixup(x) - fixup(y)
  }
  return a.length - b.length
}
const fixup = (u: number) => (u >= 0xd800 ? (u >= 0xe000 ? u - 0x800 : u + 0x2000) : u)

/** Index of the first key ≥ `prefix`. */
const lowerBound = (keys: ReadonlyArray<string>, prefix: string) => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareUtf8(keys[mid]!, prefix) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

const lowerKeys = (metadata: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata ?? {})) out[k.toLowerCase()] = v
  return out
}

const toInfo = (key: string, o: StoredObject) =>
  new ObjectInfo({
    key,
    size: o.bytes.byteLength,
    etag: o.etag,
    lastModified: o.lastModified,
    contentType: o.contentType,
    metadata: { ...o.metadata }
  })

/** Where the next page starts: after `after`, skipping keys under the last rolled-up prefix. */
interface Cursor {
  readonly after: string | undefined
  readonly skip: string | undefined
}

export const makeObjectStorage = (config: MemoryStorageConfig = {}): Effect.Effect<ObjectStorage.Service> =>
  Effect.sync(() => {
    const inject = makeInjector(PROVIDER, config)
    const defaultPageSize = config.pageSize === undefined || !Number.isFinite(config.pageSize)
      ? 100
      : Math.min(10_000, Math.max(1, Math.floor(config.pageSize)))
    const buckets = new Map<string, Bucket>()

    const where = (operation: string) => ({ provider: PROVIDER, operation })
    const op = (name: string) => `ObjectStorage.${name}`

    const bucketOf = (operation: string, name: string): Effect.Effect<Bucket, NotFound> =>
      Effect.suspend(() => {
        const b = buckets.get(name)
        return b === undefined
          ? Effect.fail(new NotFound({ ...where(operation), resource: "container", id: name }))
          : Effect.succeed(b)
      })

    const objectOf = (operation: string, container: string, key: string) =>
      Effect.flatMap(bucketOf(operation, container), (b) => {
        const o = b.objects.get(key)
        return o === undefined
          ? Effect.fail(new NotFound({ ...where(operation), resource: "object", id: `${container}/${key}` }))
          : Effect.succeed(o)
      })

    const sortedKeys = (b: Bucket) => {
      if (b.sorted === undefined) b.sorted = [...b.objects.keys()].sort(compareUtf8)
      return b.sorted
    }

    const store = (b: Bucket, key: string, o: StoredObject) => {
      if (!b.objects.has(key)) b.sorted = undefined
      b.objects.set(key, o)
    }

    const unsupported = (operation: string, capability: string) =>
      Effect.fail(new Unsupported({ ...where(operation), capability }))

    const listContainers: ObjectStorage.Service["listContainers"] = () =>
      inject(
        op("listContainers"),
        Effect.sync(() =>
          [...buckets.entries()]
            .sort(([a], [b]) => compareUtf8(a, b))
            .map(([name, b]) => new Container({ name, createdAt: b.createdAt }))
        )
      ).pipe(traced(PROVIDER, op("listContainers")))

    const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
      const operation = op("getContainer")
      return validate.containerName(where(operation), name).pipe(
        Effect.flatMap((name) =>
          inject(operation, Effect.map(bucketOf(operation, name), (b) => new Container({ name, createdAt: b.createdAt })))
        ),
        traced(PROVIDER, operation, { "cloudfx.container": name })
      )
    }

    const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
      const operation = op("createContainer")
      return validate.containerName(where(operation), name).pipe(
        Effect.flatMap((name) =>
          inject(
            operation,
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.suspend(() => {
                if (buckets.has(name)) {
                  return Effect.fail(new AlreadyExists({ ...where(operation), resource: "container", id: name }))
                }
                const createdAt = new Date(now)
                buckets.set(name, { createdAt, objects: new Map(), sorted: undefined })
                return Effect.succeed(new Container({ name, createdAt }))
              }))
          )
        ),
        traced(PROVIDER, operation, { "cloudfx.container": name })
      )
    }

    const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
      const operation = op("deleteContainer")
      return validate.containerName(where(operation), name).pipe(
        Effect.flatMap((name) =>
          inject(
            operation,
            Effect.flatMap(bucketOf(operation, name), (b) => {
              if (b.objects.size > 0) {
                return Effect.fail(
                  new Conflict({ ...where(operation), resource: "container", id: name, reason: "container is not empty" })
                )
              }
              buckets.delete(name)
              return Effect.void
            })
          )
        ),
        traced(PROVIDER, operation, { "cloudfx.container": name })
      )
    }

    const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
      const operation = op("listObjects")
      return Effect.gen(function*() {
        const name = yield* validate.containerName(where(operation), container)
        const o = yield* validate.listOptions(where(operation), options)
        const prefix = o.prefix ?? ""
        const delimiter = o.delimiter
        const pageSize = o.pageSize ?? defaultPageSize

        const page = (cursor: Cursor) =>
          inject(
            operation,
            Effect.map(bucketOf(operation, name), (b) => {
              const keys = sortedKeys(b)
              const out: Array<ListEntry> = []
              let skip = cursor.skip
              let after = cursor.after
              let i = after === undefined ? lowerBound(keys, prefix) : lowerBound(keys, after)
              if (after !== undefined && keys[i] === after) i++
              for (; i < keys.length && out.length < pageSize; i++) {
                const key = keys[i]!
                if (!key.startsWith(prefix)) break
                after = key
                if (skip !== undefined && key.startsWith(skip)) continue
                if (delimiter !== undefined) {
                  const at = key.indexOf(delimiter, prefix.length)
                  if (at >= 0) {
                    skip = key.slice(0, at + delimiter.length)
                    out.push(new ObjectPrefix({ key: skip }))
                    continue
                  }
                }
                out.push(toInfo(key, b.objects.get(key)!))
              }
              const more = i < keys.length && keys[i]!.startsWith(prefix)
              return [Chunk.unsafeFromArray(out), more ? Option.some({ after, skip }) : Option.none<Cursor>()] as const
            })
          )

        return Stream.paginateChunkEffect<Cursor, ListEntry, NotFound | RateLimited | Transport, never>(
          { after: undefined, skip: undefined },
          page
        )
      }).pipe(
        Stream.unwrap,
        tracedStream(PROVIDER, operation, { "cloudfx.container": container })
      )
    }

    const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
      const operation = op("headObject")
      return Effect.gen(function*() {
        const c = yield* validate.containerName(where(operation), container)
        const k = yield* validate.objectKey(where(operation), key)
        return yield* inject(operation, Effect.map(objectOf(operation, c, k), (o) => toInfo(k, o)))
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
      const operation = op("getObject")
      return Effect.gen(function*() {
        const c = yield* validate.containerName(where(operation), container)
        const k = yield* validate.objectKey(where(operation), key)
        const range = yield* validate.range(where(operation), options?.range)
        return yield* inject(
          operation,
          Effect.flatMap(objectOf(operation, c, k), (o) => {
            const size = o.bytes.byteLength
            let start = 0
            let end = size
            if (range !== undefined) {
              if (range.start >= size) {
                return Effect.fail(
                  new InvalidInput({
                    ...where(operation),
                    field: "range.start",
                    reason: `${range.start} is at or beyond the end of the object (${size} bytes)`
                  })
                )
              }
              start = range.start
              end = range.end === undefined ? size : Math.min(range.end, size)
            }
            const bytes = o.bytes
            // An Iterable, not an iterator: the body can be run more than once.
            const body = Stream.fromIterable({ [Symbol.iterator]: () => chunkOffsets(start, end) }).pipe(
              // Copies: the stored bytes never leave the store.
              Stream.map(([from, to]) => bytes.slice(from, to))
            )
            return Effect.succeed<ObjectStorage.Download>({ info: toInfo(k, o), body })
          })
        )
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const putObject: ObjectStorage.Service["putObject"] = <E>(
      container: string,
      key: string,
      body: ObjectStorage.Body<E>,
      options?: ObjectStorage.PutOptions
    ) => {
      const operation = op("putObject")
      return Effect.gen(function*() {
        const c = yield* validate.containerName(where(operation), container)
        const k = yield* validate.objectKey(where(operation), key)
        const o = yield* validate.putOptions(where(operation), options)
        const source = yield* bodySource(where(operation), body)
        return yield* inject(
          operation,
          Effect.gen(function*() {
            // Not-found is known before the body is read.
            yield* bucketOf(operation, c)
            const bytes = yield* collect(source)
            const now = yield* Clock.currentTimeMillis
            // The container may have gone while the body streamed in.
            const b = yield* bucketOf(operation, c)
            const stored: StoredObject = {
              bytes,
              etag: md5(bytes),
              lastModified: new Date(now),
              contentType: o.contentType ?? DEFAULT_CONTENT_TYPE,
              metadata: lowerKeys(o.metadata)
            }
            store(b, k, stored)
            return toInfo(k, stored)
          })
        )
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
      const operation = op("deleteObject")
      return Effect.gen(function*() {
        const c = yield* validate.containerName(where(operation), container)
        const k = yield* validate.objectKey(where(operation), key)
        yield* inject(
          operation,
          Effect.map(bucketOf(operation, c), (b) => {
            if (b.objects.delete(k)) b.sorted = undefined
          })
        )
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
      const operation = op("copyObject")
      return Effect.gen(function*() {
        const fc = yield* validate.containerName(where(operation), from.container)
        const fk = yield* validate.objectKey(where(operation), from.key)
        const tc = yield* validate.containerName(where(operation), to.container)
        const tk = yield* validate.objectKey(where(operation), to.key)
        return yield* inject(
          operation,
          Effect.gen(function*() {
            const source = yield* objectOf(operation, fc, fk)
            const target = yield* bucketOf(operation, tc)
            const now = yield* Clock.currentTimeMillis
            const copy: StoredObject = { ...source, lastModified: new Date(now) }
            store(target, tk, copy)
            return toInfo(tk, copy)
          })
        )
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
        yield* validate.containerName(where(operation), container)
        yield* validate.objectKey(where(operation), key)
        yield* validate.expiresIn(where(operation), options.expiresIn)
        return yield* unsupported(operation, "storage.signedUrl")
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
      const operation = op("enableCdn")
      return validate.containerName(where(operation), container).pipe(
        Effect.zipRight(unsupported(operation, "storage.cdn")),
        traced(PROVIDER, operation, { "cloudfx.container": container })
      )
    }

    const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
      const operation = op("cdnUrl")
      return Effect.gen(function*() {
        yield* validate.containerName(where(operation), container)
        if (key !== undefined) yield* validate.objectKey(where(operation), key)
        return yield* unsupported(operation, "storage.cdn")
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
    }

    return ObjectStorage.of({
      provider: providerInfo(PROVIDER, ["storage.range", "storage.copy"]),
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
  })

/** [from, to) offsets of the body chunks of bytes start..end. */
function* chunkOffsets(start: number, end: number): Generator<readonly [number, number]> {
  for (let at = start; at < end; at += BODY_CHUNK) yield [at, Math.min(end, at + BODY_CHUNK)] as const
}

type Source<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

const bodySource = <E>(where: validate.Where, body: ObjectStorage.Body<E>): Effect.Effect<Source<E>, InvalidInput> => {
  if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: new TextEncoder().encode(body) })
  // A copy: the caller may reuse its buffer once putObject returns.
  if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body.slice() })
  if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
  return Effect.fail(new InvalidInput({ ...where, field: "body", reason: "must be a Uint8Array, a string or a Stream" }))
}

const collect = <E>(source: Source<E>): Effect.Effect<Uint8Array, E> => {
  if (source._tag === "Bytes") return Effect.succeed(source.bytes)
  return Stream.runFold(source.stream, [] as Array<Uint8Array>, (parts, chunk) => {
    // Copied as it arrives: the producer may reuse its buffers.
    parts.push(chunk.slice())
    return parts
  }).pipe(Effect.map(concat))
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let size = 0
  for (const p of parts) size += p.byteLength
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
