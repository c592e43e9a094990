/**
 * Runs one replay in a process of its own, so its peak memory is its own (not the generator's or
 * DuckDB's), and prints its figures as one JSON line.
 *   npx tsx test/bench/replay-child.ts <lake> <workers>
 */
import { replay } from '../../lambdas/cli/replay/replay.js';

const [lake = '', workers = '2'] = process.argv.slice(2);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const summary = await replay({ location: { kind: 'folder', path: lake }, workers: Number(workers) });
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    envelopes: summary.envelopes,
    populationRows: summary.rows.population,
    forecastRows: summary.rows.population_forecast,
    partitions: summary.partitions,
    written: summary.written,
  })}\n`,
);
