/**
 * Swift's ObjectStorage provider against a real Swift with tempauth: the
 * whole contract, then what only Swift has — Static Large Objects for long
 * streams (their cleanup after failure, interruption, overwrite and delete;
 * one segment retried after a dropped connection), TempURLs used through a
 * plain fetch, public containers, the Swift tag, and secrets kept out of
 * errors, logs and spans. One Swift serves the whole file.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import * as Swift from "../../../src/layers/openstack/swift/Swift.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { captureLogs, captureSpans, spanText } from "../../http/support.js"
import { call, countingClient, flushMemcached, sharedPeer } from "../../auth/openstack/support.js"
import { collectBody, expectBytes, expectFailure, objectStorageContract, pattern } from "../../contract/ObjectStorage.js"
import { skipPeers, startSwift, type SwiftPeer } from "../../support/peers/index.js"
import { cuttingProxy, hashedStream, sha256 } from "./support.js"

const peer = sharedPeer(startSwift())

const tempauth = (p: SwiftPeer, user = { user: p.user, key: p.key }): Swift.SwiftConfig["auth"] => ({
  authUrl: p.authUrl,
  user: user.user,
  key: Redacted.make(user.key)
})

const swiftLayer = (config: (p: SwiftPeer) => Swift.SwiftConfig) =>
  Layer.unwrapEffect(Effect.map(peer, (p) => Swift.layer(config(p)))).pipe(Layer.provide(NodeHttpClient.layerUndici))

const MiB = 1024 * 1024

/** The file's Swift, for the tests that need its URLs and users. */
class LocalPeer extends Context.Tag("test/openstack/SwiftPeer")<LocalPeer, SwiftPeer>() {}

describe.skipIf(skipPeers("swift"))("Swift (tempauth)", () => {
  objectStorageContract(
    "openstack-swift (tempauth)",
    swiftLayer((p) => ({ auth: tempauth(p), tempUrlKey: Redacted.make("contract-temp-url-key") })),
    { etags: "md5-single-part", containerPrefix: "cfx-swift" }
  )

  const Peer = Layer.effect(LocalPeer, peer)

  layer(Layer.mergeAll(swiftLayer((p) => ({ auth: tempauth(p) })), Peer, NodeHttpClient.layerUndici), { timeout: "120 seconds", excludeTestServices: true })(
    "Swift beyond the contract",
    (it) => {
      const withContainer = <A, E, R>(f: (container: string, s: ObjectStorage.Service) => Effect.Effect<A, E, R>) =>
        Effect.flatMap(ObjectStorage, (s) =>
          Effect.acquireUseRelease(
            Effect.map(s.createContainer(`cfx-swift-x-${Math.random().toString(36).slice(2, 10)}`), (c) => c.name),
            (c) => f(c, s),
            (c) =>
              s.listObjects(c).pipe(
                Stream.runForEach((e) => (e._tag === "ObjectInfo" ? s.deleteObject(c, e.key) : Effect.void)),
                Effect.zipRight(s.deleteContainer(c)),
                Effect.ignore
              )
          ))

      const keysIn = (s: ObjectStorage.Service, container: string) =>
        s.listObjects(container).pipe(
          Stream.runCollect,
          Effect.map((c) => Chunk.toReadonlyArray(c).map((e) => e.key)),
          Effect.catchTag("NotFound", () => Effect.succeed([] as ReadonlyArray<string>))
        )

      it.effect("a 64 MiB+ stream of unknown length goes up as a Static Large Object and comes back byte for byte", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            const total = 64 * MiB + 12_345
            const body = hashedStream(total, 3)
            const put = yield* s.putObject(c, "big/object.bin", body.stream, { contentType: "application/x-big", metadata: { kind: "large" } })
            const sent = body.digest()
            expect(put.size).toBe(total)
            expect(put.extra).toMatchObject({ staticLargeObject: true, segments: 9 })
            const segments = yield* keysIn(s, swift.segmentContainer(c))
            expect(segments).toHaveLength(9)
            expect(new Set(segments.map((k) => k.split("/")[0])).size).toBe(1)
            const head = yield* s.headObject(c, "big/object.bin")
            expect(head).toMatchObject({ size: total, etag: put.etag, contentType: "application/x-big", metadata: { kind: "large" } })
            expect(head.extra).toMatchObject({ staticLargeObject: true })
            const listed = yield* Stream.runCollect(s.listObjects(c))
            expect(Chunk.toReadonlyArray(listed)).toMatchObject([{ key: "big/object.bin", size: total, etag: put.etag }])
            const got = yield* s.getObject(c, "big/object.bin")
            expect(got.info.size).toBe(total)
            expect(sha256(Chunk.toReadonlyArray(yield* Stream.runCollect(got.body)))).toBe(sent)
            // A range across the first segment boundary.
            const at = 8 * MiB
            const range = yield* s.getObject(c, "big/object.bin", { range: { start: at - 10, end: at + 10 } })
            const bytes = yield* collectBody(range.body)
            expect(bytes.byteLength).toBe(20)
            expect(range.info.size).toBe(total)
            // Deleting it takes its segments along; deleting the container, the segment container cloudfx made.
            yield* s.deleteObject(c, "big/object.bin")
            expect(yield* keysIn(s, swift.segmentContainer(c))).toEqual([])
            yield* s.deleteContainer(c)
            yield* expectFailure(s.getContainer(swift.segmentContainer(c)), "NotFound")
            yield* s.createContainer(c)
          })), 240_000)

      const segmentBody = (segments: number, size: number) => Stream.range(1, segments).pipe(Stream.map((i) => pattern(size, i)))

      it.effect("an upload interrupted mid-stream leaves no object and no segment behind", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            const size = 256 * 1024
            const flowing = yield* Deferred.make<void>()
            const body = Stream.concat(
              segmentBody(6, size),
              Stream.fromEffect(Deferred.succeed(flowing, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
            )
            const fiber = yield* Effect.fork(s.putObject(c, "interrupted", body, { partSize: size, concurrency: 2 }))
            yield* Deferred.await(flowing)
            // Wait until segments are really on the server before interrupting.
            yield* keysIn(s, swift.segmentContainer(c)).pipe(
              Effect.filterOrFail((keys) => keys.length >= 4, () => "not yet"),
              Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(100))))
            )
            const exit = yield* Fiber.interrupt(fiber)
            expect(Exit.isInterrupted(exit)).toBe(true)
            yield* expectFailure(s.headObject(c, "interrupted"), "NotFound")
            expect(yield* keysIn(s, c)).toEqual([])
            expect(yield* keysIn(s, swift.segmentContainer(c))).toEqual([])
          })), 120_000)

      it.effect("a stream that fails after several segments: its error, no object, no segment", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            const size = 200 * 1024
            const body = Stream.concat(segmentBody(5, size), Stream.fail("boom" as const))
            const e = yield* Effect.flip(s.putObject(c, "failed", body, { partSize: size, concurrency: 3 }))
            expect(e).toBe("boom")
            yield* expectFailure(s.headObject(c, "failed"), "NotFound")
            expect(yield* keysIn(s, swift.segmentContainer(c))).toEqual([])
          })), 120_000)

      it.scoped("a connection dropped in the middle of a segment: that segment is sent again, and only it", () =>
        Effect.gen(function*() {
          const p = yield* LocalPeer
          const proxy = yield* cuttingProxy(p.proxyUrl, (req) => req.method === "PUT" && /_segments\/[^/]+\/00000003$/.test(req.url ?? ""))
          const viaProxy = yield* Swift.make({ auth: tempauth(p), endpoint: `${proxy.url}/v1/${p.account}`, segmentSize: 300 * 1024, concurrency: 2 })
          const s = yield* ObjectStorage
          const c = (yield* s.createContainer(`cfx-swift-cut-${Date.now().toString(36)}`)).name
          const body = hashedStream(300 * 1024 * 5 + 777, 9)
          const put = yield* viaProxy.putObject(c, "cut", body.stream)
          expect(put.extra).toMatchObject({ segments: 6 })
          const segmentPuts = proxy.log.filter((e) => e.method === "PUT" && e.path.includes("_segments/"))
          const byName = new Map<string, number>()
          for (const e of segmentPuts) byName.set(e.path.slice(-8), (byName.get(e.path.slice(-8)) ?? 0) + 1)
          expect([...byName].sort()).toEqual([
            ["00000001", 1],
            ["00000002", 1],
            ["00000003", 2],
            ["00000004", 1],
            ["00000005", 1],
            ["00000006", 1]
          ])
          expect(segmentPuts.filter((e) => e.cut)).toHaveLength(1)
          const got = yield* s.getObject(c, "cut")
          expect(sha256(Chunk.toReadonlyArray(yield* Stream.runCollect(got.body)))).toBe(body.digest())
          yield* s.deleteObject(c, "cut")
          yield* s.deleteContainer(c)
        }), 120_000)

      it.effect("overwriting a large object deletes its old segments; a copy of one is a plain object", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            const size = 100 * 1024
            const content = Chunk.toReadonlyArray(yield* Stream.runCollect(segmentBody(4, size)))
            yield* s.putObject(c, "k", Stream.fromIterable(content), { partSize: size })
            expect(yield* keysIn(s, swift.segmentContainer(c))).toHaveLength(4)
            yield* s.putObject(c, "k", "small now")
            expect(yield* keysIn(s, swift.segmentContainer(c))).toEqual([])
            expect(new TextDecoder().decode(yield* collectBody((yield* s.getObject(c, "k")).body))).toBe("small now")

            yield* s.putObject(c, "large", Stream.fromIterable(content), { partSize: size, metadata: { v: "1" } })
            const copied = yield* s.copyObject({ container: c, key: "large" }, { container: c, key: "copy" })
            expect(copied.size).toBe(4 * size)
            expect(copied.extra).toEqual({})
            expect(copied.metadata).toEqual({ v: "1" })
            yield* s.deleteObject(c, "large")
            expect(yield* keysIn(s, swift.segmentContainer(c))).toEqual([])
            expectBytes(yield* collectBody((yield* s.getObject(c, "copy")).body), Buffer.concat(content))
          })), 120_000)

      it.effect("TempURLs signed with the account's key work through a plain fetch, for GET and PUT, until they expire", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            yield* swift.setTempUrlKey(Redacted.make(`acct-key-${Date.now()}`))
            expect((yield* swift.accountInfo()).hasTempUrlKey).toBe(true)
            expect(JSON.stringify(yield* swift.accountInfo())).not.toContain("acct-key-")
            const key = "dir/ü ?&#+.txt"
            yield* s.putObject(c, key, "temp url content")
            const get = yield* s.signedUrl(c, key, { expiresIn: "10 minutes" })
            expect(get).toMatch(/temp_url_sig=[0-9a-f]{64}&temp_url_expires=\d+$/)
            const fetched = yield* call(get)
            expect(fetched.status).toBe(200)
            expect(new TextDecoder().decode(fetched.body)).toBe("temp url content")
            // A GET signature does not allow a PUT, and a changed signature allows nothing.
            expect((yield* call(get, { method: "PUT", body: Buffer.from("x") })).status).toBe(401)
            expect((yield* call(get.replace(/temp_url_sig=./, "temp_url_sig=0"))).status).toBe(401)
            const put = yield* s.signedUrl(c, "uploaded/by url", { method: "PUT", expiresIn: "10 minutes" })
            expect((yield* call(put, { method: "PUT", body: Buffer.from("put through a temp url") })).status).toBe(201)
            expect((yield* s.headObject(c, "uploaded/by url")).size).toBe("put through a temp url".length)
            const short = yield* s.signedUrl(c, key, { expiresIn: "1 second" })
            yield* Effect.sleep("2200 millis")
            expect((yield* call(short)).status).toBe(401)
          })), 60_000)

      it.effect("signedUrl is Unsupported while the account has no Temp-URL key", () =>
        Effect.gen(function*() {
          const p = yield* LocalPeer
          // test2's account never gets a key in this file.
          const other = yield* Swift.make({ auth: tempauth(p, p.users.find((u) => u.user === "test2:tester2")!) })
          const e = yield* expectFailure(other.signedUrl("c", "k", { expiresIn: "1 hour" }), "Unsupported")
          expect(e).toMatchObject({ capability: "storage.signedUrl" })
        }), 60_000)

      it.effect("enableCdn makes the container readable and listable without credentials at cdnUrl", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            yield* s.putObject(c, "public/file.txt", "for everyone")
            const objectUrl = yield* s.cdnUrl(c, "public/file.txt")
            expect((yield* call(objectUrl)).status).toBe(401)
            yield* s.enableCdn(c)
            expect((yield* swift.getContainerAcl(c)).read).toBe(".r:*,.rlistings")
            const fetched = yield* call(objectUrl)
            expect(fetched.status).toBe(200)
            expect(new TextDecoder().decode(fetched.body)).toBe("for everyone")
            const listing = yield* call(`${yield* s.cdnUrl(c)}?format=json`)
            expect(listing.status).toBe(200)
            expect(new TextDecoder().decode(listing.body)).toContain("public/file.txt")
            yield* swift.setContainerAcl(c, { read: "" })
            expect((yield* swift.getContainerAcl(c)).read).toBeUndefined()
            expect((yield* call(objectUrl)).status).toBe(401)
            yield* expectFailure(s.cdnUrl(`${c}-missing`), "NotFound")
          })), 60_000)

      it.effect("the Swift tag: cluster info, account info, container details", () =>
        withContainer((c, s) =>
          Effect.gen(function*() {
            const swift = yield* Swift.Swift
            const p = yield* LocalPeer
            expect(yield* swift.storageUrl).toBe(p.storageUrl)
            const info = yield* swift.clusterInfo()
            expect(info.slo?.max_manifest_segments).toBeGreaterThan(0)
            expect(info.tempurl?.allowed_digests).toContain("sha256")
            yield* s.putObject(c, "a", "123")
            const container = yield* s.getContainer(c)
            expect(container.extra).toMatchObject({ objectCount: 1, bytesUsed: 3 })
            expect(container.createdAt).toBeInstanceOf(Date)
            expect(swift.segmentContainer(c)).toBe(`${c}_segments`)
            const account = yield* swift.accountInfo()
            expect(account.containerCount).toBeGreaterThanOrEqual(0)
            yield* expectFailure(swift.getContainerAcl("no/such"), "InvalidInput")
            yield* expectFailure(s.putObject(c, "m", "x", { metadata: { k: "v".repeat(257) } }), "InvalidInput")
          })), 60_000)

      it.effect("a token and storage URL given outright; when Swift forgets the token, the 401 is final", () =>
        Effect.gen(function*() {
          const p = yield* LocalPeer
          const auth = yield* call(p.authUrl, { headers: { "x-auth-user": p.user, "x-auth-key": p.key } })
          const token = auth.headers.get("x-auth-token")!
          const given = yield* Swift.make({ auth: { token: Redacted.make(token), storageUrl: p.storageUrl } })
          expect(Array.isArray(yield* given.listContainers())).toBe(true)
          yield* flushMemcached(p.ports.memcached)
          yield* expectFailure(given.listContainers(), "InvalidCredentials")
        }), 60_000)

      it.effect("no secret (tempauth key, tokens, Temp-URL key) in any error, log line or span", () =>
        Effect.gen(function*() {
          const p = yield* LocalPeer
          const user = p.users.find((u) => u.user === "test2:tester2")!
          const { counter, layer: counting } = countingClient()
          const { spans, tracer } = yield* captureSpans
          const logs = captureLogs()
          const errors: Array<unknown> = []
          const keep = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.tapErrorCause(effect, (cause) => Effect.sync(() => errors.push(cause)))
          const run = Effect.gen(function*() {
            const s = yield* Swift.make({ auth: tempauth(p, user), tempUrlKey: Redacted.make("Temp-url-key-secret-88"), segmentSize: 64 * 1024 })
            const c = (yield* s.createContainer(`cfx-swift-secret-${Date.now().toString(36)}`)).name
            yield* s.putObject(c, "k", Stream.make(pattern(100_000, 1), pattern(100_000, 2)))
            yield* collectBody((yield* s.getObject(c, "k")).body)
            yield* s.signedUrl(c, "k", { expiresIn: "1 hour" })
            yield* flushMemcached(p.ports.memcached)
            yield* s.headObject(c, "k")
            yield* Effect.either(keep(s.headObject(c, "missing")))
            yield* s.deleteObject(c, "k")
            yield* s.deleteContainer(c)
            const wrong = yield* Swift.make({ auth: tempauth(p, { user: user.user, key: "Wrong-key-Zz9" }) })
            yield* Effect.either(keep(wrong.listContainers()))
            yield* Effect.either(keep(wrong.putObject("c", "k", "x")))
          })
          yield* run.pipe(Effect.provide(Layer.merge(counting, logs.layer)), Effect.withTracer(tracer))
          const tokens = [...new Set(counter.requests.flatMap((r) => (r.headers["x-auth-token"] === undefined ? [] : [r.headers["x-auth-token"]])))]
          expect(tokens.length).toBeGreaterThanOrEqual(2)
          const text = [
            spanText(spans),
            ...logs.lines,
            ...errors.map((cause) => `${Cause.pretty(cause as Cause.Cause<unknown>)} ${JSON.stringify(cause)}`)
          ].join("\n")
          expect(spans.length).toBeGreaterThan(10)
          expect(errors).toHaveLength(3)
          for (const secret of [user.key, "Wrong-key-Zz9", "Temp-url-key-secret-88", ...tokens]) expect(text).not.toContain(secret)
        }), 120_000)
    }
  )
})
