/**
 * The service catalog a Keystone token carries, flattened to one entry per
 * (service, interface, region) URL, and the choice of an endpoint from it by
 * service type, region and interface.
 *
 * When nothing matches, the error lists what the catalog does have, so a
 * wrong region or interface is obvious from the message alone.
 */
import { Either, Schema } from "effect"
import { NotFound } from "../../schemas/Errors.js"
import type { Interface } from "./Config.js"
import type { Where } from "./internal.js"
import type { V2Service as V2ServiceSchema, V2TokenResponse, V3TokenResponse } from "./Wire.js"

type V2Service = typeof V2ServiceSchema.Type

export interface CatalogEntry {
  /** "identity", "object-store", "compute", "image", "volumev3", "network", … */
  readonly serviceType: string
  readonly serviceName?: string
  readonly interface: string
  readonly region?: string
  readonly url: string
}

export type Catalog = ReadonlyArray<CatalogEntry>

export interface EndpointQuery {
  readonly serviceType: string
  /** Only endpoints of this region; any region when absent. */
  readonly region?: string | undefined
  /** Default "public". */
  readonly interface?: Interface | undefined
  /** Only the service with this name (when a catalog has two of one type). */
  readonly serviceName?: string | undefined
}

/** A `NotFound` (resource "endpoint") that also says what the catalog offers. */
export class EndpointNotFound extends NotFound.extend<EndpointNotFound>("cloudfx/openstack/EndpointNotFound")({
  serviceType: Schema.String,
  interface: Schema.String,
  region: Schema.optional(Schema.String),
  /** What the catalog has, one line per service: "object-store (swift): public@RegionOne, internal@RegionOne". */
  available: Schema.Array(Schema.String)
}) {
  override get message() {
    const region = this.region === undefined ? "" : ` in region "${this.region}"`
    const has = this.available.length === 0 ? "the catalog is empty (an unscoped token has none: scope it to a project)" : `the catalog has: ${this.available.join("; ")}`
    return `${this.provider} ${this.operation}: no ${this.interface} endpoint for service type "${this.serviceType}"${region}; ${has}`
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, "")

export const fromV3 = (body: V3TokenResponse): Catalog =>
  (body.token.catalog ?? []).flatMap((service) =>
    service.endpoints.map((e): CatalogEntry => {
      const region = e.region_id ?? e.region ?? undefined
      return {
        serviceType: service.type,
        ...(service.name == null ? {} : { serviceName: service.name }),
        interface: e.interface,
        ...(region == null ? {} : { region }),
        url: trimSlash(e.url)
      }
    })
  )

const v2Urls = [["public", "publicURL"], ["internal", "internalURL"], ["admin", "adminURL"]] as const

export const fromV2 = (body: V2TokenResponse): Catalog => {
  const listed = body.access.serviceCatalog
  const services: ReadonlyArray<V2Service> = Array.isArray(listed) ? (listed as ReadonlyArray<V2Service>) : []
  return services.flatMap((service) =>
    service.endpoints.flatMap((e) =>
      v2Urls.flatMap(([iface, field]): ReadonlyArray<CatalogEntry> => {
        const url = e[field]
        if (url == null || url === "") return []
        return [{
          serviceType: service.type,
          ...(service.name == null ? {} : { serviceName: service.name }),
          interface: iface,
          ...(e.region == null ? {} : { region: e.region }),
          url: trimSlash(url)
        }]
      })
    )
  )
}

/** One line per service type: "object-store (swift): public@RegionOne, internal@RegionOne". */
export const describe = (catalog: Catalog): ReadonlyArray<string> => {
  const byService = new Map<string, Array<string>>()
  for (const e of catalog) {
    const key = e.serviceName === undefined ? e.serviceType : `${e.serviceType} (${e.serviceName})`
    const list = byService.get(key) ?? []
    const where = `${e.interface}@${e.region ?? "(no region)"}`
    if (!list.includes(where)) list.push(where)
    byService.set(key, list)
  }
  return [...byService].map(([service, places]) => `${service}: ${places.join(", ")}`)
}

/** The first endpoint that matches, in catalog order, or an EndpointNotFound naming what there is. */
export const select = (catalog: Catalog, query: EndpointQuery, where: Where): Either.Either<CatalogEntry, EndpointNotFound> => {
  const iface = query.interface ?? "public"
  const found = catalog.find((e) =>
    e.serviceType === query.serviceType &&
    e.interface === iface &&
    (query.region === undefined || e.region === query.region) &&
    (query.serviceName === undefined || e.serviceName === query.serviceName)
  )
  if (found !== undefined) return Either.right(found)
  const id = query.serviceName === undefined ? query.serviceType : `${query.serviceType} (${query.serviceName})`
  return Either.left(
    new EndpointNotFound({
      ...where,
      resource: "endpoint",
      id,
      serviceType: query.serviceType,
      interface: iface,
      ...(query.region === undefined ? {} : { region: query.region }),
      available: describe(catalog)
    })
  )
}
