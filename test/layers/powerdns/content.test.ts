/** Portable data ↔ PowerDNS content, and record ids: laws over arbitrary input, and the known cases. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import * as C from "../../../src/layers/powerdns/content.js"
import { exportZoneToBind, importBindZone } from "../../../src/services/Bind.js"

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const text = fc.string({ unit: "binary", minLength: 1, maxLength: 700 }).filter((s) =>
  !loneSurrogate.test(s) && !/[\r\n\0]/.test(s) && !C.isQuotedStrings(s)
)
const bytes = (s: string) => Buffer.byteLength(s, "utf8")

describe("PowerDNS content", () => {
  it("TXT: any text is quoted into strings of at most 255 bytes and read back unchanged", () =>
    fc.assert(fc.property(text, (s) => {
      const content = C.toContent("TXT", s, undefined)
      expect(C.fromContent("TXT", content)).toEqual({ data: s })
      const strings = content.match(/"(?:[^"\\]|\\.)*"/g) ?? []
      expect(strings.join(" ")).toBe(content)
      for (const q of strings) {
        expect(bytes(C.unquoteStrings(q)!)).toBeLessThanOrEqual(C.MAX_STRING_BYTES)
      }
    })))

  it("TXT: the known forms", () => {
    expect(C.toContent("TXT", "v=spf1 -all", undefined)).toBe("\"v=spf1 -all\"")
    expect(C.toContent("TXT", "say \"hi\" \\ \t", undefined), "TXT whitespace is data").toBe("\"say \\\"hi\\\" \\\\ \\009\"")
    expect(C.toContent("TXT", "tab\there", undefined)).toBe("\"tab\\009here\"")
    expect(C.toContent("TXT", "\"already\" \"quoted\"", undefined)).toBe("\"alreadyquoted\"")
    expect(C.toContent("TXT", "x".repeat(256), undefined)).toBe(`"${"x".repeat(255)}" "x"`)
    // pdns stores non-ASCII as it is given and answers escapes as escapes.
    expect(C.fromContent("TXT", "\"h\\195\\169 \" \"é\"")).toEqual({ data: "hé é" })
    expect(C.fromContent("TXT", "\"unterminated")).toEqual({ data: "\"unterminated" })
  })

  it("TXT survives a BIND export and import the way the zone copy does it", () =>
    fc.assert(fc.asyncProperty(text, async (s) => {
      const data = C.fromContent("TXT", C.toContent("TXT", s, undefined)).data
      const zone = await Effect.runPromise(
        importBindZone(exportZoneToBind({ domain: "example.org" }, [{ name: "t", type: "TXT", data, ttl: 60 }]))
      )
      expect(zone.records[0]!.data).toBe(data)
    }), { numRuns: 50 }))

  it("MX and SRV priority is the first field of the content", () => {
    expect(C.toContent("MX", "mail.example.net", 10)).toBe("10 mail.example.net.")
    expect(C.fromContent("MX", "10 mail.example.net.")).toEqual({ data: "mail.example.net.", priority: 10 })
    expect(C.toContent("SRV", "5 5060 sip.example.net", 20)).toBe("20 5 5060 sip.example.net.")
    expect(C.fromContent("SRV", "20 5 5060 sip.example.net.")).toEqual({ data: "5 5060 sip.example.net.", priority: 20 })
    expect(C.toContent("MX", ".", 0)).toBe("0 .")
  })

  it("names in data are made absolute; CAA values quoted when bare", () => {
    expect(C.toContent("CNAME", "target.example.net", undefined)).toBe("target.example.net.")
    expect(C.toContent("ALIAS", "lb.example.net.", undefined)).toBe("lb.example.net.")
    expect(C.toContent("A", " 192.0.2.1 ", undefined)).toBe("192.0.2.1")
    expect(C.toContent("CAA", "0 ISSUE letsencrypt.org", undefined)).toBe("0 issue \"letsencrypt.org\"")
    expect(C.toContent("CAA", "128 iodef \"mailto:a@example.net\"", undefined)).toBe("128 iodef \"mailto:a@example.net\"")
  })

  it("record ids: decodable, stable, distinct for distinct records; anything else is no id", () => {
    const name = fc.stringMatching(/^(|[a-z0-9_*-]{1,10}(\.[a-z0-9_-]{1,10}){0,2})$/)
    const type = fc.constantFrom("A", "AAAA", "TXT", "MX", "CAA")
    const content = fc.string({ unit: "binary", minLength: 1, maxLength: 300 }).filter((s) => !loneSurrogate.test(s))
    fc.assert(fc.property(name, type, content, (n, t, c) => {
      const id = C.recordId(n, t, c)
      expect(C.parseRecordId(id)).toEqual({ name: n, type: t, content: c })
      expect(C.recordId(n, t, c)).toBe(id)
    }))
    fc.assert(fc.property(name, type, content, content, (n, t, a, b) => {
      fc.pre(a !== b)
      expect(C.recordId(n, t, a)).not.toBe(C.recordId(n, t, b))
    }))
    expect(C.recordId("", "SOA", "ns1. host. 1 2 3 4 5")).toBe("SOA::")
    expect(C.parseRecordId("SOA::")).toEqual({ name: "", type: "SOA", content: undefined })
    for (const bad of ["", "cloudfx-missing-record-x", "A:www:", "A:www:!!", "a:www:MQ", "A:www:MQ=", "SOA::MQ"]) {
      expect(C.parseRecordId(bad), bad).toBeUndefined()
    }
  })

  it("names: relative to the zone, the apex is empty", () => {
    expect(C.absoluteName("", "example.org")).toBe("example.org.")
    expect(C.absoluteName("www", "example.org")).toBe("www.example.org.")
    expect(C.relativeName("WWW.Example.org.", "example.org")).toBe("www")
    expect(C.relativeName("example.org.", "example.org")).toBe("")
  })
})
