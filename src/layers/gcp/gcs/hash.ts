/**
 * The two checksums GCS keeps for every object
 * (https://cloud.google.com/storage/docs/hashes-etags): MD5 (absent for
 * composite objects) and CRC32C, both as base64 of the big-endian digest in
 * JSON (`md5Hash`, `crc32c`) and in the `x-goog-hash` header
 * ("crc32c=…,md5=…"). Computed incrementally, so an upload or download is
 * checked without holding it.
 */
import { createHash } from "node:crypto"

// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, slicing-by-8 tables.
const TABLES: ReadonlyArray<Uint32Array> = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[0]![n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!
    for (let k = 1; k < 8; k++) {
      c = t[0]![c & 0xff]! ^ (c >>> 8)
      t[k]![n] = c >>> 0
    }
  }
  return t
})()

/** Continues a CRC-32C over `bytes` (start with 0). */
export const crc32cUpdate = (crc: number, bytes: Uint8Array): number => {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]
  let c = ~crc >>> 0
  let i = 0
  const n = bytes.length
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0
    c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]! ^
      t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

/** base64 of the 4 big-endian bytes, as GCS writes it. */
export const crc32cBase64 = (crc: number): string => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(crc >>> 0)
  return b.toString("base64")
}

export const md5Base64 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("base64")
export const crc32cOf = (bytes: Uint8Array): string => crc32cBase64(crc32cUpdate(0, bytes))

/** base64 → hex, or undefined when it is not base64 of `bytes` bytes. */
export const base64ToHex = (value: string, bytes: number): string | undefined => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined
  const raw = Buffer.from(value, "base64")
  return raw.length === bytes ? raw.toString("hex") : undefined
}

export interface Digests {
  readonly size: number
  /** base64, as GCS reports it. */
  readonly md5: string
  readonly crc32c: string
}

/** MD5, CRC32C and size of a stream of chunks. */
export const hasher = () => {
  const md5 = createHash("md5")
  let crc = 0
  let size = 0
  return {
    update: (chunk: Uint8Array) => {
      md5.update(chunk)
      crc = crc32cUpdate(crc, chunk)
      size += chunk.byteLength
    },
    digest: (): Digests => ({ size, md5: md5.digest("base64"), crc32c: crc32cBase64(crc) })
  }
}

/** `x-goog-hash: crc32c=…,md5=…` (possibly repeated headers joined by ", ") → its parts. */
export const parseGoogHash = (header: string | undefined): { readonly md5?: string; readonly crc32c?: string } => {
  const out: { md5?: string; crc32c?: string } = {}
  for (const part of (header ?? "").split(",")) {
    const m = /^\s*(md5|crc32c)=([A-Za-z0-9+/]+={0,2})\s*$/.exec(part)
    if (m !== null) out[m[1] as "md5" | "crc32c"] = m[2]!
  }
  return out
}
