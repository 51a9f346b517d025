/**
 * One EC2 client: the shared Query API client (../query) for service "ec2",
 * version 2016-11-15, with EC2's error codes and its pagination over
 * `MaxResults` / `NextToken`.
 */
import type { HttpClient } from "@effect/platform"
import { Duration, Effect, Either, type Schema } from "effect"
import type { ProviderFailure } from "../../../schemas/Errors.js"
import * as Query from "../query/client.js"
import { API_VERSION, type Ec2Config, resolve } from "./config.js"
import { classify, type Mapped, type MappedError, type Targets } from "./errors.js"
import { xmlOptions } from "./wire.js"

/** Query parameters in the order they are sent: ("Filter.1.Name", "instance-id"), … */
export type Params = Query.Params

export interface Call<A, M extends Mapped> {
  readonly action: string
  readonly params?: Params | undefined
  readonly schema: Schema.Schema<A, unknown>
  /** The portable operation ("Compute.getNode"): span name and error field. */
  readonly operation: string
  /**
   * Safe to send twice: a Describe, a request carrying a ClientToken, or
   * one EC2 treats as a no-op when repeated (Start/Stop/Terminate).
   * Anything else is retried only when throttled, which EC2 refuses before
   * acting on it.
   */
  readonly idempotent?: boolean | undefined
  /** Which resource errors this operation reports as such. */
  readonly mapped?: ReadonlyArray<M> | undefined
  /** The ids named in NotFound / AlreadyExists / Conflict, by resource. */
  readonly targets?: Targets | undefined
}

export interface Paged<A, I, M extends Mapped> extends Call<A, M> {
  /** The action's own MaxResults ceiling. */
  readonly maxPage: number
  readonly page: (a: A) => { readonly items: ReadonlyArray<I>; readonly next: string | undefined }
}

export interface Client {
  readonly provider: string
  readonly region: string
  readonly endpoint: string
  readonly call: <A, M extends Mapped = never>(call: Call<A, M>) => Effect.Effect<A, ProviderFailure | MappedError<M>>
  /** Every page, in order. */
  readonly all: <A, I, M extends Mapped = never>(paged: Paged<A, I, M>) => Effect.Effect<ReadonlyArray<I>, ProviderFailure | MappedError<M>>
}

/** The form body of an EC2 action. */
export const formBody = (action: string, params: Params = []): string => Query.formBody(API_VERSION, action, params)

export const make = (config: Ec2Config): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Either.match(resolve(config), {
    onLeft: (problem) => Effect.succeed<Client>(Query.refusing(problem.provider, String(config.region), problem)),
    onRight: (resolved) =>
      Effect.map(
        Query.make({
          provider: resolved.provider,
          region: resolved.region,
          endpoint: resolved.endpoint,
          service: "ec2",
          version: API_VERSION,
          credentials: config.credentials,
          timeout: config.timeout ?? Duration.seconds(60),
          retry: config.retry,
          xml: xmlOptions,
          actionAttribute: "aws.ec2.action"
        }),
        (query): Client => {
          const toQuery = <A, M extends Mapped>(c: Call<A, M>): Query.Call<A, M> => ({
            action: c.action,
            params: c.params,
            schema: c.schema,
            operation: c.operation,
            idempotent: c.idempotent,
            classify: classify<M>(c.mapped ?? [], c.targets ?? {})
          })
          return {
            provider: query.provider,
            region: query.region,
            endpoint: query.endpoint,
            call: (c) => query.call(toQuery(c)),
            all: (p) =>
              query.all({
                ...toQuery(p),
                size: ["MaxResults", String(Math.min(p.maxPage, resolved.pageSize ?? p.maxPage))],
                token: "NextToken",
                page: p.page
              })
          }
        }
      )
  })

// ---------------------------------------------------------------- parameter builders

/** `Name.1=a&Name.2=b` */
export const list = Query.list

/** `Filter.N.Name=…&Filter.N.Value.M=…`, numbered from `from`. */
export const filters = (entries: ReadonlyArray<readonly [string, ReadonlyArray<string>]>, from = 1): Params =>
  entries.flatMap(([name, values], i) => [
    [`Filter.${from + i}.Name`, name] as const,
    ...list(`Filter.${from + i}.Value`, values)
  ])

/** `TagSpecification.N.ResourceType=…&TagSpecification.N.Tag.M.Key/Value`. */
export const tagSpecification = (resourceType: string, tags: Readonly<Record<string, string>>, n = 1): Params => {
  const entries = Object.entries(tags)
  if (entries.length === 0) return []
  return [
    [`TagSpecification.${n}.ResourceType`, resourceType],
    ...entries.flatMap(([k, v], i) => [
      [`TagSpecification.${n}.Tag.${i + 1}.Key`, k] as const,
      [`TagSpecification.${n}.Tag.${i + 1}.Value`, v] as const
    ])
  ]
}

/** A parameter only when the value is there. */
export const opt = Query.opt
