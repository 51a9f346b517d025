/**
 * Key pairs on GCE. Compute Engine has no key pair API: public keys live in
 * metadata under the key "ssh-keys", one "user:ssh-ed25519 AAAA… comment"
 * per line, and the guest agent creates the user and authorises the key.
 * cloudfx keeps key pairs in the *project's* metadata (every instance that
 * does not block project keys accepts them) and names a key pair by its
 * user: importing "deploy" adds "deploy:<key>", deleting "deploy" removes
 * every line for that user.
 *
 * https://cloud.google.com/compute/docs/connect/add-ssh-keys#metadata
 */
import { KeyPair } from "../../../schemas/Models.js"
import * as PublicKey from "../../../services/publicKey.js"
import type { MetadataItem } from "./wire.js"

export const SSH_KEYS = "ssh-keys"

/** Linux user names the guest agent accepts (it refuses others and skips the line). */
export const userName = /^[a-z_][a-z0-9_.-]{0,31}$/

export interface Entry {
  readonly user: string
  readonly key: PublicKey.PublicKey
  /** The line as stored. */
  readonly line: string
}

const splitLines = (value: string | undefined): ReadonlyArray<string> =>
  (value ?? "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "")

/**
 * The entries of an "ssh-keys" value. Lines that are not "user:key" with a
 * valid key are left alone (they are someone's data, not ours to judge) and
 * not listed.
 */
export const entries = (value: string | undefined): ReadonlyArray<Entry> =>
  splitLines(value).flatMap((line) => {
    const colon = line.indexOf(":")
    if (colon <= 0) return []
    const user = line.slice(0, colon)
    const key = PublicKey.parse(line.slice(colon + 1))
    return typeof key === "string" ? [] : [{ user, key, line }]
  })

export const toKeyPair = (e: Entry): KeyPair =>
  new KeyPair({
    name: e.user,
    fingerprint: PublicKey.sha256Fingerprint(e.key.blob),
    publicKey: e.key.line,
    extra: { type: e.key.type, ...(e.key.comment === undefined ? {} : { comment: e.key.comment }) }
  })

/** The line for a new key: "user:type base64 comment" (the comment defaults to the user, as gcloud writes it). */
export const line = (user: string, key: PublicKey.PublicKey): string => `${user}:${key.type} ${key.base64} ${key.comment ?? user}`

export const valueOf = (items: ReadonlyArray<MetadataItem>): string | undefined => items.find((i) => i.key === SSH_KEYS)?.value

/** The items with "ssh-keys" replaced by `lines` (removed when there are none), every other item kept as it was. */
export const withLines = (items: ReadonlyArray<MetadataItem>, lines: ReadonlyArray<string>): ReadonlyArray<MetadataItem> => {
  const others = items.filter((i) => i.key !== SSH_KEYS)
  return lines.length === 0 ? others : [...others, { key: SSH_KEYS, value: lines.join("\n") }]
}

/** The lines of an "ssh-keys" value, as stored, without those of `user`. */
export const withoutUser = (value: string | undefined, user: string): ReadonlyArray<string> =>
  splitLines(value).filter((l) => !l.startsWith(`${user}:`))

export { splitLines as lines }
