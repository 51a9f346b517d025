/** Azure Storage authorization: Shared Key request signing and account-key SAS. */
export * from "./Sas.js"
export * from "./SharedKey.js"
