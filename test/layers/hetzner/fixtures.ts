/**
 * Hetzner Cloud API v1 bodies exactly as the reference documents them, with
 * only ids, names, statuses, addresses and prices as parameters. Used by the
 * replay tests and the fake server alike.
 *
 * Source: https://docs.hetzner.cloud/reference/cloud — the example responses
 * of "Get a Server" (server), "Get a Server Type", "Get an Image", "Get a
 * Location", "Get an SSH key", "Get a Volume", "Get an Action", the
 * "Pagination" and "Errors" sections. Field names cross-checked with
 * github.com/hetznercloud/hcloud-go hcloud/schema.
 */

// "Get a Location"
export const location = (name = "fsn1", o: { id?: number; city?: string; country?: string; description?: string; zone?: string } = {}) => ({
  city: o.city ?? "Falkenstein",
  country: o.country ?? "DE",
  description: o.description ?? "Falkenstein DC Park 1",
  id: o.id ?? 1,
  latitude: 50.47612,
  longitude: 12.370071,
  name,
  network_zone: o.zone ?? "eu-central"
})

// "Get a Server Type"
export const serverType = (
  name = "cx22",
  o: { id?: number; cores?: number; memory?: number; disk?: number; prices?: ReadonlyArray<{ location: string; hourlyNet: string; hourlyGross: string; monthlyNet: string; monthlyGross: string; traffic?: number }> } = {}
) => ({
  architecture: "x86",
  cores: o.cores ?? 2,
  cpu_type: "shared",
  deprecated: false,
  deprecation: null,
  description: name.toUpperCase(),
  disk: o.disk ?? 40,
  id: o.id ?? 1,
  memory: o.memory ?? 4,
  name,
  prices: (o.prices ?? [{ location: "fsn1", hourlyNet: "1.0000", hourlyGross: "1.1900", monthlyNet: "1.0000", monthlyGross: "1.1900" }]).map((p) => ({
    included_traffic: p.traffic ?? 654321,
    location: p.location,
    price_hourly: { gross: p.hourlyGross, net: p.hourlyNet },
    price_monthly: { gross: p.monthlyGross, net: p.monthlyNet },
    price_per_tb_traffic: { gross: "1.1900", net: "1.0000" }
  })),
  storage_type: "local"
})

// "Get an Image"
export const image = (o: { id?: number; name?: string | null; type?: string; architecture?: string } = {}) => ({
  architecture: o.architecture ?? "x86",
  bound_to: null,
  created: "2016-01-30T23:55:00+00:00",
  created_from: { id: 1, name: "Server" },
  deleted: null,
  deprecated: null,
  description: "Ubuntu 20.04 Standard 64 bit",
  disk_size: 10,
  id: o.id ?? 42,
  image_size: 2.3,
  labels: {},
  name: o.name === undefined ? "ubuntu-20.04" : o.name,
  os_flavor: "ubuntu",
  os_version: "20.04",
  protection: { delete: false },
  rapid_deploy: false,
  status: "available",
  type: o.type ?? "system"
})

// "Get a Server"
export const server = (o: {
  id: number
  name: string
  status: string
  ipv4?: string | null
  privateIp?: string
  serverType?: ReturnType<typeof serverType>
  location?: ReturnType<typeof location>
  image?: ReturnType<typeof image> | null
  volumes?: ReadonlyArray<number>
}) => ({
  backup_window: "22-02",
  created: "2016-01-30T23:55:00+00:00",
  datacenter: {
    description: "Falkenstein DC Park 8",
    id: 42,
    location: o.location ?? location(),
    name: `${(o.location ?? location()).name}-dc8`,
    server_types: { available: [1, 2, 3], available_for_migration: [1, 2, 3], supported: [1, 2, 3] }
  },
  id: o.id,
  image: o.image === undefined ? image() : o.image,
  included_traffic: 654321,
  ingoing_traffic: 123456,
  iso: null,
  labels: { environment: "prod" },
  load_balancers: [],
  locked: false,
  name: o.name,
  outgoing_traffic: 123456,
  placement_group: null,
  primary_disk_size: 50,
  private_net: o.privateIp === undefined ? [] : [{ alias_ips: [], ip: o.privateIp, mac_address: "86:00:ff:2a:7d:e1", network: 4711 }],
  protection: { delete: false, rebuild: false },
  public_net: {
    firewalls: [{ id: 42, status: "applied" }],
    floating_ips: [],
    ipv4: o.ipv4 === null ? null : { blocked: false, dns_ptr: "server01.example.com", id: 42, ip: o.ipv4 ?? "1.2.3.4" },
    ipv6: { blocked: false, dns_ptr: [{ dns_ptr: "server.example.com", ip: "2001:db8::1" }], id: 42, ip: "2001:db8::/64" }
  },
  rescue_enabled: false,
  server_type: o.serverType ?? serverType(),
  status: o.status,
  volumes: o.volumes ?? []
})

// "Get an Action"
export const action = (id: number, command: string, resource: { id: number; type: string }, status = "running") => ({
  command,
  error: null,
  finished: null,
  id,
  progress: 0,
  resources: [resource],
  started: "2016-01-30T23:55:00+00:00",
  status
})

// "Create a Server" response: the server, its action, what follows, and a root password when no key was given.
export const createdServer = (s: ReturnType<typeof server>, rootPassword: string | null) => ({
  action: action(1, "create_server", { id: s.id, type: "server" }),
  next_actions: [action(2, "start_server", { id: s.id, type: "server" })],
  root_password: rootPassword,
  server: s
})

// "Get an SSH key"
export const sshKey = (id: number, name: string, publicKey: string, fingerprint: string) => ({
  created: "2016-01-30T23:55:00+00:00",
  fingerprint,
  id,
  labels: {},
  name,
  public_key: publicKey
})

// "Get a Volume"
export const volume = (o: { id: number; name: string; server?: number | null; status?: string; size?: number; location?: ReturnType<typeof location> }) => ({
  created: "2016-01-30T23:55:00+00:00",
  format: "xfs",
  id: o.id,
  labels: {},
  linux_device: `/dev/disk/by-id/scsi-0HC_Volume_${o.id}`,
  location: o.location ?? location(),
  name: o.name,
  protection: { delete: false },
  server: o.server ?? null,
  size: o.size ?? 42,
  status: o.status ?? "available"
})

/** "Pagination": `meta.pagination`. */
export const page = <K extends string>(key: K, items: ReadonlyArray<unknown>, pageNumber: number, lastPage: number, perPage: number, total: number) => ({
  [key]: items,
  meta: {
    pagination: {
      last_page: lastPage,
      next_page: pageNumber < lastPage ? pageNumber + 1 : null,
      page: pageNumber,
      per_page: perPage,
      previous_page: pageNumber > 1 ? pageNumber - 1 : null,
      total_entries: total
    }
  }
})

/** "Errors": `{ error: { code, message, details } }`. */
export const error = (code: string, message: string, details: unknown = null) => ({ error: { code, message, details } })

export const errors = {
  unauthorized: error("unauthorized", "unable to authenticate"),
  forbidden: error("forbidden", "insufficient permissions for this request"),
  notFound: error("not_found", "resource not found"),
  rateLimited: error("rate_limit_exceeded", "limit of 3600 requests per hour reached"),
  quota: error("resource_limit_exceeded", "server limit reached", { limits: [{ name: "server_limit" }] }),
  locked: error("locked", "server is locked"),
  invalid: (field: string, message: string) => error("invalid_input", `invalid input in field '${field}': ${message}`, { fields: [{ name: field, messages: [message] }] }),
  uniqueness: (field: string, message: string) => error("uniqueness_error", message, { fields: [{ name: field }] }),
  serverError: error("server_error", "internal server error")
} as const
