/**
 * Helpers for the Azure Blob tests: services built against the file's Azurite, an HttpClient that watches the
 * Put Block requests going through it, and a TCP proxy that cuts one Put Block's connection.
 */
import { HttpClient } from "@effect/platform"
import { type Duration, Effect, Redacted, type Scope } from "effect"
import * as net from "node:net"
import { AzureBlob } from "../../../src/layers/azure/index.js"
import type { ObjectStorageContractOptions } from "../../contract/ObjectStorage.js"
import { LocalAzurite } from "../../support/peers/index.js"

/** Characters XML 1.0 cannot carry (its `Char` production), lone surrogates aside (not portable keys anyway). */
const xmlInvalid = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

/** The ObjectStorage contract options for Azure Blob as served by Azurite; each says whose behaviour it covers. */
export const azuriteContractOptions = {
  // Azure (the service and Azurite alike) stores "\\" as "/": the provider refuses such keys (InvalidInput).
  refusesKey: (key: string) => key.includes("\\"),
  // Real Azure's documented order: blob names compare as UTF-16 strings, so "😀" (U+1F600, D83D DE00) lists before
  // "\uFF61"; Azurite does the same (it sorts JavaScript strings).
  keyOrder: "utf16",
  // Azurite bug: it answers 500 to any List Blobs whose page holds a name with a character XML cannot carry
  // (U+0001 …); real Azure returns such names `Encoded="true"`, which the provider decodes (replay.test.ts).
  unlistableKey: (key: string) => xmlInvalid.test(key),
  // Azurite bug: it cuts a BlobPrefix after the delimiter's first UTF-16 code unit (`name.substr(0, at + 1)` in
  // PageWithDelimiter), so a delimiter of two code units ("😀") yields half a surrogate pair and a 500.
  allowsDelimiter: (delimiter: string) => delimiter.length === 1
} satisfies ObjectStorageContractOptions

/** ObjectStorage + AzureBlob for the running Azurite, signed with its key unless told otherwise. */
export const services = (config: Partial<AzureBlob.AzureBlobConfig> = {}) =>
  Effect.gen(function*() {
    const az = yield* LocalAzurite
    return yield* AzureBlob.makeServices({ account: az.account, key: Redacted.make(az.accountKey), endpoint: az.blobEndpoint, ...config })
  })

export const randomName = (prefix = "cfx-az") => `${prefix}-${Math.random().toString(36).slice(2, 10).padEnd(8, "0")}`

const isPutBlock = (url: string) => /[?&]comp=block(?:&|$)/.test(url) && url.includes("blockid=")

export interface BlockTraffic {
  /** Put Block requests in flight right now, and the most there ever were. */
  inFlight: number
  maxInFlight: number
  /** Bytes of Put Blocks answered 2xx. */
  stored: number
  /** Put Blocks answered 2xx. */
  blocks: number
}

/** The current HttpClient, counting the Put Block requests that go through it (each held `hold` before it is sent). */
export const watchBlocks = (traffic: BlockTraffic, hold: Duration.DurationInput = 0) =>
  Effect.map(HttpClient.HttpClient, (client) =>
    HttpClient.transform(client, (response, request) => {
      if (request.method !== "PUT" || !isPutBlock(request.url)) return response
      const size = request.body._tag === "Uint8Array" ? request.body.body.byteLength : 0
      return Effect.acquireUseRelease(
        Effect.sync(() => {
          traffic.inFlight++
          traffic.maxInFlight = Math.max(traffic.maxInFlight, traffic.inFlight)
        }),
        () =>
          Effect.tap(Effect.zipRight(Effect.sleep(hold), response), (r) =>
            Effect.sync(() => {
              if (r.status >= 200 && r.status < 300) {
                traffic.stored += size
                traffic.blocks++
              }
            })),
        () => Effect.sync(() => traffic.inFlight--)
      )
    }))

export interface CuttingProxy {
  /** http://127.0.0.1:<proxy port>/<account> */
  readonly endpoint: string
  /** Put Block attempts seen, by (decoded) block id, in order of first appearance. */
  readonly attempts: Map<string, number>
  /** Connections cut so far (at most one). */
  readonly cuts: () => number
}

/**
 * A TCP proxy in front of Azurite that, when the `cutAt`-th Put Block request starts (1-based), forwards its
 * first bytes and then destroys both connections: the server sees a partial block, the client a dropped one.
 */
export const cuttingProxy = (cutAt: number): Effect.Effect<CuttingProxy, never, LocalAzurite | Scope.Scope> =>
  Effect.gen(function*() {
    const az = yield* LocalAzurite
    const attempts = new Map<string, number>()
    const sockets = new Set<net.Socket>()
    let seen = 0
    let cuts = 0
    const server = net.createServer((client) => {
      const upstream = net.connect(az.port, az.host)
      sockets.add(client)
      sockets.add(upstream)
      const close = () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on("error", close)
      upstream.on("error", close)
      client.on("close", close)
      upstream.on("close", close)
      upstream.on("data", (d) => client.write(d))
      client.on("data", (chunk: Buffer) => {
        const start = /^PUT (\S+) HTTP\/1\.1/.exec(chunk.subarray(0, 2048).toString("latin1"))
        if (start !== null && isPutBlock(start[1]!)) {
          const id = decodeURIComponent(/[?&]blockid=([^&]+)/.exec(start[1]!)![1]!)
          attempts.set(id, (attempts.get(id) ?? 0) + 1)
          seen++
          if (seen === cutAt && cuts === 0) {
            cuts++
            upstream.write(chunk, () => setImmediate(close))
            return
          }
        }
        upstream.write(chunk)
      })
    })
    const port = yield* Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as net.AddressInfo).port)))
    })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        for (const s of sockets) s.destroy()
        server.close(() => resume(Effect.void))
      })
    )
    return { endpoint: `http://127.0.0.1:${port}/${az.account}`, attempts, cuts: () => cuts }
  })
