import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  rowsWrittenMetric,
} from '../../lambdas/core/metric-names.js';
import { glueColumns, gluePartitionKeys } from '../../lambdas/core/schema.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { defaultSqlDir, loadSqlFiles, sqlFilesDigest } from '../../lambdas/core/warehouse/sql-files.js';
import { WRITER_CONSUMER_GROUP } from '../../lib/writer.js';
import { synthesize } from './support/synth.js';
import {
  type CfnResource,
  evaluate,
  functionStatements,
  normalizeStatements,
  resource,
  resourceById,
  resources,
  resourcesOfType,
  roleOfFunction,
  roleStatements,
  type Statement,
  TEST_ACCOUNT,
} from './support/template-queries.js';

// One synthesis (default configuration from cdk.json) for every assertion in this file.
const { data, pipeline, config, stacks } = synthesize();

const CLUSTER_NAME = 'SeoulPopulationDataStream-ABCDEF12';
const CLUSTER_UUID = '0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-s2';
const SAMPLES = {
  imports: {
    StreamCluster: `arn:aws:kafka:ap-northeast-2:${TEST_ACCOUNT}:cluster/${CLUSTER_NAME}/${CLUSTER_UUID}`,
    LakeBucket: 'arn:aws:s3:::lake-bucket',
    ApiKeySecret: `arn:aws:secretsmanager:ap-northeast-2:${TEST_ACCOUNT}:secret:ApiKey-abc`,
  },
  attributes: {
    StreamCluster: `arn:aws:kafka:ap-northeast-2:${TEST_ACCOUNT}:cluster/${CLUSTER_NAME}/${CLUSTER_UUID}`,
    'LakeBucketB1D32E10.Arn': 'arn:aws:s3:::lake-bucket',
    LakeBucketB1D32E10: 'lake-bucket',
    WarehouseWorkgroup: `arn:aws:redshift-serverless:ap-northeast-2:${TEST_ACCOUNT}:workgroup/wg-id`,
  },
};
const KAFKA = `arn:aws:kafka:ap-northeast-2:${TEST_ACCOUNT}`;
const CLUSTER_ARN = `${KAFKA}:cluster/${CLUSTER_NAME}/${CLUSTER_UUID}`;
const TOPIC_ARN = `${KAFKA}:topic/${CLUSTER_NAME}/${CLUSTER_UUID}/seoul.citydata_ppltn`;
const GROUP_ARN = `${KAFKA}:group/${CLUSTER_NAME}/${CLUSTER_UUID}/${WRITER_CONSUMER_GROUP}`;
const GLUE = `arn:aws:glue:ap-northeast-2:${TEST_ACCOUNT}`;

/** action → sorted evaluated resources, for exact comparison of what a role may do. */
function permissions(statements: Statement[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const statement of statements) {
    assert.equal(statement.Effect, 'Allow');
    for (const action of statement.Action) {
      out[action] ??= new Set();
      for (const resource of statement.Resource) out[action].add(evaluate(resource, SAMPLES));
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, set]) => [action, [...set].sort()]),
  );
}

const sorted = (values: string[]) => [...values].sort();

function propertiesOf(entry: [string, CfnResource]): Record<string, unknown> {
  return entry[1].Properties;
}

const privateSubnetIds = resourcesOfType(data, 'AWS::EC2::Subnet')
  .filter(([id]) => id.includes('private'))
  .map(([id]) => id)
  .sort();

describe('2. network', () => {
  it('has private and public subnets in exactly the three configured AZs', () => {
    const subnets = resourcesOfType(data, 'AWS::EC2::Subnet');
    const zonesOf = (kind: string) =>
      subnets
        .filter(([id]) => id.includes(kind))
        .map(([, s]) => s.Properties.AvailabilityZone)
        .sort();
    assert.deepEqual(zonesOf('private'), ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']);
    assert.deepEqual(zonesOf('public'), ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']);
    assert.equal(subnets.length, 6);
    for (const id of privateSubnetIds) {
      assert.equal(resource(data, id).Properties.MapPublicIpOnLaunch, false);
    }
  });

  it('has one NAT gateway by default, and a default route through it from every private subnet', () => {
    data.resourceCountIs('AWS::EC2::NatGateway', 1);
    const natRoutes = resourcesOfType(data, 'AWS::EC2::Route').filter(([, r]) => r.Properties.NatGatewayId);
    assert.equal(natRoutes.length, 3);
    for (const [, route] of natRoutes) assert.equal(route.Properties.DestinationCidrBlock, '0.0.0.0/0');
  });

  it('has an S3 gateway endpoint on the private route tables', () => {
    const [[, endpoint]] = resourcesOfType(data, 'AWS::EC2::VPCEndpoint') as [[string, CfnResource]];
    assert.equal(endpoint.Properties.VpcEndpointType, 'Gateway');
    assert.match(JSON.stringify(endpoint.Properties.ServiceName), /\.s3/);
    const tables = (endpoint.Properties.RouteTableIds as { Ref: string }[]).map((r) => r.Ref);
    assert.equal(tables.length, 3);
    assert.ok(tables.every((t) => t.includes('private')));
  });

  it('logs rejected traffic of the VPC', () => {
    data.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', ResourceType: 'VPC' });
  });

  it('opens 9098 on the cluster only to its clients and to itself, and nothing is open to the internet', () => {
    const [clusterSgId] = resourceById(data, 'AWS::EC2::SecurityGroup', 'StreamClusterSecurityGroup');
    const [clientSgId] = resourceById(data, 'AWS::EC2::SecurityGroup', 'StreamClientSecurityGroup');
    const ingress = resourcesOfType(data, 'AWS::EC2::SecurityGroupIngress').map(
      ([, r]) => r.Properties ?? {},
    );
    assert.equal(ingress.length, 2);
    for (const rule of ingress) {
      assert.deepEqual(rule.GroupId, { 'Fn::GetAtt': [clusterSgId, 'GroupId'] });
      assert.equal(rule.IpProtocol, 'tcp');
      assert.equal(rule.FromPort, 9098);
      assert.equal(rule.ToPort, 9098);
    }
    assert.deepEqual(
      ingress.map((r) => (r.SourceSecurityGroupId as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]).sort(),
      [clientSgId, clusterSgId].sort(),
    );
    for (const template of [data, pipeline]) {
      for (const [, sg] of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
        assert.equal(sg.Properties.SecurityGroupIngress, undefined, 'no inline ingress rule');
      }
    }
  });

  it('lets clients out only to 9098 on the cluster and HTTPS, and the fetcher only to the API port', () => {
    const egressOf = (template: typeof data, prefix: string) =>
      (resourceById(template, 'AWS::EC2::SecurityGroup', prefix)[1].Properties.SecurityGroupEgress ??
        []) as Record<string, unknown>[];
    assert.deepEqual(
      egressOf(data, 'StreamClientSecurityGroup').map((r) => [r.CidrIp, r.FromPort, r.ToPort]),
      [['0.0.0.0/0', 443, 443]],
    );
    assert.deepEqual(
      egressOf(data, 'StreamClusterSecurityGroup').map((r) => [r.CidrIp, r.FromPort, r.ToPort]),
      [['0.0.0.0/0', 443, 443]],
    );
    const [clusterSgId] = resourceById(data, 'AWS::EC2::SecurityGroup', 'StreamClusterSecurityGroup');
    const egress = resourcesOfType(data, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties ?? {});
    assert.equal(egress.length, 2);
    for (const rule of egress) {
      assert.deepEqual(rule.DestinationSecurityGroupId, { 'Fn::GetAtt': [clusterSgId, 'GroupId'] });
      assert.deepEqual([rule.FromPort, rule.ToPort], [9098, 9098]);
    }
    assert.deepEqual(
      egressOf(pipeline, 'IngestApiEgress').map((r) => [r.CidrIp, r.IpProtocol, r.FromPort, r.ToPort]),
      [['0.0.0.0/0', 'tcp', 8088, 8088]],
    );
    // CDK's placeholder for "no egress at all" (255.255.255.255/32, ICMP 252-86).
    assert.deepEqual(
      egressOf(pipeline, 'WarehouseSecurityGroup').map((r) => r.CidrIp),
      ['255.255.255.255/32'],
    );
  });

  it('gives synth three AZs without credentials: the stacks have a region and no account', () => {
    for (const stack of [stacks.data, stacks.pipeline]) {
      assert.equal(stack.region, 'ap-northeast-2');
      assert.ok(stack.account.startsWith('${Token'), 'account is left to deploy time');
    }
  });
});

describe('3. stream', () => {
  const cluster = resourceById(data, 'AWS::MSK::ServerlessCluster', 'StreamCluster');

  it('is an MSK Serverless cluster with IAM client authentication in the three private subnets', () => {
    const props = propertiesOf(cluster);
    assert.deepEqual(props.ClientAuthentication, { Sasl: { Iam: { Enabled: true } } });
    const [vpcConfig] = props.VpcConfigs as { SubnetIds: { Ref: string }[]; SecurityGroups: unknown[] }[];
    assert.deepEqual(vpcConfig?.SubnetIds.map((s) => s.Ref).sort(), privateSubnetIds);
    const [clusterSgId] = resourceById(data, 'AWS::EC2::SecurityGroup', 'StreamClusterSecurityGroup');
    assert.deepEqual(vpcConfig?.SecurityGroups, [{ 'Fn::GetAtt': [clusterSgId, 'GroupId'] }]);
    assert.match(String(props.ClusterName), /^[A-Za-z][A-Za-z0-9-]{0,63}$/);
  });

  it('creates the topic with the topic handler through the provider framework', () => {
    const [, topic] = resourceById(data, 'Custom::KafkaTopic', 'StreamTopic');
    assert.deepEqual(topic.Properties.ClusterArn, { 'Fn::GetAtt': [cluster[0], 'Arn'] });
    assert.equal(topic.Properties.Topic, 'seoul.citydata_ppltn');
    assert.equal(topic.Properties.NumPartitions, '3');
    assert.equal(topic.Properties.RetainOnDelete, 'true');
    const [frameworkId] = resourceById(data, 'AWS::Lambda::Function', 'StreamTopicProviderframeworkonEvent');
    assert.deepEqual(topic.Properties.ServiceToken, { 'Fn::GetAtt': [frameworkId, 'Arn'] });
    const [topicFnId, topicFn] = resourceById(data, 'AWS::Lambda::Function', 'StreamTopicFunction');
    const framework = resource(data, frameworkId);
    assert.deepEqual(
      (framework.Properties.Environment as { Variables: Record<string, unknown> }).Variables
        .USER_ON_EVENT_FUNCTION_ARN,
      { 'Fn::GetAtt': [topicFnId, 'Arn'] },
    );
    const vpc = topicFn.Properties.VpcConfig as { SubnetIds: { Ref: string }[] };
    assert.deepEqual(vpc.SubnetIds.map((s) => s.Ref).sort(), privateSubnetIds);
  });

  it('lets the topic handler administer exactly the topic (ARN built from the cluster ARN)', () => {
    assert.deepEqual(permissions(functionStatements(data, 'StreamTopicFunction')), {
      'kafka-cluster:AlterTopic': [TOPIC_ARN],
      'kafka-cluster:Connect': [CLUSTER_ARN],
      'kafka-cluster:CreateTopic': [TOPIC_ARN],
      'kafka-cluster:DeleteTopic': [TOPIC_ARN],
      'kafka-cluster:DescribeTopic': [TOPIC_ARN],
      'kafka:DescribeClusterV2': [CLUSTER_ARN],
      // No resource-level permission exists for it (Service Authorization Reference).
      'kafka:GetBootstrapBrokers': ['*'],
    });
  });
});

describe('4. ingest', () => {
  const fetcher = resourceById(pipeline, 'AWS::Lambda::Function', 'IngestFetcher');

  it('runs the fetcher on Node.js 24, ARM64, X-Ray off, its own log group and the environment contract', () => {
    const props = propertiesOf(fetcher);
    assert.equal(props.Runtime, 'nodejs24.x');
    assert.deepEqual(props.Architectures, ['arm64']);
    assert.equal(props.Handler, 'index.handler');
    assert.equal(props.TracingConfig, undefined, 'X-Ray off');
    assert.ok((props.LoggingConfig as { LogGroup?: unknown }).LogGroup, 'own log group');
    assert.equal(props.Timeout, 180, 'RUN_TIMEOUT_MS + 60 s');
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.deepEqual(Object.keys(env).sort(), [
      'CONCURRENCY',
      'GLUE_DATABASE',
      'KAFKA_TOPIC',
      'LAKE_BUCKET',
      'LOG_LEVEL',
      'MSK_CLUSTER_ARN',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'REQUEST_TIMEOUT_MS',
      'RUN_TIMEOUT_MS',
      'SEOUL_API_BASE_URL',
      'SEOUL_API_KEY_SECRET_ARN',
    ]);
    assert.equal(evaluate(env.MSK_CLUSTER_ARN, SAMPLES), CLUSTER_ARN);
    assert.equal(evaluate(env.SEOUL_API_KEY_SECRET_ARN, SAMPLES), SAMPLES.imports.ApiKeySecret);
    assert.equal(env.SEOUL_API_BASE_URL, 'http://openapi.seoul.go.kr:8088');
    assert.equal(env.KAFKA_TOPIC, 'seoul.citydata_ppltn');
    assert.equal(env.CONCURRENCY, '8');
    assert.equal(env.REQUEST_TIMEOUT_MS, '10000');
    assert.equal(env.RUN_TIMEOUT_MS, '120000');
    assert.equal(env.POWERTOOLS_SERVICE_NAME, METRICS_SERVICE);
    assert.equal(env.POWERTOOLS_METRICS_NAMESPACE, METRICS_NAMESPACE);
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.GLUE_DATABASE, 'seoul_population');
  });

  it('places the fetcher in the private subnets as an MSK client with API egress', () => {
    const vpc = propertiesOf(fetcher).VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: unknown[] };
    assert.equal(vpc.SubnetIds.length, 3);
    assert.ok(vpc.SubnetIds.every((s) => /privateSubnet/.test(JSON.stringify(s))));
    const groups = vpc.SecurityGroupIds.map((g) => JSON.stringify(g));
    assert.equal(groups.length, 2);
    assert.ok(groups.some((g) => g.includes('StreamClientSecurityGroup')));
    assert.ok(groups.some((g) => g.includes('IngestApiEgress')));
  });

  it('creates the API key secret with no value at all', () => {
    const [[, secret]] = resourcesOfType(data, 'AWS::SecretsManager::Secret') as [[string, CfnResource]];
    assert.equal(secret.Properties.SecretString, undefined);
    assert.equal(secret.Properties.GenerateSecretString, undefined);
    assert.match(String(secret.Properties.Description), /put-secret-value/);
  });

  it('starts a run at :00, :20 and :40 with a retry policy and a dead-letter queue', () => {
    const [, rule] = resourceById(pipeline, 'AWS::Events::Rule', 'IngestSchedule');
    assert.equal(rule.Properties.ScheduleExpression, 'cron(0/20 * * * ? *)');
    assert.equal(rule.Properties.State, 'ENABLED');
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    assert.deepEqual(target?.Arn, { 'Fn::GetAtt': [fetcher[0], 'Arn'] });
    assert.deepEqual(target?.RetryPolicy, { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 });
    const [dlqId] = resourceById(pipeline, 'AWS::SQS::Queue', 'IngestDeadLetterQueue');
    assert.deepEqual(target?.DeadLetterConfig, { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    pipeline.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fetcher[0], 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [resourceById(pipeline, 'AWS::Events::Rule', 'IngestSchedule')[0], 'Arn'] },
    });
  });

  it('retries a run that fails as a whole within its slot, then sends it to the dead-letter queue', () => {
    const [dlqId, dlq] = resourceById(pipeline, 'AWS::SQS::Queue', 'IngestDeadLetterQueue');
    assert.equal(dlq.Properties.SqsManagedSseEnabled, true);
    assert.equal(dlq.Properties.MessageRetentionPeriod, 14 * 24 * 3600);
    pipeline.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fetcher[0] },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    pipeline.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('grants the fetcher exactly: read the key, produce to the topic, write and register collection_outcomes/, read the place catalogue, dead-letter', () => {
    const [dlqId] = resourceById(pipeline, 'AWS::SQS::Queue', 'IngestDeadLetterQueue');
    const glue = sorted([
      `${GLUE}:catalog`,
      `${GLUE}:database/seoul_population`,
      `${GLUE}:table/seoul_population/collection_outcomes`,
    ]);
    assert.deepEqual(permissions(functionStatements(pipeline, 'IngestFetcher')), {
      'glue:BatchCreatePartition': glue,
      'glue:GetTable': glue,
      'kafka-cluster:Connect': [CLUSTER_ARN],
      'kafka-cluster:DescribeTopic': [TOPIC_ARN],
      'kafka-cluster:WriteData': [TOPIC_ARN],
      'kafka-cluster:WriteDataIdempotently': [CLUSTER_ARN],
      'kafka:DescribeClusterV2': [CLUSTER_ARN],
      'kafka:GetBootstrapBrokers': ['*'],
      's3:AbortMultipartUpload': ['arn:aws:s3:::lake-bucket/collection_outcomes/*'],
      's3:PutObject': ['arn:aws:s3:::lake-bucket/collection_outcomes/*'],
      // The one object it reads; listing only so that a missing catalogue answers 404, not 403.
      's3:GetObject': ['arn:aws:s3:::lake-bucket/catalogue/places.json'],
      's3:ListBucket': ['arn:aws:s3:::lake-bucket'],
      'secretsmanager:DescribeSecret': [SAMPLES.imports.ApiKeySecret],
      'secretsmanager:GetSecretValue': [SAMPLES.imports.ApiKeySecret],
      'sqs:GetQueueAttributes': [`<${dlqId}.Arn>`],
      'sqs:GetQueueUrl': [`<${dlqId}.Arn>`],
      'sqs:SendMessage': [`<${dlqId}.Arn>`],
    });
  });
});

describe('5. writer', () => {
  const writer = resourceById(pipeline, 'AWS::Lambda::Function', 'WriterFunction');
  const [mappingId, mapping] = resourcesOfType(pipeline, 'AWS::Lambda::EventSourceMapping')[0] as [
    string,
    CfnResource,
  ];

  it('is triggered by MSK from the oldest record, with batch size and window from the configuration', () => {
    const props = mapping.Properties ?? {};
    assert.equal(evaluate(props.EventSourceArn, SAMPLES), CLUSTER_ARN);
    assert.deepEqual(props.FunctionName, { Ref: writer[0] });
    assert.equal(props.StartingPosition, 'TRIM_HORIZON');
    assert.deepEqual(props.Topics, ['seoul.citydata_ppltn']);
    assert.equal(props.BatchSize, config.writerBatchSize);
    assert.equal(props.MaximumBatchingWindowInSeconds, config.writerBatchWindowSeconds);
    assert.deepEqual(props.AmazonManagedKafkaEventSourceConfig, { ConsumerGroupId: WRITER_CONSUMER_GROUP });
    // The lake bucket: reachable from the cluster's subnets through the S3 gateway endpoint.
    assert.equal(
      evaluate(
        (props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
        SAMPLES,
      ),
      'arn:aws:s3:::lake-bucket',
    );
    assert.equal(resourcesOfType(pipeline, 'AWS::SQS::Queue').length, 1, 'only the ingest dead-letter queue');
    // On-demand pollers take no retry or age limit (provisioned mode only): none is set.
    assert.equal(props.MaximumRetryAttempts, undefined);
    assert.equal(props.MaximumRecordAgeInSeconds, undefined);
    assert.equal(props.ProvisionedPollerConfig, undefined);
    assert.ok(mappingId);
  });

  it('waits for the policy that lets it read the topic (DependsOn), so its first poll is authorized', () => {
    const dependsOn = [mapping.DependsOn ?? []].flat();
    const policies = dependsOn.filter((id) => resources(pipeline)[id]?.Type === 'AWS::IAM::Policy');
    assert.equal(policies.length, 1);
    const statements = (
      resource(pipeline, policies[0] as string).Properties.PolicyDocument as {
        Statement: { Action: string | string[] }[];
      }
    ).Statement.flatMap((s) => [s.Action].flat());
    for (const action of ['kafka-cluster:Connect', 'kafka-cluster:ReadData', 'kafka-cluster:AlterGroup']) {
      assert.ok(statements.includes(action), `${action} is in the policy the mapping waits for`);
    }
  });

  it('has the AWS managed MSK execution role policy that the trigger needs (and CDK adds)', () => {
    const role = resource(pipeline, roleOfFunction(writer[1]));
    const managed = JSON.stringify(role.Properties.ManagedPolicyArns);
    assert.match(managed, /AWSLambdaMSKExecutionRole/);
    assert.match(managed, /AWSLambdaBasicExecutionRole/);
  });

  it('grants the writer exactly: consume as its group, write its four lake areas and failed batches, register partitions', () => {
    const areas = ['population', 'population_forecast', 'raw', 'rejected'].map(
      (area) => `arn:aws:s3:::lake-bucket/${area}/*`,
    );
    const glue = sorted([
      `${GLUE}:catalog`,
      `${GLUE}:database/seoul_population`,
      `${GLUE}:table/seoul_population/population`,
      `${GLUE}:table/seoul_population/population_forecast`,
    ]);
    assert.deepEqual(permissions(functionStatements(pipeline, 'WriterFunction')), {
      'glue:BatchCreatePartition': glue,
      'glue:GetTable': glue,
      'kafka-cluster:AlterGroup': [GROUP_ARN],
      'kafka-cluster:Connect': [CLUSTER_ARN],
      'kafka-cluster:DescribeClusterDynamicConfiguration': [CLUSTER_ARN],
      'kafka-cluster:DescribeGroup': [GROUP_ARN],
      'kafka-cluster:DescribeTopic': [TOPIC_ARN],
      'kafka-cluster:ReadData': [TOPIC_ARN],
      // Added by ManagedKafkaEventSource itself.
      'kafka:DescribeCluster': [CLUSTER_ARN],
      'kafka:DescribeClusterV2': [CLUSTER_ARN],
      // Ours on "*" (no resource-level permission exists); ManagedKafkaEventSource adds it on the
      // cluster too, a statement that never matches (listed in test/checkers/iam-catalogue.ts).
      'kafka:GetBootstrapBrokers': sorted([CLUSTER_ARN, '*']),
      'kafka:ListScramSecrets': [CLUSTER_ARN],
      's3:AbortMultipartUpload': sorted(areas),
      // The MSK trigger's on-failure destination: the lake bucket, keys chosen by Lambda.
      's3:ListBucket': ['arn:aws:s3:::lake-bucket'],
      's3:PutObject': sorted([...areas, 'arn:aws:s3:::lake-bucket/*']),
    });
  });

  it('tells the writer where the lake and the catalog are', () => {
    const env = (writer[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.equal(evaluate(env.LAKE_BUCKET, { imports: { LakeBucket: 'lake-bucket' } }), 'lake-bucket');
    assert.equal(env.GLUE_DATABASE, 'seoul_population');
    assert.equal(writer[1].Properties.Runtime, 'nodejs24.x');
    assert.deepEqual(writer[1].Properties.Architectures, ['arm64']);
  });
});

describe('6. lake and catalog', () => {
  const bucket = resourceById(data, 'AWS::S3::Bucket', 'LakeBucket');

  it('keeps the lake private, encrypted, versioned and logged', () => {
    const props = propertiesOf(bucket);
    assert.deepEqual(props.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(props.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    assert.deepEqual(props.VersioningConfiguration, { Status: 'Enabled' });
    const [logsId] = resourceById(data, 'AWS::S3::Bucket', 'LakeAccessLogs');
    assert.deepEqual(props.LoggingConfiguration, {
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'lake/',
    });
  });

  it('refuses plain HTTP and TLS below 1.2 to the lake', () => {
    data.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket[0] },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('archives raw/ after 90 days, expires rejected/ after a year and old versions after 30 days', () => {
    const rules = (propertiesOf(bucket).LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    const byId = Object.fromEntries(rules.map((r) => [r.Id, r]));
    assert.deepEqual(byId['archive-raw'], {
      Id: 'archive-raw',
      Prefix: 'raw/',
      Status: 'Enabled',
      Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
    });
    assert.deepEqual(byId['expire-rejected'], {
      Id: 'expire-rejected',
      Prefix: 'rejected/',
      Status: 'Enabled',
      ExpirationInDays: 365,
    });
    assert.deepEqual(byId['expire-noncurrent-versions'], {
      Id: 'expire-noncurrent-versions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
  });

  it('has a Glue table per schema table, columns and partition keys from lambdas/core/schema.ts', () => {
    data.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'seoul_population' } });
    const tables = resourcesOfType(data, 'AWS::Glue::Table');
    assert.deepEqual(
      tables.map(([, t]) => (t.Properties.TableInput as { Name: string }).Name).sort(),
      TABLES.map((t) => t.name).sort(),
    );
    for (const spec of TABLES) {
      const [, table] = tables.find(
        ([, t]) => (t.Properties.TableInput as { Name: string }).Name === spec.name,
      ) as [string, CfnResource];
      assert.equal(table.Properties.DatabaseName, 'seoul_population');
      const input = table.Properties.TableInput as Record<string, unknown>;
      assert.equal(input.TableType, 'EXTERNAL_TABLE');
      assert.deepEqual(
        input.PartitionKeys,
        gluePartitionKeys().map((k) => ({ Name: k.name, Type: k.type })),
      );
      assert.deepEqual(
        input.PartitionKeys,
        ['year', 'month', 'day', 'hour', 'minute'].map((Name) => ({ Name, Type: 'string' })),
      );
      const storage = input.StorageDescriptor as Record<string, unknown>;
      assert.deepEqual(
        storage.Columns,
        glueColumns(spec).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
      );
      assert.equal(evaluate(storage.Location, SAMPLES), `s3://lake-bucket/${spec.name}/`);
      assert.equal(storage.InputFormat, 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
      assert.equal(storage.OutputFormat, 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
      assert.equal(
        (storage.SerdeInfo as { SerializationLibrary: string }).SerializationLibrary,
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      assert.equal((input.Parameters as Record<string, string>).classification, 'parquet');
    }
  });

  it("runs a crawler over catalog targets: the stack's tables only, schema changes logged, partitions inherit the table schema", () => {
    const [, crawler] = resourceById(data, 'AWS::Glue::Crawler', 'CatalogCrawler');
    const props = crawler.Properties ?? {};
    assert.deepEqual(props.Schedule, { ScheduleExpression: 'cron(30 18 * * ? *)' });
    assert.deepEqual(props.SchemaChangePolicy, { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' });
    const configuration = JSON.parse(String(props.Configuration));
    assert.equal(configuration.CrawlerOutput.Partitions.AddOrUpdateBehavior, 'InheritFromTable');
    assert.equal(props.DatabaseName, 'seoul_population');
    // Catalog targets, not S3 paths: the crawler only adds partitions to tables that exist.
    assert.deepEqual(props.Targets, {
      CatalogTargets: [{ DatabaseName: 'seoul_population', Tables: TABLES.map((t) => t.name) }],
    });
  });

  it("lets the crawler read the tables' folders and update partitions, nothing else", () => {
    const [, crawler] = resourceById(data, 'AWS::Glue::Crawler', 'CatalogCrawler');
    const roleId = (crawler.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const granted = permissions(roleStatements(data, roleId));
    const tableObjects = sorted(TABLES.map((t) => `arn:aws:s3:::lake-bucket/${t.name}/*`));
    assert.deepEqual(granted['s3:GetObject'], tableObjects);
    assert.deepEqual(granted['s3:ListBucket'], ['arn:aws:s3:::lake-bucket']);
    assert.deepEqual(
      Object.keys(granted)
        .filter((a) => !a.startsWith('glue:') && !a.startsWith('logs:'))
        .sort(),
      ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'],
    );
    assert.deepEqual(
      Object.keys(granted).filter((a) => a.startsWith('glue:')),
      [
        'glue:BatchCreatePartition',
        'glue:BatchGetPartition',
        'glue:BatchUpdatePartition',
        'glue:CreatePartition',
        'glue:GetDatabase',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:GetTable',
        'glue:GetTables',
        'glue:UpdatePartition',
      ],
      'the crawler reads its tables and adds partitions; it cannot create, change or delete a table',
    );
    assert.deepEqual(granted['logs:PutLogEvents'], [
      `arn:aws:logs:ap-northeast-2:${TEST_ACCOUNT}:log-group:/aws-glue/crawlers*`,
    ]);
  });
});

describe('7. warehouse', () => {
  const [namespaceId, namespace] = resourceById(
    data,
    'AWS::RedshiftServerless::Namespace',
    'WarehouseNamespace',
  );
  const [, workgroup] = resourceById(pipeline, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup');

  it('has a namespace whose admin password Secrets Manager generates and keeps, with the Spectrum role', () => {
    const props = namespace.Properties ?? {};
    const [secretId] = resourceById(data, 'AWS::SecretsManager::Secret', 'WarehouseNamespaceAdminSecret');
    assert.equal(props.ManageAdminPassword, undefined);
    assert.equal(props.AdminUsername, 'pipeline_admin');
    assert.deepEqual(props.AdminUserPassword, {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']],
    });
    assert.equal(props.DbName, 'dev');
    const [roleId] = resourceById(data, 'AWS::IAM::Role', 'WarehouseNamespaceSpectrumRole');
    assert.deepEqual(props.IamRoles, [{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
    assert.deepEqual(props.DefaultIamRoleArn, { 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  it('has a private workgroup with the configured base capacity in the three private subnets', () => {
    const props = workgroup.Properties ?? {};
    assert.equal(props.PubliclyAccessible, false);
    assert.equal(props.BaseCapacity, 8);
    assert.match(JSON.stringify(props.NamespaceName), new RegExp(namespaceId.slice(0, 18)));
    const subnets = props.SubnetIds as unknown[];
    assert.equal(subnets.length, 3);
    assert.ok(subnets.every((s) => /privateSubnet/.test(JSON.stringify(s))));
    assert.match(String(props.WorkgroupName), /^[a-z][a-z0-9-]{2,63}$/);
  });

  it('lets Redshift read the catalog and the lake tables through the Spectrum role, nothing more', () => {
    const [roleId, role] = resourceById(data, 'AWS::IAM::Role', 'WarehouseNamespaceSpectrumRole');
    const trusted = (
      role.Properties.AssumeRolePolicyDocument as { Statement: { Principal: { Service: string[] } }[] }
    ).Statement.flatMap((s) => [s.Principal.Service].flat()).sort();
    assert.deepEqual(trusted, ['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com']);
    const glueResources = sorted([
      `${GLUE}:catalog`,
      `${GLUE}:database/seoul_population`,
      ...TABLES.map((t) => `${GLUE}:table/seoul_population/${t.name}`),
    ]);
    const glueReads = [
      'glue:BatchGetPartition',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
    ];
    const databaseLevel = sorted([`${GLUE}:catalog`, `${GLUE}:database/seoul_population`]);
    assert.deepEqual(permissions(roleStatements(data, roleId)), {
      ...Object.fromEntries(glueReads.map((a) => [a, glueResources])),
      // Database-level reads name only the catalog and the database (the types they take).
      'glue:GetDatabase': databaseLevel,
      'glue:GetDatabases': databaseLevel,
      's3:GetBucketLocation': ['arn:aws:s3:::lake-bucket'],
      's3:GetObject': sorted(TABLES.map((t) => `arn:aws:s3:::lake-bucket/${t.name}/*`)),
      's3:ListBucket': ['arn:aws:s3:::lake-bucket'],
    });
  });

  it('limits compute to the configured RPU-hours per period', () => {
    const [, limit] = resourcesOfType(pipeline, 'Custom::RedshiftServerlessUsageLimit')[0] as [
      string,
      CfnResource,
    ];
    const create = JSON.parse(evaluate(limit.Properties.Create, SAMPLES));
    assert.equal(create.service, 'redshift-serverless');
    assert.equal(create.action, 'CreateUsageLimit');
    assert.deepEqual(create.parameters, {
      resourceArn: SAMPLES.attributes.WarehouseWorkgroup,
      usageType: 'serverless-compute',
      amount: 280,
      period: 'monthly',
      breachAction: 'deactivate',
    });
  });

  it('runs the sql/ files through the SQL runner custom resource after the workgroup exists, again when they change', () => {
    const [, sql] = resourceById(pipeline, 'Custom::RedshiftSql', 'WarehouseSql');
    // The same digest the SQL runner reports back for the files it applied.
    assert.equal(sql.Properties.SqlDigest, sqlFilesDigest(loadSqlFiles(defaultSqlDir())));
    assert.equal(sql.Properties.Database, 'dev');
    assert.equal(sql.Properties.WorkgroupName, workgroup.Properties.WorkgroupName);
    const [workgroupId] = resourceById(pipeline, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup');
    assert.ok([sql.DependsOn].flat().includes(workgroupId));
  });

  for (const name of ['WarehouseSqlRunner', 'WarehouseLoader']) {
    it(`gives ${name} the warehouse environment and only the Data API on this workgroup`, () => {
      const [, fn] = resourceById(pipeline, 'AWS::Lambda::Function', name);
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      assert.equal(env.WORKGROUP_NAME, workgroup.Properties.WorkgroupName);
      assert.equal(env.DATABASE, 'dev');
      assert.equal(env.GLUE_DATABASE, 'seoul_population');
      assert.match(JSON.stringify(env.SPECTRUM_ROLE_ARN), /SpectrumRole/);
      assert.equal(evaluate(env.LAKE_BUCKET, { imports: { LakeBucket: 'lake-bucket' } }), 'lake-bucket');
      assert.equal(fn.Properties.Timeout, 900);
      const granted = permissions(functionStatements(pipeline, name));
      const workgroupArn = SAMPLES.attributes.WarehouseWorkgroup;
      const adminSecret = `arn:aws:secretsmanager:ap-northeast-2:${TEST_ACCOUNT}:secret:admin-abc`;
      const expected: Record<string, string[]> = {
        'redshift-data:BatchExecuteStatement': [workgroupArn],
        'redshift-data:CancelStatement': ['*'],
        'redshift-data:DescribeStatement': ['*'],
        'redshift-data:ExecuteStatement': [workgroupArn],
        'redshift-data:GetStatementResult': ['*'],
      };
      const role = resource(pipeline, roleOfFunction(fn));
      if (name === 'WarehouseSqlRunner') {
        // Signs in as the namespace admin with its secret: reads exactly that secret.
        expected['secretsmanager:GetSecretValue'] = [adminSecret];
        assert.equal(
          evaluate(env.ADMIN_SECRET_ARN, { imports: { WarehouseNamespaceAdminSecret: adminSecret } }),
          adminSecret,
        );
        assert.equal(env.LOADER_DB_USER, 'IAMR:seoulpopulation-pipeline-loader-ap-northeast-2');
      } else {
        // Signs in with its role's temporary credentials as the database user IAMR:<role name>.
        expected['redshift-serverless:GetCredentials'] = [workgroupArn];
        expected['s3:ListBucket'] = ['arn:aws:s3:::lake-bucket'];
        assert.equal(env.ADMIN_SECRET_ARN, undefined);
        assert.equal(role.Properties.RoleName, 'seoulpopulation-pipeline-loader-ap-northeast-2');
      }
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(granted).map(([action, arns]) => [
            action,
            arns.map((arn) => (arn.includes('AdminSecret') ? adminSecret : arn)),
          ]),
        ),
        Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))),
      );
      // No principal tag asks Redshift for database roles (RedshiftDbRoles).
      assert.doesNotMatch(JSON.stringify(role.Properties.Tags ?? []), /RedshiftDbRoles/);
    });
  }

  it('grants the three usage-limit actions on "*" exactly, since they take no resource', () => {
    const policies = resourcesOfType(pipeline, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('UsageLimit'),
    );
    assert.equal(policies.length, 1);
    const [[, policy]] = policies as [[string, CfnResource]];
    const statements = (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    assert.deepEqual(statements, [
      {
        Action: [
          'redshift-serverless:CreateUsageLimit',
          'redshift-serverless:DeleteUsageLimit',
          'redshift-serverless:UpdateUsageLimit',
        ],
        Effect: 'Allow',
        Resource: '*',
      },
    ]);
  });

  it('schedules the COPY loader, after the tables exist', () => {
    const [ruleId, rule] = resourceById(pipeline, 'AWS::Events::Rule', 'WarehouseLoaderSchedule');
    assert.equal(rule.Properties.ScheduleExpression, 'cron(10 0/3 * * ? *)');
    const [loaderId] = resourceById(pipeline, 'AWS::Lambda::Function', 'WarehouseLoader');
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    assert.deepEqual(target?.Arn, { 'Fn::GetAtt': [loaderId, 'Arn'] });
    assert.deepEqual(target?.RetryPolicy, { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    const [sqlId] = resourceById(pipeline, 'Custom::RedshiftSql', 'WarehouseSql');
    assert.ok([rule.DependsOn].flat().includes(sqlId), `${ruleId} waits for the SQL runner`);
  });
});

describe('8. observability', () => {
  const alarms = Object.fromEntries(
    resourcesOfType(pipeline, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), a]),
  );
  const [topicId] = resourceById(pipeline, 'AWS::SNS::Topic', 'ObservabilityAlarmTopic');
  const alarm = (name: string) => {
    const found = alarms[`Observability${name}Alarm`];
    assert.ok(found, `alarm ${name} exists (have ${Object.keys(alarms).join(', ')})`);
    return found.Properties ?? {};
  };
  const custom = (metric: string) => ({
    Namespace: METRICS_NAMESPACE,
    MetricName: metric,
    Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }],
  });

  it('has the eleven alarms, each notifying the SNS topic when it fires and when it clears', () => {
    assert.deepEqual(Object.keys(alarms).sort(), [
      'ObservabilityApiFieldsMissingAlarm',
      'ObservabilityApiFieldsUnknownAlarm',
      'ObservabilityDeadLettersAlarm',
      'ObservabilityFailedPlacesAlarm',
      'ObservabilityLoaderFailedAlarm',
      'ObservabilityMissedRunAlarm',
      'ObservabilityOffsetLagAlarm',
      'ObservabilityRecordsRejectedAlarm',
      'ObservabilityUsageLimitNearAlarm',
      'ObservabilityWriterErrorsAlarm',
      'ObservabilityWriterFailureDeliveryAlarm',
    ]);
    for (const a of Object.values(alarms)) {
      assert.deepEqual(a.Properties.AlarmActions, [{ Ref: topicId }]);
      assert.deepEqual(a.Properties.OKActions, [{ Ref: topicId }]);
    }
  });

  it('fires when the answers of a run carry a field no table holds (API drift), once per run window', () => {
    assert.deepEqual(
      {
        ...alarm('ApiFieldsUnknown'),
        AlarmActions: undefined,
        OKActions: undefined,
        AlarmDescription: undefined,
      },
      {
        ...custom(METRIC.apiFieldsUnknown),
        Statistic: 'Sum',
        Period: 1200,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: undefined,
        OKActions: undefined,
        AlarmDescription: undefined,
      },
    );
    assert.match(String(alarm('ApiFieldsUnknown').AlarmDescription), /npm run check lists them/);
  });

  it("fires when at least half of a run's answers lack a field a column reads (the API dropped it), not for one place's blip", () => {
    const props = alarm('ApiFieldsMissing');
    assert.equal(props.Threshold, 0.5);
    assert.equal(props.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    assert.equal(props.TreatMissingData, 'notBreaching');
    const metrics = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: unknown; Period: number; Stat: string };
    }[];
    assert.equal(
      metrics.find((m) => m.Expression)?.Expression,
      'IF(FILL(ok, 0) > 0, FILL(missing, 0) / FILL(ok, 0), 0)',
    );
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
    assert.deepEqual(byId.missing?.Metric, custom(METRIC.apiFieldsMissing));
    assert.deepEqual(byId.ok?.Metric, custom(METRIC.placesOk));
    assert.equal(byId.missing?.Period, 1200);
    assert.equal(byId.missing?.Stat, 'Sum');
    // The expression by hand, on a run of 121 places: one answer without its forecast list stays
    // quiet; the field gone from every answer fires; a run with no answer at all is no evidence.
    const share = (missing: number, ok: number) => (ok > 0 ? missing / ok : 0);
    assert.ok(share(1, 121) < props.Threshold);
    assert.ok(share(121, 121) >= props.Threshold);
    assert.ok(share(61, 121) >= props.Threshold);
    assert.ok(share(0, 0) < props.Threshold);
    assert.match(String(props.AlarmDescription), /dropped or renamed/);
  });

  it('fires on a missed run: a slot the schedule fired without a run, in two of the last three run intervals', () => {
    const props = alarm('MissedRun');
    const [ruleId] = resourceById(pipeline, 'AWS::Events::Rule', 'IngestSchedule');
    assert.deepEqual(
      { ...props, AlarmActions: undefined, OKActions: undefined, AlarmDescription: undefined },
      {
        Metrics: [
          {
            Id: 'expr_1',
            Expression: 'FILL(slots, 0) - FILL(runs, 0)',
            Label: 'Scheduled slots without a run',
            ReturnData: true,
          },
          {
            Id: 'slots',
            Label: 'Scheduled slots',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Events',
                MetricName: 'TriggeredRules',
                Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
              },
              Period: 1200,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'runs',
            MetricStat: { Metric: custom(METRIC.runs), Period: 1200, Stat: 'Sum' },
            ReturnData: false,
          },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
        AlarmActions: undefined,
        OKActions: undefined,
        AlarmDescription: undefined,
      },
    );
  });

  it("fires at 75 % of the Redshift usage limit, on the workgroup's UsageLimitConsumed", () => {
    const [, workgroup] = resourceById(pipeline, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup');
    const props = alarm('UsageLimitNear');
    assert.equal(props.Threshold, 210, '75 % of 280 RPU-hours');
    assert.equal(props.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    assert.equal(props.TreatMissingData, 'notBreaching');
    assert.deepEqual(props.Metrics, [
      {
        Id: 'expr_1',
        Label: 'RPU-hours used this usage-limit period',
        Expression:
          'SELECT MAX(UsageLimitConsumed) FROM SCHEMA("AWS/Redshift-Serverless", UsageLimitId, UsageType, Workgroup) ' +
          `WHERE Workgroup = '${workgroup.Properties.WorkgroupName}'`,
        Period: 3600,
        ReturnData: true,
      },
    ]);
  });

  it('fires when the share of failed places in a run is above the configured share (metric math)', () => {
    const props = alarm('FailedPlaces');
    assert.equal(props.Threshold, 0.2);
    assert.equal(props.ComparisonOperator, 'GreaterThanThreshold');
    const metrics = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: unknown; Period: number };
    }[];
    const expression = metrics.find((m) => m.Expression)?.Expression ?? '';
    assert.match(
      expression,
      /FILL\(failed, 0\) \/ \(FILL\(ok, 0\) \+ FILL\(noData, 0\) \+ FILL\(failed, 0\)\)/,
    );
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
    assert.deepEqual(byId.failed?.Metric, custom(METRIC.placesFailed));
    assert.deepEqual(byId.ok?.Metric, custom(METRIC.placesOk));
    assert.deepEqual(byId.noData?.Metric, custom(METRIC.placesNoData));
    assert.equal(byId.failed?.Period, 1200);
  });

  it('fires on any writer error, any rejected record, any dead letter and any failed batch the trigger could not store', () => {
    const writerId = resourceById(pipeline, 'AWS::Lambda::Function', 'WriterFunction')[0];
    assert.deepEqual(alarm('WriterErrors').Dimensions, [{ Name: 'FunctionName', Value: { Ref: writerId } }]);
    assert.equal(alarm('WriterErrors').MetricName, 'Errors');
    assert.equal(alarm('RecordsRejected').MetricName, METRIC.recordsRejected);
    assert.deepEqual(alarm('RecordsRejected').Dimensions, custom(METRIC.recordsRejected).Dimensions);
    const deadLetters = alarm('DeadLetters');
    assert.equal(deadLetters.Namespace, 'AWS/SQS');
    assert.equal(deadLetters.MetricName, 'ApproximateNumberOfMessagesVisible');
    const [queueId] = resourceById(pipeline, 'AWS::SQS::Queue', 'IngestDeadLetterQueue');
    assert.deepEqual(deadLetters.Dimensions, [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
    ]);
    const delivery = alarm('WriterFailureDelivery');
    assert.equal(delivery.Namespace, 'AWS/Lambda');
    assert.equal(delivery.MetricName, 'DestinationDeliveryFailures');
    assert.deepEqual(delivery.Dimensions, [{ Name: 'FunctionName', Value: { Ref: writerId } }]);
    for (const name of ['WriterErrors', 'RecordsRejected', 'DeadLetters', 'WriterFailureDelivery']) {
      const props = alarm(name);
      assert.equal(props.ComparisonOperator, 'GreaterThanOrEqualToThreshold', name);
      assert.equal(props.Threshold, 1, name);
      assert.equal(props.TreatMissingData, 'notBreaching', name);
    }
  });

  it("fires when the MSK trigger's offset lag stays high for 15 minutes", () => {
    const props = alarm('OffsetLag');
    const writerId = resourceById(pipeline, 'AWS::Lambda::Function', 'WriterFunction')[0];
    assert.equal(props.Namespace, 'AWS/Lambda');
    assert.equal(props.MetricName, 'OffsetLag');
    assert.deepEqual(props.Dimensions, [{ Name: 'FunctionName', Value: { Ref: writerId } }]);
    assert.equal(props.Statistic, 'Maximum');
    assert.deepEqual([props.Period, props.EvaluationPeriods, props.DatapointsToAlarm], [300, 3, 3]);
  });

  it('fires when the loader reports a failed partition or fails as a whole', () => {
    const props = alarm('LoaderFailed');
    const metrics = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown> };
    }[];
    assert.equal(metrics.find((m) => m.Expression)?.Expression, 'FILL(failures, 0) + FILL(errors, 0)');
    const byId = Object.fromEntries(
      metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat?.Metric]),
    );
    assert.deepEqual(byId.failures, custom(METRIC.loaderFailures));
    const loaderId = resourceById(pipeline, 'AWS::Lambda::Function', 'WarehouseLoader')[0];
    assert.deepEqual(byId.errors, {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: loaderId } }],
    });
  });

  it('charts every metric of the pipeline on the dashboard', () => {
    const [, dashboard] = resourcesOfType(pipeline, 'AWS::CloudWatch::Dashboard')[0] as [string, CfnResource];
    const body = evaluate(dashboard.Properties.DashboardBody, SAMPLES);
    const widgets = JSON.parse(body).widgets as { properties: { metrics?: unknown[][]; title: string } }[];
    const names = new Set(
      widgets.flatMap((w) =>
        (w.properties.metrics ?? []).flatMap((m) => m.filter((x) => typeof x === 'string')),
      ),
    );
    for (const metric of [
      METRIC.runs,
      METRIC.placesOk,
      METRIC.placesNoData,
      METRIC.placesFailed,
      METRIC.recordsPublished,
      rowsWrittenMetric('population'),
      rowsWrittenMetric('population_forecast'),
      METRIC.recordsRejected,
      METRIC.dataFreshness,
      METRIC.partitionsLoaded,
      METRIC.loaderFailures,
      'OffsetLag',
      'Errors',
      'Duration',
      'Throttles',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      assert.ok(names.has(metric), `the dashboard charts ${metric}`);
    }
    assert.ok(widgets.some((w) => /freshness/i.test(w.properties.title)));
  });

  it('has no e-mail subscription unless one is configured, and the topic refuses plain HTTP', () => {
    pipeline.resourceCountIs('AWS::SNS::Subscription', 0);
    pipeline.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("lets CloudWatch publish to the topic for exactly this stack's alarms and this account, beside the TLS Deny", () => {
    const policies = resourcesOfType(pipeline, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties.Topics).includes(topicId),
    );
    assert.equal(policies.length, 1, 'one policy on the alarm topic (a second would not add to the first)');
    const statements = normalizeStatements(
      (policies[0] as [string, CfnResource])[1].Properties.PolicyDocument,
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    assert.equal(allows.length, 1, JSON.stringify(allows));
    const allow = allows[0] as Statement;
    assert.deepEqual(allow.Principal, { Service: 'cloudwatch.amazonaws.com' });
    assert.deepEqual(allow.Action, ['sns:Publish']);
    assert.deepEqual(allow.Resource, [{ Ref: topicId }]);
    // Oracle: every alarm of the template whose actions name the topic, found from the alarms.
    const notifying = resourcesOfType(pipeline, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => JSON.stringify(a.Properties.AlarmActions).includes(topicId))
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    assert.ok(notifying.length >= 8);
    const condition = allow.Condition as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(condition).sort(), ['ArnLike', 'StringEquals']);
    assert.deepEqual(
      sorted(((condition.ArnLike?.['aws:SourceArn'] ?? []) as unknown[]).map((a) => JSON.stringify(a))),
      sorted(notifying.map((a) => JSON.stringify(a))),
    );
    assert.deepEqual(condition.StringEquals, { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    const deny = statements.find((s) => s.Effect === 'Deny');
    assert.deepEqual(deny?.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
    assert.deepEqual(deny?.Principal, '*');
  });
});

describe('9. outputs and stack split', () => {
  const outputs = (template: typeof data) =>
    (template.toJSON() as { Outputs: Record<string, { Value: unknown; Export?: unknown }> }).Outputs;

  it('outputs the bucket, the cluster ARN, the secret names, the workgroup, the function names and the dashboard URL', () => {
    const dataOut = outputs(data);
    assert.deepEqual(dataOut.LakeBucketName?.Value, { Ref: bucketId() });
    assert.deepEqual(dataOut.MskClusterArn?.Value, {
      'Fn::GetAtt': [resourceById(data, 'AWS::MSK::ServerlessCluster', 'StreamCluster')[0], 'Arn'],
    });
    assert.match(JSON.stringify(dataOut.ApiKeySecretName?.Value), /ApiKeySecret/);
    const pipelineOut = outputs(pipeline);
    assert.equal(
      pipelineOut.RedshiftWorkgroupName?.Value,
      resourceById(pipeline, 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup')[1].Properties
        ?.WorkgroupName,
    );
    assert.match(JSON.stringify(dataOut.RedshiftAdminSecretName?.Value), /WarehouseNamespaceAdminSecret/);
    for (const [output, fn] of [
      ['FetcherFunctionName', 'IngestFetcher'],
      ['WriterFunctionName', 'WriterFunction'],
      ['LoaderFunctionName', 'WarehouseLoader'],
    ] as const) {
      assert.deepEqual(pipelineOut[output]?.Value, {
        Ref: resourceById(pipeline, 'AWS::Lambda::Function', fn)[0],
      });
    }
    const dashboardId = resourcesOfType(pipeline, 'AWS::CloudWatch::Dashboard')[0]?.[0];
    assert.equal(
      evaluate(pipelineOut.DashboardUrl?.Value, {
        attributes: { [dashboardId as string]: 'SeoulDashboard' },
      }),
      'https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2#dashboards:name=SeoulDashboard',
    );
  });

  function bucketId(): string {
    return resourceById(data, 'AWS::S3::Bucket', 'LakeBucket')[0];
  }

  it('keeps every resource that holds data on update and delete (not on a failed create), and protects the data stack', () => {
    assert.equal(stacks.data.terminationProtection, true);
    assert.equal(stacks.pipeline.terminationProtection, false);
    const stateful: [string, string][] = [
      ['AWS::S3::Bucket', 'LakeBucket'],
      ['AWS::MSK::ServerlessCluster', 'StreamCluster'],
      ['Custom::KafkaTopic', 'StreamTopic'],
      ['AWS::RedshiftServerless::Namespace', 'WarehouseNamespace'],
      ['AWS::SecretsManager::Secret', 'ApiKeySecret'],
      ['AWS::SecretsManager::Secret', 'WarehouseNamespaceAdminSecret'],
      ['AWS::Glue::Database', 'CatalogDatabase'],
      ['AWS::Glue::Table', 'CatalogPopulationTable'],
      ['AWS::Glue::Table', 'CatalogPopulationForecastTable'],
      ['AWS::Glue::Table', 'CatalogCollectionOutcomesTable'],
    ];
    for (const [type, prefix] of stateful) {
      const [, resource] = resourceById(data, type, prefix);
      assert.equal(
        resource.DeletionPolicy,
        'RetainExceptOnCreate',
        `${prefix} is kept, except by a failed create`,
      );
      assert.equal(resource.UpdateReplacePolicy, 'Retain', `${prefix} is retained on replacement`);
    }
    // The access-log bucket may hold a log by the time a first deploy rolls back, and a bucket that
    // holds an object cannot be deleted: it is plainly retained (its name is generated).
    const [, accessLogs] = resourceById(data, 'AWS::S3::Bucket', 'LakeAccessLogs');
    assert.equal(accessLogs.DeletionPolicy, 'Retain');
    assert.equal(accessLogs.Properties.BucketName, undefined);
  });

  it('keeps data in the data stack and compute, schedules and monitoring in the pipeline stack', () => {
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::MSK::ServerlessCluster',
      'AWS::RedshiftServerless::Namespace',
      'AWS::Glue::Table',
      'AWS::SecretsManager::Secret',
      'AWS::EC2::VPC',
    ]) {
      pipeline.resourceCountIs(type, 0);
    }
    for (const type of [
      'AWS::Events::Rule',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::Lambda::EventSourceMapping',
      'AWS::RedshiftServerless::Workgroup',
    ]) {
      data.resourceCountIs(type, 0);
    }
    assert.ok(stacks.pipeline.dependencies.includes(stacks.data));
  });
});
