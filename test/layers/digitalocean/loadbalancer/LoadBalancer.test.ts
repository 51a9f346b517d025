/**
 * DigitalOcean load balancers on recorded exchanges shaped as the reference
 * documents them (fixtures.ts names each source): exact requests, pagination,
 * status mapping and the documented errors.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as DigitalOceanLoadBalancer from "../../../../src/layers/digitalocean/loadbalancer/DigitalOceanLoadBalancer.js"
import { Node } from "../../../../src/schemas/Models.js"
import { failsWith } from "../../../contract/harness.js"
import * as F from "../fixtures.js"
import { jsonEquals, reply } from "../support.js"
import * as L from "./fixtures.js"

const base = "https://api.digitalocean.com/v2"
const token = "dop_v1_0123456789abcdef-lb-secret"
const auth = { authorization: `Bearer ${token}` }
const id = "4de7ac8b-495b-4884-9a69-1050c6793cd6"

const setup = (exchanges: ReadonlyArray<Replay.Exchange>) =>
  Effect.gen(function*() {
    const replay = yield* Replay.make(exchanges)
    const lb = yield* DigitalOceanLoadBalancer.make({ token: Redacted.make(token), region: "nyc3", retry: { jitter: 0 } }).pipe(
      Effect.provideService(HttpClient.HttpClient, replay.client)
    )
    return { lb, replay }
  })

const get = (path: string, response: Replay.ResponseSpec): Replay.Exchange => ({ request: { method: "GET", url: `${base}${path}`, headers: auth }, response })
const send = (method: string, path: string, body: unknown, response: Replay.ResponseSpec): Replay.Exchange => ({
  request: { method, url: `${base}${path}`, headers: { ...auth, "content-type": "application/json" }, body: jsonEquals(body) },
  response
})
const list = (path: string, page: number) => `${path}?page=${page}&per_page=200`

const droplet1 = F.droplet({ id: 3164444, name: "web-1", status: "active", publicIp: "192.241.165.154", privateIp: "10.128.192.124" })
const droplet2 = F.droplet({ id: 3164445, name: "web-2", status: "active", publicIp: "192.241.165.155", privateIp: "10.128.192.125" })

describe("DigitalOcean load balancers: replayed", () => {
  it.effect("listBalancers follows links.pages.next and maps the documented examples (load_balancers_all)", () =>
    Effect.gen(function*() {
      const second = L.balancer({ id: "56775c3f-04ab-4fb3-a7ed-40ef9bc8eece", name: "prod-web-lb-01", status: "active", rules: [{ entry_protocol: "https", entry_port: 443, target_protocol: "http", target_port: 8080, certificate_id: "892071a0-bb95-49bc-8021-3afd67a210bf", tls_passthrough: false }], stickySessions: { type: "cookies", cookie_name: "DO-LB", cookie_ttl_seconds: 300 } })
      const third = L.balancer({ id: "7dbf91fe-cbdb-48dc-8290-c3a181554905", name: "broken", status: "errored" })
      const { lb, replay } = yield* setup([
        get(list("/load_balancers", 1), reply(200, F.page("load_balancers", [L.balancer(), second], 3, `${base}/load_balancers?page=2&per_page=200`))),
        get(list("/load_balancers", 2), reply(200, F.page("load_balancers", [third], 3)))
      ])
      const all = yield* lb.listBalancers()
      expect(all.map((b) => [b.name, b.state, b.port, b.protocol, b.algorithm, b.ip])).toEqual([
        ["example-lb-01", "pending", 80, "http", "roundRobin", "104.131.186.241"],
        ["prod-web-lb-01", "running", 443, "https", "roundRobin", "104.131.186.241"],
        ["broken", "error", 80, "http", "roundRobin", "104.131.186.241"]
      ])
      expect(all[1]!.extra).toMatchObject({
        targetPort: 8080,
        targetProtocol: "http",
        region: "nyc3",
        stickySessions: { type: "cookies", cookieName: "DO-LB", cookieTtlSeconds: 300 },
        forwardingRules: [{ entryProtocol: "https", entryPort: 443, targetProtocol: "http", targetPort: 8080, certificateId: "892071a0-bb95-49bc-8021-3afd67a210bf", tlsPassthrough: false }]
      })
      expect(all[0]!.extra["healthCheck"]).toEqual({ protocol: "http", port: 80, path: "/", checkIntervalSeconds: 10, responseTimeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 3 })
      yield* replay.assertDone
    }))

  it.effect("createBalancer resolves members to droplets and sends the documented body once", () =>
    Effect.gen(function*() {
      const { lb, replay } = yield* setup([
        get(list("/droplets", 1), reply(200, F.page("droplets", [droplet1, droplet2], 2))),
        send("POST", "/load_balancers", {
          name: "example-lb-01",
          region: "nyc3",
          forwarding_rules: [{ entry_protocol: "http", entry_port: 80, target_protocol: "http", target_port: 8080 }],
          droplet_ids: [3164444, 3164445],
          size_unit: 3,
          health_check: { protocol: "http", port: 8080, path: "/health" },
          sticky_sessions: { type: "cookies", cookie_name: "LB_COOKIE", cookie_ttl_seconds: 300 }
        }, reply(202, { load_balancer: L.balancer({ rules: [L.httpRule(80, 8080)] }) }))
      ])
      const b = yield* lb.createBalancer({
        name: "example-lb-01",
        port: 80,
        protocol: "http",
        algorithm: "roundRobin",
        members: [{ ip: "192.241.165.154", port: 8080 }, { ip: "10.128.192.125", port: 8080 }],
        extra: { sizeUnit: 3, healthCheck: { protocol: "http", port: 8080, path: "/health" }, stickySessions: { type: "cookies", cookieName: "LB_COOKIE", cookieTtlSeconds: 300 } }
      })
      expect([b.id, b.state, b.port]).toEqual([id, "pending", 80])
      yield* replay.assertDone
    }))

  it.effect("a 5xx on create is reported, not retried: DigitalOcean has no idempotency token", () =>
    Effect.gen(function*() {
      const { lb, replay } = yield* setup([
        { request: { method: "POST", url: `${base}/load_balancers` }, response: reply(500, F.error.serverError) }
      ])
      const e = yield* failsWith(lb.createBalancer({ name: "x", port: 80, protocol: "tcp", algorithm: "roundRobin" }), "ProviderError")
      expect([e.status, e.requestId]).toEqual([500, "4d9d8375-3c56-4925-a3e7-eb137fed17e9"])
      yield* replay.assertDone
    }))

  it.effect("getBalancer maps new / active / errored; a non-UUID id is NotFound without a request; 404 is NotFound", () =>
    Effect.gen(function*() {
      const { lb, replay } = yield* setup([
        get(`/load_balancers/${id}`, reply(200, { load_balancer: L.balancer({ status: "active" }) })),
        get(`/load_balancers/${id}`, reply(200, { load_balancer: L.balancer({ status: "resizing" }) })),
        get(`/load_balancers/${id}`, reply(404, F.error.notFound))
      ])
      expect((yield* lb.getBalancer(id)).state).toBe("running")
      expect((yield* lb.getBalancer(id)).state).toBe("unknown")
      expect((yield* failsWith(lb.getBalancer(id), "NotFound")).resource).toBe("balancer")
      expect((yield* failsWith(lb.getBalancer("lb-1"), "NotFound")).id).toBe("lb-1")
      yield* replay.assertDone
    }))

  it.effect("members are the balancer's droplets at its target port; attach POSTs and detach DELETEs droplet_ids", () =>
    Effect.gen(function*() {
      const one = L.balancer({ dropletIds: [3164444], rules: [L.httpRule(80, 8080)] })
      const { lb, replay } = yield* setup([
        get(`/load_balancers/${id}`, reply(200, { load_balancer: one })),
        get(list("/droplets", 1), reply(200, F.page("droplets", [droplet1, droplet2], 2))),
        get(`/load_balancers/${id}`, reply(200, { load_balancer: one })),
        get(list("/droplets", 1), reply(200, F.page("droplets", [droplet1, droplet2], 2))),
        send("POST", `/load_balancers/${id}/droplets`, { droplet_ids: [3164445] }, reply(204)),
        get(`/load_balancers/${id}`, reply(200, { load_balancer: L.balancer({ dropletIds: [3164444, 3164445], rules: [L.httpRule(80, 8080)] }) })),
        send("DELETE", `/load_balancers/${id}/droplets`, { droplet_ids: [3164444] }, reply(204))
      ])
      const members = yield* lb.listMembers(id)
      expect(members.map((m) => [m.id, m.ip, m.port, m.nodeId, m.state])).toEqual([["3164444", "192.241.165.154", 8080, "3164444", "unknown"]])
      expect(members[0]!.extra).toEqual({ dropletName: "web-1", publicIp: "192.241.165.154", privateIp: "10.128.192.124" })
      const attached = yield* lb.attachComputeNode(id, new Node({ id: "vm-7", name: "x", state: "running", publicIps: ["192.241.165.155"], privateIps: [] }), 8080)
      expect([attached.id, attached.nodeId]).toEqual(["3164445", "vm-7"])
      yield* lb.detachMember(id, "3164444")
      yield* replay.assertDone
    }))

  it.effect("updateBalancer restates the whole balancer in its PUT; destroyBalancer DELETEs", () =>
    Effect.gen(function*() {
      const current = L.balancer({ status: "active", rules: [L.httpRule(80, 8080)] })
      const { lb, replay } = yield* setup([
        get(`/load_balancers/${id}`, reply(200, { load_balancer: current })),
        {
          request: { method: "PUT", url: `${base}/load_balancers/${id}`, body: jsonEquals({
            name: "updated-example-lb-01",
            region: "nyc3",
            forwarding_rules: [{ ...L.httpRule(8000, 8080) }],
            health_check: current.health_check,
            sticky_sessions: current.sticky_sessions,
            redirect_http_to_https: false,
            enable_proxy_protocol: false,
            enable_backend_keepalive: false,
            vpc_uuid: current.vpc_uuid,
            droplet_ids: [3164444, 3164445]
          }) },
          response: reply(200, { load_balancer: L.balancer({ name: "updated-example-lb-01", rules: [L.httpRule(8000, 8080)] }) })
        },
        { request: { method: "DELETE", url: `${base}/load_balancers/${id}`, headers: auth }, response: reply(204) },
        { request: { method: "DELETE", url: `${base}/load_balancers/${id}` }, response: reply(404, F.error.notFound) }
      ])
      const updated = yield* lb.updateBalancer(id, { name: "updated-example-lb-01", port: 8000 })
      expect([updated.name, updated.port]).toEqual(["updated-example-lb-01", 8000])
      yield* lb.destroyBalancer(id)
      expect((yield* failsWith(lb.destroyBalancer(id), "NotFound")).resource).toBe("balancer")
      yield* replay.assertDone
    }))

  it.effect("documented errors: 401 InvalidCredentials (no token in it), 422 ProviderError, 429 RateLimited until ratelimit-reset", () =>
    Effect.gen(function*() {
      const reset = 1444931833
      const { lb, replay } = yield* setup([
        get(list("/load_balancers", 1), reply(401, F.error.unauthorized)),
        get(list("/droplets", 1), reply(200, F.page("droplets", [], 0))),
        { request: { method: "POST", url: `${base}/load_balancers` }, response: reply(422, F.error.unprocessable("Load Balancer limit reached.")) },
        get(list("/load_balancers", 1), reply(429, F.error.tooManyRequests, { "ratelimit-reset": String(reset), date: new Date((reset - 3600) * 1000).toUTCString() }))
      ])
      const denied = yield* failsWith(lb.listBalancers(), "InvalidCredentials")
      expect(JSON.stringify(denied)).not.toContain(token)
      yield* failsWith(lb.createBalancer({ name: "x", port: 80, protocol: "http", algorithm: "roundRobin", members: [{ ip: "192.0.2.1", port: 80 }] }), "InvalidInput")
      const refused = yield* failsWith(lb.createBalancer({ name: "x", port: 80, protocol: "http", algorithm: "roundRobin" }), "ProviderError")
      expect([refused.status, refused.code, refused.message]).toEqual([422, "unprocessable_entity", expect.stringContaining("limit")])
      const limited = yield* failsWith(lb.listBalancers(), "RateLimited")
      expect(Duration.toSeconds(limited.retryAfter!)).toBe(3600)
      yield* replay.assertDone
    }))
})
