/** Google Cloud authorization: service-account keys, RS256 JWTs, OAuth access tokens, GCS V4 signing. */
export * from "./Jwt.js"
export * from "./OAuth.js"
export * from "./ServiceAccount.js"
export * from "./SignedUrl.js"
