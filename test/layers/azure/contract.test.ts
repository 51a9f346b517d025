/**
 * The ObjectStorage contract against Azurite 3.35.0 (a real Blob service that verifies Shared Key), signed with
 * the account key.
 *
 * `azuriteContractOptions` (./support.ts) says which server quirk each contract option covers.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { AzureBlob } from "../../../src/layers/azure/index.js"
import { objectStorageContract } from "../../contract/ObjectStorage.js"
import { LocalAzurite, skipPeers } from "../../support/peers/index.js"
import { azuriteContractOptions } from "./support.js"

const storage = Layer.unwrapEffect(
  Effect.map(LocalAzurite, (az) => AzureBlob.layer({ account: az.account, key: Redacted.make(az.accountKey), endpoint: az.blobEndpoint }))
).pipe(Layer.provide(Layer.merge(LocalAzurite.layer(), NodeHttpClient.layerUndici)))

describe.skipIf(skipPeers("azurite"))("azure blob", () => {
  objectStorageContract("azure-blob (Azurite, Shared Key)", storage, {
    ...azuriteContractOptions,
    etags: "md5"
  })
})
