/**
 * Swift on replayed answers: what a healthy Swift never does but a broken
 * one, a proxy or a lost connection can — an ETag that does not match the
 * bytes, a body cut short or corrupted, garbage listings, a range ignored, a
 * manifest whose answer was lost — and the environment variables
 * `layerConfig` reads.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Auth from "../../../src/auth/openstack/Config.js"
import * as Replay from "../../../src/http/Replay.js"
import * as Swift from "../../../src/layers/openstack/swift/Swift.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { collectBody, expectFailure } from "../../contract/ObjectStorage.js"

const STORAGE = "http://swift.test/v1/AUTH_t"
const md5 = (s: string | Uint8Array) => createHash("md5").update(s).digest("hex")

const swift = Swift.make({ auth: { token: Redacted.make("tk"), storageUrl: STORAGE }, retry: false, segmentSize: 4 })

const absent = (path: string): Replay.Exchange => ({ request: { method: "HEAD", url: `${STORAGE}${path}` }, response: { status: 404 } })

describe("Swift on replayed answers", () => {
  it.effect("a single PUT: an ETag other than the body's MD5, or a 422, is IntegrityError", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const e = yield* expectFailure(s.putObject("c", "k", "hello"), "IntegrityError")
      expect(e).toMatchObject({ key: "k", expected: md5("hello"), actual: md5("jello") })
      yield* expectFailure(s.putObject("c", "k", "hello"), "IntegrityError")
      const [, put] = yield* Replay.requests
      expect(put?.headers["etag"]).toBe(md5("hello"))
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      absent("/c/k"),
      { request: { method: "PUT", url: `${STORAGE}/c/k` }, response: { status: 201, headers: { etag: md5("jello") } } },
      absent("/c/k"),
      { request: { method: "PUT", url: `${STORAGE}/c/k` }, response: { status: 422, body: "Unprocessable Entity" } }
    ]))))

  it.effect("a download whose bytes do not match its ETag or length fails at its end; a range is not checked against them", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const corrupt = yield* s.getObject("c", "k")
      expect(corrupt.info).toMatchObject({ size: 5, etag: md5("hello") })
      const e = yield* Effect.flip(collectBody(corrupt.body))
      expect(e).toMatchObject({ _tag: "IntegrityError", expected: md5("hello"), actual: md5("jello") })
      const short = yield* s.getObject("c", "k")
      expect(yield* Effect.flip(collectBody(short.body))).toMatchObject({ _tag: "IntegrityError", expected: "6 bytes", actual: "5 bytes" })
      // A range is not checked against the whole object's MD5.
      const part = yield* s.getObject("c", "k", { range: { start: 1, end: 3 } })
      expect(new TextDecoder().decode(yield* collectBody(part.body))).toBe("el")
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "GET", url: `${STORAGE}/c/k` }, response: { status: 200, headers: { etag: md5("hello"), "content-length": "5" }, body: "jello" } },
      { request: { method: "GET", url: `${STORAGE}/c/k` }, response: { status: 200, headers: { etag: md5("hello"), "content-length": "6" }, body: "hello" } },
      {
        request: { method: "GET", url: `${STORAGE}/c/k`, headers: { range: "bytes=1-2" } },
        response: { status: 206, headers: { etag: md5("hello"), "content-range": "bytes 1-2/5", "content-length": "2" }, body: "el" }
      }
    ]))))

  it.effect("a server that ignores Range: the range is applied here; one past the end is InvalidInput", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const got = yield* s.getObject("c", "k", { range: { start: 2, end: 4 } })
      expect(got.info.size).toBe(6)
      expect(new TextDecoder().decode(yield* collectBody(got.body))).toBe("23")
      yield* expectFailure(s.getObject("c", "k", { range: { start: 6 } }), "InvalidInput")
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "GET" }, response: { status: 200, headers: { etag: md5("012345"), "content-length": "6" }, body: "012345" } },
      { request: { method: "GET" }, response: { status: 200, headers: { etag: md5("012345"), "content-length": "6" }, body: "012345" } }
    ]))))

  it.effect("garbage listings and a HEAD without a size are MalformedResponse, never a defect", () =>
    Effect.gen(function*() {
      const s = yield* swift
      yield* expectFailure(s.listContainers(), "MalformedResponse")
      yield* expectFailure(Stream.runDrain(s.listObjects("c")), "MalformedResponse")
      yield* expectFailure(s.headObject("c", "k"), "MalformedResponse")
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "GET", url: `${STORAGE}?format=json&limit=10000` }, response: { status: 200, body: "<html>maintenance</html>" } },
      { request: { method: "GET", path: "/v1/AUTH_t/c" }, response: { status: 200, body: JSON.stringify([{ name: 1 }]) } },
      { request: { method: "HEAD", url: `${STORAGE}/c/k` }, response: { status: 200, headers: { etag: "x" } } }
    ]))))

  it.effect("a large object whose manifest answer was lost is kept when the key holds exactly it", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const etag = md5(md5("abcd") + md5("ef"))
      const put = yield* s.putObject("c", "big", Stream.make(new TextEncoder().encode("abcdef")))
      expect(put).toMatchObject({ size: 6, etag, extra: { staticLargeObject: true, segments: 2 } })
      const manifest = (yield* Replay.requests).find((r) => r.url.includes("multipart-manifest=put"))
      expect(JSON.parse(new TextDecoder().decode(manifest!.body))).toEqual([
        { path: expect.stringMatching(/^\/c_segments\/[^/]+\/00000001$/), etag: md5("abcd"), size_bytes: 4 },
        { path: expect.stringMatching(/^\/c_segments\/[^/]+\/00000002$/), etag: md5("ef"), size_bytes: 2 }
      ])
      // No segment was deleted: the object that refers to them is in place.
      expect((yield* Replay.requests).filter((r) => r.method === "DELETE")).toEqual([])
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      absent("/c/big"),
      { request: { method: "HEAD", url: `${STORAGE}/c` }, response: { status: 204 } },
      { request: { method: "GET", url: /\/info$/ }, response: { status: 200, body: JSON.stringify({ slo: { max_manifest_segments: 1000 } }) } },
      { request: { method: "PUT", url: `${STORAGE}/c_segments` }, response: { status: 201 } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000001$/ }, response: { status: 201, headers: { etag: md5("abcd") } } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000002$/ }, response: { status: 201, headers: { etag: md5("ef") } } },
      { request: { method: "PUT", query: { "multipart-manifest": "put" } }, response: { transportError: "socket hang up" } },
      {
        request: { method: "HEAD", url: `${STORAGE}/c/big` },
        response: { status: 200, headers: { etag: `"${md5(md5("abcd") + md5("ef"))}"`, "x-static-large-object": "True", "content-length": "6" } }
      }
    ], { mode: "match" }))))

  it.effect("more segments than /info's max_manifest_segments: sub-manifests in the segment container, listed by the object's manifest", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const a = md5(md5("abcd") + md5("efgh"))
      const b = md5(md5("ij"))
      const put = yield* s.putObject("c", "big", Stream.make(new TextEncoder().encode("abcdefghij")))
      expect(put).toMatchObject({ size: 10, etag: md5(a + b), extra: { staticLargeObject: true, segments: 3, subManifests: 2 } })
      const bodies = (yield* Replay.requests)
        .filter((r) => r.url.includes("multipart-manifest=put"))
        .map((r) => ({ path: new URL(r.url).pathname, body: JSON.parse(new TextDecoder().decode(r.body)) }))
      expect(bodies).toEqual([
        {
          path: expect.stringMatching(/^\/v1\/AUTH_t\/c_segments\/[^/]+\/manifest-1-00000001$/),
          body: [
            { path: expect.stringMatching(/^\/c_segments\/[^/]+\/00000001$/), etag: md5("abcd"), size_bytes: 4 },
            { path: expect.stringMatching(/^\/c_segments\/[^/]+\/00000002$/), etag: md5("efgh"), size_bytes: 4 }
          ]
        },
        {
          path: expect.stringMatching(/\/manifest-1-00000002$/),
          body: [{ path: expect.stringMatching(/^\/c_segments\/[^/]+\/00000003$/), etag: md5("ij"), size_bytes: 2 }]
        },
        {
          path: "/v1/AUTH_t/c/big",
          body: [
            { path: expect.stringMatching(/^\/c_segments\/[^/]+\/manifest-1-00000001$/), etag: a, size_bytes: 8 },
            { path: expect.stringMatching(/^\/c_segments\/[^/]+\/manifest-1-00000002$/), etag: b, size_bytes: 2 }
          ]
        }
      ])
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      absent("/c/big"),
      { request: { method: "HEAD", url: `${STORAGE}/c` }, response: { status: 204 } },
      { request: { method: "GET", url: /\/info$/ }, response: { status: 200, body: JSON.stringify({ slo: { max_manifest_segments: 2 } }) } },
      { request: { method: "PUT", url: `${STORAGE}/c_segments` }, response: { status: 201 } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000001$/ }, response: { status: 201, headers: { etag: md5("abcd") } } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000002$/ }, response: { status: 201, headers: { etag: md5("efgh") } } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000003$/ }, response: { status: 201, headers: { etag: md5("ij") } } },
      {
        request: { method: "PUT", path: /\/manifest-1-00000001$/, query: { "multipart-manifest": "put" } },
        response: { status: 201, headers: { etag: `"${md5(md5("abcd") + md5("efgh"))}"` } }
      },
      { request: { method: "PUT", path: /\/manifest-1-00000002$/, query: { "multipart-manifest": "put" } }, response: { status: 201, headers: { etag: `"${md5(md5("ij"))}"` } } },
      {
        request: { method: "PUT", url: /\/c\/big\?multipart-manifest=put$/ },
        response: { status: 201, headers: { etag: `"${md5(md5(md5("abcd") + md5("efgh")) + md5(md5("ij")))}"` } }
      }
    ], { mode: "match" }))))

  it.effect("a manifest refused: the segments are deleted again and the error is the manifest's", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const e = yield* expectFailure(s.putObject("c", "big", Stream.make(new TextEncoder().encode("abcdef"))), "ProviderError")
      expect(e).toMatchObject({ status: 400 })
      const deleted = (yield* Replay.requests).filter((r) => r.method === "DELETE").map((r) => r.url.slice(-8)).sort()
      expect(deleted).toEqual(["00000001", "00000002"])
    }).pipe(Effect.provide(Replay.layer([
      absent("/c/big"),
      { request: { method: "HEAD", url: `${STORAGE}/c` }, response: { status: 204 } },
      { request: { method: "GET", url: /\/info$/ }, response: { status: 404 } },
      { request: { method: "PUT", url: `${STORAGE}/c_segments` }, response: { status: 202 } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000001$/ }, response: { status: 201, headers: { etag: md5("abcd") } } },
      { request: { method: "PUT", path: /\/c_segments\/.+\/00000002$/ }, response: { status: 201, headers: { etag: md5("ef") } } },
      { request: { method: "PUT", query: { "multipart-manifest": "put" } }, response: { status: 400, body: "Invalid manifest" } },
      absent("/c/big"),
      { request: { method: "DELETE", path: /\/c_segments\/.+\/0000000[12]$/ }, response: { status: 204 }, times: 2 },
      { request: { method: "GET", url: /\/c_segments\?/ }, response: { status: 200, body: "[]" } }
    ], { mode: "match" }))))

  it.effect("deleting a large object whose segments cannot all be deleted is a ProviderError", () =>
    Effect.gen(function*() {
      const s = yield* swift
      const e = yield* expectFailure(s.deleteObject("c", "big"), "ProviderError")
      expect(e.message).toContain("403 Forbidden")
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "HEAD", url: `${STORAGE}/c/big` }, response: { status: 200, headers: { "x-static-large-object": "True", "content-length": "6" } } },
      {
        request: { method: "DELETE", query: { "multipart-manifest": "delete" } },
        response: {
          status: 200,
          body: JSON.stringify({ "Number Deleted": 0, "Number Not Found": 0, "Response Status": "400 Bad Request", "Response Body": "", Errors: [["/c_segments/x/00000001", "403 Forbidden"]] })
        }
      }
    ]))))
})

describe("layerConfig: the environment", () => {
  const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("OS_* variables: a Keystone password or an application credential", () =>
    Effect.gen(function*() {
      const password = yield* Auth.keystoneFromEnv.pipe(withEnv({
        OS_AUTH_URL: "http://k/v3",
        OS_USERNAME: "demo",
        OS_PASSWORD: "pw",
        OS_PROJECT_NAME: "demo",
        OS_USER_DOMAIN_NAME: "Default",
        OS_PROJECT_DOMAIN_NAME: "Default",
        OS_REGION_NAME: "RegionOne",
        OS_INTERFACE: "internal"
      }))
      expect(password).toMatchObject({
        authUrl: "http://k/v3",
        username: "demo",
        projectName: "demo",
        userDomainName: "Default",
        projectDomainName: "Default",
        region: "RegionOne",
        interface: "internal"
      })
      expect(Redacted.isRedacted((password as Auth.KeystonePasswordConfig).password)).toBe(true)
      const appCred = yield* Auth.keystoneFromEnv.pipe(withEnv({ OS_AUTH_URL: "http://k/v3", OS_APPLICATION_CREDENTIAL_ID: "id", OS_APPLICATION_CREDENTIAL_SECRET: "s" }))
      expect(Auth.isApplicationCredential(appCred)).toBe(true)
      const v2 = yield* Auth.keystoneFromEnv.pipe(withEnv({ OS_AUTH_URL: "http://k/v2.0", OS_USERNAME: "u", OS_PASSWORD: "p", OS_TENANT_NAME: "t" }))
      expect(v2).toMatchObject({ projectName: "t" })
    }))

  it.effect("Swift: ST_* is tempauth, OS_AUTH_TOKEN + OS_STORAGE_URL a given token, else Keystone", () =>
    Effect.gen(function*() {
      const st = yield* Swift.defaultConfig.pipe(withEnv({ ST_AUTH: "http://s/auth/v1.0", ST_USER: "a:u", ST_KEY: "k" }))
      expect(Auth.isTempAuth(st.auth as Auth.AuthConfig)).toBe(true)
      const token = yield* Swift.defaultConfig.pipe(withEnv({ OS_AUTH_TOKEN: "t", OS_STORAGE_URL: STORAGE }))
      expect(token).toMatchObject({ auth: { storageUrl: STORAGE }, endpoint: STORAGE })
      const ks = yield* Swift.defaultConfig.pipe(withEnv({ OS_AUTH_URL: "http://k/v3", OS_USERNAME: "u", OS_PASSWORD: "p", OS_REGION_NAME: "R1" }))
      expect(ks).toMatchObject({ auth: { authUrl: "http://k/v3", username: "u" }, region: "R1" })
      const missing = yield* Effect.flip(Swift.defaultConfig.pipe(withEnv({})))
      expect(missing._tag).toBe("ConfigError")
    }))

  it.effect("Swift.layerConfig builds a working provider from the environment", () =>
    Effect.gen(function*() {
      const s = yield* ObjectStorage
      expect(s.provider.id).toBe("openstack-swift")
      expect(yield* s.listContainers()).toEqual([])
      const [sent] = yield* Replay.requests
      expect(sent?.headers["x-auth-token"]).toBe("from-env")
    }).pipe(
      Effect.provide(Layer.provideMerge(
        Swift.layerConfig(),
        Replay.layer([{ request: { method: "GET", url: `${STORAGE}?format=json&limit=10000` }, response: { status: 204 } }])
      )),
      withEnv({ OS_AUTH_TOKEN: "from-env", OS_STORAGE_URL: STORAGE })
    ))
})
