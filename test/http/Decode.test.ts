import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { Decode } from "../../src/http/index.js"

const where = { provider: "test", operation: "ObjectStorage.listObjects" }

const S3Object = Schema.Struct({
  Key: Schema.String,
  Size: Schema.NumberFromString,
  ETag: Schema.String
})

const ListBucketResult = Schema.Struct({
  ListBucketResult: Schema.Struct({
    Name: Schema.String,
    IsTruncated: Schema.Literal("true", "false"),
    Contents: Decode.xmlListField(S3Object),
    CommonPrefixes: Decode.xmlListField(Schema.Struct({ Prefix: Schema.String }))
  })
})

const listing = (contents: string, prefixes = "") =>
  `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01/">
  <Name>bucket</Name>
  <IsTruncated>false</IsTruncated>
  ${contents}
  ${prefixes}
</ListBucketResult>`

const object = (key: string, size = "1") => `<Contents><Key>${key}</Key><Size>${size}</Size><ETag>"e"</ETag></Contents>`

describe("Decode.xml", () => {
  it.effect("decodes a namespaced listing with several elements", () =>
    Effect.gen(function*() {
      const out = yield* Decode.xml(ListBucketResult, where)(listing(object("a") + object("b", "2")))
      expect(out.ListBucketResult.Name).toBe("bucket")
      expect(out.ListBucketResult.Contents.map((c) => c.Key)).toEqual(["a", "b"])
      expect(out.ListBucketResult.Contents[1]!.Size).toBe(2)
    }))

  it.effect("a one-element list is still an array, an absent one is empty", () =>
    Effect.gen(function*() {
      const one = yield* Decode.xml(ListBucketResult, where)(listing(object("only")))
      expect(one.ListBucketResult.Contents.map((c) => c.Key)).toEqual(["only"])
      expect(one.ListBucketResult.CommonPrefixes).toEqual([])
      const none = yield* Decode.xml(ListBucketResult, where)(listing("", "<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>"))
      expect(none.ListBucketResult.Contents).toEqual([])
      expect(none.ListBucketResult.CommonPrefixes).toEqual([{ Prefix: "p/" }])
    }))

  it.effect("the `arrays` option forces lists at parse time", () =>
    Effect.gen(function*() {
      const schema = Schema.Struct({ ListBucketResult: Schema.Struct({ Contents: Schema.Array(S3Object) }) })
      const out = yield* Decode.xml(schema, where, { arrays: ["ListBucketResult.Contents"] })(listing(object("x")))
      expect(out.ListBucketResult.Contents.map((c) => c.Key)).toEqual(["x"])
      const byTag = yield* Decode.xml(schema, where, { arrays: ["Contents"] })(listing(object("y")))
      expect(byTag.ListBucketResult.Contents.map((c) => c.Key)).toEqual(["y"])
    }))

  it.effect("keeps strings as strings: leading zeros, numbers, booleans, surrounding spaces, entities", () =>
    Effect.gen(function*() {
      const schema = Schema.Struct({ ListBucketResult: Schema.Struct({ Contents: Decode.XmlList(Schema.Struct({ Key: Schema.String, Size: Schema.String })) }) })
      const out = yield* Decode.xml(schema, where)(
        listing(object("00123") + object("1e5") + object("true") + object("  spaced key  ") + object("a &amp; b &lt;c&gt;") + object("", "007"))
      )
      expect(out.ListBucketResult.Contents.map((c) => c.Key)).toEqual(["00123", "1e5", "true", "  spaced key  ", "a & b <c>", ""])
      expect(out.ListBucketResult.Contents[5]!.Size).toBe("007")
    }))

  it.effect("strips namespace prefixes from element names", () =>
    Effect.gen(function*() {
      const schema = Schema.Struct({ Result: Schema.Struct({ Key: Schema.String }) })
      const out = yield* Decode.xml(schema, where)(`<s3:Result xmlns:s3="urn:x"><s3:Key>k</s3:Key></s3:Result>`)
      expect(out.Result.Key).toBe("k")
    }))

  it.effect("ignores attributes by default and keeps them on request", () =>
    Effect.gen(function*() {
      const body = `<Blobs><Blob Name="b1"><Size>3</Size></Blob></Blobs>`
      const plain = yield* Decode.xml(Schema.Unknown, where)(body)
      expect(plain).toEqual({ Blobs: { Blob: { Size: "3" } } })
      const withAttrs = yield* Decode.xml(Schema.Unknown, where, { attributes: true })(body)
      expect(withAttrs).toEqual({ Blobs: { Blob: { "@_Name": "b1", Size: "3" } } })
    }))

  it.effect.each<readonly [string | Uint8Array, string]>([
    ["not xml at all", "not well-formed"],
    ["<a><b></a>", "not well-formed"],
    ["", "empty body"],
    [new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), "not valid UTF-8"]
  ])("garbage %# → MalformedResponse (%s)", ([body, reason]) =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.xml(ListBucketResult, where)(body))
      expect(e._tag).toBe("MalformedResponse")
      expect(e.reason).toContain(reason)
      expect(e).toMatchObject(where)
    }))

  it.effect("a schema mismatch names the path and the expectation, not the value", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.xml(ListBucketResult, where)(listing(object("k", "SECRET-ish-value"))))
      expect(e._tag).toBe("MalformedResponse")
      expect(e.reason).toContain("ListBucketResult.Contents")
      expect(e.reason).toContain("Size")
      expect(e.reason).not.toContain("SECRET-ish-value")
    }))
})

describe("Decode.json", () => {
  const Token = Schema.Struct({ access_token: Schema.String, expires_in: Schema.Number })

  it.effect("decodes through the wire schema (from text or bytes)", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ access_token: "t", expires_in: 3600, extra: true })
      expect(yield* Decode.json(Token, where)(body)).toEqual({ access_token: "t", expires_in: 3600 })
      expect(yield* Decode.json(Token, where)(new TextEncoder().encode(body))).toEqual({ access_token: "t", expires_in: 3600 })
    }))

  it.effect("invalid JSON → MalformedResponse without quoting the body", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.json(Token, where)(`{"access_token": "hunter2-secret", oops}`))
      expect(e._tag).toBe("MalformedResponse")
      expect(e.reason).toContain("not valid JSON")
      expect(e.message).not.toContain("hunter2")
    }))

  it.effect("a schema failure does not print the offending value", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.json(Token, where)(JSON.stringify({ access_token: "hunter2-secret", expires_in: "soon" })))
      expect(e._tag).toBe("MalformedResponse")
      expect(e.reason).toBe("expires_in: expected number")
      expect(JSON.stringify(e)).not.toContain("hunter2")
    }))

  it.effect("a missing field is named", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.json(Token, where)(JSON.stringify({ expires_in: 1 })))
      expect(e.reason).toBe("access_token is missing")
    }))

  it.effect("a union names all its members when none matched", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.json(Schema.Struct({ state: Schema.Literal("ACTIVE", "BUILD") }), where)(`{"state":"WEIRD"}`))
      expect(e.reason).toBe(`state: expected "ACTIVE" | "BUILD"`)
    }))

  it.effect("an empty body is malformed", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Decode.json(Token, where)(""))
      expect(e.reason).toContain("empty body")
    }))

  it("parseJson reports errors as Left", () => {
    expect(Either.isLeft(Decode.parseJson("nope"))).toBe(true)
    expect(Decode.parseJson("[1]")).toEqual(Either.right([1]))
  })
})
