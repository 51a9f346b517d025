/**
 * What a service value says about the provider behind it. Optional
 * operations are listed in `capabilities`; one a provider lacks fails with
 * `Unsupported`, so checking first is a convenience, never a requirement.
 */
export type Capability =
  // Compute
  | "compute.keyPairs"
  | "compute.volumes"
  | "compute.snapshots"
  | "compute.reboot"
  | "compute.startStop"
  // ObjectStorage
  | "storage.signedUrl"
  | "storage.cdn"
  | "storage.range"
  | "storage.copy"
  | "storage.multipart"
  // LoadBalancer
  | "lb.update"
  | "lb.weights"
  // Dns
  | "dns.updateZone"

export interface ProviderInfo {
  /** Stable provider id, e.g. "aws-s3", "memory", "local". */
  readonly id: string
  readonly region?: string
  readonly capabilities: ReadonlySet<Capability>
}

export const providerInfo = (
  id: string,
  capabilities: Iterable<Capability>,
  region?: string
): ProviderInfo => (region === undefined ? { id, capabilities: new Set(capabilities) } : {
  id,
  region,
  capabilities: new Set(capabilities)
})
