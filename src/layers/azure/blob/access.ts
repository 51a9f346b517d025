/**
 * Container public access and stored access policies (Get / Set Container
 * ACL). Set Container ACL replaces the policies with its body, so changing
 * the public access level re-sends the policies just read — a read-modify-
 * write: a policy changed by someone else in between is overwritten.
 */
import { HttpBody, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import { type Client, containerPath } from "./client.js"
import { classifyResource } from "./errors.js"
import * as Wire from "./wire.js"

export type PublicAccess = "none" | "blob" | "container"

export interface AccessPolicy {
  readonly id: string
  readonly start?: string
  readonly expiry?: string
  /** Permission letters, e.g. "rl". */
  readonly permission?: string
}

export interface ContainerAccess {
  readonly publicAccess: PublicAccess
  readonly policies: ReadonlyArray<AccessPolicy>
}

const aclRequest = (c: string, method: "GET" | "PUT") =>
  (method === "GET" ? HttpClientRequest.get(containerPath(c)) : HttpClientRequest.put(containerPath(c))).pipe(
    HttpClientRequest.setUrlParams({ restype: "container", comp: "acl" })
  )

const present = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s)

export const getAccess = (client: Client, operation: string, c: string) =>
  client.http.execute(aclRequest(c, "GET"), { operation, classify: classifyResource({ container: c }) }, (response, where) =>
    Effect.map(ProviderHttp.xml(Wire.SignedIdentifiersResult, Wire.signedIdentifiersArrays)(response, where), (doc): ContainerAccess => {
      const level = response.headers["x-ms-blob-public-access"]
      const ids = typeof doc.SignedIdentifiers === "string" ? [] : doc.SignedIdentifiers.SignedIdentifier
      return {
        publicAccess: level === "blob" || level === "container" ? level : "none",
        policies: ids.map((i) => {
          const p = typeof i.AccessPolicy === "object" ? i.AccessPolicy : {}
          const start = present(p.Start)
          const expiry = present(p.Expiry)
          const permission = present(p.Permission)
          return {
            id: i.Id,
            ...(start === undefined ? {} : { start }),
            ...(expiry === undefined ? {} : { expiry }),
            ...(permission === undefined ? {} : { permission })
          }
        })
      }
    }))

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;")

const element = (name: string, value: string | undefined) => (value === undefined ? "" : `<${name}>${escapeXml(value)}</${name}>`)

export const aclBody = (policies: ReadonlyArray<AccessPolicy>): string =>
  `<?xml version="1.0" encoding="utf-8"?><SignedIdentifiers>${
    policies.map((p) =>
      `<SignedIdentifier><Id>${escapeXml(p.id)}</Id><AccessPolicy>${element("Start", p.start)}${element("Expiry", p.expiry)}${
        element("Permission", p.permission)
      }</AccessPolicy></SignedIdentifier>`
    ).join("")
  }</SignedIdentifiers>`

/** Sets the public access level, keeping the stored access policies. */
export const setPublicAccess = (client: Client, operation: string, c: string, level: PublicAccess) =>
  Effect.flatMap(getAccess(client, operation, c), (current) =>
    client.http.execute(
      aclRequest(c, "PUT").pipe(
        HttpClientRequest.setHeaders(level === "none" ? {} : { "x-ms-blob-public-access": level }),
        HttpClientRequest.setBody(HttpBody.text(aclBody(current.policies), "application/xml"))
      ),
      { operation, classify: classifyResource({ container: c }) },
      ProviderHttp.empty
    ))
