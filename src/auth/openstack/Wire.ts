/**
 * Keystone's wire shapes: the v3 token body (`POST /v3/auth/tokens`, token in
 * the X-Subject-Token header) and the v2.0 access body (`POST /v2.0/tokens`).
 * Only what cloudfx reads is required; everything else Keystone adds is
 * ignored, so a newer Keystone still decodes.
 */
import { Schema } from "effect"

const NullableString = Schema.optional(Schema.NullOr(Schema.String))

const Named = Schema.Struct({
  id: Schema.String,
  name: Schema.optional(Schema.String)
})

// ---------------------------------------------------------------- v3

export const V3Endpoint = Schema.Struct({
  id: Schema.optional(Schema.String),
  interface: Schema.String,
  region_id: NullableString,
  region: NullableString,
  url: Schema.String
})

export const V3Service = Schema.Struct({
  id: Schema.optional(Schema.String),
  type: Schema.String,
  name: NullableString,
  endpoints: Schema.Array(V3Endpoint)
})

export const V3Token = Schema.Struct({
  expires_at: Schema.String,
  issued_at: Schema.optional(Schema.String),
  methods: Schema.optional(Schema.Array(Schema.String)),
  catalog: Schema.optional(Schema.Array(V3Service)),
  user: Schema.optional(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.String), domain: Schema.optional(Named) })),
  project: Schema.optional(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.String), domain: Schema.optional(Named) })),
  domain: Schema.optional(Named),
  system: Schema.optional(Schema.Unknown),
  roles: Schema.optional(Schema.Array(Named)),
  application_credential: Schema.optional(Named)
})

/** The body of a 201 from `POST /v3/auth/tokens`. */
export const V3TokenResponse = Schema.Struct({ token: V3Token })
export type V3TokenResponse = typeof V3TokenResponse.Type

// ---------------------------------------------------------------- v2.0

export const V2Endpoint = Schema.Struct({
  id: Schema.optional(Schema.String),
  region: NullableString,
  publicURL: NullableString,
  internalURL: NullableString,
  adminURL: NullableString
})

export const V2Service = Schema.Struct({
  type: Schema.String,
  name: NullableString,
  endpoints: Schema.Array(V2Endpoint)
})

export const V2Access = Schema.Struct({
  token: Schema.Struct({
    id: Schema.String,
    expires: Schema.String,
    issued_at: Schema.optional(Schema.String),
    tenant: Schema.optional(Named)
  }),
  // An unscoped v2.0 token has `"serviceCatalog": {}` or none at all.
  serviceCatalog: Schema.optional(Schema.Union(Schema.Array(V2Service), Schema.Struct({}))),
  user: Schema.optional(Schema.Struct({
    id: Schema.String,
    name: Schema.optional(Schema.String),
    roles: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String, id: Schema.optional(Schema.String) })))
  }))
})

/** The body of a 200 from `POST /v2.0/tokens`. */
export const V2TokenResponse = Schema.Struct({ access: V2Access })
export type V2TokenResponse = typeof V2TokenResponse.Type
