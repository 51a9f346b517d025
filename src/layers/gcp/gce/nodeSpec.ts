/**
 * `createNode` options → the body of instances.insert
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/insert).
 *
 * `extra` accepted by `createNode` (anything else is InvalidInput, so a typo
 * is not silently ignored):
 * - `diskSizeGb` (whole GB) and `diskType` ("pd-balanced", "pd-ssd", …) of the boot disk;
 * - `network`, `subnetwork`: names or partial URLs (default: the layer's network);
 * - `publicIp: false`: no external address (no ONE_TO_ONE_NAT access config);
 * - `natIP`: a reserved static external address (Gce.reserveAddress) instead of an ephemeral one;
 * - `labels`: `{ key: value }`; `tags`: network tags (firewall targets);
 * - `metadata`: more instance metadata items;
 * - `preemptible: true`: a preemptible (spot-priced) instance.
 *
 * `userData` goes to the metadata key "startup-script" (run by the guest
 * agent at every boot), or to "user-data" when it is a cloud-config document
 * ("#cloud-config" first), which is where cloud-init on GCE reads one.
 */
import { Effect } from "effect"
import { InvalidInput } from "../../../schemas/Errors.js"
import type { Where } from "../../../services/validate.js"
import { isName } from "./names.js"
import type { MetadataItem } from "./wire.js"

export interface NodeExtra {
  readonly diskSizeGb?: number
  readonly diskType?: string
  readonly network?: string
  readonly subnetwork?: string
  readonly publicIp?: boolean
  readonly natIP?: string
  readonly labels?: Readonly<Record<string, string>>
  readonly tags?: ReadonlyArray<string>
  readonly metadata?: Readonly<Record<string, string>>
  readonly preemptible?: boolean
}

/** GCE's limit on one metadata value. */
export const METADATA_VALUE_MAX = 256 * 1024

const known = new Set(["diskSizeGb", "diskType", "network", "subnetwork", "publicIp", "natIP", "labels", "tags", "metadata", "preemptible"])
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const labelKey = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u
const labelValue = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u
const metadataKey = /^[a-zA-Z0-9_-]{1,128}$/
const resourcePath = /^[a-zA-Z0-9_./:-]+$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** `extra` checked field by field; InvalidInput names the first bad one. */
export const nodeExtra = (where: Where, extra: unknown): Effect.Effect<NodeExtra, InvalidInput> =>
  Effect.suspend(() => {
    const bad = (field: string, reason: string) => Effect.fail(new InvalidInput({ ...where, field: `extra.${field}`, reason }))
    if (extra === undefined) return Effect.succeed({})
    if (!isRecord(extra)) return Effect.fail(new InvalidInput({ ...where, field: "extra", reason: "must be an object" }))
    for (const k of Object.keys(extra)) if (!known.has(k)) return bad(k, `is not a GCE option (known: ${[...known].join(", ")})`)
    const e = extra as Record<string, unknown>
    if (e["diskSizeGb"] !== undefined && !(Number.isSafeInteger(e["diskSizeGb"]) && (e["diskSizeGb"] as number) >= 10 && (e["diskSizeGb"] as number) <= 65536)) {
      return bad("diskSizeGb", "must be a whole number of GB from 10 to 65536")
    }
    if (e["diskType"] !== undefined && !(typeof e["diskType"] === "string" && isName(e["diskType"]))) return bad("diskType", "must be a disk type name")
    for (const k of ["network", "subnetwork"] as const) {
      if (e[k] !== undefined && !(typeof e[k] === "string" && resourcePath.test(e[k]))) return bad(k, "must be a name or a resource URL")
    }
    for (const k of ["publicIp", "preemptible"] as const) {
      if (e[k] !== undefined && typeof e[k] !== "boolean") return bad(k, "must be true or false")
    }
    if (e["natIP"] !== undefined) {
      if (!(typeof e["natIP"] === "string" && ipv4.test(e["natIP"]))) return bad("natIP", "must be an IPv4 address")
      if (e["publicIp"] === false) return bad("natIP", "cannot be used with publicIp: false")
    }
    if (e["labels"] !== undefined) {
      if (!isRecord(e["labels"])) return bad("labels", "must be an object of strings")
      for (const [k, v] of Object.entries(e["labels"])) {
        if (!labelKey.test(k)) return bad(`labels.${k}`, "keys are 1-63 lower-case letters, digits, '_' or '-', starting with a letter")
        if (typeof v !== "string" || !labelValue.test(v)) return bad(`labels.${k}`, "values are 0-63 lower-case letters, digits, '_' or '-'")
      }
    }
    if (e["tags"] !== undefined && !(Array.isArray(e["tags"]) && e["tags"].every((t) => typeof t === "string" && isName(t)))) {
      return bad("tags", "must be a list of lower-case names")
    }
    if (e["metadata"] !== undefined) {
      if (!isRecord(e["metadata"])) return bad("metadata", "must be an object of strings")
      for (const [k, v] of Object.entries(e["metadata"])) {
        if (!metadataKey.test(k)) return bad(`metadata.${k}`, "keys are 1-128 letters, digits, '_' or '-'")
        if (typeof v !== "string" || Buffer.byteLength(v, "utf8") > METADATA_VALUE_MAX) return bad(`metadata.${k}`, "values are strings of at most 256 KB")
      }
    }
    return Effect.succeed(e as NodeExtra)
  })

export interface InsertInput {
  readonly name: string
  readonly zone: string
  readonly machineType: string
  /** Partial URL of the boot image. */
  readonly sourceImage: string
  readonly network: string
  readonly sshKeys: ReadonlyArray<string>
  readonly userData: string | undefined
  readonly extra: NodeExtra
}

/** The metadata key a `userData` document belongs under. */
export const userDataKey = (userData: string): "user-data" | "startup-script" =>
  /^#cloud-config\b/.test(userData.trimStart()) ? "user-data" : "startup-script"

export const insertBody = (input: InsertInput): Record<string, unknown> => {
  const { extra } = input
  const items: Array<MetadataItem> = [
    ...Object.entries(extra.metadata ?? {}).map(([key, value]) => ({ key, value })),
    ...(input.sshKeys.length === 0 ? [] : [{ key: "ssh-keys", value: input.sshKeys.join("\n") }]),
    ...(input.userData === undefined ? [] : [{ key: userDataKey(input.userData), value: input.userData }])
  ]
  return {
    name: input.name,
    machineType: `zones/${input.zone}/machineTypes/${input.machineType}`,
    disks: [{
      boot: true,
      autoDelete: true,
      type: "PERSISTENT",
      initializeParams: {
        sourceImage: input.sourceImage,
        ...(extra.diskSizeGb === undefined ? {} : { diskSizeGb: String(extra.diskSizeGb) }),
        ...(extra.diskType === undefined ? {} : { diskType: `zones/${input.zone}/diskTypes/${extra.diskType}` })
      }
    }],
    networkInterfaces: [{
      network: extra.network ?? input.network,
      ...(extra.subnetwork === undefined ? {} : { subnetwork: extra.subnetwork }),
      accessConfigs: extra.publicIp === false
        ? []
        : [{ type: "ONE_TO_ONE_NAT", name: "External NAT", ...(extra.natIP === undefined ? {} : { natIP: extra.natIP }) }]
    }],
    ...(items.length === 0 ? {} : { metadata: { items } }),
    ...(extra.labels === undefined ? {} : { labels: extra.labels }),
    ...(extra.tags === undefined ? {} : { tags: { items: extra.tags } }),
    ...(extra.preemptible === true ? { scheduling: { preemptible: true, automaticRestart: false, onHostMaintenance: "TERMINATE" } } : {})
  }
}
