/**
 * The service account behind a GCE layer: its key read once (the JSON text,
 * the parsed object, or a path to the file), an OAuth access-token cache
 * over it (src/auth/google: refreshed before expiry, single-flight), and the
 * bearer signer ProviderHttp runs per attempt and re-runs once after a 401.
 *
 * Building the layer cannot fail: a bad or unreadable key surfaces on the
 * first request as `InvalidCredentials` naming the field, never the key.
 */
import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { readFile } from "node:fs/promises"
import { bearerSigner, makeAccessTokenCache, parseServiceAccountKey, SCOPES, type ServiceAccountCredentials } from "../../../auth/google/index.js"
import { Signer } from "../../../http/index.js"
import { InvalidCredentials } from "../../../schemas/Errors.js"

/** The key file's JSON text (best `Redacted`), the parsed JSON, or a path to the file. */
export type ServiceAccountInput = string | Redacted.Redacted<string> | Readonly<Record<string, unknown>>

export interface AuthOptions {
  readonly provider: string
  readonly serviceAccount: ServiceAccountInput
  /** Token endpoint override (tests, emulators); default the key's `token_uri`. */
  readonly tokenUri?: string | undefined
  /** Default: the Compute Engine read-write scope. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const where = (provider: string) => ({ provider, operation: "Gce.serviceAccount" })

const readKey = (provider: string, input: ServiceAccountInput): Effect.Effect<ServiceAccountCredentials, InvalidCredentials> => {
  const refuse = (reason: string) => new InvalidCredentials({ ...where(provider), reason })
  const parse = (value: unknown) =>
    Effect.mapError(parseServiceAccountKey(value, where(provider)), (e) => refuse(`service account key: ${e.field} ${e.reason}`))
  if (typeof input === "object" && !Redacted.isRedacted(input)) return parse(input)
  const value = Redacted.isRedacted(input) ? Redacted.value(input) : input
  if (value.trimStart().startsWith("{")) return parse(value)
  return Effect.tryPromise({
    try: () => readFile(value, "utf8"),
    catch: (e) => refuse(`service account key file cannot be read (${typeof e === "object" && e !== null && "code" in e ? String(e.code) : "unreadable"})`)
  }).pipe(Effect.flatMap(parse))
}

export const makeSigner = (options: AuthOptions): Effect.Effect<Signer.Signer, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<HttpClient.HttpClient>()
    const signer = yield* Effect.cached(
      readKey(options.provider, options.serviceAccount).pipe(
        Effect.flatMap((credentials) =>
          makeAccessTokenCache(credentials, {
            scopes: options.scopes ?? [SCOPES.compute],
            where: { provider: options.provider, operation: "Gce.accessToken" },
            ...(options.tokenUri === undefined ? {} : { tokenUri: options.tokenUri })
          }).pipe(Effect.mapError((e) => new InvalidCredentials({ ...where(options.provider), reason: `${e.field} ${e.reason}` })))
        ),
        Effect.map(bearerSigner),
        Effect.provide(context)
      )
    )
    return Signer.make(
      (request, ctx) => Effect.flatMap(signer, (sign) => sign(request, ctx)),
      // Only the token the refused request carried is dropped: N requests refused together cause one refresh.
      (rejected) => Effect.flatMap(Effect.option(signer), (s) => (s._tag === "Some" ? s.value.invalidate(rejected) : Effect.void))
    )
  })
