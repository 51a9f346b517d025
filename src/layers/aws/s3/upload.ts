/**
 * PutObject and multipart upload.
 *
 * A body up to one part is sent as one PUT with its Content-MD5. A Stream of
 * unknown length is read into a part-sized buffer first: if it ends there it
 * is one PUT, otherwise it becomes a multipart upload whose parts are filled
 * from the stream and sent `concurrency` at a time. The buffers come from a
 * pool of `concurrency` — a part holds its buffer until it is stored — so
 * memory is at most partSize × concurrency and the stream is only pulled
 * when a buffer is free (backpressure).
 *
 * A part is bytes in memory, so a transport failure or 5xx retries that part
 * alone. A failed or interrupted upload is aborted (uninterruptibly), so no
 * parts are left behind; CompleteMultipartUpload's 200-with-`<Error>` is a
 * failure, and the stored size is checked against what was sent.
 */
import { createHash } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import type { Chunk } from "effect"
import { Cause, Effect, Exit, FiberSet, Option, Queue, Schedule, Stream } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import {
  IntegrityError,
  InvalidInput,
  MalformedResponse,
  type NotFound,
  type ProviderFailure
} from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import type { Where } from "../../../services/validate.js"
import { withQuery } from "./addressing.js"
import { type Client, uploadTimeout } from "./client.js"
import { MAX_PARTS } from "./config.js"
import * as S3Errors from "./errors.js"
import { fromHeaders } from "./objectInfo.js"
import {
  completeMultipartUploadBody,
  CompleteMultipartUploadOutcome,
  InitiateMultipartUploadResult,
  unquoteEtag,
  xmlOptions
} from "./wire.js"

export interface UploadSpec {
  readonly bucket: string
  readonly key: string
  readonly operation: string
  /** Sent with the single PUT or with CreateMultipartUpload: content type, x-amz-meta-*, storage class… */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string
  readonly partSize: number
  readonly concurrency: number
}

export type Source<E> =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, E> }

export type UploadError = NotFound | InvalidInput | IntegrityError | ProviderFailure

interface Part {
  readonly partNumber: number
  readonly bytes: Uint8Array
  /** Gives the buffer back to the pool once the part is stored. */
  readonly release: Effect.Effect<void>
}

export interface Stored {
  readonly partNumber: number
  readonly etag: string
}

const md5Base64 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")

/** SSE-KMS and SSE-C ETags are not the MD5 of the content; neither is a multipart ETag ("…-N"). */
const etagIsMd5 = (etag: string, headers: Readonly<Record<string, string | undefined>>) =>
  /^[0-9a-f]{32}$/i.test(etag) &&
  !(headers["x-amz-server-side-encryption"] ?? "").startsWith("aws:kms") &&
  headers["x-amz-server-side-encryption-customer-algorithm"] === undefined


/**
 * Reads a byte stream into buffers of a given size, carrying the rest of a
 * chunk that did not fit over to the next buffer.
 */
const reader = <E>(pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>>) => {
  const queue: Array<Uint8Array> = []
  let ended = false
  const pullOnce: Effect.Effect<void, E> = Effect.matchEffect(pull, {
    onFailure: Option.match({
      onNone: () =>
        Effect.sync(() => {
          ended = true
        }),
      onSome: Effect.fail
    }),
    onSuccess: (chunk) =>
      Effect.sync(() => {
        for (const c of chunk) if (c.byteLength > 0) queue.push(c)
      })
  })
  /** Whether there are more bytes; pulls (and waits) until it knows. */
  const hasMore: Effect.Effect<boolean, E> = Effect.suspend(() =>
    queue.length > 0 ? Effect.succeed(true) : ended ? Effect.succeed(false) : Effect.zipRight(pullOnce, hasMore)
  )
  /** Fills `buffer` as far as the stream goes; the count is short only at its end. */
  const fill = (buffer: Uint8Array): Effect.Effect<number, E> =>
    Effect.gen(function*() {
      let filled = 0
      while (filled < buffer.byteLength && (yield* hasMore)) {
        const c = queue[0]!
        const n = Math.min(c.byteLength, buffer.byteLength - filled)
        buffer.set(n === c.byteLength ? c : c.subarray(0, n), filled)
        filled += n
        if (n === c.byteLength) queue.shift()
        else queue[0] = c.subarray(n)
      }
      return filled
    })
  return { fill, hasMore }
}

/** At most `size` buffers of `bytes` each, allocated on demand; `take` waits for one to come back. */
const bufferPool = (size: number, bytes: number) =>
  Effect.map(Queue.unbounded<Uint8Array>(), (free) => {
    let allocated = 0
    return {
      take: Effect.suspend(() => {
        if (allocated < size) {
          allocated++
          return Effect.succeed(new Uint8Array(bytes))
        }
        return Queue.take(free)
      }),
      give: (buffer: Uint8Array) => Queue.offer(free, buffer).pipe(Effect.asVoid)
    }
  })

export const make = (client: Client) => {
  const { address, http, provider } = client

  const classify = (bucket: string) => S3Errors.common(client.region, bucket)

  const attributes = (spec: UploadSpec, extra: Record<string, unknown> = {}) => ({
    "cloudfx.container": spec.bucket,
    "cloudfx.key": spec.key,
    ...extra
  })

  /** What S3 said when it should have said something else: never a defect. */
  const malformed = (where: Where, reason: string) => new MalformedResponse({ ...where, reason })

  const etagOf = (where: Where, headers: Readonly<Record<string, string | undefined>>) => {
    const etag = headers["etag"]
    return etag === undefined || etag.trim() === ""
      ? Effect.fail(malformed(where, "the answer has no ETag"))
      : Effect.succeed(unquoteEtag(etag))
  }

  // ------------------------------------------------------------ single PUT

  const putSingle = (spec: UploadSpec, bytes: Uint8Array) => {
    const md5 = md5Base64(bytes)
    const request = HttpClientRequest.put(address.objectUrl(spec.bucket, spec.key)).pipe(
      HttpClientRequest.bodyUint8Array(bytes, spec.contentType),
      HttpClientRequest.setHeaders(spec.headers),
      HttpClientRequest.setHeader("content-md5", md5)
    )
    return http.execute(
      request,
      {
        operation: spec.operation,
        classify: (ctx) =>
          classify(spec.bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, spec.bucket) ?? S3Errors.badDigest(ctx, spec.key, `Content-MD5 ${md5}`) ??
            S3Errors.invalidArgument(ctx),
        timeout: uploadTimeout(client, bytes.byteLength),
        attributes: attributes(spec, { "s3.request": "PutObject", "http.request.body.size": bytes.byteLength })
      },
      (response, where) =>
        Effect.gen(function*() {
          yield* ProviderHttp.empty(response, where)
          const etag = yield* etagOf(where, response.headers)
          if (etagIsMd5(etag, response.headers)) {
            const sent = Buffer.from(md5, "base64").toString("hex")
            if (etag.toLowerCase() !== sent) {
              return yield* new IntegrityError({ ...where, key: spec.key, expected: sent, actual: etag })
            }
          }
          // The Date of the answer: when the object became visible (a PUT answer has no Last-Modified).
          return fromHeaders(spec.key, bytes.byteLength, {
            ...response.headers,
            "content-type": spec.contentType,
            "last-modified": response.headers["date"] ?? "",
            ...spec.headers,
            etag
          })
        })
    )
  }

  // ------------------------------------------------------------ multipart

  const createUpload = (spec: UploadSpec) =>
    http.execute(
      HttpClientRequest.post(withQuery(address.objectUrl(spec.bucket, spec.key), { uploads: null })).pipe(
        HttpClientRequest.setHeaders(spec.headers),
        HttpClientRequest.setHeader("content-type", spec.contentType)
      ),
      {
        operation: spec.operation,
        classify: (ctx) => classify(spec.bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, spec.bucket) ?? S3Errors.invalidArgument(ctx),
        attributes: attributes(spec, { "s3.request": "CreateMultipartUpload" })
      },
      ProviderHttp.xml(InitiateMultipartUploadResult, xmlOptions)
    ).pipe(Effect.map((r) => r.InitiateMultipartUploadResult.UploadId))

  const partUrl = (spec: UploadSpec, uploadId: string, partNumber: number) =>
    withQuery(address.objectUrl(spec.bucket, spec.key), { partNumber, uploadId })

  // One hash per part, computed once for every attempt: the signed SHA-256 when payloads are
  // signed (the server checks the bytes against it; MD5 as well would double the CPU), else MD5.
  const partDigest = (bytes: Uint8Array) =>
    client.signPayload
      ? { header: "x-amz-content-sha256", value: createHash("sha256").update(bytes).digest("hex"), name: "SHA-256" }
      : { header: "content-md5", value: md5Base64(bytes), name: "Content-MD5" }

  const uploadPart = (spec: UploadSpec, uploadId: string, part: Part) => {
    const digest = partDigest(part.bytes)
    return http.execute(
      HttpClientRequest.put(partUrl(spec, uploadId, part.partNumber)).pipe(
        HttpClientRequest.bodyUint8Array(part.bytes),
        HttpClientRequest.setHeader(digest.header, digest.value)
      ),
      {
        operation: spec.operation,
        classify: (ctx) =>
          classify(spec.bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, spec.bucket) ??
            S3Errors.badDigest(ctx, spec.key, `${digest.name} ${digest.value}`),
        timeout: uploadTimeout(client, part.bytes.byteLength),
        attributes: attributes(spec, {
          "s3.request": "UploadPart",
          "s3.part_number": part.partNumber,
          "http.request.body.size": part.bytes.byteLength
        })
      },
      (response, where) => Effect.zipRight(ProviderHttp.empty(response, where), etagOf(where, response.headers))
    ).pipe(Effect.map((etag): Stored => ({ partNumber: part.partNumber, etag })))
  }

  const complete = (spec: UploadSpec, uploadId: string, parts: ReadonlyArray<Stored>) =>
    http.execute(
      HttpClientRequest.post(withQuery(address.objectUrl(spec.bucket, spec.key), { uploadId })).pipe(
        HttpClientRequest.bodyText(completeMultipartUploadBody(parts), "application/xml")
      ),
      {
        operation: spec.operation,
        // S3 documents CompleteMultipartUpload as safe to retry.
        idempotent: true,
        classify: (ctx) => classify(spec.bucket)(ctx) ?? S3Errors.noSuchUpload(ctx, uploadId),
        // S3 may take minutes to assemble a large object (it keeps the connection alive with whitespace).
        timeout: uploadTimeout(client, parts.length * 1024 * 1024),
        attributes: attributes(spec, { "s3.request": "CompleteMultipartUpload", "s3.parts": parts.length })
      },
      (response, where) =>
        Effect.flatMap(ProviderHttp.xml(CompleteMultipartUploadOutcome, xmlOptions)(response, where), (outcome) =>
          "Error" in outcome
            ? Effect.fail(S3Errors.embeddedError(where, outcome.Error.Code, outcome.Error.Message))
            : Effect.succeed(outcome.CompleteMultipartUploadResult.ETag))
    )

  const abort = (spec: UploadSpec, uploadId: string) =>
    http.execute(
      HttpClientRequest.del(withQuery(address.objectUrl(spec.bucket, spec.key), { uploadId })),
      {
        operation: spec.operation,
        classify: (ctx) => classify(spec.bucket)(ctx) ?? S3Errors.noSuchUpload(ctx, uploadId),
        attributes: attributes(spec, { "s3.request": "AbortMultipartUpload" })
      },
      ProviderHttp.empty
    ).pipe(
      // Already gone: completed by an attempt whose answer was lost, or aborted.
      Effect.catchTag("NotFound", () => Effect.void),
      Effect.catchAll((e) =>
        Effect.logWarning(
          `${spec.operation}: aborting multipart upload ${uploadId} of "${spec.key}" failed; its parts may remain (S3.listMultipartUploads): ${e.message}`
        )
      )
    )

  /** The object as stored, read back to check its size (eventually consistent servers may need a moment). */
  const stored = (spec: UploadSpec, size: number) =>
    http.execute(
      HttpClientRequest.head(address.objectUrl(spec.bucket, spec.key)),
      {
        operation: spec.operation,
        notFound: { resource: "object", id: `${spec.bucket}/${spec.key}` },
        classify: classify(spec.bucket),
        attributes: attributes(spec, { "s3.request": "HeadObject" })
      },
      ProviderHttp.headers
    ).pipe(
      Effect.retry({ schedule: Schedule.spaced("250 millis"), times: 4, while: (e) => e._tag === "NotFound" }),
      Effect.flatMap(({ headers }) => {
        const length = Number(headers["content-length"])
        const info = fromHeaders(spec.key, length, headers)
        return length === size
          ? Effect.succeed(info)
          : Effect.fail(
            new IntegrityError({
              provider,
              operation: spec.operation,
              key: spec.key,
              expected: `${size} bytes`,
              actual: Number.isFinite(length) ? `${length} bytes` : "no Content-Length"
            })
          )
      })
    )

  /**
   * Uploads `parts` (numbered from 1) as one multipart upload. Each part is
   * sent in its own fiber as soon as the source yields it; the source yields
   * only when a buffer is free, so at most `concurrency` are in flight.
   */
  const multipart = <E>(spec: UploadSpec, parts: Effect.Effect<Option.Option<Part>, E | InvalidInput>) =>
    Effect.acquireUseRelease(
      createUpload(spec),
      (uploadId) =>
        Effect.scoped(Effect.gen(function*() {
          const inFlight = yield* FiberSet.make<Stored, UploadError>()
          const done: Array<Stored> = []
          let failed: Cause.Cause<UploadError> | undefined
          let total = 0
          // Bounds the parts in flight whatever the source (bytes in memory have no buffer pool).
          const permits = yield* Effect.makeSemaphore(spec.concurrency)
          const produce = Effect.gen(function*() {
            while (true) {
              yield* permits.take(1)
              const next = yield* parts
              if (Option.isNone(next)) {
                yield* permits.release(1)
                break
              }
              const part = next.value
              total += part.bytes.byteLength
              yield* FiberSet.run(
                inFlight,
                uploadPart(spec, uploadId, part).pipe(
                  Effect.tap((s) =>
                    Effect.zipRight(
                      Effect.sync(() => done.push(s)),
                      part.release
                    )
                  ),
                  Effect.tapErrorCause((cause) =>
                    Effect.sync(() => {
                      failed ??= cause
                    })
                  ),
                  Effect.ensuring(permits.release(1))
                )
              )
            }
            yield* FiberSet.awaitEmpty(inFlight)
            // The last parts may fail as the set empties, before `join` below wins the race.
            if (failed !== undefined) return yield* Effect.failCause(failed)
          })
          // The first failed part ends the upload (and the reading of the source) at once.
          yield* Effect.raceFirst(produce, FiberSet.join(inFlight))
          done.sort((a, b) => a.partNumber - b.partNumber)
          yield* complete(spec, uploadId, done)
          return yield* stored(spec, total)
        })),
      (uploadId, exit) => (Exit.isSuccess(exit) ? Effect.void : abort(spec, uploadId))
    )

  const tooManyParts = (spec: UploadSpec) =>
    new InvalidInput({
      provider,
      operation: spec.operation,
      field: "partSize",
      reason: `the body needs more than ${MAX_PARTS} parts of ${spec.partSize} bytes; use a larger partSize`
    })

  /** Parts cut from bytes already in memory: no copy, no pool. */
  const slices = (spec: UploadSpec, bytes: Uint8Array): Effect.Effect<Option.Option<Part>, InvalidInput> => {
    let at = 0
    let partNumber = 0
    return Effect.suspend(() => {
      if (at >= bytes.byteLength) return Effect.succeed(Option.none())
      partNumber++
      if (partNumber > MAX_PARTS) return Effect.fail(tooManyParts(spec))
      const end = Math.min(bytes.byteLength, at + spec.partSize)
      const part: Part = { partNumber, bytes: bytes.subarray(at, end), release: Effect.void }
      at = end
      return Effect.succeed(Option.some(part))
    })
  }

  const fromStream = <E>(spec: UploadSpec, stream: Stream.Stream<Uint8Array, E>) =>
    Effect.scoped(Effect.gen(function*() {
      const source = reader(yield* Stream.toPull(stream))
      const pool = yield* bufferPool(spec.concurrency, spec.partSize)
      const first = yield* pool.take
      const n = yield* source.fill(first)
      if (n < spec.partSize || !(yield* source.hasMore)) return yield* putSingle(spec, first.subarray(0, n))
      let partNumber = 1
      let pending: Option.Option<Part> = Option.some({ partNumber: 1, bytes: first, release: pool.give(first) })
      const next: Effect.Effect<Option.Option<Part>, E | InvalidInput> = Effect.suspend(() => {
        if (Option.isSome(pending)) {
          const p = pending
          pending = Option.none()
          return Effect.succeed(p)
        }
        return Effect.gen(function*() {
          const buffer = yield* pool.take
          const filled = yield* source.fill(buffer)
          if (filled === 0) {
            yield* pool.give(buffer)
            return Option.none()
          }
          partNumber++
          if (partNumber > MAX_PARTS) return yield* tooManyParts(spec)
          return Option.some<Part>({ partNumber, bytes: buffer.subarray(0, filled), release: pool.give(buffer) })
        })
      })
      return yield* multipart(spec, next)
    }))

  const upload = <E>(spec: UploadSpec, source: Source<E>): Effect.Effect<ObjectInfo, E | UploadError> =>
    source._tag === "Bytes"
      ? source.bytes.byteLength <= spec.partSize ? putSingle(spec, source.bytes) : multipart(spec, slices(spec, source.bytes))
      : fromStream(spec, source.stream)

  return { upload, abort, createUpload, complete, stored }
}

/** Uploads, and the multipart steps a multipart copy shares (copy.ts). */
export type Uploads = ReturnType<typeof make>
