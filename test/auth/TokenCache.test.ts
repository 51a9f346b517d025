import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Duration, Effect, Exit, Fiber, Option, Redacted, Ref, TestClock } from "effect"
import { HttpClientRequest } from "@effect/platform"
import { defaultRefreshBefore, makeTokenCache, type Token, tokenSigner } from "../../src/auth/TokenCache.js"

interface TestToken extends Token {
  readonly serial: number
}

class FetchFailed {
  readonly _tag = "FetchFailed"
  constructor(readonly attempt: number) {}
}

/** A token source that counts its calls; each token lives `lifetime` from the (test) clock's now. */
const counter = (lifetime: Duration.DurationInput, behaviour?: (attempt: number) => Effect.Effect<void, FetchFailed>) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make(0)
    const fetch = Effect.gen(function*() {
      const attempt = yield* Ref.updateAndGet(calls, (n) => n + 1)
      if (behaviour) yield* behaviour(attempt)
      const now = yield* Clock.currentTimeMillis
      return {
        token: Redacted.make(`token-${attempt}`),
        expiresAt: new Date(now + Duration.toMillis(lifetime)),
        serial: attempt
      } satisfies TestToken
    })
    return { calls, fetch }
  })

/** Lets forked fibers run until they are all parked. */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("TokenCache", () => {
  it.effect("answers the cached token until refreshBefore, then fetches a new one", () =>
    Effect.gen(function*() {
      const { calls, fetch } = yield* counter("1 hour")
      const cache = yield* makeTokenCache({ fetch, refreshBefore: "5 minutes" })

      const first = yield* cache.get
      expect(first.serial).toBe(1)
      yield* TestClock.adjust("54 minutes")
      expect((yield* cache.get).serial).toBe(1)
      yield* TestClock.adjust(Duration.sum("59 seconds", "999 millis"))
      expect((yield* cache.get).serial).toBe(1) // 54:59.999: still fresh
      yield* TestClock.adjust("1 milli") // 55:00, i.e. 5 minutes before expiry
      const second = yield* cache.get
      expect(second.serial).toBe(2)
      expect(yield* Ref.get(calls)).toBe(2)
      // The new token is cached from its own fetch time.
      yield* TestClock.adjust("30 minutes")
      expect((yield* cache.get).serial).toBe(2)
      expect(yield* Ref.get(calls)).toBe(2)
    }))

  it.effect("refreshBefore may depend on the lifetime; default is min(5 minutes, 10%)", () =>
    Effect.gen(function*() {
      expect(Duration.toMillis(defaultRefreshBefore(Duration.hours(1)))).toBe(300_000)
      expect(Duration.toMillis(defaultRefreshBefore(Duration.seconds(60)))).toBe(6_000)

      const { calls, fetch } = yield* counter("60 seconds")
      const cache = yield* makeTokenCache({ fetch }) // default
      yield* cache.get
      yield* TestClock.adjust("53999 millis")
      yield* cache.get
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust("1 milli")
      yield* cache.get
      expect(yield* Ref.get(calls)).toBe(2)

      // A fixed refreshBefore longer than the lifetime is capped at half of it (the token is still used).
      const short = yield* counter("10 seconds")
      const capped = yield* makeTokenCache({ fetch: short.fetch, refreshBefore: "5 minutes" })
      yield* capped.get
      yield* TestClock.adjust("4 seconds")
      yield* capped.get
      expect(yield* Ref.get(short.calls)).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* capped.get
      expect(yield* Ref.get(short.calls)).toBe(2)

      const fn = yield* counter("1 hour")
      const tenth = yield* makeTokenCache({ fetch: fn.fetch, refreshBefore: (lifetime) => Duration.times(lifetime, 0.1) })
      yield* tenth.get
      yield* TestClock.adjust("53 minutes")
      yield* tenth.get
      expect(yield* Ref.get(fn.calls)).toBe(1)
      yield* TestClock.adjust("1 minute")
      yield* tenth.get
      expect(yield* Ref.get(fn.calls)).toBe(2)
    }))

  it.effect("50 concurrent gets with no token cause exactly one fetch", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const { calls, fetch } = yield* counter("1 hour", () => Deferred.await(gate))
      const cache = yield* makeTokenCache({ fetch })

      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 50 }, () => cache.get), { concurrency: "unbounded" }))
      yield* settle
      expect(yield* Ref.get(calls)).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      const tokens = yield* Fiber.join(fiber)
      expect(tokens).toHaveLength(50)
      expect(new Set(tokens.map((t) => t.serial))).toEqual(new Set([1]))
      expect(yield* Ref.get(calls)).toBe(1)

      // And again once it is due for refresh: 50 callers, one more fetch.
      yield* TestClock.adjust("56 minutes")
      const again = yield* Effect.all(Array.from({ length: 50 }, () => cache.get), { concurrency: "unbounded" })
      expect(new Set(again.map((t) => t.serial))).toEqual(new Set([2]))
      expect(yield* Ref.get(calls)).toBe(2)
    }))

  it.effect("invalidate after a 401 refreshes once, and only if the failed token is still current", () =>
    Effect.gen(function*() {
      const { calls, fetch } = yield* counter("1 hour")
      const cache = yield* makeTokenCache({ fetch })
      const a = yield* cache.get
      expect(a.serial).toBe(1)

      // 50 requests failed with token A at the same time: each invalidates A and asks again.
      const after = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.zipRight(cache.invalidate(a), cache.get)),
        { concurrency: "unbounded" }
      )
      expect(new Set(after.map((t) => t.serial))).toEqual(new Set([2]))
      expect(yield* Ref.get(calls)).toBe(2)

      // A late 401 for the old token does not throw away the new one.
      yield* cache.invalidate(a)
      expect((yield* cache.get).serial).toBe(2)
      expect(yield* Ref.get(calls)).toBe(2)

      // Tokens are compared by value, not only by identity.
      yield* cache.invalidate({ token: Redacted.make("token-2"), expiresAt: new Date(0), serial: -1 })
      expect((yield* cache.get).serial).toBe(3)
      expect(yield* Ref.get(calls)).toBe(3)
    }))

  it.effect("a failed fetch is not cached: its waiters share the failure, the next get retries", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const { calls, fetch } = yield* counter(
        "1 hour",
        (attempt) => attempt === 1 ? Effect.zipRight(Deferred.await(gate), Effect.fail(new FetchFailed(attempt))) : Effect.void
      )
      const cache = yield* makeTokenCache({ fetch })
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 10 }, () => Effect.either(cache.get)), { concurrency: "unbounded" })
      )
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Fiber.join(fiber)
      expect(results.every((r) => r._tag === "Left" && r.left instanceof FetchFailed)).toBe(true)
      expect(yield* Ref.get(calls)).toBe(1)

      const next = yield* cache.get
      expect(next.serial).toBe(2)
      expect(yield* Ref.get(calls)).toBe(2)
    }))

  it.effect("a failed early refresh answers the previous token while it is still valid", () =>
    Effect.gen(function*() {
      const { calls, fetch } = yield* counter("1 hour", (attempt) => attempt >= 2 ? Effect.fail(new FetchFailed(attempt)) : Effect.void)
      const cache = yield* makeTokenCache({ fetch, refreshBefore: "5 minutes" })
      expect((yield* cache.get).serial).toBe(1)
      yield* TestClock.adjust("57 minutes") // due for refresh, not expired
      expect((yield* cache.get).serial).toBe(1)
      expect(yield* Ref.get(calls)).toBe(2) // it did try
      yield* TestClock.adjust("3 minutes") // now expired
      const exit = yield* Effect.exit(cache.get)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Ref.get(calls)).toBe(3)
    }))

  it.effect("interrupting the caller that runs the fetch does not fail the callers waiting on it", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const { calls, fetch } = yield* counter("1 hour", () => Deferred.await(gate))
      const cache = yield* makeTokenCache({ fetch })
      const leader = yield* Effect.fork(cache.get)
      yield* settle
      const follower = yield* Effect.fork(cache.get)
      yield* settle
      yield* Fiber.interrupt(leader)
      yield* settle
      // The follower started a fetch of its own.
      expect(yield* Ref.get(calls)).toBe(2)
      yield* Deferred.succeed(gate, undefined)
      const token = yield* Fiber.join(follower)
      expect(token.serial).toBe(2)
      expect(Option.isNone(yield* Fiber.poll(leader)) ? "running" : "done").toBe("done")
    }))

  it.effect("interrupting every caller at any point never leaves the cache stuck", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const { calls, fetch } = yield* counter("1 hour", () => Deferred.await(gate))
      const cache = yield* makeTokenCache({ fetch })
      for (let round = 0; round < 5; round++) {
        const fibers = yield* Effect.all(Array.from({ length: 20 }, () => Effect.fork(cache.get)))
        if (round % 2 === 0) yield* settle
        yield* Effect.forEach(fibers, Fiber.interrupt, { concurrency: "unbounded" })
      }
      yield* Deferred.succeed(gate, undefined)
      const token = yield* cache.get
      expect(token.serial).toBe(yield* Ref.get(calls))
    }))

  it.effect("tokenSigner: attaches the token; invalidate drops only the token the refused request carried", () =>
    Effect.gen(function*() {
      const { calls, fetch } = yield* counter("1 hour")
      const cache = yield* makeTokenCache({ fetch })
      const sign = tokenSigner(cache, (request, token) => HttpClientRequest.setHeader(request, "x-auth-token", Redacted.value(token.token)))

      // Invalidating before anything was sent does nothing.
      yield* sign.invalidate(HttpClientRequest.get("https://x/"))
      const header = (r: HttpClientRequest.HttpClientRequest) => r.headers["x-auth-token"]
      expect(header(yield* sign(HttpClientRequest.get("https://x/")))).toBe("token-1")

      // 50 requests sent with token-1 all get a 401 and retry: one refresh.
      const retried = yield* Effect.all(
        Array.from({ length: 50 }, () =>
          Effect.gen(function*() {
            const sent = yield* sign(HttpClientRequest.get("https://x/"))
            yield* settle // every request is "in flight" with token-1 before any 401 comes back
            // Reported from another fiber, as ProviderHttp's per-attempt timeout does.
            yield* Effect.fork(sign.invalidate(sent)).pipe(Effect.flatMap(Fiber.join))
            return header(yield* sign(HttpClientRequest.get("https://x/")))
          })),
        { concurrency: "unbounded" }
      )
      expect(new Set(retried)).toEqual(new Set(["token-2"]))
      expect(yield* Ref.get(calls)).toBe(2)
    }))

  it.effect("the fetch's requirements are captured when the cache is made", () =>
    Effect.gen(function*() {
      const { fetch } = yield* counter("1 hour")
      const cache = yield* makeTokenCache({ fetch })
      // `get` needs nothing more from its caller.
      const got: Effect.Effect<TestToken, FetchFailed, never> = cache.get
      expect((yield* got).token).toSatisfy(Redacted.isRedacted)
      expect(String((yield* got).token)).not.toContain("token-")
    }))
})
