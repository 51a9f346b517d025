import { ConfigProvider, Effect, Redacted } from "effect"
import { it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect } from "vitest"
import * as Credentials from "../../../src/auth/aws/Credentials.js"

const dir = mkdtempSync(join(tmpdir(), "cloudfx-aws-creds-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const FILE = join(dir, "credentials")
writeFileSync(
  FILE,
  [
    "# a comment",
    "; another comment",
    "[default]",
    "aws_access_key_id = AKIDFILEDEFAULT",
    "aws_secret_access_key = file/default+secret   # inline comment",
    "",
    "[work]",
    "AWS_ACCESS_KEY_ID=AKIDFILEWORK",
    "aws_secret_access_key=work#secret-with-hash",
    "aws_session_token = file-session-token",
    "s3 =",
    "  max_concurrent_requests = 10",
    "",
    "[profile legacy]",
    "aws_access_key_id = AKIDLEGACY",
    "aws_secret_access_key = legacy-secret",
    "",
    "[sso]",
    "sso_start_url = https://example.awsapps.com/start",
    "sso_role_name = Admin",
    ""
  ].join("\r\n")
)

/** Run with exactly these environment variables visible to `Config`. */
const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("parseIni", () => {
  it("reads sections, keys, comments and nested sub-sections", () => {
    const ini = Credentials.parseIni("[a]\nk = v ; note\n# c\nx=1\nnested =\n  inner = 2\ny = 3\n[ b ]\nk=w")
    expect(ini).toEqual({ a: { k: "v", x: "1", nested: "", y: "3" }, b: { k: "w" } })
  })
})

describe("sources", () => {
  it.effect("fromEnv reads the standard variables through Config", () =>
    Effect.gen(function*() {
      const creds = yield* Credentials.fromEnv.pipe(
        withEnv({ AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "env-token" })
      )
      expect(creds.accessKeyId).toBe("AKIDENV")
      expect(Redacted.isRedacted(creds.secretAccessKey)).toBe(true)
      expect(Redacted.value(creds.secretAccessKey)).toBe("env-secret")
      expect(Redacted.value(creds.sessionToken!)).toBe("env-token")

      const noToken = yield* Credentials.fromEnv.pipe(
        withEnv({ AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" })
      )
      expect("sessionToken" in noToken).toBe(false)
    }))

  it.effect("config is a Config usable by layerConfig", () =>
    Effect.gen(function*() {
      const creds = yield* Credentials.config.pipe(
        withEnv({ AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" })
      )
      expect(creds.accessKeyId).toBe("AKIDENV")
    }))

  it.effect("fromEnv says which variable is missing, never a value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Credentials.fromEnv.pipe(withEnv({ AWS_SECRET_ACCESS_KEY: "env-secret-xyz" })))
      expect(error._tag).toBe("InvalidCredentials")
      expect(error.reason).toContain("AWS_ACCESS_KEY_ID is unset")
      expect(error.reason).toContain("AWS_SECRET_ACCESS_KEY is set")
      expect(error.message).not.toContain("env-secret-xyz")
    }))

  it.effect("fromSharedFile: default profile, inline comments stripped", () =>
    Effect.gen(function*() {
      const creds = yield* Credentials.fromSharedFile().pipe(withEnv({ AWS_SHARED_CREDENTIALS_FILE: FILE }))
      expect(creds.accessKeyId).toBe("AKIDFILEDEFAULT")
      expect(Redacted.value(creds.secretAccessKey)).toBe("file/default+secret")
      expect(creds.sessionToken).toBeUndefined()
    }))

  it.effect("fromSharedFile: AWS_PROFILE, upper-case keys, '#' inside a value, session token", () =>
    Effect.gen(function*() {
      const creds = yield* Credentials.fromSharedFile().pipe(
        withEnv({ AWS_SHARED_CREDENTIALS_FILE: FILE, AWS_PROFILE: "work" })
      )
      expect(creds.accessKeyId).toBe("AKIDFILEWORK")
      expect(Redacted.value(creds.secretAccessKey)).toBe("work#secret-with-hash")
      expect(Redacted.value(creds.sessionToken!)).toBe("file-session-token")
      const legacy = yield* Credentials.fromSharedFile({ file: FILE, profile: "legacy" })
      expect(legacy.accessKeyId).toBe("AKIDLEGACY")
    }))

  it.effect("fromSharedFile failures name the file, the profile and the reason", () =>
    Effect.gen(function*() {
      const missingFile = yield* Effect.flip(Credentials.fromSharedFile({ file: join(dir, "nope"), profile: "x" }))
      expect(missingFile.reason).toContain("no such file")
      const missingProfile = yield* Effect.flip(Credentials.fromSharedFile({ file: FILE, profile: "ghost" }))
      expect(missingProfile.reason).toContain(`profile "ghost": no such profile`)
      const sso = yield* Effect.flip(Credentials.fromSharedFile({ file: FILE, profile: "sso" }))
      expect(sso.reason).toContain("missing aws_access_key_id and aws_secret_access_key")
      expect(sso.reason).toContain("sso_start_url")
    }))
})

describe("chain", () => {
  const explicit = Credentials.make({ accessKeyId: "AKIDCONFIG", secretAccessKey: "config-secret" })
  const env = { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" }

  it.effect("config first, then env, then file", () =>
    Effect.gen(function*() {
      const a = yield* Credentials.chain({ config: explicit }).pipe(withEnv({ ...env, AWS_SHARED_CREDENTIALS_FILE: FILE }))
      expect(a.accessKeyId).toBe("AKIDCONFIG")
      const b = yield* Credentials.chain().pipe(withEnv({ ...env, AWS_SHARED_CREDENTIALS_FILE: FILE }))
      expect(b.accessKeyId).toBe("AKIDENV")
      const c = yield* Credentials.chain().pipe(withEnv({ AWS_SHARED_CREDENTIALS_FILE: FILE }))
      expect(c.accessKeyId).toBe("AKIDFILEDEFAULT")
    }))

  it.effect("fails with InvalidCredentials naming what was tried, never the values", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Credentials.chain({
          config: { accessKeyId: "", secretAccessKey: Redacted.make("config-secret-xyz") }
        }).pipe(
          withEnv({
            AWS_SECRET_ACCESS_KEY: "env-secret-xyz",
            AWS_SHARED_CREDENTIALS_FILE: join(dir, "absent"),
            AWS_PROFILE: "p"
          })
        )
      )
      expect(error._tag).toBe("InvalidCredentials")
      expect(error.provider).toBe("aws")
      expect(error.reason).toContain("explicit config: accessKeyId is empty")
      expect(error.reason).toContain("environment: AWS_ACCESS_KEY_ID is unset")
      expect(error.reason).toContain(`shared credentials file ${join(dir, "absent")}, profile "p": no such file`)
      for (const text of [error.message, error.reason, JSON.stringify(error), String(error)]) {
        expect(text).not.toContain("secret-xyz")
      }
    }))

  it.effect("make wraps plain secrets; credentials print redacted", () =>
    Effect.sync(() => {
      expect(JSON.stringify(explicit)).not.toContain("config-secret")
      expect(String(explicit.secretAccessKey)).not.toContain("config-secret")
    }))
})

describe("cachedSource", () => {
  const absent = { AWS_SHARED_CREDENTIALS_FILE: join(dir, "absent") }

  it.effect("the chain runs on first use and is kept; a failure is the operation's and is retried next call", () =>
    Effect.gen(function*() {
      const source = Credentials.cachedSource("aws-test", undefined)
      const failed = yield* Effect.flip(source("Test.first").pipe(withEnv(absent)))
      expect([failed._tag, failed.provider, failed.operation]).toEqual(["InvalidCredentials", "aws-test", "Test.first"])
      const found = yield* source("Test.second").pipe(withEnv({ ...absent, AWS_ACCESS_KEY_ID: "AKIDLATER", AWS_SECRET_ACCESS_KEY: "later-secret" }))
      expect(found.accessKeyId).toBe("AKIDLATER")
      const kept = yield* source("Test.third").pipe(withEnv({ ...absent, AWS_ACCESS_KEY_ID: "AKIDOTHER", AWS_SECRET_ACCESS_KEY: "other-secret" }))
      expect(kept.accessKeyId).toBe("AKIDLATER")
    }))

  it.effect("explicit credentials are checked, not replaced by the environment", () =>
    Effect.gen(function*() {
      const env = withEnv({ ...absent, AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" })
      const given = Credentials.make({ accessKeyId: "AKIDGIVEN", secretAccessKey: "given-secret" })
      expect((yield* Credentials.cachedSource("aws-test", given)("Test.op").pipe(env)).accessKeyId).toBe("AKIDGIVEN")
      const empty = Credentials.make({ accessKeyId: "", secretAccessKey: "given-secret" })
      const e = yield* Effect.flip(Credentials.cachedSource("aws-test", empty)("Test.op").pipe(env))
      expect(e.reason).toContain("accessKeyId is empty")
      expect(JSON.stringify(e)).not.toContain("given-secret")
    }))
})
