import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { Paginate } from "../../src/http/index.js"

const where = { provider: "test", operation: "ObjectStorage.listObjects" }

/** Pages of `size` numbers from 0 to total-1, with string tokens; records every token fetched. */
const numbers = (total: number, size: number) => {
  const fetched: Array<Option.Option<string>> = []
  const fetch = (token: Option.Option<string>) =>
    Effect.sync(() => {
      fetched.push(token)
      const start = Option.match(token, { onNone: () => 0, onSome: Number })
      const end = Math.min(total, start + size)
      const items = Array.from({ length: end - start }, (_, i) => start + i)
      return { items, next: end < total ? Option.some(String(end)) : Option.none() }
    })
  return { fetch, fetched }
}

describe("Paginate.stream", () => {
  it.effect("walks every page in order", () =>
    Effect.gen(function*() {
      const { fetch, fetched } = numbers(7, 3)
      const all = yield* Stream.runCollect(Paginate.stream(fetch, { where }))
      expect(Chunk.toReadonlyArray(all)).toEqual([0, 1, 2, 3, 4, 5, 6])
      expect(fetched).toEqual([Option.none(), Option.some("3"), Option.some("6")])
    }))

  it.effect("is lazy: fetches nothing until pulled, and only the pages consumed", () =>
    Effect.gen(function*() {
      const { fetch, fetched } = numbers(1_000_000, 2)
      const stream = Paginate.stream(fetch, { where })
      expect(fetched.length).toBe(0)
      const first3 = yield* Stream.runCollect(Stream.take(stream, 3))
      expect(Chunk.toReadonlyArray(first3)).toEqual([0, 1, 2])
      expect(fetched.length).toBe(2)
      fetched.length = 0
      yield* Stream.runCollect(Stream.take(stream, 2))
      expect(fetched).toEqual([Option.none()])
    }))

  it.effect("handles an empty listing and empty pages in the middle", () =>
    Effect.gen(function*() {
      const empty = yield* Stream.runCollect(Paginate.stream(() => Effect.succeed({ items: [], next: Option.none<string>() }), { where }))
      expect(Chunk.size(empty)).toBe(0)
      const pages: Record<string, { items: Array<string>; next: Option.Option<string> }> = {
        start: { items: ["a"], next: Option.some("p2") },
        p2: { items: [], next: Option.some("p3") },
        p3: { items: ["b"], next: Option.none() }
      }
      const out = yield* Stream.runCollect(
        Paginate.stream((t: Option.Option<string>) => Effect.succeed(pages[Option.getOrElse(t, () => "start")]!), { where })
      )
      expect(Chunk.toReadonlyArray(out)).toEqual(["a", "b"])
    }))

  it.effect("fails with MalformedResponse when the provider repeats the token forever", () =>
    Effect.gen(function*() {
      let calls = 0
      const stuck = Paginate.stream(
        (_t: Option.Option<string>) => Effect.sync(() => ({ items: [calls++], next: Option.some("same") })),
        { where }
      )
      const error = yield* Effect.flip(Stream.runDrain(stuck))
      expect(error._tag).toBe("MalformedResponse")
      expect(error).toMatchObject(where)
      expect(calls).toBe(2)
    }))

  it.effect("emits the items before failing, and catches cycles and structurally equal object tokens", () =>
    Effect.gen(function*() {
      const cycle: Record<string, string> = { start: "a", a: "b", b: "a" }
      const seen: Array<string> = []
      const error = yield* Stream.runForEach(
        Paginate.stream(
          (t: Option.Option<{ marker: string }>) => {
            const at = Option.match(t, { onNone: () => "start", onSome: (x) => x.marker })
            return Effect.succeed({ items: [at], next: Option.some({ marker: cycle[at]! }) })
          },
          { where }
        ),
        (item) => Effect.sync(() => seen.push(item))
      ).pipe(Effect.flip)
      expect(error._tag).toBe("MalformedResponse")
      expect(seen).toEqual(["start", "a", "b"])
    }))

  it.effect("propagates the fetcher's own errors", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(Paginate.stream(() => Effect.fail("boom" as const), { where })))
      expect(error).toBe("boom")
    }))

  it.effect("each run starts over from the first page", () =>
    Effect.gen(function*() {
      const { fetch } = numbers(4, 2)
      const stream = Paginate.stream(fetch, { where })
      const a = yield* Stream.runCollect(stream)
      const b = yield* Stream.runCollect(stream)
      expect(Chunk.toReadonlyArray(b)).toEqual(Chunk.toReadonlyArray(a))
    }))
})
