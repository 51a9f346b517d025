/**
 * One AWS Query API client, shared by the Query products (EC2, Elastic Load
 * Balancing): a form-encoded POST of `Action=…&Version=…&…` to the service
 * endpoint, SigV4-signed for the service, XML back; credentials resolved
 * once; throttled non-idempotent calls retried (AWS refuses them before
 * acting); pagination over whatever token pair the product uses.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Duration, Effect, Option, type Schema, Stream } from "effect"
import * as Credentials from "../../../auth/aws/Credentials.js"
import type { AwsCredentials } from "../../../auth/aws/Credentials.js"
import { sigV4Signer } from "../../../auth/aws/HttpSigner.js"
import * as ProviderHttp from "../../../http/Client.js"
import type * as Decode from "../../../http/Decode.js"
import * as Paginate from "../../../http/Paginate.js"
import * as Retry from "../../../http/Retry.js"
import * as Signer from "../../../http/Signer.js"
import * as Url from "../../../http/Url.js"
import { type ProviderFailure, ProviderError } from "../../../schemas/Errors.js"
import { type Classified, extract, type Mapped, type MappedError } from "./errors.js"

/** Query parameters in the order they are sent: ("Filter.1.Name", "instance-id"), … */
export type Params = ReadonlyArray<readonly [string, string]>

export interface Call<A, M extends Mapped> {
  readonly action: string
  readonly params?: Params | undefined
  readonly schema: Schema.Schema<A, unknown>
  /** The portable operation ("Compute.getNode"): span name and error field. */
  readonly operation: string
  /**
   * Safe to send twice: a Describe, a request carrying a client token, or
   * one the service treats as a no-op when repeated. Anything else is
   * retried only when throttled, which AWS refuses before acting on it.
   */
  readonly idempotent?: boolean | undefined
  /** Code → taxonomy for this request (see errors.ts `classifier`). */
  readonly classify: (ctx: import("../../../http/Errors.js").FailureContext) => Classified<M>
}

/** How a product pages: the parameter names and one page's items and next token. */
export interface Paged<A, I, M extends Mapped> extends Call<A, M> {
  /** The page size parameter and value ("MaxResults", "PageSize"). */
  readonly size: readonly [string, string]
  /** The parameter that carries the previous page's token ("NextToken", "Marker"). */
  readonly token: string
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

export interface Options {
  readonly provider: string
  readonly region: string
  readonly endpoint: string
  /** The SigV4 service name ("ec2", "elasticloadbalancing"). */
  readonly service: string
  /** The API version every request names ("2016-11-15"). */
  readonly version: string
  readonly credentials?: AwsCredentials | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /** How the product's XML is parsed (which elements are always lists). */
  readonly xml?: Decode.XmlOptions | undefined
  /** The span attribute naming the action ("aws.ec2.action"). */
  readonly actionAttribute: string
}

const contentType = "application/x-www-form-urlencoded; charset=utf-8"

/** The form body: RFC 3986 encoding (a space is %20), which AWS reads like any form encoding. */
export const formBody = (version: string, action: string, params: Params = []): string =>
  Url.query([["Action", action], ["Version", version], ...params])


/**
 * A client whose configuration cannot work: every call reports it, as the
 * provider's own refusal would be (make never fails).
 */
export const refusing = (provider: string, region: string, problem: { readonly field: string; readonly reason: string }) => {
  const refuse = <A>(operation: string): Effect.Effect<A, ProviderError> =>
    Effect.fail(
      new ProviderError({
        provider,
        operation,
        code: "InvalidConfiguration",
        detail: `invalid config.${problem.field}: ${problem.reason}`
      })
    )
  return {
    provider,
    region,
    endpoint: "",
    call: <A>(c: { readonly operation: string }) => refuse<A>(c.operation),
    all: <I>(p: { readonly operation: string }) => refuse<ReadonlyArray<I>>(p.operation)
  }
}

export const make = (options: Options): Effect.Effect<Client, never, HttpClient.HttpClient> => {
  const credentials = Credentials.cachedSource(options.provider, options.credentials)
  const signer = Signer.make((request, context) =>
    Effect.flatMap(credentials(context.operation), (c) =>
      sigV4Signer({ credentials: c, region: options.region, service: options.service })(request))
  )
  return Effect.map(
    ProviderHttp.make({
      provider: options.provider,
      baseUrl: options.endpoint,
      signer,
      timeout: options.timeout ?? Duration.seconds(60),
      retry: options.retry,
      extract,
      // A refused call (a throttling code) did nothing: it is sent again; any other failure of one is reported.
      resendRefused: true
    }),
    (http): Client => {
      const call = <A, M extends Mapped = never>(c: Call<A, M>): Effect.Effect<A, ProviderFailure | MappedError<M>> => {
        const request = HttpClientRequest.post("/").pipe(
          HttpClientRequest.bodyText(formBody(options.version, c.action, c.params), contentType)
        )
        const idempotent = c.idempotent === true
        const sent = http.execute(
          request,
          { operation: c.operation, idempotent, classify: c.classify, attributes: { [options.actionAttribute]: c.action } },
          ProviderHttp.xml(c.schema, options.xml)
        )
        // The classifier's union is what `execute` can fail with; TypeScript loses it through the generic M.
        return sent as Effect.Effect<A, ProviderFailure | MappedError<M>>
      }
      const all = <A, I, M extends Mapped = never>(p: Paged<A, I, M>) =>
        Paginate.stream(
          (token: Option.Option<string>) =>
            Effect.map(
              call({
                ...p,
                idempotent: true,
                params: [...(p.params ?? []), p.size, ...(Option.isSome(token) ? [[p.token, token.value] as const] : [])]
              }),
              (a): Paginate.Page<I, string> => {
                const { items, next } = p.page(a)
                return { items, next: next === undefined || next === "" ? Option.none() : Option.some(next) }
              }
            ),
          { where: { provider: options.provider, operation: p.operation } }
        ).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
      return { provider: options.provider, region: options.region, endpoint: options.endpoint, call, all }
    }
  )
}

// ---------------------------------------------------------------- parameter builders

/** `Name.1=a&Name.2=b` */
export const list = (name: string, values: ReadonlyArray<string>): Params => values.map((v, i) => [`${name}.${i + 1}`, v] as const)

/** `Name.member.1=a&Name.member.2=b` (the non-EC2 Query services' lists). */
export const members = (name: string, values: ReadonlyArray<string>): Params => list(`${name}.member`, values)

/** A parameter only when the value is there. */
export const opt = (name: string, value: string | number | boolean | undefined): Params =>
  value === undefined ? [] : [[name, String(value)]]
