/**
 * `cloudfx/gcp`: Google Cloud. `Gcs` is Cloud Storage (ObjectStorage plus the
 * `Gcs.Gcs` tag for what only GCS does).
 */
export * as Gcs from "./gcs/Gcs.js"
