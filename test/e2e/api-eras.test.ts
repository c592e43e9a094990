import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The docs' table of which fields each era of the API carried (lake-and-sql.md, "Which fields each
 * era of the API carried") against the recorded answers themselves. Oracle: Python's json and
 * xml.etree read test/fixtures/samples/ (no code of the repository), and the table's cells must say
 * what they find: how many fields the place record holds, whether the forecast list is there (how
 * many entries, which fields), whether the RESULT block is.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLES = join(ROOT, 'test', 'fixtures', 'samples');

interface Facts {
  readonly recordFields: number;
  /** Entries of FCST_PPLTN and the fields of its entries; null when the record has no list. */
  readonly forecast: { entries: number; fields: string[] } | null;
  readonly result: boolean;
}

const READ_ANSWER = `
import json, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
if path.endswith('.xml'):
    root = ET.parse(path).getroot()
    record = next(c for c in root if c.tag != 'RESULT')
    fields = sorted({c.tag for c in record})
    lists = record.findall('FCST_PPLTN')
    entries = [e for l in lists for e in l.findall('FCST_PPLTN')]
    forecast = {'entries': len(entries), 'fields': sorted({c.tag for e in entries for c in e})} if entries else None
    result = root.find('RESULT') is not None
else:
    answer = json.load(open(path, encoding='utf-8'))
    result = 'RESULT' in answer
    if 'CITYDATA' in answer:
        record = answer['CITYDATA']['LIVE_PPLTN_STTS'][0]
    else:
        record = next(v for k, v in answer.items() if isinstance(v, list))[0]
    fields = sorted(record.keys())
    entries = record.get('FCST_PPLTN')
    forecast = {'entries': len(entries), 'fields': sorted({k for e in entries for k in e})} if entries else None
print(json.dumps({'recordFields': len(fields), 'forecast': forecast, 'result': result}))
`;

function factsOf(file: string): Facts {
  const run = spawnSync('python3', ['-c', READ_ANSWER, join(SAMPLES, file)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Facts;
}

/** The rows of the table under the heading, as cells. */
function eraTable(): string[][] {
  const doc = readFileSync(join(ROOT, 'docs', 'lake-and-sql.md'), 'utf8');
  const section = doc.split('### Which fields each era of the API carried')[1] ?? '';
  // The first table after the heading: its lines, up to the first line that is not one.
  const lines = section.split('\n').filter((_, i, all) => all.slice(0, i + 1).some((l) => l.startsWith('|')));
  const end = lines.findIndex((line) => !line.startsWith('|'));
  return lines
    .slice(0, end === -1 ? undefined : end)
    .filter((line) => !line.startsWith('| answer') && !line.startsWith('|---'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('which fields each era of the API carried: the docs against the recorded answers', () => {
  const rows = eraTable();
  const answers = readdirSync(SAMPLES).filter((name) => /\.(json|xml)$/.test(name));

  it('has one row per recorded answer', () => {
    assert.equal(rows.length, answers.length, JSON.stringify(rows));
  });

  it('each row says what its answer holds: the record, the forecast list, the RESULT block', () => {
    let listed: string[] = [];
    for (const [answerCell, , recordCell, forecastCell, resultCell] of rows) {
      const [, date, hour, minute, place] =
        /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}) KST, (POI\d{3})/.exec(answerCell ?? '') ?? [];
      const file = answers.find(
        (name) => name.includes(`_${place}_`) && name.includes(`${date}T${hour}${minute}`),
      );
      assert.ok(file, `a recorded answer for the row "${answerCell}"`);
      const facts = factsOf(file);
      const fields = Number(/(\d+)/.exec(recordCell ?? '')?.[1]);
      assert.equal(fields, facts.recordFields, `${file}: fields of the place record`);
      if (facts.forecast === null) assert.match(forecastCell ?? '', /\babsent\b/, file);
      else {
        const { entries, fields: names } = facts.forecast;
        const said = new RegExp(`^${entries} entries of (the same )?${names.length}\\b`).exec(
          forecastCell ?? '',
        );
        assert.ok(said, `${file}: "${forecastCell}" says ${entries} entries of ${names.length} fields`);
        // "the same": the fields the row above named.
        if (!said[1]) listed = names.filter((name) => forecastCell?.includes(`\`${name}\``));
        assert.deepEqual(listed, names, `${file}: the forecast entries' fields`);
      }
      assert.match(resultCell ?? '', facts.result ? /^present/ : /\babsent\b/, `${file}: RESULT`);
    }
  });

  it('the differences the test of a column added takes are real: one era has no forecast list, one no RESULT', () => {
    const all = answers.map(factsOf);
    assert.ok(all.some((f) => f.forecast === null));
    assert.ok(all.some((f) => f.forecast !== null));
    assert.ok(all.some((f) => !f.result));
  });
});
