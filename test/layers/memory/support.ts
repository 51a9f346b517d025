/** Helpers for the memory provider tests. */
import { Cause, Effect, Exit, Option, Tracer } from "effect"

/** The tag of the typed failure of `self`, "Success", or "Defect" / "Interrupt". */
export const outcome = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<string, never, R> =>
  Effect.map(Effect.exit(self), (exit) => {
    if (Exit.isSuccess(exit)) return "Success"
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) return (failure.value as { readonly _tag: string })._tag
    return Cause.isInterruptedOnly(exit.cause) ? "Interrupt" : "Defect"
  })

/** Run `self` under a tracer that records every span it starts. */
export const withRecordedSpans = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const spans: Array<Tracer.Span> = []
    const base = yield* Effect.tracer
    const tracer = Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    })
    const value = yield* Effect.withTracer(self, tracer)
    return { value, spans } as const
  })
