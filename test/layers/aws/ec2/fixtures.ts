/**
 * EC2 Query API responses shaped exactly as the API reference documents them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/), each beside the
 * page it comes from. The documented samples are kept verbatim where a test
 * uses them as they are; the builders below fill the same documented
 * elements, in the documented order, with other values. The replay tests and
 * the fake server both answer through these, so the two cannot drift apart.
 */

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const el = (name: string, value: string | number | boolean | undefined): string =>
  value === undefined || value === "" ? `<${name}/>` : `<${name}>${esc(String(value))}</${name}>`

const set = (name: string, items: ReadonlyArray<string>): string =>
  items.length === 0 ? `<${name}/>` : `<${name}>${items.map((i) => `<item>${i}</item>`).join("")}</${name}>`

const doc = (root: string, body: string, requestId = "59dbff89-35bd-4eac-99ed-be587EXAMPLE") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}"><requestId>${requestId}</requestId>${body}</${root}>`

const tags = (t: Readonly<Record<string, string>>) => set("tagSet", Object.entries(t).map(([k, v]) => el("key", k) + el("value", v)))

// ---------------------------------------------------------------- errors

/**
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html#api-error-response
 * <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>
 */
export const error = (code: string, message: string, requestId = "ea966190-f9aa-478e-9ede-example") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`

/** The status EC2 sends each error code with (errors-overview: client errors 4xx, server errors 5xx). */
export const errorStatus = (code: string): number =>
  code === "AuthFailure" ? 401 : code === "UnauthorizedOperation" ? 403 : code === "RequestLimitExceeded" || code === "Unavailable" ? 503 : code === "InternalError" ? 500 : 400

// ---------------------------------------------------------------- instances

/**
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html, Example 2
 * (the documented sample, verbatim).
 */
export const describeInstancesSample = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <dnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</dnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName/>
                        <tenancy>default</tenancy>
                    </placement>
                    <monitoring>
                        <state>disabled</state>
                    </monitoring>
                    <subnetId>subnet-56f5f633</subnetId>
                    <vpcId>vpc-11112222</vpcId>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <ipAddress>54.194.252.215</ipAddress>
                    <sourceDestCheck>true</sourceDestCheck>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076980</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <architecture>x86_64</architecture>
                    <rootDeviceType>ebs</rootDeviceType>
                    <rootDeviceName>/dev/xvda</rootDeviceName>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <attachTime>2015-12-22T10:44:09.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <virtualizationType>hvm</virtualizationType>
                    <clientToken>xMcwG14507example</clientToken>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>Server_1</value>
                        </item>
                    </tagSet>
                    <hypervisor>xen</hypervisor>
                    <networkInterfaceSet>
                        <item>
                            <networkInterfaceId>eni-551ba033</networkInterfaceId>
                            <subnetId>subnet-56f5f633</subnetId>
                            <vpcId>vpc-11112222</vpcId>
                            <description>Primary network interface</description>
                            <ownerId>123456789012</ownerId>
                            <status>in-use</status>
                            <macAddress>02:dd:2c:5e:01:69</macAddress>
                            <privateIpAddress>192.168.1.88</privateIpAddress>
                            <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                            <sourceDestCheck>true</sourceDestCheck>
                            <groupSet>
                                <item>
                                    <groupId>sg-e4076980</groupId>
                                    <groupName>SecurityGroup1</groupName>
                                </item>
                            </groupSet>
                            <attachment>
                                <attachmentId>eni-attach-39697adc</attachmentId>
                                <deviceIndex>0</deviceIndex>
                                <status>attached</status>
                                <attachTime>2018-05-08T16:46:19.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </attachment>
                            <association>
                                <publicIp>54.194.252.215</publicIp>
                                <publicDnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</publicDnsName>
                                <ipOwnerId>amazon</ipOwnerId>
                            </association>
                            <privateIpAddressesSet>
                                <item>
                                    <privateIpAddress>192.168.1.88</privateIpAddress>
                                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                                    <primary>true</primary>
                                    <association>
                                    <publicIp>54.194.252.215</publicIp>
                                    <publicDnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</publicDnsName>
                                    <ipOwnerId>amazon</ipOwnerId>
                                    </association>
                                </item>
                            </privateIpAddressesSet>
                            <ipv6AddressesSet>
                               <item>
                                   <ipv6Address>2001:db8:1234:1a2b::123</ipv6Address>
                               </item>
                           </ipv6AddressesSet>
                        </item>
                    </networkInterfaceSet>
                    <iamInstanceProfile>
                        <arn>arn:aws:iam::123456789012:instance-profile/AdminRole</arn>
                        <id>ABCAJEDNCAA64SSD123AB</id>
                    </iamInstanceProfile>
                    <ebsOptimized>false</ebsOptimized>
                    <cpuOptions>
                        <coreCount>1</coreCount>
                        <threadsPerCore>1</threadsPerCore>
                    </cpuOptions>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
</DescribeInstancesResponse>`

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html */
export const stateCodes: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80
}

export interface InstanceFields {
  readonly id: string
  readonly image: string
  readonly state: string
  readonly type: string
  readonly zone: string
  readonly launchTime: string
  readonly privateIp?: string
  readonly publicIp?: string
  readonly keyName?: string
  readonly clientToken?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly devices?: ReadonlyArray<{ readonly device: string; readonly volumeId: string }>
  readonly reason?: string
}

/** One `instancesSet` item: the elements of the DescribeInstances sample above, in its order. */
export const instanceItem = (i: InstanceFields): string => {
  const dns = (ip: string | undefined, suffix: string) => (ip === undefined ? "" : `ip-${ip.replace(/\./g, "-")}.${suffix}`)
  return [
    el("instanceId", i.id),
    el("imageId", i.image),
    `<instanceState>${el("code", stateCodes[i.state] ?? 0)}${el("name", i.state)}</instanceState>`,
    el("privateDnsName", dns(i.privateIp, "ec2.internal")),
    el("dnsName", i.publicIp === undefined ? "" : `ec2-${i.publicIp.replace(/\./g, "-")}.compute-1.amazonaws.com`),
    el("reason", i.reason),
    el("keyName", i.keyName),
    el("amiLaunchIndex", 0),
    "<productCodes/>",
    el("instanceType", i.type),
    el("launchTime", i.launchTime),
    `<placement>${el("availabilityZone", i.zone)}<groupName/>${el("tenancy", "default")}</placement>`,
    `<monitoring>${el("state", "disabled")}</monitoring>`,
    el("subnetId", "subnet-56f5f633"),
    el("vpcId", "vpc-11112222"),
    ...(i.privateIp === undefined ? [] : [el("privateIpAddress", i.privateIp)]),
    ...(i.publicIp === undefined ? [] : [el("ipAddress", i.publicIp)]),
    el("sourceDestCheck", true),
    set("groupSet", [el("groupId", "sg-e4076980") + el("groupName", "SecurityGroup1")]),
    el("architecture", "x86_64"),
    el("rootDeviceType", "ebs"),
    el("rootDeviceName", "/dev/xvda"),
    set(
      "blockDeviceMapping",
      (i.devices ?? []).map((d) =>
        el("deviceName", d.device) +
        `<ebs>${el("volumeId", d.volumeId)}${el("status", "attached")}${el("attachTime", i.launchTime)}${el("deleteOnTermination", d.device === "/dev/xvda")}</ebs>`
      )
    ),
    el("virtualizationType", "hvm"),
    el("clientToken", i.clientToken),
    tags(i.tags ?? {}),
    el("hypervisor", "xen"),
    `<ebsOptimized>false</ebsOptimized>`
  ].join("")
}

export const describeInstances = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc(
    "DescribeInstancesResponse",
    (items.length === 0
      ? "<reservationSet/>"
      : `<reservationSet>${
        items.map((item, n) =>
          `<item>${el("reservationId", `r-${(n + 1).toString(16).padStart(17, "0")}`)}${el("ownerId", "123456789012")}<groupSet/><instancesSet><item>${item}</item></instancesSet></item>`
        ).join("")
      }</reservationSet>`) + (nextToken === undefined ? "" : el("nextToken", nextToken)),
    "8f7724cf-496f-496e-8fe3-example"
  )

/**
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html — the
 * response is one Reservation (reservationId, ownerId, groupSet, instancesSet).
 */
export const runInstances = (item: string, reservationId = "r-0bec6ac3e4example") =>
  doc(
    "RunInstancesResponse",
    `${el("reservationId", reservationId)}${el("ownerId", "123456789012")}<groupSet/><instancesSet><item>${item}</item></instancesSet>`,
    "64af3d38-0e4e-4a4b-8b63-bcc8example"
  )

/**
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StopInstances.html (sample), and the
 * same InstanceStateChange list for StartInstances and TerminateInstances.
 */
export const stateChange = (action: "StartInstances" | "StopInstances" | "TerminateInstances", id: string, previous: string, current: string) =>
  doc(
    `${action}Response`,
    set("instancesSet", [
      el("instanceId", id) +
      `<currentState>${el("code", stateCodes[current])}${el("name", current)}</currentState>` +
      `<previousState>${el("code", stateCodes[previous])}${el("name", previous)}</previousState>`
    ])
  )

/** RebootInstances, DeleteVolume, DeleteSnapshot, ReleaseAddress, … answer `<return>true</return>`. */
export const returned = (action: string) => doc(`${action}Response`, "<return>true</return>")

// ---------------------------------------------------------------- catalogue

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html */
export const imageItem = (i: { readonly id: string; readonly name: string; readonly owner: string; readonly alias?: string; readonly description?: string }) =>
  [
    el("imageId", i.id),
    el("imageLocation", `${i.alias ?? i.owner}/${i.name}`),
    el("imageState", "available"),
    el("imageOwnerId", i.owner),
    el("creationDate", "2024-01-15T12:00:00.000Z"),
    el("isPublic", i.alias === "amazon"),
    el("architecture", "x86_64"),
    el("imageType", "machine"),
    el("name", i.name),
    el("description", i.description),
    ...(i.alias === undefined ? [] : [el("imageOwnerAlias", i.alias)]),
    el("rootDeviceType", "ebs"),
    el("rootDeviceName", "/dev/xvda"),
    set("blockDeviceMapping", [el("deviceName", "/dev/xvda") + `<ebs>${el("snapshotId", "snap-1234567890abcdef0")}${el("volumeSize", 8)}${el("deleteOnTermination", true)}${el("volumeType", "gp3")}</ebs>`]),
    el("virtualizationType", "hvm"),
    el("hypervisor", "xen"),
    el("platformDetails", "Linux/UNIX")
  ].join("")

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html */
export const describeImages = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc("DescribeImagesResponse", set("imagesSet", items) + (nextToken === undefined ? "" : el("nextToken", nextToken)))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceTypeInfo.html */
export const instanceTypeItem = (t: { readonly type: string; readonly vcpus: number; readonly mib: number; readonly network: string; readonly storageGb?: number }) =>
  [
    el("instanceType", t.type),
    el("currentGeneration", true),
    el("freeTierEligible", t.type === "t2.micro" || t.type === "t3.micro"),
    set("supportedUsageClasses", ["on-demand", "spot"]),
    set("supportedRootDeviceTypes", ["ebs"]),
    set("supportedVirtualizationTypes", ["hvm"]),
    el("bareMetal", false),
    el("hypervisor", "nitro"),
    `<processorInfo>${set("supportedArchitectures", ["x86_64"])}${el("sustainedClockSpeedInGhz", 2.5)}</processorInfo>`,
    `<vCpuInfo>${el("defaultVCpus", t.vcpus)}${el("defaultCores", Math.max(1, t.vcpus / 2))}${el("defaultThreadsPerCore", t.vcpus > 1 ? 2 : 1)}</vCpuInfo>`,
    `<memoryInfo>${el("sizeInMiB", t.mib)}</memoryInfo>`,
    el("instanceStorageSupported", t.storageGb !== undefined),
    ...(t.storageGb === undefined ? [] : [`<instanceStorageInfo>${el("totalSizeInGB", t.storageGb)}${el("nvmeSupport", "required")}</instanceStorageInfo>`]),
    `<ebsInfo>${el("ebsOptimizedSupport", "default")}${el("encryptionSupport", "supported")}${el("nvmeSupport", "required")}</ebsInfo>`,
    `<networkInfo>${el("networkPerformance", t.network)}${el("maximumNetworkInterfaces", 3)}${el("ipv6Supported", true)}</networkInfo>`
  ].join("")

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html */
export const describeInstanceTypes = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc("DescribeInstanceTypesResponse", set("instanceTypeSet", items) + (nextToken === undefined ? "" : el("nextToken", nextToken)))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html */
export const describeRegions = (regions: ReadonlyArray<string>) =>
  doc(
    "DescribeRegionsResponse",
    set("regionInfo", regions.map((r) => el("regionName", r) + el("regionEndpoint", `ec2.${r}.amazonaws.com`) + el("optInStatus", "opt-in-not-required")))
  )

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html (the sample's items) */
export const zoneItem = (region: string, zone: string, n: number) =>
  [
    el("groupName", `${region}-zg-1`),
    el("optInStatus", "opt-in-not-required"),
    el("zoneName", zone),
    el("zoneId", `use1-az${n}`),
    el("zoneState", "available"),
    el("zoneType", "availability-zone"),
    el("regionName", region),
    "<messageSet/>",
    el("networkBorderGroup", region),
    el("groupLongName", "US East (N. Virginia) 1"),
    set("geographySet", [el("name", "United States of America")]),
    set("subGeographySet", [el("name", "Virginia")])
  ].join("")

export const describeAvailabilityZones = (items: ReadonlyArray<string>) =>
  doc("DescribeAvailabilityZonesResponse", set("availabilityZoneInfo", items), "e23c5a54-a29c-43ee-8b55-0c13c26e9e01")

// ---------------------------------------------------------------- key pairs

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeKeyPairs.html */
export const keyItem = (k: { readonly name: string; readonly id: string; readonly fingerprint: string; readonly type: string; readonly publicKey?: string }) =>
  [
    el("keyPairId", k.id),
    el("keyName", k.name),
    el("keyFingerprint", k.fingerprint),
    el("keyType", k.type),
    "<tagSet/>",
    ...(k.publicKey === undefined ? [] : [el("publicKey", k.publicKey)]),
    el("createTime", "2024-02-01T10:00:00.000Z")
  ].join("")

export const describeKeyPairs = (items: ReadonlyArray<string>) => doc("DescribeKeyPairsResponse", set("keySet", items))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html */
export const importKeyPair = (name: string, id: string, fingerprint: string) =>
  doc("ImportKeyPairResponse", el("keyName", name) + el("keyPairId", id) + el("keyFingerprint", fingerprint) + "<tagSet/>", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateKeyPair.html */
export const createKeyPair = (name: string, id: string, fingerprint: string, material: string) =>
  doc(
    "CreateKeyPairResponse",
    el("keyName", name) + el("keyPairId", id) + el("keyFingerprint", fingerprint) + el("keyMaterial", material),
    "1b5b5bcf-3670-4c16-83d7-c2c9example"
  )

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteKeyPair.html (the sample has no requestId) */
export const deleteKeyPair = (id: string) =>
  `<DeleteKeyPairResponse xmlns="${NS}">\n  <return>true</return>\n  <keyPairId>${id}</keyPairId>\n</DeleteKeyPairResponse>`

// ---------------------------------------------------------------- volumes and snapshots

export interface VolumeFields {
  readonly id: string
  readonly size: number
  readonly zone: string
  readonly status: string
  readonly snapshotId?: string
  readonly createTime: string
  readonly attachment?: { readonly instanceId: string; readonly device: string; readonly status: string }
  readonly tags?: Readonly<Record<string, string>>
}

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html (the sample's item) */
export const volumeItem = (v: VolumeFields) =>
  [
    el("volumeId", v.id),
    el("size", v.size),
    el("snapshotId", v.snapshotId),
    el("availabilityZone", v.zone),
    el("status", v.status),
    el("createTime", v.createTime),
    set(
      "attachmentSet",
      v.attachment === undefined ? [] : [
        el("volumeId", v.id) + el("instanceId", v.attachment.instanceId) + el("device", v.attachment.device) +
        el("status", v.attachment.status) + el("attachTime", v.createTime) + el("deleteOnTermination", false)
      ]
    ),
    ...(v.tags === undefined ? [] : [tags(v.tags)]),
    el("volumeType", "gp2"),
    el("encrypted", false),
    el("multiAttachEnabled", false)
  ].join("")

export const describeVolumes = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc("DescribeVolumesResponse", set("volumeSet", items) + (nextToken === undefined ? "" : el("nextToken", nextToken)))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html */
export const createVolume = (v: VolumeFields) =>
  doc(
    "CreateVolumeResponse",
    [
      el("volumeId", v.id),
      el("size", v.size),
      el("snapshotId", v.snapshotId),
      el("availabilityZone", v.zone),
      el("status", v.status),
      el("createTime", v.createTime),
      el("volumeType", "gp2"),
      el("encrypted", false),
      ...(v.tags === undefined ? [] : [tags(v.tags)]),
      el("multiAttachEnabled", false)
    ].join("")
  )

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html (and DetachVolume) */
export const volumeAttachment = (action: "AttachVolume" | "DetachVolume", volumeId: string, instanceId: string, device: string, status: string) =>
  doc(
    `${action}Response`,
    el("volumeId", volumeId) + el("instanceId", instanceId) + el("device", device) + el("status", status) + el("attachTime", "2024-03-01T09:00:00.000Z")
  )

export interface SnapshotFields {
  readonly id: string
  readonly volumeId: string
  readonly status: string
  readonly size: number
  readonly description?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly startTime: string
}

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html (the sample's item) */
export const snapshotItem = (s: SnapshotFields) =>
  [
    el("snapshotId", s.id),
    el("volumeId", s.volumeId),
    el("status", s.status),
    el("startTime", s.startTime),
    el("progress", s.status === "completed" ? "100%" : "0%"),
    el("ownerId", "123456789012"),
    el("volumeSize", s.size),
    el("description", s.description),
    ...(s.tags === undefined ? [] : [tags(s.tags)]),
    el("encrypted", false),
    el("storageTier", "standard")
  ].join("")

export const describeSnapshots = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc("DescribeSnapshotsResponse", set("snapshotSet", items) + (nextToken === undefined ? "" : el("nextToken", nextToken)), "12345678-1234-1234-1234-3755ba4b9fa6")

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshot.html */
export const createSnapshot = (s: SnapshotFields) => doc("CreateSnapshotResponse", snapshotItem(s))

// ---------------------------------------------------------------- Elastic IPs

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AllocateAddress.html */
export const allocateAddress = (publicIp: string, allocationId: string) =>
  doc(
    "AllocateAddressResponse",
    el("publicIp", publicIp) + el("domain", "vpc") + el("allocationId", allocationId) + el("publicIpv4Pool", "amazon") + el("networkBorderGroup", "us-east-1")
  )

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html */
export const associateAddress = (associationId: string) => doc("AssociateAddressResponse", "<return>true</return>" + el("associationId", associationId))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAddresses.html */
export const addressItem = (a: { readonly publicIp: string; readonly allocationId: string; readonly instanceId?: string; readonly associationId?: string; readonly privateIp?: string }) =>
  [
    el("publicIp", a.publicIp),
    el("allocationId", a.allocationId),
    el("domain", "vpc"),
    ...(a.instanceId === undefined ? [] : [el("instanceId", a.instanceId)]),
    ...(a.associationId === undefined ? [] : [el("associationId", a.associationId), el("networkInterfaceId", "eni-12345678"), el("networkInterfaceOwnerId", "123456789012")]),
    ...(a.privateIp === undefined ? [] : [el("privateIpAddress", a.privateIp)]),
    el("publicIpv4Pool", "amazon"),
    el("networkBorderGroup", "us-east-1")
  ].join("")

export const describeAddresses = (items: ReadonlyArray<string>) => doc("DescribeAddressesResponse", set("addressesSet", items))

// ---------------------------------------------------------------- security groups

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html */
export const createSecurityGroup = (groupId: string) => doc("CreateSecurityGroupResponse", "<return>true</return>" + el("groupId", groupId))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html */
export const permission = (p: { readonly protocol: string; readonly from?: number; readonly to?: number; readonly cidrs?: ReadonlyArray<string>; readonly groups?: ReadonlyArray<string> }) =>
  [
    el("ipProtocol", p.protocol),
    ...(p.from === undefined ? [] : [el("fromPort", p.from)]),
    ...(p.to === undefined ? [] : [el("toPort", p.to)]),
    set("groups", (p.groups ?? []).map((g) => el("userId", "123456789012") + el("groupId", g))),
    set("ipRanges", (p.cidrs ?? []).map((c) => el("cidrIp", c))),
    "<ipv6Ranges/>",
    "<prefixListIds/>"
  ].join("")

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html */
export const securityGroupItem = (g: { readonly id: string; readonly name: string; readonly description: string; readonly ingress: ReadonlyArray<string>; readonly egress: ReadonlyArray<string> }) =>
  [
    el("ownerId", "123456789012"),
    el("groupId", g.id),
    el("groupName", g.name),
    el("groupDescription", g.description),
    el("vpcId", "vpc-614cc409"),
    set("ipPermissions", g.ingress),
    set("ipPermissionsEgress", g.egress)
  ].join("")

export const describeSecurityGroups = (items: ReadonlyArray<string>, nextToken?: string) =>
  doc("DescribeSecurityGroupsResponse", set("securityGroupInfo", items) + (nextToken === undefined ? "" : el("nextToken", nextToken)))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html */
export const revokeSecurityGroupIngress = (unknown: ReadonlyArray<string>) =>
  doc("RevokeSecurityGroupIngressResponse", "<return>true</return>" + (unknown.length === 0 ? "" : set("unknownIpPermissionSet", unknown)))

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html */
export const authorizeSecurityGroupIngress = (ruleId: string, groupId: string) =>
  doc(
    "AuthorizeSecurityGroupIngressResponse",
    "<return>true</return>" +
      set("securityGroupRuleSet", [el("securityGroupRuleId", ruleId) + el("groupId", groupId) + el("groupOwnerId", "123456789012") + el("isEgress", false) + el("ipProtocol", "tcp") + el("fromPort", 22) + el("toPort", 22) + el("cidrIpv4", "203.0.113.0/24")])
  )
