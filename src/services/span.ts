import { Effect, Stream } from "effect"

/** The attributes every operation's span carries. */
export const spanAttributes = (provider: string, operation: string, extra: Record<string, unknown> = {}) => ({
  "cloudfx.provider": provider,
  "cloudfx.operation": operation,
  ...extra
})

/**
 * Wrap one operation in its span (named like "ObjectStorage.putObject").
 * Pass ids and names as attributes, never credentials.
 */
export const traced = (provider: string, operation: string, extra?: Record<string, unknown>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withSpan(self, operation, { attributes: spanAttributes(provider, operation, extra) })

export const tracedStream = (provider: string, operation: string, extra?: Record<string, unknown>) =>
<A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.withSpan(self, operation, { attributes: spanAttributes(provider, operation, extra) })
