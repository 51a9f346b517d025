/**
 * The portable Compute service over DigitalOcean API v2, and the
 * DigitalOcean-only operations beside it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Option } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Errors from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  type ProviderFailure
} from "../../../schemas/Errors.js"
import { Volume } from "../../../schemas/Models.js"
import type { NodeState } from "../../../schemas/Models.js"
import type { Compute } from "../../../services/Compute.js"
import { providerInfo, type ProviderInfo } from "../../../services/ProviderInfo.js"
import * as PublicKey from "../../../services/publicKey.js"
import { type Ref, refId } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import type { Client } from "../client.js"
import { jsonBody } from "../client.js"
import { type DigitalOceanConfig, PROVIDER } from "../config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

export interface DigitalOceanService {
  readonly provider: ProviderInfo
  /** A hard power-off (`power_off`), for a droplet that ignores `stopNode`'s graceful `shutdown`. */
  readonly powerOffNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
  /** A hard reset (`power_cycle`), for a droplet that ignores `rebootNode`'s graceful `reboot`. */
  readonly powerCycleNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
}

/** What `createNode` accepts in `extra` (each checked, InvalidInput otherwise). */
export interface CreateNodeExtra {
  readonly tags?: ReadonlyArray<string>
  readonly vpcUuid?: string
  readonly ipv6?: boolean
  readonly monitoring?: boolean
  readonly backups?: boolean
}

/** What `createVolume` accepts in `extra`. */
export interface CreateVolumeExtra {
  readonly description?: string
  readonly filesystemType?: "ext4" | "xfs"
  readonly filesystemLabel?: string
  readonly tags?: ReadonlyArray<string>
}

const capabilities = ["compute.keyPairs", "compute.volumes", "compute.snapshots", "compute.reboot", "compute.startStop"] as const

// DigitalOcean's ids are integers for droplets and keys: anything else names no droplet.
const integerId = /^[1-9][0-9]{0,15}$/

// Droplet names are host names (droplets/models/droplet_single_create.yml).
const hostName = /^[A-Za-z0-9.-]+$/

// volumes/models/volume_base.yml: "lowercase … numbers, letters and '-', up to … 64 characters … begin with a letter".
const volumeName = /^[a-z][a-z0-9-]{0,63}$/

const USER_DATA_MAX = 64 * 1024

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Compute.${name}` })

const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

/** 422 "unprocessable" on an action: the droplet or volume is busy or in the wrong state. */
const conflictOn = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 422 ? new Conflict({ ...f.where, resource, id, reason: f.message ?? "refused in its current state" }) : undefined

const isRejected = (e: { readonly _tag: string }): boolean =>
  e._tag === "ProviderError" && [400, 404, 422].includes((e as { readonly status?: number }).status ?? 0)

const stringArray = (w: validate.Where, field: string, value: unknown): Effect.Effect<ReadonlyArray<string> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(value) && value.every((v) => typeof v === "string")
    ? Effect.succeed(value as ReadonlyArray<string>)
    : Effect.fail(invalid(w, field, "must be an array of strings"))

const optionalOf = <T>(w: validate.Where, field: string, value: unknown, type: "string" | "boolean"): Effect.Effect<T | undefined, InvalidInput> =>
  value === undefined || typeof value === type ? Effect.succeed(value as T | undefined) : Effect.fail(invalid(w, field, `must be a ${type}`))

export const make = (config: DigitalOceanConfig, client: Client): { readonly compute: Compute.Service; readonly digitalOcean: DigitalOceanService } => {
  const provider = providerInfo(PROVIDER, capabilities, config.region)

  // ------------------------------------------------------------ reads

  const droplet = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("droplets", id)), { operation, notFound: { resource: "node", id } }, ProviderHttp.json(Wire.DropletBody)).pipe(
      Effect.map((b) => b.droplet)
    )

  /** A node id as DigitalOcean writes it; a malformed one is simply not there. */
  const nodeId = (w: validate.Where, field: string, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
    Effect.flatMap(validate.id(w, field, ref), (id) => (integerId.test(id) ? Effect.succeed(id) : Effect.fail(new NotFound({ ...w, resource: "node", id }))))

  const volumeRecord = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("volumes", id)), { operation, notFound: { resource: "volume", id } }, ProviderHttp.json(Wire.VolumeBody)).pipe(
      Effect.map((b) => b.volume)
    )

  const sshKeys = (operation: string) => client.list("/account/keys", { operation }, Wire.SshKeysPage, (p) => p.ssh_keys)

  const sizes = (operation: string) => client.list("/sizes", { operation }, Wire.SizesPage, (p) => p.sizes)

  const regions = (operation: string) => client.list("/regions", { operation }, Wire.RegionsPage, (p) => p.regions)

  const imageExists = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("images", id)), { operation, notFound: { resource: "image", id } }, ProviderHttp.json(Wire.ImageBody)).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    )

  // ------------------------------------------------------------ nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const w = where("listNodes")
    return Effect.gen(function*() {
      if (options?.ids === undefined) {
        const all = yield* client.list("/droplets", { operation: w.operation }, Wire.DropletsPage, (p) => p.droplets)
        return all.map(Mapping.node)
      }
      const ids = yield* Effect.forEach(options.ids, (id) => validate.id(w, "ids", id))
      const found = yield* Effect.forEach(
        ids.filter((id) => integerId.test(id)),
        (id) => droplet(w.operation, id).pipe(Effect.map(Option.some), Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))),
        { concurrency: 8 }
      )
      return found.flatMap((d) => (Option.isSome(d) ? [Mapping.node(d.value)] : []))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const getNode: Compute.Service["getNode"] = (ref) => {
    const w = where("getNode")
    return nodeId(w, "node", ref).pipe(
      Effect.flatMap((id) => droplet(w.operation, id)),
      Effect.map(Mapping.node),
      traced(PROVIDER, w.operation)
    )
  }

  /** The first of size, location and image DigitalOcean does not know, after it refused a create. */
  const missingReference = (w: validate.Where, size: string, image: string, region: string | undefined) =>
    Effect.gen(function*() {
      if (!(yield* sizes(w.operation)).some((s) => s.slug === size)) return Option.some(new NotFound({ ...w, resource: "size", id: size }))
      if (region !== undefined && !(yield* regions(w.operation)).some((r) => r.slug === region)) {
        return Option.some(new NotFound({ ...w, resource: "location", id: region }))
      }
      if (!(yield* imageExists(w.operation, image))) return Option.some(new NotFound({ ...w, resource: "image", id: image }))
      return Option.none<NotFound>()
    }).pipe(Effect.orElseSucceed(() => Option.none<NotFound>()))

  const createExtra = (w: validate.Where, extra: Readonly<Record<string, unknown>> | undefined) =>
    Effect.gen(function*() {
      const e = extra ?? {}
      const tags = yield* stringArray(w, "extra.tags", e["tags"])
      const vpcUuid = yield* optionalOf<string>(w, "extra.vpcUuid", e["vpcUuid"], "string")
      const ipv6 = yield* optionalOf<boolean>(w, "extra.ipv6", e["ipv6"], "boolean")
      const monitoring = yield* optionalOf<boolean>(w, "extra.monitoring", e["monitoring"], "boolean")
      const backups = yield* optionalOf<boolean>(w, "extra.backups", e["backups"], "boolean")
      return {
        ...(tags === undefined ? {} : { tags }),
        ...(vpcUuid === undefined ? {} : { vpc_uuid: vpcUuid }),
        ...(ipv6 === undefined ? {} : { ipv6 }),
        ...(monitoring === undefined ? {} : { monitoring }),
        ...(backups === undefined ? {} : { backups })
      }
    })

  const createNode: Compute.Service["createNode"] = (spec) => {
    const w = where("createNode")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name)
      if (!hostName.test(name)) return yield* Effect.fail(invalid(w, "name", "DigitalOcean droplet names are host names: letters, digits, '.' and '-'"))
      const size = yield* validate.id(w, "size", spec.size)
      const image = yield* validate.id(w, "image", spec.image)
      const region = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (spec.userData !== undefined && (typeof spec.userData !== "string" || Buffer.byteLength(spec.userData) > USER_DATA_MAX)) {
        return yield* Effect.fail(invalid(w, "userData", `must be a string of at most ${USER_DATA_MAX} bytes`))
      }
      const extra = yield* createExtra(w, spec.extra)
      let keyIds: ReadonlyArray<number> | undefined
      if (spec.keyPair !== undefined) {
        const keyName = yield* validate.name(w, "keyPair", spec.keyPair)
        const key = (yield* sshKeys(w.operation)).find((k) => k.name === keyName)
        if (key === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: keyName }))
        keyIds = [key.id]
      }
      const body = {
        name,
        size,
        image: integerId.test(image) ? Number(image) : image,
        ...(region === undefined ? {} : { region }),
        ...(keyIds === undefined ? {} : { ssh_keys: keyIds }),
        ...(spec.userData === undefined ? {} : { user_data: spec.userData }),
        ...extra
      }
      const created = yield* client.send(
        HttpClientRequest.post("/droplets").pipe(jsonBody(body)),
        { operation: w.operation, attributes: { "cloudfx.node.name": name } },
        ProviderHttp.json(Wire.DropletBody)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(missingReference(w, size, image, region), (missing) => Effect.fail(Option.getOrElse(missing, () => e))))
      )
      return Mapping.node(created.droplet)
    }).pipe(traced(PROVIDER, w.operation))
  }

  /** Checks the droplet is in one of `from`, then asks for the action; the answer is only that it was accepted. */
  const action = (name: string, type: string, from: ReadonlyArray<NodeState>, doing: string) => (ref: Ref) => {
    const w = where(name)
    return Effect.gen(function*() {
      const id = yield* nodeId(w, "node", ref)
      const current = Mapping.node(yield* droplet(w.operation, id))
      if (!from.includes(current.state)) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "node", id, reason: `cannot ${doing} a node that is ${current.state}` }))
      }
      yield* client.send(
        HttpClientRequest.post(`${path("droplets", id)}/actions`).pipe(jsonBody({ type })),
        { operation: w.operation, notFound: { resource: "node", id }, classify: conflictOn("node", id) },
        ProviderHttp.json(Wire.ActionBody)
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) }))
  }

  const rebootNode = action("rebootNode", "reboot", ["running"], "reboot")
  const startNode = action("startNode", "power_on", ["stopped"], "start")
  const stopNode = action("stopNode", "shutdown", ["running"], "stop")

  const destroyNode: Compute.Service["destroyNode"] = (ref) => {
    const w = where("destroyNode")
    return nodeId(w, "node", ref).pipe(
      Effect.flatMap((id) =>
        client.send(HttpClientRequest.del(path("droplets", id)), { operation: w.operation, notFound: { resource: "node", id } }, ProviderHttp.empty)
      ),
      traced(PROVIDER, w.operation)
    )
  }

  // ------------------------------------------------------------ catalogue

  const listImages: Compute.Service["listImages"] = () =>
    client.list("/images", { operation: "Compute.listImages" }, Wire.ImagesPage, (p) => p.images).pipe(
      Effect.map((all) => all.map(Mapping.image)),
      traced(PROVIDER, "Compute.listImages")
    )

  // Sizes and regions DigitalOcean no longer offers stay listed with `available: false`: leave them out.
  const listSizes: Compute.Service["listSizes"] = () =>
    sizes("Compute.listSizes").pipe(
      Effect.map((all) => all.filter((s) => s.available).map(Mapping.size)),
      traced(PROVIDER, "Compute.listSizes")
    )

  const listLocations: Compute.Service["listLocations"] = () =>
    regions("Compute.listLocations").pipe(
      Effect.map((all) => all.filter((r) => r.available !== false).map(Mapping.location)),
      traced(PROVIDER, "Compute.listLocations")
    )

  // ------------------------------------------------------------ key pairs

  const listKeyPairs: Compute.Service["listKeyPairs"] = () =>
    sshKeys("Compute.listKeyPairs").pipe(Effect.map((all) => all.map(Mapping.keyPair)), traced(PROVIDER, "Compute.listKeyPairs"))

  // DigitalOcean does not keep key names unique: the portable API does, by looking first.
  const importKeyPair: Compute.Service["importKeyPair"] = (input) => {
    const w = where("importKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", input.name)
      const key = yield* PublicKey.check(w, "publicKey", input.publicKey)
      if ((yield* sshKeys(w.operation)).some((k) => k.name === name)) {
        return yield* Effect.fail(new AlreadyExists({ ...w, resource: "keyPair", id: name }))
      }
      const created = yield* client.send(
        HttpClientRequest.post("/account/keys").pipe(jsonBody({ name, public_key: key.line })),
        {
          operation: w.operation,
          // "SSH Key is already in use on your account": the same key under another name.
          classify: (f) => (f.status === 422 && /already/i.test(f.message ?? "") ? new AlreadyExists({ ...w, resource: "keyPair", id: name }) : undefined)
        },
        ProviderHttp.json(Wire.SshKeyBody)
      )
      return Mapping.keyPair(created.ssh_key)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": input.name }))
  }

  // Deletes every key of that name (names are not unique on DigitalOcean).
  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (keyName) => {
    const w = where("deleteKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", keyName)
      const matching = (yield* sshKeys(w.operation)).filter((k) => k.name === name)
      if (matching.length === 0) return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: name }))
      yield* Effect.forEach(
        matching,
        (k) =>
          client.send(
            HttpClientRequest.del(path("account", "keys", String(k.id))),
            { operation: w.operation, notFound: { resource: "keyPair", id: name } },
            ProviderHttp.empty
          ),
        { discard: true }
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": keyName }))
  }

  // ------------------------------------------------------------ volumes

  const listVolumes: Compute.Service["listVolumes"] = () =>
    client.list("/volumes", { operation: "Compute.listVolumes" }, Wire.VolumesPage, (p) => p.volumes).pipe(
      Effect.map((all) => all.map(Mapping.volume)),
      traced(PROVIDER, "Compute.listVolumes")
    )

  const volumeExtra = (w: validate.Where, extra: Readonly<Record<string, unknown>> | undefined) =>
    Effect.gen(function*() {
      const e = extra ?? {}
      const description = yield* optionalOf<string>(w, "extra.description", e["description"], "string")
      const filesystemType = e["filesystemType"]
      if (filesystemType !== undefined && filesystemType !== "ext4" && filesystemType !== "xfs") {
        return yield* Effect.fail(invalid(w, "extra.filesystemType", `must be "ext4" or "xfs"`))
      }
      const filesystemLabel = yield* optionalOf<string>(w, "extra.filesystemLabel", e["filesystemLabel"], "string")
      const tags = yield* stringArray(w, "extra.tags", e["tags"])
      return {
        ...(description === undefined ? {} : { description }),
        ...(filesystemType === undefined ? {} : { filesystem_type: filesystemType }),
        ...(filesystemLabel === undefined ? {} : { filesystem_label: filesystemLabel }),
        ...(tags === undefined ? {} : { tags })
      }
    })

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const w = where("createVolume")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name)
      if (!volumeName.test(name)) {
        return yield* Effect.fail(invalid(w, "name", "DigitalOcean volume names are up to 64 lower-case letters, digits and '-', starting with a letter"))
      }
      const sizeGb = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb, 16 * 1024)
      const snapshot = spec.snapshot === undefined ? undefined : yield* validate.id(w, "snapshot", spec.snapshot)
      const region = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (region === undefined && snapshot === undefined) {
        return yield* Effect.fail(invalid(w, "location", "DigitalOcean needs a region for a new volume: pass a location or set config.region"))
      }
      const extra = yield* volumeExtra(w, spec.extra)
      const body = {
        name,
        size_gigabytes: sizeGb,
        ...(region === undefined ? {} : { region }),
        ...(snapshot === undefined ? {} : { snapshot_id: snapshot }),
        ...extra
      }
      const created = yield* client.send(
        HttpClientRequest.post("/volumes").pipe(jsonBody(body)),
        {
          operation: w.operation,
          classify: (f) =>
            f.status === 409 || (f.status === 422 && /already/i.test(f.message ?? "")) ? new AlreadyExists({ ...w, resource: "volume", id: name }) : undefined
        },
        ProviderHttp.json(Wire.VolumeBody)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(missingVolumeSource(w, snapshot, region), (missing) => Effect.fail(Option.getOrElse(missing, () => e))))
      )
      return Mapping.volume(created.volume)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume.name": spec.name }))
  }

  const missingVolumeSource = (w: validate.Where, snapshot: string | undefined, region: string | undefined) =>
    Effect.gen(function*() {
      if (snapshot !== undefined) {
        const found = yield* client.send(
          HttpClientRequest.get(path("volumes", "snapshots", snapshot)),
          { operation: w.operation, notFound: { resource: "snapshot", id: snapshot } },
          ProviderHttp.json(Wire.SnapshotBody)
        ).pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false)))
        if (!found) return Option.some(new NotFound({ ...w, resource: "snapshot", id: snapshot }))
      }
      if (region !== undefined && !(yield* regions(w.operation)).some((r) => r.slug === region)) {
        return Option.some(new NotFound({ ...w, resource: "location", id: region }))
      }
      return Option.none<NotFound>()
    }).pipe(Effect.orElseSucceed(() => Option.none<NotFound>()))

  const volumeAction = (operation: string, volume: Wire.Volume, body: Record<string, unknown>) =>
    client.send(
      HttpClientRequest.post(`${path("volumes", volume.id)}/actions`).pipe(jsonBody({ ...body, region: volume.region.slug })),
      { operation, notFound: { resource: "volume", id: volume.id }, classify: conflictOn("volume", volume.id) },
      ProviderHttp.json(Wire.ActionBody)
    )

  const attachVolume: Compute.Service["attachVolume"] = (volumeRef, nodeRef) => {
    const w = where("attachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* validate.id(w, "volume", volumeRef)
      yield* validate.id(w, "node", nodeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachedTo = current.droplet_ids?.[0]
      if (attachedTo !== undefined) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${attachedTo}` }))
      }
      const id = yield* nodeId(w, "node", nodeRef)
      yield* droplet(w.operation, id)
      yield* volumeAction(w.operation, current, { type: "attach", droplet_id: Number(id) })
      return new Volume({ ...Mapping.volume(current), state: "attaching", attachedTo: id })
    }).pipe(traced(PROVIDER, w.operation))
  }

  const detachVolume: Compute.Service["detachVolume"] = (volumeRef) => {
    const w = where("detachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* validate.id(w, "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachedTo = current.droplet_ids?.[0]
      if (attachedTo === undefined) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: "not attached" }))
      }
      yield* volumeAction(w.operation, current, { type: "detach", droplet_id: attachedTo })
      const { attachedTo: _, ...rest } = Mapping.volume(current)
      return new Volume({ ...rest, state: "detaching" })
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = (volumeRef) => {
    const w = where("destroyVolume")
    return Effect.gen(function*() {
      const volumeId = yield* validate.id(w, "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachedTo = current.droplet_ids?.[0]
      if (attachedTo !== undefined) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${attachedTo}: detach it first` }))
      }
      yield* client.send(
        HttpClientRequest.del(path("volumes", volumeId)),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ snapshots

  const createVolumeSnapshot: Compute.Service["createVolumeSnapshot"] = (volumeRef, options) => {
    const w = where("createVolumeSnapshot")
    return Effect.gen(function*() {
      const volumeId = yield* validate.id(w, "volume", volumeRef)
      // DigitalOcean requires a name.
      const name = options?.name === undefined
        ? `cloudfx-${yield* Clock.currentTimeMillis}`
        : yield* validate.name(w, "name", options.name)
      const created = yield* client.send(
        HttpClientRequest.post(`${path("volumes", volumeId)}/snapshots`).pipe(jsonBody({ name })),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId } },
        ProviderHttp.json(Wire.SnapshotBody)
      )
      return Mapping.snapshot(created.snapshot)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const listVolumeSnapshots: Compute.Service["listVolumeSnapshots"] = (volumeRef) => {
    const w = where("listVolumeSnapshots")
    return Effect.gen(function*() {
      if (volumeRef === undefined) {
        const all = yield* client.list("/snapshots", { operation: w.operation }, Wire.SnapshotsPage, (p) => p.snapshots, { resource_type: "volume" })
        return all.map(Mapping.snapshot)
      }
      const volumeId = yield* validate.id(w, "volume", volumeRef)
      const all = yield* client.list(
        `${path("volumes", volumeId)}/snapshots`,
        { operation: w.operation, notFound: { resource: "volume", id: volumeId } },
        Wire.SnapshotsPage,
        (p) => p.snapshots
      )
      return all.map(Mapping.snapshot)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyVolumeSnapshot: Compute.Service["destroyVolumeSnapshot"] = (snapshotRef) => {
    const w = where("destroyVolumeSnapshot")
    return Effect.gen(function*() {
      const id = yield* validate.id(w, "snapshot", snapshotRef)
      yield* client.send(
        HttpClientRequest.del(path("volumes", "snapshots", id)),
        { operation: w.operation, notFound: { resource: "snapshot", id }, classify: conflictOn("snapshot", id) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ DigitalOcean only

  const digitalOcean: DigitalOceanService = {
    provider,
    powerOffNode: action("powerOffNode", "power_off", ["running"], "power off"),
    powerCycleNode: action("powerCycleNode", "power_cycle", ["running", "stopped"], "power-cycle")
  }

  const compute: Compute.Service = {
    provider,
    listNodes,
    getNode,
    createNode,
    rebootNode,
    startNode,
    stopNode,
    destroyNode,
    listImages,
    listSizes,
    listLocations,
    listKeyPairs,
    importKeyPair,
    deleteKeyPair,
    listVolumes,
    createVolume,
    attachVolume,
    detachVolume,
    destroyVolume,
    createVolumeSnapshot,
    listVolumeSnapshots,
    destroyVolumeSnapshot
  }
  return { compute, digitalOcean }
}
