/**
 * S3 beyond the contract, on Swift's s3api (real SigV4 verification, AWS-style
 * multipart): big streams, interrupted and failing uploads leaving nothing
 * behind, a dropped connection retried for one part, presigned URLs used by
 * plain fetch, credentials, public access, and no secret in any output.
 */
import { createHash } from "node:crypto"
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Chunk, Deferred, Effect, Exit, Fiber, Layer, Logger, LogLevel, Redacted, Schedule, Stream } from "effect"
import { sigV4Signer } from "../../../../src/auth/aws/HttpSigner.js"
import { S3 } from "../../../../src/layers/aws/index.js"
import { expectFailure } from "../../../contract/ObjectStorage.js"
import { captureLogs, captureSpans, spanText } from "../../../http/support.js"
import { LocalSwift, skipPeers } from "../../../support/peers/index.js"
import { partNumberOf, startProxy } from "./proxy.js"
import { MiB, swiftConfig } from "./support.js"
import { generated, multipartEtag, newBucket, pendingUploads, services, sha256Of, withBucket } from "./swiftSupport.js"

class Boom {
  readonly _tag = "Boom"
}

describe.skipIf(skipPeers("swift"))("S3 on Swift s3api, beyond the contract", () => {
  layer(Layer.merge(LocalSwift.layer(), NodeHttpClient.layerUndici), { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.effect("a 64 MiB stream of unknown length goes up in parts and comes back identical (sha256, AWS multipart ETag)", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { storage }) =>
          Effect.gen(function*() {
            const total = 64 * MiB + 12_345
            const source = generated(total)
            const partMd5s: Array<Buffer> = []
            let part = createHash("md5")
            let inPart = 0
            // Follow the 5 MiB part boundaries to know the ETag S3 must give.
            const body = Stream.tap(source.stream, (chunk) =>
              Effect.sync(() => {
                let at = 0
                while (at < chunk.byteLength) {
                  const n = Math.min(chunk.byteLength - at, 5 * MiB - inPart)
                  part.update(chunk.subarray(at, at + n))
                  inPart += n
                  at += n
                  if (inPart === 5 * MiB) {
                    partMd5s.push(part.digest())
                    part = createHash("md5")
                    inPart = 0
                  }
                }
              }))
            const put = yield* storage.putObject(bucket, "big.bin", body, { partSize: 5 * MiB, concurrency: 4 })
            if (inPart > 0) partMd5s.push(part.digest())
            expect(partMd5s.length).toBe(13)
            expect(put.size).toBe(total)
            expect(put.etag).toBe(multipartEtag(partMd5s))
            const got = yield* storage.getObject(bucket, "big.bin")
            expect(got.info.size).toBe(total)
            expect(yield* sha256Of(got.body)).toEqual({ sha256: source.digest(), size: total })
          }))
      }), 240_000)

    it.effect("an upload interrupted mid-stream leaves no object and no pending multipart upload", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { s3, storage }) =>
          Effect.gen(function*() {
            const started = yield* Deferred.make<void>()
            // Three parts' worth, then a body that never ends.
            const body = Stream.concat(
              generated(15 * MiB).stream,
              Stream.fromEffect(Deferred.succeed(started, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
            )
            const fiber = yield* Effect.fork(storage.putObject(bucket, "interrupted", body))
            yield* Deferred.await(started)
            // The upload is really under way before we interrupt it.
            const before = yield* pendingUploads(s3, bucket).pipe(
              Effect.filterOrFail((u) => u.length > 0),
              Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 400 })
            )
            expect(before.map((u) => u.key)).toEqual(["interrupted"])
            expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
            yield* expectFailure(storage.headObject(bucket, "interrupted"), "NotFound")
            expect(yield* pendingUploads(s3, bucket)).toEqual([])
          }))
      }), 120_000)

    it.effect("a stream failing mid-upload fails with its error and leaves no object and no pending upload", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { s3, storage }) =>
          Effect.gen(function*() {
            const body = Stream.concat(generated(17 * MiB).stream, Stream.fail(new Boom()))
            const e = yield* Effect.flip(storage.putObject(bucket, "failed", body))
            expect(e).toBeInstanceOf(Boom)
            yield* expectFailure(storage.headObject(bucket, "failed"), "NotFound")
            expect(yield* pendingUploads(s3, bucket)).toEqual([])
          }))
      }), 120_000)

    it.effect("a connection dropped during one UploadPart is retried for that part only", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        let cut = false
        const proxy = yield* startProxy({ host: swift.host, port: swift.port }, {
          // The first attempt of part 3 loses its connection after 1 MiB of its body.
          cutAfter: (request) => {
            if (cut || partNumberOf(request) !== 3) return undefined
            cut = true
            return 1 * MiB
          }
        })
        const s = yield* S3.makeServices(swiftConfig(swift, { endpoint: proxy.url }))
        yield* withBucket(swift, (bucket) =>
          Effect.gen(function*() {
            const source = generated(23 * MiB)
            const body = source.stream
            const put = yield* s.storage.putObject(bucket, "dropped", body, { concurrency: 3 })
            const attempts = new Map<number, number>()
            for (const n of proxy.requests.map(partNumberOf)) if (n !== undefined) attempts.set(n, (attempts.get(n) ?? 0) + 1)
            expect(proxy.cuts()).toBe(1)
            expect(Object.fromEntries(attempts)).toEqual({ 1: 1, 2: 1, 3: 2, 4: 1, 5: 1 })
            expect(proxy.maxInFlight()).toBeLessThanOrEqual(3)
            expect(put.size).toBe(23 * MiB)
            const got = yield* s.storage.getObject(bucket, "dropped")
            expect((yield* sha256Of(got.body)).sha256).toBe(source.digest())
            expect(yield* pendingUploads(s.s3, bucket)).toEqual([])
          }))
      }).pipe(Effect.scoped), 120_000)

    // Bytes changed between hashing and the wire, in part 2 only: the server must refuse that part
    // (by the signed SHA-256 by default, by Content-MD5 with signPayload: false), and the upload
    // must end with no object and no pending upload.
    for (const signPayload of [true, false]) {
      it.effect(`a part corrupted in transit is refused by the server's check of its ${signPayload ? "signed SHA-256" : "Content-MD5"}: IntegrityError, nothing left`, () =>
        Effect.gen(function*() {
          const swift = yield* LocalSwift
          const seen: Array<{ readonly part: string | null; readonly sha256: string | undefined; readonly md5: string | undefined }> = []
          const corrupting = HttpClient.mapRequest(yield* HttpClient.HttpClient, (request) => {
            const url = new URL(request.url)
            const part = url.searchParams.get("partNumber")
            seen.push({ part, sha256: request.headers["x-amz-content-sha256"], md5: request.headers["content-md5"] })
            if (part !== "2" || request.body._tag !== "Uint8Array") return request
            const bytes = Uint8Array.from(request.body.body)
            bytes[1234] = bytes[1234]! ^ 0xff
            return HttpClientRequest.setBody(request, HttpBody.uint8Array(bytes, request.body.contentType))
          })
          const s = yield* services(swift, { signPayload }).pipe(Effect.provideService(HttpClient.HttpClient, corrupting))
          yield* withBucket(swift, (bucket, plain) =>
            Effect.gen(function*() {
              const e = yield* expectFailure(s.storage.putObject(bucket, "corrupt.bin", generated(12 * MiB).stream, { partSize: 5 * MiB }), "IntegrityError")
              expect(e.message).toContain(signPayload ? "SHA-256" : "Content-MD5")
              const parts = seen.filter((r) => r.part !== null)
              expect(parts.length).toBeGreaterThanOrEqual(2)
              for (const r of parts) {
                if (signPayload) {
                  expect(r.sha256).toMatch(/^[0-9a-f]{64}$/)
                  expect(r.md5).toBeUndefined()
                } else {
                  expect(r.sha256).toBe("UNSIGNED-PAYLOAD")
                  expect(r.md5).toMatch(/==$/)
                }
              }
              yield* expectFailure(plain.storage.headObject(bucket, "corrupt.bin"), "NotFound")
              expect(yield* pendingUploads(plain.s3, bucket)).toEqual([])
            }))
        }), 120_000)
    }

    it.effect("SigV4: a wrong secret is InvalidCredentials (SignatureDoesNotMatch), an unknown key id too", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const wrong = yield* S3.make(swiftConfig(swift, {
          credentials: { accessKeyId: swift.s3.accessKeyId, secretAccessKey: Redacted.make("not-the-secret") }
        }))
        const e = yield* expectFailure(wrong.listContainers(), "InvalidCredentials")
        expect(e.message).toContain("SignatureDoesNotMatch")
        yield* expectFailure(wrong.putObject("any-bucket", "k", "x"), "InvalidCredentials")
        const unknown = yield* S3.make(swiftConfig(swift, {
          credentials: { accessKeyId: "nobody:none", secretAccessKey: Redacted.make("x") }
        }))
        yield* expectFailure(unknown.listContainers(), "InvalidCredentials")
      }))

    it.effect("presigned GET and PUT URLs work with plain fetch; signed headers and response overrides are honoured", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { s3, storage }) =>
          Effect.gen(function*() {
            const key = "pre signed/ü+%?#😀.txt"
            const put = yield* storage.signedUrl(bucket, key, { method: "PUT", expiresIn: "5 minutes" })
            expect(new URL(put).searchParams.get("X-Amz-Expires")).toBe("300")
            const putRes = yield* Effect.promise(() => fetch(put, { method: "PUT", body: Buffer.from("via a presigned PUT") }))
            expect(putRes.status).toBe(200)
            const get = yield* storage.signedUrl(bucket, key, { expiresIn: "1 hour" })
            const getRes = yield* Effect.promise(async () => {
              const r = await fetch(get)
              return { status: r.status, text: await r.text() }
            })
            expect(getRes).toEqual({ status: 200, text: "via a presigned PUT" })
            // A tampered signature is refused.
            const forged = get.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`)
            expect((yield* Effect.promise(() => fetch(forged))).status).toBe(403)
            // A signed Content-Type must be sent as signed.
            const typed = yield* s3.presign(bucket, "typed", { method: "PUT", expiresIn: "1 minute", contentType: "text/x-cloudfx" })
            const without = yield* Effect.promise(() => fetch(typed, { method: "PUT", body: Buffer.from("x") }))
            expect(without.status).toBe(403)
            const withType = yield* Effect.promise(() =>
              fetch(typed, { method: "PUT", body: Buffer.from("x"), headers: { "content-type": "text/x-cloudfx" } })
            )
            expect(withType.status).toBe(200)
            expect((yield* storage.headObject(bucket, "typed")).contentType).toBe("text/x-cloudfx")
            // Response overrides on a GET.
            const download = yield* s3.presign(bucket, key, {
              expiresIn: "1 minute",
              responseContentDisposition: "attachment; filename=\"report.txt\"",
              responseContentType: "application/x-download"
            })
            const res = yield* Effect.promise(() => fetch(download))
            expect(res.status).toBe(200)
            expect(res.headers.get("content-disposition")).toBe("attachment; filename=\"report.txt\"")
            expect(res.headers.get("content-type")).toBe("application/x-download")
            // HEAD and DELETE URLs.
            const head = yield* s3.presign(bucket, key, { method: "HEAD", expiresIn: "1 minute" })
            expect((yield* Effect.promise(() => fetch(head, { method: "HEAD" }))).status).toBe(200)
            const del = yield* s3.presign(bucket, key, { method: "DELETE", expiresIn: "1 minute" })
            expect((yield* Effect.promise(() => fetch(del, { method: "DELETE" }))).status).toBe(204)
            yield* expectFailure(storage.headObject(bucket, key), "NotFound")
          }))
      }))

    it.effect("streaming chunked (aws-chunked) uploads: Swift 2.30 refuses them before checking any signature", () =>
      Effect.gen(function*() {
        // Documented exception: s3api in Swift 2.30 answers 501 to every
        // STREAMING-AWS4-HMAC-SHA256-PAYLOAD request, right or wrong secret,
        // so no local server can accept the chunk signatures; the signer's
        // chunked output is checked against AWS's published example in
        // test/auth/aws/s3-examples.test.ts. When this starts passing a 200,
        // replace it by a real acceptance test.
        const swift = yield* LocalSwift
        const client = yield* HttpClient.HttpClient
        const bucket = newBucket()
        const storage = yield* S3.make(swiftConfig(swift))
        yield* storage.createContainer(bucket)
        const answers = yield* Effect.forEach([swift.s3.secretAccessKey, "wrong"], (secret) =>
          Effect.gen(function*() {
            const sign = sigV4Signer({
              credentials: { accessKeyId: swift.s3.accessKeyId, secretAccessKey: Redacted.make(secret) },
              region: swift.s3.region,
              service: "s3",
              s3: true,
              streamingBody: "chunked",
              chunkSize: 8192
            })
            const data = new Uint8Array(20_000)
            const request = HttpClientRequest.put(`${swift.s3.endpoint}/${bucket}/chunked`).pipe(
              HttpClientRequest.setBody(HttpBody.stream(Stream.make(data), "application/octet-stream", data.byteLength))
            )
            const signed = yield* sign(request)
            expect(signed.headers["x-amz-content-sha256"]).toBe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
            const response = yield* client.execute(signed)
            return { status: response.status, text: yield* response.text }
          }))
        for (const a of answers) {
          expect(a.status).toBe(501)
          expect(a.text).toContain("aws-chunked is not supported")
        }
        yield* storage.deleteContainer(bucket)
      }))

    it.effect("the secret never appears in errors, logs or spans, failing or not", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const wrongSecret = "Wr0ng+Secret/Value=cloudfx-9f2b"
        const logs = captureLogs()
        const { spans, tracer } = yield* captureSpans
        const outputs: Array<string> = []
        const record = <A, E>(self: Effect.Effect<A, E>) =>
          Effect.exit(self).pipe(Effect.tap((exit) =>
            Effect.sync(() => {
              if (Exit.isFailure(exit)) {
                outputs.push(Cause.pretty(exit.cause))
                const failure = Cause.failureOption(exit.cause)
                if (failure._tag === "Some") outputs.push(JSON.stringify(failure.value), String((failure.value as { message?: unknown }).message))
              }
            })
          ))
        const run = Effect.gen(function*() {
          const wrong = yield* services(swift, {
            credentials: { accessKeyId: swift.s3.accessKeyId, secretAccessKey: Redacted.make(wrongSecret) }
          })
          yield* record(wrong.storage.listContainers())
          yield* record(wrong.storage.putObject("cfx-nope", "k", "x"))
          yield* record(wrong.storage.getObject("cfx-nope", "k"))
          yield* record(Stream.runDrain(wrong.storage.listObjects("cfx-nope")))
          yield* record(wrong.s3.presign("cfx-nope", "k", { expiresIn: "1 minute" }).pipe(Effect.tap((u) => Effect.sync(() => outputs.push(u)))))
          const right = yield* services(swift)
          yield* record(right.storage.getObject("cfx-missing-bucket", "k"))
          yield* record(right.storage.putObject("cfx-missing-bucket", "k", Stream.make(new Uint8Array(10))))
          yield* record(right.storage.signedUrl("b", "k", { expiresIn: "1 hour" }).pipe(Effect.tap((u) => Effect.sync(() => outputs.push(u)))))
          yield* record(right.storage.signedUrl("b", "k", { expiresIn: "30 days" }))
        }).pipe(
          Effect.withTracer(tracer),
          Effect.provide(logs.layer),
          Effect.provide(Logger.minimumLogLevel(LogLevel.All))
        )
        yield* run
        const everything = [...outputs, ...logs.lines, spanText(spans)].join("\n")
        expect(outputs.length).toBeGreaterThan(8)
        expect(spans.length).toBeGreaterThan(5)
        for (const secret of [wrongSecret, swift.s3.secretAccessKey, encodeURIComponent(wrongSecret)]) {
          expect(everything).not.toContain(secret)
        }
      }))

    it.effect("enableCdn makes the bucket publicly readable (Swift ACL .r:*); cdnUrl is the public object URL", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { storage }) =>
          Effect.gen(function*() {
            yield* storage.putObject(bucket, "public/hello world.txt", "hello public", { contentType: "text/plain" })
            const url = yield* storage.cdnUrl(bucket, "public/hello world.txt")
            expect(url).toBe(`${swift.storageUrl}/${bucket}/public/hello%20world.txt`)
            const anonymous = () =>
              Effect.promise(async () => {
                const r = await fetch(url)
                return { status: r.status, text: await r.text() }
              })
            expect((yield* anonymous()).status).toBe(401)
            yield* storage.enableCdn(bucket)
            expect(yield* anonymous()).toEqual({ status: 200, text: "hello public" })
          }))
      }))

    it.effect("S3.S3: storage classes, pending multipart uploads listed and aborted", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { s3, storage }) =>
          Effect.gen(function*() {
            const standard = yield* s3.putObject(bucket, "standard", "x", { storageClass: "STANDARD" })
            expect(standard.extra["storageClass"]).toBe("STANDARD")
            expect((yield* storage.headObject(bucket, "standard")).extra["storageClass"]).toBe("STANDARD")
            // s3api offers STANDARD only: another class is refused as an input.
            const e = yield* expectFailure(s3.putObject(bucket, "ia", "x", { storageClass: "STANDARD_IA" }), "InvalidInput")
            expect(e).toMatchObject({ field: "storageClass" })
            yield* expectFailure(s3.putObject(bucket, "bad", "x", { storageClass: "not a class" }), "InvalidInput")
            // A dangling upload, started by hand.
            const client = yield* HttpClient.HttpClient
            const sign = sigV4Signer({
              credentials: { accessKeyId: swift.s3.accessKeyId, secretAccessKey: Redacted.make(swift.s3.secretAccessKey) },
              region: swift.s3.region,
              service: "s3",
              s3: true
            })
            for (const key of ["dangling/a b", "dangling/ü"]) {
              const response = yield* client.execute(
                yield* sign(HttpClientRequest.post(`${swift.s3.endpoint}/${bucket}/${encodeURIComponent(key).replace("%2F", "/")}?uploads`))
              )
              expect(response.status).toBe(200)
            }
            const pending = yield* pendingUploads(s3, bucket)
            expect(pending.map((u) => u.key)).toEqual(["dangling/a b", "dangling/ü"])
            expect(pending.every((u) => u.initiated instanceof Date && u.uploadId.length > 0)).toBe(true)
            expect((yield* Stream.runCollect(s3.listMultipartUploads(bucket, { prefix: "dangling/ü" }))).pipe(Chunk.size)).toBe(1)
            for (const u of pending) yield* s3.abortMultipartUpload(bucket, u.key, u.uploadId)
            expect(yield* pendingUploads(s3, bucket)).toEqual([])
            yield* expectFailure(s3.abortMultipartUpload(bucket, "dangling/a b", pending[0]!.uploadId), "NotFound")
            yield* expectFailure(Stream.runDrain(s3.listMultipartUploads(newBucket())), "NotFound")
          }))
      }))

    it.effect("a client for another region is told where the bucket is (AuthorizationHeaderMalformed), not redirected", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        yield* withBucket(swift, (bucket, { storage }) =>
          Effect.gen(function*() {
            yield* storage.putObject(bucket, "k", "x")
            const elsewhere = yield* S3.make(swiftConfig(swift, { region: "eu-west-1" }))
            const e = yield* expectFailure(elsewhere.getObject(bucket, "k"), "ProviderError")
            expect(e.message).toContain("us-east-1")
            expect(e).toMatchObject({ status: 400, code: "AuthorizationHeaderMalformed" })
          }))
      }))
  })
})
