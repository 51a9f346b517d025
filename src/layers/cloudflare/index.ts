/**
 * `cloudfx/cloudflare`: Cloudflare. DNS (zones and records, API v4) with
 * the Cloudflare-only operations beside it.
 */
export * as Cloudflare from "./Cloudflare.js"
