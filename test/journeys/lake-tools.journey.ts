import assert from 'node:assert/strict';
import { readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { readAnswers } from './support/answers.js';
import type { Journey } from './support/journey.js';
import { startMoto } from './support/services.js';

/**
 * replay and check on the demo lake, as local-use.md shows them. Oracles: the archived answers
 * and their partition folders; the rebuilt Parquet read with DuckDB, the project's independent
 * reader; and a lake broken by hand for check.
 */

/** Partition folders of raw/ as `YYYY-MM-DD HH:MM` KST. */
function rawPartitions(lake: string): string[] {
  const found = new Set<string>();
  for (const entry of readdirSync(join(lake, 'raw'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = /year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/minute=(\d{2})/.exec(
      relative(lake, entry.parentPath),
    );
    if (p) found.add(`${p[1]}-${p[2]}-${p[3]} ${p[4]}:${p[5]}`);
  }
  return [...found].sort();
}

async function populationKeys(lake: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT run_id || '|' || area_code AS k FROM read_parquet('${join(lake, 'population')}/**/*.parquet') ORDER BY 1`,
    );
    return reader.getRowsJson().map(([k]) => String(k));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function firstParquet(folder: string): string {
  const file = readdirSync(folder, { recursive: true, withFileTypes: true }).find(
    (entry) => entry.isFile() && entry.name.endsWith('.parquet'),
  );
  assert.ok(file, `a Parquet file under ${folder}`);
  return join(file.parentPath, file.name);
}

export const journeys: Journey[] = [
  {
    name: 'replay rebuilds the demo lake’s tables from raw/: every answer a row again',
    covers: [/^npm run replay -- --lake demo-lake$/],
    async run({ commands, run, freshSandbox }) {
      const sandbox = await freshSandbox({ withDemoLake: true });
      const lake = sandbox.path('demo-lake');
      const answers = readAnswers(lake);
      const partitions = rawPartitions(lake);
      for (const command of commands) {
        const result = await run(command, { in: sandbox, terminal: true, timeoutMs: 600_000 });
        assert.equal(result.status, 0, result.screen);
        assert.match(
          result.screen,
          new RegExp(`replayed ${partitions.length} of ${partitions.length} partition\\(s\\)`),
        );
        assert.match(
          result.screen,
          new RegExp(`envelopes: ${answers.length} → ${answers.length} population rows`),
        );
        assert.deepEqual(await populationKeys(lake), answers.map((a) => `${a.runId}|${a.placeCode}`).sort());
      }
    },
  },
  {
    name: 'a dry run of replay over a time range says what it would replay, and changes nothing',
    covers: [
      /^npm run replay -- (--lake demo-lake )?--since "2026-07-16 14:00" --until 2026-07-17 --dry-run$/,
    ],
    async run({ commands, run, demoLake }) {
      const { lake } = await demoLake();
      const inRange = rawPartitions(lake).filter((p) => p >= '2026-07-16 14:00' && p < '2026-07-18 00:00');
      const before = await populationKeys(lake);
      for (const command of commands) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        if (inRange.length === 0) assert.match(result.screen, /nothing to replay/);
        else
          assert.match(
            result.screen,
            new RegExp(`replayed ${inRange.length} of ${inRange.length} partition`),
          );
      }
      assert.deepEqual(await populationKeys(lake), before);
    },
  },
  {
    name: 'check says a healthy demo lake is healthy (exit 0), a broken one is not (exit 1), a bad option is exit 2',
    covers: [/^npm run check -- --lake demo-lake$/],
    async run({ commands, run, freshSandbox }) {
      const sandbox = await freshSandbox({ withDemoLake: true });
      for (const command of commands) {
        const healthy = await run(command, { in: sandbox, terminal: true });
        assert.equal(healthy.status, 0, healthy.screen);
        assert.match(healthy.screen, new RegExp(`^${sandbox.path('demo-lake')}: healthy \\(`, 'm'));

        // The comment's promise, tried: a Parquet file cut short is a problem, named.
        const broken = firstParquet(sandbox.path('demo-lake', 'population'));
        truncateSync(broken, 100);
        const sick = await run(command, { in: sandbox, terminal: true });
        assert.equal(sick.status, 1, sick.screen);
        assert.ok(sick.screen.includes(relative(sandbox.path('demo-lake'), broken)), sick.screen);

        const bad = await sandbox.run(`${command.text} --no-such-option`, { terminal: true });
        assert.equal(bad.status, 2, bad.screen);
      }
    },
  },
];

journeys.push({
  name: 'check an S3 lake (moto) with --fix: a healthy lake stays healthy, nothing is changed',
  covers: [/^npm run check -- --bucket NAME --prefix lake\/ --fix$/],
  async run({ commands, run, freshSandbox }) {
    // A lake of one run (the demo's), put into a bucket under lake/ as the writer lays it out.
    const sandbox = await freshSandbox();
    const once = await sandbox.run('npm run -s demo -- --once');
    assert.equal(once.status, 0, once.screen);
    const moto = await startMoto();
    try {
      const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
      const s3 = new S3Client({
        endpoint: moto.address,
        region: 'ap-northeast-2',
        credentials,
        forcePathStyle: true,
      });
      const bucket = 'journey-lake';
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
        }),
      );
      const lake = sandbox.path('demo-lake');
      const keys: string[] = [];
      for (const entry of readdirSync(lake, { recursive: true, withFileTypes: true })) {
        const key = relative(lake, join(entry.parentPath, entry.name));
        if (
          !entry.isFile() ||
          !/^(population|population_forecast|raw|rejected|collection_outcomes)\//.test(key)
        )
          continue;
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: `lake/${key}`, Body: readFileSync(join(lake, key)) }),
        );
        keys.push(`lake/${key}`);
      }
      const env = {
        AWS_ENDPOINT_URL: moto.address,
        AWS_REGION: 'ap-northeast-2',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      for (const command of commands) {
        const result = await run(command, { in: sandbox, terminal: true, env, replace: { NAME: bucket } });
        assert.equal(result.status, 0, result.screen);
        assert.match(result.screen, /healthy/);
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'lake/' }));
        assert.deepEqual(
          (listed.Contents ?? []).map((o) => o.Key).sort(),
          keys.sort(),
          'a healthy lake is left as it was',
        );
      }
    } finally {
      moto.stop();
    }
  },
});
