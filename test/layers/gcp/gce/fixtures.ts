/**
 * Compute Engine API v1 responses, shaped as the API reference documents
 * them (field names, nesting, string-encoded int64s, URL-valued references).
 * The replay tests and the fake server both build their answers here, so
 * the two cannot drift apart.
 */
export const PROJECT = "cloudfx-test"
export const ZONE = "us-central1-a"
export const REGION = "us-central1"
export const API = "https://www.googleapis.com/compute/v1"

export const projectUrl = (project = PROJECT) => `${API}/projects/${project}`
export const zoneUrl = (zone = ZONE) => `${projectUrl()}/zones/${zone}`
export const regionUrl = (region = REGION) => `${projectUrl()}/regions/${region}`

let nextId = 4_000_000_000_000_000_000n
/** uint64 ids are sent as decimal strings. */
export const newId = () => String(nextId++)

const stamp = (d = new Date("2025-01-15T09:30:00.000Z")) => d.toISOString().replace("Z", "-00:00")

// https://cloud.google.com/compute/docs/reference/rest/v1/instances (Instance)
export interface InstanceShape {
  readonly name: string
  readonly zone?: string
  readonly status?: string
  readonly machineType?: string
  readonly natIP?: string
  readonly networkIP?: string
  readonly disks?: ReadonlyArray<{ readonly deviceName: string; readonly source: string; readonly boot: boolean; readonly index: number }>
  readonly labels?: Record<string, string>
  readonly metadata?: ReadonlyArray<{ readonly key: string; readonly value: string }>
  readonly id?: string
}

export const instance = (i: InstanceShape) => {
  const zone = i.zone ?? ZONE
  return {
    kind: "compute#instance",
    id: i.id ?? "7052628577393522523",
    creationTimestamp: stamp(),
    name: i.name,
    tags: { fingerprint: "42WmSpB8rSM=" },
    machineType: `${zoneUrl(zone)}/machineTypes/${i.machineType ?? "e2-micro"}`,
    status: i.status ?? "RUNNING",
    zone: zoneUrl(zone),
    canIpForward: false,
    networkInterfaces: [{
      kind: "compute#networkInterface",
      network: `${projectUrl()}/global/networks/default`,
      subnetwork: `${regionUrl(zone.replace(/-[a-z]$/, ""))}/subnetworks/default`,
      networkIP: i.networkIP ?? "10.128.0.2",
      name: "nic0",
      accessConfigs: i.natIP === undefined
        ? [{ kind: "compute#accessConfig", type: "ONE_TO_ONE_NAT", name: "External NAT", networkTier: "PREMIUM" }]
        : [{ kind: "compute#accessConfig", type: "ONE_TO_ONE_NAT", name: "External NAT", natIP: i.natIP, networkTier: "PREMIUM" }],
      fingerprint: "ftCFg3jUx8w=",
      stackType: "IPV4_ONLY"
    }],
    disks: (i.disks ?? [{ deviceName: i.name, source: `${zoneUrl(zone)}/disks/${i.name}`, boot: true, index: 0 }]).map((d) => ({
      kind: "compute#attachedDisk",
      type: "PERSISTENT",
      mode: "READ_WRITE",
      source: d.source,
      deviceName: d.deviceName,
      index: d.index,
      boot: d.boot,
      autoDelete: d.boot,
      interface: "SCSI",
      diskSizeGb: "10"
    })),
    metadata: { kind: "compute#metadata", fingerprint: "uZ1-7aV8mcs=", ...(i.metadata === undefined ? {} : { items: i.metadata }) },
    selfLink: `${zoneUrl(zone)}/instances/${i.name}`,
    scheduling: { onHostMaintenance: "MIGRATE", automaticRestart: true, preemptible: false, provisioningModel: "STANDARD" },
    cpuPlatform: "Intel Broadwell",
    labelFingerprint: "42WmSpB8rSM=",
    ...(i.labels === undefined ? {} : { labels: i.labels }),
    startRestricted: false,
    deletionProtection: false,
    fingerprint: "mW7W0bhr5Ug=",
    lastStartTimestamp: stamp()
  }
}

// https://cloud.google.com/compute/docs/reference/rest/v1/instances/list (InstanceList)
export const instanceList = (items: ReadonlyArray<unknown>, nextPageToken?: string, zone = ZONE) => ({
  kind: "compute#instanceList",
  id: `projects/${PROJECT}/zones/${zone}/instances`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${zoneUrl(zone)}/instances`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList (InstanceAggregatedList)
export const instanceAggregatedList = (byZone: Record<string, ReadonlyArray<unknown>>, nextPageToken?: string) => ({
  kind: "compute#instanceAggregatedList",
  id: `projects/${PROJECT}/aggregated/instances`,
  items: Object.fromEntries(Object.entries(byZone).map(([zone, instances]) => [
    `zones/${zone}`,
    instances.length > 0 ? { instances } : {
      warning: {
        code: "NO_RESULTS_ON_PAGE",
        message: "There are no results for scope 'zones/" + zone + "' on this page.",
        data: [{ key: "scope", value: `zones/${zone}` }]
      }
    }
  ])),
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${projectUrl()}/aggregated/instances`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes (MachineType)
export const machineType = (name: string, guestCpus: number, memoryMb: number, options: { shared?: boolean; deprecated?: string; zone?: string } = {}) => ({
  kind: "compute#machineType",
  id: newId(),
  creationTimestamp: "1969-12-31T16:00:00.000-08:00",
  name,
  description: `${guestCpus} vCPUs, ${memoryMb / 1024} GB RAM`,
  guestCpus,
  memoryMb,
  maximumPersistentDisks: 128,
  maximumPersistentDisksSizeGb: "263168",
  zone: options.zone ?? ZONE,
  selfLink: `${zoneUrl(options.zone)}/machineTypes/${name}`,
  isSharedCpu: options.shared ?? false,
  ...(options.deprecated === undefined ? {} : { deprecated: { state: options.deprecated, replacement: `${zoneUrl(options.zone)}/machineTypes/e2-small` } }),
  architecture: "X86_64"
})

export const machineTypeList = (items: ReadonlyArray<unknown>, nextPageToken?: string, zone = ZONE) => ({
  kind: "compute#machineTypeList",
  id: `projects/${PROJECT}/zones/${zone}/machineTypes`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${zoneUrl(zone)}/machineTypes`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/images (Image)
export const image = (project: string, name: string, options: { family?: string; deprecated?: string; status?: string } = {}) => ({
  kind: "compute#image",
  id: newId(),
  creationTimestamp: "2024-01-09T16:03:12.345-08:00",
  name,
  description: `${name} image`,
  sourceType: "RAW",
  rawDisk: { source: "", containerType: "TAR" },
  status: options.status ?? "READY",
  archiveSizeBytes: "3051776512",
  diskSizeGb: "10",
  licenses: [`${API}/projects/${project}/global/licenses/${options.family ?? name}`],
  ...(options.family === undefined ? {} : { family: options.family }),
  selfLink: `${API}/projects/${project}/global/images/${name}`,
  labelFingerprint: "42WmSpB8rSM=",
  guestOsFeatures: [{ type: "UEFI_COMPATIBLE" }, { type: "VIRTIO_SCSI_MULTIQUEUE" }, { type: "GVNIC" }],
  storageLocations: ["us", "eu", "asia"],
  architecture: "X86_64",
  ...(options.deprecated === undefined ? {} : { deprecated: { state: options.deprecated, replacement: `${API}/projects/${project}/global/images/${name}-next` } })
})

export const imageList = (project: string, items: ReadonlyArray<unknown>, nextPageToken?: string) => ({
  kind: "compute#imageList",
  id: `projects/${project}/global/images`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${API}/projects/${project}/global/images`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/zones (Zone)
export const zone = (name: string, status = "UP") => ({
  kind: "compute#zone",
  id: newId(),
  creationTimestamp: "1969-12-31T16:00:00.000-08:00",
  name,
  description: name,
  status,
  region: regionUrl(name.replace(/-[a-z]$/, "")),
  selfLink: zoneUrl(name),
  availableCpuPlatforms: ["Intel Broadwell", "AMD Milan"],
  supportsPzs: false
})

export const zoneList = (items: ReadonlyArray<unknown>, nextPageToken?: string) => ({
  kind: "compute#zoneList",
  id: `projects/${PROJECT}/zones`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${projectUrl()}/zones`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/disks (Disk)
export interface DiskShape {
  readonly name: string
  readonly sizeGb: number
  readonly zone?: string
  readonly status?: string
  readonly users?: ReadonlyArray<string>
  readonly sourceSnapshot?: string
  readonly sourceImage?: string
  readonly id?: string
}

export const disk = (d: DiskShape) => ({
  kind: "compute#disk",
  id: d.id ?? "1450243339101398401",
  creationTimestamp: stamp(),
  name: d.name,
  sizeGb: String(d.sizeGb),
  zone: zoneUrl(d.zone),
  status: d.status ?? "READY",
  selfLink: `${zoneUrl(d.zone)}/disks/${d.name}`,
  ...(d.sourceImage === undefined ? {} : { sourceImage: d.sourceImage, sourceImageId: "2718281828459045235" }),
  ...(d.sourceSnapshot === undefined ? {} : { sourceSnapshot: `${projectUrl()}/global/snapshots/${d.sourceSnapshot}`, sourceSnapshotId: "3141592653589793238" }),
  type: `${zoneUrl(d.zone)}/diskTypes/pd-balanced`,
  ...(d.users === undefined || d.users.length === 0 ? {} : { users: d.users }),
  labelFingerprint: "42WmSpB8rSM=",
  physicalBlockSizeBytes: "4096",
  architecture: "X86_64"
})

export const diskList = (items: ReadonlyArray<unknown>, nextPageToken?: string, zone = ZONE) => ({
  kind: "compute#diskList",
  id: `projects/${PROJECT}/zones/${zone}/disks`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${zoneUrl(zone)}/disks`
})

export const diskAggregatedList = (byZone: Record<string, ReadonlyArray<unknown>>, nextPageToken?: string) => ({
  kind: "compute#diskAggregatedList",
  id: `projects/${PROJECT}/aggregated/disks`,
  items: Object.fromEntries(Object.entries(byZone).map(([zone, disks]) => [
    `zones/${zone}`,
    disks.length > 0 ? { disks } : {
      warning: { code: "NO_RESULTS_ON_PAGE", message: `There are no results for scope 'zones/${zone}' on this page.`, data: [{ key: "scope", value: `zones/${zone}` }] }
    }
  ])),
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${projectUrl()}/aggregated/disks`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/snapshots (Snapshot)
export const snapshot = (s: { name: string; sourceDisk: string; sourceDiskId: string; diskSizeGb: number; status?: string; id?: string }) => ({
  kind: "compute#snapshot",
  id: s.id ?? newId(),
  creationTimestamp: stamp(),
  name: s.name,
  status: s.status ?? "READY",
  sourceDisk: s.sourceDisk,
  sourceDiskId: s.sourceDiskId,
  diskSizeGb: String(s.diskSizeGb),
  storageBytes: "1036476416",
  storageBytesStatus: "UP_TO_DATE",
  selfLink: `${projectUrl()}/global/snapshots/${s.name}`,
  labelFingerprint: "42WmSpB8rSM=",
  storageLocations: ["us"],
  downloadBytes: "1036486862",
  snapshotType: "STANDARD",
  architecture: "X86_64"
})

export const snapshotList = (items: ReadonlyArray<unknown>, nextPageToken?: string) => ({
  kind: "compute#snapshotList",
  id: `projects/${PROJECT}/global/snapshots`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${projectUrl()}/global/snapshots`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/projects/get (Project)
export const project = (metadata: { fingerprint: string; items?: ReadonlyArray<{ key: string; value: string }> }) => ({
  kind: "compute#project",
  id: "4200987654321098765",
  creationTimestamp: "2023-03-01T02:03:04.567-08:00",
  name: PROJECT,
  commonInstanceMetadata: { kind: "compute#metadata", fingerprint: metadata.fingerprint, ...(metadata.items === undefined ? {} : { items: metadata.items }) },
  quotas: [{ metric: "CPUS_ALL_REGIONS", limit: 32, usage: 2 }],
  selfLink: projectUrl(),
  defaultServiceAccount: `123456789012-compute@developer.gserviceaccount.com`,
  xpnProjectStatus: "UNSPECIFIED_XPN_PROJECT_STATUS",
  defaultNetworkTier: "PREMIUM"
})

// https://cloud.google.com/compute/docs/reference/rest/v1/firewalls (Firewall)
export const firewall = (f: { name: string; allowed?: ReadonlyArray<{ IPProtocol: string; ports?: ReadonlyArray<string> }>; sourceRanges?: ReadonlyArray<string>; targetTags?: ReadonlyArray<string>; priority?: number }) => ({
  kind: "compute#firewall",
  id: newId(),
  creationTimestamp: stamp(),
  name: f.name,
  description: "",
  network: `${projectUrl()}/global/networks/default`,
  priority: f.priority ?? 1000,
  sourceRanges: f.sourceRanges ?? ["0.0.0.0/0"],
  ...(f.targetTags === undefined ? {} : { targetTags: f.targetTags }),
  allowed: f.allowed ?? [{ IPProtocol: "tcp", ports: ["22"] }],
  direction: "INGRESS",
  logConfig: { enable: false },
  disabled: false,
  selfLink: `${projectUrl()}/global/firewalls/${f.name}`
})

export const firewallList = (items: ReadonlyArray<unknown>, nextPageToken?: string) => ({
  kind: "compute#firewallList",
  id: `projects/${PROJECT}/global/firewalls`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${projectUrl()}/global/firewalls`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/addresses (Address)
export const address = (a: { name: string; address: string; status?: string; users?: ReadonlyArray<string>; region?: string }) => ({
  kind: "compute#address",
  id: newId(),
  creationTimestamp: stamp(),
  name: a.name,
  description: "",
  address: a.address,
  status: a.status ?? "RESERVED",
  region: regionUrl(a.region),
  selfLink: `${regionUrl(a.region)}/addresses/${a.name}`,
  ...(a.users === undefined || a.users.length === 0 ? {} : { users: a.users }),
  networkTier: "PREMIUM",
  labelFingerprint: "42WmSpB8rSM=",
  addressType: "EXTERNAL"
})

export const addressList = (items: ReadonlyArray<unknown>, nextPageToken?: string, region = REGION) => ({
  kind: "compute#addressList",
  id: `projects/${PROJECT}/regions/${region}/addresses`,
  items,
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
  selfLink: `${regionUrl(region)}/addresses`
})

// https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations (Operation)
export interface OperationShape {
  readonly name: string
  readonly status: "PENDING" | "RUNNING" | "DONE"
  readonly operationType: string
  readonly targetLink: string
  readonly scope: { readonly zone: string } | { readonly region: string } | "global"
  readonly error?: { readonly code: string; readonly message: string }
  readonly httpErrorStatusCode?: number
  readonly httpErrorMessage?: string
  readonly requestId?: string
}

export const operation = (o: OperationShape) => {
  const scopeUrl = o.scope === "global" ? `${projectUrl()}/global` : "zone" in o.scope ? zoneUrl(o.scope.zone) : regionUrl(o.scope.region)
  return {
    kind: "compute#operation",
    id: "1234567890123456789",
    name: o.name,
    ...(o.scope === "global" ? {} : "zone" in o.scope ? { zone: zoneUrl(o.scope.zone) } : { region: regionUrl(o.scope.region) }),
    ...(o.requestId === undefined ? {} : { clientOperationId: o.requestId }),
    operationType: o.operationType,
    targetLink: o.targetLink,
    targetId: "7052628577393522523",
    status: o.status,
    user: "robot@cloudfx-test.iam.gserviceaccount.com",
    progress: o.status === "DONE" ? 100 : 0,
    insertTime: stamp(),
    ...(o.status === "PENDING" ? {} : { startTime: stamp() }),
    ...(o.status === "DONE" ? { endTime: stamp() } : {}),
    ...(o.error === undefined ? {} : { error: { errors: [{ code: o.error.code, message: o.error.message }] } }),
    ...(o.httpErrorStatusCode === undefined ? {} : { httpErrorStatusCode: o.httpErrorStatusCode, httpErrorMessage: o.httpErrorMessage ?? "" }),
    selfLink: `${scopeUrl}/operations/${o.name}`
  }
}

// https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses#handling_api_errors
// The JSON error body of every Google API (https://cloud.google.com/apis/design/errors#http_mapping).
export const errorBody = (code: number, reason: string, message: string, domain = "global", extra: Record<string, unknown> = {}) => ({
  error: {
    code,
    message,
    errors: [{ message, domain, reason, ...extra }]
  }
})

export const errors = {
  notFound: (path: string) => errorBody(404, "notFound", `The resource '${path}' was not found`),
  alreadyExists: (path: string) => errorBody(409, "alreadyExists", `The resource '${path}' already exists`),
  unauthorized: () => ({
    error: {
      code: 401,
      message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
      errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }],
      status: "UNAUTHENTICATED"
    }
  }),
  quotaExceeded: () => errorBody(403, "quotaExceeded", "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.", "usageLimits"),
  rateLimit403: () => errorBody(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
  rateLimit429: () => ({
    error: {
      code: 429,
      message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:123456789012'.",
      errors: [{
        message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:123456789012'.",
        domain: "global",
        reason: "rateLimitExceeded"
      }],
      status: "RESOURCE_EXHAUSTED"
    }
  }),
  invalid: (field: string, value: string) =>
    errorBody(400, "invalid", `Invalid value for field '${field}': '${value}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`),
  forbidden: (permission: string, path: string) =>
    errorBody(403, "forbidden", `Required '${permission}' permission for '${path}'`),
  notReady: (path: string) => errorBody(400, "resourceNotReady", `The resource '${path}' is not ready`),
  inUse: (disk: string, by: string) => errorBody(400, "resourceInUseByAnotherResource", `The disk resource '${disk}' is already being used by '${by}'`),
  fingerprint: () => errorBody(412, "conditionNotMet", "Supplied fingerprint does not match current metadata fingerprint.", "global", { location: "If-Match", locationType: "header" })
} as const
