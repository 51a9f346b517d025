/**
 * A smaller run of the ObjectStorage contract against Azurite with a SAS-only config: an account SAS made with
 * src/auth/azure, appended to every request; no account key, so signedUrl and CDN are Unsupported.
 * `azuriteContractOptions` (./support.ts) says which server quirk each contract option covers.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { DEFAULT_VERSION, sasQueryString, sasTime, signAccountSas } from "../../../src/auth/azure/index.js"
import { AzureBlob } from "../../../src/layers/azure/index.js"
import { objectStorageContract } from "../../contract/ObjectStorage.js"
import { LocalAzurite, skipPeers } from "../../support/peers/index.js"
import { azuriteContractOptions } from "./support.js"

const storage = Layer.unwrapEffect(
  Effect.gen(function*() {
    const az = yield* LocalAzurite
    const sas = yield* signAccountSas(
      { account: az.account, key: Redacted.make(az.accountKey) },
      { sv: DEFAULT_VERSION, ss: "b", srt: "sco", sp: "rwdlacup", se: sasTime(new Date(Date.now() + 3600_000)), spr: "https,http" }
    )
    return AzureBlob.layer({ account: az.account, sas: Redacted.make(sasQueryString(sas.query)), endpoint: az.blobEndpoint })
  })
).pipe(Layer.provide(Layer.merge(LocalAzurite.layer(), NodeHttpClient.layerUndici)))

describe.skipIf(skipPeers("azurite"))("azure blob with an account SAS", () => {
  objectStorageContract("azure-blob (Azurite, account SAS)", storage, {
    ...azuriteContractOptions,
    etags: "md5",
    propertyRuns: 5,
    largeObjectBytes: 3 * 1024 * 1024,
    containerPrefix: "cfx-sas"
  })
})
