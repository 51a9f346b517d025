/**
 * Per-attempt timeout. Exceeding it interrupts the attempt — which aborts
 * the in-flight request, since the platform client ties an AbortController to
 * the fiber — and fails with `Transport` ("no answer"), so an idempotent
 * request is retried like any other lost connection.
 */
import { Duration, Effect } from "effect"
import { Transport } from "../schemas/Errors.js"
import type { Where } from "../services/validate.js"

export const reason = (after: Duration.DurationInput): string => `timed out after ${Duration.format(after)}`

/** Fails with Transport when `self` takes longer than `after`; `undefined` or an infinite duration means no limit. */
export const apply =
  (after: Duration.DurationInput | undefined, where: Where) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | Transport, R> => {
    if (after === undefined) return self
    const d = Duration.decode(after)
    if (!Duration.isFinite(d)) return self
    return Effect.timeoutFail(self, { duration: d, onTimeout: () => new Transport({ ...where, reason: reason(d) }) })
  }
