import { Schedule } from "effect"
import { Memory } from "../../../src/layers/memory/index.js"
import { computeContract } from "../../contract/Compute.js"

const fast = { schedule: Schedule.spaced("1 millis"), timeout: "5 seconds" } as const

computeContract("memory", Memory.layerCompute(), fast)
computeContract("memory, settling at once", Memory.layerCompute({ pollsUntilRunning: 0 }), fast)
computeContract("memory, slow to settle", Memory.layerCompute({ pollsUntilRunning: 7, pollsUntilGone: 3 }), fast)
