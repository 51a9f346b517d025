import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHmac } from "node:crypto"
import { LocalSwift, skipPeers } from "../support/peers/index.js"
import { signS3 } from "../support/peers/smoke-signers.js"

const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    return { status: res.status, headers: res.headers, text: await res.text() }
  })

describe.skipIf(skipPeers("swift"))("peer: swift", () => {
  layer(LocalSwift.layer(), { timeout: "90 seconds", excludeTestServices: true })((it) => {
    it.effect("tempauth v1.0: token, container and object PUT/GET, bad key 401", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const auth = yield* call(swift.authUrl, { headers: { "X-Auth-User": swift.user, "X-Auth-Key": swift.key } })
        expect(auth.status).toBe(200)
        const token = auth.headers.get("x-auth-token")!
        expect(token).toMatch(/^AUTH_tk/)
        expect(auth.headers.get("x-storage-url")).toBe(swift.storageUrl)
        const c = `${swift.storageUrl}/smoke${Date.now()}`
        expect((yield* call(c, { method: "PUT", headers: { "X-Auth-Token": token } })).status).toBe(201)
        const put = yield* call(`${c}/dir/hello.txt`, { method: "PUT", headers: { "X-Auth-Token": token, "Content-Type": "text/plain" }, body: Buffer.from("hello swift") })
        expect(put.status).toBe(201)
        expect(yield* call(`${c}/dir/hello.txt`, { headers: { "X-Auth-Token": token } })).toMatchObject({ status: 200, text: "hello swift" })
        const bad = yield* call(swift.authUrl, { headers: { "X-Auth-User": swift.user, "X-Auth-Key": "nope" } })
        expect(bad.status).toBe(401)
        expect((yield* call(`${c}/dir/hello.txt`, { headers: { "X-Auth-Token": "AUTH_tkbogus" } })).status).toBe(401)
      }))

    it.effect("tempurl: a signed URL reads an object without a token", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const auth = yield* call(swift.authUrl, { headers: { "X-Auth-User": swift.user, "X-Auth-Key": swift.key } })
        const token = auth.headers.get("x-auth-token")!
        const key = "tempurl-secret"
        expect((yield* call(swift.storageUrl, { method: "POST", headers: { "X-Auth-Token": token, "X-Account-Meta-Temp-URL-Key": key } })).status).toBe(204)
        const path = `/v1/${swift.account}/tmpurl${Date.now()}/o.txt`
        yield* call(`${swift.proxyUrl}${path.slice(0, path.lastIndexOf("/"))}`, { method: "PUT", headers: { "X-Auth-Token": token } })
        expect((yield* call(`${swift.proxyUrl}${path}`, { method: "PUT", headers: { "X-Auth-Token": token }, body: Buffer.from("temp") })).status).toBe(201)
        const expires = Math.floor(Date.now() / 1000) + 300
        const sig = createHmac("sha256", key).update(`GET\n${expires}\n${path}`).digest("hex")
        expect(yield* call(`${swift.proxyUrl}${path}?temp_url_sig=${sig}&temp_url_expires=${expires}`)).toMatchObject({ status: 200, text: "temp" })
        expect((yield* call(`${swift.proxyUrl}${path}?temp_url_sig=${"0".repeat(64)}&temp_url_expires=${expires}`)).status).toBe(401)
      }))

    it.effect("s3api: a correctly signed SigV4 request works, a wrong secret gets 403", () =>
      Effect.gen(function*() {
        const swift = yield* LocalSwift
        const s3 = (method: string, path: string, secret = swift.s3.secretAccessKey, body?: Buffer) =>
          Effect.suspend(() => {
            const url = `${swift.s3.endpoint}${path}`
            const headers = signS3({ accessKeyId: swift.s3.accessKeyId, secretAccessKey: secret, region: swift.s3.region }, { method, url, ...(body ? { body } : {}) })
            return call(url, { method, headers, ...(body ? { body } : {}) })
          })
        const bucket = `s3smoke${Date.now()}`
        expect((yield* s3("PUT", `/${bucket}`)).status).toBe(200)
        expect((yield* s3("PUT", `/${bucket}/k1`, undefined, Buffer.from("via s3"))).status).toBe(200)
        expect(yield* s3("GET", `/${bucket}/k1`)).toMatchObject({ status: 200, text: "via s3" })
        const list = yield* s3("GET", `/${bucket}?list-type=2`)
        expect(list.text).toContain("<Key>k1</Key>")
        expect(list.text).toContain('xmlns="http://s3.amazonaws.com/doc/2006-03-01/"')
        const wrong = yield* s3("GET", "/", "WRONG")
        expect(wrong.status).toBe(403)
        expect(wrong.text).toContain("SignatureDoesNotMatch")
      }))
  })
})
