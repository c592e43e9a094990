import { describeFields, type RunDrift } from '../core/field-drift.js';
import { formatKstWallClock } from '../core/kst-time.js';
import { escapeControls } from '../core/printable.js';
import type { RunSummary } from '../core/run-summary.js';
import { DATASET_TABLES } from '../core/tables.js';

/** A KST instant for people: `2026-11-25 22:02 KST`. */
export function kstText(instant: Date): string {
  return `${formatKstWallClock(instant)} KST`;
}

/** `HH:MM KST` of an instant. */
export function kstClockText(instant: Date): string {
  return `${formatKstWallClock(instant).slice(11)} KST`;
}

/** Reasons that mean the API could not be reached at all, rather than that it answered badly. */
const UNREACHABLE =
  /network error|timed out|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH/;

/** How many codes a grouped reason lists before "… and N more": the full list is in the log. */
const CODES_SHOWN = 5;

interface ReasonGroup {
  readonly reason: string;
  readonly codes: string[];
}

/**
 * Places with one reason each, grouped by reason, most frequent first. A reason may quote what the
 * API sent, so it is escaped here: it can never break its line or drive the terminal.
 */
export function groupByReason(items: readonly { code: string; reason: string }[]): ReasonGroup[] {
  const groups = new Map<string, string[]>();
  for (const { code, reason } of items) {
    const shown = escapeControls(reason);
    groups.set(shown, [...(groups.get(shown) ?? []), escapeControls(code)]);
  }
  return [...groups]
    .map(([reason, codes]) => ({ reason, codes }))
    .sort((a, b) => b.codes.length - a.codes.length);
}

function codesText(codes: readonly string[]): string {
  const shown = codes.slice(0, CODES_SHOWN).join(', ');
  return codes.length > CODES_SHOWN ? `${shown} and ${codes.length - CODES_SHOWN} more` : shown;
}

/**
 * The headline when every place failed for the same reason: one line a person can act on, e.g.
 * "API unreachable: all 121 places failed: network error: getaddrinfo ENOTFOUND …".
 */
export function allFailedLine(summary: RunSummary): string | undefined {
  const { asked, failed } = summary.places;
  const [only, ...others] = groupByReason(summary.failures);
  if (asked === 0 || failed !== asked || !only || others.length > 0) return undefined;
  const what = asked === 1 ? 'the only place failed' : `all ${asked} places failed`;
  return `${UNREACHABLE.test(only.reason) ? 'API unreachable: ' : ''}${what}: ${only.reason}`;
}

/**
 * A run's summary for the terminal. Failures and empty answers are grouped by reason (one line per
 * reason, with a few of its place codes), so a run where everything failed the same way is a
 * few lines, not one per place: the per-place list is in the log (LOG_LEVEL=info).
 */
export function formatRunSummary(summary: RunSummary): string {
  const lines = [
    ...(summary.keyRefused ? [`!! ${escapeControls(summary.keyRefused)}`] : []),
    `${summary.simulated ? '[SIMULATED] ' : ''}run ${summary.runId} for ${kstText(new Date(summary.collectedAt))}`,
    `  places: ${summary.places.ok} ok, ${summary.places.noData} no data, ${summary.places.failed} failed (of ${summary.places.asked})`,
  ];
  const headline = allFailedLine(summary);
  if (headline) lines.push(`  ${headline}`);
  else {
    for (const group of groupByReason(summary.failures))
      lines.push(`    failed (${group.codes.length}): ${group.reason} — ${codesText(group.codes)}`);
  }
  for (const group of groupByReason(summary.noData))
    lines.push(`    no data (${group.codes.length}): ${group.reason} — ${codesText(group.codes)}`);
  lines.push(`  published: ${summary.published} envelopes`);
  const drift = summary.drift ? driftLine(summary.drift) : undefined;
  if (drift) lines.push(`  ${drift}`);
  if (summary.waiting)
    lines.push(
      `  waiting: ${summary.waiting.places} answer(s) not yet in the lake (${escapeControls(summary.waiting.reason)}); outcomes follow once they are`,
    );
  if (summary.written) {
    const w = summary.written;
    lines.push(
      `  written: ${rowsText(w.rows)}, ${w.rawRecords} raw, ${w.rejectedRecords} rejected, ${w.flaggedRecords} flagged`,
      `  files: ${w.files.length} in ${w.partitions.length === 0 ? 'no partition' : w.partitions.join(', ')}`,
    );
  }
  lines.push(`  duration: ${(summary.durationMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

/** `121 population rows, 1452 population_forecast rows`: every table of the datasets, in their order. */
export function rowsText(rows: Readonly<Record<string, number>>): string {
  return DATASET_TABLES.map((table) => `${rows[table.name] ?? 0} ${table.name} rows`).join(', ');
}

/**
 * The run's API drift in one line, when there is any: `api fields: 1 unknown (AREA_PPLTN_AVG in 2
 * of 2 answer(s)), 1 missing (FCST_PPLTN in 1 of 2 answer(s))`. Unknown fields stay in raw/;
 * `npm run check` lists them with when each was first and last seen.
 */
export function driftLine(drift: RunDrift): string | undefined {
  const unknown = Object.keys(drift.unknown).length;
  const missing = Object.keys(drift.missing).length;
  if (unknown + missing === 0) return undefined;
  const part = (n: number, kind: string, counts: Readonly<Record<string, number>>) =>
    n === 0 ? `0 ${kind}` : `${n} ${kind} (${escapeControls(describeFields(counts, drift.answers))})`;
  return `api fields: ${part(unknown, 'unknown', drift.unknown)}, ${part(missing, 'missing', drift.missing)}`;
}
