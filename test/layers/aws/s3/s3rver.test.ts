/**
 * s3rver's quirks, seen through the S3 provider: what works anyway (its
 * wrong XML namespace, listings without `encoding-type=url`, prefixes listed
 * after the objects) and the exceptions the contract run skips, each checked
 * here so that a fixed s3rver makes its test fail and the exception can go.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { S3 } from "../../../../src/layers/aws/index.js"
import { expectedListing, expectFailure, shape } from "../../../contract/ObjectStorage.js"
import { LocalS3rver, skipPeers, startS3rver } from "../../../support/peers/index.js"
import { s3rverConfig } from "./support.js"

let count = 0
const newBucket = () => `cfx-s3rver-${Date.now().toString(36)}-${count++}`

describe.skipIf(skipPeers("s3rver"))("S3 on s3rver: quirks and exceptions", () => {
  layer(Layer.merge(LocalS3rver.layer(), NodeHttpClient.layerUndici), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("keys s3rver can hold as file names round-trip and list in order, though it ignores encoding-type=url", () =>
      Effect.gen(function*() {
        const s = yield* S3.make(s3rverConfig(yield* LocalS3rver))
        const bucket = newBucket()
        yield* s.createContainer(bucket)
        const keys = [
          "with space",
          " leading and trailing ",
          "plus+sign",
          "percent%20not-decoded%",
          "hash#fragment",
          "question?mark=1&amp=2",
          "<xml>&amp;</xml>",
          "tab\tand\nnewline",
          "ünïcödé/日本語😀",
          "dir/",
          "dir/a",
          "dir/b/c"
        ]
        for (const key of keys) yield* s.putObject(bucket, key, key)
        for (const key of keys) expect(new TextDecoder().decode(yield* Stream.runFold((yield* s.getObject(bucket, key)).body, new Uint8Array(0), (a, b) => Buffer.concat([a, b])))).toBe(key)
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(s.listObjects(bucket)))
        expect(shape(all)).toEqual(expectedListing(keys))
        // s3rver lists CommonPrefixes after Contents; the provider merges them in key order.
        const rolled = Chunk.toReadonlyArray(yield* Stream.runCollect(s.listObjects(bucket, { delimiter: "/" })))
        expect(shape(rolled)).toEqual(expectedListing(keys, "", "/"))
      }))

    it.effect("exception: a truncated listing is a 500 (s3rver's continuation tokens need DES, gone from OpenSSL 3)", () =>
      Effect.gen(function*() {
        const s = yield* S3.make(s3rverConfig(yield* LocalS3rver, { retry: { base: "1 millis", maxAttempts: 2 } }))
        const bucket = newBucket()
        yield* s.createContainer(bucket)
        yield* s.putObject(bucket, "a", "1")
        yield* s.putObject(bucket, "b", "2")
        const e = yield* expectFailure(Stream.runDrain(s.listObjects(bucket, { pageSize: 1 })), "ProviderError")
        expect(e).toMatchObject({ status: 500, code: "InternalError" })
      }))

    it.effect("exception: with a delimiter, s3rver drops a prefix whose objects are all two or more levels down", () =>
      Effect.gen(function*() {
        const s = yield* S3.make(s3rverConfig(yield* LocalS3rver))
        const bucket = newBucket()
        yield* s.createContainer(bucket)
        yield* s.putObject(bucket, "x/y/z", "deep")
        yield* s.putObject(bucket, "w/v", "shallow")
        const rolled = Chunk.toReadonlyArray(yield* Stream.runCollect(s.listObjects(bucket, { delimiter: "/" })))
        // S3 (and Swift's s3api) answer [w/, x/].
        expect(shape(rolled)).toEqual([["prefix", "w/"]])
      }))

    it.effect("exception: a key with an empty path segment (\"dir//double\") is a 404 on s3rver", () =>
      Effect.gen(function*() {
        const s = yield* S3.make(s3rverConfig(yield* LocalS3rver))
        const bucket = newBucket()
        yield* s.createContainer(bucket)
        expect(yield* expectFailure(s.putObject(bucket, "dir//double", "x"), "ProviderError")).toMatchObject({ status: 404 })
      }))

    it.effect("no multipart listing or abort, no policies or ACLs: typed errors, not defects", () =>
      Effect.gen(function*() {
        const peer = yield* LocalS3rver
        const { s3, storage } = yield* S3.makeServices(s3rverConfig(peer, { retry: { base: "1 millis", maxAttempts: 2 } }))
        const bucket = newBucket()
        yield* storage.createContainer(bucket)
        expect(yield* expectFailure(Stream.runDrain(s3.listMultipartUploads(bucket)), "ProviderError")).toMatchObject({ status: 501, code: "NotImplemented" })
        expect(storage.provider.capabilities.has("storage.cdn")).toBe(false)
        yield* expectFailure(storage.enableCdn(bucket), "Unsupported")
        // Asked to try anyway, s3rver answers that it has neither.
        const auto = yield* S3.make(s3rverConfig(peer, { publicAccess: "auto" }))
        expect(auto.provider.capabilities.has("storage.cdn")).toBe(true)
        yield* expectFailure(auto.enableCdn(bucket), "Unsupported")
      }))
  })

  // On a server of its own: this one does not survive it.
  layer(NodeHttpClient.layerUndici, { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.scoped("exception: a key segment over 255 bytes crashes s3rver (ENAMETOOLONG is not handled): Transport, not a defect", () =>
      Effect.gen(function*() {
        const peer = yield* startS3rver()
        const s = yield* S3.make(s3rverConfig(peer, { retry: false }))
        const bucket = newBucket()
        yield* s.createContainer(bucket)
        yield* s.putObject(bucket, "a".repeat(200), "fits")
        yield* expectFailure(s.putObject(bucket, "a".repeat(1024), "x"), "Transport")
        yield* expectFailure(s.listContainers(), "Transport")
      }))
  })
})
