/**
 * One configured Blob service: its ProviderHttp (base URL, x-ms-version,
 * Shared Key or SAS, error extraction), the resolved settings, and URL
 * building for containers and blobs.
 */
import { HttpClientRequest } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Duration, Effect, Redacted } from "effect"
import { DEFAULT_VERSION, sharedKeySigner } from "../../../auth/azure/SharedKey.js"
import type { AzureCredentials } from "../../../auth/azure/SharedKey.js"
import * as ProviderHttp from "../../../http/Client.js"
import * as Signer from "../../../http/Signer.js"
import * as Url from "../../../http/Url.js"
import { type AzureBlobConfig, DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY, defaultEndpoint } from "./config.js"
import { extract } from "./errors.js"

export const PROVIDER = "azure-blob"

export interface Client {
  readonly http: ProviderHttp.ProviderHttp
  readonly account: string
  /** Without a trailing "/". */
  readonly endpoint: string
  readonly cdnEndpoint: string
  readonly credentials: AzureCredentials | undefined
  /** The SAS query (no "?"), when requests are authorized by SAS rather than Shared Key. */
  readonly sas: Redacted.Redacted<string> | undefined
  readonly version: string
  readonly blockSize: number
  readonly concurrency: number
  readonly copyTimeout: Duration.Duration
}

const trimSlash = (s: string) => s.replace(/\/+$/, "")

/** A SAS as users paste it: with or without "?", possibly with stray "&". */
const sasQuery = (sas: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(Redacted.value(sas).trim().replace(/^\?/, "").replace(/^&+|&+$/g, ""))

const sasSigner = (sas: Redacted.Redacted<string>): Signer.Signer => (request) =>
  Effect.sync(() => HttpClientRequest.setUrl(request, Url.appendQuery(request.url, Redacted.value(sas))))

export const make = (config: AzureBlobConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const version = config.version ?? DEFAULT_VERSION
    const endpoint = trimSlash(config.endpoint ?? defaultEndpoint(config.account))
    const credentials = config.key === undefined ? undefined : { account: config.account, key: config.key }
    const sas = credentials === undefined && config.sas !== undefined ? sasQuery(config.sas) : undefined
    const signer: Signer.Signer = credentials !== undefined
      ? sharedKeySigner(credentials, { version })
      : sas !== undefined
      ? sasSigner(sas)
      : Signer.none
    const http = yield* ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: endpoint,
      signer,
      timeout: config.timeout,
      retry: config.retry,
      headers: { "x-ms-version": version },
      extract
    })
    return {
      http,
      account: config.account,
      endpoint,
      cdnEndpoint: trimSlash(config.cdnEndpoint ?? endpoint),
      credentials,
      sas,
      version,
      blockSize: config.blockSize ?? DEFAULT_BLOCK_SIZE,
      concurrency: config.concurrency ?? DEFAULT_CONCURRENCY,
      copyTimeout: Duration.decode(config.copyTimeout ?? Duration.minutes(10))
    }
  })

/** "/container" */
export const containerPath = (container: string): string => `/${Url.segment(container)}`

/** "/container/key", the key's "/" kept. */
export const blobPath = (container: string, key: string): string => `/${Url.segment(container)}/${Url.key(key)}`
