import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildEnvelope } from '../../lambdas/core/envelope.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';
import { EnvelopePublisher } from '../../lambdas/core/kafka/publisher.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import {
  onTopicEvent,
  type TopicResourceEvent,
  type TopicResourceResponse,
} from '../../lambdas/topic/topic-resource.js';
import { recordAs } from '../access/recorder.js';
import { MemoryLog } from '../support/memory-log.js';
import { uniqueName } from './support/environment.js';
import { testKafka } from './support/kafka.js';

/** The topic custom resource against a real broker: idempotent create/update, retained or deleted on delete. */
describe('topic custom resource', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const log = new MemoryLog();
  const deps = { log, connect: async () => kafka };
  /** The custom resource's core as the topic function runs it: its Kafka requests are recorded. */
  const onEvent = (event: TopicResourceEvent): Promise<TopicResourceResponse> =>
    recordAs(
      { as: 'function', handler: 'topic', kafkaCluster: 'resource:ClusterArn' },
      () => onTopicEvent(event, deps),
      {
        'resource:Topic': event.ResourceProperties.Topic,
        'resource:ClusterArn': event.ResourceProperties.ClusterArn,
      },
    );
  const topic = uniqueName('seoul.citydata_ppltn');
  const properties = {
    ClusterArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul/abc-s2',
    Topic: topic,
    NumPartitions: '2',
  };
  const partitions = async () =>
    (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length;

  before(() => admin.connect());
  after(() => admin.disconnect());

  it('creates the topic once; creating it again changes nothing', async () => {
    const first = await onEvent({ RequestType: 'Create', ResourceProperties: properties });
    const second = await onEvent({ RequestType: 'Create', ResourceProperties: properties });
    assert.deepEqual(first, {
      PhysicalResourceId: `${topic}@${properties.ClusterArn}`,
      Data: { TopicName: topic, Partitions: '2', Created: 'true' },
    });
    assert.deepEqual(second, { ...first, Data: { ...first.Data, Created: 'false' } });
    assert.equal(await partitions(), 2);
  });

  it('grows partitions on update, never shrinks them, and keeps the physical id', async () => {
    const update = (NumPartitions: string): TopicResourceEvent => ({
      RequestType: 'Update',
      PhysicalResourceId: `${topic}@${properties.ClusterArn}`,
      ResourceProperties: { ...properties, NumPartitions },
      OldResourceProperties: properties,
    });
    const grown = await onEvent(update('4'));
    assert.equal(grown.PhysicalResourceId, `${topic}@${properties.ClusterArn}`);
    assert.equal(grown.Data?.Partitions, '4');
    assert.equal(await partitions(), 4);
    const again = await onEvent(update('1'));
    assert.equal(again.Data?.Partitions, '4');
    assert.ok(
      log.lines.some((line) => line.level === 'warn' && /cannot remove partitions/.test(line.message)),
    );
  });

  it('keeps the topic and its data on delete unless RetainOnDelete is "false"', async () => {
    const remove = (RetainOnDelete?: string): TopicResourceEvent => ({
      RequestType: 'Delete',
      PhysicalResourceId: `${topic}@${properties.ClusterArn}`,
      ResourceProperties: { ...properties, ...(RetainOnDelete ? { RetainOnDelete } : {}) },
    });
    await onEvent(remove());
    await onEvent(remove('true'));
    assert.ok((await admin.listTopics()).includes(topic));
    const deleted = await onEvent(remove('false'));
    assert.equal(deleted.Data?.Deleted, 'true');
    assert.ok(!(await admin.listTopics()).includes(topic));
    assert.equal(
      (await onEvent(remove('false'))).Data?.Deleted,
      'false',
      'deleting a missing topic succeeds',
    );
  });

  it('relies on no auto-creation: publishing to a topic that was never created fails clearly', async () => {
    const missing = uniqueName('never-created');
    const publisher = new EnvelopePublisher({
      kafka: testKafka('missing-topic'),
      topic: missing,
      log,
      target: 'test broker',
    });
    const place = findPlace('POI001') as Place;
    const envelope = buildEnvelope({
      dataset: 'citydata_ppltn',
      runId: 'r',
      collectedAt: new Date(),
      fetchedAt: new Date(),
      place,
      payload: { AREA_CD: 'POI001' },
    });
    await assert.rejects(publisher.publish([envelope]), (error: unknown) => {
      assert.ok(error instanceof KafkaError);
      assert.match(
        error.message,
        new RegExp(`cannot publish 1 envelope\\(s\\) to topic "${missing}".*the topic does not exist`),
      );
      return true;
    });
    assert.ok(!(await admin.listTopics()).includes(missing));
  });
});
