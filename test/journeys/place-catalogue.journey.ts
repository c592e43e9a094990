import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { readAnswers } from './support/answers.js';
import type { Journey } from './support/journey.js';
import { parseCsvWithPython } from './support/python.js';
import { REPO } from './support/sandbox.js';

/**
 * Seoul adds a place and retires another, as local-use.md shows it: the portal's list of 2026
 * (test/fixtures/places.csv) without POI005 and with a new POI132 is imported, dry run first; then
 * one `npm start -- --once` asks the stand-in city API for the new list. Oracles: the list itself,
 * read with Python's csv module (what was added and retired is a set difference by hand), the
 * catalogue file read as plain JSON, and the answers archived in raw/.
 */
const ADDED = ['공원', '122', 'POI132', '새 공원', 'New Park, North'];
const RETIRED = 'POI005';
const KEY = 'journey-places-key';

export const journeys: Journey[] = [
  {
    name: 'a new list of places imported: the report of what changed, then the next run collects the new place and not the retired one',
    covers: [
      /^npm run places -- --import places\.csv --dry-run$/,
      /^npm run places -- --import places\.csv$/,
    ],
    async run({ commandsLike, run, freshSandbox, sandbox: shared }) {
      const sandbox = await freshSandbox();
      const [header, ...rows] = parseCsvWithPython(readFileSync(`${REPO}/test/fixtures/places.csv`, 'utf8'));
      const at = (name: string) => (header ?? []).indexOf(name);
      const kept = rows.filter((row) => row[at('area_cd')] !== RETIRED);
      const quote = (cell: string) => (/[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
      writeFileSync(
        sandbox.path('places.csv'),
        `${[header ?? [], ...kept, ADDED].map((row) => row.map(quote).join(',')).join('\n')}\n`,
      );
      const catalogue = sandbox.path('lake', 'catalogue', 'places.json');

      for (const command of commandsLike(/--dry-run$/)) {
        const result = await run(command, { in: sandbox });
        assert.equal(result.status, 0, result.screen);
        assert.match(result.stdout, /120 unchanged/);
        assert.match(result.stdout, /^dry run: .* is left as it is$/m);
        assert.match(
          result.stdout,
          /added \(collected from the next run on\):\n {2}POI132 {2}새 공원 \(New Park, North\), 공원/,
        );
        assert.match(result.stdout, new RegExp(`retired [^\\n]*:\\n {2}${RETIRED} {2}`));
        assert.equal(existsSync(catalogue), false, 'a dry run writes nothing');
      }
      for (const command of commandsLike(/--import places\.csv$/)) {
        const result = await run(command, { in: sandbox });
        assert.equal(result.status, 0, result.screen);
        assert.match(result.stdout, /1 added, 1 retired, 0 returned, 0 changed, 120 unchanged/);
        const written = JSON.parse(readFileSync(catalogue, 'utf8')) as {
          places: { code: string; retired?: string }[];
        };
        assert.deepEqual(
          written.places.filter((p) => p.retired === undefined).map((p) => p.code),
          [...kept.map((row) => row[at('area_cd')]), 'POI132'],
          'the list, in its order',
        );
        assert.deepEqual(
          written.places.filter((p) => p.retired !== undefined).map((p) => p.code),
          [RETIRED],
        );
      }

      // The next run, with no code change: the city (a stand-in) now publishes POI132 too.
      const simulator = new ApiSimulator({
        validKeys: [KEY],
        places: [
          ...rows.map((row) => ({
            code: row[at('area_cd')] as string,
            name: row[at('area_nm')] as string,
            englishName: row[at('eng_nm')] as string,
            category: row[at('category')] as string,
          })),
          { code: 'POI132', name: '새 공원', englishName: 'New Park, North', category: '공원' },
        ],
      });
      const baseUrl = await simulator.start();
      try {
        const next = await sandbox.run('npm start -- --once', {
          env: { SEOUL_API_KEY: KEY, SEOUL_API_BASE_URL: baseUrl },
        });
        assert.equal(next.status, 0, next.screen);
        const asked = new Set(simulator.requests.map((r) => r.place));
        assert.equal(asked.size, 121);
        assert.ok(asked.has('POI132') && !asked.has(RETIRED), 'asked for the new place, not the retired one');
        const archived = readAnswers(sandbox.path('lake')).map((a) => a.placeCode);
        assert.ok(archived.includes('POI132'), 'the new place’s answer is in raw/');
      } finally {
        await simulator.stop();
      }
      void shared;
    },
  },
];
