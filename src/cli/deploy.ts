/**
 * `cloudfx deploy`: create a server, wait for it, SSH in and run a script.
 *
 *   cloudfx deploy --provider memory --size s-1vcpu-1gb --image debian-12 --script ./setup.sh \
 *     [--name web-1] [--key ~/.ssh/id_ed25519] [--user ubuntu,root] [--json]
 *
 * One progress line per phase goes to stderr; the result (a table, or one
 * JSON document with --json) to stdout. Host keys are trusted on first use
 * and recorded in ~/.ssh/known_hosts (`--known-hosts` to choose the file,
 * `--host-key SHA256:…` to pin one instead).
 *
 * The provider profile is resolved by `computeLayerFor` from the CLI's
 * provider registry (providers.ts); `makeDeployCommand` takes another
 * resolver (tests use one whose nodes answer on this machine).
 */
import { Command, Options } from "@effect/cli"
import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { Console, Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import type { ConfigError } from "effect"
import * as KnownHosts from "../layers/ssh/KnownHosts.js"
import * as Ssh2 from "../layers/ssh/Ssh2.js"
import { InvalidInput } from "../schemas/Errors.js"
import type { Compute } from "../services/Compute.js"
import { deployNode, describePhase, ScriptStep } from "../services/Deploy.js"
import type { Ssh } from "../services/Ssh.js"
import { computeProviders, providerLayer } from "./providers.js"
import { renderTable } from "./table.js"

/** A compute provider for a profile name, or InvalidInput naming the profiles there are. */
export type ComputeResolver = (profile: string) => Effect.Effect<Layer.Layer<Compute, ConfigError.ConfigError>, InvalidInput>

/** A profile from the CLI's provider registry (providers.ts): its id and its environment variables. */
export const computeLayerFor: ComputeResolver = (profile) =>
  providerLayer(computeProviders, Option.some(profile), "cli.deploy").pipe(
    Effect.catchTag("ConfigError", (e) =>
      Effect.fail(new InvalidInput({ provider: "cli", operation: "cli.deploy", field: "provider", reason: `${profile}: ${String(e)}` })))
  )

const provider = Options.text("provider").pipe(
  Options.withDescription(`compute provider profile (its environment variables configure it): ${computeProviders.map((e) => `${e.names[0]} (${e.env})`).join("; ")}`),
  Options.withDefault("memory")
)
const size = Options.text("size").pipe(Options.withDescription("size id, e.g. s-1vcpu-1gb"))
const image = Options.text("image").pipe(Options.withDescription("image id, e.g. debian-12"))
const location = Options.text("location").pipe(Options.withDescription("location id"), Options.optional)
const script = Options.file("script", { exists: "yes" }).pipe(Options.withDescription("script to upload and run on the node"))
const name = Options.text("name").pipe(Options.withDescription("node name (default: cloudfx-<random>)"), Options.optional)
const key = Options.file("key", { exists: "yes" }).pipe(
  Options.withDescription("private key file, OpenSSH or PEM (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa, whichever exists)"),
  Options.optional
)
const passphrase = Options.redacted("passphrase").pipe(
  Options.withDescription("passphrase of the key (default: $CLOUDFX_SSH_PASSPHRASE)"),
  Options.optional
)
const user = Options.text("user").pipe(
  Options.withDescription("login name, or several tried in order: ubuntu,root (default root)"),
  Options.withDefault("root")
)
const sshPort = Options.integer("ssh-port").pipe(Options.withDescription("sshd port on the node"), Options.withDefault(22))
const hostKey = Options.text("host-key").pipe(Options.withDescription("pin the node's host key: SHA256:… as ssh-keygen -l prints it"), Options.optional)
const knownHosts = Options.text("known-hosts").pipe(
  Options.withDescription("known_hosts file for trust on first use (default ~/.ssh/known_hosts)"),
  Options.optional
)
const onFailure = Options.choice("on-failure", ["keep", "destroy"]).pipe(
  Options.withDescription("what to do with the node when the deployment fails"),
  Options.withDefault("keep" as const)
)
const json = Options.boolean("json").pipe(Options.withDescription("print one JSON document instead of a table"))

const defaultKey = (): string | undefined =>
  ["id_ed25519", "id_ecdsa", "id_rsa"].map((f) => join(homedir(), ".ssh", f)).find((p) => existsSync(p))

export const makeDeployCommand = (resolve: ComputeResolver, ssh: Layer.Layer<Ssh> = Ssh2.layer()) =>
  Command.make(
    "deploy",
    { provider, size, image, location, script, name, key, passphrase, user, sshPort, hostKey, knownHosts, onFailure, json },
    (args) =>
      Effect.gen(function*() {
        const compute = yield* resolve(args.provider)
        const keyFile = Option.getOrUndefined(args.key) ?? defaultKey()
        if (keyFile === undefined) {
          return yield* Effect.fail(new InvalidInput({ provider: "cli", operation: "deploy", field: "key", reason: "no --key given and no ~/.ssh/id_* found" }))
        }
        const envPassphrase = process.env["CLOUDFX_SSH_PASSPHRASE"]
        const pass = Option.orElse(args.passphrase, () =>
          envPassphrase === undefined || envPassphrase === "" ? Option.none() : Option.some(Redacted.make(envPassphrase)))
        const nodeName = Option.getOrElse(args.name, () => `cloudfx-${Math.random().toString(36).slice(2, 8)}`)
        const result = yield* deployNode(
          {
            name: nodeName,
            size: args.size,
            image: args.image,
            ...(Option.isSome(args.location) ? { location: args.location.value } : {})
          },
          [ScriptStep({ from: args.script })],
          {
            usernames: args.user.split(",").map((u) => u.trim()).filter((u) => u !== ""),
            privateKey: Redacted.make(readFileSync(keyFile)),
            ...(Option.isSome(pass) ? { passphrase: pass.value } : {}),
            port: args.sshPort,
            hostKey: Option.isSome(args.hostKey)
              ? { _tag: "Fingerprint", fingerprints: [args.hostKey.value] }
              : { _tag: "TrustOnFirstUse", store: KnownHosts.file(Option.getOrUndefined(args.knownHosts)) },
            onFailure: args.onFailure,
            onProgress: (e) => Console.error(describePhase(e))
          }
        ).pipe(Effect.provide(Layer.merge(compute, ssh)))
        const step = result.steps[0]!
        if (args.json) {
          return yield* Console.log(JSON.stringify({
            node: { id: result.node.id, name: result.node.name, state: result.node.state, publicIps: result.node.publicIps, privateIps: result.node.privateIps },
            address: result.address,
            username: result.username,
            hostKeyFingerprint: result.hostKeyFingerprint,
            steps: result.steps
          }, null, 2))
        }
        yield* Console.log(renderTable(
          ["node", "name", "address", "user", "host key", "exit"],
          [[result.node.id, result.node.name, result.address, result.username, result.hostKeyFingerprint, step.exitCode]]
        ))
        if (step.stdout !== "") yield* Console.log(`\n-- stdout\n${step.stdout.trimEnd()}`)
        if (step.stderr !== "") yield* Console.log(`\n-- stderr\n${step.stderr.trimEnd()}`)
      }).pipe(Logger.withMinimumLogLevel(LogLevel.Warning))
  ).pipe(Command.withDescription("create a node, wait for it, SSH in and run a script"))

export const deployCommand = makeDeployCommand(computeLayerFor)
