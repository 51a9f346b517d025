/**
 * copyObject's requests on replayed answers shaped as the S3 API reference
 * documents them (CopyObject, UploadPartCopy, CreateMultipartUpload,
 * CompleteMultipartUpload, AbortMultipartUpload):
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Replay } from "../../../../src/http/index.js"
import { partRanges, partSizeFor } from "../../../../src/layers/aws/s3/copy.js"
import { expectFailure } from "../../../contract/ObjectStorage.js"
import { aws, errorXml, EU, MiB, replayed, xml } from "./replaySupport.js"

const GiB = 1024 * MiB
const ARCHIVE = "https://archive.s3.eu-west-1.amazonaws.com"
/** "a b/+%?#/ü😀 (1)'s" as a path: "/" kept, everything not unreserved percent-encoded (UTF-8), "!'()*" included. */
const SOURCE_KEY = "a b/+%?#/ü😀 (1)'s"
const SOURCE_PATH = "a%20b/%2B%25%3F%23/%C3%BC%F0%9F%98%80%20%281%29%27s"
const SOURCE_ETAG = "\"9b2cf535f27731c974343645a3985328-2\""
const SOURCE_DATE = "Wed, 12 Oct 2009 17:50:00 GMT"
const UPLOAD_ID = "VXBsb2FkIElEIGZvciBjb3B5"

const small = { multipartCopyThreshold: 5 * MiB, copyPartSize: 5 * MiB }

const headSource = (size: number, headers: Record<string, string> = {}, times = 1): Replay.Exchange => ({
  request: { method: "HEAD", url: `${EU}/${SOURCE_PATH}` },
  response: {
    headers: {
      "content-length": String(size),
      etag: SOURCE_ETAG,
      "last-modified": SOURCE_DATE,
      "content-type": "image/png",
      ...headers
    }
  },
  times
})

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html (response syntax)
const initiate = (headers: Replay.RequestMatcher["headers"] = {}): Replay.Exchange => ({
  request: { method: "POST", url: `${ARCHIVE}/c/d%20e?uploads=`, headers },
  response: {
    body: xml(`<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>archive</Bucket><Key>c/d e</Key><UploadId>${UPLOAD_ID}</UploadId></InitiateMultipartUploadResult>`)
  }
})

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html (response syntax)
const copyPartResult = (etag: string) =>
  xml(`<CopyPartResult><LastModified>2009-10-28T22:32:00.000Z</LastModified><ETag>"${etag}"</ETag></CopyPartResult>`)

const partCopy = (partNumber: number, range: string, response: Replay.Exchange["response"], times = 1): Replay.Exchange => ({
  request: {
    method: "PUT",
    path: "/c/d%20e",
    query: { partNumber: String(partNumber), uploadId: UPLOAD_ID },
    headers: {
      "x-amz-copy-source": `/photos/${SOURCE_PATH}`,
      "x-amz-copy-source-range": range,
      "x-amz-copy-source-if-unmodified-since": SOURCE_DATE,
      "x-amz-copy-source-if-match": null,
      "x-amz-metadata-directive": null
    }
  },
  response,
  times
})

const completeOk = (body: RegExp | undefined, etag: string): Replay.Exchange => ({
  request: { method: "POST", query: { uploadId: UPLOAD_ID }, ...(body === undefined ? {} : { body }) },
  response: {
    body: xml(`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${ARCHIVE}/c/d%20e</Location><Bucket>archive</Bucket><Key>c/d e</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`)
  }
})

const headTarget = (size: number, etag: string, headers: Record<string, string> = {}): Replay.Exchange => ({
  request: { method: "HEAD", url: `${ARCHIVE}/c/d%20e` },
  response: { headers: { "content-length": String(size), etag: `"${etag}"`, "last-modified": "Wed, 28 Oct 2009 22:32:00 GMT", ...headers } }
})

const abort: Replay.Exchange = { request: { method: "DELETE", url: `${ARCHIVE}/c/d%20e?uploadId=${UPLOAD_ID}` }, response: { status: 204 } }

const from = { container: "photos", key: SOURCE_KEY }
const to = { container: "archive", key: "c/d e" }

describe("S3 copyObject (replayed)", () => {
  it.live("above the threshold: HEAD, CreateMultipartUpload carrying the source's headers, ranged UploadPartCopy pinned to its date, HEAD again, Complete", () => {
    const size = 12 * MiB + 1
    return replayed(aws({ ...small, concurrency: 2 }), [
      headSource(size, {
        "x-amz-meta-owner": "me",
        "cache-control": "max-age=60",
        "content-disposition": "attachment; filename=\"x.png\"",
        "content-language": "en",
        "x-amz-storage-class": "GLACIER_IR",
        "x-amz-version-id": "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"
      }, 2),
      initiate({
        "content-type": "image/png",
        "x-amz-meta-owner": "me",
        "cache-control": "max-age=60",
        "content-disposition": "attachment; filename=\"x.png\"",
        "content-language": "en",
        // Not carried: a new object takes the bucket's defaults, as CopyObject's would.
        "x-amz-storage-class": null,
        "x-amz-version-id": null,
        etag: null
      }),
      partCopy(1, "bytes=0-5242879", { body: copyPartResult("b54357faf0632cce46e942fa68356b38") }),
      partCopy(2, "bytes=5242880-10485759", { body: copyPartResult("2b0b3e3a8a7c1f0cc3d0a4a2a2cf8e11") }),
      partCopy(3, "bytes=10485760-12582912", { body: copyPartResult("93b885adfe0da089cdf634904fd59f71") }),
      completeOk(
        /<Part><PartNumber>1<\/PartNumber><ETag>&quot;b54357faf0632cce46e942fa68356b38&quot;<\/ETag><\/Part><Part><PartNumber>2<\/PartNumber><ETag>&quot;2b0b3e3a8a7c1f0cc3d0a4a2a2cf8e11&quot;<\/ETag><\/Part><Part><PartNumber>3<\/PartNumber><ETag>&quot;93b885adfe0da089cdf634904fd59f71&quot;<\/ETag><\/Part><\/CompleteMultipartUpload>$/,
        "1f0b1e7e0a0bc3f7d1bc3c4c0f6d2e8a-3"
      ),
      headTarget(size, "1f0b1e7e0a0bc3f7d1bc3c4c0f6d2e8a-3", { "content-type": "image/png", "x-amz-meta-owner": "me" })
    ], ({ storage }) =>
      Effect.gen(function*() {
        const info = yield* storage.copyObject(from, to)
        expect(info).toMatchObject({
          key: "c/d e",
          size,
          etag: "1f0b1e7e0a0bc3f7d1bc3c4c0f6d2e8a-3",
          contentType: "image/png",
          metadata: { owner: "me" }
        })
        const requests = yield* Replay.requests
        // The source is read again once the parts are copied, before they are joined.
        expect(requests.map((r) => r.method)).toEqual(["HEAD", "POST", "PUT", "PUT", "PUT", "HEAD", "POST", "HEAD"])
        // Part copies carry no body: the server reads the source itself.
        for (const r of requests.filter((r) => r.method === "PUT")) expect(r.body.byteLength).toBe(0)
      }), "match")
  })

  it.live("up to the threshold (inclusive): one CopyObject with the COPY directive, then a HEAD of the copy", () =>
    replayed(aws(small), [
      headSource(5 * MiB),
      {
        request: {
          method: "PUT",
          url: `${ARCHIVE}/c/d%20e`,
          headers: { "x-amz-copy-source": `/photos/${SOURCE_PATH}`, "x-amz-metadata-directive": "COPY", "x-amz-copy-source-range": null }
        },
        // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (response syntax)
        response: { body: xml(`<CopyObjectResult><LastModified>2009-10-28T22:32:00.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>`) }
      },
      headTarget(5 * MiB, "9b2cf535f27731c974343645a3985328", { "content-type": "image/png" })
    ], ({ storage }) =>
      Effect.gen(function*() {
        const info = yield* storage.copyObject(from, to)
        expect(info).toMatchObject({ size: 5 * MiB, etag: "9b2cf535f27731c974343645a3985328", contentType: "image/png" })
      })))

  it.live("the defaults: 5 GiB is one CopyObject, 6 GiB is 62 parts of 100 MiB", () =>
    Effect.gen(function*() {
      yield* replayed(aws(), [
        headSource(5 * GiB),
        {
          request: { method: "PUT", url: `${ARCHIVE}/c/d%20e`, headers: { "x-amz-metadata-directive": "COPY" } },
          response: { body: xml(`<CopyObjectResult><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>`) }
        },
        headTarget(5 * GiB, "9b2cf535f27731c974343645a3985328")
      ], ({ storage }) => storage.copyObject(from, to))
      const size = 6 * GiB
      const requests = yield* replayed(aws(), [
        headSource(size, {}, 2),
        initiate(),
        {
          request: { method: "PUT", query: { uploadId: UPLOAD_ID }, headers: { "x-amz-copy-source": `/photos/${SOURCE_PATH}` } },
          response: { body: copyPartResult("b54357faf0632cce46e942fa68356b38") },
          times: 62
        },
        completeOk(/<PartNumber>62<\/PartNumber>/, "1f0b1e7e0a0bc3f7d1bc3c4c0f6d2e8a-62"),
        headTarget(size, "1f0b1e7e0a0bc3f7d1bc3c4c0f6d2e8a-62")
      ], ({ storage }) => Effect.zipRight(storage.copyObject(from, to), Replay.requests), "match")
      const ranges = requests
        .filter((r) => r.method === "PUT")
        .map((r) => [Number(new URL(r.url).searchParams.get("partNumber")), r.headers["x-amz-copy-source-range"]] as const)
        .sort(([a], [b]) => a - b)
      expect(ranges.length).toBe(62)
      expect(ranges[0]).toEqual([1, `bytes=0-${100 * MiB - 1}`])
      expect(ranges[1]).toEqual([2, `bytes=${100 * MiB}-${200 * MiB - 1}`])
      expect(ranges[61]).toEqual([62, `bytes=${61 * 100 * MiB}-${size - 1}`])
    }))

  it("parts grow to fit 10,000 for the largest objects; ranges cover the source exactly", () => {
    expect(partSizeFor(6 * GiB, 100 * MiB)).toBe(100 * MiB)
    // 5 TiB / 10,000 = 524.288 MiB → 525 MiB, 9,987 parts.
    const fiveTiB = 5 * 1024 * GiB
    const partSize = partSizeFor(fiveTiB, 100 * MiB)
    expect(partSize).toBe(525 * MiB)
    const ranges = partRanges(fiveTiB, partSize)
    expect(ranges.length).toBe(9987)
    expect(ranges.at(-1)).toEqual({ partNumber: 9987, first: 9986 * partSize, last: fiveTiB - 1 })
    let next = 0
    for (const r of ranges) {
      expect(r.first).toBe(next)
      next = r.last + 1
    }
    expect(next).toBe(fiveTiB)
    expect(partRanges(1, 5 * MiB)).toEqual([{ partNumber: 1, first: 0, last: 0 }])
  })

  it.live("UploadPartCopy answering 200 with an <Error>: InternalError is retried for that part, then the copy completes", () => {
    const size = 10 * MiB
    return replayed(aws(small), [
      headSource(size, {}, 2),
      initiate(),
      partCopy(1, "bytes=0-5242879", { body: copyPartResult("aa") }),
      partCopy(2, "bytes=5242880-10485759", { body: errorXml("InternalError", "We encountered an internal error. Please try again.") }),
      partCopy(2, "bytes=5242880-10485759", { body: copyPartResult("bb") }),
      completeOk(/<PartNumber>1<\/PartNumber><ETag>&quot;aa&quot;.*<PartNumber>2<\/PartNumber><ETag>&quot;bb&quot;/, "cc-2"),
      headTarget(size, "cc-2")
    ], ({ storage }) =>
      Effect.gen(function*() {
        expect(yield* storage.copyObject(from, to)).toMatchObject({ size, etag: "cc-2" })
        const parts = (yield* Replay.requests).filter((r) => r.method === "PUT").map((r) => new URL(r.url).searchParams.get("partNumber"))
        expect(parts.sort()).toEqual(["1", "2", "2"])
      }), "match")
  })

  it.live("an <Error> that is not transient, a 412 (source replaced), a 404 NoSuchKey: the copy fails and the upload is aborted", () =>
    Effect.gen(function*() {
      const size = 10 * MiB
      const failing = (response: Replay.Exchange["response"]) => [
        headSource(size),
        initiate(),
        partCopy(1, "bytes=0-5242879", { body: copyPartResult("aa") }),
        partCopy(2, "bytes=5242880-10485759", response),
        abort
      ]
      const lastIsAbort = Effect.map(Replay.requests, (rs) => expect(rs.at(-1)).toMatchObject({ method: "DELETE" }))
      yield* replayed(aws(small), failing({ body: errorXml("AccessDenied", "Access Denied") }), ({ storage }) =>
        Effect.gen(function*() {
          expect(yield* expectFailure(storage.copyObject(from, to), "ProviderError")).toMatchObject({ code: "AccessDenied", operation: "ObjectStorage.copyObject" })
          yield* lastIsAbort
        }), "match")
      yield* replayed(
        aws(small),
        failing({ status: 412, body: errorXml("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", "<Condition>x-amz-copy-source-If-Unmodified-Since</Condition>") }),
        ({ storage }) =>
          Effect.gen(function*() {
            const e = yield* expectFailure(storage.copyObject(from, to), "ProviderError")
            expect(e).toMatchObject({ status: 412, code: "PreconditionFailed" })
            expect(e.message).toContain("was replaced during the copy")
            yield* lastIsAbort
          }),
        "match"
      )
      yield* replayed(aws(small), failing({ status: 404, body: errorXml("NoSuchKey", "The specified key does not exist.") }), ({ storage }) =>
        Effect.gen(function*() {
          expect(yield* expectFailure(storage.copyObject(from, to), "NotFound")).toMatchObject({ resource: "object", id: `photos/${SOURCE_KEY}` })
          yield* lastIsAbort
        }), "match")
    }))

  it.live("a source whose ETag changed by the time the parts are copied (same-second replacement): no Complete, the upload aborted", () => {
    const size = 10 * MiB
    return replayed(aws(small), [
      headSource(size),
      initiate(),
      partCopy(1, "bytes=0-5242879", { body: copyPartResult("aa") }),
      partCopy(2, "bytes=5242880-10485759", { body: copyPartResult("bb") }),
      headSource(size, { etag: "\"0f343b0931126a20f133d67c2b018a3b\"" }),
      abort
    ], ({ storage }) =>
      Effect.gen(function*() {
        const e = yield* expectFailure(storage.copyObject(from, to), "ProviderError")
        expect(e).toMatchObject({ status: 412, code: "PreconditionFailed" })
        expect(e.message).toContain("was replaced during the copy")
        expect((yield* Replay.requests).some((r) => r.method === "POST" && r.url.includes("uploadId="))).toBe(false)
      }), "match")
  })

  it.live("missing source key, source bucket or target bucket: NotFound naming which", () =>
    replayed(aws(small), [
      { request: { method: "HEAD", url: `${EU}/${SOURCE_PATH}` }, response: { status: 404 } },
      { request: { method: "HEAD", url: `${EU}` }, response: { status: 200 } },
      { request: { method: "HEAD", url: `${EU}/${SOURCE_PATH}` }, response: { status: 404 } },
      { request: { method: "HEAD", url: `${EU}` }, response: { status: 404 } },
      headSource(6 * MiB),
      {
        request: { method: "POST", url: `${ARCHIVE}/c/d%20e?uploads=` },
        response: { status: 404, body: errorXml("NoSuchBucket", "The specified bucket does not exist") }
      },
      headSource(1),
      {
        request: { method: "PUT", url: `${ARCHIVE}/c/d%20e` },
        response: { status: 404, body: errorXml("NoSuchBucket", "The specified bucket does not exist") }
      },
      { request: { method: "HEAD", url: ARCHIVE }, response: { status: 404 } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        expect(yield* expectFailure(storage.copyObject(from, to), "NotFound")).toMatchObject({ resource: "object", id: `photos/${SOURCE_KEY}` })
        expect(yield* expectFailure(storage.copyObject(from, to), "NotFound")).toMatchObject({ resource: "container", id: "photos" })
        expect(yield* expectFailure(storage.copyObject(from, to), "NotFound")).toMatchObject({ resource: "container", id: "archive" })
        expect(yield* expectFailure(storage.copyObject(from, to), "NotFound")).toMatchObject({ resource: "container", id: "archive" })
      })))

  it.live("copy settings S3 cannot work with are InvalidInput before any request", () =>
    Effect.gen(function*() {
      for (const [overrides, field] of [
        [{ multipartCopyThreshold: 5 * GiB + 1 }, "config.multipartCopyThreshold"],
        [{ multipartCopyThreshold: -1 }, "config.multipartCopyThreshold"],
        [{ multipartCopyThreshold: 1.5 }, "config.multipartCopyThreshold"],
        [{ copyPartSize: 5 * MiB - 1 }, "config.copyPartSize"],
        [{ copyPartSize: 5 * GiB + 1 }, "config.copyPartSize"]
      ] as const) {
        yield* replayed(aws(overrides), [], ({ storage }) =>
          Effect.map(expectFailure(storage.copyObject(from, to), "InvalidInput"), (e) => expect(e).toMatchObject({ field })))
      }
    }))
})
