/**
 * Exact request shapes and failure handling, on recorded responses shaped as
 * Google's JSON API reference documents them (URLs in fakeGcs.ts's comments),
 * replayed in order through src/http/Replay. Each test lists the whole
 * exchange; a request that differs from the recording fails the test.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Layer, Stream, TestClock } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { Replay } from "../../../src/http/index.js"
import { Gcs } from "../../../src/layers/gcp/index.js"
import type { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { collectBody, expectFailure, pattern } from "../../contract/ObjectStorage.js"
import { captureLogs, captureSpans, spanText } from "../../http/support.js"
import { crc32c, md5 } from "./fakeGcs.js"

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const KEY_JSON = JSON.stringify({
  type: "service_account",
  project_id: "replay-project",
  private_key_id: "replay-key",
  private_key: PEM,
  client_email: "robot@replay-project.iam.gserviceaccount.com",
  token_uri: "https://oauth2.googleapis.com/token"
})
const ENDPOINT = "https://storage.example.test"
const TOKEN_URI = "https://oauth.example.test/token"
const KiB = 1024
const CHUNK = 256 * KiB
const SESSION = `${ENDPOINT}/upload/storage/v1/b/bkt/o?uploadType=resumable&name=dir%2Fkey&upload_id=ADPycdsSECRETSESSION0123`
const JSON_HEADERS = { "content-type": "application/json; charset=UTF-8" }

const config: Gcs.GcsConfig = {
  serviceAccount: KEY_JSON,
  endpoint: ENDPOINT,
  tokenUri: TOKEN_URI,
  chunkSize: CHUNK,
  retry: { base: "1 millis", cap: "2 millis", jitter: 0 }
}

// https://developers.google.com/identity/protocols/oauth2/service-account#httprest
const token = (n: number, expiresIn = 3599): Replay.Exchange => ({
  request: { method: "POST", url: TOKEN_URI, body: /^grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ/ },
  response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ access_token: `ya29.replay-${n}`, expires_in: expiresIn, token_type: "Bearer" }) }
})
const bearer = (n: number) => ({ authorization: `Bearer ya29.replay-${n}` })

// https://cloud.google.com/storage/docs/json_api/v1/objects#resource
const objectJson = (name: string, data: Uint8Array, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: "storage#object",
    id: `bkt/${name}/1700000000000001`,
    selfLink: `${ENDPOINT}/storage/v1/b/bkt/o/${encodeURIComponent(name)}`,
    mediaLink: `${ENDPOINT}/download/storage/v1/b/bkt/o/${encodeURIComponent(name)}?generation=1700000000000001&alt=media`,
    name,
    bucket: "bkt",
    generation: "1700000000000001",
    metageneration: "1",
    contentType: "text/plain",
    storageClass: "STANDARD",
    size: String(data.byteLength),
    md5Hash: md5(data),
    crc32c: crc32c(data),
    etag: "CIHs0dOxvIIDEAE=",
    timeCreated: "2024-05-01T10:00:00.000Z",
    updated: "2024-05-01T10:00:00.000Z",
    metadata: { a: "1" },
    ...overrides
  })

// https://cloud.google.com/storage/docs/json_api/v1/status-codes
const gcsError = (code: number, reason: string, message: string, headers: Record<string, string> = {}): Replay.ResponseSpec => ({
  status: code,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify({ error: { errors: [{ domain: "global", reason, message }], code, message } })
})

const withReplay = <A, E>(
  exchanges: ReadonlyArray<Replay.Exchange>,
  f: (s: ObjectStorage.Service, gcs: Gcs.GcsService) => Effect.Effect<A, E>,
  overrides: Partial<Gcs.GcsConfig> = {}
) =>
  Effect.gen(function*() {
    const s = yield* Gcs.make({ ...config, ...overrides })
    const gcs = yield* Gcs.makeGcs({ ...config, ...overrides })
    const out = yield* f(s, gcs)
    yield* Replay.assertDone
    return { out, requests: yield* Replay.requests }
  }).pipe(Effect.provide(Replay.layer(exchanges)))

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe("GCS resumable uploads (replayed)", () => {
  const data = pattern(CHUNK * 2 + CHUNK / 2, 3)
  const init: Replay.Exchange = {
    request: {
      method: "POST",
      url: `${ENDPOINT}/upload/storage/v1/b/bkt/o?uploadType=resumable&name=dir%2Fkey`,
      headers: { ...bearer(1), "content-type": "application/json; charset=UTF-8", "x-upload-content-type": "text/plain" },
      body: JSON.stringify({ contentType: "text/plain", metadata: { a: "1" } })
    },
    response: { status: 200, headers: { location: SESSION } }
  }
  const chunk = (from: number, to: number, total: string, response: Replay.ResponseSpec | Replay.TransportFailure): Replay.Exchange => ({
    request: { method: "PUT", url: SESSION, headers: { "content-range": `bytes ${from}-${to - 1}/${total}` }, body: data.subarray(from, to) },
    response
  })
  const persisted = (last: number): Replay.ResponseSpec => ({ status: 308, headers: { range: `bytes=0-${last - 1}` } })
  const put = (s: ObjectStorage.Service, body: Stream.Stream<Uint8Array, unknown>) =>
    s.putObject("bkt", "dir/key", body, { contentType: "text/plain", metadata: { a: "1" } })
  // Irregular pieces, so chunk boundaries fall inside Stream elements.
  const streamed = Stream.fromIterable([100_000, 300_000, 255_360].reduce<Array<Uint8Array>>((parts, n) => {
    const at = parts.reduce((a, p) => a + p.byteLength, 0)
    return [...parts, data.subarray(at, at + n)]
  }, []))

  it.live("initiates a session, then PUTs 256 KiB chunks with Content-Range …/* and the last with the total", () =>
    Effect.gen(function*() {
      const { out, requests } = yield* withReplay([
        token(1),
        init,
        chunk(0, CHUNK, "*", persisted(CHUNK)),
        chunk(CHUNK, 2 * CHUNK, "*", persisted(2 * CHUNK)),
        chunk(2 * CHUNK, data.byteLength, String(data.byteLength), { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", data) })
      ], (s) => put(s, streamed))
      expect(out.size).toBe(data.byteLength)
      expect(out.etag).toBe(Buffer.from(md5(data), "base64").toString("hex"))
      expect(out.extra).toMatchObject({ generation: "1700000000000001", crc32c: crc32c(data) })
      expect(requests.map((r) => r.headers["content-range"] ?? "-")).toEqual([
        "-",
        "-",
        `bytes 0-${CHUNK - 1}/*`,
        `bytes ${CHUNK}-${2 * CHUNK - 1}/*`,
        `bytes ${2 * CHUNK}-${data.byteLength - 1}/${data.byteLength}`
      ])
    }))

  // GCS persists whole 256 KiB units: with 512 KiB chunks, half a chunk can be held.
  const big = { chunkSize: 2 * CHUNK }

  it.live("a chunk dropped in transit: asks the session (bytes */*) and sends only what it does not hold", () =>
    Effect.gen(function*() {
      const { out } = yield* withReplay([
        token(1),
        init,
        chunk(0, 2 * CHUNK, "*", { transportError: "socket hang up" }),
        { request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes */*" }, body: "" }, response: persisted(CHUNK) },
        chunk(CHUNK, 2 * CHUNK, "*", persisted(2 * CHUNK)),
        chunk(2 * CHUNK, data.byteLength, String(data.byteLength), { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", data) })
      ], (s) => put(s, streamed), big)
      expect(out.size).toBe(data.byteLength)
    }))

  it.live("a 503 on the last chunk: the status query says all is held but unfinished, so it finalises with bytes */N", () =>
    Effect.gen(function*() {
      const small = data.subarray(0, 1000)
      const { out } = yield* withReplay([
        token(1),
        init,
        {
          request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes 0-999/1000" }, body: small },
          response: gcsError(503, "backendError", "Backend Error")
        },
        { request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes */1000" } }, response: persisted(1000) },
        {
          request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes */1000" }, body: "" },
          response: { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", small) }
        }
      ], (s) => put(s, Stream.make(small)))
      expect(out.size).toBe(1000)
    }))

  it.live("a 308 keeping fewer bytes than sent: the rest of the chunk is sent again", () =>
    Effect.gen(function*() {
      const { out } = yield* withReplay([
        token(1),
        init,
        chunk(0, 2 * CHUNK, "*", persisted(CHUNK)),
        chunk(CHUNK, 2 * CHUNK, "*", persisted(2 * CHUNK)),
        chunk(2 * CHUNK, data.byteLength, String(data.byteLength), { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", data) })
      ], (s) => put(s, streamed), big)
      expect(out.size).toBe(data.byteLength)
    }))

  const cancel: Replay.Exchange = { request: { method: "DELETE", url: SESSION }, response: { status: 499 } }

  it.live("a Stream that fails cancels the session (DELETE, 499) and fails with the Stream's error", () =>
    Effect.gen(function*() {
      const failing = Stream.make(data.subarray(0, 300 * KiB)).pipe(Stream.concat(Stream.fail("boom" as const)))
      const exit = yield* Effect.exit(withReplay([token(1), init, chunk(0, CHUNK, "*", persisted(CHUNK)), cancel], (s) => put(s, failing)))
      expect(exit).toEqual(Exit.fail("boom"))
    }))

  it.live("an interrupted upload cancels its session", () =>
    Effect.gen(function*() {
      const endless = Stream.make(data.subarray(0, 300 * KiB)).pipe(Stream.concat(Stream.never))
      const program = Effect.gen(function*() {
        const s = yield* Gcs.make(config)
        const fiber = yield* Effect.fork(put(s, endless))
        while (!(yield* Replay.requests).some((r) => r.headers["content-range"] !== undefined)) yield* Effect.sleep("2 millis")
        yield* Effect.sleep("10 millis")
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        yield* Replay.assertDone
        return yield* Replay.requests
      })
      const requests = yield* program.pipe(Effect.provide(Replay.layer([token(1), init, chunk(0, CHUNK, "*", persisted(CHUNK)), cancel])))
      expect(requests[requests.length - 1]?.method).toBe("DELETE")
    }))

  it.live("the stored size differs from what was sent: IntegrityError, and that generation is deleted", () =>
    Effect.gen(function*() {
      const small = data.subarray(0, 1000)
      const exit = yield* Effect.exit(withReplay([
        token(1),
        init,
        {
          request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes 0-999/1000" } },
          response: { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", small, { size: "999" }) }
        },
        {
          request: { method: "DELETE", url: `${ENDPOINT}/storage/v1/b/bkt/o/dir%2Fkey?ifGenerationMatch=1700000000000001` },
          response: { status: 204 }
        }
      ], (s) => put(s, Stream.make(small))))
      const error = Cause.failureOption(Exit.isFailure(exit) ? exit.cause : Cause.empty)
      expect(error._tag === "Some" ? error.value : undefined).toMatchObject({
        _tag: "IntegrityError",
        key: "dir/key",
        expected: "size 1000",
        actual: "size 999"
      })
    }))

  it.live("an x-goog-hash that disagrees is an IntegrityError too", () =>
    Effect.gen(function*() {
      const small = data.subarray(0, 10)
      const exit = yield* Effect.exit(withReplay([
        token(1),
        {
          request: { method: "POST", url: /\/upload\/storage\/v1\/b\/bkt\/o\?uploadType=multipart&name=k$/ },
          response: { status: 200, headers: { ...JSON_HEADERS, "x-goog-hash": `crc32c=${crc32c(small)},md5=AAAAAAAAAAAAAAAAAAAAAA==` }, body: objectJson("k", small) }
        },
        { request: { method: "DELETE", url: `${ENDPOINT}/storage/v1/b/bkt/o/k?ifGenerationMatch=1700000000000001` }, response: { status: 204 } }
      ], (s) => s.putObject("bkt", "k", small)))
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toMatchObject({ value: { _tag: "IntegrityError", expected: `md5 (x-goog-hash) ${md5(small)}` } })
    }))
})

describe("GCS multipart upload (replayed)", () => {
  it.live("one POST uploadType=multipart: a multipart/related body of JSON metadata, then the media", () =>
    Effect.gen(function*() {
      const content = new TextEncoder().encode("hello, world")
      const { out, requests } = yield* withReplay([
        token(1),
        {
          request: {
            method: "POST",
            url: `${ENDPOINT}/upload/storage/v1/b/bkt/o?uploadType=multipart&name=a%20b%2Fc`,
            headers: { ...bearer(1), "content-type": /^multipart\/related; boundary=[^\s;]+$/ }
          },
          response: { status: 200, headers: JSON_HEADERS, body: objectJson("a b/c", content, { contentType: "text/x-test" }) }
        }
      ], (s) => s.putObject("bkt", "a b/c", "hello, world", { contentType: "text/x-test", metadata: { a: "1" } }))
      expect(out).toMatchObject({ key: "a b/c", size: 12, contentType: "text/x-test", metadata: { a: "1" } })
      const request = requests[1]!
      const boundary = /boundary=(.+)$/.exec(request.headers["content-type"]!)![1]!
      expect(text(request.body)).toBe(
        `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n` +
          `{"contentType":"text/x-test","metadata":{"a":"1"}}\r\n` +
          `--${boundary}\r\nContent-Type: text/x-test\r\n\r\nhello, world\r\n--${boundary}--\r\n`
      )
    }))
})

describe("GCS requests and errors (replayed)", () => {
  const meta = (n: number, response: Replay.ResponseSpec): Replay.Exchange => ({
    request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt/o/dir%2Fkey`, headers: bearer(n) },
    response
  })
  const content = pattern(1000, 9)
  const ok: Replay.ResponseSpec = { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", content) }

  it.live("a 401 drops the cached token, fetches a new one and sends the request once more", () =>
    Effect.gen(function*() {
      const { out } = yield* withReplay([
        token(1),
        meta(1, gcsError(401, "authError", "Invalid Credentials")),
        token(2),
        meta(2, ok)
      ], (s) => s.headObject("bkt", "dir/key"))
      expect(out.size).toBe(1000)
    }))

  it.effect("the token is refreshed before it expires", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 1))
      yield* withReplay([token(1, 3600), meta(1, ok), meta(1, ok), token(2, 3600), meta(2, ok)], (s) =>
        Effect.gen(function*() {
          yield* s.headObject("bkt", "dir/key")
          yield* TestClock.adjust("50 minutes")
          yield* s.headObject("bkt", "dir/key")
          // Within 5 minutes of expiry: a new token before the request.
          yield* TestClock.adjust("6 minutes")
          yield* s.headObject("bkt", "dir/key")
        }))
    }))

  it.live("429 rateLimitExceeded is retried (a 403 with that reason too); then the answer", () =>
    Effect.gen(function*() {
      const { out } = yield* withReplay([
        token(1),
        meta(1, gcsError(429, "rateLimitExceeded", "The rate of change requests to the object exceeds the rate limit.")),
        meta(1, gcsError(403, "rateLimitExceeded", "Rate limit exceeded.")),
        meta(1, gcsError(500, "backendError", "Backend Error")),
        meta(1, ok)
      ], (s) => s.headObject("bkt", "dir/key"))
      expect(out.size).toBe(1000)
    }))

  it.live("403 forbidden / insufficientPermissions → PermissionDenied; 401 twice → InvalidCredentials", () =>
    Effect.gen(function*() {
      const denied = yield* Effect.flip(withReplay([token(1), meta(1, gcsError(403, "insufficientPermissions", "robot does not have storage.objects.get access"))], (s) =>
        s.headObject("bkt", "dir/key")))
      expect(denied).toMatchObject({ _tag: "PermissionDenied", reason: "robot does not have storage.objects.get access" })
      const refused = yield* Effect.flip(withReplay([
        token(1),
        meta(1, gcsError(401, "authError", "Invalid Credentials")),
        token(2),
        meta(2, gcsError(401, "authError", "Invalid Credentials"))
      ], (s) => s.headObject("bkt", "dir/key")))
      expect(refused).toMatchObject({ _tag: "InvalidCredentials", provider: "gcs", operation: "ObjectStorage.headObject" })
    }))

  it.live("garbage where JSON belongs, or a size that is not a number, is MalformedResponse", () =>
    Effect.gen(function*() {
      for (const response of [
        { status: 200, headers: { "content-type": "text/html" }, body: "<html>not json</html>" },
        { status: 200, headers: JSON_HEADERS, body: objectJson("dir/key", content, { size: "a lot" }) },
        { status: 200, headers: JSON_HEADERS, body: "{\"kind\": \"storage#object\"" }
      ]) {
        const e = yield* Effect.flip(withReplay([token(1), meta(1, response)], (s) => s.headObject("bkt", "dir/key")))
        expect(e._tag).toBe("MalformedResponse")
      }
    }))

  it.live("404: the message says bucket or object; when it says neither, a bucket GET decides", () =>
    Effect.gen(function*() {
      const noObject = yield* Effect.flip(withReplay([token(1), meta(1, gcsError(404, "notFound", "No such object: bkt/dir/key"))], (s) =>
        s.headObject("bkt", "dir/key")))
      expect(noObject).toMatchObject({ _tag: "NotFound", resource: "object", id: "bkt/dir/key" })
      const noBucket = yield* Effect.flip(withReplay([token(1), meta(1, gcsError(404, "notFound", "The specified bucket does not exist."))], (s) =>
        s.headObject("bkt", "dir/key")))
      expect(noBucket).toMatchObject({ _tag: "NotFound", resource: "container", id: "bkt" })
      const bucketGet = (response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt` }, response })
      const unclear = gcsError(404, "notFound", "Not Found")
      const thenNoBucket = yield* Effect.flip(withReplay([token(1), meta(1, unclear), bucketGet(gcsError(404, "notFound", "Not Found"))], (s) =>
        s.headObject("bkt", "dir/key")))
      expect(thenNoBucket).toMatchObject({ resource: "container" })
      const thenNoObject = yield* Effect.flip(withReplay([
        token(1),
        meta(1, unclear),
        bucketGet({ status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#bucket", name: "bkt" }) })
      ], (s) => s.headObject("bkt", "dir/key")))
      expect(thenNoObject).toMatchObject({ resource: "object" })
      // deleteObject: a missing object is success, a missing bucket is not.
      const del = (response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "DELETE", url: `${ENDPOINT}/storage/v1/b/bkt/o/dir%2Fkey` }, response })
      yield* withReplay([token(1), del(gcsError(404, "notFound", "No such object: bkt/dir/key"))], (s) => s.deleteObject("bkt", "dir/key"))
      const gone = yield* Effect.flip(withReplay([token(1), del(gcsError(404, "notFound", "The specified bucket does not exist."))], (s) =>
        s.deleteObject("bkt", "dir/key")))
      expect(gone).toMatchObject({ _tag: "NotFound", resource: "container" })
    }))

  it.live("buckets: insert 409 → AlreadyExists, delete 409 → Conflict, list follows nextPageToken", () =>
    Effect.gen(function*() {
      const exists = yield* Effect.flip(withReplay([
        token(1),
        {
          request: { method: "POST", url: `${ENDPOINT}/storage/v1/b?project=replay-project`, body: "{\"name\":\"taken\"}" },
          response: gcsError(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.")
        }
      ], (s) => s.createContainer("taken")))
      expect(exists).toMatchObject({ _tag: "AlreadyExists", resource: "container", id: "taken" })
      const full = yield* Effect.flip(withReplay([
        token(1),
        { request: { method: "DELETE", url: `${ENDPOINT}/storage/v1/b/full` }, response: gcsError(409, "conflict", "The bucket you tried to delete is not empty.") }
      ], (s) => s.deleteContainer("full")))
      expect(full).toMatchObject({ _tag: "Conflict", resource: "container", id: "full", reason: "The bucket you tried to delete is not empty." })
      const bucket = (name: string) => ({ kind: "storage#bucket", id: name, name, timeCreated: "2024-01-02T03:04:05.678Z", location: "US", storageClass: "STANDARD" })
      const { out } = yield* withReplay([
        token(1),
        {
          request: { method: "GET", url: `${ENDPOINT}/storage/v1/b?project=replay-project` },
          response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#buckets", items: [bucket("one"), bucket("two")], nextPageToken: "CgR0d28=" }) }
        },
        {
          request: { method: "GET", url: `${ENDPOINT}/storage/v1/b?project=replay-project&pageToken=CgR0d28%3D` },
          response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#buckets", items: [bucket("three")] }) }
        }
      ], (s) => s.listContainers())
      expect(out.map((c) => c.name)).toEqual(["one", "two", "three"])
      expect(out[0]!.createdAt).toEqual(new Date("2024-01-02T03:04:05.678Z"))
      expect(out[0]!.extra).toMatchObject({ location: "US", storageClass: "STANDARD" })
    }))

  it.live("listObjects: prefix, delimiter, maxResults and pageToken; items and prefixes merged in name order", () =>
    Effect.gen(function*() {
      const item = (name: string) => JSON.parse(objectJson(name, new TextEncoder().encode(name))) as unknown
      const { out } = yield* withReplay([
        token(1),
        {
          request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt/o?prefix=p%2F&delimiter=%2F&maxResults=3` },
          response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#objects", nextPageToken: "tok 1", prefixes: ["p/b/"], items: [item("p/a"), item("p/c")] }) }
        },
        {
          request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt/o?prefix=p%2F&delimiter=%2F&maxResults=3&pageToken=tok%201` },
          response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#objects", prefixes: ["p/d/"] }) }
        }
      ], (s) => Stream.runCollect(s.listObjects("bkt", { prefix: "p/", delimiter: "/", pageSize: 3 })))
      expect(Chunk.toArray(out).map((e) => `${e._tag}:${e.key}`)).toEqual(["ObjectInfo:p/a", "ObjectPrefix:p/b/", "ObjectInfo:p/c", "ObjectPrefix:p/d/"])
    }))

  it.live("getObject: metadata, then alt=media pinned to its generation with an inclusive Range; a bad digest fails the body", () =>
    Effect.gen(function*() {
      const media = (headers: Record<string, string | RegExp | null>, response: Replay.ResponseSpec): Replay.Exchange => ({
        request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt/o/dir%2Fkey?alt=media&ifGenerationMatch=1700000000000001`, headers },
        response
      })
      const { out } = yield* withReplay([
        token(1),
        meta(1, ok),
        media({ range: "bytes=10-19" }, { status: 206, headers: { "content-range": "bytes 10-19/1000" }, body: content.subarray(10, 20) })
      ], (s) => Effect.flatMap(s.getObject("bkt", "dir/key", { range: { start: 10, end: 20 } }), (d) => Effect.zip(Effect.succeed(d.info), collectBody(d.body))))
      expect(out[0].size).toBe(1000)
      expect(out[1]).toEqual(content.subarray(10, 20))
      // A server that answers a Range request with the whole object (200): the range is cut out of it.
      const { out: cut } = yield* withReplay([token(1), meta(1, ok), media({ range: "bytes=990-999" }, { status: 200, body: content })], (s) =>
        Effect.flatMap(s.getObject("bkt", "dir/key", { range: { start: 990, end: 5000 } }), (d) => collectBody(d.body)))
      expect(cut).toEqual(content.subarray(990, 1000))
      const corrupt = yield* withReplay([token(1), meta(1, ok), media({ range: null }, { status: 200, body: pattern(1000, 10) })], (s) =>
        Effect.flatMap(s.getObject("bkt", "dir/key"), (d) => Effect.flip(collectBody(d.body))))
      expect(corrupt.out).toMatchObject({ _tag: "IntegrityError", key: "dir/key" })
      // Replaced between the two requests (412 on ifGenerationMatch): read again.
      const newer = objectJson("dir/key", content, { generation: "1700000000000002" })
      const { out: again } = yield* withReplay([
        token(1),
        meta(1, ok),
        media({}, gcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")),
        meta(1, { status: 200, headers: JSON_HEADERS, body: newer }),
        {
          request: { method: "GET", url: `${ENDPOINT}/storage/v1/b/bkt/o/dir%2Fkey?alt=media&ifGenerationMatch=1700000000000002` },
          response: { status: 200, body: content }
        }
      ], (s) => Effect.flatMap(s.getObject("bkt", "dir/key"), (d) => collectBody(d.body)))
      expect(again).toEqual(content)
      // A start past the end is known from the metadata: no media request.
      const past = yield* Effect.flip(withReplay([token(1), meta(1, ok)], (s) => s.getObject("bkt", "dir/key", { range: { start: 1000 } })))
      expect(past).toMatchObject({ _tag: "InvalidInput", field: "range.start" })
    }))

  it.live("copyObject: rewriteTo repeated with rewriteToken until done", () =>
    Effect.gen(function*() {
      const rewrite = (query: string, body: unknown): Replay.Exchange => ({
        request: { method: "POST", url: `${ENDPOINT}/storage/v1/b/bkt/o/src%2Fa/rewriteTo/b/other/o/dst%2Fb${query}`, body: "" },
        // https://cloud.google.com/storage/docs/json_api/v1/objects/rewrite#response
        response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ kind: "storage#rewriteResponse", ...body as object }) }
      })
      const big = pattern(3000, 4)
      const { out, requests } = yield* withReplay([
        token(1),
        rewrite("", { totalBytesRewritten: "1000", objectSize: "3000", done: false, rewriteToken: "tok/1+=" }),
        rewrite("?rewriteToken=tok%2F1%2B%3D", { totalBytesRewritten: "2000", objectSize: "3000", done: false, rewriteToken: "tok2" }),
        rewrite("?rewriteToken=tok2", {
          totalBytesRewritten: "3000",
          objectSize: "3000",
          done: true,
          resource: JSON.parse(objectJson("dst/b", big, { bucket: "other" })) as unknown
        })
      ], (s) => s.copyObject({ container: "bkt", key: "src/a" }, { container: "other", key: "dst/b" }))
      expect(out).toMatchObject({ key: "dst/b", size: 3000 })
      expect(requests.filter((r) => r.method === "POST").length).toBe(4)
    }))

  it.live("Gcs.putObject with ifGenerationMatch: 412 is Conflict", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(withReplay([
        token(1),
        {
          request: { method: "POST", url: `${ENDPOINT}/upload/storage/v1/b/bkt/o?uploadType=multipart&name=k&ifGenerationMatch=0` },
          response: gcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        }
      ], (_, gcs) => gcs.putObject("bkt", "k", "x", { ifGenerationMatch: 0 })))
      expect(e).toMatchObject({ _tag: "Conflict", resource: "object", id: "bkt/k" })
    }))

  it.effect("input is checked before any request (an empty replay would fail on one)", () =>
    Effect.gen(function*() {
      yield* withReplay([], (s, gcs) =>
        Effect.gen(function*() {
          for (const bad of ["UPPER", "ab", "goog-bucket", "my-google-bucket", "a_b-", "192.168.1.1", `${"a".repeat(64)}`]) {
            yield* expectFailure(s.createContainer(bad), "InvalidInput")
          }
          yield* expectFailure(s.putObject("bkt", "line\nfeed", "x"), "InvalidInput")
          yield* expectFailure(s.putObject("bkt", ".well-known/acme-challenge/x", "x"), "InvalidInput")
          expect(yield* expectFailure(s.putObject("bkt", "k", "x", { partSize: 1000 }), "InvalidInput")).toMatchObject({ field: "partSize" })
          yield* expectFailure(s.signedUrl("bkt", "k", { expiresIn: "8 days" }), "InvalidInput")
          yield* expectFailure(gcs.compose("bkt", [], "d"), "InvalidInput")
          yield* expectFailure(gcs.deleteObject("bkt", "k", { generation: -1 }), "InvalidInput")
        }))
    }))
})

describe("GCS secrets", () => {
  it.live("the private key, access tokens, assertion and session URI never reach errors, logs or spans", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      const { spans, tracer } = yield* captureSpans
      const data = pattern(CHUNK + 10, 5)
      const errors: Array<unknown> = []
      const program = Effect.gen(function*() {
        const s = yield* Gcs.make(config)
        errors.push(yield* Effect.flip(s.putObject("bkt", "dir/key", Stream.make(data))))
        errors.push(yield* Effect.flip(s.headObject("bkt", "dir/key")))
      })
      yield* program.pipe(
        Effect.withTracer(tracer),
        Effect.provide(Layer.merge(
          Replay.layer([
            token(1),
            {
              request: { method: "POST", url: /uploadType=resumable/ },
              response: { status: 200, headers: { location: SESSION } }
            },
            { request: { method: "PUT", url: SESSION }, response: { transportError: `connection reset while sending to ${SESSION}` } },
            // The status query, tried 5 times (the retry policy's attempts); then the upload gives up.
            { request: { method: "PUT", url: SESSION, headers: { "content-range": "bytes */*" } }, response: { transportError: "reset again" }, times: 5 },
            { request: { method: "DELETE", url: SESSION }, response: { status: 499 } },
            {
              request: { method: "GET" },
              response: gcsError(401, "authError", "Invalid Credentials: Bearer ya29.replay-1")
            },
            token(2),
            { request: { method: "GET" }, response: gcsError(403, "forbidden", "nope") }
          ]),
          logs.layer
        ))
      )
      expect(errors.map((e) => (e as { _tag: string })._tag)).toEqual(["Transport", "PermissionDenied"])
      const everything = [
        ...errors.flatMap((e) => [String(e), JSON.stringify(e), Cause.pretty(Cause.fail(e))]),
        ...logs.lines,
        spanText(spans)
      ].join("\n")
      expect(spans.length).toBeGreaterThan(3)
      expect(logs.lines.some((l) => l.includes("retry"))).toBe(true)
      for (const secret of ["ya29.replay-1", "ya29.replay-2", "SECRETSESSION", "BEGIN PRIVATE KEY", PEM.slice(100, 140), "eyJ"]) {
        expect(everything).not.toContain(secret)
      }
    }))
})
