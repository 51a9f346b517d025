/** Shared by the S3 tests: S3 layers over the real local servers. */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { S3 } from "../../../../src/layers/aws/index.js"
import type { S3Config } from "../../../../src/layers/aws/s3/S3.js"
import type { S3rverPeer, SwiftPeer } from "../../../support/peers/index.js"
import { startS3rver, startSwift } from "../../../support/peers/index.js"

export const MiB = 1024 * 1024

/** Swift's s3api as an S3 config: SigV4 verified, region us-east-1, path style; public URLs are Swift's own. */
export const swiftConfig = (swift: SwiftPeer, overrides: Partial<S3Config> = {}): S3Config => ({
  ...S3.presets.swiftS3api({ endpoint: swift.s3.endpoint, region: swift.s3.region, account: swift.account }),
  credentials: { accessKeyId: swift.s3.accessKeyId, secretAccessKey: Redacted.make(swift.s3.secretAccessKey) },
  // Small parts keep the multipart tests quick; 5 MiB is S3's (and s3api's) minimum.
  partSize: 5 * MiB,
  ...overrides
})

/**
 * s3rver as an S3 config. It implements neither bucket policies nor ACLs
 * (501 NotImplemented for both), so it is configured without public access.
 */
export const s3rverConfig = (s3rver: S3rverPeer, overrides: Partial<S3Config> = {}): S3Config => ({
  name: "s3rver",
  region: s3rver.region,
  endpoint: s3rver.endpoint,
  credentials: { accessKeyId: s3rver.accessKeyId, secretAccessKey: Redacted.make(s3rver.secretAccessKey) },
  publicAccess: "none",
  partSize: 5 * MiB,
  ...overrides
})

/** A Swift started for the layer's lifetime, and an S3 layer over its s3api. */
export const swiftS3Layer = (overrides?: Partial<S3Config>) =>
  Layer.unwrapScoped(Effect.map(startSwift(), (swift) => S3.layer(swiftConfig(swift, overrides)))).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )

export const s3rverS3Layer = (overrides?: Partial<S3Config>) =>
  Layer.unwrapScoped(Effect.map(startS3rver(), (s3rver) => S3.layer(s3rverConfig(s3rver, overrides)))).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
