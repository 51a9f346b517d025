/**
 * The S3 SigV4 worked examples from the AWS S3 API Reference,
 * $CLOUDFX_VECTORS/aws-s3-sigv4-doc-examples/s3-sigv4-examples.json: header
 * GET with Range, PUT, GET ?lifecycle, list objects, presigned URL, chunked
 * upload (seed + 3 chunk signatures + framing + Content-Length) and the
 * aws-c-auth trailer signature. Each is checked through the pure core and,
 * where it maps onto an HttpClientRequest, through the adapter as well, with
 * the time set by TestClock.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Chunk, Effect, Either, Redacted, Stream, TestClock } from "effect"
import { it as effectIt } from "@effect/vitest"
import { join } from "node:path"
import { expect, it } from "vitest"
import { DEFAULT_UNSIGNED_HEADERS } from "../../../src/auth/aws/Canonical.js"
import {
  chunkedContentLength,
  chunkedStream,
  chunkHeader,
  chunkStringToSign,
  canonicalTrailer,
  makeChunkSigner,
  trailerSignature,
  trailerStringToSign
} from "../../../src/auth/aws/Chunked.js"
import { presignUrl, sigV4Signer } from "../../../src/auth/aws/HttpSigner.js"
import { sha256Hex } from "../../../src/auth/aws/Keys.js"
import { presignRequest } from "../../../src/auth/aws/Presign.js"
import { signHeaders, STREAMING_PAYLOAD } from "../../../src/auth/aws/SigV4.js"
import { describeVectors, parseAmzDate, parseQuery, read } from "./vectors.js"

interface DocCase {
  readonly name: string
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly region: string
  readonly service: string
  readonly amzDate: string
  readonly request: {
    readonly method: string
    readonly url: string
    readonly path: string
    readonly query: string
    readonly headers: ReadonlyArray<readonly [string, string]>
    readonly body: string | null
    readonly expiresSeconds?: number
  }
  readonly trailingHeaders?: ReadonlyArray<readonly [string, string]>
  readonly expected: Record<string, any>
}

/** The docs print `a,b` in Authorization; the SDKs (and cloudfx) print `a, b`. */
const normaliseAuthorization = (s: string) => s.replace(/,\s*/g, ", ")

const HEADER_CASES = ["get-object-range", "put-object", "get-bucket-lifecycle", "list-objects"]

describeVectors("S3 SigV4 worked examples (AWS docs)", "aws-s3-sigv4-doc-examples", (root) => {
  const doc = JSON.parse(read(join(root, "s3-sigv4-examples.json"))) as { cases: Array<DocCase> }
  const byName = (name: string) => {
    const c = doc.cases.find((c) => c.name === name)
    if (c === undefined) throw new Error(`case ${name} missing from the vectors`)
    return c
  }
  const credentials = (c: DocCase) => ({
    accessKeyId: c.credentials.accessKeyId,
    secretAccessKey: Redacted.make(c.credentials.secretAccessKey)
  })
  const params = (c: DocCase) => ({
    credentials: credentials(c),
    region: c.region,
    service: c.service,
    date: parseAmzDate(c.amzDate)
  })

  it("has the 7 expected cases", () => {
    expect(doc.cases.map((c) => c.name).sort()).toEqual([
      "chunked-upload-seed-and-chunks",
      "chunked-upload-trailing-headers-signature",
      "get-bucket-lifecycle",
      "get-object-range",
      "list-objects",
      "presigned-get-object",
      "put-object"
    ])
  })

  for (const name of HEADER_CASES) {
    it(`${name} (pure core)`, () => {
      const c = byName(name)
      const signed = signHeaders(
        {
          method: c.request.method,
          path: c.request.path,
          query: parseQuery(c.request.query),
          headers: c.request.headers,
          body: c.request.body ?? undefined
        },
        params(c),
        { s3: true }
      )
      expect(signed.canonicalRequest).toBe(c.expected["canonicalRequest"])
      expect(sha256Hex(signed.canonicalRequest)).toBe(c.expected["canonicalRequestSha256"])
      expect(signed.stringToSign).toBe(c.expected["stringToSign"])
      expect(signed.signature).toBe(c.expected["signature"])
      expect(signed.signedHeaders).toBe(c.expected["signedHeaders"])
      expect(signed.authorization).toBe(normaliseAuthorization(c.expected["authorization"]))
    })

    effectIt.effect(`${name} (HttpClientRequest adapter, TestClock)`, () =>
      Effect.gen(function*() {
        const c = byName(name)
        yield* TestClock.setTime(parseAmzDate(c.amzDate))
        let request = HttpClientRequest.make(c.request.method as "GET" | "PUT")(c.request.url)
        for (const [k, v] of c.request.headers) {
          // host comes from the URL; x-amz-* are the signer's to set.
          if (k.toLowerCase() === "host" || k.toLowerCase().startsWith("x-amz-date")) continue
          if (k.toLowerCase() === "x-amz-content-sha256") continue
          request = HttpClientRequest.setHeader(request, k, v)
        }
        if (c.request.body !== null && c.request.body !== "") {
          request = HttpClientRequest.setBody(request, HttpBody.text(c.request.body))
        }
        const sign = sigV4Signer({
          credentials: credentials(c),
          region: c.region,
          service: c.service,
          s3: true,
          // The docs sign neither the content-type nor the content-length the platform adds for a body.
          unsignedHeaders: new Set([...DEFAULT_UNSIGNED_HEADERS, "content-type", "content-length"])
        })
        const signed = yield* sign(request)
        expect(signed.headers["authorization"]).toBe(normaliseAuthorization(c.expected["authorization"]))
        expect(signed.headers["x-amz-date"]).toBe(c.amzDate)
        expect(signed.headers["x-amz-content-sha256"]).toBe(
          c.request.headers.find(([k]) => k === "x-amz-content-sha256")![1]
        )
        // The URL sent is the canonical one: strict path, strict query, no separate urlParams.
        expect(signed.urlParams).toEqual([])
        const canonical = (c.expected["canonicalRequest"] as string).split("\n")
        const expectedUrl = "https://" + c.request.headers.find(([k]) => k === "Host")![1] + canonical[1] +
          (canonical[2] === "" ? "" : "?" + canonical[2])
        expect(signed.url).toBe(expectedUrl)
      }))
  }

  it("presigned-get-object (pure core)", () => {
    const c = byName("presigned-get-object")
    const presigned = Either.getOrThrow(
      presignRequest(
        { method: c.request.method, path: c.request.path, headers: c.request.headers },
        params(c),
        { s3: true, expiresIn: c.request.expiresSeconds! }
      )
    )
    expect(presigned.payloadHash).toBe("UNSIGNED-PAYLOAD")
    expect(presigned.canonicalRequest).toBe(c.expected["canonicalRequest"])
    expect(sha256Hex(presigned.canonicalRequest)).toBe(c.expected["canonicalRequestSha256"])
    expect(presigned.stringToSign).toBe(c.expected["stringToSign"])
    expect(presigned.signature).toBe(c.expected["signature"])
    expect(presigned.signedHeaders).toBe(c.expected["signedHeaders"])
    expect("https://examplebucket.s3.amazonaws.com" + presigned.path + "?" + presigned.query).toBe(c.expected["url"])
  })

  effectIt.effect("presigned-get-object (presignUrl, TestClock)", () =>
    Effect.gen(function*() {
      const c = byName("presigned-get-object")
      yield* TestClock.setTime(parseAmzDate(c.amzDate))
      const url = yield* presignUrl({
        credentials: credentials(c),
        region: c.region,
        service: c.service,
        s3: true,
        expiresIn: c.request.expiresSeconds!
      })(HttpClientRequest.get(c.request.url))
      expect(url).toBe(c.expected["url"])
    }))

  const chunked = () => {
    const c = byName("chunked-upload-seed-and-chunks")
    const seed = signHeaders(
      {
        method: c.request.method,
        path: c.request.path,
        headers: c.request.headers,
        payloadHash: STREAMING_PAYLOAD
      },
      params(c),
      { s3: true }
    )
    return { c, seed }
  }
  const unescapeCrlf = (s: string) => s.replace(/\\r\\n/g, "\r\n")

  it("chunked upload: seed signature", () => {
    const { c, seed } = chunked()
    expect(seed.canonicalRequest).toBe(c.expected["canonicalRequest"])
    expect(sha256Hex(seed.canonicalRequest)).toBe(c.expected["canonicalRequestSha256"])
    expect(seed.stringToSign).toBe(c.expected["stringToSign"])
    expect(seed.signature).toBe(c.expected["signature"])
    expect(seed.signedHeaders).toBe(c.expected["signedHeaders"])
    expect(seed.authorization).toBe(normaliseAuthorization(c.expected["authorization"]))
  })

  it("chunked upload: the 3 chunk signatures, chained (65536 B, 1024 B, final empty)", () => {
    const { c, seed } = chunked()
    const signer = makeChunkSigner({
      secretAccessKey: Redacted.make(c.credentials.secretAccessKey),
      amzDate: seed.amzDate,
      region: c.region,
      service: c.service,
      seedSignature: seed.signature
    })
    const chunks = c.expected["chunks"] as Array<Record<string, any>>
    expect(chunks.length).toBe(3)
    for (const chunk of chunks) {
      const data = new Uint8Array(chunk["dataLength"]).fill(0x61)
      expect(signer.previousSignature).toBe(chunk["previousSignature"])
      expect(sha256Hex(data)).toBe(chunk["dataSha256"])
      expect(chunkStringToSign(seed.amzDate, seed.credentialScope, signer.previousSignature, sha256Hex(data))).toBe(
        chunk["stringToSign"]
      )
      const signature = signer.sign(data)
      expect(signature).toBe(chunk["signature"])
      expect(chunkHeader(data.length, signature)).toBe(unescapeCrlf(chunk["encodedChunkHeader"]))
    }
  })

  it("chunked upload: Content-Length 66824 for 66560 decoded bytes", () => {
    const { c } = chunked()
    expect(chunkedContentLength(66560, 65536)).toBe(c.expected["encodedContentLength"])
    expect(c.request.headers.find(([k]) => k === "Content-Length")![1]).toBe("66824")
  })

  /** The exact bytes the docs example sends. */
  const expectedBody = (chunks: Array<Record<string, any>>): Uint8Array => {
    const parts = chunks.map((chunk) =>
      Buffer.concat([
        Buffer.from(unescapeCrlf(chunk["encodedChunkHeader"]), "latin1"),
        Buffer.alloc(chunk["dataLength"], 0x61),
        Buffer.from("\r\n")
      ])
    )
    return new Uint8Array(Buffer.concat(parts))
  }

  effectIt.effect("chunked upload: the Stream transformer re-chunks odd pieces into the docs' exact body", () =>
    Effect.gen(function*() {
      const { c, seed } = chunked()
      // 66560 bytes of 'a' arriving in awkward pieces (one empty), none aligned to the chunk size.
      const pieces = [1000, 30000, 0, 5, 35531, 24]
      const total = pieces.reduce((a, b) => a + b, 0)
      expect(total).toBe(66560)
      const input = Stream.fromIterable(pieces.map((n) => new Uint8Array(n).fill(0x61)))
      const frames = yield* input.pipe(
        chunkedStream({
          secretAccessKey: Redacted.make(c.credentials.secretAccessKey),
          amzDate: seed.amzDate,
          region: c.region,
          service: c.service,
          seedSignature: seed.signature,
          chunkSize: 65536,
          decodedLength: 66560
        }),
        Stream.runCollect
      )
      const body = Buffer.concat(Chunk.toReadonlyArray(frames))
      expect(frames.length).toBe(3)
      expect(body.length).toBe(66824)
      expect(body.equals(Buffer.from(expectedBody(c.expected["chunks"])))).toBe(true)
    }))

  effectIt.effect("chunked upload: through sigV4Signer (streamingBody: chunked, TestClock)", () =>
    Effect.gen(function*() {
      const { c } = chunked()
      yield* TestClock.setTime(parseAmzDate(c.amzDate))
      const data = Stream.fromIterable([new Uint8Array(40000).fill(0x61), new Uint8Array(26560).fill(0x61)])
      const request = HttpClientRequest.put(c.request.url).pipe(
        HttpClientRequest.setHeader("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        HttpClientRequest.bodyStream(data, { contentLength: 66560 })
      )
      const signed = yield* sigV4Signer({
        credentials: credentials(c),
        region: c.region,
        service: c.service,
        s3: true,
        streamingBody: "chunked",
        // As in the docs: content-length signed, the platform's content-type not.
        unsignedHeaders: new Set([...DEFAULT_UNSIGNED_HEADERS, "content-type"])
      })(request)
      expect(signed.headers["authorization"]).toBe(normaliseAuthorization(c.expected["authorization"]))
      expect(signed.headers["content-length"]).toBe("66824")
      expect(signed.headers["content-encoding"]).toBe("aws-chunked")
      expect(signed.headers["x-amz-decoded-content-length"]).toBe("66560")
      expect(signed.headers["x-amz-content-sha256"]).toBe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
      expect(signed.body._tag).toBe("Stream")
      if (signed.body._tag !== "Stream") return
      expect(signed.body.contentLength).toBe(66824)
      const frames = yield* Stream.runCollect(signed.body.stream)
      const body = Buffer.concat(Chunk.toReadonlyArray(frames))
      expect(body.equals(Buffer.from(expectedBody(c.expected["chunks"])))).toBe(true)
    }))

  it("chunked upload with trailing headers: AWS4-HMAC-SHA256-TRAILER signature (aws-c-auth)", () => {
    const c = byName("chunked-upload-trailing-headers-signature")
    const trailers = c.trailingHeaders!
    const ctx = {
      secretAccessKey: Redacted.make(c.credentials.secretAccessKey),
      amzDate: c.amzDate,
      region: c.region,
      service: c.service
    }
    const scope = `${c.amzDate.slice(0, 8)}/${c.region}/${c.service}/aws4_request`
    expect(canonicalTrailer(trailers)).toBe(c.expected["canonicalTrailer"])
    expect(sha256Hex(canonicalTrailer(trailers))).toBe(c.expected["canonicalTrailerSha256"])
    expect(trailerStringToSign(c.amzDate, scope, c.expected["previousSignature"], trailers)).toBe(
      c.expected["stringToSign"]
    )
    expect(trailerSignature(ctx, c.expected["previousSignature"], trailers)).toBe(c.expected["signature"])
    // …and previousSignature is the final-chunk signature of the docs chain above.
    const chunks = byName("chunked-upload-seed-and-chunks").expected["chunks"] as Array<Record<string, any>>
    expect(chunks[2]!["signature"]).toBe(c.expected["previousSignature"])
  })
})
