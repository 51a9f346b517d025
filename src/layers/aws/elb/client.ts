/**
 * An Elastic Load Balancing client over the shared Query client: Classic
 * (version 2012-06-01) and v2 (2015-12-01) differ only in the version they
 * name; both page with `PageSize` / `Marker` → `NextMarker`.
 */
import type { HttpClient } from "@effect/platform"
import { Effect, Either, type Schema } from "effect"
import type { ProviderFailure } from "../../../schemas/Errors.js"
import * as Query from "../query/client.js"
import { xmlOptions } from "../query/wire.js"
import { type ElbBaseConfig, type Resolved, resolve, SERVICE } from "./config.js"
import { classify, type Mapped, type MappedError, type Targets } from "./errors.js"

export type Params = Query.Params

export interface Call<A, M extends Mapped> {
  readonly action: string
  readonly params?: Params | undefined
  readonly schema: Schema.Schema<A, unknown>
  /** The portable operation ("LoadBalancer.getBalancer"): span name and error field. */
  readonly operation: string
  /** A Describe, or an action ELB documents as idempotent (RegisterTargets, DeleteLoadBalancer…). */
  readonly idempotent?: boolean | undefined
  readonly mapped?: ReadonlyArray<M> | undefined
  readonly targets?: Targets | undefined
}

export interface Paged<A, I, M extends Mapped> extends Call<A, M> {
  readonly page: (a: A) => { readonly items: ReadonlyArray<I>; readonly next: string | undefined }
}

export interface Client {
  readonly provider: string
  readonly region: string
  /** The checked configuration, or the problem every call reports. */
  readonly resolved: Either.Either<Resolved, { readonly field: string; readonly reason: string }>
  readonly call: <A, M extends Mapped = never>(call: Call<A, M>) => Effect.Effect<A, ProviderFailure | MappedError<M>>
  /** Every page, in order. */
  readonly all: <A, I, M extends Mapped = never>(paged: Paged<A, I, M>) => Effect.Effect<ReadonlyArray<I>, ProviderFailure | MappedError<M>>
}

export const make = (
  config: ElbBaseConfig,
  provider: string,
  version: string
): Effect.Effect<Client, never, HttpClient.HttpClient> => {
  const resolved = resolve(config, provider)
  return Either.match(resolved, {
    onLeft: (problem) =>
      Effect.succeed<Client>({ ...Query.refusing(provider, String(config.region), problem), resolved }),
    onRight: (r) =>
      Effect.map(
        Query.make({
          provider,
          region: r.region,
          endpoint: r.endpoint,
          service: SERVICE,
          version,
          credentials: config.credentials,
          timeout: config.timeout,
          retry: config.retry,
          xml: xmlOptions,
          actionAttribute: "aws.elb.action"
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
            provider,
            region: r.region,
            resolved,
            call: (c) => query.call(toQuery(c)),
            all: (p) => query.all({ ...toQuery(p), size: ["PageSize", String(r.pageSize)], token: "Marker", page: p.page })
          }
        }
      )
  })
}
