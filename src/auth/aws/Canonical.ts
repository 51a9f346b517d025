/**
 * SigV4 canonicalisation: URI encoding, path normalisation, canonical query
 * string, canonical headers and the canonical request itself.
 *
 * Everything here is pure and synchronous, and works on a neutral request
 * description ({@link SignableRequest}) so the published vectors can be fed in
 * directly and each stage compared on its own.
 */

/** A header or query parameter as an ordered pair. Repeats are allowed. */
export type Pair = readonly [name: string, value: string]

/**
 * The neutral description of a request to sign.
 *
 * - `path` is either the raw (decoded) path, e.g. `/test$file.text`, or, with
 *   `pathEncoded: true`, the path exactly as it goes on the wire (what a
 *   `.req` file or `new URL(..).pathname` holds).
 * - `query` holds decoded keys and values in any order; empty values are ok
 *   (`?lifecycle` is `[["lifecycle", ""]]`).
 * - `headers` are in wire order. A name may repeat; a value may be folded over
 *   several lines (obsolete line folding: `"value1\n  value2"`).
 * - the payload is given by `payloadHash` (hex SHA-256 or a literal like
 *   `UNSIGNED-PAYLOAD`), else hashed from `body`, else the empty body.
 */
export interface SignableRequest {
  readonly method: string
  readonly path: string
  readonly pathEncoded?: boolean | undefined
  readonly query?: ReadonlyArray<Pair> | undefined
  readonly headers: ReadonlyArray<Pair>
  readonly payloadHash?: string | undefined
  readonly body?: Uint8Array | string | undefined
}

/** How the canonical URI is built. S3 wants both off; every other service both on. */
export interface CanonicalUriOptions {
  /** Remove `.` segments, resolve `..`, collapse `//`. */
  readonly normalizePath: boolean
  /** URI-encode the (already encoded) wire path once more. */
  readonly doubleEncodePath: boolean
}

// ---------------------------------------------------------------------------
// RFC 3986 encoding

const UNRESERVED_ONLY = /^[A-Za-z0-9\-._~]*$/
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/
const NOT_ENCODED_BY_ENCODE_URI_COMPONENT = /[!'()*]/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const hexEscape = (c: string) => "%" + c.charCodeAt(0).toString(16).toUpperCase()

/**
 * RFC 3986 percent-encoding as SigV4 wants it: every byte of the UTF-8 form
 * except the unreserved characters `A-Z a-z 0-9 - . _ ~` becomes `%XX`
 * (upper-case hex). With `keepSlash`, `/` stays as is (for paths).
 * A lone surrogate (not encodable as UTF-8) is encoded as U+FFFD, as
 * `TextEncoder` and `Buffer` would send it.
 */
export const uriEncode = (value: string, keepSlash = false): string => {
  if ((keepSlash ? UNRESERVED_OR_SLASH : UNRESERVED_ONLY).test(value)) return value
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    encoded = encodeURIComponent(value.replace(LONE_SURROGATE, "\uFFFD"))
  }
  encoded = encoded.replace(NOT_ENCODED_BY_ENCODE_URI_COMPONENT, hexEscape)
  return keepSlash ? encoded.replace(/%2F/g, "/") : encoded
}

/** Encode a raw (decoded) path once, segment by segment, keeping the `/`s. */
export const encodePath = (rawPath: string): string => uriEncode(rawPath, true)

const WIRE_PATH_PIECES = /(%[0-9A-Fa-f]{2})|([^A-Za-z0-9\-._~/%]+)|%/g

/**
 * Bring an already-encoded path to the strict SigV4 form without decoding it:
 * existing `%XX` escapes are kept (hex upper-cased), every other character
 * that is not unreserved or `/` is encoded, and a stray `%` becomes `%25`.
 * `%2F` inside a segment therefore survives (S3 keys may contain `/`-less
 * escapes that must not turn into separators).
 */
export const strictEncodedPath = (wirePath: string): string =>
  UNRESERVED_OR_SLASH.test(wirePath)
    ? wirePath
    : wirePath.replace(WIRE_PATH_PIECES, (_match, escape: string | undefined, other: string | undefined) =>
      escape !== undefined ? escape.toUpperCase() : other !== undefined ? uriEncode(other) : "%25"
    )

/**
 * RFC 3986 §5.2.4-style normalisation as SigV4 does it for non-S3 services:
 * drop empty and `.` segments, let `..` remove the previous one, keep a
 * leading `/` and a trailing `/` when the path had one.
 */
export const normalizePath = (path: string): string => {
  if (path === "" || path === "/") return "/"
  // Fast path: nothing to do when there is no "//", no "." segment.
  if (!path.includes("//") && !/(^|\/)\.\.?(\/|$)/.test(path)) return path.startsWith("/") ? path : "/" + path
  const out: Array<string> = []
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") out.pop()
    else out.push(segment)
  }
  const last = path.slice(path.lastIndexOf("/") + 1)
  const trailing = path.endsWith("/") || last === "." || last === ".."
  if (out.length === 0) return "/"
  return "/" + out.join("/") + (trailing ? "/" : "")
}

/**
 * The canonical URI (second line of the canonical request).
 *
 * - raw path: encoded once (the wire form); other services then encode the
 *   wire form again ("double encoding"), S3 does not.
 * - wire path (`pathEncoded`): other services encode it once more; S3 uses it
 *   in strict form ({@link strictEncodedPath}).
 */
export const canonicalUri = (path: string, pathEncoded: boolean, options: CanonicalUriOptions): string => {
  let wire = pathEncoded ? path : encodePath(path)
  if (wire === "") wire = "/"
  if (options.normalizePath) wire = normalizePath(wire)
  return options.doubleEncodePath ? uriEncode(wire, true) : strictEncodedPath(wire)
}

/** The path that goes on the wire for this request (the canonical URI's source). */
export const wirePath = (path: string, pathEncoded: boolean, s3: boolean): string => {
  const wire = pathEncoded ? path : encodePath(path)
  return s3 ? strictEncodedPath(wire === "" ? "/" : wire) : wire === "" ? "/" : wire
}

// ---------------------------------------------------------------------------
// Query

const compareAscii = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The canonical query string: each decoded key and value RFC 3986-encoded,
 * sorted by encoded key then encoded value (byte order), joined as
 * `k=v&k=v`. A value-less parameter is `k=`.
 */
export const canonicalQueryString = (query: ReadonlyArray<Pair> | undefined): string => {
  if (query === undefined || query.length === 0) return ""
  if (query.length === 1) {
    const [k, v] = query[0]!
    return uriEncode(k) + "=" + uriEncode(v)
  }
  const encoded: Array<[string, string]> = new Array(query.length)
  for (let i = 0; i < query.length; i++) {
    const [k, v] = query[i]!
    encoded[i] = [uriEncode(k), uriEncode(v)]
  }
  encoded.sort((a, b) => compareAscii(a[0], b[0]) || compareAscii(a[1], b[1]))
  let out = ""
  for (let i = 0; i < encoded.length; i++) {
    const [k, v] = encoded[i]!
    out += (i === 0 ? "" : "&") + k + "=" + v
  }
  return out
}

// ---------------------------------------------------------------------------
// Headers

const NEEDS_TRIM = /^[ \t\r\n]|[ \t\r\n]$|[ \t\r\n]{2}|[\t\r\n]/
const WHITESPACE_RUN = /[ \t\r\n]+/g

/**
 * A header value in canonical form: trimmed, every run of whitespace
 * (spaces, tabs, and the line breaks of a folded value) collapsed to one space.
 *
 * Folded multi-line values follow AWS's current behaviour (aws-c-auth, the
 * SDKs): `value1\n  value2\n     value3` → `value1 value2 value3`. The 2015
 * suite's `get-header-value-multiline` expected `value1,value2,value3`
 * instead; that single case is the documented exception (see the tests).
 */
export const canonicalHeaderValue = (value: string): string => {
  if (!NEEDS_TRIM.test(value)) return value
  let collapsed = value.replace(WHITESPACE_RUN, " ")
  if (collapsed.startsWith(" ")) collapsed = collapsed.slice(1)
  if (collapsed.endsWith(" ")) collapsed = collapsed.slice(0, -1)
  return collapsed
}

/**
 * Headers SigV4 signers leave out by default: hop-by-hop headers, headers
 * proxies or clients rewrite, and `authorization` itself (the list the AWS
 * SDKs use).
 */
export const DEFAULT_UNSIGNED_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "cache-control",
  "connection",
  "expect",
  "from",
  "keep-alive",
  "max-forwards",
  "pragma",
  "proxy-authorization",
  "referer",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "x-amzn-trace-id"
])

export interface CanonicalHeaders {
  /** `name:value\n` lines, sorted by name (ends with a newline). */
  readonly canonical: string
  /** `name;name;…` sorted. */
  readonly signedHeaders: string
}

/**
 * Canonical headers and the signed-headers list: names lower-cased, values
 * canonicalised, repeated names joined with `,` in their original order,
 * sorted by name. Headers named in `unsigned` are skipped.
 */
export const canonicalHeaders = (
  headers: ReadonlyArray<Pair>,
  unsigned: ReadonlySet<string> = DEFAULT_UNSIGNED_HEADERS
): CanonicalHeaders => {
  const byName = new Map<string, string>()
  for (let i = 0; i < headers.length; i++) {
    const [rawName, rawValue] = headers[i]!
    const name = rawName.toLowerCase()
    if (unsigned.has(name)) continue
    const value = canonicalHeaderValue(rawValue)
    const previous = byName.get(name)
    byName.set(name, previous === undefined ? value : previous + "," + value)
  }
  const names = Array.from(byName.keys()).sort(compareAscii)
  let canonical = ""
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    canonical += name + ":" + byName.get(name)! + "\n"
  }
  return { canonical, signedHeaders: names.join(";") }
}

/** The six-line canonical request. */
export const canonicalRequestOf = (
  method: string,
  canonicalUriValue: string,
  canonicalQuery: string,
  headers: CanonicalHeaders,
  payloadHash: string
): string =>
  method.toUpperCase() + "\n" + canonicalUriValue + "\n" + canonicalQuery + "\n" + headers.canonical + "\n" +
  headers.signedHeaders + "\n" + payloadHash
