/** Test helpers for the http suites: capture spans and log lines to search them for secrets. */
import { Effect, Layer, Logger, LogLevel, Tracer } from "effect"

export interface CapturedSpans {
  readonly tracer: Tracer.Tracer
  readonly spans: Array<Tracer.Span>
}

/** A tracer that records every span it creates (delegating to the current one). */
export const captureSpans: Effect.Effect<CapturedSpans> = Effect.map(Effect.tracer, (native) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })
  return { tracer, spans }
})

/** Everything a span says, as one string to search. */
export const spanText = (spans: ReadonlyArray<Tracer.Span>): string =>
  spans.map((s) => `${s.name} ${JSON.stringify(Object.fromEntries([...s.attributes].map(([k, v]) => [k, String(v)])))}`).join("\n")

/** A logger layer that keeps logfmt and JSON renderings of every line (all levels), to search them. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const keep = (line: string) => {
    lines.push(line)
  }
  const layer = Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.zip(Logger.map(Logger.logfmtLogger, keep), Logger.map(Logger.jsonLogger, keep))),
    Logger.minimumLogLevel(LogLevel.All)
  )
  return { lines, layer }
}
