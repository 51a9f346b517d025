/**
 * Configuration shared by the memory providers, the default catalogue, and
 * the small helpers they share (ids, input guards, observation counting).
 */
import { randomBytes } from "node:crypto"
import { Effect, Either, Ref } from "effect"
import { InvalidInput } from "../../schemas/Errors.js"
import { NodeImage, NodeLocation, NodeSize } from "../../schemas/Models.js"
import type { Ref as CloudRef } from "../../services/Refs.js"
import * as validate from "../../services/validate.js"
import type { Behaviour } from "./faults.js"

export interface MemoryConfig extends Behaviour {
  /** Reported as `provider.region`. Default "memory-1". */
  readonly region?: string
  /**
   * How many observations (getNode / listNodes, getBalancer / listBalancers)
   * a node or balancer stays in a transitional state (pending, rebooting,
   * stopping, starting) before it settles. Default 2; 0 settles at once.
   */
  readonly pollsUntilRunning?: number
  /** How many more observations a destroyed node stays visible as "terminated". Default: pollsUntilRunning. */
  readonly pollsUntilGone?: number
  /** Entries per internal page of the `listZones` / `listRecords` Streams (and object listings). Default 100. */
  readonly pageSize?: number
  /** Replace the default catalogue. */
  readonly sizes?: ReadonlyArray<NodeSize>
  readonly images?: ReadonlyArray<NodeImage>
  readonly locations?: ReadonlyArray<NodeLocation>
  /**
   * Create the SOA and two NS records at the apex of every new master zone,
   * as PowerDNS, Route 53 and DigitalOcean do. Default true.
   */
  readonly dnsApexRecords?: boolean
}

export const PROVIDER = "memory"

export interface Resolved {
  readonly region: string
  readonly pollsUntilRunning: number
  readonly pollsUntilGone: number
  readonly pageSize: number
}

const count = (n: number | undefined, fallback: number) =>
  n === undefined || !Number.isFinite(n) ? fallback : Math.max(0, Math.floor(n))

export const resolve = (config: MemoryConfig = {}): Resolved => {
  const pollsUntilRunning = count(config.pollsUntilRunning, 2)
  return {
    region: config.region ?? "memory-1",
    pollsUntilRunning,
    pollsUntilGone: count(config.pollsUntilGone, pollsUntilRunning),
    pageSize: Math.max(1, count(config.pageSize, 100))
  }
}

// ---------------------------------------------------------------- default catalogue

const size = (
  id: string,
  ramMb: number,
  vcpus: number,
  diskGb: number,
  bandwidth: number,
  price: number,
  family: string
) => new NodeSize({ id, name: id, ramMb, vcpus, diskGb, bandwidth, price, extra: { family, currency: "USD" } })

/** Hourly USD prices in the range real clouds charge for such machines. */
export const defaultSizes: ReadonlyArray<NodeSize> = [
  size("s-1vcpu-512mb", 512, 1, 10, 500, 0.00595, "basic"),
  size("s-1vcpu-1gb", 1024, 1, 25, 1000, 0.00893, "basic"),
  size("s-1vcpu-2gb", 2048, 1, 50, 2000, 0.01786, "basic"),
  size("s-2vcpu-4gb", 4096, 2, 80, 4000, 0.03571, "basic"),
  size("s-4vcpu-8gb", 8192, 4, 160, 5000, 0.07143, "basic"),
  size("c-8vcpu-16gb", 16384, 8, 100, 6000, 0.25, "cpu-optimized"),
  size("m-4vcpu-32gb", 32768, 4, 100, 6000, 0.25298, "memory-optimized"),
  size("g-16vcpu-64gb", 65536, 16, 200, 8000, 0.75, "general-purpose")
]

const image = (id: string, name: string, distribution: string, version: string) =>
  new NodeImage({ id, name, extra: { distribution, version, architecture: "x86_64", public: true } })

export const defaultImages: ReadonlyArray<NodeImage> = [
  image("debian-12", "Debian 12 (bookworm)", "debian", "12"),
  image("debian-11", "Debian 11 (bullseye)", "debian", "11"),
  image("ubuntu-24.04", "Ubuntu 24.04 LTS (Noble Numbat)", "ubuntu", "24.04"),
  image("ubuntu-22.04", "Ubuntu 22.04 LTS (Jammy Jellyfish)", "ubuntu", "22.04"),
  image("rocky-9", "Rocky Linux 9", "rocky", "9"),
  image("alpine-3.20", "Alpine Linux 3.20", "alpine", "3.20")
]

const location = (id: string, name: string, country: string) => new NodeLocation({ id, name, country, extra: {} })

export const defaultLocations: ReadonlyArray<NodeLocation> = [
  location("ams1", "Amsterdam 1", "NL"),
  location("fra1", "Frankfurt 1", "DE"),
  location("lon1", "London 1", "GB"),
  location("nyc1", "New York 1", "US"),
  location("sfo1", "San Francisco 1", "US"),
  location("sgp1", "Singapore 1", "SG"),
  location("syd1", "Sydney 1", "AU")
]

// ---------------------------------------------------------------- helpers

/** `prefix` followed by `hexDigits` random hex digits: "i-0f3a…". */
export const newId = (prefix: string, hexDigits = 17): string =>
  prefix + randomBytes(Math.ceil(hexDigits / 2)).toString("hex").slice(0, hexDigits)

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
/** Route 53 style: "Z" and upper-case letters and digits. */
export const newUpperId = (prefix: string, length: number): string => {
  const bytes = randomBytes(length)
  let out = prefix
  for (const b of bytes) out += ALNUM[b % ALNUM.length]
  return out
}

/** Like `validate.id`, but garbage that is not a Ref at all is an InvalidInput too, never a defect. */
export const refIdOf = (where: validate.Where, field: string, ref: CloudRef): Effect.Effect<string, InvalidInput> =>
  ref === null || ref === undefined || (typeof ref !== "string" && typeof ref !== "object")
    ? Effect.fail(new InvalidInput({ ...where, field, reason: "must be an id or an object with an id" }))
    : validate.id(where, field, ref)

/** The argument must be a plain object (a spec). */
export const object = <A>(where: validate.Where, field: string, value: A): Effect.Effect<A, InvalidInput> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidInput({ ...where, field, reason: "must be an object" }))

export const optionalObject = <A>(where: validate.Where, field: string, value: A | undefined) =>
  value === undefined ? Effect.succeed(undefined) : object(where, field, value)

export const invalid = (where: validate.Where, field: string, reason: string) =>
  new InvalidInput({ ...where, field, reason })

/**
 * A resource moving to `to` that shows `now` for `remaining` more
 * observations. Nothing happens between observations: like a real cloud
 * seen only through its API, time passes when you look.
 */
export interface Transition<S> {
  readonly now: S
  readonly to: S
  readonly remaining: number
}

/** One observation: the state shown now, and the transition left (undefined once settled). */
export const observe = <S>(t: Transition<S>): readonly [S, Transition<S> | undefined] =>
  t.remaining > 0 ? [t.now, { ...t, remaining: t.remaining - 1 }] : [t.to, undefined]

/**
 * Run `f` atomically on the state in `ref`. `f` answers either an error (the
 * state is left exactly as it was) or a value and the next state.
 */
type ValueOf<R> = R extends Either.Right<unknown, readonly [infer A, unknown]> ? A : never
type ErrorOf<R> = R extends Either.Left<infer E, unknown> ? E : never

export const transact = <S>(ref: Ref.Ref<S>) =>
<R extends Either.Either<readonly [unknown, S], unknown>>(f: (s: S) => R): Effect.Effect<ValueOf<R>, ErrorOf<R>> =>
  Ref.modify(ref, (s): readonly [Either.Either<ValueOf<R>, ErrorOf<R>>, S] => {
    const r = f(s) as Either.Either<readonly [ValueOf<R>, S], ErrorOf<R>>
    return Either.isLeft(r) ? [Either.left(r.left), s] : [Either.right(r.right[0]), r.right[1]]
  }).pipe(Effect.flatMap((r) => (Either.isLeft(r) ? Effect.fail(r.left) : Effect.succeed(r.right))))

/** Shorthands for `transact` bodies. */
export const done = <A, S>(value: A, next: S): Either.Right<never, readonly [A, S]> =>
  Either.right([value, next] as const) as Either.Right<never, readonly [A, S]>
export const refuse = <E>(error: E): Either.Left<E, never> => Either.left(error) as Either.Left<E, never>

/** A copy of `map` with `key` set (state is never mutated in place). */
export const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value)
export const withoutEntry = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const next = new Map(map)
  next.delete(key)
  return next
}
