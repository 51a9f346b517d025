/**
 * `cloudfx lb`: load balancers and their members on any LoadBalancer
 * provider.
 *
 *   cloudfx lb ls
 *   cloudfx lb create web --port 8080 --algorithm roundRobin --member 10.0.0.5:80 --member 10.0.0.6:80
 *   cloudfx lb members web                           # by name or id
 *   cloudfx lb attach web --member 10.0.0.7:80 [--weight 2]
 *   cloudfx lb attach web --node i-0abc --compute-provider ec2 --member-port 80 [--private]
 *   cloudfx lb detach web MEMBER_ID
 *   cloudfx lb destroy web
 *
 * `--node` attaches a node of any Compute provider (its public IP, or its
 * private one with --private): the balancer and the node need not be on the
 * same cloud.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { InvalidInput, NotFound } from "../schemas/Errors.js"
import type { Balancer, Member } from "../schemas/Models.js"
import { Algorithm } from "../schemas/Models.js"
import { Compute } from "../services/Compute.js"
import { LoadBalancer } from "../services/LoadBalancer.js"
import { computeProviders, loadBalancerProviders, providerLayer, providerOption } from "./providers.js"
import { renderTable } from "./table.js"

const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of a table"))
const provider = providerOption(loadBalancerProviders, "load balancer")

const withLb = <A, E>(chosen: Option.Option<string>, operation: string, body: (lb: LoadBalancer.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(providerLayer(loadBalancerProviders, chosen, operation), (layer) =>
    Effect.flatMap(LoadBalancer, body).pipe(Effect.provide(layer)))

/** A balancer by id, else by name (names are what people remember). */
export const findBalancer = (lb: LoadBalancer.Service, given: string) =>
  lb.getBalancer(given).pipe(
    Effect.catchTags({ NotFound: () => byName(lb, given), InvalidInput: () => byName(lb, given) })
  )

const byName = (lb: LoadBalancer.Service, given: string) =>
  Effect.flatMap(lb.listBalancers(), (all): Effect.Effect<Balancer, InvalidInput | NotFound> => {
    const named = all.filter((b) => b.name === given)
    if (named.length === 1) return Effect.succeed(named[0]!)
    if (named.length > 1) {
      return Effect.fail(new InvalidInput({ provider: "cli", operation: "cli.lb", field: "balancer", reason: `${named.length} balancers are named "${given}": use an id (${named.map((b) => b.id).join(", ")})` }))
    }
    return Effect.fail(new NotFound({ provider: lb.provider.id, operation: "LoadBalancer.getBalancer", resource: "balancer", id: given }))
  })

/** "10.0.0.5:80" or "[2001:db8::5]:80". */
export const parseMember = (text: string): Effect.Effect<{ readonly ip: string; readonly port: number }, InvalidInput> => {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:]+):(\d+)$/.exec(text.trim())
  const port = m === null ? NaN : Number(m[2])
  return m === null || !Number.isInteger(port) || port < 1 || port > 65535
    ? Effect.fail(new InvalidInput({ provider: "cli", operation: "cli.lb", field: "member", reason: `"${text}" is not ip:port` }))
    : Effect.succeed({ ip: m[1]!, port })
}

const balancerHeaders = ["name", "id", "state", "ip", "port", "protocol", "algorithm"]
const balancerRow = (b: Balancer) => [b.name, b.id, b.state, b.ip, b.port, b.protocol, b.algorithm]
const memberHeaders = ["id", "ip", "port", "weight", "state", "node"]
const memberRow = (m: Member) => [m.id, m.ip, m.port, m.weight, m.state, m.nodeId]

const print = <A>(asJson: boolean, value: A, table: () => string) => Console.log(asJson ? JSON.stringify(value, null, 2) : table())

const lsCommand = Command.make("ls", { provider, json }, (args) =>
  withLb(args.provider, "cli.lb.ls", (lb) =>
    Effect.flatMap(lb.listBalancers(), (all) => print(args.json, all, () => renderTable(balancerHeaders, all.map(balancerRow)))))).pipe(
    Command.withDescription("list the load balancers")
  )

const balancerArg = Args.text({ name: "balancer" }).pipe(Args.withDescription("a balancer's name or id"))
const members = Options.text("member").pipe(Options.withDescription("ip:port of a member (repeatable)"), Options.repeated)

const createCommand = Command.make(
  "create",
  {
    provider,
    json,
    name: Args.text({ name: "name" }),
    port: Options.integer("port").pipe(Options.withDescription("the port it listens on")),
    protocol: Options.text("protocol").pipe(Options.withDefault("http")),
    algorithm: Options.choice("algorithm", Algorithm.literals).pipe(Options.withDefault("roundRobin" as const)),
    members
  },
  (args) =>
    withLb(args.provider, "cli.lb.create", (lb) =>
      Effect.gen(function*() {
        const specs = yield* Effect.forEach(args.members, parseMember)
        const balancer = yield* lb.createBalancer({
          name: args.name,
          port: args.port,
          protocol: args.protocol,
          algorithm: args.algorithm,
          members: specs
        })
        const attached = yield* lb.listMembers(balancer)
        yield* print(args.json, { balancer, members: attached }, () =>
          `${renderTable(balancerHeaders, [balancerRow(balancer)])}\n\n${renderTable(memberHeaders, attached.map(memberRow))}`)
      }))
).pipe(Command.withDescription("create a load balancer, optionally with members"))

const membersCommand = Command.make("members", { provider, json, balancer: balancerArg }, (args) =>
  withLb(args.provider, "cli.lb.members", (lb) =>
    Effect.gen(function*() {
      const balancer = yield* findBalancer(lb, args.balancer)
      const list = yield* lb.listMembers(balancer)
      yield* print(args.json, list, () => renderTable(memberHeaders, list.map(memberRow)))
    }))).pipe(Command.withDescription("list a balancer's members"))

const attachCommand = Command.make(
  "attach",
  {
    provider,
    json,
    balancer: balancerArg,
    member: Options.text("member").pipe(Options.withDescription("ip:port to attach"), Options.optional),
    node: Options.text("node").pipe(Options.withDescription("a compute node id to attach instead of --member"), Options.optional),
    computeProvider: Options.text("compute-provider").pipe(
      Options.withDescription(`the node's compute provider: ${computeProviders.map((e) => e.names[0]).join(", ")} (default memory)`),
      Options.withDefault("memory")
    ),
    memberPort: Options.integer("member-port").pipe(Options.withDescription("the node's port (with --node)"), Options.optional),
    privateIp: Options.boolean("private").pipe(Options.withDescription("use the node's private IP (with --node)")),
    weight: Options.integer("weight").pipe(Options.optional)
  },
  (args) =>
    withLb(args.provider, "cli.lb.attach", (lb) =>
      Effect.gen(function*() {
        const balancer = yield* findBalancer(lb, args.balancer)
        const weight = Option.match(args.weight, { onNone: () => ({}), onSome: (w) => ({ weight: w }) })
        const member = yield* Option.match(args.node, {
          onNone: () =>
            Option.match(args.member, {
              onNone: () => Effect.fail(new InvalidInput({ provider: "cli", operation: "cli.lb.attach", field: "member", reason: "give --member ip:port or --node ID" })),
              onSome: (text) => Effect.flatMap(parseMember(text), (spec) => lb.attachMember(balancer, { ...spec, ...weight }))
            }),
          onSome: (nodeId) =>
            Effect.gen(function*() {
              const port = yield* Option.match(args.memberPort, {
                onNone: () => Effect.fail(new InvalidInput({ provider: "cli", operation: "cli.lb.attach", field: "member-port", reason: "--node needs --member-port" })),
                onSome: Effect.succeed
              })
              const computeLayer = yield* providerLayer(computeProviders, Option.some(args.computeProvider), "cli.lb.attach")
              const node = yield* Effect.flatMap(Compute, (compute) => compute.getNode(nodeId)).pipe(Effect.provide(computeLayer))
              return yield* lb.attachComputeNode(balancer, node, port, { usePrivateIp: args.privateIp, ...weight })
            })
        })
        yield* print(args.json, member, () => renderTable(memberHeaders, [memberRow(member)]))
      }))
).pipe(Command.withDescription("attach a member (ip:port, or a node of any compute provider)"))

const detachCommand = Command.make("detach", { provider, balancer: balancerArg, member: Args.text({ name: "member" }) }, (args) =>
  withLb(args.provider, "cli.lb.detach", (lb) =>
    Effect.gen(function*() {
      const balancer = yield* findBalancer(lb, args.balancer)
      yield* lb.detachMember(balancer, args.member)
      yield* Console.log(`detached ${args.member} from ${balancer.name}`)
    }))).pipe(Command.withDescription("detach a member by id"))

const destroyCommand = Command.make("destroy", { provider, balancer: balancerArg }, (args) =>
  withLb(args.provider, "cli.lb.destroy", (lb) =>
    Effect.gen(function*() {
      const balancer = yield* findBalancer(lb, args.balancer)
      yield* lb.destroyBalancer(balancer)
      yield* Console.log(`destroyed ${balancer.name} (${balancer.id})`)
    }))).pipe(Command.withDescription("destroy a load balancer"))

export const lbCommand = Command.make("lb").pipe(
  Command.withDescription("load balancers and their members"),
  Command.withSubcommands([lsCommand, createCommand, membersCommand, attachCommand, detachCommand, destroyCommand])
)
