import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { firingsPerDay } from '../../lambdas/core/schedule-expression.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { DataApiWarehouse } from '../../lambdas/core/warehouse/data-api.js';
import { loadNewPartitions } from '../../lambdas/core/warehouse/loader.js';
import {
  estimateRpuHours,
  statementsPerPartition,
  USAGE_LIMIT_ALARM_SHARE,
  usageLimitFor,
} from '../../lambdas/core/warehouse/rpu-estimate.js';
import { redshiftCopy } from '../../lambdas/core/warehouse/staging-fill.js';
import { DEFAULT_CONFIG } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { FakeRedshiftData } from '../support/fake-redshift-data.js';
import { MemoryLog } from '../support/memory-log.js';
import { buildFixtureLake } from './warehouse-fixture.js';

describe('how often a schedule fires in a day', () => {
  it('counts every-day crons and rates', () => {
    const cases: [string, number][] = [
      ['cron(10 0/3 * * ? *)', 8],
      ['cron(0/20 * * * ? *)', 72],
      ['cron(30 18 * * ? *)', 1],
      ['cron(0 8-18 * * ? *)', 11],
      ['cron(0 1,13 * * ? *)', 2],
      ['cron(0,30 */6 * * ? *)', 8],
      ['cron(30 */6 ? * * *)', 4],
      ['rate(1 hour)', 24],
      ['rate(30 minutes)', 48],
      ['rate(2 days)', 0.5],
    ];
    for (const [expression, perDay] of cases) assert.equal(firingsPerDay(expression), perDay, expression);
  });

  it('says it cannot tell for a schedule that skips days, and for anything malformed', () => {
    for (const expression of [
      'cron(0 8 ? * MON-FRI *)',
      'cron(0 8 1 * ? *)',
      'cron(0 8 * 1 ? *)',
      'cron(0 8 * * ? 2027)',
      'cron(0 25 * * ? *)',
      'cron(61 1 * * ? *)',
      'cron(0 1)',
      'rate(0 hours)',
      'every day',
    ]) {
      assert.equal(firingsPerDay(expression), undefined, expression);
    }
  });
});

describe('the RPU-hours estimate', () => {
  it('counts the statements per partition from what the loader really sends to the Data API', async () => {
    const fake = new FakeRedshiftData();
    await loadNewPartitions({
      warehouse: new DataApiWarehouse({
        client: fake.asClient(),
        workgroupName: 'wg',
        log: new MemoryLog(),
        sleep: async () => undefined,
      }),
      store: new LocalFolderStore(await buildFixtureLake()),
      fill: redshiftCopy({ bucket: 'lake', prefix: '', roleArn: 'arn:aws:iam::123456789012:role/spectrum' }),
      log: new MemoryLog(),
      now: new Date('2026-07-16T16:00:00Z'),
    });
    const sent = new Map<string, number>();
    for (const call of fake.sent('BatchExecuteStatementCommand')) {
      sent.set(call.input.Parameters[0].value, call.input.Sqls.length);
    }
    assert.deepEqual(Object.fromEntries(sent), statementsPerPartition());
    assert.deepEqual(statementsPerPartition(), {
      population: 13,
      population_forecast: 13,
      collection_outcomes: 8,
    });
    // Beside the partitions, one load sends the load log's bounds and its rows.
    assert.equal(fake.sent('ExecuteStatementCommand').length, 2);
  });

  it('works out the default configuration as the deploy guide does, by hand', () => {
    const estimate = estimateRpuHours({
      baseCapacityRpu: DEFAULT_CONFIG.redshiftBaseCapacity,
      loaderSchedule: DEFAULT_CONFIG.loaderSchedule,
      runIntervalMinutes: DEFAULT_CONFIG.runIntervalMinutes,
    });
    assert.ok(estimate);
    // 8 loads a day × 730 h / 24 h; 72 runs a day / 8 loads; 9 × (13 + 13 + 8) + 2 statements.
    assert.equal(estimate.loadsPerMonth.toFixed(2), '243.33');
    assert.equal(estimate.runsPerLoad, 9);
    assert.equal(estimate.statementsPerLoad, 308);
    // 308 × 0.5 s and 308 × 1 s, both over the 60-second minimum.
    assert.deepEqual(estimate.secondsPerLoad, { low: 154, high: 308 });
    // 243.33 × 154 s × 8 RPU / 3600 = 83.3; × 308 s → 166.5; plus 2 h × 8 RPU of your own queries.
    assert.equal(estimate.rpuHours.low.toFixed(1), '99.3');
    assert.equal(estimate.rpuHours.high.toFixed(1), '182.5');
  });

  it('sets the default usage limit from it: 1.5 × the high figure, up to a multiple of 10, with the alarm at 75 %', () => {
    const estimate = estimateRpuHours({
      baseCapacityRpu: DEFAULT_CONFIG.redshiftBaseCapacity,
      loaderSchedule: DEFAULT_CONFIG.loaderSchedule,
      runIntervalMinutes: DEFAULT_CONFIG.runIntervalMinutes,
    });
    assert.ok(estimate);
    assert.equal(usageLimitFor(estimate), 280);
    assert.equal(DEFAULT_CONFIG.redshiftUsageLimit?.rpuHours, usageLimitFor(estimate));
    const alarmAt = 280 * USAGE_LIMIT_ALARM_SHARE;
    assert.ok(estimate.rpuHours.high < alarmAt, 'a month at the high estimate ends below the alarm');
  });

  it('bills the 60-second minimum when a load has little to do (an hourly loader)', () => {
    const estimate = estimateRpuHours({
      baseCapacityRpu: 8,
      loaderSchedule: 'rate(1 hour)',
      runIntervalMinutes: 60,
    });
    assert.ok(estimate);
    // One run a load: 34 + 2 statements, 18 s or 36 s, billed as 60 s.
    assert.deepEqual(estimate.secondsPerLoad, { low: 60, high: 60 });
  });

  it('is written in the deploy guide with the same numbers', () => {
    const guide = readFileSync(join(PROJECT_ROOT, 'docs', 'deploy-aws.md'), 'utf8');
    const section = guide.slice(guide.indexOf('### Redshift RPU-hours: the arithmetic'));
    for (const figure of ['13 + 13 + 8', '308', '243.3', '83.3', '166.5', '99.3', '182.5', '280', '210']) {
      assert.ok(section.includes(figure), `the arithmetic shows ${figure}`);
    }
  });
});
