/**
 * Azure Storage Shared Key authorization (Blob service and the other storage
 * services), per "Authorize with Shared Key" on Microsoft Learn.
 *
 * Stages, each usable alone (and tested alone against the published vectors):
 *   1. `canonicalizedHeaders` / `canonicalizedResource`
 *   2. `sharedKeyStringToSign` — VERB, the eleven standard headers, the
 *      canonicalized `x-ms-` headers and the canonicalized resource
 *   3. `decodeAccountKey` + `hmacSha256Base64` — the signature
 * and the adapter `sharedKeySigner(credentials)`, which turns an
 * `HttpClientRequest` into a signed one: it sets `x-ms-date` from `Clock`,
 * `x-ms-version` when the request has none, and `Authorization:
 * SharedKey <account>:<signature>`.
 *
 * Shared Key Lite is not implemented (no vector needs it; every service
 * version cloudfx targets accepts full Shared Key).
 */
import type { HttpClientRequest as Request } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Option, Redacted } from "effect"
import { createHmac } from "node:crypto"
import { InvalidCredentials, InvalidInput } from "../../schemas/Errors.js"

/** Azure storage account credentials (DESIGN.md §3). `key` is the base64 account key. */
export interface AzureCredentials {
  readonly account: string
  readonly key: Redacted.Redacted<string>
}

/** Who raised an error: copied into every error the signers produce. */
export interface Where {
  readonly provider: string
  readonly operation: string
}

/** The service version the signer sends when the request names none (also Azurite 3.35's). */
export const DEFAULT_VERSION = "2021-08-06"

const defaultWhere: Where = { provider: "azure", operation: "AzureStorage.sharedKey" }

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** The HMAC key: the account key's base64-decoded bytes. Never echoes the key. */
export const decodeAccountKey = (
  key: Redacted.Redacted<string>,
  where: Where = defaultWhere
): Effect.Effect<Uint8Array, InvalidCredentials> =>
  Effect.suspend(() => {
    const text = Redacted.value(key).trim()
    if (text.length === 0) return Effect.fail(new InvalidCredentials({ ...where, reason: "the account key is empty" }))
    if (!BASE64.test(text)) {
      return Effect.fail(new InvalidCredentials({ ...where, reason: "the account key is not valid base64" }))
    }
    return Effect.succeed(new Uint8Array(Buffer.from(text, "base64")))
  })

/** base64(HMAC-SHA256(key, UTF-8 string)) — the signature of every Shared Key and SAS scheme. */
export const hmacSha256Base64 = (key: Uint8Array, stringToSign: string): string =>
  createHmac("sha256", key).update(stringToSign, "utf8").digest("base64")

export type HeaderList = ReadonlyArray<readonly [string, string]>

/** What the string to sign is computed from, independent of any HTTP library. */
export interface SharedKeyInput {
  readonly method: string
  /**
   * The request path exactly as sent (percent-encoded), appended verbatim
   * after `/<account>`. For path-style (emulator) URLs it starts with the
   * account name again: `/devstoreaccount1/container`.
   */
  readonly path: string
  /** Query parameters, decoded. Repeated names are allowed. */
  readonly query: HeaderList
  /** Request headers, any case. Repeated names are joined with ",". */
  readonly headers: HeaderList
}

const headerMap = (headers: HeaderList): Map<string, string> => {
  const map = new Map<string, string>()
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    const previous = map.get(key)
    map.set(key, previous === undefined ? value : `${previous},${value}`)
  }
  return map
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `x-ms-*` headers: lowercase names, sorted, `name:value\n` each, values unfolded and trimmed. */
export const canonicalizedHeaders = (headers: HeaderList): string => {
  const map = headerMap(headers)
  return [...map.keys()]
    .filter((name) => name.startsWith("x-ms-"))
    .sort(byCodeUnit)
    .map((name) => `${name.trim()}:${(map.get(name) ?? "").replace(/\s*\r?\n\s*/g, " ").trim()}\n`)
    .join("")
}

/**
 * `/<account><path>` then, per query parameter name (lowercased, sorted),
 * `\nname:v1,v2` with the values sorted.
 */
export const canonicalizedResource = (account: string, path: string, query: HeaderList): string => {
  const params = new Map<string, Array<string>>()
  for (const [name, value] of query) {
    const key = name.toLowerCase()
    const values = params.get(key)
    if (values === undefined) params.set(key, [value])
    else values.push(value)
  }
  let out = `/${account}${path}`
  for (const name of [...params.keys()].sort(byCodeUnit)) {
    out += `\n${name}:${(params.get(name) ?? []).sort(byCodeUnit).join(",")}`
  }
  return out
}

const STANDARD_HEADERS = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range"
] as const

/** The Shared Key string to sign for `account`. */
export const sharedKeyStringToSign = (account: string, input: SharedKeyInput): string => {
  const map = headerMap(input.headers)
  const version = map.get("x-ms-version") ?? ""
  const lines = STANDARD_HEADERS.map((name) => {
    const value = map.get(name) ?? ""
    // Since 2015-02-21 a zero Content-Length is signed as the empty string.
    if (name === "content-length" && value.trim() === "0" && (version === "" || version >= "2015-02-21")) return ""
    return value
  })
  return [input.method.toUpperCase(), ...lines].join("\n") + "\n" + canonicalizedHeaders(input.headers) +
    canonicalizedResource(account, input.path, input.query)
}

/** The `Authorization` header value for a string to sign. */
export const sharedKeyAuthorization = (
  credentials: AzureCredentials,
  stringToSign: string,
  where: Where = defaultWhere
): Effect.Effect<string, InvalidCredentials> =>
  Effect.map(
    decodeAccountKey(credentials.key, where),
    (key) => `SharedKey ${credentials.account}:${hmacSha256Base64(key, stringToSign)}`
  )

export interface SharedKeySignerOptions {
  /** `x-ms-version` to send when the request does not set one. Default `DEFAULT_VERSION`. */
  readonly version?: string
  readonly where?: Where
}

/** RFC 1123 date, the `x-ms-date` format: `Fri, 26 Jun 2015 23:39:12 GMT`. */
export const httpDate = (millis: number): string => new Date(millis).toUTCString()

/** The pieces of an `HttpClientRequest` the string to sign needs, read the way the client will send them. */
export const sharedKeyInputFromRequest = (
  request: Request.HttpClientRequest,
  where: Where = defaultWhere
): Effect.Effect<SharedKeyInput, InvalidInput> =>
  Effect.suspend(() => {
    const url = HttpClientRequest.toUrl(request)
    if (Option.isNone(url)) return Effect.fail(new InvalidInput({ ...where, field: "url", reason: "is not a valid URL" }))
    const body = request.body
    if (body._tag === "FormData") {
      return Effect.fail(
        new InvalidInput({ ...where, field: "body", reason: "multipart form bodies cannot be signed with Shared Key" })
      )
    }
    const headers: Array<readonly [string, string]> = Object.entries(request.headers)
    const has = (name: string) => Object.prototype.hasOwnProperty.call(request.headers, name)
    // The client derives these from the body when the request does not carry them.
    if (!has("content-type") && body._tag !== "Empty" && body.contentType !== undefined && body.contentType !== "") {
      headers.push(["content-type", body.contentType])
    }
    if (!has("content-length") && body._tag !== "Empty" && body.contentLength !== undefined) {
      headers.push(["content-length", String(body.contentLength)])
    }
    return Effect.succeed({
      method: request.method,
      path: url.value.pathname === "" ? "/" : url.value.pathname,
      query: [...url.value.searchParams.entries()],
      headers
    })
  })

/**
 * The Shared Key adapter: `(request, context?) => Effect<signed request>`,
 * the shape of `Signer` in src/http (a retry re-signs, so `x-ms-date` is
 * always fresh). Sets `x-ms-date` (from `Clock`), `x-ms-version` (unless
 * present) and `Authorization`. Fails with `InvalidCredentials` on an unusable
 * key, never with the key in it. A request that cannot be signed at all (no
 * absolute URL, a multipart form body) is a bug in the calling layer and dies
 * with a message saying so. Errors name `context`'s provider and operation
 * when given.
 */
export const sharedKeySigner = (credentials: AzureCredentials, options: SharedKeySignerOptions = {}) => {
  const version = options.version ?? DEFAULT_VERSION
  return (
    request: Request.HttpClientRequest,
    context?: Where
  ): Effect.Effect<Request.HttpClientRequest, InvalidCredentials> =>
    Effect.gen(function*() {
      const where: Where = context === undefined
        ? options.where ?? defaultWhere
        : { provider: context.provider, operation: context.operation }
      const key = yield* decodeAccountKey(credentials.key, where)
      const now = yield* Clock.currentTimeMillis
      let dated = HttpClientRequest.setHeader(request, "x-ms-date", httpDate(now))
      if (!Object.prototype.hasOwnProperty.call(dated.headers, "x-ms-version")) {
        dated = HttpClientRequest.setHeader(dated, "x-ms-version", version)
      }
      const input = yield* sharedKeyInputFromRequest(dated, where).pipe(
        Effect.orDieWith((e) => new Error(`Azure Shared Key cannot sign this request: ${e.field} ${e.reason}`))
      )
      const signature = hmacSha256Base64(key, sharedKeyStringToSign(credentials.account, input))
      return HttpClientRequest.setHeader(dated, "authorization", `SharedKey ${credentials.account}:${signature}`)
    })
}
