/**
 * The pure parts: ids round-trip, resource URLs are accepted, operation
 * errors map onto the taxonomy by code.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import fc from "fast-check"
import { operationFailure } from "../../../../src/layers/gcp/gce/errors.js"
import * as names from "../../../../src/layers/gcp/gce/names.js"
import { Operation } from "../../../../src/layers/gcp/gce/wire.js"
import * as F from "./fixtures.js"

const where = { provider: "gce", operation: "Compute.test" }
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runSync(Effect.either(e))
const label = fc.stringMatching(/^[a-z](?:[-a-z0-9]{0,20}[a-z0-9])?$/)

describe("GCE ids", () => {
  it("zonal ids round-trip: the id cloudfx gives is parsed back to the same zone and name", () =>
    fc.assert(fc.property(label, label, label, (defaultZone, zone, name) => {
      const id = names.zonalId(defaultZone, zone, name)
      expect(run(names.zonal(where, "node", "instances", defaultZone, id))).toEqual(Either.right({ zone, name }))
      expect(names.zonalIdFromUrl(defaultZone, `${F.API}/projects/p/zones/${zone}/instances/${name}`)).toBe(id)
    })))

  it("instance and disk refs accept names, zone/name and (self)links; anything else is InvalidInput", () => {
    const ok = (v: string, collection: "instances" | "disks" = "instances") => run(names.zonal(where, "node", collection, F.ZONE, v))
    expect(ok("web-1")).toEqual(Either.right({ zone: F.ZONE, name: "web-1" }))
    expect(ok("europe-west1-b/web-1")).toEqual(Either.right({ zone: "europe-west1-b", name: "web-1" }))
    expect(ok(`${F.API}/projects/p/zones/asia-east1-a/instances/web-1`)).toEqual(Either.right({ zone: "asia-east1-a", name: "web-1" }))
    expect(ok("projects/p/zones/asia-east1-a/disks/d1", "disks")).toEqual(Either.right({ zone: "asia-east1-a", name: "d1" }))
    for (const bad of ["Web", "a/b/c", "-x", "x-", "zones/a/disks/b", "a".repeat(64)]) {
      expect(Either.isLeft(ok(bad)), bad).toBe(true)
    }
  })

  it("image refs: name, project/name, project/family/f, and URLs", () => {
    const img = (v: string) => run(names.image(where, F.PROJECT, v))
    expect(img("golden")).toEqual(Either.right({ _tag: "Image", project: F.PROJECT, name: "golden" }))
    expect(img("debian-cloud/debian-12-bookworm-v20240110")).toEqual(Either.right({ _tag: "Image", project: "debian-cloud", name: "debian-12-bookworm-v20240110" }))
    expect(img("debian-cloud/family/debian-12")).toEqual(Either.right({ _tag: "Family", project: "debian-cloud", family: "debian-12" }))
    expect(img(`${F.API}/projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64`)).toEqual(
      Either.right({ _tag: "Family", project: "ubuntu-os-cloud", family: "ubuntu-2404-lts-amd64" })
    )
    expect(img("projects/cos-cloud/global/images/cos-113")).toEqual(Either.right({ _tag: "Image", project: "cos-cloud", name: "cos-113" }))
    for (const bad of ["", "a/b/c", "p/family/", "UPPER/x", "x/y/z/w"]) expect(Either.isLeft(img(bad)), bad).toBe(true)
  })

  it("a zone's region is the zone without its letter", () => {
    expect(names.regionOfZone("us-central1-a")).toBe("us-central1")
    expect(names.regionOfZone("europe-west12-c")).toBe("europe-west12")
  })
})

describe("GCE operation errors", () => {
  const done = (code: string, message: string, status: number) =>
    Schema.decodeUnknownSync(Operation)(F.operation({
      name: "op",
      status: "DONE",
      operationType: "insert",
      targetLink: "x",
      scope: { zone: F.ZONE },
      error: { code, message },
      httpErrorStatusCode: status
    }))
  const target = { resource: "node", id: "web-1" }

  it("maps each documented code; a not-found message naming another resource names that one", () => {
    const cases: ReadonlyArray<readonly [string, string, number, Record<string, unknown>]> = [
      ["RESOURCE_NOT_FOUND", `The resource 'projects/p/zones/${F.ZONE}/instances/web-1' was not found`, 404, { _tag: "NotFound", resource: "node", id: "web-1" }],
      ["RESOURCE_NOT_FOUND", `The resource 'projects/p/global/images/gone' was not found`, 404, { _tag: "NotFound", resource: "image", id: "gone" }],
      ["RESOURCE_ALREADY_EXISTS", "The resource 'projects/p/zones/z/instances/web-1' already exists", 409, { _tag: "AlreadyExists", resource: "node" }],
      ["RESOURCE_NOT_READY", "The resource 'projects/p/zones/z/instances/web-1' is not ready", 400, { _tag: "Conflict", resource: "node" }],
      ["RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "The disk resource 'd' is already being used by 'i'", 400, { _tag: "Conflict" }],
      ["RESOURCE_OPERATION_RATE_EXCEEDED", "Operation rate exceeded for resource 'projects/p/zones/z/instances/web-1'.", 403, { _tag: "RateLimited" }],
      ["QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.", 403, { _tag: "ProviderError", code: "QUOTA_EXCEEDED", status: 403 }],
      ["ZONE_RESOURCE_POOL_EXHAUSTED", "The zone 'projects/p/zones/z' does not have enough resources available to fulfill the request.", 503, { _tag: "ProviderError", code: "ZONE_RESOURCE_POOL_EXHAUSTED", status: 503 }],
      ["PERMISSIONS_ERROR", "Required 'compute.instances.create' permission", 403, { _tag: "PermissionDenied" }]
    ]
    for (const [code, message, status, expected] of cases) {
      expect(operationFailure(where, done(code, message, status), target), code).toMatchObject(expected)
    }
    expect(operationFailure(where, Schema.decodeUnknownSync(Operation)(F.operation({ name: "op", status: "DONE", operationType: "insert", targetLink: "x", scope: "global" })), target)).toBeUndefined()
  })
})
