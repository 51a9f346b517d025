import { Layer, Redacted } from "effect"
import * as Credentials from "../../../../src/auth/aws/Credentials.js"
import { Replay } from "../../../../src/http/index.js"
import * as Alb from "../../../../src/layers/aws/alb/Alb.js"

export const region = "us-west-2"
export const url = "https://elasticloadbalancing.us-west-2.amazonaws.com/"
export const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
export const credentials = Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make(secret) })

/** SigV4 for Elastic Load Balancing in this region, whatever the date. */
export const signed = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/elasticloadbalancing\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/

/** A POST of exactly this form body to the regional endpoint, signed for ELB. */
export const post = (body: string): Replay.RequestMatcher => ({ method: "POST", url, headers: { authorization: signed }, body })

export const ok = (body: string): Replay.ResponseSpec => ({ status: 200, headers: { "content-type": "text/xml" }, body })

export const failure = (status: number, body: string, headers: Record<string, string> = {}): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "text/xml", ...headers },
  body
})

export const baseConfig: Alb.AlbConfig = {
  region,
  credentials,
  subnets: ["subnet-8360a9e7", "subnet-b7d581c0"],
  securityGroups: ["sg-5943793c"],
  pageSize: 1,
  retry: { base: "1 millis", cap: "5 millis", jitter: 0 }
}

export const replay = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Alb.AlbConfig> = {}, options?: Replay.Options) =>
  Alb.layer({ ...baseConfig, ...config }).pipe(Layer.provideMerge(Replay.layer(exchanges, options)))
