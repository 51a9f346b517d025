import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted, TestClock } from "effect"
import { generateKeyPairSync } from "node:crypto"
import {
  type PolicyCondition,
  postPolicy,
  type ServiceAccountCredentials,
  signedUrl,
  type UrlStyle
} from "../../../src/auth/google/index.js"
import { parseServiceAccountKey } from "../../../src/auth/google/ServiceAccount.js"
import { readVectorJson, vectorSuite } from "./vectors.js"

interface SigningCase {
  readonly description: string
  readonly bucket: string
  readonly object?: string
  readonly method: string
  readonly expiration: number
  readonly timestamp: string
  readonly headers?: Readonly<Record<string, string>>
  readonly queryParameters?: Readonly<Record<string, string>>
  readonly scheme?: "https" | "http"
  readonly urlStyle?: "PATH_STYLE" | "VIRTUAL_HOSTED_STYLE" | "BUCKET_BOUND_HOSTNAME"
  readonly bucketBoundHostname?: string
  readonly hostname?: string
  readonly clientEndpoint?: string
  readonly emulatorHostname?: string
  readonly universeDomain?: string
  readonly expectedUrl: string
  readonly expectedCanonicalRequest: string
  readonly expectedStringToSign: string
}

interface PolicyCase {
  readonly description: string
  readonly policyInput: {
    readonly scheme?: "https" | "http"
    readonly urlStyle?: SigningCase["urlStyle"]
    readonly bucketBoundHostname?: string
    readonly bucket: string
    readonly object: string
    readonly expiration: number
    readonly timestamp: string
    readonly fields?: Readonly<Record<string, string>>
    readonly conditions?: {
      readonly startsWith?: readonly [string, string]
      readonly contentLengthRange?: readonly [number, number]
    }
  }
  readonly policyOutput: {
    readonly url: string
    readonly fields: Readonly<Record<string, string>>
    readonly expectedDecodedPolicy: string
  }
}

const DIR = "gcs-v4-signing-conformance"

const style = (s: SigningCase["urlStyle"]): UrlStyle | undefined =>
  s === undefined
    ? undefined
    : s === "VIRTUAL_HOSTED_STYLE"
    ? "virtual-hosted-style"
    : s === "BUCKET_BOUND_HOSTNAME"
    ? "bucket-bound-hostname"
    : "path-style"

/** The libraries' endpoint knobs, highest precedence first: hostname, client endpoint, emulator host. */
const endpointOf = (c: SigningCase) => c.hostname ?? c.clientEndpoint ?? c.emulatorHostname

// Upstream data error (vectors README §5): this case's canonical request shows the
// path-style path; its string to sign and URL were computed with "/test-object".
const UPSTREAM_PATH_ERROR = "Universe domain with virtual hosted style"

vectorSuite("GCS V4 conformance (googleapis/conformance-tests)", () => {
  const file = readVectorJson<{ signingV4Tests: ReadonlyArray<SigningCase>; postPolicyV4Tests: ReadonlyArray<PolicyCase> }>(
    `${DIR}/v4_signatures.json`
  )
  const keyText = readVectorJson(`${DIR}/test_service_account.not-a-test.json`)
  const credentials = Effect.runSync(parseServiceAccountKey(keyText))

  it("has 29 signed-URL and 11 POST-policy cases", () => {
    expect(file.signingV4Tests).toHaveLength(29)
    expect(file.postPolicyV4Tests).toHaveLength(11)
  })

  describe("signed URLs", () => {
    for (const c of file.signingV4Tests) {
      it.effect(c.description, () =>
        Effect.gen(function*() {
          yield* TestClock.setTime(Date.parse(c.timestamp))
          const endpoint = endpointOf(c)
          const urlStyle = style(c.urlStyle)
          const signed = yield* signedUrl(credentials, {
            bucket: c.bucket,
            method: c.method,
            expiresIn: Duration.seconds(c.expiration),
            ...(c.object === undefined ? {} : { object: c.object }),
            ...(c.headers === undefined ? {} : { headers: c.headers }),
            ...(c.queryParameters === undefined ? {} : { queryParameters: c.queryParameters }),
            ...(c.scheme === undefined ? {} : { scheme: c.scheme }),
            ...(urlStyle === undefined ? {} : { urlStyle }),
            ...(c.bucketBoundHostname === undefined ? {} : { bucketBoundHostname: c.bucketBoundHostname }),
            ...(endpoint === undefined ? {} : { endpoint }),
            ...(c.universeDomain === undefined ? {} : { universeDomain: c.universeDomain })
          })
          const expectedCanonical = c.description === UPSTREAM_PATH_ERROR
            ? c.expectedCanonicalRequest.replace("\n/test-bucket/test-object\n", "\n/test-object\n")
            : c.expectedCanonicalRequest
          expect(signed.canonicalRequest).toBe(expectedCanonical)
          expect(signed.stringToSign).toBe(c.expectedStringToSign)
          expect(signed.url).toBe(c.expectedUrl)
          expect(signed.expiresAt.getTime()).toBe(Date.parse(c.timestamp) + c.expiration * 1000)
        }))
    }
  })

  describe("POST policies", () => {
    for (const c of file.postPolicyV4Tests) {
      it.effect(c.description, () =>
        Effect.gen(function*() {
          const input = c.policyInput
          yield* TestClock.setTime(Date.parse(input.timestamp))
          const conditions: Array<PolicyCondition> = []
          if (input.conditions?.startsWith) conditions.push(["starts-with", ...input.conditions.startsWith])
          if (input.conditions?.contentLengthRange) {
            conditions.push(["content-length-range", ...input.conditions.contentLengthRange])
          }
          const urlStyle = style(input.urlStyle)
          const policy = yield* postPolicy(credentials, {
            bucket: input.bucket,
            object: input.object,
            expiresIn: Duration.seconds(input.expiration),
            conditions,
            ...(input.fields === undefined ? {} : { fields: input.fields }),
            ...(input.scheme === undefined ? {} : { scheme: input.scheme }),
            ...(urlStyle === undefined ? {} : { urlStyle }),
            ...(input.bucketBoundHostname === undefined ? {} : { bucketBoundHostname: input.bucketBoundHostname })
          })
          expect(policy.url).toBe(c.policyOutput.url)
          expect(JSON.parse(policy.policy)).toEqual(JSON.parse(c.policyOutput.expectedDecodedPolicy))
          expect(policy.fields).toEqual(c.policyOutput.fields)
        }))
    }
  })
})

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const LOCAL: ServiceAccountCredentials = {
  clientEmail: "signer@example-project.iam.gserviceaccount.com",
  privateKey: Redacted.make(privateKey),
  tokenUri: "https://oauth2.googleapis.com/token",
  universeDomain: "googleapis.com"
}

describe("GCS V4 signed URLs: validation", () => {
  it.effect("expiry must be 1 second to 7 days", () =>
    Effect.gen(function*() {
      const sign = (expiresIn: Duration.DurationInput) =>
        signedUrl(LOCAL, { bucket: "b", object: "o", method: "GET", expiresIn })
      for (const bad of ["0 seconds", "999 millis", "-1 seconds", Duration.sum("7 days", "1 second"), Infinity] as const) {
        const error = yield* Effect.flip(sign(bad))
        expect(error).toMatchObject({ _tag: "InvalidInput", field: "expiresIn" })
      }
      const min = yield* sign("1 second")
      expect(new URL(min.url).searchParams.get("X-Goog-Expires")).toBe("1")
      const max = yield* sign("7 days")
      expect(new URL(max.url).searchParams.get("X-Goog-Expires")).toBe("604800")
      const policy = yield* Effect.flip(postPolicy(LOCAL, { bucket: "b", object: "o", expiresIn: "8 days" }))
      expect(policy).toMatchObject({ _tag: "InvalidInput", field: "expiresIn" })
    }))

  it.effect("rejects what cannot be signed, naming the field", () =>
    Effect.gen(function*() {
      const base = { bucket: "b", object: "o", method: "GET", expiresIn: "1 hour" } as const
      const cases = [
        [{ ...base, bucket: "" }, "bucket"],
        [{ ...base, bucket: "a/b" }, "bucket"],
        [{ ...base, object: "" }, "object"],
        [{ ...base, object: "bad\uD800" }, "object"],
        [{ ...base, method: "GET /x" }, "method"],
        [{ ...base, headers: { "bad:name": "v" } }, "headers"],
        [{ ...base, headers: { host: "evil.example" } }, "headers"],
        [{ ...base, headers: { "x-goog-meta-a": "line\nbreak" } }, "headers"],
        [{ ...base, urlStyle: "bucket-bound-hostname" }, "bucketBoundHostname"],
        [{ ...base, endpoint: "https://host/with/path" }, "endpoint"],
        [{ ...base, endpoint: "ftp://host" }, "scheme"]
      ] as const
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(signedUrl(LOCAL, options as Parameters<typeof signedUrl>[1]))
        expect(error).toMatchObject({ _tag: "InvalidInput", field })
      }
    }))
})
