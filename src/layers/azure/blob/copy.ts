/**
 * Copy Blob within the account. The service answers 202 with
 * `x-ms-copy-status: success` when it copied at once (Azurite always, Azure
 * for most same-account copies) or `pending` when it copies in the
 * background: then the destination's properties are polled (back-off from
 * 500 ms to 5 s) until the status leaves pending. A copy still pending after
 * `copyTimeout`, or whose wait is interrupted, is aborted (Abort Copy Blob),
 * which leaves an empty destination blob.
 */
import { Headers, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, Option, Redacted } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import * as Errors from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import { MalformedResponse, ProviderError } from "../../../schemas/Errors.js"
import type { NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import type { ObjectInfo } from "../../../schemas/Models.js"
import { blobPath, type Client, PROVIDER } from "./client.js"
import { classifyAccess, classifyResource, containerNotFound, objectNotFound } from "./errors.js"
import * as Wire from "./wire.js"

export interface BlobRef {
  readonly container: string
  readonly key: string
}

const head = (client: Client, operation: string, ref: BlobRef) =>
  client.http.execute(
    HttpClientRequest.head(blobPath(ref.container, ref.key)),
    { operation, classify: classifyResource(ref) },
    ProviderHttp.headers
  )

/**
 * The copy's own 404s: the destination's container, or else the source
 * (which was there a moment ago, at the HEAD).
 */
const classifyCopy = (from: BlobRef, to: BlobRef) => (f: Errors.FailureContext) =>
  classifyAccess(f) ??
    (f.code === "ContainerNotFound"
      ? containerNotFound(f.where, to.container)
      : f.status === 404
      ? objectNotFound(f.where, from.container, from.key)
      : undefined)

const copyFailed = (operation: string, status: string, headers: Headers.Headers) =>
  new ProviderError({
    provider: PROVIDER,
    operation,
    code: `Copy${status.charAt(0).toUpperCase()}${status.slice(1)}`,
    detail: headers["x-ms-copy-status-description"] ?? `the copy ended ${status}`
  })

const abortCopy = (client: Client, operation: string, to: BlobRef, copyId: string) =>
  client.http.execute(
    HttpClientRequest.put(blobPath(to.container, to.key)).pipe(
      HttpClientRequest.setUrlParams({ comp: "copy", copyid: copyId }),
      HttpClientRequest.setHeader("x-ms-copy-action", "abort")
    ),
    { operation, timeout: Duration.seconds(30) },
    ProviderHttp.empty
  ).pipe(Effect.catchAll((e) => Effect.logWarning(`${operation}: could not abort copy ${copyId}: ${e.message}`)))

/** Polls the destination until its copy `copyId` is no longer pending. */
const awaitCopy = (client: Client, operation: string, to: BlobRef, copyId: string): Effect.Effect<void, NotFound | ProviderFailure> => {
  const poll = Effect.map(head(client, operation, to), ({ headers }) => headers)
  const finished = (headers: Headers.Headers) => headers["x-ms-copy-status"] !== "pending" || headers["x-ms-copy-id"] !== copyId
  const wait = (attempt: number): Effect.Effect<Headers.Headers, NotFound | ProviderFailure> =>
    Effect.flatMap(poll, (headers) =>
      finished(headers)
        ? Effect.succeed(headers)
        : Effect.zipRight(Effect.sleep(Duration.millis(Math.min(5000, 500 * 2 ** attempt))), wait(attempt + 1)))
  return wait(0).pipe(
    Effect.flatMap((headers) => {
      const status = headers["x-ms-copy-status"]
      if (headers["x-ms-copy-id"] !== copyId) {
        return Effect.fail(
          new ProviderError({ provider: PROVIDER, operation, code: "CopySuperseded", detail: "the destination was written by someone else during the copy" })
        )
      }
      return status === "success" ? Effect.void : Effect.fail(copyFailed(operation, status ?? "unknown", headers))
    }),
    Effect.timeoutOption(client.copyTimeout),
    Effect.flatMap(Option.match({
      onSome: () => Effect.void,
      onNone: () =>
        Effect.zipRight(
          abortCopy(client, operation, to, copyId),
          Effect.fail(
            new ProviderError({
              provider: PROVIDER,
              operation,
              code: "CopyTimeout",
              detail: `the copy was still pending after ${Duration.format(client.copyTimeout)}; it was aborted`
            })
          )
        )
    })),
    Effect.onInterrupt(() => abortCopy(client, operation, to, copyId))
  )
}

export const copyBlob = (client: Client, operation: string, from: BlobRef, to: BlobRef): Effect.Effect<ObjectInfo, NotFound | ProviderFailure> =>
  Effect.gen(function*() {
    const where = { provider: PROVIDER, operation }
    // The source first: a missing source container or blob is then named exactly.
    yield* head(client, operation, from)
    const source = `${client.endpoint}${blobPath(from.container, from.key)}`
    const started = yield* client.http.execute(
      HttpClientRequest.put(blobPath(to.container, to.key)).pipe(
        HttpClientRequest.setHeader("x-ms-copy-source", client.sas === undefined ? source : Url.appendQuery(source, Redacted.value(client.sas)))
      ),
      { operation, classify: classifyCopy(from, to) },
      ProviderHttp.headers
    ).pipe(
      // With a SAS the source URL carries it: keep that header out of the platform's spans.
      Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, "x-ms-copy-source"])
    )
    const status = started.headers["x-ms-copy-status"]
    const copyId = started.headers["x-ms-copy-id"]
    if (status === "pending") {
      if (copyId === undefined) return yield* new MalformedResponse({ ...where, reason: "a pending copy without x-ms-copy-id" })
      yield* awaitCopy(client, operation, to, copyId)
    } else if (status !== undefined && status !== "success") {
      return yield* copyFailed(operation, status, started.headers)
    }
    const { headers } = yield* head(client, operation, to)
    return yield* Either.match(Wire.infoFromHeaders(to.key, headers, false), {
      onLeft: (reason) => Effect.fail(new MalformedResponse({ ...where, reason })),
      onRight: Effect.succeed
    })
  })
