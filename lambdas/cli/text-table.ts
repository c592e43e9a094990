import { escapeControls } from '../core/printable.js';

/**
 * Renders rows as an aligned plain-text table, for query results in a terminal. Values come from
 * the lake, so control characters and line breaks in them are escaped: a cell stays in its line.
 */
export function formatTextTable(columns: readonly string[], rows: readonly unknown[][]): string {
  const cell = (value: unknown) =>
    escapeControls(
      value === null || value === undefined
        ? 'NULL'
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value),
    );
  columns = columns.map((name) => escapeControls(name));
  const text = rows.map((row) => row.map(cell));
  // East Asian characters take two terminal columns.
  const width = (s: string) =>
    [...s].reduce(
      (w, ch) => w + (/[\u1100-\u11ff\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(ch) ? 2 : 1),
      0,
    );
  // A loop, not Math.max(...rows): spreading a hundred thousand rows as arguments overflows the stack.
  const widths = columns.map((name, i) =>
    text.reduce((w, row) => Math.max(w, width(row[i] ?? '')), width(name)),
  );
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [
    line([...columns]),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...text.map(line),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}
