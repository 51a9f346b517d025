/**
 * Portable records ↔ PowerDNS record content, and the record ids derived
 * from it.
 *
 * PowerDNS keeps one content string per record, in zone-file presentation
 * form: "10 mail.example.com." for MX, `"v=spf1" " -all"` for TXT. The
 * portable model splits MX/SRV priority into its own field and holds TXT as
 * the plain text its consumers see, so both directions live here.
 *
 * A PowerDNS record has no id: it is the (name, type, content) triple, so the
 * portable id is that triple, encoded — stable across calls and across
 * processes, and decodable back into the RRset and record it names.
 */
import type { RecordType } from "../../schemas/Models.js"

// ---------------------------------------------------------------- names

/** "" → "example.com.", "www" → "www.example.com.". */
export const absoluteName = (name: string, domain: string): string => (name === "" ? `${domain}.` : `${name}.${domain}.`)

/** "www.example.com." → "www"; the apex → "". Names outside the zone stay absolute (without the dot). */
export const relativeName = (absolute: string, domain: string): string => {
  const n = absolute.replace(/\.$/, "").toLowerCase()
  if (n === domain) return ""
  return n.endsWith(`.${domain}`) ? n.slice(0, -(domain.length + 1)) : n
}

/** PowerDNS refuses relative names in content: data naming a host is made absolute. */
export const dotted = (name: string): string => (name.endsWith(".") ? name : `${name}.`)

/** Types whose data is one domain name. */
export const domainValued: ReadonlySet<RecordType> = new Set<RecordType>(["CNAME", "NS", "PTR", "DNAME", "ALIAS"])

// ---------------------------------------------------------------- TXT

const encoder = new TextEncoder()
const lenient = new TextDecoder("utf-8")

/** The longest a DNS character-string can be, in bytes. */
export const MAX_STRING_BYTES = 255

/**
 * Presentation-form character-strings → their bytes, concatenated, as text.
 * `undefined` when the content is not a sequence of character-strings.
 */
export const unquoteStrings = (content: string): string | undefined => {
  const bytes: Array<number> = []
  let i = 0
  let strings = 0
  while (i < content.length) {
    const c = content[i]!
    if (c === " " || c === "\t") {
      i++
      continue
    }
    const quoted = c === "\""
    if (quoted) i++
    for (;;) {
      if (i >= content.length) {
        if (quoted) return undefined
        break
      }
      const ch = content[i]!
      if (quoted ? ch === "\"" : ch === " " || ch === "\t" || ch === "\"") {
        if (quoted) i++
        break
      }
      if (ch === "\\") {
        const digits = /^\d{3}/.exec(content.slice(i + 1, i + 4))
        if (digits !== null) {
          const b = Number(digits[0])
          if (b > 255) return undefined
          bytes.push(b)
          i += 4
          continue
        }
        if (i + 1 >= content.length) return undefined
        i++
      }
      const s = String.fromCodePoint(content.codePointAt(i)!)
      for (const b of encoder.encode(s)) bytes.push(b)
      i += s.length
    }
    strings++
  }
  return strings === 0 ? undefined : lenient.decode(Uint8Array.from(bytes))
}

/** Already written as quoted character-strings (`"a" "b"`), the way Route 53 and zone files want TXT. */
export const isQuotedStrings = (data: string): boolean =>
  /^"(?:[^"\\]|\\.)*"(?:[ \t]+"(?:[^"\\]|\\.)*")*$/.test(data.trim())

const quoteChar = (ch: string): string => {
  if (ch === "\"" || ch === "\\") return `\\${ch}`
  const code = ch.codePointAt(0)!
  return code < 0x20 || code === 0x7f ? `\\${String(code).padStart(3, "0")}` : ch
}

/**
 * Text → quoted character-strings of at most 255 bytes each, cut between
 * characters (never inside one), so each string is valid UTF-8 on its own.
 */
export const quoteText = (text: string): string => {
  const strings: Array<string> = []
  let current = ""
  let size = 0
  for (const ch of text) {
    const n = encoder.encode(ch).length
    if (size + n > MAX_STRING_BYTES) {
      strings.push(current)
      current = ""
      size = 0
    }
    current += quoteChar(ch)
    size += n
  }
  strings.push(current)
  return strings.map((s) => `"${s}"`).join(" ")
}

// ---------------------------------------------------------------- CAA

/** `0 issue letsencrypt.org` → `0 issue "letsencrypt.org"`: PowerDNS wants the value quoted. */
const caaContent = (data: string): string => {
  const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(data.trim())
  if (m === null) return data
  const value = m[3]!
  const quoted = isQuotedStrings(value) ? value : `"${[...value].map(quoteChar).join("")}"`
  return `${m[1]} ${m[2]!.toLowerCase()} ${quoted}`
}

// ---------------------------------------------------------------- content

/** The portable data and priority of a record → PowerDNS content. Input already validated. */
export const toContent = (type: RecordType, data: string, priority: number | undefined): string => {
  const d = data.trim()
  switch (type) {
    case "MX":
      return `${priority ?? 0} ${dotted(d)}`
    case "SRV": {
      const [weight, port, target] = d.split(/\s+/)
      return `${priority ?? 0} ${weight} ${port} ${dotted(target ?? ".")}`
    }
    case "TXT":
    case "SPF":
      return quoteText(isQuotedStrings(d) ? unquoteStrings(d) ?? data : data)
    case "CAA":
      return caaContent(d)
    default:
      return domainValued.has(type) ? dotted(d) : d
  }
}

export interface PortableData {
  readonly data: string
  readonly priority?: number
}

/** PowerDNS content → portable data (and priority for MX/SRV). */
export const fromContent = (type: string, content: string): PortableData => {
  switch (type) {
    case "MX":
    case "SRV": {
      const m = /^(\d+)\s+(.*)$/.exec(content.trim())
      return m === null ? { data: content } : { data: m[2]!, priority: Number(m[1]) }
    }
    case "TXT":
    case "SPF":
      return { data: unquoteStrings(content) ?? content }
    default:
      return { data: content }
  }
}

// ---------------------------------------------------------------- ids

/**
 * "<type>:<name>:<content, base64url>", e.g. "A:www:MTkyLjAuMi4x". The SOA
 * (one per zone, its serial moved by PowerDNS on every change) is
 * "SOA:<name>:" so that its id does not change with the serial.
 */
export const recordId = (name: string, type: string, content: string): string =>
  type === "SOA" ? `SOA:${name}:` : `${type}:${name}:${Buffer.from(content, "utf8").toString("base64url")}`

export interface RecordKey {
  readonly name: string
  readonly type: string
  /** Undefined for the SOA: any content matches. */
  readonly content: string | undefined
}

/** The inverse of {@link recordId}; undefined for anything it cannot have produced. */
export const parseRecordId = (id: string): RecordKey | undefined => {
  const m = /^([A-Z][A-Z0-9]*):(.*):([A-Za-z0-9_-]*)$/s.exec(id)
  if (m === null) return undefined
  const [, type, name, encoded] = m as unknown as [string, string, string, string]
  if (type === "SOA") return encoded === "" ? { name, type, content: undefined } : undefined
  const content = Buffer.from(encoded, "base64url").toString("utf8")
  if (content === "" || recordId(name, type, content) !== id) return undefined
  return { name, type, content }
}
