/**
 * `cloudfx pricing …` in process, through @effect/cli as the binary runs
 * it, with a temporary cache directory.
 */
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Console, Effect } from "effect"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pricingCommand } from "../../../src/cli/pricing.js"
import { offerExcerpt } from "../../layers/aws/pricing/fixtures.js"
import { userPrices } from "./server.js"

const cloudfx = Command.make("cloudfx").pipe(Command.withSubcommands([pricingCommand]))
const run = Command.run(cloudfx, { name: "cloudfx", version: "test" })

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cloudfx-pricing-cli-"))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Runs `cloudfx pricing …args`, returning what it printed on stdout. */
const cli = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const base = yield* Effect.console
    const capture: Console.Console = {
      ...base,
      log: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void lines.push(parts.join(" "))),
      error: () => Effect.void
    }
    return yield* run(["node", "cloudfx", "pricing", ...args]).pipe(
      Effect.map(() => lines.join("\n")),
      Effect.withConsole(capture),
      Effect.provide(NodeContext.layer)
    )
  })

describe("cloudfx pricing", () => {
  it.effect("show: one bundled price as a table", () =>
    Effect.gen(function*() {
      const out = yield* cli("show", "--provider", "aws", "--size", "t3.micro", "--region", "us-east-1", "--cache-dir", join(root, "show"))
      const [header, rule, row] = out.split("\n")
      expect(header).toMatch(/^provider\s+region\s+size\s+vCPUs\s+RAM MB\s+USD\/hour\s+date\s+source$/)
      expect(rule).toMatch(/^─+/)
      expect(row).toMatch(/^ec2\s+us-east-1\s+t3\.micro\s+2\s+1024\s+0\.0104\s+2024-06-01\s+https:\/\/aws\.amazon\.com/)
    }))

  it.effect("refresh --from a price file, then show in another run reads it from the cache; an edited file is read again", () =>
    Effect.gen(function*() {
      const dir = join(root, "cache-a")
      const file = join(root, "mine.json")
      yield* Effect.promise(() => writeFile(file, JSON.stringify(userPrices)))
      const refreshed = JSON.parse(yield* cli("refresh", "--from", file, "--json", "--cache-dir", dir))
      expect(refreshed).toMatchObject({ entries: 2, fromCache: false, stale: false })
      const shown = JSON.parse(yield* cli("show", "--provider", "hetzner", "--json", "--cache-dir", dir))
      expect(shown).toEqual([userPrices.entries[1]])
      // A file on disk is read again on every refresh: an edit shows at once.
      const edited = { ...userPrices, entries: [{ ...userPrices.entries[1], usdPerHour: 0.0071 }] }
      yield* Effect.promise(() => writeFile(file, JSON.stringify(edited)))
      expect(JSON.parse(yield* cli("refresh", "--from", file, "--json", "--cache-dir", dir))).toMatchObject({ entries: 1, fromCache: false })
      const reshown = JSON.parse(yield* cli("show", "--provider", "hetzner", "--size", "cx22", "--region", "fsn1", "--json", "--cache-dir", dir))
      expect(reshown[0].usdPerHour).toBe(0.0071)
    }))

  it.effect("refresh --provider aws --from an EC2 price list file", () =>
    Effect.gen(function*() {
      const file = join(root, "us-east-1.json")
      yield* Effect.promise(() => writeFile(file, JSON.stringify(offerExcerpt)))
      const out = JSON.parse(yield* cli("refresh", "--provider", "aws", "--region", "us-east-1", "--from", file, "--json", "--cache-dir", join(root, "aws")))
      expect(out).toMatchObject({ entries: 2, source: `AWS Price List, EC2 us-east-1 from ${file}` })
    }))

  it.effect("cheapest: sizes of the memory cloud meeting the needs, cheapest first", () =>
    Effect.gen(function*() {
      const rows = JSON.parse(yield* cli("cheapest", "--min-ram", "2048", "--min-vcpus", "2", "--json", "--cache-dir", join(root, "c")))
      expect(rows.map((r: { size: string }) => r.size)).toEqual(["s-2vcpu-4gb", "s-4vcpu-8gb", "c-8vcpu-16gb", "m-4vcpu-32gb", "g-16vcpu-64gb"])
      expect(rows[0]).toEqual({ provider: "memory", region: "memory-1", size: "s-2vcpu-4gb", vcpus: 2, ramMb: 4096, diskGb: 80, usdPerHour: 0.03571 })
      const table = yield* cli("cheapest", "--min-ram", "30000", "--cache-dir", join(root, "c"))
      expect(table).toMatch(/^#\s+provider\s+region\s+size/)
      expect(table.split("\n")[2]).toMatch(/^1\s+memory\s+memory-1\s+m-4vcpu-32gb\s+4\s+32768\s+100\s+0\.2530$/)
    }))

  it.effect("refresh without a source, and show of an unknown price, fail", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(cli("refresh", "--cache-dir", join(root, "x")))).toMatchObject({ _tag: "InvalidInput", field: "source" })
      const missing = yield* Effect.flip(cli("show", "--provider", "ec2", "--size", "z9.nano", "--region", "us-east-1", "--cache-dir", join(root, "x")))
      expect(missing).toMatchObject({ _tag: "NotFound", resource: "price", id: "ec2 z9.nano us-east-1" })
    }))
})
