/**
 * `cloudfx dns`: zones and records on any Dns provider, and BIND zone files
 * in and out of it.
 *
 *   cloudfx dns ls                                   # zones
 *   cloudfx dns create example.com --ttl 3600
 *   cloudfx dns records example.com                  # by domain or zone id
 *   cloudfx dns export example.com --out example.com.zone
 *   cloudfx dns import example.com.zone [--zone example.com]
 *   cloudfx dns delete example.com
 *
 * `--provider powerdns` (PDNS_API_URL, PDNS_API_KEY…) and friends pick the
 * provider (providers.ts); every command takes `--json`.
 */
import { Args, Command, Options } from "@effect/cli"
import { Chunk, Console, Effect, Option, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { NotFound } from "../schemas/Errors.js"
import type { DnsRecord, Zone } from "../schemas/Models.js"
import { exportZoneOn, importBindZoneInto } from "../services/Bind.js"
import { Dns } from "../services/Dns.js"
import { dnsProviders, providerLayer, providerOption } from "./providers.js"
import { renderTable } from "./table.js"

const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of a table"))
const provider = providerOption(dnsProviders, "DNS")

const withDns = <A, E>(chosen: Option.Option<string>, operation: string, body: (dns: Dns.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(providerLayer(dnsProviders, chosen, operation), (layer) =>
    Effect.flatMap(Dns, body).pipe(Effect.provide(layer)))

const bare = (domain: string) => domain.trim().toLowerCase().replace(/\.$/, "")

/** A zone by id, else by domain: people type domains, providers want ids. */
export const findZone = (dns: Dns.Service, given: string) =>
  dns.getZone(given).pipe(
    Effect.catchTags({
      NotFound: () => lookupByDomain(dns, given),
      InvalidInput: () => lookupByDomain(dns, given)
    })
  )

const lookupByDomain = (dns: Dns.Service, given: string) =>
  dns.listZones().pipe(
    Stream.filter((z) => bare(z.domain) === bare(given)),
    Stream.runHead,
    Effect.flatMap(Option.match({
      onSome: Effect.succeed,
      onNone: () => Effect.fail(new NotFound({ provider: dns.provider.id, operation: "Dns.getZone", resource: "zone", id: given }))
    }))
  )

const zoneRow = (z: Zone) => [z.domain, z.id, z.type, z.ttl]
const zoneHeaders = ["domain", "id", "type", "ttl"]

const recordRow = (r: DnsRecord) => [r.name === "" ? "@" : r.name, r.type, r.ttl, r.priority, r.data, r.id]
const recordHeaders = ["name", "type", "ttl", "priority", "data", "id"]

const print = <A>(asJson: boolean, value: A, table: () => string) => Console.log(asJson ? JSON.stringify(value, null, 2) : table())

const lsCommand = Command.make("ls", { provider, json }, (args) =>
  withDns(args.provider, "cli.dns.ls", (dns) =>
    Effect.flatMap(Stream.runCollect(dns.listZones()), (zones) => {
      const list = Chunk.toReadonlyArray(zones)
      return print(args.json, list, () => renderTable(zoneHeaders, list.map(zoneRow)))
    }))).pipe(Command.withDescription("list the zones"))

const domainArg = Args.text({ name: "domain" }).pipe(Args.withDescription("the zone's domain, e.g. example.com"))
const zoneArg = Args.text({ name: "zone" }).pipe(Args.withDescription("a zone's domain or id"))
const ttl = Options.integer("ttl").pipe(Options.withDescription("the zone's default TTL in seconds"), Options.optional)

const createCommand = Command.make("create", { provider, json, domain: domainArg, ttl }, (args) =>
  withDns(args.provider, "cli.dns.create", (dns) =>
    Effect.flatMap(
      dns.createZone({ domain: args.domain, ...Option.match(args.ttl, { onNone: () => ({}), onSome: (t) => ({ ttl: t }) }) }),
      (zone) => print(args.json, zone, () => renderTable(zoneHeaders, [zoneRow(zone)]))
    ))).pipe(Command.withDescription("create a zone"))

const deleteCommand = Command.make("delete", { provider, zone: zoneArg }, (args) =>
  withDns(args.provider, "cli.dns.delete", (dns) =>
    Effect.flatMap(findZone(dns, args.zone), (zone) =>
      Effect.zipRight(dns.deleteZone(zone), Console.log(`deleted zone ${zone.domain} (${zone.id})`))))).pipe(
    Command.withDescription("delete a zone and its records")
  )

const recordsCommand = Command.make("records", { provider, json, zone: zoneArg }, (args) =>
  withDns(args.provider, "cli.dns.records", (dns) =>
    Effect.gen(function*() {
      const zone = yield* findZone(dns, args.zone)
      const records = Chunk.toReadonlyArray(yield* Stream.runCollect(dns.listRecords(zone)))
      yield* print(args.json, { zone, records }, () => `${zone.domain}\n${renderTable(recordHeaders, records.map(recordRow))}`)
    }))).pipe(Command.withDescription("list a zone's records"))

const out = Options.file("out").pipe(Options.withDescription("write the zone file here instead of standard output"), Options.optional)

const exportCommand = Command.make("export", { provider, zone: zoneArg, out }, (args) =>
  withDns(args.provider, "cli.dns.export", (dns) =>
    Effect.gen(function*() {
      const zone = yield* findZone(dns, args.zone)
      const text = yield* exportZoneOn(dns, zone)
      yield* Option.match(args.out, {
        onNone: () => Console.log(text),
        onSome: (file) =>
          Effect.zipRight(
            Effect.promise(() => writeFile(file, text.endsWith("\n") ? text : `${text}\n`)),
            Console.error(`wrote ${zone.domain} to ${file}`)
          )
      })
    }))).pipe(Command.withDescription("write a zone as a BIND zone file"))

const fileArg = Args.file({ name: "file", exists: "yes" }).pipe(Args.withDescription("a BIND zone file"))
const intoZone = Options.text("zone").pipe(
  Options.withDescription("add the records to this existing zone (domain or id) instead of creating the zone"),
  Options.optional
)
const origin = Options.text("origin").pipe(Options.withDescription("the origin when the file has no $ORIGIN"), Options.optional)

const importCommand = Command.make("import", { provider, json, file: fileArg, zone: intoZone, origin }, (args) =>
  withDns(args.provider, "cli.dns.import", (dns) =>
    Effect.gen(function*() {
      const text = yield* Effect.promise(() => readFile(args.file, "utf8"))
      const existing = yield* Option.match(args.zone, {
        onNone: () => Effect.succeed(Option.none<Zone>()),
        onSome: (z) => Effect.map(findZone(dns, z), Option.some)
      })
      const imported = yield* importBindZoneInto(dns, text, {
        ...Option.match(existing, { onNone: () => ({}), onSome: (zone) => ({ zone }) }),
        ...Option.match(args.origin, { onNone: () => ({}), onSome: (o) => ({ origin: o }) })
      })
      yield* print(
        args.json,
        imported,
        () =>
          `imported ${imported.records.length} records into ${imported.zone.domain} (${imported.zone.id})\n` +
          renderTable(recordHeaders, imported.records.map(recordRow))
      )
    }))).pipe(Command.withDescription("create a zone (or fill one) from a BIND zone file"))

export const dnsCommand = Command.make("dns").pipe(
  Command.withDescription("DNS zones and records, and BIND zone files in and out"),
  Command.withSubcommands([lsCommand, createCommand, recordsCommand, exportCommand, importCommand, deleteCommand])
)
