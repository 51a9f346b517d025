/**
 * `cloudfx/digitalocean`: DigitalOcean. Compute (droplets, volumes,
 * snapshots), load balancers and DNS (domains and records), each a
 * namespace with `make`, `layer` and `layerConfig` over one API token.
 */
export * as DigitalOcean from "./compute/DigitalOcean.js"
export * as DigitalOceanLoadBalancer from "./loadbalancer/DigitalOceanLoadBalancer.js"
export * as DigitalOceanDns from "./dns/DigitalOceanDns.js"
