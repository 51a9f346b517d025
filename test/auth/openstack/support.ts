/**
 * Helpers for the OpenStack suites: one real server per test file shared by
 * every describe block in it, an HttpClient that counts the requests it
 * sends, and a way to make Swift's tempauth forget its tokens.
 */
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { connect } from "node:net"
import type { PeerUnavailable } from "../../support/peers/index.js"

/**
 * A server started once for the whole file, on first use, and stopped after
 * its last test (so the contract suite and the provider's own tests share
 * it). A server that cannot start fails the tests that need it, loudly.
 */
export const sharedPeer = <A>(start: Effect.Effect<A, PeerUnavailable, Scope.Scope>): Effect.Effect<A> => {
  const scope = Effect.runSync(Scope.make())
  let started: Promise<A> | undefined
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)), 60_000)
  return Effect.promise(() => (started ??= Effect.runPromise(Scope.extend(start, scope))))
}

/**
 * The Keystone admin password of the OpenStack suites: distinctive, so that a
 * leak cannot hide among ordinary words, and one for all of them (Keystone's
 * bootstrapped template is cached per password).
 */
export const KEYSTONE_ADMIN_PASSWORD = "Kx-9q2-cloudfx-admin-pw"

export interface Counter {
  readonly count: (predicate?: (request: HttpClientRequest.HttpClientRequest) => boolean) => number
  readonly reset: () => void
  readonly requests: ReadonlyArray<HttpClientRequest.HttpClientRequest>
}

/**
 * An HttpClient with every request it sends recorded: undici, or with
 * `maxSockets` node:http limited to that many connections per server (Keystone's
 * test server is single-threaded with a listen backlog of 5: fifty connections
 * at once would wait out TCP SYN retries; fifty *requests* at once are the point).
 */
export const countingClient = (options: { readonly maxSockets?: number } = {}): { readonly counter: Counter; readonly layer: Layer.Layer<HttpClient.HttpClient> } => {
  const requests: Array<HttpClientRequest.HttpClientRequest> = []
  const counter: Counter = {
    count: (predicate) => (predicate === undefined ? requests.length : requests.filter(predicate).length),
    reset: () => {
      requests.length = 0
    },
    requests
  }
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) => HttpClient.tapRequest(client, (r) => Effect.sync(() => void requests.push(r))))
  ).pipe(Layer.provide(
    options.maxSockets === undefined
      ? NodeHttpClient.layerUndici
      : NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: options.maxSockets })))
  ))
  return { counter, layer }
}

export const isKeystoneAuth = (r: HttpClientRequest.HttpClientRequest) => r.method === "POST" && /\/v3\/auth\/tokens$/.test(r.url)
export const isTempAuth = (r: HttpClientRequest.HttpClientRequest) => r.method === "GET" && /\/auth\/v1\.0$/.test(r.url)

/** Empties memcached, where tempauth keeps its tokens: every token Swift issued stops working. */
export const flushMemcached = (port: number): Effect.Effect<void> =>
  Effect.promise(() =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("flush_all\r\n"))
      socket.setTimeout(5000, () => socket.destroy(new Error("memcached: no answer")))
      socket.on("data", (data) => {
        if (data.toString().includes("OK")) {
          socket.end()
          resolve()
        }
      })
      socket.on("error", reject)
    })
  )

/** A plain fetch, for what a client without cloudfx (or without credentials) sees. */
export interface PlainAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

export const call = (url: string, init: RequestInit = {}): Effect.Effect<PlainAnswer> =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) }
  })

export interface CheckingService {
  readonly url: string
  /** The X-Auth-Token of every request received, in order. */
  readonly received: ReadonlyArray<string>
  /** How many times a token was checked with Keystone. */
  readonly validations: () => number
}

/**
 * A stand-in for an OpenStack service behind keystonemiddleware: it answers
 * 200 to a request whose X-Auth-Token the real Keystone accepts
 * (`GET /v3/auth/tokens`, checked once per token, as the middleware caches)
 * and 401 otherwise. Fifty requests against Keystone's own API would be
 * fifty token validations by its single-threaded test server; this keeps the
 * check real and the cost one validation per token.
 */
export const checkingService = (keystoneAuthUrl: string, adminToken: string): Effect.Effect<CheckingService, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const { createServer } = await import("node:http")
      const received: Array<string> = []
      const verdicts = new Map<string, Promise<boolean>>()
      let validations = 0
      const valid = (token: string) => {
        let verdict = verdicts.get(token)
        if (verdict === undefined) {
          validations++
          verdict = fetch(`${keystoneAuthUrl}/auth/tokens`, { headers: { "x-auth-token": adminToken, "x-subject-token": token } }).then(async (res) => {
            await res.arrayBuffer()
            return res.status === 200
          })
          verdicts.set(token, verdict)
        }
        return verdict
      }
      const server = createServer((req, res) => {
        const token = String(req.headers["x-auth-token"] ?? "")
        received.push(token)
        void valid(token).then((ok) => {
          res.statusCode = ok ? 200 : 401
          res.end(ok ? "ok" : "unauthorized")
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as { port: number }
      return { server, service: { url: `http://127.0.0.1:${port}`, received, validations: () => validations } }
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  ).pipe(Effect.map(({ service }) => service))
