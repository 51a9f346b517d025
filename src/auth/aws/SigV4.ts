/**
 * AWS Signature Version 4, header form: the pure core.
 *
 * `signHeaders` turns a {@link SignableRequest} into every intermediate value
 * (canonical request, string to sign, signature, Authorization header) plus
 * the header list to send. Each stage is also exported on its own so tests
 * can compare against the published vectors stage by stage.
 */
import { Redacted } from "effect"
import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequestOf,
  canonicalUri,
  DEFAULT_UNSIGNED_HEADERS,
  type Pair,
  type SignableRequest
} from "./Canonical.js"
import { EMPTY_SHA256, hmacSha256Hex, sha256Hex, signingKey } from "./Keys.js"

export const ALGORITHM = "AWS4-HMAC-SHA256"
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
export const STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

/** What the signer needs of the credentials. Secrets stay `Redacted`. */
export interface SigningCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

export interface SigV4Params {
  readonly credentials: SigningCredentials
  readonly region: string
  readonly service: string
  /** The signing time (epoch milliseconds or a Date). */
  readonly date: Date | number
}

export interface SigV4Options {
  /**
   * S3 rules: no path normalisation, no double URI encoding, and the
   * `x-amz-content-sha256` header is added and signed. The finer options
   * below override what this selects.
   */
  readonly s3?: boolean | undefined
  /** Default: `!s3`. */
  readonly normalizePath?: boolean | undefined
  /** Default: `!s3`. */
  readonly doubleEncodePath?: boolean | undefined
  /** Add and sign `x-amz-content-sha256` (header form only). Default: `s3`. */
  readonly contentSha256Header?: boolean | undefined
  /** Use the literal `UNSIGNED-PAYLOAD` as the payload hash. */
  readonly unsignedPayload?: boolean | undefined
  /**
   * Sign the session token (`x-amz-security-token` header, or the
   * `X-Amz-Security-Token` query parameter when presigning). Default `true`;
   * `false` adds it after signing, unsigned, as a few services require
   * (the suite's `post-sts-header-after`).
   */
  readonly signSessionToken?: boolean | undefined
  /** Lower-case header names left out of the signature. Default {@link DEFAULT_UNSIGNED_HEADERS}. */
  readonly unsignedHeaders?: ReadonlySet<string> | undefined
}

/** Everything signing produced, stage by stage. */
export interface HeaderSignature {
  /** `YYYYMMDDTHHMMSSZ` */
  readonly amzDate: string
  /** `YYYYMMDD/region/service/aws4_request` */
  readonly credentialScope: string
  readonly payloadHash: string
  readonly canonicalRequest: string
  readonly signedHeaders: string
  readonly stringToSign: string
  /** Hex HMAC-SHA256 of the string to sign. */
  readonly signature: string
  /** The `Authorization` header value. */
  readonly authorization: string
  /** The request's headers as they must be sent: the input plus x-amz-date, x-amz-security-token, x-amz-content-sha256 and authorization. */
  readonly headers: ReadonlyArray<Pair>
}

// ---------------------------------------------------------------------------
// Stages

/** `YYYYMMDDTHHMMSSZ` for a time. */
export const toAmzDate = (date: Date | number): string => {
  // SigV4 has one-second resolution: remember the last second formatted.
  const second = Math.floor((typeof date === "number" ? date : date.getTime()) / 1000)
  if (second === lastSecond) return lastAmzDate
  const iso = new Date(second * 1000).toISOString()
  lastAmzDate = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) +
    iso.slice(17, 19) + "Z"
  lastSecond = second
  return lastAmzDate
}
let lastSecond = Number.NaN
let lastAmzDate = ""

export const credentialScope = (amzDate: string, region: string, service: string): string =>
  amzDate.slice(0, 8) + "/" + region + "/" + service + "/aws4_request"

/** The string to sign for a canonical request. */
export const stringToSign = (amzDate: string, scope: string, canonicalRequest: string): string =>
  ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest)

/** Hex signature of any SigV4 string to sign, with the (cached) signing key for its scope. */
export const signString = (
  secretAccessKey: Redacted.Redacted<string>,
  amzDate: string,
  region: string,
  service: string,
  toSign: string
): string => hmacSha256Hex(signingKey(secretAccessKey, amzDate.slice(0, 8), region, service), toSign)

export const authorizationHeader = (
  accessKeyId: string,
  scope: string,
  signedHeaders: string,
  signature: string
): string =>
  ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" +
  signature

const findHeader = (headers: ReadonlyArray<Pair>, lowerName: string): string | undefined => {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!
    if (h[0].length === lowerName.length && h[0].toLowerCase() === lowerName) return h[1]
  }
  return undefined
}

/**
 * The payload hash: `UNSIGNED-PAYLOAD` when asked, else the request's
 * `payloadHash`, else an `x-amz-content-sha256` header already present, else
 * SHA-256 of the body (empty when there is none).
 */
export const payloadHashOf = (request: SignableRequest, options: SigV4Options = {}): string => {
  if (options.unsignedPayload === true) return UNSIGNED_PAYLOAD
  if (request.payloadHash !== undefined) return request.payloadHash
  const header = findHeader(request.headers, "x-amz-content-sha256")
  if (header !== undefined) return header.trim()
  return request.body === undefined ? EMPTY_SHA256 : sha256Hex(request.body)
}

/** Resolved URI rules for these options. */
export const uriRules = (options: SigV4Options) => ({
  normalizePath: options.normalizePath ?? options.s3 !== true,
  doubleEncodePath: options.doubleEncodePath ?? options.s3 !== true
})

/**
 * The canonical request for the request exactly as given (its headers are
 * all signed, except `options.unsignedHeaders`).
 */
export const canonicalRequest = (
  request: SignableRequest,
  payloadHash: string,
  options: SigV4Options = {}
): { readonly canonicalRequest: string; readonly signedHeaders: string } => {
  const headers = canonicalHeaders(request.headers, options.unsignedHeaders ?? DEFAULT_UNSIGNED_HEADERS)
  const creq = canonicalRequestOf(
    request.method,
    canonicalUri(request.path, request.pathEncoded === true, uriRules(options)),
    canonicalQueryString(request.query),
    headers,
    payloadHash
  )
  return { canonicalRequest: creq, signedHeaders: headers.signedHeaders }
}

// ---------------------------------------------------------------------------
// Header signing

/**
 * Sign a request with an `Authorization` header.
 *
 * `x-amz-date` (from `params.date`), `x-amz-security-token` (when the
 * credentials carry one) and, with `contentSha256Header`,
 * `x-amz-content-sha256` are set by the signer, replacing any value already
 * there. Every other header given is signed except `options.unsignedHeaders`;
 * include `host` (exactly as it will be sent).
 */
export const signHeaders = (
  request: SignableRequest,
  params: SigV4Params,
  options: SigV4Options = {}
): HeaderSignature => {
  const { credentials, region, service } = params
  const amzDate = toAmzDate(params.date)
  const scope = credentialScope(amzDate, region, service)
  const payloadHash = payloadHashOf(request, options)
  const token = credentials.sessionToken
  const signToken = options.signSessionToken !== false
  const contentSha = options.contentSha256Header ?? options.s3 === true

  const headers: Array<Pair> = []
  for (let i = 0; i < request.headers.length; i++) {
    const h = request.headers[i]!
    if (!isReplaced(h[0], token !== undefined, contentSha)) headers.push(h)
  }
  headers.push(["x-amz-date", amzDate])
  if (token !== undefined && signToken) headers.push(["x-amz-security-token", redactedValue(token)])
  if (contentSha) headers.push(["x-amz-content-sha256", payloadHash])

  const { canonicalRequest: creq, signedHeaders } = canonicalRequest(
    { ...request, headers },
    payloadHash,
    options
  )
  const sts = stringToSign(amzDate, scope, creq)
  const signature = signString(credentials.secretAccessKey, amzDate, region, service, sts)
  const authorization = authorizationHeader(credentials.accessKeyId, scope, signedHeaders, signature)
  if (token !== undefined && !signToken) headers.push(["x-amz-security-token", redactedValue(token)])
  headers.push(["authorization", authorization])
  return {
    amzDate,
    credentialScope: scope,
    payloadHash,
    canonicalRequest: creq,
    signedHeaders,
    stringToSign: sts,
    signature,
    authorization,
    headers
  }
}

const isReplaced = (name: string, token: boolean, contentSha: boolean): boolean => {
  const lower = name.toLowerCase()
  return lower === "x-amz-date" || lower === "authorization" ||
    (token && lower === "x-amz-security-token") ||
    (contentSha && lower === "x-amz-content-sha256")
}

// The session token is a credential, but it travels in clear in the request
// (header or query) by design; it is unwrapped only where it is put there.
const redactedValue = (token: Redacted.Redacted<string>): string => Redacted.value(token)
