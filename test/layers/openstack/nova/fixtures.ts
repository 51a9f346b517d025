/**
 * OpenStack bodies exactly as the API references show them. Each builder
 * starts from the reference's example and changes only ids, names and
 * states; the source is named beside each one.
 */

// https://docs.openstack.org/api-ref/compute/#list-servers-detailed
// (nova doc/api_samples/servers/servers-details-resp.json, with the
// OS-EXT-AZ / OS-EXT-STS fields of the same page's response parameters)
export const server = (o: {
  readonly id?: string
  readonly name?: string
  readonly status?: string
  readonly taskState?: string | null
  readonly flavor?: string
  readonly image?: string
  readonly zone?: string
  readonly keyName?: string | null
  readonly created?: string
  readonly addresses?: Record<string, ReadonlyArray<unknown>>
  readonly accessIPv4?: string
} = {}) => ({
  "OS-DCF:diskConfig": "AUTO",
  "OS-EXT-AZ:availability_zone": o.zone ?? "nova",
  "OS-EXT-STS:power_state": o.status === "ACTIVE" ? 1 : 0,
  "OS-EXT-STS:task_state": o.taskState ?? null,
  "OS-EXT-STS:vm_state": o.status === "SHUTOFF" ? "stopped" : o.status === "BUILD" ? "building" : "active",
  accessIPv4: o.accessIPv4 ?? "",
  accessIPv6: "",
  addresses: o.addresses ?? {
    private: [{ addr: "192.168.0.3", "OS-EXT-IPS-MAC:mac_addr": "aa:bb:cc:dd:ee:ff", "OS-EXT-IPS:type": "fixed", version: 4 }]
  },
  created: o.created ?? "2013-09-03T04:01:32Z",
  flavor: { id: o.flavor ?? "1", links: [{ href: `http://openstack.example.com/6f70656e737461636b20342065766572/flavors/${o.flavor ?? "1"}`, rel: "bookmark" }] },
  hostId: "bcf92836fc9ed4203a75cb0337afc7f917d2be504164b995c2334b25",
  id: o.id ?? "f5dc173b-6804-445a-a6d8-c705dad5b5eb",
  image: {
    id: o.image ?? "70a599e0-31e7-49b7-b260-868f441e862b",
    links: [{ href: "http://openstack.example.com/6f70656e737461636b20342065766572/images/70a599e0-31e7-49b7-b260-868f441e862b", rel: "bookmark" }]
  },
  key_name: o.keyName ?? null,
  links: [{ href: `http://openstack.example.com/v2/6f70656e737461636b20342065766572/servers/${o.id ?? "f5dc173b-6804-445a-a6d8-c705dad5b5eb"}`, rel: "self" }],
  metadata: { "My Server Name": "Apache1" },
  name: o.name ?? "new-server-test",
  progress: 0,
  status: o.status ?? "ACTIVE",
  tenant_id: "6f70656e737461636b20342065766572",
  updated: "2013-09-03T04:01:32Z",
  user_id: "fake"
})

/** A fixed address on "private" and, once the server runs, a floating one (OS-EXT-IPS:type "floating"). */
export const addresses = (fixed: string, floating?: string) => ({
  private: [
    { addr: fixed, "OS-EXT-IPS-MAC:mac_addr": "aa:bb:cc:dd:ee:ff", "OS-EXT-IPS:type": "fixed", version: 4 },
    ...(floating === undefined ? [] : [{ addr: floating, "OS-EXT-IPS-MAC:mac_addr": "aa:bb:cc:dd:ee:ff", "OS-EXT-IPS:type": "floating", version: 4 }])
  ]
})

// https://docs.openstack.org/api-ref/compute/#create-server (nova doc/api_samples/servers/server-create-resp.json)
export const createdServer = (id: string, origin = "http://openstack.example.com") => ({
  server: {
    "OS-DCF:diskConfig": "AUTO",
    adminPass: "6NpUwoz2QDRN",
    id,
    links: [
      { href: `${origin}/v2/openstack/servers/${id}`, rel: "self" },
      { href: `${origin}/openstack/servers/${id}`, rel: "bookmark" }
    ],
    security_groups: [{ name: "default" }]
  }
})

// https://docs.openstack.org/api-ref/compute/#list-flavors-with-details (nova doc/api_samples/flavors/flavors-detail-resp.json)
const flavor = (id: string, name: string, ram: number, vcpus: number, disk: number) => ({
  "OS-FLV-DISABLED:disabled": false,
  disk,
  "OS-FLV-EXT-DATA:ephemeral": 0,
  "os-flavor-access:is_public": true,
  id,
  links: [
    { href: `http://openstack.example.com/v2/6f70656e737461636b20342065766572/flavors/${id}`, rel: "self" },
    { href: `http://openstack.example.com/6f70656e737461636b20342065766572/flavors/${id}`, rel: "bookmark" }
  ],
  name,
  ram,
  swap: "",
  vcpus,
  rxtx_factor: 1.0
})
export const flavors = [
  flavor("1", "m1.tiny", 512, 1, 1),
  flavor("2", "m1.small", 2048, 1, 20),
  flavor("3", "m1.medium", 4096, 2, 40)
]

// https://docs.openstack.org/api-ref/compute/#get-availability-zone-information
export const availabilityZones = {
  availabilityZoneInfo: [{ hosts: null, zoneName: "nova", zoneState: { available: true } }]
}

// https://docs.openstack.org/api-ref/compute/#list-keypairs (nova doc/api_samples/os-keypairs/v2.35/keypairs-list-resp.json)
export const keypair = (o: { readonly name: string; readonly publicKey: string; readonly fingerprint: string }) => ({
  fingerprint: o.fingerprint,
  name: o.name,
  type: "ssh",
  public_key: o.publicKey
})

// https://docs.openstack.org/api-ref/image/v2/#list-images (glance api-ref/source/v2/samples/images-list-response.json)
const glanceImage = (id: string, name: string, created: string) => ({
  status: "active",
  name,
  tags: [],
  container_format: "bare",
  created_at: created,
  disk_format: "qcow2",
  updated_at: created,
  visibility: "public",
  self: `/v2/images/${id}`,
  min_disk: 0,
  protected: false,
  id,
  file: `/v2/images/${id}/file`,
  checksum: "64d7c1cd2b6f60c92c14662941cb7913",
  os_hash_algo: "sha512",
  os_hash_value: "073b4523583784fbe01daff81eba092a262ec37ba6d04dd3f52e4cd5c93eb8258af44881345ecda0e49f3d8cc6d2df6b050ff3e72681d723234aff9d17d0cf09",
  owner: "5ef70662f8b34079a6eddb8da9d75fe8",
  size: 13167616,
  min_ram: 0,
  schema: "/v2/schemas/image",
  virtual_size: null
})
export const images = [
  glanceImage("1bea47ed-f6a9-463b-b423-14b9cca9ad27", "cirros-0.3.2-x86_64-disk", "2014-11-07T17:07:06Z"),
  glanceImage("781b3762-9469-4cec-b58d-3349e5de4e9c", "F17-x86_64-cfntools", "2014-10-30T08:23:39Z"),
  glanceImage("70a599e0-31e7-49b7-b260-868f441e862b", "ubuntu-22.04", "2014-10-30T08:23:39Z")
]

// https://docs.openstack.org/api-ref/block-storage/v3/#list-accessible-volumes-with-details
// (cinder api-ref/source/v3/samples/volumes-list-detailed-response.json)
export const volume = (o: {
  readonly id: string
  readonly name: string
  readonly size: number
  readonly status: string
  readonly zone?: string
  readonly snapshotId?: string | null
  readonly created?: string
  readonly attachments?: ReadonlyArray<{ readonly serverId: string; readonly volumeId: string; readonly device: string }>
  readonly origin?: string
  readonly project?: string
}) => {
  const base = `${o.origin ?? "http://23.253.248.171:8776"}`
  const project = o.project ?? "bab7d5c60cd041a0a36f7c4b6e1dd978"
  return {
    migration_status: null,
    attachments: (o.attachments ?? []).map((a) => ({
      server_id: a.serverId,
      attachment_id: "3b4db356-253d-4fab-bfa0-e3626c0b8405",
      host_name: null,
      volume_id: a.volumeId,
      device: a.device,
      id: a.volumeId
    })),
    links: [
      { href: `${base}/v3/${project}/volumes/${o.id}`, rel: "self" },
      { href: `${base}/${project}/volumes/${o.id}`, rel: "bookmark" }
    ],
    availability_zone: o.zone ?? "nova",
    "os-vol-host-attr:host": "difleming@lvmdriver-1#lvmdriver-1",
    encrypted: false,
    replication_status: "disabled",
    snapshot_id: o.snapshotId ?? null,
    id: o.id,
    size: o.size,
    user_id: "32779452fcd34ae1a53a797ac8a1e064",
    "os-vol-tenant-attr:tenant_id": project,
    metadata: {},
    status: o.status,
    description: null,
    multiattach: false,
    source_volid: null,
    consistencygroup_id: null,
    name: o.name,
    bootable: "false",
    created_at: o.created ?? "2015-11-29T03:01:44.000000",
    volume_type: "lvmdriver-1"
  }
}

// https://docs.openstack.org/api-ref/block-storage/v3/#list-snapshots-and-details
// (cinder api-ref/source/v3/samples/snapshots-list-detailed-response.json)
export const snapshot = (o: { readonly id: string; readonly name: string | null; readonly volumeId: string; readonly size: number; readonly status: string }) => ({
  status: o.status,
  metadata: {},
  "os-extended-snapshot-attributes:progress": o.status === "available" ? "100%" : "0%",
  name: o.name,
  user_id: "40c2102f4a554b848d96b14f3eec39ed",
  volume_id: o.volumeId,
  "os-extended-snapshot-attributes:project_id": "bab7d5c60cd041a0a36f7c4b6e1dd978",
  created_at: "2015-11-29T02:25:51.000000",
  size: o.size,
  id: o.id,
  description: null
})

// https://docs.openstack.org/api-ref/network/v2/#floating-ips-floatingips
// (neutron-lib api-ref/source/v2/samples/floatingips/floatingip-create-response.json)
export const floatingIp = (o: { readonly portId?: string | null; readonly fixedIp?: string | null; readonly deviceId?: string } = {}) => ({
  fixed_ip_address: o.fixedIp === undefined ? "10.0.0.3" : o.fixedIp,
  floating_ip_address: "172.24.4.228",
  floating_network_id: "376da547-b977-4cfe-9cba-275c80debf57",
  id: "2f245a7b-796b-4f26-9cf9-9e82d248fda7",
  port_id: o.portId === undefined ? "ce705c24-c1ef-408a-bda3-7bbd946164ab" : o.portId,
  router_id: "d23abc8d-2991-4a55-ba98-2aaea84cc72f",
  status: "ACTIVE",
  project_id: "4969c491a3c74ee4af974e6d800c62de",
  tenant_id: "4969c491a3c74ee4af974e6d800c62de",
  description: "floating ip for testing",
  dns_domain: "my-domain.org.",
  dns_name: "myfip",
  created_at: "2016-12-21T01:36:04Z",
  updated_at: "2016-12-21T01:36:04Z",
  revision_number: 1,
  ...(o.portId === null ? {} : {
    port_details: {
      status: "ACTIVE",
      name: "",
      admin_state_up: true,
      network_id: "02dd8479-ef26-4398-a102-d19d0a7b3a1f",
      device_owner: "compute:nova",
      mac_address: "fa:16:3e:b1:3b:30",
      device_id: o.deviceId ?? "8e3941b4-a6e9-499f-a1ac-2a4662025cba"
    }
  }),
  tags: ["tag1,tag2"]
})

// https://docs.openstack.org/api-ref/network/v2/#list-ports (neutron-lib api-ref/source/v2/samples/ports/ports-list-response.json, trimmed)
export const port = (o: { readonly id: string; readonly deviceId: string; readonly ip: string }) => ({
  admin_state_up: true,
  device_id: o.deviceId,
  device_owner: "compute:nova",
  fixed_ips: [{ ip_address: o.ip, subnet_id: "a0304c3a-4f08-4c43-88af-d796509c97d2" }],
  id: o.id,
  mac_address: "fa:16:3e:58:42:ed",
  name: "",
  network_id: "70c1db1f-b701-45bd-96e0-a313ee3430b3",
  project_id: "",
  status: "ACTIVE",
  tenant_id: ""
})

/** Nova's synchronous fault body (https://docs.openstack.org/api-guide/compute/faults.html). */
export const fault = (name: string, code: number, message: string) => ({ [name]: { code, message } })
