/**
 * DescribeInstances, the way both services read instances: every page of a
 * filtered listing, or one instance by id (NotFound when EC2 says so or
 * answers without it).
 */
import { Effect } from "effect"
import { NotFound, type ProviderFailure } from "../../../schemas/Errors.js"
import { type Client, list, type Params } from "./client.js"
import * as Wire from "./wire.js"

export interface Instances {
  readonly describe: (operation: string, params: Params) => Effect.Effect<ReadonlyArray<Wire.Instance>, ProviderFailure>
  readonly one: (operation: string, id: string) => Effect.Effect<Wire.Instance, NotFound | ProviderFailure>
}

export const instances = (client: Client): Instances => ({
  describe: (operation, params) =>
    client.all({
      action: "DescribeInstances",
      params,
      schema: Wire.DescribeInstances,
      operation,
      maxPage: 1000,
      page: (a) => ({ items: a.reservationSet.flatMap((r) => r.instancesSet), next: a.nextToken })
    }),
  one: (operation, id) =>
    client.call({
      action: "DescribeInstances",
      params: list("InstanceId", [id]),
      schema: Wire.DescribeInstances,
      operation,
      idempotent: true,
      mapped: ["NotFound"],
      targets: { node: id }
    }).pipe(
      Effect.flatMap((a) => {
        const found = a.reservationSet.flatMap((r) => r.instancesSet).find((i) => i.instanceId === id)
        return found === undefined
          ? Effect.fail(new NotFound({ provider: client.provider, operation, resource: "node", id }))
          : Effect.succeed(found)
      })
    )
})

