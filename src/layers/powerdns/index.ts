export * as PowerDns from "./PowerDns.js"
