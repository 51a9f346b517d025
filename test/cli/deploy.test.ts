import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { computeLayerFor, makeDeployCommand } from "../../src/cli/deploy.js"
import { LocalSshd, skipPeers } from "../support/peers/index.js"
import { loopbackCompute } from "../layers/ssh/support.js"

const captured = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const console = yield* Effect.console
    const result = yield* Effect.either(Effect.withConsole(self, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) => Effect.sync(() => void out.push(args.join(" "))),
      error: (...args: ReadonlyArray<unknown>) => Effect.sync(() => void err.push(args.join(" ")))
    }))
    return { result, stdout: out.join("\n"), stderr: err.join("\n") }
  })

describe.skipIf(skipPeers("sshd"))("cloudfx deploy", () => {
  layer(Layer.merge(LocalSshd.layer(), NodeContext.layer), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("creates a node, runs the script over SSH, prints progress per phase and the result as JSON", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const dir = mkdtempSync(join(tmpdir(), "cloudfx-cli-deploy-"))
        const script = join(dir, "setup.sh")
        writeFileSync(script, "#!/bin/sh\necho installed\necho note >&2\n")
        const knownHosts = join(dir, "known_hosts")
        const cli = Command.run(Command.make("cloudfx").pipe(Command.withSubcommands([makeDeployCommand(() => Effect.succeed(loopbackCompute))])), {
          name: "cloudfx",
          version: "test"
        })
        const { result, stdout, stderr } = yield* captured(cli([
          "node", "cloudfx", "deploy", "--provider", "memory", "--size", "s-1vcpu-1gb", "--image", "debian-12",
          "--script", script, "--name", "cli-node", "--key", peer.privateKeyPath, "--user", `nobody-here,${peer.username}`,
          "--ssh-port", String(peer.port), "--known-hosts", knownHosts, "--json"
        ]))
        expect(result._tag).toBe("Right")
        const doc = JSON.parse(stdout)
        expect(doc).toMatchObject({ address: "127.0.0.1", username: peer.username, hostKeyFingerprint: peer.hostKeyFingerprint })
        expect(doc.node).toMatchObject({ name: "cli-node", state: "running" })
        expect(doc.steps[0]).toMatchObject({ stdout: "installed\n", stderr: "note\n", exitCode: 0 })
        expect(stderr).toMatch(/^creating node cli-node\nwaiting for node \S+ to run\nconnecting to nobody-here@127\.0\.0\.1/)
        expect(stderr).toContain(`connected to ${peer.username}@127.0.0.1, host key ${peer.hostKeyFingerprint}`)
        expect(stderr).toContain("running step 1/1: script setup.sh")
        expect(readFileSync(knownHosts, "utf8")).toBe(`${peer.knownHostsLine}\n`)
      }))

    it.effect("unknown profiles are refused before anything is created", () =>
      Effect.gen(function*() {
        const e = yield* Effect.flip(computeLayerFor("nope"))
        expect(e.message).toContain("one of: memory, ec2")
        expect(yield* Effect.either(computeLayerFor("memory"))).toMatchObject({ _tag: "Right" })
      }))
  })
})
