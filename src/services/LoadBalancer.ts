/**
 * The portable load balancer API: balancers, their members, and
 * `waitUntilBalancerReady`, built only on this interface.
 */
import { Context, Effect, Schedule } from "effect"
import type { Duration } from "effect"
import type {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  ProviderFailure,
  Unsupported
} from "../schemas/Errors.js"
import { InvalidInput as InvalidInputError, UnexpectedState } from "../schemas/Errors.js"
import type { Timeout } from "../schemas/Errors.js"
import type { Algorithm, Balancer, Member, Node } from "../schemas/Models.js"
import { pollUntil } from "./poll.js"
import type { ProviderInfo } from "./ProviderInfo.js"
import { type Ref, refId } from "./Refs.js"

export class LoadBalancer extends Context.Tag("cloudfx/LoadBalancer")<LoadBalancer, LoadBalancer.Service>() {}

export declare namespace LoadBalancer {
  export interface MemberSpec {
    readonly ip: string
    readonly port: number
    readonly weight?: number
  }

  export interface CreateBalancerSpec {
    readonly name: string
    readonly port: number
    readonly protocol: string
    readonly algorithm: Algorithm
    readonly members?: ReadonlyArray<MemberSpec>
    readonly extra?: Readonly<Record<string, unknown>>
  }

  export interface UpdateBalancerSpec {
    readonly name?: string
    readonly port?: number
    readonly protocol?: string
    readonly algorithm?: Algorithm
  }

  export interface AttachNodeOptions {
    /** Use the node's first private IP instead of its first public one. */
    readonly usePrivateIp?: boolean
    readonly weight?: number
  }

  export interface Service {
    readonly provider: ProviderInfo

    readonly listProtocols: () => Effect.Effect<ReadonlyArray<string>, ProviderFailure>
    readonly listAlgorithms: () => Effect.Effect<ReadonlyArray<Algorithm>, ProviderFailure>

    readonly listBalancers: () => Effect.Effect<ReadonlyArray<Balancer>, ProviderFailure>
    readonly getBalancer: (balancer: Ref) => Effect.Effect<Balancer, NotFound | InvalidInput | ProviderFailure>
    readonly createBalancer: (
      spec: CreateBalancerSpec
    ) => Effect.Effect<Balancer, AlreadyExists | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly updateBalancer: (
      balancer: Ref,
      spec: UpdateBalancerSpec
    ) => Effect.Effect<Balancer, NotFound | Conflict | InvalidInput | Unsupported | ProviderFailure>
    readonly destroyBalancer: (balancer: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>

    readonly listMembers: (balancer: Ref) => Effect.Effect<ReadonlyArray<Member>, NotFound | InvalidInput | ProviderFailure>
    readonly attachMember: (
      balancer: Ref,
      member: MemberSpec
    ) => Effect.Effect<Member, NotFound | AlreadyExists | InvalidInput | ProviderFailure>
    /** Attach a node from any Compute provider, by its public (or private) IP. */
    readonly attachComputeNode: (
      balancer: Ref,
      node: Node,
      port: number,
      options?: AttachNodeOptions
    ) => Effect.Effect<Member, NotFound | AlreadyExists | InvalidInput | ProviderFailure>
    readonly detachMember: (balancer: Ref, member: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  }
}

/**
 * The one way every provider turns a node into a member: its first public IP
 * (or private, when asked), the node id kept on the member.
 */
export const memberSpecForNode = (
  provider: string,
  node: Node,
  port: number,
  options: LoadBalancer.AttachNodeOptions = {}
): Effect.Effect<LoadBalancer.MemberSpec & { readonly nodeId: string }, InvalidInput> => {
  const ips = options.usePrivateIp === true ? node.privateIps : node.publicIps
  const ip = ips[0]
  if (ip === undefined) {
    return Effect.fail(
      new InvalidInputError({
        provider,
        operation: "LoadBalancer.attachComputeNode",
        field: "node",
        reason: `node ${node.id} has no ${options.usePrivateIp === true ? "private" : "public"} IP`
      })
    )
  }
  return Effect.succeed(
    options.weight === undefined ? { ip, port, nodeId: node.id } : { ip, port, weight: options.weight, nodeId: node.id }
  )
}

export interface WaitUntilBalancerReadyOptions {
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  readonly timeout?: Duration.DurationInput
}

/** Poll until the balancer is `running`; `error` or `deleted` fail at once. */
export const waitUntilBalancerReadyOn = (
  lb: LoadBalancer.Service,
  balancer: Ref,
  options: WaitUntilBalancerReadyOptions = {}
): Effect.Effect<Balancer, NotFound | InvalidInput | Timeout | UnexpectedState | ProviderFailure> => {
  const operation = "LoadBalancer.waitUntilBalancerReady"
  const provider = lb.provider.id
  const id = refId(balancer)
  return pollUntil({
    provider,
    operation,
    waitingFor: `balancer ${id} to be running`,
    check: Effect.flatMap(lb.getBalancer(id), (b): Effect.Effect<Balancer, UnexpectedState> =>
      b.state === "error" || b.state === "deleted"
        ? Effect.fail(
          new UnexpectedState({ provider, operation, resource: "balancer", id, state: b.state, expected: "running" })
        )
        : Effect.succeed(b)),
    done: (b: Balancer) => b.state === "running",
    schedule: options.schedule ?? Schedule.spaced("2 seconds"),
    timeout: options.timeout ?? "5 minutes"
  }).pipe(Effect.withSpan(operation, { attributes: { "cloudfx.provider": provider, "cloudfx.balancer": id } }))
}

export const waitUntilBalancerReady = (balancer: Ref, options?: WaitUntilBalancerReadyOptions) =>
  Effect.flatMap(LoadBalancer, (lb) => waitUntilBalancerReadyOn(lb, balancer, options))
