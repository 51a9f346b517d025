// The README's deploy example, verbatim but for what must point at the test sshd instead of a cloud and
// the real ~/.ssh: the key files, authorized_keys and the compute layer (loopback memory instead of Memory).
import { describe, expect, layer } from "@effect/vitest"
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { LocalSshd, skipPeers } from "../support/peers/index.js"
import { authorizedKeysOf, keygen, loopbackCompute } from "../layers/ssh/support.js"

// ---- README: Deploy ----
import { Redacted } from "effect"
import { deployNode, FileStep, KnownHosts, ScriptStep, Ssh2, SshKeyStep } from "../../src/layers/ssh/index.js"

const deployWeb = (paths: { privateKey: string; teamKey: string; authorizedKeys: string; motd: string; port: number }) =>
  deployNode(
    { name: "web-1", size: "s-1vcpu-1gb", image: "debian-12" },
    [
      SshKeyStep({ publicKey: readFileSync(paths.teamKey, "utf8"), path: paths.authorizedKeys }),
      FileStep({ target: paths.motd, content: "managed by cloudfx\n", mode: 0o644 }),
      ScriptStep({ script: "#!/bin/sh\necho \"nginx $1 installed\"\n", args: ["1.24"], timeout: "10 minutes" })
    ],
    {
      usernames: ["ubuntu", "root", process.env["USER"] ?? "root"],
      privateKey: Redacted.make(readFileSync(paths.privateKey, "utf8")),
      hostKey: { _tag: "TrustOnFirstUse", store: KnownHosts.file(join(tmpdir(), `cloudfx-readme-known-hosts-${process.pid}`)) },
      port: paths.port,
      onFailure: "destroy"
    }
  ).pipe(
    Effect.tap(({ node, steps }) => Effect.log(`${node.id} at ${node.publicIps[0]}: ${steps.at(-1)?.stdout}`))
  )
// ---- end README ----

describe.skipIf(skipPeers("sshd"))("README deploy example", () => {
  layer(Layer.mergeAll(LocalSshd.layer(), loopbackCompute, Ssh2.layer()), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("runs as written against the test sshd", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const dir = mkdtempSync(join(tmpdir(), "cloudfx-readme-"))
        const team = keygen("ed25519")
        const teamKey = join(dir, "team.pub")
        writeFileSync(teamKey, team.publicKey)
        const motd = join(dir, "motd")
        const result = yield* deployWeb({ privateKey: peer.privateKeyPath, teamKey, authorizedKeys: authorizedKeysOf(peer), motd, port: peer.port })
        expect(result.steps.map((s) => s.exitCode)).toEqual([0, 0, 0])
        expect(result.steps[2]!.stdout).toBe("nginx 1.24 installed\n")
        expect(readFileSync(motd, "utf8")).toBe("managed by cloudfx\n")
        expect(statSync(motd).mode & 0o777).toBe(0o644)
        expect(readFileSync(authorizedKeysOf(peer), "utf8")).toContain(team.publicKey)
      }))
  })
})
