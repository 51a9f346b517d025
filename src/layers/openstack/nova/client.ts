/**
 * One client over the four OpenStack services the compute provider uses —
 * Nova, Glance, Cinder and Neutron — signed by one session: each service's
 * base URL (the config's override, else the token's catalog, found once a
 * token has been fetched), the Nova microversion headers, the documented
 * error bodies and the `*_links` / `next` pagination.
 *
 * Errors: Nova and Cinder answer `{"itemNotFound": {"message", "code"}}`,
 * `{"badRequest": …}`, `{"forbidden": …}`, `{"conflictingRequest": …}`,
 * `{"overLimit": {"message", "code", "retryAfter"}}`; Neutron
 * `{"NeutronError": {"type", "message"}}` (src/http's extractor reads all of
 * them). Two differ from the status table: an over-limit answer (413 or 429)
 * that says when to come back is RateLimited, and a 403 "Quota exceeded" is a
 * quota (ProviderError), not a missing permission.
 *
 * POSTs (creating servers, volumes, snapshots, key pairs and floating IPs;
 * server actions) are sent once: these APIs have no idempotency token, so a
 * lost connection or 5xx after the request left could have done the work,
 * and a second one would create a twin or answer a misleading 409. Only an
 * answer that refused the request outright as rate-limited is retried.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Option, type Schema, Stream } from "effect"
import { EndpointNotFound } from "../../../auth/openstack/Catalog.js"
import type { OpenStackSession } from "../../../auth/openstack/Session.js"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Errors from "../../../http/Errors.js"
import * as Paginate from "../../../http/Paginate.js"
import { ProviderError, type ProviderFailure, RateLimited } from "../../../schemas/Errors.js"
import { DEFAULT_MICROVERSION, type NovaConfig, PROVIDER, type ServiceType } from "./config.js"
import type { Links } from "./wire.js"

export interface NovaClient {
  readonly microversion: string
  /** One request to a service; its URL is relative to the service's base ("/servers/detail"). */
  readonly send: <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
    service: ServiceType,
    request: HttpClientRequest.HttpClientRequest,
    options: O,
    read: ProviderHttp.Reader<A, E>
  ) => Effect.Effect<A, ProviderHttp.Failure<O> | E | ProviderFailure>
  /**
   * Every item of a collection, following its "next" link to the end. The
   * link's query (marker, limit) is applied to `path` on our base URL: the
   * host a service writes into its links is often an internal one.
   */
  readonly list: <P, I, A>(
    service: ServiceType,
    path: string,
    operation: string,
    schema: Schema.Schema<P, I>,
    read: (page: P) => { readonly items: ReadonlyArray<A>; readonly next: string | undefined },
    query?: Readonly<Record<string, string>>
  ) => Effect.Effect<ReadonlyArray<A>, ProviderFailure>
}

/** The href of the "next" link of a Nova, Cinder or Neutron page. */
export const nextLink = (links: Links): string | undefined => links?.find((l) => l.rel === "next")?.href

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** `{"overLimit": {"retryAfter": "59"}}`: Nova's own hint, when the header is missing. */
const retryAfterInBody = (body: string): Option.Option<Duration.Duration> => {
  try {
    const parsed: unknown = JSON.parse(body)
    if (!isRecord(parsed)) return Option.none()
    const inner = Object.values(parsed)[0]
    const after = isRecord(inner) ? inner["retryAfter"] : undefined
    const seconds = typeof after === "string" || typeof after === "number" ? Number(after) : Number.NaN
    return Number.isFinite(seconds) && seconds >= 0 ? Option.some(Duration.seconds(seconds)) : Option.none()
  } catch {
    return Option.none()
  }
}

/** The classification every OpenStack answer shares (see the module comment). */
export const classify = (f: Errors.FailureContext): RateLimited | ProviderError | undefined => {
  if (f.status === 413 || f.status === 429) {
    const after = Option.orElse(f.retryAfter, () => retryAfterInBody(f.body))
    if (Option.isSome(after)) return new RateLimited({ ...f.where, retryAfter: after.value })
    if (f.status === 429) return new RateLimited({ ...f.where })
    return undefined
  }
  if (f.status === 403 && /quota/i.test(f.message ?? "")) {
    return new ProviderError({
      ...f.where,
      status: 403,
      detail: f.message ?? "quota exceeded",
      ...(f.code === undefined ? {} : { code: f.code }),
      ...(f.requestId === undefined ? {} : { requestId: f.requestId })
    })
  }
  return undefined
}


const trimSlash = (url: string) => url.replace(/\/+$/, "")

/** Glance and Neutron catalog entries are the service root: the API version is ours to add. */
const versioned = (service: ServiceType, url: string): string => {
  const base = trimSlash(url)
  if (service === "image") return /\/v2(\.\d+)?$/.test(base) ? base : `${base}/v2`
  if (service === "network") return /\/v2\.0$/.test(base) ? base : `${base}/v2.0`
  return base
}

// Newer catalogs name Cinder v3 "block-storage" (the service-types authority's name).
const catalogTypes: Record<ServiceType, ReadonlyArray<string>> = {
  compute: ["compute"],
  image: ["image"],
  volumev3: ["volumev3", "block-storage", "volume"],
  network: ["network"]
}

export const make = (config: Omit<NovaConfig, "auth">, session: OpenStackSession): Effect.Effect<NovaClient, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const microversion = config.microversion ?? DEFAULT_MICROVERSION
    const clients = new Map<ServiceType, ProviderHttp.ProviderHttp>()

    const override = (service: ServiceType): string | undefined =>
      config.endpoints?.[service] ?? (service === "compute" ? config.endpoint : undefined)

    const fromCatalog = (service: ServiceType, operation: string): Effect.Effect<string, ProviderFailure> => {
      const [first, ...rest] = catalogTypes[service]
      const lookup = (type: string) => session.endpoint(type, { region: config.region, interface: config.interface })
      const notFound = (e: unknown): e is EndpointNotFound => e instanceof EndpointNotFound
      // The other names are fallbacks: when none is there, the error is about the first one.
      return Effect.catchIf(lookup(first!), notFound, (original) =>
        rest.reduce<Effect.Effect<string, ProviderFailure | EndpointNotFound>>(
          (acc, type) => Effect.catchIf(acc, notFound, () => lookup(type)),
          Effect.fail(original)
        ).pipe(Effect.catchIf(notFound, () => Effect.fail(original)))).pipe(
          Effect.catchIf(notFound, (e) =>
            Effect.fail(
              new ProviderError({
                provider: PROVIDER,
                operation,
                code: "EndpointNotFound",
                detail: rest.length === 0 ? e.message : `${e.message} (also looked for ${rest.map((t) => `"${t}"`).join(", ")})`
              })
            ))
        )
    }

    const http = (service: ServiceType, operation: string): Effect.Effect<ProviderHttp.ProviderHttp, ProviderFailure> =>
      Effect.suspend(() => {
        const known = clients.get(service)
        if (known !== undefined) return Effect.succeed(known)
        const given = override(service)
        return Effect.flatMap(given === undefined ? fromCatalog(service, operation) : Effect.succeed(given), (url) =>
          ProviderHttp.make({
            provider: PROVIDER,
            baseUrl: versioned(service, url),
            signer: session.signer,
            timeout: config.timeout,
            retry: config.retry,
            classify,
            // A refused create did nothing: it is sent again; any other failure of one is reported.
            resendRefused: true,
            headers: {
              accept: "application/json",
              ...(service === "compute"
                ? { "openstack-api-version": `compute ${microversion}`, "x-openstack-nova-api-version": microversion }
                : {})
            }
          }).pipe(
            Effect.provideService(HttpClient.HttpClient, httpClient),
            Effect.tap((h) => Effect.sync(() => clients.set(service, h)))
          ))
      })

    const send = <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
      service: ServiceType,
      request: HttpClientRequest.HttpClientRequest,
      options: O,
      read: ProviderHttp.Reader<A, E>
    ): Effect.Effect<A, ProviderHttp.Failure<O> | E | ProviderFailure> =>
      Effect.flatMap(http(service, options.operation), (h) => {
        // The provider's `classify` adds only RateLimited and ProviderError, which ProviderFailure holds.
        return h.execute(request, options, read) as Effect.Effect<A, ProviderHttp.Failure<O> | E | ProviderFailure>
      })

    const list: NovaClient["list"] = (service, path, operation, schema, read, query) => {
      const where = { provider: PROVIDER, operation }
      const first = { ...query, ...(config.pageSize === undefined ? {} : { limit: String(config.pageSize) }) }
      const fetch = (token: Option.Option<string>) => {
        const params = Option.match(token, {
          onNone: () => first,
          // The next link carries the filters, limit and marker: its query replaces ours.
          onSome: (href) => Object.fromEntries(new URL(href, "http://next.invalid").searchParams)
        })
        return send(service, HttpClientRequest.get(path).pipe(HttpClientRequest.setUrlParams(params)), { operation }, ProviderHttp.json(schema)).pipe(
          Effect.map((body) => {
            const page = read(body)
            return { items: page.items, next: Option.fromNullable(page.next) }
          })
        )
      }
      return Stream.runCollect(Paginate.stream(fetch, { where, key: (href) => new URL(href, "http://next.invalid").search })).pipe(
        Effect.map((chunk) => [...chunk])
      )
    }

    return { microversion, send, list }
  })

export const jsonBody = (body: unknown) => HttpClientRequest.bodyUnsafeJson(body)
