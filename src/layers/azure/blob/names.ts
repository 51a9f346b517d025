/**
 * Azure's rules for names, on top of the portable checks, and the metadata
 * name encoding that lets portable metadata keys live in Azure.
 */
import { Effect } from "effect"
import { InvalidInput } from "../../../schemas/Errors.js"
import * as validate from "../../../services/validate.js"

// The containers Azure itself names: the root container, static website, analytics logs.
const SYSTEM_CONTAINERS = new Set(["$root", "$web", "$logs"])

/**
 * 3 to 63 characters of lower-case letters, digits and single hyphens,
 * starting and ending with a letter or digit.
 */
export const containerName = (where: validate.Where, value: string): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(validate.containerName(where, value), (name) => {
    if (SYSTEM_CONTAINERS.has(name)) return Effect.succeed(name)
    const reason = name.length < 3 || name.length > 63
      ? "must be 3 to 63 characters long"
      : !/^[a-z0-9-]+$/.test(name)
      ? "may only hold lower-case letters, digits and hyphens"
      : !/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)
      ? "must start and end with a letter or digit"
      : name.includes("--")
      ? "must not hold two hyphens in a row"
      : undefined
    return reason === undefined ? Effect.succeed(name) : Effect.fail(new InvalidInput({ ...where, field: "container", reason }))
  })

/** Azure allows at most 254 "/"-separated segments in a blob name. */
const MAX_SEGMENTS = 254

/**
 * The service reads a backslash in a blob name as "/" (Azurite does the
 * same): "a\\b" would be stored, listed and returned as "a/b", so such keys
 * are refused rather than silently renamed.
 */
export const blobName = (where: validate.Where, value: string): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(validate.objectKey(where, value), (key) => {
    const reason = key.includes("\\")
      ? "must not contain '\\': Azure stores it as '/'"
      : key.split("/").length > MAX_SEGMENTS
      ? `must have at most ${MAX_SEGMENTS} '/'-separated segments`
      : undefined
    return reason === undefined ? Effect.succeed(key) : Effect.fail(new InvalidInput({ ...where, field: "key", reason }))
  })

// ---------------------------------------------------------------- metadata names

/**
 * Azure metadata names must be C# identifiers (`[A-Za-z_][A-Za-z0-9_]*`):
 * the service refuses "x-count" or "2fa" with 400 InvalidMetadata, yet both
 * are portable keys. Names are lower-cased (Azure compares them without
 * case); one that is already an identifier is sent as it is, any other —
 * and any that starts with the marker, so decoding stays exact — becomes
 * `cfx_` + the name with "_" written "__" and "-" written "_d".
 */
const MARKER = "cfx_"
const identifier = /^[a-z_][a-z0-9_]*$/

export const encodeMetadataName = (name: string): string => {
  const lower = name.toLowerCase()
  if (identifier.test(lower) && !lower.startsWith(MARKER)) return lower
  return MARKER + lower.replace(/_/g, "__").replace(/-/g, "_d")
}

/** The portable key of a stored name; names another tool wrote come back lower-cased, as they are. */
export const decodeMetadataName = (stored: string): string => {
  const lower = stored.toLowerCase()
  if (!lower.startsWith(MARKER)) return lower
  let out = ""
  const rest = lower.slice(MARKER.length)
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!
    if (c !== "_") {
      out += c
      continue
    }
    const next = rest[i + 1]
    if (next === "_") out += "_"
    else if (next === "d") out += "-"
    else return lower // not ours: keep it whole
    i++
  }
  return out
}

/** `x-ms-meta-*` request headers for portable metadata. */
export const metadataHeaders = (metadata: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata ?? {})) out[`x-ms-meta-${encodeMetadataName(k)}`] = v
  return out
}

/** Portable metadata from response headers (any case). */
export const metadataFromHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    const lower = k.toLowerCase()
    if (lower.startsWith("x-ms-meta-") && lower.length > "x-ms-meta-".length) out[decodeMetadataName(lower.slice(10))] = v
  }
  return out
}

/** Portable metadata from a listing's `<Metadata>` element. */
export const metadataFromRecord = (record: Readonly<Record<string, unknown>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === "string" && !k.startsWith("@_")) out[decodeMetadataName(k)] = v
  }
  return out
}
