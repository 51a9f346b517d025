/**
 * Where a bucket and an object live: AWS's regional endpoint or a custom
 * one, virtual-hosted (`bucket.host/key`) or path style (`host/bucket/key`).
 */
import * as Url from "../../../http/Url.js"

export interface Addressing {
  /** The service endpoint (ListBuckets), without a trailing "/". */
  readonly serviceUrl: string
  /** The bucket's URL, without a trailing "/". */
  readonly bucketUrl: (bucket: string) => string
  /** The object's URL; the key keeps its "/" and is otherwise fully percent-encoded. */
  readonly objectUrl: (bucket: string, key: string) => string
  readonly pathStyle: (bucket: string) => boolean
}

/** AWS's endpoint for a region (the China regions are under amazonaws.com.cn). */
export const awsEndpoint = (region: string): string =>
  `https://s3.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Hosts that only resolve as themselves: a bucket label in front of them leads nowhere. */
export const isLiteralHost = (hostname: string): boolean =>
  ipv4.test(hostname) || hostname.startsWith("[") || hostname === "localhost" || hostname.endsWith(".localhost")

/** A bucket name that can be a DNS label prefix: what virtual-hosted style needs. */
export const isDnsCompatible = (bucket: string): boolean =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes("..") && !bucket.includes(".-") &&
  !bucket.includes("-.") && !ipv4.test(bucket)

/** A URL with an S3 query appended (`{ uploads: null }` → `?uploads`), strictly encoded. */
export const withQuery = (url: string, query: Url.QueryInput): string => Url.appendQuery(url, Url.query(query))

export const make = (options: {
  readonly region: string
  readonly endpoint?: string | undefined
  readonly forcePathStyle?: boolean | undefined
}): Addressing => {
  const base = new URL(options.endpoint ?? awsEndpoint(options.region))
  const prefix = base.pathname.replace(/\/+$/, "")
  const origin = `${base.protocol}//${base.host}`
  const https = base.protocol === "https:"
  const alwaysPath = options.forcePathStyle === true || isLiteralHost(base.hostname)
  const serviceUrl = origin + prefix

  const pathStyle = (bucket: string) =>
    alwaysPath || !isDnsCompatible(bucket) || (https && bucket.includes("."))

  const bucketUrl = (bucket: string) =>
    pathStyle(bucket)
      ? `${serviceUrl}/${Url.segment(bucket)}`
      : `${base.protocol}//${bucket}.${base.host}${prefix}`

  return {
    serviceUrl,
    pathStyle,
    bucketUrl,
    objectUrl: (bucket, key) => `${bucketUrl(bucket)}/${Url.key(key)}`
  }
}
