/**
 * A small in-process ELBv2 Query API server (node:http on 127.0.0.1, port 0)
 * for the LoadBalancer contract, which needs state. It answers only through
 * the documented response builders in fixtures.ts and with documented error
 * codes, and keeps just enough state: balancers are provisioning on their
 * first look and active after, targets are "initial" then "healthy", a
 * deregistered target is "draining" (as AWS shows it for the
 * deregistration delay), CreateLoadBalancer / CreateTargetGroup answer the
 * existing resource for the same name (documented idempotency), ip targets
 * must be private addresses (documented for target type ip).
 */
import { randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import * as X from "./fixtures.js"

interface Lb { arn: string; name: string; looks: number }
interface Tg { arn: string; name: string; port: number; algorithm: string; targets: Map<string, { id: string; port: number; state: string }> }
interface Ls { arn: string; lbArn: string; port: number; protocol: string; tgArn: string }

const account = "123456789012"
const hex = (n: number) => randomBytes(n).toString("hex")

// RFC 1918 and RFC 6598: the ranges ELB accepts for ip targets.
const isPrivate = (ip: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(ip)

export const startFakeAlb = (region = "us-west-2") =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly region: string; readonly close: () => void }>((resume) => {
      const lbs = new Map<string, Lb>()
      const tgs = new Map<string, Tg>()
      const listeners = new Map<string, Ls>()

      const answer = (res: ServerResponse, status: number, body: string) => {
        res.writeHead(status, { "content-type": "text/xml" })
        res.end(body)
      }
      const fail = (res: ServerResponse, code: string, message: string) => answer(res, 400, X.error(code, message))

      const lbView = (lb: Lb): X.Lb => ({ arn: lb.arn, name: lb.name, state: lb.looks++ === 0 ? "provisioning" : "active" })
      const tgView = (tg: Tg): X.Tg => ({
        arn: tg.arn,
        name: tg.name,
        port: tg.port,
        loadBalancerArns: [...listeners.values()].filter((l) => l.tgArn === tg.arn).map((l) => l.lbArn)
      })
      const membersOf = (p: URLSearchParams, name: string) => {
        const out: Array<string> = []
        for (let i = 1; p.has(`${name}.member.${i}`); i++) out.push(p.get(`${name}.member.${i}`)!)
        return out
      }
      const targetsOf = (p: URLSearchParams) => {
        const out: Array<{ id: string; port: number }> = []
        for (let i = 1; p.has(`Targets.member.${i}.Id`); i++) {
          out.push({ id: p.get(`Targets.member.${i}.Id`)!, port: Number(p.get(`Targets.member.${i}.Port`)) })
        }
        return out
      }
      const page = <A>(p: URLSearchParams, items: ReadonlyArray<A>) => {
        const size = Number(p.get("PageSize") ?? "400")
        const start = Number(p.get("Marker") ?? "0")
        const next = start + size < items.length ? String(start + size) : undefined
        return { items: items.slice(start, start + size), next }
      }

      const handle = (p: URLSearchParams, res: ServerResponse) => {
        const action = p.get("Action")
        if (p.get("Version") !== "2015-12-01") return fail(res, "InvalidAction", "unknown version")
        switch (action) {
          case "DescribeLoadBalancers": {
            const arns = membersOf(p, "LoadBalancerArns")
            const names = membersOf(p, "Names")
            if (arns.length > 0 || names.length > 0) {
              const found = [...lbs.values()].filter((lb) => arns.includes(lb.arn) || names.includes(lb.name))
              if (found.length < arns.length + names.length) return fail(res, "LoadBalancerNotFound", "One or more load balancers not found")
              return answer(res, 200, X.describeLoadBalancers(found.map(lbView)))
            }
            const { items, next } = page(p, [...lbs.values()])
            return answer(res, 200, X.describeLoadBalancers(items.map(lbView), next))
          }
          case "CreateLoadBalancer": {
            const name = p.get("Name")!
            const existing = [...lbs.values()].find((lb) => lb.name === name)
            const lb = existing ?? { arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/${name}/${hex(8)}`, name, looks: 0 }
            lbs.set(lb.arn, lb)
            return answer(res, 200, X.createLoadBalancer({ arn: lb.arn, name, state: "provisioning" }))
          }
          case "DeleteLoadBalancer": {
            const arn = p.get("LoadBalancerArn")!
            lbs.delete(arn)
            for (const [k, l] of listeners) if (l.lbArn === arn) listeners.delete(k)
            return answer(res, 200, X.empty("DeleteLoadBalancer"))
          }
          case "CreateTargetGroup": {
            const name = p.get("Name")!
            if (p.get("TargetType") !== "ip" || p.get("VpcId") === null) return fail(res, "ValidationError", "A VPC ID must be specified")
            const existing = [...tgs.values()].find((tg) => tg.name === name)
            const tg = existing ??
              { arn: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${name}/${hex(8)}`, name, port: Number(p.get("Port")), algorithm: "round_robin", targets: new Map() }
            tgs.set(tg.arn, tg)
            return answer(res, 200, X.createTargetGroup(tgView(tg)))
          }
          case "DescribeTargetGroups": {
            const arns = membersOf(p, "TargetGroupArns")
            const found = [...tgs.values()].filter((tg) => arns.includes(tg.arn))
            if (found.length < arns.length) return fail(res, "TargetGroupNotFound", "One or more target groups not found")
            return answer(res, 200, X.describeTargetGroups(found.map(tgView)))
          }
          case "DeleteTargetGroup": {
            const arn = p.get("TargetGroupArn")!
            if ([...listeners.values()].some((l) => l.tgArn === arn)) return fail(res, "ResourceInUse", `Target group '${arn}' is currently in use by a listener or a rule`)
            tgs.delete(arn)
            return answer(res, 200, X.empty("DeleteTargetGroup"))
          }
          case "ModifyTargetGroupAttributes":
          case "DescribeTargetGroupAttributes": {
            const tg = tgs.get(p.get("TargetGroupArn")!)
            if (tg === undefined) return fail(res, "TargetGroupNotFound", "One or more target groups not found")
            if (action === "ModifyTargetGroupAttributes") {
              const value = p.get("Attributes.member.1.Value")!
              if (!["round_robin", "least_outstanding_requests", "weighted_random"].includes(value)) return fail(res, "ValidationError", "invalid algorithm")
              tg.algorithm = value
            }
            return answer(res, 200, X.attributes(action, tg.algorithm))
          }
          case "CreateListener": {
            const lbArn = p.get("LoadBalancerArn")!
            if (!lbs.has(lbArn)) return fail(res, "LoadBalancerNotFound", "One or more load balancers not found")
            const port = Number(p.get("Port"))
            if ([...listeners.values()].some((l) => l.lbArn === lbArn && l.port === port)) return fail(res, "DuplicateListener", "A listener already exists on this port")
            const tgArn = p.get("DefaultActions.member.1.TargetGroupArn")!
            if (!tgs.has(tgArn)) return fail(res, "TargetGroupNotFound", "One or more target groups not found")
            const l = { arn: `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/x/${hex(8)}/${hex(8)}`, lbArn, port, protocol: p.get("Protocol")!, tgArn }
            listeners.set(l.arn, l)
            return answer(res, 200, X.createListener(l))
          }
          case "DescribeListeners": {
            const lbArn = p.get("LoadBalancerArn")!
            if (!lbs.has(lbArn)) return fail(res, "LoadBalancerNotFound", "One or more load balancers not found")
            const { items, next } = page(p, [...listeners.values()].filter((l) => l.lbArn === lbArn))
            return answer(res, 200, X.describeListeners(items, next))
          }
          case "ModifyListener": {
            const l = listeners.get(p.get("ListenerArn")!)
            if (l === undefined) return fail(res, "ListenerNotFound", "One or more listeners not found")
            l.port = Number(p.get("Port") ?? l.port)
            return answer(res, 200, X.modifyListener(l))
          }
          case "RegisterTargets":
          case "DeregisterTargets": {
            const tg = tgs.get(p.get("TargetGroupArn")!)
            if (tg === undefined) return fail(res, "TargetGroupNotFound", "One or more target groups not found")
            const targets = targetsOf(p)
            if (action === "RegisterTargets") {
              const bad = targets.find((t) => !isPrivate(t.id))
              if (bad !== undefined) return fail(res, "InvalidTarget", `The IP address '${bad.id}' is not a valid IPv4 address`)
              for (const t of targets) tg.targets.set(`${t.id}:${t.port}`, { ...t, state: "initial" })
            } else {
              for (const t of targets) {
                const known = tg.targets.get(`${t.id}:${t.port}`)
                if (known !== undefined) known.state = "draining"
              }
            }
            return answer(res, 200, X.empty(action))
          }
          case "DescribeTargetHealth": {
            const tg = tgs.get(p.get("TargetGroupArn")!)
            if (tg === undefined) return fail(res, "TargetGroupNotFound", "One or more target groups not found")
            const out = [...tg.targets.values()].map((t) => ({ ...t }))
            for (const t of tg.targets.values()) if (t.state === "initial") t.state = "healthy"
            return answer(res, 200, X.describeTargetHealth(out.map((t) => ({ ...t, ...(t.state === "draining" ? { reason: "Target.DeregistrationInProgress" } : {}) }))))
          }
          default:
            return fail(res, "InvalidAction", `The action ${String(action)} is not valid for this web service.`)
        }
      }

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/elasticloadbalancing\/aws4_request/.test(req.headers.authorization ?? "")) {
            return answer(res, 403, X.error("InvalidClientTokenId", "The security token included in the request is invalid."))
          }
          handle(new URLSearchParams(Buffer.concat(chunks).toString("utf8")), res)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, region, close: () => server.close() }))
      })
    }),
    (fake) => Effect.sync(() => fake.close())
  )
