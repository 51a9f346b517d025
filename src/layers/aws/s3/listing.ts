/**
 * ListObjectsV2 and ListMultipartUploads pages → portable entries, in plain
 * code (a page is a thousand entries; this runs for every one of them).
 */
import { Either, Option } from "effect"
import type * as Paginate from "../../../http/Paginate.js"
import { MalformedResponse } from "../../../schemas/Errors.js"
import { type ListEntry, ObjectInfo, ObjectPrefix } from "../../../schemas/Models.js"
import type { Where } from "../../../services/validate.js"
import { parseDate } from "./objectInfo.js"
import type { MultipartUpload, StorageClass } from "./types.js"
import type { ListBucketResult, ListMultipartUploadsResult } from "./wire.js"
import { unquoteEtag, urlDecode } from "./wire.js"

/**
 * UTF-8 byte order (S3's key order) without encoding: UTF-16 code units
 * compare the same way except that surrogates (U+D800–DFFF, i.e. code points
 * above U+FFFF) must sort after U+E000–FFFF.
 */
export const byUtf8 = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      const rank = (c: number) => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c)
      return rank(x) - rank(y)
    }
  }
  return a.length - b.length
}

/** A listing value, url-decoded when the server honoured `encoding-type=url` (s3rver does not); undefined if that fails. */
const listed = (encoded: boolean, value: string): string | undefined => (encoded ? urlDecode(value) : value)

const malformed = (where: Where, reason: string) => new MalformedResponse({ ...where, reason })
const badEncoding = (where: Where) => malformed(where, "a key in the listing is not valid url-encoding")

export const objectsPage = (
  where: Where,
  result: typeof ListBucketResult.Type["ListBucketResult"]
): Either.Either<Paginate.Page<ListEntry, string>, MalformedResponse> => {
  const encoded = result.EncodingType === "url"
  const items: Array<ListEntry> = []
  for (const entry of result.Contents) {
    const key = listed(encoded, entry.Key)
    if (key === undefined) return Either.left(badEncoding(where))
    const size = Number(entry.Size)
    if (!Number.isSafeInteger(size) || size < 0) return Either.left(malformed(where, "a listing entry has no valid Size"))
    const lastModified = parseDate(entry.LastModified)
    items.push(
      new ObjectInfo(
        {
          key,
          size,
          ...(entry.ETag === undefined ? {} : { etag: unquoteEtag(entry.ETag) }),
          ...(lastModified === undefined ? {} : { lastModified }),
          metadata: {},
          extra: { storageClass: entry.StorageClass ?? "STANDARD" }
        },
        // Built from the decoded wire entry: checking it again costs more than the request on big listings.
        true
      )
    )
  }
  for (const p of result.CommonPrefixes) {
    const key = listed(encoded, p.Prefix)
    if (key === undefined) return Either.left(badEncoding(where))
    items.push(new ObjectPrefix({ key }, true))
  }
  // A page holds objects and prefixes in one key order; some servers (s3rver) list the prefixes last.
  items.sort((a, b) => byUtf8(a.key, b.key))
  const next = result.NextContinuationToken
  if (result.IsTruncated !== "true") return Either.right({ items, next: Option.none() })
  return next === undefined || next === ""
    ? Either.left(malformed(where, "the listing is truncated but gives no NextContinuationToken"))
    : Either.right({ items, next: Option.some(next) })
}

/** The next page of uploads starts after a (key, upload id) pair. */
export type UploadsToken = readonly [key: string, uploadId: string]

export const uploadsPage = (
  where: Where,
  result: typeof ListMultipartUploadsResult.Type["ListMultipartUploadsResult"]
): Either.Either<Paginate.Page<MultipartUpload, UploadsToken>, MalformedResponse> => {
  const encoded = result.EncodingType === "url"
  const items: Array<MultipartUpload> = []
  for (const u of result.Upload) {
    const key = listed(encoded, u.Key)
    if (key === undefined) return Either.left(badEncoding(where))
    const initiated = parseDate(u.Initiated)
    items.push({
      key,
      uploadId: u.UploadId,
      ...(initiated === undefined ? {} : { initiated }),
      ...(u.StorageClass === undefined ? {} : { storageClass: u.StorageClass as StorageClass })
    })
  }
  if (result.IsTruncated !== "true") return Either.right({ items, next: Option.none() })
  const nextKey = result.NextKeyMarker === undefined ? undefined : listed(encoded, result.NextKeyMarker)
  return nextKey === undefined
    ? Either.left(malformed(where, "the upload listing is truncated but gives no valid NextKeyMarker"))
    : Either.right({ items, next: Option.some([nextKey, result.NextUploadIdMarker ?? ""] as const) })
}
