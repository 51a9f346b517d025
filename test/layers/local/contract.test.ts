import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { Local } from "../../../src/layers/local/index.js"
import { objectStorageContract } from "../../contract/ObjectStorage.js"

/** Local storage in a fresh temporary directory, removed when the suite ends. */
const inTempDir = Layer.unwrapScoped(
  Effect.acquireRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "cloudfx-local-contract-"))),
    (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((root) => Local.layer({ root })))
)

objectStorageContract("local", inTempDir)
