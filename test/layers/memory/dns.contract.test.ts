import { Memory } from "../../../src/layers/memory/index.js"
import { dnsContract } from "../../contract/Dns.js"

dnsContract("memory", Memory.layerDns())
dnsContract("memory, tiny pages", Memory.layerDns({ pageSize: 1 }))
dnsContract("memory, without apex records", Memory.layerDns({ dnsApexRecords: false, pageSize: 7 }))
