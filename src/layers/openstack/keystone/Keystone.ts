/**
 * `Keystone` (cloudfx/openstack): the authenticated OpenStack session as a
 * service. Every OpenStack product (Swift now, Nova, Glance, Cinder and
 * Neutron later) signs its requests with a session and finds its endpoint in
 * the session's catalog; providing one `Keystone.layer` lets them share one
 * token (one authentication, one refresh) instead of each holding its own.
 *
 * ```ts
 * const session = Keystone.layer({
 *   authUrl: "https://keystone.example.com:5000/v3",
 *   username: "demo", password: Redacted.make("…"), projectName: "demo",
 *   userDomainName: "Default", projectDomainName: "Default", region: "RegionOne"
 * })
 * ```
 *
 * The config is any of src/auth/openstack's shapes: Keystone v3 password or
 * application credential, Keystone v2.0 (an authUrl ending in /v2.0), Swift
 * tempauth, or a token with its endpoints.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import type { AuthConfig } from "../../../auth/openstack/Config.js"
import { fromEnv } from "../../../auth/openstack/Config.js"
import * as Session from "../../../auth/openstack/Session.js"

export type {
  AuthConfig,
  Interface,
  KeystoneApplicationCredentialConfig,
  KeystoneConfig,
  KeystonePasswordConfig,
  TempAuthConfig,
  TokenConfig
} from "../../../auth/openstack/Config.js"
export { EndpointNotFound } from "../../../auth/openstack/Catalog.js"
export type { Catalog, CatalogEntry } from "../../../auth/openstack/Catalog.js"
export type { EndpointOptions, OpenStackSession, SessionOptions } from "../../../auth/openstack/Session.js"
export type { OpenStackToken } from "../../../auth/openstack/Token.js"

/** The shared OpenStack session. */
export class Keystone extends Context.Tag("cloudfx/openstack/Keystone")<Keystone, Session.OpenStackSession>() {}

/** A session value (nothing is sent until the first token is needed). */
export const make = (config: AuthConfig, options?: Session.SessionOptions): Effect.Effect<Session.OpenStackSession, never, HttpClient.HttpClient> =>
  Session.make(config, options)

export const layer = (config: AuthConfig, options?: Session.SessionOptions): Layer.Layer<Keystone, never, HttpClient.HttpClient> =>
  Layer.effect(Keystone, make(config, options))

/**
 * From the environment, as the OpenStack CLI reads it: OS_AUTH_URL,
 * OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME,
 * OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE (or
 * OS_APPLICATION_CREDENTIAL_ID / _SECRET), or Swift's ST_AUTH, ST_USER, ST_KEY.
 */
export const layerConfig = (
  config: Config.Config<AuthConfig> = fromEnv
): Layer.Layer<Keystone, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config, (c) => layer(c)))
