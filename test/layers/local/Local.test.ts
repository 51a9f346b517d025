import { createHash } from "node:crypto"
import { existsSync, readdirSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Deferred, Effect, Exit, Fiber, Layer, Stream } from "effect"
import { Local } from "../../../src/layers/local/index.js"
import { components, objectPath } from "../../../src/layers/local/layout.js"
import { ObjectStorage } from "../../../src/services/ObjectStorage.js"
import { collectBody, expectBytes, expectFailure, md5, pattern, shape, utf8 } from "../../contract/ObjectStorage.js"

const MiB = 1024 * 1024

/** A temporary directory holding `root/` (not created: the provider creates it), removed afterwards. */
const withTemp = <A, E>(f: (dirs: { readonly parent: string; readonly root: string }, s: ObjectStorage.Service) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "cloudfx-local-test-"))),
    (parent) => {
      const root = path.join(parent, "root")
      return Effect.flatMap(Local.make({ root }), (s) => f({ parent, root }, s))
    },
    (parent) => Effect.promise(() => fs.rm(parent, { recursive: true, force: true }))
  )

/** Every file and directory under `dir`, relative, sorted. */
const tree = (dir: string): Array<string> =>
  existsSync(dir) ? (readdirSync(dir, { recursive: true }) as Array<string>).sort() : []

const openFds = (): number | undefined => (existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : undefined)

describe("local ObjectStorage", () => {
  it.effect("says it is local, with range and copy only", () =>
    withTemp((_, s) =>
      Effect.sync(() => {
        expect(s.provider.id).toBe("local")
        expect([...s.provider.capabilities].sort()).toEqual(["storage.copy", "storage.range"])
      })))

  it.effect("creates the root on the first container; a missing root lists no containers", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        expect(yield* s.listContainers()).toEqual([])
        expect(existsSync(root)).toBe(false)
        yield* s.createContainer("photos")
        expect(existsSync(path.join(root, "photos"))).toBe(true)
        expect((yield* s.listContainers()).map((c) => c.name)).toEqual(["photos"])
      })))

  it.effect("lays objects out as documented: hex components, '.o' files, content then trailer", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const long = "k".repeat(250)
        for (const key of ["a", "a/b", "a/", "photos/cat.jpg", long]) yield* s.putObject("c", key, `content of ${key}`)
        const dir = path.join(root, "c")
        expect(tree(dir)).toEqual([
          "61.o",
          "612f",
          "612f.o",
          path.join("612f", "62.o"),
          "6b".repeat(100),
          path.join("6b".repeat(100), "6b".repeat(100)),
          path.join("6b".repeat(100), "6b".repeat(100), "6b".repeat(50) + ".o"),
          "70686f746f732f",
          path.join("70686f746f732f", "6361742e6a7067.o")
        ].sort())
        expect(objectPath("photos/cat.jpg")).toEqual(["70686f746f732f", "6361742e6a7067.o"])
        // A "/" at the very end stays in the file name; empty segments are kept.
        expect(components(utf8("a//b"))).toEqual(["612f", "2f", "62"])
        const raw = yield* Effect.promise(() => fs.readFile(path.join(dir, "70686f746f732f", "6361742e6a7067.o")))
        expect(raw.subarray(0, "content of photos/cat.jpg".length).toString()).toBe("content of photos/cat.jpg")
        expect(raw.subarray(raw.length - 8).toString("latin1")).toBe("cloudfx\x01")
        const trailer = JSON.parse(raw.subarray("content of photos/cat.jpg".length, raw.length - 12).toString())
        expect(trailer).toMatchObject({
          v: 1,
          key: "photos/cat.jpg",
          size: 25,
          etag: md5(utf8("content of photos/cat.jpg")),
          contentType: "application/octet-stream",
          metadata: {}
        })
      })))

  it.effect("no file or directory name is longer than 255 bytes, whatever the key", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const keys = ["x".repeat(1024), "😀".repeat(256), "%".repeat(1024), "é/".repeat(340) + "é", "a".repeat(99) + "/", "a".repeat(100) + "/"]
        for (const key of keys) yield* s.putObject("c", key, key)
        for (const entry of tree(path.join(root, "c"))) {
          for (const name of entry.split(path.sep)) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255)
        }
        for (const key of keys) expect(new TextDecoder().decode(yield* collectBody((yield* s.getObject("c", key)).body))).toBe(key)
      })))

  it.effect("path traversal is InvalidInput and writes nothing outside the root", () =>
    withTemp(({ parent, root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "legit", "x")
        const before = tree(parent)
        const badKeys = ["../x", "a/../../x", "..", ".", "./x", "a/./b", "a/..", "/etc/passwd", "/abs", "x\0y", "../../../../../../tmp/evil"]
        for (const key of badKeys) {
          const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
            s.putObject("c", key, "evil"),
            s.putObject("c", key, Stream.make(utf8("evil"))),
            s.getObject("c", key),
            s.headObject("c", key),
            s.deleteObject("c", key),
            s.copyObject({ container: "c", key: "legit" }, { container: "c", key }),
            s.copyObject({ container: "c", key }, { container: "c", key: "copy" }),
            s.signedUrl("c", key, { expiresIn: "1 hour" }),
            s.cdnUrl("c", key)
          ]
          for (const attempt of attempts) {
            const e = yield* expectFailure(attempt, "InvalidInput")
            expect(e, JSON.stringify(key)).toMatchObject({ field: "key", provider: "local" })
          }
        }
        const badContainers = ["..", ".", "../x", "a/b", "/abs", "x\0", "../../etc"]
        for (const container of badContainers) {
          const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
            s.createContainer(container),
            s.getContainer(container),
            s.deleteContainer(container),
            Stream.runDrain(s.listObjects(container)),
            s.putObject(container, "k", "evil"),
            s.getObject(container, "k"),
            s.headObject(container, "k"),
            s.deleteObject(container, "k"),
            s.copyObject({ container: "c", key: "legit" }, { container, key: "k" }),
            s.enableCdn(container)
          ]
          for (const attempt of attempts) {
            const e = yield* expectFailure(attempt, "InvalidInput")
            expect(e, JSON.stringify(container)).toMatchObject({ field: "container" })
          }
        }
        // A prefix is only ever compared with keys.
        expect(yield* Stream.runCollect(s.listObjects("c", { prefix: "../" }))).toHaveLength(0)
        expect(yield* Stream.runCollect(s.listObjects("c", { prefix: "/" }))).toHaveLength(0)
        expect(tree(parent)).toEqual(before)
        expect(tree(root)).toEqual(["c", path.join("c", "6c65676974.o")])
        expect(existsSync(path.join(os.tmpdir(), "evil"))).toBe(false)
      })))

  it.effect("an object file that is a symlink is not followed", () =>
    withTemp(({ parent, root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const secret = path.join(parent, "secret")
        yield* Effect.promise(() => fs.writeFile(secret, "top secret"))
        yield* Effect.promise(() => fs.symlink(secret, path.join(root, "c", "6c696e6b.o")))
        const e = yield* Effect.flip(s.headObject("c", "link"))
        expect(e._tag).toBe("ProviderError")
        yield* Effect.flip(s.getObject("c", "link"))
        // Not listed either: listings only see regular files.
        expect(yield* Stream.runCollect(s.listObjects("c"))).toHaveLength(0)
      })))

  it.effect("an interrupted upload leaves no temporary file and no object", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "kept", "previous")
        const dir = path.join(root, "c")
        for (const key of ["new/object", "kept"]) {
          const written = yield* Deferred.make<void>()
          const body = Stream.make(pattern(MiB, 1), pattern(MiB, 2)).pipe(
            Stream.concat(Stream.fromEffect(Deferred.succeed(written, undefined)).pipe(Stream.drain)),
            Stream.concat(Stream.never)
          )
          const fiber = yield* Effect.fork(s.putObject("c", key, body))
          yield* Deferred.await(written)
          // The upload is in progress: its temporary file holds what was sent so far.
          const temps = tree(dir).filter((n) => n.startsWith(".tmp-"))
          expect(temps).toHaveLength(1)
          expect((yield* Effect.promise(() => fs.stat(path.join(dir, temps[0]!)))).size).toBe(2 * MiB)
          const exit = yield* Fiber.interrupt(fiber)
          expect(Exit.isInterrupted(exit)).toBe(true)
          expect(tree(dir)).toEqual(["6b657074.o"])
        }
        yield* expectFailure(s.headObject("c", "new/object"), "NotFound")
        expect(new TextDecoder().decode(yield* collectBody((yield* s.getObject("c", "kept")).body))).toBe("previous")
      })))

  it.effect("a failed upload leaves no temporary file", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const body = Stream.make(pattern(1000)).pipe(Stream.concat(Stream.fail("boom" as const)))
        expect(yield* Effect.flip(s.putObject("c", "k", body))).toBe("boom")
        const dies = Stream.make(pattern(1000)).pipe(Stream.concat(Stream.dieMessage("bug in the producer")))
        const exit = yield* Effect.exit(s.putObject("c", "k", dies))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(tree(path.join(root, "c"))).toEqual([])
      })))

  it.effect("a 64 MiB upload and download stream with bounded memory", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const dir = path.join(root, "c")
        const chunks = 64
        const sent = createHash("md5")
        const lagging: Array<string> = []
        // Generated one MiB at a time; before making chunk i, the previous
        // ones must already be on disk (nothing is buffered in memory).
        const body = Stream.range(0, chunks - 1).pipe(
          Stream.mapEffect((i) =>
            Effect.promise(async () => {
              if (i >= 2) {
                const temp = (await fs.readdir(dir)).find((n) => n.startsWith(".tmp-"))
                const size = temp === undefined ? -1 : (await fs.stat(path.join(dir, temp))).size
                if (size < (i - 1) * MiB) lagging.push(`chunk ${i}: ${size} bytes on disk`)
              }
              const chunk = new Uint8Array(MiB).fill(i)
              sent.update(chunk)
              return chunk
            })
          )
        )
        const put = yield* s.putObject("c", "big", body)
        expect(lagging).toEqual([])
        expect(put.size).toBe(chunks * MiB)
        const digest = sent.digest("hex")
        expect(put.etag).toBe(digest)

        const fdsBefore = openFds()
        const got = yield* s.getObject("c", "big")
        // getObject reads the trailer and closes the file; the body opens it when run.
        expect(openFds()).toBe(fdsBefore)
        const received = createHash("md5")
        let count = 0
        let largest = 0
        let fdsDuring: number | undefined
        yield* Stream.runForEach(got.body, (chunk) =>
          Effect.sync(() => {
            if (count === 0) fdsDuring = openFds()
            count++
            largest = Math.max(largest, chunk.byteLength)
            received.update(chunk)
          }))
        expect(received.digest("hex")).toBe(digest)
        expect(largest).toBe(64 * 1024)
        expect(count).toBe((chunks * MiB) / (64 * 1024))
        if (fdsBefore !== undefined) {
          expect(fdsDuring).toBe(fdsBefore + 1)
          expect(openFds()).toBe(fdsBefore)
        }
        // Reading only the start of the body, then stopping, closes the file too.
        const head = yield* Stream.runCollect(Stream.take(got.body, 1))
        expect([...head][0]!.byteLength).toBe(64 * 1024)
        expect(openFds()).toBe(fdsBefore)
        // An interrupted download closes it as well.
        const gate = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(Stream.runForEach(got.body, () => Effect.zipRight(Deferred.succeed(gate, undefined), Effect.never)))
        yield* Deferred.await(gate)
        if (fdsBefore !== undefined) expect(openFds()).toBe(fdsBefore + 1)
        yield* Fiber.interrupt(fiber)
        expect(openFds()).toBe(fdsBefore)
      })), 120_000)

  it.effect("range reads return exactly the bytes asked for, reading only them", () =>
    withTemp((_, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const content = pattern(MiB + 17, 99)
        yield* s.putObject("c", "r", content)
        const cases: ReadonlyArray<readonly [number, number | undefined]> = [
          [0, undefined],
          [123_457, 654_321],
          [65_535, 65_537],
          [MiB + 16, undefined],
          [MiB, MiB + 17],
          [1, 2],
          [500_000, 10 * MiB]
        ]
        for (const [start, end] of cases) {
          const range = end === undefined ? { start } : { start, end }
          const got = yield* s.getObject("c", "r", { range })
          const stop = Math.min(end ?? content.byteLength, content.byteLength)
          const chunks = [...(yield* Stream.runCollect(got.body))]
          // Chunks start at the range, so a small range is one small read.
          expect(chunks.length).toBe(Math.ceil((stop - start) / (64 * 1024)))
          expectBytes(new Uint8Array(Buffer.concat(chunks)), content.subarray(start, stop))
        }
        const e = yield* expectFailure(s.getObject("c", "r", { range: { start: MiB + 17 } }), "InvalidInput")
        expect(e).toMatchObject({ field: "range.start" })
      })))

  it.effect("concurrent writers of one key never produce a torn object", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const writers = 12
        const size = 300 * 1024
        const contentOf = (i: number) => new Uint8Array(size).fill(i + 1)
        const metadataOf = (i: number) => ({ writer: String(i + 1) })
        yield* s.putObject("c", "contended/key", contentOf(0), { metadata: metadataOf(0) })
        const problems: Array<string> = []
        const check = Effect.gen(function*() {
          const got = yield* s.getObject("c", "contended/key")
          const exit = yield* Effect.exit(collectBody(got.body))
          // The object may be replaced between getObject and reading: that is an IntegrityError, never mixed bytes.
          if (Exit.isFailure(exit)) {
            const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
            if (e?._tag !== "IntegrityError") problems.push(`body failed: ${String(e)}`)
            return
          }
          const bytes = exit.value
          const writer = Number(got.info.metadata["writer"])
          if (bytes.byteLength !== size) problems.push(`size ${bytes.byteLength}`)
          else if (!bytes.every((b) => b === writer)) problems.push(`content is not all ${writer}`)
          if (md5(bytes) !== got.info.etag) problems.push("etag does not match content")
        })
        const writing = Effect.forEach(
          Array.from({ length: writers }, (_, i) => i),
          (i) => {
            const content = contentOf(i)
            const body = Stream.range(0, 29).pipe(Stream.map((j) => content.subarray(j * 10 * 1024, (j + 1) * 10 * 1024)))
            return s.putObject("c", "contended/key", body, { metadata: metadataOf(i) })
          },
          { concurrency: "unbounded" }
        )
        const reading = Effect.forEach(Array.from({ length: 40 }), () => check, { concurrency: 4 })
        yield* Effect.all([writing, reading], { concurrency: 2 })
        yield* check
        expect(problems).toEqual([])
        expect(tree(path.join(root, "c"))).toEqual(["636f6e74656e6465642f", path.join("636f6e74656e6465642f", "6b6579.o")])
      })), 60_000)

  it.effect("a download body can be run more than once", () =>
    withTemp((_, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "k", pattern(100_000))
        const got = yield* s.getObject("c", "k", { range: { start: 10 } })
        expect(md5(yield* collectBody(got.body))).toBe(md5(pattern(100_000).subarray(10)))
        expect(md5(yield* collectBody(got.body))).toBe(md5(pattern(100_000).subarray(10)))
      })))

  it.effect("a body run after the object changed fails instead of mixing versions", () =>
    withTemp((_, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "k", "version 1")
        const got = yield* s.getObject("c", "k")
        yield* s.putObject("c", "k", "version 2")
        const e = yield* Effect.flip(collectBody(got.body))
        expect(e).toMatchObject({ _tag: "IntegrityError", key: "k", expected: md5(utf8("version 1")), actual: md5(utf8("version 2")) })
        const again = yield* s.getObject("c", "k")
        yield* s.deleteObject("c", "k")
        const gone = yield* Effect.flip(collectBody(again.body))
        expect(gone).toMatchObject({ _tag: "ProviderError", status: 404, code: "NoSuchKey" })
      })))

  it.effect("a corrupt object file is MalformedResponse; files not in the layout are ignored", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "good", "x")
        const dir = path.join(root, "c")
        yield* Effect.promise(async () => {
          await fs.writeFile(path.join(dir, "626164.o"), "no trailer here") // "bad"
          await fs.writeFile(path.join(dir, "README.txt"), "not an object")
          await fs.writeFile(path.join(dir, ".DS_Store"), "")
          await fs.writeFile(path.join(dir, "zz.o"), "")
          await fs.writeFile(path.join(dir, ".tmp-stale"), "left by a crash")
          await fs.mkdir(path.join(dir, "not-hex"))
        })
        const e = yield* expectFailure(s.headObject("c", "bad"), "MalformedResponse")
        expect(e).toMatchObject({ provider: "local", operation: "ObjectStorage.headObject" })
        yield* expectFailure(s.getObject("c", "bad"), "MalformedResponse")
        yield* expectFailure(Stream.runDrain(s.listObjects("c")), "MalformedResponse")
        // A well-formed file under another key's name is not that key.
        yield* Effect.promise(() => fs.copyFile(path.join(dir, "676f6f64.o"), path.join(dir, "626164.o")))
        yield* expectFailure(s.headObject("c", "bad"), "MalformedResponse")
        yield* Effect.promise(() => fs.unlink(path.join(dir, "626164.o")))
        expect(shape(yield* Stream.runCollect(s.listObjects("c")))).toEqual([["object", "good"]])
      })))

  it.effect("deleting a key prunes its empty directories; deleteContainer clears leftovers but never objects", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        const dir = path.join(root, "c")
        yield* s.putObject("c", "a", "x")
        yield* s.putObject("c", "a/b/c", "x")
        yield* s.putObject("c", "a/b/d", "x")
        yield* s.deleteObject("c", "a/b/c")
        expect(tree(dir)).toContain(path.join("612f", "622f", "64.o"))
        yield* s.deleteObject("c", "a/b/d")
        expect(tree(dir)).toEqual(["61.o"])
        yield* Effect.promise(async () => {
          await fs.mkdir(path.join(dir, "7a2f", "792f"), { recursive: true }) // empty key directories
          await fs.writeFile(path.join(dir, ".tmp-stale"), "left by a crash")
        })
        yield* expectFailure(s.deleteContainer("c"), "Conflict")
        yield* s.deleteObject("c", "a")
        yield* s.deleteContainer("c")
        expect(existsSync(dir)).toBe(false)
        // An object deep in the tree is found too.
        yield* s.createContainer("d")
        yield* s.putObject("d", "x/".repeat(60) + "y", "deep")
        yield* expectFailure(s.deleteContainer("d"), "Conflict")
        expect((yield* s.headObject("d", "x/".repeat(60) + "y")).size).toBe(4)
      })))

  it.effect("objects persist on disk: a second service over the same root sees them", () =>
    withTemp(({ root }, s) =>
      Effect.gen(function*() {
        yield* s.createContainer("c")
        yield* s.putObject("c", "k", "persisted", { contentType: "text/plain", metadata: { a: "b" } })
        const other = yield* Local.make({ root })
        const head = yield* other.headObject("c", "k")
        expect(head).toMatchObject({ size: 9, contentType: "text/plain", metadata: { a: "b" } })
        expect((yield* other.listContainers()).map((c) => c.name)).toEqual(["c"])
      })))

  it.effect("layerConfig reads the root from CLOUDFX_LOCAL_ROOT", () =>
    withTemp(({ root }) =>
      Effect.gen(function*() {
        const config = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["CLOUDFX_LOCAL_ROOT", root]])))
        const program = Effect.flatMap(ObjectStorage, (s) => s.createContainer("from-env"))
        yield* program.pipe(Effect.provide(Local.layerConfig().pipe(Layer.provide(config))))
        expect(existsSync(path.join(root, "from-env"))).toBe(true)
        for (const env of [new Map(), new Map([["CLOUDFX_LOCAL_ROOT", ""]])]) {
          const provider = Layer.setConfigProvider(ConfigProvider.fromMap(env))
          const exit = yield* Effect.exit(program.pipe(Effect.provide(Local.layerConfig().pipe(Layer.provide(provider)))))
          expect(Exit.isFailure(exit)).toBe(true)
          expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("CLOUDFX_LOCAL_ROOT")
        }
        // Or any Config for the root.
        const other = path.join(root, "..", "other")
        yield* program.pipe(Effect.provide(Local.layerConfig({ root: Config.succeed(other) })))
        expect(existsSync(path.join(other, "from-env"))).toBe(true)
      })))
})
