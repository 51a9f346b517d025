import { describe, expect, layer } from "@effect/vitest"
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Fiber, Layer, Redacted, Schedule } from "effect"
import {
  deployNode,
  type DeployOptions,
  type DeployPhase,
  FileStep,
  MultiStep,
  ScriptStep,
  Ssh,
  Ssh2,
  SshKeyStep
} from "../../src/layers/ssh/index.js"
import { Compute } from "../../src/services/Compute.js"
import { LocalSshd, skipPeers, type SshdPeer, startSshd } from "../support/peers/index.js"
import { authorizedKeysOf, eventually, keygen, loopbackCompute, readPids, running } from "../layers/ssh/support.js"

const work = mkdtempSync(join(tmpdir(), "cloudfx-deploy-"))
const spec = (name: string) => ({ name, size: "s-1vcpu-1gb", image: "debian-12" })

const optionsFor = (peer: SshdPeer, extra: DeployOptions = {}): DeployOptions => ({
  usernames: [peer.username],
  privateKey: Redacted.make(peer.privateKey.toString("utf8")),
  hostKey: { _tag: "Fingerprint", fingerprints: [peer.hostKeyFingerprint] } as const,
  port: peer.port,
  wait: { schedule: Schedule.spaced("20 millis"), timeout: "10 seconds" },
  connectSchedule: Schedule.spaced("250 millis"),
  connectTimeout: "30 seconds",
  ...extra
})

const stateOf = (id: string) =>
  Effect.flatMap(Compute, (c) => c.getNode(id)).pipe(
    Effect.map((n) => n.state),
    Effect.catchTag("NotFound", () => Effect.succeed("gone" as const))
  )

describe.skipIf(skipPeers("sshd"))("deployNode against a real sshd", () => {
  layer(Layer.mergeAll(LocalSshd.layer(), Ssh2.layer(), loopbackCompute), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("installs a key (idempotently), uploads a file with its mode, runs scripts; the new key then logs in", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const newKey = keygen("ed25519")
        const keys = authorizedKeysOf(peer)
        // a file without a final newline must not get the key glued to its last line
        appendFileSync(keys, "# no newline at the end")
        const target = join(work, "config.json")
        const events: Array<DeployPhase> = []
        const result = yield* deployNode(spec("web-1"), [
          SshKeyStep({ publicKey: newKey.publicKey, path: keys }),
          MultiStep({
            steps: [
              FileStep({ target, content: `{"port":8080}\n`, mode: 0o600 }),
              ScriptStep({ script: `#!/bin/sh\necho "$0" > ${JSON.stringify(join(work, "script-path"))}\necho "hello $1 $2"\necho warn >&2\n`, args: ["big world", "it's"], name: "hello" }),
              SshKeyStep({ publicKey: `${newKey.publicKey} again`, path: keys })
            ]
          }),
          ScriptStep({ script: "exit 3", mayFail: true, name: "allowed to fail" })
        ], optionsFor(peer, { onProgress: (e) => Effect.sync(() => events.push(e)) }))

        expect(result.node.state).toBe("running")
        expect(result.address).toBe("127.0.0.1")
        expect(result.hostKeyFingerprint).toBe(peer.hostKeyFingerprint)
        expect(result.steps.map((s) => [s.index, s.kind, s.exitCode])).toEqual([
          [1, "SshKeyStep", 0],
          [2, "FileStep", 0],
          [3, "ScriptStep", 0],
          [4, "SshKeyStep", 0],
          [5, "ScriptStep", 3]
        ])
        expect(result.steps[0]!.stdout).toBe("added\n")
        expect(result.steps[3]!.stdout).toBe("present\n")
        expect(result.steps[2]).toMatchObject({ name: "hello", stdout: "hello big world it's\n", stderr: "warn\n" })
        expect(readFileSync(target, "utf8")).toBe(`{"port":8080}\n`)
        expect(statSync(target).mode & 0o7777).toBe(0o600)
        const lines = readFileSync(keys, "utf8").split("\n")
        expect(lines.filter((l) => l.includes(newKey.publicKey.split(" ")[1]!))).toEqual([newKey.publicKey])
        expect(lines).toContain("# no newline at the end")
        expect(events.map((e) => e.phase)).toEqual([
          "creating", "waiting", "connecting", "connected",
          "step", "stepDone", "step", "stepDone", "step", "stepDone", "step", "stepDone", "step", "stepDone"
        ])
        // no script left behind (other tests run scripts in the same login directory meanwhile: look for this one)
        const scriptPath = readFileSync(join(work, "script-path"), "utf8").trim()
        expect(scriptPath).toMatch(/\.cloudfx-deploy-[0-9a-f-]{36}\.sh$/)
        const home = yield* Effect.scoped(Effect.flatMap(Ssh, (ssh) =>
          Effect.flatMap(ssh.connect({
            host: peer.host, port: peer.port, username: peer.username,
            privateKey: Redacted.make(newKey.privateKey),
            hostKey: { _tag: "Fingerprint", fingerprints: [peer.hostKeyFingerprint] }
          }), (s) => s.exec(`test -e ${JSON.stringify(scriptPath)} && echo left || echo gone; id -un`))))
        expect(home.stdout.trim().split("\n")).toEqual(["gone", peer.username])
      }), 60_000)

    it.effect("a failing script: DeploymentFailed with the step, its output and exit code; the node is kept", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const e = yield* Effect.flip(deployNode(spec("web-2"), [
          ScriptStep({ script: "echo fine", name: "first" }),
          ScriptStep({ script: "echo building; echo 'no space left' >&2; exit 42", name: "build" })
        ], optionsFor(peer)))
        expect(e._tag).toBe("DeploymentFailed")
        if (e._tag !== "DeploymentFailed") return
        expect(e).toMatchObject({ phase: "running", node: "kept", step: `2 "build"` })
        expect(e.error).toMatchObject({ _tag: "DeploymentStepFailed", index: 2, step: "build", exitCode: 42, stdout: "building\n", stderr: "no space left\n" })
        expect(e.message).toContain(e.nodeId)
        expect(yield* stateOf(e.nodeId)).toBe("running")
      }), 60_000)

    it.effect("a key the server rejects fails at once (well under the retry timeout); alternate usernames are tried in order", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const started = Date.now()
        const e = yield* Effect.flip(deployNode(spec("web-3"), [ScriptStep({ script: "true" })], optionsFor(peer, {
          privateKey: Redacted.make(keygen("ed25519").privateKey),
          connectTimeout: "60 seconds",
          onFailure: "destroy"
        })))
        const took = Date.now() - started
        expect(e._tag).toBe("DeploymentFailed")
        if (e._tag !== "DeploymentFailed") return
        expect(e.error._tag).toBe("SshAuthenticationFailed")
        expect(e).toMatchObject({ phase: "connecting", node: "destroyed" })
        expect(took).toBeLessThan(10_000)
        expect(yield* stateOf(e.nodeId)).not.toBe("running")

        const seen: Array<string> = []
        const ok = yield* deployNode(spec("web-4"), ScriptStep({ script: "id -un" }), optionsFor(peer, {
          usernames: ["cloudfx-no-such-user", peer.username],
          onProgress: (ev) => Effect.sync(() => ev.phase === "connecting" && seen.push(ev.username))
        }))
        expect(seen).toEqual(["cloudfx-no-such-user", peer.username])
        expect(ok.username).toBe(peer.username)
        expect(ok.steps[0]!.stdout.trim()).toBe(peer.username)
      }), 60_000)

    it.effect("host key mismatch: refused before authentication, not retried", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const started = Date.now()
        const e = yield* Effect.flip(deployNode(spec("web-5"), [ScriptStep({ script: "true" })], optionsFor(peer, {
          hostKey: { _tag: "Fingerprint", fingerprints: ["SHA256:" + "B".repeat(43)] },
          connectTimeout: "60 seconds"
        })))
        expect(Date.now() - started).toBeLessThan(10_000)
        expect(e._tag === "DeploymentFailed" && e.error._tag).toBe("HostKeyMismatch")
      }), 60_000)

    it.effect("interrupted during a long script: the remote processes end and, with onFailure destroy, the node is destroyed", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const pids = join(work, "long.pids")
        let nodeId = ""
        const fiber = yield* Effect.fork(deployNode(spec("web-6"), [
          ScriptStep({ script: `echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait` })
        ], optionsFor(peer, {
          onFailure: "destroy",
          onProgress: (e) => Effect.sync(() => { if (e.phase === "waiting") nodeId = e.nodeId })
        })))
        yield* eventually(() => readPids(pids).length === 2, 20_000)
        const started = readPids(pids)
        expect(started.every(running)).toBe(true)
        const exit = yield* Fiber.interrupt(fiber)
        expect(exit._tag).toBe("Failure")
        yield* eventually(() => started.every((p) => !running(p)))
        expect(["terminated", "gone"]).toContain(yield* stateOf(nodeId))
      }), 60_000)

    it.effect("bad steps are refused before any node is created", () =>
      Effect.gen(function*() {
        const peer = yield* LocalSshd
        const before = (yield* Effect.flatMap(Compute, (c) => c.listNodes())).length
        const bad = [
          [SshKeyStep({ publicKey: "not a key" })],
          [FileStep({ target: "x" })],
          [ScriptStep({ from: join(work, "missing.sh") })],
          [MultiStep({ steps: [ScriptStep({ script: "true", args: [42 as unknown as string] })] })]
        ]
        for (const steps of bad) {
          const e = yield* Effect.flip(deployNode(spec("never"), steps, optionsFor(peer)))
          expect(e._tag).toBe("InvalidInput")
        }
        expect((yield* Effect.flatMap(Compute, (c) => c.listNodes())).length).toBe(before)
      }))
  })

  layer(Layer.merge(Ssh2.layer(), loopbackCompute), { excludeTestServices: true })((it) => {
    it.scoped("sshd that starts late: the connection is retried until it answers", () =>
      Effect.gen(function*() {
        const peer = yield* startSshd({ delayMs: 2500 })
        let attempts = 0
        const result = yield* deployNode(spec("late"), [ScriptStep({ script: "echo up" })], optionsFor(peer, {
          onProgress: (e) => Effect.sync(() => { if (e.phase === "connecting") attempts = e.attempt })
        }))
        expect(result.steps[0]!.stdout).toBe("up\n")
        expect(attempts).toBeGreaterThan(1)
      }), 60_000)

    it.scoped("a script file from disk, with a passphrase-protected key", () =>
      Effect.gen(function*() {
        const peer = yield* startSshd()
        const key = keygen("ed25519", { passphrase: "s3cret phrase" })
        appendFileSync(authorizedKeysOf(peer), `${key.publicKey}\n`)
        const script = join(work, "setup.sh")
        writeFileSync(script, "#!/bin/sh\nprintf '%s|' \"$@\"\n")
        const r = yield* Effect.either(deployNode(spec("from-file"), [ScriptStep({ from: script, args: ["a b", ""] })], optionsFor(peer, {
          privateKey: Redacted.make(key.privateKey),
          passphrase: Redacted.make("s3cret phrase")
        })))
        expect(Either.isRight(r) && r.right.steps[0]).toMatchObject({ name: "script setup.sh", stdout: "a b||" })
        const wrong = yield* Effect.flip(deployNode(spec("wrong-pass"), [ScriptStep({ script: "true" })], optionsFor(peer, {
          privateKey: Redacted.make(key.privateKey),
          passphrase: Redacted.make("nope")
        })))
        // caught before any node was created: no DeploymentFailed, no node id
        expect(wrong._tag).toBe("BadPrivateKey")
        expect(String(wrong)).not.toMatch(/s3cret|nope/)
      }), 60_000)
  })
})

// Local credential mistakes must cost no server: no sshd here, and a counting Ssh shows no connection was tried.
describe.skipIf(skipPeers("sshd"))("deployNode checks credentials before creating a node", () => {
  layer(Layer.merge(Ssh2.layer(), loopbackCompute), { excludeTestServices: true })((it) => {
    const localOptions = (extra: DeployOptions): DeployOptions => ({
      usernames: ["root"],
      hostKey: { _tag: "InsecureAcceptAny" },
      wait: { schedule: Schedule.spaced("20 millis"), timeout: "10 seconds" },
      connectSchedule: Schedule.spaced("250 millis"),
      connectTimeout: "5 seconds",
      onFailure: "keep",
      ...extra
    })
    const countingConnects = Effect.map(Ssh, (ssh) => {
      const counter = { connects: 0 }
      const service: Ssh.Service = { ...ssh, connect: (o) => Effect.suspend(() => { counter.connects++; return ssh.connect(o) }) }
      return { counter, service }
    })

    it.effect("malformed key, encrypted key without passphrase, wrong passphrase: BadPrivateKey, no node, no connection", () =>
      Effect.gen(function*() {
        const locked = keygen("ed25519", { passphrase: "right phrase" })
        const listed = Effect.flatMap(Compute, (c) => c.listNodes())
        const before = (yield* listed).length
        const { counter, service } = yield* countingConnects
        const cases: ReadonlyArray<[string, DeployOptions]> = [
          ["malformed", { privateKey: Redacted.make("-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n") }],
          ["no passphrase", { privateKey: Redacted.make(locked.privateKey) }],
          ["wrong passphrase", { privateKey: Redacted.make(locked.privateKey), passphrase: Redacted.make("wrong phrase") }]
        ]
        for (const [label, credentials] of cases) {
          const events: Array<DeployPhase> = []
          const started = Date.now()
          const e = yield* Effect.flip(deployNode(spec(`never-${label.replace(/ /g, "-")}`), [ScriptStep({ script: "true" })], localOptions({
            ...credentials,
            onProgress: (ev) => Effect.sync(() => events.push(ev))
          }))).pipe(Effect.provideService(Ssh, service))
          expect([label, e._tag]).toEqual([label, "BadPrivateKey"])
          expect(String(e)).not.toMatch(/right phrase|wrong phrase/)
          expect(events).toEqual([])
          expect(Date.now() - started).toBeLessThan(5_000)
        }
        expect(counter.connects).toBe(0)
        expect((yield* listed).length).toBe(before)
        expect((yield* listed).map((n) => n.name).filter((n) => n.startsWith("never-"))).toEqual([])

        // the same key with its passphrase gets past the check: a node is created and a connection tried
        const e = yield* Effect.flip(deployNode(spec("unlocked"), [ScriptStep({ script: "true" })], localOptions({
          privateKey: Redacted.make(locked.privateKey),
          passphrase: Redacted.make("right phrase"),
          port: 1,
          connectTimeout: "500 millis"
        }))).pipe(Effect.provideService(Ssh, service))
        expect(e._tag).toBe("DeploymentFailed")
        expect(counter.connects).toBeGreaterThan(0)
        expect((yield* listed).length).toBe(before + 1)
      }))

    it.effect("nothing to log in with, or a passphrase without a key: InvalidInput, no node", () =>
      Effect.gen(function*() {
        const listed = Effect.flatMap(Compute, (c) => c.listNodes())
        const before = (yield* listed).length
        for (const credentials of [{}, { password: Redacted.make("pw"), passphrase: Redacted.make("x") }] satisfies Array<DeployOptions>) {
          const e = yield* Effect.flip(deployNode(spec("never-invalid"), [ScriptStep({ script: "true" })], localOptions(credentials)))
          expect(e._tag).toBe("InvalidInput")
        }
        expect((yield* listed).length).toBe(before)
      }))
  })
})
