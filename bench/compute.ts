/**
 * Compute provider benchmarks (not tests):
 *
 *   npx tsx bench/compute.ts
 *
 * 1. Decode throughput: a large listing answer turned into portable `Node`s,
 *    as nodes per second. Each case says what it covers: "decode" is the
 *    provider's own work on a body (parse, wire schema, mapping); "listNodes"
 *    is the whole call through the provider layer over a replay client
 *    (request building, SigV4 signing, response, decode), no network.
 * 2. Inventory fan-out: `listNodes` on N services at once, one per region,
 *    against a local server that answers each request after a fixed delay;
 *    the wall time is set against N × delay (what a sequential inventory
 *    costs).
 *
 * Cases are lists: a provider adds its own entry (`decodeCases`,
 * `fanOutCases`) and gets a row in the same tables.
 *
 * Environment: BENCH_MS (time per sample, default 1000), BENCH_ROUNDS
 * (samples, median reported; default 5).
 */
import { createServer } from "node:http"
import { cpus, loadavg } from "node:os"
import type { AddressInfo } from "node:net"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import * as Credentials from "../src/auth/aws/Credentials.js"
import * as Decode from "../src/http/Decode.js"
import { Replay } from "../src/http/index.js"
import { renderTable } from "../src/cli/table.js"
import * as Ec2 from "../src/layers/aws/ec2/Ec2.js"
import * as Ec2Map from "../src/layers/aws/ec2/mapping.js"
import * as Ec2Wire from "../src/layers/aws/ec2/wire.js"
import type { Compute } from "../src/services/Compute.js"
import * as Ec2Fixtures from "../test/layers/aws/ec2/fixtures.js"
import { DigitalOcean } from "../src/layers/digitalocean/index.js"
import * as DoMap from "../src/layers/digitalocean/compute/mapping.js"
import * as DoWire from "../src/layers/digitalocean/compute/wire.js"
import * as DoFixtures from "../test/layers/digitalocean/fixtures.js"

const BUDGET_MS = Number(process.env["BENCH_MS"] ?? 1000)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5)

const credentials = Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") })

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Runs `f` repeatedly for BUDGET_MS; answers calls per second. */
const rate = async (f: () => Promise<unknown>): Promise<number> => {
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(BUDGET_MS) * 1_000_000n
  let now = start
  while (now < end) {
    await f()
    n++
    now = process.hrtime.bigint()
  }
  return n / (Number(now - start) / 1e9)
}

// ---------------------------------------------------------------- 1. decode throughput

interface DecodeCase {
  readonly provider: string
  readonly what: string
  /** Items in one answer. */
  readonly items: number
  /** Bytes of one answer. */
  readonly bytes: number
  /** Turns one answer into models; resolves to how many it made (checked against `items`). */
  readonly run: () => Promise<number>
}

const ec2Body = (count: number) =>
  Ec2Fixtures.describeInstances(
    Array.from({ length: count }, (_, n) =>
      Ec2Fixtures.instanceItem({
        id: `i-0${n.toString(16).padStart(16, "0")}`,
        image: "ami-0abcdef1234567890",
        state: n % 10 === 0 ? "stopped" : "running",
        type: ["t3.micro", "m5.large", "c5d.xlarge"][n % 3]!,
        zone: `us-east-1${"abc"[n % 3]}`,
        launchTime: "2024-03-01T09:00:00.000Z",
        privateIp: `10.0.${n >> 8}.${n & 255}`,
        ...(n % 10 === 0 ? {} : { publicIp: `198.51.${100 + (n >> 8)}.${n & 255}` }),
        keyName: "deploy",
        clientToken: `token-${n}`,
        tags: { Name: `web-${n}`, team: "infra", env: n % 2 === 0 ? "prod" : "staging" },
        devices: [{ device: "/dev/xvda", volumeId: `vol-0${n.toString(16).padStart(16, "0")}` }]
      })
    )
  )

const ec2Decode = (count: number): DecodeCase => {
  const body = new TextEncoder().encode(ec2Body(count))
  const where = { provider: "aws-ec2", operation: "bench" }
  const decode = Decode.xml(Ec2Wire.DescribeInstances, where, Ec2Wire.xmlOptions)
  return {
    provider: "aws-ec2",
    what: "decode DescribeInstances",
    items: count,
    bytes: body.byteLength,
    run: () =>
      Effect.runPromise(
        Effect.map(decode(body), (page) => page.reservationSet.flatMap((r) => r.instancesSet).map((i) => Ec2Map.node(i)).length)
      )
  }
}

const ec2ListNodes = async (count: number): Promise<DecodeCase> => {
  const body = ec2Body(count)
  const exchanges = [{ request: { method: "POST" }, response: { status: 200, headers: { "content-type": "text/xml" }, body } }]
  const layer = Ec2.layer({ region: "us-east-1", credentials }).pipe(
    Layer.provide(Layer.suspend(() => Replay.layer(exchanges.map((e) => ({ ...e, times: Infinity })))))
  )
  const compute = await Effect.runPromise(Effect.scoped(Layer.build(layer)).pipe(Effect.map((ctx) => ctx.unsafeMap.get("cloudfx/Compute") as Compute.Service)))
  return {
    provider: "aws-ec2",
    what: "listNodes (layer + replay client)",
    items: count,
    bytes: Buffer.byteLength(body),
    run: () => Effect.runPromise(Effect.map(compute.listNodes(), (nodes) => nodes.length))
  }
}

const droplets = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i
    return DoFixtures.droplet({
      id: 300000000 + n,
      name: `web-${n}`,
      status: n % 10 === 0 ? "off" : "active",
      publicIp: `198.51.${100 + (n >> 8)}.${n & 255}`,
      privateIp: `10.0.${n >> 8}.${n & 255}`,
      ...(n % 2 === 0 ? { ipv6: `2604:a880:0:1010::${n.toString(16)}` } : {}),
      size: ["s-1vcpu-1gb", "s-2vcpu-4gb", "c-4"][n % 3]!,
      region: ["nyc3", "fra1", "sgp1"][n % 3]!,
      tags: ["web", n % 2 === 0 ? "env:prod" : "env:staging"]
    })
  })

// One answer of 1 000 droplets (DigitalOcean serves 200 a page: this is the decode work of five pages at once).
const doDecode = (count: number): DecodeCase => {
  const body = new TextEncoder().encode(JSON.stringify(DoFixtures.page("droplets", droplets(count), count)))
  const decode = Decode.json(DoWire.DropletsPage, { provider: "digitalocean", operation: "bench" })
  return {
    provider: "digitalocean",
    what: "decode droplets page",
    items: count,
    bytes: body.byteLength,
    run: () => Effect.runPromise(Effect.map(decode(body), (page) => page.droplets.map(DoMap.node).length))
  }
}

// The whole listNodes: five pages of 200 followed through `links.pages.next`, bearer token, replay client.
const doListNodes = async (count: number): Promise<DecodeCase> => {
  const perPage = 200
  const pages = Math.ceil(count / perPage)
  const bodies = Array.from({ length: pages }, (_, p) =>
    JSON.stringify(
      DoFixtures.page(
        "droplets",
        droplets(Math.min(perPage, count - p * perPage), p * perPage),
        count,
        p + 1 < pages ? `https://api.digitalocean.com/v2/droplets?page=${p + 2}&per_page=${perPage}` : undefined
      )
    )
  )
  const exchanges = bodies.map((body, p) => ({
    request: { method: "GET", query: { page: String(p + 1) } },
    response: { status: 200, headers: { "content-type": "application/json" }, body },
    times: Infinity
  }))
  const layer = DigitalOcean.layer({ token: Redacted.make("dop_v1_bench") }).pipe(Layer.provide(Layer.suspend(() => Replay.layer(exchanges, { mode: "match" }))))
  const compute = await Effect.runPromise(Effect.scoped(Layer.build(layer)).pipe(Effect.map((ctx) => ctx.unsafeMap.get("cloudfx/Compute") as Compute.Service)))
  return {
    provider: "digitalocean",
    what: `listNodes, ${pages} pages (layer + replay client)`,
    items: count,
    bytes: bodies.reduce((n, b) => n + Buffer.byteLength(b), 0),
    run: () => Effect.runPromise(Effect.map(compute.listNodes(), (nodes) => nodes.length))
  }
}

// Another provider adds its case here.
const decodeCases = async (): Promise<ReadonlyArray<DecodeCase>> => [
  ec2Decode(1000),
  await ec2ListNodes(1000),
  doDecode(1000),
  await doListNodes(1000)
]

const runDecode = async () => {
  const rows: Array<ReadonlyArray<string | number>> = []
  for (const c of await decodeCases()) {
    const made = await c.run()
    if (made !== c.items) throw new Error(`${c.provider} ${c.what}: made ${made} items, expected ${c.items}`)
    for (let i = 0; i < 5; i++) await c.run()
    const samples: Array<number> = []
    for (let r = 0; r < ROUNDS; r++) samples.push(await rate(c.run))
    const perSecond = median(samples)
    rows.push([
      c.provider,
      c.what,
      c.items,
      Math.round(c.bytes / 1024),
      Math.round(1000 / perSecond * 10) / 10,
      Math.round(perSecond * c.items)
    ])
  }
  console.log(`\nDecode throughput (median of ${ROUNDS} × ${BUDGET_MS} ms)\n`)
  console.log(renderTable(["provider", "case", "items", "KiB", "ms/answer", "nodes/s"], rows))
}

// ---------------------------------------------------------------- 2. inventory fan-out

interface FanOutCase {
  readonly provider: string
  /** Services (one per region) and the nodes each lists. */
  readonly regions: ReadonlyArray<string>
  readonly nodesPerRegion: number
  readonly delayMs: number
  /** One service per region, all pointed at the local server at `url`. */
  readonly services: (url: string) => Effect.Effect<ReadonlyArray<Compute.Service>, never, import("@effect/platform").HttpClient.HttpClient>
  /** The server's answer to a request for `region`. */
  readonly answer: (region: string) => { readonly contentType: string; readonly body: string }
}

const awsRegions = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
  "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
  "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
  "ap-southeast-1", "ap-southeast-2", "sa-east-1", "me-south-1", "af-south-1"
]

const ec2FanOut: FanOutCase = {
  provider: "aws-ec2",
  regions: awsRegions,
  nodesPerRegion: 5,
  delayMs: 100,
  services: (url) =>
    Effect.forEach(awsRegions, (region) => Ec2.make({ region, credentials, endpoint: `${url}/${region}` })),
  answer: (region) => ({
    contentType: "text/xml;charset=UTF-8",
    body: Ec2Fixtures.describeInstances(
      Array.from({ length: 5 }, (_, n) =>
        Ec2Fixtures.instanceItem({
          id: `i-0${(awsRegions.indexOf(region) * 100 + n).toString(16).padStart(16, "0")}`,
          image: "ami-0abcdef1234567890",
          state: "running",
          type: "t3.micro",
          zone: `${region}a`,
          launchTime: "2024-03-01T09:00:00.000Z",
          privateIp: `10.0.0.${n + 1}`,
          tags: { Name: `${region}-${n}` }
        })
      )
    )
  })
}

// Another provider adds its case here.
const fanOutCases: ReadonlyArray<FanOutCase> = [ec2FanOut]

/** A local server: every request is answered after `delayMs`, with the case's answer for the region in the path. */
const delayedServer = (c: FanOutCase) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly close: () => void; readonly requests: () => number }>((resume) => {
      let requests = 0
      const server = createServer((req, res) => {
        requests++
        req.resume()
        req.on("end", () => {
          const region = (req.url ?? "/").split("/")[1] ?? ""
          const { body, contentType } = c.answer(region)
          setTimeout(() => {
            res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) })
            res.end(body)
          }, c.delayMs)
        })
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          requests: () => requests,
          close: () => {
            server.closeAllConnections()
            server.close()
          }
        })))
    }),
    (s) => Effect.sync(s.close)
  )

const runFanOut = async () => {
  const rows: Array<ReadonlyArray<string | number>> = []
  for (const c of fanOutCases) {
    const program = Effect.gen(function*() {
      const server = yield* delayedServer(c)
      const services = yield* c.services(server.url)
      const inventory = (concurrency: number | "unbounded") =>
        Effect.gen(function*() {
          const start = performance.now()
          const lists = yield* Effect.forEach(services, (s) => s.listNodes(), { concurrency })
          const ms = performance.now() - start
          const nodes = lists.reduce((n, l) => n + l.length, 0)
          if (nodes !== c.regions.length * c.nodesPerRegion) throw new Error(`${c.provider}: listed ${nodes} nodes`)
          return ms
        })
      // Warm the connection pool and the code paths once.
      yield* inventory("unbounded")
      const concurrent: Array<number> = []
      for (let r = 0; r < ROUNDS; r++) concurrent.push(yield* inventory("unbounded"))
      const sequential = yield* inventory(1)
      const floor = c.regions.length * c.delayMs
      const nodes = c.regions.length * c.nodesPerRegion
      rows.push(
        [c.provider, "concurrent", c.regions.length, nodes, Math.round(median(concurrent)), floor, `${(floor / median(concurrent)).toFixed(1)}×`],
        [c.provider, "one at a time", c.regions.length, nodes, Math.round(sequential), floor, `${(floor / sequential).toFixed(1)}×`]
      )
    })
    await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.orDie))
  }
  console.log(`\nInventory fan-out: listNodes in every region (server answers after ${fanOutCases[0]?.delayMs ?? 0} ms; median of ${ROUNDS})\n`)
  console.log(renderTable(["provider", "mode", "regions", "nodes", "wall ms", "N × delay ms", "speed-up"], rows))
}

// Timings on a shared machine mean little without its load: say it.
console.log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min)`)
await runDecode()
await runFanOut()
