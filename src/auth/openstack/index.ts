/**
 * OpenStack identity: Keystone v3 (password, application credential) and
 * v2.0 tokens, Swift v1.0 tempauth, the service catalog, and the cached,
 * single-flight session every OpenStack provider signs its requests with.
 */
export * as Catalog from "./Catalog.js"
export * as Keystone from "./Keystone.js"
export * as Session from "./Session.js"
export * as TempAuth from "./TempAuth.js"
export * as Wire from "./Wire.js"

export { EndpointNotFound } from "./Catalog.js"
export type { Catalog as ServiceCatalog, CatalogEntry, EndpointQuery } from "./Catalog.js"
export * from "./Config.js"
export type { EndpointOptions, OpenStackSession, SessionOptions } from "./Session.js"
export type { AuthMethod, OpenStackToken } from "./Token.js"
