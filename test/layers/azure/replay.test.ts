/**
 * Azure Blob behaviour Azurite does not show, on responses written from the Blob service REST reference
 * (learn.microsoft.com/rest/api/storageservices): asynchronous copies (pending → success / failed / aborted),
 * ServerBusy with Retry-After, ContainerBeingDeleted, Encoded blob names, error codes, and malformed answers.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Fiber, Redacted, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"
import { Replay } from "../../../src/http/index.js"
import type { RateLimited } from "../../../src/schemas/Errors.js"
import { AzureBlob } from "../../../src/layers/azure/index.js"
import { collectBody, expectFailure } from "../../contract/ObjectStorage.js"

const endpoint = "https://acct.blob.core.windows.net"
const key = Buffer.alloc(64, 3).toString("base64")
const BOM = "\uFEFF"

/** Headers every Blob service response carries. */
const common = (extra: Record<string, string> = {}): Record<string, string> => ({
  "x-ms-request-id": "3a8d6b2e-601e-0012-2b5d-0c1a34000000",
  "x-ms-version": "2021-08-06",
  date: "Mon, 27 Jan 2025 10:00:00 GMT",
  server: "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0",
  ...extra
})

const errorBody = (code: string, message: string, extra = "") =>
  `${BOM}<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:3a8d6b2e-601e-0012-2b5d-0c1a34000000\nTime:2025-01-27T10:00:00.0000000Z</Message>${extra}</Error>`

const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => ({
  status,
  headers: common({ "x-ms-error-code": code, "content-type": "application/xml", ...headers }),
  body: errorBody(code, message)
})

const md5Base64 = (s: string) => createHash("md5").update(s).digest("base64")
const md5Hex = (s: string) => createHash("md5").update(s).digest("hex")

const blobHeaders = (content: string, extra: Record<string, string> = {}) =>
  common({
    "content-length": String(Buffer.byteLength(content)),
    "content-type": "text/plain",
    "content-md5": md5Base64(content),
    etag: "\"0x8DD3EC2B5A5C8F1\"",
    "last-modified": "Mon, 27 Jan 2025 09:59:58 GMT",
    "x-ms-blob-type": "BlockBlob",
    "x-ms-creation-time": "Mon, 27 Jan 2025 09:59:58 GMT",
    "x-ms-access-tier": "Hot",
    "x-ms-meta-owner": "me",
    ...extra
  })

const setup = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<AzureBlob.AzureBlobConfig> = {}, mode: "sequence" | "match" = "sequence") =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges, { mode })
    const services = yield* AzureBlob.makeServices({
      account: "acct",
      key: Redacted.make(key),
      endpoint,
      retry: { jitter: 0 },
      ...config
    }).pipe(Effect.provideService(HttpClient.HttpClient, replay.client))
    return { ...services, replay }
  })

/** Runs `self` while the TestClock moves on far enough for every wait. */
const withTime = <A, E, R>(self: Effect.Effect<A, E, R>, by: Duration.DurationInput = Duration.minutes(5)) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const signed = { authorization: /^SharedKey acct:[A-Za-z0-9+/]+=*$/, "x-ms-version": "2021-08-06" }

describe("azure blob on recorded responses: copy", () => {
  const content = "hello world"
  const source = { method: "HEAD", url: `${endpoint}/src/dir/a%20b.txt` }
  const start = {
    method: "PUT",
    url: `${endpoint}/dst/copy.txt`,
    headers: { ...signed, "x-ms-copy-source": `${endpoint}/src/dir/a%20b.txt` }
  }
  const pending = (progress: string) => ({
    request: { method: "HEAD", url: `${endpoint}/dst/copy.txt` },
    response: {
      status: 200,
      headers: blobHeaders("", { "x-ms-copy-id": "c0py-1d", "x-ms-copy-status": "pending", "x-ms-copy-progress": progress })
    }
  })
  const accepted = {
    request: start,
    response: {
      status: 202,
      headers: common({
        etag: "\"0x8DD3EC2B5A5C900\"",
        "last-modified": "Mon, 27 Jan 2025 10:00:00 GMT",
        "x-ms-copy-id": "c0py-1d",
        "x-ms-copy-status": "pending"
      })
    }
  }

  it.effect("a pending copy is polled until x-ms-copy-status is success", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: source, response: { status: 200, headers: blobHeaders(content) } },
        accepted,
        pending("0/11"),
        pending("5/11"),
        {
          request: { method: "HEAD", url: `${endpoint}/dst/copy.txt` },
          response: { status: 200, headers: blobHeaders(content, { "x-ms-copy-id": "c0py-1d", "x-ms-copy-status": "success", "x-ms-copy-progress": "11/11" }) }
        },
        { request: { method: "HEAD", url: `${endpoint}/dst/copy.txt` }, response: { status: 200, headers: blobHeaders(content, { "x-ms-copy-status": "success" }) } }
      ])
      const fiber = yield* Effect.fork(storage.copyObject({ container: "src", key: "dir/a b.txt" }, { container: "dst", key: "copy.txt" }))
      yield* TestClock.adjust("100 millis")
      // The first poll came at once, the next waits 500 ms.
      expect((yield* replay.requests).length).toBe(3)
      yield* TestClock.adjust("500 millis")
      expect((yield* replay.requests).length).toBe(4)
      yield* TestClock.adjust("1 second")
      const info = yield* Fiber.join(fiber)
      expect(info).toMatchObject({ key: "copy.txt", size: 11, etag: md5Hex(content), contentType: "text/plain", metadata: { owner: "me" } })
      expect(info.extra).toMatchObject({ azureEtag: "0x8DD3EC2B5A5C8F1", copyStatus: "success" })
      yield* replay.assertDone
    }))

  it.effect("a copy that ends failed is a ProviderError with the service's description", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: source, response: { status: 200, headers: blobHeaders(content) } },
        accepted,
        pending("0/11"),
        {
          request: { method: "HEAD", url: `${endpoint}/dst/copy.txt` },
          response: {
            status: 200,
            headers: blobHeaders("", {
              "x-ms-copy-id": "c0py-1d",
              "x-ms-copy-status": "failed",
              "x-ms-copy-status-description": "500 InternalError \"Copy failed when reading the source.\""
            })
          }
        }
      ])
      const e = yield* withTime(expectFailure(storage.copyObject({ container: "src", key: "dir/a b.txt" }, { container: "dst", key: "copy.txt" }), "ProviderError"))
      expect(e).toMatchObject({ code: "CopyFailed", operation: "ObjectStorage.copyObject" })
      expect(e.message).toContain("Copy failed when reading the source")
      yield* replay.assertDone
    }))

  it.effect("a copy still pending after copyTimeout is aborted (Abort Copy Blob) and fails", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: source, response: { status: 200, headers: blobHeaders(content) } },
        accepted,
        { ...pending("1/11"), times: Infinity },
        {
          request: {
            method: "PUT",
            url: `${endpoint}/dst/copy.txt?comp=copy&copyid=c0py-1d`,
            headers: { ...signed, "x-ms-copy-action": "abort" }
          },
          response: { status: 204, headers: common() }
        }
      ], { copyTimeout: "20 seconds" }, "match")
      const e = yield* withTime(expectFailure(storage.copyObject({ container: "src", key: "dir/a b.txt" }, { container: "dst", key: "copy.txt" }), "ProviderError"))
      expect(e).toMatchObject({ code: "CopyTimeout" })
      const requests = yield* replay.requests
      expect(requests.at(-1)).toMatchObject({ method: "PUT", url: `${endpoint}/dst/copy.txt?comp=copy&copyid=c0py-1d` })
      // Polled with back-off: 0, 0.5, 1.5, 3.5, 7.5, then every 5 s until 20 s.
      expect(requests.filter((r) => r.method === "HEAD").length).toBe(1 + 7)
      yield* replay.assertDone
    }))

  it.effect("interrupting copyObject while the copy is pending aborts the copy", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: source, response: { status: 200, headers: blobHeaders(content) } },
        accepted,
        { ...pending("1/11"), times: Infinity },
        {
          request: { method: "PUT", url: `${endpoint}/dst/copy.txt?comp=copy&copyid=c0py-1d`, headers: { "x-ms-copy-action": "abort" } },
          response: { status: 204, headers: common() }
        }
      ], {}, "match")
      const fiber = yield* Effect.fork(storage.copyObject({ container: "src", key: "dir/a b.txt" }, { container: "dst", key: "copy.txt" }))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.interrupt(fiber)
      expect((yield* replay.requests).at(-1)).toMatchObject({ method: "PUT", headers: { "x-ms-copy-action": "abort" } })
      yield* replay.assertDone
    }))

  it.effect("the source is looked at first: a missing source container or blob is NotFound naming it", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: source, response: { status: 404, headers: common({ "x-ms-error-code": "ContainerNotFound" }) } },
        { request: source, response: { status: 404, headers: common({ "x-ms-error-code": "BlobNotFound" }) } },
        { request: source, response: { status: 200, headers: blobHeaders(content) } },
        { request: start, response: error(404, "ContainerNotFound", "The specified container does not exist.") }
      ])
      const copy = storage.copyObject({ container: "src", key: "dir/a b.txt" }, { container: "dst", key: "copy.txt" })
      expect(yield* expectFailure(copy, "NotFound")).toMatchObject({ resource: "container", id: "src" })
      expect(yield* expectFailure(copy, "NotFound")).toMatchObject({ resource: "object", id: "src/dir/a b.txt" })
      expect(yield* expectFailure(copy, "NotFound")).toMatchObject({ resource: "container", id: "dst" })
      yield* replay.assertDone
    }))
})

describe("azure blob on recorded responses: throttling and transient states", () => {
  it.effect("ServerBusy (503) with Retry-After is retried after the wait asked for", () =>
    Effect.gen(function*() {
      const content = "x".repeat(20)
      const { replay, storage } = yield* setup([
        {
          request: { method: "GET", url: `${endpoint}/box/k` },
          response: error(503, "ServerBusy", "The server is busy.", { "retry-after": "3" })
        },
        {
          request: { method: "GET", url: `${endpoint}/box/k` },
          response: error(503, "ServerBusy", "Ingress is over the account limit.", { "retry-after": "1" })
        },
        { request: { method: "GET", url: `${endpoint}/box/k`, headers: signed }, response: { status: 200, headers: blobHeaders(content), body: content } }
      ])
      const fiber = yield* Effect.fork(storage.getObject("box", "k"))
      yield* TestClock.adjust("2900 millis")
      expect((yield* replay.requests).length).toBe(1)
      yield* TestClock.adjust("200 millis")
      expect((yield* replay.requests).length).toBe(2)
      yield* TestClock.adjust("2 seconds")
      const got = yield* Fiber.join(fiber)
      expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe(content)
      yield* replay.assertDone
    }))

  it.effect("ServerBusy that lasts past the retries is RateLimited with its Retry-After", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: { method: "GET", url: `${endpoint}/?comp=list&maxresults=5000` }, response: error(503, "ServerBusy", "The server is busy.", { "retry-after": "1" }), times: 2 }
      ], { retry: { maxAttempts: 2, jitter: 0 } })
      const e = yield* withTime(expectFailure(storage.listContainers(), "RateLimited"))
      expect((e as RateLimited).retryAfter).toEqual(Duration.seconds(1))
      yield* replay.assertDone
    }))

  it.effect("creating a container Azure is still deleting (409 ContainerBeingDeleted) is retried until it can be", () =>
    Effect.gen(function*() {
      const put = { method: "PUT", url: `${endpoint}/logs-2025?restype=container` }
      const { replay, storage } = yield* setup([
        { request: put, response: error(409, "ContainerBeingDeleted", "The specified container is being deleted. Try operation later."), times: 2 },
        { request: put, response: { status: 201, headers: common({ etag: "\"0x8DD3EC2B5A5C8F1\"", "last-modified": "Mon, 27 Jan 2025 10:00:04 GMT" }) } }
      ])
      const fiber = yield* Effect.fork(storage.createContainer("logs-2025"))
      yield* TestClock.adjust("3 seconds")
      expect((yield* replay.requests).length).toBe(2)
      yield* TestClock.adjust("2 seconds")
      expect((yield* Fiber.join(fiber)).name).toBe("logs-2025")
      yield* replay.assertDone
    }))
})

describe("azure blob on recorded responses: listings", () => {
  const page = (blobs: string, marker: string) =>
    `${BOM}<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${endpoint}/" ContainerName="box"><Delimiter>/</Delimiter><MaxResults>2</MaxResults><Blobs>${blobs}</Blobs><NextMarker>${marker}</NextMarker></EnumerationResults>`
  const blob = (name: string, extra = "") =>
    `<Blob>${name}<Properties><Creation-Time>Mon, 27 Jan 2025 09:59:58 GMT</Creation-Time><Last-Modified>Mon, 27 Jan 2025 09:59:58 GMT</Last-Modified><Etag>0x8DD3EC2B5A5C8F1</Etag><Content-Length>3</Content-Length><Content-Type>text/plain</Content-Type><Content-MD5>${
      md5Base64("abc")
    }</Content-MD5><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><ServerEncrypted>true</ServerEncrypted></Properties>${extra}</Blob>`
  const listUrl = (marker?: string) =>
    `${endpoint}/box?restype=container&comp=list&include=metadata&delimiter=%2F&maxresults=2${marker === undefined ? "" : `&marker=${marker}`}`

  it.effect("pages are followed by NextMarker; Encoded names are decoded; a prefix repeated across pages is listed once", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        {
          request: { method: "GET", url: listUrl() },
          response: {
            status: 200,
            headers: common({ "content-type": "application/xml" }),
            // Blobs and prefixes come as separate runs; the listing is in key order.
            body: page(`${blob("<Name>b.txt</Name>", "<Metadata><cfx_x_dcount>3</cfx_x_dcount><Color>blue</Color></Metadata>")}<BlobPrefix><Name>a/</Name></BlobPrefix>`, "2!84!MDAwMDE")
          }
        },
        {
          request: { method: "GET", url: listUrl("2%2184%21MDAwMDE") },
          response: {
            status: 200,
            headers: common({ "content-type": "application/xml" }),
            body: page(`<BlobPrefix><Name>b/</Name></BlobPrefix>`, "2!84!MDAwMDI")
          }
        },
        {
          request: { method: "GET", url: listUrl("2%2184%21MDAwMDI") },
          response: {
            status: 200,
            headers: common({ "content-type": "application/xml" }),
            body: page(`${blob("<Name Encoded=\"true\">c%01%EF%BF%BE</Name>")}<BlobPrefix><Name>b/</Name></BlobPrefix><BlobPrefix><Name Encoded="true">d%02/</Name></BlobPrefix>`, "")
          }
        }
      ])
      const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(storage.listObjects("box", { delimiter: "/", pageSize: 2 })))
      expect(entries.map((e) => [e._tag, e.key])).toEqual([
        ["ObjectPrefix", "a/"],
        ["ObjectInfo", "b.txt"],
        ["ObjectPrefix", "b/"],
        ["ObjectInfo", "c\u0001\uFFFE"],
        ["ObjectPrefix", "d\u0002/"]
      ])
      expect(entries[1]).toMatchObject({ size: 3, etag: md5Hex("abc"), contentType: "text/plain", metadata: { "x-count": "3", color: "blue" } })
      yield* replay.assertDone
    }))
})

describe("azure blob on recorded responses: containers", () => {
  const containersPage = (names: ReadonlyArray<string>, marker: string) =>
    `${BOM}<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${endpoint}/"><MaxResults>5000</MaxResults><Containers>${
      names.map((n) =>
        `<Container><Name>${n}</Name><Properties><Last-Modified>Mon, 27 Jan 2025 09:00:00 GMT</Last-Modified><Etag>"0x8DD3EC2B5A5C8F1"</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>${
          n === "public" ? "<PublicAccess>blob</PublicAccess>" : ""
        }<HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties></Container>`
      ).join("")
    }</Containers><NextMarker>${marker}</NextMarker></EnumerationResults>`
  const list = `${endpoint}/?comp=list&maxresults=5000`

  it.effect("listContainers follows NextMarker to the end", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: { method: "GET", url: list, headers: signed }, response: { status: 200, headers: common({ "content-type": "application/xml" }), body: containersPage(["alpha", "public"], "/acct/public") } },
        { request: { method: "GET", url: `${list}&marker=%2Facct%2Fpublic` }, response: { status: 200, headers: common({ "content-type": "application/xml" }), body: containersPage(["zeta"], "") } }
      ])
      const containers = yield* storage.listContainers()
      expect(containers.map((c) => c.name)).toEqual(["alpha", "public", "zeta"])
      expect(containers[1]!.extra).toMatchObject({ publicAccess: "blob", azureEtag: "0x8DD3EC2B5A5C8F1" })
      expect(containers[0]!.extra).toMatchObject({ publicAccess: "none", lastModified: new Date("2025-01-27T09:00:00Z") })
      yield* replay.assertDone
    }))
})

describe("azure blob on recorded responses: malformed answers", () => {
  const xml = (body: string) => ({ status: 200, headers: common({ "content-type": "application/xml" }), body })
  const listBlobs = { method: "GET", url: `${endpoint}/box?restype=container&comp=list&include=metadata` }
  const listContainers = { method: "GET", url: `${endpoint}/?comp=list&maxresults=5000` }

  it.effect("garbage where XML should be is MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const bodies = [
        "<html><body>502 Bad Gateway</body></html",
        `${BOM}<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><Blob><Name>x</Name>`,
        "{\"value\": []}",
        "",
        `<EnumerationResults><Blobs><Blob><Name>x</Name><Properties><Content-Length>three</Content-Length></Properties></Blob></Blobs></EnumerationResults>`,
        `<EnumerationResults><Blobs><Blob><Properties><Content-Length>3</Content-Length></Properties></Blob></Blobs></EnumerationResults>`,
        `<EnumerationResults><Blobs><Blob><Name Encoded="true">%E0%A4%A</Name><Properties><Content-Length>3</Content-Length></Properties></Blob></Blobs></EnumerationResults>`
      ]
      const { replay, storage } = yield* setup(bodies.map((body) => ({ request: listBlobs, response: xml(body) })))
      for (const _ of bodies) {
        const e = yield* expectFailure(Stream.runDrain(storage.listObjects("box")), "MalformedResponse")
        expect(e).toMatchObject({ provider: "azure-blob", operation: "ObjectStorage.listObjects" })
      }
      yield* replay.assertDone
    }))

  it.effect("a listing, a HEAD or a Get Blob the models cannot be read from is MalformedResponse", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: listContainers, response: xml(`<EnumerationResults><Containers><Container><Properties/></Container></Containers></EnumerationResults>`) },
        // A marker handed back again would page forever.
        { request: listContainers, response: xml(`<EnumerationResults><Containers><Container><Name>a</Name></Container></Containers><NextMarker>m1</NextMarker></EnumerationResults>`) },
        { request: { method: "GET", url: `${listContainers.url}&marker=m1` }, response: xml(`<EnumerationResults><Containers/><NextMarker>m1</NextMarker></EnumerationResults>`) },
        { request: { method: "HEAD", url: `${endpoint}/box/k` }, response: { status: 200, headers: common({ etag: "\"0x1\"" }) } },
        {
          request: { method: "GET", url: `${endpoint}/box/k`, headers: { "x-ms-range": "bytes=2-" } },
          response: { status: 206, headers: common({ "content-length": "1", "content-range": "bytes 2-2" }), body: "c" }
        }
      ])
      yield* expectFailure(storage.listContainers(), "MalformedResponse")
      yield* expectFailure(storage.listContainers(), "MalformedResponse")
      yield* expectFailure(storage.headObject("box", "k"), "MalformedResponse")
      yield* expectFailure(storage.getObject("box", "k", { range: { start: 2 } }), "MalformedResponse")
      yield* replay.assertDone
    }))

  it.effect("a body that ends short, or whose bytes do not match the blob's Content-MD5, fails with IntegrityError", () =>
    Effect.gen(function*() {
      const { replay, storage } = yield* setup([
        { request: { method: "GET", url: `${endpoint}/box/k` }, response: { status: 200, headers: blobHeaders("hello"), body: "jello" } }
      ])
      const got = yield* storage.getObject("box", "k")
      const e = yield* expectFailure(collectBody(got.body), "IntegrityError")
      expect(e).toMatchObject({ key: "k", expected: `MD5 ${md5Hex("hello")}`, actual: `MD5 ${md5Hex("jello")}` })
      yield* replay.assertDone
    }))
})

describe("azure blob on recorded responses: error codes", () => {
  it.effect("Azure's error codes map onto the taxonomy", () =>
    Effect.gen(function*() {
      const authFailed = {
        status: 403,
        headers: common({ "x-ms-error-code": "AuthenticationFailed", "content-type": "application/xml" }),
        body: errorBody(
          "AuthenticationFailed",
          "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
          "<AuthenticationErrorDetail>The MAC signature found in the HTTP request 'c2lnbmF0dXJl' is not the same as any computed signature.</AuthenticationErrorDetail>"
        )
      }
      const { replay, storage } = yield* setup([
        { request: { method: "GET", url: `${endpoint}/?comp=list&maxresults=5000` }, response: authFailed },
        { request: { method: "HEAD", url: `${endpoint}/box/k` }, response: { status: 403, headers: common({ "x-ms-error-code": "AuthenticationFailed" }) } },
        {
          request: { method: "GET", url: `${endpoint}/box/k` },
          response: error(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.")
        },
        { request: { method: "HEAD", url: `${endpoint}/box/k` }, response: { status: 403, headers: common({ "x-ms-error-code": "AuthorizationFailure" }) } },
        {
          request: { method: "PUT", url: `${endpoint}/box/k`, headers: { "x-ms-blob-type": "BlockBlob", "content-md5": md5Base64("data") } },
          response: error(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
        },
        { request: { method: "GET", url: `${endpoint}/box/k`, headers: { "x-ms-range": "bytes=10-19" } }, response: error(416, "InvalidRange", "The range specified is invalid for the current size of the resource.") },
        { request: { method: "HEAD", url: `${endpoint}/gone/k` }, response: { status: 404, headers: common({ "x-ms-error-code": "ContainerNotFound" }) } },
        { request: { method: "HEAD", url: `${endpoint}/box/gone` }, response: { status: 404, headers: common({ "x-ms-error-code": "BlobNotFound" }) } },
        { request: { method: "PUT", url: `${endpoint}/box?restype=container` }, response: error(409, "ContainerAlreadyExists", "The specified container already exists.") },
        { request: { method: "GET", url: `${endpoint}/box?restype=container&comp=acl` }, response: xml(`${BOM}<?xml version="1.0" encoding="utf-8"?><SignedIdentifiers />`) },
        {
          request: { method: "PUT", url: `${endpoint}/box?restype=container&comp=acl`, headers: { "x-ms-blob-public-access": "blob" } },
          response: error(409, "PublicAccessNotPermitted", "Public access is not permitted on this storage account.")
        },
        { request: { method: "DELETE", url: `${endpoint}/box/k` }, response: error(500, "OperationTimedOut", "Operation could not be completed within the specified time."), times: 5 }
      ], { retry: { jitter: 0, maxAttempts: 5 } })
      const e1 = yield* expectFailure(storage.listContainers(), "InvalidCredentials")
      expect(e1.message).toContain("failed to authenticate")
      yield* expectFailure(storage.headObject("box", "k"), "InvalidCredentials")
      yield* expectFailure(storage.getObject("box", "k"), "PermissionDenied")
      yield* expectFailure(storage.headObject("box", "k"), "PermissionDenied")
      expect(yield* expectFailure(storage.putObject("box", "k", "data"), "IntegrityError")).toMatchObject({ key: "k" })
      expect(yield* expectFailure(storage.getObject("box", "k", { range: { start: 10, end: 20 } }), "InvalidInput")).toMatchObject({ field: "range.start" })
      expect(yield* expectFailure(storage.headObject("gone", "k"), "NotFound")).toMatchObject({ resource: "container", id: "gone" })
      expect(yield* expectFailure(storage.headObject("box", "gone"), "NotFound")).toMatchObject({ resource: "object", id: "box/gone" })
      expect(yield* expectFailure(storage.createContainer("box"), "AlreadyExists")).toMatchObject({ resource: "container", id: "box" })
      expect(yield* expectFailure(storage.enableCdn("box"), "PermissionDenied")).toMatchObject({ operation: "ObjectStorage.enableCdn" })
      // A 5xx is retried (DELETE is idempotent), then reported with its code.
      expect(yield* withTime(expectFailure(storage.deleteObject("box", "k"), "ProviderError"))).toMatchObject({ status: 500, code: "OperationTimedOut" })
      yield* replay.assertDone
    }))

  const xml = (body: string) => ({ status: 200, headers: common({ "content-type": "application/xml" }), body })
})
