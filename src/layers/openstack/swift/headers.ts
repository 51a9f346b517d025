/**
 * Swift's headers ↔ the portable models.
 *
 * User metadata travels as `X-Object-Meta-<key>` headers. Swift reads header
 * names through WSGI, where "_" and "-" are the same character, so a key
 * "a_b" would come back as "a-b": "_" is sent as "%5F" (a legal header-name
 * character that WSGI leaves alone) and decoded on the way back. Swift
 * title-cases the names it returns; keys come back lower-cased, as on every
 * other provider.
 */
import type { Headers } from "@effect/platform"
import { Container, ObjectInfo } from "../../../schemas/Models.js"
import { parseTimestamp } from "../../../auth/openstack/internal.js"
import type { ObjectEntry } from "./wire.js"

export const OBJECT_META = "x-object-meta-"
export const CONTAINER_META = "x-container-meta-"
export const ACCOUNT_META = "x-account-meta-"

export const DEFAULT_CONTENT_TYPE = "application/octet-stream"

/** `{ "X-Object-Meta-a%5Fb": "v" }` for `{ a_b: "v" }`. */
export const metadataHeaders = (prefix: string, metadata: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata ?? {})) out[`${prefix}${k.replace(/_/g, "%5F")}`] = v
  return out
}

/** The user metadata among `headers` (lower-case keys, "%5F" back to "_"). */
export const metadataOf = (prefix: string, headers: Headers.Headers, except: ReadonlyArray<string> = []): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase()
    if (!n.startsWith(prefix)) continue
    const key = n.slice(prefix.length).replace(/%5f/g, "_")
    if (key !== "" && !except.includes(key)) out[key] = value
  }
  return out
}

/** ETags of Static Large Objects come quoted. */
export const unquote = (etag: string | undefined): string | undefined =>
  etag === undefined ? undefined : etag.replace(/^"(.*)"$/, "$1")

/** Listings append ";swift_bytes=N" to the content type of some large objects. */
export const cleanContentType = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.replace(/;\s*swift_bytes=\d+\s*$/, "")

/** X-Timestamp: seconds since the epoch with a fraction ("1795622383.41663"). */
export const fromXTimestamp = (value: string | undefined): Date | undefined => {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return new Date(Math.round(Number(value.trim()) * 1000))
}

const fromHttpDate = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : new Date(at)
}

export const isStaticLargeObject = (headers: Headers.Headers): boolean =>
  (headers["x-static-large-object"] ?? "").toLowerCase() === "true"

const nonNegativeInt = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined

/** The whole object's size: from Content-Range ("bytes 0-9/1000") for a range, else Content-Length. */
export const sizeOf = (headers: Headers.Headers): number | undefined => {
  const range = headers["content-range"]
  if (range !== undefined) {
    const m = /\/(\d+)\s*$/.exec(range)
    return m === null ? undefined : Number(m[1])
  }
  return nonNegativeInt(headers["content-length"])
}

/** HEAD/GET answer → ObjectInfo (undefined when the size cannot be read). */
export const objectInfo = (key: string, headers: Headers.Headers): ObjectInfo | undefined => {
  const size = sizeOf(headers)
  if (size === undefined) return undefined
  const etag = unquote(headers["etag"])
  const lastModified = fromXTimestamp(headers["x-timestamp"]) ?? fromHttpDate(headers["last-modified"])
  const slo = isStaticLargeObject(headers)
  return new ObjectInfo({
    key,
    size,
    ...(etag === undefined ? {} : { etag }),
    ...(lastModified === undefined ? {} : { lastModified }),
    contentType: cleanContentType(headers["content-type"]) ?? DEFAULT_CONTENT_TYPE,
    metadata: metadataOf(OBJECT_META, headers),
    extra: slo ? { staticLargeObject: true, manifestEtag: headers["x-manifest-etag"] } : {}
  })
}

/** A container listing entry → ObjectInfo (listings carry no user metadata). */
export const listedObject = (entry: ObjectEntry): ObjectInfo => {
  const lastModified = parseTimestamp(entry.last_modified)
  const slo = entry.slo_etag !== undefined
  return new ObjectInfo({
    key: entry.name,
    size: entry.bytes,
    etag: unquote(entry.slo_etag) ?? entry.hash,
    ...(lastModified === undefined ? {} : { lastModified }),
    contentType: cleanContentType(entry.content_type) ?? DEFAULT_CONTENT_TYPE,
    metadata: {},
    extra: slo ? { staticLargeObject: true, manifestEtag: entry.hash } : {}
  })
}

export interface ContainerHead {
  readonly objectCount: number | undefined
  readonly bytesUsed: number | undefined
  readonly read: string | undefined
  readonly write: string | undefined
  readonly metadata: Record<string, string>
}

export const containerHead = (headers: Headers.Headers): ContainerHead => ({
  objectCount: nonNegativeInt(headers["x-container-object-count"]),
  bytesUsed: nonNegativeInt(headers["x-container-bytes-used"]),
  read: headers["x-container-read"],
  write: headers["x-container-write"],
  metadata: metadataOf(CONTAINER_META, headers, ["temp-url-key", "temp-url-key-2"])
})

/** HEAD container → Container (created at its X-Timestamp). */
export const container = (name: string, headers: Headers.Headers): Container => {
  const createdAt = fromXTimestamp(headers["x-timestamp"])
  const head = containerHead(headers)
  return new Container({
    name,
    ...(createdAt === undefined ? {} : { createdAt }),
    extra: {
      objectCount: head.objectCount,
      bytesUsed: head.bytesUsed,
      storagePolicy: headers["x-storage-policy"],
      ...(head.read === undefined ? {} : { readAcl: head.read }),
      ...(head.write === undefined ? {} : { writeAcl: head.write }),
      metadata: head.metadata
    }
  })
}

export const accountCounts = (headers: Headers.Headers) => ({
  containerCount: nonNegativeInt(headers["x-account-container-count"]),
  objectCount: nonNegativeInt(headers["x-account-object-count"]),
  bytesUsed: nonNegativeInt(headers["x-account-bytes-used"])
})
