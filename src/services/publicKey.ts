/**
 * OpenSSH public keys, as compute providers take them for key pairs: the
 * one-line format checked before anything is sent (a provider's own error
 * for a bad key is a 400/422 whose wording differs per cloud), and the two
 * fingerprints providers report — OpenSSH's "SHA256:…" and the older
 * colon-separated MD5 (DigitalOcean, Hetzner).
 */
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { InvalidInput } from "../schemas/Errors.js"
import type { Where } from "./validate.js"

export interface PublicKey {
  readonly type: string
  readonly base64: string
  /** The decoded key blob (what fingerprints hash). */
  readonly blob: Uint8Array
  readonly comment: string | undefined
  /** "type base64 comment", whitespace normalised. */
  readonly line: string
}

export const keyTypes: ReadonlySet<string> = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com"
])

/** One OpenSSH public key line, or the reason it is not one. */
export const parse = (line: string): PublicKey | string => {
  if (typeof line !== "string") return "not a string"
  const trimmed = line.trim()
  if (/[\r\n\0]/.test(trimmed)) return "it spans several lines"
  const [type, base64, ...comment] = trimmed.split(/[ \t]+/)
  if (type === undefined || type.length === 0) return "it is empty"
  if (!keyTypes.has(type)) return `key type "${type.slice(0, 40)}" is not supported`
  if (base64 === undefined) return "it has no key data"
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return "the key data is not base64"
  const blob = Buffer.from(base64, "base64")
  if (blob.length < 4) return "the key data is too short"
  const typeLength = blob.readUInt32BE(0)
  if (typeLength > blob.length - 4) return "the key data is truncated"
  const embedded = blob.subarray(4, 4 + typeLength).toString("latin1")
  if (embedded !== type) return `the key data is a "${embedded.slice(0, 40)}" key, not ${type}`
  if (type === "ssh-ed25519") {
    const at = 4 + typeLength
    if (blob.length !== at + 4 + 32 || blob.readUInt32BE(at) !== 32) return "ed25519 key data must hold a 32-byte key"
  } else if (blob.length < 4 + typeLength + 8) {
    return "the key data is truncated"
  }
  const rest = comment.length === 0 ? undefined : comment.join(" ")
  return { type, base64, blob: new Uint8Array(blob), comment: rest, line: rest === undefined ? `${type} ${base64}` : `${type} ${base64} ${rest}` }
}

/** `parse` as an input check: InvalidInput naming `field` when the line is not a key. */
export const check = (where: Where, field: string, line: string): Effect.Effect<PublicKey, InvalidInput> => {
  const parsed = parse(line)
  return typeof parsed === "string"
    ? Effect.fail(new InvalidInput({ ...where, field, reason: `is not an OpenSSH public key line: ${parsed}` }))
    : Effect.succeed(parsed)
}

/** What `ssh-keygen -l` prints: "SHA256:" and unpadded base64. */
export const sha256Fingerprint = (blob: Uint8Array): string =>
  `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`

/** The legacy form: MD5 as colon-separated hex pairs. */
export const md5Fingerprint = (blob: Uint8Array): string => createHash("md5").update(blob).digest("hex").match(/../g)!.join(":")
