/**
 * The Gce layer on recorded exchanges (fixtures.ts, shaped as the Compute
 * Engine API reference documents them): exact requests — paths, queries,
 * insert bodies, operation polling — and every documented error shape.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, ConfigProvider, Duration, Effect, Exit, Fiber, Layer, Option, Redacted, Schedule } from "effect"
import * as Gce from "../../../../src/layers/gcp/gce/Gce.js"
import { Replay } from "../../../../src/http/index.js"
import { Compute } from "../../../../src/services/Compute.js"
import { fingerprints, testPublicKeys } from "../../../contract/Compute.js"
import * as F from "./fixtures.js"
import { serviceAccountKey } from "./support.js"

const TOKEN_URI = "https://oauth2.googleapis.com/token"
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const T1 = "ya29.replay-token-1"
const T2 = "ya29.replay-token-2"

const path = (p: string, project = F.PROJECT) => `/compute/v1/projects/${project}${p}`
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => ({
  status,
  headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  body: JSON.stringify(body)
})
const token = (t = T1): Replay.Exchange => ({
  request: { method: "POST", url: TOKEN_URI, body: /^grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=[\w-]+\.[\w-]+\.[\w-]+$/ },
  response: json({ access_token: t, expires_in: 3599, token_type: "Bearer" })
})
const bearer = (t = T1) => ({ authorization: `Bearer ${t}`, accept: "application/json" })
const getting = (p: string, response: Replay.ResponseSpec, query?: Record<string, string | RegExp | null>, t = T1): Replay.Exchange => ({
  request: { method: "GET", path: p, headers: bearer(t), ...(query === undefined ? {} : { query }) },
  response
})
const mutating = (method: "POST" | "DELETE", p: string, response: Replay.ResponseSpec, query: Record<string, string | RegExp | null> = {}): Replay.Exchange => ({
  request: { method, path: p, headers: bearer(), query: { requestId: UUID, ...query } },
  response
})
const waiting = (scope: string, name: string, response: Replay.ResponseSpec): Replay.Exchange => ({
  request: { method: "POST", path: path(`/${scope}/operations/${name}/wait`), headers: bearer() },
  response
})

const zoneOp = (name: string, status: F.OperationShape["status"], operationType: string, targetLink: string, extra: Partial<F.OperationShape> = {}) =>
  json(F.operation({ name, status, operationType, targetLink, scope: { zone: F.ZONE }, ...extra }))

const baseConfig: Gce.GceConfig = {
  project: F.PROJECT,
  zone: F.ZONE,
  serviceAccount: Redacted.make(JSON.stringify(serviceAccountKey(TOKEN_URI))),
  imageProjects: ["debian-cloud"],
  operationSchedule: Schedule.spaced("1 millis"),
  retry: { base: Duration.millis(1), cap: Duration.millis(5) }
}

type Services = { readonly compute: Compute.Service; readonly gce: Gce.GceService }

/** Runs `program` against a replay of `exchanges`, which must all be used. */
const replay = <A, E>(
  exchanges: ReadonlyArray<Replay.Exchange>,
  program: (s: Services) => Effect.Effect<A, E>,
  config: Partial<Gce.GceConfig> = {}
) =>
  Effect.gen(function*() {
    const services = yield* Gce.makeServices({ ...baseConfig, ...config })
    const result = yield* program(services)
    yield* Replay.assertDone
    const requests = yield* Replay.requests
    return { result, requests }
  }).pipe(Effect.provide(Replay.layer(exchanges)))

const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got success")
  return Option.getOrThrowWith(Cause.failureOption(exit.cause), () => new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`))
}

const bodyOf = (r: Replay.Recorded) => JSON.parse(new TextDecoder().decode(r.body)) as unknown
const queryOf = (r: Replay.Recorded) => Object.fromEntries(new URL(r.url).searchParams)

const IMAGE = "debian-12-bookworm-v20240110"
const instanceLink = (name: string, zone = F.ZONE) => `${F.zoneUrl(zone)}/instances/${name}`
const diskLink = (name: string, zone = F.ZONE) => `${F.zoneUrl(zone)}/disks/${name}`

describe("Gce on recorded Compute Engine responses", () => {
  describe("createNode", () => {
    it.live("checks zone, machine type, image and key pair, inserts, polls the operation to DONE, and reads the instance", () =>
      Effect.gen(function*() {
        const deployLine = `deploy:${testPublicKeys.ed25519.split(" ").slice(0, 2).join(" ")} deploy`
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024, { shared: true }))),
            getting(path(`/global/images/family/debian-12`, "debian-cloud"), json(F.image("debian-cloud", IMAGE, { family: "debian-12" }))),
            getting(path(""), json(F.project({ fingerprint: "fp-1", items: [{ key: "ssh-keys", value: `alice:${testPublicKeys.rsa}\n${deployLine}` }] }))),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), zoneOp("operation-1", "PENDING", "insert", instanceLink("web-1"))),
            waiting(`zones/${F.ZONE}`, "operation-1", zoneOp("operation-1", "RUNNING", "insert", instanceLink("web-1"))),
            waiting(`zones/${F.ZONE}`, "operation-1", zoneOp("operation-1", "DONE", "insert", instanceLink("web-1"))),
            getting(path(`/zones/${F.ZONE}/instances/web-1`), json(F.instance({ name: "web-1", status: "STAGING", networkIP: "10.128.0.7" })))
          ],
          ({ compute }) =>
            compute.createNode({
              name: "web-1",
              size: "e2-micro",
              image: "debian-cloud/family/debian-12",
              keyPair: "deploy",
              userData: "#!/bin/sh\necho hello",
              extra: { diskSizeGb: 20, labels: { env: "test" }, tags: ["web"] }
            })
        )
        expect(result.id).toBe("web-1")
        expect(result.state).toBe("starting")
        expect(result.privateIps).toEqual(["10.128.0.7"])
        expect(result.publicIps).toEqual([])
        expect(result.size).toBe("e2-micro")
        expect(result.location).toBe(F.ZONE)
        const insert = requests[5]!
        expect(bodyOf(insert)).toEqual({
          name: "web-1",
          machineType: `zones/${F.ZONE}/machineTypes/e2-micro`,
          disks: [{
            boot: true,
            autoDelete: true,
            type: "PERSISTENT",
            initializeParams: { sourceImage: `projects/debian-cloud/global/images/${IMAGE}`, diskSizeGb: "20" }
          }],
          networkInterfaces: [{ network: "global/networks/default", accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }] }],
          metadata: { items: [{ key: "ssh-keys", value: deployLine }, { key: "startup-script", value: "#!/bin/sh\necho hello" }] },
          labels: { env: "test" },
          tags: { items: ["web"] }
        })
        // The operation waits carry no body and no requestId of their own.
        expect(requests.slice(6, 8).map((r) => [r.method, new URL(r.url).search, r.body.byteLength])).toEqual([["POST", "", 0], ["POST", "", 0]])
      }))

    it.live("a cloud-config document goes to user-data; publicIp false and a static natIP shape the access configs", () =>
      Effect.gen(function*() {
        const prelude = [
          token(),
          getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
          getting(path(`/zones/${F.ZONE}/machineTypes/e2-small`), json(F.machineType("e2-small", 2, 2048))),
          getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE)))
        ]
        const created = (name: string) => [
          mutating("POST", path(`/zones/${F.ZONE}/instances`), zoneOp(`op-${name}`, "DONE", "insert", instanceLink(name))),
          getting(path(`/zones/${F.ZONE}/instances/${name}`), json(F.instance({ name, status: "PROVISIONING" })))
        ]
        const { requests } = yield* replay(
          [...prelude, ...created("private-1"), ...prelude.slice(1), ...created("static-1")],
          ({ compute }) =>
            Effect.zip(
              compute.createNode({ name: "private-1", size: "e2-small", image: `debian-cloud/${IMAGE}`, userData: "#cloud-config\npackages: [nginx]\n", extra: { publicIp: false } }),
              compute.createNode({ name: "static-1", size: "e2-small", image: `projects/debian-cloud/global/images/${IMAGE}`, extra: { natIP: "35.202.1.2", preemptible: true } })
            )
        )
        const [first, second] = [bodyOf(requests[4]!), bodyOf(requests[9]!)] as Array<Record<string, unknown>>
        expect(first!["metadata"]).toEqual({ items: [{ key: "user-data", value: "#cloud-config\npackages: [nginx]\n" }] })
        expect(first!["networkInterfaces"]).toEqual([{ network: "global/networks/default", accessConfigs: [] }])
        expect(second!["networkInterfaces"]).toEqual([{ network: "global/networks/default", accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT", natIP: "35.202.1.2" }] }])
        expect(second!["scheduling"]).toEqual({ preemptible: true, automaticRestart: false, onHostMaintenance: "TERMINATE" })
        expect(second!["metadata"]).toBeUndefined()
      }))

    it.live("an unknown image is NotFound naming the image, and nothing is inserted", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024))),
            getting(path("/global/images/no-such-image"), json(F.errors.notFound(`projects/${F.PROJECT}/global/images/no-such-image`), 404))
          ],
          ({ compute }) => compute.createNode({ name: "web-2", size: "e2-micro", image: "no-such-image" })
        ))
        const e = failure(exit)
        expect(e._tag).toBe("NotFound")
        expect(e).toMatchObject({ resource: "image", id: "no-such-image", provider: "gce", operation: "Compute.createNode" })
      }))

    it.live("a taken name is AlreadyExists (409 alreadyExists)", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024))),
            getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE))),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), json(F.errors.alreadyExists(`projects/${F.PROJECT}/zones/${F.ZONE}/instances/web-1`), 409))
          ],
          ({ compute }) => compute.createNode({ name: "web-1", size: "e2-micro", image: `debian-cloud/${IMAGE}` })
        ))
        expect(failure(exit)).toMatchObject({ _tag: "AlreadyExists", resource: "node", id: "web-1" })
      }))

    it.live("an operation that ends in QUOTA_EXCEEDED is a ProviderError with that code and the HTTP status", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/n2-standard-2`), json(F.machineType("n2-standard-2", 2, 8192))),
            getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE))),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), zoneOp("operation-q", "PENDING", "insert", instanceLink("big-1"))),
            waiting(`zones/${F.ZONE}`, "operation-q", zoneOp("operation-q", "DONE", "insert", instanceLink("big-1"), {
              error: { code: "QUOTA_EXCEEDED", message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." },
              httpErrorStatusCode: 403,
              httpErrorMessage: "FORBIDDEN"
            }))
          ],
          ({ compute }) => compute.createNode({ name: "big-1", size: "n2-standard-2", image: `debian-cloud/${IMAGE}` })
        ))
        expect(failure(exit)).toMatchObject({ _tag: "ProviderError", code: "QUOTA_EXCEEDED", status: 403, detail: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." })
      }))

    it.live("a 403 quotaExceeded on the insert is a ProviderError, not retried", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024))),
            getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE))),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), json(F.errors.quotaExceeded(), 403))
          ],
          ({ compute }) => Effect.flip(compute.createNode({ name: "web-3", size: "e2-micro", image: `debian-cloud/${IMAGE}` }))
        )
        expect(result).toMatchObject({ _tag: "ProviderError", status: 403, code: "quotaExceeded" })
      }))

    it.live("a 503 on the insert is retried with the same requestId, so GCE can drop a duplicate", () =>
      Effect.gen(function*() {
        const { requests } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
            getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024))),
            getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE))),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), json(F.errorBody(503, "backendError", "Backend Error"), 503)),
            mutating("POST", path(`/zones/${F.ZONE}/instances`), zoneOp("operation-r", "DONE", "insert", instanceLink("web-4"))),
            getting(path(`/zones/${F.ZONE}/instances/web-4`), json(F.instance({ name: "web-4", status: "PROVISIONING" })))
          ],
          ({ compute }) => compute.createNode({ name: "web-4", size: "e2-micro", image: `debian-cloud/${IMAGE}` })
        )
        const [a, b] = [queryOf(requests[4]!), queryOf(requests[5]!)]
        expect(a["requestId"]).toMatch(UUID)
        expect(b["requestId"]).toBe(a["requestId"])
        expect(requests[5]!.body).toEqual(requests[4]!.body)
      }))

    it.effect("interrupted after GCE accepted the insert, it deletes the instance it started", () =>
      Effect.gen(function*() {
        const services = yield* Gce.makeServices(baseConfig)
        const fiber = yield* Effect.fork(services.compute.createNode({ name: "web-5", size: "e2-micro", image: `debian-cloud/${IMAGE}` }))
        const isWait = (r: Replay.Recorded) => r.url.endsWith("/operations/operation-i/wait")
        yield* Replay.requests.pipe(Effect.zipLeft(Effect.yieldNow()), Effect.repeat({ until: (rs) => rs.some(isWait) }))
        yield* Fiber.interrupt(fiber)
        yield* Replay.assertDone
        const last = (yield* Replay.requests).at(-1)!
        expect(last.method).toBe("DELETE")
        expect(new URL(last.url).pathname).toBe(path(`/zones/${F.ZONE}/instances/web-5`))
      }).pipe(
        Effect.provide(Replay.layer([
          token(),
          getting(path(`/zones/${F.ZONE}`), json(F.zone(F.ZONE))),
          getting(path(`/zones/${F.ZONE}/machineTypes/e2-micro`), json(F.machineType("e2-micro", 2, 1024))),
          getting(path(`/global/images/${IMAGE}`, "debian-cloud"), json(F.image("debian-cloud", IMAGE))),
          mutating("POST", path(`/zones/${F.ZONE}/instances`), zoneOp("operation-i", "PENDING", "insert", instanceLink("web-5"))),
          // The wait never answers within the test: the clock is the TestClock.
          { ...waiting(`zones/${F.ZONE}`, "operation-i", zoneOp("operation-i", "DONE", "insert", instanceLink("web-5"))), response: { ...zoneOp("operation-i", "DONE", "insert", instanceLink("web-5")), delay: "1 hour" } },
          mutating("DELETE", path(`/zones/${F.ZONE}/instances/web-5`), zoneOp("operation-d", "PENDING", "delete", instanceLink("web-5")))
        ]))
      ))
  })

  describe("nodes", () => {
    it.live("listNodes follows pageToken over two pages with maxResults", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/instances`), json(F.instanceList([F.instance({ name: "a", natIP: "34.1.1.1" }), F.instance({ name: "b", status: "TERMINATED" })], "CjAKDmNvbXB1dGUjaW5zdGFuY2U")), { maxResults: "500", pageToken: null }),
            getting(path(`/zones/${F.ZONE}/instances`), json(F.instanceList([F.instance({ name: "c", status: "HIBERNATING" })])), { maxResults: "500", pageToken: "CjAKDmNvbXB1dGUjaW5zdGFuY2U" })
          ],
          ({ compute }) => compute.listNodes()
        )
        expect(result.map((n) => [n.id, n.state, n.publicIps])).toEqual([["a", "running", ["34.1.1.1"]], ["b", "stopped", []], ["c", "unknown", []]])
        expect(result[0]!.createdAt?.toISOString()).toBe("2025-01-15T09:30:00.000Z")
        expect(requests).toHaveLength(3)
      }))

    it.live("allZones lists every zone with aggregatedList; other zones' ids are zone/name and work with getNode", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path("/aggregated/instances"), json(F.instanceAggregatedList({ [F.ZONE]: [F.instance({ name: "a" })], "us-central1-b": [] }, "next-1")), { maxResults: "500", pageToken: null }),
            getting(path("/aggregated/instances"), json(F.instanceAggregatedList({ [F.ZONE]: [], "us-central1-b": [F.instance({ name: "b", zone: "us-central1-b" })] })), { pageToken: "next-1" }),
            getting(path("/zones/us-central1-b/instances/b"), json(F.instance({ name: "b", zone: "us-central1-b" })))
          ],
          ({ compute }) => Effect.flatMap(compute.listNodes(), (nodes) => Effect.map(compute.getNode(nodes[1]!), (b) => [nodes.map((n) => n.id), b.location])),
          { allZones: true }
        )
        expect(result).toEqual([["a", "us-central1-b/b"], "us-central1-b"])
      }))

    it.live("listNodes with ids reads each instance and leaves out the missing ones", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/instances/a`), json(F.instance({ name: "a" }))),
            getting(path(`/zones/${F.ZONE}/instances/gone`), json(F.errors.notFound(`projects/${F.PROJECT}/zones/${F.ZONE}/instances/gone`), 404))
          ],
          ({ compute }) => compute.listNodes({ ids: ["a", "gone"] })
        )
        expect(result.map((n) => n.id)).toEqual(["a"])
      }))

    it.live("every documented status maps onto NodeState; TERMINATED is stopped", () =>
      Effect.gen(function*() {
        const statuses = ["PROVISIONING", "STAGING", "RUNNING", "STOPPING", "STOPPED", "SUSPENDING", "SUSPENDED", "REPAIRING", "TERMINATED", "PENDING_STOP", "DEPROVISIONING", "PENDING"]
        const { result } = yield* replay(
          [token(), getting(path(`/zones/${F.ZONE}/instances`), json(F.instanceList(statuses.map((status, i) => F.instance({ name: `n${i}`, status })))))],
          ({ compute }) => compute.listNodes()
        )
        expect(result.map((n) => n.state)).toEqual(["pending", "starting", "running", "stopping", "stopped", "stopping", "suspended", "pending", "stopped", "stopping", "stopping", "pending"])
      }))

    it.live("start, stop and reset are POSTs with a requestId and no body; reset of a stopped instance is Conflict", () =>
      Effect.gen(function*() {
        const target = instanceLink("web-1")
        const { requests, result } = yield* replay(
          [
            token(),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/stop`), zoneOp("op-stop", "RUNNING", "stop", target)),
            waiting(`zones/${F.ZONE}`, "op-stop", zoneOp("op-stop", "DONE", "stop", target)),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/reset`), json(F.errors.notReady(`projects/${F.PROJECT}/zones/${F.ZONE}/instances/web-1`), 400)),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/start`), zoneOp("op-start", "DONE", "start", target)),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/reset`), zoneOp("op-reset", "DONE", "reset", target)),
            mutating("DELETE", path(`/zones/${F.ZONE}/instances/web-1`), zoneOp("op-del", "PENDING", "delete", target)),
            waiting(`zones/${F.ZONE}`, "op-del", zoneOp("op-del", "DONE", "delete", target))
          ],
          ({ compute }) =>
            Effect.gen(function*() {
              yield* compute.stopNode("web-1")
              const refused = yield* Effect.flip(compute.rebootNode("web-1"))
              yield* compute.startNode({ id: "web-1" })
              yield* compute.rebootNode(`projects/${F.PROJECT}/zones/${F.ZONE}/instances/web-1`)
              yield* compute.destroyNode("web-1")
              return refused
            })
        )
        expect(result).toMatchObject({ _tag: "Conflict", resource: "node", id: "web-1" })
        for (const r of requests.slice(1).filter((r) => !r.url.includes("/operations/"))) expect(r.body.byteLength).toBe(0)
      }))

    it.live("getNode of a missing instance is NotFound naming the node and the id as given", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [token(), getting(path("/zones/us-east1-b/instances/ghost"), json(F.errors.notFound(`projects/${F.PROJECT}/zones/us-east1-b/instances/ghost`), 404))],
          ({ compute }) => Effect.flip(compute.getNode("us-east1-b/ghost"))
        )
        expect(result).toMatchObject({ _tag: "NotFound", resource: "node", id: "us-east1-b/ghost" })
      }))

    it.live("bad ids are InvalidInput before any request (no token fetched either)", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay([], ({ compute }) =>
          Effect.all([
            Effect.flip(compute.getNode("Not_A_Name")),
            Effect.flip(compute.getNode("a/b/c")),
            Effect.flip(compute.createNode({ name: "UPPER", size: "e2-micro", image: "x" })),
            Effect.flip(compute.createNode({ name: "ok", size: "e2-micro", image: "a/b/c/d" })),
            Effect.flip(compute.createNode({ name: "ok", size: "e2-micro", image: "img", extra: { diskSizeGb: 5 } })),
            Effect.flip(compute.createNode({ name: "ok", size: "e2-micro", image: "img", extra: { unknownOption: 1 } })),
            Effect.flip(compute.createNode({ name: "ok", size: "e2-micro", image: "img", extra: { labels: { Env: "x" } } })),
            Effect.flip(compute.createNode({ name: "ok", size: "e2-micro", image: "img", extra: { natIP: "1.2.3.4", publicIp: false } })),
            Effect.flip(compute.importKeyPair({ name: "Bad User", publicKey: testPublicKeys.ed25519 }))
          ]))
        expect(requests).toEqual([])
        expect(result.map((e) => [e._tag, (e as { field?: string }).field])).toEqual([
          ["InvalidInput", "node"],
          ["InvalidInput", "node"],
          ["InvalidInput", "name"],
          ["InvalidInput", "image"],
          ["InvalidInput", "extra.diskSizeGb"],
          ["InvalidInput", "extra.unknownOption"],
          ["InvalidInput", "extra.labels.Env"],
          ["InvalidInput", "extra.natIP"],
          ["InvalidInput", "name"]
        ])
      }))
  })

  describe("errors", () => {
    it.live("a 401 drops the token, fetches a new one and sends the request again, once", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(T1),
            getting(path(`/zones/${F.ZONE}/instances/a`), json(F.errors.unauthorized(), 401)),
            token(T2),
            getting(path(`/zones/${F.ZONE}/instances/a`), json(F.instance({ name: "a" })), undefined, T2)
          ],
          ({ compute }) => compute.getNode("a")
        )
        expect(result.id).toBe("a")
        expect(requests.map((r) => r.url === TOKEN_URI)).toEqual([true, false, true, false])
      }))

    it.live("a second 401 is InvalidCredentials, and neither the token nor the key is in it", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(T1),
            getting(path(`/zones/${F.ZONE}/instances/a`), json(F.errors.unauthorized(), 401)),
            token(T2),
            getting(path(`/zones/${F.ZONE}/instances/a`), json(F.errors.unauthorized(), 401), undefined, T2)
          ],
          ({ compute }) => Effect.flip(compute.getNode("a"))
        )
        expect(result._tag).toBe("InvalidCredentials")
        const text = `${result.message} ${JSON.stringify(result)}`
        expect(text).not.toContain(T1)
        expect(text).not.toContain(T2)
        expect(text).not.toContain("PRIVATE KEY")
      }))

    it.live("403 forbidden is PermissionDenied; 400 invalid is a ProviderError with the reason as code", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/machineTypes`), json(F.errors.forbidden("compute.machineTypes.list", `projects/${F.PROJECT}`), 403), { maxResults: "500" }),
            getting(path(`/zones/${F.ZONE}/instances`), json(F.errors.invalid("filter", "name = ("), 400))
          ],
          ({ compute }) => Effect.all([Effect.flip(compute.listSizes()), Effect.flip(compute.listNodes())])
        )
        expect(result[0]).toMatchObject({ _tag: "PermissionDenied", reason: `Required 'compute.machineTypes.list' permission for 'projects/${F.PROJECT}'` })
        expect(result[1]).toMatchObject({ _tag: "ProviderError", status: 400, code: "invalid" })
        expect((result[1] as { detail: string }).detail).toContain("Invalid value for field 'filter'")
      }))

    it.live("403 rateLimitExceeded is RateLimited and retried; 429 with Retry-After is honoured", () =>
      Effect.gen(function*() {
        const started = Date.now()
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path("/zones"), json(F.errors.rateLimit403(), 403)),
            getting(path("/zones"), json(F.errors.rateLimit429(), 429, { "retry-after": "1" })),
            getting(path("/zones"), json(F.zoneList([F.zone(F.ZONE), F.zone("us-central1-b", "DOWN")])))
          ],
          ({ compute }) => compute.listLocations()
        )
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
        expect(requests).toHaveLength(4)
        expect(result.map((l) => [l.id, l.extra["region"], l.extra["status"]])).toEqual([[F.ZONE, F.REGION, "UP"], ["us-central1-b", F.REGION, "DOWN"]])
      }))

    it.live("without retries, a 429's Retry-After is on the RateLimited error", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [token(), getting(path("/zones"), json(F.errors.rateLimit429(), 429, { "retry-after": "7" }))],
          ({ compute }) => Effect.flip(compute.listLocations()),
          { retry: false }
        )
        expect(result._tag).toBe("RateLimited")
        expect(Duration.toSeconds((result as { retryAfter: Duration.Duration }).retryAfter)).toBe(7)
      }))

    it.live("a body that is not the documented shape is MalformedResponse, never a defect", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/instances/a`), { status: 200, headers: { "content-type": "text/html" }, body: "<html>proxy</html>" }),
            getting(path(`/zones/${F.ZONE}/disks/d`), json({ ...F.disk({ name: "d", sizeGb: 10 }), sizeGb: "ten" }))
          ],
          ({ compute }) => Effect.all([Effect.flip(compute.getNode("a")), Effect.flip(compute.detachVolume("d"))])
        )
        expect(result.map((e) => e._tag)).toEqual(["MalformedResponse", "MalformedResponse"])
        expect((result[1] as { reason: string }).reason).toContain("sizeGb")
      }))

    it.live("an operation still not DONE after operationTimeout is a ProviderError naming it", () =>
      Effect.gen(function*() {
        const target = instanceLink("web-1")
        const { result } = yield* replay(
          [
            token(),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/stop`), zoneOp("op-slow", "PENDING", "stop", target)),
            { ...waiting(`zones/${F.ZONE}`, "op-slow", zoneOp("op-slow", "RUNNING", "stop", target)), times: Infinity }
          ],
          ({ compute }) => Effect.flip(compute.stopNode("web-1")),
          { operationTimeout: "100 millis", operationSchedule: Schedule.spaced("10 millis") }
        )
        expect(result).toMatchObject({ _tag: "ProviderError", code: "operationTimeout" })
        expect((result as { detail: string }).detail).toContain("op-slow")
      }))

    it.live("a page token handed back twice ends the listing with MalformedResponse instead of looping", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path("/global/snapshots"), json(F.snapshotList([], "same"))),
            getting(path("/global/snapshots"), json(F.snapshotList([], "same")), { pageToken: "same" })
          ],
          ({ compute }) => Effect.flip(compute.listVolumeSnapshots())
        )
        expect(result._tag).toBe("MalformedResponse")
      }))
  })

  describe("catalogue", () => {
    it.live("listSizes pages through the zone's machine types, drops deprecated ones, and prices them through the config", () =>
      Effect.gen(function*() {
        const asked: Array<string> = []
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/machineTypes`), json(F.machineTypeList([F.machineType("e2-micro", 2, 1024, { shared: true }), F.machineType("n1-standard-1", 1, 3840, { deprecated: "DEPRECATED" })], "p2")), { maxResults: "2" }),
            getting(path(`/zones/${F.ZONE}/machineTypes`), json(F.machineTypeList([F.machineType("n2-standard-2", 2, 8192)])), { maxResults: "2", pageToken: "p2" })
          ],
          ({ compute }) => compute.listSizes(),
          { pageSize: 2, prices: (type, region) => (asked.push(`${type}@${region}`), type === "e2-micro" ? 0.0084 : undefined) }
        )
        expect(result.map((s) => [s.id, s.vcpus, s.ramMb, s.diskGb, s.price])).toEqual([["e2-micro", 2, 1024, 0, 0.0084], ["n2-standard-2", 2, 8192, 0, undefined]])
        expect(result[0]!.extra["sharedCpu"]).toBe(true)
        expect(asked).toEqual([`e2-micro@${F.REGION}`, `n2-standard-2@${F.REGION}`])
      }))

    it.live("listSizes without a `prices` config prices the sizes from the bundled table, dated", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/machineTypes`), json(F.machineTypeList([F.machineType("e2-micro", 2, 1024, { shared: true }), F.machineType("z9-unlisted", 2, 8192)])), { maxResults: "2" })
          ],
          ({ compute }) => compute.listSizes(),
          { pageSize: 2 }
        )
        expect(result.map((s) => [s.id, s.price])).toEqual([["e2-micro", 0.00837575], ["z9-unlisted", undefined]])
        expect(result[0]!.extra).toMatchObject({ priceDate: "2024-06-01" })
      }))

    it.live("listImages lists the project's own images, then each public image project, READY and not deprecated", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path("/global/images"), json(F.imageList(F.PROJECT, [F.image(F.PROJECT, "golden-1", { family: "golden" }), F.image(F.PROJECT, "golden-0", { status: "PENDING" })]))),
            getting(path("/global/images", "debian-cloud"), json(F.imageList("debian-cloud", [F.image("debian-cloud", "debian-11-bullseye-v20231010", { deprecated: "DEPRECATED" })], "more"))),
            getting(path("/global/images", "debian-cloud"), json(F.imageList("debian-cloud", [F.image("debian-cloud", IMAGE, { family: "debian-12" }), F.image("debian-cloud", "debian-12-old", { deprecated: "ACTIVE" })])), { pageToken: "more" })
          ],
          ({ compute }) => compute.listImages()
        )
        expect(result.map((i) => i.id)).toEqual([`${F.PROJECT}/golden-1`, `debian-cloud/${IMAGE}`, "debian-cloud/debian-12-old"])
        expect(result[1]!.extra).toMatchObject({ project: "debian-cloud", family: "debian-12", diskSizeGb: 10, architecture: "X86_64" })
      }))

    it.live("Gce.imageFromFamily resolves a family with images/getFromFamily", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [token(), getting(path("/global/images/family/debian-12", "debian-cloud"), json(F.image("debian-cloud", IMAGE, { family: "debian-12" })))],
          ({ gce }) => gce.imageFromFamily("debian-cloud", "debian-12")
        )
        expect(result.id).toBe(`debian-cloud/${IMAGE}`)
      }))
  })

  describe("key pairs in project metadata", () => {
    const edLine = `deploy:${testPublicKeys.ed25519.split(" ").slice(0, 2).join(" ")} deploy`
    const rsaLine = `alice:${testPublicKeys.rsa.split(" ").slice(0, 2).join(" ")} alice@laptop`
    const others = { key: "enable-oslogin", value: "FALSE" }
    const setMetadata = (response: Replay.ResponseSpec): Replay.Exchange => mutating("POST", path("/setCommonInstanceMetadata"), response)
    const globalOp = (name: string, status: F.OperationShape["status"], extra: Partial<F.OperationShape> = {}) =>
      json(F.operation({ name, status, operationType: "compute.projects.setCommonInstanceMetadata", targetLink: F.projectUrl(), scope: "global", ...extra }))

    it.live("listKeyPairs reads ssh-keys entries with their SHA256 fingerprints, skipping lines that are not keys", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [token(), getting(path(""), json(F.project({ fingerprint: "fp-1", items: [others, { key: "ssh-keys", value: `${rsaLine}\nnot a key at all\n${edLine}\n` }] })))],
          ({ compute }) => compute.listKeyPairs()
        )
        expect(result.map((k) => [k.name, k.fingerprint])).toEqual([
          ["alice", fingerprints(testPublicKeys.rsa).sha256],
          ["deploy", fingerprints(testPublicKeys.ed25519).sha256]
        ])
      }))

    it.live("importKeyPair appends a line under the fingerprint it read, keeping every other item, and waits for the global operation", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path(""), json(F.project({ fingerprint: "fp-1", items: [others, { key: "ssh-keys", value: rsaLine }] }))),
            setMetadata(globalOp("op-md", "PENDING")),
            waiting("global", "op-md", globalOp("op-md", "DONE"))
          ],
          ({ compute }) => compute.importKeyPair({ name: "deploy", publicKey: testPublicKeys.ed25519 })
        )
        expect(result.name).toBe("deploy")
        expect(result.fingerprint).toBe(fingerprints(testPublicKeys.ed25519).sha256)
        expect(bodyOf(requests[2]!)).toEqual({
          fingerprint: "fp-1",
          items: [others, { key: "ssh-keys", value: `${rsaLine}\ndeploy:${testPublicKeys.ed25519}` }]
        })
      }))

    it.live("a stale fingerprint (412, or an operation ending CONDITION_NOT_MET) reads again and re-applies", () =>
      Effect.gen(function*() {
        const { requests } = yield* replay(
          [
            token(),
            getting(path(""), json(F.project({ fingerprint: "fp-1", items: [{ key: "ssh-keys", value: `${rsaLine}\n${edLine}` }] }))),
            setMetadata(json(F.errors.fingerprint(), 412)),
            getting(path(""), json(F.project({ fingerprint: "fp-2", items: [{ key: "ssh-keys", value: `${rsaLine}\n${edLine}` }] }))),
            setMetadata(globalOp("op-1", "PENDING")),
            waiting("global", "op-1", globalOp("op-1", "DONE", { error: { code: "CONDITION_NOT_MET", message: "Supplied fingerprint does not match current metadata fingerprint." }, httpErrorStatusCode: 412, httpErrorMessage: "PRECONDITION FAILED" })),
            getting(path(""), json(F.project({ fingerprint: "fp-3", items: [others, { key: "ssh-keys", value: `${rsaLine}\n${edLine}` }] }))),
            setMetadata(globalOp("op-2", "DONE"))
          ],
          ({ compute }) => compute.deleteKeyPair("alice")
        )
        const sets = requests.filter((r) => r.url.includes("setCommonInstanceMetadata")).map(bodyOf)
        expect(sets).toEqual([
          { fingerprint: "fp-1", items: [{ key: "ssh-keys", value: edLine }] },
          { fingerprint: "fp-2", items: [{ key: "ssh-keys", value: edLine }] },
          { fingerprint: "fp-3", items: [others, { key: "ssh-keys", value: edLine }] }
        ])
      }))

    it.live("deleting the last key removes the ssh-keys item; a taken name is AlreadyExists; a missing one NotFound", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path(""), json(F.project({ fingerprint: "fp-1", items: [others, { key: "ssh-keys", value: edLine }] }))),
            setMetadata(globalOp("op-1", "DONE")),
            getting(path(""), json(F.project({ fingerprint: "fp-2", items: [{ key: "ssh-keys", value: edLine }] }))),
            getting(path(""), json(F.project({ fingerprint: "fp-2", items: [others] })))
          ],
          ({ compute }) =>
            Effect.all([
              compute.deleteKeyPair("deploy"),
              Effect.flip(compute.importKeyPair({ name: "deploy", publicKey: testPublicKeys.rsa })),
              Effect.flip(compute.deleteKeyPair("nobody"))
            ])
        )
        expect(bodyOf(requests[2]!)).toEqual({ fingerprint: "fp-1", items: [others] })
        expect(result[1]).toMatchObject({ _tag: "AlreadyExists", resource: "keyPair", id: "deploy" })
        expect(result[2]).toMatchObject({ _tag: "NotFound", resource: "keyPair", id: "nobody" })
      }))
  })

  describe("volumes and snapshots", () => {
    it.live("createVolume checks the snapshot, inserts sizeGb as a string with sourceSnapshot, and reads the disk", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path("/global/snapshots/snap-1"), json(F.snapshot({ name: "snap-1", sourceDisk: diskLink("data"), sourceDiskId: "1", diskSizeGb: 20 }))),
            mutating("POST", path("/zones/us-central1-b/disks"), zoneOp("op-disk", "DONE", "insert", diskLink("restored", "us-central1-b"))),
            getting(path("/zones/us-central1-b/disks/restored"), json(F.disk({ name: "restored", zone: "us-central1-b", sizeGb: 20, sourceSnapshot: "snap-1" })))
          ],
          ({ compute }) => compute.createVolume({ name: "restored", sizeGb: 20, location: "us-central1-b", snapshot: "snap-1", extra: { diskType: "pd-ssd" } })
        )
        expect(bodyOf(requests[2]!)).toEqual({ name: "restored", sizeGb: "20", sourceSnapshot: "global/snapshots/snap-1", type: "zones/us-central1-b/diskTypes/pd-ssd" })
        expect(result).toMatchObject({ id: "us-central1-b/restored", sizeGb: 20, state: "available", location: "us-central1-b" })
        expect(result.extra["sourceSnapshot"]).toBe("snap-1")
      }))

    it.live("attachVolume sends the disk's partial URL and device name; detachVolume finds the device on the instance", () =>
      Effect.gen(function*() {
        const target = instanceLink("web-1")
        const { requests, result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ name: "data", sizeGb: 10 }))),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/attachDisk`), zoneOp("op-a", "DONE", "attachDisk", target)),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ name: "data", sizeGb: 10, users: [target] }))),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ name: "data", sizeGb: 10, users: [target] }))),
            getting(path(`/zones/${F.ZONE}/instances/web-1`), json(F.instance({
              name: "web-1",
              disks: [
                { deviceName: "web-1", source: diskLink("web-1"), boot: true, index: 0 },
                { deviceName: "data-disk", source: diskLink("data"), boot: false, index: 1 }
              ]
            }))),
            mutating("POST", path(`/zones/${F.ZONE}/instances/web-1/detachDisk`), zoneOp("op-d", "DONE", "detachDisk", target), { deviceName: "data-disk" }),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ name: "data", sizeGb: 10 })))
          ],
          ({ compute }) => Effect.zip(compute.attachVolume("data", "web-1", { device: "/dev/data-disk" }), compute.detachVolume("data"))
        )
        expect(bodyOf(requests[2]!)).toEqual({ source: `projects/${F.PROJECT}/zones/${F.ZONE}/disks/data`, type: "PERSISTENT", mode: "READ_WRITE", autoDelete: false, deviceName: "data-disk" })
        expect(result[0]).toMatchObject({ state: "inUse", attachedTo: "web-1" })
        expect(result[1].state).toBe("available")
        expect(result[1].attachedTo).toBeUndefined()
      }))

    it.live("attaching to a missing instance is NotFound naming the node; destroying a disk in use is Conflict", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [
            token(),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ name: "data", sizeGb: 10 }))),
            mutating("POST", path(`/zones/${F.ZONE}/instances/ghost/attachDisk`), json(F.errors.notFound(`projects/${F.PROJECT}/zones/${F.ZONE}/instances/ghost`), 404)),
            mutating("DELETE", path(`/zones/${F.ZONE}/disks/busy`), json(F.errors.inUse(`projects/${F.PROJECT}/zones/${F.ZONE}/disks/busy`, `projects/${F.PROJECT}/zones/${F.ZONE}/instances/web-1`), 400))
          ],
          ({ compute }) => Effect.all([Effect.flip(compute.attachVolume("data", "ghost")), Effect.flip(compute.destroyVolume("busy"))])
        )
        expect(result[0]).toMatchObject({ _tag: "NotFound", resource: "node", id: "ghost" })
        expect(result[1]).toMatchObject({ _tag: "Conflict", resource: "volume", id: "busy" })
      }))

    it.live("createVolumeSnapshot posts the name to disks/createSnapshot; listVolumeSnapshots keeps the disk's own by sourceDiskId", () =>
      Effect.gen(function*() {
        const { requests, result } = yield* replay(
          [
            token(),
            mutating("POST", path(`/zones/${F.ZONE}/disks/data/createSnapshot`), zoneOp("op-s", "PENDING", "createSnapshot", diskLink("data"))),
            waiting(`zones/${F.ZONE}`, "op-s", zoneOp("op-s", "DONE", "createSnapshot", diskLink("data"))),
            getting(path("/global/snapshots/nightly"), json(F.snapshot({ name: "nightly", sourceDisk: diskLink("data"), sourceDiskId: "77", diskSizeGb: 10, status: "UPLOADING" }))),
            getting(path(`/zones/${F.ZONE}/disks/data`), json(F.disk({ id: "77", name: "data", sizeGb: 10 }))),
            getting(path("/global/snapshots"), json(F.snapshotList([
              F.snapshot({ name: "nightly", sourceDisk: diskLink("data"), sourceDiskId: "77", diskSizeGb: 10 }),
              // An earlier disk of the same name: same URL, another id.
              F.snapshot({ name: "old", sourceDisk: diskLink("data"), sourceDiskId: "12", diskSizeGb: 10 }),
              F.snapshot({ name: "other", sourceDisk: diskLink("logs"), sourceDiskId: "78", diskSizeGb: 10 })
            ])))
          ],
          ({ compute }) => Effect.zip(compute.createVolumeSnapshot("data", { name: "nightly" }), compute.listVolumeSnapshots("data"))
        )
        expect(bodyOf(requests[1]!)).toEqual({ name: "nightly" })
        expect(result[0]).toMatchObject({ id: "nightly", volumeId: "data", sizeGb: 10, state: "creating" })
        expect(result[1].map((s) => s.id)).toEqual(["nightly"])
      }))

    it.live("listVolumes with allZones uses the aggregated disk list", () =>
      Effect.gen(function*() {
        const { result } = yield* replay(
          [token(), getting(path("/aggregated/disks"), json(F.diskAggregatedList({ [F.ZONE]: [F.disk({ name: "a", sizeGb: 10, users: [instanceLink("web-1")] })], "us-central1-b": [F.disk({ name: "b", zone: "us-central1-b", sizeGb: 50, status: "CREATING" })] })))],
          ({ compute }) => compute.listVolumes(),
          { allZones: true }
        )
        expect(result.map((v) => [v.id, v.state, v.attachedTo])).toEqual([["a", "inUse", "web-1"], ["us-central1-b/b", "creating", undefined]])
      }))

    it.live("destroyVolumeSnapshot deletes the global snapshot and waits on the global operation", () =>
      Effect.gen(function*() {
        const link = `${F.projectUrl()}/global/snapshots/nightly`
        const op = (status: F.OperationShape["status"]) => json(F.operation({ name: "op-x", status, operationType: "delete", targetLink: link, scope: "global" }))
        yield* replay(
          [token(), mutating("DELETE", path("/global/snapshots/nightly"), op("RUNNING")), waiting("global", "op-x", op("DONE"))],
          ({ compute }) => compute.destroyVolumeSnapshot("nightly")
        )
      }))
  })

  describe("Gce.Gce", () => {
    it.live("firewall rules: insert body, read back, list, delete", () =>
      Effect.gen(function*() {
        const link = `${F.projectUrl()}/global/firewalls/allow-ssh`
        const op = (name: string, type: string) => json(F.operation({ name, status: "DONE", operationType: type, targetLink: link, scope: "global" }))
        const rule = F.firewall({ name: "allow-ssh", targetTags: ["web"], sourceRanges: ["203.0.113.0/24"] })
        const { requests, result } = yield* replay(
          [
            token(),
            mutating("POST", path("/global/firewalls"), op("op-f", "insert")),
            getting(path("/global/firewalls/allow-ssh"), json(rule)),
            getting(path("/global/firewalls"), json(F.firewallList([rule]))),
            mutating("DELETE", path("/global/firewalls/allow-ssh"), op("op-g", "delete"))
          ],
          ({ gce }) =>
            Effect.gen(function*() {
              const created = yield* gce.createFirewall({ name: "allow-ssh", allowed: [{ protocol: "tcp", ports: ["22"] }], sourceRanges: ["203.0.113.0/24"], targetTags: ["web"] })
              const listed = yield* gce.listFirewalls()
              yield* gce.deleteFirewall("allow-ssh")
              return [created, listed] as const
            })
        )
        expect(bodyOf(requests[1]!)).toEqual({
          name: "allow-ssh",
          network: "global/networks/default",
          direction: "INGRESS",
          sourceRanges: ["203.0.113.0/24"],
          targetTags: ["web"],
          allowed: [{ IPProtocol: "tcp", ports: ["22"] }]
        })
        expect(result[0]).toMatchObject({ name: "allow-ssh", network: "default", allowed: [{ protocol: "tcp", ports: ["22"] }], targetTags: ["web"] })
        expect(result[1].map((f) => f.name)).toEqual(["allow-ssh"])
      }))

    it.live("static addresses: reserved in the layer's region with a regional operation; releasing one in use is Conflict", () =>
      Effect.gen(function*() {
        const link = `${F.regionUrl()}/addresses/web-ip`
        const op = (status: F.OperationShape["status"]) => json(F.operation({ name: "op-ip", status, operationType: "insert", targetLink: link, scope: { region: F.REGION } }))
        const { result } = yield* replay(
          [
            token(),
            mutating("POST", path(`/regions/${F.REGION}/addresses`), op("PENDING")),
            waiting(`regions/${F.REGION}`, "op-ip", op("DONE")),
            getting(path(`/regions/${F.REGION}/addresses/web-ip`), json(F.address({ name: "web-ip", address: "35.202.1.2" }))),
            mutating("DELETE", path(`/regions/${F.REGION}/addresses/web-ip`), json(F.errorBody(400, "resourceInUseByAnotherResource", `The address resource 'projects/${F.PROJECT}/regions/${F.REGION}/addresses/web-ip' is already being used by 'projects/${F.PROJECT}/zones/${F.ZONE}/instances/web-1'`), 400))
          ],
          ({ gce }) => Effect.zip(gce.reserveAddress({ name: "web-ip" }), Effect.flip(gce.releaseAddress("web-ip")))
        )
        expect(result[0]).toMatchObject({ name: "web-ip", address: "35.202.1.2", status: "RESERVED", region: F.REGION })
        expect(result[1]).toMatchObject({ _tag: "Conflict", resource: "address", id: "web-ip" })
      }))
  })

  it.effect("layerConfig reads GOOGLE_APPLICATION_CREDENTIALS, the project and the zone from the environment", () =>
    Effect.gen(function*() {
      const env = (vars: Record<string, string>) =>
        Gce.layerConfig().pipe(Layer.provide(Replay.layer([])), Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))))
      const compute = yield* Effect.provide(Compute, env({ GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent/key.json", CLOUDSDK_CORE_PROJECT: F.PROJECT, CLOUDSDK_COMPUTE_ZONE: "europe-west1-b" }))
      expect(compute.provider).toMatchObject({ id: "gce", region: "europe-west1" })
      const missingZone = yield* Effect.exit(Effect.provide(Compute, env({ GOOGLE_APPLICATION_CREDENTIALS: "/k.json", GOOGLE_CLOUD_PROJECT: F.PROJECT })))
      expect(Exit.isFailure(missingZone)).toBe(true)
      expect(Chunk.size(Cause.failures(Exit.isFailure(missingZone) ? missingZone.cause : Cause.empty))).toBe(1)
    }))

  it.live("an unreadable key file surfaces on the first call as InvalidCredentials naming the problem, not the path's content", () =>
    Effect.gen(function*() {
      const { result } = yield* replay([], ({ compute }) => Effect.flip(compute.listSizes()), { serviceAccount: "/nonexistent/key.json" })
      expect(result).toMatchObject({ _tag: "InvalidCredentials" })
      expect((result as { reason: string }).reason).toContain("ENOENT")
      const bad = yield* replay([], ({ compute }) => Effect.flip(compute.listSizes()), { serviceAccount: Redacted.make(`{"client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----\\n"}`) })
      expect(bad.result._tag).toBe("InvalidCredentials")
      expect(JSON.stringify(bad.result)).not.toContain("c2VjcmV0")
    }))
})
