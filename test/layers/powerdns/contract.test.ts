/**
 * The Dns contract on a real PowerDNS (pdns 4.7, gsqlite3, HTTP API v1), with
 * the default SOA-EDIT-API: the serial moves on every change (the contract
 * compares SOA data without it; real.test.ts checks that it moves).
 */
import { describe } from "@effect/vitest"
import { dnsContract } from "../../contract/Dns.js"
import { LocalPowerDns, skipPeers } from "../../support/peers/index.js"
import { layerFor } from "./support.js"

describe.skipIf(skipPeers("pdns"))("PowerDNS", () => {
  dnsContract("powerdns", layerFor(LocalPowerDns.layer(), LocalPowerDns), {
    domainSuffix: "cloudfx-contract.test"
  })
})
