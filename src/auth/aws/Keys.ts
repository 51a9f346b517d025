/**
 * Hashing, HMAC and the SigV4 signing key (`kSigning`), with a small cache.
 *
 * The secret access key stays `Redacted` until the very first HMAC, here.
 * Deriving the signing key costs four HMACs and dominates the cost of a
 * signature, so derived keys are cached per (secret, date, region, service):
 * a `WeakMap` keyed by the `Redacted` instance itself (no secret ever becomes
 * a map key or leaves this module), holding a small LRU of scopes.
 */
import { createHash, createHmac } from "node:crypto"
import { Redacted } from "effect"

/** Hex SHA-256 of the empty string (the payload hash of an empty body). */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

export const sha256Hex = (data: string | Uint8Array): string =>
  typeof data === "string" && data.length === 0 ? EMPTY_SHA256 : createHash("sha256").update(data).digest("hex")

export const hmacSha256 = (key: Uint8Array | string, data: string): Buffer =>
  createHmac("sha256", key).update(data, "utf8").digest()

export const hmacSha256Hex = (key: Uint8Array | string, data: string): string =>
  createHmac("sha256", key).update(data, "utf8").digest("hex")

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
 * `date` is the `YYYYMMDD` part of the request time. Uncached; see {@link signingKey}.
 */
export const deriveSigningKey = (
  secretAccessKey: Redacted.Redacted<string>,
  date: string,
  region: string,
  service: string
): Buffer => {
  const kDate = hmacSha256("AWS4" + Redacted.value(secretAccessKey), date)
  const kRegion = hmacSha256(kDate, region)
  const kService = hmacSha256(kRegion, service)
  return hmacSha256(kService, "aws4_request")
}

/** How many scopes (date/region/service) are remembered per secret. */
export const SIGNING_KEY_CACHE_SIZE = 16

const cache = new WeakMap<Redacted.Redacted<string>, Map<string, Buffer>>()

/**
 * The signing key for this scope, derived once per (secret, date, region,
 * service) and then served from the cache. Keys are cached per `Redacted`
 * instance: keep one credentials value around (as a layer does) to benefit.
 */
export const signingKey = (
  secretAccessKey: Redacted.Redacted<string>,
  date: string,
  region: string,
  service: string
): Buffer => {
  let scopes = cache.get(secretAccessKey)
  if (scopes === undefined) {
    scopes = new Map()
    cache.set(secretAccessKey, scopes)
  }
  const scope = date + "/" + region + "/" + service
  const hit = scopes.get(scope)
  if (hit !== undefined) {
    // Most recently used goes last, when it is not already there.
    if (scopes.size > 1) {
      scopes.delete(scope)
      scopes.set(scope, hit)
    }
    return hit
  }
  const key = deriveSigningKey(secretAccessKey, date, region, service)
  scopes.set(scope, key)
  if (scopes.size > SIGNING_KEY_CACHE_SIZE) {
    const oldest = scopes.keys().next()
    if (oldest.done !== true) scopes.delete(oldest.value)
  }
  return key
}
