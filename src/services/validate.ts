/**
 * Portable input checks, run by every provider before it sends anything.
 * Each returns the value (possibly normalised) or an `InvalidInput` naming
 * the field. Providers add their own stricter rules on top.
 */
import { Duration, Effect } from "effect"
import { InvalidInput } from "../schemas/Errors.js"
import type { RecordType } from "../schemas/Models.js"
import { RecordType as RecordTypeSchema } from "../schemas/Models.js"
import type { ObjectStorage } from "./ObjectStorage.js"
import { type Ref, refId } from "./Refs.js"

export interface Where {
  readonly provider: string
  readonly operation: string
}

const invalid = (where: Where, field: string, reason: string) => new InvalidInput({ ...where, field, reason })

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8")

// A lone surrogate cannot be encoded as UTF-8: the provider would see U+FFFD, not our key.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export const id = (where: Where, field: string, ref: Ref): Effect.Effect<string, InvalidInput> => {
  const value = refId(ref)
  if (typeof value !== "string" || value.length === 0) return Effect.fail(invalid(where, field, "must be a non-empty string"))
  if (value.includes("\0")) return Effect.fail(invalid(where, field, "must not contain NUL"))
  return Effect.succeed(value)
}

export const name = (where: Where, field: string, value: string, maxBytes = 255): Effect.Effect<string, InvalidInput> => {
  if (typeof value !== "string" || value.trim().length === 0) return Effect.fail(invalid(where, field, "must be a non-empty string"))
  if (value.includes("\0")) return Effect.fail(invalid(where, field, "must not contain NUL"))
  if (utf8Length(value) > maxBytes) return Effect.fail(invalid(where, field, `must be at most ${maxBytes} bytes`))
  return Effect.succeed(value)
}

export const containerName = (where: Where, value: string): Effect.Effect<string, InvalidInput> => {
  if (typeof value !== "string" || value.length === 0) return Effect.fail(invalid(where, "container", "must be a non-empty string"))
  if (value.includes("/")) return Effect.fail(invalid(where, "container", "must not contain '/'"))
  if (value === "." || value === "..") return Effect.fail(invalid(where, "container", `"${value}" is not a name`))
  if (value.includes("\0")) return Effect.fail(invalid(where, "container", "must not contain NUL"))
  if (/[\x00-\x1f\x7f]/.test(value)) return Effect.fail(invalid(where, "container", "must not contain control characters"))
  if (loneSurrogate.test(value)) return Effect.fail(invalid(where, "container", "is not valid Unicode"))
  if (utf8Length(value) > 255) return Effect.fail(invalid(where, "container", "must be at most 255 bytes"))
  return Effect.succeed(value)
}

/** Keys are 1 to 1024 bytes of UTF-8, the limit S3, GCS, Azure and Swift share. */
export const objectKey = (where: Where, value: string): Effect.Effect<string, InvalidInput> => {
  if (typeof value !== "string" || value.length === 0) return Effect.fail(invalid(where, "key", "must be a non-empty string"))
  if (value.includes("\0")) return Effect.fail(invalid(where, "key", "must not contain NUL"))
  // URL parsers resolve these even when escaped: no HTTP provider can address them.
  if (value === "." || value === "..") return Effect.fail(invalid(where, "key", `"${value}" cannot be addressed in a URL`))
  if (loneSurrogate.test(value)) return Effect.fail(invalid(where, "key", "is not valid Unicode"))
  if (utf8Length(value) > 1024) return Effect.fail(invalid(where, "key", "must be at most 1024 bytes of UTF-8"))
  return Effect.succeed(value)
}

export const range = (
  where: Where,
  value: ObjectStorage.Range | undefined
): Effect.Effect<ObjectStorage.Range | undefined, InvalidInput> => {
  if (value === undefined) return Effect.succeed(undefined)
  const { end, start } = value
  if (!Number.isSafeInteger(start) || start < 0) {
    return Effect.fail(invalid(where, "range.start", "must be a whole number ≥ 0"))
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end <= start)) {
    return Effect.fail(invalid(where, "range.end", "must be a whole number greater than range.start (it is exclusive)"))
  }
  return Effect.succeed(value)
}

const metadataKey = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
// Printable ASCII and spaces: what every provider carries in an HTTP header unencoded.
const metadataValue = /^[\x20-\x7e]*$/

export const putOptions = (
  where: Where,
  options: ObjectStorage.PutOptions | undefined
): Effect.Effect<ObjectStorage.PutOptions, InvalidInput> => {
  const o = options ?? {}
  for (const [k, v] of Object.entries(o.metadata ?? {})) {
    if (!metadataKey.test(k)) {
      return Effect.fail(invalid(where, `metadata.${k}`, "keys are letters, digits, '-' and '_', starting with a letter or digit"))
    }
    if (typeof v !== "string" || !metadataValue.test(v)) {
      return Effect.fail(invalid(where, `metadata.${k}`, "values are printable ASCII"))
    }
  }
  if (o.contentType !== undefined && (o.contentType.length === 0 || /[\r\n]/.test(o.contentType))) {
    return Effect.fail(invalid(where, "contentType", "must be a single-line media type"))
  }
  if (o.partSize !== undefined && (!Number.isSafeInteger(o.partSize) || o.partSize < 1)) {
    return Effect.fail(invalid(where, "partSize", "must be a positive whole number of bytes"))
  }
  if (o.concurrency !== undefined && (!Number.isSafeInteger(o.concurrency) || o.concurrency < 1)) {
    return Effect.fail(invalid(where, "concurrency", "must be a positive whole number"))
  }
  return Effect.succeed(o)
}

export const listOptions = (
  where: Where,
  options: ObjectStorage.ListOptions | undefined
): Effect.Effect<ObjectStorage.ListOptions, InvalidInput> => {
  const o = options ?? {}
  if (o.pageSize !== undefined && (!Number.isSafeInteger(o.pageSize) || o.pageSize < 1 || o.pageSize > 10_000)) {
    return Effect.fail(invalid(where, "pageSize", "must be a whole number from 1 to 10000"))
  }
  if (o.delimiter !== undefined && o.delimiter.length === 0) {
    return Effect.fail(invalid(where, "delimiter", "must not be empty"))
  }
  if (o.prefix !== undefined && o.prefix.includes("\0")) {
    return Effect.fail(invalid(where, "prefix", "must not contain NUL"))
  }
  return Effect.succeed(o)
}

/** Signed URLs live between 1 second and 7 days (the SigV4 limit, the strictest of the providers). */
export const expiresIn = (where: Where, value: Duration.DurationInput): Effect.Effect<Duration.Duration, InvalidInput> => {
  const d = Duration.decodeUnknown(value)
  if (d._tag === "None") return Effect.fail(invalid(where, "expiresIn", "is not a duration"))
  const ms = Duration.toMillis(d.value)
  if (!Number.isFinite(ms) || ms < 1000 || ms > 7 * 24 * 3600 * 1000) {
    return Effect.fail(invalid(where, "expiresIn", "must be between 1 second and 7 days"))
  }
  return Effect.succeed(d.value)
}

export const positiveInt = (where: Where, field: string, value: number, max = Number.MAX_SAFE_INTEGER) =>
  Number.isSafeInteger(value) && value > 0 && value <= max
    ? Effect.succeed(value)
    : Effect.fail(invalid(where, field, `must be a whole number from 1 to ${max}`))

export const port = (where: Where, field: string, value: number) => positiveInt(where, field, value, 65535)

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
export const ip = (where: Where, field: string, value: string): Effect.Effect<string, InvalidInput> =>
  typeof value === "string" && (ipv4.test(value) || (value.includes(":") && /^[0-9a-fA-F:.]+$/.test(value)))
    ? Effect.succeed(value)
    : Effect.fail(invalid(where, field, `"${String(value)}" is not an IP address`))

/** "Example.COM." → "example.com"; labels of letters, digits, '-' and '_', each 1–63 bytes, 253 in all. */
export const domain = (where: Where, field: string, value: string): Effect.Effect<string, InvalidInput> => {
  if (typeof value !== "string") return Effect.fail(invalid(where, field, "must be a string"))
  const d = value.trim().toLowerCase().replace(/\.$/, "")
  if (d.length === 0 || d.length > 253) return Effect.fail(invalid(where, field, "must be 1 to 253 characters"))
  for (const label of d.split(".")) {
    if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label)) {
      return Effect.fail(invalid(where, field, `"${value}" is not a domain name`))
    }
  }
  return Effect.succeed(d)
}

const recordTypes = new Set<string>(RecordTypeSchema.literals)
export const recordType = (where: Where, value: string): Effect.Effect<RecordType, InvalidInput> =>
  recordTypes.has(value)
    ? Effect.succeed(value as RecordType)
    : Effect.fail(invalid(where, "type", `"${value}" is not a record type`))

export const ttl = (where: Where, value: number | undefined): Effect.Effect<number | undefined, InvalidInput> =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0 && value <= 2147483647)
    ? Effect.succeed(value)
    : Effect.fail(invalid(where, "ttl", "must be a whole number of seconds from 0 to 2147483647"))

/** A record name relative to its zone: "" for the apex, "@" accepted as the apex too. */
export const recordName = (where: Where, value: string): Effect.Effect<string, InvalidInput> => {
  if (typeof value !== "string") return Effect.fail(invalid(where, "name", "must be a string"))
  const n = value === "@" ? "" : value.toLowerCase()
  if (n === "") return Effect.succeed(n)
  if (n.endsWith(".")) return Effect.fail(invalid(where, "name", "is relative to the zone: no trailing dot"))
  for (const label of n.split(".")) {
    if (!/^(\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/.test(label)) {
      return Effect.fail(invalid(where, "name", `"${value}" is not a record name`))
    }
  }
  return Effect.succeed(n)
}

export const recordData = (
  where: Where,
  type: RecordType,
  data: string,
  priority: number | undefined
): Effect.Effect<void, InvalidInput> => {
  if (typeof data !== "string" || data.length === 0) return Effect.fail(invalid(where, "data", "must be a non-empty string"))
  if (/[\r\n\0]/.test(data)) return Effect.fail(invalid(where, "data", "must be one line without NUL"))
  if (type === "A" && !ipv4.test(data)) return Effect.fail(invalid(where, "data", `"${data}" is not an IPv4 address`))
  if (type === "AAAA" && !(data.includes(":") && /^[0-9a-fA-F:.]+$/.test(data))) {
    return Effect.fail(invalid(where, "data", `"${data}" is not an IPv6 address`))
  }
  if ((type === "MX" || type === "SRV") && (priority === undefined || !Number.isSafeInteger(priority) || priority < 0 || priority > 65535)) {
    return Effect.fail(invalid(where, "priority", `${type} records need a priority from 0 to 65535`))
  }
  return Effect.void
}
