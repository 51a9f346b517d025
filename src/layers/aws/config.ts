/**
 * The configuration every AWS product reads the same way: the AWS CLI / SDK
 * environment variables for the region, the credentials and a product's
 * endpoint override.
 */
import { Config, Option } from "effect"
import * as Credentials from "../../auth/aws/Credentials.js"
import type { AwsCredentials } from "../../auth/aws/Credentials.js"

const optionalString = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.flatMap((v) => (v.trim() === "" ? Option.none() : Option.some(v.trim()))))
  )

/** AWS_REGION, else AWS_DEFAULT_REGION. */
export const regionConfig: Config.Config<string> = Config.nonEmptyString("AWS_REGION").pipe(
  Config.orElse(() => Config.nonEmptyString("AWS_DEFAULT_REGION"))
)

/** AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) when set; otherwise the chain decides per request. */
export const credentialsConfig: Config.Config<AwsCredentials | undefined> = Config.option(Credentials.config).pipe(
  Config.map(Option.getOrUndefined)
)

/**
 * AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (the SDKs'
 * service-specific endpoint variables: "S3", "EC2", "ROUTE_53",
 * "ELASTIC_LOAD_BALANCING"…).
 */
export const endpointConfig = (service: string): Config.Config<string | undefined> =>
  Config.all([optionalString(`AWS_ENDPOINT_URL_${service}`), optionalString("AWS_ENDPOINT_URL")]).pipe(
    Config.map(([own, any]) => Option.getOrUndefined(Option.orElse(own, () => any)))
  )
