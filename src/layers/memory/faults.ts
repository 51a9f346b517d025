/**
 * Latency and seeded fault injection for the memory providers, so users can
 * test their own retry and timeout handling against the same failures real
 * clouds produce. A fault is decided before the operation runs: a failed call
 * never changes state, as with a real provider that refused the request.
 */
import { Duration, Effect } from "effect"
import { RateLimited, Transport } from "../../schemas/Errors.js"

export interface FaultConfig {
  /** Seed of the pseudo-random sequence: the same seed fails the same calls. */
  readonly seed: number
  /** Probability (0–1) that a call fails with RateLimited. */
  readonly rateLimited?: number
  /** Probability (0–1) that a call fails with Transport. */
  readonly transport?: number
  /** The retryAfter that RateLimited faults carry. */
  readonly retryAfter?: Duration.DurationInput
}

export interface Behaviour {
  /** Added to every call. */
  readonly latency?: Duration.DurationInput
  readonly faults?: FaultConfig
}

// mulberry32: tiny, fast, good enough to spread faults; deterministic per seed.
const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Injector = <A, E, R>(
  operation: string,
  self: Effect.Effect<A, E, R>
) => Effect.Effect<A, E | RateLimited | Transport, R>

export const makeInjector = (provider: string, behaviour: Behaviour = {}): Injector => {
  const latency = behaviour.latency === undefined ? undefined : Duration.decode(behaviour.latency)
  const faults = behaviour.faults
  const next = faults === undefined ? undefined : prng(faults.seed)
  const retryAfter = faults?.retryAfter === undefined ? undefined : Duration.decode(faults.retryAfter)
  return (operation, self) => {
    const fault = Effect.suspend((): Effect.Effect<void, RateLimited | Transport> => {
      if (next === undefined || faults === undefined) return Effect.void
      const roll = next()
      const limited = faults.rateLimited ?? 0
      if (roll < limited) {
        return Effect.fail(
          retryAfter === undefined
            ? new RateLimited({ provider, operation })
            : new RateLimited({ provider, operation, retryAfter })
        )
      }
      if (roll < limited + (faults.transport ?? 0)) {
        return Effect.fail(new Transport({ provider, operation, reason: "injected fault: connection reset" }))
      }
      return Effect.void
    })
    const delayed = latency === undefined ? fault : Effect.zipRight(Effect.sleep(latency), fault)
    return Effect.zipRight(delayed, self)
  }
}
