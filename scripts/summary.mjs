// Prints vitest's result as one closing line, "tests: N passed, N failed, N skipped",
// the form CI reads.
import { readFileSync } from "node:fs"

const file = process.argv[2]
try {
  const r = JSON.parse(readFileSync(file, "utf8"))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  // A suite that failed before its tests ran (a server that would not start)
  // reports its tests as skipped: count the suite as a failure.
  const failedSuites = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).every((a) => a.status !== "failed")).length
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`)
} catch (e) {
  console.log(`tests: no result file (${e instanceof Error ? e.message : String(e)})`)
  process.exit(1)
}
