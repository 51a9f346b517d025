/**
 * Small helpers the contract suites share: expected failures, polling until
 * a condition holds (real clouds are eventually consistent), unique names.
 */
import { assert, expect } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Option, Schedule } from "effect"

/** Options every contract suite takes. */
export interface ContractTiming {
  /** How often to poll while waiting for a state. Default: every 2 seconds. */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  /** Give up waiting for one state after this long. Default: 10 minutes. */
  readonly timeout?: Duration.DurationInput
  /** vitest timeout of each test, in ms. Default: 30 s plus twice `timeout`. */
  readonly testTimeout?: number
}

export const timing = (options: ContractTiming) => {
  const timeout = Duration.decode(options.timeout ?? "10 minutes")
  return {
    schedule: options.schedule ?? Schedule.spaced("2 seconds"),
    timeout,
    testTimeout: options.testTimeout ?? 30_000 + 2 * Duration.toMillis(timeout)
  }
}

/** A suffix unique enough to share a real server with other runs: lower-case letters and digits. */
export const uniqueSuffix = () =>
  `${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 8)}`.toLowerCase()

/** An id nothing has: what a suite uses to ask for NotFound. */
export const defaultMissingId = (resource: string) => `cloudfx-missing-${resource}-${uniqueSuffix()}`

type Tagged = { readonly _tag: string }

/**
 * Run `self`, which must fail with a typed error tagged `tag` (not succeed,
 * not die): the error is returned for further checks.
 */
export const failsWith = <const Tag extends string, A, E, R>(
  self: Effect.Effect<A, E, R>,
  tag: Tag,
  what = tag
): Effect.Effect<Extract<E, { readonly _tag: Tag }>, never, R> =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(self)
    if (Exit.isSuccess(exit)) {
      return assert.fail(`expected ${what} to fail with ${tag}, but it succeeded with ${String(formatValue(exit.value))}`)
    }
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) {
      return assert.fail(`expected ${what} to fail with ${tag}, but it died: ${Cause.pretty(exit.cause)}`)
    }
    const error = failure.value as E & Tagged
    expect(error._tag, `${what}: ${String((error as { message?: unknown }).message ?? "")}`).toBe(tag)
    return error as Extract<E, { readonly _tag: Tag }>
  })

/** Like `failsWith`, accepting any of several tags. */
export const failsWithOneOf = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  tags: ReadonlyArray<string>,
  what = tags.join(" or ")
): Effect.Effect<E & Tagged, never, R> =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(self)
    if (Exit.isSuccess(exit)) {
      return assert.fail(`expected ${what} to fail with ${tags.join(" or ")}, but it succeeded`)
    }
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) {
      return assert.fail(`expected ${what} to fail with ${tags.join(" or ")}, but it died: ${Cause.pretty(exit.cause)}`)
    }
    const error = failure.value as E & Tagged
    expect(tags, `${what}: got ${error._tag}`).toContain(error._tag)
    return error
  })

/** Run `self`; it must succeed, or fail with anything but `tag` (for "a listed capability is never Unsupported"). */
export const neverFailsWith = <A, E, R>(self: Effect.Effect<A, E, R>, tag: string, what: string) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(self)
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return assert.fail(`${what} died: ${Cause.pretty(exit.cause)}`)
      expect((failure.value as Tagged)._tag, what).not.toBe(tag)
    }
    return exit
  })

class NotYet {
  constructor(readonly last: unknown) {}
}

/**
 * Repeat `check` on `schedule` until `done` holds; fail the test (with the
 * last value seen) after `timeout`. Errors of `check` end the wait.
 */
export const eventually = <A, E, R>(
  what: string,
  check: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  options: { readonly schedule: Schedule.Schedule<unknown, unknown>; readonly timeout: Duration.Duration }
): Effect.Effect<A, E, R> => {
  let last: unknown = undefined
  return check.pipe(
    Effect.tap((a) => Effect.sync(() => void (last = a))),
    Effect.filterOrFail(done, (a) => new NotYet(a)),
    Effect.retry({ schedule: options.schedule, while: (e) => e instanceof NotYet }),
    Effect.timeoutFail({ duration: options.timeout, onTimeout: () => new NotYet(last) }),
    Effect.catchIf(
      (e): e is NotYet => e instanceof NotYet,
      (e) => Effect.sync(() => assert.fail(`gave up waiting for ${what}; last seen: ${formatValue(e.last)}`))
    )
  )
}

const formatValue = (u: unknown): string => {
  try {
    return JSON.stringify(u, (_k, v: unknown) => (v instanceof Set ? [...v] : v))?.slice(0, 500) ?? String(u)
  } catch {
    return String(u)
  }
}
