/** OpenStack Keystone (Debian python3-keystone 22 = Zed) with sqlite, fernet tokens and bcrypt cost 4.
 * Bootstrapped with domain Default, project/user admin, region RegionOne, identity endpoints, and an
 * object-store service whose endpoints point at the Keystone-enabled Swift proxy that `startSwift({ keystone })`
 * starts on `objectStore.port`. Start-up costs ~2-5 s (single-threaded wsgiref server; the first start on a
 * machine also builds the bootstrap template, ~11 s), so share one per test file with `layer(...)`. */
import { Context, Effect, Layer, type Scope } from "effect"
import { freePorts, httpProbe, PeerUnavailable, startPeer, withFreshPorts } from "./runtime.js"

export interface KeystonePeer {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** Identity v3 root: http://127.0.0.1:PORT/v3 (also the identity endpoint in the catalog). */
  readonly authUrl: string
  readonly host: string
  readonly port: number
  readonly region: string
  readonly domain: { readonly id: string; readonly name: string }
  /** The admin project (its id is what Swift's account names: AUTH_<id>). */
  readonly project: { readonly id: string; readonly name: string; readonly domainId: string }
  /** The bootstrap admin: role admin on project admin in domain Default. */
  readonly admin: {
    readonly username: string
    readonly password: string
    readonly userId: string
    readonly userDomainId: string
    readonly projectName: string
    readonly projectDomainId: string
  }
  /** Roles that exist after bootstrap. */
  readonly roles: ReadonlyArray<string>
  /** The catalog's object-store service ("swift"): endpoints `urlTemplate` on 127.0.0.1:`port`. */
  readonly objectStore: { readonly port: number; readonly url: string; readonly urlTemplate: string }
  readonly pid: number
}

export interface KeystoneOptions {
  readonly adminPassword?: string
  /** Port the catalog's object-store endpoints name (default: a free port, for startSwift({ keystone })). */
  readonly swiftProxyPort?: number
}

export const startKeystone = (options: KeystoneOptions = {}): Effect.Effect<KeystonePeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [port, freeSwiftPort] = yield* freePorts(2)
    const swiftPort = options.swiftProxyPort ?? freeSwiftPort!
    const password = options.adminPassword ?? "secret"
    const url = `http://127.0.0.1:${port}`
    const swiftUrl = `http://127.0.0.1:${swiftPort}`
    const proc = yield* startPeer({
      name: "keystone",
      script: "keystone/start.sh",
      env: { PORT: String(port), ADMIN_PASSWORD: password, SWIFT_URL: swiftUrl },
      binaries: ["keystone-manage", "keystone-wsgi-public", "sqlite3"],
      ready: httpProbe(`${url}/v3`),
      readyTimeoutMs: 90_000
    })
    const recorded = proc.peerEnv()
    const projectId = recorded.ADMIN_PROJECT_ID ?? ""
    const userId = recorded.ADMIN_USER_ID ?? ""
    if (projectId === "" || userId === "") {
      return yield* new PeerUnavailable({ peer: "keystone", reason: "start-failed", message: "keystone: start.sh did not record the admin project/user ids", logTail: proc.logTail() })
    }
    return {
      url,
      authUrl: `${url}/v3`,
      host: "127.0.0.1",
      port: port!,
      region: "RegionOne",
      domain: { id: "default", name: "Default" },
      project: { id: projectId, name: "admin", domainId: "default" },
      admin: { username: "admin", userId, password, userDomainId: "default", projectName: "admin", projectDomainId: "default" },
      roles: ["admin", "member", "reader"],
      objectStore: { port: swiftPort, url: swiftUrl, urlTemplate: `${swiftUrl}/v1/AUTH_$(project_id)s` },
      pid: proc.pid
    }
  }))

export interface KeystoneToken {
  /** The X-Subject-Token header. */
  readonly token: string
  /** The response body's `token` object (user, project, roles, catalog, expires_at, ...). */
  readonly body: {
    readonly project?: { readonly id: string; readonly name: string }
    readonly catalog?: ReadonlyArray<{ readonly type: string; readonly name: string; readonly endpoints: ReadonlyArray<{ readonly interface: string; readonly region_id: string; readonly url: string }> }>
    readonly [key: string]: unknown
  }
}

/** A project-scoped password token for the bootstrap admin (a plain fetch; for tests that need one quickly). */
export const adminToken = (peer: KeystonePeer): Effect.Effect<KeystoneToken, PeerUnavailable> =>
  Effect.tryPromise({
    try: async (signal) => {
      const res = await fetch(`${peer.authUrl}/auth/tokens`, {
        method: "POST",
        signal,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          auth: {
            identity: { methods: ["password"], password: { user: { name: peer.admin.username, domain: { id: peer.admin.userDomainId }, password: peer.admin.password } } },
            scope: { project: { name: peer.admin.projectName, domain: { id: peer.admin.projectDomainId } } }
          }
        })
      })
      const text = await res.text()
      const token = res.headers.get("x-subject-token")
      if (res.status !== 201 || token === null) throw new Error(`POST /v3/auth/tokens: ${res.status} ${text.slice(0, 300)}`)
      return { token, body: (JSON.parse(text) as { token: KeystoneToken["body"] }).token }
    },
    catch: (e) => new PeerUnavailable({ peer: "keystone", reason: "command-failed", message: `keystone token: ${String(e)}`, logTail: "" })
  })

export class LocalKeystone extends Context.Tag("cloudfx/test/peers/LocalKeystone")<LocalKeystone, KeystonePeer>() {
  static readonly layer = (options: KeystoneOptions = {}) => Layer.scoped(LocalKeystone, startKeystone(options))
}
