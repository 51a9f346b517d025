/**
 * Amazon Route 53 (`cloudfx/aws`, provider id "aws-route53" unless `name`
 * says otherwise): the portable `Dns` service and the Route 53-only
 * `Route53.Route53` over the REST XML API 2013-04-01, signed with SigV4
 * (service "route53", region us-east-1, endpoint https://route53.amazonaws.com).
 *
 * ```ts
 * import { Route53 } from "cloudfx/aws"
 *
 * // credentials from AWS_ACCESS_KEY_ID… or ~/.aws/credentials
 * Route53.layer({})
 * // AWS_ENDPOINT_URL_ROUTE_53 / AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…
 * Route53.layerConfig()
 * // portable changes return only once INSYNC on every Route 53 name server
 * Route53.layer({ waitForChanges: true })
 * ```
 *
 * Behaviour worth knowing:
 * - Zones are hosted zones; ids are Route 53's ("Z1PA6795UKMFR9",
 *   "/hostedzone/…" accepted). Domains come back lower case, without the
 *   trailing dot, Route 53's `\DDD` escapes decoded. `extra`: `comment`,
 *   `callerReference`, `privateZone`, `recordSetCount`, `nameservers` (from
 *   getZone/createZone), `changeId`/`changeStatus` (createZone).
 * - `createZone` refuses a domain that already has a hosted zone
 *   (AlreadyExists — Route 53 itself would make a second one), then sends
 *   CreateHostedZone with a CallerReference (`extra.callerReference`, else a
 *   random one), so the request is retried safely: a retry refused as
 *   HostedZoneAlreadyExists returns the zone holding our CallerReference.
 *   `extra` may also give `comment` and `delegationSetId`. Route 53 zones
 *   have no TTL: `ttl` is checked and otherwise ignored; there are no
 *   secondary zones (`type: "slave"` is InvalidInput).
 * - `updateZone` changes only what Route 53 allows, the comment
 *   (`extra.comment`, UpdateHostedZoneComment); a `ttl` is `Unsupported`, so
 *   "dns.updateZone" is not a capability. `Route53.updateComment` does the same.
 * - `deleteZone` first deletes every record set but the SOA and apex NS
 *   (Route 53 refuses to delete a zone that holds records), in change
 *   batches within Route 53's limits, then the zone.
 * - Records: one portable record per value of a record set (one per alias
 *   record set). Ids are derived, not stored: `TYPE:name:setIdentifier:value`
 *   ("A:www::192.0.2.1", "MX:@::10 mail.example.com."), the same in every
 *   listing and process; changing a record's data changes its id.
 * - Every change reads the record set and sends one transactional change
 *   batch that DELETEs exactly what was read and CREATEs the new set, so
 *   siblings are kept and a set changed by someone else meanwhile makes the
 *   batch fail (Route 53 requires the exact current set to delete it) instead
 *   of being overwritten. The TTL belongs to the set: a record's `ttl` is
 *   its set's, and setting it sets its siblings' too. New sets without a ttl
 *   get `defaultTtl` (300 s).
 * - MX/SRV priority is the first number of the value; TXT/SPF data is the
 *   joined bytes of its strings, sent quoted and split every 255 bytes
 *   (`"`, `\` escaped; unprintable bytes as `\DDD`). Record names are sent
 *   absolute and read back relative, `\052` as `*`.
 * - The SOA and apex NS records are listed like any other; they can be
 *   updated in place but not deleted or moved (InvalidInput). Alias record
 *   sets are listed with `data` = the target's DNS name and `extra.alias`
 *   (`hostedZoneId`, `dnsName`, `evaluateTargetHealth`); they are deleted
 *   with `deleteRecord` and made with `Route53.upsertAlias`. Routing-policy
 *   sets (weighted, latency, failover, geo…) are listed with
 *   `extra.setIdentifier` and `extra.routing` (Route 53's fields, kept
 *   exactly when a value is rewritten). Types the portable model has no name
 *   for (HTTPS, SVCB) are not listed.
 * - Errors: NoSuchHostedZone → NotFound "zone"; a change batch refused with
 *   InvalidChangeBatch → AlreadyExists / Conflict / NotFound "record" when
 *   its messages say so (CNAME clashes are Conflict), else ProviderError
 *   whose detail is Route 53's messages joined; Throttling and
 *   PriorRequestNotComplete → RateLimited, retried even for change batches
 *   (Route 53 refused them unread); InvalidClientTokenId /
 *   SignatureDoesNotMatch → InvalidCredentials; AccessDenied →
 *   PermissionDenied.
 * - Changes are PENDING until Route 53 has them everywhere: `extra.changeId`
 *   of a changed record or new zone can be given to `Route53.waitForChange`
 *   (GetChange polling), or set `waitForChanges: true`.
 * - Listings follow Marker/NextMarker (zones) and
 *   NextRecordName/NextRecordType/NextRecordIdentifier (record sets) to the
 *   end, `pageSize` per page (Route 53's maxima, 100 and 300, by default).
 * - Not covered: private hosted zones (VPC association), health checks,
 *   traffic policies, reusable delegation sets other than by id.
 */
import type { HttpClient } from "@effect/platform"
import type { ConfigError } from "effect"
import { Config, Context, Effect, Layer } from "effect"
import { Dns } from "../../../services/Dns.js"
import * as Client from "./client.js"
import { envConfig, type Route53Config } from "./config.js"
import { makeServices as build, type Route53Service } from "./service.js"

export type { Route53Config } from "./config.js"
export { DEFAULT_ENDPOINT } from "./config.js"
export type { AliasSpec, ChangeStatus, Route53Service, WaitOptions } from "./service.js"

/** The Route 53-only operations, provided by the same layer as `Dns`. */
export class Route53 extends Context.Tag("cloudfx/aws/Route53")<Route53, Route53Service>() {}

/** Both services over one client (one credential cache, one connection pool). */
export const makeServices = (
  config: Route53Config
): Effect.Effect<{ readonly dns: Dns.Service; readonly route53: Route53Service }, never, HttpClient.HttpClient> =>
  Effect.map(Client.make(config), (client) => build(config, client))

/** The portable service alone (a plain value: one program can hold several). */
export const make = (config: Route53Config): Effect.Effect<Dns.Service, never, HttpClient.HttpClient> =>
  Effect.map(makeServices(config), (s) => s.dns)

export const layer = (config: Route53Config): Layer.Layer<Dns | Route53, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(makeServices(config), ({ dns, route53 }) => Context.make(Dns, dns).pipe(Context.add(Route53, route53)))
  )

/**
 * Reads the AWS CLI / SDK variables unless given a config:
 * AWS_ENDPOINT_URL_ROUTE_53 (or AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID +
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); without keys there, the shared
 * credentials file (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE) is read at the
 * first request.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Route53Config> = envConfig
): Layer.Layer<Dns | Route53, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
