/**
 * A replay HttpClient for testing providers that have no local server
 * (DESIGN.md §6): recorded exchanges, shaped exactly as the provider
 * documents them, answered without any network.
 *
 * Two modes. "sequence" (default) expects the requests in exactly the given
 * order — right for a flow (create, poll, poll, done). "match" answers each
 * request with the first unused exchange it matches — right when order is
 * not the point (parallel part uploads).
 *
 * A request nothing matches is a defect, not a failure: no provider code can
 * catch and "handle" it, so the test fails loudly, naming the request (with
 * its secrets redacted) and, in sequence mode, why the expected one differed.
 */
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Chunk, Context, Duration, Effect, Layer, Stream } from "effect"
import * as Redact from "./Redact.js"

export interface RequestMatcher {
  readonly method?: string
  /**
   * The whole URL as sent (encoded — "a%20b" and "a+b" differ), query order
   * ignored; or a RegExp over the encoded URL; or a predicate.
   */
  readonly url?: string | RegExp | ((url: URL) => boolean)
  /** The encoded path ("/bucket/my%20key") or a RegExp over it. */
  readonly path?: string | RegExp
  /**
   * Query parameters that must be present with these (decoded) values; `null`
   * means the parameter must be absent. Others are ignored.
   */
  readonly query?: Readonly<Record<string, string | RegExp | null>>
  /** Headers that must be present (any case) with these values; `null` means absent. Others are ignored. */
  readonly headers?: Readonly<Record<string, string | RegExp | null>>
  /** The body: exact text, exact bytes, a RegExp over the text, or a predicate over the bytes. */
  readonly body?: string | Uint8Array | RegExp | ((body: Uint8Array) => boolean)
}

export interface ResponseSpec {
  /** Default 200. */
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** Answer after this long (driven by the Clock, so TestClock controls it). */
  readonly delay?: Duration.DurationInput
}

/** Instead of answering, fail the way a dropped connection does (RequestError "Transport"). */
export interface TransportFailure {
  readonly transportError: string
  readonly delay?: Duration.DurationInput
}

export interface Exchange {
  readonly request: RequestMatcher
  readonly response: ResponseSpec | TransportFailure
  /** How many requests this exchange answers (default 1; `Infinity` for any number). */
  readonly times?: number
}

export interface Options {
  readonly mode?: "sequence" | "match"
}

/** A request the replay client received, for assertions (not redacted: it is the test's own data). */
export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/** The defect raised for a request the replay cannot answer, or for exchanges left unused. */
export class ReplayMismatch extends Error {
  override readonly name = "ReplayMismatch"
}

export interface ReplayService {
  readonly client: HttpClient.HttpClient
  /** Every request received so far, in order. */
  readonly requests: Effect.Effect<ReadonlyArray<Recorded>>
  /** Dies with ReplayMismatch, listing them, if some exchanges were not used up. */
  readonly assertDone: Effect.Effect<void>
}

export class Replay extends Context.Tag("cloudfx/http/Replay")<Replay, ReplayService>() {}

const decoder = new TextDecoder()
const encoder = new TextEncoder()

const bodyBytes = (body: HttpClientRequest.HttpClientRequest["body"]): Effect.Effect<Uint8Array> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(new Uint8Array(0))
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      if (typeof body.body === "string") return Effect.succeed(encoder.encode(body.body))
      if (body.body instanceof Uint8Array) return Effect.succeed(body.body)
      return Effect.dieMessage("Replay: cannot read a Raw request body that is not a string or bytes")
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const all = Chunk.toReadonlyArray(chunks)
          const out = new Uint8Array(all.reduce((n, c) => n + c.byteLength, 0))
          let at = 0
          for (const c of all) {
            out.set(c, at)
            at += c.byteLength
          }
          return out
        }),
        Effect.orDie
      )
    case "FormData":
      return Effect.dieMessage("Replay: FormData request bodies are not supported")
  }
}

const rawQueryPairs = (url: URL): Array<string> => url.search.replace(/^\?/, "").split("&").filter((p) => p !== "").sort()

const sameUrl = (expected: string, actual: URL): boolean => {
  let e: URL
  try {
    e = new URL(expected)
  } catch {
    return false
  }
  return e.origin === actual.origin && e.pathname === actual.pathname &&
    rawQueryPairs(e).join("&") === rawQueryPairs(actual).join("&")
}

const decodeQuery = (url: URL): Map<string, string> => {
  const out = new Map<string, string>()
  for (const pair of url.search.replace(/^\?/, "").split("&")) {
    if (pair === "") continue
    const eq = pair.indexOf("=")
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s
      }
    }
    out.set(dec(eq === -1 ? pair : pair.slice(0, eq)), eq === -1 ? "" : dec(pair.slice(eq + 1)))
  }
  return out
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

/** Why `request` does not match `m`, or undefined when it does. */
const mismatch = (m: RequestMatcher, request: Recorded, url: URL): string | undefined => {
  if (m.method !== undefined && m.method.toUpperCase() !== request.method) return `method: expected ${m.method.toUpperCase()}, got ${request.method}`
  if (m.url !== undefined) {
    const ok = typeof m.url === "string" ? sameUrl(m.url, url) : m.url instanceof RegExp ? m.url.test(url.toString()) : m.url(url)
    if (!ok) return `url: expected ${m.url instanceof Function ? "a URL matching the predicate" : Redact.url(String(m.url))}`
  }
  if (m.path !== undefined) {
    const ok = typeof m.path === "string" ? m.path === url.pathname : m.path.test(url.pathname)
    if (!ok) return `path: expected ${String(m.path)}, got ${url.pathname}`
  }
  if (m.query !== undefined) {
    const q = decodeQuery(url)
    for (const [name, want] of Object.entries(m.query)) {
      const got = q.get(name)
      if (want === null ? got !== undefined : got === undefined || (typeof want === "string" ? got !== want : !want.test(got))) {
        return `query ${name}: expected ${want === null ? "absent" : Redact.isSensitiveQueryParam(name) ? "a value" : String(want)}`
      }
    }
  }
  if (m.headers !== undefined) {
    for (const [name, want] of Object.entries(m.headers)) {
      const got = request.headers[name.toLowerCase()]
      if (want === null ? got !== undefined : got === undefined || (typeof want === "string" ? got !== want : !want.test(got))) {
        return `header ${name}: expected ${want === null ? "absent" : Redact.isSensitiveHeader(name) ? "a value" : String(want)}`
      }
    }
  }
  if (m.body !== undefined) {
    const b = m.body
    const ok = typeof b === "string"
      ? decoder.decode(request.body) === b
      : b instanceof Uint8Array
      ? bytesEqual(b, request.body)
      : b instanceof RegExp
      ? b.test(decoder.decode(request.body))
      : b(request.body)
    if (!ok) return `body: does not match (${request.body.byteLength} bytes received)`
  }
  return undefined
}

const describeRequest = (r: Recorded): string =>
  `${r.method} ${Redact.url(r.url)} headers=${JSON.stringify(Redact.headers(r.headers))} body=${r.body.byteLength} bytes`

const describeMatcher = (m: RequestMatcher): string =>
  `${m.method ?? "*"} ${m.url instanceof Function ? "<predicate>" : Redact.url(String(m.url ?? m.path ?? "*"))}`

const noBody = (status: number, method: string) => method === "HEAD" || status === 204 || status === 205 || status === 304

/** A replay client over `exchanges`. */
export const make = (exchanges: ReadonlyArray<Exchange>, options?: Options): Effect.Effect<ReplayService> =>
  Effect.sync(() => {
    const mode = options?.mode ?? "sequence"
    const left = exchanges.map((e) => e.times ?? 1)
    const received: Array<Recorded> = []

    const pick = (request: Recorded, url: URL): Exchange | string => {
      if (mode === "sequence") {
        const i = left.findIndex((n) => n > 0)
        const next = exchanges[i]
        if (next === undefined) return "every exchange has been used"
        const why = mismatch(next.request, request, url)
        if (why !== undefined) return `expected exchange #${i + 1} (${describeMatcher(next.request)}): ${why}`
        left[i] = left[i]! - 1
        return next
      }
      const i = exchanges.findIndex((e, j) => left[j]! > 0 && mismatch(e.request, request, url) === undefined)
      if (i === -1) return `no unused exchange matches (${left.filter((n) => n > 0).length} unused)`
      left[i] = left[i]! - 1
      return exchanges[i]!
    }

    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const recorded: Recorded = {
          method: request.method,
          url: url.toString(),
          headers: { ...request.headers },
          body: yield* bodyBytes(request.body)
        }
        received.push(recorded)
        const chosen = pick(recorded, url)
        if (typeof chosen === "string") {
          return yield* Effect.die(new ReplayMismatch(`Replay: unexpected request ${describeRequest(recorded)}: ${chosen}`))
        }
        const spec = chosen.response
        if (spec.delay !== undefined) yield* Effect.sleep(spec.delay)
        if ("transportError" in spec) {
          return yield* Effect.fail(
            new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error(spec.transportError), description: spec.transportError })
          )
        }
        const status = spec.status ?? 200
        const body = noBody(status, request.method) ? null : spec.body ?? null
        return HttpClientResponse.fromWeb(request, new Response(body, { status, headers: { ...spec.headers } }))
      })
    )

    return {
      client,
      requests: Effect.sync(() => [...received]),
      assertDone: Effect.suspend(() => {
        const unused = exchanges.filter((_, i) => left[i]! > 0 && left[i] !== Infinity)
        return unused.length === 0
          ? Effect.void
          : Effect.die(new ReplayMismatch(`Replay: ${unused.length} exchange(s) never requested: ${unused.map((e) => describeMatcher(e.request)).join("; ")}`))
      })
    }
  })

/** Provides `HttpClient.HttpClient` (the replay) and `Replay` (for `assertDone` and `requests`). */
export const layer = (exchanges: ReadonlyArray<Exchange>, options?: Options): Layer.Layer<HttpClient.HttpClient | Replay> =>
  Layer.effectContext(
    Effect.map(make(exchanges, options), (replay) => Context.make(HttpClient.HttpClient, replay.client).pipe(Context.add(Replay, replay)))
  )

/** Dies unless every exchange of the provided replay was used. */
export const assertDone: Effect.Effect<void, never, Replay> = Effect.flatMap(Replay, (r) => r.assertDone)

/** The requests the provided replay received. */
export const requests: Effect.Effect<ReadonlyArray<Recorded>, never, Replay> = Effect.flatMap(Replay, (r) => r.requests)
