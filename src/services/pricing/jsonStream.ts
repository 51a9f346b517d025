/**
 * A streaming JSON reader for price lists too big to hold: the AWS EC2 offer
 * file of one region is hundreds of megabytes, the Google Cloud catalogue a
 * few hundred pages. Text is fed chunk by chunk; only the values a
 * `Selection` asks for are built into objects and handed over, everything
 * else is checked for well-formedness and dropped as it goes. Memory is the
 * longest single token (one string or number cut by a chunk boundary) plus
 * the selected value being built, whatever the size of the document.
 */
import { Effect, Schema, Stream } from "effect"

export type JsonPath = ReadonlyArray<string | number>

export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | { readonly [key: string]: JsonValue }

/**
 * The text is not JSON, or a selection handler rejected what it was given.
 * A Schema class, not `Data.TaggedError`, whose emitted declaration has `any`.
 */
export class JsonStreamError extends Schema.TaggedError<JsonStreamError>()("JsonStreamError", {
  reason: Schema.String
}) {}

export interface Selection {
  /**
   * Whether the value starting at `path` is wanted whole. Asked once for
   * each value outside a selected one, so it must be cheap; the path array is
   * reused between calls (copy it to keep it).
   */
  readonly select: (path: JsonPath) => boolean
  /** A selected value, complete. Throwing `JsonStreamError` stops the parse with that reason. */
  readonly onValue: (path: JsonPath, value: JsonValue) => void
}

// What may come next. Numbers, not strings: this is compared for every token of a large file.
const VALUE = 0 // top level, after ':' or after ',' in an array
const VALUE_OR_END = 1 // just after '['
const KEY_OR_END = 2 // just after '{'
const KEY = 3 // after ',' in an object
const COLON = 4
const COMMA_OR_END = 5
const DONE = 6
type Expect = typeof VALUE | typeof VALUE_OR_END | typeof KEY_OR_END | typeof KEY | typeof COLON | typeof COMMA_OR_END | typeof DONE

interface Frame {
  readonly kind: "object" | "array"
}

/** A container being built for a selected value. */
interface Building {
  readonly value: Record<string, JsonValue> | Array<JsonValue>
  key: string | undefined
}

const numberPattern = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const controlCharacter = /[\u0000-\u001f]/

const isNumberChar = (c: number) =>
  (c >= 48 && c <= 57) || c === 45 /* - */ || c === 43 /* + */ || c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */

const fail = (reason: string): never => {
  throw new JsonStreamError({ reason })
}

// JSON.parse would give "__proto__" an own property; plain assignment would set the prototype.
const setKey = (target: Record<string, JsonValue>, key: string, value: JsonValue) => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

export class JsonStreamParser {
  private pending = ""
  private consumed = 0
  private expect: Expect = VALUE
  private readonly frames: Array<Frame> = []
  /** The path of the value about to start: one entry per open container. */
  private readonly path: Array<string | number> = []
  /** Open containers of the selected value being built; empty when not building. */
  private readonly building: Array<Building> = []
  /** Depth (frames.length) at which the selected value started. */
  private buildDepth = -1
  private builtPath: JsonPath = []
  private maxPendingChars = 0

  constructor(private readonly selection: Selection) {}

  /** The most text ever held back between chunks: the longest token cut by a boundary. */
  get maxPending(): number {
    return this.maxPendingChars
  }

  /** Characters read so far, for error positions. */
  get position(): number {
    return this.consumed
  }

  write(chunk: string): void {
    const s = this.pending.length === 0 ? chunk : this.pending + chunk
    const base = this.consumed - this.pending.length
    this.pending = ""
    const stop = this.scan(s, base, false)
    if (stop < s.length) {
      this.pending = s.slice(stop)
      if (this.pending.length > this.maxPendingChars) this.maxPendingChars = this.pending.length
    }
    this.consumed = base + s.length
  }

  /** The end of the text: fails unless exactly one complete value was read. */
  end(): void {
    const s = this.pending
    const base = this.consumed - s.length
    this.pending = ""
    const stop = this.scan(s, base, true)
    if (stop < s.length) fail(`unexpected end of JSON at character ${base + stop}`)
    if (this.expect !== DONE) fail(`unexpected end of JSON at character ${this.consumed} (a value is not finished)`)
  }

  /** Scans `s`; returns where an unfinished token starts (s.length when none). */
  private scan(s: string, base: number, final: boolean): number {
    const n = s.length
    let i = 0
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++
        continue
      }
      const at = base + i
      switch (this.expect) {
        case DONE:
          return fail(`unexpected text after the JSON value at character ${at}`)
        case COLON:
          if (c !== 58) fail(`expected ':' at character ${at}`)
          this.expect = VALUE
          i++
          continue
        case COMMA_OR_END: {
          const frame = this.frames[this.frames.length - 1]
          if (c === 44 /* , */ && frame !== undefined) {
            if (frame.kind === "array") {
              this.path[this.path.length - 1] = (this.path[this.path.length - 1] as number) + 1
              this.expect = VALUE
            } else {
              this.expect = KEY
            }
            i++
            continue
          }
          if (c === 125 /* } */ && frame?.kind === "object") {
            this.close()
            i++
            continue
          }
          if (c === 93 /* ] */ && frame?.kind === "array") {
            this.close()
            i++
            continue
          }
          return fail(`expected ',' or the end of the ${frame?.kind ?? "value"} at character ${at}`)
        }
        case KEY_OR_END:
        case KEY: {
          if (c === 125 && this.expect === KEY_OR_END) {
            this.close()
            i++
            continue
          }
          if (c !== 34) fail(`expected a property name at character ${at}`)
          const end = this.stringEnd(s, i)
          if (end === -1) return i
          const key = this.decodeString(s, i, end, at)
          this.path[this.path.length - 1] = key
          const top = this.building[this.building.length - 1]
          if (top !== undefined) top.key = key
          this.expect = COLON
          i = end + 1
          continue
        }
        case VALUE_OR_END:
        case VALUE: {
          if (c === 93 /* ] */ && this.expect === VALUE_OR_END) {
            this.close()
            i++
            continue
          }
          if (c === 123 /* { */ || c === 91 /* [ */) {
            this.open(c === 123 ? "object" : "array")
            i++
            continue
          }
          if (c === 34) {
            const end = this.stringEnd(s, i)
            if (end === -1) return i
            this.scalar(this.decodeString(s, i, end, at))
            i = end + 1
            continue
          }
          if (isNumberChar(c)) {
            let j = i + 1
            while (j < n && isNumberChar(s.charCodeAt(j))) j++
            if (j === n && !final) return i
            const text = s.slice(i, j)
            if (!numberPattern.test(text)) fail(`invalid number at character ${at}`)
            this.scalar(Number(text))
            i = j
            continue
          }
          const literal = c === 116 ? "true" : c === 102 ? "false" : c === 110 ? "null" : undefined
          if (literal === undefined) return fail(`unexpected character at ${at}`)
          if (n - i < literal.length && !final && literal.startsWith(s.slice(i))) return i
          if (s.startsWith(literal, i)) {
            this.scalar(literal === "true" ? true : literal === "false" ? false : null)
            i += literal.length
            continue
          }
          return fail(`unexpected character at ${at}`)
        }
      }
    }
    return n
  }

  /** Index of the closing quote of the string starting at `start`, or -1 when it is not in `s` yet. */
  private stringEnd(s: string, start: number): number {
    let from = start + 1
    for (;;) {
      const q = s.indexOf("\"", from)
      if (q === -1) return -1
      let backslashes = 0
      for (let k = q - 1; k > start && s.charCodeAt(k) === 92; k--) backslashes++
      if (backslashes % 2 === 0) return q
      from = q + 1
    }
  }

  private decodeString(s: string, start: number, end: number, at: number): string {
    const raw = s.slice(start + 1, end)
    if (!raw.includes("\\")) {
      if (controlCharacter.test(raw)) fail(`control character in a string at character ${at}`)
      return raw
    }
    try {
      return JSON.parse(s.slice(start, end + 1)) as string
    } catch {
      return fail(`invalid string at character ${at}`)
    }
  }

  private afterValue() {
    this.expect = this.frames.length === 0 ? DONE : COMMA_OR_END
  }

  private scalar(value: JsonValue) {
    const top = this.building[this.building.length - 1]
    if (top !== undefined) this.attach(top, value)
    else if (this.selection.select(this.path)) this.selection.onValue([...this.path], value)
    this.afterValue()
  }

  private attach(parent: Building, value: JsonValue) {
    if (Array.isArray(parent.value)) parent.value.push(value)
    else setKey(parent.value as Record<string, JsonValue>, parent.key ?? "", value)
  }

  private open(kind: "object" | "array") {
    const value: Record<string, JsonValue> | Array<JsonValue> = kind === "object" ? {} : []
    const top = this.building[this.building.length - 1]
    if (top !== undefined) {
      this.attach(top, value)
      this.building.push({ value, key: undefined })
    } else if (this.selection.select(this.path)) {
      this.buildDepth = this.frames.length
      this.builtPath = [...this.path]
      this.building.push({ value, key: undefined })
    }
    this.frames.push({ kind })
    this.path.push(kind === "array" ? 0 : "")
    this.expect = kind === "array" ? VALUE_OR_END : KEY_OR_END
  }

  private close() {
    this.frames.pop()
    this.path.pop()
    if (this.building.length > 0) {
      const done = this.building.pop()
      if (this.building.length === 0 && done !== undefined && this.frames.length === this.buildDepth) {
        this.buildDepth = -1
        this.selection.onValue(this.builtPath, done.value)
      }
    }
    this.afterValue()
  }
}

const asStreamError = (e: unknown): JsonStreamError =>
  e instanceof JsonStreamError ? e : new JsonStreamError({ reason: e instanceof Error ? e.message : String(e) })

/**
 * Reads a byte stream as JSON, one chunk at a time, handing the selected
 * values to `selection.onValue` as they complete. Fails with
 * `JsonStreamError` on malformed JSON or invalid UTF-8; the stream's own
 * failures pass through.
 */
export const parseStream = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  selection: Selection
): Effect.Effect<{ readonly maxPending: number; readonly characters: number }, E | JsonStreamError, R> =>
  Effect.suspend(() => {
    const parser = new JsonStreamParser(selection)
    const decoder = new TextDecoder("utf-8", { fatal: true })
    const decode = (chunk?: Uint8Array) =>
      Effect.try({
        try: () => (chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true })),
        catch: () => new JsonStreamError({ reason: `text is not valid UTF-8 (near character ${parser.position})` })
      })
    const feed = (text: string) => Effect.try({ try: () => parser.write(text), catch: asStreamError })
    return Stream.runForEach(bytes, (chunk) => Effect.flatMap(decode(chunk), feed)).pipe(
      Effect.zipRight(decode()),
      Effect.flatMap((rest) =>
        Effect.try({
          try: () => {
            parser.write(rest)
            parser.end()
            return { maxPending: parser.maxPending, characters: parser.position }
          },
          catch: asStreamError
        })
      )
    )
  })
