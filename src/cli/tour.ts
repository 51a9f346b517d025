/**
 * `cloudfx tour`: the whole portable surface in one run. It is written only
 * against the four service tags, so the same program runs on any providers;
 * the CLI gives it the memory clouds and local-disk storage.
 */
import { createHash } from "node:crypto"
import { Chunk, Console, Effect, Option, Schedule, Schema, Stream } from "effect"
import type { Duration } from "effect"
import { exportZoneToBind } from "../services/Bind.js"
import { Compute, waitUntilRunning } from "../services/Compute.js"
import { Dns } from "../services/Dns.js"
import { LoadBalancer, waitUntilBalancerReady } from "../services/LoadBalancer.js"
import { ObjectStorage } from "../services/ObjectStorage.js"
import { makeProgress, withProgress } from "./progress.js"
import { renderTable } from "./table.js"

export interface TourOptions {
  readonly json: boolean
  /** Size of the generated object streamed through storage. */
  readonly objectMiB: number
  /** How often to poll while waiting: the memory cloud is quick, a real one is not. */
  readonly pollEvery: Duration.DurationInput
}

/** Human output goes out as the tour goes; --json prints one document at the end. */
const say = (options: TourOptions, text: string) => (options.json ? Effect.void : Console.log(text))

const section = (options: TourOptions, title: string) => say(options, `\n== ${title}`)

// A deterministic byte stream of any length, made chunk by chunk: nothing is
// held in memory but the chunk being produced.
const generated = (totalBytes: number, chunkBytes = 256 * 1024): Stream.Stream<Uint8Array> =>
  Stream.unfoldChunk(0, (offset) => {
    if (offset >= totalBytes) return Option.none()
    const size = Math.min(chunkBytes, totalBytes - offset)
    const chunk = new Uint8Array(size)
    let x = (offset / chunkBytes + 1) * 2654435761
    for (let i = 0; i < size; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      chunk[i] = x & 0xff
    }
    return Option.some([Chunk.of(chunk), offset + size] as const)
  })

const sha256Of = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Stream.runFold(stream, createHash("sha256"), (hash, chunk) => hash.update(chunk)).pipe(
    Effect.map((hash) => hash.digest("hex"))
  )

export const tour = (options: TourOptions) =>
  Effect.gen(function*() {
    const compute = yield* Compute
    const lb = yield* LoadBalancer
    const dns = yield* Dns
    const storage = yield* ObjectStorage
    const suffix = Math.random().toString(36).slice(2, 8)
    const wait = { schedule: Schedule.spaced(options.pollEvery), timeout: "10 minutes" } as const

    // ------------------------------------------------------------ compute
    yield* section(options, `Compute (${compute.provider.id})`)
    const sizes = yield* compute.listSizes()
    yield* say(
      options,
      renderTable(
        ["size", "vCPU", "RAM MiB", "disk GB", "USD/hour"],
        sizes.map((s) => [s.id, s.vcpus, s.ramMb, s.diskGb, s.price])
      )
    )
    const images = yield* compute.listImages()
    const locations = yield* compute.listLocations()
    const cheapest = [...sizes]
      .filter((s) => s.ramMb >= 2048 && s.price !== undefined)
      .sort((a, b) => (a.price ?? 0) - (b.price ?? 0))[0] ?? sizes[0]
    const image = images[0]
    if (cheapest === undefined || image === undefined) {
      return yield* Effect.dieMessage("the compute provider offers no sizes or images")
    }
    yield* say(options, `\ncreating 3 nodes of ${cheapest.id} (${image.name}) and waiting for them to run…`)
    const created = yield* Effect.forEach(
      [1, 2, 3],
      (i) =>
        compute.createNode({
          name: `web-${i}-${suffix}`,
          size: cheapest,
          image,
          ...(locations[0] === undefined ? {} : { location: locations[0] })
        }),
      { concurrency: 3 }
    )
    const running = yield* waitUntilRunning(created, wait)
    yield* say(
      options,
      renderTable(
        ["node", "name", "state", "public IP", "private IP", "size", "USD/hour"],
        running.map((n) => [n.id, n.name, n.state, n.publicIps[0], n.privateIps[0], n.size, cheapest.price])
      )
    )

    // ------------------------------------------------------------ load balancer
    yield* section(options, `Load balancer (${lb.provider.id})`)
    const balancer = yield* lb.createBalancer({
      name: `web-${suffix}`,
      port: 80,
      protocol: "http",
      algorithm: "roundRobin"
    })
    const ready = yield* waitUntilBalancerReady(balancer, wait)
    yield* Effect.forEach(running, (node) => lb.attachComputeNode(ready, node, 8080), { discard: true })
    const members = yield* lb.listMembers(ready)
    yield* say(options, `balancer ${ready.name} (${ready.id}) ${ready.state} on ${ready.ip ?? "?"}:${ready.port}, ${ready.algorithm ?? ""}`)
    yield* say(
      options,
      renderTable(["member", "ip", "port", "node"], members.map((m) => [m.id, m.ip, m.port, m.nodeId]))
    )

    // ------------------------------------------------------------ dns
    yield* section(options, `DNS (${dns.provider.id})`)
    const zone = yield* dns.createZone({ domain: `tour-${suffix}.example.com`, ttl: 3600 })
    const front = ready.ip ?? running[0]?.publicIps[0] ?? "192.0.2.1"
    yield* dns.createRecord(zone, { name: "www", type: "A", data: front, ttl: 300 })
    yield* dns.createRecord(zone, { name: "", type: "MX", data: `mail.${zone.domain}.`, priority: 10 })
    yield* dns.createRecord(zone, { name: "mail", type: "A", data: running[0]?.publicIps[0] ?? front })
    yield* dns.createRecord(zone, { name: "docs", type: "CNAME", data: `www.${zone.domain}.` })
    yield* dns.createRecord(zone, { name: "", type: "TXT", data: "v=spf1 mx -all" })
    const records = yield* Stream.runCollect(dns.listRecords(zone))
    const bind = exportZoneToBind(zone, records)
    yield* say(options, bind)

    // ------------------------------------------------------------ storage
    yield* section(options, `Object storage (${storage.provider.id})`)
    const container = `tour-${suffix}`
    yield* storage.createContainer(container)
    const bytes = options.objectMiB * 1024 * 1024
    const key = "backups/generated.bin"
    const expected = yield* sha256Of(generated(bytes))
    const upload = yield* makeProgress("upload  ", bytes, !options.json)
    const putStarted = performance.now()
    const info = yield* storage.putObject(container, key, withProgress(generated(bytes), upload), {
      contentType: "application/octet-stream",
      metadata: { source: "cloudfx-tour" }
    })
    const putSecs = (performance.now() - putStarted) / 1000
    const download = yield* makeProgress("download", info.size, !options.json)
    const getStarted = performance.now()
    const { body } = yield* storage.getObject(container, key)
    const actual = yield* sha256Of(withProgress(body, download))
    const getSecs = (performance.now() - getStarted) / 1000
    const listing = yield* Stream.runCollect(storage.listObjects(container))
    yield* say(
      options,
      renderTable(
        ["key", "bytes", "etag", "content type"],
        Chunk.toReadonlyArray(listing).map((o) => (o._tag === "ObjectInfo" ? [o.key, o.size, o.etag, o.contentType] : [o.key, undefined, undefined, "(prefix)"]))
      )
    )
    const hashOk = actual === expected
    yield* say(options, `sha256 sent     ${expected}\nsha256 received ${actual}  ${hashOk ? "✓ identical" : "✗ MISMATCH"}`)

    // ------------------------------------------------------------ clean up
    yield* storage.deleteObject(container, key)
    yield* storage.deleteContainer(container)
    yield* dns.deleteZone(zone)
    yield* lb.destroyBalancer(ready)
    yield* Effect.forEach(running, (n) => compute.destroyNode(n), { discard: true })
    yield* say(options, "\ncleaned up: nodes destroyed, balancer, zone and container deleted")

    const summary = {
      providers: {
        compute: compute.provider.id,
        loadBalancer: lb.provider.id,
        dns: dns.provider.id,
        objectStorage: storage.provider.id
      },
      sizes: sizes.map((s) => ({ id: s.id, vcpus: s.vcpus, ramMb: s.ramMb, diskGb: s.diskGb, pricePerHour: s.price })),
      nodes: running.map((n) => ({ id: n.id, name: n.name, state: n.state, publicIps: n.publicIps, privateIps: n.privateIps, size: n.size })),
      balancer: { id: ready.id, name: ready.name, ip: ready.ip, port: ready.port, algorithm: ready.algorithm, members: members.map((m) => ({ id: m.id, ip: m.ip, port: m.port, nodeId: m.nodeId })) },
      zone: { domain: zone.domain, bind },
      object: {
        container,
        key,
        bytes: info.size,
        etag: info.etag,
        sha256: actual,
        hashMatches: hashOk,
        uploadMiBs: Number((options.objectMiB / putSecs).toFixed(1)),
        downloadMiBs: Number((options.objectMiB / getSecs).toFixed(1))
      }
    }
    if (options.json) yield* Console.log(JSON.stringify(summary, null, 2))
    if (!hashOk) return yield* Effect.fail(new TourFailed({ reason: "downloaded object differs from what was uploaded" }))
    return summary
  }).pipe(Effect.withSpan("cloudfx.tour"))

export class TourFailed extends Schema.TaggedError<TourFailed>()("TourFailed", { reason: Schema.String }) {}
