import { Layer, Redacted } from "effect"
import * as Credentials from "../../../../src/auth/aws/Credentials.js"
import * as Ec2 from "../../../../src/layers/aws/ec2/Ec2.js"
import { Replay } from "../../../../src/http/index.js"

export const region = "us-east-1"
export const endpoint = "https://ec2.us-east-1.amazonaws.com"
export const url = `${endpoint}/`
export const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
export const credentials = Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make(secret) })

/** SigV4 for EC2 in this region, whatever the date. */
export const signedForEc2 = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ec2\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/

/** A POST of exactly this form body to the regional endpoint, signed for EC2. */
export const post = (body: string): Replay.RequestMatcher => ({
  method: "POST",
  url,
  headers: { authorization: signedForEc2 },
  body
})

/** A POST whose form body has these parameters (any order, others allowed). */
export const postWith = (params: Readonly<Record<string, string | RegExp>>): Replay.RequestMatcher => ({
  method: "POST",
  url,
  headers: { authorization: signedForEc2 },
  body: (bytes) => {
    const p = new URLSearchParams(new TextDecoder().decode(bytes))
    return Object.entries(params).every(([k, v]) => {
      const got = p.get(k)
      return got !== null && (typeof v === "string" ? got === v : v.test(got))
    })
  }
})

export const ok = (body: string): Replay.ResponseSpec => ({ status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body })

export const failure = (status: number, body: string, headers: Record<string, string> = {}): Replay.ResponseSpec => ({
  status,
  headers: { "content-type": "text/xml;charset=UTF-8", ...headers },
  body
})

export const baseConfig: Ec2.Ec2Config = {
  region,
  credentials,
  pageSize: 5,
  retry: { base: "1 millis", cap: "5 millis", jitter: 0 }
}

/** Compute + Ec2 over a replay of `exchanges`, with `Replay` for `assertDone` and `requests`. */
export const replay = (exchanges: ReadonlyArray<Replay.Exchange>, config: Partial<Ec2.Ec2Config> = {}, options?: Replay.Options) =>
  Ec2.layer({ ...baseConfig, ...config }).pipe(Layer.provideMerge(Replay.layer(exchanges, options)))

export const decodeBody = (bytes: Uint8Array) => new URLSearchParams(new TextDecoder().decode(bytes))
