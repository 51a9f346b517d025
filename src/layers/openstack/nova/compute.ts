/**
 * The portable Compute service over Nova (servers, flavors, key pairs,
 * availability zones, volume attachments), Glance (images) and Cinder
 * (volumes, snapshots).
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Errors from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import { Conflict, InvalidInput, NotFound } from "../../../schemas/Errors.js"
import { Node, Volume } from "../../../schemas/Models.js"
import type { Compute } from "../../../services/Compute.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import * as PublicKey from "../../../services/publicKey.js"
import { type Ref, refId } from "../../../services/Refs.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { jsonBody, type NovaClient, nextLink } from "./client.js"
import { atLeast, type NovaConfig, PROVIDER } from "./config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

/** What `createNode` accepts in `extra` (each checked, InvalidInput otherwise). */
export interface CreateNodeExtra {
  /** Neutron networks by id (`[{ uuid }]` on the wire), or "auto" / "none" (microversion 2.37+). */
  readonly networks?: ReadonlyArray<string> | "auto" | "none"
  /** Security group names. */
  readonly securityGroups?: ReadonlyArray<string>
  readonly metadata?: Readonly<Record<string, string>>
  /** Put the user data and metadata on a config drive. */
  readonly configDrive?: boolean
}

/** What `createVolume` accepts in `extra`. */
export interface CreateVolumeExtra {
  readonly volumeType?: string
  readonly description?: string
  readonly metadata?: Readonly<Record<string, string>>
}

const capabilities = ["compute.keyPairs", "compute.volumes", "compute.snapshots", "compute.reboot", "compute.startStop"] as const

// Nova: "Server name … 255 characters"; user data at most 65535 bytes once base64-encoded.
const USER_DATA_MAX_BASE64 = 65535
// Nova key pair names (before 2.92 no '@'; 2.92 allows '@' too): letters, digits, ' ', '.', '_', '-', no edge spaces.
const keyPairName = /^(?! )[A-Za-z0-9 ._@-]+(?<! )$/

export const where = (operation: string): validate.Where => ({ provider: PROVIDER, operation })

const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

/** An id that cannot be a path segment ("." / "..") names nothing. */
const idOf = (w: validate.Where, field: string, resource: string, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
  Effect.flatMap(validate.id(w, field, ref), (id) => (Url.isDotSegment(id) ? Effect.fail(new NotFound({ ...w, resource, id })) : Effect.succeed(id)))

const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

/** 409 conflictingRequest: Nova refuses an action in the server's current state ("Cannot 'start' instance … while it is in vm_state active"). */
const conflictOn = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 409 ? new Conflict({ ...f.where, resource, id, reason: f.message ?? "refused in its current state" }) : undefined

/** Cinder answers 400 "Invalid volume: …" / "Invalid snapshot: …" for a request its state forbids. */
const invalidState = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 409 || (f.status === 400 && /^invalid (volume|snapshot)/i.test(f.message ?? ""))
    ? new Conflict({ ...f.where, resource, id, reason: f.message ?? "refused in its current state" })
    : undefined

const isRejected = (e: { readonly _tag: string }): boolean =>
  e._tag === "ProviderError" && [400, 404].includes((e as { readonly status?: number }).status ?? 0)

const stringList = (w: validate.Where, field: string, value: unknown): Effect.Effect<ReadonlyArray<string> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(value) && value.every((v) => typeof v === "string" && v !== "")
    ? Effect.succeed(value as ReadonlyArray<string>)
    : Effect.fail(invalid(w, field, "must be an array of non-empty strings"))

const stringRecord = (w: validate.Where, field: string, value: unknown): Effect.Effect<Readonly<Record<string, string>> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string")
    ? Effect.succeed(value as Readonly<Record<string, string>>)
    : Effect.fail(invalid(w, field, "must be an object of string values"))

export const make = (config: Omit<NovaConfig, "auth">, client: NovaClient): Compute.Service => {
  const provider = providerInfo(PROVIDER, capabilities, config.region)

  const priceOf = (flavor: Wire.Flavor): number | undefined => {
    const prices = config.prices
    if (prices === undefined) return undefined
    if (typeof prices === "function") {
      try {
        return prices(flavor.name, config.region)
      } catch {
        // A price source that fails for one flavor leaves that price unknown.
        return undefined
      }
    }
    return prices[flavor.name] ?? prices[flavor.id]
  }

  // ------------------------------------------------------------ lookups

  const server = (operation: string, id: string) =>
    client.send("compute", HttpClientRequest.get(path("servers", id)), { operation, notFound: { resource: "node", id } }, ProviderHttp.json(Wire.ServerBody)).pipe(
      Effect.map((b) => b.server)
    )

  const volumeRecord = (operation: string, id: string) =>
    client.send("volumev3", HttpClientRequest.get(path("volumes", id)), { operation, notFound: { resource: "volume", id } }, ProviderHttp.json(Wire.VolumeBody)).pipe(
      Effect.map((b) => b.volume)
    )

  /** Whether GET `path` on `service` finds something (404: no). */
  const exists = (service: Parameters<NovaClient["send"]>[0], operation: string, p: string) =>
    client.send(service, HttpClientRequest.get(p), { operation, notFound: true }, ProviderHttp.empty).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    )

  // ------------------------------------------------------------ nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const w = where("Compute.listNodes")
    return Effect.gen(function*() {
      if (options?.ids === undefined) {
        const all = yield* client.list("compute", "/servers/detail", w.operation, Wire.ServersPage, (p) => ({
          items: p.servers,
          next: nextLink(p.servers_links)
        }))
        return all.map(Mapping.node)
      }
      const ids = yield* Effect.forEach(options.ids, (id) => validate.id(w, "ids", id))
      const found = yield* Effect.forEach(
        [...new Set(ids)].filter((id) => !Url.isDotSegment(id)),
        (id) => server(w.operation, id).pipe(Effect.map(Option.some), Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))),
        { concurrency: 8 }
      )
      return found.flatMap((s) => (Option.isSome(s) ? [Mapping.node(s.value)] : []))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const getNode: Compute.Service["getNode"] = (ref) => {
    const w = where("Compute.getNode")
    return idOf(w, "node", "node", ref).pipe(
      Effect.flatMap((id) => server(w.operation, id)),
      Effect.map(Mapping.node),
      traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) })
    )
  }

  /** After Nova refused a create: the first of flavor, image, zone and key pair it does not know. */
  const missingReference = (w: validate.Where, flavor: string, image: string, zone: string | undefined, keyName: string | undefined) =>
    Effect.gen(function*() {
      if (!(yield* exists("compute", w.operation, path("flavors", flavor)))) return Option.some(new NotFound({ ...w, resource: "size", id: flavor }))
      if (!(yield* exists("image", w.operation, path("images", image)))) return Option.some(new NotFound({ ...w, resource: "image", id: image }))
      if (zone !== undefined) {
        const zones = yield* client.send("compute", HttpClientRequest.get("/os-availability-zone"), { operation: w.operation }, ProviderHttp.json(Wire.AvailabilityZones))
        if (!zones.availabilityZoneInfo.some((z) => z.zoneName === zone && z.zoneState.available)) {
          return Option.some(new NotFound({ ...w, resource: "location", id: zone }))
        }
      }
      if (keyName !== undefined && !(yield* exists("compute", w.operation, path("os-keypairs", keyName)))) {
        return Option.some(new NotFound({ ...w, resource: "keyPair", id: keyName }))
      }
      return Option.none<NotFound>()
    }).pipe(Effect.orElseSucceed(() => Option.none<NotFound>()))

  const createNode: Compute.Service["createNode"] = (spec) => {
    const w = where("Compute.createNode")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name)
      const flavor = yield* validate.id(w, "size", spec.size)
      const image = yield* validate.id(w, "image", spec.image)
      const zone = spec.location === undefined ? undefined : yield* validate.id(w, "location", spec.location)
      const keyName = spec.keyPair === undefined ? undefined : yield* validate.name(w, "keyPair", spec.keyPair)
      let userData: string | undefined
      if (spec.userData !== undefined) {
        if (typeof spec.userData !== "string") return yield* Effect.fail(invalid(w, "userData", "must be a string"))
        userData = Buffer.from(spec.userData, "utf8").toString("base64")
        if (userData.length > USER_DATA_MAX_BASE64) {
          return yield* Effect.fail(invalid(w, "userData", `must be at most ${USER_DATA_MAX_BASE64} bytes once base64-encoded`))
        }
      }
      const extra = spec.extra ?? {}
      const rawNetworks = extra["networks"]
      const networks = rawNetworks === "auto" || rawNetworks === "none"
        ? rawNetworks
        : (yield* stringList(w, "extra.networks", rawNetworks))?.map((uuid) => ({ uuid }))
      if (typeof networks === "string" && !atLeast(client.microversion, 2, 37)) {
        return yield* Effect.fail(invalid(w, "extra.networks", `"${networks}" needs microversion 2.37 or later (configured: ${client.microversion})`))
      }
      const securityGroups = yield* stringList(w, "extra.securityGroups", extra["securityGroups"])
      const metadata = yield* stringRecord(w, "extra.metadata", extra["metadata"])
      const configDrive = extra["configDrive"]
      if (configDrive !== undefined && typeof configDrive !== "boolean") return yield* Effect.fail(invalid(w, "extra.configDrive", "must be a boolean"))
      const body = {
        server: {
          name,
          flavorRef: flavor,
          imageRef: image,
          ...(zone === undefined ? {} : { availability_zone: zone }),
          ...(keyName === undefined ? {} : { key_name: keyName }),
          ...(userData === undefined ? {} : { user_data: userData }),
          // 2.37 made `networks` required; "auto" is what the older versions did when it was left out.
          ...(networks !== undefined ? { networks } : atLeast(client.microversion, 2, 37) ? { networks: "auto" } : {}),
          ...(securityGroups === undefined ? {} : { security_groups: securityGroups.map((g) => ({ name: g })) }),
          ...(metadata === undefined ? {} : { metadata }),
          ...(configDrive === undefined ? {} : { config_drive: configDrive })
        }
      }
      // The 202 answer also holds `adminPass`: it is not decoded, so it goes nowhere.
      const created = yield* client.send(
        "compute",
        HttpClientRequest.post("/servers").pipe(jsonBody(body)),
        { operation: w.operation, attributes: { "cloudfx.node.name": name } },
        ProviderHttp.json(Wire.CreatedServer)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(missingReference(w, flavor, image, zone, keyName), (missing) => Effect.fail(Option.getOrElse(missing, () => e))))
      )
      const id = created.server.id
      // The create answer has no status or addresses: read the server once; if that fails, what is known.
      return yield* server(w.operation, id).pipe(
        Effect.map(Mapping.node),
        Effect.orElseSucceed(() =>
          new Node({ id, name, state: "pending", publicIps: [], privateIps: [], size: flavor, image, ...(zone === undefined ? {} : { location: zone }) })
        )
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.node.name": spec.name }))
  }

  /** A server action (`POST /servers/{id}/action`); Nova answers 409 in a state that forbids it. */
  const action = (operation: string, body: Record<string, unknown>) => (ref: Ref) => {
    const w = where(operation)
    return Effect.gen(function*() {
      const id = yield* idOf(w, "node", "node", ref)
      yield* client.send(
        "compute",
        HttpClientRequest.post(`${path("servers", id)}/action`).pipe(jsonBody(body)),
        // Not resent after a lost answer: the first may have been taken, and a second would be a misleading 409.
        { operation, notFound: { resource: "node", id }, classify: conflictOn("node", id) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, operation, { "cloudfx.node": refId(ref) }))
  }

  const destroyNode: Compute.Service["destroyNode"] = (ref) => {
    const w = where("Compute.destroyNode")
    return idOf(w, "node", "node", ref).pipe(
      Effect.flatMap((id) =>
        client.send("compute", HttpClientRequest.del(path("servers", id)), { operation: w.operation, notFound: { resource: "node", id } }, ProviderHttp.empty)
      ),
      traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) })
    )
  }

  // ------------------------------------------------------------ catalogue

  const listSizes: Compute.Service["listSizes"] = () =>
    client.list("compute", "/flavors/detail", "Compute.listSizes", Wire.FlavorsPage, (p) => ({ items: p.flavors, next: nextLink(p.flavors_links) })).pipe(
      Effect.map((all) => all.map((f) => Mapping.size(f, priceOf(f)))),
      traced(PROVIDER, "Compute.listSizes")
    )

  const listImages: Compute.Service["listImages"] = () =>
    client.list("image", "/images", "Compute.listImages", Wire.ImagesPage, (p) => ({ items: p.images, next: p.next })).pipe(
      Effect.map((all) => all.map(Mapping.image)),
      traced(PROVIDER, "Compute.listImages")
    )

  // Zones that cannot take servers now come last, so "the first location" is one that can.
  const listLocations: Compute.Service["listLocations"] = () =>
    client.send("compute", HttpClientRequest.get("/os-availability-zone"), { operation: "Compute.listLocations" }, ProviderHttp.json(Wire.AvailabilityZones)).pipe(
      Effect.map((b) => [...b.availabilityZoneInfo].sort((a, c) => Number(c.zoneState.available) - Number(a.zoneState.available)).map(Mapping.location)),
      traced(PROVIDER, "Compute.listLocations")
    )

  // ------------------------------------------------------------ key pairs

  const listKeyPairs: Compute.Service["listKeyPairs"] = () =>
    client.list("compute", "/os-keypairs", "Compute.listKeyPairs", Wire.KeypairsPage, (p) => ({
      items: p.keypairs.map((k) => k.keypair),
      next: nextLink(p.keypairs_links)
    })).pipe(Effect.map((all) => all.map(Mapping.keyPair)), traced(PROVIDER, "Compute.listKeyPairs"))

  const keyName = (w: validate.Where, value: string) =>
    Effect.flatMap(validate.name(w, "name", value), (name) =>
      keyPairName.test(name)
        ? Effect.succeed(name)
        : Effect.fail(invalid(w, "name", "Nova key pair names are letters, digits, ' ', '.', '_', '-' and '@', without leading or trailing spaces")))

  const importKeyPair: Compute.Service["importKeyPair"] = (input) => {
    const w = where("Compute.importKeyPair")
    return Effect.gen(function*() {
      const name = yield* keyName(w, input.name)
      const key = yield* PublicKey.check(w, "publicKey", input.publicKey)
      const body = { keypair: { name, public_key: key.line, ...(atLeast(client.microversion, 2, 2) ? { type: "ssh" } : {}) } }
      const created = yield* client.send(
        "compute",
        HttpClientRequest.post("/os-keypairs").pipe(jsonBody(body)),
        // "Key pair 'x' already exists." is a 409. Not resent after a lost answer: it would call our own key taken.
        { operation: w.operation, conflict: "AlreadyExists", target: { resource: "keyPair", id: name } },
        ProviderHttp.json(Wire.KeypairBody)
      )
      return Mapping.keyPair({ ...created.keypair, public_key: created.keypair.public_key ?? key.line })
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": input.name }))
  }

  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (name) => {
    const w = where("Compute.deleteKeyPair")
    return Effect.gen(function*() {
      const n = yield* validate.name(w, "name", name)
      yield* client.send(
        "compute",
        HttpClientRequest.del(path("os-keypairs", n)),
        { operation: w.operation, notFound: { resource: "keyPair", id: n } },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": name }))
  }

  // ------------------------------------------------------------ volumes

  const listVolumes: Compute.Service["listVolumes"] = () =>
    client.list("volumev3", "/volumes/detail", "Compute.listVolumes", Wire.VolumesPage, (p) => ({ items: p.volumes, next: nextLink(p.volumes_links) })).pipe(
      Effect.map((all) => all.map(Mapping.volume)),
      traced(PROVIDER, "Compute.listVolumes")
    )

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const w = where("Compute.createVolume")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name)
      const size = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb)
      const zone = spec.location === undefined ? undefined : yield* validate.id(w, "location", spec.location)
      const snapshotId = spec.snapshot === undefined ? undefined : yield* idOf(w, "snapshot", "snapshot", spec.snapshot)
      const extra = spec.extra ?? {}
      const volumeType = extra["volumeType"]
      if (volumeType !== undefined && (typeof volumeType !== "string" || volumeType === "")) return yield* Effect.fail(invalid(w, "extra.volumeType", "must be a non-empty string"))
      const description = extra["description"]
      if (description !== undefined && typeof description !== "string") return yield* Effect.fail(invalid(w, "extra.description", "must be a string"))
      const metadata = yield* stringRecord(w, "extra.metadata", extra["metadata"])
      if (snapshotId !== undefined) {
        yield* client.send("volumev3", HttpClientRequest.get(path("snapshots", snapshotId)), { operation: w.operation, notFound: { resource: "snapshot", id: snapshotId } }, ProviderHttp.empty)
      }
      const body = {
        volume: {
          name,
          size,
          ...(zone === undefined ? {} : { availability_zone: zone }),
          ...(snapshotId === undefined ? {} : { snapshot_id: snapshotId }),
          ...(volumeType === undefined ? {} : { volume_type: volumeType }),
          ...(description === undefined ? {} : { description }),
          ...(metadata === undefined ? {} : { metadata })
        }
      }
      const created = yield* client.send(
        "volumev3",
        HttpClientRequest.post("/volumes").pipe(jsonBody(body)),
        { operation: w.operation, attributes: { "cloudfx.volume.name": name } },
        ProviderHttp.json(Wire.VolumeBody)
      ).pipe(
        // Cinder: 400 "Availability zone 'x' is invalid." names the zone; anything else stays as it is.
        Effect.catchIf(
          (e) => zone !== undefined && e._tag === "ProviderError" && /availability zone/i.test(e.message),
          () => Effect.fail(new NotFound({ ...w, resource: "location", id: zone! }))
        )
      )
      return Mapping.volume(created.volume)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume.name": spec.name }))
  }

  const attachVolume: Compute.Service["attachVolume"] = (volumeRef, nodeRef, options) => {
    const w = where("Compute.attachVolume")
    return Effect.gen(function*() {
      yield* validate.id(w, "volume", volumeRef)
      yield* validate.id(w, "node", nodeRef)
      const device = options?.device === undefined ? undefined : yield* validate.name(w, "device", options.device)
      const volumeId = yield* idOf(w, "volume", "volume", volumeRef)
      const nodeId = yield* idOf(w, "node", "node", nodeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachedTo = current.attachments?.[0]?.server_id
      if (attachedTo !== undefined && current.multiattach !== true) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${attachedTo}` }))
      }
      if (current.status !== "available" && current.multiattach !== true) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `the volume is ${current.status}` }))
      }
      const attached = yield* client.send(
        "compute",
        HttpClientRequest.post(`${path("servers", nodeId)}/os-volume_attachments`).pipe(
          jsonBody({ volumeAttachment: { volumeId, ...(device === undefined ? {} : { device }) } })
        ),
        { operation: w.operation, notFound: { resource: "node", id: nodeId }, classify: conflictOn("node", nodeId) },
        ProviderHttp.json(Wire.VolumeAttachmentBody)
      )
      const { device: _, ...rest } = Mapping.volume(current)
      const at = attached.volumeAttachment.device
      return new Volume({ ...rest, state: "attaching", attachedTo: nodeId, ...(at === undefined || at === null ? {} : { device: at }) })
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume": refId(volumeRef), "cloudfx.node": refId(nodeRef) }))
  }

  const detachVolume: Compute.Service["detachVolume"] = (volumeRef) => {
    const w = where("Compute.detachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* idOf(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachment = current.attachments?.[0]
      if (attachment === undefined) return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: "not attached" }))
      yield* client.send(
        "compute",
        HttpClientRequest.del(`${path("servers", attachment.server_id)}/os-volume_attachments/${Url.segment(volumeId)}`),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.empty
      )
      const { attachedTo: _a, device: _d, ...rest } = Mapping.volume(current)
      return new Volume({ ...rest, state: "detaching" })
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume": refId(volumeRef) }))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = (volumeRef) => {
    const w = where("Compute.destroyVolume")
    return Effect.gen(function*() {
      const volumeId = yield* idOf(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      const attachedTo = current.attachments?.[0]?.server_id
      if (attachedTo !== undefined) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${attachedTo}: detach it first` }))
      }
      yield* client.send(
        "volumev3",
        HttpClientRequest.del(path("volumes", volumeId)),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: invalidState("volume", volumeId) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume": refId(volumeRef) }))
  }

  // ------------------------------------------------------------ snapshots

  const createVolumeSnapshot: Compute.Service["createVolumeSnapshot"] = (volumeRef, options) => {
    const w = where("Compute.createVolumeSnapshot")
    return Effect.gen(function*() {
      const volumeId = yield* idOf(w, "volume", "volume", volumeRef)
      const name = options?.name === undefined ? undefined : yield* validate.name(w, "name", options.name)
      const created = yield* client.send(
        "volumev3",
        HttpClientRequest.post("/snapshots").pipe(jsonBody({ snapshot: { volume_id: volumeId, ...(name === undefined ? {} : { name }) } })),
        // Cinder: 404 "Volume … could not be found"; a busy volume's 400 "Invalid volume" stays a ProviderError.
        { operation: w.operation, notFound: { resource: "volume", id: volumeId } },
        ProviderHttp.json(Wire.SnapshotBody)
      )
      return Mapping.snapshot(created.snapshot)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume": refId(volumeRef) }))
  }

  const listVolumeSnapshots: Compute.Service["listVolumeSnapshots"] = (volumeRef) => {
    const w = where("Compute.listVolumeSnapshots")
    return Effect.gen(function*() {
      const volumeId = volumeRef === undefined ? undefined : yield* idOf(w, "volume", "volume", volumeRef)
      // A filter on a volume that does not exist answers an empty list: ask for the volume first.
      if (volumeId !== undefined) yield* volumeRecord(w.operation, volumeId)
      const all = yield* client.list(
        "volumev3",
        "/snapshots/detail",
        w.operation,
        Wire.SnapshotsPage,
        (p) => ({ items: p.snapshots, next: nextLink(p.snapshots_links) }),
        volumeId === undefined ? undefined : { volume_id: volumeId }
      )
      return all.filter((s) => volumeId === undefined || s.volume_id === volumeId).map(Mapping.snapshot)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyVolumeSnapshot: Compute.Service["destroyVolumeSnapshot"] = (snapshotRef) => {
    const w = where("Compute.destroyVolumeSnapshot")
    return Effect.gen(function*() {
      const id = yield* idOf(w, "snapshot", "snapshot", snapshotRef)
      yield* client.send(
        "volumev3",
        HttpClientRequest.del(path("snapshots", id)),
        { operation: w.operation, notFound: { resource: "snapshot", id }, classify: invalidState("snapshot", id) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.snapshot": refId(snapshotRef) }))
  }

  return {
    provider,
    listNodes,
    getNode,
    createNode,
    rebootNode: action("Compute.rebootNode", { reboot: { type: "SOFT" } }),
    startNode: action("Compute.startNode", { "os-start": null }),
    stopNode: action("Compute.stopNode", { "os-stop": null }),
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
