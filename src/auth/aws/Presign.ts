/**
 * AWS Signature Version 4, query-string form (presigned URLs): the pure core.
 *
 * The signature travels in the query string (`X-Amz-Algorithm`,
 * `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 * `X-Amz-Security-Token`, `X-Amz-Signature`); the headers given (at least
 * `host`) are signed and must be sent as given by whoever uses the URL.
 */
import { Either, Redacted } from "effect"
import { InvalidInput } from "../../schemas/Errors.js"
import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequestOf,
  canonicalUri,
  DEFAULT_UNSIGNED_HEADERS,
  type Pair,
  type SignableRequest,
  uriEncode,
  wirePath
} from "./Canonical.js"
import { EMPTY_SHA256, sha256Hex } from "./Keys.js"
import {
  ALGORITHM,
  credentialScope,
  signString,
  type SigV4Options,
  type SigV4Params,
  stringToSign,
  toAmzDate,
  UNSIGNED_PAYLOAD,
  uriRules
} from "./SigV4.js"

/** Shortest and longest lifetime SigV4 accepts for a presigned URL. */
export const MIN_EXPIRES_IN = 1
export const MAX_EXPIRES_IN = 604_800

/** Where an error is reported from (provider and portable operation). */
export interface Where {
  readonly provider: string
  readonly operation: string
}

const defaultWhere: Where = { provider: "aws", operation: "SigV4.presign" }

export interface PresignOptions extends SigV4Options {
  /** Lifetime in whole seconds, 1 … 604800 (7 days). */
  readonly expiresIn: number
  /** Names the operation in an `InvalidInput`. Default `aws` / `SigV4.presign`. */
  readonly where?: Where | undefined
}

export interface PresignedRequest {
  readonly amzDate: string
  readonly credentialScope: string
  readonly payloadHash: string
  readonly canonicalRequest: string
  readonly signedHeaders: string
  readonly stringToSign: string
  readonly signature: string
  /** The path to put on the URL (already encoded). */
  readonly path: string
  /** The encoded query string to put on the URL (without `?`), signature included. */
  readonly query: string
  /** The same parameters, decoded (in the order they were added, not URL order). */
  readonly queryParams: ReadonlyArray<Pair>
}

/** Checks `expiresIn` is a whole number of seconds within 1 s … 7 days. */
export const validateExpiresIn = (expiresIn: number, where: Where = defaultWhere): Either.Either<number, InvalidInput> =>
  Number.isInteger(expiresIn) && expiresIn >= MIN_EXPIRES_IN && expiresIn <= MAX_EXPIRES_IN
    ? Either.right(expiresIn)
    : Either.left(
      new InvalidInput({
        ...where,
        field: "expiresIn",
        reason: `must be a whole number of seconds from ${MIN_EXPIRES_IN} to ${MAX_EXPIRES_IN} (7 days), got ${
          Number.isFinite(expiresIn) ? String(expiresIn) : "a non-finite number"
        }`
      })
    )

const SIGNER_PARAMS = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token"
])

/**
 * Presign a request. The payload hash is `UNSIGNED-PAYLOAD` for S3 (or when
 * `unsignedPayload`), else the request's payload hash or body hash.
 * Fails with `InvalidInput` (field `expiresIn`) outside 1 s … 7 days, or
 * (field `headers`) when no `host` header is given.
 */
export const presignRequest = (
  request: SignableRequest,
  params: SigV4Params,
  options: PresignOptions
): Either.Either<PresignedRequest, InvalidInput> => {
  const where = options.where ?? defaultWhere
  const expires = validateExpiresIn(options.expiresIn, where)
  if (Either.isLeft(expires)) return Either.left(expires.left)
  const { credentials, region, service } = params
  const amzDate = toAmzDate(params.date)
  const scope = credentialScope(amzDate, region, service)
  const unsigned = options.unsignedPayload ?? options.s3 === true
  const payloadHash = unsigned
    ? UNSIGNED_PAYLOAD
    : request.payloadHash ?? (request.body === undefined ? EMPTY_SHA256 : sha256Hex(request.body))

  const headers: Array<Pair> = []
  let hasHost = false
  for (const h of request.headers) {
    const lower = h[0].toLowerCase()
    if (lower === "x-amz-date" || lower === "x-amz-security-token" || lower === "authorization") continue
    if (lower === "host") hasHost = true
    headers.push(h)
  }
  if (!hasHost) {
    return Either.left(new InvalidInput({ ...where, field: "headers", reason: "a Host header is required to presign" }))
  }
  const canonical = canonicalHeaders(headers, options.unsignedHeaders ?? DEFAULT_UNSIGNED_HEADERS)

  const token = credentials.sessionToken
  const signToken = options.signSessionToken !== false
  const query: Array<Pair> = (request.query ?? []).filter((p) => !SIGNER_PARAMS.has(p[0]))
  query.push(
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", credentials.accessKeyId + "/" + scope],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(expires.right)],
    ["X-Amz-SignedHeaders", canonical.signedHeaders]
  )
  if (token !== undefined && signToken) query.push(["X-Amz-Security-Token", Redacted.value(token)])
  const canonicalQuery = canonicalQueryString(query)

  const creq = canonicalRequestOf(
    request.method,
    canonicalUri(request.path, request.pathEncoded === true, uriRules(options)),
    canonicalQuery,
    canonical,
    payloadHash
  )
  const sts = stringToSign(amzDate, scope, creq)
  const signature = signString(credentials.secretAccessKey, amzDate, region, service, sts)

  let finalQuery = canonicalQuery + "&X-Amz-Signature=" + signature
  query.push(["X-Amz-Signature", signature])
  if (token !== undefined && !signToken) {
    const value = Redacted.value(token)
    finalQuery += "&X-Amz-Security-Token=" + uriEncode(value)
    query.push(["X-Amz-Security-Token", value])
  }
  return Either.right({
    amzDate,
    credentialScope: scope,
    payloadHash,
    canonicalRequest: creq,
    signedHeaders: canonical.signedHeaders,
    stringToSign: sts,
    signature,
    path: wirePath(request.path, request.pathEncoded === true, options.s3 === true),
    query: finalQuery,
    queryParams: query
  })
}
