/**
 * The commonest EC2 call shape: one action on one resource named by its id
 * (DeleteVolume VolumeId=…, StopInstances InstanceId.1=…), whose answer
 * only says it was accepted. The id's shape is checked before anything is sent.
 */
import { Effect } from "effect"
import type { Ref } from "../../../services/Refs.js"
import type { Client } from "./client.js"
import type { Mapped, Resource } from "./errors.js"
import * as Ids from "./ids.js"
import * as Wire from "./wire.js"

export interface IdAction<M extends Mapped> {
  readonly operation: string
  readonly action: string
  /** The query parameter carrying the id ("VolumeId", "InstanceId.1"). */
  readonly param: string
  readonly kind: Ids.IdKind
  /** The InvalidInput field; default the kind. */
  readonly field?: string
  /** Whose id it is in NotFound / Conflict. */
  readonly resource: Resource
  readonly mapped: ReadonlyArray<M>
  readonly idempotent?: boolean
}

export const idAction = <M extends Mapped>(client: Client, a: IdAction<M>) => (ref: Ref) =>
  Effect.flatMap(Ids.id({ provider: client.provider, operation: a.operation }, a.kind, ref, a.field), (id) =>
    Effect.asVoid(
      client.call({
        action: a.action,
        params: [[a.param, id]],
        // Only acceptance matters: the document must be this action's answer.
        schema: Wire.Returned(`${a.action}Response`),
        operation: a.operation,
        idempotent: a.idempotent,
        mapped: a.mapped,
        targets: { [a.resource]: id }
      })
    ))
