import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readArchiveLines } from '../../lambdas/cli/replay/archive-lines.js';
import { readRawFile } from '../../lambdas/cli/replay/raw-archive.js';
import { readRejectedKey } from '../../lambdas/cli/replay/rejected-archive.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { fuzzRun } from '../support/fuzz.js';

/**
 * Property-based tests of the raw/ and rejected/ readers, the boundary where replay, check and the
 * start's recovery read what the lake holds: whatever a file holds — any bytes, any lines, cut
 * anywhere, over any limit — every non-blank line ends as an envelope or as a named unreadable line
 * (or the whole file is named), never an exception, and nothing from a file that could not be read
 * to its end is used. Fixed seed, as in fuzz.test.ts: `FUZZ_SEED=<seed> FUZZ_PATH=<path>` replays a failure.
 */
const { seed: SEED, runs: RUNS, settings } = fuzzRun(20_260_716, 200);

const yeouido = sampleRecord(SAMPLES.yeouido);
const place = findPlace(String(yeouido.AREA_CD)) as Place;

/** A line of a raw file: an envelope (its text and identity), or something else. */
type Line =
  | { kind: 'envelope'; text: string; runId: string }
  | { kind: 'other'; text: string }
  | { kind: 'blank'; text: string };

const envelopeLine = fc
  .record({ run: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), minute: fc.integer({ min: 0, max: 59 }) })
  .map(({ run, minute }): Line => {
    const collectedAt = new Date(Date.UTC(2026, 6, 16, 5, minute)).toISOString();
    const envelope = envelopeFor(yeouido, { place, runId: run, collectedAt, fetchedAt: collectedAt });
    return { kind: 'envelope', text: JSON.stringify(envelope), runId: run };
  });
const otherLine = fc
  .oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.json(),
    fc.jsonValue().map((value) => JSON.stringify({ schemaVersion: 1, payload: value })),
    fc.constantFrom('{', '[]', 'null', '{"runId": 5}', '\u0000\u0001', '\ud800'),
  )
  .filter((text) => !text.includes('\n') && text.trim() !== '')
  .map((text): Line => ({ kind: 'other', text }));
const blankLine = fc.constantFrom('', ' ', '\t', '\r', '  \r').map((text): Line => ({ kind: 'blank', text }));
const lines = fc.array(fc.oneof({ weight: 3, arbitrary: envelopeLine }, otherLine, blankLine), {
  maxLength: 25,
});

const joined = (items: readonly Line[], eol: string, finalEol: boolean) =>
  items.map((l) => l.text).join(eol) + (finalEol && items.length > 0 ? eol : '');

describe(`fuzzing the raw/ reader (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('any bytes: never throws; a file that is not gzip is named whole and gives no envelope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const file = await readRawFile('raw/x.jsonl.gz', Buffer.from(bytes));
        assert.deepEqual(file.envelopes, []);
        assert.equal(file.unreadable.length, 1);
        assert.equal(file.unreadable[0]?.line, 0);
        assert.match(file.unreadable[0]?.reason ?? '', /^not gzip, or cut short: /);
      }),
      settings(),
    );
  });

  it('any lines: every non-blank line is its envelope or a named unreadable line, with its number', async () => {
    await fc.assert(
      fc.asyncProperty(lines, fc.constantFrom('\n', '\r\n'), fc.boolean(), async (items, eol, finalEol) => {
        const file = await readRawFile('raw/x.jsonl.gz', gzipSync(joined(items, eol, finalEol)));
        const expectedEnvelopes = items.flatMap((l, i) => (l.kind === 'envelope' ? [[i + 1, l.runId]] : []));
        assert.deepEqual(
          file.envelopes.map((e) => [e.line, e.envelope.runId]),
          expectedEnvelopes,
        );
        const others = items.flatMap((l, i) => (l.kind === 'other' ? [i + 1] : []));
        // A line that happens to be a valid envelope is used; every other non-blank line is named.
        const named = file.unreadable.map((u) => u.line);
        assert.ok(
          named.every((line) => others.includes(line)),
          `named ${named} of ${others}`,
        );
        assert.equal(named.length + file.envelopes.length, others.length + expectedEnvelopes.length);
        assert.ok(file.unreadable.every((u) => u.key === 'raw/x.jsonl.gz' && u.reason !== ''));
      }),
      settings(),
    );
  });

  it('a gzip cut anywhere before its end gives no envelope at all, only its reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(envelopeLine, { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (items, share) => {
          const whole = gzipSync(joined(items, '\n', true));
          const cut = whole.subarray(0, Math.floor(whole.length * share));
          const file = await readRawFile('raw/x.jsonl.gz', cut);
          assert.deepEqual(file.envelopes, []);
          assert.deepEqual(
            file.unreadable.map((u) => u.line),
            [0],
          );
        },
      ),
      settings(),
    );
  });

  it('over any limit: a long line is skipped and named, a long file is named whole, and the rest is read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            envelopeLine,
            fc.nat({ max: 600 }).map((n) => ({ kind: 'long' as const, text: 'x'.repeat(n) })),
          ),
        ),
        fc.integer({ min: 64, max: 4096 }),
        fc.integer({ min: 256, max: 16_384 }),
        async (items, lineBytes, textBytes) => {
          const text = joined(items as Line[], '\n', true);
          const handed: number[] = [];
          const read = await readArchiveLines(
            'raw/x.jsonl.gz',
            gzipSync(text),
            (_line, number) => {
              handed.push(number);
              return undefined;
            },
            { lineBytes, textBytes },
          );
          if (Buffer.byteLength(text) > textBytes) {
            assert.equal(read.whole, false);
            assert.deepEqual(
              read.unreadable.map((u) => u.line),
              [0],
            );
            assert.match(read.unreadable[0]?.reason ?? '', /decompresses to more than/);
            return;
          }
          assert.equal(read.whole, true);
          const expectedLong = items.flatMap((l, i) =>
            Buffer.byteLength(l.text) > lineBytes ? [i + 1] : [],
          );
          const expectedHanded = items.flatMap((l, i) =>
            Buffer.byteLength(l.text) <= lineBytes && l.text.trim() !== '' ? [i + 1] : [],
          );
          assert.deepEqual(
            read.unreadable.map((u) => u.line),
            expectedLong,
          );
          assert.deepEqual(handed, expectedHanded);
        },
      ),
      settings(),
    );
  });

  it('rejected/ files: any lines are read as rejections or named, never an exception', async () => {
    const store = new LocalFolderStore(mkdtempSync(join(tmpdir(), 'fuzz-rejected-')));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(otherLine, envelopeLine, blankLine), { maxLength: 15 }),
        async (items) => {
          await store.put('rejected/x.jsonl.gz', gzipSync(joined(items, '\n', true)), 'x');
          const file = await readRejectedKey(store, 'rejected/x.jsonl.gz');
          assert.equal(file.whole, true);
          const nonBlank = items.flatMap((l, i) => (l.kind === 'blank' ? [] : [i + 1]));
          assert.deepEqual(
            [...file.lines.map((l) => l.line), ...file.unreadable.map((u) => u.line)].sort((a, b) => a - b),
            nonBlank,
          );
          for (const line of file.lines) assert.ok(line.reason.length <= 301);
        },
      ),
      settings(Math.min(RUNS, 100)),
    );
  });
});
