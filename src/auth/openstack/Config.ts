/**
 * How an OpenStack client authenticates (DESIGN.md §3): plain objects with
 * `Redacted` secrets, told apart by their fields.
 *
 * - Keystone password: `{ authUrl, username, password, projectName,
 *   userDomainName?, projectDomainName?, region?, interface? }`, or ids
 *   instead of names, or a domain scope instead of a project.
 * - Keystone application credential: `{ authUrl, applicationCredentialId,
 *   applicationCredentialSecret }` (or its name plus the user).
 * - Swift tempauth (v1.0): `{ authUrl, user, key }`.
 * - A token you already have: `{ token, endpoints }`.
 *
 * The Identity API version is read from `authUrl`: a path ending in "/v2.0"
 * is Keystone v2.0 (older clouds), "/v3" or a bare root is v3.
 *
 * `fromEnv` reads the variables the OpenStack and Swift command-line clients
 * use (OS_AUTH_URL, OS_USERNAME, …; ST_AUTH, ST_USER, ST_KEY).
 */
import { Config, Option, Redacted } from "effect"

/** Which of a service's catalog endpoints to use. */
export type Interface = "public" | "internal" | "admin"

export const interfaces: ReadonlyArray<Interface> = ["public", "internal", "admin"]

interface KeystoneCommon {
  /** The Identity endpoint, e.g. "https://keystone.example.com:5000/v3" (or ".../v2.0"). */
  readonly authUrl: string
  /** The catalog region to pick endpoints from; any region when absent. */
  readonly region?: string
  /** The catalog interface to pick endpoints from; default "public". */
  readonly interface?: Interface
}

/**
 * A user and password. The user is named by `username` (in `userDomainName`
 * or `userDomainId`, default the domain with id "default") or by `userId`.
 * The token is scoped to the project named by `projectName` (in
 * `projectDomainName`/`projectDomainId`, default the user's domain) or
 * `projectId`, or else to the domain `domainName`/`domainId`; with none of
 * them it is unscoped (and has no catalog).
 */
export interface KeystonePasswordConfig extends KeystoneCommon {
  readonly username?: string
  readonly userId?: string
  readonly password: Redacted.Redacted<string>
  readonly userDomainName?: string
  readonly userDomainId?: string
  readonly projectName?: string
  readonly projectId?: string
  readonly projectDomainName?: string
  readonly projectDomainId?: string
  readonly domainName?: string
  readonly domainId?: string
}

/**
 * A Keystone application credential (Identity v3 only): by id, or by name
 * with its owner (`userId`, or `username` in a domain). Its token is scoped
 * to the project the credential was created in.
 */
export interface KeystoneApplicationCredentialConfig extends KeystoneCommon {
  readonly applicationCredentialId?: string
  readonly applicationCredentialName?: string
  readonly applicationCredentialSecret: Redacted.Redacted<string>
  readonly username?: string
  readonly userId?: string
  readonly userDomainName?: string
  readonly userDomainId?: string
}

export type KeystoneConfig = KeystonePasswordConfig | KeystoneApplicationCredentialConfig

/** Swift's v1.0 auth (tempauth, swauth): `GET authUrl` with X-Auth-User / X-Auth-Key. */
export interface TempAuthConfig {
  /** e.g. "http://swift.example.com:8080/auth/v1.0" */
  readonly authUrl: string
  /** "account:user" */
  readonly user: string
  readonly key: Redacted.Redacted<string>
}

/** A token obtained elsewhere and the endpoints it is good for, by service type. It cannot be refreshed. */
export interface TokenConfig {
  readonly token: Redacted.Redacted<string>
  readonly endpoints: Readonly<Record<string, string>>
}

export type AuthConfig = KeystoneConfig | TempAuthConfig | TokenConfig

export const isTempAuth = (config: AuthConfig): config is TempAuthConfig => "key" in config && "user" in config

export const isToken = (config: AuthConfig): config is TokenConfig => "token" in config && "endpoints" in config

export const isApplicationCredential = (config: AuthConfig): config is KeystoneApplicationCredentialConfig =>
  "applicationCredentialSecret" in config

export const isKeystone = (config: AuthConfig): config is KeystoneConfig => !isTempAuth(config) && !isToken(config)

// ---------------------------------------------------------------- environment

const optionalString = (name: string) => Config.option(Config.nonEmptyString(name))
const some = <A>(key: string, value: Option.Option<A>): Record<string, A> => (Option.isSome(value) ? { [key]: value.value } : {})

const common = Config.all({
  authUrl: Config.nonEmptyString("OS_AUTH_URL"),
  region: optionalString("OS_REGION_NAME"),
  interface: Config.option(Config.literal("public", "internal", "admin")("OS_INTERFACE"))
})

const user = Config.all({
  username: optionalString("OS_USERNAME"),
  userId: optionalString("OS_USER_ID"),
  userDomainName: optionalString("OS_USER_DOMAIN_NAME"),
  userDomainId: optionalString("OS_USER_DOMAIN_ID")
})

const flatten = (o: Record<string, Option.Option<string>>) => Object.assign({}, ...Object.entries(o).map(([k, v]) => some(k, v))) as Record<string, string>

/** OS_AUTH_URL, OS_USERNAME / OS_USER_ID, OS_PASSWORD, OS_PROJECT_NAME / OS_PROJECT_ID (or OS_TENANT_NAME / OS_TENANT_ID), OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE. */
export const keystonePasswordFromEnv: Config.Config<KeystonePasswordConfig> = Config.all({
  common,
  user,
  password: Config.redacted("OS_PASSWORD"),
  scope: Config.all({
    projectName: Config.option(Config.orElse(Config.nonEmptyString("OS_PROJECT_NAME"), () => Config.nonEmptyString("OS_TENANT_NAME"))),
    projectId: Config.option(Config.orElse(Config.nonEmptyString("OS_PROJECT_ID"), () => Config.nonEmptyString("OS_TENANT_ID"))),
    projectDomainName: optionalString("OS_PROJECT_DOMAIN_NAME"),
    projectDomainId: optionalString("OS_PROJECT_DOMAIN_ID"),
    domainName: optionalString("OS_DOMAIN_NAME"),
    domainId: optionalString("OS_DOMAIN_ID")
  })
}).pipe(Config.map(({ common: c, password, scope, user: u }): KeystonePasswordConfig => ({
  authUrl: c.authUrl,
  password,
  ...flatten({ region: c.region, interface: c.interface, ...u, ...scope })
})))

/** OS_AUTH_URL, OS_APPLICATION_CREDENTIAL_ID or OS_APPLICATION_CREDENTIAL_NAME (+ the user), OS_APPLICATION_CREDENTIAL_SECRET. */
export const keystoneApplicationCredentialFromEnv: Config.Config<KeystoneApplicationCredentialConfig> = Config.all({
  common,
  user,
  id: optionalString("OS_APPLICATION_CREDENTIAL_ID"),
  name: optionalString("OS_APPLICATION_CREDENTIAL_NAME"),
  secret: Config.redacted("OS_APPLICATION_CREDENTIAL_SECRET")
}).pipe(Config.map(({ common: c, id, name, secret, user: u }): KeystoneApplicationCredentialConfig => ({
  authUrl: c.authUrl,
  applicationCredentialSecret: secret,
  ...flatten({ region: c.region, interface: c.interface, applicationCredentialId: id, applicationCredentialName: name, ...u })
})))

/** An application credential when OS_APPLICATION_CREDENTIAL_SECRET is set, else a password. */
export const keystoneFromEnv: Config.Config<KeystoneConfig> = Config.orElse(
  keystoneApplicationCredentialFromEnv,
  (): Config.Config<KeystoneConfig> => keystonePasswordFromEnv
)

/** ST_AUTH, ST_USER, ST_KEY (python-swiftclient's names). */
export const tempAuthFromEnv: Config.Config<TempAuthConfig> = Config.all({
  authUrl: Config.nonEmptyString("ST_AUTH"),
  user: Config.nonEmptyString("ST_USER"),
  key: Config.redacted("ST_KEY")
})

/** Tempauth when ST_AUTH is set, else Keystone. */
export const fromEnv: Config.Config<KeystoneConfig | TempAuthConfig> = Config.orElse(
  tempAuthFromEnv,
  (): Config.Config<KeystoneConfig | TempAuthConfig> => keystoneFromEnv
)

/** A plain string secret, wrapped at once. */
export const redacted = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)
