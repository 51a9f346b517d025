/**
 * `cloudfx/linode`: Linode (Akamai) compute.
 */
export * as Linode from "./Linode.js"
