import { Clock, Duration, Effect, Schedule } from "effect"
import { Timeout } from "../schemas/Errors.js"

class NotReady {}

export interface PollOptions<A, E, R> {
  readonly provider: string
  readonly operation: string
  /** For the Timeout message: "node i-1 to run". */
  readonly waitingFor: string
  /** One look at the world; fail here for states there is no coming back from. */
  readonly check: Effect.Effect<A, E, R>
  readonly done: (a: A) => boolean
  readonly schedule: Schedule.Schedule<unknown, unknown>
  readonly timeout: Duration.DurationInput
}

/**
 * Repeat `check` on `schedule` until `done`. A timeout, or a bounded schedule
 * running out, is a typed `Timeout`; failures of `check` end the wait at once.
 */
export const pollUntil = <A, E, R>(options: PollOptions<A, E, R>): Effect.Effect<A, E | Timeout, R> => {
  const timeout = Duration.decode(options.timeout)
  const gaveUp = (after: Duration.Duration) =>
    new Timeout({ provider: options.provider, operation: options.operation, waitingFor: options.waitingFor, after })
  return Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    return yield* options.check.pipe(
      Effect.filterOrFail(options.done, () => new NotReady()),
      Effect.retry({ schedule: options.schedule, while: (e) => e instanceof NotReady }),
      Effect.catchIf(
        (e): e is NotReady => e instanceof NotReady,
        () => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(gaveUp(Duration.millis(now - started))))
      ),
      Effect.timeoutFail({ duration: timeout, onTimeout: () => gaveUp(timeout) })
    )
  })
}
