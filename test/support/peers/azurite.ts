/** Azurite 3.35.0 (npm devDependency; 3.36+ need Node >= 21): Azure Blob service only, in memory, with real
 * SharedKey verification. Path-style URLs: http://127.0.0.1:PORT/devstoreaccount1/<container>/<blob>. */
import { Context, Effect, Layer, type Scope } from "effect"
import { freePorts, httpProbe, type PeerUnavailable, startPeer, withFreshPorts } from "./runtime.js"

/** The emulator's documented well-known account and key. */
export const AZURITE_ACCOUNT = "devstoreaccount1"
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

export interface AzuritePeer {
  /** Blob service endpoint including the account: http://127.0.0.1:PORT/devstoreaccount1 */
  readonly blobEndpoint: string
  readonly host: string
  readonly port: number
  readonly account: string
  /** Base64 account key. */
  readonly accountKey: string
  /** Azure SDK style connection string for this instance. */
  readonly connectionString: string
  readonly pid: number
}

export interface AzuriteOptions {
  /** Pass --loose: ignore unsupported headers/parameters instead of failing the request (default false). */
  readonly loose?: boolean
}

export const startAzurite = (options: AzuriteOptions = {}): Effect.Effect<AzuritePeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [port] = yield* freePorts(1)
    const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`
    const proc = yield* startPeer({
      name: "azurite",
      script: "azurite/start.sh",
      env: { PORT: String(port), AZURITE_LOOSE: options.loose === true ? "1" : "0" },
      binaries: ["node"],
      files: ["node_modules/azurite/dist/src/blob/main.js"],
      // an unsigned request is refused with 403 once the service listens
      ready: httpProbe(`${blobEndpoint}?comp=list`, { status: (s) => s === 403 }),
      readyTimeoutMs: 30_000
    })
    return {
      blobEndpoint,
      host: "127.0.0.1",
      port: port!,
      account: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
      pid: proc.pid
    }
  }))

export class LocalAzurite extends Context.Tag("cloudfx/test/peers/LocalAzurite")<LocalAzurite, AzuritePeer>() {
  static readonly layer = (options: AzuriteOptions = {}) => Layer.scoped(LocalAzurite, startAzurite(options))
}
