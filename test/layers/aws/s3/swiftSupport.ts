/** Shared by the tests on Swift's s3api: services, throwaway buckets, generated bodies and their hashes. */
import { createHash, randomBytes } from "node:crypto"
import { Chunk, Effect, Option, Stream } from "effect"
import { S3 } from "../../../../src/layers/aws/index.js"
import type { S3Config } from "../../../../src/layers/aws/s3/S3.js"
import type { ObjectStorage } from "../../../../src/services/ObjectStorage.js"
import type { SwiftPeer } from "../../../support/peers/index.js"
import { swiftConfig } from "./support.js"

export const services = (swift: SwiftPeer, overrides?: Partial<S3Config>) => S3.makeServices(swiftConfig(swift, overrides))

let bucketCount = 0
export const newBucket = () => `cfx-s3-${Date.now().toString(36)}-${bucketCount++}`

/** A fresh bucket, emptied (objects and pending uploads) and removed afterwards. */
export const withBucket = <A, E, R>(
  swift: SwiftPeer,
  f: (bucket: string, s: { readonly storage: ObjectStorage.Service; readonly s3: S3.S3Service }) => Effect.Effect<A, E, R>,
  overrides?: Partial<S3Config>
) =>
  Effect.flatMap(services(swift, overrides), (s) =>
    Effect.acquireUseRelease(
      Effect.suspend(() => {
        const bucket = newBucket()
        return Effect.as(s.storage.createContainer(bucket), bucket)
      }),
      (bucket) => f(bucket, s),
      (bucket) =>
        Effect.all([
          s.s3.listMultipartUploads(bucket).pipe(Stream.runForEach((u) => s.s3.abortMultipartUpload(bucket, u.key, u.uploadId))),
          s.storage.listObjects(bucket).pipe(Stream.runForEach((e) => (e._tag === "ObjectInfo" ? s.storage.deleteObject(bucket, e.key) : Effect.void)))
        ]).pipe(Effect.zipRight(s.storage.deleteContainer(bucket)), Effect.ignore)
    ))

/** Random chunks of irregular sizes adding up to `total`, hashed (sha256) as they are pulled. */
export const generated = (total: number) => {
  const sent = createHash("sha256")
  let pulled = 0
  const sizes = [1 << 20, 333_333, 65_536, 7, 2_500_000]
  let i = 0
  const stream = Stream.repeatEffectOption(
    Effect.suspend(() => {
      if (pulled >= total) return Effect.fail(Option.none())
      const n = Math.min(total - pulled, sizes[i++ % sizes.length]!)
      const chunk = randomBytes(n)
      sent.update(chunk)
      pulled += n
      return Effect.succeed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    })
  )
  return { stream, digest: () => sent.digest("hex"), pulled: () => pulled }
}

export const sha256Of = <E>(body: Stream.Stream<Uint8Array, E>) =>
  Stream.runFold(body, { hash: createHash("sha256"), size: 0 }, (acc, chunk) => {
    acc.hash.update(chunk)
    return { hash: acc.hash, size: acc.size + chunk.byteLength }
  }).pipe(Effect.map(({ hash, size }) => ({ sha256: hash.digest("hex"), size })))

/** The AWS-style multipart ETag of `parts`: MD5 of the parts' binary MD5s, "-", their count. */
export const multipartEtag = (partMd5s: ReadonlyArray<Buffer>) =>
  `${createHash("md5").update(Buffer.concat([...partMd5s])).digest("hex")}-${partMd5s.length}`

export const pendingUploads = (s3: S3.S3Service, bucket: string) =>
  Effect.map(Stream.runCollect(s3.listMultipartUploads(bucket)), Chunk.toReadonlyArray)

