import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)

// The README's provider-swapping example must stay true to the code: it is
// type-checked with the project's settings and run.
describe("README", () => {
  it("its provider-swapping example type-checks and runs", async () => {
    const readme = await readFile("README.md", "utf8")
    const example = /## Swapping a provider[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(example).toBeDefined()
    const src = resolve("src")
    const code = example!
      .replace(/from "cloudfx"/g, `from "${src}/index.js"`)
      .replace(/from "cloudfx\/(\w+)"/g, (_, m: string) => `from "${src}/layers/${m}/index.js"`)
      .replace('"/tmp/cloudfx"', "process.env.README_ROOT!")
    // Inside the project, so the example resolves the project's node_modules.
    await mkdir(resolve(".tmp"), { recursive: true })
    const dir = await mkdtemp(join(resolve(".tmp"), "readme-"))
    try {
      await writeFile(join(dir, "example.ts"), code)
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({ extends: resolve("tsconfig.json"), include: ["example.ts"], compilerOptions: { noUnusedLocals: false } })
      )
      await run(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir])
      const { stdout } = await run(process.execPath, ["--import", "tsx", join(dir, "example.ts")], {
        env: { ...process.env, README_ROOT: dir }
      })
      expect(stdout).toContain("web-1.json")
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
