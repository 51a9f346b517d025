/**
 * Google service-account JSON keys: decoded with Schema into
 * `ServiceAccountCredentials`, the private key imported once with
 * node:crypto and kept `Redacted`.
 *
 * Every problem with the key file is an `InvalidInput` naming the field
 * (`serviceAccountKey.private_key`, …) with a fixed reason. Nothing from the
 * file's content is ever quoted: not JSON.parse's message (V8 quotes the
 * surrounding text), not Schema's (it quotes the actual value), not
 * node:crypto's.
 */
import { Effect, Either, Redacted, Schema } from "effect"
import { createPrivateKey, type KeyObject } from "node:crypto"
import { InvalidInput } from "../../schemas/Errors.js"
import { describeParseError, type Where } from "./internal.js"

export type { Where } from "./internal.js"

export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
export const DEFAULT_UNIVERSE_DOMAIN = "googleapis.com"

const NonEmpty = Schema.String.pipe(Schema.minLength(1))

/** The fields of a service-account key file cloudfx reads (others are ignored). */
export const ServiceAccountKeyFile = Schema.Struct({
  type: Schema.optional(Schema.Literal("service_account")),
  client_email: NonEmpty,
  private_key: Schema.Redacted(NonEmpty),
  private_key_id: Schema.optional(Schema.String),
  project_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(NonEmpty),
  universe_domain: Schema.optional(NonEmpty)
})
export type ServiceAccountKeyFile = typeof ServiceAccountKeyFile.Type

/** A usable service account: who it is and its RSA private key. */
export interface ServiceAccountCredentials {
  readonly clientEmail: string
  readonly privateKey: Redacted.Redacted<KeyObject>
  readonly privateKeyId?: string
  readonly projectId?: string
  /** Where JWT assertions are exchanged for access tokens (the key's `token_uri`). */
  readonly tokenUri: string
  readonly universeDomain: string
}

const defaultWhere: Where = { provider: "gcp", operation: "Google.serviceAccountKey" }

const FIELD_PREFIX = "serviceAccountKey"

/** PEM (PKCS#8 or PKCS#1) → RSA private KeyObject, or `InvalidInput` on `field` with a fixed reason. */
export const importRsaPrivateKey = (
  pem: Redacted.Redacted<string>,
  where: Where = defaultWhere,
  field = `${FIELD_PREFIX}.private_key`
): Effect.Effect<Redacted.Redacted<KeyObject>, InvalidInput> =>
  Effect.suspend(() => {
    let key: KeyObject
    try {
      key = createPrivateKey({ key: Redacted.value(pem), format: "pem" })
    } catch {
      return Effect.fail(new InvalidInput({ ...where, field, reason: "is not a PEM-encoded private key" }))
    }
    if (key.asymmetricKeyType !== "rsa") {
      return Effect.fail(new InvalidInput({ ...where, field, reason: "is not an RSA key" }))
    }
    return Effect.succeed(Redacted.make(key))
  })

/**
 * Parses a service-account key: the file's text, or the already-parsed JSON
 * value. `InvalidInput` names the first field that is missing or wrong.
 */
export const parseServiceAccountKey = (
  input: string | unknown,
  where: Where = defaultWhere
): Effect.Effect<ServiceAccountCredentials, InvalidInput> =>
  Effect.gen(function*() {
    let json: unknown = input
    if (typeof input === "string") {
      try {
        json = JSON.parse(input)
      } catch {
        return yield* new InvalidInput({ ...where, field: FIELD_PREFIX, reason: "is not valid JSON" })
      }
    }
    const decoded = Schema.decodeUnknownEither(ServiceAccountKeyFile)(json, { errors: "first" })
    if (Either.isLeft(decoded)) {
      const { field, reason } = describeParseError(decoded.left)
      return yield* new InvalidInput({
        ...where,
        field: field === "(root)" ? FIELD_PREFIX : `${FIELD_PREFIX}.${field}`,
        reason
      })
    }
    const file = decoded.right
    const privateKey = yield* importRsaPrivateKey(file.private_key, where)
    return {
      clientEmail: file.client_email,
      privateKey,
      tokenUri: file.token_uri ?? GOOGLE_TOKEN_URI,
      universeDomain: file.universe_domain ?? DEFAULT_UNIVERSE_DOMAIN,
      ...(file.private_key_id === undefined ? {} : { privateKeyId: file.private_key_id }),
      ...(file.project_id === undefined ? {} : { projectId: file.project_id })
    } satisfies ServiceAccountCredentials
  })
