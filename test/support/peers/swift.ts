/** OpenStack Swift 2.30 (Debian) as a one-node SAIO: memcached + account/container/object servers + a proxy
 * with tempauth (v1.0 auth), s3api (real SigV4 verification) and tempurl; with `{ keystone }` also a second
 * proxy over the same storage that takes Keystone tokens (the catalog's object-store endpoint).
 * Start-up ~3-5 s on two cores. Account listings show object/byte counts late (no container-updater runs):
 * read counts from the container itself. */
import { Context, Effect, Layer, type Scope } from "effect"
import type { KeystonePeer } from "./keystone.js"
import { startKeystone } from "./keystone.js"
import { allProbes, freePorts, httpProbe, type PeerUnavailable, startPeer, withFreshPorts } from "./runtime.js"

export interface TempauthUser {
  /** "account:user", the X-Auth-User header and the s3api access key. */
  readonly user: string
  /** The X-Auth-Key header and the s3api secret. */
  readonly key: string
  /** Swift account, e.g. AUTH_test. */
  readonly account: string
  readonly admin: boolean
}

export interface SwiftPeer {
  /** http://127.0.0.1:PORT (the tempauth + s3api proxy) */
  readonly proxyUrl: string
  readonly host: string
  readonly port: number
  /** tempauth v1.0: GET with X-Auth-User/X-Auth-Key gives X-Auth-Token and X-Storage-Url. */
  readonly authUrl: string
  /** The main test user: test:tester / testing (.admin on AUTH_test). */
  readonly user: string
  readonly key: string
  readonly account: string
  readonly storageUrl: string
  /** Every tempauth user: test:tester, test2:tester2 (.admin), test:tester3 (no admin), admin:admin (reseller). */
  readonly users: ReadonlyArray<TempauthUser>
  /** S3 through s3api on the same proxy: path-style, SigV4 checked, region us-east-1. */
  readonly s3: { readonly endpoint: string; readonly region: string; readonly accessKeyId: string; readonly secretAccessKey: string }
  /** The Keystone-authenticated proxy (http://127.0.0.1:PORT), when started with `{ keystone }`. */
  readonly keystoneProxyUrl: string | undefined
  readonly ports: { readonly proxy: number; readonly account: number; readonly container: number; readonly object: number; readonly memcached: number; readonly keystoneProxy: number | undefined }
  /** swift.conf, the server confs and the rings. */
  readonly etcDir: string
  readonly pid: number
}

export interface SwiftOptions {
  /** Also start the Keystone-authenticated proxy on `keystone.objectStore.port`. */
  readonly keystone?: KeystonePeer
  /** The tempauth proxy's SLO `max_manifest_segments` (Swift's default 1000), to reach nested manifests cheaply. */
  readonly sloMaxManifestSegments?: number
}

const USERS: ReadonlyArray<TempauthUser> = [
  { user: "test:tester", key: "testing", account: "AUTH_test", admin: true },
  { user: "test2:tester2", key: "testing2", account: "AUTH_test2", admin: true },
  { user: "test:tester3", key: "testing3", account: "AUTH_test", admin: false },
  { user: "admin:admin", key: "admin", account: "AUTH_admin", admin: true }
]

export const startSwift = (options: SwiftOptions = {}): Effect.Effect<SwiftPeer, PeerUnavailable, Scope.Scope> =>
  withFreshPorts(Effect.gen(function*() {
    const [proxy, account, container, object, memcached] = yield* freePorts(5)
    const ks = options.keystone
    const proxyUrl = `http://127.0.0.1:${proxy}`
    const keystoneProxyUrl = ks ? `http://127.0.0.1:${ks.objectStore.port}` : undefined
    const env: Record<string, string> = {
      PROXY_PORT: String(proxy), ACCT_PORT: String(account), CONT_PORT: String(container), OBJ_PORT: String(object), MEMCACHE_PORT: String(memcached)
    }
    if (options.sloMaxManifestSegments !== undefined) env["SLO_MAX_MANIFEST_SEGMENTS"] = String(options.sloMaxManifestSegments)
    if (ks) {
      Object.assign(env, {
        KEYSTONE_URL: ks.url,
        KS_PROXY_PORT: String(ks.objectStore.port),
        KEYSTONE_ADMIN_USER: ks.admin.username,
        KEYSTONE_ADMIN_PASSWORD: ks.admin.password,
        KEYSTONE_ADMIN_PROJECT: ks.admin.projectName
      })
    }
    const health = (port: number) => httpProbe(`http://127.0.0.1:${port}/healthcheck`)
    const proc = yield* startPeer({
      name: "swift",
      script: "swift/start.sh",
      env,
      binaries: ["swift-proxy-server", "swift-account-server", "swift-container-server", "swift-object-server", "memcached", "/usr/bin/python3"],
      ready: allProbes(health(account!), health(container!), health(object!), health(proxy!), ...(ks ? [health(ks.objectStore.port)] : [])),
      readyTimeoutMs: 60_000
    })
    return {
      proxyUrl,
      host: "127.0.0.1",
      port: proxy!,
      authUrl: `${proxyUrl}/auth/v1.0`,
      user: "test:tester",
      key: "testing",
      account: "AUTH_test",
      storageUrl: `${proxyUrl}/v1/AUTH_test`,
      users: USERS,
      s3: { endpoint: proxyUrl, region: "us-east-1", accessKeyId: "test:tester", secretAccessKey: "testing" },
      keystoneProxyUrl,
      ports: { proxy: proxy!, account: account!, container: container!, object: object!, memcached: memcached!, keystoneProxy: ks?.objectStore.port },
      etcDir: `${proc.base}/etc`,
      pid: proc.pid
    }
  }))

export class LocalSwift extends Context.Tag("cloudfx/test/peers/LocalSwift")<LocalSwift, SwiftPeer>() {
  static readonly layer = (options: SwiftOptions = {}) => Layer.scoped(LocalSwift, startSwift(options))
}

/** Keystone, then Swift with its Keystone-authenticated proxy: the catalog's object-store endpoint works. */
export interface OpenStackPeers {
  readonly keystone: KeystonePeer
  readonly swift: SwiftPeer
}

export const startOpenStack = (): Effect.Effect<OpenStackPeers, PeerUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const keystone = yield* startKeystone()
    const swift = yield* startSwift({ keystone })
    return { keystone, swift }
  })

export class LocalOpenStack extends Context.Tag("cloudfx/test/peers/LocalOpenStack")<LocalOpenStack, OpenStackPeers>() {
  static readonly layer = () => Layer.scoped(LocalOpenStack, startOpenStack())
}
