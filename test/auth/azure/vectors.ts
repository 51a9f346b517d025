/**
 * The published signing vectors are read in place from $CLOUDFX_VECTORS
 * (../shared/vectors; never copied into the project). Without it the vector
 * suites are registered as skipped tests that say so, and a warning is printed.
 */
import { describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"

export const vectorsDir: string | undefined = process.env.CLOUDFX_VECTORS === "" ? undefined : process.env.CLOUDFX_VECTORS

export const SKIP_NOTE =
  "SKIPPED: CLOUDFX_VECTORS is not set, so the published signing vectors were not checked. " +
  "Run with CLOUDFX_VECTORS=/path/to/shared/vectors (scripts/test.sh and .ci/run set it to ../shared/vectors)."

export const readVectorJson = <T = unknown>(relative: string): T => {
  if (vectorsDir === undefined) throw new Error(SKIP_NOTE)
  return JSON.parse(readFileSync(join(vectorsDir, relative), "utf8")) as T
}

/** `describe(name, body)` when the vectors are there; a loudly skipped placeholder when not. */
export const vectorSuite = (name: string, body: () => void): void => {
  if (vectorsDir === undefined) {
    console.warn(`[${name}] ${SKIP_NOTE}`)
    describe(name, () => {
      it.skip(SKIP_NOTE, () => {})
    })
    return
  }
  describe(name, body)
}
