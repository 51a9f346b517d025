/**
 * The EC2-only service (Elastic IPs, security groups, generated key pairs,
 * regions) and `layerConfig`, over recorded responses.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Inspectable, Layer, Redacted } from "effect"
import { Replay } from "../../../../src/http/index.js"
import * as Ec2 from "../../../../src/layers/aws/ec2/Ec2.js"
import { Compute } from "../../../../src/services/Compute.js"
import { failsWith } from "../../../contract/harness.js"
import * as X from "./fixtures.js"
import { failure, ok, post, postWith, replay, signedForEc2 } from "./support.js"

const V = "Version=2016-11-15"
const alloc = "eipalloc-64d5890a"
const assoc = "eipassoc-0abcdef1234567890"
const node = "i-0aaaaaaaaaaaaaaa1"
const sg = "sg-0123456789abcdef0"

describe("Ec2.Ec2 over recorded responses", () => {
  describe("Elastic IPs", () => {
    it.effect("allocate, associate, list, disassociate, release", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const ip = yield* ec2.allocateAddress({ tags: { role: "web" } })
        expect(ip).toEqual({ id: alloc, publicIp: "198.51.100.7", domain: "vpc", tags: { role: "web" } })
        expect(yield* ec2.associateAddress(ip, node)).toBe(assoc)
        const [listed] = yield* ec2.listAddresses()
        expect(listed).toMatchObject({ id: alloc, publicIp: "198.51.100.7", associationId: assoc, instanceId: node, privateIp: "10.0.0.12" })
        yield* ec2.disassociateAddress(assoc)
        yield* ec2.releaseAddress(alloc)
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=AllocateAddress&${V}&Domain=vpc&TagSpecification.1.ResourceType=elastic-ip&TagSpecification.1.Tag.1.Key=role&TagSpecification.1.Tag.1.Value=web`),
              response: ok(X.allocateAddress("198.51.100.7", alloc))
            },
            { request: post(`Action=AssociateAddress&${V}&AllocationId=${alloc}&InstanceId=${node}`), response: ok(X.associateAddress(assoc)) },
            {
              request: post(`Action=DescribeAddresses&${V}`),
              response: ok(X.describeAddresses([X.addressItem({ publicIp: "198.51.100.7", allocationId: alloc, instanceId: node, associationId: assoc, privateIp: "10.0.0.12" })]))
            },
            { request: post(`Action=DisassociateAddress&${V}&AssociationId=${assoc}`), response: ok(X.returned("DisassociateAddress")) },
            { request: post(`Action=ReleaseAddress&${V}&AllocationId=${alloc}`), response: ok(X.returned("ReleaseAddress")) }
          ])
        )
      ))

    it.effect("documented errors: AlreadyAssociated is Conflict, unknown allocation and association NotFound", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const c = yield* failsWith(ec2.associateAddress(alloc, node), "Conflict")
        expect([c.resource, c.id]).toEqual(["address", alloc])
        const n = yield* failsWith(ec2.releaseAddress(alloc), "NotFound")
        expect([n.resource, n.id]).toEqual(["address", alloc])
        const a = yield* failsWith(ec2.disassociateAddress(assoc), "NotFound")
        expect([a.resource, a.id]).toEqual(["association", assoc])
        const limit = yield* failsWith(ec2.allocateAddress(), "ProviderError")
        expect(limit.code).toBe("AddressLimitExceeded")
        yield* failsWith(ec2.associateAddress("203.0.113.1", node), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "AssociateAddress" }), response: failure(400, X.error("Resource.AlreadyAssociated", `resource ${alloc} is already associated with associate-id ${assoc}`)) },
            { request: postWith({ Action: "ReleaseAddress" }), response: failure(400, X.error("InvalidAllocationID.NotFound", `The allocation ID '${alloc}' does not exist`)) },
            { request: postWith({ Action: "DisassociateAddress" }), response: failure(400, X.error("InvalidAssociationID.NotFound", `The association ID '${assoc}' does not exist`)) },
            { request: postWith({ Action: "AllocateAddress" }), response: failure(400, X.error("AddressLimitExceeded", "The maximum number of addresses has been reached.")) }
          ])
        )
      ))
  })

  describe("security groups", () => {
    const ssh = { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["203.0.113.0/24"], description: "ssh" } as const

    it.effect("create, authorize and revoke ingress, delete: the documented parameters", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const group = yield* ec2.createSecurityGroup({ name: "web", description: "Web servers", vpcId: "vpc-614cc409" })
        expect(group).toMatchObject({ id: sg, name: "web", description: "Web servers", vpcId: "vpc-614cc409" })
        yield* ec2.authorizeIngress(group, [ssh, { protocol: "tcp", fromPort: 443, toPort: 443, sourceGroups: [sg] }])
        yield* ec2.revokeIngress(sg, [ssh])
        yield* ec2.deleteSecurityGroup(sg)
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=CreateSecurityGroup&${V}&GroupName=web&GroupDescription=Web%20servers&VpcId=vpc-614cc409`),
              response: ok(X.createSecurityGroup(sg))
            },
            {
              request: post(
                `Action=AuthorizeSecurityGroupIngress&${V}&GroupId=${sg}` +
                  "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22" +
                  "&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24&IpPermissions.1.IpRanges.1.Description=ssh" +
                  `&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=443&IpPermissions.2.ToPort=443&IpPermissions.2.Groups.1.GroupId=${sg}`
              ),
              response: ok(X.authorizeSecurityGroupIngress("sgr-0123456789abcdef0", sg))
            },
            {
              request: post(
                `Action=RevokeSecurityGroupIngress&${V}&GroupId=${sg}` +
                  "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22" +
                  "&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24&IpPermissions.1.IpRanges.1.Description=ssh"
              ),
              response: ok(X.revokeSecurityGroupIngress([]))
            },
            { request: post(`Action=DeleteSecurityGroup&${V}&GroupId=${sg}`), response: ok(X.returned("DeleteSecurityGroup")) }
          ])
        )
      ))

    it.effect("documented errors: Duplicate group and rule AlreadyExists, unknown rule NotFound, DependencyViolation Conflict", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const g = yield* failsWith(ec2.createSecurityGroup({ name: "web" }), "AlreadyExists")
        expect([g.resource, g.id]).toEqual(["securityGroup", "web"])
        const r = yield* failsWith(ec2.authorizeIngress(sg, [ssh]), "AlreadyExists")
        expect(r.resource).toBe("rule")
        const missing = yield* failsWith(ec2.revokeIngress(sg, [ssh]), "NotFound")
        expect(missing).toMatchObject({ resource: "rule", id: `${sg} tcp 22-22` })
        const used = yield* failsWith(ec2.deleteSecurityGroup(sg), "Conflict")
        expect(used.reason).toContain("has a dependent object")
        const gone = yield* failsWith(ec2.deleteSecurityGroup(sg), "NotFound")
        expect([gone.resource, gone.id]).toEqual(["securityGroup", sg])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            { request: postWith({ Action: "CreateSecurityGroup", GroupDescription: "web" }), response: failure(400, X.error("InvalidGroup.Duplicate", "The security group 'web' already exists for VPC 'vpc-614cc409'")) },
            {
              request: postWith({ Action: "AuthorizeSecurityGroupIngress" }),
              response: failure(400, X.error("InvalidPermission.Duplicate", "the specified rule \"peer: 203.0.113.0/24, TCP, from port: 22, to port: 22, ALLOW\" already exists"))
            },
            // EC2 does not fail a revoke of rules it lacks: it answers true and lists them.
            { request: postWith({ Action: "RevokeSecurityGroupIngress" }), response: ok(X.revokeSecurityGroupIngress([X.permission({ protocol: "tcp", from: 22, to: 22, cidrs: ["203.0.113.0/24"] })])) },
            { request: postWith({ Action: "DeleteSecurityGroup" }), response: failure(400, X.error("DependencyViolation", `resource ${sg} has a dependent object`)) },
            { request: postWith({ Action: "DeleteSecurityGroup" }), response: failure(400, X.error("InvalidGroup.NotFound", `The security group '${sg}' does not exist`)) }
          ])
        )
      ))

    it.effect("rules are checked before sending", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const bad: ReadonlyArray<readonly [string, Ec2.IngressRule]> = [
          ["rules[0].protocol", { protocol: "http", fromPort: 80, toPort: 80, cidrs: ["0.0.0.0/0"] }],
          ["rules[0].toPort", { protocol: "tcp", fromPort: 80, cidrs: ["0.0.0.0/0"] }],
          ["rules[0].fromPort", { protocol: "tcp", fromPort: 90, toPort: 80, cidrs: ["0.0.0.0/0"] }],
          ["rules[0].fromPort", { protocol: "udp", fromPort: 70000, toPort: 70000, cidrs: ["0.0.0.0/0"] }],
          ["rules[0]", { protocol: "tcp", fromPort: 80, toPort: 80 }],
          ["rules[0].cidrs", { protocol: "tcp", fromPort: 80, toPort: 80, cidrs: ["10.0.0.0/33"] }],
          ["rules[0].sourceGroups", { protocol: "-1", sourceGroups: ["default"] }]
        ]
        for (const [field, rule] of bad) {
          const e = yield* failsWith(ec2.authorizeIngress(sg, [rule]), "InvalidInput")
          expect(e.field).toBe(field)
        }
        yield* failsWith(ec2.authorizeIngress(sg, []), "InvalidInput")
        yield* failsWith(ec2.createSecurityGroup({ name: "sg-looks-like-an-id" }), "InvalidInput")
        expect(yield* Replay.requests).toEqual([])
      }).pipe(Effect.provide(replay([]))))

    it.effect("listSecurityGroups follows pages and reads rules", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const groups = yield* ec2.listSecurityGroups()
        expect(groups.map((g) => g.id)).toEqual([sg, "sg-1a2b3c4d"])
        expect(groups[0]!.ingress).toEqual([
          { protocol: "-1", sourceGroups: [sg] },
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["204.246.162.38/32"] }
        ])
        expect(groups[0]!.egress).toEqual([{ protocol: "-1", cidrs: ["0.0.0.0/0"] }])
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=DescribeSecurityGroups&${V}&MaxResults=5`),
              response: ok(X.describeSecurityGroups([
                X.securityGroupItem({
                  id: sg,
                  name: "WebServers",
                  description: "Web Servers",
                  ingress: [X.permission({ protocol: "-1", groups: [sg] }), X.permission({ protocol: "tcp", from: 22, to: 22, cidrs: ["204.246.162.38/32"] })],
                  egress: [X.permission({ protocol: "-1", cidrs: ["0.0.0.0/0"] })]
                })
              ], "g2"))
            },
            {
              request: post(`Action=DescribeSecurityGroups&${V}&MaxResults=5&NextToken=g2`),
              response: ok(X.describeSecurityGroups([X.securityGroupItem({ id: "sg-1a2b3c4d", name: "default", description: "default VPC security group", ingress: [], egress: [] })]))
            }
          ])
        )
      ))
  })

  describe("key pairs, regions and instance listings", () => {
    it.effect("createKeyPair returns the generated private key Redacted, and only there", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const key = yield* ec2.createKeyPair("my-key-pair", { keyType: "rsa" })
        expect(key.name).toBe("my-key-pair")
        expect(key.fingerprint).toBe("1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f")
        expect(Redacted.isRedacted(key.privateKey)).toBe(true)
        expect(Redacted.value(key.privateKey!)).toContain("BEGIN RSA PRIVATE KEY")
        for (const shown of [String(key), JSON.stringify(key), Inspectable.format(key)]) expect(shown).not.toContain("MIICiTCCAfICCQD6m7oRw0uXOjANBgkqhkiG9w0BAQUFADCBiDELMAkGA1UEBhMC")
        const dup = yield* failsWith(ec2.createKeyPair("my-key-pair"), "AlreadyExists")
        expect(dup.id).toBe("my-key-pair")
        yield* failsWith(ec2.createKeyPair("k", { keyType: "dsa" as "rsa" }), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([
            {
              request: post(`Action=CreateKeyPair&${V}&KeyName=my-key-pair&KeyType=rsa&KeyFormat=pem`),
              // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateKeyPair.html (sample values)
              response: ok(X.createKeyPair(
                "my-key-pair",
                "key-abcd12345eEXAMPLE",
                "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",
                "---- BEGIN RSA PRIVATE KEY ----\nMIICiTCCAfICCQD6m7oRw0uXOjANBgkqhkiG9w0BAQUFADCBiDELMAkGA1UEBhMC\n-----END RSA PRIVATE KEY-----"
              ))
            },
            { request: postWith({ Action: "CreateKeyPair" }), response: failure(400, X.error("InvalidKeyPair.Duplicate", "The keypair 'my-key-pair' already exists.")) }
          ])
        )
      ))

    it.effect("listRegions lists every enabled region", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        expect(yield* ec2.listRegions()).toEqual([
          { name: "us-east-1", endpoint: "ec2.us-east-1.amazonaws.com", optInStatus: "opt-in-not-required" },
          { name: "eu-west-1", endpoint: "ec2.eu-west-1.amazonaws.com", optInStatus: "opt-in-not-required" }
        ])
      }).pipe(Effect.provide(replay([{ request: post(`Action=DescribeRegions&${V}`), response: ok(X.describeRegions(["us-east-1", "eu-west-1"])) }]))))

    it.effect("listNodes by EC2 state uses the instance-state-name filter", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        const nodes = yield* ec2.listNodes({ ids: [node], states: ["running", "stopped"] })
        expect(nodes.map((n) => n.id)).toEqual([node])
        yield* failsWith(ec2.listNodes({ states: ["exploded" as "running"] }), "InvalidInput")
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          replay([{
            request: post(
              `Action=DescribeInstances&${V}&Filter.1.Name=instance-id&Filter.1.Value.1=${node}` +
                "&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&Filter.2.Value.2=stopped&MaxResults=5"
            ),
            response: ok(X.describeInstances([X.instanceItem({ id: node, image: "ami-0abcdef1234567890", state: "running", type: "t3.micro", zone: "us-east-1a", launchTime: "2024-03-01T09:00:00.000Z" })]))
          }])
        )
      ))
  })

  describe("layerConfig", () => {
    const env = (vars: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
    const exchange = (url: string, region: string) => ({
      request: { method: "POST", url, headers: { authorization: new RegExp(`Credential=AKIDENV/\\d{8}/${region}/ec2/aws4_request`) }, body: `Action=DescribeRegions&${V}` },
      response: ok(X.describeRegions([region]))
    })
    const through = (vars: Record<string, string>, exchanges: ReadonlyArray<Replay.Exchange>) =>
      Ec2.layerConfig().pipe(Layer.provideMerge(Replay.layer(exchanges)), Layer.provide(env(vars)))

    it.effect("reads AWS_REGION, AWS_ENDPOINT_URL_EC2 over AWS_ENDPOINT_URL, and the key variables", () =>
      Effect.gen(function*() {
        const ec2 = yield* Ec2.Ec2
        expect([ec2.region, ec2.endpoint]).toEqual(["eu-west-1", "http://127.0.0.1:4566"])
        yield* ec2.listRegions()
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          through(
            {
              AWS_REGION: "eu-west-1",
              AWS_DEFAULT_REGION: "us-west-2",
              AWS_ENDPOINT_URL_EC2: "http://127.0.0.1:4566",
              AWS_ENDPOINT_URL: "http://127.0.0.1:9999",
              AWS_ACCESS_KEY_ID: "AKIDENV",
              AWS_SECRET_ACCESS_KEY: "env-secret"
            },
            [exchange("http://127.0.0.1:4566/", "eu-west-1")]
          )
        )
      ))

    it.effect("falls back to AWS_DEFAULT_REGION and the regional AWS endpoint", () =>
      Effect.gen(function*() {
        const compute = yield* Compute
        expect(compute.provider.region).toBe("ap-southeast-2")
        const ec2 = yield* Ec2.Ec2
        expect(ec2.endpoint).toBe("https://ec2.ap-southeast-2.amazonaws.com")
        yield* ec2.listRegions()
        yield* Replay.assertDone
      }).pipe(
        Effect.provide(
          through(
            { AWS_DEFAULT_REGION: "ap-southeast-2", AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "env-secret" },
            [exchange("https://ec2.ap-southeast-2.amazonaws.com/", "ap-southeast-2")]
          )
        )
      ))

    it.effect("without a region the layer fails with a ConfigError", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Layer.build(through({ AWS_ACCESS_KEY_ID: "AKIDENV" }, [])).pipe(Effect.scoped))
        expect(Exit.isFailure(exit)).toBe(true)
      }))

    it("China regions get the amazonaws.com.cn endpoint", () =>
      Effect.runSync(
        Effect.gen(function*() {
          const ec2 = yield* Ec2.makeEc2({ region: "cn-north-1" })
          expect(ec2.endpoint).toBe("https://ec2.cn-north-1.amazonaws.com.cn")
        }).pipe(Effect.provide(Replay.layer([])))
      ))
  })

  it.effect("every request is a signed form POST to the endpoint root", () =>
    Effect.gen(function*() {
      const ec2 = yield* Ec2.Ec2
      yield* ec2.listRegions()
      const [r] = yield* Replay.requests
      expect(r!.method).toBe("POST")
      expect(r!.url).toBe("https://ec2.us-east-1.amazonaws.com/")
      expect(r!.headers["authorization"]).toMatch(signedForEc2)
      expect(r!.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/)
      // Not S3's rules: no content-sha256 header.
      expect(r!.headers["x-amz-content-sha256"]).toBeUndefined()
    }).pipe(Effect.provide(replay([{ request: postWith({ Action: "DescribeRegions" }), response: ok(X.describeRegions(["us-east-1"])) }]))))
})
