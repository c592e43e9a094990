import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { formatReport } from '../../lambdas/cli/commands/check.js';
import { formatReplaySummary } from '../../lambdas/cli/commands/replay.js';
import type { Cell } from '../../lambdas/cli/query-output/cells.js';
import { renderCsv, renderJsonLines, renderTable } from '../../lambdas/cli/query-output/formats.js';
import { readRawFile } from '../../lambdas/cli/replay/raw-archive.js';
import type { ReplaySummary } from '../../lambdas/cli/replay/replay.js';
import { formatRunSummary } from '../../lambdas/cli/run-text.js';
import { terminalIo } from '../../lambdas/cli/terminal.js';
import {
  ANSWER_LIMITS,
  JsonLimitError,
  JsonSyntaxError,
  parseBoundedJson,
} from '../../lambdas/core/bounded-json.js';
import { ConsoleLog } from '../../lambdas/core/logger.js';
import { escapeControls } from '../../lambdas/core/printable.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { fuzzRun, hostileText } from '../support/fuzz.js';
import { ACTIVE } from '../support/terminal-active.js';

/**
 * Property-based tests of what reads the lake and of every place that prints text from the API or
 * the lake (issue 18, item 11). Same seed convention as fuzz.test.ts: `FUZZ_SEED`, `FUZZ_RUNS`,
 * `FUZZ_PATH` replay a failure.
 */
const { seed: SEED, runs: RUNS, settings } = fuzzRun(20_260_719);

/** Lines printed on the terminal, inert: no character in them can drive it (a CRLF line end is a line end). */
function assertInert(text: string, what: string): void {
  const line = text.split('\n').find((l) => ACTIVE.test(l.endsWith('\r') ? l.slice(0, -1) : l));
  assert.equal(line, undefined, `${what}: ${JSON.stringify(line)}`);
}

const record = sampleRecord(SAMPLES.yeouido);
const goodLine = JSON.stringify(envelopeFor(record));

describe(`fuzzing what reads the lake and what prints (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('the bounded JSON parse takes any text: the same value as JSON.parse, or a limit or syntax error with no text of the input', () => {
    const nested = fc
      .tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom('[', '{"a":'))
      .map(([depth, open]) => `${open.repeat(depth)}0${(open === '[' ? ']' : '}').repeat(depth)}`);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.json(),
          nested,
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          try {
            const { value } = parseBoundedJson(text, ANSWER_LIMITS);
            assert.deepEqual(value, JSON.parse(text));
          } catch (error) {
            assert.ok(error instanceof JsonLimitError || error instanceof JsonSyntaxError, String(error));
            assert.doesNotMatch(error.message, /"/, 'never quotes the input');
          }
        },
      ),
      settings(),
    );
  });

  it('the raw/ reader takes any file: envelopes, or each bad line named with a reason, never an exception', async () => {
    const line = fc.oneof(
      fc.constant(goodLine),
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.integer({ min: 30, max: 5_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
      hostileText.map((text) => goodLine.replace('"여의도"', JSON.stringify(text))),
    );
    const file = fc.oneof(
      fc.array(line, { maxLength: 8 }).map((lines) => gzipSync(Buffer.from(lines.join('\n'), 'utf8'))),
      fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
      fc
        .array(line, { minLength: 1, maxLength: 4 })
        .map((lines) => gzipSync(Buffer.from(lines.join('\n'))).subarray(0, 30)),
    );
    await fc.assert(
      fc.asyncProperty(file, async (body) => {
        const read = await readRawFile('raw/x/y.jsonl.gz', body);
        for (const { line } of read.envelopes) assert.ok(line >= 1);
        for (const bad of read.unreadable) assert.ok(bad.reason.length > 0 && bad.line >= 0);
        if (!read.whole) assert.equal(read.envelopes.length, 0, 'a file not read whole gives no envelope');
        // What was read can be written again: nothing in it is too deep for JSON.stringify.
        for (const { envelope } of read.envelopes) JSON.stringify(envelope);
      }),
      settings(150),
    );
  });

  it('a run summary stays our lines, whatever the reasons and codes say', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostileText, hostileText), { maxLength: 8 }),
        hostileText,
        (failures, waiting) => {
          const summary: RunSummary = {
            runId: 'r',
            collectedAt: '2026-07-16T14:20:00.000Z',
            simulated: false,
            places: { asked: failures.length + 1, ok: 1, noData: 0, failed: failures.length },
            noData: [],
            failures: failures.map(([code, reason]) => ({ code, reason })),
            published: 1,
            waiting: { places: 1, reason: waiting },
            keyRefused: waiting,
            durationMs: 1,
          };
          const text = formatRunSummary(summary);
          assertInert(text, 'summary');
          assert.equal(text.split('\n').filter((l) => /^\s*places:/.test(l)).length, 1);
        },
      ),
      settings(),
    );
  });

  it('query output in every format: a table of our lines, CSV and JSON that mean the values', () => {
    const cell = fc.oneof(
      hostileText.map((text): Cell => ({ kind: 'text', text })),
      fc.jsonValue().map((value): Cell => ({ kind: 'structured', value })),
      fc.constant<Cell>({ kind: 'null' }),
    );
    fc.assert(
      fc.property(
        fc.array(hostileText, { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 5 }),
        (names, rows) => {
          const columns = names.map((name, i) => `${name}${i}`);
          const cut = rows.map((row) => row.slice(0, columns.length));
          const table = renderTable(columns, cut);
          assertInert(table, 'table');
          assert.equal(table.split('\n').length, cut.length + 3, 'header, rule, one line per row, count');
          // What the terminal writer prints of CSV and JSON Lines: inert, and JSON still means the values.
          const printed: string[] = [];
          const io = terminalIo(
            { write: (t: string) => printed.push(t) },
            { write: () => true },
            new AbortController().signal,
          );
          io.out(renderCsv(columns, cut));
          const json = renderJsonLines(columns, cut);
          if (json !== undefined) io.out(json);
          for (const chunk of printed) assertInert(chunk, 'csv/json');
          if (json !== undefined) {
            const lines = (printed[1] as string).trimEnd().split('\n');
            assert.deepEqual(
              lines.map((l) => JSON.parse(l)),
              json.split('\n').map((l) => JSON.parse(l)),
            );
          }
        },
      ),
      settings(150),
    );
  });

  it('check and replay reports, and the logs, print lake text escaped, one item a line', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 6 }), (texts) => {
        const report = formatReport('lake', {
          problems: texts.map((text) => ({ check: 'stray' as const, text })),
          findings: texts.map((text) => ({ count: 1, text })),
          files: 1,
          // Field names are the API's text too: check prints the ones no table holds.
          unreadFields: {
            fields: texts.map((field) => ({ dataset: 'citydata', field, answers: 1, firstMs: 0, lastMs: 0 })),
            notCounted: 0,
          },
        });
        assertInert(report, 'check');
        assert.equal(report.split('\n').length, 1 + texts.length + 1 + texts.length + 1 + texts.length + 1);
        const replay = formatReplaySummary({
          partitions: 1,
          partitionsRebuilt: 1,
          envelopes: 1,
          rows: { population: 1 },
          rejectedRecords: 0,
          flaggedRecords: 0,
          written: 1,
          unchanged: 0,
          changedPartitions: [],
          removed: texts,
          kept: texts.map((key) => ({ key, reason: key })),
          misfiled: [],
          unreadable: texts.map((key) => ({ key, line: 1, reason: key })),
          ignored: texts,
          failed: texts.map((partition) => ({ partition, reason: partition })),
          registered: 0,
          elapsedMs: 1,
          dryRun: false,
        } satisfies ReplaySummary);
        assertInert(replay, 'replay');
        assert.equal(replay.split('\n').length, 3 + 5 * texts.length);
        for (const format of ['json', 'text'] as const) {
          const lines: string[] = [];
          const log = new ConsoleLog('debug', (line) => lines.push(line), format);
          for (const text of texts) log.warn(text, { [text]: text, reason: text });
          assert.equal(lines.length, texts.length);
          for (const line of lines) assertInert(line, `log ${format}`);
          if (format === 'json')
            for (const [i, line] of lines.entries()) assert.equal(JSON.parse(line).reason, texts[i]);
        }
        for (const text of texts) assert.doesNotMatch(escapeControls(text), ACTIVE);
      }),
      settings(),
    );
  });
});
