/**
 * An in-memory compute cloud that behaves like a real one: nodes go pending →
 * running over a number of observations and get addresses when they run,
 * actions obey state rules (Conflict otherwise), destroyed nodes stay visible
 * as "terminated" for a while and then disappear, key pairs are real OpenSSH
 * keys with real fingerprints, volumes attach to one node at a time.
 *
 * Provider-specific `extra` accepted by `createNode`:
 * - `assignPublicIp: false` — the node runs with a private address only.
 * - `provisioning: "fail"` — the node goes pending → error instead of running
 *   (for testing how your program handles a failed boot).
 *
 * Resources named in NotFound / Conflict: "node", "size", "image", "location",
 * "keyPair", "volume", "snapshot".
 */
import { createHash } from "node:crypto"
import { Clock, Effect, Ref } from "effect"
import { AlreadyExists, Conflict, NotFound, ProviderError } from "../../schemas/Errors.js"
import { KeyPair, Node, Volume, VolumeSnapshot } from "../../schemas/Models.js"
import type { NodeImage, NodeLocation, NodeSize, NodeState } from "../../schemas/Models.js"
import type { Compute } from "../../services/Compute.js"
import { providerInfo } from "../../services/ProviderInfo.js"
import type { Ref as CloudRef } from "../../services/Refs.js"
import { traced } from "../../services/span.js"
import * as validate from "../../services/validate.js"
import {
  defaultImages,
  defaultLocations,
  defaultSizes,
  done,
  invalid,
  type MemoryConfig,
  newId,
  object,
  observe,
  optionalObject,
  PROVIDER,
  refIdOf,
  refuse,
  resolve,
  transact,
  type Transition,
  withEntry,
  withoutEntry
} from "./config.js"
import { makeInjector } from "./faults.js"

// ---------------------------------------------------------------- state

interface NodeRecord {
  readonly id: string
  readonly name: string
  readonly size: string
  readonly image: string
  readonly location: string | undefined
  readonly keyPair: string | undefined
  readonly createdAt: Date
  readonly extra: Readonly<Record<string, unknown>>
  /** Settled state; while `transition` is set, observers see `transition.now`. */
  readonly state: NodeState
  readonly transition: Transition<NodeState> | undefined
  /** For a terminated node: observations left before it disappears. */
  readonly goneAfter: number
  /** Reserved at creation, shown once the node has first run. */
  readonly publicIp: string | undefined
  readonly publicVisible: boolean
  readonly privateIp: string
}

interface KeyRecord {
  readonly name: string
  readonly fingerprint: string
  readonly publicKey: string
  readonly type: string
  readonly comment: string | undefined
  readonly createdAt: Date
}

interface VolumeRecord {
  readonly id: string
  readonly name: string
  readonly sizeGb: number
  readonly location: string | undefined
  readonly snapshotId: string | undefined
  readonly attachedTo: string | undefined
  readonly device: string | undefined
  readonly createdAt: Date
  readonly extra: Readonly<Record<string, unknown>>
}

interface SnapshotRecord {
  readonly id: string
  readonly name: string | undefined
  readonly volumeId: string
  readonly sizeGb: number
  readonly createdAt: Date
}

interface State {
  readonly nodes: ReadonlyMap<string, NodeRecord>
  readonly keyPairs: ReadonlyMap<string, KeyRecord>
  readonly volumes: ReadonlyMap<string, VolumeRecord>
  readonly snapshots: ReadonlyMap<string, SnapshotRecord>
  /** Public addresses in use (reserved by a node that is not terminated). */
  readonly publicInUse: ReadonlySet<string>
  /** Private addresses are never reused. */
  readonly nextPrivate: number
}

// TEST-NET-3 then TEST-NET-1 (RFC 5737): documentation addresses, never routable.
const publicPool: ReadonlyArray<string> = [
  ...Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`),
  ...Array.from({ length: 254 }, (_, i) => `192.0.2.${i + 1}`)
]

const privateAddress = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`

const devices = Array.from({ length: 24 }, (_, i) => `/dev/vd${String.fromCharCode(98 + i)}`) // vdb … vdy

const USER_DATA_MAX = 16384

// ---------------------------------------------------------------- OpenSSH keys

const keyTypes: ReadonlySet<string> = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com"
])

interface ParsedKey {
  readonly type: string
  readonly blob: Buffer
  readonly base64: string
  readonly comment: string | undefined
}

/** Parse one OpenSSH public key line; the error is the reason it is not one. */
const parsePublicKey = (line: string): ParsedKey | string => {
  if (typeof line !== "string") return "must be a string"
  if (/[\r\n\0]/.test(line.trim())) return "must be a single OpenSSH public key line"
  const parts = line.trim().split(/[ \t]+/)
  const [type, base64, ...comment] = parts
  if (type === undefined || type.length === 0) return "is empty"
  if (!keyTypes.has(type)) return `key type "${type.slice(0, 40)}" is not supported`
  if (base64 === undefined) return "has no key data"
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return "key data is not base64"
  const blob = Buffer.from(base64, "base64")
  if (blob.length < 4) return "key data is too short"
  const typeLength = blob.readUInt32BE(0)
  if (typeLength > blob.length - 4) return "key data is truncated"
  const embedded = blob.subarray(4, 4 + typeLength).toString("latin1")
  if (embedded !== type) return `key data is a "${embedded.slice(0, 40)}" key, not ${type}`
  if (type === "ssh-ed25519") {
    const at = 4 + typeLength
    if (blob.length !== at + 4 + 32 || blob.readUInt32BE(at) !== 32) return "ed25519 key data must hold a 32-byte key"
  } else if (blob.length < 4 + typeLength + 8) {
    return "key data is truncated"
  }
  return { type, blob, base64, comment: comment.length === 0 ? undefined : comment.join(" ") }
}

/** What `ssh-keygen -l` prints: "SHA256:" and unpadded base64 of the SHA-256 of the key blob. */
const fingerprintOf = (blob: Uint8Array) => `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`

// ---------------------------------------------------------------- the service

export const makeCompute = (config: MemoryConfig = {}): Effect.Effect<Compute.Service> =>
  Effect.gen(function*() {
    const settings = resolve(config)
    const inject = makeInjector(PROVIDER, config)
    const sizes: ReadonlyArray<NodeSize> = config.sizes ?? defaultSizes
    const images: ReadonlyArray<NodeImage> = config.images ?? defaultImages
    const locations: ReadonlyArray<NodeLocation> = config.locations ?? defaultLocations
    const ref = yield* Ref.make<State>({
      nodes: new Map(),
      keyPairs: new Map(),
      volumes: new Map(),
      snapshots: new Map(),
      publicInUse: new Set(),
      nextPrivate: 2
    })
    const atomically = transact(ref)
    const provider = providerInfo(
      PROVIDER,
      ["compute.keyPairs", "compute.volumes", "compute.snapshots", "compute.reboot", "compute.startStop"],
      settings.region
    )
    const where = (name: string): validate.Where => ({ provider: PROVIDER, operation: `Compute.${name}` })
    const notFound = (w: validate.Where, resource: string, id: string) => new NotFound({ ...w, resource, id })
    const conflict = (w: validate.Where, resource: string, id: string, reason: string) =>
      new Conflict({ ...w, resource, id, reason })

    // -------------------------------------------------------------- views

    const shownState = (n: NodeRecord): NodeState => n.transition?.now ?? n.state

    const nodeView = (n: NodeRecord, state: NodeState, publicVisible: boolean) =>
      new Node({
        id: n.id,
        name: n.name,
        state,
        publicIps: state !== "terminated" && publicVisible && n.publicIp !== undefined ? [n.publicIp] : [],
        privateIps: state === "terminated" ? [] : [n.privateIp],
        size: n.size,
        image: n.image,
        ...(n.location === undefined ? {} : { location: n.location }),
        createdAt: n.createdAt,
        extra: n.keyPair === undefined ? { ...n.extra } : { ...n.extra, keyPair: n.keyPair }
      })

    /** One observation of a node: what is seen, and the record after it (undefined: gone). */
    const observeNode = (n: NodeRecord): readonly [Node | undefined, NodeRecord | undefined] => {
      if (n.state === "terminated") {
        return n.goneAfter > 0 ? [nodeView(n, "terminated", false), { ...n, goneAfter: n.goneAfter - 1 }] : [undefined, undefined]
      }
      if (n.transition === undefined) return [nodeView(n, n.state, n.publicVisible), n]
      const [seen, next] = observe(n.transition)
      if (next !== undefined) return [nodeView(n, seen, n.publicVisible), { ...n, transition: next }]
      const publicVisible = n.publicVisible || seen === "running"
      return [nodeView(n, seen, publicVisible), { ...n, state: seen, transition: undefined, publicVisible }]
    }

    const volumeView = (v: VolumeRecord) =>
      new Volume({
        id: v.id,
        name: v.name,
        sizeGb: v.sizeGb,
        state: v.attachedTo === undefined ? "available" : "inUse",
        ...(v.location === undefined ? {} : { location: v.location }),
        ...(v.attachedTo === undefined ? {} : { attachedTo: v.attachedTo }),
        ...(v.device === undefined ? {} : { device: v.device }),
        createdAt: v.createdAt,
        extra: { ...v.extra, volumeType: "ssd", ...(v.snapshotId === undefined ? {} : { snapshotId: v.snapshotId }) }
      })

    const snapshotView = (s: SnapshotRecord) =>
      new VolumeSnapshot({
        id: s.id,
        ...(s.name === undefined ? {} : { name: s.name }),
        volumeId: s.volumeId,
        sizeGb: s.sizeGb,
        state: "available",
        createdAt: s.createdAt,
        extra: {}
      })

    const keyView = (k: KeyRecord) =>
      new KeyPair({
        name: k.name,
        fingerprint: k.fingerprint,
        publicKey: k.publicKey,
        extra: { type: k.type, createdAt: k.createdAt, ...(k.comment === undefined ? {} : { comment: k.comment }) }
      })

    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

    // -------------------------------------------------------------- nodes

    const listNodes = (options?: Compute.ListNodesOptions) => {
      const w = where("listNodes")
      return Effect.gen(function*() {
        const o = yield* optionalObject(w, "options", options)
        let only: ReadonlySet<string> | undefined
        if (o?.ids !== undefined) {
          if (!Array.isArray(o.ids)) return yield* Effect.fail(invalid(w, "ids", "must be an array of ids"))
          const ids: Array<string> = []
          for (const [i, id] of o.ids.entries()) ids.push(yield* refIdOf(w, `ids[${i}]`, id))
          only = new Set(ids)
        }
        return yield* inject(
          w.operation,
          atomically((s) => {
            const seen: Array<Node> = []
            const nodes = new Map<string, NodeRecord>()
            for (const n of s.nodes.values()) {
              if (only !== undefined && !only.has(n.id)) {
                nodes.set(n.id, n)
                continue
              }
              const [view, next] = observeNode(n)
              if (view !== undefined) seen.push(view)
              if (next !== undefined) nodes.set(n.id, next)
            }
            return done(seen as ReadonlyArray<Node>, { ...s, nodes })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const getNode = (node: CloudRef) => {
      const w = where("getNode")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "node", node)
        yield* Effect.annotateCurrentSpan("cloudfx.node", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const n = s.nodes.get(id)
            if (n === undefined) return refuse(notFound(w, "node", id))
            const [view, next] = observeNode(n)
            if (view === undefined || next === undefined) {
              // Gone now: the caller sees NotFound, and so does everybody after.
              return done(undefined, { ...s, nodes: withoutEntry(s.nodes, id) })
            }
            return done(view, { ...s, nodes: withEntry(s.nodes, id, next) })
          })
        ).pipe(
          Effect.flatMap((view) => (view === undefined ? Effect.fail(notFound(w, "node", id)) : Effect.succeed(view)))
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const createNode = (spec: Compute.CreateNodeSpec) => {
      const w = where("createNode")
      return Effect.gen(function*() {
        yield* object(w, "spec", spec)
        const name = yield* validate.name(w, "name", spec.name)
        const sizeId = yield* refIdOf(w, "size", spec.size)
        const imageId = yield* refIdOf(w, "image", spec.image)
        const locationId = spec.location === undefined ? undefined : yield* refIdOf(w, "location", spec.location)
        const keyPair = spec.keyPair === undefined ? undefined : yield* validate.name(w, "keyPair", spec.keyPair)
        if (spec.userData !== undefined) {
          if (typeof spec.userData !== "string") return yield* Effect.fail(invalid(w, "userData", "must be a string"))
          if (Buffer.byteLength(spec.userData, "utf8") > USER_DATA_MAX) {
            return yield* Effect.fail(invalid(w, "userData", `must be at most ${USER_DATA_MAX} bytes`))
          }
        }
        const extra = (yield* optionalObject(w, "extra", spec.extra)) ?? {}
        if (extra["assignPublicIp"] !== undefined && typeof extra["assignPublicIp"] !== "boolean") {
          return yield* Effect.fail(invalid(w, "extra.assignPublicIp", "must be a boolean"))
        }
        if (extra["provisioning"] !== undefined && extra["provisioning"] !== "succeed" && extra["provisioning"] !== "fail") {
          return yield* Effect.fail(invalid(w, "extra.provisioning", `must be "succeed" or "fail"`))
        }
        yield* Effect.annotateCurrentSpan("cloudfx.node.name", name)
        const assignPublicIp = extra["assignPublicIp"] !== false
        const target: NodeState = extra["provisioning"] === "fail" ? "error" : "running"
        const createdAt = yield* now
        const id = newId("i-0", 16)
        return yield* inject(
          w.operation,
          atomically((s) => {
            if (!sizes.some((x) => x.id === sizeId)) return refuse(notFound(w, "size", sizeId))
            if (!images.some((x) => x.id === imageId)) return refuse(notFound(w, "image", imageId))
            const location = locationId ?? locations[0]?.id
            if (locationId !== undefined && !locations.some((x) => x.id === locationId)) {
              return refuse(notFound(w, "location", locationId))
            }
            if (keyPair !== undefined && !s.keyPairs.has(keyPair)) return refuse(notFound(w, "keyPair", keyPair))
            const publicIp = assignPublicIp ? publicPool.find((ip) => !s.publicInUse.has(ip)) : undefined
            if (assignPublicIp && publicIp === undefined) {
              return refuse(
                new ProviderError({
                  ...w,
                  status: 400,
                  code: "AddressLimitExceeded",
                  detail: `all ${publicPool.length} public addresses are in use`
                })
              )
            }
            const immediate = settings.pollsUntilRunning === 0
            const record: NodeRecord = {
              id,
              name,
              size: sizeId,
              image: imageId,
              location,
              keyPair,
              createdAt,
              // User data can hold secrets: like EC2, the node never shows it back.
              extra: { ...extra, assignPublicIp, hasUserData: spec.userData !== undefined },
              state: immediate ? target : "pending",
              transition: immediate ? undefined : { now: "pending", to: target, remaining: settings.pollsUntilRunning },
              goneAfter: 0,
              publicIp,
              publicVisible: immediate && target === "running",
              privateIp: privateAddress(s.nextPrivate)
            }
            const publicInUse = publicIp === undefined ? s.publicInUse : new Set(s.publicInUse).add(publicIp)
            return done(nodeView(record, shownState(record), record.publicVisible), {
              ...s,
              nodes: withEntry(s.nodes, id, record),
              publicInUse,
              nextPrivate: s.nextPrivate + 1
            })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    /** reboot / start / stop: from one settled state, through a transitional one, to another. */
    const action = (
      operation: "rebootNode" | "startNode" | "stopNode",
      from: NodeState,
      through: NodeState,
      to: NodeState,
      verb: string
    ) =>
    (node: CloudRef) => {
      const w = where(operation)
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "node", node)
        yield* Effect.annotateCurrentSpan("cloudfx.node", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const n = s.nodes.get(id)
            if (n === undefined) return refuse(notFound(w, "node", id))
            const state = shownState(n)
            if (state !== from) {
              const reason = state === to && operation !== "rebootNode"
                ? `node is already ${to}`
                : `node is ${state}; only a ${from} node can be ${verb}`
              return refuse(conflict(w, "node", id, reason))
            }
            const next: NodeRecord = settings.pollsUntilRunning === 0
              ? { ...n, state: to, transition: undefined }
              : { ...n, transition: { now: through, to, remaining: settings.pollsUntilRunning } }
            return done(undefined, { ...s, nodes: withEntry(s.nodes, id, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const destroyNode = (node: CloudRef) => {
      const w = where("destroyNode")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "node", node)
        yield* Effect.annotateCurrentSpan("cloudfx.node", id)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const n = s.nodes.get(id)
            if (n === undefined) return refuse(notFound(w, "node", id))
            if (n.state === "terminated") return done(undefined, s) // terminating twice is a no-op, as on EC2
            const publicInUse = new Set(s.publicInUse)
            if (n.publicIp !== undefined) publicInUse.delete(n.publicIp)
            // Volumes of a terminated node are detached (not deleted): they were created separately.
            const volumes = new Map(s.volumes)
            for (const v of s.volumes.values()) {
              if (v.attachedTo === id) volumes.set(v.id, { ...v, attachedTo: undefined, device: undefined })
            }
            const next: NodeRecord = {
              ...n,
              state: "terminated",
              transition: undefined,
              goneAfter: settings.pollsUntilGone,
              publicIp: undefined,
              publicVisible: false
            }
            return done(undefined, { ...s, nodes: withEntry(s.nodes, id, next), publicInUse, volumes })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- catalogue

    const catalogue = <A>(operation: string, items: ReadonlyArray<A>) => () =>
      inject(`Compute.${operation}`, Effect.succeed(items)).pipe(traced(PROVIDER, `Compute.${operation}`))

    // -------------------------------------------------------------- key pairs

    const listKeyPairs = () => {
      const w = where("listKeyPairs")
      return inject(w.operation, Effect.map(Ref.get(ref), (s) => Array.from(s.keyPairs.values(), keyView))).pipe(
        traced(PROVIDER, w.operation)
      )
    }

    const importKeyPair = (keyPair: Compute.ImportKeyPair) => {
      const w = where("importKeyPair")
      return Effect.gen(function*() {
        yield* object(w, "keyPair", keyPair)
        const name = yield* validate.name(w, "name", keyPair.name)
        yield* Effect.annotateCurrentSpan("cloudfx.keyPair", name)
        const parsed = parsePublicKey(keyPair.publicKey)
        if (typeof parsed === "string") return yield* Effect.fail(invalid(w, "publicKey", parsed))
        const createdAt = yield* now
        const record: KeyRecord = {
          name,
          fingerprint: fingerprintOf(parsed.blob),
          publicKey: parsed.comment === undefined
            ? `${parsed.type} ${parsed.base64}`
            : `${parsed.type} ${parsed.base64} ${parsed.comment}`,
          type: parsed.type,
          comment: parsed.comment,
          createdAt
        }
        return yield* inject(
          w.operation,
          atomically((s) =>
            s.keyPairs.has(name)
              ? refuse(new AlreadyExists({ ...w, resource: "keyPair", id: name }))
              : done(keyView(record), { ...s, keyPairs: withEntry(s.keyPairs, name, record) })
          )
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const deleteKeyPair = (name: string) => {
      const w = where("deleteKeyPair")
      return Effect.gen(function*() {
        const valid = yield* validate.name(w, "name", name)
        yield* Effect.annotateCurrentSpan("cloudfx.keyPair", valid)
        return yield* inject(
          w.operation,
          atomically((s) =>
            s.keyPairs.has(valid)
              ? done(undefined, { ...s, keyPairs: withoutEntry(s.keyPairs, valid) })
              : refuse(notFound(w, "keyPair", valid))
          )
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- volumes

    const listVolumes = () => {
      const w = where("listVolumes")
      return inject(w.operation, Effect.map(Ref.get(ref), (s) => Array.from(s.volumes.values(), volumeView))).pipe(
        traced(PROVIDER, w.operation)
      )
    }

    const createVolume = (spec: Compute.CreateVolumeSpec) => {
      const w = where("createVolume")
      return Effect.gen(function*() {
        yield* object(w, "spec", spec)
        const name = yield* validate.name(w, "name", spec.name)
        // 16 TiB: the largest single block volume the big clouds sell.
        const sizeGb = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb, 16384)
        const locationId = spec.location === undefined ? undefined : yield* refIdOf(w, "location", spec.location)
        const snapshotId = spec.snapshot === undefined ? undefined : yield* refIdOf(w, "snapshot", spec.snapshot)
        const extra = (yield* optionalObject(w, "extra", spec.extra)) ?? {}
        const createdAt = yield* now
        const id = newId("vol-0", 16)
        return yield* inject(
          w.operation,
          atomically((s) => {
            if (locationId !== undefined && !locations.some((l) => l.id === locationId)) {
              return refuse(notFound(w, "location", locationId))
            }
            const snapshot = snapshotId === undefined ? undefined : s.snapshots.get(snapshotId)
            if (snapshotId !== undefined && snapshot === undefined) return refuse(notFound(w, "snapshot", snapshotId))
            if (snapshot !== undefined && sizeGb < snapshot.sizeGb) {
              return refuse(
                invalid(w, "sizeGb", `must be at least the snapshot's size (${snapshot.sizeGb} GB)`)
              )
            }
            const record: VolumeRecord = {
              id,
              name,
              sizeGb,
              location: locationId ?? locations[0]?.id,
              snapshotId,
              attachedTo: undefined,
              device: undefined,
              createdAt,
              extra: { ...extra }
            }
            return done(volumeView(record), { ...s, volumes: withEntry(s.volumes, id, record) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const attachVolume = (volume: CloudRef, node: CloudRef, options?: Compute.AttachVolumeOptions) => {
      const w = where("attachVolume")
      return Effect.gen(function*() {
        const volumeId = yield* refIdOf(w, "volume", volume)
        const nodeId = yield* refIdOf(w, "node", node)
        const o = (yield* optionalObject(w, "options", options)) ?? {}
        if (o.device !== undefined && (typeof o.device !== "string" || !/^\/dev\/[a-z][a-z0-9]{1,15}$/.test(o.device))) {
          return yield* Effect.fail(invalid(w, "device", `"${String(o.device)}" is not a device name like /dev/vdb`))
        }
        yield* Effect.annotateCurrentSpan({ "cloudfx.volume": volumeId, "cloudfx.node": nodeId })
        return yield* inject(
          w.operation,
          atomically((s) => {
            const v = s.volumes.get(volumeId)
            if (v === undefined) return refuse(notFound(w, "volume", volumeId))
            const n = s.nodes.get(nodeId)
            if (n === undefined) return refuse(notFound(w, "node", nodeId))
            const state = shownState(n)
            if (state === "terminated" || state === "error") {
              return refuse(conflict(w, "node", nodeId, `node is ${state}`))
            }
            if (v.attachedTo !== undefined) {
              return refuse(conflict(w, "volume", volumeId, `volume is in use by node ${v.attachedTo}`))
            }
            if (v.location !== undefined && n.location !== undefined && v.location !== n.location) {
              return refuse(conflict(w, "volume", volumeId, `volume is in ${v.location}, node ${nodeId} in ${n.location}`))
            }
            const taken = new Set<string>()
            for (const x of s.volumes.values()) if (x.attachedTo === nodeId && x.device !== undefined) taken.add(x.device)
            const device = o.device ?? devices.find((d) => !taken.has(d))
            if (device === undefined) return refuse(conflict(w, "node", nodeId, "no free device name left on the node"))
            if (taken.has(device)) return refuse(conflict(w, "node", nodeId, `device ${device} is already in use`))
            const next: VolumeRecord = { ...v, attachedTo: nodeId, device }
            return done(volumeView(next), { ...s, volumes: withEntry(s.volumes, volumeId, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const detachVolume = (volume: CloudRef) => {
      const w = where("detachVolume")
      return Effect.gen(function*() {
        const volumeId = yield* refIdOf(w, "volume", volume)
        yield* Effect.annotateCurrentSpan("cloudfx.volume", volumeId)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const v = s.volumes.get(volumeId)
            if (v === undefined) return refuse(notFound(w, "volume", volumeId))
            if (v.attachedTo === undefined) return refuse(conflict(w, "volume", volumeId, "volume is not attached"))
            const next: VolumeRecord = { ...v, attachedTo: undefined, device: undefined }
            return done(volumeView(next), { ...s, volumes: withEntry(s.volumes, volumeId, next) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const destroyVolume = (volume: CloudRef) => {
      const w = where("destroyVolume")
      return Effect.gen(function*() {
        const volumeId = yield* refIdOf(w, "volume", volume)
        yield* Effect.annotateCurrentSpan("cloudfx.volume", volumeId)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const v = s.volumes.get(volumeId)
            if (v === undefined) return refuse(notFound(w, "volume", volumeId))
            if (v.attachedTo !== undefined) {
              return refuse(conflict(w, "volume", volumeId, `volume is attached to node ${v.attachedTo}; detach it first`))
            }
            return done(undefined, { ...s, volumes: withoutEntry(s.volumes, volumeId) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    // -------------------------------------------------------------- snapshots

    const createVolumeSnapshot = (volume: CloudRef, options?: { readonly name?: string }) => {
      const w = where("createVolumeSnapshot")
      return Effect.gen(function*() {
        const volumeId = yield* refIdOf(w, "volume", volume)
        const o = (yield* optionalObject(w, "options", options)) ?? {}
        const name = o.name === undefined ? undefined : yield* validate.name(w, "name", o.name)
        yield* Effect.annotateCurrentSpan("cloudfx.volume", volumeId)
        const createdAt = yield* now
        const id = newId("snap-0", 16)
        return yield* inject(
          w.operation,
          atomically((s) => {
            const v = s.volumes.get(volumeId)
            if (v === undefined) return refuse(notFound(w, "volume", volumeId))
            const record: SnapshotRecord = { id, name, volumeId, sizeGb: v.sizeGb, createdAt }
            return done(snapshotView(record), { ...s, snapshots: withEntry(s.snapshots, id, record) })
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const listVolumeSnapshots = (volume?: CloudRef) => {
      const w = where("listVolumeSnapshots")
      return Effect.gen(function*() {
        const volumeId = volume === undefined ? undefined : yield* refIdOf(w, "volume", volume)
        return yield* inject(
          w.operation,
          Effect.flatMap(Ref.get(ref), (s) => {
            if (volumeId !== undefined && !s.volumes.has(volumeId)) return Effect.fail(notFound(w, "volume", volumeId))
            const all = Array.from(s.snapshots.values())
            return Effect.succeed(
              (volumeId === undefined ? all : all.filter((x) => x.volumeId === volumeId)).map(snapshotView)
            )
          })
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const destroyVolumeSnapshot = (snapshot: CloudRef) => {
      const w = where("destroyVolumeSnapshot")
      return Effect.gen(function*() {
        const id = yield* refIdOf(w, "snapshot", snapshot)
        yield* Effect.annotateCurrentSpan("cloudfx.snapshot", id)
        return yield* inject(
          w.operation,
          atomically((s) =>
            s.snapshots.has(id)
              ? done(undefined, { ...s, snapshots: withoutEntry(s.snapshots, id) })
              : refuse(notFound(w, "snapshot", id))
          )
        )
      }).pipe(traced(PROVIDER, w.operation))
    }

    const service: Compute.Service = {
      provider,
      listNodes,
      getNode,
      createNode,
      rebootNode: action("rebootNode", "running", "rebooting", "running", "rebooted"),
      startNode: action("startNode", "stopped", "starting", "running", "started"),
      stopNode: action("stopNode", "running", "stopping", "stopped", "stopped"),
      destroyNode,
      listImages: catalogue("listImages", images),
      listSizes: catalogue("listSizes", sizes),
      listLocations: catalogue("listLocations", locations),
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
    return service
  })
