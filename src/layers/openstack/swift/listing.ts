/**
 * Listings: the account's containers and a container's objects, as JSON
 * (`?format=json`), paged by `marker` and `limit`. Swift sorts names by
 * their UTF-8 bytes and rolls keys up to the `delimiter` itself (as
 * `{"subdir": …}` entries, which become ObjectPrefix); a roll-up is also a
 * valid marker, after which Swift continues past everything under it.
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import * as ProviderHttp from "../../../http/Client.js"
import * as Paginate from "../../../http/Paginate.js"
import type { MalformedResponse, NotFound, ProviderFailure } from "../../../schemas/Errors.js"
import { Container, type ListEntry, ObjectPrefix } from "../../../schemas/Models.js"
import { type SwiftClient, containerPath, containerTarget } from "./client.js"
import { listedObject } from "./headers.js"
import { parseTimestamp } from "../../../auth/openstack/internal.js"
import { ContainerListing, ObjectListing } from "./wire.js"

const ACCOUNT_PAGE = 10_000
export const DEFAULT_PAGE_SIZE = 1000

// An empty listing may be a 204 with no body.
const jsonOrEmpty = <A>(read: ProviderHttp.Reader<ReadonlyArray<A>, ProviderFailure>): ProviderHttp.Reader<ReadonlyArray<A>, ProviderFailure> =>
(response, where) => response.status === 204 ? Effect.as(ProviderHttp.empty(response, where), []) : read(response, where)

export const containers = (client: SwiftClient, operation: string): Effect.Effect<ReadonlyArray<Container>, ProviderFailure> =>
  Effect.flatMap(client.http(operation), (h) =>
    Paginate.stream(
      (marker: Option.Option<string>) =>
        h.execute(
          HttpClientRequest.get("").pipe(
            HttpClientRequest.setUrlParams({ format: "json", limit: String(ACCOUNT_PAGE), ...Option.match(marker, { onNone: () => ({}), onSome: (m) => ({ marker: m }) }) })
          ),
          { operation },
          jsonOrEmpty(ProviderHttp.json(ContainerListing))
        ).pipe(
          Effect.map((page) => ({
            items: page,
            next: page.length < ACCOUNT_PAGE ? Option.none<string>() : Option.some(page[page.length - 1]!.name)
          }))
        ),
      { where: client.where(operation) }
    ).pipe(
      Stream.map((c) => {
        const lastModified = c.last_modified === undefined ? undefined : parseTimestamp(c.last_modified)
        return new Container({
          name: c.name,
          extra: {
            ...(c.count === undefined ? {} : { objectCount: c.count }),
            ...(c.bytes === undefined ? {} : { bytesUsed: c.bytes }),
            ...(lastModified === undefined ? {} : { lastModified })
          }
        })
      }),
      Stream.runCollect,
      Effect.map((chunk) => [...chunk])
    ))

export interface ObjectQuery {
  readonly prefix?: string | undefined
  readonly delimiter?: string | undefined
  readonly pageSize: number
}

export const objects = (
  client: SwiftClient,
  operation: string,
  container: string,
  query: ObjectQuery
): Stream.Stream<ListEntry, NotFound | MalformedResponse | ProviderFailure> =>
  Stream.unwrap(Effect.map(client.http(operation), (h) =>
    Paginate.stream(
      (marker: Option.Option<string>) =>
        h.execute(
          HttpClientRequest.get(containerPath(container)).pipe(
            HttpClientRequest.setUrlParams({
              format: "json",
              limit: String(query.pageSize),
              ...(query.prefix === undefined || query.prefix === "" ? {} : { prefix: query.prefix }),
              ...(query.delimiter === undefined ? {} : { delimiter: query.delimiter }),
              ...Option.match(marker, { onNone: () => ({}), onSome: (m) => ({ marker: m }) })
            })
          ),
          { operation, notFound: containerTarget(container), attributes: { "cloudfx.container": container } },
          jsonOrEmpty(ProviderHttp.json(ObjectListing))
        ).pipe(
          Effect.map((page) => {
            const items = page.map((e): ListEntry => ("subdir" in e ? new ObjectPrefix({ key: e.subdir }) : listedObject(e)))
            const last = page[page.length - 1]
            return {
              items,
              next: page.length < query.pageSize || last === undefined ? Option.none<string>() : Option.some("subdir" in last ? last.subdir : last.name)
            }
          })
        ),
      { where: client.where(operation) }
    )))
