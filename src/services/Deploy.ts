/**
 * `deployNode`: libcloud's deploy_node over `Compute` and `Ssh` — create a
 * server, wait until it runs, SSH in as soon as sshd answers, run the
 * deployment steps, and hand back the node with each step's result.
 *
 * Steps are data, so a deployment can be built, stored and composed before
 * anything runs: `SshKeyStep`, `FileStep`, `ScriptStep`, `MultiStep`.
 */
import { randomUUID } from "node:crypto"
import { readFile, stat } from "node:fs/promises"
import { Cause, Clock, Data, Duration, Effect, Option, Schedule, Schema } from "effect"
import type { Redacted, Scope } from "effect"
import { CloudError, InvalidInput, Timeout, UnexpectedState } from "../schemas/Errors.js"
import type { AlreadyExists, NotFound, ProviderFailure } from "../schemas/Errors.js"
import type { Node } from "../schemas/Models.js"
import { Compute, waitUntilRunningOn, type WaitUntilRunningOptions } from "./Compute.js"
import * as publicKey from "./publicKey.js"
import { quote, quotePath } from "./shell.js"
import { Ssh } from "./Ssh.js"
import { type BadPrivateKey, isRetryableConnectError, type SshConnectError, SshError, type SshSessionError } from "./SshErrors.js"

const PROVIDER = "deploy"

// ---------------------------------------------------------------- steps

/** Append a public key to authorized_keys, once: a key already there (same type and data) is left alone. */
export interface SshKeyStep {
  readonly _tag: "SshKeyStep"
  /** "ssh-ed25519 AAAA… comment" */
  readonly publicKey: string
  /** Default "~/.ssh/authorized_keys". */
  readonly path?: string
  readonly name?: string
}

/** Upload a local file (`from`) or bytes / text (`content`) to `target` with `mode`. */
export interface FileStep {
  readonly _tag: "FileStep"
  readonly target: string
  readonly from?: string
  readonly content?: string | Uint8Array
  /** Default 0o644. */
  readonly mode?: number
  readonly name?: string
}

/**
 * Upload a script (`script` text, or the local file `from`) to a unique path
 * in the login directory, make it executable, run it with `args`, and delete
 * it afterwards unless `delete: false`. A non-zero exit fails the deployment
 * unless `mayFail`.
 */
export interface ScriptStep {
  readonly _tag: "ScriptStep"
  readonly script?: string
  readonly from?: string
  readonly args?: ReadonlyArray<string>
  /** Default true. */
  readonly delete?: boolean
  /** Stop the script after this long. Default: no limit. */
  readonly timeout?: Duration.DurationInput
  readonly mayFail?: boolean
  readonly name?: string
}

/** Run steps in order. */
export interface MultiStep {
  readonly _tag: "MultiStep"
  readonly steps: ReadonlyArray<Step>
  readonly name?: string
}

export type Step = SshKeyStep | FileStep | ScriptStep | MultiStep

export const SshKeyStep = Data.tagged<SshKeyStep>("SshKeyStep")
export const FileStep = Data.tagged<FileStep>("FileStep")
export const ScriptStep = Data.tagged<ScriptStep>("ScriptStep")
export const MultiStep = Data.tagged<MultiStep>("MultiStep")

export interface StepResult {
  /** 1-based position among the steps that ran (MultiSteps flattened). */
  readonly index: number
  readonly name: string
  readonly kind: "SshKeyStep" | "FileStep" | "ScriptStep"
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number
  readonly durationMs: number
}

// ---------------------------------------------------------------- errors

/** A step exited non-zero and was not allowed to. */
export class DeploymentStepFailed extends Schema.TaggedError<DeploymentStepFailed>()("DeploymentStepFailed", {
  provider: Schema.String,
  operation: Schema.String,
  index: Schema.Number,
  step: Schema.String,
  kind: Schema.String,
  exitCode: Schema.Number,
  stdout: Schema.String,
  stderr: Schema.String
}) {
  override get message() {
    const last = (this.stderr.trim() || this.stdout.trim()).split("\n").slice(-3).join(" | ")
    return `${this.operation}: step ${this.index} "${this.step}" exited with ${this.exitCode}${last === "" ? "" : `: ${last}`}`
  }
}

const AfterCreation = Schema.Union(...CloudError.members, ...SshError.members, DeploymentStepFailed)

/**
 * Anything that went wrong once the node existed. `nodeId` says which server
 * it was; `node` says what became of it ("kept" is the default so you can
 * look at it; "destroyed" with `onFailure: "destroy"`).
 */
export class DeploymentFailed extends Schema.TaggedError<DeploymentFailed>()("DeploymentFailed", {
  provider: Schema.String,
  operation: Schema.String,
  nodeId: Schema.String,
  nodeName: Schema.String,
  phase: Schema.Literal("waiting", "connecting", "running"),
  /** The step that failed, when phase is "running". */
  step: Schema.optional(Schema.String),
  node: Schema.Literal("kept", "destroyed", "destroy failed"),
  error: AfterCreation
}) {
  override get message() {
    const step = this.step === undefined ? "" : ` (step ${this.step})`
    return `deployment of node ${this.nodeId} failed while ${this.phase}${step}, node ${this.node}: ${this.error.message}`
  }
}

// ---------------------------------------------------------------- options

export type DeployPhase =
  | { readonly phase: "creating"; readonly name: string }
  | { readonly phase: "waiting"; readonly nodeId: string }
  | { readonly phase: "connecting"; readonly nodeId: string; readonly address: string; readonly username: string; readonly attempt: number }
  | { readonly phase: "connected"; readonly nodeId: string; readonly address: string; readonly username: string; readonly hostKeyFingerprint: string }
  | { readonly phase: "step"; readonly nodeId: string; readonly index: number; readonly total: number; readonly name: string }
  | { readonly phase: "stepDone"; readonly nodeId: string; readonly result: StepResult }
  | { readonly phase: "cleanup"; readonly nodeId: string; readonly node: "kept" | "destroyed" | "destroy failed" }

export interface DeployOptions {
  /** Login names tried in order until one is accepted. Default ["root"]. */
  readonly usernames?: ReadonlyArray<string>
  readonly privateKey?: Redacted.Redacted<string | Uint8Array>
  readonly passphrase?: Redacted.Redacted<string>
  readonly password?: Redacted.Redacted<string>
  readonly agent?: boolean | string
  /** Default: the Ssh service's (trust on first use). */
  readonly hostKey?: Ssh.HostKeyPolicy
  /** Default 22. */
  readonly port?: number
  /** Which addresses to try, in the order the provider lists them. Default "public". */
  readonly address?: "public" | "private"
  /** Passed to waitUntilRunning (requirePublicIp follows `address`). */
  readonly wait?: WaitUntilRunningOptions
  /** Pace of connection attempts while sshd is not up. Default: exponential from 1 s, capped at 10 s. */
  readonly connectSchedule?: Schedule.Schedule<unknown, unknown>
  /** Give up connecting after this long. Default 5 minutes. */
  readonly connectTimeout?: Duration.DurationInput
  /** Each attempt's own limit (TCP + handshake + auth). Default 20 seconds. */
  readonly attemptTimeout?: Duration.DurationInput
  /** What to do with the node when anything fails (or is interrupted) after it was created. Default "keep". */
  readonly onFailure?: "keep" | "destroy"
  /** Called at each phase, for progress output. */
  readonly onProgress?: (event: DeployPhase) => Effect.Effect<void>
}

export interface DeployResult {
  readonly node: Node
  readonly address: string
  readonly username: string
  readonly hostKeyFingerprint: string
  readonly steps: ReadonlyArray<StepResult>
}

// ---------------------------------------------------------------- validation

interface Leaf {
  readonly index: number
  readonly name: string
  readonly step: SshKeyStep | FileStep | ScriptStep
  /** ScriptStep text, read up front (from `script` or the `from` file). */
  readonly script?: string
}

const where = { provider: PROVIDER, operation: "Deploy.deployNode" }
const bad = (field: string, reason: string) => new InvalidInput({ ...where, field, reason })

const readable = (field: string, path: string) =>
  Effect.tryPromise({ try: () => stat(path), catch: (e) => bad(field, `cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`) }).pipe(
    Effect.filterOrFail((s) => s.isFile(), () => bad(field, `"${path}" is not a file`))
  )

const flatten = (steps: ReadonlyArray<Step>, at = "steps"): Effect.Effect<ReadonlyArray<Leaf>, InvalidInput> =>
  Effect.gen(function*() {
    const out: Array<Leaf> = []
    const visit = (step: Step, field: string): Effect.Effect<void, InvalidInput> =>
      Effect.gen(function*() {
        if (typeof step !== "object" || step === null) return yield* Effect.fail(bad(field, "must be a step"))
        const index = out.length + 1
        const named = (fallback: string) => (typeof step.name === "string" && step.name.length > 0 ? step.name : fallback)
        switch (step._tag) {
          case "MultiStep": {
            if (!Array.isArray(step.steps)) return yield* Effect.fail(bad(`${field}.steps`, "must be an array of steps"))
            for (const [i, s] of step.steps.entries()) yield* visit(s, `${field}.steps[${i}]`)
            return
          }
          case "SshKeyStep": {
            yield* publicKey.check(where, `${field}.publicKey`, step.publicKey)
            if (step.path !== undefined && (typeof step.path !== "string" || step.path.length === 0 || /[\0\n]/.test(step.path))) {
              return yield* Effect.fail(bad(`${field}.path`, "must be a path"))
            }
            out.push({ index, name: named("install ssh key"), step })
            return
          }
          case "FileStep": {
            if (typeof step.target !== "string" || step.target.length === 0 || /[\0\n]/.test(step.target)) {
              return yield* Effect.fail(bad(`${field}.target`, "must be a path"))
            }
            if ((step.from === undefined) === (step.content === undefined)) {
              return yield* Effect.fail(bad(field, "give exactly one of `from` (a local file) and `content`"))
            }
            if (step.from !== undefined) yield* readable(`${field}.from`, step.from)
            if (step.mode !== undefined && !(Number.isInteger(step.mode) && step.mode >= 0 && step.mode <= 0o7777)) {
              return yield* Effect.fail(bad(`${field}.mode`, "must be permission bits between 0 and 0o7777"))
            }
            out.push({ index, name: named(`upload ${step.target}`), step })
            return
          }
          case "ScriptStep": {
            if ((step.from === undefined) === (step.script === undefined)) {
              return yield* Effect.fail(bad(field, "give exactly one of `script` (its text) and `from` (a local file)"))
            }
            const script = step.from === undefined
              ? step.script!
              : yield* readable(`${field}.from`, step.from).pipe(
                Effect.zipRight(Effect.tryPromise({ try: () => readFile(step.from!, "utf8"), catch: () => bad(`${field}.from`, "cannot be read") }))
              )
            if (typeof script !== "string" || script.length === 0) return yield* Effect.fail(bad(`${field}.script`, "must be non-empty text"))
            if (step.args !== undefined && (!Array.isArray(step.args) || step.args.some((a) => typeof a !== "string" || a.includes("\0")))) {
              return yield* Effect.fail(bad(`${field}.args`, "must be strings without NUL"))
            }
            if (step.timeout !== undefined) {
              const d = Duration.decodeUnknown(step.timeout)
              if (Option.isNone(d) || Duration.toMillis(d.value) <= 0) return yield* Effect.fail(bad(`${field}.timeout`, "must be a positive duration"))
            }
            const fallback = step.from === undefined ? "script" : `script ${step.from.split("/").pop()}`
            out.push({ index, name: named(fallback), step, script })
            return
          }
          default:
            return yield* Effect.fail(bad(`${field}._tag`, `unknown step "${String((step as { _tag?: unknown })._tag)}"`))
        }
      })
    for (const [i, s] of steps.entries()) yield* visit(s, `${at}[${i}]`)
    return out
  })

// ---------------------------------------------------------------- running steps

const elapsed = (started: number) => Effect.map(Clock.currentTimeMillis, (now) => now - started)

/** SFTP resolves relative paths from the login directory, and knows nothing of "~". */
const sftpPath = (path: string) => (path.startsWith("~/") ? path.slice(2) : path)

const authorizedKeysCommand = (key: publicKey.PublicKey, path: string) =>
  [
    "umask 077",
    `f=${quotePath(path)}`,
    `mkdir -p "$(dirname "$f")"`,
    `touch "$f"`,
    `if grep -qF ${quote(`${key.type} ${key.base64}`)} "$f"; then echo present; else ` +
    `{ if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then echo; fi; printf '%s\\n' ${quote(key.line)}; } >>"$f" && echo added; fi`
  ].join(" && ")

const runLeaf = (
  session: Ssh.Session,
  leaf: Leaf
): Effect.Effect<StepResult, DeploymentStepFailed | SshSessionError | InvalidInput> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const { step } = leaf
    const result = (stdout: string, stderr: string, exitCode: number) =>
      Effect.map(elapsed(started), (durationMs): StepResult => ({
        index: leaf.index,
        name: leaf.name,
        kind: step._tag,
        stdout,
        stderr,
        exitCode,
        durationMs
      }))
    const failed = (r: StepResult) =>
      new DeploymentStepFailed({
        provider: PROVIDER,
        operation: "Deploy.runStep",
        index: r.index,
        step: r.name,
        kind: r.kind,
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr
      })
    switch (step._tag) {
      case "SshKeyStep": {
        const key = publicKey.parse(step.publicKey) as publicKey.PublicKey
        const out = yield* session.exec(authorizedKeysCommand(key, step.path ?? "~/.ssh/authorized_keys"), { timeout: "2 minutes" })
        const r = yield* result(out.stdout, out.stderr, out.exitCode)
        return out.exitCode === 0 ? r : yield* Effect.fail(failed(r))
      }
      case "FileStep": {
        const mode = step.mode === undefined ? {} : { mode: step.mode }
        yield* step.from !== undefined
          ? session.putFile(step.from, sftpPath(step.target), mode)
          : session.putBytes(step.content!, sftpPath(step.target), mode)
        return yield* result("", "", 0)
      }
      case "ScriptStep": {
        // a fresh name per run: two deployments on one host never share a file
        const remote = `.cloudfx-deploy-${randomUUID()}.sh`
        yield* session.putBytes(leaf.script!, remote, { mode: 0o700 })
        const command = [`./${quote(remote)}`, ...(step.args ?? []).map(quote)].join(" ")
        const run = session.exec(command, step.timeout === undefined ? {} : { timeout: step.timeout })
        const out = yield* step.delete === false
          ? run
          : run.pipe(Effect.ensuring(session.remove(remote).pipe(Effect.timeout("30 seconds"), Effect.ignore)))
        const r = yield* result(out.stdout, out.stderr, out.exitCode)
        return out.exitCode === 0 || step.mayFail === true ? r : yield* Effect.fail(failed(r))
      }
    }
  })

// ---------------------------------------------------------------- connecting

const credentialsOf = (options: DeployOptions): Ssh.Credentials => ({
  ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
  ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
  ...(options.password === undefined ? {} : { password: options.password }),
  ...(options.agent === undefined ? {} : { agent: options.agent })
})

const connectToNode = (
  ssh: Ssh.Service,
  node: Node,
  options: DeployOptions,
  report: (e: DeployPhase) => Effect.Effect<void>
): Effect.Effect<Ssh.Session, SshConnectError | InvalidInput | Timeout | UnexpectedState, Scope.Scope> =>
  Effect.gen(function*() {
    const address = options.address ?? "public"
    const addresses = address === "public" ? node.publicIps : node.privateIps
    if (addresses.length === 0) {
      return yield* Effect.fail(
        new UnexpectedState({ ...where, resource: "node", id: node.id, state: `running without a ${address} IP`, expected: `a ${address} IP` })
      )
    }
    const usernames = options.usernames ?? ["root"]
    const port = options.port ?? 22
    let attempt = 0
    let last = "no attempt yet"
    const credentials = {
      ...credentialsOf(options),
      ...(options.hostKey === undefined ? {} : { hostKey: options.hostKey }),
      timeout: options.attemptTimeout ?? "20 seconds"
    }
    // One round: each address until one answers, each username until one is accepted. A server that
    // answers but refuses every username (or shows the wrong host key) will not change its mind: fatal.
    const round = Effect.gen(function*() {
      attempt++
      let failure: SshConnectError | InvalidInput | undefined
      for (const host of addresses) {
        for (const username of usernames) {
          yield* report({ phase: "connecting", nodeId: node.id, address: host, username, attempt })
          const r = yield* Effect.either(ssh.connect({ host, port, username, ...credentials }))
          if (r._tag === "Right") return { session: r.right, host, username }
          failure = r.left
          if (r.left._tag === "SshAuthenticationFailed") continue
          break
        }
        if (failure !== undefined && failure._tag === "SshAuthenticationFailed") break
        if (failure !== undefined && !isRetryableConnectError(failure)) break
        if (failure !== undefined && isRetryableConnectError(failure)) last = failure.reason
      }
      return yield* Effect.fail(failure!)
    })
    const timeout = Duration.decode(options.connectTimeout ?? "5 minutes")
    const schedule = options.connectSchedule ??
      Schedule.exponential("1 second").pipe(Schedule.union(Schedule.spaced("10 seconds")), Schedule.jittered)
    const connected = yield* round.pipe(
      Effect.tapError((e) => (isRetryableConnectError(e) ? Effect.logDebug(`sshd not answering yet: ${e.message}`) : Effect.void)),
      Effect.retry({ schedule, while: isRetryableConnectError }),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new Timeout({ ...where, operation: "Deploy.connect", waitingFor: `sshd on ${addresses.join(", ")} port ${port} (last: ${last})`, after: timeout })
      })
    )
    yield* report({
      phase: "connected",
      nodeId: node.id,
      address: connected.host,
      username: connected.username,
      hostKeyFingerprint: connected.session.hostKeyFingerprint
    })
    return connected.session
  })

// ---------------------------------------------------------------- deployNode

const checkOptions = (options: DeployOptions) =>
  Effect.gen(function*() {
    if (typeof options !== "object" || options === null) return yield* Effect.fail(bad("options", "must be an object"))
    if (options.usernames !== undefined && (!Array.isArray(options.usernames) || options.usernames.length === 0)) {
      return yield* Effect.fail(bad("usernames", "must list at least one username"))
    }
    if (options.onFailure !== undefined && options.onFailure !== "keep" && options.onFailure !== "destroy") {
      return yield* Effect.fail(bad("onFailure", `must be "keep" or "destroy"`))
    }
    if (options.address !== undefined && options.address !== "public" && options.address !== "private") {
      return yield* Effect.fail(bad("address", `must be "public" or "private"`))
    }
  })

/**
 * Create a node, wait for it to run, SSH in (retrying while sshd is not up,
 * failing at once on a rejected key or host key), run `steps`, and return
 * the node with each step's result.
 *
 * Input (steps, local files, options) and credentials (with
 * `Ssh.checkCredentials`: the key parses, its passphrase opens it) are
 * checked before the node is created, so those mistakes cost no server:
 * InvalidInput or BadPrivateKey, with no node id. Failures after creation are `DeploymentFailed` carrying the node
 * id; with `onFailure: "destroy"` the node is destroyed first, by a
 * finalizer, so an interrupted deployment is cleaned up too.
 */
export const deployNode = (
  spec: Compute.CreateNodeSpec,
  steps: Step | ReadonlyArray<Step>,
  options: DeployOptions
): Effect.Effect<
  DeployResult,
  InvalidInput | BadPrivateKey | NotFound | AlreadyExists | ProviderFailure | DeploymentFailed,
  Compute | Ssh
> =>
  Effect.gen(function*() {
    yield* checkOptions(options)
    const leaves = yield* flatten(Array.isArray(steps) ? steps : [steps as Step])
    const compute = yield* Compute
    const ssh = yield* Ssh
    yield* ssh.checkCredentials(credentialsOf(options))
    const report = (event: DeployPhase) => {
      const { phase, ...rest } = event
      const text = describe(event)
      return Effect.logInfo(text).pipe(
        Effect.annotateLogs({ "cloudfx.deploy.phase": phase, ...("nodeId" in rest ? { "cloudfx.node": rest.nodeId } : {}) }),
        Effect.zipRight(options.onProgress === undefined ? Effect.void : options.onProgress(event))
      )
    }

    yield* report({ phase: "creating", name: spec.name })
    const created = yield* compute.createNode(spec).pipe(Effect.withSpan("Deploy.createNode", { attributes: { "cloudfx.node.name": spec.name } }))

    let phase: "waiting" | "connecting" | "running" = "waiting"
    let currentStep: string | undefined
    const afterCreate = Effect.gen(function*() {
      yield* report({ phase: "waiting", nodeId: created.id })
      const [node] = yield* waitUntilRunningOn(compute, [created.id], {
        requirePublicIp: (options.address ?? "public") === "public",
        ...options.wait
      })
      phase = "connecting"
      return yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* connectToNode(ssh, node!, options, report).pipe(
          Effect.withSpan("Deploy.connect", { attributes: { "cloudfx.node": created.id } })
        )
        phase = "running"
        const results: Array<StepResult> = []
        for (const leaf of leaves) {
          currentStep = `${leaf.index} "${leaf.name}"`
          yield* report({ phase: "step", nodeId: created.id, index: leaf.index, total: leaves.length, name: leaf.name })
          const r = yield* runLeaf(session, leaf).pipe(
            Effect.withSpan("Deploy.step", {
              attributes: { "cloudfx.node": created.id, "cloudfx.step.index": leaf.index, "cloudfx.step.name": leaf.name, "cloudfx.step.kind": leaf.step._tag }
            })
          )
          results.push(r)
          yield* report({ phase: "stepDone", nodeId: created.id, result: r })
        }
        currentStep = undefined
        return {
          node: node!,
          address: session.host,
          username: session.username,
          hostKeyFingerprint: session.hostKeyFingerprint,
          steps: results
        } satisfies DeployResult
      }))
    })

    const cleanup = Effect.gen(function*() {
      if ((options.onFailure ?? "keep") === "keep") {
        yield* report({ phase: "cleanup", nodeId: created.id, node: "kept" })
        return "kept" as const
      }
      const outcome = yield* compute.destroyNode(created.id).pipe(
        Effect.timeout("5 minutes"),
        Effect.as("destroyed" as const),
        Effect.catchAllCause((cause) => Effect.as(Effect.logError(`could not destroy node ${created.id}`, cause), "destroy failed" as const)),
        Effect.withSpan("Deploy.destroyNode", { attributes: { "cloudfx.node": created.id } })
      )
      yield* report({ phase: "cleanup", nodeId: created.id, node: outcome })
      return outcome
    })

    return yield* Effect.uninterruptibleMask((restore) =>
      restore(afterCreate).pipe(
        Effect.catchAllCause((cause) =>
          Effect.flatMap(cleanup, (node) => {
            const failure = Cause.failureOption(cause)
            if (Option.isNone(failure)) return Effect.failCause(cause as Cause.Cause<never>)
            return Effect.fail(
              new DeploymentFailed({
                ...where,
                nodeId: created.id,
                nodeName: created.name,
                phase,
                ...(phase === "running" && currentStep !== undefined ? { step: currentStep } : {}),
                node,
                error: failure.value
              })
            )
          })
        )
      )
    )
  }).pipe(Effect.withSpan("Deploy.deployNode", { attributes: { "cloudfx.node.name": spec?.name } }))

const describe = (e: DeployPhase): string => {
  switch (e.phase) {
    case "creating":
      return `creating node ${e.name}`
    case "waiting":
      return `waiting for node ${e.nodeId} to run`
    case "connecting":
      return `connecting to ${e.username}@${e.address} (attempt ${e.attempt})`
    case "connected":
      return `connected to ${e.username}@${e.address}, host key ${e.hostKeyFingerprint}`
    case "step":
      return `running step ${e.index}/${e.total}: ${e.name}`
    case "stepDone":
      return `step ${e.result.index} "${e.result.name}" exited ${e.result.exitCode} after ${e.result.durationMs} ms`
    case "cleanup":
      return `deployment failed: node ${e.nodeId} ${e.node}`
  }
}

/** One line of progress text for an event (what `deployNode` logs). */
export const describePhase = describe
