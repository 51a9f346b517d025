/**
 * Google Cloud Storage V4 signing with a service-account RSA key
 * (GOOG4-RSA-SHA256), as the googleapis conformance tests define it:
 *
 *   - signed URLs: canonical request → string to sign → hex RSA-SHA256
 *     signature → `X-Goog-*` query parameters; path-style, virtual-hosted
 *     and bucket-bound-hostname URLs; extra signed headers and query
 *     parameters; `X-Goog-Content-SHA256` as the payload hash when given.
 *   - POST policy documents (browser form uploads).
 *
 * Time comes from `Clock`. Expiry is 1 second to 7 days, else
 * `InvalidInput`. Each stage is exported (`canonicalRequest`,
 * `stringToSign`, `rsaSha256Hex`) so tests compare them one by one.
 */
import { Clock, Duration, Effect, Redacted } from "effect"
import { createHash, createSign, type KeyObject } from "node:crypto"
import { InvalidInput } from "../../schemas/Errors.js"
import { encodeRfc3986, type Where } from "./internal.js"
import type { ServiceAccountCredentials } from "./ServiceAccount.js"

export const ALGORITHM = "GOOG4-RSA-SHA256"
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
/** 7 days, the V4 maximum. */
export const MAX_EXPIRES_SECONDS = 604800

export type UrlStyle = "path-style" | "virtual-hosted-style" | "bucket-bound-hostname"

export interface UrlTarget {
  readonly bucket: string
  /** Absent for bucket-level URLs (e.g. listing). Slashes are kept, everything else RFC 3986-encoded. */
  readonly object?: string
  /** Default "path-style". */
  readonly urlStyle?: UrlStyle
  /** The host (CNAME) for "bucket-bound-hostname", e.g. "cdn.example.com". */
  readonly bucketBoundHostname?: string
  /** "https" (default) or "http"; ignored when `endpoint` carries a scheme. */
  readonly scheme?: "https" | "http"
  /**
   * The storage host, `host[:port]` or `scheme://host[:port]` (an emulator, a
   * private endpoint). Default `storage.<universeDomain>`. The signed `host`
   * header is the host name without the port, as the Google libraries sign it.
   */
  readonly endpoint?: string
  /** Default the key's universe domain, "googleapis.com". */
  readonly universeDomain?: string
}

export interface SignedUrlOptions extends UrlTarget {
  /** HTTP verb the URL is for: GET, PUT, POST (resumable start), DELETE, HEAD. */
  readonly method: string
  /** 1 second to 7 days. */
  readonly expiresIn: Duration.DurationInput
  /** Headers the user of the URL must send (signed). */
  readonly headers?: Readonly<Record<string, string>>
  /** Extra query parameters (signed), e.g. response-content-disposition, generation. */
  readonly queryParameters?: Readonly<Record<string, string>>
  readonly where?: Where
}

export interface SignedUrl {
  readonly url: string
  readonly canonicalRequest: string
  readonly stringToSign: string
  /** Hex RSA-SHA256 signature. */
  readonly signature: string
  /** When the URL stops working. */
  readonly expiresAt: Date
}

const defaultWhere: Where = { provider: "gcp", operation: "Gcs.signedUrl" }

/** `20190201T090000Z` and `20190201` from epoch milliseconds. */
export const goog4Timestamp = (millis: number): { readonly datetime: string; readonly date: string } => {
  const datetime = new Date(millis).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z")
  return { datetime, date: datetime.slice(0, 8) }
}

export const credentialScope = (date: string): string => `${date}/auto/storage/goog4_request`

/** Object names: RFC 3986 per segment, `/` kept (so "a/b&c" → "a/b%26c"). */
export const encodeObjectPath = (name: string): string => name.split("/").map(encodeRfc3986).join("/")

/** Lowercase names, values trimmed with inner whitespace runs collapsed, sorted; repeated names joined by ",". */
export const canonicalHeaders = (headers: Readonly<Record<string, string>>): ReadonlyArray<readonly [string, string]> => {
  const map = new Map<string, string>()
  for (const [name, raw] of Object.entries(headers)) {
    const key = name.toLowerCase().trim()
    const value = raw.replace(/\s+/g, " ").trim()
    const previous = map.get(key)
    map.set(key, previous === undefined ? value : `${previous},${value}`)
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** `k=v&…`, names and values RFC 3986-encoded, sorted by encoded name then value. */
export const canonicalQuery = (params: ReadonlyArray<readonly [string, string]>): string =>
  params.map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&")

export interface CanonicalRequestInput {
  readonly method: string
  /** Encoded path. */
  readonly path: string
  /** Canonical query string (already encoded and sorted). */
  readonly query: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly payloadHash: string
}

export const signedHeaderNames = (headers: ReadonlyArray<readonly [string, string]>): string =>
  headers.map(([name]) => name).join(";")

export const canonicalRequest = (input: CanonicalRequestInput): string =>
  [
    input.method.toUpperCase(),
    input.path,
    input.query,
    input.headers.map(([name, value]) => `${name}:${value}\n`).join(""),
    signedHeaderNames(input.headers),
    input.payloadHash
  ].join("\n")

export const stringToSign = (datetime: string, scope: string, canonical: string): string =>
  [ALGORITHM, datetime, scope, createHash("sha256").update(canonical, "utf8").digest("hex")].join("\n")

/** Hex RSASSA-PKCS1-v1_5 SHA-256 signature (deterministic). */
export const rsaSha256Hex = (key: KeyObject, text: string): string =>
  createSign("RSA-SHA256").update(text, "utf8").sign(key).toString("hex")

interface Resolved {
  readonly scheme: string
  /** host[:port] for the URL. */
  readonly authority: string
  /** host without port, for the signed host header. */
  readonly host: string
  /** Encoded path. */
  readonly path: string
}

const hostOnly = (authority: string): string => {
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1)
  const colon = authority.lastIndexOf(":")
  return colon === -1 ? authority : authority.slice(0, colon)
}

/** Scheme, host and path of the URL a target names (shared by signed URLs and POST policies). */
const resolveTarget = (
  target: UrlTarget,
  defaultUniverse: string,
  where: Where,
  forPolicy: boolean
): Effect.Effect<Resolved, InvalidInput> =>
  Effect.gen(function*() {
    const invalid = (field: string, reason: string) => new InvalidInput({ ...where, field, reason })
    if (target.bucket.length === 0 || target.bucket.includes("/")) {
      return yield* invalid("bucket", "must be a non-empty name without '/'")
    }
    if (target.object !== undefined && target.object.length === 0) return yield* invalid("object", "must not be empty")
    let scheme: string = target.scheme ?? "https"
    let authority = `storage.${target.universeDomain ?? defaultUniverse}`
    if (target.endpoint !== undefined) {
      const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)\/?$/i.exec(target.endpoint)
      if (match !== null) {
        scheme = (match[1] ?? "https").toLowerCase()
        authority = match[2] ?? ""
      } else if (/^[^/?#:\s]+(?::\d+)?$|^\[[0-9a-f:.]+\](?::\d+)?$/i.test(target.endpoint)) {
        authority = target.endpoint
      } else {
        return yield* invalid("endpoint", "must be host[:port] or scheme://host[:port]")
      }
    }
    if (scheme !== "https" && scheme !== "http") return yield* invalid("scheme", "must be https or http")
    const objectPath = target.object === undefined ? "" : encodeObjectPath(target.object)
    const style = target.urlStyle ?? "path-style"
    switch (style) {
      case "path-style":
        return {
          scheme,
          authority,
          host: hostOnly(authority),
          path: forPolicy ? `/${encodeRfc3986(target.bucket)}/` : `/${encodeRfc3986(target.bucket)}${objectPath === "" ? "" : `/${objectPath}`}`
        }
      case "virtual-hosted-style": {
        const hosted = `${target.bucket}.${authority}`
        return { scheme, authority: hosted, host: hostOnly(hosted), path: forPolicy ? "/" : `/${objectPath}` }
      }
      case "bucket-bound-hostname": {
        const cname = target.bucketBoundHostname
        if (cname === undefined || !/^[^/?#\s]+$/.test(cname)) {
          return yield* invalid("bucketBoundHostname", "is required for bucket-bound-hostname URLs (a host name)")
        }
        return { scheme, authority: cname, host: hostOnly(cname), path: forPolicy ? "/" : `/${objectPath}` }
      }
      default:
        return yield* invalid("urlStyle", "must be path-style, virtual-hosted-style or bucket-bound-hostname")
    }
  })

/** Whole seconds of a V4 expiry, 1 s … 7 days, or `InvalidInput` on `field`. */
export const expirySeconds = (
  input: Duration.DurationInput,
  where: Where = defaultWhere,
  field = "expiresIn"
): Effect.Effect<number, InvalidInput> => {
  const decoded = Duration.decodeUnknown(input)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) {
    return Effect.fail(new InvalidInput({ ...where, field, reason: "must be a finite duration" }))
  }
  const seconds = Math.floor(Duration.toMillis(decoded.value) / 1000)
  if (seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
    return Effect.fail(new InvalidInput({ ...where, field, reason: "must be between 1 second and 7 days" }))
  }
  return Effect.succeed(seconds)
}

const wellFormed = (value: string): boolean => {
  try {
    encodeURIComponent(value)
    return true
  } catch {
    return false
  }
}

/** A V4 signed URL, stage by stage. */
export const signedUrl = (
  credentials: ServiceAccountCredentials,
  options: SignedUrlOptions
): Effect.Effect<SignedUrl, InvalidInput> =>
  Effect.gen(function*() {
    const where = options.where ?? defaultWhere
    const invalid = (field: string, reason: string) => new InvalidInput({ ...where, field, reason })
    if (!/^[A-Z]+$/i.test(options.method)) return yield* invalid("method", "must be an HTTP method")
    const expires = yield* expirySeconds(options.expiresIn, where)
    for (const [field, value] of [["bucket", options.bucket], ["object", options.object ?? ""]] as const) {
      if (!wellFormed(value)) return yield* invalid(field, "is not valid Unicode")
    }
    const extraQuery = Object.entries(options.queryParameters ?? {})
    if (extraQuery.some(([k, v]) => !wellFormed(k) || !wellFormed(v))) {
      return yield* invalid("queryParameters", "is not valid Unicode")
    }
    const extraHeaders = Object.entries(options.headers ?? {})
    for (const [name, value] of extraHeaders) {
      if (name.trim() === "" || /[\r\n:]/.test(name) || name.toLowerCase().trim() === "host") {
        return yield* invalid("headers", "names must be non-empty, without ':' or line breaks, and not 'host'")
      }
      if (/[\r\n]/.test(value) || !wellFormed(value)) return yield* invalid("headers", "values must be one line")
    }
    const target = yield* resolveTarget(options, credentials.universeDomain, where, false)

    const now = yield* Clock.currentTimeMillis
    const { date, datetime } = goog4Timestamp(now)
    const scope = credentialScope(date)
    const headers = canonicalHeaders({ ...options.headers, host: target.host })
    const payloadHash = headers.find(([name]) => name === "x-goog-content-sha256")?.[1] ?? UNSIGNED_PAYLOAD
    const query = canonicalQuery([
      ["X-Goog-Algorithm", ALGORITHM],
      ["X-Goog-Credential", `${credentials.clientEmail}/${scope}`],
      ["X-Goog-Date", datetime],
      ["X-Goog-Expires", String(expires)],
      ["X-Goog-SignedHeaders", signedHeaderNames(headers)],
      ...extraQuery
    ])
    const canonical = canonicalRequest({ method: options.method, path: target.path, query, headers, payloadHash })
    const toSign = stringToSign(datetime, scope, canonical)
    const signature = rsaSha256Hex(Redacted.value(credentials.privateKey), toSign)
    return {
      url: `${target.scheme}://${target.authority}${target.path}?${query}&X-Goog-Signature=${signature}`,
      canonicalRequest: canonical,
      stringToSign: toSign,
      signature,
      expiresAt: new Date(now + expires * 1000)
    }
  })

// ---------------------------------------------------------------------------
// POST policy V4 (HTML form uploads)

/** A policy condition: `{ field: value }` (exact match) or an array form. */
export type PolicyCondition =
  | Readonly<Record<string, string>>
  | readonly ["starts-with", string, string]
  | readonly ["eq", string, string]
  | readonly ["content-length-range", number, number]

export interface PostPolicyOptions extends UrlTarget {
  readonly object: string
  /** 1 second to 7 days. */
  readonly expiresIn: Duration.DurationInput
  /** Extra form fields; each also becomes an exact-match condition. */
  readonly fields?: Readonly<Record<string, string>>
  /** Extra conditions, placed first in the policy. */
  readonly conditions?: ReadonlyArray<PolicyCondition>
  readonly where?: Where
}

export interface PostPolicy {
  /** Where the form is POSTed. */
  readonly url: string
  /** Every form field to send (before the file), signature and policy included. */
  readonly fields: Readonly<Record<string, string>>
  /** The policy document as signed (JSON, non-ASCII escaped as \uXXXX). */
  readonly policy: string
}

/** JSON with every non-ASCII UTF-16 unit written as \uXXXX, the form the libraries sign. */
export const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

export const postPolicy = (
  credentials: ServiceAccountCredentials,
  options: PostPolicyOptions
): Effect.Effect<PostPolicy, InvalidInput> =>
  Effect.gen(function*() {
    const where = options.where ?? { provider: "gcp", operation: "Gcs.postPolicy" }
    const expires = yield* expirySeconds(options.expiresIn, where)
    if (options.object.length === 0) return yield* new InvalidInput({ ...where, field: "object", reason: "must not be empty" })
    const target = yield* resolveTarget(options, credentials.universeDomain, where, true)
    const now = yield* Clock.currentTimeMillis
    const { date, datetime } = goog4Timestamp(now)
    const credential = `${credentials.clientEmail}/${credentialScope(date)}`
    const fields = Object.entries(options.fields ?? {})
    const conditions: Array<unknown> = [
      ...(options.conditions ?? []),
      ...fields.map(([name, value]) => ({ [name]: value })),
      { bucket: options.bucket },
      { key: options.object },
      { "x-goog-date": datetime },
      { "x-goog-credential": credential },
      { "x-goog-algorithm": ALGORITHM }
    ]
    const expiration = new Date(now + expires * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
    const policy = asciiJson({ conditions, expiration })
    const encoded = Buffer.from(policy, "utf8").toString("base64")
    const signature = rsaSha256Hex(Redacted.value(credentials.privateKey), encoded)
    return {
      url: `${target.scheme}://${target.authority}${target.path}`,
      fields: {
        key: options.object,
        ...Object.fromEntries(fields),
        "x-goog-algorithm": ALGORITHM,
        "x-goog-credential": credential,
        "x-goog-date": datetime,
        "x-goog-signature": signature,
        policy: encoded
      },
      policy
    }
  })
