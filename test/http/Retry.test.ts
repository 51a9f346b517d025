import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import fc from "fast-check"
import { Retry } from "../../src/http/index.js"
import { NotFound, ProviderError, RateLimited, Transport } from "../../src/schemas/Errors.js"

const where = { provider: "test", operation: "Compute.listNodes" }
const transport = new Transport({ ...where, reason: "reset" })

/** An effect that fails with `errors[i]` on call i, then succeeds; counts its calls. */
const scripted = <E>(errors: ReadonlyArray<E>) => {
  let calls = 0
  const effect = Effect.suspend(() => {
    const i = calls++
    return i < errors.length ? Effect.fail(errors[i]!) : Effect.succeed(`ok after ${i}`)
  })
  return { effect, calls: () => calls }
}

const deterministic = Retry.policy({ base: Duration.millis(100), cap: Duration.seconds(10), jitter: 0, maxAttempts: 4 })

describe("Retry.retry", () => {
  it.effect("backs off exponentially (100, 200, 400 ms) and gives up after maxAttempts", () =>
    Effect.gen(function*() {
      const s = scripted([transport, transport, transport, transport, transport])
      const fiber = yield* Effect.fork(Retry.retry(deterministic, { eligible: true })(s.effect))
      yield* TestClock.adjust(Duration.millis(0))
      expect(s.calls()).toBe(1)
      yield* TestClock.adjust(Duration.millis(99))
      expect(s.calls()).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(s.calls()).toBe(2)
      yield* TestClock.adjust(Duration.millis(199))
      expect(s.calls()).toBe(2)
      yield* TestClock.adjust(Duration.millis(1))
      expect(s.calls()).toBe(3)
      yield* TestClock.adjust(Duration.millis(400))
      expect(s.calls()).toBe(4)
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toBe(transport)
      yield* TestClock.adjust(Duration.seconds(60))
      expect(s.calls()).toBe(4)
    }))

  it.effect("succeeds as soon as an attempt does", () =>
    Effect.gen(function*() {
      const s = scripted([transport])
      const fiber = yield* Effect.fork(Retry.retry(deterministic, { eligible: true })(s.effect))
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.join(fiber)).toBe("ok after 1")
      expect(s.calls()).toBe(2)
    }))

  it.effect("does nothing for a request that is not eligible (POST not marked safe)", () =>
    Effect.gen(function*() {
      const s = scripted([transport, transport])
      const fiber = yield* Effect.fork(Retry.retry(deterministic, { eligible: false })(s.effect))
      yield* TestClock.adjust(Duration.seconds(60))
      expect(yield* Effect.flip(Fiber.join(fiber))).toBe(transport)
      expect(s.calls()).toBe(1)
    }))

  it.effect.each([
    ["RateLimited", new RateLimited({ ...where }), 2],
    ["Transport", transport, 2],
    ["ProviderError 500", new ProviderError({ ...where, status: 500, detail: "x" }), 2],
    ["ProviderError 502", new ProviderError({ ...where, status: 502, detail: "x" }), 2],
    ["ProviderError 400", new ProviderError({ ...where, status: 400, detail: "x" }), 1],
    ["ProviderError 501 (Not Implemented: the same answer every time)", new ProviderError({ ...where, status: 501, detail: "x" }), 1],
    ["ProviderError without status", new ProviderError({ ...where, detail: "x" }), 1],
    ["NotFound", new NotFound({ ...where, resource: "node", id: "n" }), 1]
  ] as const)("%s → %i call(s)", ([, error, expected]) =>
    Effect.gen(function*() {
      const s = scripted([error])
      const fiber = yield* Effect.fork(Effect.either(Retry.retry(deterministic, { eligible: true })(s.effect)))
      yield* TestClock.adjust(Duration.seconds(60))
      yield* Fiber.join(fiber)
      expect(s.calls()).toBe(expected)
    }))

  it.effect("waits at least the Retry-After the server asked for", () =>
    Effect.gen(function*() {
      const s = scripted([new RateLimited({ ...where, retryAfter: Duration.seconds(5) })])
      const fiber = yield* Effect.fork(Retry.retry(deterministic, { eligible: true })(s.effect))
      yield* TestClock.adjust(Duration.millis(4999))
      expect(s.calls()).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(s.calls()).toBe(2)
      expect(yield* Fiber.join(fiber)).toBe("ok after 1")
    }))

  it.effect("gives up at once when Retry-After exceeds maxRetryAfter", () =>
    Effect.gen(function*() {
      const limited = new RateLimited({ ...where, retryAfter: Duration.hours(1) })
      const s = scripted([limited])
      const p = Retry.policy({ ...deterministic, maxRetryAfter: Duration.minutes(1) })
      const fiber = yield* Effect.fork(Retry.retry(p, { eligible: true })(s.effect))
      yield* TestClock.adjust(Duration.millis(0))
      expect(yield* Effect.flip(Fiber.join(fiber))).toBe(limited)
      expect(s.calls()).toBe(1)
    }))

  it.effect("reports each retry before waiting", () =>
    Effect.gen(function*() {
      const seen: Array<[number, number]> = []
      const s = scripted([transport, transport])
      const fiber = yield* Effect.fork(
        Retry.retry(deterministic, {
          eligible: true,
          onRetry: (_e, n, wait) => Effect.sync(() => seen.push([n, Duration.toMillis(wait)]))
        })(s.effect)
      )
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.join(fiber)
      expect(seen).toEqual([[1, 100], [2, 200]])
    }))
})

describe("Retry.delay", () => {
  it("is capped, jittered within [backoff × (1 − jitter), backoff], and never below Retry-After", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
        (base, cap, jitter, retry, random, after) => {
          const p = Retry.policy({ base: Duration.millis(base), cap: Duration.millis(cap), jitter, maxRetryAfter: Duration.minutes(1) })
          const error = after === undefined ? transport : new RateLimited({ ...where, retryAfter: Duration.millis(after) })
          const d = Duration.toMillis(Option.getOrThrow(Retry.delay(p, retry, error, random)))
          const backoff = Math.min(cap, base * 2 ** retry)
          expect(d).toBeLessThanOrEqual(Math.max(backoff, after ?? 0) + 1e-6)
          expect(d).toBeGreaterThanOrEqual(backoff * (1 - jitter) - 1e-6)
          if (after !== undefined) expect(d).toBeGreaterThanOrEqual(after)
        }
      )
    )
  })

  it("policy() clamps nonsense", () => {
    expect(Retry.policy({ maxAttempts: 0, jitter: 7 })).toMatchObject({ maxAttempts: 1, jitter: 1 })
    expect(Retry.policy({ jitter: -1 }).jitter).toBe(0)
  })

  it("knows which methods are idempotent", () => {
    expect(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].every(Retry.isIdempotentMethod)).toBe(true)
    expect(Retry.isIdempotentMethod("POST")).toBe(false)
    expect(Retry.isIdempotentMethod("PATCH")).toBe(false)
  })
})
