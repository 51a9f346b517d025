/**
 * The requests every Swift operation shares: the storage URL (the config's
 * `endpoint`, or the session's "object-store" endpoint — known only once a
 * token has been fetched), a ProviderHttp for it signed by the session, the
 * cluster's `/info`, and the lookups that tell a missing container from a
 * missing object (Swift answers 404 for both).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { Headers } from "@effect/platform"
import { Effect, Option, Ref } from "effect"
import { EndpointNotFound } from "../../../auth/openstack/Catalog.js"
import type { Interface } from "../../../auth/openstack/Config.js"
import type { OpenStackSession } from "../../../auth/openstack/Session.js"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Retry from "../../../http/Retry.js"
import * as Url from "../../../http/Url.js"
import { NotFound, ProviderError, type ProviderFailure } from "../../../schemas/Errors.js"
import { ClusterInfo } from "./wire.js"

export interface ClientConfig {
  readonly provider: string
  readonly endpoint?: string | undefined
  readonly region?: string | undefined
  readonly interface?: Interface | undefined
  readonly timeout?: ProviderHttp.Config["timeout"]
  readonly retry?: Partial<Retry.Policy> | false | undefined
}

export interface Where {
  readonly provider: string
  readonly operation: string
}

export interface SwiftClient {
  readonly provider: string
  readonly where: (operation: string) => Where
  /** The account's storage URL ("http://host:8080/v1/AUTH_test"), without a trailing slash. */
  readonly storageUrl: (operation: string) => Effect.Effect<string, ProviderFailure>
  /** A ProviderHttp over the storage URL: relative request URLs are account paths ("/c/o"). */
  readonly http: (operation: string) => Effect.Effect<ProviderHttp.ProviderHttp, ProviderFailure>
  /** The cluster's `/info` (cached once read); an empty document when the cluster hides it. */
  readonly info: (operation: string) => Effect.Effect<ClusterInfo, ProviderFailure>
  /** HEAD of a container: its headers, or NotFound. */
  readonly headContainer: (operation: string, container: string) => Effect.Effect<Headers.Headers, NotFound | ProviderFailure>
  /** After a 404 on an object: NotFound for the container if it is missing, else for the object. */
  readonly missing: (operation: string, container: string, key: string) => Effect.Effect<never, NotFound | ProviderFailure>
}

export const containerPath = (container: string): string => `/${Url.segment(container)}`
export const objectPath = (container: string, key: string): string => `/${Url.segment(container)}/${Url.key(key)}`

export const containerTarget = (container: string) => ({ resource: "container", id: container })
export const objectTarget = (container: string, key: string) => ({ resource: "object", id: `${container}/${key}` })

/** `/info` sits at the proxy's root: "http://h/v1/AUTH_x" → "http://h/info" (a path prefix before /v1 is kept). */
export const infoUrl = (storageUrl: string): string => {
  const u = new URL(storageUrl)
  const path = u.pathname.replace(/\/+$/, "")
  const root = /\/v1(\/[^/]*)?$/.test(path) ? path.replace(/\/v1(\/[^/]*)?$/, "") : path.replace(/\/[^/]*$/, "")
  return `${u.origin}${root}/info`
}

export const make = (config: ClientConfig, session: OpenStackSession): Effect.Effect<SwiftClient, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const where = (operation: string): Where => ({ provider: config.provider, operation })
    const clients = new Map<string, ProviderHttp.ProviderHttp>()
    const cachedInfo = yield* Ref.make(Option.none<ClusterInfo>())

    const options = {
      ...(config.timeout === undefined ? {} : { timeout: config.timeout }),
      ...(config.retry === undefined ? {} : { retry: config.retry })
    }

    const storageUrl = (operation: string): Effect.Effect<string, ProviderFailure> =>
      config.endpoint !== undefined
        ? Effect.succeed(config.endpoint.replace(/\/+$/, ""))
        : session.endpoint("object-store", { region: config.region, interface: config.interface }).pipe(
          Effect.catchIf(
            (e): e is EndpointNotFound => e instanceof EndpointNotFound,
            (e) => Effect.fail(new ProviderError({ ...where(operation), code: "EndpointNotFound", detail: e.message }))
          )
        )

    const providerHttp = (baseUrl: string, signed: boolean) =>
      Effect.suspend(() => {
        const key = `${signed ? "s" : "u"}|${baseUrl}`
        const known = clients.get(key)
        if (known !== undefined) return Effect.succeed(known)
        return ProviderHttp.make({ provider: config.provider, baseUrl, ...(signed ? { signer: session.signer } : {}), ...options }).pipe(
          Effect.provideService(HttpClient.HttpClient, client),
          Effect.tap((h) => Effect.sync(() => clients.set(key, h)))
        )
      })

    const http = (operation: string) => Effect.flatMap(storageUrl(operation), (url) => providerHttp(url, true))

    const info = (operation: string): Effect.Effect<ClusterInfo, ProviderFailure> =>
      Effect.flatMap(Ref.get(cachedInfo), (known) =>
        Option.isSome(known) ? Effect.succeed(known.value) : Effect.gen(function*() {
          const url = infoUrl(yield* storageUrl(operation))
          const h = yield* providerHttp(url, false)
          // A cluster may hide /info (expose_info = false): then nothing is known about its features.
          const found = yield* h.execute(
            HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson),
            { operation, success: (s) => (s >= 200 && s < 300) || s === 404 || s === 403 || s === 401 },
            (response, w) => response.status >= 300 ? Effect.as(ProviderHttp.empty(response, w), {} as ClusterInfo) : ProviderHttp.json(ClusterInfo)(response, w)
          )
          yield* Ref.set(cachedInfo, Option.some(found))
          return found
        }))

    const headContainer = (operation: string, container: string) =>
      Effect.flatMap(http(operation), (h) =>
        h.execute(
          HttpClientRequest.head(containerPath(container)),
          { operation, notFound: containerTarget(container), attributes: { "cloudfx.container": container } },
          ProviderHttp.headers
        )).pipe(Effect.map((r) => r.headers))

    const missing = (operation: string, container: string, key: string) =>
      Effect.zipRight(headContainer(operation, container), Effect.fail(new NotFound({ ...where(operation), ...objectTarget(container, key) })))

    return { provider: config.provider, where, storageUrl, http, info, headContainer, missing }
  })
