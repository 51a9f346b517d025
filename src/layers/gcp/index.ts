/**
 * `cloudfx/gcp`: Google Cloud. `Gcs` is Cloud Storage (ObjectStorage plus the
 * `Gcs.Gcs` tag for what only GCS does); `Gce` is Compute Engine (Compute plus
 * the `Gce.Gce` tag: firewalls, static addresses, image families).
 */
export * as Gcs from "./gcs/Gcs.js"
export * as Gce from "./gce/Gce.js"
