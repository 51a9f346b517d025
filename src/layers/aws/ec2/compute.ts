/**
 * The portable Compute service over the EC2 Query API.
 *
 * Behaviour worth knowing (all of it EC2's own, surfaced rather than hidden):
 * - `createNode` sends a ClientToken, so a RunInstances whose answer was lost
 *   is sent again safely and EC2 answers with the instance it already
 *   launched; the Name tag is set in the same request.
 * - Starting a running node and stopping a stopped one are no-ops on EC2,
 *   not Conflict. Terminated nodes stay visible as "terminated" for about
 *   an hour.
 * - Key pairs: RSA and ED25519 only. `deleteKeyPair` looks the key up first
 *   (EC2's DeleteKeyPair succeeds for keys that do not exist).
 * - Volumes need an Availability Zone: without `location` the first
 *   available zone of the region is used. `attachVolume` without a device
 *   picks the first of /dev/sdf … /dev/sdp the instance does not use.
 * - `listLocations` lists the region's zones (where nodes and volumes go).
 */
import { randomUUID } from "node:crypto"
import { Effect, Option, Schema } from "effect"
import * as Decode from "../../../http/Decode.js"
import { InvalidInput, MalformedResponse, NotFound } from "../../../schemas/Errors.js"
import { Volume } from "../../../schemas/Models.js"
import type { Compute } from "../../../services/Compute.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import { traced } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { idAction } from "./actions.js"
import { type Client, filters, list, opt, type Params, tagSpecification } from "./client.js"
import type { Ec2Config } from "./config.js"
import * as Ids from "./ids.js"
import { instances } from "./instances.js"
import { parsePublicKey } from "./keys.js"
import * as To from "./mapping.js"
import * as Wire from "./wire.js"

/** 16 KB before base64, EC2's user data limit. */
export const USER_DATA_MAX = 16 * 1024
/** Values per filter EC2 accepts. */
const FILTER_VALUES_MAX = 200
const SIZE_GB_MAX = 65_536

const NAME_TAG_MAX = 256

const Extra = {
  node: Schema.Struct({
    securityGroupIds: Schema.optional(Schema.Array(Schema.String)),
    subnetId: Schema.optional(Schema.String),
    blockDeviceMappings: Schema.optional(
      Schema.Array(
        Schema.Struct({
          deviceName: Schema.String,
          volumeSizeGb: Schema.optional(Schema.Int.pipe(Schema.positive())),
          volumeType: Schema.optional(Schema.String),
          iops: Schema.optional(Schema.Int.pipe(Schema.positive())),
          deleteOnTermination: Schema.optional(Schema.Boolean),
          encrypted: Schema.optional(Schema.Boolean),
          snapshotId: Schema.optional(Schema.String)
        })
      )
    ),
    tags: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    clientToken: Schema.optional(Schema.String.pipe(Schema.pattern(/^[\x21-\x7e]{1,64}$/)))
  }),
  volume: Schema.Struct({
    volumeType: Schema.optional(Schema.String),
    iops: Schema.optional(Schema.Int.pipe(Schema.positive())),
    throughput: Schema.optional(Schema.Int.pipe(Schema.positive())),
    encrypted: Schema.optional(Schema.Boolean),
    kmsKeyId: Schema.optional(Schema.String),
    tags: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    clientToken: Schema.optional(Schema.String.pipe(Schema.pattern(/^[\x21-\x7e]{1,64}$/)))
  })
}

/** Provider options in `extra`, checked like any other input. */
const decodeExtra = <A, I>(where: validate.Where, schema: Schema.Schema<A, I>, extra: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema, { onExcessProperty: "error" })(extra ?? {}).pipe(
    Effect.mapError((e) => new InvalidInput({ ...where, field: "extra", reason: Decode.describeIssue(e.issue) }))
  )

const chunks = <A>(xs: ReadonlyArray<A>, n: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}

const candidateDevices = Array.from({ length: 11 }, (_, i) => `/dev/sd${String.fromCharCode(102 + i)}`) // sdf … sdp
const deviceKey = (d: string) => d.replace(/^\/dev\//, "").replace(/^xvd/, "sd")
const devicePattern = /^(?:\/dev\/)?(?:sd|xvd|hd)[a-z]{1,2}\d*$/

const userDataBytes = (s: string) => Buffer.byteLength(s, "utf8")

/** What EC2 supports of the optional Compute operations: all of them. */
export const providerInfoOf = (client: Client) =>
  providerInfo(
    client.provider,
    ["compute.keyPairs", "compute.volumes", "compute.snapshots", "compute.reboot", "compute.startStop"],
    client.region
  )

export const makeCompute = (client: Client, config: Ec2Config): Compute.Service => {
  const provider = client.provider
  const info = providerInfoOf(client)
  const where = (op: string): validate.Where => ({ provider, operation: `Compute.${op}` })
  const span = (op: string, attributes?: Record<string, unknown>) => traced(provider, `Compute.${op}`, attributes)
  const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })
  const malformed = (w: validate.Where, reason: string) => new MalformedResponse({ ...w, reason })
  const inst = instances(client)

  // -------------------------------------------------------------- nodes

  const listNodes: Compute.Service["listNodes"] = (options) => {
    const w = where("listNodes")
    return Effect.gen(function*() {
      if (options?.ids === undefined) return (yield* inst.describe(w.operation, [])).map((i) => To.node(i))
      const ids = yield* Effect.forEach(options.ids, (r) => Ids.id(w, "node", r, "ids"))
      if (ids.length === 0) return []
      // A filter, not InstanceId.N: an id that does not exist is simply not listed.
      const found = yield* Effect.forEach(
        chunks([...new Set(ids)], FILTER_VALUES_MAX),
        (chunk) => inst.describe(w.operation, filters([["instance-id", chunk]]))
      )
      return found.flat().map((i) => To.node(i))
    }).pipe(span("listNodes"))
  }

  const getNode: Compute.Service["getNode"] = (ref) => {
    const w = where("getNode")
    return Effect.flatMap(Ids.id(w, "node", ref), (id) => Effect.map(inst.one(w.operation, id), (i) => To.node(i)))
  }

  const createNode: Compute.Service["createNode"] = (spec) => {
    const w = where("createNode")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name, NAME_TAG_MAX)
      const size = yield* validate.id(w, "size", spec.size)
      const image = yield* validate.id(w, "image", spec.image)
      const zone = spec.location === undefined ? undefined : yield* validate.id(w, "location", spec.location)
      const keyName = spec.keyPair === undefined ? undefined : yield* validate.name(w, "keyPair", spec.keyPair, 255)
      if (spec.userData !== undefined && (typeof spec.userData !== "string" || userDataBytes(spec.userData) > USER_DATA_MAX)) {
        return yield* Effect.fail(invalid(w, "userData", `must be a string of at most ${USER_DATA_MAX} bytes`))
      }
      const extra = yield* decodeExtra(w, Extra.node, spec.extra)
      for (const sg of extra.securityGroupIds ?? []) {
        if (!Ids.isId("securityGroup", sg)) return yield* Effect.fail(invalid(w, "extra.securityGroupIds", `"${sg.slice(0, 80)}" is not a security group id (sg-…)`))
      }
      if (extra.subnetId !== undefined && !/^subnet-[0-9a-f]{8,17}$/.test(extra.subnetId)) {
        return yield* Effect.fail(invalid(w, "extra.subnetId", "is not a subnet id (subnet-…)"))
      }
      // One token per createNode call: every retry of this request carries the same one.
      const clientToken = extra.clientToken ?? (yield* Effect.sync(() => randomUUID()))
      const params: Params = [
        ["ClientToken", clientToken],
        ["ImageId", image],
        ["InstanceType", size],
        ["MinCount", "1"],
        ["MaxCount", "1"],
        ...opt("KeyName", keyName),
        ...opt("Placement.AvailabilityZone", zone),
        ...opt("UserData", spec.userData === undefined ? undefined : Buffer.from(spec.userData, "utf8").toString("base64")),
        ...list("SecurityGroupId", extra.securityGroupIds ?? []),
        ...opt("SubnetId", extra.subnetId),
        ...(extra.blockDeviceMappings ?? []).flatMap((b, i): Params => {
          const p = `BlockDeviceMapping.${i + 1}`
          return [
            [`${p}.DeviceName`, b.deviceName],
            ...opt(`${p}.Ebs.VolumeSize`, b.volumeSizeGb),
            ...opt(`${p}.Ebs.VolumeType`, b.volumeType),
            ...opt(`${p}.Ebs.Iops`, b.iops),
            ...opt(`${p}.Ebs.DeleteOnTermination`, b.deleteOnTermination),
            ...opt(`${p}.Ebs.Encrypted`, b.encrypted),
            ...opt(`${p}.Ebs.SnapshotId`, b.snapshotId)
          ]
        }),
        ...tagSpecification("instance", { ...extra.tags, Name: name })
      ]
      const answer = yield* client.call({
        action: "RunInstances",
        params,
        schema: Wire.RunInstances,
        operation: w.operation,
        // Safe: EC2 answers a repeated ClientToken with the first launch.
        idempotent: true,
        mapped: ["NotFound"],
        targets: {
          image,
          size,
          ...(zone === undefined ? {} : { location: zone }),
          ...(keyName === undefined ? {} : { keyPair: keyName }),
          ...(extra.subnetId === undefined ? {} : { subnet: extra.subnetId }),
          securityGroup: (extra.securityGroupIds ?? []).join(",")
        }
      })
      const first = answer.instancesSet[0]
      if (first === undefined) return yield* Effect.fail(malformed(w, "RunInstances answered without an instance"))
      return To.node(first, name)
    }).pipe(span("createNode", { "cloudfx.node.name": spec.name }))
  }

  const instanceAction = <M extends "NotFound" | "Conflict">(op: string, action: string, idempotent: boolean, mapped: ReadonlyArray<M>) =>
    idAction(client, {
      operation: `Compute.${op}`,
      action,
      param: "InstanceId.1",
      kind: "node",
      resource: "node",
      mapped,
      idempotent
    })

  // Start, stop and terminate are no-ops when repeated on EC2; a reboot is not.
  const rebootNode = instanceAction("rebootNode", "RebootInstances", false, ["NotFound", "Conflict"])
  const startNode = instanceAction("startNode", "StartInstances", true, ["NotFound", "Conflict"])
  const stopNode = instanceAction("stopNode", "StopInstances", true, ["NotFound", "Conflict"])
  const destroyNode = instanceAction("destroyNode", "TerminateInstances", true, ["NotFound"])

  // -------------------------------------------------------------- catalogue

  const listImages: Compute.Service["listImages"] = () =>
    client.all({
      action: "DescribeImages",
      params: list("Owner", config.imageOwners ?? ["self", "amazon"]),
      schema: Wire.DescribeImages,
      operation: "Compute.listImages",
      maxPage: 1000,
      page: (a) => ({ items: a.imagesSet, next: a.nextToken })
    }).pipe(Effect.map((images) => images.map(To.image)), span("listImages"))

  const priceOf = (instanceType: string): number | undefined => {
    if (typeof config.prices !== "function") return undefined
    try {
      return config.prices(instanceType, client.region)
    } catch {
      // A price source that fails for one type leaves that price unknown.
      return undefined
    }
  }

  const listSizes: Compute.Service["listSizes"] = () =>
    client.all({
      action: "DescribeInstanceTypes",
      schema: Wire.DescribeInstanceTypes,
      operation: "Compute.listSizes",
      maxPage: 100,
      page: (a) => ({ items: a.instanceTypeSet, next: a.nextToken })
    }).pipe(Effect.map((types) => types.map((t) => To.size(t, priceOf(t.instanceType)))), span("listSizes"))

  const zones = (operation: string, extra: Params = []) =>
    client.call({
      action: "DescribeAvailabilityZones",
      params: extra,
      schema: Wire.DescribeAvailabilityZones,
      operation,
      idempotent: true
    })

  const listLocations: Compute.Service["listLocations"] = () =>
    Effect.all([
      zones("Compute.listLocations"),
      client.call({
        action: "DescribeRegions",
        params: list("RegionName", [client.region]),
        schema: Wire.DescribeRegions,
        operation: "Compute.listLocations",
        idempotent: true
      })
    ], { concurrency: 2 }).pipe(
      Effect.map(([z, r]) => {
        const region = r.regionInfo.find((x) => x.regionName === client.region)
        return z.availabilityZoneInfo.map((zone) => To.location(zone, region))
      }),
      span("listLocations")
    )

  // -------------------------------------------------------------- key pairs

  const listKeyPairs: Compute.Service["listKeyPairs"] = () =>
    client.call({
      action: "DescribeKeyPairs",
      params: [["IncludePublicKey", "true"]],
      schema: Wire.DescribeKeyPairs,
      operation: "Compute.listKeyPairs",
      idempotent: true
    }).pipe(Effect.map((a) => a.keySet.map((k) => To.keyPair(k))))

  const keyName = (w: validate.Where, value: string) =>
    Effect.flatMap(validate.name(w, "name", value, 255), (n) =>
      /^[\x20-\x7e]+$/.test(n) ? Effect.succeed(n) : Effect.fail(invalid(w, "name", "EC2 key pair names are printable ASCII")))

  const importKeyPair: Compute.Service["importKeyPair"] = (input) => {
    const w = where("importKeyPair")
    return Effect.gen(function*() {
      const name = yield* keyName(w, input?.name)
      const parsed = parsePublicKey(input?.publicKey)
      if (typeof parsed === "string") return yield* Effect.fail(invalid(w, "publicKey", parsed))
      const answer = yield* client.call({
        action: "ImportKeyPair",
        params: [["KeyName", name], ["PublicKeyMaterial", Buffer.from(parsed.line, "utf8").toString("base64")]],
        schema: Wire.ImportKeyPair,
        operation: w.operation,
        mapped: ["AlreadyExists"],
        targets: { keyPair: name }
      })
      return To.keyPair({ ...answer, keyType: parsed.type === "ssh-rsa" ? "rsa" : "ed25519", publicKey: parsed.line })
    })
  }

  const deleteKeyPair: Compute.Service["deleteKeyPair"] = (input) => {
    const w = where("deleteKeyPair")
    return Effect.gen(function*() {
      const name = yield* keyName(w, input)
      // DeleteKeyPair answers true for a name that does not exist: ask first.
      const found = yield* client.call({
        action: "DescribeKeyPairs",
        params: list("KeyName", [name]),
        schema: Wire.DescribeKeyPairs,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { keyPair: name }
      })
      if (!found.keySet.some((k) => k.keyName === name)) {
        return yield* Effect.fail(new NotFound({ ...w, resource: "keyPair", id: name }))
      }
      yield* client.call({
        action: "DeleteKeyPair",
        params: [["KeyName", name]],
        schema: Wire.Returned("DeleteKeyPairResponse"),
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { keyPair: name }
      })
    }).pipe(span("deleteKeyPair", { "cloudfx.keyPair": String(input) }))
  }

  // -------------------------------------------------------------- volumes

  const describeVolume = (operation: string, id: string) =>
    client.call({
      action: "DescribeVolumes",
      params: list("VolumeId", [id]),
      schema: Wire.DescribeVolumes,
      operation,
      idempotent: true,
      mapped: ["NotFound"],
      targets: { volume: id }
    }).pipe(
      Effect.flatMap((a) => {
        const v = a.volumeSet.find((x) => x.volumeId === id)
        return v === undefined
          ? Effect.fail(new NotFound({ provider, operation, resource: "volume", id }))
          : Effect.succeed(To.volume(v))
      })
    )

  const listVolumes: Compute.Service["listVolumes"] = () =>
    client.all({
      action: "DescribeVolumes",
      schema: Wire.DescribeVolumes,
      operation: "Compute.listVolumes",
      maxPage: 500,
      page: (a) => ({ items: a.volumeSet, next: a.nextToken })
    }).pipe(Effect.map((vs) => vs.map((v) => To.volume(v))), span("listVolumes"))

  const firstZone = (w: validate.Where) =>
    zones(w.operation, filters([["state", ["available"]]])).pipe(
      Effect.flatMap((a) =>
        Option.match(Option.fromNullable(a.availabilityZoneInfo[0]), {
          onNone: () => Effect.fail(malformed(w, `region ${client.region} has no available zone`)),
          onSome: (z) => Effect.succeed(z.zoneName)
        })
      )
    )

  const createVolume: Compute.Service["createVolume"] = (spec) => {
    const w = where("createVolume")
    return Effect.gen(function*() {
      const name = yield* validate.name(w, "name", spec.name, NAME_TAG_MAX)
      const sizeGb = yield* validate.positiveInt(w, "sizeGb", spec.sizeGb, SIZE_GB_MAX)
      const location = spec.location === undefined ? undefined : yield* validate.id(w, "location", spec.location)
      const snapshot = spec.snapshot === undefined ? undefined : yield* Ids.id(w, "snapshot", spec.snapshot)
      const extra = yield* decodeExtra(w, Extra.volume, spec.extra)
      const zone = location ?? (yield* firstZone(w))
      const clientToken = extra.clientToken ?? (yield* Effect.sync(() => randomUUID()))
      const answer = yield* client.call({
        action: "CreateVolume",
        params: [
          ["ClientToken", clientToken],
          ["AvailabilityZone", zone],
          ["Size", String(sizeGb)],
          ...opt("SnapshotId", snapshot),
          ...opt("VolumeType", extra.volumeType),
          ...opt("Iops", extra.iops),
          ...opt("Throughput", extra.throughput),
          ...opt("Encrypted", extra.encrypted),
          ...opt("KmsKeyId", extra.kmsKeyId),
          ...tagSpecification("volume", { ...extra.tags, Name: name })
        ],
        schema: Wire.CreateVolume,
        operation: w.operation,
        idempotent: true,
        mapped: ["NotFound"],
        targets: { location: zone, ...(snapshot === undefined ? {} : { snapshot }) }
      })
      const created = To.volume(answer)
      return created.name === "" ? new Volume({ ...created, name }) : created
    }).pipe(span("createVolume", { "cloudfx.volume.name": spec.name }))
  }

  const attachVolume: Compute.Service["attachVolume"] = (volumeRef, nodeRef, options) => {
    const w = where("attachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* Ids.id(w, "volume", volumeRef)
      const nodeId = yield* Ids.id(w, "node", nodeRef)
      let device = options?.device
      if (device !== undefined && (typeof device !== "string" || !devicePattern.test(device))) {
        return yield* Effect.fail(invalid(w, "device", "must be a device name such as /dev/sdf"))
      }
      if (device === undefined) {
        const instance = yield* inst.one(w.operation, nodeId)
        const used = new Set(instance.blockDeviceMapping.map((b) => deviceKey(b.deviceName)))
        device = candidateDevices.find((d) => !used.has(deviceKey(d)))
        if (device === undefined) return yield* Effect.fail(invalid(w, "device", `node ${nodeId} uses every device from /dev/sdf to /dev/sdp: name one`))
      }
      yield* client.call({
        action: "AttachVolume",
        params: [["VolumeId", volumeId], ["InstanceId", nodeId], ["Device", device]],
        schema: Wire.VolumeAttachment("AttachVolumeResponse"),
        operation: w.operation,
        mapped: ["NotFound", "Conflict"],
        targets: { volume: volumeId, node: nodeId }
      })
      const now = yield* describeVolume(w.operation, volumeId)
      // Describe may lag the attach it follows (EC2 is eventually consistent): say what was just done.
      return now.attachedTo === undefined ? new Volume({ ...now, state: "attaching", attachedTo: nodeId, device }) : now
    }).pipe(span("attachVolume"))
  }

  const detachVolume: Compute.Service["detachVolume"] = (volumeRef) => {
    const w = where("detachVolume")
    return Effect.gen(function*() {
      const volumeId = yield* Ids.id(w, "volume", volumeRef)
      yield* client.call({
        action: "DetachVolume",
        params: [["VolumeId", volumeId]],
        schema: Wire.VolumeAttachment("DetachVolumeResponse"),
        operation: w.operation,
        mapped: ["NotFound", "Conflict"],
        targets: { volume: volumeId }
      })
      const now = yield* describeVolume(w.operation, volumeId)
      return now.state === "inUse" ? new Volume({ ...now, state: "detaching" }) : now
    }).pipe(span("detachVolume"))
  }

  const destroyVolume: Compute.Service["destroyVolume"] = idAction(client, {
    operation: "Compute.destroyVolume",
    action: "DeleteVolume",
    param: "VolumeId",
    kind: "volume",
    resource: "volume",
    mapped: ["NotFound", "Conflict"]
  })

  // -------------------------------------------------------------- snapshots

  const createVolumeSnapshot: Compute.Service["createVolumeSnapshot"] = (volumeRef, options) => {
    const w = where("createVolumeSnapshot")
    return Effect.gen(function*() {
      const volumeId = yield* Ids.id(w, "volume", volumeRef)
      const name = options?.name === undefined ? undefined : yield* validate.name(w, "name", options.name, NAME_TAG_MAX)
      const answer = yield* client.call({
        action: "CreateSnapshot",
        params: [
          ["VolumeId", volumeId],
          ...opt("Description", name),
          ...tagSpecification("snapshot", name === undefined ? {} : { Name: name })
        ],
        schema: Wire.CreateSnapshot,
        operation: w.operation,
        mapped: ["NotFound"],
        targets: { volume: volumeId }
      })
      return To.snapshot(answer, name)
    })
  }

  const listVolumeSnapshots: Compute.Service["listVolumeSnapshots"] = (volumeRef) => {
    const w = where("listVolumeSnapshots")
    return Effect.gen(function*() {
      let params: Params = list("Owner", ["self"])
      if (volumeRef !== undefined) {
        const volumeId = yield* Ids.id(w, "volume", volumeRef)
        // A volume that does not exist has no snapshots either, but the caller named it: say so.
        yield* describeVolume(w.operation, volumeId)
        params = [...params, ...filters([["volume-id", [volumeId]]])]
      }
      const all = yield* client.all({
        action: "DescribeSnapshots",
        params,
        schema: Wire.DescribeSnapshots,
        operation: w.operation,
        maxPage: 1000,
        page: (a) => ({ items: a.snapshotSet, next: a.nextToken })
      })
      return all.map((s) => To.snapshot(s))
    }).pipe(span("listVolumeSnapshots"))
  }

  const destroyVolumeSnapshot: Compute.Service["destroyVolumeSnapshot"] = idAction(client, {
    operation: "Compute.destroyVolumeSnapshot",
    action: "DeleteSnapshot",
    param: "SnapshotId",
    kind: "snapshot",
    resource: "snapshot",
    mapped: ["NotFound", "Conflict"]
  })

  return {
    provider: info,
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
}

