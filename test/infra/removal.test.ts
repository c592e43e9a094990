import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthesize } from './support/synth.js';
import { type CfnResource, resources } from './support/template-queries.js';

/**
 * Where each resource type of the templates takes a name that the account sees (its physical
 * name), from the CloudFormation template reference of each type, or why it has none. A type
 * missing from this list fails the test: a new kind of resource must be classified before it can
 * be deployed, so a fixed name cannot slip in unnoticed.
 */
const NAME_PROPERTY: Readonly<Record<string, readonly string[] | { readonly none: string }>> = {
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::EC2::EIP': { none: 'an address, no name' },
  'AWS::EC2::FlowLog': { none: 'no name property' },
  'AWS::EC2::InternetGateway': { none: 'no name property (a Name tag is not an identifier)' },
  'AWS::EC2::NatGateway': { none: 'no name property' },
  'AWS::EC2::Route': { none: 'no name property' },
  'AWS::EC2::RouteTable': { none: 'no name property' },
  'AWS::EC2::SecurityGroup': ['GroupName'],
  'AWS::EC2::SecurityGroupEgress': { none: 'a rule of a group' },
  'AWS::EC2::SecurityGroupIngress': { none: 'a rule of a group' },
  'AWS::EC2::Subnet': { none: 'no name property' },
  'AWS::EC2::SubnetRouteTableAssociation': { none: 'an association' },
  'AWS::EC2::VPC': { none: 'no name property' },
  'AWS::EC2::VPCEndpoint': { none: 'ServiceName names the AWS service, not the endpoint' },
  'AWS::EC2::VPCGatewayAttachment': { none: 'an attachment' },
  'AWS::Events::Rule': ['Name'],
  'AWS::Glue::Crawler': ['Name'],
  'AWS::Glue::Database': ['DatabaseInput.Name'],
  'AWS::Glue::Table': ['TableInput.Name'],
  'AWS::IAM::Policy': {
    none: "PolicyName is scoped to the roles it is attached to, not the account's names",
  },
  'AWS::IAM::Role': ['RoleName'],
  'AWS::Lambda::EventInvokeConfig': { none: 'configuration of a function' },
  'AWS::Lambda::EventSourceMapping': { none: 'identified by a generated UUID' },
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::Lambda::Permission': { none: 'a statement of a function policy' },
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::MSK::ServerlessCluster': ['ClusterName'],
  'AWS::RedshiftServerless::Namespace': ['NamespaceName'],
  'AWS::RedshiftServerless::Workgroup': ['WorkgroupName'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::S3::BucketPolicy': { none: 'the policy of a bucket' },
  'AWS::SNS::Subscription': { none: 'identified by a generated ARN' },
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::SNS::TopicPolicy': { none: 'the policy of a topic' },
  'AWS::SQS::Queue': ['QueueName'],
  'AWS::SQS::QueuePolicy': { none: 'the policy of a queue' },
  'AWS::SecretsManager::Secret': ['Name'],
  // Custom resources: their physical id is what their handler returns.
  'Custom::KafkaTopic': ['Topic'],
  'Custom::RedshiftSql': { none: 'the handler returns an id of its own; it creates nothing with a name' },
  'Custom::RedshiftServerlessUsageLimit': { none: 'the usage limit id Redshift generates' },
  'Custom::CrawlerLogGroup': {
    none: "calls CreateLogGroup on Glue's shared /aws-glue/crawlers (kept if it exists) and never deletes it",
  },
  'Custom::CrawlerLogRetention': { none: 'sets the retention of that shared log group; nothing to delete' },
  'Custom::S3AutoDeleteObjects': { none: 'empties a bucket on delete; owns nothing' },
  'Custom::VpcRestrictDefaultSG': { none: 'removes the default security group rules; owns nothing' },
};

const CONFIGURATIONS = {
  default: {},
  'dataRemovalPolicy destroy': { dataRemovalPolicy: 'destroy', alarmEmail: 'ops@example.com' },
} as const;

interface Named {
  readonly stack: 'data' | 'pipeline';
  readonly id: string;
  readonly resource: CfnResource;
  readonly name: unknown;
}

function valueAt(properties: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], properties);
}

/** Every resource of a template that sets one of its type's name properties. */
function fixedNames(stack: Named['stack'], template: Template): Named[] {
  const found: Named[] = [];
  for (const [id, resource] of Object.entries(resources(template))) {
    const rule = NAME_PROPERTY[resource.Type];
    assert.ok(rule, `${id}: resource type ${resource.Type} is not classified in NAME_PROPERTY`);
    if (!Array.isArray(rule)) continue;
    for (const path of rule) {
      const name = valueAt(resource.Properties, path);
      if (name !== undefined) found.push({ stack, id, resource, name });
    }
  }
  return found;
}

for (const [label, context] of Object.entries(CONFIGURATIONS)) {
  describe(`resources with a fixed physical name (${label})`, () => {
    const { data, pipeline, config } = synthesize({ context });
    const named = [...fixedNames('data', data), ...fixedNames('pipeline', pipeline)];
    const retain = config.dataRemovalPolicy === 'retain';

    it('are found: the Glue database and tables, the cluster, its topic, the namespace and its logs, the workgroup, the loader role', () => {
      const types = named.map((n) => n.resource.Type).sort();
      assert.deepEqual(types, [
        'AWS::Glue::Database',
        'AWS::Glue::Table',
        'AWS::Glue::Table',
        'AWS::Glue::Table',
        'AWS::IAM::Role',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::MSK::ServerlessCluster',
        'AWS::RedshiftServerless::Namespace',
        'AWS::RedshiftServerless::Workgroup',
        'Custom::KafkaTopic',
      ]);
    });

    it('none is kept when the stack operation that created it rolls back (never Retain or Snapshot)', () => {
      for (const { id, resource } of named) {
        assert.ok(
          ['RetainExceptOnCreate', 'Delete', undefined].includes(resource.DeletionPolicy),
          `${id} (${resource.Type}) has DeletionPolicy ${resource.DeletionPolicy}`,
        );
      }
    });

    it(
      retain
        ? 'those of the data stack are kept on update and delete; those of the pipeline stack are deleted'
        : 'all are deleted with their stack',
      () => {
        for (const { stack, id, resource } of named) {
          const kept = retain && stack === 'data';
          assert.equal(resource.DeletionPolicy ?? 'Delete', kept ? 'RetainExceptOnCreate' : 'Delete', id);
          assert.equal(resource.UpdateReplacePolicy ?? 'Delete', kept ? 'Retain' : 'Delete', id);
        }
      },
    );

    it('the topic resource deletes the topic only when the data is not retained', () => {
      const topic = named.find((n) => n.resource.Type === 'Custom::KafkaTopic');
      assert.equal(topic?.resource.Properties.RetainOnDelete, String(retain));
    });
  });
}
