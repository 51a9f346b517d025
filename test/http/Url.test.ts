import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { Url } from "../../src/http/index.js"

const decodeSegments = (encoded: string) => encoded.split("/").map(decodeURIComponent).join("/")

describe("Url.encode", () => {
  it.each([
    ["a b", "a%20b"],
    ["a+b", "a%2Bb"],
    ["100%", "100%25"],
    ["%20", "%2520"],
    ["a#b", "a%23b"],
    ["a?b", "a%3Fb"],
    ["a&b=c", "a%26b%3Dc"],
    ["!'()*", "%21%27%28%29%2A"],
    ["-._~AZaz09", "-._~AZaz09"],
    ["é", "%C3%A9"],
    ["日本", "%E6%97%A5%E6%9C%AC"],
    ["😀", "%F0%9F%98%80"],
    ["a:b;c,d@e$f", "a%3Ab%3Bc%2Cd%40e%24f"],
    ["tab\there\nnl", "tab%09here%0Anl"],
    ["", ""]
  ])("segment(%j) = %s", (input, expected) => {
    expect(Url.segment(input)).toBe(expected)
    expect(Url.encode(input)).toBe(expected)
  })

  it("encodes '/' in a segment and keeps it in a key", () => {
    expect(Url.segment("a/b/c")).toBe("a%2Fb%2Fc")
    expect(Url.key("a/b c/d")).toBe("a/b%20c/d")
    expect(Url.encode("a/b", { slash: "keep" })).toBe("a/b")
  })

  it("keeps empty segments and leading slashes of a key", () => {
    expect(Url.key("/lead")).toBe("/lead")
    expect(Url.key("a//b/")).toBe("a//b/")
  })

  it("hides dot segments from URL resolution by encoding the adjacent '/'", () => {
    expect(Url.key("a/../b")).toBe("a%2F..%2Fb")
    expect(Url.key("./x")).toBe(".%2Fx")
    expect(Url.key("a/.")).toBe("a%2F.")
    expect(Url.key("a.b/..c")).toBe("a.b/..c")
    const url = Url.join("http://h", `/bucket/${Url.key("a/../b")}`)
    expect(new URL(url).pathname).toBe("/bucket/a%2F..%2Fb")
    expect(Url.isAddressableKey("..")).toBe(false)
    expect(Url.isAddressableKey("a/..")).toBe(true)
  })

  it("encodes 1024-byte keys", () => {
    const ascii = "k".repeat(1024)
    expect(Url.key(ascii)).toBe(ascii)
    const twoByte = "é".repeat(512)
    expect(new TextEncoder().encode(twoByte).byteLength).toBe(1024)
    expect(Url.key(twoByte)).toBe("%C3%A9".repeat(512))
    expect(decodeURIComponent(Url.key(twoByte))).toBe(twoByte)
  })

  it("path() builds from raw segments", () => {
    expect(Url.path("v2", "droplets", "a b/c")).toBe("/v2/droplets/a%20b%2Fc")
    expect(Url.path()).toBe("")
  })

  it("property: every key round-trips through decodeURIComponent per segment (full Unicode)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })), (s) => {
        expect(decodeURIComponent(Url.segment(s))).toBe(s)
        // Split on the literal "/" first, as a server does; "%2F" next to a dot segment decodes back to "/".
        expect(decodeSegments(Url.key(s))).toBe(s)
        expect(Url.segment(s)).toMatch(/^[A-Za-z0-9\-._~%]*$/)
      }),
      { numRuns: 500 }
    )
  })

  it("property: the URL parser leaves an encoded key exactly as built (no dot-segment or re-encoding surprises)", () => {
    const tricky = fc.string({ unit: fc.constantFrom("/", ".", " ", "+", "%", "é", "?", "#", "a", "\\"), maxLength: 20 })
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: "grapheme" })), (s) => {
        fc.pre(Url.isAddressableKey(s))
        const encoded = Url.key(s)
        const parsed = new URL(Url.join("http://127.0.0.1:9000/v1/AUTH_test", `/bucket/${encoded}`))
        expect(parsed.pathname).toBe(`/v1/AUTH_test/bucket/${encoded}`)
        expect(parsed.search).toBe("")
      }),
      { numRuns: 500 }
    )
  })
})

describe("Url.query", () => {
  it("encodes names and values RFC 3986-style, spaces as %20", () => {
    expect(Url.query({ prefix: "a b+c/d", "max-keys": 10, delimiter: "/" })).toBe("prefix=a%20b%2Bc%2Fd&max-keys=10&delimiter=%2F")
  })

  it("skips undefined, writes null as a bare name, repeats arrays", () => {
    expect(Url.query({ uploads: null, skip: undefined, tag: ["x", "y"], flag: true })).toBe("uploads&tag=x&tag=y&flag=true")
  })

  it("sorts by encoded name then value when asked, keeps insertion order otherwise", () => {
    const input = { b: "2", a: "z", "A": "1", c: ["2", "1"] }
    expect(Url.query(input)).toBe("b=2&a=z&A=1&c=2&c=1")
    expect(Url.query(input, { sort: true })).toBe("A=1&a=z&b=2&c=1&c=2")
  })

  it("accepts pairs (the platform's urlParams shape)", () => {
    expect(Url.query([["list-type", "2"], ["x", "a&b"]])).toBe("list-type=2&x=a%26b")
  })

  it("returns an empty string for no parameters", () => {
    expect(Url.query({})).toBe("")
    expect(Url.make("http://h", "/x", {})).toBe("http://h/x")
  })
})

describe("Url.join", () => {
  it.each([
    ["http://h", "/c", "http://h/c"],
    ["http://h/", "/c", "http://h/c"],
    ["http://h/", "c", "http://h/c"],
    ["http://127.0.0.1:8080/v1/AUTH_test", "/c/o", "http://127.0.0.1:8080/v1/AUTH_test/c/o"],
    ["http://127.0.0.1:8080/v1/AUTH_test/", "/c/o", "http://127.0.0.1:8080/v1/AUTH_test/c/o"],
    ["http://127.0.0.1:8080/v1/AUTH_test/", "c/o", "http://127.0.0.1:8080/v1/AUTH_test/c/o"],
    ["http://h/v1/AUTH_test", "", "http://h/v1/AUTH_test"],
    ["http://h/", "/b//x/", "http://h/b//x/"],
    ["http://h/", "/b/?list-type=2", "http://h/b/?list-type=2"],
    ["https://a.blob.core.windows.net/?comp=list", "/c?restype=container", "https://a.blob.core.windows.net/c?comp=list&restype=container"]
  ])("join(%s, %s) = %s", (base, path, expected) => {
    expect(Url.join(base, path)).toBe(expected)
  })

  it("make() joins and appends a query", () => {
    expect(Url.make("http://h/", `/${Url.segment("my bucket")}/${Url.key("dir/a b")}`, { versionId: "1 2" })).toBe(
      "http://h/my%20bucket/dir/a%20b?versionId=1%202"
    )
    expect(Url.appendQuery("http://h/x?a=1", "b=2")).toBe("http://h/x?a=1&b=2")
  })

  it("recognises absolute URLs", () => {
    expect(Url.isAbsolute("https://x/y")).toBe(true)
    expect(Url.isAbsolute("/y")).toBe(false)
    expect(Url.isAbsolute("y:z")).toBe(true)
  })
})
