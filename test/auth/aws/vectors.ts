/**
 * Shared helpers for the SigV4 vector tests: where the vectors are, and a
 * parser for the raw HTTP requests of the AWS suites (.req / request.txt).
 *
 * The vectors are read in place from $CLOUDFX_VECTORS (never copied into the
 * project). When it is unset, suites register a single skipped test whose
 * name says so, and a warning is printed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, it } from "vitest"
import type { Pair } from "../../../src/auth/aws/Canonical.js"

export const VECTORS: string | undefined = process.env["CLOUDFX_VECTORS"] || undefined

const HOW = "set CLOUDFX_VECTORS to the shared vectors folder (e.g. CLOUDFX_VECTORS=../shared/vectors npx vitest run test/auth/aws)"

/**
 * `describe` when the vectors are available; otherwise one loudly named
 * skipped test (the body never runs, so nothing is read).
 */
export const describeVectors = (name: string, subdir: string, body: (root: string) => void) => {
  const root = VECTORS === undefined ? undefined : join(VECTORS, subdir)
  if (root === undefined || !existsSync(root)) {
    const why = VECTORS === undefined ? "CLOUDFX_VECTORS is not set" : `${root} does not exist`
    console.warn(`\n*** ${name}: VECTORS SKIPPED — ${why}; ${HOW} ***\n`)
    describe(name, () => {
      it.skip(`VECTORS SKIPPED (${why}): ${HOW}`, () => {})
    })
    return
  }
  describe(name, () => body(root))
}

export const read = (path: string): string => readFileSync(path, "utf8")

export const isDir = (path: string): boolean => statSync(path).isDirectory()

export const listDirs = (path: string): Array<string> =>
  readdirSync(path).filter((name) => isDir(join(path, name))).sort()

export interface RawRequest {
  readonly method: string
  /** The path exactly as on the request line (the wire form). */
  readonly path: string
  /** Decoded query parameters, in order. */
  readonly query: Array<Pair>
  /** Headers in order, repeats kept, folded continuation lines joined with "\n". */
  readonly headers: Array<Pair>
  readonly body: string | undefined
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Split a raw query string into decoded pairs (`+` is literal, as in the AWS suites). */
export const parseQuery = (query: string): Array<Pair> =>
  query === ""
    ? []
    : query.split("&").filter((p) => p !== "").map((p): Pair => {
      const eq = p.indexOf("=")
      return eq === -1 ? [decode(p), ""] : [decode(p.slice(0, eq)), decode(p.slice(eq + 1))]
    })

/**
 * Parse a raw request as the README describes it: request line, `Name:value`
 * headers (repeated names kept; lines starting with whitespace continue the
 * previous value), a blank line, then the body. No trailing newline needed.
 */
export const parseRawRequest = (text: string): RawRequest => {
  const split = text.indexOf("\n\n")
  const head = split === -1 ? text : text.slice(0, split)
  const body = split === -1 ? undefined : text.slice(split + 2)
  const lines = head.split("\n")
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  const requestLine = lines[0]!
  const firstSpace = requestLine.indexOf(" ")
  const method = requestLine.slice(0, firstSpace)
  const target = requestLine.slice(firstSpace + 1, requestLine.lastIndexOf(" HTTP/"))
  const q = target.indexOf("?")
  const path = q === -1 ? target : target.slice(0, q)
  const query = q === -1 ? [] : parseQuery(target.slice(q + 1))
  const headers: Array<[string, string]> = []
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1]!
      last[1] += "\n" + line
      continue
    }
    const colon = line.indexOf(":")
    headers.push([line.slice(0, colon), line.slice(colon + 1)])
  }
  return { method, path, query, headers, body }
}

/** `20150830T123600Z` → epoch ms. */
export const parseAmzDate = (amzDate: string): number =>
  Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15))
  )

/** Header names of a raw (signed) request, lower-cased and sorted. */
export const headerNames = (headers: ReadonlyArray<Pair>): Array<string> =>
  [...new Set(headers.map(([k]) => k.toLowerCase()))].sort()

export const headerValue = (headers: ReadonlyArray<Pair>, name: string): string | undefined =>
  headers.find(([k]) => k.toLowerCase() === name)?.[1]

export const sortPairs = (pairs: ReadonlyArray<Pair>): Array<string> => pairs.map(([k, v]) => `${k}=${v}`).sort()
