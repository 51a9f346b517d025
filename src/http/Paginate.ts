/**
 * Pagination as a Stream (DESIGN.md §2: "listObjects … as a Stream
 * (pagination hidden)"). Pages are fetched one at a time, only when the
 * consumer pulls past the previous one, so `Stream.take(10)` over a bucket of
 * millions costs one request.
 *
 * A provider that hands back a token it already gave (the same one forever,
 * or a cycle) would make the stream endless; that is a malformed response.
 */
import { Chunk, Effect, Equal, Option, Stream, Utils } from "effect"
import { MalformedResponse } from "../schemas/Errors.js"
import type { Where } from "../services/validate.js"

export interface Page<A, T> {
  readonly items: ReadonlyArray<A>
  /** The token for the next page; None on the last page. */
  readonly next: Option.Option<T>
}

export interface Options<T> {
  /** For the error raised when a token repeats. */
  readonly where: Where
  /**
   * A string identity for a token, to detect repeats and cycles. Default:
   * strings and numbers as themselves, other values through JSON.stringify
   * (S3's `{ continuationToken }`, a `{ marker, prefix }` pair).
   */
  readonly key?: (token: T) => string
}

const defaultKey = <T>(token: T): string | undefined => {
  if (typeof token === "string") return `s:${token}`
  if (typeof token === "number" || typeof token === "bigint" || typeof token === "boolean") return `${typeof token}:${String(token)}`
  try {
    return `j:${JSON.stringify(token)}`
  } catch {
    return undefined
  }
}

interface State<T> {
  readonly token: Option.Option<T>
  readonly seen: Set<string>
  /** "more": fetch with `token`; "done": the last page was served; "loop": fail on the next pull. */
  readonly status: "more" | "done" | "loop"
}

/**
 * Turns a page fetcher into a lazy stream of items. The fetcher gets None
 * for the first page, then each page's `next`. When a token repeats, the
 * items of the page that returned it are still emitted, then the stream fails.
 */
export const stream = <A, T, E, R>(
  fetch: (token: Option.Option<T>) => Effect.Effect<Page<A, T>, E, R>,
  options: Options<T>
): Stream.Stream<A, E | MalformedResponse, R> => {
  const keyOf = (t: T): string | undefined => (options.key ? options.key(t) : defaultKey(t))
  const repeated = (state: State<T>, next: T): boolean => {
    // Equal first: it also catches the same object handed back, whatever its key.
    const current = state.token
    if (Option.isSome(current) && Utils.structuralRegion(() => Equal.equals(current.value, next))) return true
    const k = keyOf(next)
    return k !== undefined && state.seen.has(k)
  }
  const step = (state: State<T>): Effect.Effect<Option.Option<readonly [Chunk.Chunk<A>, State<T>]>, E | MalformedResponse, R> => {
    switch (state.status) {
      case "done":
        return Effect.succeed(Option.none())
      case "loop":
        return Effect.fail(
          new MalformedResponse({ ...options.where, reason: "the provider returned a page token it had already given (pagination would never end)" })
        )
      case "more":
        return Effect.map(fetch(state.token), (page) => {
          const items = Chunk.fromIterable(page.items)
          if (Option.isNone(page.next)) return Option.some([items, { ...state, status: "done" }] as const)
          const next = page.next.value
          if (repeated(state, next)) return Option.some([items, { ...state, status: "loop" }] as const)
          const k = keyOf(next)
          if (k !== undefined) state.seen.add(k)
          return Option.some([items, { token: page.next, seen: state.seen, status: "more" }] as const)
        })
    }
  }
  // suspend: each run of the stream starts from the first page with its own memory of tokens.
  return Stream.suspend(() => Stream.unfoldChunkEffect<State<T>, A, E | MalformedResponse, R>({ token: Option.none(), seen: new Set(), status: "more" }, step))
}
