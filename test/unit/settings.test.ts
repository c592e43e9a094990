import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lambdas/core/errors.js';
import {
  collectionCron,
  environmentOf,
  readSetting,
  requiredSetting,
  runIntervalMinutes,
  runLimits,
  runMinutesText,
  SETTINGS,
  type Setting,
  wiring,
} from '../../lambdas/core/settings.js';
import { DEFAULT_CONFIG } from '../../lib/config.js';
import { configurationDoc } from '../../lib/docs/configuration-doc.js';

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

describe('one vocabulary for every environment variable', () => {
  const ROOT = join(import.meta.dirname, '..', '..');
  const sources = ['lambdas', 'lib', 'bin'].flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
      .filter((file) => file !== join('lambdas', 'core', 'settings.ts')),
  );
  const code = (file: string) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
      .filter(({ line }) => !/^\s*(\/\/|\/?\*)/.test(line)); // comments may name a variable

  it('no code reads a variable by its name: every read goes through its row (settingFromEnv)', () => {
    const reads = sources.flatMap((file) =>
      code(file)
        .filter(({ line }) => /\benv\.[A-Z][A-Z0-9_]+|\benv\[['"`]/.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    assert.deepEqual(reads, []);
  });

  it("no code writes a variable's name as a bare string or key: names live in the table, the CDK app uses environmentOf", () => {
    const names = [...new Set(ALL.map((setting) => setting.env))].join('|');
    const bare = new RegExp(`(['"\`])(${names})\\1|\\b(${names})\\s*:`);
    const found = sources.flatMap((file) =>
      code(file)
        .filter(({ line }) => bare.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    assert.deepEqual(found, []);
  });

  it('a new wiring variable is one edit: its row, and the reader, the CDK environment and the docs follow', () => {
    // The one edit: a row in the table (here a copy of the table with the row added).
    const table = {
      ...SETTINGS,
      archiveBucket: wiring({
        env: 'ARCHIVE_BUCKET',
        pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        allowed: 'an S3 bucket name',
        meaning: 'the bucket old raw files move to',
      }),
    };
    assert.deepEqual(environmentOf({ archiveBucket: 'seoul-archive', lakeBucket: 'seoul-lake' }, table), {
      ARCHIVE_BUCKET: 'seoul-archive',
      LAKE_BUCKET: 'seoul-lake',
    });
    assert.equal(
      requiredSetting(table.archiveBucket, { ARCHIVE_BUCKET: ' seoul-archive ' }),
      'seoul-archive',
    );
    refused(
      () => requiredSetting(table.archiveBucket, {}),
      /^ARCHIVE_BUCKET is not set: the bucket old raw files move to$/,
    );
    refused(
      () => requiredSetting(table.archiveBucket, { ARCHIVE_BUCKET: 'Not_A_Bucket' }),
      /^ARCHIVE_BUCKET must be an S3 bucket name, got "Not_A_Bucket"$/,
    );
    const doc = configurationDoc(table);
    assert.match(
      doc,
      /^\| `ARCHIVE_BUCKET` \| set by the CDK app \| an S3 bucket name \| the bucket old raw files move to \|$/m,
    );
    assert.doesNotMatch(configurationDoc(), /ARCHIVE_BUCKET/);
  });

  it('environmentOf names each value by its row: lists comma-separated, numbers written out', () => {
    const names = new Set(ALL.map((setting) => setting.env));
    const set = Object.keys(
      environmentOf({ lakeBucket: 'b', runIntervalMinutes: 15, places: ['POI001', 'POI072'] }),
    );
    assert.deepEqual(set.sort(), ['LAKE_BUCKET', 'PLACES', 'RUN_INTERVAL_MINUTES']);
    assert.ok(set.every((name) => names.has(name)));
    assert.deepEqual(environmentOf({ places: ['POI001', 'POI072'] }), { PLACES: 'POI001,POI072' });
  });
});
