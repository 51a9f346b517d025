import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { LocalS3rver, skipPeers } from "../support/peers/index.js"
import { signS3 } from "../support/peers/smoke-signers.js"

describe.skipIf(skipPeers("s3rver"))("peer: s3rver", () => {
  layer(LocalS3rver.layer(), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("creates a bucket, PUTs and GETs an object over SigV4", () =>
      Effect.gen(function*() {
        const s3 = yield* LocalS3rver
        const creds = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region }
        const send = (method: string, path: string, body?: Buffer) =>
          Effect.promise(async () => {
            const url = `${s3.endpoint}${path}`
            const res = await fetch(url, { method, headers: signS3(creds, { method, url, ...(body ? { body } : {}) }), ...(body ? { body } : {}) })
            return { status: res.status, text: await res.text(), etag: res.headers.get("etag") }
          })
        const bucket = `smoke-${Date.now()}`
        expect((yield* send("PUT", `/${bucket}`)).status).toBe(200)
        const put = yield* send("PUT", `/${bucket}/dir/hello.txt`, Buffer.from("hello s3rver"))
        expect(put.status).toBe(200)
        expect(put.etag).toBe(`"${createHash("md5").update("hello s3rver").digest("hex")}"`)
        const get = yield* send("GET", `/${bucket}/dir/hello.txt`)
        expect(get).toMatchObject({ status: 200, text: "hello s3rver" })
        const list = yield* send("GET", `/${bucket}?list-type=2`)
        expect(list.text).toContain("<Key>dir/hello.txt</Key>")
        // an unknown access key is refused (s3rver checks the key id, not the SigV4 signature)
        const bad = yield* Effect.promise(() => fetch(`${s3.endpoint}/`, { headers: signS3({ ...creds, accessKeyId: "NOPE" }, { method: "GET", url: `${s3.endpoint}/` }) }))
        expect(bad.status).toBe(403)
      }))
  })
})
