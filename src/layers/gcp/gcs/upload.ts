/**
 * Uploads over the JSON API.
 *
 * - Byte bodies up to `multipartThreshold`: one `uploadType=multipart`
 *   request, a `multipart/related` body of the JSON metadata then the media
 *   (https://cloud.google.com/storage/docs/uploading-objects, JSON API).
 * - Everything else (every Stream, whatever its length): a resumable session
 *   (https://cloud.google.com/storage/docs/performing-resumable-uploads).
 *   POST `uploadType=resumable` answers the session URI in `Location`; the
 *   body goes in `PUT`s of `chunkSize` bytes (a multiple of 256 KiB) with
 *   `Content-Range: bytes a-b/*`, the last with the total (`/N`, or
 *   `bytes *\/N` when it has no bytes). A chunk is answered `308` with
 *   `Range: bytes=0-x` (what is persisted; absent = nothing), the last with
 *   the object resource. A chunk that fails in transit or with a 5xx / 429 is
 *   not resent blindly: the session status is asked (`PUT`, empty, with
 *   `Content-Range: bytes *\/*`) and only the bytes the server does not hold
 *   are sent again. A session is strictly sequential, so memory is one chunk
 *   (plus the Stream element being read) and `concurrency` has no effect.
 *   On failure or interruption the session is cancelled (`DELETE` on its
 *   URI, answered 499): nothing becomes visible.
 *
 * The stored object is checked against what was sent (size, MD5, CRC32C,
 * and `x-goog-hash` when the answer has it). GCS finalises an object before
 * answering, so on a mismatch the bad generation is already visible: it is
 * deleted (only that generation) and the upload fails with IntegrityError.
 */
import { Headers, HttpClientRequest } from "@effect/platform"
import { Chunk, Effect, Exit, Option, Random, Stream } from "effect"
import { ProviderHttp, Retry } from "../../../http/index.js"
import type { NotFound, ProviderFailure, Transport } from "../../../schemas/Errors.js"
import { Conflict, IntegrityError, MalformedResponse, ProviderError } from "../../../schemas/Errors.js"
import { CHUNK_UNIT, type Core, objectPath, uploadPath, where, withQuery } from "./core.js"
import { crc32cOf, type Digests, hasher, md5Base64, parseGoogHash } from "./hash.js"
import { ObjectResource } from "./wire.js"

export interface UploadTarget {
  readonly bucket: string
  readonly key: string
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly storageClass?: string | undefined
  /** Only store if the live generation is this one (0: only if there is none). */
  readonly ifGenerationMatch?: number | undefined
}

export type UploadError = NotFound | Conflict | IntegrityError | ProviderFailure

interface Uploaded {
  readonly object: ObjectResource
  /** The answer's `x-goog-hash`, when it had one. */
  readonly googHash: string | undefined
}

const objectMetadata = (t: UploadTarget) => ({
  contentType: t.contentType,
  ...(Object.keys(t.metadata).length === 0 ? {} : { metadata: t.metadata }),
  ...(t.storageClass === undefined ? {} : { storageClass: t.storageClass })
})

const uploadQuery = (t: UploadTarget, uploadType: string) => ({
  uploadType,
  name: t.key,
  ...(t.ifGenerationMatch === undefined ? {} : { ifGenerationMatch: t.ifGenerationMatch })
})

/** 404 on an upload can only be the bucket; 412 is a failed generation precondition. */
const uploadFailure = (operation: string, t: UploadTarget) => ({
  operation,
  notFound: { resource: "container", id: t.bucket },
  classify: (f: { readonly status: number }) =>
    f.status === 412 && t.ifGenerationMatch !== undefined ? preconditionFailed(operation, t) : undefined
})

export const preconditionFailed = (operation: string, t: { readonly bucket: string; readonly key: string }) =>
  new Conflict({ ...where(operation), resource: "object", id: `${t.bucket}/${t.key}`, reason: "the generation precondition failed" })

const readObject = ProviderHttp.json(ObjectResource)

const withHash: ProviderHttp.Reader<Uploaded, MalformedResponse | Transport> = (response, w) =>
  Effect.map(readObject(response, w), (object) => ({ object, googHash: response.headers["x-goog-hash"] }))

// ---------------------------------------------------------------- integrity

const deleteGeneration = (core: Core, operation: string, o: ObjectResource) =>
  o.generation === undefined
    ? Effect.void
    : core.http.execute(
      HttpClientRequest.del(withQuery(objectPath(o.bucket, o.name), { ifGenerationMatch: o.generation })),
      { operation, success: (s) => (s >= 200 && s < 300) || s === 404 || s === 412 },
      ProviderHttp.empty
    ).pipe(Effect.ignore)

/** What GCS stored against what we sent; a mismatch removes that generation. */
const verify = (core: Core, operation: string, key: string, sent: Digests, got: Uploaded) =>
  Effect.suspend(() => {
    const o = got.object
    const header = parseGoogHash(got.googHash)
    const checks: ReadonlyArray<readonly [string, string, string | undefined]> = [
      ["size", String(sent.size), String(o.size)],
      ["md5", sent.md5, o.md5Hash],
      ["crc32c", sent.crc32c, o.crc32c],
      ["md5 (x-goog-hash)", sent.md5, header.md5],
      ["crc32c (x-goog-hash)", sent.crc32c, header.crc32c]
    ]
    const bad = checks.find(([, expected, actual]) => actual !== undefined && actual !== expected)
    if (bad === undefined) return Effect.succeed(o)
    const [what, expected, actual] = bad
    return Effect.zipRight(
      deleteGeneration(core, operation, o),
      Effect.fail(new IntegrityError({ ...where(operation), key, expected: `${what} ${expected}`, actual: `${what} ${actual}` }))
    )
  })

// ---------------------------------------------------------------- multipart

const encoder = new TextEncoder()

/** A `multipart/related` body: the JSON metadata part, then the media part. */
const multipartBody = (t: UploadTarget, bytes: Uint8Array, boundary: string): Uint8Array => {
  const head = encoder.encode(
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(objectMetadata(t))}\r\n` +
      `--${boundary}\r\nContent-Type: ${t.contentType}\r\n\r\n`
  )
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
  const out = new Uint8Array(head.byteLength + bytes.byteLength + tail.byteLength)
  out.set(head, 0)
  out.set(bytes, head.byteLength)
  out.set(tail, head.byteLength + bytes.byteLength)
  return out
}

const boundaryFor = (bytes: Uint8Array): Effect.Effect<string> =>
  Effect.map(Effect.zip(Random.nextIntBetween(0, 2 ** 31 - 1), Random.nextIntBetween(0, 2 ** 31 - 1)), ([a, b]) => {
    let boundary = `cloudfx-${a.toString(36)}${b.toString(36)}`
    // A boundary must not occur in the data; lengthen it until it does not.
    while (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(boundary)) boundary += "x"
    return boundary
  })

export const uploadMultipart = (core: Core, operation: string, t: UploadTarget, bytes: Uint8Array): Effect.Effect<ObjectResource, UploadError> =>
  Effect.gen(function*() {
    const sent: Digests = { size: bytes.byteLength, md5: md5Base64(bytes), crc32c: crc32cOf(bytes) }
    const boundary = yield* boundaryFor(bytes)
    const request = HttpClientRequest.post(withQuery(uploadPath(t.bucket), uploadQuery(t, "multipart"))).pipe(
      HttpClientRequest.bodyUint8Array(multipartBody(t, bytes, boundary), `multipart/related; boundary=${boundary}`)
    )
    // Sending the whole object twice leaves the same object: safe to retry.
    const got = yield* core.http.execute(request, { ...uploadFailure(operation, t), idempotent: true }, withHash)
    return yield* verify(core, operation, t.key, sent, got)
  })

// ---------------------------------------------------------------- resumable

/** Where a session stands: bytes persisted so far, or finished with the object. */
type Progress =
  | { readonly _tag: "Incomplete"; readonly persisted: number }
  | { readonly _tag: "Done"; readonly uploaded: Uploaded }

const isSessionAnswer = (status: number) => status === 308 || (status >= 200 && status < 300)

/** A 308's `Range: bytes=0-x` → x + 1 bytes persisted; no Range → none. */
const readProgress: ProviderHttp.Reader<Progress, MalformedResponse | Transport> = (response, w) => {
  if (response.status !== 308) return Effect.map(withHash(response, w), (uploaded) => ({ _tag: "Done", uploaded }) as const)
  return Effect.flatMap(ProviderHttp.empty(response, w), () => {
    const range = response.headers["range"]
    if (range === undefined || range === "") return Effect.succeed({ _tag: "Incomplete", persisted: 0 } as const)
    const m = /^bytes=0-(\d+)$/.exec(range.trim())
    return m === null
      ? Effect.fail(new MalformedResponse({ ...w, reason: "308 Range header is not \"bytes=0-<last>\"" }))
      : Effect.succeed({ _tag: "Incomplete", persisted: Number(m[1]) + 1 } as const)
  })
}

interface Session {
  readonly uri: string
}

const initiate = (core: Core, operation: string, t: UploadTarget): Effect.Effect<Session, UploadError> =>
  Effect.locallyWith(
    initiateRequest(core, operation, t),
    // The session URI in Location is the session's only credential: keep it out of the platform's span.
    Headers.currentRedactedNames,
    (names) => [...names, "location"]
  )

const initiateRequest = (core: Core, operation: string, t: UploadTarget): Effect.Effect<Session, UploadError> =>
  core.http.execute(
    HttpClientRequest.post(withQuery(uploadPath(t.bucket), uploadQuery(t, "resumable"))).pipe(
      HttpClientRequest.setHeader("x-upload-content-type", t.contentType),
      HttpClientRequest.bodyUint8Array(encoder.encode(JSON.stringify(objectMetadata(t))), "application/json; charset=UTF-8")
    ),
    // A second session, if the first answer was lost, holds no data and expires unseen.
    { ...uploadFailure(operation, t), idempotent: true },
    (response, w) =>
      Effect.flatMap(ProviderHttp.empty(response, w), () => {
        const location = response.headers["location"]
        return location === undefined || !/^https?:\/\//i.test(location)
          ? Effect.fail(new MalformedResponse({ ...w, reason: "no session URI in the Location header" }))
          : Effect.succeed({ uri: location })
      })
  )

const contentRange = (offset: number, length: number, total: number | undefined) =>
  length === 0 ? `bytes */${total ?? "*"}` : `bytes ${offset}-${offset + length - 1}/${total ?? "*"}`

/** One PUT of bytes at `offset` (never retried here: a resend must first ask what the server kept). */
const putChunk = (core: Core, operation: string, session: Session, bytes: Uint8Array, offset: number, total: number | undefined) =>
  core.http.execute(
    HttpClientRequest.put(session.uri).pipe(
      HttpClientRequest.setHeader("content-range", contentRange(offset, bytes.byteLength, total)),
      HttpClientRequest.bodyUint8Array(bytes, "application/octet-stream")
    ),
    { operation, retry: false, success: isSessionAnswer, attributes: { "cloudfx.upload.offset": offset } },
    readProgress
  )

/** Asks the session what it holds (`Content-Range: bytes *\/*`); retried like any idempotent request. */
const queryStatus = (core: Core, operation: string, session: Session, total: number | undefined) =>
  core.http.execute(
    HttpClientRequest.put(session.uri).pipe(HttpClientRequest.setHeader("content-range", `bytes */${total ?? "*"}`)),
    { operation, success: isSessionAnswer },
    readProgress
  )

const cancel = (core: Core, operation: string, session: Session) =>
  core.http.execute(
    HttpClientRequest.del(session.uri),
    // 499 Client Closed Request is the documented success; 404/410: already gone.
    { operation, retry: false, timeout: "10 seconds", success: (s) => s === 499 || s === 404 || s === 410 || (s >= 200 && s < 300) },
    ProviderHttp.empty
  ).pipe(Effect.ignore)

const sessionLost = (operation: string, reason: string) =>
  new ProviderError({ ...where(operation), code: "resumableSession", detail: reason })

/**
 * Sends `chunk`, which starts at `start`, until the server holds all of it
 * (or, for the last chunk, has finished the object), resuming from what it
 * says it holds after a lost or failed attempt.
 */
const sendChunk = (
  core: Core,
  operation: string,
  session: Session,
  chunk: Uint8Array,
  start: number,
  total: number | undefined
): Effect.Effect<Progress, UploadError> => {
  const end = start + chunk.byteLength
  const policy = Retry.policy(core.config.retry === false ? { maxAttempts: 1 } : core.config.retry)
  const loop = (persisted: number, failures: number, stalls: number): Effect.Effect<Progress, UploadError> =>
    Effect.suspend(() => {
      if (persisted < start) {
        return Effect.fail(sessionLost(operation, `the session holds ${persisted} bytes, fewer than the ${start} it had confirmed`))
      }
      if (persisted > end) return Effect.fail(sessionLost(operation, `the session holds ${persisted} bytes, more than the ${end} sent`))
      if (persisted === end && total === undefined) return Effect.succeed<Progress>({ _tag: "Incomplete", persisted })
      const onAnswer = (p: Progress): Effect.Effect<Progress, UploadError> => {
        if (p._tag === "Done") {
          return total === undefined
            ? Effect.fail(new MalformedResponse({ ...where(operation), reason: "the session finished before the last chunk" }))
            : Effect.succeed(p)
        }
        if (p.persisted === end && total === undefined) return Effect.succeed(p)
        // Fewer bytes kept than sent: send the rest, unless it keeps making no progress.
        const stalled = p.persisted <= persisted
        if (stalled && stalls + 1 >= policy.maxAttempts) {
          return Effect.fail(sessionLost(operation, `the session keeps holding ${p.persisted} bytes`))
        }
        return loop(p.persisted, failures, stalled ? stalls + 1 : 0)
      }
      return Effect.matchEffect(putChunk(core, operation, session, chunk.subarray(persisted - start), persisted, total), {
        onSuccess: onAnswer,
        onFailure: (error) => {
          if (!Retry.isRetryable(error) || failures + 1 >= policy.maxAttempts) return Effect.fail(error)
          return Effect.flatMap(Random.next, (r) =>
            Option.match(Retry.delay(policy, failures, error, r), {
              onNone: () => Effect.fail(error),
              onSome: (wait) =>
                Effect.sleep(wait).pipe(
                  Effect.zipRight(queryStatus(core, operation, session, total)),
                  Effect.flatMap((p) => (p._tag === "Done" ? onAnswer(p) : loop(p.persisted, failures + 1, stalls)))
                )
            }))
        }
      })
    })
  return loop(start, 0, 0)
}

/** Re-cuts a Stream into chunks of exactly `size` bytes (the last shorter), knowing which is the last. */
const chunker = <E>(stream: Stream.Stream<Uint8Array, E>, size: number) =>
  Effect.map(Stream.toPull(stream), (pull) => {
    let pending: Array<Uint8Array> = []
    let ended = false
    const refill: Effect.Effect<void, E> = Effect.matchEffect(pull, {
      onFailure: Option.match({ onNone: () => Effect.sync(() => void (ended = true)), onSome: (e) => Effect.fail(e) }),
      onSuccess: (chunk) => Effect.sync(() => void (pending = Chunk.toArray(chunk).filter((c) => c.byteLength > 0)))
    })
    const next: Effect.Effect<{ readonly bytes: Uint8Array; readonly last: boolean }, E> = Effect.gen(function*() {
      // Grown as data arrives, so a small body does not cost a whole chunk of memory.
      let buffer = new Uint8Array(Math.min(size, 64 * 1024))
      let filled = 0
      while (filled < size) {
        if (pending.length === 0) {
          if (ended) break
          yield* refill
          continue
        }
        const head = pending[0]!
        const take = Math.min(head.byteLength, size - filled)
        if (filled + take > buffer.byteLength) {
          const grown = new Uint8Array(Math.min(size, Math.max(filled + take, buffer.byteLength * 2)))
          grown.set(buffer.subarray(0, filled))
          buffer = grown
        }
        buffer.set(head.subarray(0, take), filled)
        filled += take
        if (take === head.byteLength) pending.shift()
        else pending[0] = head.subarray(take)
      }
      // A full chunk may be the last one: look ahead so the total can go with it.
      while (filled === size && pending.length === 0 && !ended) yield* refill
      return { bytes: buffer.subarray(0, filled), last: ended && pending.length === 0 }
    })
    return next
  })

export const uploadResumable = <E>(
  core: Core,
  operation: string,
  t: UploadTarget,
  body: Stream.Stream<Uint8Array, E>,
  chunkSize: number
): Effect.Effect<ObjectResource, E | UploadError> =>
  Effect.gen(function*() {
    if (chunkSize % CHUNK_UNIT !== 0) {
      return yield* Effect.dieMessage(`GCS chunk size ${chunkSize} is not a multiple of ${CHUNK_UNIT}`)
    }
    // Opened before the body is read: a missing bucket is known without consuming it.
    const session = yield* initiate(core, operation, t)
    let finished = false
    const upload = Effect.scoped(
      Effect.gen(function*() {
        const next = yield* chunker(body, chunkSize)
        const hash = hasher()
        let offset = 0
        for (;;) {
          const { bytes, last } = yield* next
          hash.update(bytes)
          const total = last ? offset + bytes.byteLength : undefined
          const progress = yield* sendChunk(core, operation, session, bytes, offset, total)
          offset += bytes.byteLength
          if (last) {
            if (progress._tag !== "Done") {
              return yield* new MalformedResponse({ ...where(operation), reason: "the session did not finish after the last chunk" })
            }
            finished = true
            return yield* verify(core, operation, t.key, hash.digest(), progress.uploaded)
          }
        }
      })
    )
    return yield* Effect.onExit(upload, (exit) => (Exit.isFailure(exit) && !finished ? cancel(core, operation, session) : Effect.void))
  })

