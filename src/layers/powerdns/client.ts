/**
 * The PowerDNS HTTP API v1 client: `X-API-Key`, JSON, and PowerDNS's error
 * answers turned into the taxonomy.
 *
 * PowerDNS answers errors as `{"error": "<message>"}` (422 for content it
 * cannot parse, a duplicate record, a CNAME clash, a name out of zone; 400
 * for a request it cannot read) and as plain text for the generic ones
 * ("Not Found", "Conflict", "Unauthorized"). 422/400 are the caller's input:
 * InvalidInput with PowerDNS's message as the reason, except the two that
 * name the zone's state — a duplicate record (AlreadyExists) and a CNAME
 * beside other data (Conflict).
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import type * as Errors from "../../http/Errors.js"
import * as ProviderHttp from "../../http/Client.js"
import * as Signer from "../../http/Signer.js"
import * as Url from "../../http/Url.js"
import { AlreadyExists, Conflict, InvalidInput, type NotFound, type ProviderFailure } from "../../schemas/Errors.js"
import { apiBase, DEFAULT_SERVER, type PowerDnsConfig, PROVIDER } from "./config.js"
import type { RRSetChange } from "./wire.js"

/** `{"error": "..."}`; plain-text bodies give nothing (the status phrase is used). */
export const extract: Errors.Extractor = (response) => {
  try {
    const body: unknown = JSON.parse(response.body)
    if (typeof body === "object" && body !== null && "error" in body && typeof body.error === "string" && body.error !== "") {
      return { message: body.error }
    }
  } catch {
    // not JSON
  }
  return {}
}

/** A 400/422 for a request about `field`: PowerDNS's message is the reason. */
export const refusedInput = (field: string) => (failure: Errors.FailureContext): InvalidInput | undefined =>
  failure.status === 422 || failure.status === 400
    ? new InvalidInput({ ...failure.where, field, reason: failure.message ?? "PowerDNS refused the request" })
    : undefined

/** A refused RRset change: the record exists, it clashes with the name's other data, or the input is wrong. */
export const refusedRecord = (failure: Errors.FailureContext): AlreadyExists | Conflict | InvalidInput | undefined => {
  if (failure.status !== 422 && failure.status !== 400) return undefined
  const message = failure.message ?? "PowerDNS refused the change"
  const rrset = /RRset (\S+) IN (\S+)/.exec(message)
  const id = rrset === null ? failure.target.id : `${rrset[1]} ${rrset[2]}`
  if (/Duplicate record/i.test(message)) return new AlreadyExists({ ...failure.where, resource: "record", id })
  if (/Conflicts with|more than one record/i.test(message)) {
    return new Conflict({ ...failure.where, resource: "record", id, reason: message })
  }
  return new InvalidInput({ ...failure.where, field: "record", reason: message })
}

export interface Client {
  readonly http: ProviderHttp.ProviderHttp
  /** `zones/<id>` for a PowerDNS zone id ("example.com."). */
  readonly zonePath: (zoneId: string) => string
  readonly send: <const O extends ProviderHttp.ExecuteOptions<unknown>, A, E>(
    request: HttpClientRequest.HttpClientRequest,
    options: O,
    read: ProviderHttp.Reader<A, E>
  ) => Effect.Effect<A, ProviderHttp.Failure<O> | E>
  /** One PATCH: every RRset replaced whole or deleted, in one transaction on the server. */
  readonly patch: <C>(
    zoneId: string,
    operation: string,
    changes: ReadonlyArray<RRSetChange>,
    classify: (failure: Errors.FailureContext) => C | undefined
  ) => Effect.Effect<void, ProviderFailure | NotFound | C>
}

export const make = (config: PowerDnsConfig): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.map(
    ProviderHttp.make({
      provider: PROVIDER,
      baseUrl: `${apiBase(config.endpoint)}/servers/${Url.segment(config.server ?? DEFAULT_SERVER)}`,
      signer: Signer.apiKey("X-API-Key", config.apiKey),
      timeout: config.timeout,
      retry: config.retry,
      headers: { accept: "application/json" },
      extract
    }),
    (http): Client => {
      const zonePath = (zoneId: string) => `zones/${Url.segment(zoneId)}`
      const send: Client["send"] = (request, options, read) => http.execute(request, options, read)
      const patch = <C>(
        zoneId: string,
        operation: string,
        changes: ReadonlyArray<RRSetChange>,
        classify: (failure: Errors.FailureContext) => C | undefined
      ): Effect.Effect<void, ProviderFailure | NotFound | C> =>
        http.execute(
          HttpClientRequest.patch(zonePath(zoneId)).pipe(HttpClientRequest.bodyUnsafeJson({ rrsets: changes })),
          {
            operation,
            // Each RRset is replaced by its whole new content: sending it twice gives the same zone.
            idempotent: true,
            notFound: { resource: "zone", id: zoneId.replace(/\.$/, "") },
            classify
          },
          ProviderHttp.empty
        )
      return { http, zonePath, send, patch }
    }
  )

/** {@link refusedRecord} for an update: turning a record into a copy of another is a Conflict. */
export const refusedUpdate = (failure: Errors.FailureContext): Conflict | InvalidInput | undefined => {
  const e = refusedRecord(failure)
  return e?._tag === "AlreadyExists"
    ? new Conflict({ ...failure.where, resource: "record", id: e.id, reason: failure.message ?? "an identical record already exists" })
    : e
}
