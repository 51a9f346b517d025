/**
 * Copy a DNS zone from one provider to another through the portable `Dns`
 * interface alone: export it as a BIND zone file, parse the file back into
 * record specs, and create the zone and each record on the other side.
 *
 * Run it against a PowerDNS server (copies the zone into memory and prints
 * the copy as a zone file):
 *
 *   PDNS_API_URL=http://127.0.0.1:8081/api/v1 PDNS_API_KEY=… \
 *     npx tsx examples/copy-zone.ts example.com
 *
 * In your own code import from "cloudfx", "cloudfx/powerdns" and
 * "cloudfx/memory"; this file uses the source paths so that the test suite
 * (test/layers/powerdns/real.test.ts) runs it as it is.
 */
import { pathToFileURL } from "node:url"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { Memory } from "../src/layers/memory/index.js"
import { PowerDns } from "../src/layers/powerdns/index.js"
import type { Zone } from "../src/schemas/Models.js"
import { exportZoneOn, importBindZone } from "../src/services/Bind.js"
import { Dns } from "../src/services/Dns.js"
import type { Ref } from "../src/services/Refs.js"

/**
 * Copies `zone` from `from` to `to` (where it must not exist yet). SOA and
 * the apex NS records are not copied: each provider writes its own for a new
 * zone, naming its own name servers. Returns the new zone, the records created and the zone
 * file that carried them.
 */
export const copyZone = (from: Dns.Service, to: Dns.Service, zone: Ref) =>
  Effect.gen(function*() {
    const text = yield* exportZoneOn(from, zone)
    const parsed = yield* importBindZone(text)
    const copy: Zone = yield* to.createZone({
      domain: parsed.domain,
      ...(parsed.ttl === undefined ? {} : { ttl: parsed.ttl })
    })
    const records = yield* Effect.forEach(
      // Delegations below the apex are the zone's own data: only the apex NS set is the provider's.
      parsed.records.filter((r) => r.type !== "SOA" && !(r.type === "NS" && (r.name === "" || r.name === "@"))),
      (spec) => to.createRecord(copy, spec)
    )
    return { zone: copy, records, text }
  })

const main = (domain: string) =>
  Effect.gen(function*() {
    const powerDns = yield* Dns
    const memory = yield* Memory.makeDns()
    const { records, zone } = yield* copyZone(powerDns, memory, domain)
    yield* Console.log(`copied ${records.length} records of ${zone.domain} from PowerDNS into memory:`)
    yield* Console.log(yield* exportZoneOn(memory, zone))
  }).pipe(Effect.provide(PowerDns.layerConfig()), Effect.provide(NodeHttpClient.layerUndici))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(main(process.argv[2] ?? "example.com"))
}
