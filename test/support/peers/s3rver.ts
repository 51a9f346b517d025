/** s3rver 3.7.1 (npm devDependency): a light S3 peer. It does NOT verify SigV4 signatures (only the access
 * key id), uses a non-AWS XML namespace, and lacks ListParts/Abort; use Swift's s3api where that matters. */
import { Context, Effect, Layer, type Scope } from "effect"
import { freePorts, httpProbe, type PeerUnavailable, startPeer, withFreshPorts } from "./runtime.js"

export interface S3rverPeer {
  /** http://127.0.0.1:PORT; path-style buckets only. */
  readonly endpoint: string
  readonly host: string
  readonly port: number
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Always false: s3rver accepts a SigV4 request signed with any secret. */
  readonly verifiesSignatures: boolean
  /** Where s3rver keeps the objects (files). */
  readonly dataDir: string
  readonly pid: number
}

export const startS3rver = (): Effect.Effect<S3rverPeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [port] = yield* freePorts(1)
    const endpoint = `http://127.0.0.1:${port}`
    const proc = yield* startPeer({
      name: "s3rver",
      script: "s3rver/start.sh",
      env: { PORT: String(port) },
      binaries: ["node"],
      files: ["node_modules/s3rver/bin/s3rver.js"],
      // anonymous ListAllMyBuckets answers 200
      ready: httpProbe(`${endpoint}/`),
      readyTimeoutMs: 20_000
    })
    return {
      endpoint,
      host: "127.0.0.1",
      port: port!,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      verifiesSignatures: false,
      dataDir: `${proc.base}/data`,
      pid: proc.pid
    }
  }))

/** One s3rver for a whole `layer(LocalS3rver.layer())(...)` block. */
export class LocalS3rver extends Context.Tag("cloudfx/test/peers/LocalS3rver")<LocalS3rver, S3rverPeer>() {
  static readonly layer = () => Layer.scoped(LocalS3rver, startS3rver())
}
