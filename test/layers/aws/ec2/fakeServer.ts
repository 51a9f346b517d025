/**
 * A small in-process EC2 Query API server (node:http on 127.0.0.1, port 0)
 * for the Compute contract, which needs state. It answers only through the
 * documented response builders in fixtures.ts and with the documented error
 * codes, and keeps just enough state for the contract: instances go pending →
 * running over DescribeInstances polls, volumes and snapshots settle after
 * one look, ClientTokens make RunInstances and CreateVolume idempotent.
 *
 * Faults can be queued per action: "throttle" (RequestLimitExceeded before
 * acting), "drop" (act, then cut the connection without answering — a lost
 * response), "internal" (InternalError before acting).
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import * as X from "./fixtures.js"

export interface FakeEc2Options {
  readonly region?: string
  readonly accessKeyId?: string
  /** DescribeInstances looks a launched instance needs before it runs. Default 2. */
  readonly pollsUntilRunning?: number
}

export type FaultKind = "throttle" | "drop" | "internal"

export interface Received {
  readonly action: string
  readonly params: URLSearchParams
  readonly headers: IncomingMessage["headers"]
}

interface Transition {
  readonly to: string
  left: number
}

interface Instance {
  readonly id: string
  readonly image: string
  readonly type: string
  readonly zone: string
  readonly keyName: string | undefined
  readonly tags: Record<string, string>
  readonly launchTime: string
  readonly privateIp: string
  readonly clientToken: string
  state: string
  transition: Transition | undefined
  publicIp: string | undefined
  devices: Array<{ device: string; volumeId: string }>
}

interface KeyPair {
  readonly id: string
  readonly fingerprint: string
  readonly type: string
  readonly publicKey: string
}

interface Volume {
  readonly id: string
  readonly size: number
  readonly zone: string
  readonly snapshotId: string | undefined
  readonly createTime: string
  readonly tags: Record<string, string>
  status: string
  settled: boolean
  attachment: { instanceId: string; device: string; status: string } | undefined
}

interface Snapshot {
  readonly id: string
  readonly volumeId: string
  readonly size: number
  readonly description: string | undefined
  readonly tags: Record<string, string>
  readonly startTime: string
  status: string
}

class Ec2Error {
  constructor(readonly code: string, readonly message: string) {}
}

const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n)
const newId = (prefix: string) => `${prefix}-0${hex(16)}`
const isId = (prefix: string, v: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(v)

const images = [
  { id: "ami-0abcdef1234567890", name: "al2023-ami-2023.3.20240131.0-kernel-6.1-x86_64", owner: "137112412989", alias: "amazon", description: "Amazon Linux 2023 AMI" },
  { id: "ami-0fedcba9876543210", name: "Windows_Server-2022-English-Full-Base-2024.01.16", owner: "801119661308", alias: "amazon" },
  { id: "ami-0123456789abcdef0", name: "cloudfx-golden", owner: "123456789012" }
]

const instanceTypes = [
  { type: "t2.nano", vcpus: 1, mib: 512, network: "Low to Moderate" },
  { type: "t2.micro", vcpus: 1, mib: 1024, network: "Low to Moderate" },
  { type: "t3.micro", vcpus: 2, mib: 1024, network: "Up to 5 Gigabit" },
  { type: "t3.small", vcpus: 2, mib: 2048, network: "Up to 5 Gigabit" },
  { type: "c5d.large", vcpus: 2, mib: 4096, network: "Up to 10 Gigabit", storageGb: 50 },
  { type: "m5.large", vcpus: 2, mib: 8192, network: "Up to 10 Gigabit" },
  { type: "r5.large", vcpus: 2, mib: 16384, network: "Up to 10 Gigabit" }
]

const regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]

/** An `N`-numbered list parameter: `Name.1`, `Name.2`, … */
const members = (p: URLSearchParams, name: string): Array<string> => {
  const out: Array<string> = []
  for (let i = 1; p.has(`${name}.${i}`); i++) out.push(p.get(`${name}.${i}`)!)
  return out
}

const filterMap = (p: URLSearchParams): Map<string, Array<string>> => {
  const out = new Map<string, Array<string>>()
  for (let i = 1; p.has(`Filter.${i}.Name`); i++) out.set(p.get(`Filter.${i}.Name`)!, members(p, `Filter.${i}.Value`))
  return out
}

/** Tags of the TagSpecification for `resourceType`. */
const tagsFor = (p: URLSearchParams, resourceType: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (let n = 1; p.has(`TagSpecification.${n}.ResourceType`); n++) {
    if (p.get(`TagSpecification.${n}.ResourceType`) !== resourceType) continue
    for (let i = 1; p.has(`TagSpecification.${n}.Tag.${i}.Key`); i++) {
      out[p.get(`TagSpecification.${n}.Tag.${i}.Key`)!] = p.get(`TagSpecification.${n}.Tag.${i}.Value`) ?? ""
    }
  }
  return out
}

const required = (p: URLSearchParams, name: string): string => {
  const v = p.get(name)
  if (v === null || v === "") throw new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`)
  return v
}

/** One page of `items` by MaxResults / NextToken (an opaque token: the offset, base64). */
const page = <A>(p: URLSearchParams, items: ReadonlyArray<A>, min: number, max: number): { readonly items: ReadonlyArray<A>; readonly next: string | undefined } => {
  const raw = p.get("MaxResults")
  if (raw === null) return { items, next: undefined }
  const size = Number(raw)
  if (!Number.isInteger(size) || size < min || size > max) {
    throw new Ec2Error("InvalidParameterValue", `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`)
  }
  const token = p.get("NextToken")
  const from = token === null ? 0 : Number(Buffer.from(token, "base64").toString("utf8"))
  if (!Number.isInteger(from) || from < 0) throw new Ec2Error("InvalidPaginationToken", "Invalid pagination token")
  const slice = items.slice(from, from + size)
  return { items: slice, next: from + size < items.length ? Buffer.from(String(from + size)).toString("base64") : undefined }
}

const sshBlob = (parts: ReadonlyArray<Buffer>) =>
  Buffer.concat(parts.flatMap((b) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(b.length)
    return [len, b]
  }))

const mpint = (b: Buffer) => ((b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b)

const colonHex = (b: Buffer) => b.toString("hex").match(/../g)!.join(":")

export interface FakeEc2 {
  readonly url: string
  readonly region: string
  readonly accessKeyId: string
  /** Every request received, in order. */
  readonly received: Array<Received>
  /** Queues a fault for the next request of `action`. */
  readonly fault: (action: string, kind: FaultKind) => void
  readonly instanceCount: () => number
}

export const startFakeEc2 = (options: FakeEc2Options = {}) =>
  Effect.acquireRelease(
    Effect.async<{ readonly fake: FakeEc2; readonly close: () => Promise<void> }>((resume) => {
      const region = options.region ?? "us-east-1"
      const accessKeyId = options.accessKeyId ?? "AKIDEXAMPLE"
      const pollsUntilRunning = options.pollsUntilRunning ?? 2
      const zones = [`${region}a`, `${region}b`]
      const instances = new Map<string, Instance>()
      const tokens = new Map<string, { readonly id: string; readonly signature: string }>()
      const keyPairs = new Map<string, KeyPair>()
      const volumes = new Map<string, Volume>()
      const volumeTokens = new Map<string, string>()
      const snapshots = new Map<string, Snapshot>()
      const faults: Array<{ action: string; kind: FaultKind }> = []
      const received: Array<Received> = []
      let nextPrivate = 10
      let nextPublic = 10
      const now = () => new Date().toISOString()

      // ------------------------------------------------------------ instances

      const observe = (i: Instance) => {
        const t = i.transition
        if (t === undefined) return
        if (t.left > 0) {
          t.left--
          return
        }
        i.state = t.to
        i.transition = undefined
        if (i.state === "running") i.publicIp = `203.0.113.${nextPublic++ % 250 + 1}`
        if (i.state === "stopped" || i.state === "terminated") i.publicIp = undefined
      }

      const item = (i: Instance) =>
        X.instanceItem({
          id: i.id,
          image: i.image,
          state: i.state,
          type: i.type,
          zone: i.zone,
          launchTime: i.launchTime,
          ...(i.state === "terminated" ? { reason: "User initiated" } : { privateIp: i.privateIp }),
          ...(i.publicIp === undefined ? {} : { publicIp: i.publicIp }),
          ...(i.keyName === undefined ? {} : { keyName: i.keyName }),
          clientToken: i.clientToken,
          tags: i.tags,
          devices: i.devices
        })

      const instanceOf = (id: string): Instance => {
        if (!isId("i", id)) throw new Ec2Error("InvalidInstanceID.Malformed", `Invalid id: "${id}"`)
        const i = instances.get(id)
        if (i === undefined) throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`)
        return i
      }

      const describeInstances = (p: URLSearchParams) => {
        const ids = members(p, "InstanceId")
        if (ids.length > 0 && p.has("MaxResults")) {
          throw new Ec2Error("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
        }
        let found = ids.length > 0 ? ids.map(instanceOf) : [...instances.values()]
        const f = filterMap(p)
        const byId = f.get("instance-id")
        if (byId !== undefined) found = found.filter((i) => byId.includes(i.id))
        const shown = page(p, found, 5, 1000)
        for (const i of shown.items) observe(i)
        const byState = f.get("instance-state-name")
        const items = byState === undefined ? shown.items : shown.items.filter((i) => byState.includes(i.state))
        return X.describeInstances(items.map(item), shown.next)
      }

      const runInstances = (p: URLSearchParams) => {
        const image = required(p, "ImageId")
        const type = required(p, "InstanceType")
        if (p.get("MinCount") !== "1" || p.get("MaxCount") !== "1") throw new Ec2Error("InvalidParameterValue", "The fake launches one instance at a time")
        const token = p.get("ClientToken") ?? ""
        // The documented idempotency: the same token and parameters answer the first launch.
        const signature = [...p.entries()].filter(([k]) => k !== "ClientToken").map(([k, v]) => `${k}=${v}`).sort().join("&")
        const known = token === "" ? undefined : tokens.get(token)
        if (known !== undefined) {
          if (known.signature !== signature) {
            throw new Ec2Error("IdempotentParameterMismatch", "The client token you have provided is associated with a resource that has different parameters.")
          }
          return X.runInstances(item(instances.get(known.id)!))
        }
        if (!isId("ami", image)) throw new Ec2Error("InvalidAMIID.Malformed", `Invalid id: "${image}" (expecting "ami-...")`)
        if (!images.some((x) => x.id === image)) throw new Ec2Error("InvalidAMIID.NotFound", `The image id '[${image}]' does not exist`)
        if (!instanceTypes.some((t) => t.type === type)) throw new Ec2Error("InvalidParameterValue", `Invalid value '${type}' for InstanceType.`)
        const keyName = p.get("KeyName") ?? undefined
        if (keyName !== undefined && !keyPairs.has(keyName)) throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${keyName}' does not exist`)
        const zone = p.get("Placement.AvailabilityZone") ?? zones[0]!
        if (!zones.includes(zone)) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${zone}]`)
        const userData = p.get("UserData")
        if (userData !== null && !/^[A-Za-z0-9+/]*={0,2}$/.test(userData)) throw new Ec2Error("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
        const instance: Instance = {
          id: newId("i"),
          image,
          type,
          zone,
          keyName,
          tags: tagsFor(p, "instance"),
          launchTime: now(),
          privateIp: `10.0.${Math.floor(nextPrivate / 250)}.${nextPrivate++ % 250 + 1}`,
          clientToken: token,
          state: "pending",
          transition: { to: "running", left: pollsUntilRunning },
          publicIp: undefined,
          devices: [{ device: "/dev/xvda", volumeId: newId("vol") }]
        }
        instances.set(instance.id, instance)
        if (token !== "") tokens.set(token, { id: instance.id, signature })
        return X.runInstances(item(instance))
      }

      const instanceStateChange = (action: "StartInstances" | "StopInstances" | "TerminateInstances", p: URLSearchParams) => {
        const ids = members(p, "InstanceId")
        if (ids.length !== 1) throw new Ec2Error("MissingParameter", "The request must contain the parameter InstanceId")
        const i = instanceOf(ids[0]!)
        const previous = i.state
        const refuse = () => {
          throw new Ec2Error("IncorrectInstanceState", `The instance '${i.id}' is not in a state from which it can be ${action === "StartInstances" ? "started" : "stopped"}.`)
        }
        if (action === "TerminateInstances") {
          if (i.state !== "terminated" && i.state !== "shutting-down") {
            i.state = "shutting-down"
            i.transition = { to: "terminated", left: 1 }
          }
        } else if (action === "StopInstances") {
          if (i.state === "terminated" || i.state === "shutting-down") refuse()
          if (i.state === "running" || i.state === "pending") {
            i.state = "stopping"
            i.transition = { to: "stopped", left: 1 }
          }
        } else {
          if (i.state === "terminated" || i.state === "shutting-down" || i.state === "stopping") refuse()
          if (i.state === "stopped") {
            i.state = "pending"
            i.transition = { to: "running", left: pollsUntilRunning }
          }
        }
        return X.stateChange(action, i.id, previous, i.state)
      }

      const rebootInstances = (p: URLSearchParams) => {
        const i = instanceOf(required(p, "InstanceId.1"))
        if (i.state !== "running") throw new Ec2Error("IncorrectInstanceState", `The instance '${i.id}' is not in the 'running' state.`)
        return X.returned("RebootInstances")
      }

      // ------------------------------------------------------------ catalogue

      const describeImages = (p: URLSearchParams) => {
        const owners = members(p, "Owner")
        const selected = owners.length === 0 ? images : images.filter((i) =>
          owners.some((o) => (o === "self" ? i.owner === "123456789012" : o === i.alias || o === i.owner))
        )
        const shown = page(p, selected, 5, 1000)
        return X.describeImages(shown.items.map((i) => X.imageItem(i)), shown.next)
      }

      const describeInstanceTypes = (p: URLSearchParams) => {
        const shown = page(p, instanceTypes, 5, 100)
        return X.describeInstanceTypes(shown.items.map((t) => X.instanceTypeItem(t)), shown.next)
      }

      const describeZones = (p: URLSearchParams) => {
        const state = filterMap(p).get("state")
        const shown = state === undefined || state.includes("available") ? zones : []
        return X.describeAvailabilityZones(shown.map((z) => X.zoneItem(region, z, zones.indexOf(z) + 1)))
      }

      const describeRegions = (p: URLSearchParams) => {
        const names = members(p, "RegionName")
        return X.describeRegions(names.length === 0 ? regions : regions.filter((r) => names.includes(r)))
      }

      // ------------------------------------------------------------ key pairs

      const describeKeyPairs = (p: URLSearchParams) => {
        const names = members(p, "KeyName")
        for (const n of names) if (!keyPairs.has(n)) throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${n}' does not exist`)
        const include = p.get("IncludePublicKey") === "true"
        const shown = [...keyPairs.entries()].filter(([n]) => names.length === 0 || names.includes(n))
        return X.describeKeyPairs(shown.map(([name, k]) =>
          X.keyItem({ name, id: k.id, fingerprint: k.fingerprint, type: k.type, ...(include ? { publicKey: k.publicKey } : {}) })
        ))
      }

      const importKeyPair = (p: URLSearchParams) => {
        const name = required(p, "KeyName")
        if (keyPairs.has(name)) throw new Ec2Error("InvalidKeyPair.Duplicate", `The keypair '${name}' already exists.`)
        const line = Buffer.from(required(p, "PublicKeyMaterial"), "base64").toString("utf8").trim()
        const [type, data] = line.split(" ")
        const blob = Buffer.from(data ?? "", "base64")
        if ((type !== "ssh-rsa" && type !== "ssh-ed25519") || blob.length < 20) throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format")
        // Documented: MD5 (RFC 4716) for RSA, base64 SHA-256 for ED25519.
        const fingerprint = type === "ssh-rsa" ? colonHex(createHash("md5").update(blob).digest()) : createHash("sha256").update(blob).digest("base64")
        const k: KeyPair = { id: `key-${hex(17)}`, fingerprint, type: type === "ssh-rsa" ? "rsa" : "ed25519", publicKey: line }
        keyPairs.set(name, k)
        return X.importKeyPair(name, k.id, fingerprint)
      }

      const createKeyPair = (p: URLSearchParams) => {
        const name = required(p, "KeyName")
        if (keyPairs.has(name)) throw new Ec2Error("InvalidKeyPair.Duplicate", `The keypair '${name}' already exists.`)
        const type = p.get("KeyType") ?? "rsa"
        let publicKey: string
        let privatePem: string
        let fingerprint: string
        if (type === "ed25519") {
          const pair = generateKeyPairSync("ed25519")
          const x = Buffer.from(pair.publicKey.export({ format: "jwk" }).x!, "base64url")
          const blob = sshBlob([Buffer.from("ssh-ed25519"), x])
          publicKey = `ssh-ed25519 ${blob.toString("base64")}`
          privatePem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString()
          fingerprint = createHash("sha256").update(blob).digest("base64")
        } else {
          const pair = generateKeyPairSync("rsa", { modulusLength: 2048 })
          const jwk = pair.publicKey.export({ format: "jwk" })
          const blob = sshBlob([Buffer.from("ssh-rsa"), mpint(Buffer.from(jwk.e!, "base64url")), mpint(Buffer.from(jwk.n!, "base64url"))])
          publicKey = `ssh-rsa ${blob.toString("base64")}`
          privatePem = pair.privateKey.export({ format: "pem", type: "pkcs1" }).toString()
          // Documented: SHA-1 of the DER private key for keys EC2 creates.
          fingerprint = colonHex(createHash("sha1").update(pair.privateKey.export({ format: "der", type: "pkcs8" })).digest())
        }
        const k: KeyPair = { id: `key-${hex(17)}`, fingerprint, type, publicKey }
        keyPairs.set(name, k)
        return X.createKeyPair(name, k.id, fingerprint, privatePem)
      }

      const deleteKeyPair = (p: URLSearchParams) => {
        // EC2 answers true whether or not the key existed.
        const k = keyPairs.get(required(p, "KeyName"))
        keyPairs.delete(required(p, "KeyName"))
        return X.deleteKeyPair(k?.id ?? `key-${hex(17)}`)
      }

      // ------------------------------------------------------------ volumes

      const volumeOf = (id: string): Volume => {
        if (!isId("vol", id)) throw new Ec2Error("InvalidVolumeID.Malformed", `Invalid id: "${id}" (expecting "vol-...")`)
        const v = volumes.get(id)
        if (v === undefined) throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`)
        return v
      }

      const observeVolume = (v: Volume) => {
        if (!v.settled) {
          v.settled = true
          return
        }
        if (v.status === "creating") v.status = "available"
        if (v.attachment?.status === "attaching") v.attachment.status = "attached"
        else if (v.attachment?.status === "detaching") {
          const owner = instances.get(v.attachment.instanceId)
          if (owner !== undefined) owner.devices = owner.devices.filter((d) => d.volumeId !== v.id)
          v.attachment = undefined
          v.status = "available"
        }
      }

      const volumeXml = (v: Volume) =>
        X.volumeItem({
          id: v.id,
          size: v.size,
          zone: v.zone,
          status: v.status,
          createTime: v.createTime,
          tags: v.tags,
          ...(v.snapshotId === undefined ? {} : { snapshotId: v.snapshotId }),
          ...(v.attachment === undefined ? {} : { attachment: v.attachment })
        })

      const describeVolumes = (p: URLSearchParams) => {
        const ids = members(p, "VolumeId")
        const found = ids.length > 0 ? ids.map(volumeOf) : [...volumes.values()]
        const shown = page(p, found, 5, 500)
        for (const v of shown.items) observeVolume(v)
        return X.describeVolumes(shown.items.map(volumeXml), shown.next)
      }

      const createVolume = (p: URLSearchParams) => {
        const token = p.get("ClientToken")
        const again = token === null ? undefined : volumeTokens.get(token)
        if (again !== undefined) {
          const v = volumes.get(again)!
          return X.createVolume({ id: v.id, size: v.size, zone: v.zone, status: v.status, createTime: v.createTime, tags: v.tags, ...(v.snapshotId === undefined ? {} : { snapshotId: v.snapshotId }) })
        }
        const zone = required(p, "AvailabilityZone")
        if (!zones.includes(zone)) throw new Ec2Error("InvalidZone.NotFound", `The zone '${zone}' does not exist.`)
        const snapshotId = p.get("SnapshotId") ?? undefined
        const snapshot = snapshotId === undefined ? undefined : snapshots.get(snapshotId)
        if (snapshotId !== undefined && snapshot === undefined) throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${snapshotId}' does not exist.`)
        const size = p.has("Size") ? Number(p.get("Size")) : snapshot?.size
        if (size === undefined || !Number.isInteger(size) || size < 1) throw new Ec2Error("MissingParameter", "The request must contain the parameter size or snapshotId")
        if (snapshot !== undefined && size < snapshot.size) {
          throw new Ec2Error("InvalidParameterValue", `Volume of size ${size}GB is smaller than snapshot '${snapshot.id}', expect size >= ${snapshot.size}GB`)
        }
        const v: Volume = {
          id: newId("vol"),
          size,
          zone,
          snapshotId,
          createTime: now(),
          tags: tagsFor(p, "volume"),
          status: "creating",
          settled: false,
          attachment: undefined
        }
        volumes.set(v.id, v)
        if (token !== null) volumeTokens.set(token, v.id)
        return X.createVolume({ id: v.id, size, zone, status: v.status, createTime: v.createTime, tags: v.tags, ...(snapshotId === undefined ? {} : { snapshotId }) })
      }

      const attachVolume = (p: URLSearchParams) => {
        const v = volumeOf(required(p, "VolumeId"))
        const i = instanceOf(required(p, "InstanceId"))
        const device = required(p, "Device")
        if (v.status === "in-use") throw new Ec2Error("VolumeInUse", `${v.id} is already attached to an instance`)
        if (v.status !== "available") throw new Ec2Error("IncorrectState", `Volume '${v.id}' is in the '${v.status}' state.`)
        if (i.state !== "running" && i.state !== "stopped") throw new Ec2Error("IncorrectInstanceState", `Instance '${i.id}' is not 'running'.`)
        if (v.zone !== i.zone) throw new Ec2Error("InvalidVolume.ZoneMismatch", `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`)
        if (i.devices.some((d) => d.device === device)) throw new Ec2Error("InvalidParameterValue", `Attachment point ${device} is already in use`)
        v.status = "in-use"
        v.settled = false
        v.attachment = { instanceId: i.id, device, status: "attaching" }
        i.devices.push({ device, volumeId: v.id })
        return X.volumeAttachment("AttachVolume", v.id, i.id, device, "attaching")
      }

      const detachVolume = (p: URLSearchParams) => {
        const v = volumeOf(required(p, "VolumeId"))
        if (v.attachment === undefined) throw new Ec2Error("IncorrectState", `Volume '${v.id}' is in the '${v.status}' state.`)
        v.attachment.status = "detaching"
        v.settled = false
        return X.volumeAttachment("DetachVolume", v.id, v.attachment.instanceId, v.attachment.device, "detaching")
      }

      const deleteVolume = (p: URLSearchParams) => {
        const v = volumeOf(required(p, "VolumeId"))
        if (v.attachment !== undefined) throw new Ec2Error("VolumeInUse", `Volume ${v.id} is currently attached to ${v.attachment.instanceId}`)
        volumes.delete(v.id)
        return X.returned("DeleteVolume")
      }

      // ------------------------------------------------------------ snapshots

      const snapshotXml = (s: Snapshot) =>
        X.snapshotItem({
          id: s.id,
          volumeId: s.volumeId,
          status: s.status,
          size: s.size,
          startTime: s.startTime,
          tags: s.tags,
          ...(s.description === undefined ? {} : { description: s.description })
        })

      const createSnapshot = (p: URLSearchParams) => {
        const v = volumeOf(required(p, "VolumeId"))
        const s: Snapshot = {
          id: newId("snap"),
          volumeId: v.id,
          size: v.size,
          description: p.get("Description") ?? undefined,
          tags: tagsFor(p, "snapshot"),
          startTime: now(),
          status: "pending"
        }
        snapshots.set(s.id, s)
        return X.createSnapshot({ id: s.id, volumeId: s.volumeId, status: s.status, size: s.size, startTime: s.startTime, tags: s.tags, ...(s.description === undefined ? {} : { description: s.description }) })
      }

      const describeSnapshots = (p: URLSearchParams) => {
        const ids = members(p, "SnapshotId")
        for (const id of ids) if (!snapshots.has(id)) throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`)
        const owners = members(p, "Owner")
        if (owners.some((o) => o !== "self" && o !== "123456789012")) return X.describeSnapshots([])
        const byVolume = filterMap(p).get("volume-id")
        const found = [...snapshots.values()].filter((s) => (ids.length === 0 || ids.includes(s.id)) && (byVolume === undefined || byVolume.includes(s.volumeId)))
        const shown = page(p, found, 5, 1000)
        const xml = X.describeSnapshots(shown.items.map(snapshotXml), shown.next)
        for (const s of shown.items) if (s.status === "pending") s.status = "completed"
        return xml
      }

      const deleteSnapshot = (p: URLSearchParams) => {
        const id = required(p, "SnapshotId")
        if (!isId("snap", id)) throw new Ec2Error("InvalidSnapshotID.Malformed", `Invalid id: "${id}" (expecting "snap-...")`)
        if (!snapshots.delete(id)) throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`)
        return X.returned("DeleteSnapshot")
      }

      const actions: Record<string, (p: URLSearchParams) => string> = {
        DescribeInstances: describeInstances,
        RunInstances: runInstances,
        StartInstances: (p) => instanceStateChange("StartInstances", p),
        StopInstances: (p) => instanceStateChange("StopInstances", p),
        TerminateInstances: (p) => instanceStateChange("TerminateInstances", p),
        RebootInstances: rebootInstances,
        DescribeImages: describeImages,
        DescribeInstanceTypes: describeInstanceTypes,
        DescribeAvailabilityZones: describeZones,
        DescribeRegions: describeRegions,
        DescribeKeyPairs: describeKeyPairs,
        ImportKeyPair: importKeyPair,
        CreateKeyPair: createKeyPair,
        DeleteKeyPair: deleteKeyPair,
        DescribeVolumes: describeVolumes,
        CreateVolume: createVolume,
        AttachVolume: attachVolume,
        DetachVolume: detachVolume,
        DeleteVolume: deleteVolume,
        CreateSnapshot: createSnapshot,
        DescribeSnapshots: describeSnapshots,
        DeleteSnapshot: deleteSnapshot
      }

      const scope = new RegExp(`^AWS4-HMAC-SHA256 Credential=([^/]+)/\\d{8}/([^/]+)/ec2/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`)

      const answer = (res: ServerResponse, status: number, body: string) => {
        res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "content-length": Buffer.byteLength(body) })
        res.end(body)
      }
      const fail = (res: ServerResponse, code: string, message: string) => answer(res, X.errorStatus(code), X.error(code, message))

      const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
        const params = new URLSearchParams(body)
        const action = params.get("Action") ?? ""
        received.push({ action, params, headers: req.headers })
        if (req.method !== "POST" || !(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
          return fail(res, "InvalidAction", "The fake accepts form-encoded POST requests only")
        }
        const auth = scope.exec(req.headers["authorization"] ?? "")
        if (auth === null || auth[1] !== accessKeyId || auth[2] !== region || req.headers["x-amz-date"] === undefined) {
          return fail(res, "AuthFailure", "AWS was not able to validate the provided access credentials")
        }
        if (params.get("Version") !== "2016-11-15") return fail(res, "InvalidParameterValue", "Unsupported API version")
        const handler = actions[action]
        if (handler === undefined) return fail(res, "InvalidAction", `The action ${action} is not valid for this web service.`)
        const f = faults.findIndex((x) => x.action === action)
        const fault = f === -1 ? undefined : faults.splice(f, 1)[0]!.kind
        if (fault === "throttle") return fail(res, "RequestLimitExceeded", "Request limit exceeded.")
        if (fault === "internal") return fail(res, "InternalError", "An internal error has occurred")
        let xml: string
        try {
          xml = handler(params)
        } catch (e) {
          if (e instanceof Ec2Error) return fail(res, e.code, e.message)
          throw e
        }
        if (fault === "drop") {
          res.socket?.destroy()
          return
        }
        answer(res, 200, xml)
      }

      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          try {
            handle(req, res, Buffer.concat(chunks).toString("utf8"))
          } catch (e) {
            answer(res, 500, X.error("InternalError", e instanceof Error ? e.message : String(e)))
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          fake: {
            url: `http://127.0.0.1:${port}`,
            region,
            accessKeyId,
            received,
            fault: (action, kind) => void faults.push({ action, kind }),
            instanceCount: () => instances.size
          },
          close: () =>
            new Promise<void>((done) => {
              server.closeAllConnections()
              server.close(() => done())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ fake }) => fake))
