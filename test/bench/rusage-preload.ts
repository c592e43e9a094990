/**
 * Loaded with `node --import tsx --import ./test/bench/rusage-preload.ts bin/cli.ts …` by the
 * benchmarks that run a command as a person does: when the process exits, however it exits, its
 * own figures go to the file `BENCH_RUSAGE_FILE` names — peak resident memory and CPU time, which
 * a parent cannot read of a child in Node.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssBytes: usage.maxRSS * 1024,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      }),
    );
  });
}
