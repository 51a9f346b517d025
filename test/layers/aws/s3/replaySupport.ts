/** Shared by the replayed S3 tests: an AWS config, S3's XML answers, and services over a replay. */
import { createHash } from "node:crypto"
import { Effect, Redacted } from "effect"
import { Replay } from "../../../../src/http/index.js"
import { S3 } from "../../../../src/layers/aws/index.js"
import type { S3Config } from "../../../../src/layers/aws/s3/S3.js"

export const MiB = 1024 * 1024
export const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") }
/** Quick retries: the tests count attempts, not wait for them. */
export const fast = { base: "1 millis", cap: "5 millis", jitter: 0 } as const

export const aws = (overrides: Partial<S3Config> = {}): S3Config => ({ region: "eu-west-1", credentials, retry: fast, ...overrides })

export const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
export const errorXml = (code: string, message: string, extra = "") =>
  xml(`<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>4442587FB7D0A2F9</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>`)
export const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex")

/** Runs `f` with S3 services over a replay of `exchanges`; every exchange must be used. */
export const replayed = <A, E>(
  config: S3Config,
  exchanges: ReadonlyArray<Replay.Exchange>,
  f: (s: Effect.Effect.Success<ReturnType<typeof S3.makeServices>>) => Effect.Effect<A, E, Replay.Replay>,
  mode: "sequence" | "match" = "sequence"
) =>
  Effect.gen(function*() {
    const s = yield* S3.makeServices(config)
    const a = yield* f(s)
    yield* Replay.assertDone
    return a
  }).pipe(Effect.provide(Replay.layer(exchanges, { mode })))

export const EU = "https://photos.s3.eu-west-1.amazonaws.com"
