/**
 * Azure Blob Storage (`cloudfx/azure`, provider id "azure-blob"): the
 * portable `ObjectStorage` over the Blob service REST API, and the
 * `AzureBlob` tag beside it for what only Azure has (access tiers, block
 * lists, container access policies).
 *
 * Authorization: Shared Key when `key` is given (and then `signedUrl` makes
 * blob service SASs); otherwise the `sas` token appended to every request;
 * otherwise anonymous (public containers only). `layerConfig` reads
 * AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_KEY /
 * AZURE_STORAGE_SAS_TOKEN.
 *
 * Behaviour per operation: storage.ts; uploads: upload.ts; ETags and wire
 * shapes: wire.ts; error codes: errors.ts; metadata names: names.ts.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type { IntegrityError, InvalidInput, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import { InvalidInput as InvalidInputError } from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { traced } from "../../../services/span.js"
import { type ContainerAccess, getAccess, type PublicAccess, setPublicAccess } from "./access.js"
import * as Client from "./client.js"
import type { AzureBlobConfig } from "./config.js"
import { fromEnvironment } from "./config.js"
import { classifyResource } from "./errors.js"
import { blobName, containerName } from "./names.js"
import { ACCESS_TIERS, type AccessTier, type AzurePutOptions, makeStorage, whereOf } from "./storage.js"
import * as Wire from "./wire.js"

export type { AzureBlobConfig, ConnectionString } from "./config.js"
export { accountFromEndpoint, fromEnvironment, parseConnectionString } from "./config.js"
export type { AccessPolicy, ContainerAccess, PublicAccess } from "./access.js"
export type { AccessTier, AzurePutOptions } from "./storage.js"
export type { Block, BlockList } from "./wire.js"
export { decodeMetadataName, encodeMetadataName } from "./names.js"

export type BlockListType = "committed" | "uncommitted" | "all"

/** What only Azure Blob Storage has, beside the portable ObjectStorage of the same layer. */
export class AzureBlob extends Context.Tag("cloudfx/AzureBlob")<AzureBlob, AzureBlob.Service>() {}

export declare namespace AzureBlob {
  export interface Service {
    readonly account: string
    /** The Blob service base URL requests go to. */
    readonly endpoint: string
    /** `ObjectStorage.putObject`, plus an access tier for the new blob. */
    readonly putObject: <E = never>(
      container: string,
      key: string,
      body: ObjectStorage.Body<E>,
      options?: AzurePutOptions
    ) => Effect.Effect<ObjectInfo, E | NotFound | InvalidInput | IntegrityError | ProviderFailure>
    /** Set Blob Tier (Hot, Cool, Cold, Archive). */
    readonly setAccessTier: (container: string, key: string, tier: AccessTier) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
    /** Get Block List: the committed and/or uncommitted (staged) blocks under a name. */
    readonly getBlockList: (
      container: string,
      key: string,
      type?: BlockListType
    ) => Effect.Effect<Wire.BlockList, NotFound | InvalidInput | ProviderFailure>
    /** Get Container ACL: public access level and stored access policies. */
    readonly getContainerAccess: (container: string) => Effect.Effect<ContainerAccess, NotFound | InvalidInput | ProviderFailure>
    /** Set the public access level, keeping the stored access policies (read, then written back). */
    readonly setContainerAccess: (container: string, access: PublicAccess) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
    /** The blob's URL, without any authorization in it. */
    readonly blobUrl: (container: string, key: string) => Effect.Effect<string, InvalidInput>
  }
}

const op = (name: string) => `AzureBlob.${name}`

const makeAzure = (client: Client.Client, put: ReturnType<typeof makeStorage>["put"]): AzureBlob.Service => {
  const { http } = client

  const setAccessTier: AzureBlob.Service["setAccessTier"] = (container, key, tier) => {
    const operation = op("setAccessTier")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = yield* blobName(whereOf(operation), key)
      if (!ACCESS_TIERS.has(tier)) {
        return yield* new InvalidInputError({ ...whereOf(operation), field: "tier", reason: "must be Hot, Cool, Cold or Archive" })
      }
      yield* http.execute(
        HttpClientRequest.put(Client.blobPath(c, k)).pipe(
          HttpClientRequest.setUrlParams({ comp: "tier" }),
          HttpClientRequest.setHeader("x-ms-access-tier", tier)
        ),
        { operation, classify: classifyResource({ container: c, key: k }) },
        ProviderHttp.empty
      )
    }).pipe(traced(Client.PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const getBlockList: AzureBlob.Service["getBlockList"] = (container, key, type = "all") => {
    const operation = op("getBlockList")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = yield* blobName(whereOf(operation), key)
      if (type !== "committed" && type !== "uncommitted" && type !== "all") {
        return yield* new InvalidInputError({ ...whereOf(operation), field: "type", reason: "must be committed, uncommitted or all" })
      }
      const doc = yield* http.execute(
        HttpClientRequest.get(Client.blobPath(c, k)).pipe(HttpClientRequest.setUrlParams({ comp: "blocklist", blocklisttype: type })),
        { operation, classify: classifyResource({ container: c, key: k }) },
        ProviderHttp.xml(Wire.BlockListResult, Wire.blockListArrays)
      )
      return Wire.blockList(doc)
    }).pipe(traced(Client.PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
  }

  const getContainerAccess: AzureBlob.Service["getContainerAccess"] = (container) => {
    const operation = op("getContainerAccess")
    return Effect.flatMap(containerName(whereOf(operation), container), (c) => getAccess(client, operation, c)).pipe(
      traced(Client.PROVIDER, operation, { "cloudfx.container": container })
    )
  }

  const setContainerAccess: AzureBlob.Service["setContainerAccess"] = (container, access) => {
    const operation = op("setContainerAccess")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      if (access !== "none" && access !== "blob" && access !== "container") {
        return yield* new InvalidInputError({ ...whereOf(operation), field: "access", reason: "must be none, blob or container" })
      }
      yield* setPublicAccess(client, operation, c, access)
    }).pipe(traced(Client.PROVIDER, operation, { "cloudfx.container": container }))
  }

  const blobUrl: AzureBlob.Service["blobUrl"] = (container, key) => {
    const operation = op("blobUrl")
    return Effect.gen(function*() {
      const c = yield* containerName(whereOf(operation), container)
      const k = yield* blobName(whereOf(operation), key)
      return `${client.endpoint}${Client.blobPath(c, k)}`
    })
  }

  return {
    account: client.account,
    endpoint: client.endpoint,
    putObject: (container, key, body, options) => put(container, key, body, options),
    setAccessTier,
    getBlockList,
    getContainerAccess,
    setContainerAccess,
    blobUrl
  }
}

/** Both services over one client: the portable one and the Azure one. */
export const makeServices = (
  config: AzureBlobConfig
): Effect.Effect<{ readonly storage: ObjectStorage.Service; readonly azure: AzureBlob.Service }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => {
    const { put, service } = makeStorage(client)
    return { storage: service, azure: makeAzure(client, put) }
  })

export const make = (config: AzureBlobConfig): Effect.Effect<ObjectStorage.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.storage)

export const layer = (config: AzureBlobConfig): Layer.Layer<ObjectStorage | AzureBlob, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ azure, storage }) => Context.make(ObjectStorage, storage).pipe(Context.add(AzureBlob, azure)))
  )

/** From the environment by default (see `fromEnvironment`). */
export const layerConfig = (
  config: Config.Config.Wrap<AzureBlobConfig> = fromEnvironment
): Layer.Layer<ObjectStorage | AzureBlob, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
