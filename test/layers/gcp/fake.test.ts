/**
 * GCS over a real HTTP client against the in-process fake: the large
 * streamed upload, dropped and failed chunks, token revocation, and what
 * only GCS does (Gcs.Gcs), public access and V4 signed URLs.
 */
import { createHash } from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Gcs } from "../../../src/layers/gcp/index.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { collectBody, expectFailure, pattern, utf8 } from "../../contract/ObjectStorage.js"
import { Fake, gcsOnFake } from "./support.js"
import { verifyV4 } from "./v4.js"

const MiB = 1024 * 1024
const CHUNK = 8 * MiB

let counter = 0
const bucketName = () => `cfx-fake-${Date.now().toString(36)}-${counter++}`

const withBucket = <A, E, R>(f: (bucket: string, s: ObjectStorage.Service) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(ObjectStorage, (s) => Effect.flatMap(s.createContainer(bucketName()), (c) => f(c.name, s)))

const chunkPuts = (fake: { readonly received: ReadonlyArray<{ readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, unknown>>; readonly bodyBytes: number }> }, from: number) =>
  fake.received.slice(from).filter((r) => r.method === "PUT" && r.url.includes("upload_id="))

layer(gcsOnFake({ chunkSize: CHUNK }), { timeout: "120 seconds", excludeTestServices: true })("GCS against the fake JSON API", (it) => {
  it.effect("a 64 MiB+ Stream of unknown length goes up in 8 MiB resumable chunks, never reading more than a chunk ahead", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        const fake = yield* Fake
        const before = fake.received.length
        const total = 64 * MiB + 123_457
        const sizes: Array<number> = []
        for (let n = 0, i = 0; n < total; i++) {
          const size = Math.min(total - n, [3 * MiB + 17, 65_536, 1_000_003, 5 * MiB][i % 4]!)
          sizes.push(size)
          n += size
        }
        const sent = createHash("sha256")
        let pulled = 0
        let maxAhead = 0
        const body = Stream.fromIterable(sizes).pipe(
          Stream.zipWithIndex,
          Stream.map(([n, i]) => pattern(n, i + 1)),
          Stream.tap((chunk) =>
            Effect.sync(() => {
              const acknowledged = chunkPuts(fake, before).reduce((a, r) => a + r.bodyBytes, 0)
              pulled += chunk.byteLength
              maxAhead = Math.max(maxAhead, pulled - acknowledged)
              sent.update(chunk)
            })
          )
        )
        const info = yield* s.putObject(bucket, "big/object.bin", body, { contentType: "application/x-big" })
        expect(info.size).toBe(total)
        expect(fake.objectSha256(bucket, "big/object.bin")).toBe(sent.digest("hex"))
        const puts = chunkPuts(fake, before)
        expect(puts.map((r) => r.bodyBytes)).toEqual([...Array(8).fill(CHUNK), total - 8 * CHUNK])
        expect(puts.slice(0, -1).every((r) => String(r.headers["content-range"]).endsWith("/*"))).toBe(true)
        expect(puts[puts.length - 1]!.headers["content-range"]).toBe(`bytes ${8 * CHUNK}-${total - 1}/${total}`)
        // One chunk buffered, plus the Stream element being cut.
        expect(maxAhead).toBeLessThanOrEqual(CHUNK + 5 * MiB)
        expect(fake.openSessions()).toBe(0)
        // And back down, checked against the stored MD5 as it streams.
        const got = yield* s.getObject(bucket, "big/object.bin")
        const received = createHash("sha256")
        yield* Stream.runForEach(got.body, (c) => Effect.sync(() => received.update(c)))
        expect(received.digest("hex")).toBe(fake.objectSha256(bucket, "big/object.bin"))
      })), 180_000)

  it.effect("a connection dropped in the middle of a chunk: the upload resumes from what the server kept", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        const fake = yield* Fake
        const before = fake.received.length
        const content = pattern(2 * CHUNK + 1000, 77)
        // The third element is read as the look-ahead after the first chunk is stored, before the second is
        // sent: from then on the server keeps 1 MiB of the next chunk, then hangs up.
        let emitted = 0
        const body = Stream.fromIterable([content.subarray(0, CHUNK), content.subarray(CHUNK, 2 * CHUNK), content.subarray(2 * CHUNK)]).pipe(
          Stream.tap(() => Effect.sync(() => (emitted++ === 2 ? (fake.dropNextChunkAfter = MiB + 1234) : undefined)))
        )
        yield* s.putObject(bucket, "resumed", body)
        expect(fake.objectSha256(bucket, "resumed")).toBe(createHash("sha256").update(content).digest("hex"))
        const puts = chunkPuts(fake, before).map((r) => r.headers["content-range"])
        expect(puts).toEqual([
          `bytes 0-${CHUNK - 1}/*`,
          `bytes ${CHUNK}-${2 * CHUNK - 1}/*`,
          "bytes */*",
          `bytes ${CHUNK + MiB}-${2 * CHUNK - 1}/*`,
          `bytes ${2 * CHUNK}-${2 * CHUNK + 999}/${2 * CHUNK + 1000}`
        ])
      })))

  it.effect("a 503 on a chunk: status query, then the chunk again", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        const fake = yield* Fake
        fake.failNextChunk = true
        const content = pattern(CHUNK + 10, 5)
        yield* s.putObject(bucket, "after-503", Stream.make(content))
        expect(fake.objectSha256(bucket, "after-503")).toBe(createHash("sha256").update(content).digest("hex"))
      })))

  it.effect("revoked tokens: the next request is a 401, a new token is fetched once, and the request succeeds", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        const fake = yield* Fake
        yield* s.putObject(bucket, "k", "v")
        const issued = fake.issued.length
        fake.revokeTokens()
        expect((yield* s.headObject(bucket, "k")).size).toBe(1)
        expect(fake.issued.length).toBe(issued + 1)
      })))

  it.effect("Gcs.Gcs: bucket location and class, generation preconditions, compose, storage class, multi-call rewrite", () =>
    Effect.gen(function*() {
      const gcs = yield* Gcs.Gcs
      const s = yield* ObjectStorage
      const fake = yield* Fake
      const bucket = (yield* gcs.createBucket(bucketName(), { location: "EU", storageClass: "NEARLINE" })).name
      expect((yield* s.getContainer(bucket)).extra).toMatchObject({ location: "EU", storageClass: "NEARLINE" })

      const first = yield* gcs.putObject(bucket, "g", "one", { ifGenerationMatch: 0, contentType: "text/plain" })
      expect(yield* expectFailure(gcs.putObject(bucket, "g", "two", { ifGenerationMatch: 0 }), "Conflict")).toMatchObject({ resource: "object" })
      const generation = Number(first.extra["generation"])
      const second = yield* gcs.putObject(bucket, "g", Stream.make(utf8("two")), { ifGenerationMatch: generation, storageClass: "COLDLINE" })
      expect(second.extra["storageClass"]).toBe("COLDLINE")
      yield* expectFailure(gcs.deleteObject(bucket, "g", { ifGenerationMatch: generation }), "Conflict")
      yield* gcs.deleteObject(bucket, "g", { ifGenerationMatch: Number(second.extra["generation"]) })
      yield* expectFailure(gcs.deleteObject(bucket, "g"), "NotFound")

      for (const [i, part] of ["alpha ", "beta ", "gamma"].entries()) yield* s.putObject(bucket, `part-${i}`, part)
      const composed = yield* gcs.compose(bucket, ["part-0", "part-1", "part-2"], "whole", { contentType: "text/plain" })
      expect(composed.extra).toMatchObject({ componentCount: 3 })
      expect(composed.extra["md5Hash"]).toBeUndefined()
      expect(composed.etag).toBe(composed.extra["gcsEtag"])
      // No MD5: the download is checked against the CRC32C.
      expect(new TextDecoder().decode(yield* collectBody((yield* s.getObject(bucket, "whole")).body))).toBe("alpha beta gamma")
      expect(yield* expectFailure(gcs.compose(bucket, ["part-0", "missing"], "x"), "NotFound")).toMatchObject({ id: `${bucket}/missing` })

      yield* s.putObject(bucket, "cold", "brr", { contentType: "text/x-cold", metadata: { keep: "me" } })
      const moved = yield* gcs.setStorageClass(bucket, "cold", "ARCHIVE")
      expect(moved).toMatchObject({ contentType: "text/x-cold", metadata: { keep: "me" }, extra: { storageClass: "ARCHIVE" } })

      fake.rewriteBytesPerCall = 1000
      const before = fake.received.length
      const content = pattern(3500, 8)
      yield* s.putObject(bucket, "src", content)
      const copy = yield* s.copyObject({ container: bucket, key: "src" }, { container: bucket, key: "dst" })
      fake.rewriteBytesPerCall = Number.POSITIVE_INFINITY
      expect(copy.size).toBe(3500)
      expect(fake.received.slice(before).filter((r) => r.url.includes("/rewriteTo/")).map((r) => r.url.includes("rewriteToken="))).toEqual([false, true, true, true])
    }))

  it.effect("enableCdn makes objects publicly readable at cdnUrl (idempotently)", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        yield* s.putObject(bucket, "pub/lic file.txt", "for everyone", { contentType: "text/plain" })
        const url = yield* s.cdnUrl(bucket, "pub/lic file.txt")
        const fake = yield* Fake
        expect(url).toBe(`${fake.url}/${bucket}/pub/lic%20file.txt`)
        const anonymous = () => Effect.promise(() => fetch(url).then(async (r) => [r.status, await r.text()] as const))
        expect((yield* anonymous())[0]).toBe(403)
        yield* s.enableCdn(bucket)
        yield* s.enableCdn(bucket)
        expect(yield* anonymous()).toEqual([200, "for everyone"])
      })))

  it.effect("signed URLs: GET and PUT work without credentials until they expire, and verify as V4", () =>
    withBucket((bucket, s) =>
      Effect.gen(function*() {
        const fake = yield* Fake
        yield* s.putObject(bucket, "dir/sign me (1).txt", "signed content")
        const get = yield* s.signedUrl(bucket, "dir/sign me (1).txt", { expiresIn: "15 minutes" })
        const parsed = new URL(get)
        expect(`${parsed.origin}${parsed.pathname}`).toBe(`${fake.url}/${bucket}/dir/sign%20me%20%281%29.txt`)
        const check = verifyV4("GET", `${parsed.pathname}${parsed.search}`, "127.0.0.1", fake.publicKey, new Date())
        expect(check.reason).toBeUndefined()
        expect(check.params).toMatchObject({
          "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
          "X-Goog-Expires": "900",
          "X-Goog-SignedHeaders": "host",
          "X-Goog-Credential": expect.stringMatching(/^cloudfx-test@cfx-test-project\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/)
        })
        expect(verifyV4("GET", `${parsed.pathname}${parsed.search}`, "127.0.0.1", fake.publicKey, new Date(Date.now() + 16 * 60_000)).reason).toBe("expired")
        expect(verifyV4("PUT", `${parsed.pathname}${parsed.search}`, "127.0.0.1", fake.publicKey, new Date()).reason).toBe("signature")
        expect(yield* Effect.promise(() => fetch(get).then((r) => r.text()))).toBe("signed content")
        const tampered = get.replace("X-Goog-Expires=900", "X-Goog-Expires=901")
        expect(yield* Effect.promise(() => fetch(tampered).then((r) => r.status))).toBe(403)

        const put = yield* s.signedUrl(bucket, "uploaded", { method: "PUT", expiresIn: "1 hour" })
        const status = yield* Effect.promise(() => fetch(put, { method: "PUT", body: "from a browser" }).then((r) => r.status))
        expect(status).toBe(200)
        expect((yield* s.headObject(bucket, "uploaded")).size).toBe(14)
      })))
})
