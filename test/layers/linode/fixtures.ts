/**
 * Linode API v4 bodies exactly as the reference documents them, with only
 * ids, labels, statuses and addresses as parameters. Used by the replay
 * tests and the fake server alike.
 *
 * Source: https://techdocs.akamai.com/linode-api/reference/api, generated
 * from github.com/linode/linode-api-docs openapi.yaml; each builder names
 * the components/schemas entry whose `example` values it copies.
 */

// components/schemas/Linode
export const instance = (o: {
  id: number
  label: string
  status: string
  ipv4?: ReadonlyArray<string>
  ipv6?: string | null
  type?: string
  region?: string
  image?: string | null
}) => ({
  alerts: { cpu: 180, io: 10000, network_in: 10, network_out: 10, transfer_quota: 80 },
  backups: { available: true, enabled: true, last_successful: "2018-01-01T00:01:01", schedule: { day: "Saturday", window: "W22" } },
  created: "2018-01-01T00:01:01",
  group: "Linode-Group",
  hypervisor: "kvm",
  id: o.id,
  image: o.image === undefined ? "linode/debian10" : o.image,
  ipv4: o.ipv4 ?? ["203.0.113.1", "192.0.2.1"],
  ipv6: o.ipv6 === undefined ? "c001:d00d::1337/128" : o.ipv6,
  label: o.label,
  region: o.region ?? "us-east",
  specs: { disk: 81920, memory: 4096, vcpus: 2, gpus: 0, transfer: 4000 },
  status: o.status,
  tags: ["example tag", "another example"],
  type: o.type ?? "g6-standard-1",
  updated: "2018-01-01T00:01:01",
  watchdog_enabled: true
})

// components/schemas/LinodeType
export const type = (
  id = "g6-standard-2",
  o: { label?: string; memory?: number; vcpus?: number; disk?: number; transfer?: number; hourly?: number; monthly?: number; regionPrices?: ReadonlyArray<{ id: string; hourly: number; monthly: number }> } = {}
) => ({
  id,
  label: o.label ?? "Linode 4GB",
  disk: o.disk ?? 81920,
  class: "standard",
  price: { hourly: o.hourly ?? 0.03, monthly: o.monthly ?? 20 },
  region_prices: o.regionPrices ?? [{ id: "us-east", hourly: 0.036, monthly: 24 }],
  addons: {
    backups: {
      price: { hourly: 0.008, monthly: 5 },
      region_prices: [{ id: "us-east", hourly: 0.0096, monthly: 6 }]
    }
  },
  network_out: 1000,
  memory: o.memory ?? 4096,
  successor: null,
  transfer: o.transfer ?? 4000,
  vcpus: o.vcpus ?? 2,
  gpus: 0
})

// components/schemas/Region
export const region = (id = "us-east", label = "Newark, NJ, USA", country = "us") => ({
  id,
  label,
  country,
  capabilities: ["Linodes", "NodeBalancers", "Block Storage", "Object Storage"],
  status: "ok",
  resolvers: { ipv4: "192.0.2.0,192.0.2.1", ipv6: "2001:0db8::,2001:0db8::1" }
})

// components/schemas/Image
export const image = (id = "linode/debian11", label = "Debian 11") => ({
  id,
  label,
  description: "Example Image description.",
  created: "2021-08-14T22:44:02",
  created_by: "linode",
  deprecated: false,
  eol: "2026-07-01T04:00:00",
  expiry: null,
  is_public: true,
  size: 2500,
  status: "available",
  type: "manual",
  updated: "2021-08-14T22:44:02",
  vendor: "Debian",
  capabilities: [],
  tags: []
})

// components/schemas/SSHKey
export const sshKey = (id: number, label: string, key: string) => ({
  id,
  label,
  ssh_key: key,
  created: "2018-01-01T00:01:01"
})

// components/schemas/Volume
export const volume = (o: { id: number; label: string; status?: string; size?: number; region?: string; linodeId?: number | null }) => ({
  id: o.id,
  label: o.label,
  filesystem_path: `/dev/disk/by-id/scsi-0Linode_Volume_${o.label}`,
  status: o.status ?? "active",
  size: o.size ?? 30,
  region: o.region ?? "us-east",
  linode_id: o.linodeId ?? null,
  linode_label: o.linodeId === undefined || o.linodeId === null ? null : "linode123",
  created: "2018-01-01T00:01:01",
  updated: "2018-01-01T00:01:01",
  tags: ["example tag", "another example"],
  hardware_type: "nvme"
})

/** components/schemas/PaginationEnvelope: `{ data, page, pages, results }`. */
export const page = (data: ReadonlyArray<unknown>, pageNumber: number, pages: number, results: number) => ({ data, page: pageNumber, pages, results })

/** components/schemas/ErrorObject inside the documented `{ errors: [...] }` envelope. */
export const errors = (...items: ReadonlyArray<{ reason: string; field?: string }>) => ({ errors: items })

/** Introduction § "Response Status Codes" with typical reasons. */
export const error = {
  unauthorized: errors({ reason: "Invalid Token" }),
  forbidden: errors({ reason: "Unauthorized" }),
  notFound: errors({ reason: "Not found" }),
  tooManyRequests: errors({ reason: "Too Many Requests" }),
  busy: errors({ reason: "Linode busy." }),
  serverError: errors({ reason: "Please open a Support Ticket" })
} as const
