/**
 * What every Query product's configuration checks the same way (the
 * environment variables they read are ../config.ts).
 */

/** A region name such as "eu-west-1". */
export const isRegion = (region: unknown): region is string =>
  typeof region === "string" && /^[a-z0-9]+(-[a-z0-9]+)+$/.test(region)

/** The endpoint AWS documents for a service in a region (the China partition has its own domain). */
export const defaultEndpoint = (host: string, region: string): string =>
  `https://${host}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`

/** An endpoint override must be a plain http(s) URL: no query, no credentials in it. */
export const checkEndpoint = (endpoint: string): string | undefined => {
  let url: URL | undefined
  try {
    url = new URL(endpoint)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.username !== "") {
    return "must be an http(s) URL without query or credentials"
  }
  return undefined
}
