import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { runCli } from '../support/cli.js';
import { writeLiveLake } from '../support/live-lake.js';
import {
  createBucket,
  createGlueTables,
  gluePartitions,
  listKeys,
  readParquetFromS3,
  s3,
} from './support/aws.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

/**
 * Replay and check against an S3 lake (moto) through the command line, exactly as a user runs
 * them against the bucket: AWS SDK default credentials, worker threads with their own clients,
 * Glue partitions registered again.
 */
describe('replay and check on an S3 lake (moto)', () => {
  integrationEnvironment();
  const bucket = uniqueName('replay');
  const prefix = 'lake/';
  const database = uniqueName('replay').replace(/-/g, '_');
  const slots = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
  const places = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
  const P1 = 'year=2026/month=07/day=16/hour=14/minute=20';
  const tables = async () => ({
    population: await readParquetFromS3(
      bucket,
      await listKeys(bucket, `${prefix}population/`),
      'SELECT * FROM data ORDER BY area_code, collected_at',
    ),
    population_forecast: await readParquetFromS3(
      bucket,
      await listKeys(bucket, `${prefix}population_forecast/`),
      'SELECT * FROM data ORDER BY area_code, collected_at, forecast_time',
    ),
  });
  let live: Awaited<ReturnType<typeof tables>>;

  before(async () => {
    await createBucket(bucket);
    await createGlueTables(database, bucket, prefix);
    await writeLiveLake(new S3ObjectStore(s3, bucket, prefix), slots, places);
    live = await tables();
  });
  after(async () => {
    for (const key of await listKeys(bucket, ''))
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('rebuilds deleted tables from raw/ with the rows the live path wrote, and registers their partitions', async () => {
    assert.equal(live.population.length, 9);
    assert.equal(live.population_forecast.length, 108);
    for (const table of ['population/', 'population_forecast/'])
      for (const key of await listKeys(bucket, `${prefix}${table}`))
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const run = await runCli(
      ['replay', '--bucket', bucket, '--prefix', prefix, '--glue-database', database, '--workers', '2'],
      {},
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /replayed 3 of 3 partition\(s\)/);
    assert.match(run.stdout, /glue: 6 partition\(s\) registered/);
    assert.match(
      run.stderr,
      /DELETE FROM load_log WHERE partition_path >= 'year=2026\/month=07\/day=16\/hour=14\/minute=00' in Redshift, then invoke the loader with \{"since": "2026-07-16T05:00:00.000Z"\}/,
    );
    assert.deepEqual(await tables(), live);
    for (const table of ['population', 'population_forecast']) {
      const partitions = await gluePartitions(database, table);
      assert.deepEqual(partitions.map((p) => p.values.join('/')).sort(), [
        '2026/07/16/14/00',
        '2026/07/16/14/20',
        '2026/07/16/14/40',
      ]);
      assert.ok(
        partitions.every((p) => p.location.startsWith(`s3://${bucket}/${prefix}${table}/year=2026/`)),
      );
    }
  });

  it('a second replay changes nothing', async () => {
    const before = await listKeys(bucket, '');
    const run = await runCli(['replay', '--bucket', bucket, '--prefix', prefix], {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /files: wrote 0, 6 unchanged, removed 0, kept 0/);
    assert.deepEqual(await listKeys(bucket, ''), before);
  });

  it('check passes, names a planted duplicate, and --fix removes it', async () => {
    const healthy = await runCli(['check', '--bucket', bucket, '--prefix', prefix], {});
    assert.equal(healthy.status, 0, healthy.stdout + healthy.stderr);
    const [original] = await listKeys(bucket, `${prefix}population/${P1}/`);
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        CopySource: `${bucket}/${original}`,
        Key: `${prefix}population/${P1}/planted.parquet`,
      }),
    );
    const broken = await runCli(['check', '--bucket', bucket, '--prefix', prefix], {});
    assert.equal(broken.status, 1);
    assert.match(
      broken.stdout,
      new RegExp(`population ${P1}: POI001 collected at 2026-07-16 14:20 KST held 2 times, in `),
    );
    const fixed = await runCli(['check', '--bucket', bucket, '--prefix', prefix, '--fix'], {});
    assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
    assert.deepEqual(await listKeys(bucket, `${prefix}population/${P1}/planted.parquet`), []);
    assert.deepEqual(await tables(), live);
  });

  it('never lists, reads or copies a key with empty, "." or ".." parts: check and replay name each, nothing lands outside', async () => {
    const [raw] = await listKeys(bucket, `${prefix}raw/${P1}/`);
    const planted = [
      `${prefix}raw/../../escape.jsonl.gz`,
      `${prefix}raw/./dot.jsonl.gz`,
      `${prefix}raw//empty.jsonl.gz`,
    ];
    for (const key of planted)
      await s3.send(new CopyObjectCommand({ Bucket: bucket, CopySource: `${bucket}/${raw}`, Key: key }));
    // A console's folder object: skipped, not a finding.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}population/`, Body: '' }));
    assert.deepEqual(
      (await listKeys(bucket, `${prefix}raw/`)).filter((key) => !key.includes('year=')).sort(),
      [...planted].sort(),
      'moto keeps the keys as written',
    );
    const scratch = mkdtempSync(join(tmpdir(), 's3-check-tmp-'));
    const check = await runCli(['check', '--bucket', bucket, '--prefix', prefix], { TMPDIR: scratch });
    assert.equal(check.status, 1, check.stdout + check.stderr);
    for (const key of planted)
      assert.match(
        check.stdout,
        new RegExp(
          `^  ${key.slice(prefix.length).replace(/[.]/g, '\\.')}: a key the lake never reads \\(`,
          'm',
        ),
      );
    assert.match(check.stdout, /: 3 problem\(s\) in 1 check\(s\)/);
    // The temporary copy of the lake is gone, and nothing was written beside or above it (tsx
    // keeps its own cache there).
    assert.deepEqual(
      readdirSync(scratch, { recursive: true }).filter((entry) =>
        /lake-check|\.jsonl\.gz$/.test(String(entry)),
      ),
      [],
    );
    const replayed = await runCli(['replay', '--bucket', bucket, '--prefix', prefix], { TMPDIR: scratch });
    assert.equal(replayed.status, 1, replayed.stdout + replayed.stderr);
    for (const key of planted)
      assert.match(
        replayed.stdout,
        new RegExp(`^  not replayed: ${key.slice(prefix.length).replace(/[.]/g, '\\.')}: `, 'm'),
      );
    assert.match(replayed.stdout, /files: wrote 0, 6 unchanged, removed 0, kept 0/);
  });
});
