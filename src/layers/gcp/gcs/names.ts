/**
 * GCS naming rules, on top of the portable checks (validate.ts), so a name
 * GCS would refuse is an `InvalidInput` before any request.
 *
 * Buckets (https://cloud.google.com/storage/docs/buckets#naming): lower-case
 * letters, digits, "-", "_" and "."; starting and ending with a letter or
 * digit; 3–63 characters, or up to 222 when dotted with every dot-separated
 * component at most 63; not an IPv4 address in dotted-decimal; and — checked
 * only when creating, since GCS enforces them at creation — not starting with
 * "goog" and not containing "google" or a close misspelling ("g00gle").
 *
 * Objects (https://cloud.google.com/storage/docs/objects#naming): 1–1024
 * bytes of UTF-8 (the portable rule), no carriage return or line feed, not
 * "." or "..", not starting with ".well-known/acme-challenge/".
 */
import { Effect } from "effect"
import { InvalidInput } from "../../../schemas/Errors.js"
import * as validate from "../../../services/validate.js"

const bucketChars = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/
const dottedDecimal = /^\d{1,3}(\.\d{1,3}){3}$/
const googleLike = /g(o|0)(o|0)g(l|1)e/

const invalidBucket = (where: validate.Where, reason: string) => new InvalidInput({ ...where, field: "container", reason })

/** The rules every existing bucket satisfies (used by every operation naming a bucket). */
export const bucketName = (where: validate.Where, value: string): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(validate.containerName(where, value), (name) => {
    if (name.length < 3) return Effect.fail(invalidBucket(where, "must be at least 3 characters"))
    if (!bucketChars.test(name)) {
      return Effect.fail(
        invalidBucket(where, "must be lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
      )
    }
    if (name.includes(".")) {
      if (name.length > 222) return Effect.fail(invalidBucket(where, "must be at most 222 characters"))
      if (name.split(".").some((part) => part.length === 0 || part.length > 63)) {
        return Effect.fail(invalidBucket(where, "each dot-separated part must be 1 to 63 characters"))
      }
      if (dottedDecimal.test(name)) return Effect.fail(invalidBucket(where, "must not be an IP address"))
    } else if (name.length > 63) {
      return Effect.fail(invalidBucket(where, "must be at most 63 characters (222 with dots)"))
    }
    return Effect.succeed(name)
  })

/** Creation adds the reserved-word rules. */
export const newBucketName = (where: validate.Where, value: string): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(bucketName(where, value), (name) => {
    if (name.startsWith("goog")) return Effect.fail(invalidBucket(where, "must not start with \"goog\""))
    if (googleLike.test(name)) return Effect.fail(invalidBucket(where, "must not contain \"google\" or a look-alike"))
    return Effect.succeed(name)
  })

export const objectName = (where: validate.Where, value: string, field = "key"): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(
    Effect.mapError(validate.objectKey(where, value), (e) => (field === "key" ? e : new InvalidInput({ ...where, field, reason: e.reason }))),
    (name) => {
      if (/[\r\n]/.test(name)) {
        return Effect.fail(new InvalidInput({ ...where, field, reason: "must not contain a carriage return or line feed (GCS refuses them)" }))
      }
      if (name.startsWith(".well-known/acme-challenge/")) {
        return Effect.fail(new InvalidInput({ ...where, field, reason: "must not start with \".well-known/acme-challenge/\"" }))
      }
      return Effect.succeed(name)
    }
  )

/** Whether GCS refuses a key the portable checks accept (for tests and callers that pre-filter). */
export const isRefusedKey = (key: string): boolean => /[\r\n]/.test(key) || key.startsWith(".well-known/acme-challenge/")
