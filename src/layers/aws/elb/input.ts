/**
 * Input checks both Elastic Load Balancing APIs share: balancer names,
 * `extra` lists of AWS ids, weights (neither API has per-member weights).
 */
import { Effect } from "effect"
import { InvalidInput } from "../../../schemas/Errors.js"
import * as validate from "../../../services/validate.js"

export const invalid = (w: validate.Where, field: string, reason: string) => new InvalidInput({ ...w, field, reason })

// Both APIs: at most 32 letters, digits and hyphens, not starting or ending with a hyphen; v2 also refuses "internal-…".
const balancerName = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/

export const name = (w: validate.Where, field: string, value: string) =>
  Effect.flatMap(validate.name(w, field, value), (n) =>
    balancerName.test(n) && !n.startsWith("internal-")
      ? Effect.succeed(n)
      : Effect.fail(
        invalid(w, field, "at most 32 letters, digits and hyphens, not starting or ending with a hyphen, not starting with \"internal-\"")
      ))

export const object = <A>(w: validate.Where, field: string, value: A): Effect.Effect<A, InvalidInput> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? Effect.succeed(value) : Effect.fail(invalid(w, field, "must be an object"))

export const optionalObject = <A>(w: validate.Where, field: string, value: A | undefined) =>
  value === undefined ? Effect.succeed(undefined) : object(w, field, value)

/** `extra[field]`: a list of AWS ids with this prefix, or absent. */
export const idList = (
  w: validate.Where,
  extra: Readonly<Record<string, unknown>>,
  field: string,
  prefix: string
): Effect.Effect<ReadonlyArray<string> | undefined, InvalidInput> => {
  const v = extra[field]
  if (v === undefined) return Effect.succeed(undefined)
  return Array.isArray(v) && v.every((x) => typeof x === "string" && x.startsWith(prefix))
    ? Effect.succeed(v as ReadonlyArray<string>)
    : Effect.fail(invalid(w, `extra.${field}`, `must be a list of "${prefix}…" ids`))
}

/** `extra[field]`: one of these strings, or absent. */
export const oneOf = <const S extends string>(
  w: validate.Where,
  extra: Readonly<Record<string, unknown>>,
  field: string,
  values: ReadonlyArray<S>
): Effect.Effect<S | undefined, InvalidInput> => {
  const v = extra[field]
  if (v === undefined) return Effect.succeed(undefined)
  return typeof v === "string" && (values as ReadonlyArray<string>).includes(v)
    ? Effect.succeed(v as S)
    : Effect.fail(invalid(w, `extra.${field}`, `must be one of ${values.join(", ")}`))
}

/** Neither API weighs members: a weight is refused rather than silently dropped. */
export const noWeight = (w: validate.Where, field: string, weight: number | undefined) =>
  weight === undefined
    ? Effect.void
    : Effect.fail(invalid(w, field, Number.isFinite(weight) && weight >= 0 ? "members have no weights on this provider" : "must be a whole number of at least 0"))
