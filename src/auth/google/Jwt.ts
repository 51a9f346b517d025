/**
 * RS256 JSON Web Signatures with node:crypto only (RSASSA-PKCS1-v1_5 with
 * SHA-256, deterministic), and the Google service-account JWT assertion
 * (iss / scope / aud / iat / exp, RFC 7523 as Google documents it).
 */
import { Clock, Duration, Effect, Redacted } from "effect"
import { createPrivateKey, createPublicKey, createSign, createVerify, type JsonWebKey, type KeyObject } from "node:crypto"
import { InvalidInput } from "../../schemas/Errors.js"
import type { Where } from "./internal.js"
import type { ServiceAccountCredentials } from "./ServiceAccount.js"

/** base64url without padding (RFC 7515 §2). Strings are taken as UTF-8. */
export const base64url = (data: Uint8Array | string): string =>
  (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data)).toString("base64url")

export const base64urlDecode = (text: string): Buffer => Buffer.from(text, "base64url")

/** The base64url RS256 signature of `signingInput` (ASCII `header.payload`). */
export const signRs256 = (key: KeyObject, signingInput: string): string =>
  createSign("RSA-SHA256").update(signingInput, "utf8").sign(key).toString("base64url")

export const verifyRs256 = (key: KeyObject, signingInput: string, signature: string): boolean =>
  createVerify("RSA-SHA256").update(signingInput, "utf8").verify(key, base64urlDecode(signature))

/** A JWK (RFC 7517) as a node KeyObject: private when it has `d`, public otherwise. */
export const importJwk = (jwk: JsonWebKey): KeyObject =>
  typeof jwk.d === "string" ? createPrivateKey({ key: jwk, format: "jwk" }) : createPublicKey({ key: jwk, format: "jwk" })

/**
 * Compact JWS: base64url(header) "." base64url(payload) "." signature.
 * `payload` as a string is signed byte for byte (UTF-8); an object is
 * serialised with JSON.stringify.
 */
export const compactJws = (key: KeyObject, header: object | string, payload: object | string): string => {
  const encode = (part: object | string) => base64url(typeof part === "string" ? part : JSON.stringify(part))
  const signingInput = `${encode(header)}.${encode(payload)}`
  return `${signingInput}.${signRs256(key, signingInput)}`
}

export interface AssertionClaims {
  readonly iss: string
  readonly scope: string
  readonly aud: string
  readonly iat: number
  readonly exp: number
  readonly sub?: string
}

export interface AssertionOptions {
  /** OAuth scopes; joined with spaces. At least one. */
  readonly scopes: ReadonlyArray<string>
  /** Default: the key's `token_uri`. */
  readonly audience?: string
  /** Domain-wide delegation: the user to act as. */
  readonly subject?: string
  /** 1 s to 1 hour (Google's maximum). Default 1 hour. */
  readonly lifetime?: Duration.DurationInput
  readonly where?: Where
}

const defaultWhere: Where = { provider: "gcp", operation: "Google.assertion" }
const MAX_LIFETIME_SECONDS = 3600

/** The claims of a service-account assertion issued at `nowMillis`. */
export const assertionClaims = (
  credentials: Pick<ServiceAccountCredentials, "clientEmail" | "tokenUri">,
  options: AssertionOptions,
  nowMillis: number
): Effect.Effect<AssertionClaims, InvalidInput> => {
  const where = options.where ?? defaultWhere
  const invalid = (field: string, reason: string) => Effect.fail(new InvalidInput({ ...where, field, reason }))
  if (options.scopes.length === 0) return invalid("scopes", "must name at least one scope")
  if (options.scopes.some((s) => s.length === 0 || /\s/.test(s))) return invalid("scopes", "must be non-empty and contain no spaces")
  let lifetime = MAX_LIFETIME_SECONDS
  if (options.lifetime !== undefined) {
    const decoded = Duration.decodeUnknown(options.lifetime)
    if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) return invalid("lifetime", "must be a finite duration")
    lifetime = Math.floor(Duration.toSeconds(decoded.value))
    if (lifetime < 1 || lifetime > MAX_LIFETIME_SECONDS) return invalid("lifetime", "must be between 1 second and 1 hour")
  }
  const iat = Math.floor(nowMillis / 1000)
  return Effect.succeed({
    iss: credentials.clientEmail,
    scope: options.scopes.join(" "),
    aud: options.audience ?? credentials.tokenUri,
    iat,
    exp: iat + lifetime,
    ...(options.subject === undefined ? {} : { sub: options.subject })
  })
}

/** The signed assertion JWT (header `{"alg":"RS256","typ":"JWT","kid":…}`), issued now by `Clock`. */
export const serviceAccountAssertion = (
  credentials: ServiceAccountCredentials,
  options: AssertionOptions
): Effect.Effect<Redacted.Redacted<string>, InvalidInput> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const claims = yield* assertionClaims(credentials, options, now)
    const header = credentials.privateKeyId === undefined
      ? { alg: "RS256", typ: "JWT" }
      : { alg: "RS256", typ: "JWT", kid: credentials.privateKeyId }
    return Redacted.make(compactJws(Redacted.value(credentials.privateKey), header, claims))
  })
