/**
 * Runs the `cloudfx` command in this process, as `cloudfx <args>` would, with
 * the environment it reads given as a map and what it prints captured.
 */
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, Effect } from "effect"
import { run } from "../../src/cli/main.js"

export interface CliRun {
  readonly stdout: string
  readonly stderr: string
}

export const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Effect.Effect<CliRun, unknown> =>
  Effect.flatMap(Effect.console, (console) => {
    const out: Array<string> = []
    const err: Array<string> = []
    const print = (lines: Array<string>) => (...parts: ReadonlyArray<unknown>) =>
      Effect.sync(() => {
        lines.push(parts.map(String).join(" "))
      })
    return run(["node", "cloudfx", ...args]).pipe(
      Effect.withConsole({ ...console, log: print(out), error: print(err) }),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer),
      Effect.map(() => ({ stdout: out.join("\n"), stderr: err.join("\n") }))
    )
  })
