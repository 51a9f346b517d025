/**
 * POSIX shell quoting for commands sent over SSH: the remote side always
 * parses them with a shell, so every argument is single-quoted.
 */

/** One argument, single-quoted ('it'\''s'). */
export const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`

/** A path for the shell: a leading "~/" becomes "$HOME"/… (quotes stop tilde expansion). */
export const quotePath = (path: string): string =>
  path === "~" ? `"$HOME"` : path.startsWith("~/") ? `"$HOME"/${quote(path.slice(2))}` : quote(path)
