import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Redacted, TestClock } from "effect"
import * as fc from "fast-check"
import { createHmac } from "node:crypto"
import {
  canonicalizedResource,
  decodeAccountKey,
  hmacSha256Base64,
  sharedKeyAuthorization,
  sharedKeyInputFromRequest,
  sharedKeySigner,
  sharedKeyStringToSign
} from "../../../src/auth/azure/index.js"
import type { Signer } from "../../../src/http/Signer.js"
import { readVectorJson, vectorSuite } from "./vectors.js"

interface SharedKeyCase {
  readonly name: string
  readonly kind: string
  readonly accountName: string
  readonly accountKey: string
  readonly request: {
    readonly method: string
    readonly path: string
    readonly query: ReadonlyArray<[string, string]>
    readonly headers: ReadonlyArray<[string, string]>
  }
  readonly expected: { readonly stringToSign: string; readonly signature: string; readonly authorization: string }
}

interface CanonicalizationCase {
  readonly name: string
  readonly request: { readonly method: string; readonly url: string; readonly headers: ReadonlyArray<[string, string]> }
  readonly expected: { readonly stringToSign: string }
}

interface VectorFile {
  readonly cases: ReadonlyArray<{ readonly kind: string }>
  readonly canonicalizationOnly: ReadonlyArray<CanonicalizationCase>
}

const FILE = "azure-storage/azure-storage-vectors.json"

// Azurite's published development key: not a secret.
const DEVSTORE = {
  account: "devstoreaccount1",
  key: Redacted.make("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
}
const DEVSTORE_KEY_BYTES = Buffer.from(Redacted.value(DEVSTORE.key), "base64")

vectorSuite("Azure Shared Key vectors (azure-storage-node + Microsoft Learn)", () => {
  const file = readVectorJson<VectorFile>(FILE)
  const sharedKey = file.cases.filter((c) => c.kind === "SharedKey") as unknown as ReadonlyArray<SharedKeyCase>

  it("has the cases the README lists", () => {
    expect(sharedKey).toHaveLength(1)
    expect(file.canonicalizationOnly).toHaveLength(1)
  })

  for (const c of sharedKey) {
    it.effect(`${c.name}: string to sign, signature, Authorization`, () =>
      Effect.gen(function*() {
        const input = { method: c.request.method, path: c.request.path, query: c.request.query, headers: c.request.headers }
        const sts = sharedKeyStringToSign(c.accountName, input)
        expect(sts).toBe(c.expected.stringToSign)
        const key = yield* decodeAccountKey(Redacted.make(c.accountKey))
        expect(hmacSha256Base64(key, sts)).toBe(c.expected.signature)
        const authorization = yield* sharedKeyAuthorization({ account: c.accountName, key: Redacted.make(c.accountKey) }, sts)
        expect(authorization).toBe(c.expected.authorization)
      }))
  }

  for (const c of file.canonicalizationOnly) {
    it.effect(`${c.name}: the request adapter canonicalises the docs example exactly`, () =>
      Effect.gen(function*() {
        const url = new URL(c.request.url)
        const account = url.hostname.split(".")[0] ?? ""
        const date = c.request.headers.find(([k]) => k === "x-ms-date")?.[1] ?? ""
        const version = c.request.headers.find(([k]) => k === "x-ms-version")?.[1] ?? ""
        yield* TestClock.setTime(Date.parse(date))

        // Pure stage from the URL's parts.
        const pure = sharedKeyStringToSign(account, {
          method: c.request.method,
          path: url.pathname,
          query: [...url.searchParams.entries()],
          headers: c.request.headers
        })
        expect(pure).toBe(c.expected.stringToSign)

        // The adapter, fed a plain HttpClientRequest: it adds x-ms-date from the clock itself.
        const credentials = { account, key: DEVSTORE.key }
        const signed = yield* sharedKeySigner(credentials, { version })(HttpClientRequest.get(c.request.url))
        expect(signed.headers["x-ms-date"]).toBe(date)
        expect(signed.headers["x-ms-version"]).toBe(version)
        const input = yield* sharedKeyInputFromRequest(signed)
        expect(sharedKeyStringToSign(account, input)).toBe(c.expected.stringToSign)
        const expectedSig = createHmac("sha256", DEVSTORE_KEY_BYTES).update(c.expected.stringToSign).digest("base64")
        expect(signed.headers["authorization"]).toBe(`SharedKey ${account}:${expectedSig}`)
      }))
  }
})

describe("Azure Shared Key signer", () => {
  it.effect("signs a PUT with body: Content-Length, Content-Type, x-ms headers sorted, emulator path", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const request = HttpClientRequest.put("http://127.0.0.1:10000/devstoreaccount1/photos/dir/a%20b.txt").pipe(
        HttpClientRequest.bodyText("hello", "text/plain"),
        HttpClientRequest.setHeaders({ "x-ms-blob-type": "BlockBlob", "X-MS-Meta-Zeta": "  z  ", "x-ms-meta-alpha": "a" })
      )
      const signed = yield* sharedKeySigner(DEVSTORE)(request)
      const expected = [
        "PUT",
        "",
        "",
        "5",
        "",
        "text/plain",
        "",
        "",
        "",
        "",
        "",
        "",
        "x-ms-blob-type:BlockBlob",
        "x-ms-date:Tue, 02 Jan 2024 03:04:05 GMT",
        "x-ms-meta-alpha:a",
        "x-ms-meta-zeta:z",
        "x-ms-version:2021-08-06",
        "/devstoreaccount1/devstoreaccount1/photos/dir/a%20b.txt"
      ].join("\n")
      const sig = createHmac("sha256", DEVSTORE_KEY_BYTES).update(expected).digest("base64")
      expect(signed.headers["authorization"]).toBe(`SharedKey devstoreaccount1:${sig}`)
      expect(signed.headers["x-ms-date"]).toBe("Tue, 02 Jan 2024 03:04:05 GMT")
    }))

  it.effect("signs an empty Content-Length as '' and groups repeated query values sorted", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.put("https://acct.blob.core.windows.net/c?restype=container").pipe(
        HttpClientRequest.setHeader("content-length", "0"),
        HttpClientRequest.appendUrlParam("Include", "snapshots"),
        HttpClientRequest.appendUrlParam("include", "metadata")
      )
      const input = yield* sharedKeyInputFromRequest(request)
      const sts = sharedKeyStringToSign("acct", { ...input, headers: [...input.headers, ["x-ms-version", "2021-08-06"]] })
      expect(sts.split("\n")[3]).toBe("")
      expect(sts.endsWith("/acct/c\ninclude:metadata,snapshots\nrestype:container")).toBe(true)
      // Before 2015-02-21 a zero length was signed as "0".
      const old = sharedKeyStringToSign("acct", { ...input, headers: [...input.headers, ["x-ms-version", "2014-02-14"]] })
      expect(old.split("\n")[3]).toBe("0")
    }))

  it.effect("keeps an x-ms-version the request already names, and signs the service root as '/'", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get("https://acct.blob.core.windows.net/?comp=list").pipe(
        HttpClientRequest.setHeader("x-ms-version", "2020-10-02")
      )
      const signed = yield* sharedKeySigner({ account: "acct", key: DEVSTORE.key })(request)
      expect(signed.headers["x-ms-version"]).toBe("2020-10-02")
      const input = yield* sharedKeyInputFromRequest(signed)
      expect(sharedKeyStringToSign("acct", input).endsWith("\n/acct/\ncomp:list")).toBe(true)
    }))

  it.effect("an unusable key is InvalidCredentials and never shows the key", () =>
    Effect.gen(function*() {
      const secret = "not*base64*but*secret"
      const exit = yield* Effect.exit(
        sharedKeySigner({ account: "acct", key: Redacted.make(secret) })(HttpClientRequest.get("https://acct.blob.core.windows.net/c"))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error?._tag).toBe("InvalidCredentials")
        for (const text of [String(error), JSON.stringify(error), (error as Error).message, (error as Error).stack ?? ""]) {
          expect(text).not.toContain(secret)
        }
      }
      const empty = yield* Effect.flip(decodeAccountKey(Redacted.make("")))
      expect(empty._tag).toBe("InvalidCredentials")
    }))

  it.effect("has src/http's Signer shape, and names the caller's provider and operation in errors", () =>
    Effect.gen(function*() {
      const signer: Signer = sharedKeySigner({ account: "acct", key: Redacted.make("%%%") })
      const error = yield* Effect.flip(
        signer(HttpClientRequest.get("https://acct.blob.core.windows.net/c"), {
          provider: "azure-blob",
          operation: "ObjectStorage.headObject",
          attempt: 1
        })
      )
      expect(error).toMatchObject({ _tag: "InvalidCredentials", provider: "azure-blob", operation: "ObjectStorage.headObject" })
    }))

  it.effect("a request that cannot be signed is a defect of the caller, not a typed failure", () =>
    Effect.gen(function*() {
      const form = HttpClientRequest.post("https://acct.blob.core.windows.net/c").pipe(
        HttpClientRequest.bodyFormData(new FormData())
      )
      const exit = yield* Effect.exit(sharedKeySigner(DEVSTORE)(form))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }))

  it("canonicalized resource: query order and name case do not matter (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/)
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string({ maxLength: 10 })), { maxLength: 8 }), (pairs) => {
        const a = canonicalizedResource("acct", "/c/b", pairs)
        const shuffled = [...pairs].reverse().map(([k, v]) => [k.toLowerCase(), v] as const)
        expect(canonicalizedResource("acct", "/c/b", shuffled)).toBe(a)
      })
    )
  })
})
