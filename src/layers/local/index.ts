/**
 * `cloudfx/local`: object storage on the local filesystem.
 */
export * as Local from "./Local.js"
