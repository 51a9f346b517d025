/**
 * The service account behind a GCS layer: its key read once (JSON text, a
 * parsed object, or a file path), an OAuth access-token cache over it
 * (src/auth/google: refreshed before expiry, single-flight), and the bearer
 * signer ProviderHttp calls per attempt (re-fetching once after a 401).
 *
 * `make` cannot fail, so a bad key surfaces lazily: every request fails with
 * `InvalidCredentials` naming the field, never the key's content.
 */
import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { readFile } from "node:fs/promises"
import {
  bearerSigner,
  makeAccessTokenCache,
  parseServiceAccountKey,
  SCOPES,
  type ServiceAccountCredentials
} from "../../../auth/google/index.js"
import { Signer } from "../../../http/index.js"
import { InvalidCredentials } from "../../../schemas/Errors.js"

/** The key file's JSON text, the parsed JSON, or a path to the file. */
export type ServiceAccountInput = string | Redacted.Redacted<string> | Readonly<Record<string, unknown>>

export interface AuthOptions {
  readonly provider: string
  readonly serviceAccount: ServiceAccountInput
  readonly tokenUri?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
}

const where = (provider: string) => ({ provider, operation: "Gcs.serviceAccount" })

const readKey = (provider: string, input: ServiceAccountInput): Effect.Effect<ServiceAccountCredentials, InvalidCredentials> => {
  const refuse = (reason: string) => new InvalidCredentials({ ...where(provider), reason })
  const parse = (value: unknown) =>
    Effect.mapError(parseServiceAccountKey(value, where(provider)), (e) => refuse(`service account key: ${e.field} ${e.reason}`))
  if (typeof input === "object" && !Redacted.isRedacted(input)) return parse(input)
  const text = Redacted.isRedacted(input) ? Redacted.value(input) : input
  if (text.trimStart().startsWith("{")) return parse(text)
  return Effect.tryPromise({
    try: () => readFile(text, "utf8"),
    catch: (e) => {
      const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "unreadable"
      return refuse(`service account key file cannot be read (${code})`)
    }
  }).pipe(Effect.flatMap(parse))
}

export interface Auth {
  readonly signer: Signer.Signer
  /** The key's credentials (for V4 signed URLs), read on first use. */
  readonly credentials: Effect.Effect<ServiceAccountCredentials, InvalidCredentials>
}

export const makeAuth = (options: AuthOptions): Effect.Effect<Auth, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const credentials = yield* Effect.cached(readKey(options.provider, options.serviceAccount))
    const context = yield* Effect.context<HttpClient.HttpClient>()
    const cache = yield* Effect.cached(
      credentials.pipe(
        Effect.flatMap((c) =>
          makeAccessTokenCache(c, {
            scopes: options.scopes ?? [SCOPES.storageFullControl],
            where: { provider: options.provider, operation: "Gcs.accessToken" },
            ...(options.tokenUri === undefined ? {} : { tokenUri: options.tokenUri })
          }).pipe(Effect.mapError((e) => new InvalidCredentials({ ...where(options.provider), reason: `${e.field} ${e.reason}` })))
        ),
        Effect.map((tokens) => ({ tokens, sign: bearerSigner(tokens) })),
        Effect.provide(context)
      )
    )
    // The rejected request says which token failed. (bearerSigner's own `invalidate` remembers it in a
    // FiberRef, which ProviderHttp's per-attempt timeout, running the attempt in a child fiber, never sees.)
    const signer = Signer.make(
      (request, ctx) => Effect.flatMap(cache, ({ sign }) => sign(request, ctx)),
      (rejected) => {
        const sent = /^Bearer (.+)$/.exec(rejected.headers["authorization"] ?? "")
        return sent === null
          ? Effect.void
          : Effect.flatMap(Effect.option(cache), (c) =>
            c._tag === "Some"
              ? c.value.tokens.invalidate({ token: Redacted.make(sent[1]!), expiresAt: new Date(0), tokenType: "Bearer" })
              : Effect.void)
      }
    )
    return { signer, credentials }
  })
