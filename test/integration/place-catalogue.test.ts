import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { placesCommand } from '../../lambdas/cli/commands/places.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { ALL_PLACES, type Place } from '../../lambdas/core/places.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';
import { lambdaContext } from '../support/lambda-context.js';
import { createBucket, createSecret, getObject, listKeys, readParquetFromS3 } from './support/aws.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';
import { createTopic, testKafka } from './support/kafka.js';

/**
 * The place catalogue on AWS: the fetcher handler, as Lambda runs it, reads `catalogue/places.json`
 * from the lake bucket (moto S3) at every run. The operator imports the city's new list with
 * `npm run places -- --import FILE --bucket NAME` between two scheduled runs of one warm container:
 * the next run collects the added place and no longer asks for the retired one, with no deployment.
 */
describe('place catalogue in the lake bucket: a change reaches the next run', () => {
  const { brokers } = integrationEnvironment();
  const KEY = 'catalogue-integration-key';
  const ADDED: Place = { code: 'POI132', name: '새 공원', englishName: 'New Park', category: '공원' };
  const RETIRED = 'POI005';
  // The simulated city publishes the new place too, as the real one would once it lists it.
  const simulator = new ApiSimulator({
    validKeys: [KEY],
    now: () => new Date('2026-07-16T14:55:00Z'),
    places: [...ALL_PLACES, ADDED],
  });
  const bucket = uniqueName('lake');
  const topic = uniqueName('seoul.citydata_ppltn');
  let fetcher: (event: unknown) => Promise<RunSummary>;
  const event = (time: string) => ({
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time,
    detail: {},
  });
  const askedIn = async (time: string) => {
    const [key] = (await listKeys(bucket, `collection_outcomes/`)).filter((k) =>
      k.includes(`minute=${time.slice(14, 16)}/`),
    );
    assert.ok(key, `an outcomes file for ${time}`);
    const rows = await readParquetFromS3(
      bucket,
      [key],
      'SELECT area_code, status FROM data ORDER BY area_code',
    );
    return new Map(rows.map((row) => [String(row.area_code), String(row.status)]));
  };

  before(async () => {
    const baseUrl = await simulator.start();
    await createBucket(bucket);
    const kafka = testKafka();
    await createTopic(kafka, topic, 3);
    Object.assign(process.env, {
      SEOUL_API_KEY_SECRET_ARN: await createSecret(uniqueName('seoul-api-key'), KEY),
      SEOUL_API_BASE_URL: baseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: topic,
      LAKE_BUCKET: bucket,
      CONCURRENCY: '16',
      LOG_LEVEL: 'WARN',
    });
    const handler = (await import('../../lambdas/fetcher/handler.js')).handler;
    fetcher = (e) => handler(e, lambdaContext('fetcher'));
  });
  after(() => simulator.stop());

  it('collects the built-in places, then the imported list from the very next run', async () => {
    const first = await fetcher(event('2026-07-16T14:20:00Z'));
    assert.equal(first.places.asked, 121);
    const before = await askedIn('2026-07-16T14:20:00Z');
    assert.equal(before.size, 121);
    assert.ok(before.has(RETIRED) && !before.has(ADDED.code));

    // The operator's import: the portal's list with one place added and one gone.
    const folder = await mkdtemp(join(tmpdir(), 'catalogue-it-'));
    const list = join(folder, 'places.csv');
    const lines = [
      'category,no,area_cd,area_nm,eng_nm',
      ...ALL_PLACES.filter((p) => p.code !== RETIRED).map(
        (p, i) => `${p.category},${i + 1},${p.code},${p.name},"${p.englishName}"`,
      ),
      `${ADDED.category},121,${ADDED.code},${ADDED.name},${ADDED.englishName}`,
    ];
    await writeFile(list, `${lines.join('\n')}\n`);
    const out: string[] = [];
    const status = await placesCommand(
      ['--import', list, '--bucket', bucket],
      {},
      {
        out: (text) => out.push(text),
        err: (text) => out.push(text),
        signal: new AbortController().signal,
      },
    );
    assert.equal(status, 0, out.join('\n'));
    assert.match(out.join('\n'), /1 added, 1 retired, 0 returned, 0 changed, 120 unchanged/);
    const stored = JSON.parse((await getObject(bucket, 'catalogue/places.json')).toString('utf8'));
    assert.equal(stored.places.length, 122);

    // The next scheduled run of the same warm container: no deployment, no restart.
    const next = await fetcher(event('2026-07-16T14:40:00Z'));
    assert.equal(next.places.asked, 121);
    assert.equal(next.places.ok, 121);
    const after = await askedIn('2026-07-16T14:40:00Z');
    assert.equal(after.get(ADDED.code), 'ok');
    assert.equal(after.has(RETIRED), false);
  });
});
