export * from "./Errors.js"
export * from "./Models.js"
/** DESIGN.md calls the DNS record model `Record`; `DnsRecord` avoids shadowing TypeScript's own `Record`. */
export { DnsRecord as Record } from "./Models.js"
