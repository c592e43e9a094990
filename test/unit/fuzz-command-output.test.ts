import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { importReport } from '../../lambdas/cli/commands/places.js';
import type { CatalogueChange } from '../../lambdas/cli/places/import-diff.js';
import { RunProgress } from '../../lambdas/cli/progress.js';
import { terminalIo } from '../../lambdas/cli/terminal.js';
import { formatTextTable } from '../../lambdas/cli/text-table.js';
import { CATALOGUE_FORMAT } from '../../lambdas/core/place-catalogue.js';
import type { Place } from '../../lambdas/core/places.js';
import { fuzzRun, hostileText } from '../support/fuzz.js';
import { ACTIVE } from '../support/terminal-active.js';

/**
 * Every command prints through `terminalIo`; the commands put API and lake text inside lines of
 * their own. Fuzzed here (issue 18, items 9 and 11), with text a hostile server or a tampered lake
 * can hold: nothing a terminal acts on reaches stdout or stderr, and a value never starts a line
 * (the place list, the import report, the live progress line). The seed convention is
 * fuzz.test.ts's: `FUZZ_SEED`, `FUZZ_RUNS`, `FUZZ_PATH` replay a failure.
 */
const { seed: SEED, runs: RUNS, settings } = fuzzRun(20_260_720);

const hostilePlace: fc.Arbitrary<Place> = fc.record({
  code: hostileText,
  name: hostileText,
  englishName: hostileText,
  category: hostileText,
});

/** What reached a stream, with the terminal's view of it: nothing active in any line. */
function captured(isTTY: boolean) {
  const written: string[] = [];
  const stream = { write: (text: string) => written.push(text), isTTY };
  return { stream, written };
}

function assertInert(text: string, what: string): void {
  // CRLF is ours (CSV); a CR anywhere else is not.
  const line = text.split('\n').find((l) => ACTIVE.test(l.endsWith('\r') ? l.slice(0, -1) : l));
  assert.equal(line, undefined, `${what}: ${JSON.stringify(line)}`);
}

describe(`fuzzing every command's output (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('terminalIo: whatever a command prints, no control reaches the terminal; out and err keep their lines, the live line has none', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 5 }), fc.boolean(), (texts, isTTY) => {
        const stdout = captured(isTTY);
        const stderr = captured(isTTY);
        const io = terminalIo(stdout.stream, stderr.stream, new AbortController().signal);
        for (const text of texts) {
          io.live?.(text);
          io.out(text);
          io.err(text);
        }
        const out = stdout.written.join('');
        const err = stderr.written.join('');
        // The live line's own rewrite (CR, erase line) is the one sequence of ours.
        assertInert(out.replaceAll('\r\u001b[2K', ''), 'stdout');
        assertInert(err, 'stderr');
        const lines = (text: string) => text.split('\n').length - 1;
        const ownLines = texts.reduce((n, text) => n + lines(text) + 1, 0);
        assert.equal(lines(err), ownLines, 'stderr: the text’s own line breaks and one more each');
        assert.equal(lines(out), ownLines, 'stdout: the live line adds no line');
      }),
      settings(),
    );
  });

  it('npm run places: the table of a tampered catalogue has one line per place, nothing active', () => {
    fc.assert(
      fc.property(fc.array(hostilePlace, { minLength: 1, maxLength: 6 }), (places) => {
        const table = formatTextTable(
          ['code', 'category', 'name', 'english_name'],
          places.map((p) => [p.code, p.category, p.name, p.englishName]),
        );
        assertInert(table, 'places table');
        assert.equal(table.split('\n').length, places.length + 3, 'header, rule, one line per place, count');
      }),
      settings(150),
    );
  });

  it('npm run places -- --import: the report names each place on lines of its own, nothing active', () => {
    fc.assert(
      fc.property(
        fc.array(hostilePlace, { maxLength: 3 }),
        fc.array(hostilePlace, { maxLength: 3 }),
        fc.array(fc.tuple(hostilePlace, hostilePlace), { maxLength: 3 }),
        hostileText,
        (added, retired, changed, file) => {
          const change: CatalogueChange = {
            catalogue: { format: CATALOGUE_FORMAT, source: file, places: [] },
            added,
            retired,
            returned: [],
            changed: changed.map(([before, after]) => ({ before, after })),
            unchanged: 0,
          };
          const report = importReport(change, {
            file,
            target: 'lake/catalogue/places.json',
            origin: 'lake',
            written: true,
            dryRun: false,
          });
          assertInert(report, 'import report');
          const sections = [added, retired, changed].filter((list) => list.length > 0).length;
          assert.equal(
            report.split('\n').length,
            2 + 2 * sections + added.length + retired.length + 2 * changed.length,
            'counts, verdict, a blank and a title per section, a line per place (two when changed)',
          );
        },
      ),
      settings(150),
    );
  });

  it('the live progress line of start and demo stays one line of ours, whatever the prefix', () => {
    fc.assert(
      fc.property(hostileText, fc.nat({ max: 200 }), (prefix, total) => {
        const shown: string[] = [];
        const progress = new RunProgress((text) => shown.push(text));
        progress.begin(new Date('2026-07-16T14:20:00Z'), total, prefix);
        progress.placeDone({ code: prefix, status: 'failed', reason: prefix } as never);
        for (const text of shown) {
          const stdout = captured(true);
          terminalIo(stdout.stream, captured(false).stream, new AbortController().signal).live?.(text);
          const out = stdout.written.join('');
          assert.ok(!out.includes('\n'), 'the live line has no line break');
          assertInert(out.replaceAll('\r\u001b[2K', ''), 'live line');
        }
      }),
      settings(150),
    );
  });
});
