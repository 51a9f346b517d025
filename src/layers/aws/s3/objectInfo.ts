/**
 * Object and bucket models from S3's response headers and listing entries.
 */
import type { Headers } from "@effect/platform"
import { ObjectInfo } from "../../../schemas/Models.js"
import { unquoteEtag } from "./wire.js"

const META = "x-amz-meta-"

const date = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export const parseDate = date

/** Provider details worth keeping in `extra`, by header. */
const extraHeaders: ReadonlyArray<readonly [string, string]> = [
  ["x-amz-storage-class", "storageClass"],
  ["x-amz-version-id", "versionId"],
  ["x-amz-server-side-encryption", "serverSideEncryption"],
  ["x-amz-server-side-encryption-aws-kms-key-id", "sseKmsKeyId"],
  ["cache-control", "cacheControl"],
  ["content-disposition", "contentDisposition"],
  ["content-encoding", "contentEncoding"]
]

/** `Content-Range: bytes 10-19/1000` → the bytes served and the whole object's size. */
export const contentRange = (
  value: string | undefined
): { readonly start: number; readonly end: number; readonly total: number } | undefined => {
  const m = value === undefined ? null : /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(value)
  if (m === null) return undefined
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return end < start ? undefined : { start, end, total }
}

/** ObjectInfo from HEAD/GET headers. `size` is the whole object's, so the caller resolves it. */
export const fromHeaders = (key: string, size: number, headers: Headers.Headers): ObjectInfo => {
  const metadata: Record<string, string> = {}
  const extra: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(META)) metadata[name.slice(META.length)] = value
  }
  for (const [header, field] of extraHeaders) {
    const v = headers[header]
    if (v !== undefined && v !== "") extra[field] = v
  }
  // S3 leaves it out for STANDARD objects.
  if (extra["storageClass"] === undefined) extra["storageClass"] = "STANDARD"
  const etag = headers["etag"]
  const lastModified = date(headers["last-modified"])
  const contentType = headers["content-type"]
  return new ObjectInfo({
    key,
    size,
    metadata,
    extra,
    ...(etag === undefined ? {} : { etag: unquoteEtag(etag) }),
    ...(lastModified === undefined ? {} : { lastModified }),
    ...(contentType === undefined ? {} : { contentType })
  })
}
