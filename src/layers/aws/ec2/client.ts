/**
 * One EC2 client: the Query API call (a form-encoded POST of `Action=…&
 * Version=2016-11-15&…`, SigV4-signed for service "ec2", XML back), its
 * retry rules, and pagination over `MaxResults` / `NextToken`.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Duration, Effect, Either, Option, type Schema, Stream } from "effect"
import * as Credentials from "../../../auth/aws/Credentials.js"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import { sigV4Signer } from "../../../auth/aws/HttpSigner.js"
import * as ProviderHttp from "../../../http/Client.js"
import * as Paginate from "../../../http/Paginate.js"
import * as Retry from "../../../http/Retry.js"
import * as Signer from "../../../http/Signer.js"
import * as Url from "../../../http/Url.js"
import { InvalidCredentials, type ProviderFailure, ProviderError } from "../../../schemas/Errors.js"
import { API_VERSION, type Ec2Config, resolve } from "./config.js"
import { classify, extract, type Mapped, type MappedError, type Targets } from "./errors.js"
import { xmlOptions } from "./wire.js"

/** Query parameters in the order they are sent: ("Filter.1.Name", "instance-id"), … */
export type Params = ReadonlyArray<readonly [string, string]>

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

const contentType = "application/x-www-form-urlencoded; charset=utf-8"

/** The form body: RFC 3986 encoding (a space is %20), which EC2 reads like any form encoding. */
export const formBody = (action: string, params: Params = []): string =>
  Url.query([["Action", action], ["Version", API_VERSION], ...params])

/** Credentials resolved on first use; a failure is not remembered (the file or env may be fixed meanwhile). */
const credentialSource = (provider: string, explicit: AwsCredentials | undefined) => {
  let cached: AwsCredentials | undefined
  const source = explicit === undefined ? Credentials.chain() : Credentials.fromConfig(explicit)
  return (operation: string): Effect.Effect<AwsCredentials, InvalidCredentials> =>
    cached !== undefined ? Effect.succeed(cached) : source.pipe(
      Effect.tap((c) => Effect.sync(() => void (cached = c))),
      Effect.mapError((e) => new InvalidCredentials({ provider, operation, reason: e.reason }))
    )
}

const isRateLimited = (e: unknown) => typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "RateLimited"

export const make = (config: Ec2Config): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Either.match(resolve(config), {
    // A configuration that cannot work is reported by every call, as the provider's own refusal would be.
    onLeft: (problem) =>
      Effect.succeed<Client>({
        provider: problem.provider,
        region: String(config.region),
        endpoint: "",
        call: (c) =>
          Effect.fail(
            new ProviderError({
              provider: problem.provider,
              operation: c.operation,
              code: "InvalidConfiguration",
              detail: `invalid config.${problem.field}: ${problem.reason}`
            })
          ),
        all: (p) =>
          Effect.fail(
            new ProviderError({
              provider: problem.provider,
              operation: p.operation,
              code: "InvalidConfiguration",
              detail: `invalid config.${problem.field}: ${problem.reason}`
            })
          )
      }),
    onRight: (resolved) => {
      const credentials = credentialSource(resolved.provider, config.credentials)
      const signer = Signer.make((request, context) =>
        Effect.flatMap(credentials(context.operation), (c) =>
          sigV4Signer({ credentials: c, region: resolved.region, service: "ec2" })(request))
      )
      const throttlePolicy = Retry.policy(config.retry === false ? { maxAttempts: 1 } : config.retry)
      return Effect.map(
        ProviderHttp.make({
          provider: resolved.provider,
          baseUrl: resolved.endpoint,
          signer,
          timeout: config.timeout ?? Duration.seconds(60),
          retry: config.retry,
          extract
        }),
        (http): Client => {
          const call = <A, M extends Mapped = never>(c: Call<A, M>): Effect.Effect<A, ProviderFailure | MappedError<M>> => {
            const request = HttpClientRequest.post("/").pipe(HttpClientRequest.bodyText(formBody(c.action, c.params), contentType))
            const idempotent = c.idempotent === true
            const sent = http.execute(
              request,
              {
                operation: c.operation,
                idempotent,
                classify: classify<M>(c.mapped ?? [], c.targets ?? {}),
                attributes: { "aws.ec2.action": c.action }
              },
              ProviderHttp.xml(c.schema, xmlOptions)
            )
            // The classifier's union is what `execute` can fail with; TypeScript loses it through the generic M.
            const typed = sent as Effect.Effect<A, ProviderFailure | MappedError<M>>
            return idempotent ? typed : Retry.retry<ProviderFailure | MappedError<M>>(throttlePolicy, { eligible: true, while: isRateLimited })(typed)
          }
          const all = <A, I, M extends Mapped = never>(p: Paged<A, I, M>) => {
            const size = String(Math.min(p.maxPage, resolved.pageSize ?? p.maxPage))
            return Paginate.stream(
              (token: Option.Option<string>) =>
                Effect.map(
                  call({
                    ...p,
                    idempotent: true,
                    params: [
                      ...(p.params ?? []),
                      ["MaxResults", size],
                      ...(Option.isSome(token) ? [["NextToken", token.value] as const] : [])
                    ]
                  }),
                  (a): Paginate.Page<I, string> => {
                    const { items, next } = p.page(a)
                    return { items, next: next === undefined || next === "" ? Option.none() : Option.some(next) }
                  }
                ),
              { where: { provider: resolved.provider, operation: p.operation } }
            ).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
          }
          return { provider: resolved.provider, region: resolved.region, endpoint: resolved.endpoint, call, all }
        }
      )
    }
  })

// ---------------------------------------------------------------- parameter builders

/** `Name.1=a&Name.2=b` */
export const list = (name: string, values: ReadonlyArray<string>): Params => values.map((v, i) => [`${name}.${i + 1}`, v] as const)

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
export const opt = (name: string, value: string | number | boolean | undefined): Params =>
  value === undefined ? [] : [[name, String(value)]]
