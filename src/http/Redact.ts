/**
 * What counts as a secret on the wire, and how to hide it from logs, spans
 * and errors (DESIGN.md §4: "Secrets never appear in an error, a log line or
 * a span").
 *
 * Two kinds of secret travel with an HTTP request: credential headers, and
 * signatures or tokens in a presigned URL's query string. Header redaction
 * plugs into @effect/platform's own `Headers.currentRedactedNames`, so the
 * platform's client spans and `Headers` inspection hide ours too; URL and
 * free-text redaction is ours, because the platform records `url.full` as is.
 */
import { Headers } from "@effect/platform"
import { Effect, Layer } from "effect"

/** The placeholder written where a secret was. */
export const placeholder = "REDACTED"

/**
 * Headers that carry credentials, exactly (lower-case). Response headers are
 * included on purpose: Keystone returns its token in `x-subject-token`, Swift
 * tempauth in `x-auth-token` / `x-storage-token`.
 */
export const headerNames: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-amz-security-token",
  "x-amz-server-side-encryption-customer-key",
  "x-amz-copy-source-server-side-encryption-customer-key",
  "x-auth-token",
  "x-auth-key",
  "x-storage-token",
  "x-storage-pass",
  "x-subject-token",
  "x-service-token",
  "x-ms-copy-source-authorization",
  "x-ms-encryption-key",
  "x-goog-api-key",
  "x-goog-encryption-key",
  "x-goog-copy-source-encryption-key",
  "x-container-meta-temp-url-key",
  "x-container-meta-temp-url-key-2",
  "x-account-meta-temp-url-key",
  "x-account-meta-temp-url-key-2"
]

/**
 * Families of headers the exact list cannot enumerate (vendor prefixes,
 * numbered temp-url keys, customer-supplied encryption keys). Over-redacting
 * a harmless `x-…-key` header costs a little debuggability; missing one leaks.
 * `-key-id`, `-key-md5` and `-key-sha256` do not match: they name or hash a
 * key, they are not one.
 */
export const headerPatterns: ReadonlyArray<RegExp> = [
  /^x-[a-z0-9-]*(?:authorization|token|secret|signature|password|passwd|credentials?)$/,
  /^x-[a-z0-9-]*-key(?:-\d+)?$/
]

/** Everything above, in the shape `Headers.currentRedactedNames` holds. */
export const redactedNames: ReadonlyArray<string | RegExp> = [...headerNames, ...headerPatterns]

const exact = new Set(headerNames)

/** Whether a header (any case) carries a credential. */
export const isSensitiveHeader = (name: string): boolean => {
  const n = name.toLowerCase()
  return exact.has(n) || headerPatterns.some((p) => p.test(n))
}

/** Adds our names to a list, keeping what the application already had. */
export const mergeNames = (current: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  const have = new Set(current.map((n) => (typeof n === "string" ? n.toLowerCase() : `/${n.source}/${n.flags}`)))
  const missing = redactedNames.filter((n) => !have.has(typeof n === "string" ? n : `/${n.source}/${n.flags}`))
  return missing.length === 0 ? current : [...current, ...missing]
}

/**
 * Extends `Headers.currentRedactedNames` for the rest of the application, so
 * the platform's own spans and any logged `Headers` hide these credentials
 * outside cloudfx's requests too. (ProviderHttp already does this around each
 * request; this layer is for everything else.)
 */
export const layer: Layer.Layer<never> = Layer.fiberRefLocallyScopedWith(Headers.currentRedactedNames, mergeNames)

/** Runs an effect with the platform's header redaction extended by our list. */
export const withRedactedHeaders = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locallyWith(self, Headers.currentRedactedNames, mergeNames)

/** A plain record of headers with every credential value replaced, for logs and errors. */
export const headers = (input: Headers.Input | Headers.Headers): Record<string, string> => {
  const h = Headers.isHeaders(input) ? input : Headers.fromInput(input)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) out[k] = isSensitiveHeader(k) ? placeholder : v
  return out
}

/**
 * Query parameters that are secrets: SigV4 presign (X-Amz-Signature,
 * X-Amz-Credential, X-Amz-Security-Token), SigV2 (Signature), Azure SAS (sig),
 * Swift temp URLs (temp_url_sig), GCS V4 (X-Goog-Signature), OAuth and API
 * keys. Matched on the decoded, lower-cased name.
 */
const queryPattern = /(?:^|[-_.])(?:sig|signature|token|credential|secret|password|passwd|pwd|apikey|api[-_]key|key|access_token|id_token|refresh_token|client_secret|code)$/

/** Paging cursors end in "token" but are not credentials, and are what one needs when debugging a listing. */
const queryAllowed = new Set([
  "continuation-token",
  "pagetoken",
  "page_token",
  "nextpagetoken",
  "next_token",
  "nexttoken",
  "start-after",
  "marker",
  "max-keys",
  "continuationtoken"
])

const decodeName = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " ")).toLowerCase()
  } catch {
    return raw.toLowerCase()
  }
}

/**
 * Credentials whose names the pattern cannot tell: a GCS resumable session's
 * `upload_id` is the session's only key ("the session URI acts as an
 * authentication token", performing-resumable-uploads).
 */
const querySecrets = new Set(["upload_id"])

/** Whether a query parameter (any case, encoded or not) carries a secret. */
export const isSensitiveQueryParam = (name: string): boolean => {
  const n = decodeName(name)
  return querySecrets.has(n) || (!queryAllowed.has(n) && queryPattern.test(n))
}

const redactQuery = (query: string): string =>
  query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=")
      const name = eq === -1 ? pair : pair.slice(0, eq)
      return eq !== -1 && isSensitiveQueryParam(name) ? `${name}=${placeholder}` : pair
    })
    .join("&")

/** Whether a URL's query string carries a secret (used to keep such URLs out of the platform's spans). */
export const hasSensitiveQuery = (url: string | URL): boolean => {
  const s = String(url)
  const q = s.indexOf("?")
  if (q === -1) return false
  const query = s.slice(q + 1).split("#")[0] ?? ""
  return query.split("&").some((pair) => {
    const eq = pair.indexOf("=")
    return isSensitiveQueryParam(eq === -1 ? pair : pair.slice(0, eq))
  })
}

/**
 * A URL safe to log: user:password@ removed, secret query values replaced,
 * fragment dropped. Works on absolute and relative URLs and never throws
 * (string surgery, not `new URL`, so it cannot fail on a malformed URL and
 * does not re-encode what it was given).
 */
export const url = (input: string | URL): string => {
  let s = String(input)
  const hash = s.indexOf("#")
  if (hash !== -1) s = s.slice(0, hash)
  // userinfo: scheme://user:pass@host
  s = s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1")
  const q = s.indexOf("?")
  if (q === -1) return s
  return `${s.slice(0, q)}?${redactQuery(s.slice(q + 1))}`
}

/** A URL without its query string at all: for error messages, where the path is what helps. */
export const path = (input: string | URL): string => {
  const s = url(input)
  const q = s.indexOf("?")
  return q === -1 ? s : s.slice(0, q)
}

const urlInText = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi
// The credential must look like one (8+ token characters) so prose such as "Token has expired" survives.
const schemeCredential = /\b(Bearer|Basic|Digest|AWS4-HMAC-SHA256|AWS|SharedKey|SharedKeyLite|Token|OAuth)\s+[A-Za-z0-9._~+/=:-]{8,}/gi
const assignment =
  /\b([A-Za-z0-9_.-]*(?:sig|signature|token|credential|secret|password|passwd|apikey|api[-_]key|access_key|secret_key|accesskey|secretkey))(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"'<>]+)/gi

/**
 * Scrubs free text (a provider's error message, a transport error's
 * description) of URLs with secrets, `Authorization`-style credentials and
 * `name=secret` assignments, then bounds its length. Used on every string
 * cloudfx puts into an error that did not come from its own code.
 */
export const text = (input: string, maxLength = 500): string => {
  const out = input
    .replace(urlInText, (u) => url(u))
    .replace(schemeCredential, (_m, scheme: string) => `${scheme} ${placeholder}`)
    .replace(assignment, (m, name: string, sep: string) => (queryAllowed.has(name.toLowerCase()) ? m : `${name}${sep}${placeholder}`))
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out
}
