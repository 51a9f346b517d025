/**
 * What a GCE layer is configured with, its defaults, and the environment
 * variables `layerConfig` reads (the gcloud / Google SDK names).
 */
import { Config, type Duration, Option, type Schedule } from "effect"
import type * as Retry from "../../../http/Retry.js"
import type { ServiceAccountInput } from "./auth.js"

export interface GceConfig {
  /** The project id instances, disks and key pairs live in. */
  readonly project: string
  /** The default zone ("us-central1-a"): listing, creating, and bare-name ids refer to it. */
  readonly zone: string
  /** The service account key: JSON text (best `Redacted`), the parsed JSON, or a path to the key file. */
  readonly serviceAccount: ServiceAccountInput
  /** Another Compute endpoint (an emulator, a private endpoint); default https://compute.googleapis.com. */
  readonly endpoint?: string | undefined
  /** Token endpoint override; default the key's `token_uri`. */
  readonly tokenUri?: string | undefined
  /** OAuth scopes; default https://www.googleapis.com/auth/compute. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /**
   * Public image projects `listImages` lists after the layer's own project.
   * Default `defaultImageProjects`; `[]` lists only the project's own images.
   */
  readonly imageProjects?: ReadonlyArray<string> | undefined
  /**
   * The hourly USD price of a machine type in a region. By default prices
   * come from the `Pricing` service when the program provides one, else from
   * the prices bundled with cloudfx; `false` leaves them undefined.
   */
  readonly prices?: ((machineType: string, region: string) => number | undefined) | false | undefined
  /** `listNodes` and `listVolumes` over every zone (aggregatedList) instead of the default zone. Default false. */
  readonly allZones?: boolean | undefined
  /** The network new instances join; default "global/networks/default". */
  readonly network?: string | undefined
  /** `maxResults` of every list request, 1 to 500. Default 500. */
  readonly pageSize?: number | undefined
  /** How often an unfinished operation is asked about again (each ask is a server-side `wait`). */
  readonly operationSchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /** How long a mutating call waits for its operation to be DONE. Default 10 minutes. */
  readonly operationTimeout?: Duration.DurationInput | undefined
  /** Per-attempt timeout of ordinary requests. Default 60 s (an operation `wait` gets 150 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy overrides, or `false` never to retry. */
  readonly retry?: Partial<Retry.Policy> | false | undefined
  /** The provider id on every error and span. Default "gce". */
  readonly name?: string | undefined
}

export const DEFAULT_ENDPOINT = "https://compute.googleapis.com"
export const DEFAULT_NETWORK = "global/networks/default"
export const MAX_PAGE_SIZE = 500

/** The public image projects Google documents for Linux images it maintains or hosts. */
export const defaultImageProjects: ReadonlyArray<string> = [
  "debian-cloud",
  "ubuntu-os-cloud",
  "rocky-linux-cloud",
  "centos-cloud",
  "rhel-cloud",
  "fedora-coreos-cloud",
  "opensuse-cloud",
  "suse-cloud",
  "cos-cloud"
]

const nonEmpty = (name: string) => Config.nonEmptyString(name).pipe(Config.map((v) => v.trim()))

/** GOOGLE_CLOUD_PROJECT, else CLOUDSDK_CORE_PROJECT. */
export const projectConfig: Config.Config<string> = nonEmpty("GOOGLE_CLOUD_PROJECT").pipe(
  Config.orElse(() => nonEmpty("CLOUDSDK_CORE_PROJECT"))
)

/** CLOUDSDK_COMPUTE_ZONE. */
export const zoneConfig: Config.Config<string> = nonEmpty("CLOUDSDK_COMPUTE_ZONE")

/** GOOGLE_APPLICATION_CREDENTIALS: the path of the service account key file. */
export const serviceAccountConfig: Config.Config<ServiceAccountInput> = nonEmpty("GOOGLE_APPLICATION_CREDENTIALS")

/** CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE when set (gcloud's endpoint override). */
export const endpointConfig: Config.Config<string | undefined> = Config.option(nonEmpty("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE")).pipe(
  Config.map(Option.getOrUndefined)
)

/** What `layerConfig` reads when given nothing. */
export const envConfig: Config.Config.Wrap<GceConfig> = {
  project: projectConfig,
  zone: zoneConfig,
  serviceAccount: serviceAccountConfig,
  endpoint: endpointConfig
}
