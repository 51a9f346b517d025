/**
 * Building request URLs: RFC 3986 percent-encoding of path segments, object
 * keys and query strings, and joining them onto a provider's base URL.
 *
 * Why not `encodeURIComponent` or `URLSearchParams`: the first leaves
 * `!'()*` alone (SigV4 and GCS canonical requests encode them, so a key like
 * "it's (1)" would sign differently from what is sent); the second writes a
 * space as `+`, which object stores read as a literal plus. Everything here
 * emits only unreserved characters, `%XX` (upper-case hex, UTF-8 bytes) and,
 * where asked, `/` — so the platform's `new URL(...)` passes it through
 * untouched and a signer sees exactly what goes on the wire.
 */

const encoder = new TextEncoder()
const hex = Array.from({ length: 256 }, (_, i) => `%${i.toString(16).toUpperCase().padStart(2, "0")}`)

// RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~"
const isUnreserved = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
  b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e

export interface EncodeOptions {
  /**
   * "keep": `/` stays a path separator (S3, Swift and Azure object keys).
   * "encode": `/` becomes %2F (a container name, an id, a GCS JSON-API object
   * name, a query value). Default "encode".
   */
  readonly slash?: "keep" | "encode"
}

/**
 * Percent-encodes every byte of the UTF-8 form of `value` except RFC 3986
 * unreserved characters (and `/` when kept). Lone surrogates become U+FFFD,
 * as TextEncoder does: validate keys first (`validate.objectKey` rejects them).
 */
export const encode = (value: string, options?: EncodeOptions): string => {
  const keepSlash = options?.slash === "keep"
  // Fast path: most ids and names are already plain ASCII.
  let plain = true
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (!(isUnreserved(c) || (keepSlash && c === 0x2f))) {
      plain = false
      break
    }
  }
  if (plain) return value
  let out = ""
  for (const b of encoder.encode(value)) {
    out += isUnreserved(b) || (keepSlash && b === 0x2f) ? String.fromCharCode(b) : hex[b]!
  }
  return out
}

/** One path segment (a container name, an id): everything encoded, `/` included. */
export const segment = (value: string): string => encode(value, { slash: "encode" })

/** "." and ".." as whole segments: WHATWG URLs resolve them (even as %2E), so they cannot be sent as-is. */
export const isDotSegment = (value: string): boolean => value === "." || value === ".."

/**
 * An object key whose `/` stay path separators (S3, Swift, Azure).
 *
 * A "." or ".." segment inside the key would be resolved away by the URL
 * parser (`a/../b` → `b`), so the `/` on either side of one is sent as %2F,
 * which S3, Swift and Azure decode back to `/` — the stored key is unchanged.
 * A key that is *only* "." or ".." has no neighbour to merge with and cannot
 * be addressed in a URL at all: check with `isAddressableKey` and reject it
 * with `InvalidInput` before building the request.
 */
export const key = (value: string): string => {
  const parts = value.split("/")
  let out = encode(parts[0]!, { slash: "encode" })
  for (let i = 1; i < parts.length; i++) {
    const sep = isDotSegment(parts[i - 1]!) || isDotSegment(parts[i]!) ? "%2F" : "/"
    out += sep + encode(parts[i]!, { slash: "encode" })
  }
  return out
}

/** False for the keys no URL can carry ("." and ".."); see `key`. */
export const isAddressableKey = (value: string): boolean => !isDotSegment(value)

/** "/a/b/c" from raw segments, each encoded with `segment`. */
export const path = (...segments: ReadonlyArray<string>): string => segments.map((s) => `/${segment(s)}`).join("")

/**
 * A query value: `undefined` leaves the parameter out, `null` writes the bare
 * name (S3's `?uploads`, `?acl`), arrays repeat the name.
 */
export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | ReadonlyArray<string | number | boolean>

export type QueryInput =
  | Readonly<Record<string, QueryValue>>
  | ReadonlyArray<readonly [string, string | null | undefined]>

export interface QueryOptions {
  /**
   * Sort by encoded name, then encoded value, in code-unit order — the order
   * SigV4 and other canonical-request signers require, and a stable one for
   * tests and caches. Default false: insertion order.
   */
  readonly sort?: boolean
}

const pairsOf = (input: QueryInput): Array<readonly [string, string | null]> => {
  const out: Array<readonly [string, string | null]> = []
  const entries: ReadonlyArray<readonly [string, QueryValue]> = Array.isArray(input)
    ? (input as ReadonlyArray<readonly [string, string | null | undefined]>)
    : Object.entries(input as Readonly<Record<string, QueryValue>>)
  for (const [name, value] of entries) {
    if (value === undefined) continue
    if (value === null) out.push([name, null])
    else if (Array.isArray(value)) for (const v of value as ReadonlyArray<string | number | boolean>) out.push([name, String(v)])
    else out.push([name, String(value)])
  }
  return out
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The query string without its "?" ("" when empty); names and values RFC 3986-encoded, spaces as %20. */
export const query = (input: QueryInput, options?: QueryOptions): string => {
  const encoded = pairsOf(input).map(([n, v]) => [segment(n), v === null ? null : segment(v)] as const)
  if (options?.sort) {
    encoded.sort((a, b) => compare(a[0], b[0]) || compare(a[1] ?? "", b[1] ?? ""))
  }
  return encoded.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join("&")
}

const splitQuery = (s: string): readonly [string, string] => {
  const hash = s.indexOf("#")
  const noHash = hash === -1 ? s : s.slice(0, hash)
  const q = noHash.indexOf("?")
  return q === -1 ? [noHash, ""] : [noHash.slice(0, q), noHash.slice(q + 1)]
}

/** Whether `url` is absolute (has a scheme), so it is used as given rather than joined to a base. */
export const isAbsolute = (url: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(url)

/**
 * Joins an already-encoded path (and optional "?query") onto a base URL.
 *
 * The base may end with or without "/" and may carry a path prefix
 * (`http://127.0.0.1:8080/v1/AUTH_test`): exactly one "/" separates the two,
 * and nothing inside `pathAndQuery` is touched, so a key's own "//" or
 * leading "/" survives. A query on the base (e.g. an API version) comes first.
 */
export const join = (base: string | URL, pathAndQuery: string): string => {
  const [basePath, baseQuery] = splitQuery(String(base))
  const [p, q] = splitQuery(pathAndQuery)
  let out = basePath
  if (p !== "") {
    out = (out.endsWith("/") ? out.slice(0, -1) : out) + (p.startsWith("/") ? p : `/${p}`)
  }
  const qs = [baseQuery, q].filter((x) => x !== "").join("&")
  return qs === "" ? out : `${out}?${qs}`
}

/** Appends an encoded query string (without "?") to a URL that may already have one. */
export const appendQuery = (url: string, encodedQuery: string): string =>
  encodedQuery === "" ? url : `${url}${url.includes("?") ? "&" : "?"}${encodedQuery}`

/** `join` + `query` in one call: `Url.make(base, "/c/" + Url.key(k), { prefix })`. */
export const make = (base: string | URL, pathAndQuery: string, params?: QueryInput, options?: QueryOptions): string =>
  appendQuery(join(base, pathAndQuery), params === undefined ? "" : query(params, options))
