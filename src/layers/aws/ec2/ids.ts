/**
 * EC2 resource ids have a documented shape: a prefix and 8 or 17 hex
 * digits ("i-1234567890abcdef0"). A ref that cannot be one is refused before
 * any request, naming what was expected.
 */
import { Effect } from "effect"
import { InvalidInput } from "../../../schemas/Errors.js"
import type { Ref } from "../../../services/Refs.js"
import * as validate from "../../../services/validate.js"

const shape = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`)

export const prefixes = {
  node: "i",
  volume: "vol",
  snapshot: "snap",
  image: "ami",
  securityGroup: "sg",
  address: "eipalloc",
  association: "eipassoc"
} as const

export type IdKind = keyof typeof prefixes

const shapes = Object.fromEntries(Object.entries(prefixes).map(([k, p]) => [k, shape(p)])) as Record<IdKind, RegExp>

export const isId = (kind: IdKind, value: string): boolean => shapes[kind].test(value)

/** The id of `ref`, if it has the shape of an EC2 `kind` id. */
export const id = (where: validate.Where, kind: IdKind, ref: Ref, field: string = kind): Effect.Effect<string, InvalidInput> =>
  Effect.flatMap(validate.id(where, field, ref), (value) =>
    isId(kind, value)
      ? Effect.succeed(value)
      : Effect.fail(
        new InvalidInput({
          ...where,
          field,
          reason: `"${value.slice(0, 80)}" is not an EC2 ${kind} id (${prefixes[kind]}- and 8 or 17 hex digits)`
        })
      ))
