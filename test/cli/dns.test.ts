/**
 * `cloudfx dns` against a real PowerDNS (a profile is the provider id plus
 * its environment variables), and on the embedded memory default.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { LocalPowerDns, skipPeers } from "../support/peers/index.js"
import { cli } from "./run.js"

const zoneFile = (domain: string) =>
  [
    `$ORIGIN ${domain}.`,
    "$TTL 600",
    "@\tIN\tA\t192.0.2.1",
    "www\tIN\tCNAME\t@",
    `@\tIN\tMX\t10 mail.${domain}.`,
    "@\tIN\tTXT\t\"v=spf1 -all\"",
    ""
  ].join("\n")

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "cloudfx-cli-dns-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("cloudfx dns", () => {
  it.scoped("on the memory default: import prints what it created", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = join(dir, "zone.txt")
      yield* Effect.promise(() => writeFile(file, zoneFile("cli-memory.example.com")))
      const { stdout } = yield* cli(["dns", "import", file, "--json"])
      const imported = JSON.parse(stdout)
      expect(imported.zone.domain).toBe("cli-memory.example.com")
      expect(imported.records.map((r: { type: string }) => r.type).sort()).toEqual(["A", "CNAME", "MX", "TXT"])
    }))

  it.effect("an unknown provider is InvalidInput naming the choices", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(cli(["dns", "ls", "--provider", "nope"]))
      expect(String(e)).toContain("powerdns")
    }))
})

describe.skipIf(skipPeers("pdns"))("cloudfx dns on a real PowerDNS", () => {
  layer(LocalPowerDns.layer(), { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.scoped("import, ls, records, export and delete through --provider powerdns", () =>
      Effect.gen(function*() {
        const pdns = yield* LocalPowerDns
        const env = { CLOUDFX_PROVIDER: "powerdns", PDNS_API_URL: pdns.apiUrl, PDNS_API_KEY: pdns.apiKey }
        const domain = `cli-${Date.now().toString(36)}.example.net`
        const dir = yield* tempDir
        const file = join(dir, "in.zone")
        yield* Effect.promise(() => writeFile(file, zoneFile(domain)))

        const imported = JSON.parse((yield* cli(["dns", "import", file, "--json"], env)).stdout)
        expect(imported.zone.domain).toBe(domain)
        expect(imported.records).toHaveLength(4)

        const zones = JSON.parse((yield* cli(["dns", "ls", "--json"], env)).stdout)
        expect(zones.map((z: { domain: string }) => z.domain)).toContain(domain)

        // A table for humans, by domain (not id).
        const table = (yield* cli(["dns", "records", domain], env)).stdout
        expect(table).toMatch(/^www\s+CNAME\s+600\s+-\s+\S+/m)
        expect(table).toMatch(/^@\s+MX\s+600\s+10\s+mail\./m)
        // pdns's own SOA and NS are listed too.
        expect(table).toMatch(/^@\s+SOA\s/m)

        const out = join(dir, "out.zone")
        yield* cli(["dns", "export", domain, "--out", out], env)
        const exported = yield* Effect.promise(() => readFile(out, "utf8"))
        expect(exported).toContain(`$ORIGIN ${domain}.`)
        expect(exported).toMatch(/\tIN\tA\t192\.0\.2\.1/)
        expect(exported).toMatch(/\tIN\tTXT\t"v=spf1 -all"/)

        yield* cli(["dns", "delete", domain], env)
        const after = JSON.parse((yield* cli(["dns", "ls", "--json"], env)).stdout)
        expect(after.map((z: { domain: string }) => z.domain)).not.toContain(domain)
      }))
  })
})
