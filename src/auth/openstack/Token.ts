/** What every OpenStack authenticator produces: the token, when it expires, and where it can be used. */
import type { Token } from "../TokenCache.js"
import type { Catalog } from "./Catalog.js"

export type AuthMethod = "keystone-v3" | "keystone-v2.0" | "tempauth" | "token"

export interface OpenStackToken extends Token {
  readonly method: AuthMethod
  /**
   * When cloudfx stops using the token. For Keystone this is the server's
   * `expires_at`, moved earlier if our clock is behind the server's (the
   * token's lifetime `expires_at - issued_at` counted from when we asked).
   */
  readonly expiresAt: Date
  readonly issuedAt?: Date
  /** The endpoints the token is good for (empty for an unscoped Keystone token). */
  readonly catalog: Catalog
  readonly user?: { readonly id: string; readonly name?: string }
  readonly project?: { readonly id: string; readonly name?: string; readonly domainId?: string }
  readonly domain?: { readonly id: string; readonly name?: string }
  readonly roles?: ReadonlyArray<string>
}
