import assert from 'node:assert/strict';
import { parseWithSqlfluff } from '../checkers/sql-parse.js';
import { type Answer, readAnswers } from './support/answers.js';
import { allBlocks, type DocBlock, SQL_DIALECTS } from './support/doc-blocks.js';
import type { Journey, JourneyContext } from './support/journey.js';
import { printedRows } from './support/printed.js';
import { REPO, shellQuote } from './support/sandbox.js';

/**
 * Every SQL block of the docs runs where it is shown: a block marked `duckdb` runs on the demo
 * lake through `npm run query`, as a person pastes it; a block marked `redshift` parses with
 * sqlfluff's Redshift dialect (no Redshift runs here). The time-filter recipes are run on a day of
 * the demo lake and their rows compared with the answers of that day's evening.
 */

/** Statements of a block: `;` at the end of a line ends one; `--` comments dropped. */
function statements(block: DocBlock): string[] {
  const text = block.text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  return text
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function dialectsOf(block: DocBlock): string[] {
  const words = block.info.slice(1);
  const unknown = words.filter((w) => !(SQL_DIALECTS as readonly string[]).includes(w));
  assert.deepEqual(unknown, [], `${block.file}:${block.line}: unknown words in the fence`);
  assert.ok(
    words.length > 0,
    `${block.file}:${block.line}: say where it runs: \`\`\`sql duckdb, redshift or both`,
  );
  return words;
}

async function query(context: JourneyContext, sql: string, format: 'json' | 'csv' = 'json') {
  const result = await context.sandbox.run(
    `npm run -s query -- ${shellQuote(sql)} --lake demo-lake --format ${format}`,
  );
  assert.equal(result.status, 0, `${sql}\n${result.stderr}`);
  return result.stdout;
}

/** A KST day of the demo lake whose 18:00–21:00 holds runs: the first whole day. */
function eveningOf(answers: readonly Answer[]): string {
  const days = [...new Set(answers.map((a) => a.runKst.slice(0, 10)))].sort();
  const day = days.find(
    (d) => answers.some((a) => a.runKst === `${d} 18:00`) && answers.some((a) => a.runKst === `${d} 20:40`),
  );
  assert.ok(day, `no whole evening in the demo lake (${days.join(', ')})`);
  return day;
}

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const sorted = (rows: string[][]) => rows.map((row) => JSON.stringify(row)).sort();

export const journeys: Journey[] = [
  {
    name: 'every SQL block of the docs runs where it is shown: DuckDB ones on the demo lake, Redshift ones parse',
    covers: [],
    async run(context) {
      await context.demoLake();
      const blocks = allBlocks(REPO).filter((block) => block.info[0] === 'sql');
      assert.ok(blocks.length > 0);
      const redshift = blocks.filter((block) => dialectsOf(block).includes('redshift'));
      const duckdb = blocks.filter((block) => dialectsOf(block).includes('duckdb'));

      for (const block of duckdb)
        for (const sql of statements(block)) {
          const rows = (await query(context, sql)).split('\n').filter(Boolean).length;
          context.t.diagnostic(`duckdb ${block.file}:${block.line}: ${rows} row(s)`);
        }

      const parsed = parseWithSqlfluff(
        redshift.map((block) => ({
          name: `${block.file.replace(/[/.]/g, '_')}_${block.line}.sql`,
          text: `${statements(block).join(';\n')};\n`,
        })),
      );
      assert.deepEqual(
        parsed.filter((p) => p.unparsable.length > 0),
        [],
        'sqlfluff (Redshift) could not parse these blocks',
      );
      context.t.diagnostic(`${duckdb.length} blocks run on DuckDB, ${redshift.length} parsed as Redshift`);
    },
  },
  {
    name: 'filtering by Korean time does what the docs say, and the trap they warn of is real',
    covers: [],
    async run(context) {
      const { lake } = await context.demoLake();
      const answers = readAnswers(lake);
      const day = eveningOf(answers);
      const [viewRecipe, tableRecipe] = allBlocks(REPO)
        .filter(
          (block) =>
            block.info[0] === 'sql' &&
            /WHERE (collected_at_kst|population_time \+ INTERVAL '9 hours') >= '2026-12-01 18:00'/.test(
              block.text,
            ),
        )
        .map((block) => statements(block)[0] as string);
      assert.ok(viewRecipe && tableRecipe, 'the two time-filter recipes of lake-and-sql.md');
      const onDay = (sql: string) => sql.replaceAll('2026-12-01', day);

      // The view recipe: the runs of 18:00, 18:20 … 20:40 KST that day, each place once.
      const evening = answers.filter(
        (a) => a.runKst.slice(0, 10) === day && a.runKst.slice(11) >= '18:00' && a.runKst.slice(11) < '21:00',
      );
      assert.deepEqual(
        sorted(
          printedRows(await query(context, onDay(viewRecipe), 'csv'), 'csv', [
            'area_name',
            'collected_at_kst',
            'congestion_level',
          ]),
        ),
        sorted(evening.map((a) => [a.record.AREA_NM, `${a.runKst}:00`, a.record.AREA_CONGEST_LVL])),
      );

      // The table recipe: observations whose PPLTN_TIME is in that evening.
      const observed = answers.filter(
        (a) => a.record.PPLTN_TIME >= `${day} 18:00` && a.record.PPLTN_TIME < `${day} 21:00`,
      );
      assert.deepEqual(
        sorted(
          printedRows(await query(context, onDay(tableRecipe), 'csv'), 'csv', [
            'area_code',
            'population_time_kst',
            'area_population_max',
          ]),
        ),
        sorted(observed.map((a) => [a.placeCode, `${a.record.PPLTN_TIME}:00`, a.record.AREA_PPLTN_MAX])),
      );

      // The same recipe as `query --help` gives it, on the same evening.
      const help = await context.sandbox.run('npm run -s query -- --help');
      assert.equal(help.status, 0, help.stderr);
      const where =
        /^\s*(WHERE collected_at_kst >= '2026-12-01 18:00' AND collected_at_kst < '2026-12-01 21:00')$/m.exec(
          help.stdout,
        )?.[1];
      assert.ok(where, `query --help shows the Korean-time filter:\n${help.stdout}`);
      assert.deepEqual(
        printedRows(
          await query(
            context,
            onDay(`SELECT DISTINCT collected_at_kst FROM v_congestion_over_time ${where} ORDER BY 1`),
            'csv',
          ),
          'csv',
          ['collected_at_kst'],
        ).map(([t]) => t),
        [...new Set(evening.map((a) => `${a.runKst}:00`))].sort(),
      );

      // The trap: the same literals on the stored column select 03:00–06:00 KST the next day.
      const trap = `SELECT DISTINCT collected_at_kst FROM v_congestion_over_time WHERE collected_at BETWEEN '${day} 18:00' AND '${day} 21:00' ORDER BY 1`;
      const next = nextDay(day);
      const runsThen = [...new Set(answers.map((a) => a.runKst))]
        .filter((run) => run >= `${next} 03:00` && run <= `${next} 06:00`)
        .sort();
      assert.ok(runsThen.length > 0, `the demo lake has runs early on ${next}`);
      assert.deepEqual(
        printedRows(await query(context, trap, 'csv'), 'csv', ['collected_at_kst']).map(([t]) => t),
        runsThen.map((run) => `${run}:00`),
      );
    },
  },
];
