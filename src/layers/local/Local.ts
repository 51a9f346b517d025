/**
 * Object storage on the local filesystem (`cloudfx/local`, provider id
 * "local"): containers are directories under `root`, objects are files laid
 * out as described in layout.ts (keys hex-encoded into path components,
 * metadata in a trailer of the same file).
 *
 * - Uploads are streamed into a temporary file in the container directory,
 *   hashed (MD5 etag) as they go, flushed (`datasync`) and `rename`d into
 *   place: a reader sees the old object or the new one, never part of one,
 *   and concurrent writers of one key end with one of their objects whole.
 *   A failed or interrupted upload removes its temporary file.
 * - Downloads are Streams of 64 KiB chunks read from a file handle opened when
 *   the body is run and closed when it ends, fails or is interrupted; a range
 *   reads only its bytes. If the object was replaced or deleted between
 *   `getObject` and running the body, the body fails (`IntegrityError`, or
 *   `ProviderError` with status 404) rather than mixing two versions.
 * - Ranges: `end` is exclusive and clamped to the size; `start` at or beyond
 *   the size (so any range of an empty object) is `InvalidInput` on
 *   "range.start" — the same rules as the memory provider.
 * - Keys: besides the portable checks, a key must not start with "/" and
 *   must not have "." or ".." as a "/"-separated segment (`InvalidInput`), so
 *   every key is also a safe relative path. Empty segments ("a//b", "dir/")
 *   are fine. Container names are used as directory names as they are.
 * - `listObjects` walks the directories in key order, `pageSize` (default
 *   1000) entries per internal page, reading each directory once.
 * - `deleteContainer` never removes an object: `Conflict` if one is there or
 *   appears while it runs.
 * - `signedUrl`, `enableCdn` and `cdnUrl` are `Unsupported`.
 */
import { createHash, randomUUID } from "node:crypto"
import { constants as fsConstants } from "node:fs"
import type { Dirent, Stats } from "node:fs"
import * as fs from "node:fs/promises"
import type { FileHandle } from "node:fs/promises"
import * as path from "node:path"
import type { ConfigError } from "effect"
import { Chunk, Config, Data, Effect, Either, Layer, Option, Predicate, Stream } from "effect"
import {
  AlreadyExists,
  Conflict,
  IntegrityError,
  InvalidInput,
  MalformedResponse,
  NotFound,
  PermissionDenied,
  ProviderError,
  Unsupported
} from "../../schemas/Errors.js"
import type { ProviderFailure } from "../../schemas/Errors.js"
import { Container, ObjectInfo, ObjectPrefix } from "../../schemas/Models.js"
import type { ListEntry } from "../../schemas/Models.js"
import { ObjectStorage } from "../../services/ObjectStorage.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import {
  classify,
  compareEntries,
  components,
  decodeTail,
  decodeTrailer,
  encodeTrailer,
  isObjectFileName,
  type LayoutEntry,
  objectPath,
  OBJECT_SUFFIX,
  TAIL_BYTES,
  TEMP_PREFIX,
  type Trailer
} from "./layout.js"

export interface LocalConfig {
  /** The directory holding one directory per container. Created on the first `createContainer`. */
  readonly root: string
}

const PROVIDER = "local"
const DEFAULT_CONTENT_TYPE = "application/octet-stream"
const DEFAULT_PAGE_SIZE = 1000
/** Download chunk size. */
const READ_CHUNK = 64 * 1024
/** Copy buffer size. */
const COPY_CHUNK = 1024 * 1024
/** Object infos read at once while listing. */
const LIST_CONCURRENCY = 8
/** Attempts to create the key's directories and rename into them, racing a delete that prunes them. */
const COMMIT_ATTEMPTS = 8

/** A failed filesystem call, before it is given a meaning. */
class FsError extends Data.TaggedError("FsError")<{
  readonly code: string | undefined
  readonly what: string
  readonly cause: unknown
}> {}

const fsCall = <A>(what: string, f: () => Promise<A>): Effect.Effect<A, FsError> =>
  Effect.tryPromise({
    try: f,
    catch: (cause) =>
      new FsError({
        code: Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? cause.code : undefined,
        what,
        cause
      })
  })

const isMissing = (e: FsError) => e.code === "ENOENT" || e.code === "ENOTDIR"

const where = (operation: string) => ({ provider: PROVIDER, operation })
const op = (name: string) => `ObjectStorage.${name}`

const toFailure = (operation: string, e: FsError): ProviderFailure => {
  const reason = e.cause instanceof Error ? e.cause.message : String(e.cause)
  if (e.code === "EACCES" || e.code === "EPERM") {
    return new PermissionDenied({ ...where(operation), reason: `${e.what}: ${reason}` })
  }
  return new ProviderError({ ...where(operation), code: e.code ?? "EUNKNOWN", detail: `${e.what}: ${reason}` })
}

/** Give the remaining filesystem failures their taxonomy error. */
const mapFs = (operation: string) => <A, E, R>(self: Effect.Effect<A, E | FsError, R>): Effect.Effect<A, Exclude<E, FsError> | ProviderFailure, R> =>
  Effect.catchIf(
    self,
    (e): e is FsError => e instanceof FsError,
    (e) => Effect.fail(toFailure(operation, e))
  ) as Effect.Effect<A, Exclude<E, FsError> | ProviderFailure, R>

const containerNotFound = (operation: string, name: string) =>
  new NotFound({ ...where(operation), resource: "container", id: name })
const objectNotFound = (operation: string, container: string, key: string) =>
  new NotFound({ ...where(operation), resource: "object", id: `${container}/${key}` })

const invalid = (operation: string, field: string, reason: string) =>
  new InvalidInput({ ...where(operation), field, reason })

/** The portable key checks, and what makes every key a safe relative path. */
const localKey = (operation: string, key: string): Effect.Effect<string, InvalidInput> =>
  validate.objectKey(where(operation), key).pipe(
    Effect.flatMap((k) => {
      if (k.startsWith("/")) return Effect.fail(invalid(operation, "key", "must not start with '/' (an absolute path)"))
      if (k.split("/").some((s) => s === "." || s === "..")) {
        return Effect.fail(invalid(operation, "key", "must not have '.' or '..' as a path segment"))
      }
      return Effect.succeed(k)
    })
  )

const infoOf = (t: Trailer) =>
  new ObjectInfo({
    key: t.key,
    size: t.size,
    etag: t.etag,
    lastModified: new Date(t.lastModified),
    contentType: t.contentType,
    metadata: { ...t.metadata }
  })

const lowerKeys = (metadata: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata ?? {})) out[k.toLowerCase()] = v
  return out
}

const sameVersion = (a: Trailer, b: Trailer) =>
  a.etag === b.etag && a.size === b.size && a.lastModified === b.lastModified && a.key === b.key

/** Read exactly `length` bytes at `position`, or fail if the file is shorter. */
const readExactly = (fh: FileHandle, length: number, position: number, what: string) =>
  fsCall(what, async () => {
    const buffer = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const { bytesRead } = await fh.read(buffer, done, length - done, position + done)
      if (bytesRead === 0) break
      done += bytesRead
    }
    return done === length ? buffer : buffer.subarray(0, done)
  })

const writeAll = (fh: FileHandle, bytes: Uint8Array, what: string) =>
  fsCall(what, async () => {
    let done = 0
    while (done < bytes.byteLength) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done)
      done += bytesWritten
    }
  })

/** The trailer of an open object file, checked against the file's size and the key expected. */
const readTrailer = (
  operation: string,
  fh: FileHandle,
  key: string
): Effect.Effect<Trailer, MalformedResponse | FsError> =>
  Effect.gen(function*() {
    const malformed = (reason: string) => new MalformedResponse({ ...where(operation), reason: `object "${key}": ${reason}` })
    const stat = yield* fsCall("stat object", () => fh.stat())
    if (stat.size < TAIL_BYTES) return yield* malformed("file too short for a cloudfx trailer")
    const tail = yield* readExactly(fh, TAIL_BYTES, stat.size - TAIL_BYTES, "read object trailer")
    const length = decodeTail(tail)
    if (Either.isLeft(length)) return yield* malformed(length.left)
    const at = stat.size - TAIL_BYTES - length.right
    if (at < 0) return yield* malformed("trailer longer than the file")
    const json = yield* readExactly(fh, length.right, at, "read object trailer")
    const trailer = decodeTrailer(json)
    if (Either.isLeft(trailer)) return yield* malformed(trailer.left)
    if (trailer.right.size !== at) {
      return yield* malformed(`trailer says ${trailer.right.size} bytes, file holds ${at}`)
    }
    if (trailer.right.key !== key) return yield* malformed(`file holds key "${trailer.right.key}"`)
    return trailer.right
  })

const openRead = (file: string) =>
  fsCall("open object", () => fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW))

const closeQuietly = (fh: FileHandle) => Effect.promise(() => fh.close().catch(() => undefined))

type Source<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

const bodySource = <E>(operation: string, body: ObjectStorage.Body<E>): Effect.Effect<Source<E>, InvalidInput> => {
  if (typeof body === "string") return Effect.succeed({ _tag: "Bytes", bytes: Buffer.from(body, "utf8") })
  if (body instanceof Uint8Array) return Effect.succeed({ _tag: "Bytes", bytes: body })
  if (Predicate.hasProperty(body, Stream.StreamTypeId)) return Effect.succeed({ _tag: "Stream", stream: body })
  return Effect.fail(invalid(operation, "body", "must be a Uint8Array, a string or a Stream"))
}

/** One step of a listing walk. */
type Step =
  | { readonly _tag: "Object"; readonly key: string; readonly file: string }
  | { readonly _tag: "Prefix"; readonly key: string }

interface Frame {
  readonly dir: string
  /** Hex of the key bytes this directory stands for. */
  readonly base: string
  readonly entries: ReadonlyArray<LayoutEntry>
  index: number
}

export const make = (config: LocalConfig): Effect.Effect<ObjectStorage.Service> =>
  Effect.sync(() => {
    const root = path.resolve(config.root)

    // ------------------------------------------------------------ paths

    const containerName = (operation: string, name: string) =>
      Effect.flatMap(validate.containerName(where(operation), name), (n) => {
        const dir = path.join(root, n)
        // Belt and braces: the portable checks already refuse "/", "." and "..".
        return path.dirname(dir) === root && path.basename(dir) === n
          ? Effect.succeed(n)
          : Effect.fail(invalid(operation, "container", "must name a directory directly under the root"))
      })

    const containerDir = (name: string) => path.join(root, name)
    const objectFile = (container: string, key: string) => path.join(containerDir(container), ...objectPath(key))

    const requireContainer = (operation: string, name: string): Effect.Effect<Stats, NotFound | FsError> =>
      fsCall("stat container", () => fs.stat(containerDir(name))).pipe(
        Effect.catchIf(isMissing, () => Effect.fail(containerNotFound(operation, name))),
        Effect.filterOrFail((s) => s.isDirectory(), () => containerNotFound(operation, name))
      )

    /** NotFound for the container if it is missing, else for the object. */
    const missingObject = (operation: string, container: string, key: string) =>
      Effect.zipRight(requireContainer(operation, container), Effect.fail(objectNotFound(operation, container, key)))

    /** Open an object file, read its trailer and `use` both; the handle is closed afterwards. */
    const withObject = <A, E>(
      operation: string,
      container: string,
      key: string,
      use: (fh: FileHandle, trailer: Trailer) => Effect.Effect<A, E | FsError | MalformedResponse>
    ) =>
      Effect.acquireUseRelease(
        openRead(objectFile(container, key)).pipe(
          Effect.catchIf(isMissing, () => missingObject(operation, container, key))
        ),
        (fh) => Effect.flatMap(readTrailer(operation, fh, key), (t) => use(fh, t)),
        closeQuietly
      )

    // ------------------------------------------------------------ writing

    /**
     * Stream `write` into a temporary file in the container, then move it to
     * the key's path. The temporary file is removed unless the move happened.
     */
    const writeObject = <E>(
      operation: string,
      container: string,
      key: string,
      write: (fh: FileHandle) => Effect.Effect<{ readonly size: number; readonly etag: string }, E | FsError>,
      describe: (size: number, etag: string) => Trailer
    ): Effect.Effect<Trailer, E | NotFound | FsError> => {
      const dir = containerDir(container)
      const tmp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`)
      const parts = objectPath(key)
      let committed = false
      return Effect.acquireUseRelease(
        fsCall("create temporary file", () => fs.open(tmp, "wx", 0o644)).pipe(
          Effect.catchIf(isMissing, () => Effect.fail(containerNotFound(operation, container)))
        ),
        (fh) =>
          Effect.gen(function*() {
            const { etag, size } = yield* write(fh)
            const trailer = describe(size, etag)
            yield* writeAll(fh, encodeTrailer(trailer), "write object trailer")
            yield* fsCall("flush object", () => fh.datasync())
            yield* fsCall("close object", () => fh.close())
            // The commit is all or nothing: an interruption waits for it.
            yield* Effect.uninterruptible(
              Effect.tap(commit(operation, container, tmp, parts), () =>
                Effect.sync(() => {
                  committed = true
                }))
            )
            return trailer
          }),
        (fh) =>
          committed ? Effect.void : Effect.zipRight(
            closeQuietly(fh),
            Effect.promise(() => fs.unlink(tmp).catch(() => undefined))
          )
      )
    }

    /** mkdir the key's directories (never the container's) and rename the temporary file to the key's path. */
    const commit = (
      operation: string,
      container: string,
      tmp: string,
      parts: ReadonlyArray<string>
    ): Effect.Effect<void, NotFound | FsError> =>
      Effect.gen(function*() {
        const dir = containerDir(container)
        const target = path.join(dir, ...parts)
        for (let attempt = 1;; attempt++) {
          let at = dir
          let raced = false
          for (const part of parts.slice(0, -1)) {
            at = path.join(at, part)
            const made = yield* fsCall("create key directory", () => fs.mkdir(at)).pipe(
              Effect.as(true),
              Effect.catchIf((e) => e.code === "EEXIST", () => Effect.succeed(true)),
              Effect.catchIf(isMissing, () => Effect.succeed(false))
            )
            if (!made) {
              raced = true
              break
            }
          }
          if (!raced) {
            const moved = yield* fsCall("rename into place", () => fs.rename(tmp, target)).pipe(
              Effect.as(true),
              Effect.catchIf((e) => isMissing(e) && attempt < COMMIT_ATTEMPTS, () => Effect.succeed(false))
            )
            if (moved) return
          }
          // A parent directory went away: a delete pruned it, or the container is gone.
          yield* requireContainer(operation, container)
          const tmpThere = yield* fsCall("stat temporary file", () => fs.stat(tmp)).pipe(
            Effect.as(true),
            Effect.catchIf(isMissing, () => Effect.succeed(false))
          )
          if (!tmpThere) {
            return yield* new FsError({
              code: "ENOENT",
              what: "rename into place",
              cause: new Error("the upload's temporary file was removed (was the container being deleted?)")
            })
          }
          if (attempt >= COMMIT_ATTEMPTS) {
            return yield* new FsError({ code: "EAGAIN", what: "rename into place", cause: new Error("key directories kept disappearing") })
          }
        }
      })

    /** Remove the directories of a deleted key that are now empty, up to the container. */
    const prune = (container: string, file: string) =>
      Effect.promise(async () => {
        const top = containerDir(container)
        for (let dir = path.dirname(file); dir.length > top.length && dir.startsWith(top); dir = path.dirname(dir)) {
          try {
            await fs.rmdir(dir)
          } catch {
            return
          }
        }
      })

    // ------------------------------------------------------------ listing

    const readEntries = (dir: string, hexPrefix: string): Effect.Effect<Array<LayoutEntry>, FsError> =>
      fsCall("read directory", () => fs.readdir(dir, { withFileTypes: true })).pipe(
        Effect.catchIf(isMissing, () => Effect.succeed([] as Array<Dirent>)),
        Effect.map((dirents) => {
          const out: Array<LayoutEntry> = []
          for (const d of dirents) {
            const e = classify(d.name, d.isFile(), d.isDirectory())
            if (e !== undefined && e.hex.startsWith(hexPrefix)) out.push(e)
          }
          return out.sort(compareEntries)
        })
      )

    /**
     * A depth-first walk of a container in key order, starting at the
     * directory of the prefix, rolling up keys by the delimiter (whole
     * directories at once when their bytes already contain it).
     */
    const walker = (container: string, prefix: string, delimiter: string | undefined) => {
      const prefixBytes = Buffer.from(prefix, "utf8")
      const delimiterBytes = delimiter === undefined ? undefined : Buffer.from(delimiter, "utf8")
      const parts = components(prefixBytes)
      const partial = parts.pop()!
      const startDir = path.join(containerDir(container), ...parts)
      const stack: Array<Frame> = []
      let started = false
      let lastRolled: string | undefined
      let finished = false

      const next: Effect.Effect<Step | undefined, FsError> = Effect.gen(function*() {
        if (!started) {
          started = true
          stack.push({ dir: startDir, base: parts.join(""), entries: yield* readEntries(startDir, partial), index: 0 })
        }
        while (stack.length > 0) {
          const frame = stack[stack.length - 1]!
          const entry = frame.entries[frame.index++]
          if (entry === undefined) {
            stack.pop()
            continue
          }
          const hex = frame.base + entry.hex
          if (delimiterBytes !== undefined) {
            const bytes = Buffer.from(hex, "hex")
            const at = bytes.indexOf(delimiterBytes, prefixBytes.byteLength)
            if (at >= 0) {
              const rolled = bytes.subarray(0, at + delimiterBytes.byteLength).toString("utf8")
              if (rolled === lastRolled) continue
              lastRolled = rolled
              return { _tag: "Prefix", key: rolled } as const
            }
          }
          if (entry.dir) {
            const dir = path.join(frame.dir, entry.hex)
            stack.push({ dir, base: hex, entries: yield* readEntries(dir, ""), index: 0 })
            continue
          }
          return {
            _tag: "Object",
            key: Buffer.from(hex, "hex").toString("utf8"),
            file: path.join(frame.dir, entry.hex + OBJECT_SUFFIX)
          } as const
        }
        finished = true
        return undefined
      })
      return { next, done: () => finished }
    }

    // ------------------------------------------------------------ service

    const listContainers: ObjectStorage.Service["listContainers"] = () => {
      const operation = op("listContainers")
      return Effect.gen(function*() {
        const dirents = yield* fsCall("read root", () => fs.readdir(root, { withFileTypes: true })).pipe(
          Effect.catchIf(isMissing, () => Effect.succeed([] as Array<Dirent>))
        )
        const candidates = dirents.filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => d.name)
        // Only what could have been created as a container.
        const names = (yield* Effect.filter(candidates, (n) => Effect.isSuccess(validate.containerName(where(operation), n))))
          .sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
        const containers = yield* Effect.forEach(names, (name) =>
          fsCall("stat container", () => fs.stat(containerDir(name))).pipe(
            Effect.map((s) => s.isDirectory() ? [new Container({ name, createdAt: createdAt(s) })] : []),
            Effect.catchIf(isMissing, () => Effect.succeed([]))
          ), { concurrency: LIST_CONCURRENCY })
        return containers.flat()
      }).pipe(mapFs(operation), traced(PROVIDER, operation))
    }

    const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
      const operation = op("getContainer")
      return containerName(operation, name).pipe(
        Effect.flatMap((n) =>
          Effect.map(requireContainer(operation, n), (s) => new Container({ name: n, createdAt: createdAt(s) }))
        ),
        mapFs(operation),
        traced(PROVIDER, operation, { "cloudfx.container": name })
      )
    }

    const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
      const operation = op("createContainer")
      return Effect.gen(function*() {
        const n = yield* containerName(operation, name)
        yield* fsCall("create root", () => fs.mkdir(root, { recursive: true }))
        yield* fsCall("create container", () => fs.mkdir(containerDir(n))).pipe(
          Effect.catchIf(
            (e) => e.code === "EEXIST",
            () => Effect.fail(new AlreadyExists({ ...where(operation), resource: "container", id: n }))
          )
        )
        const s = yield* fsCall("stat container", () => fs.stat(containerDir(n)))
        return new Container({ name: n, createdAt: createdAt(s) })
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": name }))
    }

    const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
      const operation = op("deleteContainer")
      return Effect.gen(function*() {
        const n = yield* containerName(operation, name)
        yield* requireContainer(operation, n)
        const notEmpty = new Conflict({ ...where(operation), resource: "container", id: n, reason: "container is not empty" })
        const first = yield* walker(n, "", undefined).next
        if (first !== undefined) return yield* notEmpty
        // Remove what is left (empty key directories, stale temporary files),
        // deepest first, never an object: rmdir refuses a directory that
        // gained one meanwhile.
        const clear = (dir: string): Effect.Effect<void, Conflict | FsError> =>
          Effect.gen(function*() {
            const dirents = yield* fsCall("read directory", () => fs.readdir(dir, { withFileTypes: true })).pipe(
              Effect.catchIf(isMissing, () => Effect.succeed([] as Array<Dirent>))
            )
            for (const d of dirents) {
              const p = path.join(dir, d.name)
              if (d.isDirectory()) yield* clear(p)
              else if (d.isFile() && isObjectFileName(d.name)) return yield* notEmpty
              else yield* fsCall("remove file", () => fs.unlink(p)).pipe(Effect.catchIf(isMissing, () => Effect.void))
            }
            yield* fsCall("remove directory", () => fs.rmdir(dir)).pipe(
              Effect.catchIf(isMissing, () => Effect.void),
              Effect.catchIf((e) => e.code === "ENOTEMPTY" || e.code === "EEXIST", () => Effect.fail(notEmpty))
            )
          })
        yield* clear(containerDir(n))
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": name }))
    }

    const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
      const operation = op("listObjects")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const o = yield* validate.listOptions(where(operation), options)
        const pageSize = o.pageSize ?? DEFAULT_PAGE_SIZE
        yield* requireContainer(operation, c).pipe(mapFs(operation))
        return Stream.suspend(() => {
          const walk = walker(c, o.prefix ?? "", o.delimiter)
          const page = Effect.gen(function*() {
            const steps: Array<Step> = []
            while (steps.length < pageSize) {
              const step = yield* walk.next
              if (step === undefined) break
              steps.push(step)
            }
            const entries = yield* Effect.forEach(steps, (step): Effect.Effect<ReadonlyArray<ListEntry>, FsError | MalformedResponse> =>
              step._tag === "Prefix"
                ? Effect.succeed([new ObjectPrefix({ key: step.key })])
                : Effect.acquireUseRelease(
                  openRead(step.file),
                  (fh) => Effect.map(readTrailer(operation, fh, step.key), (t) => [infoOf(t)]),
                  closeQuietly
                ).pipe(
                  // Deleted since the directory was read: not there any more.
                  Effect.catchIf((e) => e instanceof FsError && isMissing(e), () => Effect.succeed([]))
                ), { concurrency: LIST_CONCURRENCY })
            return [Chunk.unsafeFromArray(entries.flat()), walk.done() ? Option.none() : Option.some(undefined)] as const
          }).pipe(mapFs(operation))
          return Stream.paginateChunkEffect(undefined, () => page)
        })
      }).pipe(
        Stream.unwrap,
        tracedStream(PROVIDER, operation, { "cloudfx.container": container })
      )
    }

    const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
      const operation = op("headObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* localKey(operation, key)
        return yield* withObject(operation, c, k, (_, t) => Effect.succeed(infoOf(t)))
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
      const operation = op("getObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* localKey(operation, key)
        const range = yield* validate.range(where(operation), options?.range)
        const trailer = yield* withObject(operation, c, k, (_, t) => Effect.succeed(t))
        const size = trailer.size
        if (range !== undefined && range.start >= size) {
          return yield* invalid(operation, "range.start", `${range.start} is at or beyond the end of the object (${size} bytes)`)
        }
        const start = range?.start ?? 0
        const end = range?.end === undefined ? size : Math.min(range.end, size)
        const file = objectFile(c, k)
        const body = Stream.unwrapScoped(
          Effect.gen(function*() {
            const fh = yield* Effect.acquireRelease(
              openRead(file).pipe(
                Effect.catchIf(isMissing, () =>
                  Effect.fail(
                    new ProviderError({
                      ...where(operation),
                      status: 404,
                      code: "NoSuchKey",
                      detail: `object "${k}" was deleted before its body was read`
                    })
                  ))
              ),
              closeQuietly
            )
            const now = yield* readTrailer(operation, fh, k)
            if (!sameVersion(now, trailer)) {
              return yield* new IntegrityError({ ...where(operation), key: k, expected: trailer.etag, actual: now.etag })
            }
            let at = start
            return Stream.repeatEffectOption(
              Effect.suspend(() => {
                if (at >= end) return Effect.fail(Option.none())
                const length = Math.min(READ_CHUNK, end - at)
                return readExactly(fh, length, at, "read object").pipe(
                  Effect.flatMap((chunk) =>
                    chunk.byteLength === length
                      ? Effect.succeed(chunk)
                      : Effect.fail(
                        new IntegrityError({
                          ...where(operation),
                          key: k,
                          expected: `${size} bytes`,
                          actual: `${at + chunk.byteLength} bytes`
                        })
                      )
                  ),
                  Effect.map((chunk) => {
                    at += length
                    return chunk
                  }),
                  mapFs(operation),
                  Effect.mapError(Option.some)
                )
              })
            )
          }).pipe(mapFs(operation))
        )
        return { info: infoOf(trailer), body } satisfies ObjectStorage.Download
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const putObject: ObjectStorage.Service["putObject"] = <E>(
      container: string,
      key: string,
      body: ObjectStorage.Body<E>,
      options?: ObjectStorage.PutOptions
    ) => {
      const operation = op("putObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* localKey(operation, key)
        const o = yield* validate.putOptions(where(operation), options)
        const source = yield* bodySource(operation, body)
        // Not-found is known before the body is read.
        yield* requireContainer(operation, c)
        const contentType = o.contentType ?? DEFAULT_CONTENT_TYPE
        const metadata = lowerKeys(o.metadata)
        const trailer = yield* writeObject(
          operation,
          c,
          k,
          (fh) => {
            const hash = createHash("md5")
            let size = 0
            const put = (chunk: Uint8Array) =>
              Effect.zipRight(
                Effect.sync(() => {
                  hash.update(chunk)
                  size += chunk.byteLength
                }),
                writeAll(fh, chunk, "write object")
              )
            const all = source._tag === "Bytes" ? put(source.bytes) : Stream.runForEach(source.stream, put)
            return Effect.map(all, () => ({ size, etag: hash.digest("hex") }))
          },
          (size, etag) => ({
            v: 1,
            key: k,
            size,
            etag,
            contentType,
            metadata,
            lastModified: new Date().toISOString()
          })
        )
        return infoOf(trailer)
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
      const operation = op("deleteObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* localKey(operation, key)
        yield* requireContainer(operation, c)
        const file = objectFile(c, k)
        const removed = yield* fsCall("remove object", () => fs.unlink(file)).pipe(
          Effect.as(true),
          Effect.catchIf(isMissing, () => Effect.succeed(false))
        )
        if (removed) yield* prune(c, file)
      }).pipe(mapFs(operation), traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
      const operation = op("copyObject")
      return Effect.gen(function*() {
        const fc = yield* containerName(operation, from.container)
        const fk = yield* localKey(operation, from.key)
        const tc = yield* containerName(operation, to.container)
        const tk = yield* localKey(operation, to.key)
        const trailer = yield* withObject(operation, fc, fk, (source, t) =>
          Effect.zipRight(
            requireContainer(operation, tc),
            writeObject(
              operation,
              tc,
              tk,
              (target) =>
                Effect.gen(function*() {
                  // Copy from the open handle: a concurrent replacement cannot mix versions.
                  for (let at = 0; at < t.size; at += COPY_CHUNK) {
                    const chunk = yield* readExactly(source, Math.min(COPY_CHUNK, t.size - at), at, "read source object")
                    yield* writeAll(target, chunk, "write object")
                  }
                  return { size: t.size, etag: t.etag }
                }),
              () => ({ ...t, key: tk, lastModified: new Date().toISOString() })
            )
          ))
        return infoOf(trailer)
      }).pipe(
        mapFs(operation),
        traced(PROVIDER, operation, {
          "cloudfx.container": from.container,
          "cloudfx.key": from.key,
          "cloudfx.target.container": to.container,
          "cloudfx.target.key": to.key
        })
      )
    }

    const unsupported = (operation: string, capability: string) =>
      Effect.fail(new Unsupported({ ...where(operation), capability }))

    const signedUrl: ObjectStorage.Service["signedUrl"] = (container, key, options) => {
      const operation = op("signedUrl")
      return Effect.gen(function*() {
        yield* containerName(operation, container)
        yield* localKey(operation, key)
        yield* validate.expiresIn(where(operation), options.expiresIn)
        return yield* unsupported(operation, "storage.signedUrl")
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
      const operation = op("enableCdn")
      return containerName(operation, container).pipe(
        Effect.zipRight(unsupported(operation, "storage.cdn")),
        traced(PROVIDER, operation, { "cloudfx.container": container })
      )
    }

    const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
      const operation = op("cdnUrl")
      return Effect.gen(function*() {
        yield* containerName(operation, container)
        if (key !== undefined) yield* localKey(operation, key)
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

const createdAt = (s: Stats) => (s.birthtimeMs > 0 ? s.birthtime : s.mtime)

export const layer = (config: LocalConfig): Layer.Layer<ObjectStorage> => Layer.effect(ObjectStorage, make(config))

/** Reads `root` from CLOUDFX_LOCAL_ROOT (non-empty) unless told otherwise. */
export const layerConfig = (
  config: Config.Config.Wrap<LocalConfig> = { root: Config.nonEmptyString("CLOUDFX_LOCAL_ROOT") }
): Layer.Layer<ObjectStorage, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
