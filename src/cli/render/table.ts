/**
 * Go's text/tabwriter as docker/cli configures it: minwidth 10, tabwidth 1, padding 3, padchar ' '.
 * A cell is the text before a tab; the text after a line's last tab is not aligned (nor padded).
 */
export function tabwrite(rows: string[][], minwidth = 10, padding = 3): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let c = 0; c < r.length - 1; c++) {
      const w = Math.max(minwidth, [...r[c]!].length + padding);
      if (w > (widths[c] ?? 0)) widths[c] = w;
    }
  }
  return rows
    .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell + ' '.repeat(widths[c]! - [...cell].length) : cell)).join(''))
    .map((l) => l + '\n')
    .join('');
}
