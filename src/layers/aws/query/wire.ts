/**
 * XML shapes of the Query services other than EC2 (Elastic Load Balancing,
 * IAM…): an answer is `<XResponse><XResult>…</XResult><ResponseMetadata/></XResponse>`
 * and a list is `<Name><member>…</member>…</Name>`. The parser is told that
 * every `member` is a list; an empty list (`<SecurityGroups/>`) arrives as "".
 */
import { Schema } from "effect"

/** The parser option that makes every `<member>` an array, however many there are. */
export const xmlOptions = { arrays: ["member"] } as const

/** A `<Name><member>…</member></Name>` list: absent, empty or full, always an array. */
export const memberList = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(
    Schema.transform(
      Schema.Union(Schema.Literal(""), Schema.Struct({ member: Schema.Array(item) })),
      Schema.Array(Schema.typeSchema(item)),
      {
        strict: true,
        decode: (u) => (u === "" ? [] : u.member),
        encode: (a) => ({ member: a })
      }
    ),
    { default: () => [] }
  )

/** `<ActionResponse><ActionResult>fields</ActionResult></ActionResponse>`, unwrapped to the result. */
export const result = <F extends Schema.Struct.Fields>(action: string, fields: F) => {
  const inner = Schema.Struct(fields)
  const empty = Schema.transform(Schema.Literal(""), Schema.typeSchema(inner), {
    strict: false,
    decode: () => ({}),
    encode: () => ""
  })
  const body = Schema.Union(inner, empty)
  const root = `${action}Response`
  const resultName = `${action}Result`
  return Schema.transform(Schema.Struct({ [root]: Schema.Struct({ [resultName]: body }) }), Schema.typeSchema(inner), {
    strict: false,
    decode: (doc) => ((doc as Record<string, Record<string, unknown>>)[root]!)[resultName],
    encode: (a) => ({ [root]: { [resultName]: a } })
  }) as unknown as Schema.Schema<Schema.Struct.Type<F>, unknown>
}

/** An answer read only for being this action's: the document's root must be `<ActionResponse>`. */
export const acknowledged = (action: string): Schema.Schema<unknown, unknown> =>
  Schema.Struct({ [`${action}Response`]: Schema.Unknown }) as unknown as Schema.Schema<unknown, unknown>

export const text = Schema.optional(Schema.String)
export const int = Schema.optional(Schema.NumberFromString)
