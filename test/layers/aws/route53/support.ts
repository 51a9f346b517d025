import { Layer, Redacted } from "effect"
import * as Credentials from "../../../../src/auth/aws/Credentials.js"
import { Replay } from "../../../../src/http/index.js"
import * as Route53 from "../../../../src/layers/aws/route53/Route53.js"

export const endpoint = "https://route53.amazonaws.com"
export const base = `${endpoint}/2013-04-01`
export const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
export const credentials = Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make(secret) })

/** SigV4 for Route 53 (global, signed in us-east-1), whatever the date. */
export const signed = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/route53\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/

export const get = (path: string, query?: Readonly<Record<string, string | null>>): Replay.RequestMatcher => ({
  method: "GET",
  path: `/2013-04-01${path}`,
  headers: { authorization: signed },
  ...(query === undefined ? {} : { query })
})

export const post = (path: string, body?: string | RegExp | ((b: Uint8Array) => boolean)): Replay.RequestMatcher => ({
  method: "POST",
  path: `/2013-04-01${path}`,
  headers: { authorization: signed, "content-type": "application/xml" },
  ...(body === undefined ? {} : { body })
})

export const del = (path: string): Replay.RequestMatcher => ({ method: "DELETE", path: `/2013-04-01${path}`, headers: { authorization: signed } })

export const ok = (body: string, status = 200): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "text/xml", "x-amz-request-id": "647cd254-e0d1-44a9-af61-1d6d86ea6b77" },
  body
})

export const failure = (status: number, body: string, headers: Record<string, string> = {}): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "text/xml", ...headers },
  body
})

export const baseConfig: Route53.Route53Config = {
  credentials,
  retry: { base: "1 millis", cap: "5 millis", jitter: 0 }
}

/** Dns + Route53 over a replay of `exchanges`, with `Replay` for `assertDone` and `requests`. */
export const replay = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Route53.Route53Config> = {}, options?: Replay.Options) =>
  Route53.layer({ ...baseConfig, ...config }).pipe(Layer.provideMerge(Replay.layer(exchanges, options)))

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
