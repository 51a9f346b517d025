/**
 * Swift's JSON wire shapes (the rest of its API is headers): account and
 * container listings (`?format=json`), the cluster's `/info`, a Static Large
 * Object manifest as stored (`?multipart-manifest=get`), and the
 * bulk-delete report of `?multipart-manifest=delete`.
 */
import { Schema } from "effect"

export const ContainerEntry = Schema.Struct({
  name: Schema.String,
  count: Schema.optional(Schema.Number),
  bytes: Schema.optional(Schema.Number),
  last_modified: Schema.optional(Schema.String)
})
export const ContainerListing = Schema.Array(ContainerEntry)

export const ObjectEntry = Schema.Struct({
  name: Schema.String,
  bytes: Schema.Number,
  hash: Schema.String,
  content_type: Schema.optional(Schema.String),
  last_modified: Schema.String,
  /** Present for a Static Large Object: its ETag as HEAD reports it (quoted). */
  slo_etag: Schema.optional(Schema.String)
})
export type ObjectEntry = typeof ObjectEntry.Type

/** A delimiter roll-up. */
export const SubdirEntry = Schema.Struct({ subdir: Schema.String })

export const ObjectListing = Schema.Array(Schema.Union(SubdirEntry, ObjectEntry))
export type ObjectListing = typeof ObjectListing.Type

export const ClusterInfo = Schema.Struct({
  swift: Schema.optional(Schema.Struct({
    version: Schema.optional(Schema.String),
    max_file_size: Schema.optional(Schema.Number),
    max_object_name_length: Schema.optional(Schema.Number),
    container_listing_limit: Schema.optional(Schema.Number)
  })),
  slo: Schema.optional(Schema.Struct({
    max_manifest_segments: Schema.optional(Schema.Number),
    min_segment_size: Schema.optional(Schema.Number)
  })),
  tempurl: Schema.optional(Schema.Struct({
    methods: Schema.optional(Schema.Array(Schema.String)),
    allowed_digests: Schema.optional(Schema.Array(Schema.String))
  }))
})
export type ClusterInfo = typeof ClusterInfo.Type

/**
 * One entry of a stored SLO manifest (`?multipart-manifest=get`, not
 * `format=raw`: only the stored form says which entries are manifests
 * themselves). Inline `data` entries have no name.
 */
export const StoredManifestEntry = Schema.Struct({
  name: Schema.optional(Schema.String),
  hash: Schema.optional(Schema.NullOr(Schema.String)),
  bytes: Schema.optional(Schema.NullOr(Schema.Number)),
  sub_slo: Schema.optional(Schema.Boolean)
})
export const StoredManifest = Schema.Array(StoredManifestEntry)

export const BulkDeleteReport = Schema.Struct({
  "Number Deleted": Schema.Number,
  "Number Not Found": Schema.Number,
  "Response Status": Schema.String,
  Errors: Schema.Array(Schema.Array(Schema.String))
})
export type BulkDeleteReport = typeof BulkDeleteReport.Type
