import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)

const src = resolve("src")

/** The first ```ts block after a README heading, importing the sources instead of the package. */
const exampleUnder = async (heading: string) => {
  const readme = await readFile("README.md", "utf8")
  const example = new RegExp(`## ${heading}[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1]
  expect(example, heading).toBeDefined()
  return example!
    .replace(/from "cloudfx"/g, `from "${src}/index.js"`)
    .replace(/from "cloudfx\/(\w+)"/g, (_, m: string) => `from "${src}/layers/${m}/index.js"`)
}

/** Type-checks `code` with the project's settings in a folder of its own; `then` runs while it exists. */
const withTypeChecked = async <A>(code: string, then: (dir: string, file: string) => Promise<A>) => {
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
    return await then(dir, join(dir, "example.ts"))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// The README's examples must stay true to the code: type-checked with the
// project's settings, and run where they need no account or server.
describe("README", () => {
  it("its provider-swapping example type-checks and runs", async () => {
    const code = (await exampleUnder("Swapping a provider")).replace('"/tmp/cloudfx"', "process.env.README_ROOT!")
    const stdout = await withTypeChecked(code, async (dir, file) =>
      (await run(process.execPath, ["--import", "tsx", file], { env: { ...process.env, README_ROOT: dir } })).stdout)
    expect(stdout).toContain("web-1.json")
  }, 120_000)

  // It needs a key, a server and sshd: test/services/deploy-readme.test.ts runs the same program on the test sshd.
  it("its deploy example type-checks", async () => {
    const code = await exampleUnder("Deploying a server")
    expect(code).toContain("deployNode(")
    await withTypeChecked(code, async () => undefined)
  }, 120_000)
})
