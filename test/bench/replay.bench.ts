/**
 * Replay benchmark: the raw archive of a simulated year (72 runs a day × 121 places ≈ 3.2 million
 * envelopes, generated once into .cache/) rebuilt into `population`, `population_forecast` and
 * `rejected/` after the tables were deleted — in a process of its own, on worker threads — and,
 * as the reference measured in the same run, DuckDB writing the very same rows to Parquet
 * partitioned the same way. Prints figures only; nothing passes or fails on time.
 *
 *   npm run bench -- replay          REPLAY_BENCH_DAYS=30 for a shorter sample (then the year
 *                                    figure is extrapolated, and says so)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { RUNS_PER_DAY, rawYear } from './replay-year.js';
import { figure, heading, mib, perSecond, ratio, seconds, timed } from './report.js';

const YEAR_DAYS = 365;

interface ChildFigures {
  ms: number;
  cpuMs: number;
  maxRssBytes: number;
  envelopes: number;
  populationRows: number;
  forecastRows: number;
  partitions: number;
  written: number;
}

/** DuckDB writing the rows the replay wrote, partitioned the same way (loading them is not timed). */
async function duckdbReference(lake: string): Promise<{ ms: number; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const out = mkdtempSync(join(tmpdir(), 'replay-bench-duckdb-'));
  try {
    let ms = 0;
    let rows = 0;
    for (const table of ['population', 'population_forecast']) {
      await connection.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_parquet('${join(lake, table)}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)`,
      );
      rows += Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]?.[0]);
      const copy = await timed(() =>
        connection.run(
          `COPY ${table} TO '${join(out, table)}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month, day, hour, minute))`,
        ),
      );
      ms += copy.ms;
      await connection.run(`DROP TABLE ${table}`);
    }
    return { ms, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(out, { recursive: true, force: true });
  }
}

export async function benchReplay(): Promise<void> {
  const days = Number(process.env.REPLAY_BENCH_DAYS ?? YEAR_DAYS);
  const workers = availableParallelism();
  heading(`replay: ${days} simulated day(s) of raw/ rebuilt into the tables, ${workers} worker threads`);
  const year = await rawYear(days);
  figure(
    'raw archive (cached in .cache/bench)',
    `${year.runs.toLocaleString('en-US')} runs × 121 places${year.generatedMs > 0 ? `, generated in ${seconds(year.generatedMs)}` : ', reused'}`,
  );
  for (const area of ['population', 'population_forecast', 'rejected'])
    rmSync(join(year.lake, area), { recursive: true, force: true });

  figure('load average before (1 min; other work on the machine)', loadavg()[0]?.toFixed(2) ?? '?');
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'test/bench/replay-child.ts', year.lake, String(workers)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const child = JSON.parse(output.trim().split('\n').pop() as string) as ChildFigures;
  figure('envelopes replayed', child.envelopes.toLocaleString('en-US'));
  figure(
    'rows written (population / forecast)',
    `${child.populationRows.toLocaleString('en-US')} / ${child.forecastRows.toLocaleString('en-US')}`,
  );
  figure(
    'partitions / files written',
    `${child.partitions.toLocaleString('en-US')} / ${child.written.toLocaleString('en-US')}`,
  );
  figure('replay wall time', seconds(child.ms));
  figure('  envelopes per second', perSecond(child.envelopes, child.ms));
  figure(
    '  CPU time (all threads)',
    `${seconds(child.cpuMs)} (${(child.cpuMs / child.ms).toFixed(2)} cores busy on average)`,
  );
  figure(
    '  CPU time ÷ cores: the wall time on idle cores, at best',
    `${seconds(child.cpuMs / workers)} (a bound, not a measurement)`,
  );
  figure('  peak memory (resident set of the replay process)', mib(child.maxRssBytes));
  const yearEnvelopes = YEAR_DAYS * RUNS_PER_DAY * 121;
  figure(
    days === YEAR_DAYS ? 'year replay time (measured)' : `year replay time (EXTRAPOLATED from ${days} days)`,
    seconds((child.ms * yearEnvelopes) / child.envelopes),
  );
  figure(
    '  goal: < 180 s on 2 cores, < 1536 MiB',
    `${(child.ms * yearEnvelopes) / child.envelopes < 180_000 ? 'met' : 'NOT met'} / ${child.maxRssBytes < 1536 * 1024 * 1024 ? 'met' : 'NOT met'}`,
  );

  const reference = await duckdbReference(year.lake);
  figure(
    'DuckDB COPY of the same rows, same partitions (reference)',
    `${seconds(reference.ms)}, ${perSecond(reference.rows, reference.ms)}`,
  );
  figure('replay time / DuckDB time (lower is better)', ratio(child.ms / reference.ms));
}
