/**
 * Swift TempURL signing (the tempurl middleware): an HMAC over
 * "<METHOD>\n<expires>\n<path>" with the account's (or container's)
 * Temp-URL key, where `path` is the object's decoded path from the storage
 * URL on ("/v1/AUTH_test/c/o"). The digest is the strongest the cluster
 * allows in `/info` (sha256, else sha512, else sha1; clusters older than
 * `allowed_digests` only know sha1). The signature is hex: Swift tells the
 * digest by its length.
 */
import { createHmac } from "node:crypto"
import { Redacted } from "effect"
import * as Url from "../../../http/Url.js"

export type Digest = "sha256" | "sha512" | "sha1"

export const pickDigest = (allowed: ReadonlyArray<string> | undefined): Digest | undefined => {
  if (allowed === undefined) return "sha1"
  const set = new Set(allowed.map((d) => d.toLowerCase()))
  return set.has("sha256") ? "sha256" : set.has("sha512") ? "sha512" : set.has("sha1") ? "sha1" : undefined
}

export interface TempUrlInput {
  readonly method: "GET" | "PUT" | "HEAD" | "POST" | "DELETE"
  /** Seconds since the epoch. */
  readonly expires: number
  /** The decoded object path, from the storage URL's path on: "/v1/AUTH_test/c/o". */
  readonly path: string
  readonly key: Redacted.Redacted<string>
  readonly digest: Digest
}

export const signature = (input: TempUrlInput): string =>
  createHmac(input.digest, Redacted.value(input.key)).update(`${input.method}\n${input.expires}\n${input.path}`).digest("hex")

/** The decoded path of `storageUrl` ("/v1/AUTH_test"), for signing. */
export const storagePath = (storageUrl: string): string => {
  const path = new URL(storageUrl).pathname.replace(/\/+$/, "")
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** The signed URL: the object's URL plus temp_url_sig and temp_url_expires. */
export const signedUrl = (storageUrl: string, container: string, key: string, input: Omit<TempUrlInput, "path">): string => {
  const path = `${storagePath(storageUrl)}/${container}/${key}`
  const sig = signature({ ...input, path })
  return Url.make(storageUrl, `/${Url.segment(container)}/${Url.key(key)}`, { temp_url_sig: sig, temp_url_expires: input.expires })
}
