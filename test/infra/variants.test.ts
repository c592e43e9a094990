import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesize } from './support/synth.js';
import { type CfnResource, resourceById, resourcesOfType } from './support/template-queries.js';

// Every optional or non-default setting at once: each assertion below checks that one setting
// reaches the template (the defaults are covered by stacks.test.ts).
const { data, pipeline, stacks } = synthesize({
  context: {
    stackPrefix: 'SeoulTest',
    region: 'eu-west-1',
    natGateways: '3',
    dataRemovalPolicy: 'destroy',
    alarmEmail: 'ops@example.com',
    places: 'POI001,POI072',
    apiBaseUrl: 'https://proxy.example.com/seoul/',
    topicName: 'seoul.test',
    topicPartitions: 6,
    concurrency: 4,
    writerBatchSize: 100,
    writerBatchWindowSeconds: 0,
    redshiftBaseCapacity: 32,
    redshiftUsageLimitRpuHours: 0,
    runIntervalMinutes: 60,
    loaderSchedule: 'cron(30 */6 * * ? *)',
    failedPlacesAlarmShare: 0.5,
    logLevel: 'debug',
  },
});

const env = (fn: CfnResource) =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('configuration reaches the templates', () => {
  it('names the stacks from stackPrefix and deploys to the configured region and its AZs', () => {
    assert.equal(stacks.data.stackName, 'SeoulTest-Data');
    assert.equal(stacks.pipeline.stackName, 'SeoulTest-Pipeline');
    assert.equal(stacks.data.region, 'eu-west-1');
    const zones = resourcesOfType(data, 'AWS::EC2::Subnet').map(([, s]) => s.Properties.AvailabilityZone);
    assert.deepEqual([...new Set(zones)].sort(), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('natGateways: one NAT gateway per AZ when asked', () => {
    data.resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  it('dataRemovalPolicy destroy: nothing retained, no termination protection, buckets emptied, topic deleted', () => {
    assert.equal(stacks.data.terminationProtection, false);
    for (const [type, prefix] of [
      ['AWS::S3::Bucket', 'LakeBucket'],
      ['AWS::MSK::ServerlessCluster', 'StreamCluster'],
      ['AWS::RedshiftServerless::Namespace', 'WarehouseNamespace'],
      ['AWS::SecretsManager::Secret', 'ApiKeySecret'],
      ['AWS::Glue::Database', 'CatalogDatabase'],
    ] as const) {
      assert.equal(resourceById(data, type, prefix)[1].DeletionPolicy, 'Delete', prefix);
    }
    assert.equal(resourcesOfType(data, 'Custom::S3AutoDeleteObjects').length, 2);
    assert.equal(
      resourceById(data, 'Custom::KafkaTopic', 'StreamTopic')[1].Properties.RetainOnDelete,
      'false',
    );
  });

  it('alarmEmail: subscribes the address to the alarm topic', () => {
    const [topicId] = resourceById(pipeline, 'AWS::SNS::Topic', 'ObservabilityAlarmTopic');
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  it('places, apiBaseUrl, topic and concurrency: reach the fetcher; its egress follows the API port', () => {
    const [, fetcher] = resourceById(pipeline, 'AWS::Lambda::Function', 'IngestFetcher');
    const vars = env(fetcher);
    assert.equal(vars.PLACES, 'POI001,POI072');
    assert.equal(vars.SEOUL_API_BASE_URL, 'https://proxy.example.com/seoul');
    assert.equal(vars.KAFKA_TOPIC, 'seoul.test');
    assert.equal(vars.CONCURRENCY, '4');
    assert.equal(vars.LOG_LEVEL, 'debug');
    const [, sg] = resourceById(pipeline, 'AWS::EC2::SecurityGroup', 'IngestApiEgress');
    assert.deepEqual(
      (sg.Properties.SecurityGroupEgress as Record<string, unknown>[]).map((r) => [r.FromPort, r.ToPort]),
      [[443, 443]],
    );
  });

  it('topicPartitions: the topic custom resource asks for them', () => {
    const [, topic] = resourceById(data, 'Custom::KafkaTopic', 'StreamTopic');
    assert.equal(topic.Properties.NumPartitions, '6');
    assert.equal(topic.Properties.Topic, 'seoul.test');
  });

  it('writer batch size, and a window of 0 meaning no batching window', () => {
    const [[, mapping]] = resourcesOfType(pipeline, 'AWS::Lambda::EventSourceMapping') as [
      [string, CfnResource],
    ];
    assert.equal(mapping.Properties.BatchSize, 100);
    assert.equal(mapping.Properties.MaximumBatchingWindowInSeconds, undefined);
    assert.deepEqual(mapping.Properties.Topics, ['seoul.test']);
  });

  it('Redshift base capacity, and a usage limit of 0 meaning none', () => {
    const [, workgroup] = resourceById(pipeline, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup');
    assert.equal(workgroup.Properties.BaseCapacity, 32);
    pipeline.resourceCountIs('Custom::RedshiftServerlessUsageLimit', 0);
    assert.deepEqual(
      resourcesOfType(pipeline, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('UsageLimit')),
      [],
      'no usage limit, no alarm before it',
    );
  });

  it('schedules and the missed-run window follow the configuration (the cadence is one setting)', () => {
    assert.equal(
      resourceById(pipeline, 'AWS::Events::Rule', 'IngestSchedule')[1].Properties.ScheduleExpression,
      'cron(0 * * * ? *)',
    );
    assert.equal(
      resourceById(pipeline, 'AWS::Events::Rule', 'WarehouseLoaderSchedule')[1].Properties.ScheduleExpression,
      'cron(30 */6 * * ? *)',
    );
    const [, missedRun] = resourceById(pipeline, 'AWS::CloudWatch::Alarm', 'ObservabilityMissedRunAlarm');
    const periods = (missedRun.Properties.Metrics as { MetricStat?: { Period: number } }[]).flatMap(
      (m) => m.MetricStat?.Period ?? [],
    );
    assert.deepEqual(periods, [3600, 3600]);
    const [, failed] = resourceById(pipeline, 'AWS::CloudWatch::Alarm', 'ObservabilityFailedPlacesAlarm');
    assert.equal(failed.Properties.Threshold, 0.5);
  });

  it('the dashboard URL points at the configured region', () => {
    const outputs = (pipeline.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    assert.match(
      JSON.stringify(outputs.DashboardUrl?.Value),
      /https:\/\/eu-west-1\.console\.aws\.amazon\.com/,
    );
  });
});
