/**
 * Small server-side SVG charts: the report is one HTML file that works offline, with no script
 * and no library. Each chart function returns an `<svg>` string sized by its viewBox (it scales
 * to the page width) and says how many data marks it drew, so an empty chart can be told apart.
 */

export interface Chart {
  readonly svg: string;
  /** Data marks drawn (cells, bars, points): 0 means the chart shows nothing. */
  readonly marks: number;
}

/** Escapes text for SVG and HTML content and attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

/** Coordinates to one decimal: enough for the screen, and a much smaller file. */
const r = (v: number) => Math.round(v * 10) / 10;

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Formats a count the way Korean population figures read well: 12,345 or 1.2만. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Round tick values from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

const svgOpen = (width: number, height: number, label: string) =>
  // Scales down to narrow screens, never up: a small chart keeps its text size.
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" role="img" aria-label="${esc(label)}" font-size="11">`;

export interface HeatmapInput {
  readonly label: string;
  /** Row labels (places), grouped: a new group draws a separator and its name. */
  readonly rows: readonly { readonly key: string; readonly label: string; readonly group: string }[];
  readonly columns: readonly { readonly key: string; readonly label: string }[];
  /** `value` names what the colour stands for; `title` describes a single cell. */
  readonly cells: readonly {
    readonly row: string;
    readonly column: string;
    readonly color: string;
    readonly value: string;
    readonly title: string;
  }[];
  /** Colour of a row × column without a cell. */
  readonly emptyColor: string;
}

/** Rows × columns of coloured cells, e.g. places × runs coloured by congestion. */
export function heatmap(input: HeatmapInput): Chart {
  const labelWidth = 190;
  const cell = Math.max(6, Math.min(22, Math.floor(740 / Math.max(1, input.columns.length))));
  const rowHeight = 14;
  const top = 46;
  const rowY = new Map<string, number>();
  let y = top;
  let previousGroup: string | undefined;
  const labels: string[] = [];
  for (const row of input.rows) {
    if (row.group !== previousGroup) {
      if (previousGroup !== undefined) y += 6;
      labels.push(`<text x="0" y="${y + 9}" font-weight="bold" fill="#444">${esc(row.group)}</text>`);
      y += rowHeight + 2;
      previousGroup = row.group;
    }
    rowY.set(row.key, y);
    labels.push(`<text x="${labelWidth - 6}" y="${y + 10}" text-anchor="end">${esc(row.label)}</text>`);
    y += rowHeight;
  }
  // Room on the right for the last rotated column label.
  const width = labelWidth + cell * input.columns.length + 70;
  const height = y + 10;
  // Column labels: at most ~12, rotated, so they never overlap.
  const every = Math.max(1, Math.ceil(input.columns.length / 12));
  const columnLabels = input.columns
    .map((column, index) =>
      index % every === 0
        ? `<text transform="translate(${labelWidth + index * cell + cell / 2},${top - 6}) rotate(-35)" font-size="10">${esc(column.label)}</text>`
        : '',
    )
    .join('');
  const background = input.rows
    .map(
      (row) =>
        `<rect x="${labelWidth}" y="${rowY.get(row.key)}" width="${cell * input.columns.length}" height="${rowHeight - 1}" fill="${input.emptyColor}"/>`,
    )
    .join('');
  // Neighbouring cells of one row with the same colour are drawn as one rectangle: a day of runs
  // at one level is one mark, which keeps a 121 × 72 map small without losing anything visible.
  const columnIndex = new Map(input.columns.map((column, index) => [column.key, index]));
  const rowLabel = new Map(input.rows.map((row) => [row.key, row.label]));
  const byRow = new Map<string, { index: number; cell: HeatmapInput['cells'][number] }[]>();
  for (const cell of input.cells) {
    const index = columnIndex.get(cell.column);
    if (index === undefined || !rowY.has(cell.row)) continue;
    const list = byRow.get(cell.row) ?? [];
    list.push({ index, cell });
    byRow.set(cell.row, list);
  }
  const marks: string[] = [];
  for (const [row, list] of byRow) {
    list.sort((a, b) => a.index - b.index);
    for (let start = 0; start < list.length; ) {
      let end = start;
      while (
        end + 1 < list.length &&
        list[end + 1]?.index === (list[end]?.index ?? 0) + 1 &&
        list[end + 1]?.cell.color === list[start]?.cell.color
      )
        end++;
      const first = list[start] as (typeof list)[number];
      const last = list[end] as (typeof list)[number];
      const title =
        start === end
          ? first.cell.title
          : `${rowLabel.get(row)} ${input.columns[first.index]?.label}–${input.columns[last.index]?.label}: ${first.cell.value} (${end - start + 1} runs)`;
      marks.push(
        `<rect class="mark" x="${labelWidth + first.index * cell}" y="${rowY.get(row)}" width="${(last.index - first.index + 1) * cell - 1}" height="${rowHeight - 1}" fill="${first.cell.color}"><title>${esc(title)}</title></rect>`,
      );
      start = end + 1;
    }
  }
  return {
    svg: `${svgOpen(width, height, input.label)}${columnLabels}${labels.join('')}${background}${marks.join('')}</svg>`,
    marks: marks.length,
  };
}

export interface BarSegment {
  readonly from: number;
  readonly to: number;
  readonly color: string;
  readonly title: string;
}

export interface HorizontalBarsInput {
  readonly label: string;
  readonly items: readonly {
    readonly label: string;
    readonly segments: readonly BarSegment[];
    readonly note?: string;
  }[];
  /** Right end of the axis. @default the largest segment end */
  readonly max?: number;
  readonly formatTick?: (value: number) => string;
  readonly rowHeight?: number;
}

/**
 * Horizontal bars made of segments on one axis: a range bar (one segment from min to max), a
 * 100 % stacked bar (segments end to end), or a plain bar (one segment from 0).
 */
export function horizontalBars(input: HorizontalBarsInput): Chart {
  const labelWidth = 190;
  const plotWidth = 640;
  const rowHeight = input.rowHeight ?? 16;
  const top = 8;
  const max = input.max ?? Math.max(1, ...input.items.flatMap((item) => item.segments.map((s) => s.to)));
  const ticks = niceTicks(max);
  const axisMax = ticks[ticks.length - 1] ?? max;
  const x = (value: number) => r(labelWidth + (value / axisMax) * plotWidth);
  const height = top + input.items.length * rowHeight + 24;
  const format = input.formatTick ?? ((v: number) => formatCount(v));
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${height - 20}" stroke="#ddd"/>` +
        `<text x="${x(t)}" y="${height - 6}" text-anchor="middle" fill="#666">${esc(format(t))}</text>`,
    )
    .join('');
  let marks = 0;
  const rows = input.items
    .map((item, index) => {
      const y = top + index * rowHeight;
      const bars = item.segments
        .filter((s) => s.to > s.from || s.to === s.from)
        .map((s) => {
          marks++;
          const w = r(Math.max(2, x(s.to) - x(s.from)));
          return `<rect class="mark" x="${x(s.from)}" y="${y + 2}" width="${w}" height="${rowHeight - 5}" fill="${s.color}"><title>${esc(s.title)}</title></rect>`;
        })
        .join('');
      const note = item.note
        ? `<text x="${x(Math.max(...item.segments.map((s) => s.to))) + 4}" y="${y + rowHeight - 5}" fill="#555" font-size="10">${esc(item.note)}</text>`
        : '';
      return `<text x="${labelWidth - 6}" y="${y + rowHeight - 5}" text-anchor="end">${esc(item.label)}</text>${bars}${note}`;
    })
    .join('');
  return { svg: `${svgOpen(labelWidth + plotWidth + 90, height, input.label)}${grid}${rows}</svg>`, marks };
}

export interface ColumnsInput {
  readonly label: string;
  readonly columns: readonly {
    readonly label: string;
    readonly segments: readonly { readonly value: number; readonly color: string; readonly title: string }[];
  }[];
  readonly max?: number;
  readonly formatTick?: (value: number) => string;
  /** Show the column label under every n-th column only. @default about 12 labels */
  readonly labelEvery?: number;
  readonly valueLabels?: boolean;
}

/** Vertical columns, each a stack of segments from 0: plain bars or stacked counts over time. */
export function columns(input: ColumnsInput): Chart {
  const left = 48;
  const plotWidth = 760;
  const plotHeight = 180;
  const top = 14;
  const total = (c: ColumnsInput['columns'][number]) => c.segments.reduce((sum, s) => sum + s.value, 0);
  const max = input.max ?? Math.max(1, ...input.columns.map(total));
  const ticks = niceTicks(max, 4);
  const axisMax = ticks[ticks.length - 1] ?? max;
  const y = (value: number) => r(top + plotHeight - (value / axisMax) * plotHeight);
  const slot = plotWidth / Math.max(1, input.columns.length);
  const barWidth = r(Math.max(2, Math.min(48, slot * 0.75)));
  const format = input.formatTick ?? ((v: number) => num(v));
  const every = input.labelEvery ?? Math.max(1, Math.ceil(input.columns.length / 12));
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${left}" x2="${left + plotWidth}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#666">${esc(format(t))}</text>`,
    )
    .join('');
  let marks = 0;
  const bars = input.columns
    .map((column, index) => {
      const x = r(left + index * slot + (slot - barWidth) / 2);
      let base = 0;
      const stack = column.segments
        .filter((s) => s.value > 0)
        .map((s) => {
          marks++;
          const rect = `<rect class="mark" x="${x}" y="${y(base + s.value)}" width="${barWidth}" height="${r(Math.max(1, y(base) - y(base + s.value)))}" fill="${s.color}"><title>${esc(s.title)}</title></rect>`;
          base += s.value;
          return rect;
        })
        .join('');
      const value =
        input.valueLabels && base > 0
          ? `<text x="${r(x + barWidth / 2)}" y="${y(base) - 3}" text-anchor="middle" font-size="10">${esc(format(base))}</text>`
          : '';
      const label =
        index % every === 0
          ? `<text transform="translate(${r(x + barWidth / 2)},${top + plotHeight + 12}) rotate(${input.columns.length > 14 ? -35 : 0})" text-anchor="${input.columns.length > 14 ? 'end' : 'middle'}" font-size="10">${esc(column.label)}</text>`
          : '';
      return stack + value + label;
    })
    .join('');
  const height = top + plotHeight + (input.columns.length > 14 ? 64 : 24);
  return { svg: `${svgOpen(left + plotWidth + 20, height, input.label)}${grid}${bars}</svg>`, marks };
}

export interface BandSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly {
    readonly x: string;
    readonly min: number;
    readonly max: number;
    readonly mid: number;
  }[];
}

/** Min–max bands with the mean as a line, one series per place, over shared x labels (days). */
export function bands(input: {
  readonly label: string;
  readonly xs: readonly string[];
  readonly series: readonly BandSeries[];
  /** A small multiple: narrower, no legend, the first series' name as its title. */
  readonly compact?: boolean;
}): Chart {
  const compact = input.compact ?? false;
  const left = 60;
  const plotWidth = compact ? 380 : 640;
  const plotHeight = compact ? 120 : 200;
  const top = compact ? 22 : 14;
  const max = Math.max(1, ...input.series.flatMap((s) => s.points.map((p) => p.max)));
  const ticks = niceTicks(max, 4);
  const axisMax = ticks[ticks.length - 1] ?? max;
  const step = input.xs.length > 1 ? plotWidth / (input.xs.length - 1) : 0;
  const xOf = new Map(
    input.xs.map((label, index) => [label, left + (input.xs.length > 1 ? index * step : plotWidth / 2)]),
  );
  const y = (value: number) => r(top + plotHeight - (value / axisMax) * plotHeight);
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${left}" x2="${left + plotWidth}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#666">${esc(formatCount(t))}</text>`,
    )
    .join('');
  const every = Math.max(1, Math.ceil(input.xs.length / (compact ? 5 : 10)));
  const xLabels = input.xs
    .map((label, index) =>
      index % every === 0
        ? `<text x="${xOf.get(label)}" y="${top + plotHeight + 14}" text-anchor="middle" font-size="10">${esc(label)}</text>`
        : '',
    )
    .join('');
  let marks = 0;
  const drawn = input.series
    .map((series) => {
      const points = series.points.filter((p) => xOf.has(p.x));
      if (points.length === 0) return '';
      marks += points.length;
      const at = (p: (typeof points)[number]) => xOf.get(p.x) as number;
      // A single day draws as a vertical bar; several as a filled band.
      const [only] = points;
      const band =
        points.length === 1 && only
          ? `<rect x="${at(only) - 4}" y="${y(only.max)}" width="8" height="${Math.max(1, y(only.min) - y(only.max))}" fill="${series.color}" fill-opacity="0.25"/>`
          : `<path d="M${points.map((p) => `${at(p)},${y(p.max)}`).join('L')}L${[...points]
              .reverse()
              .map((p) => `${at(p)},${y(p.min)}`)
              .join('L')}Z" fill="${series.color}" fill-opacity="0.2"/>`;
      const line = `<path d="M${points.map((p) => `${at(p)},${y(p.mid)}`).join('L')}" fill="none" stroke="${series.color}" stroke-width="2"/>`;
      const dots = points
        .map(
          (p) =>
            `<circle class="mark" cx="${at(p)}" cy="${y(p.mid)}" r="3" fill="${series.color}"><title>${esc(`${series.name} ${p.x}: ${formatCount(p.min)}–${formatCount(p.max)} (mean of midpoints ${formatCount(p.mid)})`)}</title></circle>`,
        )
        .join('');
      return band + line + dots;
    })
    .join('');
  const legend = compact
    ? `<text x="${left}" y="12" font-weight="bold">${esc(input.series[0]?.name ?? '')}</text>`
    : input.series
        .map(
          (s, index) =>
            `<rect x="${left + plotWidth + 12}" y="${top + index * 16}" width="10" height="10" fill="${s.color}"/>` +
            `<text x="${left + plotWidth + 26}" y="${top + index * 16 + 9}">${esc(s.name)}</text>`,
        )
        .join('');
  return {
    svg: `${svgOpen(left + plotWidth + (compact ? 20 : 200), top + plotHeight + 24, input.label)}${grid}${xLabels}${drawn}${legend}</svg>`,
    marks,
  };
}

/** A row of coloured swatches with their meaning. */
export function legend(entries: readonly { readonly color: string; readonly label: string }[]): string {
  return `<p class="legend">${entries
    .map((e) => `<span><i style="background:${e.color}"></i>${esc(e.label)}</span>`)
    .join('')}</p>`;
}
