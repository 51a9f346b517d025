/**
 * A small in-process Classic ELB (2012-06-01) + EC2 DescribeInstances Query
 * server (node:http on 127.0.0.1, port 0) for the LoadBalancer contract,
 * which needs state. One server plays both endpoints: the Version parameter
 * and the SigV4 scope's service say which API a request is for. It answers
 * only through the documented response builders (./fixtures.ts,
 * ../ec2/fixtures.ts) and with documented error codes, and keeps just
 * enough state: the account's EC2 instances (fixed), balancers with one
 * listener and their registered instances, whose health is OutOfService
 * ("Instance registration is still in progress.") on its first look and
 * InService after. Documented behaviour kept: DeleteLoadBalancer succeeds
 * for a missing balancer, a registered instance must exist (InvalidInstance),
 * a name already taken is DuplicateLoadBalancerName, an unknown InstanceId
 * to EC2 is InvalidInstanceID.NotFound while a filter just matches nothing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import * as E from "../ec2/fixtures.js"
import * as X from "./fixtures.js"

export interface FakeInstance {
  readonly id: string
  readonly publicIp?: string
  readonly privateIp: string
}

/**
 * One instance per contract address: 192.0.2.10–12 are public addresses of
 * instances that also have private ones; 10.99.0.7 is a fourth, private-only.
 */
export const contractInstances: ReadonlyArray<FakeInstance> = [
  { id: "i-0a1b2c3d4e5f60001", publicIp: "192.0.2.10", privateIp: "10.0.1.10" },
  { id: "i-0a1b2c3d4e5f60002", publicIp: "192.0.2.11", privateIp: "10.0.1.11" },
  { id: "i-0a1b2c3d4e5f60003", publicIp: "192.0.2.12", privateIp: "10.0.1.12" },
  { id: "i-0a1b2c3d4e5f60004", privateIp: "10.99.0.7" }
]

interface Lb {
  readonly name: string
  readonly protocol: string
  readonly port: number
  readonly instanceProtocol: string
  readonly instancePort: number
  readonly subnets: ReadonlyArray<string>
  readonly zones: ReadonlyArray<string>
  readonly securityGroups: ReadonlyArray<string>
  readonly scheme: string
  /** Registered instance → DescribeInstanceHealth looks so far. */
  readonly instances: Map<string, number>
}

const ELB_VERSION = "2012-06-01"
const EC2_VERSION = "2016-11-15"
const protocols = ["HTTP", "HTTPS", "TCP", "SSL"]

const signedFor = (service: string, authorization: string | undefined) =>
  new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[a-z0-9-]+/${service}/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`)
    .test(authorization ?? "")

export const startFakeElb = (region = "us-west-2", account: ReadonlyArray<FakeInstance> = contractInstances) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly region: string; readonly close: () => void }>((resume) => {
      const lbs = new Map<string, Lb>()
      const known = new Map(account.map((i) => [i.id, i]))

      const answer = (res: ServerResponse, status: number, body: string) => {
        res.writeHead(status, { "content-type": "text/xml" })
        res.end(body)
      }
      const fail = (res: ServerResponse, code: string, message: string) => answer(res, X.errorStatus(code), X.error(code, message))
      const ec2Fail = (res: ServerResponse, code: string, message: string) => answer(res, E.errorStatus(code), E.error(code, message))

      const list = (p: URLSearchParams, name: string) => {
        const out: Array<string> = []
        for (let i = 1; p.has(`${name}.${i}`); i++) out.push(p.get(`${name}.${i}`)!)
        return out
      }
      const lbItem = (lb: Lb) =>
        X.lbItem({
          name: lb.name,
          protocol: lb.protocol,
          port: lb.port,
          instanceProtocol: lb.instanceProtocol,
          instancePort: lb.instancePort,
          instances: [...lb.instances.keys()],
          zones: lb.zones.length > 0 ? lb.zones : [`${region}a`],
          subnets: lb.subnets,
          securityGroups: lb.securityGroups,
          scheme: lb.scheme,
          region,
          ...(lb.subnets.length > 0 ? { vpcId: "vpc-11112222" } : {})
        })
      const notFound = (res: ServerResponse, name: string) => fail(res, "LoadBalancerNotFound", `There is no ACTIVE Load Balancer named '${name}'`)

      const elb = (p: URLSearchParams, res: ServerResponse) => {
        const action = p.get("Action")
        const name = p.get("LoadBalancerName") ?? ""
        switch (action) {
          case "DescribeLoadBalancers": {
            const names = list(p, "LoadBalancerNames.member")
            if (names.length > 0) {
              const missing = names.find((n) => !lbs.has(n))
              if (missing !== undefined) return notFound(res, missing)
              return answer(res, 200, X.describeLoadBalancers(names.map((n) => lbItem(lbs.get(n)!))))
            }
            const size = Number(p.get("PageSize") ?? "400")
            if (!Number.isInteger(size) || size < 1 || size > 400) return fail(res, "ValidationError", "PageSize must be between 1 and 400")
            const all = [...lbs.values()]
            const start = Number(p.get("Marker") ?? "0")
            const next = start + size < all.length ? String(start + size) : undefined
            return answer(res, 200, X.describeLoadBalancers(all.slice(start, start + size).map(lbItem), next))
          }
          case "CreateLoadBalancer": {
            if (lbs.has(name)) return fail(res, "DuplicateLoadBalancerName", "The specified load balancer name already exists for this account.")
            const protocol = p.get("Listeners.member.1.Protocol") ?? ""
            const instanceProtocol = p.get("Listeners.member.1.InstanceProtocol") ?? protocol
            if (!protocols.includes(protocol) || !protocols.includes(instanceProtocol)) return fail(res, "UnsupportedProtocol", `Unsupported protocol ${protocol}`)
            const subnets = list(p, "Subnets.member")
            const zones = list(p, "AvailabilityZones.member")
            if (subnets.length === 0 && zones.length === 0) return fail(res, "ValidationError", "Either AvailabilityZones or SubnetIds must be specified")
            lbs.set(name, {
              name,
              protocol,
              port: Number(p.get("Listeners.member.1.LoadBalancerPort")),
              instanceProtocol,
              instancePort: Number(p.get("Listeners.member.1.InstancePort")),
              subnets,
              zones,
              securityGroups: list(p, "SecurityGroups.member"),
              scheme: p.get("Scheme") ?? "internet-facing",
              instances: new Map()
            })
            return answer(res, 200, X.createLoadBalancer(name, region))
          }
          case "DeleteLoadBalancer":
            lbs.delete(name)
            return answer(res, 200, X.deleteLoadBalancer())
          case "RegisterInstancesWithLoadBalancer":
          case "DeregisterInstancesFromLoadBalancer": {
            const lb = lbs.get(name)
            if (lb === undefined) return notFound(res, name)
            const ids: Array<string> = []
            for (let i = 1; p.has(`Instances.member.${i}.InstanceId`); i++) ids.push(p.get(`Instances.member.${i}.InstanceId`)!)
            const bad = ids.find((id) => !known.has(id) || (action === "DeregisterInstancesFromLoadBalancer" && !lb.instances.has(id)))
            if (bad !== undefined) return fail(res, "InvalidInstance", `EC2 instance ${bad} is not valid`)
            for (const id of ids) {
              if (action === "RegisterInstancesWithLoadBalancer") lb.instances.set(id, lb.instances.get(id) ?? 0)
              else lb.instances.delete(id)
            }
            return answer(res, 200, X.registered(action, [...lb.instances.keys()]))
          }
          case "DescribeInstanceHealth": {
            const lb = lbs.get(name)
            if (lb === undefined) return notFound(res, name)
            const states = [...lb.instances.entries()].map(([id, looks]): X.InstanceStateFields => {
              lb.instances.set(id, looks + 1)
              return looks === 0
                ? { id, state: "OutOfService", reasonCode: "ELB", description: "Instance registration is still in progress." }
                : { id, state: "InService", reasonCode: "N/A", description: "N/A" }
            })
            return answer(res, 200, X.describeInstanceHealth(states))
          }
          default:
            return fail(res, "InvalidAction", `The action ${String(action)} is not valid for this web service.`)
        }
      }

      const ec2 = (p: URLSearchParams, res: ServerResponse) => {
        if (p.get("Action") !== "DescribeInstances") return ec2Fail(res, "InvalidAction", `The action ${String(p.get("Action"))} is not valid for this web service.`)
        const ids = list(p, "InstanceId")
        const missing = ids.find((id) => !known.has(id))
        if (missing !== undefined) return ec2Fail(res, "InvalidInstanceID.NotFound", `The instance ID '${missing}' does not exist`)
        let found = ids.length > 0 ? ids.map((id) => known.get(id)!) : [...account]
        for (let f = 1; p.has(`Filter.${f}.Name`); f++) {
          const values = list(p, `Filter.${f}.Value`)
          const field = p.get(`Filter.${f}.Name`)
          const of = (i: FakeInstance) =>
            field === "instance-id" ? i.id : field === "ip-address" ? i.publicIp : field === "private-ip-address" ? i.privateIp : undefined
          if (field !== "instance-id" && field !== "ip-address" && field !== "private-ip-address") {
            return ec2Fail(res, "InvalidParameterValue", `The filter '${String(field)}' is invalid`)
          }
          found = found.filter((i) => values.includes(of(i) ?? ""))
        }
        return answer(
          res,
          200,
          E.describeInstances(found.map((i) =>
            E.instanceItem({
              id: i.id,
              image: "ami-bff32ccc",
              state: "running",
              type: "t3.micro",
              zone: `${region}a`,
              launchTime: "2024-01-01T00:00:00.000Z",
              privateIp: i.privateIp,
              ...(i.publicIp === undefined ? {} : { publicIp: i.publicIp })
            })
          ))
        )
      }

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const p = new URLSearchParams(Buffer.concat(chunks).toString("utf8"))
          const version = p.get("Version")
          const service = version === ELB_VERSION ? "elasticloadbalancing" : version === EC2_VERSION ? "ec2" : undefined
          if (service === undefined) return fail(res, "InvalidAction", `unknown version ${String(version)}`)
          if (!signedFor(service, req.headers.authorization)) {
            return service === "ec2"
              ? ec2Fail(res, "AuthFailure", "AWS was not able to validate the provided access credentials")
              : fail(res, "InvalidClientTokenId", "The security token included in the request is invalid.")
          }
          return service === "ec2" ? ec2(p, res) : elb(p, res)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, region, close: () => server.close() }))
      })
    }),
    (fake) => Effect.sync(() => fake.close())
  )
