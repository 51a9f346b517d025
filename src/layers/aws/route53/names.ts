/**
 * Route 53's spelling of names and values ↔ the portable model.
 *
 * Names: Route 53 stores names absolute with a trailing dot, lower case, and
 * lists every character other than a–z, 0–9, '-' and '_' as a `\DDD` octal
 * escape (`*.example.com.` comes back as `\052.example.com.`):
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
 *
 * Values (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html):
 * MX is "priority host", SRV "priority weight port target" (the priority is
 * the portable `priority`); TXT and SPF are one or more quoted strings of at
 * most 255 bytes, `"` and `\` escaped with `\`, other unprintable bytes as
 * `\DDD` octal. The portable data of a TXT record is its strings' bytes
 * joined, as `importBindZone` gives it.
 */
import type { RecordType } from "../../../schemas/Models.js"

// ---------------------------------------------------------------- names

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** `\052.Example.com.` → "*.example.com" (escapes decoded, lower case, no trailing dot). */
export const decodeName = (wire: string): string => {
  const bytes: Array<number> = []
  for (let i = 0; i < wire.length; i++) {
    const c = wire[i]!
    if (c === "\\") {
      const digits = /^[0-7]{3}/.exec(wire.slice(i + 1, i + 4))
      if (digits !== null) {
        bytes.push(parseInt(digits[0], 8))
        i += 3
        continue
      }
      if (i + 1 < wire.length) {
        i++
        for (const b of encoder.encode(wire[i]!)) bytes.push(b)
        continue
      }
    }
    for (const b of encoder.encode(c)) bytes.push(b)
  }
  return decoder.decode(Uint8Array.from(bytes)).toLowerCase().replace(/\.$/, "")
}

/** The absolute name Route 53 is sent: "www" in "example.com" → "www.example.com.". */
export const absolute = (name: string, domain: string): string => (name === "" ? `${domain}.` : `${name}.${domain}.`)

/** An absolute (decoded) name relative to the zone; undefined when it is outside. */
export const relative = (decoded: string, domain: string): string | undefined =>
  decoded === domain ? "" : decoded.endsWith(`.${domain}`) ? decoded.slice(0, -(domain.length + 1)) : undefined

// ---------------------------------------------------------------- TXT

const MAX_STRING = 255

const escapeByte = (b: number): string => {
  if (b === 0x22) return "\\\""
  if (b === 0x5c) return "\\\\"
  if (b < 0x20 || b >= 0x7f) return "\\" + b.toString(8).padStart(3, "0")
  return String.fromCharCode(b)
}

/** Portable TXT data → Route 53's value: quoted strings of at most 255 bytes each. */
export const quoteTxt = (data: string): string => {
  const bytes = encoder.encode(data)
  const strings: Array<string> = []
  for (let at = 0; at < bytes.length || strings.length === 0; at += MAX_STRING) {
    strings.push(`"${Array.from(bytes.subarray(at, at + MAX_STRING), escapeByte).join("")}"`)
  }
  return strings.join(" ")
}

/**
 * Route 53's TXT value → the bytes of its strings joined. A value that is not
 * well-formed character-strings is given back as it is (never a failure: the
 * record is still listed, its data verbatim).
 */
export const unquoteTxt = (value: string): string => {
  const bytes: Array<number> = []
  let i = 0
  const n = value.length
  while (i < n) {
    const c = value[i]!
    if (c === " " || c === "\t") {
      i++
      continue
    }
    const quoted = c === "\""
    if (quoted) i++
    for (;;) {
      if (i >= n) {
        if (quoted) return value
        break
      }
      const ch = value[i]!
      if (quoted ? ch === "\"" : ch === " " || ch === "\t") {
        if (quoted) i++
        break
      }
      if (ch === "\\") {
        const digits = /^\d{3}/.exec(value.slice(i + 1, i + 4))
        if (digits !== null) {
          const code = /^[0-7]{3}$/.test(digits[0]) ? parseInt(digits[0], 8) : Number.NaN
          if (!(code <= 255)) return value
          bytes.push(code)
          i += 4
          continue
        }
        if (i + 1 >= n) return value
        i++
      }
      const cp = value.codePointAt(i)!
      const s = String.fromCodePoint(cp)
      for (const b of encoder.encode(s)) bytes.push(b)
      i += s.length
    }
  }
  return decoder.decode(Uint8Array.from(bytes))
}

// ---------------------------------------------------------------- values

const withPriority: ReadonlySet<string> = new Set(["MX", "SRV"])
const text: ReadonlySet<string> = new Set(["TXT", "SPF"])

/** Portable data (+ priority) → one `<Value>`. */
export const toValue = (type: RecordType, data: string, priority: number | undefined): string =>
  withPriority.has(type) ? `${priority ?? 0} ${data}` : text.has(type) ? quoteTxt(data) : data

/** One `<Value>` → portable data and priority. */
export const fromValue = (type: string, value: string): { readonly data: string; readonly priority?: number } => {
  if (withPriority.has(type)) {
    const m = /^\s*(\d{1,5})\s+(.+?)\s*$/.exec(value)
    if (m !== null) return { data: m[2]!, priority: Number(m[1]) }
    return { data: value }
  }
  return text.has(type) ? { data: unquoteTxt(value) } : { data: value }
}

// ---------------------------------------------------------------- record ids

/**
 * What a record id says: the record set (relative name, type, set
 * identifier) and which value of it. Ids are derived, not stored, so the same
 * record has the same id in every listing, in every process:
 * `TYPE:name:setIdentifier:value` with "@" for the apex and the value as the
 * portable "priority data" (or "alias <dnsName>" for an alias record), e.g.
 * "A:www::192.0.2.1", "MX:@::10 mail.example.com.".
 */
export interface RecordKey {
  readonly type: string
  readonly name: string
  readonly setIdentifier: string | undefined
  readonly value: string
}

const escapePart = (s: string) => s.replace(/%/g, "%25").replace(/:/g, "%3A")
const unescapePart = (s: string) => s.replace(/%3A/gi, ":").replace(/%25/g, "%")

export const valueKey = (data: string, priority: number | undefined): string =>
  priority === undefined ? data : `${priority} ${data}`

export const aliasKey = (dnsName: string): string => `alias ${dnsName}`

export const recordId = (key: RecordKey): string =>
  [key.type, key.name === "" ? "@" : escapePart(key.name), escapePart(key.setIdentifier ?? ""), key.value].join(":")

export const parseRecordId = (id: string): RecordKey | undefined => {
  const m = /^([A-Z0-9]+):([^:]+):([^:]*):(.+)$/s.exec(id)
  if (m === null) return undefined
  const name = m[2] === "@" ? "" : unescapePart(m[2]!)
  const setIdentifier = unescapePart(m[3]!)
  return { type: m[1]!, name, setIdentifier: setIdentifier === "" ? undefined : setIdentifier, value: m[4]! }
}
