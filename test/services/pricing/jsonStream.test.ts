/**
 * The streaming JSON reader: the same values as JSON.parse wherever the
 * chunk boundaries fall, the same refusals, and values handed over while
 * the source is still being read.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { Chunk, Effect, Option, Stream } from "effect"
import { type JsonPath, JsonStreamParser, type JsonValue, parseStream } from "../../../src/services/pricing/jsonStream.js"

const whole = (text: string, cuts: ReadonlyArray<number>): JsonValue | undefined => {
  let got: JsonValue | undefined
  const parser = new JsonStreamParser({ select: (path) => path.length === 0, onValue: (_p, v) => (got = v) })
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.write(text.slice(at, cut))
    at = cut
  }
  parser.write(text.slice(at))
  parser.end()
  return got
}

const rejects = (text: string): string | undefined => {
  try {
    const parser = new JsonStreamParser({ select: () => false, onValue: () => {} })
    parser.write(text)
    parser.end()
    return undefined
  } catch (e) {
    return (e as { reason: string }).reason
  }
}

describe("JsonStreamParser", () => {
  it("reads any JSON text like JSON.parse, wherever the chunks are cut", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().chain((value) => {
          const text = JSON.stringify(value, null, value === null ? undefined : 1)
          return fc.tuple(fc.constant(text), fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }))
        }),
        ([text, cuts]) => {
          expect(whole(text, cuts)).toEqual(JSON.parse(text))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("keeps escapes, surrogate pairs and a \"__proto__\" key as JSON.parse does", () => {
    const text = "{\"a\\\"b\":\"\\u00e9\\n\\ud83d\\ude00😀\",\"__proto__\":{\"x\":1},\"n\":-0.5e-3,\"t\":[true,false,null]}"
    for (let size = 1; size < text.length; size++) {
      const cuts = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => i * size)
      const got = whole(text, cuts) as Record<string, unknown>
      expect(got).toEqual(JSON.parse(text))
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype)
    }
  })

  it("refuses what JSON.parse refuses", () => {
    for (const bad of ["{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{", "[1,]", "tru", "01", "{\"a\":1}x", "\"\u0001\"", "[-]", "", "{\"a\":\"\\x\"}", "[1}", "{]"]) {
      expect(() => JSON.parse(bad)).toThrow()
      expect(rejects(bad), bad).toBeTypeOf("string")
    }
  })

  it("hands over only selected values, with their paths", () => {
    const seen: Array<[JsonPath, JsonValue]> = []
    const parser = new JsonStreamParser({
      select: (path) => path.length === 2 && path[0] === "items",
      onValue: (path, value) => seen.push([path, value])
    })
    parser.write("{\"skip\":{\"items\":[1]},\"items\":[{\"a\":[1,{\"b\":2}]},\"x\",3],\"tail\":0}")
    parser.end()
    expect(seen).toEqual([[["items", 0], { a: [1, { b: 2 }] }], [["items", 1], "x"], [["items", 2], 3]])
  })
})

describe("parseStream", () => {
  it.effect("hands values over as chunks arrive, not after the whole source is read", () =>
    Effect.gen(function*() {
      const items = 2000
      let pulled = 0
      const pieces = (i: number) => (i === 0 ? "{\"items\":[" : i <= items ? `${i > 1 ? "," : ""}{"n":${i},"pad":"${"x".repeat(200)}"}` : i === items + 1 ? "]}" : undefined)
      const source = Stream.unfoldChunk(0, (i) => {
        const piece = pieces(i)
        if (piece === undefined) return Option.none()
        pulled++
        return Option.some([Chunk.of(new TextEncoder().encode(piece)), i + 1] as const)
      })
      const pulledWhenSeen: Array<number> = []
      const result = yield* parseStream(source, {
        select: (path) => path.length === 2,
        onValue: () => pulledWhenSeen.push(pulled)
      })
      expect(pulledWhenSeen).toHaveLength(items)
      // Item k is handed over when about k + 1 chunks have been pulled: the source is read as it is parsed.
      expect(pulledWhenSeen[0]).toBeLessThanOrEqual(3)
      expect(pulledWhenSeen[items / 2]!).toBeLessThanOrEqual(items / 2 + 3)
      expect(pulled).toBe(items + 2)
      expect(result.maxPending).toBeLessThan(300)
    }))

  it.effect("a multi-byte character cut between chunks is read whole; invalid UTF-8 fails", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode("[\"é😀\"]")
      let value: JsonValue | undefined
      yield* parseStream(Stream.fromIterable([...bytes].map((b) => Uint8Array.of(b))), {
        select: (path) => path.length === 0,
        onValue: (_p, v) => (value = v)
      })
      expect(value).toEqual(["é😀"])
      const error = yield* Effect.flip(parseStream(Stream.make(Uint8Array.of(0x5b, 0xc3, 0x28, 0x5d)), { select: () => false, onValue: () => {} }))
      expect(error.reason).toMatch(/not valid UTF-8/)
    }))

  it.effect("the source's own failure passes through untouched", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(parseStream(Stream.concat(Stream.make(new TextEncoder().encode("[1,")), Stream.fail("gone" as const)), {
        select: () => false,
        onValue: () => {}
      }))
      expect(error).toBe("gone")
    }))
})
