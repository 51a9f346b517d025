/**
 * Known-hosts stores in OpenSSH's known_hosts format (sshd(8) "SSH_KNOWN_HOSTS
 * FILE FORMAT"): comma-separated host patterns with `*` / `?` wildcards and
 * `!` negation, `[host]:port` for ports other than 22, hashed names
 * (`|1|salt|hmac`, as `ssh-keygen -H` writes them), and the `@revoked`
 * marker. `@cert-authority` lines are ignored: certificates are not accepted.
 */
import { createHmac } from "node:crypto"
import { appendFile, chmod, mkdir, readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname } from "node:path"
import { Effect, Ref } from "effect"
import { sha256Fingerprint } from "../../services/publicKey.js"
import type { Ssh } from "../../services/Ssh.js"

interface Entry {
  readonly revoked: boolean
  readonly hosts: string
  readonly key: Ssh.HostKey
}

/** The name a host:port is recorded under: "host" on port 22, "[host]:port" otherwise. */
export const hostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`)

/** One known_hosts line for a key. */
export const line = (host: string, port: number, key: Ssh.HostKey): string =>
  `${hostName(host, port)} ${key.type} ${Buffer.from(key.blob).toString("base64")}`

export const fingerprint = (key: Ssh.HostKey): string => sha256Fingerprint(key.blob)

const parseLine = (raw: string): Entry | undefined => {
  const text = raw.trim()
  if (text === "" || text.startsWith("#")) return undefined
  const fields = text.split(/[ \t]+/)
  let revoked = false
  if (fields[0]?.startsWith("@")) {
    if (fields[0] === "@revoked") revoked = true
    else return undefined
    fields.shift()
  }
  const [hosts, type, base64] = fields
  if (hosts === undefined || type === undefined || base64 === undefined) return undefined
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined
  return { revoked, hosts, key: { type, blob: new Uint8Array(Buffer.from(base64, "base64")) } }
}

export const parse = (text: string): ReadonlyArray<Entry> =>
  text.split(/\r?\n/).flatMap((l) => {
    const e = parseLine(l)
    return e === undefined ? [] : [e]
  })

const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i")

const hashedMatches = (pattern: string, name: string): boolean => {
  const [, magic, salt, hash] = pattern.split("|")
  if (magic !== "1" || salt === undefined || hash === undefined) return false
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash
}

/** Whether an entry's host field names host:port (a negated match excludes it whatever else matches). */
export const matches = (hosts: string, host: string, port: number): boolean => {
  const name = hostName(host, port)
  if (hosts.startsWith("|")) return hashedMatches(hosts, name)
  let matched = false
  for (const pattern of hosts.split(",")) {
    const negated = pattern.startsWith("!")
    const p = negated ? pattern.slice(1) : pattern
    if (wildcard(p).test(name)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

const lookupIn = (entries: ReadonlyArray<Entry>, host: string, port: number) => {
  const hits = entries.filter((e) => matches(e.hosts, host, port))
  const revokedAnywhere = entries.filter((e) => e.revoked)
  return {
    keys: hits.filter((e) => !e.revoked).map((e) => e.key),
    // a revoked key is refused for every host, as OpenSSH does
    revoked: revokedAnywhere.map((e) => e.key)
  }
}

const failure = (reason: string): Ssh.KnownHostsError => ({ _tag: "KnownHostsError", reason })

/** An in-memory store, optionally seeded with known_hosts text (or lines). */
export const memory = (initial: string | ReadonlyArray<string> = []): Ssh.KnownHostsStore => {
  const ref = Ref.unsafeMake<ReadonlyArray<Entry>>(parse(typeof initial === "string" ? initial : initial.join("\n")))
  return {
    lookup: (host, port) => Effect.map(Ref.get(ref), (entries) => lookupIn(entries, host, port)),
    add: (host, port, key) => Ref.update(ref, (entries) => [...entries, { revoked: false, hosts: hostName(host, port), key }])
  }
}

const expandHome = (path: string) => (path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path)

/**
 * A known_hosts file, read at every lookup (so edits by `ssh` or by hand are
 * seen) and appended to by TrustOnFirstUse. A missing file is an empty one;
 * it is created mode 0600 (its directory 0700) on the first addition.
 * Default path: ~/.ssh/known_hosts.
 */
export const file = (path = "~/.ssh/known_hosts"): Ssh.KnownHostsStore => {
  const at = expandHome(path)
  const read = Effect.tryPromise({
    try: () => readFile(at, "utf8"),
    catch: (e) => e as NodeJS.ErrnoException
  }).pipe(
    Effect.catchIf((e) => e.code === "ENOENT", () => Effect.succeed("")),
    Effect.mapError((e) => failure(`cannot read ${at}: ${e.code ?? e.message}`))
  )
  return {
    lookup: (host, port) => Effect.map(read, (text) => lookupIn(parse(text), host, port)),
    add: (host, port, key) =>
      Effect.flatMap(read, (text) =>
        Effect.tryPromise({
          try: async () => {
            await mkdir(dirname(at), { recursive: true, mode: 0o700 })
            const separator = text.length > 0 && !text.endsWith("\n") ? "\n" : ""
            await appendFile(at, `${separator}${line(host, port, key)}\n`, { mode: 0o600 })
            if (text.length === 0) await chmod(at, 0o600)
          },
          catch: (e) => failure(`cannot write ${at}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
        }))
  }
}
