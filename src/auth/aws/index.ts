/**
 * AWS Signature Version 4: header signing, presigned URLs, S3 streaming
 * (chunked) uploads, credential sources, and the `HttpClientRequest` adapter.
 *
 * The pure core (`Canonical`, `SigV4`, `Presign`, `Chunked`) works on a
 * neutral request description and exposes every stage; `HttpSigner` applies
 * it to @effect/platform requests.
 */
export * as Canonical from "./Canonical.js"
export * as Chunked from "./Chunked.js"
export * as Credentials from "./Credentials.js"
export * as Keys from "./Keys.js"
export * as Presign from "./Presign.js"
export * as SigV4 from "./SigV4.js"

export type { Pair, SignableRequest } from "./Canonical.js"
export { chunkedContentLength, chunkedStream } from "./Chunked.js"
export type { AwsCredentials } from "./Credentials.js"
export { presignUrl, type PresignUrlOptions, type RequestSigner, sigV4Signer, type SigV4SignerOptions } from "./HttpSigner.js"
export { presignRequest } from "./Presign.js"
export { signHeaders, type SigV4Options, type SigV4Params } from "./SigV4.js"
