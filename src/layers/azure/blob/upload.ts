/**
 * Block blob uploads.
 *
 * A body of at most `blockSize` bytes is one Put Blob: atomic, retried whole.
 * Anything longer — or a Stream, whose length is unknown until it ends — is
 * read `blockSize` bytes at a time: if it ends within the first block it is
 * still one Put Blob; otherwise each block is a Put Block (its own
 * Content-MD5, retried alone on transport errors and 5xx by ProviderHttp),
 * at most `concurrency` blocks alive at once (a permit is taken before a
 * block is read and given back when its upload ends, so memory stays within
 * blockSize × concurrency plus one chunk of look-ahead, and a slow server
 * slows the reading of the stream), then one Put Block List commits them all,
 * with `x-ms-blob-content-md5` set to the MD5 hashed while streaming so the
 * etag is the content's MD5 like a Put Blob's.
 *
 * Until Put Block List nothing is visible: staged blocks are not blobs (not
 * listed, not readable). When the upload fails or is interrupted after
 * staging, the Blob service offers no call to drop the uncommitted blocks of
 * one upload; they are discarded by the next Put Blob / Put Block List of the
 * same name, by Delete Blob of the name, or by the service 7 days after the
 * last Put Block. So:
 * - if no committed blob had the name when the upload started (the HEAD it
 *   starts with says so), the blocks are dropped with a Delete Blob made
 *   conditional on `If-Unmodified-Since: <server time at that HEAD − 1 s>`:
 *   a name with only uncommitted blocks is "not there" for the condition, so
 *   the delete goes through, while a blob some other writer committed since
 *   is newer than that time and answers 412 — it is left alone. Get Block
 *   List then answers 404 BlobNotFound: nothing visible, nothing orphaned.
 * - if a blob had the name, deleting would destroy it, and re-committing its
 *   block list would replace it (new ETag and date): the blocks stay, under
 *   the unchanged old blob (Get Block List shows them as uncommitted), until
 *   the next Put Blob or Put Block List of that name (Azurite: Put Block
 *   List only) or the 7-day collection.
 * A block whose request was wholly sent before an interruption can still be
 * stored after the cleanup ran; the 7-day collection takes it.
 *
 * Concurrent uploads of one name interfere on Azure whatever the client
 * does: Put Block List discards every uncommitted block it does not name,
 * so the slower upload's commit fails (400 InvalidBlockList); the cleanup
 * above can do the same to an upload still staging.
 */
import { HttpBody, HttpClientRequest } from "@effect/platform"
import type { Headers } from "@effect/platform"
import { Chunk, Duration, Effect, Exit, FiberSet, Option, Stream } from "effect"
import { createHash, randomBytes } from "node:crypto"
import * as ProviderHttp from "../../../http/Client.js"
import type { IntegrityError, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import { InvalidInput } from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import { classifyAccess, classifyWrite, containerNotFound } from "./errors.js"
import { blockListBody, infoAfterPut } from "./wire.js"

/** The service's limit on the blocks of one blob. */
export const MAX_BLOCKS = 50_000
/** The largest block (and Put Blob) the service takes at the versions cloudfx speaks (2019-12-12+): 4000 MiB. */
export const MAX_BLOCK_SIZE = 4000 * 1024 * 1024

export interface Target {
  readonly http: ProviderHttp.ProviderHttp
  readonly operation: string
  readonly container: string
  readonly key: string
  /** The encoded request path, "/container/key". */
  readonly path: string
  readonly blockSize: number
  readonly concurrency: number
  readonly contentType: string
  /** Portable (lower-cased) metadata, as it is reported back. */
  readonly metadata: { readonly [k: string]: string }
  /** Content type, metadata, access tier: what Put Blob and Put Block List set on the blob. */
  readonly blobHeaders: { readonly [k: string]: string }
}

export type UploadError = NotFound | IntegrityError | InvalidInput | ProviderFailure

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")

const subject = (t: Target) => ({ container: t.container, key: t.key })

/** One Put Blob of the whole body. */
export const putBlob = (t: Target, bytes: Uint8Array, digest = md5(bytes)): Effect.Effect<ObjectInfo, UploadError> =>
  t.http.execute(
    HttpClientRequest.put(t.path).pipe(
      HttpClientRequest.setHeaders({ ...t.blobHeaders, "x-ms-blob-type": "BlockBlob", "content-md5": digest }),
      HttpClientRequest.setBody(HttpBody.uint8Array(bytes, t.contentType))
    ),
    { operation: t.operation, classify: classifyWrite(subject(t)) },
    ProviderHttp.headers
  ).pipe(Effect.map(({ headers }) => infoAfterPut(t.key, bytes.byteLength, digest, t.contentType, t.metadata, headers)))

// ---------------------------------------------------------------- reading blocks

interface Block {
  readonly bytes: Uint8Array
  /** Nothing follows it. */
  readonly last: boolean
}

/**
 * Cuts a stream into blocks of `size` bytes (the last may be shorter),
 * feeding every byte to `seen` in order. It holds at most one chunk beyond
 * the block it is building: the look-ahead that tells a full block from the
 * last one. With `copy`, chunks are copied as they arrive: a producer may
 * reuse its buffer once the chunk is pulled, and blocks are sent later.
 */
const blockReader = <E>(
  pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>>,
  size: number,
  copy: boolean,
  seen: (chunk: Uint8Array) => void
) => {
  const queue: Array<Uint8Array> = []
  let queued = 0
  let ended = false

  const fill: Effect.Effect<void, E> = Effect.suspend(() =>
    ended || queued > size
      ? Effect.void
      : Effect.matchEffect(pull, {
        onFailure: Option.match({
          onNone: () => Effect.sync(() => {
            ended = true
          }),
          onSome: (e: E) => Effect.fail(e)
        }),
        onSuccess: (chunk) =>
          Effect.suspend(() => {
            for (const arrived of chunk) {
              if (arrived.byteLength === 0) continue
              const c = copy ? arrived.slice() : arrived
              seen(c)
              queue.push(c)
              queued += c.byteLength
            }
            return fill
          })
      })
  )

  const take = (n: number): Uint8Array => {
    const head = queue[0]!
    if (head.byteLength >= n) {
      // Within one chunk: a view, no copy.
      const out = head.subarray(0, n)
      if (head.byteLength === n) queue.shift()
      else queue[0] = head.subarray(n)
      queued -= n
      return out
    }
    const out = new Uint8Array(n)
    let at = 0
    while (at < n) {
      const c = queue[0]!
      const want = n - at
      if (c.byteLength <= want) {
        out.set(c, at)
        at += c.byteLength
        queue.shift()
      } else {
        out.set(c.subarray(0, want), at)
        queue[0] = c.subarray(want)
        at = n
      }
    }
    queued -= n
    return out
  }

  /** The next block; None once the stream is exhausted. */
  const next: Effect.Effect<Option.Option<Block>, E> = Effect.map(fill, () => {
    if (queued === 0) return Option.none()
    const bytes = take(Math.min(size, queued))
    return Option.some({ bytes, last: ended && queued === 0 })
  })
  return next
}

// ---------------------------------------------------------------- block upload

/** What the HEAD before a block upload found. */
interface Probe {
  /** Set when no committed blob had the name: the server's time minus 1 s, for the cleanup's condition. */
  readonly absentBefore: string | undefined
}

const probe = (t: Target): Effect.Effect<Probe, NotFound | ProviderFailure> =>
  t.http.execute(
    HttpClientRequest.head(t.path),
    { operation: t.operation, success: (s) => s === 200 || s === 404, classify: classifyAccess },
    ProviderHttp.headers
  ).pipe(
    Effect.flatMap(({ headers, status }) => {
      if (status === 200) return Effect.succeed<Probe>({ absentBefore: undefined })
      if (headers["x-ms-error-code"] === "ContainerNotFound") {
        return Effect.fail(containerNotFound({ provider: t.http.provider, operation: t.operation }, t.container))
      }
      return Effect.succeed<Probe>({ absentBefore: secondBefore(headers) })
    })
  )

const secondBefore = (headers: Headers.Headers): string | undefined => {
  const at = headers["date"] === undefined ? Number.NaN : Date.parse(headers["date"])
  return Number.isNaN(at) ? undefined : new Date(at - 1000).toUTCString()
}

/** Drops the staged blocks of a name no committed blob had (see the header); never fails. */
const discardStaged = (t: Target, absentBefore: string) =>
  t.http.execute(
    HttpClientRequest.del(t.path).pipe(HttpClientRequest.setHeader("if-unmodified-since", absentBefore)),
    {
      operation: t.operation,
      // 404: nothing was staged after all; 412: someone committed the name since: theirs now.
      success: (s) => s === 202 || s === 404 || s === 412,
      timeout: Duration.seconds(30),
      attributes: { "cloudfx.azure.cleanup": "uncommitted blocks" }
    },
    ProviderHttp.empty
  ).pipe(
    Effect.catchAll((e) => Effect.logDebug(`${t.operation}: uncommitted blocks left to Azure's 7-day collection: ${e.message}`))
  )

// Equal length for every id of a blob (the service requires it), unique per upload.
const blockId = (upload: string, index: number) => Buffer.from(`${upload}-${String(index).padStart(5, "0")}`).toString("base64")

const putBlock = (t: Target, id: string, bytes: Uint8Array) =>
  t.http.execute(
    HttpClientRequest.put(t.path).pipe(
      HttpClientRequest.setUrlParams({ comp: "block", blockid: id }),
      HttpClientRequest.setHeader("content-md5", md5(bytes)),
      HttpClientRequest.setBody(HttpBody.uint8Array(bytes, "application/octet-stream"))
    ),
    { operation: t.operation, classify: classifyWrite(subject(t)), attributes: { "cloudfx.azure.block": id } },
    ProviderHttp.empty
  )

const putBlockList = (t: Target, ids: ReadonlyArray<string>, size: number, digest: string) =>
  t.http.execute(
    HttpClientRequest.put(t.path).pipe(
      HttpClientRequest.setUrlParams({ comp: "blocklist" }),
      HttpClientRequest.setHeaders({ ...t.blobHeaders, "x-ms-blob-content-md5": digest }),
      HttpClientRequest.setBody(HttpBody.text(blockListBody(ids), "application/xml"))
    ),
    { operation: t.operation, classify: classifyWrite(subject(t)) },
    ProviderHttp.headers
  ).pipe(Effect.map(({ headers }) => infoAfterPut(t.key, size, digest, t.contentType, t.metadata, headers)))

const tooManyBlocks = (t: Target) =>
  new InvalidInput({
    provider: t.http.provider,
    operation: t.operation,
    field: "partSize",
    reason: `the body needs more than ${MAX_BLOCKS} blocks of ${t.blockSize} bytes; use a larger partSize`
  })

/**
 * Uploads a Stream (or bytes longer than a block), as described in the
 * header. The HEAD comes first, so a missing container is NotFound before
 * the body is read.
 */
export const putStream = <E>(
  t: Target,
  body: Stream.Stream<Uint8Array, E>,
  options: { readonly copy: boolean }
): Effect.Effect<ObjectInfo, E | UploadError> =>
  Effect.gen(function*() {
    const { absentBefore } = yield* probe(t)
    return yield* Effect.scoped(Effect.gen(function*() {
      const whole = createHash("md5")
      let size = 0
      const next = blockReader(yield* Stream.toPull(body), t.blockSize, options.copy, (chunk) => {
        whole.update(chunk)
        size += chunk.byteLength
      })
      const permits = yield* Effect.makeSemaphore(t.concurrency)
      yield* permits.take(1)
      const first = yield* next
      if (Option.isNone(first) || first.value.last) {
        const bytes = Option.isNone(first) ? new Uint8Array(0) : first.value.bytes
        return yield* putBlob(t, bytes, whole.digest("base64"))
      }

      const upload = randomBytes(8).toString("hex")
      const ids: Array<string> = []
      let stored = 0
      const blocks = Effect.gen(function*() {
        const running = yield* FiberSet.make<void, UploadError>()
        const stage = (block: Block) =>
          Effect.suspend(() => {
            if (ids.length >= MAX_BLOCKS) return Effect.fail(tooManyBlocks(t))
            const id = blockId(upload, ids.length)
            ids.push(id)
            return FiberSet.run(
              running,
              putBlock(t, id, block.bytes).pipe(
                Effect.tap(() => Effect.sync(() => stored++)),
                Effect.ensuring(permits.release(1))
              )
            )
          })
        const readAll: Effect.Effect<void, E | UploadError> = Effect.gen(function*() {
          yield* stage(first.value)
          while (true) {
            yield* permits.take(1)
            const block = yield* next
            if (Option.isNone(block)) {
              yield* permits.release(1)
              return
            }
            yield* stage(block.value)
            if (block.value.last) return
          }
        })
        yield* Effect.raceFirst(
          Effect.zipRight(readAll, FiberSet.awaitEmpty(running)),
          FiberSet.join(running)
        )
        // awaitEmpty also ends when the last upload failed: its failure is in the set.
        if (stored !== ids.length) yield* FiberSet.join(running)
      }).pipe(Effect.scoped)

      return yield* blocks.pipe(
        Effect.zipRight(Effect.suspend(() => putBlockList(t, ids, size, whole.digest("base64")))),
        // The blocks' scope is closed (every Put Block interrupted and awaited) before this runs.
        Effect.onExit((exit) =>
          Exit.isFailure(exit) && ids.length > 0 && absentBefore !== undefined ? discardStaged(t, absentBefore) : Effect.void
        )
      )
    }))
  })
