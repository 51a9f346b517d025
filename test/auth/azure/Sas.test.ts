import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, TestClock } from "effect"
import { createHmac } from "node:crypto"
import {
  type AccountSasParams,
  blobSas,
  blobSasUrl,
  containerSas,
  containerSasUrl,
  permissionString,
  sasCanonicalizedResource,
  type SasParams,
  sasQueryString,
  type SasService,
  signAccountSas,
  signServiceSas
} from "../../../src/auth/azure/index.js"
import { readVectorJson, vectorSuite } from "./vectors.js"

interface SasCase {
  readonly name: string
  readonly kind: string
  readonly accountName: string
  readonly accountKey: string
  readonly resource?: Readonly<Record<string, string>>
  readonly params: Readonly<Record<string, string>>
  readonly expected: { readonly stringToSign: string; readonly signature: string; readonly query?: string }
}

const FILE = "azure-storage/azure-storage-vectors.json"

const parseQuery = (query: string) =>
  new Set(query.split("&").map((pair) => {
    const [k = "", v = ""] = pair.split("=")
    return `${decodeURIComponent(k)}=${decodeURIComponent(v)}`
  }))

/** The resource path of a vector case: container/blob, share/directory/file, queue, table. */
const resourcePath = (service: SasService, resource: Readonly<Record<string, string>>): string => {
  switch (service) {
    case "blob":
      return [resource.container, resource.blob].filter((s) => s !== undefined).join("/")
    case "file":
      return [resource.share, resource.directory, resource.file].filter((s) => s !== undefined).join("/")
    case "queue":
      return resource.queue ?? ""
    case "table":
      return resource.table ?? ""
  }
}

vectorSuite("Azure SAS vectors (azure-storage-node 2.10.7, sv=2018-03-28)", () => {
  const cases = readVectorJson<{ cases: ReadonlyArray<SasCase> }>(FILE).cases.filter((c) => c.kind !== "SharedKey")

  it("has the six SAS cases the README lists", () => {
    expect(cases).toHaveLength(6)
  })

  for (const c of cases) {
    it.effect(`${c.name} (${c.kind}): string to sign, sig, query`, () =>
      Effect.gen(function*() {
        const credentials = { account: c.accountName, key: Redacted.make(c.accountKey) }
        const signed = c.kind === "AccountSAS"
          ? yield* signAccountSas(credentials, c.params as unknown as AccountSasParams)
          : yield* (() => {
            const service = c.kind.replace("ServiceSAS-", "") as SasService
            const resource = sasCanonicalizedResource(service, c.accountName, resourcePath(service, c.resource ?? {}))
            return signServiceSas(credentials, service, resource, c.params as unknown as SasParams)
          })()
        expect(signed.stringToSign).toBe(c.expected.stringToSign)
        expect(signed.signature).toBe(c.expected.signature)
        const query = sasQueryString(signed.query)
        if (c.expected.query !== undefined) {
          // Order is not significant to the service: compare as sets.
          expect(parseQuery(query)).toEqual(parseQuery(c.expected.query))
        } else {
          expect(parseQuery(query)).toEqual(parseQuery(
            Object.entries({ ...c.params, sig: c.expected.signature }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
              .join("&")
          ))
        }
      }))
  }
})

const DEVSTORE = {
  account: "devstoreaccount1",
  key: Redacted.make("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
}
const hmac = (sts: string) =>
  createHmac("sha256", Buffer.from(Redacted.value(DEVSTORE.key), "base64")).update(sts).digest("base64")

const NOW = Date.UTC(2024, 4, 6, 7, 8, 9, 123)

describe("Azure Blob service SAS", () => {
  it("orders permission letters the way the service requires", () => {
    expect(permissionString(["list", "read", "write", "delete", "create", "add"])).toBe("racwdl")
    expect(permissionString(["setImmutabilityPolicy", "read", "deleteVersion", "permanentDelete", "tags", "filterByTags"]))
      .toBe("rxytfi")
  })

  it.effect("a blob SAS with sv=2018-03-28 uses the vector-checked layout", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sas = yield* blobSas(DEVSTORE, "photos", "dir/cat.jpg", {
        permissions: ["read"],
        expiresIn: "1 hour",
        version: "2018-03-28",
        contentDisposition: "attachment"
      })
      const sts = "r\n\n2024-05-06T08:08:09Z\n/blob/devstoreaccount1/photos/dir/cat.jpg\n\n\nhttps\n2018-03-28\n\nattachment\n\n\n"
      expect(sas.stringToSign).toBe(sts)
      expect(sas.signature).toBe(hmac(sts))
      expect(Object.fromEntries(sas.query)).toEqual({
        sv: "2018-03-28",
        sr: "b",
        se: "2024-05-06T08:08:09Z",
        sp: "r",
        spr: "https",
        rscd: "attachment",
        sig: hmac(sts)
      })
    }))

  it.effect("the default version (2021-08-06) signs sr, snapshot time and encryption scope lines", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const sas = yield* blobSas(DEVSTORE, "photos", "cat.jpg", {
        permissions: ["read", "write"],
        expiresIn: "15 minutes",
        startsOn: new Date(NOW - 60_000)
      })
      expect(sas.stringToSign).toBe(
        "rw\n2024-05-06T07:07:09Z\n2024-05-06T07:23:09Z\n/blob/devstoreaccount1/photos/cat.jpg\n\n\nhttps\n2021-08-06\nb\n\n\n\n\n\n\n"
      )
      const container = yield* containerSas(DEVSTORE, "photos", {
        permissions: ["list", "read"],
        expiresIn: "1 day",
        version: "2019-02-02"
      })
      expect(container.stringToSign).toBe(
        "rl\n\n2024-05-07T07:08:09Z\n/blob/devstoreaccount1/photos\n\n\nhttps\n2019-02-02\nc\n\n\n\n\n\n"
      )
      expect(container.signature).toBe(hmac(container.stringToSign))
    }))

  it.effect("builds URLs, encoding the blob name but not its slashes; emulator endpoints work", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const url = new URL(
        yield* blobSasUrl(DEVSTORE, "photos", "dir/a b+c.txt", {
          permissions: ["read"],
          expiresIn: "1 hour",
          endpoint: "http://127.0.0.1:10000/devstoreaccount1"
        })
      )
      expect(url.origin + url.pathname).toBe("http://127.0.0.1:10000/devstoreaccount1/photos/dir/a%20b%2Bc.txt")
      expect(url.searchParams.get("sp")).toBe("r")
      expect(url.searchParams.get("sr")).toBe("b")
      expect(url.searchParams.get("se")).toBe("2024-05-06T08:08:09Z")
      // The signature covers the unencoded name.
      const sts = [
        "r",
        "",
        "2024-05-06T08:08:09Z",
        "/blob/devstoreaccount1/photos/dir/a b+c.txt",
        "",
        "",
        "https",
        "2021-08-06",
        "b",
        "",
        "",
        "",
        "",
        "",
        "",
        ""
      ].join("\n")
      expect(url.searchParams.get("sig")).toBe(hmac(sts))

      const containerUrl = new URL(yield* containerSasUrl(DEVSTORE, "photos", { permissions: ["list"], expiresIn: "1 hour" }))
      expect(containerUrl.host).toBe("devstoreaccount1.blob.core.windows.net")
      expect(containerUrl.searchParams.get("sr")).toBe("c")
    }))

  it.effect("expiry and permission validation is InvalidInput, before anything is signed", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const fail = (options: Parameters<typeof blobSas>[3]) => Effect.flip(blobSas(DEVSTORE, "c", "b", options))
      const cases = [
        [{ permissions: ["read"], expiresIn: "0 seconds" }, "expiresIn"],
        [{ permissions: ["read"], expiresIn: "-5 minutes" }, "expiresIn"],
        [{ permissions: ["read"], expiresIn: Infinity }, "expiresIn"],
        [{ permissions: ["read"] }, "expiresIn"],
        [{ permissions: ["read"], expiresIn: "1 hour", expiresOn: new Date(NOW + 1000) }, "expiresIn"],
        [{ permissions: ["read"], expiresOn: new Date(NOW - 1) }, "expiresOn"],
        [{ permissions: ["read"], expiresOn: new Date(Number.NaN) }, "expiresOn"],
        [{ permissions: ["read"], expiresIn: "1 hour", startsOn: new Date(NOW + 7_200_000) }, "startsOn"],
        [{ permissions: [], expiresIn: "1 hour" }, "permissions"],
        [{ permissions: ["list"], expiresIn: "1 hour" }, "permissions"],
        [{ permissions: ["read"], expiresIn: "1 hour", version: "2018-03-28", encryptionScope: "s" }, "encryptionScope"]
      ] as const
      for (const [options, field] of cases) {
        const error = yield* fail(options as Parameters<typeof blobSas>[3])
        expect(error._tag).toBe("InvalidInput")
        expect(error._tag === "InvalidInput" ? error.field : "").toBe(field)
      }
      const ok = yield* blobSas(DEVSTORE, "c", "b", { permissions: ["read"], expiresOn: new Date(NOW + 1000) })
      expect(Object.fromEntries(ok.query).se).toBe("2024-05-06T07:08:10Z")
    }))
})
