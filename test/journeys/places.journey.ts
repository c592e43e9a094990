import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Journey } from './support/journey.js';
import { tableIn } from './support/printed.js';
import { parseCsvWithPython } from './support/python.js';
import { REPO } from './support/sandbox.js';

/** `places --category park`: exactly the portal's parks (test/fixtures/places.csv, category 공원). */
export const journeys: Journey[] = [
  {
    name: 'the parks among the 121 places, as the portal lists them',
    covers: [/^npm run places -- --category park$/],
    async run({ commands, run }) {
      const [header, ...places] = parseCsvWithPython(
        readFileSync(`${REPO}/test/fixtures/places.csv`, 'utf8'),
      );
      const at = (name: string) => (header ?? []).indexOf(name);
      const parks = places
        .filter((row) => row[at('category')] === '공원')
        .map((row) => [row[at('area_cd')], '공원', row[at('area_nm')], row[at('eng_nm')]]);
      assert.ok(parks.length > 0);
      for (const command of commands) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        const table = tableIn(result.screen);
        assert.deepEqual(table.columns, ['code', 'category', 'name', 'english_name']);
        assert.deepEqual(
          table.rows.map((row) => JSON.stringify(row)).sort(),
          parks.map((row) => JSON.stringify(row)).sort(),
        );
      }
    },
  },
];
