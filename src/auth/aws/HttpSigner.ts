/**
 * SigV4 over @effect/platform's `HttpClientRequest`: a request signer (header
 * form, with the S3 streaming scheme for stream bodies) and presigned URLs.
 *
 * What is signed is exactly what is sent:
 * - `host` is the request's `host` header when it has one, else the URL's
 *   `host` (`host[:port]`, the port left out when it is the scheme's default),
 *   which is what fetch/undici put on the wire;
 * - the query string is rewritten into the URL in strict RFC 3986 form (the
 *   platform would otherwise serialise `urlParams` with `URLSearchParams`,
 *   which writes a space as `+`);
 * - for S3 the path is put in strict form too (e.g. `$` → `%24`), so the
 *   canonical URI and the wire path are the same string.
 * The time comes from Effect's `Clock` (so `TestClock` controls it) unless a
 * clock is given.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Effect, Either, Option } from "effect"
import { InvalidInput } from "../../schemas/Errors.js"
import { canonicalQueryString, DEFAULT_UNSIGNED_HEADERS, type Pair, strictEncodedPath } from "./Canonical.js"
import { chunkedContentLength, chunkedStream, DEFAULT_CHUNK_SIZE } from "./Chunked.js"
import type { AwsCredentials } from "./Credentials.js"
import { sha256Hex } from "./Keys.js"
import { presignRequest, type Where } from "./Presign.js"
import { signHeaders, STREAMING_PAYLOAD, type SigningCredentials, UNSIGNED_PAYLOAD } from "./SigV4.js"

export interface SigV4SignerOptions {
  readonly credentials: AwsCredentials | SigningCredentials
  readonly region: string
  readonly service: string
  /** S3 rules (no path normalisation or double encoding; `x-amz-content-sha256` sent and signed). */
  readonly s3?: boolean | undefined
  /** Sign every payload as `UNSIGNED-PAYLOAD` instead of hashing it. */
  readonly unsignedPayload?: boolean | undefined
  /**
   * What to do with a `Stream` body (whose bytes are not known up front):
   * `"unsigned"` (default) signs it as `UNSIGNED-PAYLOAD`; `"chunked"` uses
   * S3's `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` scheme when the body's length is
   * known (S3 needs `x-amz-decoded-content-length`), else falls back to
   * `"unsigned"`.
   */
  readonly streamingBody?: "unsigned" | "chunked" | undefined
  /** Chunk size for the chunked scheme. Default 64 KiB. */
  readonly chunkSize?: number | undefined
  /** Default `true`. `false` sends `x-amz-security-token` unsigned, added after signing. */
  readonly signSessionToken?: boolean | undefined
  /**
   * Lower-case header names never signed. Default: `DEFAULT_UNSIGNED_HEADERS`
   * (hop-by-hop and proxy-rewritten headers, user-agent), plus
   * `content-length` for stream bodies.
   */
  readonly unsignedHeaders?: ReadonlySet<string> | undefined
  /** Overrides the `Clock` service for the signing time. */
  readonly clock?: Clock.Clock | undefined
}

/** The shape every cloudfx request signer has. */
export type RequestSigner = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientRequest.HttpClientRequest, never>

interface Prepared {
  readonly origin: string
  readonly path: string
  readonly query: Array<Pair>
  readonly headers: Array<Pair>
  readonly hadHost: boolean
}

const prepare = (request: HttpClientRequest.HttpClientRequest, s3: boolean): Prepared | undefined => {
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return undefined
  }
  const query: Array<Pair> = []
  for (const pair of url.searchParams) query.push(pair)
  for (const [k, v] of request.urlParams) if (v !== undefined) query.push([k, v])
  const headers: Array<Pair> = Object.entries(request.headers)
  const hadHost = request.headers["host"] !== undefined
  if (!hadHost) headers.push(["host", url.host])
  return {
    origin: url.protocol + "//" + url.host,
    path: s3 ? strictEncodedPath(url.pathname) : url.pathname,
    query,
    headers,
    hadHost
  }
}

const rebuild = (
  request: HttpClientRequest.HttpClientRequest,
  url: string,
  headers: ReadonlyArray<Pair>,
  hadHost: boolean,
  body: HttpBody.HttpBody
): HttpClientRequest.HttpClientRequest => {
  const record: Record<string, string> = {}
  for (const [k, v] of headers) {
    const name = k.toLowerCase()
    if (name === "host" && !hadHost) continue
    record[name] = v
  }
  let out = HttpClientRequest.make(request.method)(url).pipe(
    HttpClientRequest.setBody(body),
    HttpClientRequest.setHeaders(record)
  )
  if (Option.isSome(request.hash)) out = HttpClientRequest.setHash(out, request.hash.value)
  return out
}

const now = (clock: Clock.Clock | undefined) => (clock === undefined ? Clock.currentTimeMillis : clock.currentTimeMillis)

const withoutContentLength = (set: ReadonlySet<string>): ReadonlySet<string> => new Set([...set, "content-length"])

/**
 * A request signer: sets `x-amz-date`, `x-amz-content-sha256` (S3),
 * `x-amz-security-token` and `Authorization`. Bytes and string bodies are
 * hashed (a bytes body whose request already carries its lower-case hex
 * `x-amz-content-sha256` is trusted to match, and not hashed again); `FormData` and other opaque bodies are sent as `UNSIGNED-PAYLOAD`;
 * stream bodies as `UNSIGNED-PAYLOAD` or, with `streamingBody: "chunked"`, with
 * S3's chunk signatures. A request whose URL cannot be parsed is returned
 * unchanged: the HTTP client rejects it before anything is sent.
 */
export const sigV4Signer = (options: SigV4SignerOptions): RequestSigner => {
  const s3 = options.s3 === true
  const baseUnsigned = options.unsignedHeaders ?? DEFAULT_UNSIGNED_HEADERS
  // fetch drops Content-Length on stream bodies (it sends them with chunked
  // transfer-encoding), so by default it is not signed for them. An explicit
  // `unsignedHeaders` is used as given.
  const streamUnsigned = options.unsignedHeaders ?? withoutContentLength(DEFAULT_UNSIGNED_HEADERS)
  return (request) =>
    Effect.map(now(options.clock), (date) => {
      const prepared = prepare(request, s3)
      if (prepared === undefined) return request
      const params = { credentials: options.credentials, region: options.region, service: options.service, date }
      const sigOptions = {
        s3,
        unsignedPayload: options.unsignedPayload,
        signSessionToken: options.signSessionToken,
        unsignedHeaders: baseUnsigned
      }
      const signable = {
        method: request.method,
        path: prepared.path,
        pathEncoded: true,
        query: prepared.query,
        headers: prepared.headers
      }
      const url = prepared.origin + prepared.path +
        (prepared.query.length === 0 ? "" : "?" + canonicalQueryString(prepared.query))
      const body = request.body

      switch (body._tag) {
        case "Stream": {
          if (options.streamingBody === "chunked" && s3 && body.contentLength !== undefined) {
            const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
            const decodedLength = body.contentLength
            const encodedLength = chunkedContentLength(decodedLength, chunkSize)
            const encoding = request.headers["content-encoding"]
            const headers: Array<Pair> = prepared.headers.filter(([k]) => {
              const name = k.toLowerCase()
              return name !== "content-encoding" && name !== "content-length" && name !== "x-amz-decoded-content-length"
            })
            headers.push(
              ["content-encoding", encoding === undefined ? "aws-chunked" : "aws-chunked," + encoding],
              ["x-amz-decoded-content-length", String(decodedLength)],
              ["content-length", String(encodedLength)]
            )
            const seed = signHeaders(
              { ...signable, headers, payloadHash: STREAMING_PAYLOAD },
              params,
              { ...sigOptions, unsignedPayload: false, contentSha256Header: true, unsignedHeaders: streamUnsigned }
            )
            const framed = chunkedStream({
              secretAccessKey: options.credentials.secretAccessKey,
              amzDate: seed.amzDate,
              region: options.region,
              service: options.service,
              seedSignature: seed.signature,
              chunkSize,
              decodedLength
            })(body.stream)
            return rebuild(request, url, seed.headers, prepared.hadHost, HttpBody.stream(framed, body.contentType, encodedLength))
          }
          const signed = signHeaders({ ...signable, payloadHash: UNSIGNED_PAYLOAD }, params, {
            ...sigOptions,
            unsignedHeaders: streamUnsigned
          })
          return rebuild(request, url, signed.headers, prepared.hadHost, body)
        }
        case "Uint8Array": {
          // A caller that hashed the bytes already (an upload part, once, not per attempt) says so in the header.
          const given = request.headers["x-amz-content-sha256"]
          const payloadHash = options.unsignedPayload === true
            ? UNSIGNED_PAYLOAD
            : given !== undefined && /^[0-9a-f]{64}$/.test(given) ? given : sha256Hex(body.body)
          const signed = signHeaders(
            { ...signable, payloadHash },
            params,
            sigOptions
          )
          return rebuild(request, url, signed.headers, prepared.hadHost, body)
        }
        case "Raw": {
          const raw = body.body
          const hash = options.unsignedPayload !== true && (typeof raw === "string" || raw instanceof Uint8Array)
            ? sha256Hex(raw)
            : UNSIGNED_PAYLOAD
          const signed = signHeaders({ ...signable, payloadHash: hash }, params, sigOptions)
          return rebuild(request, url, signed.headers, prepared.hadHost, body)
        }
        case "FormData": {
          const signed = signHeaders({ ...signable, payloadHash: UNSIGNED_PAYLOAD }, params, sigOptions)
          return rebuild(request, url, signed.headers, prepared.hadHost, body)
        }
        default: {
          const signed = signHeaders(signable, params, sigOptions)
          return rebuild(request, url, signed.headers, prepared.hadHost, body)
        }
      }
    })
}

export interface PresignUrlOptions {
  readonly credentials: AwsCredentials | SigningCredentials
  readonly region: string
  readonly service: string
  /** Lifetime in whole seconds, 1 … 604800 (7 days); else `InvalidInput` (field `expiresIn`). */
  readonly expiresIn: number
  readonly s3?: boolean | undefined
  /** Default: `s3` (S3 presigned URLs use `UNSIGNED-PAYLOAD`). */
  readonly unsignedPayload?: boolean | undefined
  readonly signSessionToken?: boolean | undefined
  readonly unsignedHeaders?: ReadonlySet<string> | undefined
  readonly clock?: Clock.Clock | undefined
  /** Names the operation in an `InvalidInput` (e.g. `ObjectStorage.signedUrl`). */
  readonly where?: Where | undefined
}

/**
 * A presigned URL for the request (its method, URL, query and headers; `host`
 * is always signed). Whoever uses the URL must send the same method and the
 * signed headers. Fails with `InvalidInput` for an out-of-range `expiresIn`
 * or an unparseable URL.
 */
export const presignUrl = (options: PresignUrlOptions) =>
(request: HttpClientRequest.HttpClientRequest): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(now(options.clock), (date) => {
    const s3 = options.s3 === true
    const prepared = prepare(request, s3)
    const where = options.where ?? { provider: "aws", operation: "SigV4.presign" }
    if (prepared === undefined) {
      return Effect.fail(new InvalidInput({ ...where, field: "url", reason: "is not an absolute URL" }))
    }
    const body = request.body
    const payload = body._tag === "Uint8Array"
      ? { body: body.body }
      : body._tag === "Raw" && typeof body.body === "string"
      ? { body: body.body }
      : body._tag === "Empty"
      ? {}
      : { payloadHash: UNSIGNED_PAYLOAD }
    const result = presignRequest(
      {
        method: request.method,
        path: prepared.path,
        pathEncoded: true,
        query: prepared.query,
        headers: prepared.headers,
        ...payload
      },
      { credentials: options.credentials, region: options.region, service: options.service, date },
      {
        expiresIn: options.expiresIn,
        s3,
        unsignedPayload: options.unsignedPayload,
        signSessionToken: options.signSessionToken,
        unsignedHeaders: options.unsignedHeaders,
        where
      }
    )
    if (Either.isLeft(result)) return Effect.fail(result.left)
    const hash = Option.isSome(request.hash) ? "#" + request.hash.value : ""
    return Effect.succeed(prepared.origin + result.right.path + "?" + result.right.query + hash)
  })
