/**
 * S3 streaming upload signing (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
 * "aws-chunked" content encoding).
 *
 * The request headers are signed once with the literal payload hash
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` plus `content-encoding: aws-chunked`
 * and `x-amz-decoded-content-length`: that signature is the *seed*. The body is
 * then sent as frames `hex(size);chunk-signature=<sig>\r\n<data>\r\n`, each
 * chunk signature chaining the previous one, ending with an empty chunk.
 */
import { Chunk, Redacted, Stream } from "effect"
import { InvalidInput } from "../../schemas/Errors.js"
import type { Pair } from "./Canonical.js"
import { EMPTY_SHA256, hmacSha256Hex, sha256Hex, signingKey } from "./Keys.js"

export const STREAMING_PAYLOAD_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
export const TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER"

/** The chunk size S3 documents as typical (64 KiB). Every chunk but the last is this size. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024
/** S3 rejects non-final chunks smaller than 8 KiB. */
export const MIN_CHUNK_SIZE = 8 * 1024

/** `;chunk-signature=` + 64 hex digits + CRLF, after the hex size. */
const SIGNATURE_EXTENSION_LENGTH = ";chunk-signature=".length + 64 + 2

/** String to sign for one chunk, chained on the previous signature (the seed for the first). */
export const chunkStringToSign = (
  amzDate: string,
  scope: string,
  previousSignature: string,
  chunkSha256: string
): string =>
  STREAMING_PAYLOAD_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + EMPTY_SHA256 +
  "\n" + chunkSha256

/** What chaining chunk signatures needs: the secret (still `Redacted`), the scope and the seed. */
export interface ChunkSigningContext {
  readonly secretAccessKey: Redacted.Redacted<string>
  /** `YYYYMMDDTHHMMSSZ`, the same as the seed request's `x-amz-date`. */
  readonly amzDate: string
  readonly region: string
  readonly service: string
  /** The seed request's signature. */
  readonly seedSignature: string
}

const scopeOf = (ctx: Omit<ChunkSigningContext, "seedSignature" | "secretAccessKey">) =>
  ctx.amzDate.slice(0, 8) + "/" + ctx.region + "/" + ctx.service + "/aws4_request"

/** The signature of one chunk given the previous signature. */
export const chunkSignature = (
  ctx: Omit<ChunkSigningContext, "seedSignature">,
  previousSignature: string,
  chunk: Uint8Array
): string =>
  hmacSha256Hex(
    signingKey(ctx.secretAccessKey, ctx.amzDate.slice(0, 8), ctx.region, ctx.service),
    chunkStringToSign(ctx.amzDate, scopeOf(ctx), previousSignature, chunk.length === 0 ? EMPTY_SHA256 : sha256Hex(chunk))
  )

/** `hex(size);chunk-signature=<sig>\r\n` */
export const chunkHeader = (size: number, signature: string): string =>
  size.toString(16) + ";chunk-signature=" + signature + "\r\n"

/** One framed chunk: header, data, CRLF, in a single buffer. */
export const frameChunk = (data: Uint8Array, signature: string): Uint8Array => {
  const header = chunkHeader(data.length, signature)
  const out = new Uint8Array(header.length + data.length + 2)
  // The header is ASCII: one byte per character.
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i)
  out.set(data, header.length)
  out[out.length - 2] = 13
  out[out.length - 1] = 10
  return out
}

/** Encoded length of one frame holding `size` data bytes. */
export const framedChunkLength = (size: number): number =>
  size.toString(16).length + SIGNATURE_EXTENSION_LENGTH + size + 2

/**
 * The `Content-Length` of the aws-chunked body for `decodedLength` bytes cut
 * into `chunkSize` chunks (the last one shorter), plus the final empty chunk.
 * E.g. 66560 bytes in 64 KiB chunks → 66824.
 */
export const chunkedContentLength = (decodedLength: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number => {
  if (!Number.isSafeInteger(decodedLength) || decodedLength < 0) throw new RangeError("decodedLength must be a non-negative integer")
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError("chunkSize must be a positive integer")
  const full = Math.floor(decodedLength / chunkSize)
  const rest = decodedLength % chunkSize
  return full * framedChunkLength(chunkSize) + (rest > 0 ? framedChunkLength(rest) : 0) + framedChunkLength(0)
}

/**
 * A stateful chunk signer: each call signs the next chunk, chaining from the
 * seed. `final()` signs the terminating empty chunk.
 */
export const makeChunkSigner = (ctx: ChunkSigningContext) => {
  let previous = ctx.seedSignature
  return {
    /** The last signature produced (the seed before any chunk). */
    get previousSignature() {
      return previous
    },
    sign(chunk: Uint8Array): string {
      previous = chunkSignature(ctx, previous, chunk)
      return previous
    },
    /** Sign and frame a chunk. */
    frame(chunk: Uint8Array): Uint8Array {
      previous = chunkSignature(ctx, previous, chunk)
      return frameChunk(chunk, previous)
    }
  }
}

export interface ChunkedStreamOptions extends ChunkSigningContext {
  /** Bytes per chunk (all but the last). Default 64 KiB; at least 8 KiB. */
  readonly chunkSize?: number | undefined
  /**
   * The declared `x-amz-decoded-content-length`. When given, the stream fails
   * with `InvalidInput` (field `body`) if it does not produce exactly that
   * many bytes (S3 would reject the upload anyway, after all the bytes).
   */
  readonly decodedLength?: number | undefined
  readonly where?: { readonly provider: string; readonly operation: string } | undefined
}

/**
 * Turn a byte stream into the signed aws-chunked body: re-chunks to
 * `chunkSize`, signs and frames each chunk, and ends with the signed empty
 * chunk. Memory stays bounded by one chunk buffer plus the frames of the
 * input element being processed.
 */
export const chunkedStream = (options: ChunkedStreamOptions) =>
<E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | InvalidInput, R> =>
  Stream.suspend(() => {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
    if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
      return Stream.fail(
        new InvalidInput({
          ...(options.where ?? { provider: "aws", operation: "SigV4.chunked" }),
          field: "chunkSize",
          reason: `must be a whole number of bytes, at least ${MIN_CHUNK_SIZE}`
        })
      )
    }
    const signer = makeChunkSigner(options)
    const buffer = new Uint8Array(chunkSize)
    let filled = 0
    let total = 0

    const framesOf = (input: Uint8Array): Array<Uint8Array> => {
      const frames: Array<Uint8Array> = []
      total += input.length
      let offset = 0
      while (offset < input.length) {
        if (filled === 0 && input.length - offset >= chunkSize) {
          // A whole chunk straight from the input, no copy into the buffer.
          frames.push(signer.frame(input.subarray(offset, offset + chunkSize)))
          offset += chunkSize
          continue
        }
        const take = Math.min(chunkSize - filled, input.length - offset)
        buffer.set(input.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (filled === chunkSize) {
          frames.push(signer.frame(buffer))
          filled = 0
        }
      }
      return frames
    }

    const end = Stream.suspend(() => {
      if (options.decodedLength !== undefined && total !== options.decodedLength) {
        return Stream.fail(
          new InvalidInput({
            ...(options.where ?? { provider: "aws", operation: "SigV4.chunked" }),
            field: "body",
            reason: `the stream produced ${total} bytes, but ${options.decodedLength} were declared`
          })
        )
      }
      const last: Array<Uint8Array> = []
      if (filled > 0) last.push(signer.frame(buffer.subarray(0, filled)))
      const final = signer.frame(new Uint8Array(0))
      // The body ends with the final chunk's frame: "0;chunk-signature=…\r\n\r\n".
      last.push(final)
      return Stream.fromChunk(Chunk.unsafeFromArray(last))
    })

    return self.pipe(
      Stream.mapChunks((chunk) => {
        const out: Array<Uint8Array> = []
        for (const input of chunk) for (const frame of framesOf(input)) out.push(frame)
        return Chunk.unsafeFromArray(out)
      }),
      Stream.concat(end)
    )
  })

// ---------------------------------------------------------------------------
// Trailing headers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)

/** `name:value\n` per trailer, names lower-cased, sorted, values trimmed. */
export const canonicalTrailer = (trailers: ReadonlyArray<Pair>): string =>
  trailers
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => k + ":" + v + "\n")
    .join("")

export const trailerStringToSign = (
  amzDate: string,
  scope: string,
  previousSignature: string,
  trailers: ReadonlyArray<Pair>
): string =>
  TRAILER_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" +
  sha256Hex(canonicalTrailer(trailers))

/** The `x-amz-trailer-signature` over the trailing headers, chained on the final chunk's signature. */
export const trailerSignature = (
  ctx: Omit<ChunkSigningContext, "seedSignature">,
  previousSignature: string,
  trailers: ReadonlyArray<Pair>
): string =>
  hmacSha256Hex(
    signingKey(ctx.secretAccessKey, ctx.amzDate.slice(0, 8), ctx.region, ctx.service),
    trailerStringToSign(ctx.amzDate, scopeOf(ctx), previousSignature, trailers)
  )
