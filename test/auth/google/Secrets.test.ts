/**
 * No secret — an Azure account key, any fragment of a private key PEM, an
 * access token, a signed assertion — may appear in an error's message, its
 * String(), its JSON, its stack, the pretty-printed Cause, or the value thrown
 * by Effect.runPromise.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Redacted, Runtime } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { blobSas, sharedKeySigner } from "../../../src/auth/azure/index.js"
import { fetchAccessToken, parseServiceAccountKey, type ServiceAccountCredentials } from "../../../src/auth/google/index.js"
import { LEAKY_TOKEN, startTokenServer, type TokenServer } from "./tokenServer.js"

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
const PEM = rsa.privateKey.export({ format: "pem", type: "pkcs8" }).toString()
const PEM_BODY = PEM.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "")

/** Every 24-character window of the key's base64 body, plus the other secrets. */
const pemFragments = (() => {
  const out: Array<string> = []
  for (let i = 0; i + 24 <= PEM_BODY.length; i += 12) out.push(PEM_BODY.slice(i, i + 24))
  return out
})()

const AZURE_KEY = "c2VjcmV0LWF6dXJlLWFjY291bnQta2V5LXRoYXQtaXMtbm90LWJhc2U2NA*=="

const KEY_FILE = {
  type: "service_account",
  private_key_id: "kid",
  private_key: PEM,
  client_email: "robot@p.iam.gserviceaccount.com",
  token_uri: "https://oauth2.googleapis.com/token"
}

const CREDENTIALS: ServiceAccountCredentials = {
  clientEmail: KEY_FILE.client_email,
  privateKey: Redacted.make(rsa.privateKey),
  tokenUri: KEY_FILE.token_uri,
  universeDomain: "googleapis.com"
}

/** Runs a failing effect every way a user could see its failure and returns all the text. */
const everyRendering = <E, R>(effect: Effect.Effect<unknown, E, R>): Effect.Effect<string, never, R> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<R>()
    const exit = yield* Effect.exit(effect)
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isSuccess(exit)) return ""
    const failure = Cause.failureOption(exit.cause)
    expect(failure._tag).toBe("Some")
    const error = failure._tag === "Some" ? failure.value : undefined
    const thrown = yield* Effect.promise(() =>
      Runtime.runPromise(runtime)(effect).then(
        () => "",
        (e: unknown) => `${String(e)}\n${JSON.stringify(e)}\n${e instanceof Error ? e.stack ?? "" : ""}`
      )
    )
    const asError = error as unknown as Error
    return [
      String(error),
      JSON.stringify(error),
      asError.message,
      asError.stack ?? "",
      Cause.pretty(exit.cause),
      JSON.stringify(exit),
      thrown
    ].join("\n")
  })

const expectClean = (text: string, secrets: ReadonlyArray<string>) => {
  expect(text.length).toBeGreaterThan(0)
  for (const secret of secrets) expect(text).not.toContain(secret)
  expect(text).not.toContain("PRIVATE KEY")
}

let server: TokenServer
beforeAll(async () => {
  server = await startTokenServer(rsa.privateKey)
})
afterAll(async () => {
  await server.close()
})

describe("no secret in any error", () => {
  it.effect("Azure: an unusable account key, in the signer and in SAS", () =>
    Effect.gen(function*() {
      const credentials = { account: "acct", key: Redacted.make(AZURE_KEY) }
      const secrets = [AZURE_KEY, AZURE_KEY.slice(0, 20), AZURE_KEY.slice(10, 40)]
      expectClean(yield* everyRendering(sharedKeySigner(credentials)(HttpClientRequest.get("https://acct.blob.core.windows.net/c"))), secrets)
      expectClean(yield* everyRendering(blobSas(credentials, "c", "b", { permissions: ["read"], expiresIn: "1 hour" })), secrets)
    }))

  it.effect("Google: key files that fail to parse never quote the private key", () =>
    Effect.gen(function*() {
      const text = JSON.stringify(KEY_FILE)
      const broken: ReadonlyArray<unknown> = [
        text.slice(0, text.length / 2), // JSON.parse would quote the text around the error
        text.replace('"private_key":', '"private_key": x'),
        { ...KEY_FILE, private_key: PEM.slice(0, 300) + "!!" + PEM.slice(302) },
        { ...KEY_FILE, private_key: PEM.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY") },
        { ...KEY_FILE, client_email: 7 },
        { ...KEY_FILE, private_key: [PEM] },
        { ...KEY_FILE, private_key: { pem: PEM } },
        { ...KEY_FILE, type: PEM }
      ]
      for (const input of broken) expectClean(yield* everyRendering(parseServiceAccountKey(input)), pemFragments)
    }))

  it.effect("Google: token endpoint failures never carry the access token or the assertion", () =>
    Effect.gen(function*() {
      for (const mode of ["garbage", "bad-shape", "server-error", "echo-assertion", "invalid-grant"] as const) {
        server.mode = mode
        const text = yield* everyRendering(fetchAccessToken(CREDENTIALS, { scopes: ["s"], tokenUri: server.url }))
        expectClean(text, [LEAKY_TOKEN, LEAKY_TOKEN.slice(5, 30), "eyJhbGciOiJSUzI1NiIs", ...pemFragments])
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("a fetched token prints as <redacted>", () =>
    Effect.gen(function*() {
      server.mode = "ok"
      const token = yield* fetchAccessToken(CREDENTIALS, { scopes: ["s"], tokenUri: server.url })
      const issued = server.issued.at(-1) ?? "missing"
      for (const text of [String(token.token), JSON.stringify(token), JSON.stringify({ token })]) {
        expect(text).not.toContain(issued)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
