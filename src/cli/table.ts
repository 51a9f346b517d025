/** Plain-text tables for listings: column widths from the widest cell, numbers right-aligned. */
export type Cell = string | number | undefined

export const renderTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const text = rows.map((row) => headers.map((_, i) => format(row[i])))
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === "number" || row[i] === undefined))
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => width(row[i] ?? ""))))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (numeric[i] ? pad(c, widths[i] ?? 0, "start") : pad(c, widths[i] ?? 0, "end")))
      .join("  ")
      .trimEnd()
  return [line(headers), line(widths.map((w) => "─".repeat(w))), ...text.map(line)].join("\n")
}

const format = (cell: Cell): string => (cell === undefined ? "-" : typeof cell === "number" ? formatNumber(cell) : cell)

const formatNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 4 : 2))

// Code points, not UTF-16 units, so "é" and "✓" take one column.
const width = (s: string) => [...s].length

const pad = (s: string, w: number, side: "start" | "end") => {
  const fill = " ".repeat(Math.max(0, w - width(s)))
  return side === "start" ? fill + s : s + fill
}
