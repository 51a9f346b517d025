/**
 * Azure Blob configuration and names, without a server: connection strings, the environment variables
 * layerConfig reads, Azure's container naming rules, and the metadata name encoding.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, Redacted } from "effect"
import * as fc from "fast-check"
import { AzureBlob } from "../../../src/layers/azure/index.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { expectFailure } from "../../contract/ObjectStorage.js"

const key = Buffer.alloc(64, 5).toString("base64")

describe("AzureBlob.parseConnectionString", () => {
  const parsed = (s: string) => {
    const r = AzureBlob.parseConnectionString(s)
    if (Either.isLeft(r)) throw new Error(r.left)
    const { key: k, sas, ...rest } = r.right
    return { ...rest, key: k && Redacted.value(k), sas: sas && Redacted.value(sas) }
  }

  it("builds the endpoint from protocol, account and suffix; values may hold '='", () => {
    expect(parsed(`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${key};EndpointSuffix=core.chinacloudapi.cn`)).toEqual({
      account: "acct",
      key,
      sas: undefined,
      endpoint: "https://acct.blob.core.chinacloudapi.cn"
    })
    expect(parsed(`accountname=acct;accountkey=${key}`).endpoint).toBe("https://acct.blob.core.windows.net")
  })

  it("takes BlobEndpoint as given, and a SharedAccessSignature instead of a key", () => {
    expect(parsed("BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;SharedAccessSignature=sv=2021-08-06&ss=b&sig=abc%3D")).toEqual({
      endpoint: "http://127.0.0.1:10000/devstoreaccount1",
      key: undefined,
      sas: "sv=2021-08-06&ss=b&sig=abc%3D"
    })
    expect(AzureBlob.accountFromEndpoint("http://127.0.0.1:10000/devstoreaccount1")).toBe("devstoreaccount1")
    expect(AzureBlob.accountFromEndpoint("https://myacct.blob.core.windows.net")).toBe("myacct")
  })

  it("knows UseDevelopmentStorage=true (Azurite's well-known account)", () => {
    expect(parsed("UseDevelopmentStorage=true")).toMatchObject({ account: "devstoreaccount1", endpoint: "http://127.0.0.1:10000/devstoreaccount1" })
  })

  it("refuses malformed strings without quoting them", () => {
    for (const bad of [`AccountKey=${key}`, "just-a-secret-value", `DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=${key}`, "AccountName"]) {
      const r = AzureBlob.parseConnectionString(bad)
      expect(Either.isLeft(r), bad).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left).not.toContain(key)
        expect(r.left).not.toContain("just-a-secret-value")
      }
    }
  })
})

describe("AzureBlob.layerConfig", () => {
  const withEnv = (env: Record<string, string>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.withConfigProvider(self, ConfigProvider.fromMap(new Map(Object.entries(env))))

  const built = (env: Record<string, string>) =>
    Effect.gen(function*() {
      const context = yield* Layer.build(AzureBlob.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)))
      const azure = yield* Effect.provide(AzureBlob.AzureBlob, context)
      const storage = yield* Effect.provide(ObjectStorage, context)
      return { azure, storage }
    }).pipe(Effect.scoped, withEnv(env))

  it.effect("reads AZURE_STORAGE_CONNECTION_STRING", () =>
    Effect.gen(function*() {
      const { azure, storage } = yield* built({
        AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;`
      })
      expect(azure.account).toBe("devstoreaccount1")
      expect(azure.endpoint).toBe("http://127.0.0.1:1/devstoreaccount1")
      expect(storage.provider.capabilities.has("storage.signedUrl")).toBe(true)
    }))

  it.effect("reads AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY, or with AZURE_STORAGE_SAS_TOKEN", () =>
    Effect.gen(function*() {
      const withKey = yield* built({ AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_KEY: key })
      expect(withKey.azure.endpoint).toBe("https://acct.blob.core.windows.net")
      expect(withKey.storage.provider.capabilities.has("storage.signedUrl")).toBe(true)
      const withSas = yield* built({ AZURE_STORAGE_ACCOUNT: "acct", AZURE_STORAGE_SAS_TOKEN: "?sv=2021-08-06&sig=x" })
      expect(withSas.storage.provider.capabilities.has("storage.signedUrl")).toBe(false)
      expect(yield* Effect.flip(withSas.storage.signedUrl("box", "k", { expiresIn: "1 hour" }))).toMatchObject({ _tag: "Unsupported" })
    }))

  it.effect("a missing account or a broken connection string is a ConfigError that quotes no secret", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(built({ AZURE_STORAGE_KEY: key }))
      expect(String(missing)).toContain("AZURE_STORAGE_ACCOUNT")
      const broken = yield* Effect.flip(built({ AZURE_STORAGE_CONNECTION_STRING: `AccountKey=${key}` }))
      expect(String(broken)).toContain("AZURE_STORAGE_CONNECTION_STRING")
      expect(String(broken)).not.toContain(key)
    }))
})

describe("Azure names", () => {
  const offline = AzureBlob.make({ account: "acct", key: Redacted.make(key), endpoint: "http://127.0.0.1:9/acct" }).pipe(
    Effect.provide(FetchHttpClient.layer)
  )

  it.effect("container names follow Azure's rules, checked before any request", () =>
    Effect.gen(function*() {
      const storage = yield* offline
      for (const bad of ["ab", "a".repeat(64), "Upper", "under_score", "-start", "end-", "double--hyphen", "dot.name", "spa ce"]) {
        const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
          storage.createContainer(bad),
          storage.getContainer(bad),
          storage.headObject(bad, "k"),
          storage.cdnUrl(bad)
        ]
        for (const attempt of attempts) {
          expect(yield* expectFailure(attempt, "InvalidInput"), bad).toMatchObject({ field: "container" })
        }
      }
      for (const good of ["abc", "a".repeat(63), "a-b-c", "0day", "$root", "$web"]) {
        expect(yield* storage.cdnUrl(good)).toMatch(/^http:\/\/127\.0\.0\.1:9\/acct\//)
      }
    }))

  it.effect("keys with a backslash (Azure stores it as '/') or more than 254 segments are InvalidInput", () =>
    Effect.gen(function*() {
      const storage = yield* offline
      expect(yield* expectFailure(storage.putObject("box", "back\\slash", "x"), "InvalidInput")).toMatchObject({ field: "key" })
      expect(yield* expectFailure(storage.headObject("box", "a/".repeat(254) + "b"), "InvalidInput")).toMatchObject({ field: "key" })
      expect(yield* storage.cdnUrl("box", "a/".repeat(253) + "b")).toContain("/box/a/a/")
    }))

  it.effect("invalid block sizes and concurrency are InvalidInput", () =>
    Effect.gen(function*() {
      const storage = yield* offline
      expect(yield* expectFailure(storage.putObject("box", "k", "x", { partSize: 4001 * 1024 * 1024 }), "InvalidInput")).toMatchObject({ field: "partSize" })
      expect(yield* expectFailure(storage.putObject("box", "k", "x", { concurrency: 65 }), "InvalidInput")).toMatchObject({ field: "concurrency" })
      const azure = yield* AzureBlob.makeServices({ account: "acct", key: Redacted.make(key), endpoint: "http://127.0.0.1:9/acct", blockSize: 0 }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      expect(yield* expectFailure(azure.storage.putObject("box", "k", "x"), "InvalidInput")).toMatchObject({ field: "partSize" })
    }))

  const portableMetadataKey = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/)

  it("metadata names: every portable key becomes a C# identifier and comes back lower-cased", () => {
    fc.assert(fc.property(portableMetadataKey, (k) => {
      const stored = AzureBlob.encodeMetadataName(k)
      expect(stored).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
      expect(AzureBlob.decodeMetadataName(stored)).toBe(k.toLowerCase())
      expect(AzureBlob.decodeMetadataName(stored.toUpperCase())).toBe(k.toLowerCase())
    }))
    // Identifiers are stored as they are: what other tools wrote reads back unchanged.
    expect(AzureBlob.encodeMetadataName("Color")).toBe("color")
    expect(AzureBlob.encodeMetadataName("x-count")).toBe("cfx_x_dcount")
    expect(AzureBlob.encodeMetadataName("cfx_a")).toBe("cfx_cfx__a")
    expect(AzureBlob.decodeMetadataName("my_tool_key")).toBe("my_tool_key")
    expect(AzureBlob.decodeMetadataName("cfx_not_ours")).toBe("cfx_not_ours")
  })
})
