/**
 * The ObjectStorage contract on s3rver, minus what s3rver itself cannot do.
 * Each exception is named here with its cause, and s3rver.test.ts checks
 * that s3rver still behaves that way (so a fixed s3rver makes that test fail
 * and the exception can go). All of them pass on Swift's s3api.
 */
import { beforeEach, describe } from "@effect/vitest"
import { objectStorageContract } from "../../../contract/ObjectStorage.js"
import { skipPeers } from "../../../support/peers/index.js"
import { s3rverS3Layer } from "./support.js"

/** Contract tests s3rver 3.7.1 cannot pass, by name, with the reason. */
export const s3rverExceptions: ReadonlyArray<readonly [test: string, reason: string]> = [
  [
    "awkward keys round-trip, list in UTF-8 order and delete",
    "s3rver stores a key as a file path: a 1024-byte segment crashes it (ENAMETOOLONG, unhandled) and \"dir//double\" is a 404"
  ],
  [
    "property: any portable key and any bytes round-trip through put / head / get",
    "the generated keys include path segments over 255 bytes, which crash s3rver (ENAMETOOLONG)"
  ],
  [
    "listObjects: UTF-8 order, prefix, delimiter (ObjectPrefix), any page size",
    "s3rver makes continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) lacks: every truncated listing is a 500; and with a delimiter it drops prefixes whose objects are all two levels down"
  ],
  [
    "property: listObjects with any page size, prefix and delimiter equals the model",
    "truncated listings are a 500 on s3rver (DES continuation tokens, see above)"
  ]
]

describe.skipIf(skipPeers("s3rver"))("S3 on s3rver", () => {
  beforeEach((context) => {
    const exception = s3rverExceptions.find(([name]) => context.task.name === name)
    if (exception !== undefined) context.skip(`s3rver: ${exception[1]}`)
  })
  objectStorageContract("s3 (s3rver)", s3rverS3Layer(), { etags: "md5-single-part" })
})
