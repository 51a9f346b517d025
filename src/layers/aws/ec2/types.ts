/**
 * The EC2-only operations (libcloud's `ex_` methods): Elastic IPs, security
 * groups, generated key pairs, regions, and instance listings by state.
 */
import type { Effect } from "effect"
import type { AlreadyExists, Conflict, InvalidInput, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import type { KeyPair, Node } from "../../../schemas/Models.js"
import type { ProviderInfo } from "../../../services/ProviderInfo.js"
import type { Ref } from "../../../services/Refs.js"

/** EC2's own instance states (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html). */
export type InstanceState = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped"

export interface ListInstancesOptions {
  readonly ids?: ReadonlyArray<string>
  /** Only instances in these states (the `instance-state-name` filter). */
  readonly states?: ReadonlyArray<InstanceState>
}

export interface Region {
  readonly name: string
  readonly endpoint?: string
  /** "opt-in-not-required", "opted-in" or "not-opted-in". */
  readonly optInStatus?: string
}

/** An Elastic IP address. */
export interface ElasticIp {
  /** eipalloc-…: what the other operations take. */
  readonly id: string
  readonly publicIp: string
  readonly domain?: string
  /** eipassoc-…, while associated. */
  readonly associationId?: string
  readonly instanceId?: string
  readonly networkInterfaceId?: string
  readonly privateIp?: string
  readonly tags: Readonly<Record<string, string>>
}

/**
 * One inbound rule: a protocol ("tcp", "udp", "icmp", or "-1" for all), a
 * port range (both ends for tcp/udp; ICMP type and code for icmp) and the
 * sources it admits.
 */
export interface IngressRule {
  readonly protocol: string
  readonly fromPort?: number
  readonly toPort?: number
  /** IPv4 CIDRs, e.g. "203.0.113.0/24". */
  readonly cidrs?: ReadonlyArray<string>
  readonly ipv6Cidrs?: ReadonlyArray<string>
  /** Security groups (sg-…) whose members are admitted. */
  readonly sourceGroups?: ReadonlyArray<string>
  readonly description?: string
}

export interface SecurityGroup {
  readonly id: string
  readonly name: string
  readonly description?: string
  readonly vpcId?: string
  readonly ownerId?: string
  readonly ingress: ReadonlyArray<IngressRule>
  readonly egress: ReadonlyArray<IngressRule>
  readonly tags: Readonly<Record<string, string>>
}

export interface CreateSecurityGroup {
  readonly name: string
  /** EC2 requires one; defaults to the name. */
  readonly description?: string
  /** Default: the region's default VPC. */
  readonly vpcId?: string
}

export interface Ec2Service {
  readonly provider: ProviderInfo
  readonly region: string
  readonly endpoint: string

  /** Instances by id and EC2 state, every page. */
  readonly listNodes: (options?: ListInstancesOptions) => Effect.Effect<ReadonlyArray<Node>, InvalidInput | ProviderFailure>
  /** The regions enabled for the account (DescribeRegions). */
  readonly listRegions: () => Effect.Effect<ReadonlyArray<Region>, ProviderFailure>
  /** A key pair EC2 generates; the private key is returned once, Redacted. */
  readonly createKeyPair: (
    name: string,
    options?: { readonly keyType?: "rsa" | "ed25519" }
  ) => Effect.Effect<KeyPair, AlreadyExists | InvalidInput | ProviderFailure>

  readonly listAddresses: () => Effect.Effect<ReadonlyArray<ElasticIp>, ProviderFailure>
  readonly allocateAddress: (
    options?: { readonly tags?: Readonly<Record<string, string>> }
  ) => Effect.Effect<ElasticIp, InvalidInput | ProviderFailure>
  /** Associates an Elastic IP (eipalloc-…) with an instance; answers the association id. */
  readonly associateAddress: (
    address: Ref,
    node: Ref,
    options?: { readonly allowReassociation?: boolean }
  ) => Effect.Effect<string, NotFound | Conflict | InvalidInput | ProviderFailure>
  readonly disassociateAddress: (association: string) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  readonly releaseAddress: (address: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>

  readonly listSecurityGroups: () => Effect.Effect<ReadonlyArray<SecurityGroup>, ProviderFailure>
  readonly createSecurityGroup: (
    group: CreateSecurityGroup
  ) => Effect.Effect<SecurityGroup, AlreadyExists | NotFound | InvalidInput | ProviderFailure>
  readonly authorizeIngress: (
    group: Ref,
    rules: ReadonlyArray<IngressRule>
  ) => Effect.Effect<void, NotFound | AlreadyExists | InvalidInput | ProviderFailure>
  /** NotFound (resource "rule") when a rule is not in the group. */
  readonly revokeIngress: (
    group: Ref,
    rules: ReadonlyArray<IngressRule>
  ) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  readonly deleteSecurityGroup: (group: Ref) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>
}
