import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lambdas/core/errors.js';
import {
  collectionCron,
  readSetting,
  runIntervalMinutes,
  runLimits,
  runMinutesText,
  SETTINGS,
  type Setting,
} from '../../lambdas/core/settings.js';
import { DEFAULT_CONFIG } from '../../lib/config.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof ConfigError && message.test(error.message));

type AnySetting = Setting<unknown> & { min?: number; max?: number; choices?: readonly string[] };
const ALL = Object.values(SETTINGS) as AnySetting[];

describe('the settings table', () => {
  it('gives the CDK configuration the same default for every key it carries', () => {
    for (const setting of ALL) {
      if (!setting.context) continue;
      assert.deepEqual(
        DEFAULT_CONFIG[setting.context as keyof typeof DEFAULT_CONFIG],
        setting.default,
        setting.context,
      );
    }
  });

  it('refuses a number out of range with the real range, not the largest safe integer', () => {
    refused(
      () => readSetting(SETTINGS.concurrency, '65', '--concurrency'),
      /^--concurrency must be a whole number from 1 to 64, got "65"$/,
    );
    refused(
      () => readSetting(SETTINGS.requestTimeoutMs, '1e4'),
      /REQUEST_TIMEOUT_MS must be a whole number from 1000 to 60000/,
    );
    refused(() => readSetting(SETTINGS.concurrency, '8.5'), /from 1 to 64, got "8\.5"/);
    assert.equal(readSetting(SETTINGS.concurrency, ' 12 '), 12);
    assert.equal(readSetting(SETTINGS.concurrency, undefined), 8);
    assert.equal(readSetting(SETTINGS.concurrency, ''), 8);
    assert.equal(readSetting(SETTINGS.concurrency, 16, 'cdk.json context "concurrency"'), 16);
  });

  it('refuses an unknown log level, naming the levels', () => {
    refused(
      () => readSetting(SETTINGS.logLevel, 'verbose'),
      /^LOG_LEVEL must be one of "debug", "info", "warn", "error", "silent", got "verbose"$/,
    );
    assert.equal(readSetting(SETTINGS.logLevel, 'DEBUG'), 'debug');
    refused(
      () => readSetting(SETTINGS.functionLogLevel, 'silent', 'cdk.json context "logLevel"'),
      /"logLevel"/,
    );
  });

  it('keeps the run limit at least the request limit', () => {
    refused(
      () => runLimits({ raw: '30000' }, { raw: '20000' }),
      /^RUN_TIMEOUT_MS must be a whole number from 30000 \(REQUEST_TIMEOUT_MS\) to 780000, got 20000$/,
    );
    assert.deepEqual(runLimits({ raw: undefined }, { raw: undefined }), {
      requestTimeoutMs: 10_000,
      runTimeoutMs: 120_000,
    });
  });

  it('has one cadence, which divides an hour, for the schedule and its words', () => {
    assert.equal(runIntervalMinutes(undefined), 20);
    refused(() => runIntervalMinutes('7'), /RUN_INTERVAL_MINUTES must be .* that divides 60 .*got 7/);
    assert.equal(collectionCron(20), 'cron(0/20 * * * ? *)');
    assert.equal(collectionCron(60), 'cron(0 * * * ? *)');
    assert.equal(runMinutesText(20), ':00, :20 and :40');
    assert.equal(runMinutesText(60), ':00');
  });
});
