import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Layer, Stream, TestClock, Tracer } from "effect"
import { makeObjectStorage } from "../../../src/layers/memory/storage.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { collectBody, expectFailure, md5, objectStorageContract, pattern, shape } from "../../contract/ObjectStorage.js"

const storageLayer = (config?: Parameters<typeof makeObjectStorage>[0]) => Layer.effect(ObjectStorage, makeObjectStorage(config))

objectStorageContract("memory", storageLayer())
// Internal pages of one entry when the caller does not choose.
objectStorageContract("memory (pageSize 1)", storageLayer({ pageSize: 1 }), { largeObjectBytes: 3 * 1024 * 1024, propertyRuns: 10 })

describe("memory ObjectStorage", () => {
  it.effect("says it is memory, with range and copy only", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      expect(s.provider.id).toBe("memory")
      expect([...s.provider.capabilities].sort()).toEqual(["storage.copy", "storage.range"])
    }))

  it.effect("keeps its own copy of uploaded and downloaded bytes", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      const bytes = new Uint8Array([1, 2, 3])
      yield* s.putObject("c", "k", bytes)
      bytes[0] = 9
      const chunk = new Uint8Array([4, 5])
      yield* s.putObject("c", "s", Stream.make(chunk))
      chunk[0] = 9
      const got = yield* s.getObject("c", "k")
      const first = yield* collectBody(got.body)
      expect([...first]).toEqual([1, 2, 3])
      first[1] = 9
      expect([...(yield* collectBody((yield* s.getObject("c", "k")).body))]).toEqual([1, 2, 3])
      expect([...(yield* collectBody((yield* s.getObject("c", "s")).body))]).toEqual([4, 5])
      expect((yield* s.headObject("c", "k")).etag).toBe(md5(new Uint8Array([1, 2, 3])))
    }))

  it.effect("a download body can be run more than once", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      yield* s.putObject("c", "k", pattern(100_000))
      const got = yield* s.getObject("c", "k", { range: { start: 10 } })
      expect(md5(yield* collectBody(got.body))).toBe(md5(pattern(100_000).subarray(10)))
      expect(md5(yield* collectBody(got.body))).toBe(md5(pattern(100_000).subarray(10)))
    }))

  it.effect("a download is a Stream of chunks of at most 64 KiB", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      yield* s.putObject("c", "big", pattern(200_000))
      const chunks = yield* Stream.runCollect((yield* s.getObject("c", "big")).body)
      expect(Chunk.size(chunks)).toBe(4)
      expect(Math.max(...Chunk.toArray(chunks).map((c) => c.byteLength))).toBe(65_536)
      const ranged = yield* Stream.runCollect((yield* s.getObject("c", "big", { range: { start: 65_000, end: 66_000 } })).body)
      expect(Chunk.toArray(ranged).map((c) => c.byteLength)).toEqual([1000])
    }))

  it.effect("lastModified comes from the Clock", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* TestClock.setTime(Date.UTC(2030, 0, 1))
      const c = yield* s.createContainer("c")
      expect(c.createdAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z")
      yield* TestClock.adjust("1 hour")
      const put = yield* s.putObject("c", "k", "x")
      expect(put.lastModified?.toISOString()).toBe("2030-01-01T01:00:00.000Z")
      yield* TestClock.adjust("1 hour")
      const copy = yield* s.copyObject({ container: "c", key: "k" }, { container: "c", key: "k2" })
      expect(copy.lastModified?.toISOString()).toBe("2030-01-01T02:00:00.000Z")
    }))

  it.effect("latency delays every call", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage({ latency: "1 second" })
      const fiber = yield* Effect.fork(s.createContainer("c"))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isSuccess(exit)).toBe(true)
    }))

  it.effect("faults: every call can fail, input is checked first, a failed call changes nothing", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage({ faults: { seed: 1, rateLimited: 1, retryAfter: "2 seconds" } })
      const e = yield* expectFailure(s.createContainer("c"), "RateLimited")
      expect(e).toMatchObject({ provider: "memory", operation: "ObjectStorage.createContainer" })
      yield* expectFailure(s.createContainer(".."), "InvalidInput")
      yield* expectFailure(s.putObject("c", "k", "x"), "RateLimited")
      yield* expectFailure(Stream.runDrain(s.listObjects("c")), "RateLimited")
      yield* expectFailure(s.getObject("c", "k", { range: { start: 5, end: 1 } }), "InvalidInput")
      yield* expectFailure(s.listContainers(), "RateLimited")
    }))

  it.effect("faults are decided by the seed: the same seed fails the same calls, and failed writes store nothing", () =>
    Effect.gen(function*() {
      const outcomes = (seed: number) =>
        Effect.gen(function*() {
          const s = yield* makeObjectStorage({ faults: { seed, rateLimited: 0.3, transport: 0.2 } })
          const tags: Array<string> = []
          for (let i = 0; i < 40; i++) {
            const exit = yield* Effect.exit(s.createContainer(`c${i}`))
            tags.push(Exit.isSuccess(exit) ? "ok" : exit.cause._tag === "Fail" ? exit.cause.error._tag : "?")
          }
          // Read the truth without faults: a second store would not see it, so list until it answers.
          const names = yield* s.listContainers().pipe(Effect.retry({ times: 100 }))
          return { tags, names: names.map((c) => c.name) }
        })
      const a = yield* outcomes(42)
      const b = yield* outcomes(42)
      const other = yield* outcomes(7)
      expect(a.tags).toEqual(b.tags)
      expect(a.tags).not.toEqual(other.tags)
      expect(a.tags).toContain("RateLimited")
      expect(a.tags).toContain("Transport")
      expect(a.tags).toContain("ok")
      const created = a.tags.flatMap((t, i) => (t === "ok" ? [`c${i}`] : []))
      expect([...a.names].sort()).toEqual([...created].sort())
    }))

  it.effect("each page of a listing is a call that can fail", () =>
    Effect.gen(function*() {
      // Seed chosen so the first calls succeed and a later page fails.
      const s = yield* makeObjectStorage({ faults: { seed: 3, transport: 0.25 } })
      yield* s.createContainer("c").pipe(Effect.retry({ times: 20 }))
      for (let i = 0; i < 30; i++) yield* s.putObject("c", `k${String(i).padStart(2, "0")}`, "x").pipe(Effect.retry({ times: 20 }))
      const pagesSeen: Array<number> = []
      let failures = 0
      for (let attempt = 0; attempt < 20; attempt++) {
        let entries = 0
        const exit = yield* Effect.exit(
          Stream.runForEach(s.listObjects("c", { pageSize: 5 }), () => Effect.sync(() => entries++))
        )
        if (Exit.isFailure(exit)) {
          failures++
          pagesSeen.push(entries)
        }
      }
      expect(failures).toBeGreaterThan(0)
      // Some listings failed after delivering whole pages: the fault hit a later page.
      expect(pagesSeen.some((n) => n > 0 && n % 5 === 0)).toBe(true)
    }))

  it.effect("optional operations are Unsupported, after input checks", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* expectFailure(s.signedUrl("c", "k", { expiresIn: "1 hour" }), "Unsupported")
      yield* expectFailure(s.signedUrl("c", "k", { expiresIn: "1 millis" }), "InvalidInput")
      yield* expectFailure(s.enableCdn("c"), "Unsupported")
      yield* expectFailure(s.cdnUrl("c", "k"), "Unsupported")
      yield* expectFailure(s.cdnUrl("c", "\0"), "InvalidInput")
    }))

  it.effect("a non-Stream, non-bytes body is InvalidInput, not a defect", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      const e = yield* expectFailure(s.putObject("c", "k", 42 as unknown as string), "InvalidInput")
      expect(e).toMatchObject({ field: "body" })
    }))

  it.effect("a container deleted while a Stream uploads into it: NotFound, nothing stored", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      const body = Stream.make(new Uint8Array([1])).pipe(
        Stream.concat(Stream.fromEffect(s.deleteContainer("c").pipe(Effect.orDie, Effect.as(new Uint8Array([2])))))
      )
      yield* expectFailure(s.putObject("c", "k", body), "NotFound")
      yield* expectFailure(s.getContainer("c"), "NotFound")
    }))

  it.effect("writes between pages are seen by later pages, as with a real provider", () =>
    Effect.gen(function*() {
      const s = yield* makeObjectStorage()
      yield* s.createContainer("c")
      for (const k of ["a", "c", "e"]) yield* s.putObject("c", k, "")
      const seen = yield* s.listObjects("c", { pageSize: 1 }).pipe(
        Stream.tap((e) => (e.key === "a" ? s.putObject("c", "d", "") : Effect.void)),
        Stream.runCollect
      )
      expect(shape(seen).map(([, k]) => k)).toEqual(["a", "c", "d", "e"])
    }))

  it.effect("every operation runs in a span named after it, with the provider", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const base = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          spans.push(span)
          return span
        },
        context: base.context
      })
      const s = yield* makeObjectStorage()
      yield* Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "k", "x")
        yield* s.getObject("c", "k")
        yield* Stream.runDrain(s.listObjects("c"))
      }).pipe(Effect.withTracer(tracer))
      expect(spans.map((x) => x.name)).toEqual([
        "ObjectStorage.createContainer",
        "ObjectStorage.putObject",
        "ObjectStorage.getObject",
        "ObjectStorage.listObjects"
      ])
      expect(Object.fromEntries(spans[1]!.attributes)).toMatchObject({
        "cloudfx.provider": "memory",
        "cloudfx.operation": "ObjectStorage.putObject",
        "cloudfx.container": "c",
        "cloudfx.key": "k"
      })
    }))
})
