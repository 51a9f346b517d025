/**
 * SigV4 header-signing throughput: cloudfx vs @smithy/signature-v4 (the
 * AWS SDK v3 signer, with @smithy/hash-node so both hash with node:crypto).
 *
 *   npx tsx bench/signing.ts
 *
 * Scenarios: a typical S3 GET (range read, virtual-hosted bucket) and a
 * typical S3 PUT (4 KiB body, content type, storage class, user metadata).
 * Same inputs, same time, same credentials object (so both use their signing
 * key cache), same process. Before timing, both must produce the same
 * Authorization header for each scenario, or the bench aborts.
 *
 * Rows: cloudfx `signHeaders` (the pure core), cloudfx `sigV4Signer` (the
 * HttpClientRequest adapter, run with Effect.runSync: URL parsing, query
 * rewrite and request rebuild included), and smithy `SignatureV4.sign`.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"
import { Clock, Effect, Redacted } from "effect"
import { sigV4Signer } from "../src/auth/aws/HttpSigner.js"
import { signHeaders } from "../src/auth/aws/SigV4.js"

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
const REGION = "eu-west-1"
const DATE = new Date(Date.UTC(2024, 4, 17, 9, 30, 0))

const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: Redacted.make(SECRET) }

interface Scenario {
  readonly name: string
  readonly method: "GET" | "PUT"
  readonly host: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: Uint8Array | undefined
}

const putBody = new Uint8Array(4096).map((_, i) => i % 251)

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "S3 GET (range)",
    method: "GET",
    host: "examplebucket.s3.eu-west-1.amazonaws.com",
    path: "/photos/2024/05/holiday-0042.jpg",
    headers: {
      host: "examplebucket.s3.eu-west-1.amazonaws.com",
      range: "bytes=0-1048575",
      "user-agent": "cloudfx-bench/1.0"
    },
    body: undefined
  },
  {
    name: "S3 PUT (4 KiB)",
    method: "PUT",
    host: "examplebucket.s3.eu-west-1.amazonaws.com",
    path: "/backups/2024-05-17/db-shard-07.bin",
    headers: {
      host: "examplebucket.s3.eu-west-1.amazonaws.com",
      "content-type": "application/octet-stream",
      "content-length": String(putBody.length),
      "x-amz-storage-class": "STANDARD_IA",
      "x-amz-meta-origin": "bench",
      "user-agent": "cloudfx-bench/1.0"
    },
    body: putBody
  }
]

// --- the three implementations ----------------------------------------------

const smithy = new SignatureV4({
  credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
  region: REGION,
  service: "s3",
  sha256: Hash.bind(null, "sha256"),
  uriEscapePath: false,
  applyChecksum: true
})

const smithySign = async (s: Scenario): Promise<string> => {
  const signed = await smithy.sign(
    {
      method: s.method,
      protocol: "https:",
      hostname: s.host,
      path: s.path,
      query: {},
      headers: { ...s.headers },
      body: s.body
    },
    { signingDate: DATE }
  )
  return signed.headers["authorization"]!
}

const coreSign = (s: Scenario): string =>
  signHeaders(
    {
      method: s.method,
      path: s.path,
      pathEncoded: true,
      headers: Object.entries(s.headers),
      body: s.body
    },
    { credentials, region: REGION, service: "s3", date: DATE },
    { s3: true }
  ).authorization

const fixedClock: Clock.Clock = Object.assign(Object.create(Object.getPrototypeOf(Clock.make())), Clock.make(), {
  currentTimeMillis: Effect.succeed(DATE.getTime()),
  unsafeCurrentTimeMillis: () => DATE.getTime()
})
const adapter = sigV4Signer({ credentials, region: REGION, service: "s3", s3: true, clock: fixedClock })
const requests = new Map(
  scenarios.map((s) => {
    let request = HttpClientRequest.make(s.method)(`https://${s.host}${s.path}`)
    if (s.body !== undefined) request = HttpClientRequest.setBody(request, HttpBody.uint8Array(s.body, s.headers["content-type"]))
    for (const [k, v] of Object.entries(s.headers)) if (k !== "host") request = HttpClientRequest.setHeader(request, k, v)
    return [s, request] as const
  })
)
const adapterSign = (s: Scenario): string => Effect.runSync(adapter(requests.get(s)!)).headers["authorization"]!

// --- same answer first --------------------------------------------------------

for (const s of scenarios) {
  const [a, b, c] = [coreSign(s), adapterSign(s), await smithySign(s)]
  if (a !== c || b !== c) {
    console.error(`Authorization mismatch for ${s.name}:\n  cloudfx core:    ${a}\n  cloudfx adapter: ${b}\n  smithy:          ${c}`)
    process.exit(1)
  }
  console.log(`${s.name}: identical Authorization from all three\n  ${c}`)
}

// --- timing -----------------------------------------------------------------------

const BUDGET_MS = Number(process.env["BENCH_MS"] ?? 1000)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5)

const timeSync = (f: () => unknown): number => {
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(BUDGET_MS) * 1_000_000n
  let now = start
  while (now < end) {
    for (let i = 0; i < 200; i++) f()
    n += 200
    now = process.hrtime.bigint()
  }
  return n / (Number(now - start) / 1e9)
}

const timeAsync = async (f: () => Promise<unknown>): Promise<number> => {
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(BUDGET_MS) * 1_000_000n
  let now = start
  while (now < end) {
    for (let i = 0; i < 200; i++) await f()
    n += 200
    now = process.hrtime.bigint()
  }
  return n / (Number(now - start) / 1e9)
}

const median = (xs: Array<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

interface Row {
  readonly scenario: string
  readonly impl: string
  readonly opsPerSec: number
}
const rows: Array<Row> = []

for (const s of scenarios) {
  // Warm up all three.
  for (let i = 0; i < 2000; i++) {
    coreSign(s)
    adapterSign(s)
    await smithySign(s)
  }
  const samples = { core: [] as Array<number>, adapter: [] as Array<number>, smithy: [] as Array<number> }
  // Interleaved rounds, so drift (thermal, GC) hits all alike.
  for (let r = 0; r < ROUNDS; r++) {
    samples.core.push(timeSync(() => coreSign(s)))
    samples.adapter.push(timeSync(() => adapterSign(s)))
    samples.smithy.push(await timeAsync(() => smithySign(s)))
  }
  rows.push(
    { scenario: s.name, impl: "cloudfx signHeaders (core)", opsPerSec: median(samples.core) },
    { scenario: s.name, impl: "cloudfx sigV4Signer (HttpClientRequest)", opsPerSec: median(samples.adapter) },
    { scenario: s.name, impl: "@smithy/signature-v4 sign()", opsPerSec: median(samples.smithy) }
  )
}

const pad = (s: string, n: number) => s.padEnd(n)
const lpad = (s: string, n: number) => s.padStart(n)
console.log(
  `\nSigV4 header signing, Node ${process.version}, median of ${ROUNDS} rounds × ${BUDGET_MS} ms\n`
)
console.log(
  `${pad("scenario", 16)} ${pad("implementation", 40)} ${lpad("ops/s", 10)} ${lpad("µs/op", 8)} ${lpad("vs smithy", 10)}`
)
console.log("-".repeat(16 + 40 + 10 + 8 + 10 + 4))
for (const s of scenarios) {
  const smithyOps = rows.find((r) => r.scenario === s.name && r.impl.startsWith("@smithy"))!.opsPerSec
  for (const r of rows.filter((r) => r.scenario === s.name)) {
    console.log(
      `${pad(r.scenario, 16)} ${pad(r.impl, 40)} ${lpad(Math.round(r.opsPerSec).toLocaleString("en-US"), 10)} ${
        lpad((1e6 / r.opsPerSec).toFixed(2), 8)
      } ${lpad((r.opsPerSec / smithyOps).toFixed(2) + "×", 10)}`
    )
  }
}
