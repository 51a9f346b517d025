/**
 * How the local provider lays objects out on disk. Pure functions only; the
 * filesystem work is in Local.ts.
 *
 * ```
 * <root>/
 *   <container>/                    a directory named exactly as the container
 *     <hex>.o                       an object whose whole key fits in one component
 *     <hex>/                        a directory holding keys that start with these bytes
 *       <hex>.o
 *     .tmp-<uuid>                   an upload in progress (removed if it fails)
 * ```
 *
 * A key's UTF-8 bytes are cut into components: after every "/" that is not
 * the last byte, and after every 100 bytes. Each component is written in
 * lower-case hex; every component but the last is a directory, the last is
 * the object file with the suffix ".o". So "photos/cat.jpg" is
 * `70686f746f732f/6361742e6a7067.o`, "a" is `61.o` and "a/b" is `612f/62.o`:
 * a key and a longer key that extends it never clash (a file always ends in
 * ".o", a directory never does). Names are at most 202 bytes (under every
 * filesystem's 255), use only [0-9a-f.], so they survive case-insensitive
 * and Unicode-normalising filesystems, and cannot be ".", ".." or absolute
 * whatever the key is.
 *
 * Listing in key order needs no decoding: hex preserves byte order, so
 * sorting a directory's names (a file before the directory with the same hex)
 * and walking depth-first visits keys in the lexicographic order of their
 * UTF-8 bytes, the order S3 lists in. Because components break after "/", a
 * listing with a prefix ending in "/" reads only the directories under it.
 *
 * An object file is its content followed by a trailer, so one `rename`
 * replaces content and metadata together (a sidecar file would need two, and
 * concurrent writers could pair one's content with the other's metadata):
 *
 * ```
 * [content][JSON metadata, UTF-8][JSON length: uint32 big-endian]["cloudfx\x01"]
 * ```
 *
 * The JSON holds `v` (1), `key`, `size`, `etag` (hex MD5 of the content),
 * `contentType`, `metadata` and `lastModified` (ISO 8601).
 */
import { Either, Schema } from "effect"

/** Key bytes per path component. */
export const COMPONENT_BYTES = 100
export const OBJECT_SUFFIX = ".o"
export const TEMP_PREFIX = ".tmp-"
export const MAGIC = Buffer.from("cloudfx\x01", "latin1")
/** Length field + magic. */
export const TAIL_BYTES = 4 + MAGIC.byteLength
/** Refuse trailers larger than this (a corrupt length field). */
export const MAX_TRAILER_BYTES = 16 * 1024 * 1024

const SLASH = 0x2f

/**
 * Cut bytes into components (see above). The last component is what is left
 * (empty only for empty input), every other one is a directory.
 */
export const components = (bytes: Uint8Array): Array<string> => {
  const out: Array<string> = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] === SLASH || i + 1 - start === COMPONENT_BYTES) && i + 1 < bytes.length) {
      out.push(Buffer.from(bytes.subarray(start, i + 1)).toString("hex"))
      start = i + 1
    }
  }
  out.push(Buffer.from(bytes.subarray(start)).toString("hex"))
  return out
}

/** The path of a key's object file, relative to its container directory, as components. */
export const objectPath = (key: string): Array<string> => {
  const parts = components(Buffer.from(key, "utf8"))
  parts[parts.length - 1] += OBJECT_SUFFIX
  return parts
}

const objectName = /^((?:[0-9a-f]{2})+)\.o$/
const directoryName = /^(?:[0-9a-f]{2})+$/

/** What a directory entry is in the layout: an object file, a key directory, or nothing of ours. */
export const classify = (name: string, isFile: boolean, isDirectory: boolean): LayoutEntry | undefined => {
  if (isFile) {
    const m = objectName.exec(name)
    return m === null || m[1]!.length > COMPONENT_BYTES * 2 ? undefined : { hex: m[1]!, dir: false }
  }
  if (isDirectory && directoryName.test(name)) {
    // Directories are cut after a "/" or at COMPONENT_BYTES: anything else is not ours.
    return name.length === COMPONENT_BYTES * 2 || (name.length < COMPONENT_BYTES * 2 && name.endsWith("2f"))
      ? { hex: name, dir: true }
      : undefined
  }
  return undefined
}

export interface LayoutEntry {
  readonly hex: string
  readonly dir: boolean
}

/** Key order: by hex (= by bytes); a file before the directory with the same bytes (its keys are longer). */
export const compareEntries = (a: LayoutEntry, b: LayoutEntry): number =>
  a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : a.dir === b.dir ? 0 : a.dir ? 1 : -1

export const isObjectFileName = (name: string): boolean => objectName.test(name)

// ---------------------------------------------------------------- trailer

export const Trailer = Schema.Struct({
  v: Schema.Literal(1),
  key: Schema.String,
  size: Schema.NonNegativeInt,
  etag: Schema.String,
  contentType: Schema.String,
  metadata: Schema.Record({ key: Schema.String, value: Schema.String }),
  lastModified: Schema.String
})
export type Trailer = typeof Trailer.Type

export const encodeTrailer = (t: Trailer): Uint8Array => {
  const json = Buffer.from(JSON.stringify(t), "utf8")
  const out = Buffer.alloc(json.byteLength + TAIL_BYTES)
  json.copy(out, 0)
  out.writeUInt32BE(json.byteLength, json.byteLength)
  MAGIC.copy(out, json.byteLength + 4)
  return out
}

/** From the last TAIL_BYTES of a file: the JSON length, or why it is not ours. */
export const decodeTail = (tail: Uint8Array): Either.Either<number, string> => {
  if (tail.byteLength !== TAIL_BYTES) return Either.left("file too short for a cloudfx trailer")
  const buf = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength)
  if (!buf.subarray(4).equals(MAGIC)) return Either.left("no cloudfx trailer (bad magic)")
  const length = buf.readUInt32BE(0)
  if (length > MAX_TRAILER_BYTES) return Either.left(`trailer length ${length} is too large`)
  return Either.right(length)
}

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(Trailer))

export const decodeTrailer = (json: Uint8Array): Either.Either<Trailer, string> =>
  Either.mapLeft(decodeJson(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8")), (e) =>
    `bad trailer: ${e.message}`)
