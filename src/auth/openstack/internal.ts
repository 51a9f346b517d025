/** @internal Helpers shared by the OpenStack authenticators. */
import type { HttpClient } from "@effect/platform"
import { type Effect, Redacted } from "effect"
import * as ProviderHttp from "../../http/Client.js"
import type * as Retry from "../../http/Retry.js"
import {
  InvalidCredentials,
  MalformedResponse,
  PermissionDenied,
  ProviderError,
  type ProviderFailure,
  Transport
} from "../../schemas/Errors.js"
import { placeholder } from "../../http/Redact.js"

export interface Where {
  readonly provider: string
  readonly operation: string
}

const isHttpUrl = (value: string): boolean => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)

/** A reason the URL cannot be used, or undefined. */
export const checkUrl = (field: string, value: unknown): string | undefined =>
  typeof value !== "string" || !isHttpUrl(value) ? `${field} must be an http(s) URL` : undefined

/** A reason the secret cannot be sent in a header or a body, or undefined. */
export const checkSecret = (field: string, value: unknown): string | undefined =>
  !Redacted.isRedacted(value)
    ? `${field} must be a Redacted string`
    : typeof Redacted.value(value) !== "string" || Redacted.value(value) === ""
    ? `${field} is empty`
    : undefined

export const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== ""

/**
 * Removes secret values from every text field of an error. Providers may echo
 * parts of a request ("invalid input for field …: '<value>'"); whatever
 * Redact.text does not catch, an exact match of the secret does.
 */
export const scrub = (secrets: ReadonlyArray<Redacted.Redacted<string> | undefined>) =>
<E extends ProviderFailure>(error: E): E => {
  const values = secrets.flatMap((s) => (s === undefined ? [] : [Redacted.value(s)])).filter((v) => v.length >= 4)
  if (values.length === 0) return error
  const clean = (text: string) => values.reduce((t, v) => t.split(v).join(placeholder), text)
  const e: ProviderFailure = error
  const at = { provider: e.provider, operation: e.operation }
  const out: ProviderFailure = e._tag === "InvalidCredentials"
    ? new InvalidCredentials({ ...at, reason: clean(e.reason) })
    : e._tag === "PermissionDenied"
    ? new PermissionDenied({ ...at, reason: clean(e.reason) })
    : e._tag === "MalformedResponse"
    ? new MalformedResponse({ ...at, reason: clean(e.reason) })
    : e._tag === "Transport"
    ? new Transport({ ...at, reason: clean(e.reason) })
    : e._tag === "ProviderError"
    ? new ProviderError({
      ...at,
      detail: clean(e.detail),
      ...(e.status === undefined ? {} : { status: e.status }),
      ...(e.code === undefined ? {} : { code: clean(e.code) }),
      ...(e.requestId === undefined ? {} : { requestId: e.requestId })
    })
    : e
  return out as E
}

const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * An ISO 8601 timestamp as OpenStack writes them: "2015-11-07T02:58:43.578887Z",
 * "2010-11-01T03:32:15-05:00", or Swift's zone-less "2026-01-01T10:00:00.123450"
 * (which is UTC). Microseconds are cut to milliseconds. Undefined if it is none of these.
 */
export const parseTimestamp = (value: string): Date | undefined => {
  const m = iso.exec(value.trim())
  if (m === null) return undefined
  const [, date, time, fraction, zone] = m
  const ms = fraction === undefined ? "" : `.${fraction.slice(0, 3).padEnd(3, "0")}`
  const z = zone === undefined || zone.toUpperCase() === "Z" ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
  const at = Date.parse(`${date}T${time!.length === 5 ? `${time}:00` : time}${ms}${z}`)
  return Number.isNaN(at) ? undefined : new Date(at)
}

/** The failures an authenticator can end in: exactly `ProviderFailure`, so a token signer fits src/http's Signer. */
export type AuthError = ProviderFailure

export const invalidConfig = (where: Where, reason: string) => new InvalidCredentials({ ...where, reason })

/** How an authenticator talks to its endpoint. */
export interface AuthenticateOptions {
  /** The provider id on its errors and spans. */
  readonly provider?: string
  readonly timeout?: ProviderHttp.Config["timeout"]
  readonly retry?: Partial<Retry.Policy> | false
}

/** A ProviderHttp for an auth endpoint (unsigned: the credentials are in the request itself). */
export const authHttp = (
  where: Where,
  baseUrl: string,
  options: AuthenticateOptions
): Effect.Effect<ProviderHttp.ProviderHttp, never, HttpClient.HttpClient> =>
  ProviderHttp.make({
    provider: where.provider,
    baseUrl,
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.retry === undefined ? {} : { retry: options.retry })
  })
