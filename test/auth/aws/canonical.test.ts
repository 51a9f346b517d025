/**
 * Laws of SigV4 canonicalisation (fast-check), and a few hand-picked cases
 * the vectors do not cover.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  canonicalHeaders,
  canonicalHeaderValue,
  canonicalQueryString,
  canonicalUri,
  normalizePath,
  strictEncodedPath,
  uriEncode
} from "../../../src/auth/aws/Canonical.js"

const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed()
const anyString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }).filter(wellFormed),
  fc.constantFrom("", " ", "+", "%", "%2F", "a b", "~", "*", "!'()", "ሴ", "😀", "=&?#/")
)
const pair = fc.tuple(anyString, anyString)
const STRICT = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/
const UNRESERVED = /[A-Za-z0-9\-._~]/

describe("canonical query string", () => {
  it("does not depend on the order of the parameters", () => {
    fc.assert(
      fc.property(
        fc.array(pair, { maxLength: 12 }).chain((params) =>
          fc.tuple(fc.constant(params), fc.shuffledSubarray(params, { minLength: params.length }))
        ),
        ([params, shuffled]) => {
          expect(canonicalQueryString(shuffled)).toBe(canonicalQueryString(params))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("sorts by encoded key, then encoded value", () => {
    expect(canonicalQueryString([["Param-3", "Value3"], ["Param", "Value2"], ["ሴ", "Value1"]])).toBe(
      "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
    )
    expect(canonicalQueryString([["b", "2"], ["a", "z"], ["a", "Z"], ["a", ""]])).toBe("a=&a=Z&a=z&b=2")
    expect(canonicalQueryString([["lifecycle", ""]])).toBe("lifecycle=")
    expect(canonicalQueryString([["q", "a b+c*"]])).toBe("q=a%20b%2Bc%2A")
  })
})

describe("URI encoding", () => {
  it("round-trips arbitrary unicode keys and leaves only unreserved characters unencoded", () => {
    fc.assert(
      fc.property(anyString, (key) => {
        const encoded = uriEncode(key)
        expect(encoded).toMatch(STRICT)
        expect(decodeURIComponent(encoded)).toBe(key)
        // Nothing unreserved was escaped: every %XX stands for a reserved or non-ASCII byte.
        for (const [, hex] of encoded.matchAll(/%([0-9A-F]{2})/g)) {
          expect(UNRESERVED.test(String.fromCharCode(parseInt(hex!, 16)))).toBe(false)
        }
        // Every unreserved character of the key is still there, as is.
        expect(encoded.replace(/%[0-9A-F]{2}/g, "")).toBe([...key].filter((c) => UNRESERVED.test(c)).join(""))
      }),
      { numRuns: 1000 }
    )
  })

  it("keeps '/' in paths, and strict path form is idempotent", () => {
    fc.assert(
      fc.property(fc.array(anyString, { maxLength: 5 }), (segments) => {
        const raw = "/" + segments.join("/")
        const encoded = uriEncode(raw, true)
        expect(encoded.split("/").length).toBe(raw.split("/").length)
        expect(strictEncodedPath(encoded)).toBe(encoded)
        expect(strictEncodedPath(strictEncodedPath(raw))).toBe(strictEncodedPath(raw))
      })
    )
  })

  it("encodes the characters encodeURIComponent leaves alone", () => {
    expect(uriEncode("!'()*")).toBe("%21%27%28%29%2A")
    expect(uriEncode("-._~")).toBe("-._~")
    expect(uriEncode("\uD800")).toBe("%EF%BF%BD")
  })
})

describe("canonical URI", () => {
  const s3 = { normalizePath: false, doubleEncodePath: false }
  const other = { normalizePath: true, doubleEncodePath: true }

  it("S3: a raw key is encoded once, never normalised", () => {
    expect(canonicalUri("/test$file.text", false, s3)).toBe("/test%24file.text")
    expect(canonicalUri("/my-object//example//photo.user", false, s3)).toBe("/my-object//example//photo.user")
    expect(canonicalUri("/a/./b/../c", false, s3)).toBe("/a/./b/../c")
    expect(canonicalUri("/a%2Fb c", true, s3)).toBe("/a%2Fb%20c")
  })

  it("other services: the wire path is normalised and encoded again", () => {
    expect(canonicalUri("/example%20space/", true, other)).toBe("/example%2520space/")
    expect(canonicalUri("/example space/", false, other)).toBe("/example%2520space/")
    expect(canonicalUri("//a/./b/../c//", true, other)).toBe("/a/c/")
  })

  it("normalisation", () => {
    expect(normalizePath("")).toBe("/")
    expect(normalizePath("/example/..")).toBe("/")
    expect(normalizePath("/a/b/..")).toBe("/a/")
    expect(normalizePath("/../a")).toBe("/a")
    expect(normalizePath("/a/.")).toBe("/a/")
    expect(normalizePath("/.well-known/x")).toBe("/.well-known/x")
    expect(normalizePath("/a..b/c")).toBe("/a..b/c")
  })
})

describe("canonical headers", () => {
  it("lower-cases, trims, collapses inner whitespace and joins repeats in order", () => {
    const h = canonicalHeaders([
      ["My-Header1", "value2"],
      ["Host", "example.com"],
      ["my-header1", "  a   b\t c "],
      ["X-Folded", "value1\n  value2\n     value3"]
    ])
    expect(h.canonical).toBe("host:example.com\nmy-header1:value2,a b c\nx-folded:value1 value2 value3\n")
    expect(h.signedHeaders).toBe("host;my-header1;x-folded")
  })

  it("leaves unsignable headers out", () => {
    expect(canonicalHeaders([["User-Agent", "x"], ["Host", "h"], ["Authorization", "a"]]).signedHeaders).toBe("host")
  })

  it("value canonicalisation is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", "\t", "\n", "b") }), (v) => {
        const once = canonicalHeaderValue(v)
        expect(canonicalHeaderValue(once)).toBe(once)
        expect(once).not.toMatch(/^ | $| {2}|[\t\n]/)
      })
    )
  })
})
