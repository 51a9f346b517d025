/**
 * Making a bucket publicly readable (`enableCdn`) and its public URLs
 * (`cdnUrl`), by bucket policy or canned ACL as the server allows (see
 * `PublicAccess` in config.ts).
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import type { FailureContext } from "../../../http/Errors.js"
import * as Url from "../../../http/Url.js"
import { MalformedResponse, Unsupported } from "../../../schemas/Errors.js"
import { withQuery } from "./addressing.js"
import type { Client } from "./client.js"
import * as S3Errors from "./errors.js"

const STATEMENT_ID = "CloudfxPublicRead"

const publicRead = (bucket: string) => ({
  Sid: STATEMENT_ID,
  Effect: "Allow",
  Principal: "*",
  Action: ["s3:GetObject"],
  Resource: [`arn:aws:s3:::${bucket}/*`]
})

export const make = (client: Client) => {
  const { address, http, provider } = client
  const supported = client.publicAccess !== "none"
  const unsupported = (operation: string) => new Unsupported({ provider, operation, capability: "storage.cdn" })

  /** 501 is the server's final word, not a hiccup to retry: the feature is not there. */
  const lacking = (operation: string) => (ctx: FailureContext): Unsupported | undefined =>
    ctx.status === 501 || ctx.status === 405 || ctx.code === "NotImplemented" || ctx.code === "MethodNotAllowed"
      ? unsupported(operation)
      : undefined

  const classify = (operation: string, bucket: string) => (ctx: FailureContext) =>
    S3Errors.common(client.region, bucket)(ctx) ?? S3Errors.noSuchBucket(ctx, bucket) ?? lacking(operation)(ctx)

  /** The bucket's policy with our statement added (or replaced), keeping the others. */
  const mergedPolicy = (operation: string, bucket: string) =>
    http.execute(
      HttpClientRequest.get(withQuery(address.bucketUrl(bucket), { policy: null })),
      { operation, classify: classify(operation, bucket), success: (status) => status === 200 || status === 404 },
      (response, where) =>
        response.status === 404
          ? Effect.as(ProviderHttp.empty(response, where), JSON.stringify({ Version: "2012-10-17", Statement: [publicRead(bucket)] }))
          : Effect.flatMap(ProviderHttp.text(response, where), (text) => {
            let current: unknown
            try {
              current = JSON.parse(text)
            } catch {
              current = undefined
            }
            if (typeof current !== "object" || current === null || Array.isArray(current)) {
              return Effect.fail(new MalformedResponse({ ...where, reason: "the bucket policy is not a JSON object" }))
            }
            const statements = (current as { Statement?: unknown }).Statement
            const list: ReadonlyArray<unknown> = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements]
            const kept = list.filter((s) => !(typeof s === "object" && s !== null && (s as { Sid?: unknown }).Sid === STATEMENT_ID))
            return Effect.succeed(JSON.stringify({ ...current, Statement: [...kept, publicRead(bucket)] }))
          })
    )

  const putPolicy = (operation: string, bucket: string) =>
    Effect.flatMap(mergedPolicy(operation, bucket), (policy) =>
      http.execute(
        HttpClientRequest.put(withQuery(address.bucketUrl(bucket), { policy: null })).pipe(
          HttpClientRequest.bodyText(policy, "application/json")
        ),
        { operation, classify: classify(operation, bucket) },
        ProviderHttp.empty
      ))

  const putAcl = (operation: string, bucket: string) =>
    http.execute(
      HttpClientRequest.put(withQuery(address.bucketUrl(bucket), { acl: null })).pipe(
        HttpClientRequest.setHeader("x-amz-acl", "public-read")
      ),
      { operation, classify: classify(operation, bucket) },
      ProviderHttp.empty
    )

  /** Makes `bucket` (already validated) publicly readable. */
  const enable = (operation: string, bucket: string) => {
    switch (client.publicAccess) {
      case "none":
        return Effect.fail(unsupported(operation))
      case "acl":
        return putAcl(operation, bucket)
      case "policy":
        return putPolicy(operation, bucket)
      case "auto":
        return putPolicy(operation, bucket).pipe(Effect.catchTag("Unsupported", () => putAcl(operation, bucket)))
    }
  }

  /** The public URL of `bucket`, or of `key` in it. */
  const url = (operation: string, bucket: string, key: string | undefined) => {
    if (!supported) return Effect.fail(unsupported(operation))
    const base = client.publicUrl === undefined
      ? address.bucketUrl(bucket)
      : client.publicUrl.replace(/\{bucket\}/g, Url.segment(bucket)).replace(/\/+$/, "")
    return Effect.succeed(key === undefined ? `${base}/` : `${base}/${Url.key(key)}`)
  }

  return { supported, enable, url }
}
