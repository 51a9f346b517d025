/** One fake GCS per test file, and GCS layers pointed at it. */
import { NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { Gcs } from "../../../src/layers/gcp/index.js"
import { type FakeGcs, startFakeGcs } from "./fakeGcs.js"

export class Fake extends Context.Tag("test/gcp/FakeGcs")<Fake, FakeGcs>() {}

/** Starts the fake when the layer is built; stops it when the layer's scope closes. */
export const fakeLayer: Layer.Layer<Fake> = Layer.scoped(
  Fake,
  Effect.acquireRelease(Effect.promise(() => startFakeGcs()), (f) => Effect.promise(() => f.close()))
)

export const configFor = (fake: FakeGcs, overrides: Partial<Gcs.GcsConfig> = {}): Gcs.GcsConfig => ({
  serviceAccount: fake.keyJson,
  endpoint: fake.url,
  chunkSize: 1024 * 1024,
  // Fast retries: the fake's faults are deterministic.
  retry: { base: "5 millis", cap: "50 millis" },
  ...overrides
})

/** The fake, and GCS (ObjectStorage + Gcs.Gcs) over a real HTTP client pointed at it. */
export const gcsOnFake = (overrides: Partial<Gcs.GcsConfig> = {}) =>
  Layer.unwrapEffect(Effect.map(Fake, (fake) => Gcs.layer(configFor(fake, overrides)))).pipe(
    Layer.provideMerge(fakeLayer),
    Layer.provide(NodeHttpClient.layerUndici)
  )
