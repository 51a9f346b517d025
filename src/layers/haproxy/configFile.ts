/**
 * Reading and replacing haproxy.cfg: the new text goes to a temporary file
 * beside it, is checked with `haproxy -c -f` when a binary is configured, and
 * replaces the old file by rename, so HAProxy never reads half a file.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { open, readFile, rename, stat, unlink } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { Effect, Either } from "effect"
import { MalformedResponse, ProviderError } from "../../schemas/Errors.js"
import type { Where } from "../../services/validate.js"
import { type ConfigText, parseConfig } from "./section.js"

export interface LoadedConfig extends ConfigText {
  readonly text: string
}

const fsError = (where: Where, path: string, action: string, e: unknown) =>
  new ProviderError({
    ...where,
    code: (e as NodeJS.ErrnoException | undefined)?.code ?? "FileSystem",
    detail: `cannot ${action} ${path}: ${(e as Error | undefined)?.message ?? String(e)}`
  })

export const load = (where: Where, path: string): Effect.Effect<LoadedConfig, ProviderError | MalformedResponse> =>
  Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (e) => fsError(where, path, "read", e) }).pipe(
    Effect.flatMap((text) =>
      Either.match(parseConfig(text), {
        onLeft: (reason) => Effect.fail(new MalformedResponse({ ...where, reason: `${path}: ${reason}` })),
        onRight: (parsed) => Effect.succeed({ ...parsed, text })
      })
    )
  )

const check = (where: Where, binary: string, path: string) =>
  Effect.async<void, ProviderError>((resume) => {
    const child = execFile(binary, ["-c", "-q", "-f", path], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error === null) return resume(Effect.void)
      const lines = `${stderr}\n${stdout}`.split("\n").filter((l) => /ALERT|error/i.test(l))
      const detail = (lines.length > 0 ? lines : [error.message]).slice(0, 5).join("; ").replaceAll(path, "<new config>")
      resume(Effect.fail(new ProviderError({ ...where, code: "ConfigRejected", detail: `haproxy -c refused the new configuration: ${detail}` })))
    })
    return Effect.sync(() => child.kill())
  })

/**
 * Replace `path` with `text` atomically. `expected` is the text this change
 * was computed from: a file changed by someone else meanwhile is not overwritten.
 */
export const replace = (
  where: Where,
  path: string,
  text: string,
  options: { readonly expected: string; readonly haproxyBinary: string | undefined }
): Effect.Effect<void, ProviderError> => {
  const tmp = join(dirname(path), `.${basename(path)}.cloudfx-${randomBytes(6).toString("hex")}.tmp`)
  const write = Effect.tryPromise({
    try: async () => {
      const mode = (await stat(path)).mode & 0o7777
      const handle = await open(tmp, "wx", mode)
      try {
        await handle.writeFile(text, "utf8")
        await handle.sync()
      } finally {
        await handle.close()
      }
    },
    catch: (e) => fsError(where, tmp, "write", e)
  })
  const unchanged = Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (e) => fsError(where, path, "read", e) }).pipe(
    Effect.filterOrFail(
      (current) => current === options.expected,
      () => new ProviderError({ ...where, code: "ConcurrentChange", detail: `${path} changed while cloudfx was rewriting it; nothing was written` })
    )
  )
  const install = Effect.tryPromise({ try: () => rename(tmp, path), catch: (e) => fsError(where, path, "replace", e) })
  return Effect.gen(function*() {
    yield* write
    if (options.haproxyBinary !== undefined) yield* check(where, options.haproxyBinary, tmp)
    yield* unchanged
    yield* install
  }).pipe(
    Effect.onExit(() => Effect.promise(() => unlink(tmp).catch(() => undefined))),
    Effect.withSpan("haproxy.replaceConfig")
  )
}
