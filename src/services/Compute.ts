/**
 * The portable compute API: servers, images, sizes, locations, key pairs and
 * block storage, plus `waitUntilRunning`, built only on this interface.
 */
import { Context, Effect, Schedule } from "effect"
import type { Duration } from "effect"
import type { Redacted } from "effect"
import type {
  InvalidInput,
  AlreadyExists,
  Conflict,
  NotFound,
  ProviderFailure,
  Timeout,
  Unsupported,
  UnexpectedState
} from "../schemas/Errors.js"
import { UnexpectedState as UnexpectedStateError } from "../schemas/Errors.js"
import type {
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  Volume,
  VolumeSnapshot
} from "../schemas/Models.js"
import { pollUntil } from "./poll.js"
import type { ProviderInfo } from "./ProviderInfo.js"
import { type Ref, refId } from "./Refs.js"

export class Compute extends Context.Tag("cloudfx/Compute")<Compute, Compute.Service>() {}

export declare namespace Compute {
  export interface CreateNodeSpec {
    readonly name: string
    readonly size: Ref
    readonly image: Ref
    readonly location?: Ref
    /** Name of a key pair already known to the provider. */
    readonly keyPair?: string
    /** cloud-init or equivalent, passed as is. */
    readonly userData?: string
    /** Provider-specific options (libcloud's `ex_` arguments). */
    readonly extra?: Readonly<Record<string, unknown>>
  }

  export interface ListNodesOptions {
    /** Only these ids. */
    readonly ids?: ReadonlyArray<string>
  }

  export interface ImportKeyPair {
    readonly name: string
    /** OpenSSH public key line: "ssh-ed25519 AAAA… comment". */
    readonly publicKey: string
  }

  export interface CreateVolumeSpec {
    readonly name: string
    readonly sizeGb: number
    readonly location?: Ref
    readonly snapshot?: Ref
    readonly extra?: Readonly<Record<string, unknown>>
  }

  export interface AttachVolumeOptions {
    /** Device name, e.g. "/dev/sdf", where the provider lets you choose. */
    readonly device?: string
  }

  export interface Service {
    readonly provider: ProviderInfo

    readonly listNodes: (options?: ListNodesOptions) => Effect.Effect<ReadonlyArray<Node>, InvalidInput | ProviderFailure>
    readonly getNode: (node: Ref) => Effect.Effect<Node, NotFound | InvalidInput | ProviderFailure>
    readonly createNode: (
      spec: CreateNodeSpec
    ) => Effect.Effect<Node, NotFound | AlreadyExists | InvalidInput | ProviderFailure>
    readonly rebootNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly startNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly stopNode: (node: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly destroyNode: (node: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>

    readonly listImages: () => Effect.Effect<ReadonlyArray<NodeImage>, ProviderFailure>
    readonly listSizes: () => Effect.Effect<ReadonlyArray<NodeSize>, ProviderFailure>
    readonly listLocations: () => Effect.Effect<ReadonlyArray<NodeLocation>, ProviderFailure>

    readonly listKeyPairs: () => Effect.Effect<ReadonlyArray<KeyPair>, Unsupported | ProviderFailure>
    readonly importKeyPair: (
      keyPair: ImportKeyPair
    ) => Effect.Effect<KeyPair, AlreadyExists | InvalidInput | Unsupported | ProviderFailure>
    readonly deleteKeyPair: (name: string) => Effect.Effect<void, NotFound | InvalidInput | Unsupported | ProviderFailure>

    readonly listVolumes: () => Effect.Effect<ReadonlyArray<Volume>, Unsupported | ProviderFailure>
    readonly createVolume: (
      spec: CreateVolumeSpec
    ) => Effect.Effect<Volume, NotFound | AlreadyExists | InvalidInput | Unsupported | ProviderFailure>
    readonly attachVolume: (
      volume: Ref,
      node: Ref,
      options?: AttachVolumeOptions
    ) => Effect.Effect<Volume, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly detachVolume: (
      volume: Ref
    ) => Effect.Effect<Volume, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly destroyVolume: (
      volume: Ref
    ) => Effect.Effect<void, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly createVolumeSnapshot: (
      volume: Ref,
      options?: { readonly name?: string }
    ) => Effect.Effect<VolumeSnapshot, NotFound | InvalidInput | Unsupported | ProviderFailure>
    readonly listVolumeSnapshots: (
      volume?: Ref
    ) => Effect.Effect<ReadonlyArray<VolumeSnapshot>, NotFound | InvalidInput | Unsupported | ProviderFailure>
    readonly destroyVolumeSnapshot: (
      snapshot: Ref
    ) => Effect.Effect<void, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
  }

  /** What a generated key pair secret looks like when a provider returns one. */
  export type PrivateKey = Redacted.Redacted<string>
}

// ---------------------------------------------------------------- waitUntilRunning

export interface WaitUntilRunningOptions {
  /** How often to poll. Default: exponential from 1 s, capped at 10 s. */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  /** Give up after this long. Default: 10 minutes. */
  readonly timeout?: Duration.DurationInput
  /** Require at least one public IP before calling a node running. Default: true. */
  readonly requirePublicIp?: boolean
}

const defaultPoll = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("10 seconds")),
  Schedule.jittered
)

const hopeless: ReadonlySet<NodeState> = new Set(["error", "terminated"])

/**
 * Poll until every node is `running` (and has a public IP unless told
 * otherwise). Fails with `UnexpectedState` as soon as one node reaches
 * `error` or `terminated`, with `Timeout` when the time is up, and with
 * `NotFound` when a node disappears.
 */
export const waitUntilRunningOn = (
  compute: Compute.Service,
  nodes: ReadonlyArray<Ref>,
  options: WaitUntilRunningOptions = {}
): Effect.Effect<
  ReadonlyArray<Node>,
  NotFound | InvalidInput | Timeout | UnexpectedState | ProviderFailure
> => {
  const operation = "Compute.waitUntilRunning"
  const provider = compute.provider.id
  const ids = nodes.map(refId)
  const requirePublicIp = options.requirePublicIp ?? true
  const isReady = (node: Node) => node.state === "running" && (!requirePublicIp || node.publicIps.length > 0)
  const check = Effect.forEach(ids, (id) => compute.getNode(id), { concurrency: 8 }).pipe(
    Effect.flatMap((current) => {
      const broken = current.find((n) => hopeless.has(n.state))
      return broken === undefined ? Effect.succeed(current) : Effect.fail(
        new UnexpectedStateError({
          provider,
          operation,
          resource: "node",
          id: broken.id,
          state: broken.state,
          expected: "running"
        })
      )
    })
  )
  return pollUntil({
    provider,
    operation,
    waitingFor: `node${ids.length === 1 ? "" : "s"} ${ids.join(", ")} to run${requirePublicIp ? " with a public IP" : ""}`,
    check,
    done: (current) => current.every(isReady),
    schedule: options.schedule ?? defaultPoll,
    timeout: options.timeout ?? "10 minutes"
  }).pipe(
    Effect.withSpan(operation, { attributes: { "cloudfx.provider": provider, "cloudfx.nodes": ids.join(",") } })
  )
}

/** `waitUntilRunningOn` for the `Compute` in context. */
export const waitUntilRunning = (nodes: ReadonlyArray<Ref>, options?: WaitUntilRunningOptions) =>
  Effect.flatMap(Compute, (compute) => waitUntilRunningOn(compute, nodes, options))
