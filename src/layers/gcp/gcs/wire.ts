/**
 * The GCS JSON API's shapes (storage/v1), as the reference documents them,
 * and their mapping to the portable models. Nothing here leaves the folder.
 *
 * - Object resource: https://cloud.google.com/storage/docs/json_api/v1/objects
 *   (int64 fields such as `size` and `generation` are JSON strings;
 *   `md5Hash` and `crc32c` are base64; `md5Hash` is absent for composite objects)
 * - Bucket resource: https://cloud.google.com/storage/docs/json_api/v1/buckets
 * - Lists: https://cloud.google.com/storage/docs/json_api/v1/objects/list,
 *   https://cloud.google.com/storage/docs/json_api/v1/buckets/list
 * - Rewrite: https://cloud.google.com/storage/docs/json_api/v1/objects/rewrite
 * - IAM policy: https://cloud.google.com/storage/docs/json_api/v1/buckets/getIamPolicy
 * - Errors: https://cloud.google.com/storage/docs/json_api/v1/status-codes
 *   `{"error": {"code": 404, "message": "…", "errors": [{"domain", "reason", "message"}]}}`
 */
import { Schema } from "effect"
import type { Errors } from "../../../http/index.js"
import { Container, ObjectInfo, ObjectPrefix } from "../../../schemas/Models.js"
import type { ListEntry } from "../../../schemas/Models.js"
import { base64ToHex } from "./hash.js"

/** An int64 as GCS sends it: a decimal string (a number is accepted too), a safe non-negative integer. */
const Int64 = Schema.Union(
  Schema.NumberFromString,
  Schema.Number
).pipe(Schema.filter((n) => Number.isSafeInteger(n) && n >= 0, { message: () => "a non-negative whole number" }))

const Timestamp = Schema.Date

export const ObjectResource = Schema.Struct({
  name: Schema.String,
  bucket: Schema.String,
  size: Int64,
  generation: Schema.optional(Schema.String),
  metageneration: Schema.optional(Schema.String),
  contentType: Schema.optional(Schema.String),
  contentEncoding: Schema.optional(Schema.String),
  md5Hash: Schema.optional(Schema.String),
  crc32c: Schema.optional(Schema.String),
  etag: Schema.optional(Schema.String),
  storageClass: Schema.optional(Schema.String),
  componentCount: Schema.optional(Schema.Number),
  timeCreated: Schema.optional(Timestamp),
  updated: Schema.optional(Timestamp),
  metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) })))
})
export type ObjectResource = typeof ObjectResource.Type

export const ObjectList = Schema.Struct({
  items: Schema.optional(Schema.Array(ObjectResource)),
  prefixes: Schema.optional(Schema.Array(Schema.String)),
  nextPageToken: Schema.optional(Schema.String)
})

export const BucketResource = Schema.Struct({
  name: Schema.String,
  timeCreated: Schema.optional(Timestamp),
  updated: Schema.optional(Timestamp),
  location: Schema.optional(Schema.String),
  locationType: Schema.optional(Schema.String),
  storageClass: Schema.optional(Schema.String),
  projectNumber: Schema.optional(Schema.String),
  metageneration: Schema.optional(Schema.String),
  etag: Schema.optional(Schema.String)
})
export type BucketResource = typeof BucketResource.Type

export const BucketList = Schema.Struct({
  items: Schema.optional(Schema.Array(BucketResource)),
  nextPageToken: Schema.optional(Schema.String)
})

export const RewriteResponse = Schema.Struct({
  totalBytesRewritten: Int64,
  objectSize: Int64,
  done: Schema.Boolean,
  rewriteToken: Schema.optional(Schema.String),
  resource: Schema.optional(ObjectResource)
})

export const PolicyBinding = Schema.Struct({
  role: Schema.String,
  members: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  condition: Schema.optional(Schema.Unknown)
})

/** Kept whole (unknown fields too) so setIamPolicy writes back exactly what it read, plus our binding. */
export const Policy = Schema.Struct({
  bindings: Schema.optionalWith(Schema.Array(PolicyBinding), { default: () => [] }),
  etag: Schema.optional(Schema.String),
  version: Schema.optional(Schema.Number)
}, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
export type Policy = typeof Policy.Type

// ---------------------------------------------------------------- mapping

/**
 * The portable etag is the hex MD5 when the object has one — every object
 * uploaded whole, by any upload type, so "md5" etags in the contract's terms —
 * and GCS's own opaque `etag` otherwise (composite objects carry only CRC32C).
 */
export const etagOf = (o: ObjectResource): string | undefined => {
  const md5 = o.md5Hash === undefined ? undefined : base64ToHex(o.md5Hash, 16)
  return md5 ?? o.etag
}

const metadataOf = (o: ObjectResource): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o.metadata ?? {})) if (typeof v === "string") out[k] = v
  return out
}

const defined = (entries: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined))

export const toObjectInfo = (o: ObjectResource): ObjectInfo => {
  const etag = etagOf(o)
  return new ObjectInfo({
    key: o.name,
    size: o.size,
    ...(etag === undefined ? {} : { etag }),
    ...(o.updated === undefined ? {} : { lastModified: o.updated }),
    ...(o.contentType === undefined ? {} : { contentType: o.contentType }),
    metadata: metadataOf(o),
    extra: defined({
      generation: o.generation,
      metageneration: o.metageneration,
      md5Hash: o.md5Hash,
      crc32c: o.crc32c,
      gcsEtag: o.etag,
      storageClass: o.storageClass,
      contentEncoding: o.contentEncoding,
      componentCount: o.componentCount,
      timeCreated: o.timeCreated
    })
  })
}

export const toContainer = (b: BucketResource): Container =>
  new Container({
    name: b.name,
    ...(b.timeCreated === undefined ? {} : { createdAt: b.timeCreated }),
    extra: defined({
      location: b.location,
      locationType: b.locationType,
      storageClass: b.storageClass,
      projectNumber: b.projectNumber,
      metageneration: b.metageneration
    })
  })

/** UTF-8 byte order (= code point order), the order GCS lists names in. */
export const compareNames = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return fixup(x) - fixup(y)
  }
  return a.length - b.length
}
// Surrogates (U+10000 and up) sort after U+E000..U+FFFF in UTF-8, before them in UTF-16.
const fixup = (u: number) => (u >= 0xd800 ? (u >= 0xe000 ? u - 0x800 : u + 0x2000) : u)

/**
 * One page of a listing in name order: GCS returns `items` and `prefixes`
 * as two separately sorted arrays; each page covers one contiguous stretch
 * of names, so merging them keeps the whole stream in order.
 */
export const pageEntries = (page: typeof ObjectList.Type): Array<ListEntry> => {
  const items = page.items ?? []
  const prefixes = [...new Set(page.prefixes ?? [])]
  const out: Array<ListEntry> = []
  let i = 0
  let p = 0
  while (i < items.length || p < prefixes.length) {
    const item = items[i]
    const prefix = prefixes[p]
    if (prefix === undefined || (item !== undefined && compareNames(item.name, prefix) < 0)) {
      out.push(toObjectInfo(item!))
      i++
    } else {
      out.push(new ObjectPrefix({ key: prefix }))
      p++
    }
  }
  return out
}

// ---------------------------------------------------------------- errors

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * GCS's error body: the `reason` of the first entry of `errors` is the code
 * (the generic extractor would take the numeric `code`, which only repeats
 * the status), the top-level `message` is the message.
 */
export const extractError: Errors.Extractor = (response) => {
  const requestId = response.headers["x-guploader-uploadid"]
  const base = requestId === undefined || requestId === "" ? {} : { requestId }
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    return base
  }
  const error = isRecord(body) ? body["error"] : undefined
  if (!isRecord(error)) return base
  const first = Array.isArray(error["errors"]) && isRecord(error["errors"][0]) ? error["errors"][0] : {}
  const reason = typeof first["reason"] === "string" && first["reason"] !== "" ? first["reason"] : undefined
  const message = typeof error["message"] === "string" && error["message"] !== ""
    ? error["message"]
    : typeof first["message"] === "string" && first["message"] !== ""
    ? first["message"]
    : undefined
  return { ...base, ...(reason === undefined ? {} : { code: reason }), ...(message === undefined ? {} : { message }) }
}
