import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { failures, holds, type ProofResult, runProof, synthesizedApp } from '../access/proof.js';
import type { RecordedCall } from '../access/record.js';
import type { NamedTemplate } from '../access/template-model.js';

/**
 * The access proof's half that needs no record: the service paths the stacks wire up (all must be
 * Allowed) and the forbidden calls (all must be Denied), simulated with iam-simulate against the
 * synthesized templates. The recorded calls are proven after the integration tests
 * (test/access/access-proof.test.ts). Here also: the proof fails when the alarm topic's policy
 * is what `enforceSSL` alone makes of it (issue 19, item 1 reverted), or when a role gets a
 * forbidden grant.
 */
describe('access proof without the record: service paths and forbidden calls', () => {
  const { templates, wiring } = synthesizedApp();
  let result: ProofResult;

  before(async () => {
    result = await runProof(templates, wiring, []);
  });

  it('allows every service path the stacks wire up', () => {
    assert.deepEqual(failures({ ...result, forbidden: [] }), []);
    const paths = (pattern: RegExp) => result.paths.filter((d) => pattern.test(d.request.source)).length;
    const alarms = templates.flatMap((t) =>
      Object.values(t.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'),
    );
    assert.equal(paths(/^alarm .* → topic/), alarms.length, 'every alarm reaches its topic');
    assert.ok(
      result.paths.some(
        (d) => d.request.action === 'lambda:InvokeFunction' && /fetcher/i.test(d.request.resource),
      ),
    );
    assert.ok(
      result.paths.some(
        (d) => d.request.action === 'lambda:InvokeFunction' && /loader/i.test(d.request.resource),
      ),
    );
    assert.ok(paths(/Amazon MSK event source mappings/) >= 8, 'the MSK trigger, with the writer role');
    assert.ok(paths(/Capturing discarded batches/) >= 2, 'the trigger’s failure destination in S3');
    assert.ok(paths(/Redshift Spectrum/) > 0 && paths(/COPY from columnar/) > 0, 'the namespace role');
    assert.ok(paths(/crawler/) > 0, 'the crawler');
  });

  it('allows every call the deploy makes through AwsCustomResource, as its singleton function’s role', () => {
    // The oracle: the templates' own Create/Update/Delete properties of every resource the
    // singleton serves, read here by a regular expression rather than by the proof's parser.
    const expected = templates.flatMap((t) =>
      Object.entries(t.json.Resources).flatMap(([id, r]) => {
        const token = JSON.stringify(r.Properties?.ServiceToken ?? '');
        if (!token.includes('"AWS679f53fac002430cb0da5b7982bd2287')) return [];
        return (['Create', 'Update', 'Delete'] as const)
          .filter((event) => r.Properties?.[event] !== undefined)
          .map((event) => {
            const action = /\\"action\\":\\"(\w+)\\"/.exec(JSON.stringify(r.Properties?.[event]))?.[1];
            return `${id} ${action}`;
          });
      }),
    );
    assert.ok(expected.length >= 6, expected.join(', '));
    const proven = result.paths
      .filter((d) => d.request.principal.endsWith('(AwsCustomResource)'))
      .map((d) => `${d.request.principal.split(' ')[0]} ${d.request.action.split(':')[1]}`);
    assert.deepEqual([...new Set(proven)].sort(), [...new Set(expected)].sort());
  });

  it('fails when a deploy call loses its grant or has no rule: the usage limit policy removed, an unknown call', async () => {
    const changed = structuredClone(templates) as NamedTemplate[];
    const pipeline = changed.find((t) => /Pipeline$/.test(t.name)) as NamedTemplate;
    const [policyId] = Object.entries(pipeline.json.Resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('WarehouseUsageLimit'),
    ) as [string, unknown];
    delete pipeline.json.Resources[policyId];
    const data = changed.find((t) => /Data$/.test(t.name)) as NamedTemplate;
    const [, logGroup] = Object.entries(data.json.Resources).find(([id]) =>
      id.startsWith('CatalogCrawlerLogGroup'),
    ) as [string, { Properties: Record<string, unknown> }];
    logGroup.Properties.Create = String(logGroup.Properties.Create).replace(
      'CreateLogGroup',
      'DeleteLogGroup',
    );
    const broken = await runProof(changed, wiring, []);
    assert.equal(holds(broken), false);
    assert.deepEqual(
      broken.paths
        .filter((d) => !d.ok)
        .map((d) => d.request.action)
        .sort(),
      [
        'redshift-serverless:CreateUsageLimit',
        'redshift-serverless:DeleteUsageLimit',
        'redshift-serverless:UpdateUsageLimit',
      ],
    );
    assert.equal(broken.problems.length, 1, broken.problems.join('\n'));
    assert.match(
      broken.problems[0] ?? '',
      /CatalogCrawlerLogGroup.* Create: CloudWatchLogs DeleteLogGroup: no authorization rule/,
    );
  });

  it('denies every forbidden call: deletes by the writer, lake reads by the fetcher, the admin secret, another account', () => {
    assert.deepEqual(failures({ ...result, recorded: [], paths: [] }), []);
    const denied = (pattern: RegExp) => result.forbidden.filter((d) => pattern.test(d.request.source)).length;
    assert.equal(
      denied(/writer must not delete/),
      10,
      'five lake areas × (DeleteObject, DeleteObjectVersion)',
    );
    assert.equal(denied(/fetcher must not read/), 5);
    const roles = templates.flatMap((t) =>
      Object.values(t.json.Resources).filter((r) => r.Type === 'AWS::IAM::Role'),
    );
    assert.equal(denied(/only the SQL runner/), roles.length - 1, 'every role but the SQL runner’s');
    assert.ok(denied(/another account/) > 20);
  });

  it('fails when the alarm topic policy is reverted to what enforceSSL alone makes (issue 19, item 1)', async () => {
    assert.ok(holds({ ...result, recorded: [] }), 'the proof holds before the revert');
    const reverted = await runProof(withEnforceSslTopicPolicyOnly(templates), wiring, []);
    assert.equal(holds(reverted), false);
    const failed = [...reverted.paths, ...reverted.forbidden].filter((d) => !d.ok);
    assert.ok(failed.length > 0);
    for (const d of failed) {
      assert.equal(d.request.principal, 'cloudwatch.amazonaws.com');
      assert.equal(d.request.action, 'sns:Publish');
      assert.match(d.decision, /Denied$/);
    }
  });

  it('fails when a role gets a forbidden grant: the writer allowed to delete lake objects', async () => {
    const widened = structuredClone(templates) as NamedTemplate[];
    const pipeline = widened.find((t) => /Pipeline$/.test(t.name)) as NamedTemplate;
    const writerPolicy = Object.entries(pipeline.json.Resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('WriterFunctionServiceRoleDefaultPolicy'),
    )?.[1] as unknown as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    writerPolicy.Properties.PolicyDocument.Statement.push({
      Effect: 'Allow',
      Action: 's3:DeleteObject',
      Resource: '*',
    });
    const widenedResult = await runProof(widened, wiring, []);
    const failed = widenedResult.forbidden.filter((d) => !d.ok);
    assert.equal(failed.length, 5, 'one per lake area');
    assert.ok(
      failed.every(
        (d) => d.request.principal === 'writer function' && d.request.action === 's3:DeleteObject',
      ),
    );
  });
});

describe('access proof: a recorded call it cannot simulate fails it', () => {
  const { templates, wiring } = synthesizedApp();
  // Made-up record lines, one per way a call can escape simulation: the proof must refuse each.
  const principal = { as: 'function', handler: 'writer' } as const;
  const bucket = { value: 'lake-bucket', from: ['env:LAKE_BUCKET'] };
  const record: RecordedCall[] = [
    {
      kind: 'sdk',
      principal,
      client: 'S3Client',
      operation: 'PutBucketPolicy',
      params: { Bucket: bucket },
      testFile: 'x',
    },
    {
      kind: 'sdk',
      principal,
      client: 'S3Client',
      operation: 'PutObject',
      params: { Bucket: { value: 'someone-elses-bucket', from: [] }, Key: { value: 'k', from: [] } },
      testFile: 'x',
    },
    { kind: 'sdk', principal, client: 'EC2Client', operation: 'DescribeVpcs', params: {}, testFile: 'x' },
    {
      kind: 'kafka',
      principal: { ...principal, kafkaCluster: 'mapping:EventSourceArn' },
      api: 'UNKNOWN:describeAcls',
      topics: [],
      groups: [],
      transactionalIds: [],
      unknownMethod: 'describeAcls',
      testFile: 'x',
    },
    {
      kind: 'kafka',
      principal: { ...principal, kafkaCluster: 'mapping:EventSourceArn' },
      api: 'FETCH',
      topics: [{ value: 'a-topic-nobody-configured', from: [] }],
      groups: [],
      transactionalIds: [],
      testFile: 'x',
    },
    {
      kind: 'sdk',
      principal: { as: 'function', handler: 'no-such-handler' },
      client: 'S3Client',
      operation: 'PutObject',
      params: {},
      testFile: 'x',
    },
  ];

  it('names each one as a call without a simulation, and does not hold', async () => {
    const result = await runProof(templates, wiring, record);
    assert.equal(result.problems.length, record.length, result.problems.join('\n'));
    assert.match(result.problems[0] ?? '', /PutBucketPolicy.*no authorization rule/);
    assert.match(
      result.problems[1] ?? '',
      /bucket "someone-elses-bucket" comes from none of the function's configured slots/,
    );
    assert.match(result.problems[3] ?? '', /describeAcls/);
    assert.match(result.problems[4] ?? '', /topic "a-topic-nobody-configured"/);
    assert.match(result.problems[5] ?? '', /no project function runs lambdas\/no-such-handler/);
    assert.equal(holds(result), false);
  });
});

/**
 * The templates with the alarm topic's policy replaced by the one CDK makes for a topic with
 * `enforceSSL: true` and nothing added: a Deny of plain HTTP, which replaces SNS's default policy.
 */
function withEnforceSslTopicPolicyOnly(templates: readonly NamedTemplate[]): NamedTemplate[] {
  const scratchApp = new App();
  const scratch = new Stack(scratchApp, 'Scratch');
  new sns.Topic(scratch, 'Topic', { enforceSSL: true });
  const resources = scratchApp.synth().getStackByName('Scratch').template.Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const topicId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')?.[0] as string;
  const sslOnly = Object.values(resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')?.Properties
    .PolicyDocument;
  const copy = structuredClone(templates) as NamedTemplate[];
  let replaced = 0;
  for (const t of copy) {
    const alarmTopics = new Set(
      Object.values(t.json.Resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .flatMap((r) => (r.Properties?.AlarmActions ?? []) as { Ref?: string }[])
        .map((a) => a.Ref),
    );
    for (const r of Object.values(t.json.Resources)) {
      if (r.Type !== 'AWS::SNS::TopicPolicy') continue;
      const [topic] = (r.Properties?.Topics ?? []) as { Ref?: string }[];
      if (!topic?.Ref || !alarmTopics.has(topic.Ref)) continue;
      (r.Properties as Record<string, unknown>).PolicyDocument = JSON.parse(
        JSON.stringify(sslOnly).split(`"${topicId}"`).join(`"${topic.Ref}"`),
      );
      replaced++;
    }
  }
  assert.equal(replaced, 1, 'one alarm topic policy replaced');
  return copy;
}
