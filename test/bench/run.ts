/**
 * `npm run bench [-- NAME …]`: the benchmarks, one after the other, printing figures and ratios
 * against a reference measured in the same run. Nothing here passes or fails on time.
 * `--help` lists them; a name that is none of them exits 2 with the list, having run nothing.
 */
import { BENCHMARKS, benchUsage, unknownBenchmarks } from './benchmarks.js';

const args = process.argv.slice(2);
const validateOnly = args[0] === '--validate';
const names = validateOnly ? args.slice(1) : args;
if (names.includes('--help') || names.includes('-h')) {
  if (!validateOnly) process.stdout.write(`${benchUsage()}\n`);
  process.exit(0);
}
const unknown = unknownBenchmarks(names);
if (unknown.length > 0) {
  process.stderr.write(
    `error: no benchmark named ${unknown.map((name) => JSON.stringify(name)).join(', ')}\n\n${benchUsage()}\n`,
  );
  process.exit(2);
}
if (!validateOnly) {
  for (const bench of BENCHMARKS) {
    if (names.length > 0 && !names.includes(bench.name)) continue;
    await (await bench.load())();
  }
}
