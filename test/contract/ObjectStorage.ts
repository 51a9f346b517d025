/**
 * The ObjectStorage contract: what every provider must do, written once
 * against the portable interface. A provider's test file calls
 *
 * ```ts
 * objectStorageContract("s3 (s3rver)", S3.layer(config).pipe(Layer.provide(client)), { etags: "md5-single-part" })
 * ```
 *
 * and gets the whole suite. It only creates containers it names itself
 * (`<containerPrefix>-<random>`, lower-case letters, digits and hyphens, valid
 * on S3, Azure, GCS and Swift) and removes them afterwards, so it can run
 * against a shared real server.
 *
 * Keys used here are "portable": anything `validate.objectKey` accepts,
 * except a leading "/" and "." or ".." as a "/"-separated segment, which the
 * local filesystem provider refuses.
 */
import { createHash } from "node:crypto"
import { expect, it as globalIt, layer } from "@effect/vitest"
import { Cause, Chunk, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import type { Layer } from "effect"
import * as fc from "fast-check"
import type { ListEntry, ObjectInfo } from "../../src/schemas/Models.js"
import { ObjectStorage } from "../../src/services/ObjectStorage.js"

export interface ObjectStorageContractOptions {
  /**
   * What etags are.
   * - "md5" (default): always the hex MD5 of the content.
   * - "md5-single-part": the MD5 for bytes, strings and small streams, but not
   *   for the large streamed upload (multipart etags, as S3's).
   * - "opaque": not an MD5; only checked to be present, stable, and to change
   *   with the content.
   */
  readonly etags?: "md5" | "md5-single-part" | "opaque"
  /** The content type of an object uploaded without one. Default "application/octet-stream". */
  readonly defaultContentType?: string
  /** Bytes of the large streamed upload (several parts for multipart providers). Default 12 MiB. */
  readonly largeObjectBytes?: number
  /** Runs per fast-check property. Default 25. */
  readonly propertyRuns?: number
  /** Start of the names of the containers the suite creates. Default "cfx-contract". */
  readonly containerPrefix?: string
  /** Per-test timeout in milliseconds. Default 60 000. */
  readonly timeout?: number
  /**
   * Keys the provider's documented naming rules refuse although the portable
   * checks accept them (GCS: carriage return and line feed). They are left out
   * of the round-trip tests and must be InvalidInput instead. Default: none.
   */
  readonly refusesKey?: (key: string) => boolean
  /**
   * The order listings come in.
   * - "utf8" (default): UTF-8 byte order (S3, GCS, Swift, the filesystem).
   * - "utf16": UTF-16 code-unit order (Azure Blob documents it: "Blobs are
   *   listed in alphabetical order"; names compare as UTF-16 strings, so
   *   "😀" (D83D DE00) comes before "\uFF61").
   * Used by every listing assertion and passed to `expectedListing`.
   */
  readonly keyOrder?: KeyOrder
  /**
   * Keys the provider stores but its server cannot list (a listing that holds
   * one fails, whatever its prefix): a server bug, not a naming rule, so such
   * keys are not InvalidInput; the suite just never creates them (the
   * property tests' generators and the awkward-keys test leave them out).
   * Default: none.
   */
  readonly unlistableKey?: (key: string) => boolean
  /**
   * Delimiters the provider's server lists correctly. Listing and property
   * tests only use delimiters this accepts; the assertions on those are
   * unchanged. Default: every delimiter.
   */
  readonly allowsDelimiter?: (delimiter: string) => boolean
}

/** See `ObjectStorageContractOptions.keyOrder`. */
export type KeyOrder = "utf8" | "utf16"

// ---------------------------------------------------------------- helpers (exported for provider-specific tests)

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
export const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")
export const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))
/** JavaScript's own string order: UTF-16 code units. */
export const byUtf16 = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
export const compareKeys = (order: KeyOrder): (a: string, b: string) => number => (order === "utf8" ? byUtf8 : byUtf16)

export const concat = (parts: Iterable<Uint8Array>): Uint8Array => Buffer.concat([...parts].map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)))

export const collectBody = <E>(body: Stream.Stream<Uint8Array, E>): Effect.Effect<Uint8Array, E> =>
  Effect.map(Stream.runCollect(body), (chunks) => new Uint8Array(concat(chunks)))

/** Deterministic pseudo-random bytes. */
export const pattern = (size: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(size)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

export const expectBytes = (actual: Uint8Array, expected: Uint8Array) => {
  expect(actual.byteLength).toBe(expected.byteLength)
  expect(md5(actual)).toBe(md5(expected))
}

/** `["object", key]` or `["prefix", key]`, for comparing listings. */
export const shape = (entries: Iterable<ListEntry>): Array<readonly [string, string]> =>
  [...entries].map((e) => [e._tag === "ObjectPrefix" ? "prefix" : "object", e.key] as const)

/** What a listing must be, computed from the keys (S3 semantics). */
export const expectedListing = (
  keys: Iterable<string>,
  prefix = "",
  delimiter?: string,
  order: KeyOrder = "utf8"
): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  let last: string | undefined
  // Keys sharing a rolled-up prefix are adjacent in either order (both compare unit by unit).
  for (const key of [...new Set(keys)].sort(compareKeys(order))) {
    if (!key.startsWith(prefix)) continue
    if (delimiter !== undefined) {
      const at = key.indexOf(delimiter, prefix.length)
      if (at >= 0) {
        const rolled = key.slice(0, at + delimiter.length)
        if (rolled !== last) out.push(["prefix", rolled])
        last = rolled
        continue
      }
    }
    out.push(["object", key])
  }
  return out
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Valid for `validate.objectKey` and for every provider (see the header). */
export const isPortableKey = (k: string): boolean =>
  k.length > 0 &&
  !k.includes("\0") &&
  !loneSurrogate.test(k) &&
  Buffer.byteLength(k, "utf8") <= 1024 &&
  !k.startsWith("/") &&
  !k.split("/").some((s) => s === "." || s === "..")

const segmentArb = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("/"))

/** Arbitrary portable keys: any Unicode, "/"-separated paths, and long ones. */
export const portableKeyArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
    fc.array(segmentArb, { minLength: 1, maxLength: 6 }).map((a) => a.join("/")),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
    fc.string({ unit: "binary", minLength: 200, maxLength: 400 })
  )
  .filter(isPortableKey)

const randomSuffix = () => Math.random().toString(36).slice(2, 10).padEnd(8, "0")

const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u ? String((u as { _tag: unknown })._tag) : undefined

/** Fail the test unless `self` fails with an error tagged `tag`; returns that error. */
export const expectFailure = <A, E extends { readonly _tag: string }, R>(
  self: Effect.Effect<A, E, R>,
  tag: string
): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(self), (exit) =>
    Effect.sync(() => {
      if (Exit.isSuccess(exit)) throw new Error(`expected ${tag}, got success: ${String(exit.value)}`)
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "None") throw new Error(`expected ${tag}, got ${Cause.pretty(exit.cause)}`)
      expect(tagOf(failure.value), String(failure.value)).toBe(tag)
      return failure.value
    }))

class Boom {
  readonly _tag = "Boom"
}

// ---------------------------------------------------------------- the suite

export const objectStorageContract = <E>(
  name: string,
  storage: Layer.Layer<ObjectStorage, E>,
  options: ObjectStorageContractOptions = {}
): void => {
  const etags = options.etags ?? "md5"
  const defaultContentType = options.defaultContentType ?? "application/octet-stream"
  const largeObjectBytes = options.largeObjectBytes ?? 12 * 1024 * 1024
  const propertyRuns = options.propertyRuns ?? 25
  const containerPrefix = options.containerPrefix ?? "cfx-contract"
  const timeout = options.timeout ?? 60_000
  const refusesKey = options.refusesKey ?? (() => false)
  const keyOrder = options.keyOrder ?? "utf8"
  const unlistableKey = options.unlistableKey ?? (() => false)
  const allowsDelimiter = options.allowsDelimiter ?? (() => true)
  const orderName = keyOrder === "utf8" ? "UTF-8" : "UTF-16"

  const newName = () => `${containerPrefix}-${randomSuffix()}`

  /** Remove every object, then the container; failures ignored (the test already said what went wrong). */
  const destroy = (s: ObjectStorage.Service, container: string) =>
    s.listObjects(container).pipe(
      Stream.runForEach((e) => (e._tag === "ObjectInfo" ? s.deleteObject(container, e.key) : Effect.void)),
      Effect.zipRight(s.deleteContainer(container)),
      Effect.ignore
    )

  /** A fresh container for `f`, removed afterwards whatever happens. */
  const withContainer = <A, E2, R>(f: (container: string, s: ObjectStorage.Service) => Effect.Effect<A, E2, R>) =>
    Effect.flatMap(ObjectStorage, (s) =>
      Effect.acquireUseRelease(
        Effect.map(s.createContainer(newName()), (c) => c.name),
        (container) => f(container, s),
        (container) => destroy(s, container)
      ))

  const list = (s: ObjectStorage.Service, container: string, o?: ObjectStorage.ListOptions) =>
    Effect.map(Stream.runCollect(s.listObjects(container, o)), Chunk.toReadonlyArray)

  const checkEtag = (info: ObjectInfo, content: Uint8Array, singlePart = true) => {
    expect(info.etag, "etag").toBeTypeOf("string")
    expect(info.etag!.length).toBeGreaterThan(0)
    expect(info.etag).not.toMatch(/^"|"$/)
    if (etags === "md5" || (etags === "md5-single-part" && singlePart)) expect(info.etag).toBe(md5(content))
  }

  const checkRecent = (date: Date | undefined) => {
    expect(date).toBeInstanceOf(Date)
    expect(Number.isNaN(date!.getTime())).toBe(false)
    // Generous: a real server's clock may differ from ours.
    expect(Math.abs(date!.getTime() - Date.now())).toBeLessThan(60 * 60 * 1000)
  }

  // @effect/vitest's `layer` assigns its testers onto vitest's shared `it`, so
  // after it, a plain `it.effect` elsewhere in the file would run without
  // TestServices. Put the originals back once the suite is registered.
  const original = { effect: globalIt.effect, scoped: globalIt.scoped, flakyTest: globalIt.flakyTest, layer: globalIt.layer, prop: globalIt.prop }

  layer(storage, { excludeTestServices: true })(`ObjectStorage contract: ${name}`, (it) => {
    // ------------------------------------------------------------ provider

    it.effect("describes its provider", () =>
      Effect.gen(function*() {
        const s = yield* ObjectStorage
        expect(s.provider.id).toBeTypeOf("string")
        expect(s.provider.id.length).toBeGreaterThan(0)
        expect(s.provider.capabilities).toBeInstanceOf(Set)
      }))

    // ------------------------------------------------------------ containers

    /** Like withContainer, for tests that delete the container themselves. */
    const ownContainer = <A, E2, R>(f: (container: string, s: ObjectStorage.Service) => Effect.Effect<A, E2, R>) =>
      Effect.flatMap(ObjectStorage, (s) => {
        const container = newName()
        return f(container, s).pipe(Effect.ensuring(destroy(s, container)))
      })

    it.effect("creates, gets, lists and deletes containers", () =>
      ownContainer((name, s) =>
        Effect.gen(function*() {
          const created = yield* s.createContainer(name)
          expect(created.name).toBe(name)
          expect((yield* s.getContainer(name)).name).toBe(name)
          expect((yield* s.listContainers()).map((c) => c.name)).toContain(name)
          yield* s.deleteContainer(name)
          const gone = yield* expectFailure(s.getContainer(name), "NotFound")
          expect(gone).toMatchObject({ resource: "container", id: name })
          expect((yield* s.listContainers()).map((c) => c.name)).not.toContain(name)
          // The name can be used again.
          yield* s.createContainer(name)
          expect((yield* s.getContainer(name)).name).toBe(name)
        })), timeout)

    it.effect("createContainer of an existing name is AlreadyExists", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const e = yield* expectFailure(s.createContainer(c), "AlreadyExists")
          expect(e).toMatchObject({ resource: "container", id: c, operation: "ObjectStorage.createContainer" })
          expect(e).toMatchObject({ provider: s.provider.id })
        })), timeout)

    it.effect("operations on a missing container are NotFound", () =>
      Effect.gen(function*() {
        const s = yield* ObjectStorage
        const missing = newName()
        const notFound = { resource: "container", id: missing }
        expect(yield* expectFailure(s.getContainer(missing), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(s.deleteContainer(missing), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(Stream.runDrain(s.listObjects(missing)), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(s.headObject(missing, "k"), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(s.getObject(missing, "k"), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(s.putObject(missing, "k", "x"), "NotFound")).toMatchObject(notFound)
        expect(yield* expectFailure(s.deleteObject(missing, "k"), "NotFound")).toMatchObject(notFound)
        expect((yield* s.listContainers()).map((c) => c.name)).not.toContain(missing)
      }), timeout)

    it.effect("deleteContainer of a non-empty container is Conflict; it deletes once emptied", () =>
      ownContainer((name, s) =>
        Effect.gen(function*() {
          yield* s.createContainer(name)
          yield* s.putObject(name, "dir/k", "x")
          const e = yield* expectFailure(s.deleteContainer(name), "Conflict")
          expect(e).toMatchObject({ resource: "container", id: name })
          expect((yield* s.getContainer(name)).name).toBe(name)
          expect((yield* s.headObject(name, "dir/k")).size).toBe(1)
          yield* s.deleteObject(name, "dir/k")
          yield* s.deleteContainer(name)
          yield* expectFailure(s.getContainer(name), "NotFound")
        })), timeout)

    it.effect("invalid container names are InvalidInput", () =>
      Effect.gen(function*() {
        const s = yield* ObjectStorage
        for (const bad of ["", "a/b", ".", "..", "nul\0", "x".repeat(256)]) {
          const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
              s.createContainer(bad),
              s.getContainer(bad),
              s.deleteContainer(bad),
              Stream.runDrain(s.listObjects(bad)),
              s.putObject(bad, "k", "x"),
              s.getObject(bad, "k"),
              s.headObject(bad, "k"),
              s.deleteObject(bad, "k")
          ]
          for (const attempt of attempts) {
            expect(yield* expectFailure(attempt, "InvalidInput")).toMatchObject({ field: "container" })
          }
        }
      }), timeout)

    // ------------------------------------------------------------ put / get / head

    it.effect("putObject of bytes: put, head and get agree on everything", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const content = pattern(1000, 7)
          const put = yield* s.putObject(c, "docs/report.bin", content, {
            contentType: "application/x-cloudfx-test",
            metadata: { color: "blue", "x-count": "3" }
          })
          expect(put._tag).toBe("ObjectInfo")
          expect(put.key).toBe("docs/report.bin")
          expect(put.size).toBe(1000)
          checkEtag(put, content)
          const head = yield* s.headObject(c, "docs/report.bin")
          expect(head.key).toBe("docs/report.bin")
          expect(head.size).toBe(1000)
          expect(head.etag).toBe(put.etag)
          expect(head.contentType).toBe("application/x-cloudfx-test")
          expect(head.metadata).toEqual({ color: "blue", "x-count": "3" })
          checkRecent(head.lastModified)
          const got = yield* s.getObject(c, "docs/report.bin")
          expect(got.info.key).toBe("docs/report.bin")
          expect(got.info.size).toBe(1000)
          expect(got.info.etag).toBe(put.etag)
          expect(got.info.contentType).toBe("application/x-cloudfx-test")
          expect(got.info.metadata).toEqual({ color: "blue", "x-count": "3" })
          expectBytes(yield* collectBody(got.body), content)
        })), timeout)

    it.effect("a string body is stored as UTF-8", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const text = "héllo wörld ✓ 😀 日本語"
          const put = yield* s.putObject(c, "text", text, { contentType: "text/plain; charset=utf-8" })
          expect(put.size).toBe(utf8(text).byteLength)
          checkEtag(put, utf8(text))
          const got = yield* s.getObject(c, "text")
          expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe(text)
          expect(got.info.contentType).toBe("text/plain; charset=utf-8")
        })), timeout)

    it.effect("an object uploaded without a content type or metadata gets the default and none", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "plain", pattern(10))
          const head = yield* s.headObject(c, "plain")
          expect(head.contentType).toBe(defaultContentType)
          expect(head.metadata).toEqual({})
        })), timeout)

    it.effect("metadata keys are case-insensitive", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "meta", "x", { metadata: { "Mixed-Case_Key": "Value With Spaces" } })
          const head = yield* s.headObject(c, "meta")
          const lowered = Object.fromEntries(Object.entries(head.metadata).map(([k, v]) => [k.toLowerCase(), v]))
          expect(lowered).toEqual({ "mixed-case_key": "Value With Spaces" })
        })), timeout)

    it.effect("empty bodies: bytes, string and Stream", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const empty = new Uint8Array(0)
          for (
            const [key, body] of [
              ["empty-bytes", empty],
              ["empty-string", ""],
              ["empty-stream", Stream.empty],
              ["empty-chunks", Stream.make(empty, empty)]
            ] as const
          ) {
            const put = yield* s.putObject(c, key, body)
            expect(put.size).toBe(0)
            checkEtag(put, empty)
            const got = yield* s.getObject(c, key)
            expect(got.info.size).toBe(0)
            expect((yield* collectBody(got.body)).byteLength).toBe(0)
            expect((yield* s.headObject(c, key)).size).toBe(0)
          }
        })), timeout)

    it.effect("a multi-chunk Stream of unknown length", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const chunks = [1, 0, 7, 65_536, 3, 100_000, 5, 1].map((n, i) => pattern(n, i + 1))
          const content = concat(chunks)
          let pulled = 0
          const body = Stream.fromIterable(chunks).pipe(Stream.tap(() => Effect.sync(() => pulled++)))
          const put = yield* s.putObject(c, "streamed", body)
          expect(pulled).toBe(chunks.length)
          expect(put.size).toBe(content.byteLength)
          checkEtag(put, content)
          const got = yield* s.getObject(c, "streamed")
          expectBytes(yield* collectBody(got.body), content)
        })), timeout)

    it.effect(`a large Stream (${largeObjectBytes} bytes, irregular chunks) round-trips`, () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const sizes: Array<number> = []
          for (let total = 0, i = 0; total < largeObjectBytes; i++) {
            const n = Math.min(largeObjectBytes - total, [1_000_000, 333_333, 2_500_000, 17, 65_536][i % 5]!)
            sizes.push(n)
            total += n
          }
          const sent = createHash("md5")
          // Generated lazily: the stream itself never holds the whole object.
          const body = Stream.fromIterable(sizes).pipe(
            Stream.zipWithIndex,
            Stream.map(([n, i]) => pattern(n, i + 11)),
            Stream.tap((chunk) => Effect.sync(() => sent.update(chunk)))
          )
          const put = yield* s.putObject(c, "large", body, { contentType: "application/x-large" })
          const sentMd5 = sent.digest("hex")
          expect(put.size).toBe(largeObjectBytes)
          if (etags === "md5") expect(put.etag).toBe(sentMd5)
          const got = yield* s.getObject(c, "large")
          expect(got.info.size).toBe(largeObjectBytes)
          expect(got.info.contentType).toBe("application/x-large")
          const received = createHash("md5")
          const count = yield* Stream.runFold(got.body, 0, (n, chunk) => {
            received.update(chunk)
            return n + chunk.byteLength
          })
          expect(count).toBe(largeObjectBytes)
          expect(received.digest("hex")).toBe(sentMd5)
        })), timeout * 2)

    it.effect("overwriting replaces content, etag, content type and metadata", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const first = yield* s.putObject(c, "k", "first version", { contentType: "text/plain", metadata: { a: "1" } })
          const second = yield* s.putObject(c, "k", pattern(5000, 3))
          expect(second.etag).not.toBe(first.etag)
          checkEtag(second, pattern(5000, 3))
          const head = yield* s.headObject(c, "k")
          expect(head.size).toBe(5000)
          expect(head.etag).toBe(second.etag)
          expect(head.contentType).toBe(defaultContentType)
          expect(head.metadata).toEqual({})
          expectBytes(yield* collectBody((yield* s.getObject(c, "k")).body), pattern(5000, 3))
          expect((yield* list(s, c)).map((e) => e.key)).toEqual(["k"])
        })), timeout)

    it.effect("putObject to a missing container is NotFound before the body is read", () =>
      Effect.gen(function*() {
        const s = yield* ObjectStorage
        let pulled = false
        const body = Stream.fromEffect(Effect.sync(() => {
          pulled = true
          return utf8("x")
        }))
        yield* expectFailure(s.putObject(newName(), "k", body), "NotFound")
        expect(pulled).toBe(false)
      }), timeout)

    it.effect("invalid put options are InvalidInput", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const bad: ReadonlyArray<ObjectStorage.PutOptions> = [
            { metadata: { "bad key": "v" } },
            { metadata: { "": "v" } },
            { metadata: { k: "caf\u00e9" } },
            { metadata: { k: "line\nbreak" } },
            { contentType: "" },
            { contentType: "text/plain\r\nX-Injected: 1" },
            { partSize: 0 },
            { concurrency: 1.5 }
          ]
          for (const o of bad) yield* expectFailure(s.putObject(c, "k", "x", o), "InvalidInput")
          yield* expectFailure(s.headObject(c, "k"), "NotFound")
        })), timeout)

    // ------------------------------------------------------------ ranges

    it.effect("ranges: start only, start + end (exclusive), end clamped to the size", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const content = pattern(1000, 5)
          const put = yield* s.putObject(c, "r", content)
          const cases: ReadonlyArray<readonly [ObjectStorage.Range, number, number]> = [
            [{ start: 0 }, 0, 1000],
            [{ start: 10 }, 10, 1000],
            [{ start: 999 }, 999, 1000],
            [{ start: 10, end: 20 }, 10, 20],
            [{ start: 0, end: 1 }, 0, 1],
            [{ start: 0, end: 1000 }, 0, 1000],
            [{ start: 990, end: 1001 }, 990, 1000],
            [{ start: 500, end: 10_000_000 }, 500, 1000]
          ]
          for (const [range, from, to] of cases) {
            const got = yield* s.getObject(c, "r", { range })
            // info is always the whole object's.
            expect(got.info.size).toBe(1000)
            expect(got.info.etag).toBe(put.etag)
            const bytes = yield* collectBody(got.body)
            expect(bytes.byteLength, JSON.stringify(range)).toBe(to - from)
            expectBytes(bytes, content.subarray(from, to))
          }
        })), timeout)

    it.effect("invalid ranges are InvalidInput", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "r", pattern(100))
          yield* s.putObject(c, "empty", "")
          const bad: ReadonlyArray<readonly [string, ObjectStorage.Range, string]> = [
            ["r", { start: -1 }, "range.start"],
            ["r", { start: 1.5 }, "range.start"],
            ["r", { start: Number.NaN }, "range.start"],
            ["r", { start: 10, end: 10 }, "range.end"],
            ["r", { start: 10, end: 5 }, "range.end"],
            ["r", { start: 0, end: 2.5 }, "range.end"],
            // At or beyond the end of the object (HTTP 416).
            ["r", { start: 100 }, "range.start"],
            ["r", { start: 5000, end: 6000 }, "range.start"],
            ["empty", { start: 0 }, "range.start"]
          ]
          for (const [key, range, field] of bad) {
            const e = yield* expectFailure(s.getObject(c, key, { range }), "InvalidInput")
            expect(e, JSON.stringify(range)).toMatchObject({ field })
          }
        })), timeout)

    // ------------------------------------------------------------ keys

    const awkwardKeys = [
      "with space",
      " leading and trailing ",
      "plus+sign",
      "percent%20not-decoded%",
      "hash#fragment",
      "question?mark=1&amp=2",
      "semi;colon,comma:colon@at!bang$dollar'quote\"dquote",
      "<xml>&amp;</xml>",
      "back\\slash",
      "tab\tand\nnewline",
      "~tilde*star(paren)[bracket]{brace}|pipe^caret`tick",
      "ünïcödé/日本語/😀",
      "\u00e9-nfc",
      "e\u0301-nfd",
      "dir/",
      "dir//double",
      "deep/a/b/c/d/e/f/g/h/i/j/k",
      "a".repeat(1024),
      // 1024 bytes of multi-byte characters and slashes ("é/日本😀" is 13 bytes).
      "é/日本😀".repeat(78) + "x".repeat(10)
    ]

    it.effect(`awkward keys round-trip, list in ${orderName} order and delete`, () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          for (const key of awkwardKeys.filter(refusesKey)) {
            expect(yield* expectFailure(s.putObject(c, key, key), "InvalidInput")).toMatchObject({ field: "key" })
          }
          const keys = awkwardKeys.filter((k) => !refusesKey(k) && !unlistableKey(k))
          for (const key of keys) {
            expect(isPortableKey(key), key).toBe(true)
            const put = yield* s.putObject(c, key, key)
            expect(put.key).toBe(key)
          }
          for (const key of keys) {
            const head = yield* s.headObject(c, key)
            expect(head.key).toBe(key)
            expect(head.size).toBe(utf8(key).byteLength)
            const got = yield* s.getObject(c, key)
            expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe(key)
          }
          expect(shape(yield* list(s, c))).toEqual(expectedListing(keys, "", undefined, keyOrder))
          for (const key of keys) yield* s.deleteObject(c, key)
          expect(yield* list(s, c)).toEqual([])
        })), timeout)

    it.effect("invalid keys are InvalidInput: empty, NUL, 1025 bytes, lone surrogate", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "ok", "x")
          const tooLong = "é".repeat(512) + "a" // 1025 bytes
          expect(Buffer.byteLength(tooLong, "utf8")).toBe(1025)
          for (const bad of ["", "nul\0key", "a".repeat(1025), tooLong, "lone\uD800surrogate"]) {
            const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
                s.putObject(c, bad, "x"),
                s.getObject(c, bad),
                s.headObject(c, bad),
                s.deleteObject(c, bad),
                s.copyObject({ container: c, key: "ok" }, { container: c, key: bad }),
                s.copyObject({ container: c, key: bad }, { container: c, key: "ok2" })
            ]
            for (const attempt of attempts) {
              expect(yield* expectFailure(attempt, "InvalidInput")).toMatchObject({ provider: s.provider.id })
            }
          }
          expect(shape(yield* list(s, c))).toEqual([["object", "ok"]])
        })), timeout)

    // ------------------------------------------------------------ listing

    const listingKeys = ["a", "a!", "a/", "a/b", "a/b/c", "a0", "b/x", "b/y/z", "c", "é", "\uFF61", "😀"]
    const O = (key: string) => ["object", key] as const
    const P = (key: string) => ["prefix", key] as const
    const listingCases: ReadonlyArray<readonly [ObjectStorage.ListOptions, ReadonlyArray<readonly [string, string]>]> = [
      // UTF-8 byte order: U+FF61 (EF BD A1) before U+1F600 (F0 9F 98 80), unlike UTF-16 order.
      [{}, listingKeys.map(O)],
      [{ prefix: "a/" }, [O("a/"), O("a/b"), O("a/b/c")]],
      [{ prefix: "a/b" }, [O("a/b"), O("a/b/c")]],
      [{ prefix: "zzz" }, []],
      [{ prefix: "é" }, [O("é")]],
      [{ delimiter: "/" }, [O("a"), O("a!"), P("a/"), O("a0"), P("b/"), O("c"), O("é"), O("\uFF61"), O("😀")]],
      [{ prefix: "a/", delimiter: "/" }, [O("a/"), O("a/b"), P("a/b/")]],
      [{ prefix: "b/", delimiter: "/" }, [O("b/x"), P("b/y/")]],
      [{ prefix: "b", delimiter: "/" }, [P("b/")]],
      [{ delimiter: "!" }, [O("a"), P("a!"), ...["a/", "a/b", "a/b/c", "a0", "b/x", "b/y/z", "c", "é", "\uFF61", "😀"].map(O)]],
      [{ delimiter: "b" }, [O("a"), O("a!"), O("a/"), P("a/b"), O("a0"), P("b"), O("c"), O("é"), O("\uFF61"), O("😀")]]
    ]

    it.effect(`listObjects: ${orderName} order, prefix, delimiter (ObjectPrefix), any page size`, () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          for (const key of listingKeys) yield* s.putObject(c, key, key)
          const cases = listingCases.filter(([o]) => o.delimiter === undefined || allowsDelimiter(o.delimiter))
          for (const [o, utf8Expected] of cases) {
            expect(expectedListing(listingKeys, o.prefix, o.delimiter), "the model").toEqual(utf8Expected)
            // A listing is sorted by key (a prefix entry by its prefix), so the other order is a re-sort.
            const expected = [...utf8Expected].sort((a, b) => compareKeys(keyOrder)(a[1], b[1]))
            expect(expectedListing(listingKeys, o.prefix, o.delimiter, keyOrder), `the ${orderName} model`).toEqual(expected)
            for (const pageSize of [undefined, 1, 2, 3, 1000]) {
              const entries = yield* list(s, c, pageSize === undefined ? o : { ...o, pageSize })
              expect(shape(entries), JSON.stringify({ ...o, pageSize })).toEqual(expected)
            }
          }
          // Object entries carry their info.
          const all = yield* list(s, c)
          for (const e of all) {
            expect(e._tag).toBe("ObjectInfo")
            if (e._tag === "ObjectInfo") {
              expect(e.size).toBe(utf8(e.key).byteLength)
              checkEtag(e, utf8(e.key))
              checkRecent(e.lastModified)
            }
          }
          // A Stream: taking the first entries is enough.
          const first = yield* Stream.runCollect(Stream.take(s.listObjects(c, { pageSize: 1 }), 2))
          expect(shape(first)).toEqual([O("a"), O("a!")])
        })), timeout)

    it.effect("listObjects of an empty container is empty; invalid options are InvalidInput", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          expect(yield* list(s, c)).toEqual([])
          expect(yield* list(s, c, { delimiter: "/", pageSize: 1 })).toEqual([])
          for (const o of [{ pageSize: 0 }, { pageSize: 10_001 }, { pageSize: 1.5 }, { delimiter: "" }, { prefix: "nul\0" }]) {
            yield* expectFailure(Stream.runDrain(s.listObjects(c, o)), "InvalidInput")
          }
        })), timeout)

    // ------------------------------------------------------------ delete / copy

    it.effect("deleteObject is idempotent", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "k", "x")
          yield* s.putObject(c, "k2", "y")
          yield* s.deleteObject(c, "k")
          const e = yield* expectFailure(s.headObject(c, "k"), "NotFound")
          expect(e).toMatchObject({ resource: "object" })
          yield* s.deleteObject(c, "k")
          yield* s.deleteObject(c, "never/was/here")
          expect(shape(yield* list(s, c))).toEqual([O("k2")])
        })), timeout)

    it.effect("copyObject copies content, content type and metadata, within and across containers", () =>
      withContainer((c, s) =>
        withContainer((c2) =>
          Effect.gen(function*() {
            const content = pattern(70_000, 9)
            const source = yield* s.putObject(c, "src/file", content, { contentType: "image/png", metadata: { owner: "me" } })
            if (!s.provider.capabilities.has("storage.copy")) {
              yield* expectFailure(s.copyObject({ container: c, key: "src/file" }, { container: c, key: "dst" }), "Unsupported")
              return
            }
            yield* s.putObject(c2, "existing", "to be replaced")
            for (const to of [{ container: c, key: "dst/file" }, { container: c2, key: "existing" }]) {
              const copied = yield* s.copyObject({ container: c, key: "src/file" }, to)
              expect(copied.key).toBe(to.key)
              expect(copied.size).toBe(content.byteLength)
              checkEtag(copied, content)
              const got = yield* s.getObject(to.container, to.key)
              expect(got.info.contentType).toBe("image/png")
              expect(got.info.metadata).toEqual({ owner: "me" })
              expectBytes(yield* collectBody(got.body), content)
            }
            // The source is untouched.
            const head = yield* s.headObject(c, "src/file")
            expect(head.etag).toBe(source.etag)
            expect(head.size).toBe(content.byteLength)
            expect(shape(yield* list(s, c))).toEqual([O("dst/file"), O("src/file")])
            // Missing source, missing target container.
            expect(yield* expectFailure(s.copyObject({ container: c, key: "nope" }, { container: c, key: "x" }), "NotFound"))
              .toMatchObject({ resource: "object" })
            expect(
              yield* expectFailure(s.copyObject({ container: c, key: "src/file" }, { container: newName(), key: "x" }), "NotFound")
            ).toMatchObject({ resource: "container" })
            expect(
              yield* expectFailure(s.copyObject({ container: newName(), key: "src/file" }, { container: c, key: "x" }), "NotFound")
            ).toMatchObject({ resource: "container" })
          }))), timeout)

    // ------------------------------------------------------------ not found, failures, interruption

    it.effect("getObject and headObject of a missing key fail with NotFound before any body", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "present", "x")
          const e = yield* expectFailure(s.getObject(c, "absent"), "NotFound")
          expect(e).toMatchObject({ resource: "object", operation: "ObjectStorage.getObject", provider: s.provider.id })
          yield* expectFailure(s.getObject(c, "absent", { range: { start: 0, end: 1 } }), "NotFound")
          yield* expectFailure(s.headObject(c, "absent"), "NotFound")
          // A prefix of a key, or a "directory", is not an object.
          yield* s.putObject(c, "dir/file", "x")
          yield* expectFailure(s.headObject(c, "dir"), "NotFound")
          yield* expectFailure(s.headObject(c, "dir/"), "NotFound")
          yield* expectFailure(s.headObject(c, "presen"), "NotFound")
        })), timeout)

    const failingBody = (first: Uint8Array) => Stream.concat(Stream.make(first, first), Stream.fail(new Boom()))

    it.effect("a Stream that fails mid-upload fails putObject with its error and leaves no object", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(s.putObject(c, "failed", failingBody(pattern(100_000))))
          expect(e).toBeInstanceOf(Boom)
          yield* expectFailure(s.headObject(c, "failed"), "NotFound")
          yield* expectFailure(s.getObject(c, "failed"), "NotFound")
          expect(yield* list(s, c)).toEqual([])
          // The container is still empty: it can be deleted.
        })), timeout)

    it.effect("a Stream that fails mid-upload leaves the previous version intact", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const before = yield* s.putObject(c, "k", "previous", { contentType: "text/plain", metadata: { v: "1" } })
          const e = yield* Effect.flip(s.putObject(c, "k", failingBody(pattern(100_000)), { metadata: { v: "2" } }))
          expect(e).toBeInstanceOf(Boom)
          const got = yield* s.getObject(c, "k")
          expect(got.info.etag).toBe(before.etag)
          expect(got.info.metadata).toEqual({ v: "1" })
          expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe("previous")
        })), timeout)

    const interruptedUpload = (s: ObjectStorage.Service, c: string, key: string) =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        // Two chunks, then a signal, then a body that never ends.
        const body = Stream.make(pattern(70_000, 1), pattern(70_000, 2)).pipe(
          Stream.concat(Stream.fromEffect(Deferred.succeed(started, undefined)).pipe(Stream.drain)),
          Stream.concat(Stream.never)
        )
        const fiber = yield* Effect.fork(s.putObject(c, key, body))
        yield* Deferred.await(started)
        yield* Effect.sleep("20 millis")
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
      })

    it.effect("an interrupted upload leaves no object", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* interruptedUpload(s, c, "interrupted")
          yield* expectFailure(s.headObject(c, "interrupted"), "NotFound")
          expect(yield* list(s, c)).toEqual([])
        })), timeout)

    it.effect("an interrupted upload leaves the previous version intact", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          const before = yield* s.putObject(c, "k", "previous")
          yield* interruptedUpload(s, c, "k")
          const got = yield* s.getObject(c, "k")
          expect(got.info.etag).toBe(before.etag)
          expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe("previous")
        })), timeout)

    // ------------------------------------------------------------ optional capabilities

    it.effect("signedUrl is Unsupported exactly when the provider does not list storage.signedUrl", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "shared", "x")
          yield* expectFailure(s.signedUrl(c, "shared", { expiresIn: "0 seconds" }), "InvalidInput")
          yield* expectFailure(s.signedUrl(c, "shared", { expiresIn: "8 days" }), "InvalidInput")
          yield* expectFailure(s.signedUrl(c, "", { expiresIn: "1 hour" }), "InvalidInput")
          if (s.provider.capabilities.has("storage.signedUrl")) {
            for (const method of [undefined, "GET", "PUT"] as const) {
              const url = yield* s.signedUrl(c, "shared", method === undefined ? { expiresIn: "1 hour" } : { method, expiresIn: "1 hour" })
              expect(() => new URL(url)).not.toThrow()
            }
          } else {
            const e = yield* expectFailure(s.signedUrl(c, "shared", { expiresIn: "1 hour" }), "Unsupported")
            expect(e).toMatchObject({ capability: "storage.signedUrl", provider: s.provider.id })
          }
        })), timeout)

    it.effect("enableCdn / cdnUrl are Unsupported exactly when the provider does not list storage.cdn", () =>
      withContainer((c, s) =>
        Effect.gen(function*() {
          yield* s.putObject(c, "public", "x")
          yield* expectFailure(s.enableCdn(".."), "InvalidInput")
          yield* expectFailure(s.cdnUrl("..", "public"), "InvalidInput")
          if (s.provider.capabilities.has("storage.cdn")) {
            yield* s.enableCdn(c)
            const containerUrl = yield* s.cdnUrl(c)
            expect(() => new URL(containerUrl)).not.toThrow()
            const url = yield* s.cdnUrl(c, "public")
            expect(() => new URL(url)).not.toThrow()
            yield* expectFailure(s.enableCdn(newName()), "NotFound")
          } else {
            const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
              s.enableCdn(c),
              s.cdnUrl(c),
              s.cdnUrl(c, "public")
            ]
            for (const attempt of attempts) {
              expect(yield* expectFailure(attempt, "Unsupported")).toMatchObject({ capability: "storage.cdn" })
            }
          }
        })), timeout)

    // ------------------------------------------------------------ properties

    const run = <A, E2>(self: Effect.Effect<A, E2>) => Effect.runPromise(self)

    it.effect("property: any portable key and any bytes round-trip through put / head / get", () =>
      withContainer((c, s) =>
        Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(portableKeyArb.filter((k) => !refusesKey(k) && !unlistableKey(k)), fc.uint8Array({ maxLength: 3000 }), async (key, bytes) => {
              await run(Effect.gen(function*() {
                const put = yield* s.putObject(c, key, bytes)
                expect(put.key).toBe(key)
                expect(put.size).toBe(bytes.byteLength)
                checkEtag(put, bytes)
                expect((yield* s.headObject(c, key)).size).toBe(bytes.byteLength)
                const got = yield* s.getObject(c, key)
                expectBytes(yield* collectBody(got.body), bytes)
                const listed = yield* list(s, c, { prefix: key })
                expect(listed.map((e) => e.key)).toContain(key)
              }))
            }),
            { numRuns: propertyRuns }
          )
        )), timeout * 2)

    // Keys over a small alphabet, so prefixes and delimiters actually meet.
    const smallKeyArb = fc.string({ unit: fc.constantFrom("a", "b", "/", "-", "é", "😀", "\uFF61"), minLength: 1, maxLength: 6 })
      .filter((k) => isPortableKey(k) && !refusesKey(k) && !unlistableKey(k))
    const delimiters = ["/", "-", "é", "😀"].filter(allowsDelimiter)
    const delimiterArb = delimiters.length === 0 ? fc.constant(undefined) : fc.option(fc.constantFrom(...delimiters), { nil: undefined })

    it.effect("property: listObjects with any page size, prefix and delimiter equals the model", () =>
      Effect.flatMap(ObjectStorage, (s) =>
        Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.uniqueArray(smallKeyArb, { maxLength: 14 }),
              fc.oneof(fc.constant(""), fc.string({ unit: fc.constantFrom("a", "b", "/", "é"), maxLength: 3 })),
              delimiterArb,
              fc.integer({ min: 1, max: 6 }),
              async (keys, prefix, delimiter, pageSize) => {
                await run(withContainer((c) =>
                  Effect.gen(function*() {
                    yield* Effect.forEach(keys, (k) => s.putObject(c, k, ""), { concurrency: 4, discard: true })
                    const base = delimiter === undefined ? { prefix } : { prefix, delimiter }
                    const paged = shape(yield* list(s, c, { ...base, pageSize }))
                    const whole = shape(yield* list(s, c, { ...base, pageSize: 1000 }))
                    expect(paged).toEqual(whole)
                    expect(whole).toEqual(expectedListing(keys, prefix, delimiter, keyOrder))
                  })
                ).pipe(Effect.provideService(ObjectStorage, s)))
              }
            ),
            { numRuns: propertyRuns }
          )
        )), timeout * 2)

    Object.assign(globalIt, original)
  })
}
