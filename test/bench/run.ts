/**
 * `npm run bench`: every benchmark, one after the other, printing figures and ratios against a
 * reference measured in the same run. Nothing here passes or fails on time.
 */
import { benchCollector } from './collector.bench.js';
import { benchDemoDays } from './demo-days.bench.js';
import { benchKafka } from './kafka.bench.js';
import { benchReplay } from './replay.bench.js';
import { benchViews } from './views.bench.js';
import { benchWriter } from './writer.bench.js';

const only = process.argv.slice(2);
const benches: Record<string, () => Promise<void>> = {
  collector: benchCollector,
  writer: benchWriter,
  kafka: benchKafka,
  views: () => benchViews(),
  replay: benchReplay,
  'demo-days': benchDemoDays,
};
for (const [name, bench] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  await bench();
}
