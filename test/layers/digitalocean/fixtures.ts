/**
 * DigitalOcean API v2 bodies exactly as the reference documents them, with
 * only ids, names, statuses and addresses as parameters. Used both by the
 * replay tests and by the fake server, so the two cannot drift apart.
 *
 * Source: the API reference https://docs.digitalocean.com/reference/api/api-reference/
 * generated from github.com/digitalocean/openapi; each builder names the
 * example it copies (paths under specification/resources/).
 */

// regions/responses/all_regions.yml (example) and droplets/responses/examples.yml (droplet.region)
export const region = (slug = "nyc3", name = "New York 3") => ({
  name,
  slug,
  features: ["private_networking", "backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"],
  available: true,
  sizes: [
    "s-1vcpu-1gb",
    "s-1vcpu-2gb",
    "s-1vcpu-3gb",
    "s-2vcpu-2gb",
    "s-3vcpu-1gb",
    "s-2vcpu-4gb",
    "s-4vcpu-8gb",
    "s-6vcpu-16gb",
    "s-8vcpu-32gb",
    "s-12vcpu-48gb",
    "s-16vcpu-64gb",
    "s-20vcpu-96gb",
    "s-24vcpu-128gb",
    "s-32vcpu-192g"
  ]
})

const regionSlugs = ["ams2", "ams3", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "sfo1", "sfo2", "sfo3", "sgp1", "tor1"]

// sizes/responses/all_sizes.yml (example)
export const size = (
  slug = "s-1vcpu-1gb",
  o: { memory?: number; vcpus?: number; disk?: number; transfer?: number; priceMonthly?: number; priceHourly?: number; available?: boolean } = {}
) => ({
  slug,
  memory: o.memory ?? 1024,
  vcpus: o.vcpus ?? 1,
  disk: o.disk ?? 25,
  transfer: o.transfer ?? 1.0,
  price_monthly: o.priceMonthly ?? 5.0,
  price_hourly: o.priceHourly ?? 0.00743999984115362,
  regions: regionSlugs,
  available: o.available ?? true,
  description: "Basic"
})

// droplets/responses/examples.yml (droplets_all[0].image), images/models/image.yml
export const image = (o: { id?: number; slug?: string | null; name?: string; type?: string } = {}) => ({
  id: o.id ?? 63663980,
  name: o.name ?? "20.04 (LTS) x64",
  distribution: "Ubuntu",
  slug: o.slug === undefined ? "ubuntu-20-04-x64" : o.slug,
  public: o.slug !== null,
  regions: regionSlugs,
  created_at: "2020-05-15T05:47:50Z",
  type: o.type ?? "snapshot",
  min_disk_size: 20,
  size_gigabytes: 2.36,
  description: "",
  tags: [],
  status: "available",
  error_message: ""
})

export interface DropletOptions {
  readonly id: number
  readonly name: string
  readonly status: string
  readonly locked?: boolean
  /** Omitted while the droplet is new: it has no addresses yet (droplet_create_response). */
  readonly publicIp?: string
  readonly privateIp?: string
  readonly ipv6?: string
  readonly size?: string
  readonly region?: string
  readonly image?: ReturnType<typeof image>
  readonly volumeIds?: ReadonlyArray<string>
  readonly tags?: ReadonlyArray<string>
  readonly createdAt?: string
}

// droplets/responses/examples.yml: droplet_single (networks) and droplet_create_response (empty networks while new)
export const droplet = (o: DropletOptions) => ({
  id: o.id,
  name: o.name,
  memory: 1024,
  vcpus: 1,
  disk: 25,
  locked: o.locked ?? false,
  status: o.status,
  kernel: null,
  created_at: o.createdAt ?? "2020-07-21T18:37:44Z",
  features: ["backups", "private_networking", "ipv6"],
  backup_ids: [],
  next_backup_window: null,
  snapshot_ids: [],
  image: o.image ?? image(),
  volume_ids: o.volumeIds ?? [],
  size: size(o.size ?? "s-1vcpu-1gb"),
  size_slug: o.size ?? "s-1vcpu-1gb",
  networks: {
    v4: [
      ...(o.privateIp === undefined ? [] : [{ ip_address: o.privateIp, netmask: "255.255.0.0", gateway: "nil", type: "private" }]),
      ...(o.publicIp === undefined ? [] : [{ ip_address: o.publicIp, netmask: "255.255.255.0", gateway: "192.241.165.1", type: "public" }])
    ],
    v6: o.ipv6 === undefined ? [] : [{ ip_address: o.ipv6, netmask: 64, gateway: "2604:a880:0:1010::1", type: "public" }]
  },
  region: region(o.region ?? "nyc3"),
  tags: o.tags ?? ["web", "env:prod"],
  vpc_uuid: "760e09ef-dc84-11e8-981e-3cfdfeaae000"
})

// droplets/responses/examples.yml (droplet_create_response.links)
export const createLinks = (actionId: number) => ({
  actions: [{ id: actionId, rel: "create", href: `https://api.digitalocean.com/v2/actions/${actionId}` }]
})

// droplets/responses/droplet_action.yml (an action just started)
export const action = (id: number, type: string, resourceId: number | string, resourceType = "droplet") => ({
  action: {
    id,
    status: "in-progress",
    type,
    started_at: "2020-11-14T16:29:21Z",
    completed_at: null,
    resource_id: resourceId,
    resource_type: resourceType,
    region: region(),
    region_slug: "nyc3"
  }
})

// ssh_keys/responses/all_keys.yml (example)
export const sshKey = (id: number, name: string, publicKey: string, fingerprint: string) => ({
  id,
  fingerprint,
  public_key: publicKey,
  name
})

// volumes/responses/examples.yml (volumes_all[0])
export const volume = (o: { id: string; name: string; sizeGb?: number; region?: string; dropletIds?: ReadonlyArray<number>; createdAt?: string }) => ({
  id: o.id,
  region: { ...region(o.region ?? "nyc1", o.region === undefined ? "New York 1" : `Region ${o.region}`), features: ["private_networking", "backups", "ipv6", "metadata"] },
  droplet_ids: o.dropletIds ?? [],
  name: o.name,
  description: "Block store for examples",
  size_gigabytes: o.sizeGb ?? 10,
  created_at: o.createdAt ?? "2016-03-02T17:00:49Z",
  filesystem_type: "ext4",
  filesystem_label: "example",
  tags: ["aninterestingtag"]
})

// volumes/responses/volumeSnapshots.yml (example)
export const snapshot = (o: { id: string; name: string; volumeId: string; minDiskSize?: number; region?: string }) => ({
  id: o.id,
  name: o.name,
  regions: [o.region ?? "nyc1"],
  created_at: "2020-09-30T18:56:12Z",
  resource_id: o.volumeId,
  resource_type: "volume",
  min_disk_size: o.minDiskSize ?? 10,
  size_gigabytes: 0,
  tags: null
})

/** A page: shared/pages.yml `links` (only the keys that make sense) + shared/meta.yml. */
export const page = <K extends string>(key: K, items: ReadonlyArray<unknown>, total: number, next?: string, last?: string) => ({
  [key]: items,
  links: next === undefined ? {} : { pages: { ...(last === undefined ? {} : { last }), next } },
  meta: { total }
})

/**
 * Error bodies: shared/description.md "HTTP Statuses" ({ id, message,
 * request_id? }) and its samples (403 forbidden, 429 too_many_requests).
 */
export const error = {
  unauthorized: { id: "unauthorized", message: "Unable to authenticate you." },
  forbidden: { id: "forbidden", message: "You do not have access for the attempted action." },
  notFound: { id: "not_found", message: "The resource you were accessing could not be found." },
  tooManyRequests: { id: "too_many_requests", message: "API Rate limit exceeded." },
  unprocessable: (message: string) => ({ id: "unprocessable_entity", message }),
  serverError: { id: "server_error", message: "Unexpected server-side error", request_id: "4d9d8375-3c56-4925-a3e7-eb137fed17e9" }
} as const
