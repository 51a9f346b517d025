/**
 * Configuration, keys and the pure parts: GCS naming rules, CRC32C,
 * layerConfig's environment variables, bad keys, and the shape of a signed
 * URL for the real endpoint.
 */
import type { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { generateKeyPairSync } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as fc from "fast-check"
import { Replay } from "../../../src/http/index.js"
import { Gcs } from "../../../src/layers/gcp/index.js"
import { crc32cBase64, crc32cUpdate } from "../../../src/layers/gcp/gcs/hash.js"
import * as names from "../../../src/layers/gcp/gcs/names.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { expectFailure } from "../../contract/ObjectStorage.js"
import { crc32c } from "./fakeGcs.js"

const where = { provider: "gcs", operation: "test" }
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const key = (overrides: Record<string, unknown> = {}) => ({
  type: "service_account",
  project_id: "key-project",
  private_key: PEM,
  client_email: "robot@key-project.iam.gserviceaccount.com",
  token_uri: "https://oauth.example.test/token",
  ...overrides
})
const TOKEN: Replay.Exchange = {
  request: { method: "POST", url: "https://oauth.example.test/token" },
  response: { status: 200, body: JSON.stringify({ access_token: "ya29.cfg", expires_in: 3599, token_type: "Bearer" }) }
}
const listBuckets = (project: string): Replay.Exchange => ({
  request: { method: "GET", url: `https://storage.googleapis.com/storage/v1/b?project=${project}`, headers: { authorization: "Bearer ya29.cfg" } },
  response: { status: 200, body: JSON.stringify({ kind: "storage#buckets", items: [{ kind: "storage#bucket", name: `of-${project}` }] }) }
})

describe("GCS naming rules", () => {
  it.effect("buckets: 3–63 lower-case letters, digits, - _ . (222 dotted); no IP, no goog prefix, no google on create", () =>
    Effect.gen(function*() {
      for (const ok of ["abc", "my-bucket_1", "a.b.c", "x".repeat(63), `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}`]) {
        expect(yield* names.newBucketName(where, ok)).toBe(ok)
      }
      for (const bad of ["ab", "Abc", "-abc", "abc-", "a b", "a/b", "x".repeat(64), `${"a".repeat(64)}.b`, "a..b", "10.0.0.1", `${"a".repeat(63)}.${"a".repeat(63)}.${"a".repeat(63)}.${"a".repeat(31)}`]) {
        expect(yield* Effect.flip(names.bucketName(where, bad)), bad).toMatchObject({ _tag: "InvalidInput", field: "container" })
      }
      for (const reserved of ["goog-x", "my-google", "g00gle-x", "googl3"]) {
        // Existing buckets are addressable; only creation refuses the reserved words.
        if (reserved !== "googl3") expect(yield* Effect.flip(names.newBucketName(where, reserved)), reserved).toMatchObject({ field: "container" })
      }
      expect(yield* names.bucketName(where, "goog-x")).toBe("goog-x")
    }))

  it.effect("objects: no CR or LF, not under .well-known/acme-challenge/", () =>
    Effect.gen(function*() {
      expect(yield* names.objectName(where, "any ünïcödé / #?%")).toBe("any ünïcödé / #?%")
      for (const bad of ["a\nb", "a\rb", ".well-known/acme-challenge/x", "", ".", ".."]) {
        expect(yield* Effect.flip(names.objectName(where, bad)), JSON.stringify(bad)).toMatchObject({ field: "key" })
      }
      expect(Gcs.isRefusedKey("a\nb")).toBe(true)
      expect(Gcs.isRefusedKey("a b")).toBe(false)
    }))
})

describe("CRC32C", () => {
  it("matches RFC 3720 B.4 and the Castagnoli check value", () => {
    const crc = (bytes: Uint8Array) => crc32cUpdate(0, bytes)
    expect(crc(new TextEncoder().encode("123456789"))).toBe(0xe3069283)
    expect(crc(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32cBase64(crc(new Uint8Array(0)))).toBe("AAAAAA==")
  })

  it("incremental over any split equals the one-shot table implementation", () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat({ max: 2000 }), (bytes, cut) => {
        const at = Math.min(cut, bytes.length)
        const split = crc32cUpdate(crc32cUpdate(0, bytes.subarray(0, at)), bytes.subarray(at))
        expect(crc32cBase64(split)).toBe(crc32c(bytes))
      })
    ))
})

describe("GCS configuration", () => {
  const listWith = (layer: Layer.Layer<ObjectStorage, unknown, HttpClient.HttpClient>, exchanges: ReadonlyArray<Replay.Exchange>) =>
    Effect.gen(function*() {
      const s = yield* ObjectStorage
      const buckets = yield* s.listContainers()
      yield* Replay.assertDone
      return buckets.map((b) => b.name)
    }).pipe(Effect.provide(Layer.provideMerge(layer, Replay.layer(exchanges))))

  it.live("layerConfig: GOOGLE_APPLICATION_CREDENTIALS is a key file; GOOGLE_CLOUD_PROJECT, else GCLOUD_PROJECT, else the key's project", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "cloudfx-gcs-")))
      const file = path.join(dir, "key.json")
      yield* Effect.promise(() => fs.writeFile(file, JSON.stringify(key())))
      const fromEnv = (env: Record<string, string>) =>
        Gcs.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))
      expect(yield* listWith(fromEnv({ GOOGLE_APPLICATION_CREDENTIALS: file, GOOGLE_CLOUD_PROJECT: "p1", GCLOUD_PROJECT: "p2" }), [TOKEN, listBuckets("p1")]))
        .toEqual(["of-p1"])
      expect(yield* listWith(fromEnv({ GOOGLE_APPLICATION_CREDENTIALS: file, GCLOUD_PROJECT: "p2" }), [TOKEN, listBuckets("p2")])).toEqual(["of-p2"])
      expect(yield* listWith(fromEnv({ GOOGLE_APPLICATION_CREDENTIALS: file }), [TOKEN, listBuckets("key-project")])).toEqual(["of-key-project"])
      const missing = yield* Effect.flip(listWith(fromEnv({}), []))
      expect(missing).toMatchObject({ _tag: "ConfigError" })
      yield* Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
    }))

  it.live("the key may be JSON text, Redacted text or the parsed object", () =>
    Effect.gen(function*() {
      for (const serviceAccount of [JSON.stringify(key()), Redacted.make(JSON.stringify(key())), key()]) {
        expect(yield* listWith(Gcs.layer({ serviceAccount, project: "px" }), [TOKEN, listBuckets("px")])).toEqual(["of-px"])
      }
    }))

  it.effect("a bad key fails every request with InvalidCredentials naming the field, never the content", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Gcs.ServiceAccountInput, string]> = [
        ["{ SECRET not json", "serviceAccountKey is not valid JSON"],
        [key({ private_key: "-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----\n" }), "serviceAccountKey.private_key is not a PEM-encoded private key"],
        [JSON.stringify(key({ client_email: undefined })), "serviceAccountKey.client_email is missing"],
        ["/nonexistent/SECRET/key.json", "service account key file cannot be read (ENOENT)"]
      ]
      for (const [serviceAccount, reason] of cases) {
        const e = yield* Effect.flip(listWith(Gcs.layer({ serviceAccount, project: "p" }), []))
        expect(e).toMatchObject({ _tag: "InvalidCredentials", provider: "gcs" })
        expect((e as { reason: string }).reason).toContain(reason)
        expect(JSON.stringify(e) + String(e)).not.toContain("SECRET")
      }
    }))

  it.effect("without a project anywhere, listing buckets says so", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(listWith(Gcs.layer({ serviceAccount: key({ project_id: undefined }) }), []))
      expect(e).toMatchObject({ _tag: "InvalidCredentials", reason: expect.stringContaining("no project") })
    }))

  it.effect("invalid chunk sizes are InvalidInput before anything is sent", () =>
    Effect.gen(function*() {
      const s = yield* Gcs.make({ serviceAccount: key(), chunkSize: 1_000_000 })
      expect(yield* expectFailure(s.putObject("bkt", "k", "x"), "InvalidInput")).toMatchObject({ field: "chunkSize" })
      expect(yield* expectFailure(s.putObject("bkt", "k", "x", { partSize: 1000 }), "InvalidInput")).toMatchObject({ field: "partSize" })
    }).pipe(Effect.provide(Replay.layer([]))))

  it.effect("a signed URL for the real endpoint: path style on storage.googleapis.com, V4 query parameters, 1 s to 7 days", () =>
    Effect.gen(function*() {
      const s = yield* Gcs.make({ serviceAccount: key() })
      const url = new URL(yield* s.signedUrl("my-bucket", "a/b c+d.txt", { method: "PUT", expiresIn: "7 days" }))
      expect(url.origin).toBe("https://storage.googleapis.com")
      expect(url.pathname).toBe("/my-bucket/a/b%20c%2Bd.txt")
      expect([...url.searchParams.keys()].sort()).toEqual([
        "X-Goog-Algorithm",
        "X-Goog-Credential",
        "X-Goog-Date",
        "X-Goog-Expires",
        "X-Goog-Signature",
        "X-Goog-SignedHeaders"
      ])
      expect(url.searchParams.get("X-Goog-Expires")).toBe("604800")
      expect(url.searchParams.get("X-Goog-Signature")).toMatch(/^[0-9a-f]{512}$/)
      for (const bad of ["0 seconds", "999 millis", "7 days 1 second"]) {
        yield* expectFailure(s.signedUrl("my-bucket", "k", { expiresIn: bad as "1 second" }), "InvalidInput")
      }
      yield* expectFailure(s.signedUrl("my-bucket", "k", { method: "DELETE" as "GET", expiresIn: "1 hour" }), "InvalidInput")
    }).pipe(Effect.provide(Replay.layer([]))))

  it("describes its provider", () =>
    Effect.runPromise(
      Effect.map(Gcs.make({ serviceAccount: key() }), (s) => {
        expect(s.provider.id).toBe("gcs")
        expect([...s.provider.capabilities].sort()).toEqual(["storage.cdn", "storage.copy", "storage.multipart", "storage.range", "storage.signedUrl"])
      }).pipe(Effect.provide(Replay.layer([])))
    ))
})
