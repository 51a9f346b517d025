/**
 * The Blob service's wire: XML documents (as fast-xml-parser objects, see
 * src/http/Decode) and response headers, and their mapping to the portable
 * models. Nothing here leaves the azure folder.
 *
 * ETags: `ObjectInfo.etag` is the hex MD5 of the content whenever the blob
 * has a Content-MD5 property — always for blobs cloudfx writes (Put Blob
 * stores the MD5 the service computes and checks against ours; a block
 * upload sets x-ms-blob-content-md5 to the MD5 hashed while streaming). A
 * blob another tool committed from blocks without an MD5 has none: its etag
 * is then Azure's own ETag without quotes, opaque. Azure's ETag is always in
 * `extra.azureEtag`.
 */
import type { Headers } from "@effect/platform"
import { Either, Schema } from "effect"
import { Container, ObjectInfo, ObjectPrefix } from "../../../schemas/Models.js"
import type { ListEntry } from "../../../schemas/Models.js"
import { metadataFromHeaders, metadataFromRecord } from "./names.js"

// ---------------------------------------------------------------- XML shapes

/** An element with only whitespace in it: `<Blobs />`, `<Metadata>\n</Metadata>`. */
const Blank = Schema.String.pipe(Schema.filter((s) => s.trim() === "", { message: () => "an empty element" }))

/** `<Name>x</Name>`, or `<Name Encoded="true">%01x</Name>` for names XML cannot carry. */
const XmlName = Schema.Union(
  Schema.String,
  Schema.Struct({ "#text": Schema.optional(Schema.String), "@_Encoded": Schema.optional(Schema.String) })
)
type XmlName = typeof XmlName.Type

const opt = Schema.optional(Schema.String)

const Size = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())

const BlobProperties = Schema.Struct({
  "Content-Length": Size,
  "Last-Modified": opt,
  "Creation-Time": opt,
  Etag: opt,
  "Content-Type": opt,
  "Content-MD5": opt,
  BlobType: opt,
  AccessTier: opt,
  LeaseState: opt,
  ServerEncrypted: opt
})

const AnyRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const BlobItem = Schema.Struct({
  Name: XmlName,
  Properties: BlobProperties,
  Metadata: Schema.optional(Schema.Union(Blank, AnyRecord))
})

const BlobPrefixItem = Schema.Struct({ Name: XmlName })

export const ListBlobsResult = Schema.Struct({
  EnumerationResults: Schema.Struct({
    Blobs: Schema.Union(
      Blank,
      Schema.Struct({
        Blob: Schema.optionalWith(Schema.Array(BlobItem), { default: () => [] }),
        BlobPrefix: Schema.optionalWith(Schema.Array(BlobPrefixItem), { default: () => [] })
      })
    ),
    NextMarker: opt
  })
})
export const listBlobsArrays = { arrays: ["Blob", "BlobPrefix"], attributes: true } as const

const ContainerItem = Schema.Struct({
  Name: Schema.String,
  Properties: Schema.optional(Schema.Struct({
    "Last-Modified": opt,
    Etag: opt,
    PublicAccess: opt,
    LeaseState: opt
  }))
})

export const ListContainersResult = Schema.Struct({
  EnumerationResults: Schema.Struct({
    Containers: Schema.Union(
      Blank,
      Schema.Struct({ Container: Schema.optionalWith(Schema.Array(ContainerItem), { default: () => [] }) })
    ),
    NextMarker: opt
  })
})
export const listContainersArrays = { arrays: ["Container"] } as const

const BlockItem = Schema.Struct({ Name: Schema.String, Size: Size })
const Blocks = Schema.optional(Schema.Union(
  Blank,
  Schema.Struct({ Block: Schema.optionalWith(Schema.Array(BlockItem), { default: () => [] }) })
))

export const BlockListResult = Schema.Struct({
  BlockList: Schema.Struct({ CommittedBlocks: Blocks, UncommittedBlocks: Blocks })
})
export const blockListArrays = { arrays: ["Block"] } as const

const AccessPolicy = Schema.Struct({ Start: opt, Expiry: opt, Permission: opt })
export const SignedIdentifiersResult = Schema.Struct({
  SignedIdentifiers: Schema.Union(
    Blank,
    Schema.Struct({
      SignedIdentifier: Schema.optionalWith(
        Schema.Array(Schema.Struct({ Id: Schema.String, AccessPolicy: Schema.optional(Schema.Union(Blank, AccessPolicy)) })),
        { default: () => [] }
      )
    })
  )
})
export const signedIdentifiersArrays = { arrays: ["SignedIdentifier"] } as const

// ---------------------------------------------------------------- mapping

const present = (s: string | undefined): string | undefined => (s === undefined || s.trim() === "" ? undefined : s)

const unquote = (etag: string | undefined): string | undefined => {
  const e = present(etag)
  return e === undefined ? undefined : e.replace(/^(W\/)?"(.*)"$/, "$2")
}

const date = (s: string | undefined): Date | undefined => {
  const v = present(s)
  if (v === undefined) return undefined
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? undefined : d
}

/** base64 of 16 bytes → hex; anything else → undefined (then the etag is Azure's). */
export const md5Hex = (base64: string | undefined): string | undefined => {
  const v = present(base64)?.trim()
  if (v === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(v)) return undefined
  return Buffer.from(v, "base64").toString("hex")
}

/** The decoded name, or why it cannot be. */
export const nameOf = (name: XmlName): Either.Either<string, string> => {
  if (typeof name === "string") return Either.right(name)
  const text = name["#text"] ?? ""
  if (name["@_Encoded"] !== "true") return Either.right(text)
  try {
    return Either.right(decodeURIComponent(text))
  } catch {
    return Either.left("an Encoded blob name is not valid percent-encoding")
  }
}

const compact = (o: { readonly [k: string]: unknown }): { [k: string]: unknown } => {
  const out: { [k: string]: unknown } = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}

const infoFields = (f: {
  readonly key: string
  readonly size: number
  readonly md5: string | undefined
  readonly azureEtag: string | undefined
  readonly lastModified: Date | undefined
  readonly contentType: string | undefined
  readonly metadata: Record<string, string>
  readonly extra: { readonly [k: string]: unknown }
}) => {
  const etag = md5Hex(f.md5) ?? f.azureEtag
  return new ObjectInfo({
    key: f.key,
    size: f.size,
    ...(etag === undefined ? {} : { etag }),
    ...(f.lastModified === undefined ? {} : { lastModified: f.lastModified }),
    ...(f.contentType === undefined ? {} : { contentType: f.contentType }),
    metadata: f.metadata,
    extra: compact({ azureEtag: f.azureEtag, contentMd5: present(f.md5), ...f.extra })
  })
}

type Fields = { readonly [k: string]: unknown }

/** One page of a blob listing, in the server's order (Azure sends blobs and prefixes as separate runs; they are merged). */
export const listEntries = (result: typeof ListBlobsResult.Type): Either.Either<Array<ListEntry>, string> => {
  const blobs = result.EnumerationResults.Blobs
  if (typeof blobs === "string") return Either.right([])
  const out: Array<ListEntry> = []
  for (const b of blobs.Blob) {
    const name = nameOf(b.Name)
    if (Either.isLeft(name)) return Either.left(name.left)
    const p = b.Properties
    out.push(infoFields({
      key: name.right,
      size: p["Content-Length"],
      md5: p["Content-MD5"],
      azureEtag: unquote(p.Etag),
      lastModified: date(p["Last-Modified"]),
      contentType: present(p["Content-Type"]),
      metadata: b.Metadata === undefined || typeof b.Metadata === "string" ? {} : metadataFromRecord(b.Metadata as Fields),
      extra: { blobType: present(p.BlobType), accessTier: present(p.AccessTier), createdAt: date(p["Creation-Time"]) }
    }))
  }
  for (const prefix of blobs.BlobPrefix) {
    const name = nameOf(prefix.Name)
    if (Either.isLeft(name)) return Either.left(name.left)
    out.push(new ObjectPrefix({ key: name.right }))
  }
  // The service orders names by UTF-16 code units, as JavaScript compares strings.
  return Either.right(out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)))
}

export const nextMarker = (marker: string | undefined): string | undefined => present(marker)

export const containers = (result: typeof ListContainersResult.Type): Array<Container> => {
  const list = result.EnumerationResults.Containers
  if (typeof list === "string") return []
  return list.Container.map((c) =>
    new Container({
      name: c.Name,
      extra: compact({
        lastModified: date(c.Properties?.["Last-Modified"]),
        azureEtag: unquote(c.Properties?.Etag),
        publicAccess: present(c.Properties?.PublicAccess) ?? "none"
      })
    })
  )
}

export const containerFromHeaders = (name: string, headers: Headers.Headers): Container =>
  new Container({
    name,
    extra: compact({
      lastModified: date(headers["last-modified"]),
      azureEtag: unquote(headers["etag"]),
      publicAccess: present(headers["x-ms-blob-public-access"]) ?? "none",
      metadata: metadataFromHeaders(headers)
    })
  })

/** "bytes 10-19/1000" → 1000 (Azurite writes an empty blob's "bytes=0-" as "bytes 0--1/0"). */
const totalFromContentRange = (value: string | undefined): number | undefined => {
  const m = value === undefined ? null : /^bytes\s+\S*\/(\d+)$/i.exec(value.trim())
  return m ? Number(m[1]) : undefined
}

const sizeFrom = (value: string | undefined): number | undefined => {
  const v = present(value)?.trim()
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined
}

/**
 * ObjectInfo from Get Blob / Get Blob Properties headers. For a ranged Get
 * Blob the size is Content-Range's total and the MD5 the whole blob's
 * (x-ms-blob-content-md5): Content-MD5 there would be the range's.
 */
export const infoFromHeaders = (key: string, headers: Headers.Headers, ranged: boolean): Either.Either<ObjectInfo, string> => {
  const size = ranged ? totalFromContentRange(headers["content-range"]) : sizeFrom(headers["content-length"])
  if (size === undefined) return Either.left(ranged ? "Content-Range has no total size" : "Content-Length is missing or not a number")
  return Either.right(infoFields({
    key,
    size,
    md5: ranged ? headers["x-ms-blob-content-md5"] : headers["content-md5"] ?? headers["x-ms-blob-content-md5"],
    azureEtag: unquote(headers["etag"]),
    lastModified: date(headers["last-modified"]),
    contentType: present(headers["content-type"]),
    metadata: metadataFromHeaders(headers),
    extra: {
      blobType: present(headers["x-ms-blob-type"]),
      accessTier: present(headers["x-ms-access-tier"]),
      createdAt: date(headers["x-ms-creation-time"]),
      copyStatus: present(headers["x-ms-copy-status"])
    }
  }))
}

/** ObjectInfo for what putObject just stored: our own size and MD5, the service's ETag and date. */
export const infoAfterPut = (
  key: string,
  size: number,
  md5Base64: string,
  contentType: string,
  metadata: { readonly [k: string]: string },
  headers: Headers.Headers
): ObjectInfo =>
  infoFields({
    key,
    size,
    md5: md5Base64,
    azureEtag: unquote(headers["etag"]),
    lastModified: date(headers["last-modified"]) ?? date(headers["date"]),
    contentType,
    metadata: { ...metadata },
    extra: {}
  })

export interface Block {
  readonly id: string
  readonly size: number
}

export interface BlockList {
  readonly committed: ReadonlyArray<Block>
  readonly uncommitted: ReadonlyArray<Block>
}

export const blockList = (result: typeof BlockListResult.Type): BlockList => {
  const of = (b: typeof result.BlockList.CommittedBlocks) =>
    b === undefined || typeof b === "string" ? [] : b.Block.map((x) => ({ id: x.Name, size: x.Size }))
  return { committed: of(result.BlockList.CommittedBlocks), uncommitted: of(result.BlockList.UncommittedBlocks) }
}

/** The Put Block List body: every block by id, "Latest" so a retried commit finds them committed. */
export const blockListBody = (ids: ReadonlyArray<string>): string =>
  `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`
