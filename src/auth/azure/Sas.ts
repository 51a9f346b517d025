/**
 * Azure Storage shared access signatures signed with the account key.
 *
 * Low level (any storage service, wire field names): `serviceSasStringToSign`,
 * `accountSasStringToSign`, `signServiceSas`, `signAccountSas`. The
 * string-to-sign layout depends on `sv`:
 *   - blob/file, sv < 2018-11-09: sp st se resource si sip spr sv rscc rscd rsce rscl rsct
 *   - blob,      sv ≥ 2018-11-09: … sv sr snapshot rscc … (file keeps the old layout)
 *   - blob,      sv ≥ 2020-12-06: … sv sr snapshot ses rscc …
 *   - queue: sp st se resource si sip spr sv
 *   - table: sp st se resource si sip spr sv spk srk epk erk
 *   - account: account sp ss srt st se sip spr sv [ses ≥ 2020-12-06] + "\n"
 * The 2018-03-28 layouts are checked against Microsoft's published SDK
 * signatures; the newer blob layouts follow the REST docs and Azurite's
 * verifier (the local oracle).
 *
 * High level (Blob service): `blobSas` / `containerSas` build the query and
 * `blobSasUrl` / `containerSasUrl` the full URL, with the expiry taken from
 * `Clock` and validated (`InvalidInput`) before anything is signed.
 */
import { Clock, Duration, Effect } from "effect"
import { InvalidCredentials, InvalidInput } from "../../schemas/Errors.js"
import { type AzureCredentials, decodeAccountKey, DEFAULT_VERSION, hmacSha256Base64, type Where } from "./SharedKey.js"

export type SasService = "blob" | "file" | "queue" | "table"

/** SAS fields by their query-parameter names. Absent fields sign as empty lines. */
export interface SasParams {
  readonly sv: string
  readonly sp?: string
  readonly st?: string
  readonly se?: string
  readonly si?: string
  readonly sip?: string
  readonly spr?: string
  /** signedResource: b (blob), c (container), bs (snapshot), bv (version), f, s. */
  readonly sr?: string
  /** signedSnapshotTime (blob, sv ≥ 2018-11-09). */
  readonly sst?: string
  /** signedEncryptionScope (sv ≥ 2020-12-06). */
  readonly ses?: string
  readonly rscc?: string
  readonly rscd?: string
  readonly rsce?: string
  readonly rscl?: string
  readonly rsct?: string
  /** Table name (table SAS). */
  readonly tn?: string
  readonly spk?: string
  readonly srk?: string
  readonly epk?: string
  readonly erk?: string
}

export interface AccountSasParams {
  readonly sv: string
  readonly ss: string
  readonly srt: string
  readonly sp: string
  readonly se: string
  readonly st?: string
  readonly sip?: string
  readonly spr?: string
  readonly ses?: string
}

/** A signed SAS: what was signed, the signature, and the query parameters in a stable order. */
export interface SignedSas {
  readonly stringToSign: string
  readonly signature: string
  readonly query: ReadonlyArray<readonly [string, string]>
}

const sasWhere: Where = { provider: "azure", operation: "AzureBlob.sas" }

const v = (value: string | undefined) => value ?? ""

/**
 * The canonicalized resource of a service SAS: `/<service>/<account>/<path>`,
 * e.g. `/blob/acct/container/dir/blob.txt`, `/queue/acct/queue1`.
 * `path` is the unencoded container/blob (share/dir/file, queue, table) path.
 */
export const sasCanonicalizedResource = (service: SasService, account: string, path: string): string =>
  `/${service}/${account}/${service === "table" ? path.toLowerCase() : path}`

export const serviceSasStringToSign = (
  service: SasService,
  canonicalizedResource: string,
  params: SasParams
): string => {
  const head = [v(params.sp), v(params.st), v(params.se), canonicalizedResource, v(params.si), v(params.sip), v(params.spr), params.sv]
  const response = [v(params.rscc), v(params.rscd), v(params.rsce), v(params.rscl), v(params.rsct)]
  switch (service) {
    case "queue":
      return head.join("\n")
    case "table":
      return [...head, v(params.spk), v(params.srk), v(params.epk), v(params.erk)].join("\n")
    case "file":
      return [...head, ...response].join("\n")
    case "blob":
      if (params.sv >= "2020-12-06") return [...head, v(params.sr), v(params.sst), v(params.ses), ...response].join("\n")
      if (params.sv >= "2018-11-09") return [...head, v(params.sr), v(params.sst), ...response].join("\n")
      return [...head, ...response].join("\n")
  }
}

export const accountSasStringToSign = (account: string, params: AccountSasParams): string => {
  const fields = [account, params.sp, params.ss, params.srt, v(params.st), params.se, v(params.sip), v(params.spr), params.sv]
  if (params.sv >= "2020-12-06") fields.push(v(params.ses))
  return fields.join("\n") + "\n"
}

const QUERY_ORDER = [
  "sv",
  "ss",
  "srt",
  "sr",
  "sst",
  "st",
  "se",
  "sp",
  "sip",
  "spr",
  "si",
  "ses",
  "tn",
  "spk",
  "srk",
  "epk",
  "erk",
  "rscc",
  "rscd",
  "rsce",
  "rscl",
  "rsct"
] as const

// The snapshot time travels as `snapshot` in the URL, not `sst`.
const wireName = (field: string) => (field === "sst" ? "snapshot" : field)

const toQuery = (params: Readonly<Record<string, string | undefined>>, signature: string) => {
  const query: Array<readonly [string, string]> = []
  for (const field of QUERY_ORDER) {
    const value = params[field]
    if (value !== undefined && value !== "") query.push([wireName(field), value])
  }
  query.push(["sig", signature])
  return query
}

/** Percent-encodes a SAS query for a URL (`:` → `%3A`, `+` → `%2B`, …). */
export const sasQueryString = (query: ReadonlyArray<readonly [string, string]>): string =>
  query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&")

export const signServiceSas = (
  credentials: AzureCredentials,
  service: SasService,
  canonicalizedResource: string,
  params: SasParams,
  where: Where = sasWhere
): Effect.Effect<SignedSas, InvalidCredentials> =>
  Effect.map(decodeAccountKey(credentials.key, where), (key) => {
    const stringToSign = serviceSasStringToSign(service, canonicalizedResource, params)
    const signature = hmacSha256Base64(key, stringToSign)
    return { stringToSign, signature, query: toQuery({ ...params }, signature) }
  })

export const signAccountSas = (
  credentials: AzureCredentials,
  params: AccountSasParams,
  where: Where = sasWhere
): Effect.Effect<SignedSas, InvalidCredentials> =>
  Effect.map(decodeAccountKey(credentials.key, where), (key) => {
    const stringToSign = accountSasStringToSign(credentials.account, params)
    const signature = hmacSha256Base64(key, stringToSign)
    return { stringToSign, signature, query: toQuery({ ...params }, signature) }
  })

// ---------------------------------------------------------------------------
// Blob service SAS, high level

export type SasPermission =
  | "read"
  | "add"
  | "create"
  | "write"
  | "delete"
  | "deleteVersion"
  | "permanentDelete"
  | "list"
  | "tags"
  | "filterByTags"
  | "move"
  | "execute"
  | "ownership"
  | "permissions"
  | "setImmutabilityPolicy"

/** The order the service requires: r a c w d x y l t f m e o p i. */
const PERMISSION_LETTERS: ReadonlyArray<readonly [SasPermission, string]> = [
  ["read", "r"],
  ["add", "a"],
  ["create", "c"],
  ["write", "w"],
  ["delete", "d"],
  ["deleteVersion", "x"],
  ["permanentDelete", "y"],
  ["list", "l"],
  ["tags", "t"],
  ["filterByTags", "f"],
  ["move", "m"],
  ["execute", "e"],
  ["ownership", "o"],
  ["permissions", "p"],
  ["setImmutabilityPolicy", "i"]
]

/** `["list", "read"]` → `"rl"`: the permission letters in the service's order. */
export const permissionString = (permissions: Iterable<SasPermission>): string => {
  const wanted = new Set(permissions)
  return PERMISSION_LETTERS.filter(([name]) => wanted.has(name)).map(([, letter]) => letter).join("")
}

export interface BlobSasOptions {
  readonly permissions: Iterable<SasPermission>
  /** How long from now (`Clock`) the SAS works; or give `expiresOn`. */
  readonly expiresIn?: Duration.DurationInput
  readonly expiresOn?: Date
  readonly startsOn?: Date
  /** `https` (default) or `https,http`. */
  readonly protocol?: "https" | "https,http"
  /** A single address or `low-high` range. */
  readonly ipRange?: string
  /** A stored access policy on the container. */
  readonly identifier?: string
  /** Default `DEFAULT_VERSION`. */
  readonly version?: string
  readonly snapshotTime?: string
  readonly encryptionScope?: string
  /** Response header overrides (rscc, rscd, rsce, rscl, rsct). */
  readonly cacheControl?: string
  readonly contentDisposition?: string
  readonly contentEncoding?: string
  readonly contentLanguage?: string
  readonly contentType?: string
  readonly where?: Where
}

export interface BlobSasUrlOptions extends BlobSasOptions {
  /** Base URL of the Blob service. Default `https://<account>.blob.core.windows.net`; an emulator uses `http://127.0.0.1:10000/<account>`. */
  readonly endpoint?: string
}

/** ISO 8601 UTC without milliseconds, the form SAS times are written in. */
export const sasTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")

const BLOB_ONLY_NOT: ReadonlySet<SasPermission> = new Set(["list", "filterByTags"])

const buildParams = (
  resource: "b" | "c",
  options: BlobSasOptions,
  where: Where
): Effect.Effect<SasParams, InvalidInput> =>
  Effect.gen(function*() {
    const invalid = (field: string, reason: string) => new InvalidInput({ ...where, field, reason })
    const now = yield* Clock.currentTimeMillis
    if ((options.expiresIn === undefined) === (options.expiresOn === undefined)) {
      return yield* invalid("expiresIn", "give exactly one of expiresIn and expiresOn")
    }
    let expires: number
    if (options.expiresIn !== undefined) {
      const duration = Duration.decodeUnknown(options.expiresIn)
      if (duration._tag === "None" || !Duration.isFinite(duration.value)) {
        return yield* invalid("expiresIn", "must be a finite duration")
      }
      const millis = Duration.toMillis(duration.value)
      if (!(millis >= 1000)) return yield* invalid("expiresIn", "must be at least 1 second")
      expires = now + millis
    } else {
      const on = options.expiresOn as Date
      if (Number.isNaN(on.getTime())) return yield* invalid("expiresOn", "is not a valid date")
      if (on.getTime() <= now) return yield* invalid("expiresOn", "is not in the future")
      expires = on.getTime()
    }
    if (options.startsOn !== undefined) {
      if (Number.isNaN(options.startsOn.getTime())) return yield* invalid("startsOn", "is not a valid date")
      if (options.startsOn.getTime() >= expires) return yield* invalid("startsOn", "must be before the expiry")
    }
    const permissions = [...options.permissions]
    for (const p of permissions) {
      if (!PERMISSION_LETTERS.some(([name]) => name === p)) return yield* invalid("permissions", `unknown permission "${String(p)}"`)
      if (resource === "b" && BLOB_ONLY_NOT.has(p)) return yield* invalid("permissions", `"${p}" applies to containers, not blobs`)
    }
    const sp = permissionString(permissions)
    if (sp === "" && options.identifier === undefined) return yield* invalid("permissions", "must grant something")
    const sv = options.version ?? DEFAULT_VERSION
    if (!/^\d{4}-\d{2}-\d{2}$/.test(sv)) return yield* invalid("version", "must look like 2021-08-06")
    const params: Record<string, string> = { sv, sr: resource, se: sasTime(new Date(expires)), spr: options.protocol ?? "https" }
    if (sp !== "") params.sp = sp
    if (options.startsOn !== undefined) params.st = sasTime(options.startsOn)
    const optional: ReadonlyArray<readonly [string, string | undefined]> = [
      ["sip", options.ipRange],
      ["si", options.identifier],
      ["sst", options.snapshotTime],
      ["ses", options.encryptionScope],
      ["rscc", options.cacheControl],
      ["rscd", options.contentDisposition],
      ["rsce", options.contentEncoding],
      ["rscl", options.contentLanguage],
      ["rsct", options.contentType]
    ]
    for (const [field, value] of optional) if (value !== undefined) params[field] = value
    if (params.sst !== undefined) params.sr = "bs"
    if (sv < "2018-11-09" && params.sst !== undefined) return yield* invalid("snapshotTime", "needs version 2018-11-09 or later")
    if (sv < "2020-12-06" && params.ses !== undefined) return yield* invalid("encryptionScope", "needs version 2020-12-06 or later")
    return params as unknown as SasParams
  })

const checkName = (where: Where, field: string, value: string): Effect.Effect<void, InvalidInput> =>
  value.length === 0 || value.includes("\0")
    ? Effect.fail(new InvalidInput({ ...where, field, reason: "must be a non-empty string without NUL" }))
    : Effect.void

/** A service SAS for one blob (sr=b, or sr=bs with a snapshot time). */
export const blobSas = (
  credentials: AzureCredentials,
  container: string,
  blob: string,
  options: BlobSasOptions
): Effect.Effect<SignedSas, InvalidInput | InvalidCredentials> => {
  const where = options.where ?? sasWhere
  return Effect.gen(function*() {
    yield* checkName(where, "container", container)
    yield* checkName(where, "key", blob)
    const params = yield* buildParams("b", options, where)
    const resource = sasCanonicalizedResource("blob", credentials.account, `${container}/${blob}`)
    return yield* signServiceSas(credentials, "blob", resource, params, where)
  })
}

/** A service SAS for a whole container (sr=c). */
export const containerSas = (
  credentials: AzureCredentials,
  container: string,
  options: BlobSasOptions
): Effect.Effect<SignedSas, InvalidInput | InvalidCredentials> => {
  const where = options.where ?? sasWhere
  return Effect.gen(function*() {
    yield* checkName(where, "container", container)
    const params = yield* buildParams("c", options, where)
    const resource = sasCanonicalizedResource("blob", credentials.account, container)
    return yield* signServiceSas(credentials, "blob", resource, params, where)
  })
}

/** Percent-encodes a blob name for a URL path, keeping `/` (same rule the Blob SDKs use). */
export const encodeBlobPath = (name: string): string =>
  name.split("/").map((segment) =>
    encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  ).join("/")

const baseUrl = (credentials: AzureCredentials, endpoint: string | undefined) =>
  (endpoint ?? `https://${credentials.account}.blob.core.windows.net`).replace(/\/+$/, "")

/** `https://<account>.blob.core.windows.net/<container>/<blob>?<sas>` */
export const blobSasUrl = (
  credentials: AzureCredentials,
  container: string,
  blob: string,
  options: BlobSasUrlOptions
): Effect.Effect<string, InvalidInput | InvalidCredentials> =>
  Effect.map(
    blobSas(credentials, container, blob, options),
    (sas) =>
      `${baseUrl(credentials, options.endpoint)}/${encodeURIComponent(container)}/${encodeBlobPath(blob)}?${
        sasQueryString(sas.query)
      }`
  )

/** `https://<account>.blob.core.windows.net/<container>?<sas>`; add `restype=container&comp=list` to list with it. */
export const containerSasUrl = (
  credentials: AzureCredentials,
  container: string,
  options: BlobSasUrlOptions
): Effect.Effect<string, InvalidInput | InvalidCredentials> =>
  Effect.map(
    containerSas(credentials, container, options),
    (sas) => `${baseUrl(credentials, options.endpoint)}/${encodeURIComponent(container)}?${sasQueryString(sas.query)}`
  )
