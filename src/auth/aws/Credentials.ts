/**
 * AWS credentials and where they come from: explicit config, the standard
 * environment variables (through Effect `Config`, so a `layerConfig` or a
 * test `ConfigProvider` controls them), and a shared credentials file profile.
 *
 * Secrets are `Redacted` from the moment they are read. No error, log or span
 * here ever carries a value: failures name the source and what was missing.
 */
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { join } from "node:path"
import { Config, Effect, Option, Redacted } from "effect"
import { InvalidCredentials } from "../../schemas/Errors.js"

export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string>
}

const where = { provider: "aws", operation: "credentials" } as const

const fail = (reason: string) => new InvalidCredentials({ ...where, reason })

const redact = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/** Build credentials from plain or `Redacted` strings (plain secrets are wrapped at once). */
export const make = (input: {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
  readonly sessionToken?: string | Redacted.Redacted<string> | undefined
}): AwsCredentials => ({
  accessKeyId: input.accessKeyId,
  secretAccessKey: redact(input.secretAccessKey),
  ...(input.sessionToken === undefined ? {} : { sessionToken: redact(input.sessionToken) })
})

// ---------------------------------------------------------------------------
// Explicit config

/** Explicit credentials, checked for presence (a missing or empty key id or secret fails). */
export const fromConfig = (credentials: AwsCredentials): Effect.Effect<AwsCredentials, InvalidCredentials> => {
  if (typeof credentials.accessKeyId !== "string" || credentials.accessKeyId.trim() === "") {
    return Effect.fail(fail("explicit config: accessKeyId is empty"))
  }
  if (!Redacted.isRedacted(credentials.secretAccessKey) || Redacted.value(credentials.secretAccessKey) === "") {
    return Effect.fail(fail("explicit config: secretAccessKey is empty or not Redacted"))
  }
  return Effect.succeed(credentials)
}

// ---------------------------------------------------------------------------
// Environment

export const ENV_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
export const ENV_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"
export const ENV_SESSION_TOKEN = "AWS_SESSION_TOKEN"
export const ENV_SHARED_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE"
export const ENV_PROFILE = "AWS_PROFILE"

/**
 * Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the
 * optional `AWS_SESSION_TOKEN`, as a `Config` (for `layerConfig`).
 */
export const config: Config.Config<AwsCredentials> = Config.all({
  accessKeyId: Config.nonEmptyString(ENV_ACCESS_KEY_ID),
  secretAccessKey: Config.redacted(ENV_SECRET_ACCESS_KEY).pipe(
    Config.validate({ message: "must not be empty", validation: (s) => Redacted.value(s) !== "" })
  ),
  sessionToken: Config.option(Config.redacted(ENV_SESSION_TOKEN)).pipe(
    Config.map(Option.filter((s) => Redacted.value(s) !== ""))
  )
}).pipe(
  Config.map(({ accessKeyId, secretAccessKey, sessionToken }): AwsCredentials =>
    Option.isSome(sessionToken)
      ? { accessKeyId, secretAccessKey, sessionToken: sessionToken.value }
      : { accessKeyId, secretAccessKey }
  )
)

const presence = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.match({ onNone: () => "unset", onSome: (v) => (v.trim() === "" ? "empty" : "set") })),
    Effect.orElseSucceed(() => "unreadable")
  )

/** Credentials from the standard environment variables (read through the current `ConfigProvider`). */
export const fromEnv: Effect.Effect<AwsCredentials, InvalidCredentials> = Effect.catchAll(
  config,
  () =>
    Effect.gen(function*() {
      const id = yield* presence(ENV_ACCESS_KEY_ID)
      const secret = yield* presence(ENV_SECRET_ACCESS_KEY)
      return yield* Effect.fail(
        fail(`environment: ${ENV_ACCESS_KEY_ID} is ${id}, ${ENV_SECRET_ACCESS_KEY} is ${secret}`)
      )
    })
)

// ---------------------------------------------------------------------------
// Shared credentials file

export type IniSections = Record<string, Record<string, string>>

const COMMENT = /(^|\s)[;#]/

/**
 * Parse the INI dialect of `~/.aws/credentials` and `~/.aws/config`:
 * `[section]` headers, `key = value` lines, full-line comments starting with
 * `#` or `;`, and inline comments after whitespace (`key = v  # note`).
 * Keys are lower-cased; the indented lines of a nested sub-section (such as
 * `s3 =\n  max_concurrent_requests = 10`) are skipped. Later keys win.
 */
export const parseIni = (text: string): IniSections => {
  const sections: IniSections = Object.create(null)
  let current: Record<string, string> | undefined
  let nested = false
  for (const rawLine of text.split(/\r?\n/)) {
    // Indented lines under a key with an empty value form a nested sub-section.
    if (nested && /^[ \t]/.test(rawLine)) continue
    nested = false
    const commentAt = rawLine.search(COMMENT)
    const line = (commentAt === -1 ? rawLine : rawLine.slice(0, commentAt)).trim()
    if (line === "") continue
    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(line)
    if (header !== null) {
      const name = header[1]!
      current = sections[name] ?? (sections[name] = Object.create(null) as Record<string, string>)
      continue
    }
    const eq = line.indexOf("=")
    if (eq <= 0 || current === undefined) continue
    const value = line.slice(eq + 1).trim()
    current[line.slice(0, eq).trim().toLowerCase()] = value
    nested = value === ""
  }
  return sections
}

const expandHome = (path: string) =>
  path === "~" ? homedir() : path.startsWith("~/") || path.startsWith("~\\") ? join(homedir(), path.slice(2)) : path

export interface SharedFileOptions {
  /** Default: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
  readonly file?: string | undefined
  /** Default: `AWS_PROFILE`, else `default`. */
  readonly profile?: string | undefined
}

const optionalEnv = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.flatMap((v) => (v.trim() === "" ? Option.none() : Option.some(v.trim())))),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/** Which file and profile {@link fromSharedFile} would read. */
export const sharedFileLocation = (
  options: SharedFileOptions = {}
): Effect.Effect<{ readonly file: string; readonly profile: string }> =>
  Effect.gen(function*() {
    const file = options.file ?? Option.getOrUndefined(yield* optionalEnv(ENV_SHARED_CREDENTIALS_FILE)) ??
      join(homedir(), ".aws", "credentials")
    const profile = options.profile ?? Option.getOrUndefined(yield* optionalEnv(ENV_PROFILE)) ?? "default"
    return { file: expandHome(file), profile }
  })

/** Credentials from a profile of the shared credentials file. */
export const fromSharedFile = (options: SharedFileOptions = {}): Effect.Effect<AwsCredentials, InvalidCredentials> =>
  Effect.gen(function*() {
    const { file, profile } = yield* sharedFileLocation(options)
    const source = `shared credentials file ${file}, profile "${profile}"`
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (e) => {
        const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "read error"
        return fail(`${source}: ${code === "ENOENT" ? "no such file" : `cannot read (${code})`}`)
      }
    })
    const sections = parseIni(text)
    const section = sections[profile] ?? sections[`profile ${profile}`]
    if (section === undefined) return yield* Effect.fail(fail(`${source}: no such profile`))
    const id = section["aws_access_key_id"]
    const secret = section["aws_secret_access_key"]
    if (id === undefined || id === "" || secret === undefined || secret === "") {
      const missing = [
        ...(id === undefined || id === "" ? ["aws_access_key_id"] : []),
        ...(secret === undefined || secret === "" ? ["aws_secret_access_key"] : [])
      ].join(" and ")
      const indirect = Object.keys(section).filter((k) =>
        k === "role_arn" || k === "credential_process" || k.startsWith("sso_") || k === "web_identity_token_file"
      )
      const hint = indirect.length > 0 ? ` (it uses ${indirect.join(", ")}, which cloudfx does not resolve)` : ""
      return yield* Effect.fail(fail(`${source}: missing ${missing}${hint}`))
    }
    const token = section["aws_session_token"] ?? section["aws_security_token"]
    return make({
      accessKeyId: id,
      secretAccessKey: Redacted.make(secret),
      sessionToken: token === undefined || token === "" ? undefined : Redacted.make(token)
    })
  })

// ---------------------------------------------------------------------------
// Chain

export interface ChainOptions extends SharedFileOptions {
  /** Explicit credentials, tried first when given. */
  readonly config?: AwsCredentials | undefined
}

/**
 * The default chain: explicit config → environment → shared credentials
 * file. Fails with `InvalidCredentials` listing every source tried and why
 * each was not usable (never a value).
 */
export const chain = (options: ChainOptions = {}): Effect.Effect<AwsCredentials, InvalidCredentials> => {
  const explicit = options.config === undefined
    ? Effect.fail(fail("explicit config: not given"))
    : fromConfig(options.config)
  return explicit.pipe(
    Effect.catchAll((e1) =>
      fromEnv.pipe(
        Effect.catchAll((e2) =>
          fromSharedFile(options).pipe(
            Effect.catchAll((e3) =>
              Effect.fail(fail(`no usable AWS credentials; tried ${e1.reason}; ${e2.reason}; ${e3.reason}`))
            )
          )
        )
      )
    )
  )
}

// ---------------------------------------------------------------------------
// A client's source

/**
 * What an AWS client signs with: the explicit credentials (checked) or,
 * without them, the chain — resolved on first use and kept. A failure is
 * not remembered (the file or environment may be fixed meanwhile), and is
 * reported under the client's provider id and the operation that needed
 * them (the chain names itself "aws credentials").
 */
export const cachedSource = (
  provider: string,
  explicit: AwsCredentials | undefined
): (operation: string) => Effect.Effect<AwsCredentials, InvalidCredentials> => {
  let cached: AwsCredentials | undefined
  const source = explicit === undefined ? chain() : fromConfig(explicit)
  return (operation) =>
    cached !== undefined ? Effect.succeed(cached) : source.pipe(
      Effect.tap((c) => Effect.sync(() => void (cached = c))),
      Effect.mapError((e) => new InvalidCredentials({ provider, operation, reason: e.reason }))
    )
}
