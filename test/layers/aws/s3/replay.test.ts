/**
 * S3 behaviour no local server shows, on replayed answers written from the
 * S3 API reference: AWS addressing, region redirects, 200 answers carrying an
 * <Error>, SlowDown, garbage, integrity checks, and configuration.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { Replay } from "../../../../src/http/index.js"
import { S3 } from "../../../../src/layers/aws/index.js"
import { ObjectStorage } from "../../../../src/services/ObjectStorage.js"
import { collectBody, expectFailure, pattern, shape } from "../../../contract/ObjectStorage.js"
import { aws, credentials, errorXml, EU, fast, md5, MiB, replayed, xml } from "./replaySupport.js"

describe("S3 addressing and requests (replayed)", () => {
  it.live("virtual-hosted on AWS, LocationConstraint for the region, SigV4 on every request", () =>
    replayed(aws(), [
      { request: { method: "HEAD", url: `${EU}/` }, response: { status: 404 } },
      {
        request: {
          method: "PUT",
          url: `${EU}/`,
          body: /<LocationConstraint>eu-west-1<\/LocationConstraint>/,
          headers: { authorization: /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=.*host.*x-amz-content-sha256/ }
        },
        response: { status: 200, headers: { location: "http://photos.s3.amazonaws.com/" } }
      },
      // Keys keep "/" and are otherwise fully encoded; S3 signs that path as is.
      {
        request: { method: "PUT", url: `${EU}/a%20b/%2B%25%3F%23/%C3%BC%F0%9F%98%80`, headers: { "content-md5": /==$/, "x-amz-meta-color": "blue" } },
        response: { headers: { etag: `"${md5(new TextEncoder().encode("x"))}"`, date: "Wed, 12 Oct 2009 17:50:00 GMT" } }
      }
    ], ({ storage }) =>
      Effect.gen(function*() {
        expect((yield* storage.createContainer("photos")).name).toBe("photos")
        const put = yield* storage.putObject("photos", "a b/+%?#/ü😀", "x", { metadata: { color: "blue" } })
        expect(put).toMatchObject({ key: "a b/+%?#/ü😀", size: 1, metadata: { color: "blue" }, contentType: "application/octet-stream" })
      })))

  it.live("us-east-1 sends no LocationConstraint; dotted names over https and IP endpoints use path style", () =>
    Effect.gen(function*() {
      yield* replayed(aws({ region: "us-east-1" }), [
        { request: { method: "HEAD", url: "https://s3.us-east-1.amazonaws.com/my.dotted.bucket" }, response: { status: 404 } },
        { request: { method: "PUT", url: "https://s3.us-east-1.amazonaws.com/my.dotted.bucket", body: "" }, response: {} }
      ], ({ storage }) => storage.createContainer("my.dotted.bucket"))
      yield* replayed(aws({ endpoint: "http://127.0.0.1:9000" }), [
        { request: { method: "GET", url: "http://127.0.0.1:9000/b/k" }, response: { headers: { "content-length": "0" } } }
      ], ({ storage }) => storage.getObject("b", "k"))
      yield* replayed(aws({ endpoint: "http://minio.local:9000", forcePathStyle: true }), [
        { request: { method: "DELETE", url: "http://minio.local:9000/b/k" }, response: { status: 204 } }
      ], ({ storage }) => storage.deleteObject("b", "k"))
      yield* replayed(aws({ endpoint: "https://nyc3.digitaloceanspaces.com" }), [
        { request: { method: "DELETE", url: "https://bkt.nyc3.digitaloceanspaces.com/k" }, response: { status: 204 } }
      ], ({ storage }) => storage.deleteObject("bkt", "k"))
      // China regions live under amazonaws.com.cn.
      yield* replayed(aws({ region: "cn-north-1" }), [
        { request: { method: "DELETE", url: "https://bkt.s3.cn-north-1.amazonaws.com.cn/k" }, response: { status: 204 } }
      ], ({ storage }) => storage.deleteObject("bkt", "k"))
      // A one-letter (or otherwise not DNS-shaped) name cannot be a host label.
      yield* replayed(aws(), [
        { request: { method: "DELETE", url: "https://s3.eu-west-1.amazonaws.com/B_legacy/k" }, response: { status: 204 } }
      ], ({ storage }) => storage.deleteObject("B_legacy", "k"))
    }))

  it.live("layerConfig reads AWS_REGION, AWS_ENDPOINT_URL_S3 and the access keys (or their fallbacks)", () =>
    Effect.gen(function*() {
      const run = (env: Record<string, string>, url: string, scope: RegExp) =>
        Effect.gen(function*() {
          const s = yield* ObjectStorage
          yield* s.deleteObject("b", "k")
          const [request] = yield* Replay.requests
          expect(request!.url).toBe(url)
          expect(request!.headers["authorization"]).toMatch(scope)
        }).pipe(
          Effect.provide(S3.layerConfig().pipe(Layer.provideMerge(Replay.layer([{ request: { method: "DELETE" }, response: { status: 204 } }])))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      yield* run(
        { AWS_REGION: "eu-west-2", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9999", AWS_ENDPOINT_URL: "http://ignored", AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "secret" },
        "http://127.0.0.1:9999/b/k",
        /Credential=AKIDENV\/\d{8}\/eu-west-2\/s3\//
      )
      yield* run(
        { AWS_DEFAULT_REGION: "ap-south-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9998", AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "tok" },
        "http://127.0.0.1:9998/b/k",
        /Credential=AKIDENV\/\d{8}\/ap-south-1\/s3\/.*x-amz-security-token/
      )
      yield* run(
        { AWS_REGION: "sa-east-1", AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "secret" },
        "https://s3.sa-east-1.amazonaws.com/b/k",
        /\/sa-east-1\/s3\//
      )
    }))

  it.live("without credentials anywhere, a request fails with InvalidCredentials naming the sources, before sending", () =>
    replayed({ region: "eu-west-1" }, [], ({ storage }) =>
      Effect.gen(function*() {
        const e = yield* expectFailure(storage.deleteObject("b", "k"), "InvalidCredentials")
        expect(e).toMatchObject({ operation: "ObjectStorage.deleteObject" })
        expect(e.message).toContain("shared credentials file")
      })).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/cloudfx/credentials"]])))
      ))

  it.live("a configuration S3 cannot work with is InvalidInput on every operation, before any request", () =>
    Effect.gen(function*() {
      for (const [config, field] of [
        [aws({ endpoint: "not a url" }), "config.endpoint"],
        [aws({ endpoint: "ftp://host" }), "config.endpoint"],
        [aws({ partSize: 1024 }), "config.partSize"],
        [aws({ concurrency: 0 }), "config.concurrency"],
        [aws({ region: "eu west" }), "config.region"]
      ] as const) {
        yield* replayed(config, [], ({ s3, storage }) =>
          Effect.gen(function*() {
            expect(yield* expectFailure(storage.putObject("b", "k", "x"), "InvalidInput")).toMatchObject({ field })
            expect(yield* expectFailure(Stream.runDrain(storage.listObjects("b")), "InvalidInput")).toMatchObject({ field })
            expect(yield* expectFailure(s3.presign("b", "k", { expiresIn: "1 minute" }), "InvalidInput")).toMatchObject({ field })
            yield* expectFailure(storage.listContainers(), "ProviderError")
          }))
      }
    }))
})

describe("S3 errors (replayed)", () => {
  it.live("a bucket in another region: 301 PermanentRedirect, a HEAD's x-amz-bucket-region, 400 AuthorizationHeaderMalformed — each names the region", () =>
    replayed(aws(), [
      {
        request: { method: "GET", url: `${EU}/k` },
        response: {
          status: 301,
          headers: { "x-amz-bucket-region": "eu-central-1", "content-type": "application/xml" },
          body: errorXml(
            "PermanentRedirect",
            "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
            "<Endpoint>photos.s3.eu-central-1.amazonaws.com</Endpoint><Bucket>photos</Bucket>"
          )
        }
      },
      { request: { method: "HEAD", url: `${EU}` }, response: { status: 301, headers: { "x-amz-bucket-region": "ap-southeast-2" } } },
      {
        request: { method: "DELETE", url: `${EU}/k` },
        response: {
          status: 400,
          body: errorXml("AuthorizationHeaderMalformed", "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-west-2'", "<Region>us-west-2</Region>")
        }
      },
      {
        request: { method: "GET", url: `${EU}/k` },
        response: {
          status: 307,
          headers: { location: "https://photos.s3-us-east-2.amazonaws.com/k" },
          body: errorXml("TemporaryRedirect", "Please re-send this request to the specified temporary endpoint.", "<Endpoint>photos.s3-us-east-2.amazonaws.com</Endpoint>")
        }
      }
    ], ({ storage }) =>
      Effect.gen(function*() {
        const e1 = yield* expectFailure(storage.getObject("photos", "k"), "ProviderError")
        expect(e1).toMatchObject({ status: 301, code: "PermanentRedirect" })
        expect(e1.message).toContain("bucket \"photos\" is in region eu-central-1, not eu-west-1")
        const e2 = yield* expectFailure(storage.getContainer("photos"), "ProviderError")
        expect(e2.message).toContain("region ap-southeast-2")
        const e3 = yield* expectFailure(storage.deleteObject("photos", "k"), "ProviderError")
        expect(e3.message).toContain("region us-west-2")
        const e4 = yield* expectFailure(storage.getObject("photos", "k"), "ProviderError")
        expect(e4.message).toContain("region us-east-2")
      })))

  it.live("CompleteMultipartUpload answering 200 with an <Error>: InternalError is retried, then the upload completes", () => {
    const body = pattern(5 * MiB + 10, 3)
    return replayed(aws({ partSize: 5 * MiB }), [
      {
        request: { method: "POST", path: "/big", query: { uploads: "" } },
        response: { body: xml(`<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>photos</Bucket><Key>big</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>`) }
      },
      { request: { method: "PUT", query: { partNumber: "1", uploadId: "VXBsb2FkIElE" } }, response: { headers: { etag: `"${md5(body.subarray(0, 5 * MiB))}"` } } },
      { request: { method: "PUT", query: { partNumber: "2", uploadId: "VXBsb2FkIElE" } }, response: { headers: { etag: `"${md5(body.subarray(5 * MiB))}"` } } },
      {
        request: { method: "POST", query: { uploadId: "VXBsb2FkIElE" }, body: /<Part><PartNumber>1<\/PartNumber><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><\/Part><Part><PartNumber>2<\/PartNumber>/ },
        response: { status: 200, body: errorXml("InternalError", "We encountered an internal error. Please try again.") }
      },
      {
        request: { method: "POST", query: { uploadId: "VXBsb2FkIElE" } },
        response: {
          body: xml(`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${EU}/big</Location><Bucket>photos</Bucket><Key>big</Key><ETag>"3858f62230ac3c915f300c664312c11f-2"</ETag></CompleteMultipartUploadResult>`)
        }
      },
      {
        request: { method: "HEAD", url: `${EU}/big` },
        response: { headers: { "content-length": String(body.byteLength), etag: `"3858f62230ac3c915f300c664312c11f-2"`, "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" } }
      }
    ], ({ storage }) =>
      Effect.gen(function*() {
        const info = yield* storage.putObject("photos", "big", body)
        // A multipart ETag is not an MD5 mismatch.
        expect(info).toMatchObject({ size: body.byteLength, etag: "3858f62230ac3c915f300c664312c11f-2" })
      }), "match")
  })

  it.live("a part refused for good aborts the upload; a Complete error that is not transient fails it and aborts too", () => {
    const body = pattern(5 * MiB + 10, 4)
    const initiate = {
      request: { method: "POST", path: "/big", query: { uploads: "" } },
      response: { body: xml(`<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>`) }
    }
    const abort = { request: { method: "DELETE", query: { uploadId: "up-1" } }, response: { status: 204 } }
    return Effect.gen(function*() {
      yield* replayed(aws({ partSize: 5 * MiB }), [
        initiate,
        { request: { method: "PUT", query: { partNumber: "1" } }, response: { headers: { etag: "\"a\"" } } },
        { request: { method: "PUT", query: { partNumber: "2" } }, response: { status: 403, body: errorXml("AccessDenied", "Access Denied") } },
        abort
      ], ({ storage }) =>
        Effect.gen(function*() {
          yield* expectFailure(storage.putObject("photos", "big", body), "PermissionDenied")
          const requests = yield* Replay.requests
          expect(requests.at(-1)).toMatchObject({ method: "DELETE" })
        }), "match")
      yield* replayed(aws({ partSize: 5 * MiB }), [
        initiate,
        { request: { method: "PUT", query: { partNumber: "1" } }, response: { headers: { etag: "\"a\"" } } },
        { request: { method: "PUT", query: { partNumber: "2" } }, response: { headers: { etag: "\"b\"" } } },
        { request: { method: "POST", query: { uploadId: "up-1" } }, response: { body: errorXml("InvalidPart", "One or more of the specified parts could not be found.") } },
        abort
      ], ({ storage }) =>
        Effect.gen(function*() {
          const e = yield* expectFailure(storage.putObject("photos", "big", body), "ProviderError")
          expect(e).toMatchObject({ code: "InvalidPart" })
        }), "match")
    })
  })

  it.live("a body already in memory goes up in parts without copies, never more than `concurrency` at once", () => {
    const body = pattern(4 * 5 * MiB + 1, 6)
    let inFlight = 0
    let most = 0
    const counting = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(Replay.Replay, (replay) =>
        HttpClient.make((request) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              inFlight++
              most = Math.max(most, inFlight)
            }),
            () => replay.client.execute(request),
            () => Effect.sync(() => inFlight--)
          )
        ))
    )
    const part = (n: number): Replay.Exchange => ({
      request: { method: "PUT", query: { partNumber: String(n), uploadId: "u" } },
      response: { headers: { etag: `"p${n}"` }, delay: "30 millis" }
    })
    return Effect.gen(function*() {
      const s = yield* S3.make(aws({ partSize: 5 * MiB, concurrency: 2 }))
      const info = yield* s.putObject("photos", "big", body)
      expect(info.size).toBe(body.byteLength)
      expect(most).toBe(2)
      const parts = (yield* Replay.requests).filter((r) => r.url.includes("partNumber"))
      expect(parts.map((r) => r.body.byteLength).sort((a, b) => a - b)).toEqual([1, 5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB])
      yield* Replay.assertDone
    }).pipe(
      Effect.provide(Layer.provideMerge(counting, Replay.layer([
        { request: { method: "POST", query: { uploads: "" } }, response: { body: xml(`<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>`) } },
        part(1),
        part(2),
        part(3),
        part(4),
        part(5),
        { request: { method: "POST", query: { uploadId: "u" } }, response: { body: xml(`<CompleteMultipartUploadResult><ETag>"c-5"</ETag></CompleteMultipartUploadResult>`) } },
        { request: { method: "HEAD" }, response: { headers: { "content-length": String(body.byteLength), etag: "\"c-5\"" } } }
      ], { mode: "match" })))
    )
  })

  it.live("a multipart object whose stored size differs from what was sent is an IntegrityError", () => {
    const body = pattern(5 * MiB + 10, 5)
    return replayed(aws({ partSize: 5 * MiB }), [
      { request: { method: "POST", path: "/big", query: { uploads: "" } }, response: { body: xml(`<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>`) } },
      { request: { method: "PUT", query: { partNumber: "1" } }, response: { headers: { etag: "\"a\"" } } },
      { request: { method: "PUT", query: { partNumber: "2" } }, response: { headers: { etag: "\"b\"" } } },
      { request: { method: "POST", query: { uploadId: "u" } }, response: { body: xml(`<CompleteMultipartUploadResult><ETag>"c-2"</ETag></CompleteMultipartUploadResult>`) } },
      { request: { method: "HEAD" }, response: { headers: { "content-length": "5242880", etag: "\"c-2\"" } } },
      // The failed put aborts; the upload is already complete, so S3 says NoSuchUpload — that is fine.
      { request: { method: "DELETE", query: { uploadId: "u" } }, response: { status: 404, body: errorXml("NoSuchUpload", "The specified upload does not exist.") } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        const e = yield* expectFailure(storage.putObject("photos", "big", body), "IntegrityError")
        expect(e).toMatchObject({ expected: `${body.byteLength} bytes`, actual: "5242880 bytes" })
      }), "match")
  })

  it.live("single PUT: an ETag that is not the MD5 sent is an IntegrityError, unless the object is SSE-KMS encrypted", () =>
    replayed(aws(), [
      { request: { method: "PUT", url: `${EU}/k` }, response: { headers: { etag: "\"0123456789abcdef0123456789abcdef\"" } } },
      {
        request: { method: "PUT", url: `${EU}/kms`, headers: { "x-amz-server-side-encryption": "aws:kms" } },
        response: { headers: { etag: "\"fedcba9876543210fedcba9876543210\"", "x-amz-server-side-encryption": "aws:kms" } }
      },
      { request: { method: "PUT", url: `${EU}/noetag` }, response: {} }
    ], ({ s3, storage }) =>
      Effect.gen(function*() {
        const e = yield* expectFailure(storage.putObject("photos", "k", "content"), "IntegrityError")
        expect(e).toMatchObject({ expected: md5(new TextEncoder().encode("content")), actual: "0123456789abcdef0123456789abcdef" })
        const kms = yield* s3.putObject("photos", "kms", "content", { serverSideEncryption: "aws:kms" })
        expect(kms.extra["serverSideEncryption"]).toBe("aws:kms")
        yield* expectFailure(storage.putObject("photos", "noetag", "content"), "MalformedResponse")
      })))

  it.live("SlowDown (503) is retried and honours Retry-After; CopyObject's 200-with-<Error> is a failure", () =>
    replayed(aws({ retry: { ...fast, maxAttempts: 3 } }), [
      { request: { method: "PUT", url: `${EU}/k` }, response: { status: 503, headers: { "retry-after": "0" }, body: errorXml("SlowDown", "Please reduce your request rate.") } },
      { request: { method: "PUT", url: `${EU}/k` }, response: { status: 503, body: errorXml("SlowDown", "Please reduce your request rate.") } },
      { request: { method: "PUT", url: `${EU}/k` }, response: { headers: { etag: `"${md5(new TextEncoder().encode("x"))}"` } } },
      { request: { method: "HEAD", url: `${EU}/a%20b/%C3%BC` }, response: { headers: { "content-length": "10", etag: "\"e\"" } } },
      {
        request: { method: "PUT", url: `${EU}/copy`, headers: { "x-amz-copy-source": "/photos/a%20b/%C3%BC", "x-amz-metadata-directive": "COPY" } },
        response: { status: 200, body: errorXml("InternalError", "We encountered an internal error. Please try again.") },
        times: 3
      }
    ], ({ storage }) =>
      Effect.gen(function*() {
        yield* storage.putObject("photos", "k", "x")
        expect((yield* Replay.requests).length).toBe(3)
        const e = yield* expectFailure(
          storage.copyObject({ container: "photos", key: "a b/ü" }, { container: "photos", key: "copy" }),
          "ProviderError"
        )
        expect(e).toMatchObject({ code: "InternalError" })
      })))

  it.live("garbage where XML should be, and a truncated listing without a token, are MalformedResponse", () =>
    replayed(aws(), [
      { request: { method: "GET", query: { "list-type": "2" } }, response: { body: "<ListBucketResult><Contents><Key>a</Key>" } },
      { request: { method: "GET", query: { "list-type": "2" } }, response: { body: "<html>Service Unavailable</html>" } },
      {
        request: { method: "GET", query: { "list-type": "2" } },
        response: { body: xml(`<ListBucketResult><Name>photos</Name><IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>`) }
      },
      { request: { method: "GET", url: "https://s3.eu-west-1.amazonaws.com/" }, response: { body: "not xml at all" } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        yield* expectFailure(Stream.runDrain(storage.listObjects("photos")), "MalformedResponse")
        yield* expectFailure(Stream.runDrain(storage.listObjects("photos")), "MalformedResponse")
        const e = yield* expectFailure(Stream.runDrain(storage.listObjects("photos")), "MalformedResponse")
        expect(e.message).toContain("NextContinuationToken")
        yield* expectFailure(storage.listContainers(), "MalformedResponse")
      })))

  it.live("listings: url-encoded keys are decoded, pages are followed, objects and prefixes merge in key order", () =>
    replayed(aws(), [
      {
        request: { method: "GET", query: { "list-type": "2", "encoding-type": "url", delimiter: "/", "continuation-token": null } },
        response: {
          body: xml(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>photos</Name><Prefix></Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>with+space%2Bplus%01ctl</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"fba9dede5f27731c9771645a39863328"</ETag><Size>434234</Size><StorageClass>STANDARD_IA</StorageClass></Contents><CommonPrefixes><Prefix>dir+a%2F</Prefix></CommonPrefixes><Contents><Key>%C3%BC</Key><Size>0</Size></Contents></ListBucketResult>`)
        }
      },
      {
        request: { method: "GET", query: { "continuation-token": "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" } },
        response: { body: xml(`<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>zz%25</Key><Size>3</Size></Contents></ListBucketResult>`) }
      },
      // A server that ignores encoding-type (s3rver) sends keys as they are.
      { request: { method: "GET" }, response: { body: xml(`<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%20</Key><Size>1</Size></Contents></ListBucketResult>`) } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(storage.listObjects("photos", { delimiter: "/" })))
        expect(shape(entries)).toEqual([["prefix", "dir a/"], ["object", "with space+plus\u0001ctl"], ["object", "ü"], ["object", "zz%"]])
        expect(entries[1]).toMatchObject({ size: 434234, etag: "fba9dede5f27731c9771645a39863328", extra: { storageClass: "STANDARD_IA" } })
        const raw = Chunk.toReadonlyArray(yield* Stream.runCollect(storage.listObjects("photos")))
        expect(raw.map((e) => e.key)).toEqual(["a+b%20"])
      })))

  it.live("S3 codes → the taxonomy: exists, not empty, missing bucket or key, bad range, bad credentials", () =>
    replayed(aws(), [
      { request: { method: "HEAD" }, response: { status: 404 } },
      { request: { method: "PUT", url: `${EU}/` }, response: { status: 409, body: errorXml("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.") } },
      { request: { method: "HEAD" }, response: { status: 403 } },
      { request: { method: "PUT", url: `${EU}/` }, response: { status: 409, body: errorXml("BucketAlreadyExists", "The requested bucket name is not available.") } },
      { request: { method: "DELETE", url: `${EU}` }, response: { status: 409, body: errorXml("BucketNotEmpty", "The bucket you tried to delete is not empty") } },
      { request: { method: "GET", url: `${EU}/k` }, response: { status: 404, body: errorXml("NoSuchBucket", "The specified bucket does not exist") } },
      { request: { method: "GET", url: `${EU}/k` }, response: { status: 404, body: errorXml("NoSuchKey", "The specified key does not exist.") } },
      { request: { method: "HEAD", url: `${EU}/k` }, response: { status: 404 } },
      { request: { method: "HEAD", url: `${EU}` }, response: { status: 404 } },
      { request: { method: "GET", url: `${EU}/k`, headers: { range: "bytes=100-" } }, response: { status: 416, body: errorXml("InvalidRange", "The requested range is not satisfiable") } },
      { request: { method: "GET", url: `${EU}/k` }, response: { status: 403, body: errorXml("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.") } },
      { request: { method: "GET", url: `${EU}/k` }, response: { status: 403, body: errorXml("AccessDenied", "Access Denied") } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        yield* expectFailure(storage.createContainer("photos"), "AlreadyExists")
        yield* expectFailure(storage.createContainer("photos"), "AlreadyExists")
        yield* expectFailure(storage.deleteContainer("photos"), "Conflict")
        expect(yield* expectFailure(storage.getObject("photos", "k"), "NotFound")).toMatchObject({ resource: "container", id: "photos" })
        expect(yield* expectFailure(storage.getObject("photos", "k"), "NotFound")).toMatchObject({ resource: "object", id: "photos/k" })
        expect(yield* expectFailure(storage.headObject("photos", "k"), "NotFound")).toMatchObject({ resource: "container" })
        expect(yield* expectFailure(storage.getObject("photos", "k", { range: { start: 100 } }), "InvalidInput")).toMatchObject({ field: "range.start" })
        yield* expectFailure(storage.getObject("photos", "k"), "InvalidCredentials")
        yield* expectFailure(storage.getObject("photos", "k"), "PermissionDenied")
      })))

  it.live("a download streams its body; a range maps end-exclusive to HTTP's inclusive end", () => {
    const content = pattern(100, 9)
    return replayed(aws(), [
      {
        request: { method: "GET", url: `${EU}/k`, headers: { range: "bytes=10-19" } },
        response: {
          status: 206,
          headers: { "content-range": "bytes 10-19/100", "content-length": "10", etag: "\"e\"", "x-amz-meta-owner": "me", "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" },
          body: content.subarray(10, 20)
        }
      },
      // A server ignoring the Range sends the whole object: only the range is handed on.
      { request: { method: "GET", url: `${EU}/k`, headers: { range: "bytes=90-" } }, response: { status: 200, headers: { "content-length": "100" }, body: content } }
    ], ({ storage }) =>
      Effect.gen(function*() {
        const got = yield* storage.getObject("photos", "k", { range: { start: 10, end: 20 } })
        expect(got.info).toMatchObject({ size: 100, etag: "e", metadata: { owner: "me" } })
        expect(yield* collectBody(got.body)).toEqual(content.subarray(10, 20))
        const whole = yield* storage.getObject("photos", "k", { range: { start: 90 } })
        expect(yield* collectBody(whole.body)).toEqual(content.subarray(90))
      }))
  })

  it.live("enableCdn: a policy statement added to the bucket's policy; the ACL where the server has no policies", () =>
    Effect.gen(function*() {
      const existing = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Keep", Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::photos/*" }] })
      yield* replayed(aws(), [
        { request: { method: "GET", query: { policy: "" } }, response: { body: existing } },
        {
          request: {
            method: "PUT",
            query: { policy: "" },
            body: (b) => {
              const p = JSON.parse(new TextDecoder().decode(b)) as { Statement: Array<{ Sid: string; Action: Array<string> | string }> }
              return p.Statement.map((s) => s.Sid).join() === "Keep,CloudfxPublicRead" && p.Statement[1]!.Action[0] === "s3:GetObject"
            }
          },
          response: { status: 204 }
        }
      ], ({ storage }) =>
        Effect.gen(function*() {
          yield* storage.enableCdn("photos")
          expect(yield* storage.cdnUrl("photos", "a b.png")).toBe(`${EU}/a%20b.png`)
        }))
      yield* replayed(aws(), [
        { request: { method: "GET", query: { policy: "" } }, response: { status: 404, body: errorXml("NoSuchBucketPolicy", "The bucket policy does not exist") } },
        { request: { method: "PUT", query: { policy: "" } }, response: { status: 501, body: errorXml("NotImplemented", "A header you provided implies functionality that is not implemented") } },
        { request: { method: "PUT", query: { acl: "" }, headers: { "x-amz-acl": "public-read" } }, response: {} }
      ], ({ storage }) => storage.enableCdn("photos"))
      // Neither: Unsupported, though listed (the server said so).
      yield* replayed(aws({ publicAccess: "acl" }), [
        { request: { method: "PUT", query: { acl: "" } }, response: { status: 501, body: errorXml("NotImplemented", "not implemented") } }
      ], ({ storage }) => expectFailure(storage.enableCdn("photos"), "Unsupported"))
      yield* replayed(aws({ publicAccess: "none" }), [], ({ storage }) =>
        Effect.gen(function*() {
          expect(storage.provider.capabilities.has("storage.cdn")).toBe(false)
          yield* expectFailure(storage.enableCdn("photos"), "Unsupported")
        }))
      yield* replayed(aws({ ...S3.presets.digitalOceanSpaces({ region: "fra1", cdn: true }), credentials }), [], ({ storage }) =>
        Effect.map(storage.cdnUrl("photos", "k"), (url) => expect(url).toBe("https://photos.fra1.cdn.digitaloceanspaces.com/k")))
    }))

  it.live("presigned URLs: virtual-hosted, region-scoped, 1 s to 7 days, never the secret", () =>
    replayed(aws({ credentials: { ...credentials, sessionToken: Redacted.make("session-token") } }), [], ({ s3, storage }) =>
      Effect.gen(function*() {
        const url = new URL(yield* storage.signedUrl("photos", "a b", { method: "PUT", expiresIn: "7 days" }))
        expect(url.origin + url.pathname).toBe(`${EU}/a%20b`)
        expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/)
        expect(url.searchParams.get("X-Amz-Expires")).toBe("604800")
        expect(url.searchParams.get("X-Amz-Security-Token")).toBe("session-token")
        expect(url.toString()).not.toContain("wJalrXUtnFEMI")
        for (const expiresIn of ["0 seconds", "999 millis", "8 days", -1] as const) {
          expect(yield* expectFailure(storage.signedUrl("photos", "k", { expiresIn }), "InvalidInput")).toMatchObject({ field: "expiresIn" })
        }
        const typed = new URL(yield* s3.presign("photos", "k", { method: "PUT", expiresIn: "1 minute", contentType: "image/png", metadata: { Owner: "me" } }))
        expect(typed.searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host;x-amz-meta-owner")
        yield* expectFailure(s3.presign("photos", "k", { method: "POST" as "PUT", expiresIn: "1 minute" }), "InvalidInput")
      })))
})

describe("S3 presets", () => {
  it("each preset names its endpoint, region and public access", () => {
    expect(S3.presets.r2({ accountId: "abc", jurisdiction: "eu" })).toMatchObject({
      endpoint: "https://abc.eu.r2.cloudflarestorage.com",
      region: "auto",
      bucketLocation: null,
      publicAccess: "none"
    })
    expect(S3.presets.backblazeB2({ region: "us-west-004" })).toMatchObject({ endpoint: "https://s3.us-west-004.backblazeb2.com", region: "us-west-004", publicAccess: "acl" })
    expect(S3.presets.wasabi({ region: "eu-central-1" })).toMatchObject({ endpoint: "https://s3.eu-central-1.wasabisys.com", region: "eu-central-1" })
    expect(S3.presets.digitalOceanSpaces({ region: "nyc3" })).toMatchObject({ endpoint: "https://nyc3.digitaloceanspaces.com", region: "nyc3", publicAccess: "acl" })
    expect(S3.presets.minio()).toMatchObject({ endpoint: "http://127.0.0.1:9000", region: "us-east-1", forcePathStyle: true, publicAccess: "policy" })
    expect(S3.presets.cephRgw({ endpoint: "http://rgw:7480" })).toMatchObject({ region: "us-east-1", forcePathStyle: true })
  })

  it.live("R2 places buckets itself: CreateBucket sends no LocationConstraint", () =>
    replayed({ ...S3.presets.r2({ accountId: "acc" }), credentials }, [
      { request: { method: "HEAD", url: "https://acc.r2.cloudflarestorage.com/b" }, response: { status: 404 } },
      { request: { method: "PUT", url: "https://acc.r2.cloudflarestorage.com/b", body: "", headers: { authorization: /\/auto\/s3\/aws4_request/ } }, response: {} }
    ], ({ storage }) => storage.createContainer("b")))
})
