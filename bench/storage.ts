/**
 * Object storage throughput and memory: cloudfx's S3 provider against the
 * AWS SDK (`@aws-sdk/lib-storage` Upload, `@aws-sdk/client-s3` GetObject) on
 * one local Swift s3api server, same part size and concurrency.
 *
 *   npx tsx bench/storage.ts [--size-mib 1024] [--part-mib 8] [--concurrency 4] [--objects 10000] [--runs 3]
 *
 * Each transfer runs in a child process of its own, plain `node` on an
 * esbuild bundle of this file (tsx alone costs 100+ MiB of RSS), that
 * samples `process.memoryUsage().rss` every 20 ms: peak RSS is that side's
 * alone, its modules included (each side loads only its own), and the
 * baseline after loading them is shown too. Each transfer is run `--runs`
 * times, the two sides taking turns (cloudfx first, then the SDK first), and
 * the median throughput and the highest peak RSS are reported: the machine
 * is shared, so a single run says little.
 * The body is generated (a random MiB repeated, in 64 KiB chunks) as a
 * stream of unknown length; downloads are read to the end and counted.
 * cloudfx uploads twice: by default (each part signed by its SHA-256, which
 * the server checks, like the SDK's signature) and with `signPayload: false`
 * (each part carries a Content-MD5 instead, sent as UNSIGNED-PAYLOAD). Then 10 000 small objects are created (64
 * at a time) and listed through each side's paginated listing.
 *
 * Not a test: it prints tables and exits 0.
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { fileURLToPath } from "node:url"

const MiB = 1024 * 1024

interface Args {
  readonly runs: number
  readonly sizeMib: number
  readonly partMib: number
  readonly concurrency: number
  readonly objects: number
}

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

const args = (): Args => ({
  runs: Number(argValue("runs") ?? 3),
  sizeMib: Number(argValue("size-mib") ?? 1024),
  partMib: Number(argValue("part-mib") ?? 8),
  concurrency: Number(argValue("concurrency") ?? 4),
  objects: Number(argValue("objects") ?? 10_000)
})

interface Target {
  readonly endpoint: string
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly bucket: string
}

// ---------------------------------------------------------------- the body

const CHUNK = 64 * 1024
const block = randomBytes(MiB)

/** `size` bytes as 64 KiB chunks cut from one random MiB: cheap to make, not compressible. */
function* chunks(size: number): Generator<Uint8Array> {
  for (let at = 0; at < size; at += CHUNK) {
    const n = Math.min(CHUNK, size - at)
    const from = at % MiB
    yield new Uint8Array(block.buffer, block.byteOffset + from, Math.min(n, MiB - from))
  }
}

// ---------------------------------------------------------------- the sides (child processes)

type Job = "cloudfx-upload" | "cloudfx-upload-md5" | "cloudfx-download" | "sdk-upload" | "sdk-download"

interface JobResult {
  readonly seconds: number
  readonly bytes: number
  /** RSS once the side's modules are loaded, before the transfer. */
  readonly baseRss: number
  readonly peakRss: number
}

// Loaded on demand, so a child of one side never carries the other side's modules.
const cloudfx = async () => {
  // Module by module: the "effect" index alone would load all of Effect (some 40 MiB of RSS).
  // The S3 module alone, as a bundler keeps of `cloudfx/aws` when only S3 is used.
  const [Effect, Redacted, Stream, NodeHttpClient, S3] = await Promise.all([
    import("effect/Effect"),
    import("effect/Redacted"),
    import("effect/Stream"),
    import("@effect/platform-node/NodeHttpClient"),
    import("../src/layers/aws/s3/S3.js")
  ])
  const storage = (t: Target, a: Args, signPayload?: boolean) =>
    S3.make({
      region: t.region,
      endpoint: t.endpoint,
      credentials: { accessKeyId: t.accessKeyId, secretAccessKey: Redacted.make(t.secretAccessKey) },
      partSize: a.partMib * MiB,
      concurrency: a.concurrency,
      ...(signPayload === undefined ? {} : { signPayload })
    })
  return { Effect, Stream, NodeHttpClient, storage }
}

const sdkClient = async (t: Target) => {
  const { S3Client } = await import("@aws-sdk/client-s3")
  return new S3Client({
    region: t.region,
    endpoint: t.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    // Swift 2.30 knows neither the CRC checksums nor their aws-chunked trailers; cloudfx sends Content-MD5 instead.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
}

const loadJob = async (job: Job, t: Target, a: Args, key: string): Promise<() => Promise<number>> => {
  const size = a.sizeMib * MiB
  if (job === "cloudfx-upload" || job === "cloudfx-upload-md5" || job === "cloudfx-download") {
    const { Effect, NodeHttpClient, Stream, storage } = await cloudfx()
    return job !== "cloudfx-download"
      ? () =>
        Effect.runPromise(
          // "md5": signPayload false, each part checked by its Content-MD5 instead of its signed SHA-256.
          Effect.flatMap(storage(t, a, job === "cloudfx-upload-md5" ? false : undefined), (s) => s.putObject(t.bucket, key, Stream.fromIterable(chunks(size)))).pipe(
            Effect.map((info) => info.size),
            Effect.provide(NodeHttpClient.layerUndici)
          )
        )
      : () =>
        Effect.runPromise(
          Effect.flatMap(storage(t, a), (s) => s.getObject(t.bucket, key)).pipe(
            Effect.flatMap((d) => Stream.runFold(d.body, 0, (n, c) => n + c.byteLength)),
            Effect.provide(NodeHttpClient.layerUndici)
          )
        )
  }
  const { GetObjectCommand } = await import("@aws-sdk/client-s3")
  const { Upload } = await import("@aws-sdk/lib-storage")
  const client = await sdkClient(t)
  return job === "sdk-upload"
    ? async () => {
      const upload = new Upload({
        client,
        params: { Bucket: t.bucket, Key: key, Body: Readable.from(chunks(size)) },
        partSize: a.partMib * MiB,
        queueSize: a.concurrency
      })
      await upload.done()
      return size
    }
    : async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }))
      let n = 0
      for await (const c of out.Body as Readable) n += (c as Uint8Array).byteLength
      return n
    }
}

/** In the child: run one job, sampling RSS, and print the result as JSON. */
const child = async (job: Job, t: Target, a: Args, key: string) => {
  let peak = process.memoryUsage().rss
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  const run = await loadJob(job, t, a, key)
  const baseRss = process.memoryUsage().rss
  const start = performance.now()
  const bytes = await run()
  const seconds = (performance.now() - start) / 1000
  clearInterval(sample)
  peak = Math.max(peak, process.memoryUsage().rss)
  const result: JobResult = { seconds, bytes, baseRss, peakRss: peak }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}

/** This file bundled for plain node (code-split, so each side's modules load only when it runs). */
const bundle = async (): Promise<{ readonly entry: string; readonly dir: string }> => {
  const esbuild = await import("esbuild")
  const dir = mkdtempSync(join(tmpdir(), "cloudfx-bench-"))
  await esbuild.build({
    entryPoints: { storage: fileURLToPath(import.meta.url) },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The SDK's ES builds: its CommonJS ones lose their named exports through a code-split dynamic import.
    mainFields: ["module", "main"],
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    // Keep CommonJS dependencies' require() of node builtins working in ESM.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "error"
  })
  return { entry: join(dir, "storage.mjs"), dir }
}

const inChild = (entry: string, job: Job, t: Target, key: string): Promise<JobResult> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [entry, "--child", job, "--target", JSON.stringify(t), "--key", key, ...process.argv.slice(2)], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_NO_WARNINGS: "1" }
    })
    let out = ""
    p.stdout.on("data", (d: Buffer) => (out += d.toString()))
    p.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "))
      if (code !== 0 || line === undefined) reject(new Error(`${job} exited ${code}: ${out.slice(-2000)}`))
      else resolve(JSON.parse(line.slice(7)) as JobResult)
    })
  })

// ---------------------------------------------------------------- listing

const listing = async (t: Target, a: Args) => {
  const { Effect, NodeHttpClient, Stream, storage } = await cloudfx()
  return Effect.runPromise(Effect.gen(function*() {
    const s = yield* storage(t, a)
    const bucket = `${t.bucket}-list`
    yield* s.createContainer(bucket)
    const created = performance.now()
    yield* Effect.forEach(
      Array.from({ length: a.objects }, (_, i) => `objects/${String(i).padStart(6, "0")}`),
      (key) => s.putObject(bucket, key, "x"),
      { concurrency: 64, discard: true }
    )
    const createSeconds = (performance.now() - created) / 1000
    const viaCloudfx = Effect.gen(function*() {
      const start = performance.now()
      const n = yield* Stream.runCount(s.listObjects(bucket))
      return { n, seconds: (performance.now() - start) / 1000 }
    })
    const viaSdk = Effect.promise(async () => {
      const { paginateListObjectsV2 } = await import("@aws-sdk/client-s3")
      const client = await sdkClient(t)
      const begin = performance.now()
      let n = 0
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) n += page.Contents?.length ?? 0
      client.destroy()
      return { n, seconds: (performance.now() - begin) / 1000 }
    })
    // Twice each, taking turns (the server is still settling the creations at first); the faster run counts.
    const [c1, s1, s2, c2] = [yield* viaCloudfx, yield* viaSdk, yield* viaSdk, yield* viaCloudfx]
    const best = (x: { readonly n: number; readonly seconds: number }, y: { readonly n: number; readonly seconds: number }) =>
      x.seconds <= y.seconds ? x : y
    const cloudfxRun = best(c1, c2)
    const sdk = best(s1, s2)
    const count = cloudfxRun.n
    const cloudfxSeconds = cloudfxRun.seconds
    return { count, createSeconds, cloudfxSeconds, sdk }
  }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
}

// ---------------------------------------------------------------- main

const mib = (bytes: number) => bytes / MiB
const fmt = (n: number, digits = 1) => n.toFixed(digits)

const table = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (r: ReadonlyArray<string>) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n")
}

const main = async (a: Args) => {
  const { Effect, NodeHttpClient, storage } = await cloudfx()
  const { startSwift } = await import("../test/support/peers/index.js")
  const { dir, entry } = await bundle()
  const program = Effect.scoped(Effect.gen(function*() {
    const swift = yield* startSwift()
    const target: Target = {
      endpoint: swift.s3.endpoint,
      region: swift.s3.region,
      accessKeyId: swift.s3.accessKeyId,
      secretAccessKey: swift.s3.secretAccessKey,
      bucket: `bench-${Date.now().toString(36)}`
    }
    const s = yield* storage(target, a)
    yield* s.createContainer(target.bucket)
    const run = (job: Job, key: string) => Effect.promise(() => inChild(entry, job, target, key))
    const results: Record<Job, Array<JobResult>> = {
      "cloudfx-upload": [],
      "cloudfx-upload-md5": [],
      "sdk-upload": [],
      "cloudfx-download": [],
      "sdk-download": []
    }
    for (let i = 0; i < a.runs; i++) {
      const order: ReadonlyArray<readonly [Job, string]> = [
        ["cloudfx-upload", "cloudfx.bin"],
        ["sdk-upload", "sdk.bin"],
        ["cloudfx-upload-md5", "cloudfx-md5.bin"],
        // Each side downloads the other's object: both read the same bytes.
        ["cloudfx-download", "sdk.bin"],
        ["sdk-download", "cloudfx.bin"]
      ]
      const turn = i % 2 === 0 ? order : [order[1]!, order[2]!, order[0]!, order[4]!, order[3]!]
      for (const [job, key] of turn) results[job].push(yield* run(job, key))
    }
    const summary = (rs: ReadonlyArray<JobResult>): JobResult => {
      const byRate = [...rs].sort((x, y) => x.bytes / x.seconds - y.bytes / y.seconds)
      const median = byRate[Math.floor(byRate.length / 2)]!
      const peak = rs.reduce((m, r) => (r.peakRss > m.peakRss ? r : m))
      return { ...median, peakRss: peak.peakRss, baseRss: peak.baseRss }
    }
    const cfxUp = summary(results["cloudfx-upload"])
    const cfxUpMd5 = summary(results["cloudfx-upload-md5"])
    const sdkUp = summary(results["sdk-upload"])
    const cfxDown = summary(results["cloudfx-download"])
    const sdkDown = summary(results["sdk-download"])
    const list = yield* Effect.promise(() => listing(target, a))

    const budget = 64 + a.partMib * a.concurrency
    const rate = (r: JobResult) => mib(r.bytes) / r.seconds
    const rss = (r: JobResult) => `${fmt(mib(r.peakRss), 0)} (${fmt(mib(r.baseRss), 0)} + ${fmt(mib(r.peakRss - r.baseRss), 0)})`
    const row = (what: string, cfx: JobResult, sdk: JobResult) => [
      what,
      fmt(rate(cfx)),
      fmt(rate(sdk)),
      fmt(rate(cfx) / rate(sdk), 2),
      rss(cfx),
      rss(sdk),
      fmt(cfx.peakRss / sdk.peakRss, 2)
    ]
    return [
      `Swift s3api on 127.0.0.1, ${a.sizeMib} MiB stream of unknown length, part ${a.partMib} MiB × ${a.concurrency} (RSS budget ${budget} MiB), median of ${a.runs} runs`,
      "",
      table([
        ["", "cloudfx MiB/s", "SDK MiB/s", "ratio", "cloudfx peak RSS MiB (loaded + transfer)", "SDK peak RSS MiB (loaded + transfer)", "RSS ratio"],
        row("upload", cfxUp, sdkUp),
        row("upload, signPayload: false (Content-MD5)", cfxUpMd5, sdkUp),
        row("download", cfxDown, sdkDown)
      ]),
      "",
      table([
        ["listing", "objects", "seconds", "objects/s"],
        ["cloudfx listObjects (Stream)", String(list.count), fmt(list.cloudfxSeconds, 2), fmt(list.count / list.cloudfxSeconds, 0)],
        ["SDK paginateListObjectsV2", String(list.sdk.n), fmt(list.sdk.seconds, 2), fmt(list.sdk.n / list.sdk.seconds, 0)]
      ]),
      `(creating the ${a.objects} objects, 64 at a time through cloudfx: ${fmt(list.createSeconds, 1)} s)`
    ].join("\n")
  })).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))))
  console.log(await Effect.runPromise(program))
}

if (process.argv.includes("--child")) {
  const job = argValue("child") as Job
  const target = JSON.parse(argValue("target")!) as Target
  await child(job, target, args(), argValue("key")!)
  process.exit(0)
} else {
  await main(args())
}
