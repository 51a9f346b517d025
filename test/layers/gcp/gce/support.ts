/**
 * The Gce layer against the fake Compute Engine and the local OAuth token
 * endpoint, with a service account key generated for the test run.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Schedule } from "effect"
import { generateKeyPairSync } from "node:crypto"
import * as Gce from "../../../../src/layers/gcp/gce/Gce.js"
import { startTokenServer, type TokenServer } from "../../../auth/google/tokenServer.js"
import { type FakeGce, startFakeGce } from "./fakeGce.js"
import * as F from "./fixtures.js"

export const testKey = generateKeyPairSync("rsa", { modulusLength: 2048 })

export const serviceAccountKey = (tokenUri: string) => ({
  type: "service_account",
  project_id: F.PROJECT,
  private_key_id: "0123456789abcdef0123456789abcdef01234567",
  private_key: testKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  client_email: `robot@${F.PROJECT}.iam.gserviceaccount.com`,
  client_id: "112233445566778899001",
  token_uri: tokenUri
})

export interface Servers {
  readonly gce: FakeGce
  readonly tokens: TokenServer
}

/** Both servers, closed with the scope; the fake accepts exactly the tokens the endpoint issued. */
export const servers = Effect.gen(function*() {
  const tokens = yield* Effect.acquireRelease(Effect.promise(() => startTokenServer(testKey.privateKey)), (s) => Effect.promise(() => s.close()))
  const gce = yield* Effect.acquireRelease(Effect.promise(() => startFakeGce()), (s) => Effect.promise(() => s.close()))
  gce.authorize = (token) => tokens.issued.includes(token)
  return { gce, tokens } satisfies Servers
})

export const config = (s: Servers, overrides: Partial<Gce.GceConfig> = {}): Gce.GceConfig => ({
  project: F.PROJECT,
  zone: F.ZONE,
  serviceAccount: serviceAccountKey(s.tokens.url),
  endpoint: s.gce.url,
  imageProjects: ["debian-cloud"],
  // Two per page: every listing in the suite crosses pages.
  pageSize: 2,
  operationSchedule: Schedule.spaced("1 millis"),
  ...overrides
})

/** Compute + Gce over both servers, for `layer(...)`. */
export const fakeLayer = (overrides?: Partial<Gce.GceConfig>) =>
  Layer.unwrapScoped(Effect.map(servers, (s) => Gce.layer(config(s, overrides)))).pipe(Layer.provide(NodeHttpClient.layerUndici))
