/**
 * Nested Static Large Objects against a real Swift whose proxy allows only 3
 * entries per manifest (`max_manifest_segments = 3`, read from its /info):
 * streams needing more segments go up as sub-manifests listed by the
 * object's manifest, come back byte for byte, and leave nothing behind when
 * they fail, are interrupted, overwritten or deleted. Swift here has
 * min_segment_size 1, so segments are small. One Swift serves the file.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import * as Swift from "../../../src/layers/openstack/swift/Swift.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { sharedPeer } from "../../auth/openstack/support.js"
import { expectFailure, pattern } from "../../contract/ObjectStorage.js"
import { skipPeers, startSwift, type SwiftPeer } from "../../support/peers/index.js"
import { hashedStream, sha256 } from "./support.js"

const LIMIT = 3
const peer = sharedPeer(startSwift({ sloMaxManifestSegments: LIMIT }))
const SEGMENT = 128 * 1024

const config = (p: SwiftPeer, extra: Partial<Swift.SwiftConfig> = {}): Swift.SwiftConfig => ({
  auth: { authUrl: p.authUrl, user: p.user, key: Redacted.make(p.key) },
  segmentSize: SEGMENT,
  ...extra
})

const swiftLayer = Layer.unwrapEffect(Effect.map(peer, (p) => Swift.layer(config(p)))).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe.skipIf(skipPeers("swift"))("Swift: nested Static Large Objects", () => {
  layer(Layer.mergeAll(swiftLayer, NodeHttpClient.layerUndici), { timeout: "120 seconds", excludeTestServices: true })("max_manifest_segments = 3", (it) => {
    const withContainer = <A, E, R>(f: (container: string, s: ObjectStorage.Service, segments: string) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const s = yield* ObjectStorage
        const swift = yield* Swift.Swift
        return yield* Effect.acquireUseRelease(
          Effect.map(s.createContainer(`cfx-nested-${Math.random().toString(36).slice(2, 10)}`), (c) => c.name),
          (c) => f(c, s, swift.segmentContainer(c)),
          (c) =>
            s.listObjects(c).pipe(
              Stream.runForEach((e) => (e._tag === "ObjectInfo" ? s.deleteObject(c, e.key) : Effect.void)),
              Effect.zipRight(s.deleteContainer(c)),
              Effect.ignore
            )
        )
      })

    const keysIn = (s: ObjectStorage.Service, container: string) =>
      s.listObjects(container).pipe(
        Stream.runCollect,
        Effect.map((c) => Chunk.toReadonlyArray(c).map((e) => e.key)),
        Effect.catchTag("NotFound", () => Effect.succeed([] as ReadonlyArray<string>))
      )

    const manifests = (keys: ReadonlyArray<string>) => keys.filter((k) => /\/manifest-\d+-\d+$/.test(k))

    it.effect("the cluster's /info says 3", () =>
      Effect.gen(function*() {
        const swift = yield* Swift.Swift
        expect((yield* swift.clusterInfo()).slo?.max_manifest_segments).toBe(LIMIT)
      }))

    it.effect("7 segments: three sub-manifests under one manifest; read back whole and by range; one object listed; deleted with everything", () =>
      withContainer((c, s, segments) =>
        Effect.gen(function*() {
          const total = 6 * SEGMENT + 4321
          const body = hashedStream(total, 5)
          const put = yield* s.putObject(c, "nested.bin", body.stream, { contentType: "application/x-nested", metadata: { kind: "nested" } })
          expect(put.size).toBe(total)
          expect(put.extra).toEqual({ staticLargeObject: true, segments: 7, subManifests: 3 })
          const stored = yield* keysIn(s, segments)
          expect(stored).toHaveLength(10)
          expect(manifests(stored)).toHaveLength(3)
          expect(Chunk.toReadonlyArray(yield* Stream.runCollect(s.listObjects(c)))).toMatchObject([{ key: "nested.bin", size: total, etag: put.etag }])
          const head = yield* s.headObject(c, "nested.bin")
          expect(head).toMatchObject({ size: total, etag: put.etag, contentType: "application/x-nested", metadata: { kind: "nested" } })
          const got = yield* s.getObject(c, "nested.bin")
          expect(sha256(Chunk.toReadonlyArray(yield* Stream.runCollect(got.body)))).toBe(body.digest())
          // Across the boundary of the first two sub-manifests (segments 3 and 4).
          const at = 3 * SEGMENT
          const range = yield* s.getObject(c, "nested.bin", { range: { start: at - 5, end: at + 5 } })
          const bytes = Buffer.concat(Chunk.toReadonlyArray(yield* Stream.runCollect(range.body)))
          const whole = Buffer.concat(Chunk.toReadonlyArray(yield* Stream.runCollect((yield* s.getObject(c, "nested.bin")).body)))
          expect(bytes.equals(whole.subarray(at - 5, at + 5))).toBe(true)
          yield* s.deleteObject(c, "nested.bin")
          expect(yield* keysIn(s, segments)).toEqual([])
        })), 120_000)

    it.effect("10 segments: sub-manifests of sub-manifests (three levels)", () =>
      withContainer((c, s, segments) =>
        Effect.gen(function*() {
          const body = hashedStream(9 * SEGMENT + 1, 11)
          const put = yield* s.putObject(c, "deep", body.stream)
          // [[1 2 3] [4 5 6] [7 8 9]] [[10]] → 4 level-1 + 2 level-2 manifests.
          expect(put.extra).toEqual({ staticLargeObject: true, segments: 10, subManifests: 6 })
          const stored = yield* keysIn(s, segments)
          expect(manifests(stored).filter((k) => k.includes("/manifest-2-"))).toHaveLength(2)
          const got = yield* s.getObject(c, "deep")
          expect(sha256(Chunk.toReadonlyArray(yield* Stream.runCollect(got.body)))).toBe(body.digest())
          // Overwriting it with a plain object deletes every segment and sub-manifest it had.
          yield* s.putObject(c, "deep", "plain now")
          expect(yield* keysIn(s, segments)).toEqual([])
        })), 120_000)

    it.effect("a config limit above the cluster's is not used; one below it is", () =>
      withContainer((c, _s, segments) =>
        Effect.gen(function*() {
          const p = yield* peer
          const s = yield* ObjectStorage
          const above = yield* Swift.make(config(p, { maxManifestSegments: 1000 }))
          const a = yield* above.putObject(c, "above", hashedStream(4 * SEGMENT, 2).stream)
          expect(a.extra).toEqual({ staticLargeObject: true, segments: 4, subManifests: 2 })
          const below = yield* Swift.make(config(p, { maxManifestSegments: 2 }))
          const b = yield* below.putObject(c, "below", hashedStream(3 * SEGMENT, 3).stream)
          expect(b.extra).toEqual({ staticLargeObject: true, segments: 3, subManifests: 2 })
          yield* s.deleteObject(c, "above")
          yield* s.deleteObject(c, "below")
          expect(yield* keysIn(s, segments)).toEqual([])
        })), 120_000)

    const segmentBody = (count: number) => Stream.range(1, count).pipe(Stream.map((i) => pattern(SEGMENT, i)))

    it.effect("a stream that fails after two sub-manifests: its error, no object, no segment, no sub-manifest", () =>
      withContainer((c, s, segments) =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(s.putObject(c, "failed", Stream.concat(segmentBody(8), Stream.fail("boom" as const)), { concurrency: 2 }))
          expect(e).toBe("boom")
          yield* expectFailure(s.headObject(c, "failed"), "NotFound")
          expect(yield* keysIn(s, segments)).toEqual([])
        })), 120_000)

    it.effect("an upload interrupted after sub-manifests were written leaves nothing behind", () =>
      withContainer((c, s, segments) =>
        Effect.gen(function*() {
          const flowing = yield* Deferred.make<void>()
          const body = Stream.concat(
            segmentBody(13),
            Stream.fromEffect(Deferred.succeed(flowing, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
          )
          const fiber = yield* Effect.fork(s.putObject(c, "interrupted", body, { concurrency: 2 }))
          yield* Deferred.await(flowing)
          // Wait for a level-2 sub-manifest: segment 13 closes a fourth group of segments, which first closes the full level above.
          yield* keysIn(s, segments).pipe(
            Effect.filterOrFail((keys) => keys.some((k) => k.includes("/manifest-2-")), () => "not yet"),
            Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(150))))
          )
          const exit = yield* Fiber.interrupt(fiber)
          expect(Exit.isInterrupted(exit)).toBe(true)
          yield* expectFailure(s.headObject(c, "interrupted"), "NotFound")
          expect(yield* keysIn(s, c)).toEqual([])
          expect(yield* keysIn(s, segments)).toEqual([])
        })), 120_000)
  })
})
