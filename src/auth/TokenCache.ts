/**
 * A cached, single-flight token source (DESIGN.md §5: "Tokens (Keystone,
 * OAuth) are cached, refreshed before expiry and once on a 401,
 * single-flight under concurrency").
 *
 * - `get` answers the cached token while it is fresh. Once it is within
 *   `refreshBefore` of its expiry (or absent, or invalidated) the next `get`
 *   fetches a new one; every `get` that arrives meanwhile joins that same
 *   fetch, so N concurrent callers cause exactly one fetch.
 * - A failed fetch is never cached: the callers that shared it see the
 *   failure, the next `get` tries again. If the failed fetch was an early
 *   refresh and the previous token has not expired yet, that token is
 *   answered instead (an auth endpoint that blips five minutes before expiry
 *   must not break requests that would have worked).
 * - `invalidate(token)` is for a 401: it drops the cached token only if it is
 *   still the one that failed, so fifty requests failing with the same stale
 *   token cause one refresh, not fifty, and a token fetched meanwhile is kept.
 * - Time comes from `Clock`, so `TestClock` drives it in tests.
 * - Interrupting the caller that happens to run the fetch does not fail the
 *   others: they start over (one of them runs the next fetch).
 */
import type { HttpClientRequest } from "@effect/platform"
import { Cause, Clock, Deferred, Duration, Effect, Exit, Option, Redacted, Ref } from "effect"

/** What a token source must produce; anything else it carries (`tokenType`, a catalog, …) is kept. */
export interface Token {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: Date
}

export interface TokenCache<T extends Token, E> {
  /** The current token, fetching (once, however many callers wait) when absent or due for refresh. */
  readonly get: Effect.Effect<T, E>
  /** After a 401 with `token`: forget it, unless another token has already replaced it. */
  readonly invalidate: (token: T) => Effect.Effect<void>
}

export interface TokenCacheOptions<T extends Token, E, R> {
  readonly fetch: Effect.Effect<T, E, R>
  /**
   * How long before `expiresAt` a token stops being answered from the cache:
   * a fixed duration, or a function of the token's lifetime (from the moment
   * it was fetched). Never more than half the lifetime, so a short-lived token
   * is still used. Default: 5 minutes or 10% of the lifetime, whichever is
   * less.
   */
  readonly refreshBefore?: Duration.DurationInput | ((lifetime: Duration.Duration) => Duration.DurationInput)
}

/** 5 minutes or 10% of the lifetime, whichever is less. */
export const defaultRefreshBefore = (lifetime: Duration.Duration): Duration.Duration =>
  Duration.min(Duration.minutes(5), Duration.millis(Duration.toMillis(lifetime) / 10))

interface Cached<T> {
  readonly value: T
  readonly refreshAt: number
  readonly expiresAt: number
}

/** `None` tells the callers waiting on a flight that its leader was interrupted: start over. */
type Flight<T, E> = Deferred.Deferred<Option.Option<Exit.Exit<T, E>>>

interface State<T, E> {
  readonly current: Cached<T> | undefined
  readonly flight: Flight<T, E> | undefined
}

type Step<T, E> =
  | { readonly _tag: "Hit"; readonly value: T }
  | { readonly _tag: "Join"; readonly flight: Flight<T, E> }
  | { readonly _tag: "Lead"; readonly flight: Flight<T, E> }

const sameToken = (a: Token, b: Token): boolean =>
  a === b || Redacted.value(a.token) === Redacted.value(b.token)

export const makeTokenCache = <T extends Token, E, R>(
  options: TokenCacheOptions<T, E, R>
): Effect.Effect<TokenCache<T, E>, never, R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const fetch = Effect.provide(options.fetch, context)
    const state = yield* Ref.make<State<T, E>>({ current: undefined, flight: undefined })

    const refreshAt = (now: number, value: T): number => {
      const expiresAt = value.expiresAt.getTime()
      const lifetime = Math.max(0, expiresAt - now)
      const option = options.refreshBefore
      const wanted = option === undefined
        ? defaultRefreshBefore(Duration.millis(lifetime))
        : typeof option === "function"
        ? Duration.decode(option(Duration.millis(lifetime)))
        : Duration.decode(option)
      const before = Math.min(Duration.toMillis(wanted), lifetime / 2)
      return expiresAt - before
    }

    // Runs in the leader once its fetch has ended (uninterruptibly): publishes
    // the outcome to the cache and to every caller that joined the flight.
    const settle = (flight: Flight<T, E>, exit: Exit.Exit<T, E>): Effect.Effect<Exit.Exit<T, E>> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (Exit.isSuccess(exit)) {
          const cached: Cached<T> = {
            value: exit.value,
            refreshAt: refreshAt(now, exit.value),
            expiresAt: exit.value.expiresAt.getTime()
          }
          yield* Ref.set(state, { current: cached, flight: undefined })
          yield* Deferred.succeed(flight, Option.some(exit))
          return exit
        }
        if (Cause.isInterruptedOnly(exit.cause)) {
          yield* Ref.update(state, (s) => ({ ...s, flight: undefined }))
          yield* Deferred.succeed(flight, Option.none())
          return exit
        }
        const previous = yield* Ref.modify(state, (s) => [s.current, { ...s, flight: undefined }] as const)
        const outcome: Exit.Exit<T, E> = previous !== undefined && now < previous.expiresAt
          ? Exit.succeed(previous.value)
          : exit
        yield* Deferred.succeed(flight, Option.some(outcome))
        return outcome
      })

    // Uninterruptible except while fetching or waiting: a caller interrupted
    // between claiming the flight and starting the fetch would otherwise leave
    // a flight nobody completes.
    const get: Effect.Effect<T, E> = Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const mine = yield* Deferred.make<Option.Option<Exit.Exit<T, E>>>()
        const step = yield* Ref.modify(state, (s): readonly [Step<T, E>, State<T, E>] => {
          if (s.current !== undefined && now < s.current.refreshAt) return [{ _tag: "Hit", value: s.current.value }, s]
          if (s.flight !== undefined) return [{ _tag: "Join", flight: s.flight }, s]
          return [{ _tag: "Lead", flight: mine }, { ...s, flight: mine }]
        })
        switch (step._tag) {
          case "Hit":
            return step.value
          case "Lead": {
            const exit = yield* Effect.exit(restore(fetch))
            return yield* Effect.flatten(settle(step.flight, exit))
          }
          case "Join": {
            const outcome = yield* restore(Deferred.await(step.flight))
            return Option.isSome(outcome) ? yield* outcome.value : yield* restore(get)
          }
        }
      })
    )

    const invalidate = (token: T): Effect.Effect<void> =>
      Ref.update(state, (s) =>
        s.current !== undefined && sameToken(s.current.value, token) ? { ...s, current: undefined } : s)

    return { get, invalidate }
  })

/** A request signer backed by a token cache: the shape of src/http's `Signer`, plus `invalidate`. */
export interface TokenSigner<E> {
  (request: HttpClientRequest.HttpClientRequest, context?: unknown): Effect.Effect<HttpClientRequest.HttpClientRequest, E>
  /**
   * For the HTTP layer after a 401, given the request that was refused:
   * drops the token that request carried, and only if the cache still holds
   * it (`TokenCache.invalidate`). So N requests failing together with one
   * stale token cause one refresh.
   */
  readonly invalidate: (rejected: HttpClientRequest.HttpClientRequest) => Effect.Effect<void>
}

/**
 * Signs requests with the cached token; `attach` puts it on the request
 * (`Authorization: Bearer …` for OAuth, `X-Auth-Token` for Keystone).
 */
export const tokenSigner = <T extends Token, E>(
  cache: TokenCache<T, E>,
  attach: (request: HttpClientRequest.HttpClientRequest, token: T) => HttpClientRequest.HttpClientRequest
): TokenSigner<E> => {
  // Keyed by the signed request itself: the HTTP layer may sign and report
  // the 401 from different fibers (its per-attempt timeout forks), so nothing
  // fiber-local would find the token again.
  const sentWith = new WeakMap<HttpClientRequest.HttpClientRequest, T>()
  let lastAttached: T | undefined
  const sign = (request: HttpClientRequest.HttpClientRequest, _context?: unknown) =>
    Effect.map(cache.get, (token) => {
      const signed = attach(request, token)
      sentWith.set(signed, token)
      lastAttached = token
      return signed
    })
  // A request another signer changed after ours is not in the map: fall back
  // to the last token attached, which `cache.invalidate` drops only if current.
  const invalidate = (rejected: HttpClientRequest.HttpClientRequest) =>
    Effect.suspend(() => {
      const token = sentWith.get(rejected) ?? lastAttached
      return token === undefined ? Effect.void : cache.invalidate(token)
    })
  return Object.assign(sign, { invalidate })
}
