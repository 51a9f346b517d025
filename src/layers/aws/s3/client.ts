/**
 * One S3 client: the resolved configuration, the addressing, the SigV4
 * signer over the credential chain, and the ProviderHttp every request goes
 * through.
 */
import type { HttpClient } from "@effect/platform"
import { Duration, Effect, Either } from "effect"
import * as Credentials from "../../../auth/aws/Credentials.js"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import { sigV4Signer } from "../../../auth/aws/HttpSigner.js"
import * as ProviderHttp from "../../../http/Client.js"
import * as Signer from "../../../http/Signer.js"
import { InvalidCredentials, InvalidInput } from "../../../schemas/Errors.js"
import * as Addressing from "./addressing.js"
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_NAME,
  DEFAULT_PART_SIZE,
  MAX_PART_SIZE,

  MIN_PART_SIZE,
  type PublicAccess,
  type S3Config
} from "./config.js"

export interface Client {
  readonly provider: string
  readonly region: string
  readonly address: Addressing.Addressing
  readonly http: ProviderHttp.ProviderHttp
  readonly partSize: number
  readonly concurrency: number
  readonly publicAccess: PublicAccess
  readonly publicUrl: string | undefined
  readonly bucketLocation: string | undefined
  /** Small requests, per attempt. */
  readonly timeout: Duration.Duration
  /** Credentials for presigning; resolved once, a failure is not remembered. */
  readonly credentials: (operation: string) => Effect.Effect<AwsCredentials, InvalidCredentials>
  /** Whether request bodies are signed by their SHA-256 (else UNSIGNED-PAYLOAD with Content-MD5). */
  readonly signPayload: boolean
}

/** Uploads get the small-request timeout plus one second per 256 KiB: a slow link must not time out a big part. */
export const uploadTimeout = (client: Client, bytes: number): Duration.Duration =>
  Duration.sum(client.timeout, Duration.seconds(Math.ceil(bytes / (256 * 1024))))

const invalid = (provider: string, field: string, reason: string) =>
  new InvalidInput({ provider, operation: "S3.config", field, reason })

/** The configuration checked: what a client can be built from, or why not. */
export const resolve = (config: S3Config): Either.Either<Omit<Client, "http" | "credentials" | "signPayload">, InvalidInput> => {
  const provider = config.name ?? DEFAULT_NAME
  if (typeof config.region !== "string" || !/^[A-Za-z0-9_-]+$/.test(config.region)) {
    return Either.left(invalid(provider, "region", "must be a region name such as \"eu-west-1\""))
  }
  if (config.endpoint !== undefined) {
    let url: URL | undefined
    try {
      url = new URL(config.endpoint)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.username !== "") {
      return Either.left(invalid(provider, "endpoint", "must be an http(s) URL without query or credentials"))
    }
  }
  const partSize = config.partSize ?? DEFAULT_PART_SIZE
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    return Either.left(invalid(provider, "partSize", `must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB)`))
  }
  const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) return Either.left(invalid(provider, "concurrency", "must be a positive whole number"))
  const timeout = Duration.decodeUnknown(config.timeout ?? "60 seconds")
  if (timeout._tag === "None") return Either.left(invalid(provider, "timeout", "is not a duration"))
  if (config.publicUrl !== undefined && !/^https?:\/\//.test(config.publicUrl)) {
    return Either.left(invalid(provider, "publicUrl", "must be an http(s) URL"))
  }
  const bucketLocation = config.bucketLocation === null
    ? undefined
    : config.bucketLocation ?? (config.region === "us-east-1" ? undefined : config.region)
  return Either.right({
    provider,
    region: config.region,
    address: Addressing.make(config),
    partSize,
    concurrency,
    publicAccess: config.publicAccess ?? "auto",
    publicUrl: config.publicUrl,
    bucketLocation,
    timeout: timeout.value
  })
}

export const make = (
  config: S3Config,
  resolved: Omit<Client, "http" | "credentials" | "signPayload">
): Effect.Effect<Client, never, HttpClient.HttpClient> => {
  const credentials = Credentials.cachedSource(resolved.provider, config.credentials)
  // The signed SHA-256 of each part is what S3 checks the bytes against; with SHA
  // instructions it costs less than the MD5 it replaces (upload.ts).
  const signPayload = config.signPayload ?? true
  const signer = Signer.make((request, context) =>
    Effect.flatMap(credentials(context.operation), (c) =>
      sigV4Signer({
        credentials: c,
        region: resolved.region,
        service: "s3",
        s3: true,
        unsignedPayload: !signPayload && request.headers["content-md5"] !== undefined
      })(request))
  )
  return Effect.map(
    ProviderHttp.make({
      provider: resolved.provider,
      baseUrl: resolved.address.serviceUrl,
      signer,
      timeout: resolved.timeout,
      retry: config.retry
    }),
    (http): Client => ({ ...resolved, http, credentials, signPayload })
  )
}

