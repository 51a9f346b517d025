import { execFile } from "node:child_process"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)

// The README's first command runs exactly this; here it runs as a user would,
// in its own process, through the package's own tsx.
describe("cloudfx tour", () => {
  it("runs the whole surface on memory + local and reports a matching hash (--json)", async () => {
    const root = await mkdtemp(join(tmpdir(), "cloudfx-tour-test-"))
    try {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", "src/cli/bin.ts", "tour", "--json", "--object-mib", "3", "--root", root],
        { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 }
      )
      const summary = JSON.parse(stdout)
      expect(summary.providers).toEqual({ compute: "memory", loadBalancer: "memory", dns: "memory", objectStorage: "local" })
      expect(summary.nodes).toHaveLength(3)
      for (const node of summary.nodes) {
        expect(node.state).toBe("running")
        expect(node.publicIps.length).toBeGreaterThan(0)
      }
      expect(summary.balancer.members).toHaveLength(3)
      expect(summary.zone.bind).toMatch(/^\$ORIGIN tour-[a-z0-9]+\.example\.com\.\n\$TTL 3600\n/)
      expect(summary.zone.bind).toMatch(/\tIN\tMX\t10\tmail\./)
      expect(summary.object.bytes).toBe(3 * 1024 * 1024)
      expect(summary.object.hashMatches).toBe(true)
      expect(summary.sizes.some((s: { pricePerHour?: number }) => typeof s.pricePerHour === "number")).toBe(true)
      // The tour cleans up after itself: the container directory is gone.
      const left = await readdir(root)
      expect(left.filter((f) => f.startsWith("tour-"))).toEqual([])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }, 120_000)

  it("prints tables and a progress summary for humans", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/bin.ts", "tour", "--object-mib", "1"],
      { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 }
    )
    expect(stdout).toContain("== Compute (memory)")
    expect(stdout).toMatch(/USD\/hour/)
    expect(stdout).toContain("✓ identical")
    expect(stderr).toMatch(/upload\s*: 1\.0\/1\.0 MiB/)
  }, 120_000)
})
