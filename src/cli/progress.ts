/**
 * A transfer progress bar on stderr. On a terminal it redraws one line at
 * most ten times a second; elsewhere (CI logs, pipes) it prints a line per
 * quarter so logs stay short.
 */
import { Effect, Stream } from "effect"

export interface Progress {
  readonly advance: (bytes: number) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

export const makeProgress = (label: string, total: number | undefined, enabled: boolean): Effect.Effect<Progress> =>
  Effect.sync(() => {
    const out = process.stderr
    const tty = out.isTTY === true
    const started = performance.now()
    let sent = 0
    let lastDraw = 0
    let lastQuarter = 0
    let printed = -1
    const rate = () => {
      const secs = (performance.now() - started) / 1000
      return secs > 0 ? `${mib(sent / secs)} MiB/s` : ""
    }
    const draw = (final: boolean) => {
      if (!enabled) return
      if (tty) {
        const frac = total ? Math.min(1, sent / total) : 0
        const bar = total ? "█".repeat(Math.round(frac * 30)).padEnd(30, "░") : ""
        const pct = total ? `${(frac * 100).toFixed(0).padStart(3)}%` : ""
        out.write(`\r${label} ${bar} ${pct} ${mib(sent)}${total ? `/${mib(total)}` : ""} MiB ${rate()}\x1b[K${final ? "\n" : ""}`)
        return
      }
      const quarter = total ? Math.floor((sent / total) * 4) : 0
      if ((final && printed !== sent) || quarter > lastQuarter) {
        lastQuarter = quarter
        printed = sent
        out.write(`${label}: ${mib(sent)}${total ? `/${mib(total)}` : ""} MiB ${rate()}\n`)
      }
    }
    return {
      advance: (bytes) =>
        Effect.sync(() => {
          sent += bytes
          const now = performance.now()
          if (!tty || now - lastDraw > 100) {
            lastDraw = now
            draw(false)
          }
        }),
      done: Effect.sync(() => draw(true))
    }
  })

/** Count the bytes flowing through a stream into a progress bar. */
export const withProgress = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  progress: Progress
): Stream.Stream<Uint8Array, E, R> =>
  stream.pipe(
    Stream.tap((chunk) => progress.advance(chunk.byteLength)),
    Stream.ensuring(progress.done)
  )
