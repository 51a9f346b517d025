/**
 * `cloudfx/azure`: Azure Blob Storage.
 */
export * as AzureBlob from "./blob/AzureBlob.js"
