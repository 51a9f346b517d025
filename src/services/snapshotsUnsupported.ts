/**
 * The volume-snapshot operations of a Compute provider whose cloud has no
 * volume snapshots (Linode, Hetzner): input is still checked first, as on
 * every provider, then each fails with `Unsupported` ("compute.snapshots").
 */
import { Effect } from "effect"
import { Unsupported } from "../schemas/Errors.js"
import type { Compute } from "./Compute.js"
import * as validate from "./validate.js"

export const volumeSnapshotsUnsupported = (
  provider: string
): Pick<Compute.Service, "createVolumeSnapshot" | "listVolumeSnapshots" | "destroyVolumeSnapshot"> => {
  const where = (name: string): validate.Where => ({ provider, operation: `Compute.${name}` })
  const unsupported = (w: validate.Where) => Effect.fail(new Unsupported({ ...w, capability: "compute.snapshots" }))
  return {
    createVolumeSnapshot: (volumeRef, options) => {
      const w = where("createVolumeSnapshot")
      return Effect.gen(function*() {
        yield* validate.id(w, "volume", volumeRef)
        if (options?.name !== undefined) yield* validate.name(w, "name", options.name)
        return yield* unsupported(w)
      })
    },
    listVolumeSnapshots: (volumeRef) => {
      const w = where("listVolumeSnapshots")
      return Effect.gen(function*() {
        if (volumeRef !== undefined) yield* validate.id(w, "volume", volumeRef)
        return yield* unsupported(w)
      })
    },
    destroyVolumeSnapshot: (snapshotRef) => {
      const w = where("destroyVolumeSnapshot")
      return Effect.gen(function*() {
        yield* validate.id(w, "snapshot", snapshotRef)
        return yield* unsupported(w)
      })
    }
  }
}
