/**
 * The portable DNS API: zones and records, listings as Streams. Record names
 * are relative to their zone ("www", "" for the apex); zone domains carry no
 * trailing dot. BIND import/export lives in ./Bind.ts.
 */
import { Context } from "effect"
import type { Effect, Stream } from "effect"
import type {
  AlreadyExists,
  Conflict,
  InvalidInput,
  NotFound,
  ProviderFailure,
  Unsupported
} from "../schemas/Errors.js"
import type { DnsRecord, RecordType, Zone, ZoneType } from "../schemas/Models.js"
import type { ProviderInfo } from "./ProviderInfo.js"
import type { Ref } from "./Refs.js"

export class Dns extends Context.Tag("cloudfx/Dns")<Dns, Dns.Service>() {}

export declare namespace Dns {
  export interface CreateZoneSpec {
    readonly domain: string
    readonly type?: ZoneType
    readonly ttl?: number
    readonly extra?: Readonly<Record<string, unknown>>
  }

  export interface UpdateZoneSpec {
    readonly type?: ZoneType
    readonly ttl?: number
    readonly extra?: Readonly<Record<string, unknown>>
  }

  export interface RecordSpec {
    /** Relative to the zone; "" is the apex. */
    readonly name: string
    readonly type: RecordType
    readonly data: string
    readonly ttl?: number
    /** Required for MX and SRV. */
    readonly priority?: number
  }

  export type UpdateRecordSpec = Partial<RecordSpec>

  export interface Service {
    readonly provider: ProviderInfo

    readonly listRecordTypes: () => Effect.Effect<ReadonlyArray<RecordType>>

    readonly listZones: () => Stream.Stream<Zone, ProviderFailure>
    readonly getZone: (zone: Ref) => Effect.Effect<Zone, NotFound | InvalidInput | ProviderFailure>
    readonly createZone: (spec: CreateZoneSpec) => Effect.Effect<Zone, AlreadyExists | InvalidInput | ProviderFailure>
    readonly updateZone: (
      zone: Ref,
      spec: UpdateZoneSpec
    ) => Effect.Effect<Zone, NotFound | InvalidInput | Unsupported | ProviderFailure>
    readonly deleteZone: (zone: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>

    readonly listRecords: (zone: Ref) => Stream.Stream<DnsRecord, NotFound | InvalidInput | ProviderFailure>
    readonly getRecord: (zone: Ref, record: Ref) => Effect.Effect<DnsRecord, NotFound | InvalidInput | ProviderFailure>
    readonly createRecord: (
      zone: Ref,
      spec: RecordSpec
    ) => Effect.Effect<DnsRecord, NotFound | AlreadyExists | Conflict | InvalidInput | ProviderFailure>
    readonly updateRecord: (
      zone: Ref,
      record: Ref,
      spec: UpdateRecordSpec
    ) => Effect.Effect<DnsRecord, NotFound | Conflict | InvalidInput | ProviderFailure>
    readonly deleteRecord: (zone: Ref, record: Ref) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
  }
}
