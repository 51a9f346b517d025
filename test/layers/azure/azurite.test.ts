/**
 * Azure Blob beyond the portable contract, against Azurite 3.35.0: block uploads of a large stream, what failed
 * and interrupted uploads leave on the server (Get Block List), a dropped connection retried for one block,
 * signed URLs used with plain fetch, public access, access tiers, and credentials that never leak.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import { createHash } from "node:crypto"
import { sharedKeySigner } from "../../../src/auth/azure/index.js"
import { collectBody, expectBytes, expectFailure, md5, pattern } from "../../contract/ObjectStorage.js"
import { captureLogs, captureSpans, spanText } from "../../http/support.js"
import { LocalAzurite, skipPeers } from "../../support/peers/index.js"
import { type BlockTraffic, cuttingProxy, randomName, services, watchBlocks } from "./support.js"

const KiB = 1024
const MiB = 1024 * KiB

class Boom {
  readonly _tag = "Boom"
}

/** A fresh container for `f`, emptied and removed afterwards. */
const withContainer = <A, E, R>(f: (container: string) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(services(), ({ storage }) =>
    Effect.acquireUseRelease(
      Effect.map(storage.createContainer(randomName()), (c) => c.name),
      f,
      (c) =>
        storage.listObjects(c).pipe(
          Stream.runForEach((e) => (e._tag === "ObjectInfo" ? storage.deleteObject(c, e.key) : Effect.void)),
          Effect.zipRight(storage.deleteContainer(c)),
          Effect.ignore
        )
    ))

/** `count` chunks of irregular sizes, generated lazily, hashed (sha256) as they are pulled. */
const hashedBody = (total: number, seed: number) => {
  const sent = createHash("sha256")
  let pulled = 0
  const sizes: Array<number> = []
  for (let at = 0, i = 0; at < total; i++) {
    const n = Math.min(total - at, [1_000_003, 65_536, 3_333_333, 17, 777_777][i % 5]!)
    sizes.push(n)
    at += n
  }
  const stream = Stream.fromIterable(sizes).pipe(
    Stream.zipWithIndex,
    Stream.map(([n, i]) => pattern(n, seed + i)),
    Stream.tap((chunk) =>
      Effect.sync(() => {
        sent.update(chunk)
        pulled += chunk.byteLength
      })
    )
  )
  return { stream, digest: () => sent.digest("hex"), pulled: () => pulled }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A stored access policy set with a plain Shared Key request (the provider only keeps policies, it sets none). */
const setPolicy = (container: string, identifiers: string) =>
  Effect.gen(function*() {
    const az = yield* LocalAzurite
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.put(`${az.blobEndpoint}/${container}?restype=container&comp=acl`).pipe(
      HttpClientRequest.bodyText(`<?xml version="1.0" encoding="utf-8"?><SignedIdentifiers>${identifiers}</SignedIdentifiers>`, "application/xml")
    )
    const signed = yield* sharedKeySigner({ account: az.account, key: Redacted.make(az.accountKey) })(request)
    const response = yield* client.execute(signed)
    expect(response.status).toBe(200)
  })

describe.skipIf(skipPeers("azurite"))("azure blob on Azurite", () => {
  layer(Layer.merge(LocalAzurite.layer(), NodeHttpClient.layerUndici), { timeout: "90 seconds", excludeTestServices: true })((it) => {
    it.effect("a 66 MiB stream of unknown length goes up as blocks, within blockSize × concurrency, and comes back whole", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          // Each Put Block held 150 ms: uploads overlap whatever the machine's speed.
          const client = yield* watchBlocks(traffic, "150 millis")
          const { azure, storage } = yield* services({ blockSize: 8 * MiB, concurrency: 3 }).pipe(
            Effect.provideService(HttpClient.HttpClient, client)
          )
          const total = 66 * MiB + 12_345
          const body = hashedBody(total, 3)
          // How far the stream ran ahead of the blocks the server has confirmed.
          let ahead = 0
          const watched = body.stream.pipe(Stream.tap(() => Effect.sync(() => {
            ahead = Math.max(ahead, body.pulled() - traffic.stored)
          })))
          const put = yield* storage.putObject(c, "big/blob.bin", watched, { contentType: "application/x-big" })
          expect(put.size).toBe(total)
          expect(traffic.blocks).toBe(9)
          expect(traffic.maxInFlight).toBeGreaterThan(1)
          expect(traffic.maxInFlight).toBeLessThanOrEqual(3)
          // Three blocks held at most, plus the chunk being cut (the largest is 3.3 MB).
          expect(ahead).toBeLessThanOrEqual(3 * 8 * MiB + 3_333_333)

          const blocks = yield* azure.getBlockList(c, "big/blob.bin")
          expect(blocks.uncommitted).toEqual([])
          expect(blocks.committed.map((b) => b.size)).toEqual([...Array(8).fill(8 * MiB), total - 8 * 8 * MiB])
          expect(new Set(blocks.committed.map((b) => b.id.length)).size).toBe(1)

          const head = yield* storage.headObject(c, "big/blob.bin")
          expect(head.size).toBe(total)
          expect(head.etag).toBe(put.etag)
          expect(head.contentType).toBe("application/x-big")
          const got = yield* storage.getObject(c, "big/blob.bin")
          const received = createHash("sha256")
          const md5Received = createHash("md5")
          const size = yield* Stream.runFold(got.body, 0, (n, chunk) => {
            received.update(chunk)
            md5Received.update(chunk)
            return n + chunk.byteLength
          })
          expect(size).toBe(total)
          expect(received.digest("hex")).toBe(body.digest())
          // The etag is the content's MD5 although Azure never hashed the whole blob.
          expect(md5Received.digest("hex")).toBe(put.etag)
        })), 120_000)

    it.effect("bytes longer than a block are uploaded in blocks too, and a stream that fits one block is one Put Blob", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          const client = yield* watchBlocks(traffic)
          const { azure, storage } = yield* services({ blockSize: 100 * KiB }).pipe(Effect.provideService(HttpClient.HttpClient, client))
          const content = pattern(250 * KiB + 1, 5)
          const put = yield* storage.putObject(c, "bytes", content)
          expect(put.etag).toBe(md5(content))
          expect(traffic.blocks).toBe(3)
          expect((yield* azure.getBlockList(c, "bytes", "committed")).committed.map((b) => b.size)).toEqual([100 * KiB, 100 * KiB, 50 * KiB + 1])
          expectBytes(yield* collectBody((yield* storage.getObject(c, "bytes")).body), content)

          const exact = pattern(100 * KiB, 6)
          yield* storage.putObject(c, "exact", Stream.make(exact.subarray(0, 40 * KiB), exact.subarray(40 * KiB)))
          expect(traffic.blocks).toBe(3)
          expect((yield* storage.headObject(c, "exact")).etag).toBe(md5(exact))
        })))

    /** Two blocks stored, then a stream that never ends (or fails), uploaded 64 KiB at a time. */
    const stalledUpload = (traffic: BlockTraffic, end: Stream.Stream<Uint8Array, Boom>) =>
      Effect.gen(function*() {
        const client = yield* watchBlocks(traffic)
        const { azure, storage } = yield* services({ blockSize: 64 * KiB, concurrency: 2 }).pipe(
          Effect.provideService(HttpClient.HttpClient, client)
        )
        const body = Stream.make(pattern(64 * KiB, 1), pattern(64 * KiB, 2), pattern(64 * KiB, 3)).pipe(Stream.concat(end))
        return { azure, storage, body }
      })

    const untilBlocks = (traffic: BlockTraffic, n: number) =>
      Effect.repeat(Effect.sync(() => traffic.blocks), { until: (b) => b >= n, schedule: Schedule.spaced("10 millis") }).pipe(
        Effect.timeout("10 seconds")
      )

    it.effect("an interrupted upload of a new name leaves no blob and no uncommitted blocks (Get Block List: 404)", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          const { azure, body, storage } = yield* stalledUpload(traffic, Stream.never)
          const fiber = yield* Effect.fork(storage.putObject(c, "interrupted", body))
          yield* untilBlocks(traffic, 2)
          // Staged blocks exist while it runs: the name has only uncommitted blocks.
          const staged = yield* azure.getBlockList(c, "interrupted", "all")
          expect(staged.committed).toEqual([])
          expect(staged.uncommitted.length).toBeGreaterThanOrEqual(2)
          yield* expectFailure(storage.headObject(c, "interrupted"), "NotFound")
          expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)

          yield* expectFailure(storage.headObject(c, "interrupted"), "NotFound")
          expect(yield* Stream.runCollect(storage.listObjects(c)).pipe(Effect.map((x) => x.length))).toBe(0)
          const after = yield* expectFailure(azure.getBlockList(c, "interrupted", "all"), "NotFound")
          expect(after).toMatchObject({ resource: "object" })
        })))

    it.effect("a failing stream likewise: its error, no blob, no uncommitted blocks", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          const { azure, body, storage } = yield* stalledUpload(traffic, Stream.fail(new Boom()))
          const error = yield* Effect.flip(storage.putObject(c, "failed", body))
          expect(error).toBeInstanceOf(Boom)
          expect(traffic.blocks).toBeGreaterThanOrEqual(1)
          yield* expectFailure(storage.headObject(c, "failed"), "NotFound")
          yield* expectFailure(azure.getBlockList(c, "failed", "all"), "NotFound")
          // Nothing is left in the way: the container can be deleted as empty.
        })))

    it.effect("the cleanup of an interrupted upload never deletes a blob another writer committed meanwhile", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          const { body, storage } = yield* stalledUpload(traffic, Stream.never)
          const fiber = yield* Effect.fork(storage.putObject(c, "contested", body))
          yield* untilBlocks(traffic, 2)
          const theirs = yield* storage.putObject(c, "contested", "the other writer's")
          yield* Fiber.interrupt(fiber)
          const got = yield* storage.getObject(c, "contested")
          expect(got.info.etag).toBe(theirs.etag)
          expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe("the other writer's")
        })))

    it.effect("an interrupted overwrite keeps the old blob; its staged blocks stay until the next commit of the name", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const traffic: BlockTraffic = { inFlight: 0, maxInFlight: 0, stored: 0, blocks: 0 }
          const { azure, body, storage } = yield* stalledUpload(traffic, Stream.never)
          const before = yield* storage.putObject(c, "k", "previous")
          const fiber = yield* Effect.fork(storage.putObject(c, "k", body))
          yield* untilBlocks(traffic, 2)
          yield* Fiber.interrupt(fiber)
          const got = yield* storage.getObject(c, "k")
          expect(got.info.etag).toBe(before.etag)
          expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe("previous")
          // Deleting them would delete the blob; re-committing would rewrite it: they are left.
          const left = yield* azure.getBlockList(c, "k", "uncommitted")
          expect(left.uncommitted.length).toBeGreaterThanOrEqual(2)
          // The next commit of the name discards them. (Azure's Put Blob does too; Azurite's keeps them.)
          yield* storage.putObject(c, "k", Stream.make(pattern(64 * KiB, 4), pattern(10, 5)), { partSize: 64 * KiB })
          expect((yield* azure.getBlockList(c, "k", "all")).uncommitted).toEqual([])
        })))

    it.scoped("a connection dropped during the 3rd Put Block is retried for that block only", () =>
      Effect.gen(function*() {
        const proxy = yield* cuttingProxy(3)
        yield* withContainer((c) =>
          Effect.gen(function*() {
            const { azure, storage } = yield* services({ endpoint: proxy.endpoint, blockSize: 256 * KiB, concurrency: 2 })
            const content = pattern(6 * 256 * KiB - 1000, 8)
            const chunks = Array.from({ length: 24 }, (_, i) => content.subarray(i * 64 * KiB, (i + 1) * 64 * KiB))
            const put = yield* storage.putObject(c, "retried", Stream.fromIterable(chunks))
            expect(put.size).toBe(content.byteLength)
            expect(proxy.cuts()).toBe(1)
            const counts = [...proxy.attempts.values()]
            expect(counts.length).toBe(6)
            expect(counts.filter((n) => n === 2).length).toBe(1)
            expect(counts.filter((n) => n === 1).length).toBe(5)
            const list = yield* azure.getBlockList(c, "retried")
            expect(list.committed.map((b) => b.id)).toEqual([...proxy.attempts.keys()].sort())
            const got = yield* collectBody((yield* storage.getObject(c, "retried")).body)
            expect(sha256(got)).toBe(sha256(content))
          })
        )
      }), 60_000)

    it.effect("signed URLs work with plain fetch: GET reads, PUT writes, and neither does the other", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const { storage } = yield* services()
          yield* storage.putObject(c, "dir/shared file.txt", "shared content", { contentType: "text/plain" })
          const getUrl = yield* storage.signedUrl(c, "dir/shared file.txt", { expiresIn: "5 minutes" })
          const read = yield* Effect.promise(() => fetch(getUrl).then(async (r) => ({ status: r.status, text: await r.text() })))
          expect(read).toEqual({ status: 200, text: "shared content" })
          const refusedPut = yield* Effect.promise(() =>
            fetch(getUrl, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: Buffer.from("x") }).then((r) => r.status)
          )
          expect(refusedPut).toBe(403)

          const putUrl = yield* storage.signedUrl(c, "uploaded/by fetch", { method: "PUT", expiresIn: "5 minutes" })
          const upload = pattern(5000, 4)
          const written = yield* Effect.promise(() =>
            fetch(putUrl, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: Buffer.from(upload) }).then((r) => r.status)
          )
          expect(written).toBe(201)
          expectBytes(yield* collectBody((yield* storage.getObject(c, "uploaded/by fetch")).body), upload)
          const refusedGet = yield* Effect.promise(() => fetch(putUrl).then((r) => r.status))
          expect(refusedGet).toBe(403)
        })))

    it.effect("enableCdn makes blobs (not the listing) publicly readable at cdnUrl, keeping the stored access policies", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const { azure, storage } = yield* services()
          yield* storage.putObject(c, "public.txt", "hello world")
          yield* setPolicy(c, "<SignedIdentifier><Id>readers</Id><AccessPolicy><Start>2025-01-01T00:00:00.0000000Z</Start><Expiry>2035-01-01T00:00:00.0000000Z</Expiry><Permission>rl</Permission></AccessPolicy></SignedIdentifier>")
          const url = yield* storage.cdnUrl(c, "public.txt")
          const before = yield* Effect.promise(() => fetch(url).then((r) => r.status))
          expect(before).not.toBe(200)
          expect((yield* azure.getContainerAccess(c)).publicAccess).toBe("none")
          yield* storage.enableCdn(c)
          const access = yield* azure.getContainerAccess(c)
          expect(access.publicAccess).toBe("blob")
          expect(access.policies).toEqual([{ id: "readers", start: expect.stringMatching(/^2025-01-01T00:00:00/), expiry: expect.stringMatching(/^2035-01-01T00:00:00/), permission: "rl" }])
          const after = yield* Effect.promise(() => fetch(url).then(async (r) => ({ status: r.status, text: await r.text() })))
          expect(after).toEqual({ status: 200, text: "hello world" })
          const containerUrl = yield* storage.cdnUrl(c)
          const listing = yield* Effect.promise(() => fetch(`${containerUrl}?restype=container&comp=list`).then((r) => r.status))
          expect(listing).not.toBe(200)
          yield* azure.setContainerAccess(c, "none")
          expect(yield* azure.getContainerAccess(c)).toMatchObject({ publicAccess: "none", policies: [{ id: "readers", permission: "rl" }] })
        })))

    it.effect("access tiers on put and after, through the AzureBlob tag", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const { azure, storage } = yield* services()
          yield* azure.putObject(c, "cool", "x", { accessTier: "Cool" })
          expect((yield* storage.headObject(c, "cool")).extra["accessTier"]).toBe("Cool")
          yield* azure.setAccessTier(c, "cool", "Hot")
          expect((yield* storage.headObject(c, "cool")).extra["accessTier"]).toBe("Hot")
          yield* expectFailure(azure.putObject(c, "bad", "x", { accessTier: "Lukewarm" as never }), "InvalidInput")
          yield* expectFailure(azure.setAccessTier(c, "missing", "Cool"), "NotFound")
        })))

    it.effect("a wrong key is InvalidCredentials, and no key ever shows in errors, logs or spans", () =>
      withContainer((c) =>
        Effect.gen(function*() {
          const az = yield* LocalAzurite
          const wrongKey = Buffer.alloc(64, 9).toString("base64")
          const logs = captureLogs()
          const { spans, tracer } = yield* captureSpans
          const run = <A, E>(self: Effect.Effect<A, E>) => self.pipe(Effect.withTracer(tracer), Effect.provide(logs.layer))

          const wrong = yield* services({ key: Redacted.make(wrongKey) })
          const errors: Array<unknown> = []
          for (
            const attempt of [
              wrong.storage.listContainers(),
              wrong.storage.getObject(c, "k"),
              wrong.storage.putObject(c, "k", pattern(10)),
              Stream.runDrain(wrong.storage.listObjects(c))
            ] as ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>>
          ) {
            errors.push(yield* run(expectFailure(attempt, "InvalidCredentials")))
          }
          // A HEAD's 403 carries no message: Azurite's AuthorizationFailure then reads as PermissionDenied (a streamed
          // put starts with a HEAD). Azure itself says AuthenticationFailed, in the header too.
          errors.push(yield* run(expectFailure(wrong.storage.headObject(c, "k"), "PermissionDenied")))
          errors.push(yield* run(expectFailure(wrong.storage.putObject(c, "k", Stream.make(pattern(10))), "PermissionDenied")))
          const notBase64 = yield* services({ key: Redacted.make("not base64!") })
          errors.push(yield* run(expectFailure(notBase64.storage.listContainers(), "InvalidCredentials")))

          const right = yield* services()
          yield* run(Effect.gen(function*() {
            yield* right.storage.putObject(c, "k", Stream.make(pattern(300 * KiB)), { partSize: 100 * KiB })
            yield* collectBody((yield* right.storage.getObject(c, "k")).body)
            yield* right.storage.copyObject({ container: c, key: "k" }, { container: c, key: "k2" })
            yield* right.storage.signedUrl(c, "k", { expiresIn: "1 minute" })
            yield* Effect.logDebug("done")
          }))

          const everything = [
            ...errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).message}`),
            ...logs.lines,
            spanText(spans)
          ].join("\n")
          expect(spans.length).toBeGreaterThan(10)
          expect(logs.lines.length).toBeGreaterThan(0)
          for (const secret of [az.accountKey, wrongKey, "not base64!"]) expect(everything).not.toContain(secret)
          expect(everything).not.toMatch(/SharedKey devstoreaccount1:/)
        })))
  })
})
