/**
 * Response bodies → provider wire schemas.
 *
 * Every failure becomes `MalformedResponse` with a short reason that names
 * *where* the body went wrong and what was expected, never the value found:
 * a token response that fails its schema must not put the token in a log.
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { MalformedResponse } from "../schemas/Errors.js"
import type { Where } from "../services/validate.js"

const maxReason = 200

const clip = (s: string) => (s.length > maxReason ? `${s.slice(0, maxReason)}…` : s)

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ? "the body" : path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "")

interface Leaf {
  readonly path: ReadonlyArray<PropertyKey>
  readonly text: string
}

const at = (path: ReadonlyArray<PropertyKey>, text: (p: string) => string): Leaf => ({ path, text: text(formatPath(path)) })

const leaf = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>): Leaf => {
  switch (issue._tag) {
    case "Pointer":
      return leaf(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])])
    case "Composite": {
      const issues: ReadonlyArray<ParseResult.ParseIssue> = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      // A union reports one issue per member; the one that got deepest is the member that was meant.
      let best: Leaf | undefined
      for (const i of issues) {
        const l = leaf(i, path)
        if (best === undefined || l.path.length > best.path.length) best = l
      }
      // No member got past the value itself (a union of literals): name the whole union.
      if (best === undefined || (issues.length > 1 && best.path.length === path.length)) {
        return at(path, (p) => `${p}: expected ${String(issue.ast)}`)
      }
      return best
    }
    case "Refinement":
      return issue.kind === "From" ? leaf(issue.issue, path) : at(path, (p) => `${p}: expected ${String(issue.ast)}`)
    case "Transformation":
      return issue.kind === "Transformation" ? at(path, (p) => `${p}: expected ${String(issue.ast)}`) : leaf(issue.issue, path)
    case "Missing":
      return at(path, (p) => `${p} is missing`)
    case "Unexpected":
      return at(path, (p) => `${p} is unexpected`)
    case "Forbidden":
      return at(path, (p) => `${p}: could not be decoded here`)
    case "Type":
      return at(path, (p) => `${p}: expected ${String(issue.ast)}`)
  }
}

/**
 * A one-line description of a schema failure — the path and the expected
 * type, never the actual value (`ParseResult.TreeFormatter` prints values).
 */
export const describeIssue = (issue: ParseResult.ParseIssue): string => clip(leaf(issue, []).text)

/** Decodes an already-parsed value through a wire schema. */
export const decodeUnknown =
  <A, I, R>(schema: Schema.Schema<A, I, R>, where: Where) =>
  (value: unknown): Effect.Effect<A, MalformedResponse, R> =>
    Schema.decodeUnknown(schema, { errors: "first", onExcessProperty: "ignore" })(value).pipe(
      Effect.mapError((e) => new MalformedResponse({ ...where, reason: describeIssue(e.issue) }))
    )

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Bytes → text; invalid UTF-8 is malformed rather than silently replaced. */
export const text = (body: string | Uint8Array): Either.Either<string, string> => {
  if (typeof body === "string") return Either.right(body)
  try {
    return Either.right(utf8.decode(body))
  } catch {
    return Either.left("body is not valid UTF-8")
  }
}

/** JSON.parse without its error message, which quotes the body. */
export const parseJson = (body: string | Uint8Array): Either.Either<unknown, string> =>
  Either.flatMap(text(body), (s) => {
    if (s.trim() === "") return Either.left("empty body, expected JSON")
    try {
      return Either.right(JSON.parse(s) as unknown)
    } catch {
      return Either.left(`body is not valid JSON (${s.length} characters)`)
    }
  })

/** Parses a JSON body and decodes it through `schema`. */
export const json =
  <A, I, R>(schema: Schema.Schema<A, I, R>, where: Where) =>
  (body: string | Uint8Array): Effect.Effect<A, MalformedResponse, R> =>
    Either.match(parseJson(body), {
      onLeft: (reason) => Effect.fail(new MalformedResponse({ ...where, reason })),
      onRight: decodeUnknown(schema, where)
    })

export interface XmlOptions {
  /**
   * Elements that are always lists, so a one-element list is still an array:
   * either a tag name ("Contents") or a dotted path from the root
   * ("ListBucketResult.Contents"). The schema-side alternative is `XmlList`.
   */
  readonly arrays?: ReadonlyArray<string>
  /**
   * Keep attributes, as "@_name" properties. Off by default: cloud XML APIs
   * put data in elements, and attributes are mostly `xmlns` noise.
   */
  readonly attributes?: boolean
}

// Whitespace-only text between child elements is indentation, not data.
// (Values are not trimmed globally: an object key may begin or end with spaces.)
const dropIndentation = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(dropIndentation)
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  const entries = Object.entries(node as Record<string, unknown>)
  for (const [k, v] of entries) {
    if (k === "#text" && entries.length > 1 && typeof v === "string" && v.trim() === "") continue
    out[k] = dropIndentation(v)
  }
  return out
}

const parsers = new Map<string, XMLParser>()

const parserFor = (options: XmlOptions | undefined): XMLParser => {
  const arrays = options?.arrays ?? []
  const attributes = options?.attributes ?? false
  const cacheKey = `${attributes ? 1 : 0}|${arrays.join(",")}`
  const cached = parsers.get(cacheKey)
  if (cached) return cached
  const tags = new Set(arrays.filter((a) => !a.includes(".")))
  const paths = new Set(arrays.filter((a) => a.includes(".")))
  const parser = new XMLParser({
    ignoreAttributes: !attributes,
    attributeNamePrefix: "@_",
    // Strings stay strings: "00123", "1e5", "true" in a key or an ETag must not become numbers or booleans.
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // s3:Key → Key; the default-namespace `xmlns="…"` is an attribute and is dropped with them.
    removeNSPrefix: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // XML's own entities (&amp; in keys) must be decoded; HTML ones are not XML.
    processEntities: true,
    htmlEntities: false,
    isArray: (tagName, jPath, _isLeaf, isAttribute) =>
      !isAttribute && (tags.has(tagName) || (typeof jPath === "string" && paths.has(jPath)))
  })
  parsers.set(cacheKey, parser)
  return parser
}

/** Parses an XML body into plain objects (elements → properties, text → strings). */
export const parseXml = (body: string | Uint8Array, options?: XmlOptions): Either.Either<unknown, string> =>
  Either.flatMap(text(body), (s) => {
    if (s.trim() === "") return Either.left("empty body, expected XML")
    // The parser is lenient (it would read "<a><b></a>" as {a: {b: ""}}); garbage must not decode.
    const valid = XMLValidator.validate(s)
    if (valid !== true) return Either.left(`body is not well-formed XML (line ${valid.err.line}, ${valid.err.code})`)
    try {
      return Either.right(dropIndentation(parserFor(options).parse(s)))
    } catch {
      return Either.left("body is not well-formed XML")
    }
  })

/** Parses an XML body and decodes it through `schema`. */
export const xml =
  <A, I, R>(schema: Schema.Schema<A, I, R>, where: Where, options?: XmlOptions) =>
  (body: string | Uint8Array): Effect.Effect<A, MalformedResponse, R> =>
    Either.match(parseXml(body, options), {
      onLeft: (reason) => Effect.fail(new MalformedResponse({ ...where, reason })),
      onRight: decodeUnknown(schema, where)
    })

/**
 * A repeated XML element: the parser gives an object for one occurrence and
 * an array for several; this accepts both and always decodes to an array.
 */
export const XmlList = <A, I, R>(
  item: Schema.Schema<A, I, R>
): Schema.Schema<ReadonlyArray<A>, I | ReadonlyArray<I>, R> =>
  Schema.transform(
    Schema.Union(Schema.Array(item), item),
    Schema.Array(Schema.typeSchema(item)),
    {
      strict: true,
      decode: (u) => (Array.isArray(u) ? (u as ReadonlyArray<A>) : [u as A]),
      encode: (a) => a
    }
  )

/**
 * A struct field for a repeated element that may also be absent (zero
 * occurrences) or empty (`<CommonPrefixes/>`): always an array.
 */
export const xmlListField = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(
    Schema.transform(
      Schema.Union(Schema.Literal(""), Schema.Array(item), item),
      Schema.Array(Schema.typeSchema(item)),
      {
        strict: true,
        decode: (u) => (u === "" ? [] : Array.isArray(u) ? (u as ReadonlyArray<A>) : [u as A]),
        encode: (a) => a
      }
    ),
    { default: () => [] }
  )

