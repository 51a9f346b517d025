/**
 * Azure Blob configuration: the public config shape, connection strings, and
 * the environment variables the Azure CLI and SDKs read.
 */
import type { Duration } from "effect"
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import type * as Retry from "../../../http/Retry.js"

export interface AzureBlobConfig {
  /** Storage account name. */
  readonly account: string
  /** Base64 account key: requests are signed with Shared Key, and `signedUrl` works. */
  readonly key?: Redacted.Redacted<string> | undefined
  /**
   * A SAS token (account or container SAS, with or without the leading "?"),
   * appended to every request when no `key` is given. `signedUrl` is then
   * Unsupported: a SAS cannot mint another SAS.
   */
  readonly sas?: Redacted.Redacted<string> | undefined
  /**
   * Blob service base URL. Default `https://<account>.blob.core.windows.net`;
   * Azurite and other emulators are path-style: `http://127.0.0.1:10000/devstoreaccount1`.
   */
  readonly endpoint?: string | undefined
  /**
   * Base URL `cdnUrl` answers with, when an Azure CDN / Front Door endpoint
   * (created through ARM, outside this API) fronts the account. Default: `endpoint`.
   */
  readonly cdnEndpoint?: string | undefined
  /** Bytes per block of a block upload, and the largest body sent as one Put Blob. Default 8 MiB. */
  readonly blockSize?: number | undefined
  /** Put Block requests in flight per upload. Memory per upload ≤ blockSize × concurrency. Default 4. */
  readonly concurrency?: number | undefined
  /** `x-ms-version`. Default `DEFAULT_VERSION` from src/auth/azure (2021-08-06). */
  readonly version?: string | undefined
  /** Per request attempt, until the response headers arrive. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` to never retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /** How long `copyObject` waits for an asynchronous copy to finish before aborting it. Default 10 minutes. */
  readonly copyTimeout?: Duration.DurationInput | undefined
}

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024
export const DEFAULT_CONCURRENCY = 4

/** The well-known development storage account (Azurite, the storage emulator), documented by Microsoft. */
const DEVELOPMENT_ACCOUNT = "devstoreaccount1"
const DEVELOPMENT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

export const defaultEndpoint = (account: string, protocol = "https", suffix = "core.windows.net"): string =>
  `${protocol}://${account}.blob.${suffix}`

/** What an Azure Storage connection string says about the Blob service. */
export interface ConnectionString {
  readonly account?: string
  readonly key?: Redacted.Redacted<string>
  readonly sas?: Redacted.Redacted<string>
  readonly endpoint?: string
}

/**
 * Parses `Name=value;Name=value` (values may contain "="; names are
 * case-insensitive). Knows AccountName, AccountKey, SharedAccessSignature,
 * BlobEndpoint, DefaultEndpointsProtocol, EndpointSuffix and
 * UseDevelopmentStorage=true. The reason on failure never quotes the input:
 * it holds a secret.
 */
export const parseConnectionString = (text: string): Either.Either<ConnectionString, string> => {
  const fields = new Map<string, string>()
  for (const part of text.split(";")) {
    if (part.trim() === "") continue
    const eq = part.indexOf("=")
    if (eq <= 0) return Either.left("each part must be Name=value")
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim())
  }
  if (fields.get("usedevelopmentstorage")?.toLowerCase() === "true") {
    const proxy = fields.get("developmentstorageproxyuri")?.replace(/\/+$/, "") ?? "http://127.0.0.1:10000"
    return Either.right({ account: DEVELOPMENT_ACCOUNT, key: Redacted.make(DEVELOPMENT_KEY), endpoint: `${proxy}/${DEVELOPMENT_ACCOUNT}` })
  }
  const account = fields.get("accountname")
  const key = fields.get("accountkey")
  const sas = fields.get("sharedaccesssignature")
  const blobEndpoint = fields.get("blobendpoint")
  const protocol = fields.get("defaultendpointsprotocol")
  const suffix = fields.get("endpointsuffix")
  if (protocol !== undefined && protocol !== "http" && protocol !== "https") {
    return Either.left("DefaultEndpointsProtocol must be http or https")
  }
  if (account === undefined && blobEndpoint === undefined) return Either.left("it names neither AccountName nor BlobEndpoint")
  if (key !== undefined && account === undefined) return Either.left("AccountKey needs AccountName")
  const endpoint = blobEndpoint ?? (account === undefined ? undefined : defaultEndpoint(account, protocol, suffix))
  return Either.right({
    ...(account === undefined ? {} : { account }),
    ...(key === undefined || key === "" ? {} : { key: Redacted.make(key) }),
    ...(sas === undefined || sas === "" ? {} : { sas: Redacted.make(sas) }),
    ...(endpoint === undefined ? {} : { endpoint: endpoint.replace(/\/+$/, "") })
  })
}

/**
 * The account name of an endpoint when the connection string gave only a
 * BlobEndpoint: the first label of `<account>.blob.…`, or the first path
 * segment of a path-style (emulator) URL.
 */
export const accountFromEndpoint = (endpoint: string): string | undefined => {
  try {
    const url = new URL(endpoint)
    const label = /^([a-z0-9]+)\.blob\./.exec(url.hostname)
    if (label) return label[1]
    const first = url.pathname.split("/").find((s) => s !== "")
    return first === undefined ? undefined : decodeURIComponent(first)
  } catch {
    return undefined
  }
}

const optionalRedacted = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map((o) => Option.filter(o, (r) => Redacted.value(r).trim() !== ""))
  )

/**
 * AZURE_STORAGE_CONNECTION_STRING when set (parsed), with AZURE_STORAGE_ACCOUNT,
 * AZURE_STORAGE_KEY and AZURE_STORAGE_SAS_TOKEN filling in what it lacks;
 * otherwise those three alone (account required, then key or SAS or neither
 * for public containers).
 */
export const fromEnvironment: Config.Config<AzureBlobConfig> = Config.all({
  connection: optionalRedacted("AZURE_STORAGE_CONNECTION_STRING"),
  account: Config.option(Config.nonEmptyString("AZURE_STORAGE_ACCOUNT")),
  key: optionalRedacted("AZURE_STORAGE_KEY"),
  sas: optionalRedacted("AZURE_STORAGE_SAS_TOKEN")
}).pipe(
  Config.mapOrFail(({ account, connection, key, sas }) => {
    let parsed: ConnectionString = {}
    if (Option.isSome(connection)) {
      const result = parseConnectionString(Redacted.value(connection.value))
      if (Either.isLeft(result)) {
        return Either.left(ConfigError.InvalidData(["AZURE_STORAGE_CONNECTION_STRING"], `not a valid connection string: ${result.left}`))
      }
      parsed = result.right
    }
    const name = parsed.account ?? Option.getOrUndefined(account) ??
      (parsed.endpoint === undefined ? undefined : accountFromEndpoint(parsed.endpoint))
    if (name === undefined) {
      return Either.left(ConfigError.MissingData(["AZURE_STORAGE_ACCOUNT"], "set AZURE_STORAGE_ACCOUNT or AZURE_STORAGE_CONNECTION_STRING"))
    }
    const k = parsed.key ?? Option.getOrUndefined(key)
    const s = parsed.sas ?? Option.getOrUndefined(sas)
    return Either.right({
      account: name,
      ...(k === undefined ? {} : { key: k }),
      ...(s === undefined ? {} : { sas: s }),
      ...(parsed.endpoint === undefined ? {} : { endpoint: parsed.endpoint })
    })
  })
)
