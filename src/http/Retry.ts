/**
 * The default retry policy (DESIGN.md §5): jittered exponential backoff,
 * bounded attempts, Retry-After honoured — and only for requests that are
 * safe to send twice. Retrying a POST that did reach the server creates two
 * servers (jclouds' bug); never retrying a GET makes every blip an outage.
 *
 * Delays use `Effect.sleep` and `Random`, so TestClock and a seeded Random
 * drive them in tests.
 */
import { Duration, Effect, Option, Random } from "effect"
import type { HttpMethod } from "@effect/platform"

export interface Policy {
  /** Backoff before the first retry; doubles on each retry. */
  readonly base: Duration.DurationInput
  /** No single backoff is longer than this (Retry-After may still ask for more, up to `maxRetryAfter`). */
  readonly cap: Duration.DurationInput
  /** Total attempts, the first one included (1 = never retry). */
  readonly maxAttempts: number
  /**
   * Share of each backoff that is random, 0 to 1: the wait is uniform in
   * [backoff × (1 − jitter), backoff]. 1 is "full jitter"; 0 is deterministic.
   */
  readonly jitter: number
  /**
   * The longest Retry-After we wait for. A provider asking for more (an hour
   * of throttling) gets the RateLimited error back at once instead of a
   * silently hung program; the caller can decide.
   */
  readonly maxRetryAfter: Duration.DurationInput
}

export const defaults: Policy = {
  base: Duration.millis(200),
  cap: Duration.seconds(20),
  maxAttempts: 5,
  jitter: 0.5,
  maxRetryAfter: Duration.seconds(60)
}

/** Fills a partial policy from `defaults`, clamping nonsense (negative jitter, 0 attempts). */
export const policy = (overrides?: Partial<Policy>): Policy => {
  const p = { ...defaults, ...overrides }
  return {
    ...p,
    maxAttempts: Math.max(1, Math.floor(Number.isFinite(p.maxAttempts) ? p.maxAttempts : 1)),
    jitter: Math.min(1, Math.max(0, Number.isFinite(p.jitter) ? p.jitter : 0))
  }
}

/** RFC 9110 §9.2.2 idempotent methods. */
export const isIdempotentMethod = (method: HttpMethod.HttpMethod | string): boolean =>
  ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].includes(method.toUpperCase())

const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u && typeof u._tag === "string" ? u._tag : undefined

/**
 * The failures worth another try: throttling, the server's own 5xx, and no
 * answer at all. 501 Not Implemented and 505 are answers about the request,
 * not passing trouble: asking again gets the same answer.
 */
export const isRetryable = (error: unknown): boolean => {
  switch (tagOf(error)) {
    case "RateLimited":
    case "Transport":
      return true
    case "ProviderError": {
      const status = (error as { status?: unknown }).status
      return typeof status === "number" && status >= 500 && status !== 501 && status !== 505
    }
    default:
      return false
  }
}

/**
 * Whether the server refused the request without acting on it — a
 * `RateLimited` from a 429 or a throttling code, not from a 503, which a
 * server may send after doing the work — so that even a request that is
 * not idempotent (a create) may be sent again.
 */
export const isRefusal = (error: unknown): boolean =>
  tagOf(error) === "RateLimited" && (error as { status?: unknown }).status !== 503

const retryAfterOf = (error: unknown): Option.Option<Duration.Duration> =>
  tagOf(error) === "RateLimited"
    ? Option.fromNullable((error as { retryAfter?: Duration.Duration | undefined }).retryAfter)
    : Option.none()

/**
 * The wait before retry number `retry` (0-based) after `error`, given a
 * uniform random number in [0, 1). None means "do not retry": the server
 * asked for a longer wait than `maxRetryAfter`.
 */
export const delay = (p: Policy, retry: number, error: unknown, random: number): Option.Option<Duration.Duration> => {
  const base = Duration.toMillis(p.base)
  const cap = Duration.toMillis(p.cap)
  const backoff = Math.min(cap, base * 2 ** retry)
  const jittered = backoff * (1 - p.jitter * random)
  const after = retryAfterOf(error)
  if (Option.isSome(after)) {
    if (Duration.greaterThan(after.value, p.maxRetryAfter)) return Option.none()
    // Wait at least what the server asked; backoff still applies on top of a tiny Retry-After.
    return Option.some(Duration.millis(Math.max(Duration.toMillis(after.value), jittered)))
  }
  return Option.some(Duration.millis(jittered))
}

export interface RetryOptions<E> {
  /** Whether this request may be sent again at all (idempotent, or marked safe, and its body replayable). */
  readonly eligible: boolean
  /** Which failures to retry; default `isRetryable`. */
  readonly while?: (error: E) => boolean
  /** Called before each wait, e.g. to log (the error, the retry number from 1, the wait). */
  readonly onRetry?: (error: E, retry: number, wait: Duration.Duration) => Effect.Effect<void>
}

/**
 * Re-runs `self` on retryable failures according to `policy`. The whole
 * effect is re-run, so anything inside it (signing, timeouts) happens afresh
 * on each attempt.
 */
export const retry =
  <E>(p: Policy, options: RetryOptions<E>) =>
  <A, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    if (!options.eligible || p.maxAttempts <= 1) return self
    const shouldRetry = options.while ?? isRetryable
    const loop = (attempt: number): Effect.Effect<A, E, R> =>
      Effect.catchAll(self, (error) => {
        if (attempt + 1 >= p.maxAttempts || !shouldRetry(error)) return Effect.fail(error)
        return Effect.flatMap(Random.next, (r) =>
          Option.match(delay(p, attempt, error, r), {
            onNone: () => Effect.fail(error),
            onSome: (wait) =>
              (options.onRetry ? options.onRetry(error, attempt + 1, wait) : Effect.void).pipe(
                Effect.zipRight(Effect.sleep(wait)),
                Effect.zipRight(loop(attempt + 1))
              )
          })
        )
      })
    return loop(0)
  }
