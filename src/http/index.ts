/**
 * cloudfx/http — the plumbing every HTTP provider shares (DESIGN.md §1):
 * URL building, signing hook, status → error mapping, body decoding, retry,
 * timeout, pagination, the per-provider client, and a replay client for tests.
 */
export * as Decode from "./Decode.js"
export * as Errors from "./Errors.js"
export * as Paginate from "./Paginate.js"
export * as ProviderHttp from "./Client.js"
export * as Redact from "./Redact.js"
export * as Replay from "./Replay.js"
export * as Retry from "./Retry.js"
export * as Signer from "./Signer.js"
export * as Timeout from "./Timeout.js"
export * as Url from "./Url.js"
