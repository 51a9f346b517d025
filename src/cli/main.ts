/**
 * The `cloudfx` command. With no account configured it runs on its embedded
 * default: the memory clouds for compute, load balancers and DNS, and the
 * local filesystem for object storage.
 */
import { Command, Options } from "@effect/cli"
import { Effect, Layer, Option } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Local } from "../layers/local/index.js"
import { Memory } from "../layers/memory/index.js"
import { deployCommand } from "./deploy.js"
import { dnsCommand } from "./dns.js"
import { lbCommand } from "./lb.js"
import { pricingCommand } from "./pricing.js"
import { tour } from "./tour.js"

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON document instead of tables"))

const root = Options.directory("root").pipe(
  Options.withDescription("directory for local object storage (default: a temporary directory, removed afterwards)"),
  Options.optional
)

const objectMiB = Options.integer("object-mib").pipe(
  Options.withDescription("size of the generated object streamed through storage, in MiB"),
  Options.withDefault(16)
)

/** A storage root for the run: the user's, or a temporary one removed on exit. */
const storageRoot = (given: Option.Option<string>) =>
  Option.match(given, {
    onSome: (dir) => Effect.succeed(dir),
    onNone: () =>
      Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "cloudfx-tour-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
  })

const tourCommand = Command.make("tour", { json, root, objectMiB }, (args) =>
  Effect.gen(function*() {
    const dir = yield* storageRoot(args.root)
    const clouds = Layer.mergeAll(
      Memory.layerCompute({ pollsUntilRunning: 3 }),
      Memory.layerLoadBalancer(),
      Memory.layerDns(),
      Local.layer({ root: dir })
    )
    yield* tour({ json: args.json, objectMiB: args.objectMiB, pollEvery: "200 millis" }).pipe(Effect.provide(clouds))
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription(
      "run the whole portable API once: nodes, sizes and prices, a balancer, a DNS zone and its BIND export, and a streamed object round trip"
    )
  )

export const cloudfx = Command.make("cloudfx").pipe(
  Command.withDescription("one API over many clouds: compute, object storage, load balancers and DNS"),
  Command.withSubcommands([tourCommand, pricingCommand, lbCommand, dnsCommand, deployCommand])
)

export const run = Command.run(cloudfx, { name: "cloudfx", version: "0.1.0" })
