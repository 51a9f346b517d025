/**
 * The S3 REST API's XML documents, as fast-xml-parser gives them (every
 * value a string, namespaces dropped — which is also why s3rver's wrong
 * `xmlns` does not matter), and the few we send.
 */
import { Either, Schema } from "effect"
import { type XmlOptions, xmlListField } from "../../../http/Decode.js"
import * as Decode from "../../../http/Decode.js"

/** Elements that repeat: always arrays, even when there is one. */
export const xmlOptions: XmlOptions = { arrays: ["Bucket", "Contents", "CommonPrefixes", "Upload", "Part"] }

const optionalText = Schema.optional(Schema.String)

// ---------------------------------------------------------------- ListBuckets

const BucketEntry = Schema.Struct({ Name: Schema.String, CreationDate: optionalText, BucketRegion: optionalText })

export const ListAllMyBucketsResult = Schema.Struct({
  ListAllMyBucketsResult: Schema.Struct({
    // `<Buckets/>` is "" for an account with none.
    Buckets: Schema.optionalWith(Schema.Union(Schema.Literal(""), Schema.Struct({ Bucket: xmlListField(BucketEntry) })), {
      default: () => ""
    }),
    ContinuationToken: optionalText
  })
})

// ---------------------------------------------------------------- ListObjectsV2

export const ContentsEntry = Schema.Struct({
  Key: Schema.String,
  LastModified: optionalText,
  ETag: optionalText,
  Size: Schema.String,
  StorageClass: optionalText
})
export type ContentsEntry = typeof ContentsEntry.Type

export const ListBucketResult = Schema.Struct({
  ListBucketResult: Schema.Struct({
    IsTruncated: Schema.Literal("true", "false"),
    NextContinuationToken: optionalText,
    EncodingType: optionalText,
    Contents: xmlListField(ContentsEntry),
    CommonPrefixes: xmlListField(Schema.Struct({ Prefix: Schema.String }))
  })
})

// ---------------------------------------------------------------- multipart

export const InitiateMultipartUploadResult = Schema.Struct({
  InitiateMultipartUploadResult: Schema.Struct({ UploadId: Schema.NonEmptyString })
})

export const ListMultipartUploadsResult = Schema.Struct({
  ListMultipartUploadsResult: Schema.Struct({
    IsTruncated: Schema.Literal("true", "false"),
    NextKeyMarker: optionalText,
    NextUploadIdMarker: optionalText,
    EncodingType: optionalText,
    Upload: xmlListField(Schema.Struct({
      Key: Schema.String,
      UploadId: Schema.String,
      Initiated: optionalText,
      StorageClass: optionalText
    }))
  })
})

/** The parts of a multipart upload, in the body of CompleteMultipartUpload. */
export const completeMultipartUploadBody = (parts: ReadonlyArray<{ readonly partNumber: number; readonly etag: string }>): string =>
  `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
    parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(quoteEtag(p.etag))}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`

export const createBucketBody = (location: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${
    escapeXml(location)
  }</LocationConstraint></CreateBucketConfiguration>`

// ---------------------------------------------------------------- 200 answers that may be errors

const ErrorRoot = Schema.Struct({ Error: Schema.Struct({ Code: Schema.String, Message: optionalText }) })
const Written = Schema.Struct({ ETag: optionalText, LastModified: optionalText })

/**
 * CompleteMultipartUpload, CopyObject and UploadPartCopy answer 200 at once and report the
 * outcome in the body, which can be an `<Error>` document.
 */
export const CompleteMultipartUploadOutcome = Schema.Union(ErrorRoot, Schema.Struct({ CompleteMultipartUploadResult: Written }))
export const CopyObjectOutcome = Schema.Union(ErrorRoot, Schema.Struct({ CopyObjectResult: Written }))
/** UploadPartCopy answers like CopyObject: 200, then the part's ETag or an `<Error>`. */
export const CopyPartOutcome = Schema.Union(ErrorRoot, Schema.Struct({ CopyPartResult: Written }))

/** What an `<Error>` document says, for the error mapping (undefined when the body is not one). */
export interface ErrorDocument {
  readonly code?: string | undefined
  readonly message?: string | undefined
  readonly region?: string | undefined
  readonly endpoint?: string | undefined
}

export const errorDocument = (body: string): ErrorDocument | undefined => {
  if (!body.trimStart().startsWith("<")) return undefined
  const parsed = Decode.parseXml(body)
  if (Either.isLeft(parsed)) return undefined
  const doc = parsed.right
  if (typeof doc !== "object" || doc === null || !("Error" in doc)) return undefined
  const e = (doc as { Error: unknown }).Error
  if (typeof e !== "object" || e === null) return undefined
  const text = (name: string) => {
    const v = (e as Record<string, unknown>)[name]
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined
  }
  return { code: text("Code"), message: text("Message"), region: text("Region"), endpoint: text("Endpoint") }
}

// ---------------------------------------------------------------- values

/** `"abc"` → `abc` (S3 quotes ETags in headers and XML alike; some servers do not). */
export const unquoteEtag = (etag: string): string => etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1")

export const quoteEtag = (etag: string): string => (etag.startsWith("\"") ? etag : `"${etag}"`)

const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/**
 * A value of a listing fetched with `encoding-type=url`: S3 encodes keys as
 * in a form (space → "+", "+" → "%2B"), so "+" is a space here.
 */
export const urlDecode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}
