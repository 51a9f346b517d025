/**
 * Keystone without a server: request bodies against the documented v3
 * request samples, the documented v3 responses decoded (read in place from
 * $CLOUDFX_VECTORS), v2.0 on replayed responses shaped as the v2.0 API
 * reference documents them (no Keystone that speaks v2.0 runs here: Keystone
 * 22 removed it), and the session's caching and 401 handling over a replay.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as Catalog from "../../../src/auth/openstack/Catalog.js"
import type { KeystoneConfig } from "../../../src/auth/openstack/Config.js"
import { parseTimestamp } from "../../../src/auth/openstack/internal.js"
import * as Keystone from "../../../src/auth/openstack/Keystone.js"
import * as Session from "../../../src/auth/openstack/Session.js"
import * as TempAuth from "../../../src/auth/openstack/TempAuth.js"
import { V3TokenResponse } from "../../../src/auth/openstack/Wire.js"
import * as ProviderHttp from "../../../src/http/Client.js"
import * as Decode from "../../../src/http/Decode.js"
import * as Replay from "../../../src/http/Replay.js"
import { NotFound } from "../../../src/schemas/Errors.js"
import { describeVectors } from "../aws/vectors.js"

const json = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"))
const where = { provider: "test", operation: "test" }
const decodeV3 = (value: unknown) => Effect.runSync(Effect.either(Decode.json(V3TokenResponse, where)(JSON.stringify(value))))

// ---------------------------------------------------------------- documented v3 samples

describeVectors("Keystone v3: the documented request and response samples", "openstack/keystone/v3-samples", (root) => {
  const USER_ID = "ee4dfb6e5540447cb3741905149d9b6e"
  const password = Redacted.make("devstacker")
  const base = { authUrl: "http://keystone.example.com/identity/v3", userId: USER_ID, password }

  const requests: ReadonlyArray<readonly [string, KeystoneConfig]> = [
    ["auth/requests/project-name-password.json", { ...base, projectName: "admin", projectDomainId: "default" }],
    ["auth/requests/project-id-password.json", { ...base, projectId: "a6944d763bf64ee6a275f1263fae0352" }],
    ["auth/requests/domain-id-password.json", { ...base, domainId: "default" }],
    ["auth/requests/domain-name-password.json", { ...base, domainName: "Default" }],
    ["admin/auth-password-unscoped-request-with-domain.json", { authUrl: base.authUrl, username: "admin", userDomainName: "Default", password }],
    ["admin/auth-password-unscoped-request.json", { authUrl: base.authUrl, userId: "423f19a4ac1e4f48bbb4180756e6eb6c", password }],
    [
      "admin/auth-application-credential-id-request.json",
      { authUrl: base.authUrl, applicationCredentialId: "423f19a4ac1e4f48bbb4180756e6eb6c", applicationCredentialSecret: Redacted.make("rEaqvJka48mpv") }
    ],
    [
      "admin/auth-application-credential-name-request.json",
      {
        authUrl: base.authUrl,
        applicationCredentialName: "monitoring",
        userId: "423f19a4ac1e4f48bbb4180756e6eb6c",
        applicationCredentialSecret: Redacted.make("rEaqvJka48mpv")
      }
    ]
  ]

  for (const [file, config] of requests) {
    it(`builds the body of ${file}`, () => {
      expect(Keystone.v3RequestBody(config)).toEqual(Either.right(json(join(root, file))))
    })
  }

  it("decodes every documented token response and builds a token from it", () => {
    const files = readdirSync(join(root, "auth/responses")).filter((f) => f.endsWith(".json") && !f.includes("receipt"))
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const file of [...files.map((f) => join(root, "auth/responses", f)), join(root, "admin/auth-application-credential-response.json")]) {
      const decoded = decodeV3(json(file))
      expect(Either.isRight(decoded), file).toBe(true)
      if (Either.isLeft(decoded)) continue
      const token = Keystone.fromV3Response("ffe47524401e4d61adc7310f7e5b6191", decoded.right, Date.UTC(2015, 10, 7), where)
      expect(Either.isRight(token), file).toBe(true)
      if (Either.isLeft(token)) continue
      expect(token.right.expiresAt.getTime()).toBeLessThanOrEqual(parseTimestamp(decoded.right.token.expires_at)!.getTime())
      expect(token.right.catalog.length).toBe((decoded.right.token.catalog ?? []).reduce((n, s) => n + s.endpoints.length, 0))
    }
  })

  it("the project-scoped sample: project, roles, expiry and every interface of the identity endpoint", () => {
    const decoded = Either.getOrThrow(decodeV3(json(join(root, "auth/responses/project-scoped-password.json"))))
    // Our clock is an hour after the server's: the token is used for its lifetime from when we asked.
    const askedAt = Date.parse("2015-11-07T02:58:43Z")
    const token = Either.getOrThrow(Keystone.fromV3Response("tok", decoded, askedAt, where))
    expect(token.method).toBe("keystone-v3")
    expect(token.project).toEqual({ id: "a6944d763bf64ee6a275f1263fae0352", name: "admin", domainId: "default" })
    expect(token.user).toEqual({ id: "ee4dfb6e5540447cb3741905149d9b6e", name: "admin" })
    expect(token.roles).toEqual(["admin"])
    expect(token.issuedAt?.toISOString()).toBe("2015-11-07T01:58:43.578Z")
    expect(token.expiresAt.toISOString()).toBe("2015-11-07T02:58:43.578Z")
    for (const iface of ["public", "internal", "admin"] as const) {
      const found = Catalog.select(token.catalog, { serviceType: "identity", interface: iface, region: "RegionOne" }, where)
      expect(Either.getOrThrow(found)).toMatchObject({ url: "http://example.com/identity", interface: iface, serviceName: "keystone" })
    }
    const missing = Catalog.select(token.catalog, { serviceType: "object-store", region: "RegionOne" }, where)
    expect(Either.isLeft(missing)).toBe(true)
    if (Either.isLeft(missing)) {
      expect(missing.left).toBeInstanceOf(NotFound)
      expect(missing.left._tag).toBe("NotFound")
      expect(missing.left).toMatchObject({ resource: "endpoint", id: "object-store", available: ["identity (keystone): public@RegionOne, admin@RegionOne, internal@RegionOne"] })
      expect(missing.left.message).toContain(`no public endpoint for service type "object-store" in region "RegionOne"`)
      expect(missing.left.message).toContain("identity (keystone): public@RegionOne")
    }
  })

  it("the application-credential sample is scoped to its project", () => {
    const decoded = Either.getOrThrow(decodeV3(json(join(root, "admin/auth-application-credential-response.json"))))
    const token = Either.getOrThrow(Keystone.fromV3Response("tok", decoded, 0, where))
    expect(token.project?.id).toBe("231c62fb0fbd485b995e8b060c3f0d98")
    expect(decoded.token.application_credential).toMatchObject({ id: "423f19a4ac1e4f48bbb4180756e6eb6c", name: "monitoring" })
  })

  it("the unscoped sample has no catalog: looking up any endpoint says so", () => {
    const decoded = Either.getOrThrow(decodeV3(json(join(root, "auth/responses/unscoped-password.json"))))
    const token = Either.getOrThrow(Keystone.fromV3Response("tok", decoded, 0, where))
    expect(token.catalog).toEqual([])
    const e = Either.flip(Catalog.select(token.catalog, { serviceType: "identity" }, where)).pipe(Either.getOrThrow)
    expect(e.message).toContain("the catalog is empty")
  })

  it("the X-Subject-Token of the documented HTTP exchange", () => {
    const http = readFileSync(join(root, "admin/auth-password-user-name-unscoped-response-HTTP.txt"), "utf8")
    const header = /^X-Subject-Token: (\S+)$/m.exec(http)?.[1]
    expect(header).toBe("ffe47524401e4d61adc7310f7e5b6191")
  })
})

// ---------------------------------------------------------------- config checks, URL and time parsing

describe("Keystone: configuration, URLs and timestamps", () => {
  const password = Redacted.make("pw-0123")
  it("reads the Identity version from authUrl", () => {
    expect(Keystone.identityEndpoint("http://k:5000/v3/")).toEqual({ version: "v3", url: "http://k:5000/v3" })
    expect(Keystone.identityEndpoint("http://k:5000/v2.0")).toEqual({ version: "v2.0", url: "http://k:5000/v2.0" })
    expect(Keystone.identityEndpoint("http://k:5000")).toEqual({ version: "v3", url: "http://k:5000/v3" })
    expect(Keystone.identityEndpoint("https://cloud/identity/")).toEqual({ version: "v3", url: "https://cloud/identity/v3" })
  })

  it("defaults the domains to 'default' and the project's to the user's", () => {
    expect(Keystone.v3RequestBody({ authUrl: "http://k/v3", username: "u", password, projectName: "p" })).toEqual(Either.right({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "u", domain: { id: "default" }, password: "pw-0123" } } },
        scope: { project: { name: "p", domain: { id: "default" } } }
      }
    }))
    expect(Keystone.v3RequestBody({ authUrl: "http://k/v3", username: "u", userDomainName: "Corp", password, projectName: "p" })).toEqual(Either.right({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "u", domain: { name: "Corp" }, password: "pw-0123" } } },
        scope: { project: { name: "p", domain: { name: "Corp" } } }
      }
    }))
  })

  it("a config that cannot authenticate says why, without its secret", () => {
    const bad: ReadonlyArray<readonly [KeystoneConfig, string]> = [
      [{ authUrl: "ftp://k", username: "u", password }, "authUrl must be an http(s) URL"],
      [{ authUrl: "http://k/v3", password }, "username or userId is required"],
      [{ authUrl: "http://k/v3", username: "u", password: Redacted.make("") }, "password is empty"],
      [{ authUrl: "http://k/v3", username: "u", password: "plain" as never }, "password must be a Redacted string"],
      [{ authUrl: "http://k/v3", username: "u", password, projectName: "p", domainName: "d" }, "scope the token to a project or to a domain, not both"],
      [{ authUrl: "http://k/v3", applicationCredentialSecret: password }, "applicationCredentialId or applicationCredentialName is required"],
      [{ authUrl: "http://k/v3", applicationCredentialName: "n", applicationCredentialSecret: password }, "needs its user"]
    ]
    for (const [config, reason] of bad) {
      const body = Keystone.v3RequestBody(config)
      expect(Either.isLeft(body)).toBe(true)
      if (Either.isLeft(body)) {
        expect(body.left).toContain(reason)
        expect(body.left).not.toContain("pw-0123")
      }
    }
    expect(Either.getLeft(Keystone.v2RequestBody({ authUrl: "http://k/v2.0", applicationCredentialId: "i", applicationCredentialSecret: password })))
      .toEqual(expect.objectContaining({ value: expect.stringContaining("Identity v3") }))
  })

  it("parses OpenStack's timestamps", () => {
    expect(parseTimestamp("2015-11-07T02:58:43.578887Z")?.toISOString()).toBe("2015-11-07T02:58:43.578Z")
    expect(parseTimestamp("2010-11-01T03:32:15-05:00")?.toISOString()).toBe("2010-11-01T08:32:15.000Z")
    // Swift's listings carry no zone: UTC.
    expect(parseTimestamp("2026-01-02T03:04:05.123450")?.toISOString()).toBe("2026-01-02T03:04:05.123Z")
    expect(parseTimestamp("2026-01-02T03:04:05+0130")?.toISOString()).toBe("2026-01-02T01:34:05.000Z")
    expect(parseTimestamp("yesterday")).toBeUndefined()
    expect(parseTimestamp("2026-13-45T99:00:00Z")).toBeUndefined()
  })
})

// ---------------------------------------------------------------- v3 and v2.0 over replayed responses

const AUTH_V3 = "http://keystone.test:5000/v3"
const AUTH_V2 = "http://keystone.test:5000/v2.0"
const PASSWORD = "s3cr3t-Pa55word"

const v3Body = (expiresAt: string, issuedAt: string) =>
  JSON.stringify({
    token: {
      methods: ["password"],
      expires_at: expiresAt,
      issued_at: issuedAt,
      project: { id: "p1", name: "demo", domain: { id: "default", name: "Default" } },
      user: { id: "u1", name: "demo", domain: { id: "default", name: "Default" } },
      roles: [{ id: "r1", name: "member" }],
      catalog: [
        { type: "identity", name: "keystone", endpoints: [{ interface: "public", region_id: "RegionOne", region: "RegionOne", url: AUTH_V3 }] },
        {
          type: "object-store",
          name: "swift",
          endpoints: [
            { interface: "public", region_id: "RegionOne", region: "RegionOne", url: "http://swift.one/v1/AUTH_p1" },
            { interface: "internal", region_id: "RegionOne", region: "RegionOne", url: "http://swift.one.internal/v1/AUTH_p1" },
            { interface: "public", region_id: "RegionTwo", region: "RegionTwo", url: "http://swift.two/v1/AUTH_p1/" }
          ]
        }
      ]
    }
  })

const v3Token = (id: string, expiresAt = "2099-01-01T00:00:00.000000Z", issuedAt = "2098-12-31T23:00:00.000000Z"): Replay.Exchange => ({
  request: { method: "POST", url: `${AUTH_V3}/auth/tokens` },
  response: { status: 201, headers: { "x-subject-token": id, "content-type": "application/json" }, body: v3Body(expiresAt, issuedAt) }
})

const v3Config: KeystoneConfig = { authUrl: AUTH_V3, username: "demo", password: Redacted.make(PASSWORD), projectName: "demo" }

describe("Keystone v3 over replayed responses", () => {
  it.effect("posts the password body and reads the token, its expiry and its catalog", () =>
    Effect.gen(function*() {
      const token = yield* Keystone.authenticate(v3Config)
      expect(Redacted.value(token.token)).toBe("tok-1")
      expect(token.catalog).toHaveLength(4)
      expect(Either.getOrThrow(Catalog.select(token.catalog, { serviceType: "object-store", region: "RegionTwo" }, where)).url).toBe("http://swift.two/v1/AUTH_p1")
      expect(Either.getOrThrow(Catalog.select(token.catalog, { serviceType: "object-store", interface: "internal" }, where)).url)
        .toBe("http://swift.one.internal/v1/AUTH_p1")
      const [sent] = yield* Replay.requests
      expect(sent?.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(new TextDecoder().decode(sent!.body))).toEqual({
        auth: {
          identity: { methods: ["password"], password: { user: { name: "demo", domain: { id: "default" }, password: PASSWORD } } },
          scope: { project: { name: "demo", domain: { id: "default" } } }
        }
      })
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([v3Token("tok-1")]))))

  it.effect("a 401 is InvalidCredentials; garbage and missing tokens are MalformedResponse; none carries the password", () =>
    Effect.gen(function*() {
      const unauthorized = yield* Effect.flip(Keystone.authenticate(v3Config))
      expect(unauthorized._tag).toBe("InvalidCredentials")
      expect(unauthorized.message).toContain("requires authentication")
      for (const _ of [1, 2, 3]) {
        const e = yield* Effect.flip(Keystone.authenticate(v3Config))
        expect(e._tag).toBe("MalformedResponse")
        expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(PASSWORD)
      }
      const echoed = yield* Effect.flip(Keystone.authenticate(v3Config))
      expect(echoed._tag).toBe("ProviderError")
      expect(`${echoed.message} ${JSON.stringify(echoed)}`).not.toContain(PASSWORD)
      expect(unauthorized.message).not.toContain(PASSWORD)
    }).pipe(Effect.provide(Replay.layer([
      {
        request: { method: "POST" },
        response: { status: 401, body: JSON.stringify({ error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } }) }
      },
      { request: { method: "POST" }, response: { status: 201, body: v3Body("2099-01-01T00:00:00Z", "2098-12-31T00:00:00Z") } },
      { request: { method: "POST" }, response: { status: 201, headers: { "x-subject-token": "t" }, body: "<html>oops</html>" } },
      { request: { method: "POST" }, response: { status: 201, headers: { "x-subject-token": "t" }, body: v3Body("soon", "now") } },
      {
        request: { method: "POST" },
        response: { status: 400, body: JSON.stringify({ error: { code: 400, message: `Invalid input for field 'password': '${PASSWORD}' is too short`, title: "Bad Request" } }) }
      }
    ]))))

  it.effect("a config that cannot authenticate fails before anything is sent", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Keystone.authenticate({ authUrl: AUTH_V3, password: Redacted.make(PASSWORD) }))
      expect(e).toMatchObject({ _tag: "InvalidCredentials", provider: "openstack-keystone", operation: "Keystone.authenticate" })
      expect(yield* Replay.requests).toHaveLength(0)
    }).pipe(Effect.provide(Replay.layer([]))))
})

/** The v2.0 API reference's authenticate response, with our own values. */
const v2Access = (id: string, serviceCatalog: unknown) =>
  JSON.stringify({
    access: {
      token: { id, expires: "2099-11-01T03:32:15-05:00", tenant: { id: "t1000", name: "My Project" } },
      user: { id: "u123", name: "jqsmith", roles: [{ id: "100", name: "compute:admin" }, { id: "101", name: "object-store:admin", tenantId: "t1000" }], roles_links: [] },
      serviceCatalog
    }
  })

const V2_CATALOG = [
  {
    name: "Cloud Servers",
    type: "compute",
    endpoints: [
      { tenantId: "t1000", publicURL: "https://compute.north.host.com/v1/t1000", internalURL: "https://compute.north.internal/v1/t1000", region: "North", versionId: "1" }
    ],
    endpoints_links: []
  },
  {
    name: "Cloud Files",
    type: "object-store",
    endpoints: [
      { tenantId: "t1000", publicURL: "https://storage.north.host.com/v1/t1000", internalURL: "https://storage.north.internal/v1/t1000", region: "North" },
      { tenantId: "t1000", publicURL: "https://storage.south.host.com/v1/t1000", internalURL: "https://storage.south.internal/v1/t1000", region: "South" }
    ]
  },
  { name: "DNS-as-a-Service", type: "dnsextension:dns", endpoints: [{ tenantId: "t1000", publicURL: "https://dns.host.com/v2.0/t1000", versionId: "2.0" }] }
]

describe("Keystone v2.0 over replayed responses (the v2.0 API reference's shapes)", () => {
  const v2Config: KeystoneConfig = { authUrl: AUTH_V2, username: "jqsmith", password: Redacted.make(PASSWORD), projectName: "My Project" }

  it.effect("POST /v2.0/tokens with passwordCredentials and tenantName; access.token.id, expires and serviceCatalog", () =>
    Effect.gen(function*() {
      const token = yield* Keystone.authenticate(v2Config)
      expect(token.method).toBe("keystone-v2.0")
      expect(Redacted.value(token.token)).toBe("ab48a9efdfedb23ty3494")
      expect(token.expiresAt.toISOString()).toBe("2099-11-01T08:32:15.000Z")
      expect(token.project).toEqual({ id: "t1000", name: "My Project" })
      expect(token.roles).toEqual(["compute:admin", "object-store:admin"])
      const pick = (q: Catalog.EndpointQuery) => Either.getOrThrow(Catalog.select(token.catalog, q, where)).url
      expect(pick({ serviceType: "object-store" })).toBe("https://storage.north.host.com/v1/t1000")
      expect(pick({ serviceType: "object-store", region: "South", interface: "internal" })).toBe("https://storage.south.internal/v1/t1000")
      expect(pick({ serviceType: "dnsextension:dns" })).toBe("https://dns.host.com/v2.0/t1000")
      // No adminURL anywhere in this catalog.
      const admin = Either.flip(Catalog.select(token.catalog, { serviceType: "object-store", interface: "admin" }, where)).pipe(Either.getOrThrow)
      expect(admin.available).toContain("object-store (Cloud Files): public@North, internal@North, public@South, internal@South")
      const [sent] = yield* Replay.requests
      expect(JSON.parse(new TextDecoder().decode(sent!.body))).toEqual({
        auth: { passwordCredentials: { username: "jqsmith", password: PASSWORD }, tenantName: "My Project" }
      })
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "POST", url: `${AUTH_V2}/tokens` }, response: { status: 200, body: v2Access("ab48a9efdfedb23ty3494", V2_CATALOG) } }
    ]))))

  it.effect("tenantId, an unscoped token (serviceCatalog {}), a 401 and an application credential", () =>
    Effect.gen(function*() {
      const unscoped = yield* Keystone.authenticate({ ...v2Config, projectName: undefined as never, projectId: "t1000" } as KeystoneConfig)
      expect(unscoped.catalog).toEqual([])
      const [sent] = yield* Replay.requests
      expect(JSON.parse(new TextDecoder().decode(sent!.body)).auth.tenantId).toBe("t1000")
      const denied = yield* Effect.flip(Keystone.authenticate(v2Config))
      expect(denied._tag).toBe("InvalidCredentials")
      expect(denied.message).not.toContain(PASSWORD)
      const appCred = yield* Effect.flip(Keystone.authenticate({ authUrl: AUTH_V2, applicationCredentialId: "a", applicationCredentialSecret: Redacted.make(PASSWORD) }))
      expect(appCred._tag).toBe("InvalidCredentials")
      expect(yield* Replay.requests).toHaveLength(2)
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      { request: { method: "POST", url: `${AUTH_V2}/tokens` }, response: { status: 200, body: v2Access("unscoped", {}) } },
      {
        request: { method: "POST", url: `${AUTH_V2}/tokens` },
        response: { status: 401, body: JSON.stringify({ error: { message: "The request you have made requires authentication.", code: 401, title: "Unauthorized" } }) }
      }
    ]))))
})

// ---------------------------------------------------------------- tempauth headers

describe("Swift tempauth: the auth answer's headers", () => {
  it("X-Auth-Token (or X-Storage-Token), X-Storage-Url and X-Auth-Token-Expires", () => {
    const t = Either.getOrThrow(TempAuth.fromHeaders({ "x-storage-token": "AUTH_tk1", "x-storage-url": "http://s/v1/AUTH_a/", "x-auth-token-expires": "600" }, 1000, where))
    expect(Redacted.value(t.token)).toBe("AUTH_tk1")
    expect(t.expiresAt.getTime()).toBe(1000 + 600_000)
    expect(t.catalog).toEqual([{ serviceType: "object-store", interface: "public", url: "http://s/v1/AUTH_a" }])
    const noExpiry = Either.getOrThrow(TempAuth.fromHeaders({ "x-auth-token": "AUTH_tk2", "x-storage-url": "http://s/v1/AUTH_a" }, 0, where))
    expect(noExpiry.expiresAt.getTime()).toBe(TempAuth.DEFAULT_LIFETIME_MS)
    for (const headers of [{ "x-storage-url": "http://s/v1/AUTH_a" }, { "x-auth-token": "t" }, { "x-auth-token": "t\r\nx: y", "x-storage-url": "http://s" }, { "x-auth-token": "t", "x-storage-url": "javascript:1" }]) {
      expect(Either.getLeft(TempAuth.fromHeaders(headers, 0, where))).toMatchObject({ value: { _tag: "MalformedResponse" } })
    }
  })
})

// ---------------------------------------------------------------- the session over a replay

const SERVICE = "http://swift.one/v1/AUTH_p1"

describe("Session: cached token, endpoint choice, one re-authentication after a 401", () => {
  const serviceCall = (session: Session.OpenStackSession) =>
    Effect.gen(function*() {
      const http = yield* ProviderHttp.make({ provider: "svc", baseUrl: yield* session.endpoint("object-store"), signer: session.signer })
      return yield* http.execute(HttpClientRequest.get("/c"), { operation: "svc.get" }, ProviderHttp.text)
    })

  it.effect("authenticates once for many requests; a 401 drops the token, re-authenticates once and resends", () =>
    Effect.gen(function*() {
      const session = yield* Session.make({ ...v3Config, region: "RegionOne" })
      expect(yield* serviceCall(session)).toBe("one")
      expect(yield* serviceCall(session)).toBe("two")
      expect(yield* serviceCall(session)).toBe("after re-auth")
      // Only one re-authentication per request: a second 401 is the answer.
      const e = yield* Effect.flip(serviceCall(session))
      expect(e._tag).toBe("InvalidCredentials")
      const sent = yield* Replay.requests
      expect(sent.map((r) => `${r.method} ${r.url} ${r.headers["x-auth-token"] ?? ""}`)).toEqual([
        `POST ${AUTH_V3}/auth/tokens `,
        `GET ${SERVICE}/c tok-1`,
        `GET ${SERVICE}/c tok-1`,
        `GET ${SERVICE}/c tok-1`,
        `POST ${AUTH_V3}/auth/tokens `,
        `GET ${SERVICE}/c tok-2`,
        `GET ${SERVICE}/c tok-2`,
        `POST ${AUTH_V3}/auth/tokens `,
        `GET ${SERVICE}/c tok-3`
      ])
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      v3Token("tok-1"),
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-1" } }, response: { body: "one" } },
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-1" } }, response: { body: "two" } },
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-1" } }, response: { status: 401 } },
      v3Token("tok-2"),
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-2" } }, response: { body: "after re-auth" } },
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-2" } }, response: { status: 401 } },
      v3Token("tok-3"),
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "tok-3" } }, response: { status: 401 } }
    ]))))

  it.effect("region and interface choose the endpoint; a wrong region lists what there is", () =>
    Effect.gen(function*() {
      const session = yield* Session.make({ ...v3Config, region: "RegionTwo" })
      expect(yield* session.endpoint("object-store")).toBe("http://swift.two/v1/AUTH_p1")
      expect(yield* session.endpoint("object-store", { region: "RegionOne", interface: "internal" })).toBe("http://swift.one.internal/v1/AUTH_p1")
      const e = yield* Effect.flip(session.endpoint("object-store", { region: "RegionThree" }))
      expect(e).toBeInstanceOf(Catalog.EndpointNotFound)
      expect(e.message).toContain("object-store (swift): public@RegionOne, internal@RegionOne, public@RegionTwo")
      expect(e.message).toContain("identity (keystone): public@RegionOne")
      expect((yield* Replay.requests).length).toBe(1)
    }).pipe(Effect.provide(Replay.layer([v3Token("tok-1")]))))

  it.effect("a token config: its endpoints, its header, and a 401 that is final", () =>
    Effect.gen(function*() {
      const session = yield* Session.make({ token: Redacted.make("given"), endpoints: { "object-store": `${SERVICE}/` } })
      expect(yield* session.endpoint("object-store")).toBe(SERVICE)
      expect(yield* serviceCall(session)).toBe("ok")
      expect((yield* Effect.flip(serviceCall(session)))._tag).toBe("InvalidCredentials")
      const e = yield* Effect.flip(session.endpoint("compute"))
      expect(e._tag).toBe("NotFound")
      yield* Replay.assertDone
    }).pipe(Effect.provide(Replay.layer([
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "given" } }, response: { body: "ok" } },
      { request: { url: `${SERVICE}/c`, headers: { "x-auth-token": "given" } }, response: { status: 401 } }
    ]))))
})
