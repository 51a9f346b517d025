/**
 * The Compute contract: written once against the portable interface, run by
 * every compute provider (memory, EC2, Nova, DigitalOcean, …).
 *
 * ```ts
 * computeContract("memory", Memory.layerCompute(), { schedule: Schedule.spaced("1 millis"), timeout: "5 seconds" })
 * ```
 *
 * Safe on a shared real account: every name carries a random suffix, and
 * everything a test creates is destroyed when the test ends, pass or fail.
 * Optional operations are checked against `provider.capabilities` both ways:
 * a listed capability never answers Unsupported, an unlisted one always does.
 */
import { createHash } from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { Layer } from "effect"
import type { Node, NodeState } from "../../src/schemas/Models.js"
import { NodeState as NodeStateSchema } from "../../src/schemas/Models.js"
import { Compute, waitUntilRunningOn } from "../../src/services/Compute.js"
import type { Capability } from "../../src/services/ProviderInfo.js"
import {
  type ContractTiming,
  defaultMissingId,
  eventually,
  failsWith,
  failsWithOneOf,
  neverFailsWith,
  timing,
  uniqueSuffix
} from "./harness.js"

export interface ComputeContractOptions extends ContractTiming {
  /** What the test nodes run on. Defaults: the cheapest size, the first image, the first location. */
  readonly size?: string
  readonly image?: string
  readonly location?: string
  /** Provider `extra` for the test nodes (e.g. a subnet). */
  readonly nodeExtra?: Readonly<Record<string, unknown>>
  /** Whether test nodes get a public IP, so waits require one. Default true. */
  readonly requirePublicIp?: boolean
  /** Size of the test volumes. Default 1 GB. */
  readonly volumeSizeGb?: number
  /**
   * Whether stopping a stopped node and starting a running one are Conflict
   * (Nova, DigitalOcean, memory). EC2 treats both as no-ops: pass false.
   * Default true.
   */
  readonly strictStateRules?: boolean
  /** A well-formed id nobody has, for NotFound checks. Default "cloudfx-missing-<resource>-<random>". */
  readonly missingId?: (resource: "node" | "volume" | "snapshot") => string
}

/** Public keys made with ssh-keygen; only the public halves exist. */
export const testPublicKeys = {
  ed25519: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZC3+mkIbtz4/KrYYb8uPGLfPj8tIRiJpLT4b3FKx7a cloudfx-contract",
  rsa:
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC1/ePlGgdVn/O6RQZaMQKRJM+VDpKVvAenFhplL5VejyAYpV6wsVGi4eZnwx9Bw6VG9YVJ05An8KyMbH1Cqte/QKaRQtTP/11ZsF6kncmsZkqKItoifkMTDgOjBAmCh7R5ABVdQkuxc7N1EB0dcy5d2g3s7sQIPK+9qSQWlhtYu8VXkbPWh1nKHCZaXE3DVIELTAcEjR3XIcNAzVeJUVcM+hzqylE4gQC92Z4AcXBUDHhGs0gLOYMeqzGNXwsB6moNTLPYJkptbKXrWH5YhdROgeK65vPH4FVANkaMlVUenTXjRqwpNde65TW9dN8zIcdg4MFznK1URz4q6//UoiOn rsa-test"
} as const

/** The two fingerprints providers report for a key: OpenSSH's SHA256 form and the older MD5 form. */
export const fingerprints = (publicKey: string) => {
  const blob = Buffer.from(publicKey.split(" ")[1] ?? "", "base64")
  const sha256 = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`
  const md5 = createHash("md5").update(blob).digest("hex").match(/../g)!.join(":")
  return { sha256, md5 }
}

const computeCapabilities: ReadonlyArray<Capability> = [
  "compute.keyPairs",
  "compute.volumes",
  "compute.snapshots",
  "compute.reboot",
  "compute.startStop"
]

const nodeStates = new Set<string>(NodeStateSchema.literals)

export const computeContract = <E>(
  name: string,
  computeLayer: Layer.Layer<Compute, E>,
  options: ComputeContractOptions = {}
): void => {
  const { schedule, testTimeout, timeout } = timing(options)
  const requirePublicIp = options.requirePublicIp ?? true
  const strict = options.strictStateRules ?? true
  const missing = options.missingId ?? defaultMissingId
  const volumeSizeGb = options.volumeSizeGb ?? 1
  const waitOptions = { schedule, timeout } as const

  layer(computeLayer, { excludeTestServices: true, timeout: "2 minutes" })(`Compute contract: ${name}`, (it) => {
    const has = (compute: Compute.Service, c: Capability) => compute.provider.capabilities.has(c)

    /** What a test node is made of, from the options or the provider's catalogue. */
    const nodeSpec = (compute: Compute.Service, nodeName: string, keyPair?: string) =>
      Effect.gen(function*() {
        const sizes = yield* compute.listSizes()
        const images = yield* compute.listImages()
        const locations = yield* compute.listLocations()
        const cheapest = [...sizes].sort((a, b) => (a.price ?? Infinity) - (b.price ?? Infinity) || a.ramMb - b.ramMb)[0]
        const size = options.size ?? cheapest?.id
        const image = options.image ?? images[0]?.id
        const location = options.location ?? locations[0]?.id
        expect(size, "a size to create test nodes with").toBeDefined()
        expect(image, "an image to create test nodes with").toBeDefined()
        return {
          name: nodeName,
          size: size!,
          image: image!,
          ...(location === undefined ? {} : { location }),
          ...(keyPair === undefined ? {} : { keyPair }),
          ...(options.nodeExtra === undefined ? {} : { extra: options.nodeExtra })
        } satisfies Compute.CreateNodeSpec
      })

    /** A node destroyed when the test ends, whatever happens. */
    const scopedNode = (compute: Compute.Service, spec: Compute.CreateNodeSpec) =>
      Effect.acquireRelease(compute.createNode(spec), (node) => Effect.ignore(compute.destroyNode(node.id)))

    const namedNodes = (compute: Compute.Service, nodeName: string) =>
      Effect.map(compute.listNodes(), (nodes) => nodes.filter((n) => n.name === nodeName && n.state !== "terminated"))

    const stateOf = (compute: Compute.Service, id: string) =>
      Effect.map(Effect.either(compute.getNode(id)), (r) => (Either.isLeft(r) ? r.left._tag : r.right.state))

    it.effect("provider info names the provider and only compute capabilities", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        expect(typeof compute.provider.id).toBe("string")
        expect(compute.provider.id.length).toBeGreaterThan(0)
        for (const c of compute.provider.capabilities) expect(computeCapabilities).toContain(c)
      }))

    it.effect("capabilities agree with Unsupported, both ways", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const node = missing("node")
        const volume = missing("volume")
        const snapshot = missing("snapshot")
        const probes: ReadonlyArray<readonly [Capability, string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["compute.reboot", "rebootNode", compute.rebootNode(node)],
          ["compute.startStop", "startNode", compute.startNode(node)],
          ["compute.startStop", "stopNode", compute.stopNode(node)],
          ["compute.keyPairs", "listKeyPairs", compute.listKeyPairs()],
          ["compute.keyPairs", "deleteKeyPair", compute.deleteKeyPair(`cloudfx-missing-${uniqueSuffix()}`)],
          ["compute.volumes", "listVolumes", compute.listVolumes()],
          ["compute.volumes", "detachVolume", compute.detachVolume(volume)],
          ["compute.volumes", "destroyVolume", compute.destroyVolume(volume)],
          ["compute.volumes", "attachVolume", compute.attachVolume(volume, node)],
          ["compute.snapshots", "listVolumeSnapshots", compute.listVolumeSnapshots()],
          ["compute.snapshots", "destroyVolumeSnapshot", compute.destroyVolumeSnapshot(snapshot)],
          ["compute.snapshots", "createVolumeSnapshot", compute.createVolumeSnapshot(volume)]
        ]
        for (const [capability, operation, probe] of probes) {
          if (has(compute, capability)) {
            const exit = yield* neverFailsWith(probe, "Unsupported", `${operation} with ${capability} listed`)
            if (operation.startsWith("list")) expect(exit._tag, `${operation} succeeds`).toBe("Success")
            else yield* failsWith(probe, "NotFound", `${operation} of a missing id`)
          } else {
            yield* failsWith(probe, "Unsupported", `${operation} without ${capability}`)
          }
        }
        // Creating operations without the capability are Unsupported and create nothing.
        const suffix = uniqueSuffix()
        if (!has(compute, "compute.keyPairs")) {
          yield* failsWith(
            compute.importKeyPair({ name: `cloudfx-${suffix}`, publicKey: testPublicKeys.ed25519 }),
            "Unsupported"
          )
        }
        if (!has(compute, "compute.volumes")) {
          yield* failsWith(compute.createVolume({ name: `cloudfx-${suffix}`, sizeGb: volumeSizeGb }), "Unsupported")
        }
      }), testTimeout)

    it.effect("the catalogue lists sizes, images and locations", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const sizes = yield* compute.listSizes()
        const images = yield* compute.listImages()
        const locations = yield* compute.listLocations()
        expect(sizes.length).toBeGreaterThan(0)
        expect(images.length).toBeGreaterThan(0)
        for (const list of [sizes, images, locations]) {
          const ids = list.map((x) => x.id)
          expect(new Set(ids).size, "ids are unique").toBe(ids.length)
          for (const x of list) {
            expect(x.id.length).toBeGreaterThan(0)
            expect(typeof x.name).toBe("string")
          }
        }
        for (const s of sizes) {
          expect(s.ramMb, `${s.id} ramMb`).toBeGreaterThan(0)
          expect(s.diskGb, `${s.id} diskGb`).toBeGreaterThanOrEqual(0)
          if (s.vcpus !== undefined) expect(s.vcpus, `${s.id} vcpus`).toBeGreaterThan(0)
          if (s.bandwidth !== undefined) expect(s.bandwidth, `${s.id} bandwidth`).toBeGreaterThanOrEqual(0)
          if (s.price !== undefined) {
            expect(Number.isFinite(s.price), `${s.id} price`).toBe(true)
            expect(s.price, `${s.id} price`).toBeGreaterThanOrEqual(0)
          }
        }
        for (const l of locations) {
          if (l.country !== undefined) expect(l.country, `${l.id} country`).toMatch(/^[A-Z]{2}$/)
        }
      }), testTimeout)

    it.scoped("a node lives: create, get, list, wait until running, reboot, stop, start, destroy", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const suffix = uniqueSuffix()
        const nodeName = `cloudfx-node-${suffix}`
        expect(yield* namedNodes(compute, nodeName)).toEqual([])

        let keyPair: string | undefined
        if (has(compute, "compute.keyPairs")) {
          keyPair = `cloudfx-key-${suffix}`
          yield* Effect.acquireRelease(
            compute.importKeyPair({ name: keyPair, publicKey: testPublicKeys.ed25519 }),
            () => Effect.ignore(compute.deleteKeyPair(keyPair!))
          )
        }
        const spec = yield* nodeSpec(compute, nodeName, keyPair)
        const created = yield* scopedNode(compute, spec)
        expect(created.name).toBe(nodeName)
        expect(created.id.length).toBeGreaterThan(0)
        expect(nodeStates.has(created.state), `state ${created.state}`).toBe(true)
        expect(["error", "terminated"]).not.toContain(created.state)

        const fetched = yield* compute.getNode(created.id)
        expect(fetched.id).toBe(created.id)
        expect(fetched.name).toBe(nodeName)
        expect((yield* compute.getNode(created)).id, "a Node is a Ref too").toBe(created.id)

        const listed = (yield* compute.listNodes()).filter((n) => n.id === created.id)
        expect(listed.length, "listed exactly once").toBe(1)
        const only = yield* compute.listNodes({ ids: [created.id] })
        expect(only.map((n) => n.id)).toEqual([created.id])

        const [running] = yield* waitUntilRunningOn(compute, [created], { ...waitOptions, requirePublicIp })
        expect(running!.state).toBe("running")
        if (requirePublicIp) expect(running!.publicIps.length).toBeGreaterThan(0)
        for (const ip of [...running!.publicIps, ...running!.privateIps]) expect(ip).toMatch(/^[0-9a-fA-F:.]+$/)
        if (spec.location !== undefined && running!.location !== undefined) expect(running!.location).toBe(spec.location)

        if (has(compute, "compute.reboot")) {
          yield* compute.rebootNode(created.id)
          const [again] = yield* waitUntilRunningOn(compute, [created.id], { ...waitOptions, requirePublicIp })
          expect(again!.state).toBe("running")
        } else {
          yield* failsWith(compute.rebootNode(created.id), "Unsupported")
        }

        if (has(compute, "compute.startStop")) {
          if (strict) yield* failsWith(compute.startNode(created.id), "Conflict", "starting a running node")
          yield* compute.stopNode(created.id)
          yield* eventually("the node to stop", stateOf(compute, created.id), (s) => s === "stopped", waitOptions)
          if (strict) {
            yield* failsWith(compute.stopNode(created.id), "Conflict", "stopping a stopped node")
            if (has(compute, "compute.reboot")) {
              yield* failsWith(compute.rebootNode(created.id), "Conflict", "rebooting a stopped node")
            }
          }
          yield* compute.startNode(created.id)
          const [started] = yield* waitUntilRunningOn(compute, [created.id], { ...waitOptions, requirePublicIp })
          expect(started!.state).toBe("running")
        } else {
          yield* failsWith(compute.stopNode(created.id), "Unsupported")
          yield* failsWith(compute.startNode(created.id), "Unsupported")
        }

        yield* compute.destroyNode(created.id)
        const end = yield* eventually(
          "the node to be terminated or gone",
          stateOf(compute, created.id),
          (s) => s === "terminated" || s === "NotFound",
          waitOptions
        )
        expect(["terminated", "NotFound"]).toContain(end)
        // Destroying again is a no-op or NotFound, never anything else.
        const again = yield* Effect.either(compute.destroyNode(created.id))
        if (Either.isLeft(again)) expect(again.left._tag).toBe("NotFound")
        if (has(compute, "compute.reboot")) {
          yield* failsWithOneOf(compute.rebootNode(created.id), ["Conflict", "NotFound"], "rebooting a destroyed node")
        }
        // A terminated node may disappear at any time: the wait fails with one or the other.
        yield* failsWithOneOf(
          waitUntilRunningOn(compute, [created.id], { ...waitOptions, requirePublicIp }),
          end === "NotFound" ? ["NotFound"] : ["UnexpectedState", "NotFound"],
          "waiting for a destroyed node"
        )
      }), testTimeout * 4)

    it.effect("missing nodes are NotFound, naming the resource", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const id = missing("node")
        const checks: Array<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["getNode", compute.getNode(id)],
          ["destroyNode", compute.destroyNode(id)],
          ["waitUntilRunning", waitUntilRunningOn(compute, [id], waitOptions)]
        ]
        if (has(compute, "compute.reboot")) checks.push(["rebootNode", compute.rebootNode(id)])
        if (has(compute, "compute.startStop")) {
          checks.push(["startNode", compute.startNode(id)], ["stopNode", compute.stopNode(id)])
        }
        for (const [operation, check] of checks) {
          const e = yield* failsWith(check, "NotFound", operation)
          expect((e as unknown as { resource: string }).resource, operation).toBe("node")
          expect((e as unknown as { id: string }).id, operation).toBe(id)
        }
        expect(yield* compute.listNodes({ ids: [id] })).toEqual([])
      }), testTimeout)

    it.effect("createNode with an unknown size, image, location or key pair is NotFound and creates nothing", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const nodeName = `cloudfx-ghost-${uniqueSuffix()}`
        const spec = yield* nodeSpec(compute, nodeName)
        const cases: Array<readonly [string, Compute.CreateNodeSpec]> = [
          ["size", { ...spec, size: `cloudfx-missing-size-${uniqueSuffix()}` }],
          ["image", { ...spec, image: `cloudfx-missing-image-${uniqueSuffix()}` }],
          ["location", { ...spec, location: `cloudfx-missing-location-${uniqueSuffix()}` }]
        ]
        if (has(compute, "compute.keyPairs")) {
          cases.push(["keyPair", { ...spec, keyPair: `cloudfx-missing-key-${uniqueSuffix()}` }])
        }
        for (const [resource, bad] of cases) {
          const e = yield* failsWith(
            compute.createNode(bad).pipe(Effect.tap((n) => Effect.ignore(compute.destroyNode(n.id)))),
            "NotFound",
            `createNode with an unknown ${resource}`
          )
          expect(e.resource).toBe(resource)
        }
        expect(yield* namedNodes(compute, nodeName)).toEqual([])
      }), testTimeout)

    it.effect("bad input is InvalidInput, before anything changes", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const suffix = uniqueSuffix()
        const nodeName = `cloudfx-bad-${suffix}`
        const spec = yield* nodeSpec(compute, nodeName)
        const bad: Array<readonly [string, Effect.Effect<unknown, { readonly _tag: string }>]> = [
          ["empty name", compute.createNode({ ...spec, name: "" })],
          ["blank name", compute.createNode({ ...spec, name: "   " })],
          ["name with NUL", compute.createNode({ ...spec, name: `${nodeName}\0` })],
          ["empty size", compute.createNode({ ...spec, size: "" })],
          ["empty image", compute.createNode({ ...spec, image: "" })],
          ["empty location", compute.createNode({ ...spec, location: "" })],
          ["getNode('')", compute.getNode("")],
          ["getNode({ id: '' })", compute.getNode({ id: "" })],
          ["destroyNode('')", compute.destroyNode("")],
          ["listNodes ids ['']", compute.listNodes({ ids: [""] })]
        ]
        for (const [what, effect] of bad) yield* failsWith(effect, "InvalidInput", what)
        if (has(compute, "compute.reboot")) yield* failsWith(compute.rebootNode(""), "InvalidInput", "rebootNode('')")
        if (has(compute, "compute.startStop")) {
          yield* failsWith(compute.startNode(""), "InvalidInput", "startNode('')")
          yield* failsWith(compute.stopNode(""), "InvalidInput", "stopNode('')")
        }
        expect(yield* namedNodes(compute, nodeName)).toEqual([])
        expect((yield* compute.listNodes()).filter((n) => n.name.includes(suffix))).toEqual([])

        if (has(compute, "compute.keyPairs")) {
          const keyName = `cloudfx-badkey-${suffix}`
          const ed25519Blob = testPublicKeys.ed25519.split(" ")[1]!
          const keys: ReadonlyArray<readonly [string, string]> = [
            ["empty", ""],
            ["not a key", "not a key"],
            ["type only", "ssh-ed25519"],
            ["unknown type", `ssh-foo ${ed25519Blob}`],
            ["not base64", "ssh-ed25519 !!!notbase64!!!"],
            ["truncated", `ssh-ed25519 ${ed25519Blob.slice(0, 20)}`],
            ["type mismatch", `ssh-rsa ${ed25519Blob}`],
            ["two lines", `${testPublicKeys.ed25519}\n${testPublicKeys.rsa}`]
          ]
          for (const [what, publicKey] of keys) {
            yield* failsWith(compute.importKeyPair({ name: keyName, publicKey }), "InvalidInput", `key pair: ${what}`)
          }
          yield* failsWith(compute.importKeyPair({ name: "", publicKey: testPublicKeys.ed25519 }), "InvalidInput")
          yield* failsWith(compute.deleteKeyPair(""), "InvalidInput")
          expect((yield* compute.listKeyPairs()).filter((k) => k.name === keyName)).toEqual([])
        }

        if (has(compute, "compute.volumes")) {
          const volumeName = `cloudfx-badvol-${suffix}`
          for (const sizeGb of [0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
            yield* failsWith(compute.createVolume({ name: volumeName, sizeGb }), "InvalidInput", `sizeGb ${sizeGb}`)
          }
          yield* failsWith(compute.createVolume({ name: "", sizeGb: volumeSizeGb }), "InvalidInput", "empty volume name")
          yield* failsWith(compute.attachVolume("", missing("node")), "InvalidInput", "attachVolume('')")
          yield* failsWith(compute.attachVolume(missing("volume"), ""), "InvalidInput", "attachVolume(_, '')")
          yield* failsWith(compute.detachVolume(""), "InvalidInput", "detachVolume('')")
          yield* failsWith(compute.destroyVolume(""), "InvalidInput", "destroyVolume('')")
          expect((yield* compute.listVolumes()).filter((v) => v.name === volumeName)).toEqual([])
        }
        if (has(compute, "compute.snapshots")) {
          yield* failsWith(compute.createVolumeSnapshot(""), "InvalidInput", "createVolumeSnapshot('')")
          yield* failsWith(compute.destroyVolumeSnapshot(""), "InvalidInput", "destroyVolumeSnapshot('')")
          yield* failsWith(compute.listVolumeSnapshots(""), "InvalidInput", "listVolumeSnapshots('')")
        }
      }), testTimeout)

    it.scoped("key pairs: import, list, refuse duplicates, delete", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        if (!has(compute, "compute.keyPairs")) {
          yield* failsWith(compute.listKeyPairs(), "Unsupported")
          return
        }
        const suffix = uniqueSuffix()
        const names = { ed25519: `cloudfx-ed-${suffix}`, rsa: `cloudfx-rsa-${suffix}` }
        for (const [kind, keyName] of Object.entries(names) as Array<[keyof typeof names, string]>) {
          const publicKey = testPublicKeys[kind]
          const imported = yield* Effect.acquireRelease(
            compute.importKeyPair({ name: keyName, publicKey }),
            () => Effect.ignore(compute.deleteKeyPair(keyName))
          )
          expect(imported.name).toBe(keyName)
          const expected = fingerprints(publicKey)
          expect([expected.sha256, expected.md5], `${kind} fingerprint`).toContain(imported.fingerprint)
          if (imported.publicKey !== undefined) {
            expect(imported.publicKey.split(" ").slice(0, 2)).toEqual(publicKey.split(" ").slice(0, 2))
          }
          expect(imported.privateKey, "an imported key has no private half").toBeUndefined()
        }
        const listed = (yield* compute.listKeyPairs()).filter((k) => k.name === names.ed25519 || k.name === names.rsa)
        expect(listed.map((k) => k.name).sort()).toEqual([names.ed25519, names.rsa].sort())

        const dup = yield* failsWith(
          compute.importKeyPair({ name: names.ed25519, publicKey: testPublicKeys.rsa }),
          "AlreadyExists",
          "importing a key pair under a taken name"
        )
        expect(dup.id).toBe(names.ed25519)
        const still = (yield* compute.listKeyPairs()).find((k) => k.name === names.ed25519)
        expect(still?.fingerprint, "the first key is untouched").toBe(listed.find((k) => k.name === names.ed25519)?.fingerprint)

        yield* compute.deleteKeyPair(names.ed25519)
        expect((yield* compute.listKeyPairs()).some((k) => k.name === names.ed25519)).toBe(false)
        const gone = yield* failsWith(compute.deleteKeyPair(names.ed25519), "NotFound", "deleting a deleted key pair")
        expect(gone.resource).toBe("keyPair")
        expect(gone.id).toBe(names.ed25519)
      }), testTimeout)

    it.scoped("volumes and snapshots: create, attach, refuse conflicts, detach, snapshot, destroy", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        if (!has(compute, "compute.volumes")) {
          yield* failsWith(compute.listVolumes(), "Unsupported")
          return
        }
        const suffix = uniqueSuffix()
        const spec = yield* nodeSpec(compute, `cloudfx-vol-node-${suffix}`)
        const node = yield* scopedNode(compute, spec)
        const [running] = yield* waitUntilRunningOn(compute, [node], { ...waitOptions, requirePublicIp })
        const location = running!.location ?? spec.location

        const volumeState = (id: string) =>
          Effect.map(compute.listVolumes(), (vs) => vs.find((v) => v.id === id))
        const scopedVolume = (volumeName: string, extra: Partial<Compute.CreateVolumeSpec> = {}) =>
          Effect.acquireRelease(
            compute.createVolume({
              name: volumeName,
              sizeGb: volumeSizeGb,
              ...(location === undefined ? {} : { location }),
              ...extra
            }),
            (v) =>
              Effect.ignore(compute.detachVolume(v.id)).pipe(
                Effect.zipRight(Effect.ignore(compute.destroyVolume(v.id)))
              )
          )

        const volumeName = `cloudfx-vol-${suffix}`
        const volume = yield* scopedVolume(volumeName)
        expect(volume.name).toBe(volumeName)
        expect(volume.sizeGb).toBe(volumeSizeGb)
        yield* eventually("the volume to be available", volumeState(volume.id), (v) => v?.state === "available", waitOptions)
        expect((yield* compute.listVolumes()).filter((v) => v.id === volume.id).length, "listed once").toBe(1)

        const attached = yield* compute.attachVolume(volume, node)
        expect(attached.id).toBe(volume.id)
        const inUse = yield* eventually(
          "the volume to be in use",
          volumeState(volume.id),
          (v) => v?.state === "inUse",
          waitOptions
        )
        expect(inUse?.attachedTo).toBe(node.id)

        yield* failsWith(compute.attachVolume(volume, node), "Conflict", "attaching an attached volume")
        yield* failsWith(compute.destroyVolume(volume), "Conflict", "destroying an attached volume")
        expect((yield* volumeState(volume.id))?.state, "still there, still in use").toBe("inUse")

        const spare = yield* scopedVolume(`cloudfx-spare-${suffix}`)
        const noNode = yield* failsWith(compute.attachVolume(spare, missing("node")), "NotFound", "attaching to a missing node")
        expect(noNode.resource).toBe("node")
        const noVolume = yield* failsWith(compute.attachVolume(missing("volume"), node), "NotFound", "attaching a missing volume")
        expect(noVolume.resource).toBe("volume")

        yield* compute.detachVolume(volume)
        const available = yield* eventually(
          "the volume to be available again",
          volumeState(volume.id),
          (v) => v?.state === "available",
          waitOptions
        )
        expect(available?.attachedTo).toBeUndefined()
        yield* failsWith(compute.detachVolume(volume), "Conflict", "detaching a detached volume")

        if (has(compute, "compute.snapshots")) {
          const snapshotName = `cloudfx-snap-${suffix}`
          const snapshot = yield* Effect.acquireRelease(
            compute.createVolumeSnapshot(volume, { name: snapshotName }),
            (s) => Effect.ignore(compute.destroyVolumeSnapshot(s.id))
          )
          expect(snapshot.volumeId).toBe(volume.id)
          expect(snapshot.sizeGb).toBe(volume.sizeGb)
          const ready = yield* eventually(
            "the snapshot to be available",
            Effect.map(compute.listVolumeSnapshots(volume), (ss) => ss.find((s) => s.id === snapshot.id)),
            (s) => s?.state === "available",
            waitOptions
          )
          expect(ready?.name).toBe(snapshotName)
          expect((yield* compute.listVolumeSnapshots()).filter((s) => s.id === snapshot.id).length).toBe(1)

          const restored = yield* scopedVolume(`cloudfx-restored-${suffix}`, { snapshot })
          expect(restored.sizeGb).toBeGreaterThanOrEqual(snapshot.sizeGb)

          yield* failsWith(compute.createVolumeSnapshot(missing("volume")), "NotFound", "snapshot of a missing volume")
          const noVol = yield* failsWith(compute.listVolumeSnapshots(missing("volume")), "NotFound")
          expect(noVol.resource).toBe("volume")
          const noSnap = yield* failsWith(
            compute.createVolume({ name: `cloudfx-nosnap-${suffix}`, sizeGb: volumeSizeGb, snapshot: missing("snapshot") }),
            "NotFound",
            "a volume from a missing snapshot"
          )
          expect(noSnap.resource).toBe("snapshot")

          yield* compute.destroyVolumeSnapshot(snapshot)
          yield* eventually(
            "the snapshot to go",
            Effect.map(compute.listVolumeSnapshots(), (ss) => ss.find((s) => s.id === snapshot.id)),
            (s) => s === undefined || s.state === "deleting",
            waitOptions
          )
          const gone = yield* failsWithOneOf(compute.destroyVolumeSnapshot(snapshot), ["NotFound", "Conflict"])
          if (gone._tag === "NotFound") expect((gone as unknown as { resource: string }).resource).toBe("snapshot")
        } else {
          yield* failsWith(compute.createVolumeSnapshot(volume), "Unsupported")
        }

        yield* compute.destroyVolume(volume)
        yield* eventually(
          "the volume to go",
          volumeState(volume.id),
          (v) => v === undefined || v.state === "deleting" || v.state === "deleted",
          waitOptions
        )
        const e = yield* failsWith(compute.destroyVolume(volume), "NotFound", "destroying a destroyed volume")
        expect(e.resource).toBe("volume")
      }), testTimeout * 4)

    it.scoped("waitUntilRunning waits for several nodes at once", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        const suffix = uniqueSuffix()
        const a = yield* scopedNode(compute, yield* nodeSpec(compute, `cloudfx-a-${suffix}`))
        const b = yield* scopedNode(compute, yield* nodeSpec(compute, `cloudfx-b-${suffix}`))
        const nodes: ReadonlyArray<Node> = yield* waitUntilRunningOn(compute, [a, b.id], { ...waitOptions, requirePublicIp })
        expect(nodes.map((n) => n.id)).toEqual([a.id, b.id])
        expect(nodes.every((n) => n.state === ("running" satisfies NodeState))).toBe(true)
      }), testTimeout * 2)
  })
}
