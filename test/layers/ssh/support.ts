/** Test keys made by ssh-keygen, and helpers to watch processes the test sshd started. */
import { execFileSync } from "node:child_process"
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Effect, Layer } from "effect"
import { Memory } from "../../../src/layers/memory/index.js"
import { Node } from "../../../src/schemas/Models.js"
import { Compute } from "../../../src/services/Compute.js"
import type { SshdPeer } from "../../support/peers/index.js"

export interface TestKey {
  readonly privateKey: string
  readonly publicKey: string
}

/** A fresh key pair; `format: "PEM"` writes the legacy PEM form (RSA / EC PRIVATE KEY). */
export const keygen = (type: "ed25519" | "ecdsa" | "rsa", options: { passphrase?: string; format?: "PEM" | "OpenSSH" } = {}): TestKey => {
  const dir = mkdtempSync(join(tmpdir(), "cloudfx-key-"))
  try {
    const file = join(dir, "key")
    execFileSync("ssh-keygen", [
      "-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []),
      ...(options.format === "PEM" ? ["-m", "PEM"] : []),
      "-N", options.passphrase ?? "", "-C", `cloudfx-test-${type}`, "-f", file
    ])
    return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The test sshd's authorized_keys (sshd_config points there, not at ~/.ssh). */
export const authorizedKeysOf = (peer: SshdPeer) => join(dirname(peer.privateKeyPath), "authorized_keys")

export const authorize = (peer: SshdPeer, key: TestKey) => appendFileSync(authorizedKeysOf(peer), `${key.publicKey}\n`)

/** Alive and not a zombie waiting to be reaped. */
export const running = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}

/** Poll until `check` holds (or fail after `ms`). */
export const eventually = (check: () => boolean, ms = 10_000) =>
  Effect.gen(function*() {
    const until = Date.now() + ms
    while (!check()) {
      if (Date.now() > until) return yield* Effect.dieMessage("condition not met in time")
      yield* Effect.sleep("100 millis")
    }
  })

export const readPids = (file: string): ReadonlyArray<number> => {
  try {
    return readFileSync(file, "utf8").split(/\s+/).filter((s) => s !== "").map(Number)
  } catch {
    return []
  }
}

/** The memory cloud, with every public address pointing at this machine (where the test sshd listens). */
export const loopbackCompute = Layer.effect(
  Compute,
  Effect.map(Memory.makeCompute({ pollsUntilRunning: 1 }), (memory): Compute.Service => {
    const local = (n: Node) => new Node({ ...n, publicIps: n.publicIps.length > 0 ? ["127.0.0.1"] : [] })
    return {
      ...memory,
      createNode: (spec) => Effect.map(memory.createNode(spec), local),
      getNode: (ref) => Effect.map(memory.getNode(ref), local),
      listNodes: (options) => Effect.map(memory.listNodes(options), (ns) => ns.map(local))
    }
  })
)

