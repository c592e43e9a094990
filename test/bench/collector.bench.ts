/**
 * Collector benchmark: one run of all 121 places against the simulator with 200 ms latency per
 * call, concurrently (default concurrency 8) beside a one-at-a-time baseline in the same process.
 * Targets (issue 2): at least 6× faster than the baseline, overhead beyond the network wait < 10%.
 */

import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { collectRun } from '../../lambdas/core/collector.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { MemoryLog } from '../support/memory-log.js';
import { figure, heading, ratio, seconds, timed } from './report.js';

const LATENCY_MS = 200;

export async function benchCollector(): Promise<void> {
  heading(`collector: 121 places, ${LATENCY_MS} ms latency per call`);
  const simulator = new ApiSimulator({ faults: [{ kind: 'latency', latencyMs: LATENCY_MS }] });
  const baseUrl = await simulator.start();
  try {
    const client = new SeoulApiClient({ baseUrl, apiKey: 'bench-key' });
    const runWith = (concurrency: number) =>
      timed(() =>
        collectRun({
          client,
          places: ALL_PLACES,
          runId: 'bench',
          collectedAt: new Date(),
          concurrency,
          log: new MemoryLog(),
        }),
      );
    await runWith(8); // warm-up: connections, JIT
    const concurrent = await runWith(8);
    const sequential = await runWith(1);
    const ok = (r: typeof concurrent) => r.result.outcomes.filter((o) => o.status === 'ok').length;
    const networkWait = Math.ceil(ALL_PLACES.length / 8) * LATENCY_MS;
    figure('places ok (concurrent / sequential)', `${ok(concurrent)} / ${ok(sequential)}`);
    figure('one at a time (baseline)', seconds(sequential.ms));
    figure('concurrency 8', seconds(concurrent.ms));
    figure('speed-up over the baseline (target ≥ 6×)', ratio(sequential.ms / concurrent.ms));
    figure('pure network wait at concurrency 8 (16 waves × 200 ms)', seconds(networkWait));
    figure(
      'overhead beyond the network wait (target < 10%)',
      `${(((concurrent.ms - networkWait) / networkWait) * 100).toFixed(1)} %`,
    );
  } finally {
    await simulator.stop();
  }
}
