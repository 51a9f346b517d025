/**
 * OpenStack Swift object storage (`cloudfx/openstack`, provider id
 * "openstack-swift") over Swift's native API, authenticated by Keystone
 * (v3 or v2.0), by Swift's v1.0 tempauth, or with a token and storage URL you
 * already have:
 *
 * ```ts
 * Swift.layer({ auth: { authUrl: "https://keystone:5000/v3", username: "demo", password, projectName: "demo" }, region: "RegionOne" })
 * Swift.layer({ auth: { authUrl: "http://swift:8080/auth/v1.0", user: "test:tester", key } })
 * Swift.layer({ auth: { token, storageUrl: "https://swift/v1/AUTH_demo" } })
 * ```
 *
 * - Containers: PUT answers 201 (created) or 202 (it was there:
 *   `AlreadyExists`); deleting a non-empty container is `Conflict` (409).
 * - Listings are lazy Streams over `?format=json` pages (`marker`, `limit`,
 *   `prefix`, `delimiter`); delimiter roll-ups are `ObjectPrefix`.
 * - Ranges: `end` is exclusive here and inclusive on the wire; a range
 *   starting at or past the end (HTTP 416) is `InvalidInput` on "range.start",
 *   as with the memory and local providers.
 * - Uploads, large objects, their cleanup and overwrites: see upload.ts.
 *   ETags are MD5s except for Static Large Objects (the contract's
 *   "md5-single-part"). A whole-object download of a plain object is checked
 *   against its MD5 as it streams (`IntegrityError` at the end if it differs).
 * - `copyObject` is a server-side copy (PUT with X-Copy-From); a large
 *   object is copied whole into a plain one (up to Swift's 5 GiB).
 * - `deleteObject` is idempotent and deletes a large object's segments too.
 * - `signedUrl` is a TempURL, signed with `tempUrlKey` from the config or
 *   else the account's X-Account-Meta-Temp-URL-Key, with the strongest
 *   digest the cluster's `/info` allows. It is `Unsupported` when the cluster
 *   has no tempurl middleware or no key is set (`Swift.setTempUrlKey` sets one).
 * - Swift has no CDN: `enableCdn` makes the container publicly readable and
 *   listable (read ACL ".r:*,.rlistings") and `cdnUrl` is its plain public
 *   URL on the storage endpoint.
 *
 * Provider-specific operations are on the `Swift` tag (account info, ACLs,
 * the Temp-URL key, the cluster's `/info`). `Swift.layerFromKeystone` uses
 * the session of a `Keystone.layer` instead of authenticating on its own.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import type { ConfigError, Redacted } from "effect"
import { Clock, Config, Context, Duration, Effect, Layer, Option, Redacted as R, Ref, Stream } from "effect"
import * as Auth from "../../../auth/openstack/Config.js"
import * as Session from "../../../auth/openstack/Session.js"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Retry from "../../../http/Retry.js"
import {
  AlreadyExists,
  InvalidInput,
  MalformedResponse,
  NotFound,
  type ProviderFailure,
  Unsupported
} from "../../../schemas/Errors.js"
import { Container } from "../../../schemas/Models.js"
import { ObjectStorage } from "../../../services/ObjectStorage.js"
import { providerInfo } from "../../../services/ProviderInfo.js"
import { traced, tracedStream } from "../../../services/span.js"
import * as validate from "../../../services/validate.js"
import { Keystone } from "../keystone/Keystone.js"
import * as Client from "./client.js"
import { slice, verified } from "./download.js"
import { ACCOUNT_META, accountCounts, container as containerOf, containerHead, isStaticLargeObject, metadataOf, objectInfo } from "./headers.js"
import * as Listing from "./listing.js"
import * as TempUrl from "./tempurl.js"
import * as Upload from "./upload.js"
import type { ClusterInfo } from "./wire.js"

export const PROVIDER = "openstack-swift"

/** A token and storage URL obtained elsewhere (no refresh: a 401 is final). */
export interface SwiftTokenAuth {
  readonly token: Redacted.Redacted<string>
  readonly storageUrl: string
}

export interface SwiftConfig {
  readonly auth: Auth.KeystoneConfig | Auth.TempAuthConfig | SwiftTokenAuth
  /** Catalog region of the object-store endpoint (Keystone); default: the auth config's, else any. */
  readonly region?: string
  /** The storage URL ("https://swift.example.com/v1/AUTH_demo"), instead of the one authentication gives. */
  readonly endpoint?: string
  /** Catalog interface of the object-store endpoint (Keystone); default: the auth config's, else "public". */
  readonly interface?: Auth.Interface
  /** Bytes per Static Large Object segment; a stream no longer than this is one PUT. Default 8 MiB. */
  readonly segmentSize?: number
  /** Segments uploaded at once. Default 4. */
  readonly concurrency?: number
  /** One container for every upload's segments; default "<container>_segments", created when first needed. */
  readonly segmentContainer?: string
  /**
   * Entries per Static Large Object manifest: lowers (never raises) the
   * cluster's `max_manifest_segments` from its `/info` (else 1000). A stream
   * needing more segments is written as a nested manifest (see upload.ts).
   */
  readonly maxManifestSegments?: number
  /** The Temp-URL key to sign with; default: the account's X-Account-Meta-Temp-URL-Key. */
  readonly tempUrlKey?: Redacted.Redacted<string>
  /** Per-request timeout (see ProviderHttp.Config). */
  readonly timeout?: Duration.DurationInput
  readonly retry?: Partial<Retry.Policy> | false
}

export const DEFAULT_SEGMENT_SIZE = 8 * 1024 * 1024
export const DEFAULT_CONCURRENCY = 4
const READ_ACL_PUBLIC = ".r:*,.rlistings"

// ---------------------------------------------------------------- the Swift tag

export interface AccountInfo {
  readonly containerCount: number | undefined
  readonly objectCount: number | undefined
  readonly bytesUsed: number | undefined
  /** User metadata (X-Account-Meta-*), without the Temp-URL keys. */
  readonly metadata: Readonly<Record<string, string>>
  /** Whether the account has a Temp-URL key (its value is never read out). */
  readonly hasTempUrlKey: boolean
}

export interface ContainerAcl {
  /** X-Container-Read, e.g. ".r:*,.rlistings" or "AUTH_other:*". */
  readonly read?: string | undefined
  /** X-Container-Write. */
  readonly write?: string | undefined
}

export interface SwiftService {
  /** The account's storage URL in use. */
  readonly storageUrl: Effect.Effect<string, ProviderFailure>
  /** The cluster's `/info` (middleware present and their limits). */
  readonly clusterInfo: () => Effect.Effect<ClusterInfo, ProviderFailure>
  readonly accountInfo: () => Effect.Effect<AccountInfo, ProviderFailure>
  /** Sets the account's X-Account-Meta-Temp-URL-Key (what `signedUrl` signs with when the config has none). */
  readonly setTempUrlKey: (key: Redacted.Redacted<string>) => Effect.Effect<void, InvalidInput | ProviderFailure>
  readonly getContainerAcl: (container: string) => Effect.Effect<ContainerAcl, NotFound | InvalidInput | ProviderFailure>
  /** Sets the ACLs given; `""` removes one, `undefined` leaves it as it is. */
  readonly setContainerAcl: (container: string, acl: ContainerAcl) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  /** Where large-object segments of `container` go. */
  readonly segmentContainer: (container: string) => string
}

export class Swift extends Context.Tag("cloudfx/openstack/Swift")<Swift, SwiftService>() {}

// ---------------------------------------------------------------- make

const op = (name: string) => `ObjectStorage.${name}`

const isTokenAuth = (auth: SwiftConfig["auth"]): auth is SwiftTokenAuth => "token" in auth && "storageUrl" in auth

const sessionConfig = (auth: SwiftConfig["auth"]): Auth.AuthConfig =>
  isTokenAuth(auth) ? { token: auth.token, endpoints: { "object-store": auth.storageUrl } } : auth

/** Both services over one session and one client: `make` is the ObjectStorage half. */
export const makeBoth = (
  config: SwiftConfig
): Effect.Effect<{ readonly storage: ObjectStorage.Service; readonly swift: SwiftService }, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const session = yield* Session.make(sessionConfig(config.auth), {
      ...(config.timeout === undefined ? {} : { timeout: config.timeout }),
      ...(config.retry === undefined ? {} : { retry: config.retry })
    })
    return yield* makeWith(config, session)
  })

/** Both services over a session shared with other OpenStack providers (see Keystone). */
export const makeWith = (
  config: Omit<SwiftConfig, "auth">,
  session: Session.OpenStackSession
): Effect.Effect<{ readonly storage: ObjectStorage.Service; readonly swift: SwiftService }, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* Client.make({
      provider: PROVIDER,
      endpoint: config.endpoint,
      region: config.region,
      interface: config.interface,
      timeout: config.timeout,
      retry: config.retry
    }, session)
    const where = client.where
    const defaults: Upload.UploadDefaults = {
      segmentSize: config.segmentSize ?? DEFAULT_SEGMENT_SIZE,
      concurrency: config.concurrency ?? DEFAULT_CONCURRENCY,
      segmentContainer: config.segmentContainer,
      maxManifestSegments: config.maxManifestSegments
    }
    const accountKey = yield* Ref.make(Option.none<{ readonly key: Option.Option<Redacted.Redacted<string>>; readonly at: number }>())

    const containerName = (operation: string, name: string) => validate.containerName(where(operation), name)
    const objectKey = (operation: string, key: string) => validate.objectKey(where(operation), key)
    const http = client.http

    // ------------------------------------------------------------ containers

    const listContainers: ObjectStorage.Service["listContainers"] = () =>
      Listing.containers(client, op("listContainers")).pipe(traced(PROVIDER, op("listContainers")))

    const getContainer: ObjectStorage.Service["getContainer"] = (name) => {
      const operation = op("getContainer")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, name)
        return containerOf(c, yield* client.headContainer(operation, c))
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
    }

    const createContainer: ObjectStorage.Service["createContainer"] = (name) => {
      const operation = op("createContainer")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, name)
        const h = yield* http(operation)
        const put = yield* h.execute(HttpClientRequest.put(Client.containerPath(c)), { operation, target: Client.containerTarget(c) }, ProviderHttp.headers)
        // 202 Accepted: the container was already there.
        if (put.status === 202) return yield* new AlreadyExists({ ...where(operation), ...Client.containerTarget(c) })
        // Its creation time is in the container's HEAD; if someone deleted it meanwhile, the name is all there is.
        return yield* client.headContainer(operation, c).pipe(
          Effect.map((headers) => containerOf(c, headers)),
          Effect.catchTag("NotFound", () => Effect.succeed(new Container({ name: c })))
        )
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
    }

    const deleteContainer: ObjectStorage.Service["deleteContainer"] = (name) => {
      const operation = op("deleteContainer")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, name)
        const h = yield* http(operation)
        yield* h.execute(
          HttpClientRequest.del(Client.containerPath(c)),
          { operation, notFound: Client.containerTarget(c), conflict: "Conflict" },
          ProviderHttp.empty
        )
        yield* removeSegmentContainer(operation, c)
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": name }))
    }

    /** The "<container>_segments" cloudfx created for it goes with it, once empty. */
    const removeSegmentContainer = (operation: string, c: string) =>
      Effect.gen(function*() {
        if (config.segmentContainer !== undefined) return
        const segments = Upload.defaultSegmentContainer(c)
        const h = yield* http(operation)
        const head = yield* h.execute(
          HttpClientRequest.head(Client.containerPath(segments)),
          { operation, success: (s) => s < 300 || s === 404 },
          ProviderHttp.headers
        )
        if (head.status === 404 || containerHead(head.headers).metadata[Upload.SEGMENTS_FOR] !== c) return
        yield* h.execute(
          HttpClientRequest.del(Client.containerPath(segments)),
          { operation, success: (s) => s < 300 || s === 404 || s === 409 },
          ProviderHttp.empty
        )
      }).pipe(Effect.catchAll((e) => Effect.logWarning(`${operation}: left the segment container of "${c}": ${e.message}`)))

    // ------------------------------------------------------------ objects

    const listObjects: ObjectStorage.Service["listObjects"] = (container, options) => {
      const operation = op("listObjects")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const o = yield* validate.listOptions(where(operation), options)
        return Listing.objects(client, operation, c, { prefix: o.prefix, delimiter: o.delimiter, pageSize: o.pageSize ?? Listing.DEFAULT_PAGE_SIZE })
      }).pipe(Stream.unwrap, tracedStream(PROVIDER, operation, { "cloudfx.container": container }))
    }

    const headObject: ObjectStorage.Service["headObject"] = (container, key) => {
      const operation = op("headObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* objectKey(operation, key)
        const h = yield* http(operation)
        const head = yield* h.execute(
          HttpClientRequest.head(Client.objectPath(c, k)),
          { operation, success: (s) => s < 300 || s === 404 },
          ProviderHttp.headers
        )
        if (head.status === 404) return yield* client.missing(operation, c, k)
        return yield* readInfo(operation, k, head.headers)
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const readInfo = (operation: string, key: string, headers: Parameters<typeof objectInfo>[1]) => {
      const info = objectInfo(key, headers)
      return info === undefined
        ? Effect.fail(new MalformedResponse({ ...where(operation), reason: "no Content-Length or Content-Range in the answer" }))
        : Effect.succeed(info)
    }

    const getObject: ObjectStorage.Service["getObject"] = (container, key, options) => {
      const operation = op("getObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* objectKey(operation, key)
        const range = yield* validate.range(where(operation), options?.range)
        const h = yield* http(operation)
        const request = HttpClientRequest.get(Client.objectPath(c, k)).pipe(
          range === undefined ? (r) => r : HttpClientRequest.setHeader("range", `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}`)
        )
        const response = yield* h.execute(request, {
          operation,
          success: (s) => s < 300 || s === 404 || s === 416,
          attributes: { "cloudfx.container": c, "cloudfx.key": k }
        })
        const w = where(operation)
        if (response.status === 404) {
          yield* ProviderHttp.empty(response, w)
          return yield* client.missing(operation, c, k)
        }
        if (response.status === 416) {
          yield* ProviderHttp.empty(response, w)
          return yield* new InvalidInput({ ...w, field: "range.start", reason: `${range?.start} is at or beyond the end of the object` })
        }
        const info = yield* Effect.tapError(readInfo(operation, k, response.headers), () => ProviderHttp.empty(response, w))
        const raw = ProviderHttp.bodyStream(response, w)
        if (range !== undefined && response.status === 200) {
          // The server ignored the range: apply it here.
          if (range.start >= info.size) {
            yield* ProviderHttp.empty(response, w)
            return yield* new InvalidInput({ ...w, field: "range.start", reason: `${range.start} is at or beyond the end of the object (${info.size} bytes)` })
          }
          return { info, body: slice(raw, range.start, Math.min(range.end ?? info.size, info.size)) } satisfies ObjectStorage.Download
        }
        const etag = response.headers["etag"]
        const checkMd5 = range === undefined && !isStaticLargeObject(response.headers) && etag !== undefined && /^[0-9a-f]{32}$/.test(etag)
        return { info, body: checkMd5 ? verified(raw, w, k, etag, info.size) : raw } satisfies ObjectStorage.Download
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const putObject: ObjectStorage.Service["putObject"] = <E>(
      container: string,
      key: string,
      body: ObjectStorage.Body<E>,
      options?: ObjectStorage.PutOptions
    ) => {
      const operation = op("putObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* objectKey(operation, key)
        const o = yield* validate.putOptions(where(operation), options)
        yield* Upload.checkMetadata(where(operation), o.metadata)
        const source = yield* Upload.bodySource(where(operation), body)
        return yield* Upload.put(client, operation, {
          container: c,
          key: k,
          source,
          contentType: o.contentType ?? "application/octet-stream",
          metadata: o.metadata ?? {},
          segmentSize: o.partSize ?? defaults.segmentSize,
          concurrency: o.concurrency ?? defaults.concurrency,
          maxManifestSegments: defaults.maxManifestSegments
        }, Upload.segmentContainerOf(defaults, c))
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const deleteObject: ObjectStorage.Service["deleteObject"] = (container, key) => {
      const operation = op("deleteObject")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* objectKey(operation, key)
        yield* Upload.remove(client, operation, c, k)
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const copyObject: ObjectStorage.Service["copyObject"] = (from, to) => {
      const operation = op("copyObject")
      return Effect.gen(function*() {
        const fc = yield* containerName(operation, from.container)
        const fk = yield* objectKey(operation, from.key)
        const tc = yield* containerName(operation, to.container)
        const tk = yield* objectKey(operation, to.key)
        const replaced = yield* Upload.currentSegments(client, operation, tc, tk, false)
        const h = yield* http(operation)
        const copy = yield* h.execute(
          HttpClientRequest.put(Client.objectPath(tc, tk)).pipe(
            // The source as an encoded path: Swift URL-decodes X-Copy-From.
            HttpClientRequest.setHeaders({ "x-copy-from": Client.objectPath(fc, fk), "content-length": "0" })
          ),
          { operation, success: (s) => s < 300 || s === 404 },
          ProviderHttp.headers
        )
        if (copy.status === 404) {
          yield* client.headContainer(operation, fc)
          yield* client.headContainer(operation, tc)
          return yield* new NotFound({ ...where(operation), ...Client.objectTarget(fc, fk) })
        }
        // Segments the copy replaced, unless the source was the target itself and still is a large object.
        const head = yield* h.execute(HttpClientRequest.head(Client.objectPath(tc, tk)), { operation, notFound: Client.objectTarget(tc, tk) }, ProviderHttp.headers)
        const info = yield* readInfo(operation, tk, head.headers)
        if (!isStaticLargeObject(head.headers)) yield* Upload.deleteSegments(client, operation, replaced)
        return info
      }).pipe(
        traced(PROVIDER, operation, {
          "cloudfx.container": from.container,
          "cloudfx.key": from.key,
          "cloudfx.target.container": to.container,
          "cloudfx.target.key": to.key
        })
      )
    }

    // ------------------------------------------------------------ signed URLs and public access

    const KEY_TTL = Duration.toMillis(Duration.minutes(5))

    /** The config's key, else the account's (read at most every 5 minutes). */
    const tempUrlKey = (operation: string): Effect.Effect<Option.Option<Redacted.Redacted<string>>, ProviderFailure> =>
      config.tempUrlKey !== undefined ? Effect.succeed(Option.some(config.tempUrlKey)) : Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const known = yield* Ref.get(accountKey)
        if (Option.isSome(known) && now - known.value.at < KEY_TTL) return known.value.key
        const h = yield* http(operation)
        const head = yield* h.execute(HttpClientRequest.head(""), { operation }, ProviderHttp.headers)
        const value = head.headers[`${ACCOUNT_META}temp-url-key`] ?? head.headers[`${ACCOUNT_META}temp-url-key-2`]
        const key = value === undefined || value === "" ? Option.none() : Option.some(R.make(value))
        yield* Ref.set(accountKey, Option.some({ key, at: now }))
        return key
      })

    const signedUrl: ObjectStorage.Service["signedUrl"] = (container, key, options) => {
      const operation = op("signedUrl")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = yield* objectKey(operation, key)
        const expiresIn = yield* validate.expiresIn(where(operation), options.expiresIn)
        const method = options.method ?? "GET"
        if (method !== "GET" && method !== "PUT") {
          return yield* new InvalidInput({ ...where(operation), field: "method", reason: "must be GET or PUT" })
        }
        const unsupported = new Unsupported({ ...where(operation), capability: "storage.signedUrl" })
        const info = yield* client.info(operation)
        if (info.tempurl === undefined || !(info.tempurl.methods ?? ["GET", "PUT"]).includes(method)) return yield* unsupported
        const digest = TempUrl.pickDigest(info.tempurl.allowed_digests)
        const secret = yield* tempUrlKey(operation)
        if (digest === undefined || Option.isNone(secret)) return yield* unsupported
        const now = yield* Clock.currentTimeMillis
        const expires = Math.floor((now + Duration.toMillis(expiresIn)) / 1000)
        return TempUrl.signedUrl(yield* client.storageUrl(operation), c, k, { method, expires, key: secret.value, digest })
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container, "cloudfx.key": key }))
    }

    const setAcl = (operation: string, c: string, acl: ContainerAcl) =>
      Effect.flatMap(http(operation), (h) =>
        h.execute(
          HttpClientRequest.post(Client.containerPath(c)).pipe(
            HttpClientRequest.setHeaders({
              ...(acl.read === undefined ? {} : { "x-container-read": acl.read }),
              ...(acl.write === undefined ? {} : { "x-container-write": acl.write })
            })
          ),
          // Setting a header to a value is safe to repeat.
          { operation, notFound: Client.containerTarget(c), idempotent: true },
          ProviderHttp.empty
        ))

    const enableCdn: ObjectStorage.Service["enableCdn"] = (container) => {
      const operation = op("enableCdn")
      return Effect.flatMap(containerName(operation, container), (c) => setAcl(operation, c, { read: READ_ACL_PUBLIC })).pipe(
        traced(PROVIDER, operation, { "cloudfx.container": container })
      )
    }

    const cdnUrl: ObjectStorage.Service["cdnUrl"] = (container, key) => {
      const operation = op("cdnUrl")
      return Effect.gen(function*() {
        const c = yield* containerName(operation, container)
        const k = key === undefined ? undefined : yield* objectKey(operation, key)
        yield* client.headContainer(operation, c)
        const base = yield* client.storageUrl(operation)
        return `${base}${k === undefined ? Client.containerPath(c) : Client.objectPath(c, k)}`
      }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
    }

    const storage = ObjectStorage.of({
      provider: providerInfo(PROVIDER, ["storage.range", "storage.copy", "storage.multipart", "storage.signedUrl", "storage.cdn"], config.region),
      listContainers,
      getContainer,
      createContainer,
      deleteContainer,
      listObjects,
      headObject,
      getObject,
      putObject,
      deleteObject,
      copyObject,
      signedUrl,
      enableCdn,
      cdnUrl
    })

    // ------------------------------------------------------------ Swift-specific

    const swiftOp = (name: string) => `Swift.${name}`

    const swift: SwiftService = {
      storageUrl: client.storageUrl(swiftOp("storageUrl")),
      clusterInfo: () => client.info(swiftOp("clusterInfo")).pipe(traced(PROVIDER, swiftOp("clusterInfo"))),
      accountInfo: () => {
        const operation = swiftOp("accountInfo")
        return Effect.flatMap(http(operation), (h) => h.execute(HttpClientRequest.head(""), { operation }, ProviderHttp.headers)).pipe(
          Effect.map(({ headers }): AccountInfo => ({
            ...accountCounts(headers),
            metadata: metadataOf(ACCOUNT_META, headers, ["temp-url-key", "temp-url-key-2"]),
            hasTempUrlKey: headers[`${ACCOUNT_META}temp-url-key`] !== undefined || headers[`${ACCOUNT_META}temp-url-key-2`] !== undefined
          })),
          traced(PROVIDER, operation)
        )
      },
      setTempUrlKey: (key) => {
        const operation = swiftOp("setTempUrlKey")
        return Effect.gen(function*() {
          const value = R.isRedacted(key) ? R.value(key) : undefined
          if (typeof value !== "string" || value === "" || /[\r\n\0]/.test(value)) {
            return yield* new InvalidInput({ ...where(operation), field: "key", reason: "must be a non-empty Redacted string on one line" })
          }
          const h = yield* http(operation)
          yield* h.execute(
            HttpClientRequest.post("").pipe(HttpClientRequest.setHeader(`${ACCOUNT_META}temp-url-key`, value)),
            { operation, idempotent: true },
            ProviderHttp.empty
          )
          const now = yield* Clock.currentTimeMillis
          yield* Ref.set(accountKey, Option.some({ key: Option.some(key), at: now }))
        }).pipe(traced(PROVIDER, operation))
      },
      getContainerAcl: (container) => {
        const operation = swiftOp("getContainerAcl")
        return Effect.flatMap(containerName(operation, container), (c) => client.headContainer(operation, c)).pipe(
          Effect.map((headers) => {
            const head = containerHead(headers)
            return { read: head.read, write: head.write }
          }),
          traced(PROVIDER, operation, { "cloudfx.container": container })
        )
      },
      setContainerAcl: (container, acl) => {
        const operation = swiftOp("setContainerAcl")
        return Effect.gen(function*() {
          const c = yield* containerName(operation, container)
          for (const [field, value] of [["read", acl.read], ["write", acl.write]] as const) {
            if (value !== undefined && (typeof value !== "string" || /[\r\n\0]/.test(value))) {
              return yield* new InvalidInput({ ...where(operation), field, reason: "must be a single-line ACL string" })
            }
          }
          yield* setAcl(operation, c, acl)
        }).pipe(traced(PROVIDER, operation, { "cloudfx.container": container }))
      },
      segmentContainer: (container) => Upload.segmentContainerOf(defaults, container)
    }

    return { storage, swift }
  })

export const make = (config: SwiftConfig): Effect.Effect<ObjectStorage.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeBoth(config), (both) => both.storage)

const services = ({ storage, swift }: { readonly storage: ObjectStorage.Service; readonly swift: SwiftService }) =>
  Context.make(ObjectStorage, storage).pipe(Context.add(Swift, swift))

export const layer = (config: SwiftConfig): Layer.Layer<ObjectStorage | Swift, never, HttpClient.HttpClient> =>
  Layer.effectContext(Effect.map(makeBoth(config), services))

/**
 * Swift over the session a `Keystone.layer` provides: one token shared with
 * the other OpenStack providers of the program (one authentication, one
 * refresh), instead of a session of its own.
 */
export const layerFromKeystone = (
  config: Omit<SwiftConfig, "auth"> = {}
): Layer.Layer<ObjectStorage | Swift, never, HttpClient.HttpClient | Keystone> =>
  Layer.effectContext(Effect.map(Effect.flatMap(Keystone, (session) => makeWith(config, session)), services))

const optionalString = (name: string) => Config.option(Config.nonEmptyString(name))

/**
 * Reads the auth from the environment (tempauth from ST_AUTH / ST_USER /
 * ST_KEY, else a token from OS_AUTH_TOKEN + OS_STORAGE_URL, else Keystone
 * from OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, …), the
 * region from OS_REGION_NAME and a storage URL override from OS_STORAGE_URL.
 */
export const defaultConfig: Config.Config<SwiftConfig> = Config.all({
  auth: Config.orElse(
    Auth.tempAuthFromEnv,
    (): Config.Config<SwiftConfig["auth"]> =>
      Config.orElse(
        Config.all({ token: Config.redacted("OS_AUTH_TOKEN"), storageUrl: Config.nonEmptyString("OS_STORAGE_URL") }),
        (): Config.Config<SwiftConfig["auth"]> => Auth.keystoneFromEnv
      )
  ),
  region: optionalString("OS_REGION_NAME"),
  endpoint: optionalString("OS_STORAGE_URL"),
  tempUrlKey: Config.option(Config.redacted("OS_SWIFT_TEMP_URL_KEY"))
}).pipe(Config.map(({ auth, endpoint, region, tempUrlKey }): SwiftConfig => ({
  auth,
  ...(Option.isSome(region) ? { region: region.value } : {}),
  ...(Option.isSome(endpoint) ? { endpoint: endpoint.value } : {}),
  ...(Option.isSome(tempUrlKey) ? { tempUrlKey: tempUrlKey.value } : {})
})))

export const layerConfig = (
  config: Config.Config<SwiftConfig> = defaultConfig
): Layer.Layer<ObjectStorage | Swift, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config, layer))

export type { ClusterInfo }
