import { Schedule } from "effect"
import { computeContract } from "../../../contract/Compute.js"
import { fakeLayer } from "./support.js"

// GCE starts a running instance and stops a stopped one as no-ops (the operation succeeds).
computeContract("gce (fake Compute Engine API)", fakeLayer(), {
  schedule: Schedule.spaced("1 millis"),
  timeout: "10 seconds",
  strictStateRules: false
})
