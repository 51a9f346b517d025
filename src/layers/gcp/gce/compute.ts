/**
 * The portable Compute service over the Compute Engine API v1.
 *
 * - Nodes are instances; ids are names in the layer's zone, "zone/name"
 *   elsewhere (names.ts). `listNodes` lists the layer's zone, or every zone
 *   with `allZones` (aggregatedList). Reboot is `reset`. GCE's TERMINATED is
 *   a stopped instance; a destroyed one disappears (NotFound).
 * - `createNode` checks the zone, machine type, image (or image family) and
 *   key pair first, so a missing one is NotFound naming it and nothing is
 *   created; then inserts (boot disk from the image, ONE_TO_ONE_NAT for a
 *   public IP, ssh-keys and userData in metadata, labels; see nodeSpec.ts)
 *   and waits for the operation. Interrupted after GCE accepted the insert,
 *   it deletes the instance it started, so nothing is left running unseen.
 * - Every mutating call waits for its Operation to be DONE; an operation
 *   that ends in error fails with the mapped typed error (errors.ts).
 * - Starting a running instance or stopping a stopped one is a no-op on GCE
 *   (the operation succeeds); resetting a stopped one is Conflict
 *   (resourceNotReady).
 * - Sizes are the zone's machine types (not deprecated). The Compute API has
 *   no prices: `price` comes from the config's `prices`, else the `Pricing`
 *   service when provided, else the bundled table (Gce.ts).
 * - Images: the project's own, then the configured public image projects,
 *   READY and not deprecated; ids "project/name".
 * - Locations are zones (`extra.region`).
 * - Key pairs are project metadata "ssh-keys" (sshKeys.ts), updated
 *   read-modify-write under the metadata fingerprint, retried when another
 *   writer got in between.
 * - Volumes are persistent disks; snapshots are global snapshots.
 */
import { Effect } from "effect"
import type { KeyPair, Volume } from "../../../schemas/Models.js"
import { AlreadyExists, Conflict, InvalidInput, NotFound } from "../../../schemas/Errors.js"
import type { Compute } from "../../../services/Compute.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import * as PublicKey from "../../../services/publicKey.js"
import { refId } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { awaitOperation, type Core, get, list, mutate, start, where } from "./client.js"
import { defaultImageProjects, DEFAULT_NETWORK } from "./config.js"
import { type GceFailure, only } from "./errors.js"
import { isCurrent, toImage, toLocation, toNode, toSize, toSnapshot, toVolume } from "./mapping.js"
import * as names from "./names.js"
import { insertBody, METADATA_VALUE_MAX, nodeExtra } from "./nodeSpec.js"
import * as sshKeys from "./sshKeys.js"
import {
  Disk,
  DiskAggregatedList,
  DiskList,
  Image,
  ImageList,
  Instance,
  InstanceAggregatedList,
  InstanceList,
  MachineType,
  MachineTypeList,
  type MetadataItem,
  Project,
  Snapshot,
  SnapshotList,
  Zone,
  ZoneList
} from "./wire.js"

export const CAPABILITIES = ["compute.keyPairs", "compute.volumes", "compute.snapshots", "compute.reboot", "compute.startStop"] as const

const op = (name: string) => `Compute.${name}`

/** How many times a key pair change is re-read and re-applied when another writer changed the metadata first. */
const METADATA_ATTEMPTS = 5

export const makeCompute = (core: Core): Compute.Service => {
  const { project } = core
  const w = (operation: string) => where(core, operation)
  const nodeRef = (operation: string, ref: Compute.CreateNodeSpec["size"], field = "node") =>
    Effect.flatMap(validate.id(w(operation), field, ref), (id) =>
      Effect.map(names.zonal(w(operation), field, "instances", core.zone, id), (z) => ({ id, ...z })))
  const diskRef = (operation: string, ref: Compute.CreateNodeSpec["size"], field = "volume") =>
    Effect.flatMap(validate.id(w(operation), field, ref), (id) =>
      Effect.map(names.zonal(w(operation), field, "disks", core.zone, id), (z) => ({ id, ...z })))

  const getInstance = (operation: string, ref: { readonly id: string } & names.Zonal) =>
    get(core, names.paths.instance(project, ref), { operation, target: { resource: "node", id: ref.id } }, Instance)
  const getDisk = (operation: string, ref: { readonly id: string } & names.Zonal) =>
    get(core, names.paths.disk(project, ref), { operation, target: { resource: "volume", id: ref.id } }, Disk)

  // ---------------------------------------------------------------- nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const operation = op("listNodes")
    return Effect.gen(function*() {
      if (options?.ids !== undefined) {
        const refs = yield* Effect.forEach(options.ids, (id) => nodeRef(operation, id, "ids"))
        const found = yield* Effect.forEach(
          refs,
          (ref) => getInstance(operation, ref).pipe(Effect.asSome, Effect.catchTag("NotFound", () => Effect.succeedNone)),
          { concurrency: 8 }
        )
        return found.flatMap((o) => (o._tag === "Some" ? [toNode(core.zone, o.value)] : []))
      }
      const instances = core.config.allZones === true
        ? yield* list(core, names.paths.aggregatedInstances(project), { operation }, InstanceAggregatedList, (page) =>
          Object.values(page.items ?? {}).flatMap((scope) => scope.instances ?? []))
        : yield* list(core, names.paths.instances(project, core.zone), { operation }, InstanceList, (page) => page.items ?? [])
      return instances.map((i) => toNode(core.zone, i))
    }).pipe(only(), traced(core.provider, operation))
  }

  const getNode: Compute.Service["getNode"] = (node) => {
    const operation = op("getNode")
    return nodeRef(operation, node).pipe(
      Effect.flatMap((ref) => getInstance(operation, ref)),
      Effect.map((i) => toNode(core.zone, i)),
      only("NotFound"),
      traced(core.provider, operation, { "cloudfx.node": refId(node) })
    )
  }

  /** The "ssh-keys" lines of one key pair user, from the project's metadata. */
  const keyLines = (operation: string, user: string) =>
    get(core, names.paths.project(project), { operation }, Project).pipe(
      Effect.flatMap((p) => {
        const lines = sshKeys.entries(sshKeys.valueOf(p.commonInstanceMetadata?.items ?? [])).filter((e) => e.user === user).map((e) => e.line)
        return lines.length === 0 ? Effect.fail(new NotFound({ ...w(operation), resource: "keyPair", id: user })) : Effect.succeed(lines)
      })
    )

  const createNode: Compute.Service["createNode"] = (spec) => {
    const operation = op("createNode")
    return Effect.gen(function*() {
      const where = w(operation)
      const name = yield* Effect.flatMap(validate.name(where, "name", spec.name), (n) => names.resourceName(where, "name", n))
      const sizeId = yield* validate.id(where, "size", spec.size)
      const size = yield* names.machineType(where, sizeId)
      const imageId = yield* validate.id(where, "image", spec.image)
      const image = yield* names.image(where, project, imageId)
      const locationId = spec.location === undefined ? undefined : yield* validate.id(where, "location", spec.location)
      const zone = locationId === undefined ? core.zone : yield* names.zoneName(where, "location", locationId)
      const keyPair = spec.keyPair === undefined ? undefined : yield* validate.name(where, "keyPair", spec.keyPair, 32)
      if (spec.userData !== undefined && (typeof spec.userData !== "string" || Buffer.byteLength(spec.userData, "utf8") > METADATA_VALUE_MAX)) {
        return yield* new InvalidInput({ ...where, field: "userData", reason: "must be a string of at most 256 KB" })
      }
      const extra = yield* nodeExtra(where, spec.extra)

      yield* get(core, names.paths.zone(project, zone), { operation, target: { resource: "location", id: locationId ?? zone } }, Zone)
      yield* get(core, names.paths.machineType(project, zone, size), { operation, target: { resource: "size", id: sizeId } }, MachineType)
      const bootImage = yield* get(core, names.paths.image(image), { operation, target: { resource: "image", id: imageId } }, Image)
      const keys = keyPair === undefined ? [] : yield* keyLines(operation, keyPair)

      const target = { resource: "node", id: names.zonalId(core.zone, zone, name) }
      const body = insertBody({
        name,
        zone,
        machineType: size,
        sourceImage: names.imageSource({ _tag: "Image", project: image.project, name: bootImage.name }),
        network: core.config.network ?? DEFAULT_NETWORK,
        sshKeys: keys,
        userData: spec.userData,
        extra
      })
      const accepted = yield* start(core, "POST", names.paths.instances(project, zone), { operation, target, body })
      // GCE took the insert: from here an interruption must not leave an instance nobody knows about.
      return yield* awaitOperation(core, accepted, { operation, target }).pipe(
        Effect.zipRight(getInstance(operation, { id: target.id, zone, name })),
        Effect.onInterrupt(() =>
          Effect.ignore(start(core, "DELETE", names.paths.instance(project, { zone, name }), { operation, target }))
        )
      )
    }).pipe(
      Effect.map((i) => toNode(core.zone, i)),
      only("NotFound", "AlreadyExists"),
      traced(core.provider, operation, { "cloudfx.node.name": String(spec.name) })
    )
  }

  const instanceAction = (name: "rebootNode" | "startNode" | "stopNode", verb: "reset" | "start" | "stop") => (node: Compute.CreateNodeSpec["size"]) => {
    const operation = op(name)
    return nodeRef(operation, node).pipe(
      Effect.flatMap((ref) => mutate(core, "POST", `${names.paths.instance(project, ref)}/${verb}`, { operation, target: { resource: "node", id: ref.id } })),
      Effect.asVoid,
      only("NotFound", "Conflict"),
      traced(core.provider, operation, { "cloudfx.node": refId(node) })
    )
  }

  const destroyNode: Compute.Service["destroyNode"] = (node) => {
    const operation = op("destroyNode")
    return nodeRef(operation, node).pipe(
      Effect.flatMap((ref) => mutate(core, "DELETE", names.paths.instance(project, ref), { operation, target: { resource: "node", id: ref.id } })),
      Effect.asVoid,
      only("NotFound"),
      traced(core.provider, operation, { "cloudfx.node": refId(node) })
    )
  }

  // ---------------------------------------------------------------- catalogue

  const listImages: Compute.Service["listImages"] = () => {
    const operation = op("listImages")
    const projects = [...new Set([project, ...(core.config.imageProjects ?? defaultImageProjects)])]
    return Effect.forEach(
      projects,
      (p) =>
        list(core, names.paths.images(p), { operation }, ImageList, (page) => page.items ?? []).pipe(
          Effect.map((images) => images.filter((i) => isCurrent(i) && (i.status === undefined || i.status === "READY")).map((i) => toImage(p, i)))
        ),
      { concurrency: 4 }
    ).pipe(Effect.map((all) => all.flat()), only(), traced(core.provider, operation))
  }

  const listSizes: Compute.Service["listSizes"] = () => {
    const operation = op("listSizes")
    return list(core, names.paths.machineTypes(project, core.zone), { operation }, MachineTypeList, (page) => page.items ?? []).pipe(
      Effect.map((types) => types.filter(isCurrent).map((m) => toSize(m, core.region, core.config.prices))),
      only(),
      traced(core.provider, operation)
    )
  }

  const listLocations: Compute.Service["listLocations"] = () => {
    const operation = op("listLocations")
    return list(core, names.paths.zones(project), { operation }, ZoneList, (page) => page.items ?? []).pipe(
      Effect.map((zones) => zones.filter(isCurrent).map(toLocation)),
      only(),
      traced(core.provider, operation)
    )
  }

  // ---------------------------------------------------------------- key pairs

  /**
   * Read the project metadata, change its items, write them back under the
   * fingerprint read; when another writer got in between (412, or an
   * operation ending CONDITION_NOT_MET: both Conflict here), start over.
   */
  const updateMetadata = <A, E>(
    operation: string,
    change: (items: ReadonlyArray<MetadataItem>) => Effect.Effect<readonly [ReadonlyArray<MetadataItem>, A], E>
  ): Effect.Effect<A, E | GceFailure> =>
    Effect.gen(function*() {
      const metadata = (yield* get(core, names.paths.project(project), { operation }, Project)).commonInstanceMetadata ?? {}
      const [items, result] = yield* change(metadata.items ?? [])
      yield* mutate(core, "POST", `${names.paths.project(project)}/setCommonInstanceMetadata`, {
        operation,
        target: { resource: "projectMetadata", id: project },
        body: { ...(metadata.fingerprint === undefined ? {} : { fingerprint: metadata.fingerprint }), items }
      })
      return result
    }).pipe(Effect.retry({ times: METADATA_ATTEMPTS - 1, while: (e) => e instanceof Conflict && e.resource === "projectMetadata" }))

  const keyName = (operation: string, name: string) =>
    Effect.flatMap(validate.name(w(operation), "name", name, 32), (n) =>
      sshKeys.userName.test(n)
        ? Effect.succeed(n)
        : Effect.fail(
          new InvalidInput({ ...w(operation), field: "name", reason: "must be a Linux user name: lower-case letters, digits, '_', '.', '-', starting with a letter or '_'" })
        ))

  const listKeyPairs: Compute.Service["listKeyPairs"] = () => {
    const operation = op("listKeyPairs")
    return get(core, names.paths.project(project), { operation }, Project).pipe(
      Effect.map((p) => sshKeys.entries(sshKeys.valueOf(p.commonInstanceMetadata?.items ?? [])).map(sshKeys.toKeyPair)),
      only(),
      traced(core.provider, operation)
    )
  }

  const importKeyPair: Compute.Service["importKeyPair"] = (keyPair) => {
    const operation = op("importKeyPair")
    return Effect.gen(function*() {
      const where = w(operation)
      const user = yield* keyName(operation, keyPair.name)
      const key = yield* PublicKey.check(where, "publicKey", keyPair.publicKey)
      return yield* updateMetadata(operation, (items) => {
        const value = sshKeys.valueOf(items)
        if (sshKeys.entries(value).some((e) => e.user === user)) {
          return Effect.fail(new AlreadyExists({ ...where, resource: "keyPair", id: user }))
        }
        const line = sshKeys.line(user, key)
        const added: KeyPair = sshKeys.toKeyPair({ user, key, line })
        return Effect.succeed([sshKeys.withLines(items, [...sshKeys.lines(value), line]), added] as const)
      })
    }).pipe(only("AlreadyExists"), traced(core.provider, operation, { "cloudfx.keyPair": String(keyPair.name) }))
  }

  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (name) => {
    const operation = op("deleteKeyPair")
    return Effect.gen(function*() {
      const user = yield* keyName(operation, name)
      yield* updateMetadata(operation, (items) => {
        const value = sshKeys.valueOf(items)
        if (!sshKeys.entries(value).some((e) => e.user === user)) {
          return Effect.fail(new NotFound({ ...w(operation), resource: "keyPair", id: user }))
        }
        return Effect.succeed([sshKeys.withLines(items, sshKeys.withoutUser(value, user)), undefined] as const)
      })
    }).pipe(only("NotFound"), traced(core.provider, operation, { "cloudfx.keyPair": String(name) }))
  }

  // ---------------------------------------------------------------- volumes

  const listVolumes: Compute.Service["listVolumes"] = () => {
    const operation = op("listVolumes")
    return (core.config.allZones === true
      ? list(core, names.paths.aggregatedDisks(project), { operation }, DiskAggregatedList, (page) =>
        Object.values(page.items ?? {}).flatMap((scope) => scope.disks ?? []))
      : list(core, names.paths.disks(project, core.zone), { operation }, DiskList, (page) => page.items ?? [])).pipe(
        Effect.map((disks) => disks.map((d) => toVolume(core.zone, d))),
        only(),
        traced(core.provider, operation)
      )
  }

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const operation = op("createVolume")
    return Effect.gen(function*() {
      const where = w(operation)
      const name = yield* Effect.flatMap(validate.name(where, "name", spec.name), (n) => names.resourceName(where, "name", n))
      const sizeGb = yield* validate.positiveInt(where, "sizeGb", spec.sizeGb, 65536)
      const locationId = spec.location === undefined ? undefined : yield* validate.id(where, "location", spec.location)
      const zone = locationId === undefined ? core.zone : yield* names.zoneName(where, "location", locationId)
      const snapshotId = spec.snapshot === undefined ? undefined : yield* validate.id(where, "snapshot", spec.snapshot)
      const snapshot = snapshotId === undefined ? undefined : yield* names.snapshotName(where, "snapshot", snapshotId)
      const diskType = spec.extra?.["diskType"]
      if (diskType !== undefined && !(typeof diskType === "string" && names.isName(diskType))) {
        return yield* new InvalidInput({ ...where, field: "extra.diskType", reason: "must be a disk type name" })
      }
      if (snapshot !== undefined) {
        yield* get(core, names.paths.snapshot(project, snapshot), { operation, target: { resource: "snapshot", id: snapshotId! } }, Snapshot)
      }
      const id = names.zonalId(core.zone, zone, name)
      const target = { resource: "volume", id }
      yield* mutate(core, "POST", names.paths.disks(project, zone), {
        operation,
        target,
        body: {
          name,
          sizeGb: String(sizeGb),
          ...(snapshot === undefined ? {} : { sourceSnapshot: `global/snapshots/${snapshot}` }),
          ...(diskType === undefined ? {} : { type: `zones/${zone}/diskTypes/${diskType}` })
        }
      })
      return toVolume(core.zone, yield* getDisk(operation, { id, zone, name }))
    }).pipe(only("NotFound", "AlreadyExists"), traced(core.provider, operation, { "cloudfx.volume.name": String(spec.name) }))
  }

  const attachVolume: Compute.Service["attachVolume"] = (volume, node, options) => {
    const operation = op("attachVolume")
    return Effect.gen(function*() {
      const disk = yield* diskRef(operation, volume)
      const instance = yield* nodeRef(operation, node)
      const device = options?.device?.replace(/^\/dev\//, "")
      if (device !== undefined && !names.isName(device)) {
        return yield* new InvalidInput({ ...w(operation), field: "device", reason: "must be a device name: lower-case letters, digits and '-'" })
      }
      const current = yield* getDisk(operation, disk)
      const users = current.users ?? []
      if (users.length > 0) {
        return yield* new Conflict({ ...w(operation), resource: "volume", id: disk.id, reason: `attached to ${names.zonalIdFromUrl(core.zone, users[0])}` })
      }
      yield* mutate(core, "POST", `${names.paths.instance(project, instance)}/attachDisk`, {
        operation,
        target: { resource: "node", id: instance.id },
        body: {
          source: names.diskSource(project, disk),
          type: "PERSISTENT",
          mode: "READ_WRITE",
          autoDelete: false,
          ...(device === undefined ? {} : { deviceName: device })
        }
      })
      return yield* getVolume(operation, disk)
    }).pipe(only("NotFound", "Conflict"), traced(core.provider, operation, { "cloudfx.volume": refId(volume), "cloudfx.node": refId(node) }))
  }

  const getVolume = (operation: string, disk: { readonly id: string } & names.Zonal): Effect.Effect<Volume, GceFailure> =>
    Effect.map(getDisk(operation, disk), (d) => toVolume(core.zone, d))

  const detachVolume: Compute.Service["detachVolume"] = (volume) => {
    const operation = op("detachVolume")
    return Effect.gen(function*() {
      const disk = yield* diskRef(operation, volume)
      const current = yield* getDisk(operation, disk)
      const user = current.users?.[0]
      const m = user === undefined ? null : /zones\/([^/]+)\/instances\/([^/]+)$/.exec(user)
      if (m === null) return yield* new Conflict({ ...w(operation), resource: "volume", id: disk.id, reason: "not attached" })
      const instance = { id: names.zonalId(core.zone, m[1]!, m[2]!), zone: m[1]!, name: m[2]! }
      const attachedTo = yield* getInstance(operation, instance)
      const source = names.diskSource(project, disk)
      const attached = (attachedTo.disks ?? []).find((d) => d.source !== undefined && d.source.endsWith(source))
      if (attached?.deviceName === undefined) {
        return yield* new Conflict({ ...w(operation), resource: "volume", id: disk.id, reason: "not attached" })
      }
      yield* mutate(core, "POST", `${names.paths.instance(project, instance)}/detachDisk`, {
        operation,
        target: { resource: "volume", id: disk.id },
        query: { deviceName: attached.deviceName }
      })
      return yield* getVolume(operation, disk)
    }).pipe(only("NotFound", "Conflict"), traced(core.provider, operation, { "cloudfx.volume": refId(volume) }))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = (volume) => {
    const operation = op("destroyVolume")
    return diskRef(operation, volume).pipe(
      Effect.flatMap((disk) => mutate(core, "DELETE", names.paths.disk(project, disk), { operation, target: { resource: "volume", id: disk.id } })),
      Effect.asVoid,
      only("NotFound", "Conflict"),
      traced(core.provider, operation, { "cloudfx.volume": refId(volume) })
    )
  }

  // ---------------------------------------------------------------- snapshots

  const createVolumeSnapshot: Compute.Service["createVolumeSnapshot"] = (volume, options) => {
    const operation = op("createVolumeSnapshot")
    return Effect.gen(function*() {
      const disk = yield* diskRef(operation, volume)
      const name = options?.name === undefined
        ? `${disk.name.slice(0, 50)}-${Date.now().toString(36)}`
        : yield* Effect.flatMap(validate.name(w(operation), "name", options.name), (n) => names.resourceName(w(operation), "name", n))
      yield* mutate(core, "POST", `${names.paths.disk(project, disk)}/createSnapshot`, {
        operation,
        target: { resource: "volume", id: disk.id },
        body: { name }
      })
      const snapshot = yield* get(core, names.paths.snapshot(project, name), { operation, target: { resource: "snapshot", id: name } }, Snapshot)
      return toSnapshot(core.zone, snapshot)
    }).pipe(only("NotFound"), traced(core.provider, operation, { "cloudfx.volume": refId(volume) }))
  }

  const listVolumeSnapshots: Compute.Service["listVolumeSnapshots"] = (volume) => {
    const operation = op("listVolumeSnapshots")
    return Effect.gen(function*() {
      const disk = volume === undefined ? undefined : yield* diskRef(operation, volume)
      const source = disk === undefined ? undefined : yield* getDisk(operation, disk)
      const snapshots = yield* list(core, names.paths.snapshots(project), { operation }, SnapshotList, (page) => page.items ?? [])
      const path = disk === undefined ? undefined : names.diskSource(project, disk)
      return snapshots
        .filter((s) =>
          path === undefined ||
          (s.sourceDiskId !== undefined && source?.id !== undefined ? s.sourceDiskId === source.id : s.sourceDisk?.endsWith(path) === true)
        )
        .map((s) => toSnapshot(core.zone, s))
    }).pipe(only("NotFound"), traced(core.provider, operation, volume === undefined ? {} : { "cloudfx.volume": refId(volume) }))
  }

  const destroyVolumeSnapshot: Compute.Service["destroyVolumeSnapshot"] = (snapshot) => {
    const operation = op("destroyVolumeSnapshot")
    return Effect.gen(function*() {
      const id = yield* validate.id(w(operation), "snapshot", snapshot)
      const name = yield* names.snapshotName(w(operation), "snapshot", id)
      yield* mutate(core, "DELETE", names.paths.snapshot(project, name), { operation, target: { resource: "snapshot", id } })
    }).pipe(only("NotFound", "Conflict"), traced(core.provider, operation, { "cloudfx.snapshot": refId(snapshot) }))
  }

  return {
    provider: providerInfo(core.provider, CAPABILITIES, core.region),
    listNodes,
    getNode,
    createNode,
    rebootNode: instanceAction("rebootNode", "reset"),
    startNode: instanceAction("startNode", "start"),
    stopNode: instanceAction("stopNode", "stop"),
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
}
