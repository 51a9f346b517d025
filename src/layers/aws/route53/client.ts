/**
 * One Route 53 client: REST requests under `/2013-04-01/`, SigV4-signed for
 * service "route53" in us-east-1 (Route 53 is global), XML both ways, and the
 * retry rules: GETs and DELETEs are retried like any idempotent request;
 * CreateHostedZone is too (its CallerReference makes a second send harmless);
 * change batches only when Route 53 refused them unread (Throttling,
 * PriorRequestNotComplete), never after a lost answer.
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, type Schema } from "effect"
import * as Credentials from "../../../auth/aws/Credentials.js"
import { sigV4Signer } from "../../../auth/aws/HttpSigner.js"
import * as ProviderHttp from "../../../http/Client.js"
import * as Signer from "../../../http/Signer.js"
import * as Url from "../../../http/Url.js"
import { type ProviderFailure, ProviderError } from "../../../schemas/Errors.js"
import { API_VERSION, type Resolved, resolve, type Route53Config } from "./config.js"
import { classify, extract, type Mapped, type MappedError, type Targets } from "./errors.js"

export interface Call<A, I, M extends Mapped> {
  readonly method: "GET" | "POST" | "DELETE"
  /** Under the API version: "/hostedzone/Z1…/rrset". */
  readonly path: string
  readonly query?: Url.QueryInput | undefined
  /** An XML request document. */
  readonly body?: string | undefined
  readonly schema: Schema.Schema<A, I>
  /** The portable operation ("Dns.getZone"): span name and error field. */
  readonly operation: string
  /** Safe to send twice; default by method (a POST is not, unless it carries a CallerReference). */
  readonly idempotent?: boolean | undefined
  readonly mapped?: ReadonlyArray<M> | undefined
  readonly targets?: Targets | undefined
}

export interface Client {
  readonly provider: string
  readonly settings: Resolved | undefined
  readonly call: <A, I, M extends Mapped = never>(call: Call<A, I, M>) => Effect.Effect<A, ProviderFailure | MappedError<M>>
}

const contentType = "application/xml"


export const make = (config: Route53Config): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Either.match(resolve(config), {
    // A configuration that cannot work is reported by every call, as the provider's own refusal would be.
    onLeft: (problem) =>
      Effect.succeed<Client>({
        provider: problem.provider,
        settings: undefined,
        call: (c) =>
          Effect.fail(
            new ProviderError({
              provider: problem.provider,
              operation: c.operation,
              code: "InvalidConfiguration",
              detail: `invalid config.${problem.field}: ${problem.reason}`
            })
          )
      }),
    onRight: (resolved) => {
      const credentials = Credentials.cachedSource(resolved.provider, config.credentials)
      const signer = Signer.make((request, context) =>
        Effect.flatMap(credentials(context.operation), (c) =>
          sigV4Signer({ credentials: c, region: resolved.region, service: "route53" })(request))
      )
      return Effect.map(
        ProviderHttp.make({
          provider: resolved.provider,
          baseUrl: `${resolved.endpoint}/${API_VERSION}`,
          signer,
          timeout: config.timeout ?? Duration.seconds(60),
          retry: config.retry,
          extract,
          // A refused call (a throttling code) did nothing: it is sent again; any other failure of one is reported.
          resendRefused: true
        }),
        (http): Client => {
          const call = <A, I, M extends Mapped = never>(c: Call<A, I, M>): Effect.Effect<A, ProviderFailure | MappedError<M>> => {
            const url = c.query === undefined ? c.path : Url.appendQuery(c.path, Url.query(c.query))
            let request = HttpClientRequest.make(c.method)(url)
            if (c.body !== undefined) request = HttpClientRequest.bodyText(request, c.body, contentType)
            const idempotent = c.idempotent ?? c.method !== "POST"
            const sent = http.execute(
              request,
              {
                operation: c.operation,
                idempotent,
                classify: classify<M>(c.mapped ?? [], c.targets ?? {}),
                attributes: { "aws.route53.path": c.path }
              },
              ProviderHttp.xml(c.schema)
            )
            return sent as Effect.Effect<A, ProviderFailure | MappedError<M>>
          }
          return { provider: resolved.provider, settings: resolved, call }
        }
      )
    }
  })
