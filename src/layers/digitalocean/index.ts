/**
 * `cloudfx/digitalocean`: DigitalOcean. Compute (droplets, volumes,
 * snapshots) lives in `compute/`; load balancers and DNS join it later.
 */
export * as DigitalOcean from "./compute/DigitalOcean.js"
