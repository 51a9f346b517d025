/**
 * Replay helpers the provider tests share: JSON request/response exchanges,
 * and running an effect while the TestClock moves (retries and polls sleep).
 */
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import { isDeepStrictEqual } from "node:util"
import type { Replay } from "../../../src/http/index.js"

const decoder = new TextDecoder()

/** A body matcher: the request's JSON equals `expected` (key order ignored). */
export const jsonEquals = (expected: unknown) => (body: Uint8Array): boolean => {
  try {
    return isDeepStrictEqual(JSON.parse(decoder.decode(body)), expected)
  } catch {
    return false
  }
}

/** A JSON response as the provider sends it. */
export const reply = (status: number, body?: unknown, headers: Readonly<Record<string, string>> = {}): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) })
})

/** Runs `self` in a fiber while moving the TestClock far enough for every wait. */
export const withTime = <A, E, R>(self: Effect.Effect<A, E, R>, by: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

/** Whether `fiber` has finished (without waiting for it). */
export const isDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) => Effect.map(Fiber.poll(fiber), Option.isSome)

export const seconds = (n: number) => Duration.seconds(n)
