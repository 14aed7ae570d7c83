/** Fixed-width text tables: one string per row, so a row is one Ink node and cuts cleanly. */
import { fit } from '../format.js';

/** A column: a fixed width, or `flex` for a share of what is left. */
export interface Column {
  title: string;
  width: number | 'flex';
  align?: 'left' | 'right';
  /** Least width a flex column gets. */
  min?: number;
  /** Most width a flex column gets: a queue or type name needs no 100 columns; what it leaves goes to the other flex columns. */
  max?: number;
}

/** The width of each column for a table `total` columns wide (one space between columns). */
export function columnWidths(columns: readonly Column[], total: number): number[] {
  const widths = columns.map((c) => (c.width === 'flex' ? 0 : c.width));
  let free = total - widths.reduce((sum, w) => sum + w, 0) - (columns.length - 1);
  let open = columns.flatMap((c, i) => (c.width === 'flex' ? [i] : []));
  // Columns whose cap is below an even share take their cap, and the rest is shared again among
  // the others; when every flex column is capped the table ends short of the screen's edge.
  while (open.length > 0) {
    const share = Math.floor(Math.max(0, free) / open.length);
    const capped = open.filter((i) => (columns[i]!.max ?? Infinity) < share);
    if (capped.length === 0) {
      for (const i of open) widths[i] = Math.max(columns[i]!.min ?? 4, share);
      break;
    }
    for (const i of capped) {
      widths[i] = Math.max(columns[i]!.min ?? 4, columns[i]!.max!);
      free -= widths[i]!;
    }
    open = open.filter((i) => !capped.includes(i));
  }
  return widths;
}

/**
 * The columns kept in a table `total` wide: those titled in `dropOrder` go, first to last, until the
 * first column (the one naming the row) is `want` wide or nothing is left to drop.
 */
export function columnsThatFit(columns: readonly Column[], total: number, want: number, dropOrder: readonly string[]): Column[] {
  let kept = [...columns];
  const enough = Math.min(want, columns[0]?.max ?? Infinity);
  for (const title of dropOrder) {
    if ((columnWidths(kept, total)[0] ?? 0) >= enough) break;
    kept = kept.filter((c) => c.title !== title);
  }
  return kept;
}

/** One row of cells laid out in `widths`, cut to `total` columns. */
export function tableRow(cells: readonly string[], columns: readonly Column[], widths: readonly number[], total: number): string {
  const line = cells.map((cell, i) => fit(cell, widths[i] ?? 0, columns[i]?.align)).join(' ');
  return [...line].length > total ? fit(line, total) : line;
}

/** The header row. */
export function tableHeader(columns: readonly Column[], widths: readonly number[], total: number): string {
  return tableRow(columns.map((c) => c.title), columns, widths, total);
}

/** A count in at most 5 columns: 999, 12.3k, 1.2M. */
export function compactCount(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 100_000_000 ? 1 : 0)}M`;
}
