import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CollectResult } from '../../lambdas/core/collector.js';
import { buildEnvelope, type Envelope } from '../../lambdas/core/envelope.js';
import { EnvelopePublisher } from '../../lambdas/core/kafka/publisher.js';
import { topicMessageLimit } from '../../lambdas/core/kafka/topic-admin.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { publishCollected } from '../../lambdas/core/publish-run.js';
import { MemoryLog } from '../support/memory-log.js';
import { uniqueName } from './support/environment.js';
import { createTopic, testKafka } from './support/kafka.js';

/**
 * One envelope over the topic's message limit used to fail the whole produce request, so every
 * retry failed and the whole run went to the dead-letter queue. Now only its place fails.
 */
describe('an envelope over the topic message limit', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('seoul.oversized');
  const places = ALL_PLACES.slice(0, 4);
  const envelopes: Envelope[] = places.map((place, index) =>
    buildEnvelope({
      dataset: 'citydata_ppltn',
      runId: 'run-oversized',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      fetchedAt: new Date('2026-07-16T14:20:01Z'),
      place,
      payload: { AREA_CD: place.code, PADDING: index === 2 ? 'x'.repeat(1_200_000) : '' },
    }),
  );
  const offsets = async () =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

  before(async () => {
    await createTopic(kafka, topic, 1);
    await admin.connect();
  });
  after(() => admin.disconnect());

  it('reads the limit from the topic', async () => {
    const limit = await topicMessageLimit(admin, topic);
    assert.ok(limit !== undefined && limit >= 1_000_000 && limit < 1_200_000, `limit ${limit}`);
  });

  it('is refused before sending; the other envelopes are published', async () => {
    const limit = await topicMessageLimit(admin, topic);
    const publisher = new EnvelopePublisher({
      kafka,
      topic,
      log: new MemoryLog(),
      target: 'test broker',
      ...(limit ? { maxMessageBytes: limit } : {}),
    });
    const before = await offsets();
    const result = await publisher.publish(envelopes);
    await publisher.close();
    assert.equal(result.published, 3);
    assert.deepEqual(
      result.refused.map((r) => r.code),
      [places[2]?.code],
    );
    assert.match(result.refused[0]?.reason ?? '', /over the topic's message limit/);
    assert.equal((await offsets()) - before, 3);
  });

  it('when the broker refuses it (a limit the publisher did not know), only that place fails', async () => {
    const publisher = new EnvelopePublisher({
      kafka,
      topic,
      log: new MemoryLog(),
      target: 'test broker',
      maxMessageBytes: 10_000_000,
      maxRequestBytes: 10_000_000,
    });
    const collect: CollectResult = {
      runId: 'run-oversized',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      envelopes,
      outcomes: places.map((p) => ({ code: p.code, status: 'ok', attempts: 1, durationMs: 1 })),
      durationMs: 1,
    };
    const before = await offsets();
    const { collect: after, count } = await publishCollected(collect, (e) => publisher.publish(e));
    await publisher.close();
    assert.equal(count, 3);
    assert.equal((await offsets()) - before, 3);
    assert.deepEqual(
      after.outcomes.map((o) => o.status),
      ['ok', 'ok', 'failed', 'ok'],
    );
    assert.match(
      after.outcomes[2]?.reason ?? '',
      /^not published: the broker refused the record: .*larger than the max message size/,
    );
  });
});
