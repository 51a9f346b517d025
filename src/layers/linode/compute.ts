/**
 * The portable Compute service over Linode API v4, and the Linode-only
 * operations beside it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
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
import { type LinodeConfig, PROVIDER } from "./config.js"
import * as Mapping from "./mapping.js"
import * as Wire from "./wire.js"

/** A size's prices in USD: Linode's default, and the regions that differ from it. */
export interface SizePrices {
  readonly hourly: number
  readonly monthly: number
  readonly regions: ReadonlyArray<{ readonly region: string; readonly hourly: number; readonly monthly: number }>
}

export interface LinodeService {
  readonly provider: ProviderInfo
  /** What a size costs, by default and in each region priced differently. */
  readonly sizePrices: (size: Ref) => Effect.Effect<SizePrices, NotFound | InvalidInput | ProviderFailure>
}

/**
 * What `createNode` accepts in `extra` (each checked, InvalidInput otherwise):
 * `rootPass` is a `Redacted<string>`; without it a random one is generated
 * (Linode requires one with an image), sent once and never kept or shown —
 * log in with the key pair.
 */
export interface CreateNodeExtra {
  readonly rootPass?: Redacted.Redacted<string>
  readonly authorizedKeys?: ReadonlyArray<string>
  readonly tags?: ReadonlyArray<string>
  readonly privateIp?: boolean
}

const capabilities = ["compute.keyPairs", "compute.volumes", "compute.reboot", "compute.startStop"] as const

const integerId = /^[1-9][0-9]{0,15}$/

const USER_DATA_MAX = 65535

/** components/schemas/Linode `label`: 3–64 characters, alphanumeric at both ends, no "--", "__" or "..". */
const isInstanceLabel = (s: string) =>
  s.length >= 3 && s.length <= 64 && /^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(s) && !/--|__|\.\./.test(s)

/** components/schemas/Volume `label`: up to 32, a letter first, then letters, digits, '-', '_', no "--" or "__". */
const isVolumeLabel = (s: string) => /^[A-Za-z][A-Za-z0-9_-]{1,31}$/.test(s) && !/--|__/.test(s)

const VOLUME_MIN_GB = 10
const VOLUME_MAX_GB = 10240

const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Compute.${name}` })

const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

const path = (...segments: ReadonlyArray<string>) => Url.path(...segments)

/** A 400 on an action: Linode refuses it in the current state ("Linode busy."). */
const conflictOn = (resource: string, id: string) => (f: Errors.FailureContext) =>
  f.status === 400 ? new Conflict({ ...f.where, resource, id, reason: f.message ?? "refused in its current state" }) : undefined

const isRejected = (e: { readonly _tag: string }): boolean =>
  e._tag === "ProviderError" && [400, 404].includes((e as { readonly status?: number }).status ?? 0)

const stringArray = (w: validate.Where, field: string, value: unknown): Effect.Effect<ReadonlyArray<string> | undefined, InvalidInput> =>
  value === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(value) && value.every((v) => typeof v === "string")
    ? Effect.succeed(value as ReadonlyArray<string>)
    : Effect.fail(invalid(w, field, "must be an array of strings"))

// 32 random bytes: far above the strength score Linode asks of a root password.
const generatedRootPass = () => randomBytes(32).toString("base64url")

export const make = (config: LinodeConfig, client: Client): { readonly compute: Compute.Service; readonly linode: LinodeService } => {
  const provider = providerInfo(PROVIDER, capabilities, config.region)

  const unsupported = (operation: string) => new Unsupported({ provider: PROVIDER, operation, capability: "compute.snapshots" })

  // ------------------------------------------------------------ reads

  const instance = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("linode", "instances", id)), { operation, notFound: { resource: "node", id } }, ProviderHttp.json(Wire.Instance))

  /** Linode ids are integers: anything else names nothing. */
  const integer = (w: validate.Where, field: string, resource: string, ref: Ref): Effect.Effect<string, InvalidInput | NotFound> =>
    Effect.flatMap(validate.id(w, field, ref), (id) => (integerId.test(id) ? Effect.succeed(id) : Effect.fail(new NotFound({ ...w, resource, id }))))

  const volumeRecord = (operation: string, id: string) =>
    client.send(HttpClientRequest.get(path("volumes", id)), { operation, notFound: { resource: "volume", id } }, ProviderHttp.json(Wire.Volume))

  const sshKeys = (operation: string) => client.list("/profile/sshkeys", { operation }, Wire.SshKeysPage, (p) => p.data)

  const exists = (operation: string, pathAndQuery: string, resource: string, id: string) =>
    client.send(HttpClientRequest.get(pathAndQuery), { operation, notFound: { resource, id } }, ProviderHttp.empty).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    )

  // ------------------------------------------------------------ nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const w = where("listNodes")
    return Effect.gen(function*() {
      if (options?.ids === undefined) {
        return (yield* client.list("/linode/instances", { operation: w.operation }, Wire.InstancesPage, (p) => p.data)).map(Mapping.node)
      }
      const ids = yield* Effect.forEach(options.ids, (id) => validate.id(w, "ids", id))
      const found = yield* Effect.forEach(
        ids.filter((id) => integerId.test(id)),
        (id) => instance(w.operation, id).pipe(Effect.map(Option.some), Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))),
        { concurrency: 8 }
      )
      return found.flatMap((l) => (Option.isSome(l) ? [Mapping.node(l.value)] : []))
    }).pipe(traced(PROVIDER, w.operation))
  }

  const getNode: Compute.Service["getNode"] = (ref) => {
    const w = where("getNode")
    return integer(w, "node", "node", ref).pipe(
      Effect.flatMap((id) => instance(w.operation, id)),
      Effect.map(Mapping.node),
      traced(PROVIDER, w.operation)
    )
  }

  /** After Linode refused a create: the first of type, region and image it does not know. */
  const missingReference = (w: validate.Where, type: string, region: string, image: string) =>
    Effect.gen(function*() {
      if (!(yield* exists(w.operation, path("linode", "types", type), "size", type))) return Option.some(new NotFound({ ...w, resource: "size", id: type }))
      if (!(yield* exists(w.operation, path("regions", region), "location", region))) {
        return Option.some(new NotFound({ ...w, resource: "location", id: region }))
      }
      // Image ids are "linode/debian12": the slash is part of the path (GET /images/{imageId}).
      if (!(yield* exists(w.operation, `/images/${Url.encode(image, { slash: "keep" })}`, "image", image))) {
        return Option.some(new NotFound({ ...w, resource: "image", id: image }))
      }
      return Option.none<NotFound>()
    }).pipe(Effect.orElseSucceed(() => Option.none<NotFound>()))

  const createExtra = (w: validate.Where, extra: Readonly<Record<string, unknown>> | undefined) =>
    Effect.gen(function*() {
      const e = extra ?? {}
      const rootPass = e["rootPass"]
      if (rootPass !== undefined && !(Redacted.isRedacted(rootPass) && typeof Redacted.value(rootPass) === "string" && Redacted.value(rootPass) !== "")) {
        return yield* Effect.fail(invalid(w, "extra.rootPass", "must be a non-empty Redacted string"))
      }
      const authorizedKeys = yield* stringArray(w, "extra.authorizedKeys", e["authorizedKeys"])
      const keys = yield* Effect.forEach(authorizedKeys ?? [], (k, i) => Effect.map(PublicKey.check(w, `extra.authorizedKeys[${i}]`, k), (p) => p.line))
      const tags = yield* stringArray(w, "extra.tags", e["tags"])
      const privateIp = e["privateIp"]
      if (privateIp !== undefined && typeof privateIp !== "boolean") return yield* Effect.fail(invalid(w, "extra.privateIp", "must be a boolean"))
      return {
        rootPass: rootPass === undefined ? generatedRootPass() : Redacted.value(rootPass as Redacted.Redacted<string>),
        keys,
        fields: { ...(tags === undefined ? {} : { tags }), ...(privateIp === undefined ? {} : { private_ip: privateIp }) }
      }
    })

  const createNode: Compute.Service["createNode"] = (spec) => {
    const w = where("createNode")
    return Effect.gen(function*() {
      const label = yield* validate.name(w, "name", spec.name)
      if (!isInstanceLabel(label)) {
        return yield* Effect.fail(
          invalid(w, "name", "Linode labels are 3 to 64 letters, digits, '-', '_' and '.', alphanumeric at both ends, without '--', '__' or '..'")
        )
      }
      const type = yield* validate.id(w, "size", spec.size)
      const image = yield* validate.id(w, "image", spec.image)
      const region = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (region === undefined) return yield* Effect.fail(invalid(w, "location", "Linode needs a region: pass a location or set config.region"))
      if (spec.userData !== undefined && (typeof spec.userData !== "string" || Buffer.byteLength(spec.userData) > USER_DATA_MAX)) {
        return yield* Effect.fail(invalid(w, "userData", `must be a string of at most ${USER_DATA_MAX} bytes`))
      }
      const extra = yield* createExtra(w, spec.extra)
      const keys = [...extra.keys]
      if (spec.keyPair !== undefined) {
        const keyName = yield* validate.name(w, "keyPair", spec.keyPair)
        const key = (yield* sshKeys(w.operation)).find((k) => k.label === keyName)
        if (key === undefined) return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: keyName }))
        keys.push(key.ssh_key)
      }
      const body = {
        label,
        type,
        region,
        image,
        root_pass: extra.rootPass,
        ...(keys.length === 0 ? {} : { authorized_keys: keys }),
        ...(spec.userData === undefined ? {} : { metadata: { user_data: Buffer.from(spec.userData, "utf8").toString("base64") } }),
        booted: true,
        ...extra.fields
      }
      const created = yield* client.send(
        HttpClientRequest.post("/linode/instances").pipe(jsonBody(body)),
        {
          operation: w.operation,
          attributes: { "cloudfx.node.name": label },
          classify: (f) => (f.status === 400 && f.code === "label" && /unique/i.test(f.message ?? "") ? new AlreadyExists({ ...w, resource: "node", id: label }) : undefined)
        },
        ProviderHttp.json(Wire.Instance)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(missingReference(w, type, region, image), (missing) => Effect.fail(Option.getOrElse(missing, () => e))))
      )
      return Mapping.node(created)
    }).pipe(traced(PROVIDER, w.operation))
  }

  /** Checks the Linode is in one of `from`, then posts the action (answered `{}`). */
  const action = (name: string, verb: string, from: ReadonlyArray<NodeState>, doing: string) => (ref: Ref) => {
    const w = where(name)
    return Effect.gen(function*() {
      const id = yield* integer(w, "node", "node", ref)
      const current = Mapping.node(yield* instance(w.operation, id))
      if (!from.includes(current.state)) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "node", id, reason: `cannot ${doing} a node that is ${current.state}` }))
      }
      yield* client.send(
        HttpClientRequest.post(`${path("linode", "instances", id)}/${verb}`),
        { operation: w.operation, notFound: { resource: "node", id }, classify: conflictOn("node", id) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.node": refId(ref) }))
  }

  const destroyNode: Compute.Service["destroyNode"] = (ref) => {
    const w = where("destroyNode")
    return integer(w, "node", "node", ref).pipe(
      Effect.flatMap((id) =>
        client.send(HttpClientRequest.del(path("linode", "instances", id)), { operation: w.operation, notFound: { resource: "node", id } }, ProviderHttp.empty)
      ),
      traced(PROVIDER, w.operation)
    )
  }

  // ------------------------------------------------------------ catalogue

  const listSizes: Compute.Service["listSizes"] = () =>
    client.list("/linode/types", { operation: "Compute.listSizes" }, Wire.TypesPage, (p) => p.data).pipe(
      Effect.map((all) => all.map((t) => Mapping.size(t, config.region))),
      traced(PROVIDER, "Compute.listSizes")
    )

  const listImages: Compute.Service["listImages"] = () =>
    client.list("/images", { operation: "Compute.listImages" }, Wire.ImagesPage, (p) => p.data).pipe(
      Effect.map((all) => all.map(Mapping.image)),
      traced(PROVIDER, "Compute.listImages")
    )

  const listLocations: Compute.Service["listLocations"] = () =>
    client.list("/regions", { operation: "Compute.listLocations" }, Wire.RegionsPage, (p) => p.data).pipe(
      Effect.map((all) => all.map(Mapping.location)),
      traced(PROVIDER, "Compute.listLocations")
    )

  // ------------------------------------------------------------ key pairs

  const listKeyPairs: Compute.Service["listKeyPairs"] = () =>
    sshKeys("Compute.listKeyPairs").pipe(Effect.map((all) => all.map(Mapping.keyPair)), traced(PROVIDER, "Compute.listKeyPairs"))

  // Linode does not keep key labels unique: the portable API does, by looking first.
  const importKeyPair: Compute.Service["importKeyPair"] = (input) => {
    const w = where("importKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", input.name, 64)
      const key = yield* PublicKey.check(w, "publicKey", input.publicKey)
      if ((yield* sshKeys(w.operation)).some((k) => k.label === name)) {
        return yield* Effect.fail(new AlreadyExists({ ...w, resource: "keyPair", id: name }))
      }
      const created = yield* client.send(
        HttpClientRequest.post("/profile/sshkeys").pipe(jsonBody({ label: name, ssh_key: key.line })),
        { operation: w.operation },
        ProviderHttp.json(Wire.SshKey)
      )
      return Mapping.keyPair(created)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": input.name }))
  }

  // Deletes every key of that label (labels are not unique on Linode).
  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (keyName) => {
    const w = where("deleteKeyPair")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", keyName)
      const matching = (yield* sshKeys(w.operation)).filter((k) => k.label === name)
      if (matching.length === 0) return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: name }))
      yield* Effect.forEach(
        matching,
        (k) =>
          client.send(
            HttpClientRequest.del(path("profile", "sshkeys", String(k.id))),
            { operation: w.operation, notFound: { resource: "keyPair", id: name } },
            ProviderHttp.empty
          ),
        { discard: true }
      )
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.keyPair": keyName }))
  }

  // ------------------------------------------------------------ volumes

  const listVolumes: Compute.Service["listVolumes"] = () =>
    client.list("/volumes", { operation: "Compute.listVolumes" }, Wire.VolumesPage, (p) => p.data).pipe(
      Effect.map((all) => all.map(Mapping.volume)),
      traced(PROVIDER, "Compute.listVolumes")
    )

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const w = where("createVolume")
    return Effect.gen(function*() {
      const label = yield* validate.name(w, "name", spec.name)
      if (!isVolumeLabel(label)) {
        return yield* Effect.fail(invalid(w, "name", "Linode volume labels are up to 32 letters, digits, '-' and '_', starting with a letter, without '--' or '__'"))
      }
      const sizeGb = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb, VOLUME_MAX_GB)
      if (sizeGb < VOLUME_MIN_GB) return yield* Effect.fail(invalid(w, "sizeGb", `Linode volumes are ${VOLUME_MIN_GB} to ${VOLUME_MAX_GB} GB`))
      if (spec.snapshot !== undefined) {
        yield* validate.id(w, "snapshot", spec.snapshot)
        return yield* Effect.fail(unsupported(w.operation))
      }
      const region = spec.location === undefined ? config.region : yield* validate.id(w, "location", spec.location)
      if (region === undefined) return yield* Effect.fail(invalid(w, "location", "Linode needs a region for a new volume: pass a location or set config.region"))
      const tags = yield* stringArray(w, "extra.tags", spec.extra?.["tags"])
      const created = yield* client.send(
        HttpClientRequest.post("/volumes").pipe(jsonBody({ label, size: sizeGb, region, ...(tags === undefined ? {} : { tags }) })),
        {
          operation: w.operation,
          classify: (f) => (f.status === 400 && f.code === "label" && /unique|already/i.test(f.message ?? "") ? new AlreadyExists({ ...w, resource: "volume", id: label }) : undefined)
        },
        ProviderHttp.json(Wire.Volume)
      ).pipe(
        Effect.catchIf(isRejected, (e) =>
          Effect.flatMap(
            exists(w.operation, path("regions", region), "location", region).pipe(Effect.orElseSucceed(() => true)),
            (known) => Effect.fail(known ? e : new NotFound({ ...w, resource: "location", id: region }))
          ))
      )
      return Mapping.volume(created)
    }).pipe(traced(PROVIDER, w.operation, { "cloudfx.volume.name": spec.name }))
  }

  const attachVolume: Compute.Service["attachVolume"] = (volumeRef, nodeRef) => {
    const w = where("attachVolume")
    return Effect.gen(function*() {
      yield* validate.id(w, "volume", volumeRef)
      yield* validate.id(w, "node", nodeRef)
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.linode_id !== undefined && current.linode_id !== null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${current.linode_id}` }))
      }
      const nodeId = yield* integer(w, "node", "node", nodeRef)
      yield* instance(w.operation, nodeId)
      const attached = yield* client.send(
        HttpClientRequest.post(`${path("volumes", volumeId)}/attach`).pipe(jsonBody({ linode_id: Number(nodeId) })),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.json(Wire.Volume)
      )
      return Mapping.volume(attached)
    }).pipe(traced(PROVIDER, w.operation))
  }

  const detachVolume: Compute.Service["detachVolume"] = (volumeRef) => {
    const w = where("detachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.linode_id === undefined || current.linode_id === null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: "not attached" }))
      }
      yield* client.send(
        HttpClientRequest.post(`${path("volumes", volumeId)}/detach`),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.empty
      )
      const { attachedTo: _, ...rest } = Mapping.volume(current)
      return new Volume({ ...rest, state: "detaching" })
    }).pipe(traced(PROVIDER, w.operation))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = (volumeRef) => {
    const w = where("destroyVolume")
    return Effect.gen(function*() {
      const volumeId = yield* integer(w, "volume", "volume", volumeRef)
      const current = yield* volumeRecord(w.operation, volumeId)
      if (current.linode_id !== undefined && current.linode_id !== null) {
        return yield* Effect.fail(new Conflict({ ...w, resource: "volume", id: volumeId, reason: `attached to node ${current.linode_id}: detach it first` }))
      }
      yield* client.send(
        HttpClientRequest.del(path("volumes", volumeId)),
        { operation: w.operation, notFound: { resource: "volume", id: volumeId }, classify: conflictOn("volume", volumeId) },
        ProviderHttp.empty
      )
    }).pipe(traced(PROVIDER, w.operation))
  }

  // ------------------------------------------------------------ Linode only

  const sizePrices: LinodeService["sizePrices"] = (ref) => {
    const w = { provider: PROVIDER, operation: "Linode.sizePrices" }
    return Effect.gen(function*() {
      const id = yield* validate.id(w, "size", ref)
      const t = yield* client.send(
        HttpClientRequest.get(path("linode", "types", id)),
        { operation: w.operation, notFound: { resource: "size", id } },
        ProviderHttp.json(Wire.Type)
      )
      return {
        hourly: t.price.hourly,
        monthly: t.price.monthly,
        regions: (t.region_prices ?? []).map((p) => ({ region: p.id, hourly: p.hourly, monthly: p.monthly }))
      }
    }).pipe(traced(PROVIDER, w.operation))
  }

  const compute: Compute.Service = {
    provider,
    listNodes,
    getNode,
    createNode,
    rebootNode: action("rebootNode", "reboot", ["running"], "reboot"),
    startNode: action("startNode", "boot", ["stopped"], "start"),
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
    // Linode volumes have no snapshots.
    ...volumeSnapshotsUnsupported(PROVIDER)
  }
  return { compute, linode: { provider, sizePrices } }
}
