/**
 * How cloudfx names GCE resources, and the API paths they live at.
 *
 * Instances and disks are zonal and named uniquely per zone, so their ids
 * are the bare name for the layer's zone and "zone/name" elsewhere: every id
 * cloudfx returns is accepted back, and a resource URL
 * (".../zones/z/instances/n", a selfLink) is accepted too. Images live in a
 * project ("debian-cloud/debian-12-bookworm-v20240110"); a bare name is the
 * layer's own project, and "project/family/f" (or an images/family URL)
 * names the newest image of a family. Machine types and zones are names.
 * Snapshots, firewalls and addresses are names.
 */
import { Effect } from "effect"
import { Url } from "../../../http/index.js"
import { InvalidInput } from "../../../schemas/Errors.js"
import type { Where } from "../../../services/validate.js"

/** RFC 1035 label, the rule for every GCE resource name. */
const rfc1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/
/** Project ids: 6–30 characters; older "domain.com:project" ids keep their prefix. */
const projectId = /^(?:[a-z0-9.-]+:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/

const invalid = (where: Where, field: string, reason: string) => new InvalidInput({ ...where, field, reason })

export const isName = (value: string): boolean => rfc1035.test(value)

/** A GCE resource name, or InvalidInput on `field`. */
export const resourceName = (where: Where, field: string, value: string): Effect.Effect<string, InvalidInput> =>
  rfc1035.test(value)
    ? Effect.succeed(value)
    : Effect.fail(invalid(where, field, "must be 1-63 characters: lower-case letters, digits and '-', starting with a letter, not ending with '-'"))

/** The last path segment of a resource URL ("…/zones/us-central1-a" → "us-central1-a"). */
export const lastSegment = (url: string | undefined): string | undefined => {
  if (url === undefined || url === "") return undefined
  const clean = url.replace(/[?#].*$/, "").replace(/\/+$/, "")
  const i = clean.lastIndexOf("/")
  return i === -1 ? clean : clean.slice(i + 1)
}

/** "us-central1-a" → "us-central1": GCE zones are always their region plus "-" and a letter. */
export const regionOfZone = (zone: string): string => zone.replace(/-[a-z]$/, "")

export interface Zonal {
  readonly zone: string
  readonly name: string
}

/**
 * An instance or disk reference: "name" (the default zone), "zone/name", or
 * a URL ending in "zones/<zone>/<collection>/<name>".
 */
export const zonal = (
  where: Where,
  field: string,
  collection: "instances" | "disks",
  defaultZone: string,
  value: string
): Effect.Effect<Zonal, InvalidInput> => {
  const url = new RegExp(`(?:^|/)zones/([^/]+)/${collection}/([^/?#]+)$`).exec(value)
  const parts = url !== null ? [url[1]!, url[2]!] : value.split("/")
  const [zone, name] = parts.length === 1 ? [defaultZone, parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : ["", ""]
  if (!rfc1035.test(zone) || !rfc1035.test(name)) {
    return Effect.fail(invalid(where, field, `"${value.slice(0, 100)}" is not a GCE ${collection === "instances" ? "instance" : "disk"} name, "zone/name" or resource URL`))
  }
  return Effect.succeed({ zone, name })
}

/** The id cloudfx gives a zonal resource: its name in the default zone, "zone/name" elsewhere. */
export const zonalId = (defaultZone: string, zone: string | undefined, name: string): string =>
  zone === undefined || zone === defaultZone ? name : `${zone}/${name}`

/** The id of the instance or disk a resource URL points at ("…/zones/z/instances/n"). */
export const zonalIdFromUrl = (defaultZone: string, url: string | undefined): string | undefined => {
  if (url === undefined) return undefined
  const m = /zones\/([^/]+)\/(?:instances|disks)\/([^/?#]+)$/.exec(url)
  return m === null ? lastSegment(url) : zonalId(defaultZone, m[1], m[2]!)
}

export type ImageRef =
  | { readonly _tag: "Image"; readonly project: string; readonly name: string }
  | { readonly _tag: "Family"; readonly project: string; readonly family: string }

/**
 * "name", "project/name", "project/family/f", or a URL (full or partial)
 * ending in "projects/p/global/images/name" or ".../images/family/f".
 */
export const image = (where: Where, defaultProject: string, value: string): Effect.Effect<ImageRef, InvalidInput> => {
  const url = /(?:^|\/)projects\/([^/]+)\/global\/images\/(?:(family)\/)?([^/?#]+)$/.exec(value)
  const parts = url !== null ? [url[1]!, ...(url[2] === undefined ? [] : ["family"]), url[3]!] : value.split("/")
  const fail = Effect.fail(invalid(where, "image", `"${value.slice(0, 100)}" is not an image name, "project/name", "project/family/name" or image URL`))
  if (parts.length === 1) return rfc1035.test(parts[0]!) ? Effect.succeed({ _tag: "Image", project: defaultProject, name: parts[0]! }) : fail
  if (parts.length === 2) {
    const [project, name] = parts as [string, string]
    return projectId.test(project) && rfc1035.test(name) ? Effect.succeed({ _tag: "Image", project, name }) : fail
  }
  if (parts.length === 3 && parts[1] === "family") {
    const [project, , family] = parts as [string, string, string]
    return projectId.test(project) && rfc1035.test(family) ? Effect.succeed({ _tag: "Family", project, family }) : fail
  }
  return fail
}

/** The partial URL an instance's boot disk takes as `sourceImage`. */
export const imageSource = (ref: ImageRef): string =>
  ref._tag === "Image"
    ? `projects/${ref.project}/global/images/${ref.name}`
    : `projects/${ref.project}/global/images/family/${ref.family}`

/** A machine type name, or the last segment of a machine type URL. */
export const machineType = (where: Where, value: string): Effect.Effect<string, InvalidInput> => {
  const name = /machineTypes\/[^/]+$/.test(value) ? lastSegment(value)! : value
  return rfc1035.test(name)
    ? Effect.succeed(name)
    : Effect.fail(invalid(where, "size", `"${value.slice(0, 100)}" is not a machine type name`))
}

/** A zone name, or the last segment of a zone URL. */
export const zoneName = (where: Where, field: string, value: string): Effect.Effect<string, InvalidInput> => {
  const name = /zones\/[^/]+$/.test(value) ? lastSegment(value)! : value
  return rfc1035.test(name) ? Effect.succeed(name) : Effect.fail(invalid(where, field, `"${value.slice(0, 100)}" is not a zone name`))
}

/** A snapshot name, or the last segment of a snapshot URL. */
export const snapshotName = (where: Where, field: string, value: string): Effect.Effect<string, InvalidInput> => {
  const name = /snapshots\/[^/]+$/.test(value) ? lastSegment(value)! : value
  return rfc1035.test(name) ? Effect.succeed(name) : Effect.fail(invalid(where, field, `"${value.slice(0, 100)}" is not a snapshot name`))
}

// ---------------------------------------------------------------- paths (relative to ".../compute/v1/projects")

const seg = Url.segment

export const paths = {
  project: (project: string) => `/${seg(project)}`,
  zones: (project: string) => `/${seg(project)}/zones`,
  zone: (project: string, zone: string) => `/${seg(project)}/zones/${seg(zone)}`,
  instances: (project: string, zone: string) => `/${seg(project)}/zones/${seg(zone)}/instances`,
  instance: (project: string, z: Zonal) => `/${seg(project)}/zones/${seg(z.zone)}/instances/${seg(z.name)}`,
  aggregatedInstances: (project: string) => `/${seg(project)}/aggregated/instances`,
  machineTypes: (project: string, zone: string) => `/${seg(project)}/zones/${seg(zone)}/machineTypes`,
  machineType: (project: string, zone: string, name: string) => `/${seg(project)}/zones/${seg(zone)}/machineTypes/${seg(name)}`,
  images: (project: string) => `/${seg(project)}/global/images`,
  image: (ref: ImageRef) =>
    ref._tag === "Image"
      ? `/${seg(ref.project)}/global/images/${seg(ref.name)}`
      : `/${seg(ref.project)}/global/images/family/${seg(ref.family)}`,
  disks: (project: string, zone: string) => `/${seg(project)}/zones/${seg(zone)}/disks`,
  disk: (project: string, z: Zonal) => `/${seg(project)}/zones/${seg(z.zone)}/disks/${seg(z.name)}`,
  aggregatedDisks: (project: string) => `/${seg(project)}/aggregated/disks`,
  snapshots: (project: string) => `/${seg(project)}/global/snapshots`,
  snapshot: (project: string, name: string) => `/${seg(project)}/global/snapshots/${seg(name)}`,
  firewalls: (project: string) => `/${seg(project)}/global/firewalls`,
  firewall: (project: string, name: string) => `/${seg(project)}/global/firewalls/${seg(name)}`,
  addresses: (project: string, region: string) => `/${seg(project)}/regions/${seg(region)}/addresses`,
  address: (project: string, region: string, name: string) => `/${seg(project)}/regions/${seg(region)}/addresses/${seg(name)}`
} as const

/** The partial URL other resources use to point at a disk ("projects/p/zones/z/disks/d"). */
export const diskSource = (project: string, z: Zonal) => `projects/${project}/zones/${z.zone}/disks/${z.name}`
