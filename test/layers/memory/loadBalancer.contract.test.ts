import { Schedule } from "effect"
import { Memory } from "../../../src/layers/memory/index.js"
import { loadBalancerContract } from "../../contract/LoadBalancer.js"

const fast = { schedule: Schedule.spaced("1 millis"), timeout: "5 seconds" } as const

loadBalancerContract("memory", Memory.layerLoadBalancer(), fast)
loadBalancerContract("memory, settling at once", Memory.layerLoadBalancer({ pollsUntilRunning: 0 }), fast)
