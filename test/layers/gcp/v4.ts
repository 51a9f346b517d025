/**
 * Checks a GCS V4 signed URL the way Cloud Storage does, written from the
 * reference rather than from src/auth/google, so the two can disagree:
 * https://cloud.google.com/storage/docs/authentication/canonical-requests
 * https://cloud.google.com/storage/docs/authentication/signatures#string-to-sign
 *
 *   canonical request = METHOD \n path \n sorted query (without X-Goog-Signature) \n
 *                       "host:<host>\n" \n "host" \n "UNSIGNED-PAYLOAD"
 *   string to sign    = "GOOG4-RSA-SHA256" \n X-Goog-Date \n scope \n hex(sha256(canonical request))
 *   signature         = hex RSASSA-PKCS1-v1_5 SHA-256 of the string to sign
 */
import { createHash, createVerify, type KeyObject } from "node:crypto"

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface V4Check {
  readonly ok: boolean
  readonly reason?: string
  readonly canonicalRequest: string
  readonly params: Readonly<Record<string, string>>
}

/** `rawPathAndQuery` as it arrives on the wire (still percent-encoded); `host` without the port. */
export const verifyV4 = (method: string, rawPathAndQuery: string, host: string, publicKey: KeyObject, now: Date): V4Check => {
  const q = rawPathAndQuery.indexOf("?")
  const path = q === -1 ? rawPathAndQuery : rawPathAndQuery.slice(0, q)
  const pairs = (q === -1 ? "" : rawPathAndQuery.slice(q + 1)).split("&").filter((p) => p !== "").map((p) => {
    const eq = p.indexOf("=")
    return [decodeURIComponent(eq === -1 ? p : p.slice(0, eq)), decodeURIComponent(eq === -1 ? "" : p.slice(eq + 1))] as const
  })
  const params = Object.fromEntries(pairs)
  const signature = params["X-Goog-Signature"] ?? ""
  const query = pairs.filter(([k]) => k !== "X-Goog-Signature").map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).sort().join("&")
  const signedHeaders = params["X-Goog-SignedHeaders"] ?? ""
  const canonicalRequest = [method, path, query, `host:${host}\n`, signedHeaders, "UNSIGNED-PAYLOAD"].join("\n")
  const fail = (reason: string): V4Check => ({ ok: false, reason, canonicalRequest, params })
  if (params["X-Goog-Algorithm"] !== "GOOG4-RSA-SHA256") return fail("algorithm")
  if (signedHeaders !== "host") return fail("signed headers")
  const date = params["X-Goog-Date"] ?? ""
  const credential = params["X-Goog-Credential"] ?? ""
  const scope = credential.slice(credential.indexOf("/") + 1)
  if (!/^\d{8}T\d{6}Z$/.test(date) || scope !== `${date.slice(0, 8)}/auto/storage/goog4_request`) return fail("date or scope")
  const issued = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15))
  const expires = Number(params["X-Goog-Expires"])
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) return fail("expires")
  if (now.getTime() > issued + expires * 1000) return fail("expired")
  const stringToSign = ["GOOG4-RSA-SHA256", date, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n")
  const ok = /^[0-9a-f]+$/.test(signature) &&
    createVerify("RSA-SHA256").update(stringToSign).verify(publicKey, Buffer.from(signature, "hex"))
  return ok ? { ok, canonicalRequest, params } : fail("signature")
}
