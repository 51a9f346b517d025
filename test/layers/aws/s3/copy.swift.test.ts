/**
 * copyObject on Swift's s3api (which implements UploadPartCopy with
 * x-amz-copy-source-range and the x-amz-copy-source-if-* conditions): a small
 * multipart-copy threshold sends objects of a few MiB through the multipart
 * copy path S3 takes above 5 GiB.
 *
 * Part copies can be held in the HttpClient (after signing, before sending),
 * so a test can interrupt a copy, or replace its source, while it is under way.
 */
import { createHash, randomBytes } from "node:crypto"
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { S3 } from "../../../../src/layers/aws/index.js"
import type { S3Config } from "../../../../src/layers/aws/s3/S3.js"
import { expectFailure } from "../../../contract/ObjectStorage.js"
import { LocalSwift, skipPeers, type SwiftPeer } from "../../../support/peers/index.js"
import { MiB, swiftConfig } from "./support.js"
import { multipartEtag, newBucket, pendingUploads, sha256Of, withBucket } from "./swiftSupport.js"

const copyInParts: Partial<S3Config> = { multipartCopyThreshold: 5 * MiB, copyPartSize: 5 * MiB, concurrency: 2 }

const partNumberOf = (request: HttpClientRequest.HttpClientRequest) =>
  request.headers["x-amz-copy-source-range"] === undefined ? undefined : Number(new URL(request.url).searchParams.get("partNumber"))

/**
 * S3 services whose UploadPartCopy requests go through a gate: counted (at
 * most how many at once), and the ones `hold` picks wait until `release`.
 */
const gatedServices = (swift: SwiftPeer, hold: (partNumber: number, attempt: number) => boolean = () => false) =>
  Effect.gen(function*() {
    const base = yield* HttpClient.HttpClient
    const held = yield* Deferred.make<number>()
    const gate = yield* Deferred.make<void>()
    const attempts = new Map<number, number>()
    let inFlight = 0
    let maxInFlight = 0
    const client = HttpClient.transform(base, (send, request) => {
      const part = partNumberOf(request)
      if (part === undefined) return send
      return Effect.acquireUseRelease(
        Effect.sync(() => {
          const attempt = (attempts.get(part) ?? 0) + 1
          attempts.set(part, attempt)
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          return attempt
        }),
        (attempt) =>
          hold(part, attempt) ? Effect.zipRight(Deferred.succeed(held, part), Effect.zipRight(Deferred.await(gate), send)) : send,
        () =>
          Effect.sync(() => {
            inFlight--
          })
      )
    })
    const services = yield* Effect.provideService(S3.makeServices(swiftConfig(swift, copyInParts)), HttpClient.HttpClient, client)
    return {
      ...services,
      /** Which part is being held, once one is. */
      held: Deferred.await(held),
      release: Deferred.succeed(gate, undefined),
      attempts: () => Object.fromEntries(attempts),
      maxInFlight: () => maxInFlight
    }
  })

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest()
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")
const random = (n: number) => {
  const b = randomBytes(n)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

describe.skipIf(skipPeers("swift"))("S3 copyObject on Swift s3api", () => {
  layer(Layer.merge(LocalSwift.layer(), NodeHttpClient.layerUndici), { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.effect("above the threshold a 12 MiB object is copied in 5 MiB parts by the server: same bytes, multipart ETag, metadata kept", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const s = yield* gatedServices(swift)
        const content = random(12 * MiB + 12_345)
        // Special characters in both keys: the source travels in x-amz-copy-source, the target in the path.
        const sourceKey = "dir/a b+c%?#&=ü😀 (1)'s!*.bin"
        const targetKey = "copies/é ü+%2F;,$@.bin"
        yield* withBucket(swift, (source) =>
          withBucket(swift, (target) =>
            Effect.gen(function*() {
              const put = yield* s.s3.putObject(source, sourceKey, content, {
                contentType: "image/png",
                metadata: { owner: "me", "Mixed-Case": "v" },
                cacheControl: "max-age=60",
                contentDisposition: "attachment; filename=\"x.png\""
              })
              const copied = yield* s.storage.copyObject({ container: source, key: sourceKey }, { container: target, key: targetKey })
              const expectedEtag = multipartEtag([
                md5(content.subarray(0, 5 * MiB)),
                md5(content.subarray(5 * MiB, 10 * MiB)),
                md5(content.subarray(10 * MiB))
              ])
              expect(copied).toMatchObject({ key: targetKey, size: content.byteLength, etag: expectedEtag, contentType: "image/png" })
              expect(s.attempts()).toEqual({ 1: 1, 2: 1, 3: 1 })
              expect(s.maxInFlight()).toBeLessThanOrEqual(2)
              const got = yield* s.storage.getObject(target, targetKey)
              expect(got.info).toMatchObject({ size: content.byteLength, etag: expectedEtag, contentType: "image/png", metadata: { owner: "me", "mixed-case": "v" } })
              expect(got.info.extra).toMatchObject({ cacheControl: "max-age=60", contentDisposition: "attachment; filename=\"x.png\"" })
              expect(yield* sha256Of(got.body)).toEqual({ sha256: sha256(content), size: content.byteLength })
              expect(yield* pendingUploads(s.s3, target)).toEqual([])
              // The source is untouched.
              expect((yield* s.storage.headObject(source, sourceKey)).etag).toBe(put.etag)
            })))
      }), 120_000)

    it.effect("up to the threshold it is one CopyObject: no part copies, the plain MD5 ETag", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const s = yield* gatedServices(swift)
        const content = random(5 * MiB)
        yield* withBucket(swift, (bucket) =>
          Effect.gen(function*() {
            yield* s.storage.putObject(bucket, "five", content, { contentType: "text/plain", metadata: { a: "b" } })
            const copied = yield* s.storage.copyObject({ container: bucket, key: "five" }, { container: bucket, key: "five copy" })
            expect(copied).toMatchObject({ size: 5 * MiB, etag: md5(content).toString("hex"), contentType: "text/plain", metadata: { a: "b" } })
            expect(s.attempts()).toEqual({})
          }))
      }), 120_000)

    it.effect("an interrupted multipart copy leaves no object and no pending upload", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const s = yield* gatedServices(swift, (part) => part === 2)
        yield* withBucket(swift, (bucket) =>
          Effect.gen(function*() {
            yield* s.storage.putObject(bucket, "src", random(11 * MiB))
            const fiber = yield* Effect.fork(s.storage.copyObject({ container: bucket, key: "src" }, { container: bucket, key: "dst" }))
            expect(yield* s.held).toBe(2)
            // The upload is really there before the interruption.
            expect((yield* pendingUploads(s.s3, bucket)).map((u) => u.key)).toEqual(["dst"])
            expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
            yield* expectFailure(s.storage.headObject(bucket, "dst"), "NotFound")
            expect(yield* pendingUploads(s.s3, bucket)).toEqual([])
          }))
      }), 120_000)

    it.effect("a source replaced mid-copy fails the copy with 412 and leaves nothing, whether in a later second or the same one", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        // In a later second the server refuses the held part (x-amz-copy-source-if-unmodified-since);
        // in the same second only the second read of the source, before Complete, can tell.
        for (const wait of ["1100 millis", "0 millis"] as const) {
          const s = yield* gatedServices(swift, (part, attempt) => part === 3 && attempt === 1)
          yield* withBucket(swift, (bucket) =>
            Effect.gen(function*() {
              yield* s.storage.putObject(bucket, "src", random(11 * MiB))
              const fiber = yield* Effect.fork(s.storage.copyObject({ container: bucket, key: "src" }, { container: bucket, key: "dst" }))
              yield* s.held
              yield* Effect.sleep(wait)
              yield* s.storage.putObject(bucket, "src", random(11 * MiB))
              yield* s.release
              const e = yield* expectFailure(Fiber.join(fiber), "ProviderError")
              expect(e).toMatchObject({ status: 412, code: "PreconditionFailed", operation: "ObjectStorage.copyObject" })
              // The server's own refusal carries its request id.
              if (wait !== "0 millis") expect(e).toMatchObject({ requestId: expect.any(String) })
              yield* expectFailure(s.storage.headObject(bucket, "dst"), "NotFound")
              expect(yield* pendingUploads(s.s3, bucket)).toEqual([])
            }))
        }
      }), 120_000)

    it.effect("a missing source key or bucket, or a missing target bucket on the multipart path: NotFound naming which", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const s = yield* gatedServices(swift)
        yield* withBucket(swift, (bucket) =>
          Effect.gen(function*() {
            yield* s.storage.putObject(bucket, "big", random(6 * MiB))
            expect(yield* expectFailure(s.storage.copyObject({ container: bucket, key: "nope" }, { container: bucket, key: "x" }), "NotFound"))
              .toMatchObject({ resource: "object", id: `${bucket}/nope` })
            const missing = newBucket()
            expect(yield* expectFailure(s.storage.copyObject({ container: missing, key: "big" }, { container: bucket, key: "x" }), "NotFound"))
              .toMatchObject({ resource: "container", id: missing })
            expect(yield* expectFailure(s.storage.copyObject({ container: bucket, key: "big" }, { container: missing, key: "x" }), "NotFound"))
              .toMatchObject({ resource: "container", id: missing })
            expect(s.attempts()).toEqual({})
            expect(yield* pendingUploads(s.s3, bucket)).toEqual([])
          }))
      }), 120_000)
  })
})
