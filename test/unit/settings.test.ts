import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

const CONFIGURATION = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');

/** The configuration tables' rows (lines starting with `|`) that name a setting in backticks. */
function docRows(name: string): string[] {
  return CONFIGURATION.split('\n').filter((line) => line.startsWith('|') && line.includes(`\`${name}`));
}

function shownDefault(setting: Setting<unknown>): string {
  return setting.shownDefault ?? String(setting.default);
}

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof ConfigError && message.test(error.message));

type AnySetting = Setting<unknown> & { min?: number; max?: number; choices?: readonly string[] };
const ALL = Object.values(SETTINGS) as AnySetting[];

describe('the settings table', () => {
  // Read only by the functions on AWS: checked apart below.
  const onAws: AnySetting[] = [SETTINGS.functionLogLevel, SETTINGS.apiKeyMaxAgeSeconds];
  const local = ALL.filter((setting) => !onAws.includes(setting));

  it("is what docs/configuration.md says for the fetcher's own setting", () => {
    const row = docRows(SETTINGS.apiKeyMaxAgeSeconds.env)[0];
    const { default: fallback, min, max } = SETTINGS.apiKeyMaxAgeSeconds;
    assert.ok(row?.includes(`| ${fallback} |`) && row.includes(`${min}–${max}`), row);
  });

  it('is what the docs/configuration.md table says, for every local setting', () => {
    for (const setting of local) {
      const rows = docRows(setting.option ?? setting.env);
      assert.ok(rows.length > 0, `docs/configuration.md has no row for ${setting.env}`);
      const row = rows[0] as string;
      assert.ok(
        row.includes(shownDefault(setting)),
        `${setting.env}: default ${shownDefault(setting)} in ${row}`,
      );
      if (setting.max !== undefined)
        assert.ok(row.includes(`–${setting.max}`), `${setting.env}: maximum in ${row}`);
      if (setting.min !== undefined && setting !== SETTINGS.runTimeoutMs)
        assert.ok(row.includes(`${setting.min}–`), `${setting.env}: minimum in ${row}`);
      for (const choice of setting.choices ?? [])
        assert.ok(row.includes(`\`${choice}\``), `${setting.env}: ${choice}`);
    }
  });

  it('is what the docs/configuration.md CDK table says, and what the CDK configuration defaults to', () => {
    for (const setting of ALL) {
      if (!setting.context) continue;
      const row = docRows(setting.context)[0];
      assert.ok(row, `docs/configuration.md has no row for cdk.json context "${setting.context}"`);
      assert.ok(row.includes(`\`${shownDefault(setting)}\``), `${setting.context}: default in ${row}`);
      if ('max' in setting)
        assert.ok(row.includes(String(setting.max)), `${setting.context}: maximum in ${row}`);
      const configKey = setting.context === 'topicName' ? 'topicName' : setting.context;
      assert.deepEqual(
        DEFAULT_CONFIG[configKey as keyof typeof DEFAULT_CONFIG],
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
