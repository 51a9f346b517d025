import { execFile } from "node:child_process"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)

const walk = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve(e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [])))
  )
  return nested.flat()
}

// `any` in an emitted declaration means a user of the package loses type
// checking there; the public API is what the declarations say, so check them.
describe("public API", () => {
  it("emits no `any` in any declaration file", async () => {
    const out = await mkdtemp(join(tmpdir(), "cloudfx-dts-"))
    try {
      await run(process.execPath, [
        "node_modules/typescript/bin/tsc",
        "-p",
        "tsconfig.build.json",
        "--emitDeclarationOnly",
        "--declarationMap",
        "false",
        "--sourceMap",
        "false",
        "--outDir",
        out
      ])
      const files = await walk(out)
      expect(files.length).toBeGreaterThan(20)
      const offenders: Array<string> = []
      for (const file of files) {
        const lines = (await readFile(file, "utf8")).split("\n")
        lines.forEach((line, i) => {
          const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, "")
          if (/(?<![\w$."'])any(?![\w$"'])/.test(code)) offenders.push(`${relative(out, file)}:${i + 1}: ${line.trim()}`)
        })
      }
      expect(offenders).toEqual([])
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }, 180_000)
})
