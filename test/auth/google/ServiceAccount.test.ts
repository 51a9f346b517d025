import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createPublicKey, generateKeyPairSync } from "node:crypto"
import { parseServiceAccountKey, signRs256, verifyRs256 } from "../../../src/auth/google/index.js"
import { readVectorJson, vectorSuite } from "./vectors.js"

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
const PEM = rsa.privateKey.export({ format: "pem", type: "pkcs8" }).toString()
const KEY_FILE = {
  type: "service_account",
  project_id: "p",
  private_key_id: "kid-1",
  private_key: PEM,
  client_email: "robot@p.iam.gserviceaccount.com",
  client_id: "1",
  token_uri: "https://oauth2.googleapis.com/token"
}

vectorSuite("Google service-account key (conformance dummy key)", () => {
  it.effect("parses test_service_account.not-a-test.json into usable credentials", () =>
    Effect.gen(function*() {
      const file = readVectorJson<Record<string, string>>("gcs-v4-signing-conformance/test_service_account.not-a-test.json")
      const credentials = yield* parseServiceAccountKey(JSON.stringify(file))
      expect(credentials.clientEmail).toBe("test-iam-credentials@dummy-project-id.iam.gserviceaccount.com")
      expect(credentials.projectId).toBe("dummy-project-id")
      expect(credentials.privateKeyId).toBe(file.private_key_id)
      expect(credentials.tokenUri).toBe("https://oauth2.googleapis.com/token")
      expect(credentials.universeDomain).toBe("googleapis.com")
      const key = Redacted.value(credentials.privateKey)
      const sig = signRs256(key, "hello")
      expect(verifyRs256(createPublicKey(key), "hello", sig)).toBe(true)
      // The credentials print without the key.
      expect(JSON.stringify(credentials)).not.toContain("PRIVATE KEY")
      expect(String(credentials.privateKey)).toBe("<redacted>")
    }))
})

describe("Google service-account key parsing", () => {
  it.effect("accepts the file text or the parsed object; fills token_uri and universe defaults", () =>
    Effect.gen(function*() {
      const fromText = yield* parseServiceAccountKey(JSON.stringify(KEY_FILE))
      const { token_uri: _ignored, ...minimal } = KEY_FILE
      const fromObject = yield* parseServiceAccountKey(minimal)
      expect(fromText.clientEmail).toBe(KEY_FILE.client_email)
      expect(fromObject.tokenUri).toBe("https://oauth2.googleapis.com/token")
      expect(fromObject.universeDomain).toBe("googleapis.com")
      const pkcs1 = rsa.privateKey.export({ format: "pem", type: "pkcs1" }).toString()
      const legacy = yield* parseServiceAccountKey({ ...KEY_FILE, private_key: pkcs1, universe_domain: "example.com" })
      expect(legacy.universeDomain).toBe("example.com")
    }))

  it.effect("each problem is InvalidInput naming the field", () =>
    Effect.gen(function*() {
      const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString()
      const { client_email: _e, ...noEmail } = KEY_FILE
      const { private_key: _k, ...noKey } = KEY_FILE
      const cases: ReadonlyArray<readonly [unknown, string, string]> = [
        [JSON.stringify(KEY_FILE).slice(0, -20), "serviceAccountKey", "is not valid JSON"],
        ["[1,2]", "serviceAccountKey", "is not a JSON object"],
        [42, "serviceAccountKey", "is not a JSON object"],
        [null, "serviceAccountKey", "is not a JSON object"],
        [noEmail, "serviceAccountKey.client_email", "is missing"],
        [noKey, "serviceAccountKey.private_key", "is missing"],
        [{ ...KEY_FILE, client_email: "" }, "serviceAccountKey.client_email", "is not valid"],
        [{ ...KEY_FILE, private_key: 12 }, "serviceAccountKey.private_key", "is not valid"],
        [{ ...KEY_FILE, type: "authorized_user" }, "serviceAccountKey.type", "is not valid"],
        [{ ...KEY_FILE, private_key: PEM.slice(0, 200) }, "serviceAccountKey.private_key", "is not a PEM-encoded private key"],
        [{ ...KEY_FILE, private_key: ec }, "serviceAccountKey.private_key", "is not an RSA key"]
      ]
      for (const [input, field, reason] of cases) {
        const error = yield* Effect.flip(parseServiceAccountKey(input))
        expect(error).toMatchObject({ _tag: "InvalidInput", field, reason })
      }
    }))
})
