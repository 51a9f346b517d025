import { describe } from "@effect/vitest"
import { objectStorageContract } from "../../../contract/ObjectStorage.js"
import { skipPeers } from "../../../support/peers/index.js"
import { swiftS3Layer } from "./support.js"

// Swift's s3api is the authoritative S3 peer here: it verifies SigV4 and gives AWS-style multipart ETags.
describe.skipIf(skipPeers("swift"))("S3 on Swift s3api", () => {
  objectStorageContract("s3 (swift s3api)", swiftS3Layer(), { etags: "md5-single-part", timeout: 120_000 })
})
