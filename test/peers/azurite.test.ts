import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { LocalAzurite, skipPeers } from "../support/peers/index.js"
import { signAzureSharedKey } from "../support/peers/smoke-signers.js"

describe.skipIf(skipPeers("azurite"))("peer: azurite", () => {
  layer(LocalAzurite.layer(), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("verifies SharedKey: container + blob round trip, a bad signature gets 403", () =>
      Effect.gen(function*() {
        const az = yield* LocalAzurite
        const send = (method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer; key?: string } = {}) =>
          Effect.promise(async () => {
            const url = `${az.blobEndpoint}${path}`
            const headers = signAzureSharedKey(az.account, options.key ?? az.accountKey, {
              method, url, ...(options.headers ? { headers: options.headers } : {}), ...(options.body ? { body: options.body } : {})
            })
            const res = await fetch(url, { method, headers, ...(options.body ? { body: options.body } : {}) })
            return { status: res.status, text: await res.text(), error: res.headers.get("x-ms-error-code") }
          })
        const container = `smoke${Date.now()}`
        expect((yield* send("PUT", `/${container}?restype=container`)).status).toBe(201)
        const put = yield* send("PUT", `/${container}/dir/hello.txt`, {
          headers: { "x-ms-blob-type": "BlockBlob", "content-type": "text/plain" },
          body: Buffer.from("hello azure")
        })
        expect(put.status).toBe(201)
        expect(yield* send("GET", `/${container}/dir/hello.txt`)).toMatchObject({ status: 200, text: "hello azure" })
        const list = yield* send("GET", "?comp=list")
        expect(list.status).toBe(200)
        expect(list.text).toContain(`<Name>${container}</Name>`)
        // a signature made with another key is refused: Azurite really checks SharedKey
        const wrongKey = Buffer.alloc(64, 7).toString("base64")
        expect(yield* send("GET", "?comp=list", { key: wrongKey })).toMatchObject({ status: 403, error: "AuthorizationFailure" })
        expect((yield* send("DELETE", `/${container}?restype=container`)).status).toBe(202)
      }))
  })
})
