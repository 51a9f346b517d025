/**
 * A container SAS (src/auth/azure) as the whole configuration: what it may do inside its container, what it may
 * not do outside it, an expired one, and its signature kept out of errors, logs and spans.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Chunk, type Duration, Effect, Layer, Redacted, Stream } from "effect"
import { containerSas, sasQueryString } from "../../../src/auth/azure/index.js"
import { collectBody, expectFailure } from "../../contract/ObjectStorage.js"
import { captureLogs, captureSpans, spanText } from "../../http/support.js"
import { LocalAzurite, skipPeers } from "../../support/peers/index.js"
import { randomName, services } from "./support.js"

const sasFor = (container: string, options: { readonly expiresIn: Duration.DurationInput } | { readonly expiresOn: Date } = { expiresIn: "1 hour" }) =>
  Effect.gen(function*() {
    const az = yield* LocalAzurite
    const sas = yield* containerSas({ account: az.account, key: Redacted.make(az.accountKey) }, container, {
      permissions: ["read", "add", "create", "write", "delete", "list"],
      protocol: "https,http",
      ...options
    })
    return sasQueryString(sas.query)
  })

describe.skipIf(skipPeers("azurite"))("azure blob with a container SAS", () => {
  layer(Layer.merge(LocalAzurite.layer(), NodeHttpClient.layerUndici), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("works inside its container, is refused outside it, and cannot mint URLs or change access", () =>
      Effect.gen(function*() {
        const owner = yield* services()
        const c = (yield* owner.storage.createContainer(randomName("cfx-csas"))).name
        const token = yield* sasFor(c)
        const { azure, storage } = yield* services({ key: undefined, sas: Redacted.make(`?${token}`) })
        expect([...storage.provider.capabilities].sort()).toEqual(["storage.copy", "storage.multipart", "storage.range"])

        const put = yield* storage.putObject(c, "dir/a.txt", "alpha", { metadata: { "x-owner": "sas" } })
        yield* storage.putObject(c, "dir/b.bin", Stream.make(new Uint8Array(300_000).fill(7)), { partSize: 100_000 })
        expect((yield* storage.headObject(c, "dir/a.txt")).etag).toBe(put.etag)
        expect(new TextDecoder().decode(yield* collectBody((yield* storage.getObject(c, "dir/a.txt", { range: { start: 1, end: 3 } })).body))).toBe("lp")
        const listed = yield* Stream.runCollect(storage.listObjects(c, { prefix: "dir/", pageSize: 1 }))
        expect(Chunk.toReadonlyArray(listed).map((e) => e.key)).toEqual(["dir/a.txt", "dir/b.bin"])
        const copied = yield* storage.copyObject({ container: c, key: "dir/a.txt" }, { container: c, key: "copy.txt" })
        expect(copied).toMatchObject({ etag: put.etag, metadata: { "x-owner": "sas" } })
        expect((yield* azure.getBlockList(c, "dir/b.bin")).committed.length).toBe(3)

        // The signature covers this container only: anywhere else the service cannot authenticate it.
        yield* expectFailure(storage.listContainers(), "InvalidCredentials")
        yield* expectFailure(storage.createContainer(randomName("cfx-csas")), "InvalidCredentials")
        yield* expectFailure(storage.signedUrl(c, "dir/a.txt", { expiresIn: "1 hour" }), "Unsupported")
        yield* expectFailure(storage.enableCdn(c), "Unsupported")
        yield* expectFailure(storage.cdnUrl(c, "dir/a.txt"), "Unsupported")
        yield* expectFailure(azure.getContainerAccess(c), "PermissionDenied")

        for (const key of ["dir/a.txt", "dir/b.bin", "copy.txt"]) yield* storage.deleteObject(c, key)
        yield* storage.deleteObject(c, "never-there")
        yield* owner.storage.deleteContainer(c)
      }))

    it.effect("a SAS for another container, or an expired one, is refused; the signature never shows", () =>
      Effect.gen(function*() {
        const owner = yield* services()
        const c = (yield* owner.storage.createContainer(randomName("cfx-csas"))).name
        const other = yield* sasFor("some-other-container")
        const expired = yield* sasFor(c, { expiresOn: new Date(Date.now() + 1500) })
        yield* Effect.sleep("2 seconds")
        const logs = captureLogs()
        const { spans, tracer } = yield* captureSpans
        const seen: Array<unknown> = []
        for (const token of [other, expired]) {
          const { storage } = yield* services({ key: undefined, sas: Redacted.make(token) })
          for (
            const attempt of [storage.putObject(c, "k", "x"), storage.getObject(c, "k")] as ReadonlyArray<
              Effect.Effect<unknown, { readonly _tag: string }>
            >
          ) {
            const e = yield* Effect.flip(attempt).pipe(Effect.withTracer(tracer), Effect.provide(logs.layer))
            expect((e as { _tag: string })._tag).toBe("InvalidCredentials")
            seen.push(e)
          }
        }
        const text = [...seen.map((e) => `${String(e)} ${JSON.stringify(e)}`), ...logs.lines, spanText(spans)].join("\n")
        for (const token of [other, expired]) {
          const sig = new URLSearchParams(token).get("sig")!
          expect(text).not.toContain(sig)
          expect(text).not.toContain(encodeURIComponent(sig))
        }
        yield* owner.storage.deleteContainer(c)
      }))
  })
})
