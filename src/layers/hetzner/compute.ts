/**
 * The portable Compute service over Hetzner Cloud API v1, and the
 * Hetzner-only operations beside it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, type Schema } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import type * as Errors from "../../http/Errors.js"
import * as Url from "../../http/Url.js"
import { AlreadyExists, Conflict, InvalidInput, NotFound, type ProviderFailure, Unsupported } from "../../schemas/Errors.js"
import { Volume } from "../../schemas/Models.js"
import type { NodeState } from "../../schemas/Models.js"
import type { Compute } from "../../services/Compute.js"
import { providerInfo, type ProviderInfo } from "../../services/ProviderInfo.js"
import * as PublicKey from "../../services/publicKey.js"
import { type Ref, refId } from "../../services/Refs.js"
import { traced } from "../../services/span.js"
import { volumeSnapshotsUnsupported } from "../../services/snapshotsUnsupported.js"
import * as validate from "../../services/validate.js"
import type { Client } from "./client.js"
import { jsonBody } from "./client.js"
import { DEFAULT_EUR_TO_USD, type HetznerConfig, PROVIDER } from "./config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

export interface HetznerService {
  readonly provider: ProviderInfo
  /** A hard power-off (`poweroff`), for a server that ignores `stopNode`'s ACPI `shutdown`. */
  readonly powerOffNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
  /** A hard reset (`reset`), for a server that ignores `rebootNode`'s ACPI `reboot`. */
  readonly resetNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
  /** A size's prices in EUR, per location, as Hetzner gives them. */
  readonly sizePrices: (size: Ref) => Effect.Effect<ReadonlyArray<Mapping.EuroPrice>, NotFound | InvalidInput | ProviderFailure>
}

/** What `createNode` accepts in `extra` (each checked, InvalidInput otherwise). */
export interface CreateNodeExtra {
  readonly labels?: Readonly<Record<string, string>>
  readonly sshKeys?: ReadonlyArray<string>
}

/** What `createVolume` accepts in `extra`. */
export interface CreateVolumeExtra {
  readonly format?: "ext4" | "xfs"
  readonly labels?: Readonly<Record<string, string>>
}

const capabilities = ["compute.keyPairs", "compute.volumes", "compute.reboot", "compute.startStop"] as const

const integerId = /^[1-9][0-9]{0,15}$/

// "Name of the Server … must be unique per Project and a valid hostname as per RFC 1123".
const isHostName = (s: string) =>
  s.length <= 253 && s.split(".").every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))

const USER_DATA_MAX = 32 * 1024
const VOLUME_MIN_GB = 10
const VOLUME_MAX_GB = 10240

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Compute.${name}` })

const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

/** 423 `locked` (another action runs), `protected`, 409 `conflict`: refused in the current state. */
const conflictOn = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 423 || f.status === 409 ? new Conflict({ ...f.where, resource, id, reason: f.message ?? f.code ?? "refused in its current state" }) : undefined

/** 409 `uniqueness_error`: the name (or, for keys, the key) is taken. Other 409s ("conflict": changed meanwhile) stay errors. */
const taken = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 409 && f.code === "uniqueness_error" ? new AlreadyExists({ ...f.where, resource, id }) : undefined

/** A create Hetzner refused as invalid (400 invalid_input, 404, 422): worth asking which reference it did not know. */
const isRejected = (e: { readonly _tag: string }): boolean =>
  e._tag === "ProviderError" && [400, 404, 422].includes((e as { readonly status?: number }).status ?? 0)

const labelsOf = (w: validate.Where, field: string, value: unknown): Effect.Effect<Readonly<Record<string, string>> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string")
    ? Effect.succeed(value as Readonly<Record<string, string>>)
    : Effect.fail(invalid(w, field, "must be an object of string values"))

const stringArray = (w: validate.Where, field: string, value: unknown): Effect.Effect<ReadonlyArray<string> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(value) && value.every((v) => typeof v === "string" && v !== "")
    ? Effect.succeed(value as ReadonlyArray<string>)
    : Effect.fail(invalid(w, field, "must be an array of key pair names"))

export const make = (config: HetznerConfig, client: Client): { readonly compute: Compute.Service; readonly hetzner: HetznerService } => {
  const provider = providerInfo(PROVIDER, capabilities, config.region)
  const eurToUsd = config.eurToUsd === undefined ? DEFAULT_EUR_TO_USD : config.eurToUsd

  const unsupported = (operation: string) => new Unsupported({ provider: PROVIDER, operation, capability: "compute.snapshots" })

  // ------------------------------------------------------------ reads

  const server = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("servers", id)), { operation, notFound: { resource: "node", id } }, ProviderHttp.json(Wire.ServerBody)).pipe(
      Effect.map((b) => b.server)
    )

  /** Hetzner ids are integers: anything else names nothing. */
  const integer = (w: validate.Where, field: string, resource: string, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
    Effect.flatMap(validate.id(w, field, ref), (id) => (integerId.test(id) ? Effect.succeed(id) : Effect.fail(new NotFound({ ...w, resource, id }))))

  const volumeRecord = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("volumes", id)), { operation, notFound: { resource: "volume", id } }, ProviderHttp.json(Wire.VolumeBody)).pipe(
      Effect.map((b) => b.volume)
    )

  /** Whether a `?name=` filter of `collection` finds anything. */
  const named = <P extends { readonly meta?: { readonly pagination: { readonly next_page: number | null } } | undefined }, I, A>(
    operation: string,
    collection: string,
    schema: Schema.Schema<P, I>,
    items: (p: P) => ReadonlyArray<A>,
    name: string
  ) => Effect.map(client.list(`/${collection}`, { operation }, schema, items, { name }), (found) => found.length > 0)

  // ------------------------------------------------------------ nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const w = where("listNodes")
    return Effect.gen(function*() {
      if (options?.ids === undefined) {
        return (yield* client.list("/servers", { operation: w.operation }, Wire.ServersPage, (p) => p.servers)).map(Mapping.node)
      }
      const ids = yield* Effect.forEach(options.ids, (id) => validate.id(w, "ids", id))
      const found = yield* Effect.forEach(
        ids.filter((id) => integerId.test(id)),
        (id) => server(w.operation, id).pipe(Effect.map(Option.some), Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))),
        { concurrency: 8 }
      )
      return found.flatMap((s) => (Option.isSome(s) ? [Mapping.node(s.value)] : []))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const getNode: Compute.Service["getNode"] = (ref) => {
    const w = where("getNode")
    return integer(w, "node", "node", ref).pipe(
      Effect.flatMap((id) => server(w.operation, id)),
      Effect.map(Mapping.node),
      traced(PROVIDER, w.operation)
    )
  }

  /** After Hetzner refused a create: the first of server type, location, image and key it does not know. */
  const missingReference = (w: validate.Where, type: string, location: string | undefined, image: string, keys: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      if (!(yield* named(w.operation, "server_types", Wire.ServerTypesPage, (p) => p.server_types, type))) {
        return Option.some(new NotFound({ ...w, resource: "size", id: type }))
      }
      if (location !== undefined && !(yield* named(w.operation, "locations", Wire.LocationsPage, (p) => p.locations, location))) {
        return Option.some(new NotFound({ ...w, resource: "location", id: location }))
      }
      const imageKnown = integerId.test(image)
        ? yield* client.send(HttpClientRequest.get(path("images", image)), { operation: w.operation, notFound: { resource: "image", id: image } }, ProviderHttp.json(Wire.ImageBody)).pipe(
          Effect.as(true),
          Effect.catchTag("NotFound", () => Effect.succeed(false))
        )
        : yield* named(w.operation, "images", Wire.ImagesPage, (p) => p.images, image)
      if (!imageKnown) return Option.some(new NotFound({ ...w, resource: "image", id: image }))
      for (const key of keys) {
        if (!(yield* named(w.operation, "ssh_keys", Wire.SshKeysPage, (p) => p.ssh_keys, key))) {
          return Option.some(new NotFound({ ...w, resource: "keyPair", id: key }))
        }
      }
      return Option.none<NotFound>()
    }).pipe(Effect.orElseSucceed(() => Option.none<NotFound>()))

  const createNode: Compute.Service["createNode"] = (spec) => {
    const w = where("createNode")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name)
      if (!isHostName(name)) return yield* Effect.fail(invalid(w, "name", "Hetzner server names are host names (RFC 1123): letters, digits and '-' in dot-separated labels"))
      const type = yield* validate.id(w, "size", spec.size)
      const image = yield* validate.id(w, "image", spec.image)
      const location = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (spec.userData !== undefined && (typeof spec.userData !== "string" || Buffer.byteLength(spec.userData) > USER_DATA_MAX)) {
        return yield* Effect.fail(invalid(w, "userData", `must be a string of at most ${USER_DATA_MAX} bytes`))
      }
      const labels = yield* labelsOf(w, "extra.labels", spec.extra?.["labels"])
      const keys = [...((yield* stringArray(w, "extra.sshKeys", spec.extra?.["sshKeys"])) ?? [])]
      if (spec.keyPair !== undefined) keys.unshift(yield* validate.name(w, "keyPair", spec.keyPair))
      const body = {
        name,
        server_type: type,
        image: integerId.test(image) ? Number(image) : image,
        ...(location === undefined ? {} : { location }),
        // Keys by name: Hetzner takes names or ids, and names are unique per project.
        ...(keys.length === 0 ? {} : { ssh_keys: keys }),
        ...(spec.userData === undefined ? {} : { user_data: spec.userData }),
        ...(labels === undefined ? {} : { labels }),
        start_after_create: true
      }
      // The answer also holds `root_password` when no key was given: it is not decoded, so it goes nowhere.
      const created = yield* client.send(
        HttpClientRequest.post("/servers").pipe(jsonBody(body)),
        {
          operation: w.operation,
          attributes: { "cloudfx.node.name": name },
          classify: taken("node", name)
        },
        ProviderHttp.json(Wire.ServerBody)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(missingReference(w, type, location, image, keys), (missing) => Effect.fail(Option.getOrElse(missing, () => e))))
      )
      return Mapping.node(created.server)
    }).pipe(traced(PROVIDER, w.operation))
  }

  /** Checks the server is in one of `from`, then posts the action (answered with an Action). */
  const action = (name: string, command: string, from: ReadonlyArray<NodeState>, doing: string, prefix = "Compute") => (ref: Ref) => {
    const w = { provider: PROVIDER, operation: `${prefix}.${name}` }
    return Effect.gen(function*() {
      const id = yield* integer(w, "node", "node", ref)
      const current = Mapping.node(yield* server(w.operation, id))
      if (!from.includes(current.state)) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "node", id, reason: `cannot ${doing} a node that is ${current.state}` }))
      }
      yield* client.send(
        HttpClientRequest.post(`${path("servers", id)}/actions/${command}`),
        { operation: w.operation, notFound: { resource: "node", id }, classify: conflictOn("node", id) },
        ProviderHttp.json(Wire.ActionBody)
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) }))
  }

  const destroyNode: Compute.Service["destroyNode"] = (ref) => {
    const w = where("destroyNode")
    return integer(w, "node", "node", ref).pipe(
      Effect.flatMap((id) =>
        client.send(HttpClientRequest.del(path("servers", id)), { operation: w.operation, notFound: { resource: "node", id } }, ProviderHttp.empty)
      ),
      traced(PROVIDER, w.operation)
    )
  }

  // ------------------------------------------------------------ catalogue

  const listSizes: Compute.Service["listSizes"] = () =>
    client.list("/server_types", { operation: "Compute.listSizes" }, Wire.ServerTypesPage, (p) => p.server_types).pipe(
      Effect.map((all) => all.map((t) => Mapping.size(t, config.region, eurToUsd))),
      traced(PROVIDER, "Compute.listSizes")
    )

  const listImages: Compute.Service["listImages"] = () =>
    client.list("/images", { operation: "Compute.listImages" }, Wire.ImagesPage, (p) => p.images).pipe(
      Effect.map((all) => all.map(Mapping.image)),
      traced(PROVIDER, "Compute.listImages")
    )

  const listLocations: Compute.Service["listLocations"] = () =>
    client.list("/locations", { operation: "Compute.listLocations" }, Wire.LocationsPage, (p) => p.locations).pipe(
      Effect.map((all) => all.map(Mapping.location)),
      traced(PROVIDER, "Compute.listLocations")
    )

  // ------------------------------------------------------------ key pairs

  const sshKeysNamed = (operation: string, name: string) =>
    client.list("/ssh_keys", { operation }, Wire.SshKeysPage, (p) => p.ssh_keys, { name })

  const listKeyPairs: Compute.Service["listKeyPairs"] = () =>
    client.list("/ssh_keys", { operation: "Compute.listKeyPairs" }, Wire.SshKeysPage, (p) => p.ssh_keys).pipe(
      Effect.map((all) => all.map(Mapping.keyPair)),
      traced(PROVIDER, "Compute.listKeyPairs")
    )

  // Names and keys are unique per project: Hetzner answers 409 uniqueness_error for either.
  const importKeyPair: Compute.Service["importKeyPair"] = (input) => {
    const w = where("importKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", input.name)
      const key = yield* PublicKey.check(w, "publicKey", input.publicKey)
      const created = yield* client.send(
        HttpClientRequest.post("/ssh_keys").pipe(jsonBody({ name, public_key: key.line })),
        { operation: w.operation, classify: taken("keyPair", name) },
        ProviderHttp.json(Wire.SshKeyBody)
      )
      return Mapping.keyPair(created.ssh_key)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": input.name }))
  }

  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (keyName) => {
    const w = where("deleteKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", keyName)
      const key = (yield* sshKeysNamed(w.operation, name)).find((k) => k.name === name)
      if (key === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: name }))
      yield* client.send(
        HttpClientRequest.del(path("ssh_keys", String(key.id))),
        { operation: w.operation, notFound: { resource: "keyPair", id: name } },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": keyName }))
  }

  // ------------------------------------------------------------ volumes

  const listVolumes: Compute.Service["listVolumes"] = () =>
    client.list("/volumes", { operation: "Compute.listVolumes" }, Wire.VolumesPage, (p) => p.volumes).pipe(
      Effect.map((all) => all.map(Mapping.volume)),
      traced(PROVIDER, "Compute.listVolumes")
    )

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const w = where("createVolume")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name, 64)
      const size = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb, VOLUME_MAX_GB)
      if (size < VOLUME_MIN_GB) return yield* Effect.fail(invalid(w, "sizeGb", `Hetzner volumes are ${VOLUME_MIN_GB} to ${VOLUME_MAX_GB} GB`))
      if (spec.snapshot !== undefined) {
        yield* validate.id(w, "snapshot", spec.snapshot)
        return yield* Effect.fail(unsupported(w.operation))
      }
      const location = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (location === undefined) return yield* Effect.fail(invalid(w, "location", "Hetzner needs a location for a new volume: pass one or set config.region"))
      const format = spec.extra?.["format"]
      if (format !== undefined && format !== "ext4" && format !== "xfs") return yield* Effect.fail(invalid(w, "extra.format", `must be "ext4" or "xfs"`))
      const labels = yield* labelsOf(w, "extra.labels", spec.extra?.["labels"])
      const body = { name, size, location, ...(format === undefined ? {} : { format }), ...(labels === undefined ? {} : { labels }) }
      const created = yield* client.send(
        HttpClientRequest.post("/volumes").pipe(jsonBody(body)),
        { operation: w.operation, classify: taken("volume", name) },
        ProviderHttp.json(Wire.VolumeBody)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(
            named(w.operation, "locations", Wire.LocationsPage, (p) => p.locations, location).pipe(Effect.orElseSucceed(() => true)),
            (known) => Effect.fail(known ? e : new NotFound({ ...w, resource: "location", id: location }))
          ))
      )
      return Mapping.volume(created.volume)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume.name": spec.name }))
  }

  const volumeAction = (operation: string, id: string, command: string, body?: Record<string, unknown>) =>
    client.send(
      HttpClientRequest.post(`${path("volumes", id)}/actions/${command}`).pipe(jsonBody(body ?? {})),
      { operation, notFound: { resource: "volume", id }, classify: conflictOn("volume", id) },
      ProviderHttp.json(Wire.ActionBody)
    )

  const attachVolume: Compute.Service["attachVolume"] = (volumeRef, nodeRef) => {
    const w = where("attachVolume")
    return Effect.gen(function*() {
      yield* validate.id(w, "volume", volumeRef)
      yield* validate.id(w, "node", nodeRef)
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.server !== undefined && current.server !== null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${current.server}` }))
      }
      const nodeId = yield* integer(w, "node", "node", nodeRef)
      yield* server(w.operation, nodeId)
      yield* volumeAction(w.operation, volumeId, "attach", { server: Number(nodeId), automount: false })
      return new Volume({ ...Mapping.volume(current), state: "attaching", attachedTo: nodeId })
    }).pipe(traced(PROVIDER, w.operation))
  }

  const detachVolume: Compute.Service["detachVolume"] = (volumeRef) => {
    const w = where("detachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.server === undefined || current.server === null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: "not attached" }))
      }
      yield* volumeAction(w.operation, volumeId, "detach")
      const { attachedTo: _, ...rest } = Mapping.volume(current)
      return new Volume({ ...rest, state: "detaching" })
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = (volumeRef) => {
    const w = where("destroyVolume")
    return Effect.gen(function*() {
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.server !== undefined && current.server !== null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${current.server}: detach it first` }))
      }
      yield* client.send(
        HttpClientRequest.del(path("volumes", volumeId)),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ Hetzner only

  const sizePrices: HetznerService["sizePrices"] = (ref) => {
    const w = { provider: PROVIDER, operation: "Hetzner.sizePrices" }
    return Effect.gen(function*() {
      const name = yield* validate.id(w, "size", ref)
      const found = (yield* client.list("/server_types", { operation: w.operation }, Wire.ServerTypesPage, (p) => p.server_types, { name })).find(
        (t) => t.name === name
      )
      if (found === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "size", id: name }))
      return Mapping.euroPrices(found)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const compute: Compute.Service = {
    provider,
    listNodes,
    getNode,
    createNode,
    rebootNode: action("rebootNode", "reboot", ["running"], "reboot"),
    startNode: action("startNode", "poweron", ["stopped"], "start"),
    stopNode: action("stopNode", "shutdown", ["running"], "stop"),
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
    // Hetzner volumes have no snapshots.
    ...volumeSnapshotsUnsupported(PROVIDER)
  }
  const hetzner: HetznerService = {
    provider,
    powerOffNode: action("powerOffNode", "poweroff", ["running", "stopping", "starting"], "power off", "Hetzner"),
    resetNode: action("resetNode", "reset", ["running"], "reset", "Hetzner"),
    sizePrices
  }
  return { compute, hetzner }
}
