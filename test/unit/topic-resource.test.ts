import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lambdas/core/errors.js';
import { onTopicEvent, physicalIdOf, type TopicResourceDeps } from '../../lambdas/topic/topic-resource.js';
import { MemoryLog } from '../support/memory-log.js';

const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:ap-northeast-2:123456789012:function:provider',
  ClusterArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul/abc-s2',
  Topic: 'seoul.citydata_ppltn',
  NumPartitions: '3',
};

/** Deps whose Kafka connection must not be used: a retained delete or a bad property needs none. */
const offline = (): TopicResourceDeps & { connects: number } => {
  const deps = {
    connects: 0,
    log: new MemoryLog(),
    connect: async () => {
      deps.connects++;
      throw new Error('must not connect');
    },
  };
  return deps;
};

describe('topic custom resource (no broker needed)', () => {
  it('keeps the topic on Delete by default and when RetainOnDelete is anything but "false"', async () => {
    for (const retain of [undefined, 'true', 'TRUE', 'yes']) {
      const deps = offline();
      const response = await onTopicEvent(
        {
          RequestType: 'Delete',
          PhysicalResourceId: physicalIdOf(PROPERTIES),
          ResourceProperties: { ...PROPERTIES, ...(retain === undefined ? {} : { RetainOnDelete: retain }) },
        },
        deps,
      );
      assert.deepEqual(response, {
        PhysicalResourceId:
          'seoul.citydata_ppltn@arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul/abc-s2',
      });
      assert.equal(deps.connects, 0);
    }
  });

  it('refuses bad properties before connecting, naming the value', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...PROPERTIES, Topic: 'bad topic!' }, /topic name must be .* got "bad topic!"/],
      [{ ...PROPERTIES, NumPartitions: 'three' }, /NumPartitions must be a whole number, got "three"/],
      [
        { ...PROPERTIES, NumPartitions: '0' },
        /number of partitions must be a whole number from 1 to 10000, got 0/,
      ],
      [{ ...PROPERTIES, NumPartitions: undefined }, /NumPartitions is required/],
      [{ ...PROPERTIES, ClusterArn: '' }, /ClusterArn is required/],
      [{ ...PROPERTIES, ReplicationFactor: '0' }, /replication factor must be a whole number of at least 1/],
    ];
    for (const [properties, message] of cases) {
      const deps = offline();
      await assert.rejects(
        onTopicEvent({ RequestType: 'Create', ResourceProperties: properties as never }, deps),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
      assert.equal(deps.connects, 0);
    }
  });
});
