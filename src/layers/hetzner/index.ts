/**
 * `cloudfx/hetzner`: Hetzner Cloud compute.
 */
export * as Hetzner from "./Hetzner.js"
