/**
 * `cloudfx/openstack`: one namespace per product, each with `make`, `layer`
 * and `layerConfig` — `Keystone` (the authenticated session the others
 * share) and `Swift` (ObjectStorage).
 */
export * as Keystone from "./keystone/Keystone.js"
export * as Swift from "./swift/Swift.js"
export * as Nova from "./nova/Nova.js"
