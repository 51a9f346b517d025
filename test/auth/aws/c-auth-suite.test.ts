/**
 * AWS's current SigV4 suite (aws-c-auth edition),
 * $CLOUDFX_VECTORS/aws-c-auth-signing-test-suite-v4: all 38 cases, each in
 * the header form and the presigned (query) form, compared stage by stage.
 *
 * context.json options (README §2): `normalize` → path normalisation on/off
 * (the URI is double-encoded in both cases: service "service" is not S3);
 * `sign_body` → add and sign `x-amz-content-sha256` (header form);
 * `omit_session_token` → add the session token after signing, unsigned.
 */
import { Either, Redacted } from "effect"
import { join } from "node:path"
import { expect, it } from "vitest"
import { presignRequest } from "../../../src/auth/aws/Presign.js"
import { signHeaders } from "../../../src/auth/aws/SigV4.js"
import { describeVectors, headerNames, headerValue, listDirs, parseQuery, parseRawRequest, read, sortPairs } from "./vectors.js"

interface Context {
  readonly credentials: { readonly access_key_id: string; readonly secret_access_key: string; readonly token?: string }
  readonly expiration_in_seconds: number
  readonly normalize: boolean
  readonly region: string
  readonly service: string
  readonly sign_body: boolean
  readonly timestamp: string
  readonly omit_session_token?: boolean
}

describeVectors("AWS SigV4 suite, aws-c-auth edition (header + presigned)", "aws-c-auth-signing-test-suite-v4", (root) => {
  const cases = listDirs(root)

  it("has the 38 published cases", () => {
    expect(cases.length).toBe(38)
  })

  for (const name of cases) {
    const dir = join(root, name)
    const file = (f: string) => read(join(dir, f))
    const setup = () => {
      const ctx = JSON.parse(file("context.json")) as Context
      const req = parseRawRequest(file("request.txt"))
      const request = {
        method: req.method,
        path: req.path,
        pathEncoded: true,
        query: req.query,
        headers: req.headers,
        body: req.body
      }
      const params = {
        credentials: {
          accessKeyId: ctx.credentials.access_key_id,
          secretAccessKey: Redacted.make(ctx.credentials.secret_access_key),
          ...(ctx.credentials.token === undefined ? {} : { sessionToken: Redacted.make(ctx.credentials.token) })
        },
        region: ctx.region,
        service: ctx.service,
        date: Date.parse(ctx.timestamp)
      }
      const options = {
        normalizePath: ctx.normalize,
        doubleEncodePath: true,
        signSessionToken: ctx.omit_session_token !== true
      }
      return { ctx, request, params, options }
    }

    it(`${name} (header)`, () => {
      const { ctx, options, params, request } = setup()
      const signed = signHeaders(request, params, { ...options, contentSha256Header: ctx.sign_body })
      expect(signed.canonicalRequest, "canonical request").toBe(file("header-canonical-request.txt"))
      expect(signed.stringToSign, "string to sign").toBe(file("header-string-to-sign.txt"))
      expect(signed.signature, "signature").toBe(file("header-signature.txt").trim())

      const expected = parseRawRequest(file("header-signed-request.txt"))
      expect(headerNames(signed.headers)).toEqual(headerNames(expected.headers))
      expect(headerValue(signed.headers, "authorization")).toBe(headerValue(expected.headers, "authorization"))
      if (ctx.credentials.token !== undefined) {
        expect(headerValue(signed.headers, "x-amz-security-token")).toBe(ctx.credentials.token)
      }
    })

    it(`${name} (presigned)`, () => {
      const { ctx, options, params, request } = setup()
      const presigned = Either.getOrThrow(
        presignRequest(request, params, { ...options, expiresIn: ctx.expiration_in_seconds })
      )
      expect(presigned.canonicalRequest, "canonical request").toBe(file("query-canonical-request.txt"))
      expect(presigned.stringToSign, "string to sign").toBe(file("query-string-to-sign.txt"))
      expect(presigned.signature, "signature").toBe(file("query-signature.txt").trim())

      // Same query parameters as the published signed request (order is free).
      const expected = parseRawRequest(file("query-signed-request.txt"))
      expect(sortPairs(parseQuery(presigned.query))).toEqual(sortPairs(expected.query))
      expect(sortPairs(presigned.queryParams)).toEqual(sortPairs(expected.query))
    })
  }
})
