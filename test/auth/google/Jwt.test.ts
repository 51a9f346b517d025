import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, TestClock } from "effect"
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from "node:crypto"
import {
  assertionClaims,
  base64url,
  base64urlDecode,
  compactJws,
  importJwk,
  type ServiceAccountCredentials,
  serviceAccountAssertion,
  signRs256,
  verifyRs256
} from "../../../src/auth/google/index.js"
import { readVectorJson, vectorSuite } from "./vectors.js"

interface Rfc7515A2 {
  readonly jwk: JsonWebKey
  readonly protectedHeader: string
  readonly payload: string
  readonly protectedHeaderB64u: string
  readonly payloadB64u: string
  readonly signingInput: string
  readonly signatureB64u: string
  readonly compact: string
}

interface Cookbook41 {
  readonly input: { readonly payload: string; readonly key: JsonWebKey; readonly alg: string }
  readonly signing: {
    readonly protected: Record<string, string>
    readonly protected_b64u: string
    readonly "sig-input": string
    readonly sig: string
  }
  readonly output: { readonly compact: string }
}

vectorSuite("JWS RS256 vectors (RFC 7515 A.2, RFC 7520 §4.1)", () => {
  it("RFC 7515 A.2: encodes the exact bytes and reproduces the signature byte for byte", () => {
    const v = readVectorJson<Rfc7515A2>("jose/rfc7515-A.2-rs256.json")
    const key = importJwk(v.jwk)
    expect(key.type).toBe("private")
    expect(base64url(v.protectedHeader)).toBe(v.protectedHeaderB64u)
    expect(base64url(v.payload)).toBe(v.payloadB64u) // the payload's CRLFs are signed as is
    expect(`${v.protectedHeaderB64u}.${v.payloadB64u}`).toBe(v.signingInput)
    expect(signRs256(key, v.signingInput)).toBe(v.signatureB64u)
    expect(compactJws(key, v.protectedHeader, v.payload)).toBe(v.compact)
    const publicKey = importJwk({ kty: "RSA", n: v.jwk.n, e: v.jwk.e } as JsonWebKey)
    expect(publicKey.type).toBe("public")
    expect(verifyRs256(publicKey, v.signingInput, v.signatureB64u)).toBe(true)
    expect(verifyRs256(publicKey, v.signingInput + "x", v.signatureB64u)).toBe(false)
  })

  it("RFC 7520 §4.1: the cookbook's RS256 signature with kid, and the separate JWK files", () => {
    const v = readVectorJson<Cookbook41>("jose/ietf-jose-cookbook/jws/4_1.rsa_v15_signature.json")
    expect(v.input.alg).toBe("RS256")
    const privateJwk = readVectorJson<JsonWebKey>("jose/ietf-jose-cookbook/jwk/3_4.rsa_private_key.json")
    const publicJwk = readVectorJson<JsonWebKey>("jose/ietf-jose-cookbook/jwk/3_3.rsa_public_key.json")
    const key = importJwk(privateJwk)
    expect(importJwk(v.input.key).export({ format: "jwk" })).toEqual(key.export({ format: "jwk" }))

    const signingInput = `${v.signing.protected_b64u}.${base64url(v.input.payload)}`
    expect(signingInput).toBe(v.signing["sig-input"]) // the payload is UTF-8 (it has U+2019)
    expect(base64url(JSON.stringify(v.signing.protected))).toBe(v.signing.protected_b64u)
    expect(signRs256(key, signingInput)).toBe(v.signing.sig)
    expect(compactJws(key, v.signing.protected, v.input.payload)).toBe(v.output.compact)
    expect(verifyRs256(importJwk(publicJwk), signingInput, v.signing.sig)).toBe(true)
  })
})

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const publicKey = createPublicKey(privateKey)
const CREDENTIALS: ServiceAccountCredentials = {
  clientEmail: "robot@project.iam.gserviceaccount.com",
  privateKey: Redacted.make(privateKey),
  privateKeyId: "abc123",
  tokenUri: "https://oauth2.googleapis.com/token",
  universeDomain: "googleapis.com"
}

describe("Google service-account assertion", () => {
  it.effect("header and claims as Google documents them, times from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_500)
      const jwt = Redacted.value(
        yield* serviceAccountAssertion(CREDENTIALS, {
          scopes: ["https://www.googleapis.com/auth/devstorage.read_write", "https://www.googleapis.com/auth/compute"]
        })
      )
      const [header = "", payload = "", signature = ""] = jwt.split(".")
      expect(JSON.parse(base64urlDecode(header).toString())).toEqual({ alg: "RS256", typ: "JWT", kid: "abc123" })
      expect(JSON.parse(base64urlDecode(payload).toString())).toEqual({
        iss: "robot@project.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/devstorage.read_write https://www.googleapis.com/auth/compute",
        aud: "https://oauth2.googleapis.com/token",
        iat: 1_700_000_000,
        exp: 1_700_003_600
      })
      expect(verifyRs256(publicKey, `${header}.${payload}`, signature)).toBe(true)
      expect(jwt).not.toMatch(/[+/=]/) // base64url, unpadded
    }))

  it.effect("subject, audience and lifetime options; invalid ones are InvalidInput", () =>
    Effect.gen(function*() {
      const claims = yield* assertionClaims(
        CREDENTIALS,
        { scopes: ["s"], subject: "user@example.com", audience: "https://aud.example", lifetime: "10 minutes" },
        5_000
      )
      expect(claims).toEqual({ iss: CREDENTIALS.clientEmail, scope: "s", aud: "https://aud.example", iat: 5, exp: 605, sub: "user@example.com" })
      for (
        const [options, field] of [
          [{ scopes: [] }, "scopes"],
          [{ scopes: ["a b"] }, "scopes"],
          [{ scopes: ["s"], lifetime: "2 hours" }, "lifetime"],
          [{ scopes: ["s"], lifetime: "0 seconds" }, "lifetime"]
        ] as const
      ) {
        const error = yield* Effect.flip(assertionClaims(CREDENTIALS, options, 0))
        expect(error).toMatchObject({ _tag: "InvalidInput", field })
      }
    }))
})
