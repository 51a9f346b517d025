import { describe, expect, it } from "vitest"
import { renderTable } from "../../src/cli/table.js"

describe("renderTable", () => {
  it("aligns text left, numbers right, and shows missing cells as '-'", () => {
    const out = renderTable(["name", "ram", "price"], [
      ["small", 1024, 0.0075],
      ["x-large-é", 16384, undefined]
    ])
    expect(out.split("\n")).toEqual([
      "name         ram   price",
      "─────────  ─────  ──────",
      "small       1024  0.0075",
      "x-large-é  16384       -"
    ])
  })
})
