/**
 * `npm run demo -- --days 2` benchmark: 144 scheduled runs of 121 places on a simulated clock,
 * then the report, in-process, beside one live `--once` run of the demo measured in the same
 * process as the reference. Target (issue 11): at least 144 runs in under 2 minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from '../../lambdas/cli/command-io.js';
import { demoCommand } from '../../lambdas/cli/commands/demo.js';
import { figure, heading, ratio, seconds, timed } from './report.js';

const DAYS = 2;
const BUDGET_MS = 120_000;

function quietIo(): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  return { out: (text) => lines.push(text), err: () => {}, signal: new AbortController().signal, lines };
}

export async function benchDemoDays(): Promise<void> {
  heading(`demo --days ${DAYS}: ${DAYS * 72} simulated runs of 121 places, then the report`);
  const folder = mkdtempSync(join(tmpdir(), 'bench-demo-days-'));
  try {
    const once = quietIo();
    const reference = await timed(() => demoCommand(['--once', '--lake', join(folder, 'once')], {}, once));
    const history = quietIo();
    const days = await timed(() =>
      demoCommand(['--days', String(DAYS), '--lake', join(folder, 'days')], {}, history),
    );
    const summary = history.lines.find((line) => line.includes('runs written')) ?? '(no summary)';
    const runs = Number(/(\d+) of \d+ runs written/.exec(summary)?.[1] ?? 0);
    figure('exit statuses (--once / --days)', `${reference.result} / ${days.result}`);
    figure('runs written', String(runs));
    figure('one live demo run with its report (reference)', seconds(reference.ms));
    figure(`--days ${DAYS}, with its report`, seconds(days.ms));
    figure('per simulated run', seconds(days.ms / Math.max(1, runs)));
    figure('--days time in reference runs', ratio(days.ms / reference.ms));
    figure(
      'share of the 2-minute budget used (target < 100%)',
      `${((days.ms / BUDGET_MS) * 100).toFixed(1)} %`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
