// Plain-text tables for a terminal: columns padded to their widest cell, two spaces apart.

/**
 * The rows as lines, each column as wide as its widest cell: left-aligned where `left(column)`
 * says so (names, verdicts), right-aligned otherwise (numbers); no trailing spaces.
 */
export function alignedLines(
  rows: readonly (readonly string[])[],
  left: (column: number, cells: number) => boolean,
): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? "").length)),
  );
  return rows.map((row) =>
    row
      .map((cell, i) =>
        left(i, row.length) ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number),
      )
      .join("  ")
      .trimEnd(),
  );
}
