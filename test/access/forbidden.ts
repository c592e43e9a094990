import { LAKE_AREAS } from '../../lambdas/core/tables.js';
import type { AccessRequest } from './simulate.js';
import { ACCOUNT, type AccessModel, REGION } from './template-model.js';

/**
 * Calls that must be Denied: what a bug or a compromised function could try, and what another
 * account could try. Each is a class, tried on every member the templates hold (every lake area,
 * every role, both secrets), not on one example.
 */

/** An account that is not the deployment's, with an identity policy that allows it everything. */
export const OUTSIDE_ACCOUNT = '999999999999';
const OUTSIDER = `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/outsider`;
const EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const objectIn = (bucketArn: string, area: string) =>
  `${bucketArn}/${area}/year=2026/month=07/day=16/hour=23/minute=20/sample.parquet`;

const denied = (request: Omit<AccessRequest, 'expect'>): AccessRequest => ({ ...request, expect: 'Denied' });

function lakeBucketArn(model: AccessModel): string {
  const writer = model.function('writer');
  return `arn:aws:s3:::${model.value(writer.environment.LAKE_BUCKET, writer.template)}`;
}

export function forbiddenRequests(model: AccessModel): AccessRequest[] {
  const requests: AccessRequest[] = [];
  const lake = lakeBucketArn(model);
  const asFunction = (handler: string, action: string, resource: string, why: string) => {
    const fn = model.function(handler);
    return denied({
      principal: `${handler} function`,
      principalArn: fn.sessionArn,
      identityPolicies: fn.role.policies,
      action,
      resource,
      context: {},
      source: why,
    });
  };

  // The writer overwrites its own files; it never deletes lake objects or their versions.
  for (const area of LAKE_AREAS)
    for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion'])
      requests.push(
        asFunction('writer', action, objectIn(lake, area), 'the writer must not delete lake objects'),
      );

  // The fetcher only writes its run outcomes; it reads nothing of the lake.
  for (const area of LAKE_AREAS)
    requests.push(
      asFunction('fetcher', 's3:GetObject', objectIn(lake, area), 'the fetcher must not read the lake'),
    );

  // Only the SQL runner reads the namespace's admin secret: every other role of both stacks is refused.
  const adminSecret = (() => {
    const runner = model.function('sql-runner');
    return model.value(runner.environment.ADMIN_SECRET_ARN, runner.template);
  })();
  const runnerRole = model.function('sql-runner').role.arn;
  for (const role of model.roles.filter((r) => r.arn !== runnerRole))
    requests.push(
      denied({
        principal: `role ${role.template}/${role.logicalId}`,
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/session`,
        identityPolicies: role.policies,
        action: 'secretsmanager:GetSecretValue',
        resource: adminSecret,
        context: {},
        source: 'only the SQL runner may read the admin secret',
      }),
    );

  // Another account, however much its own policies allow, reaches nothing of the stacks.
  const apiKeySecret = (() => {
    const fetcher = model.function('fetcher');
    return model.value(fetcher.environment.SEOUL_API_KEY_SECRET_ARN, fetcher.template);
  })();
  const topic = model
    .resourcesOfType('AWS::SNS::Topic')
    .map((t) => model.value({ Ref: t.logicalId }, t.template));
  const queues = model
    .resourcesOfType('AWS::SQS::Queue')
    .map((q) => model.value({ 'Fn::GetAtt': [q.logicalId, 'Arn'] }, q.template));
  const cluster = (() => {
    const fetcher = model.function('fetcher');
    return model.value(fetcher.environment.MSK_CLUSTER_ARN, fetcher.template);
  })();
  const outside: [string, string][] = [
    ...LAKE_AREAS.flatMap((area): [string, string][] => [
      ['s3:GetObject', objectIn(lake, area)],
      ['s3:PutObject', objectIn(lake, area)],
    ]),
    ['s3:ListBucket', lake],
    ['secretsmanager:GetSecretValue', adminSecret],
    ['secretsmanager:GetSecretValue', apiKeySecret],
    ...topic.map((arn): [string, string] => ['sns:Publish', arn]),
    ...queues.map((arn): [string, string] => ['sqs:SendMessage', arn]),
    ...[...model.functions.values()].map((fn): [string, string] => ['lambda:InvokeFunction', fn.arn]),
    ...model.roles.map((role): [string, string] => ['sts:AssumeRole', role.arn]),
    ['kafka-cluster:Connect', cluster],
  ];
  for (const [action, resource] of outside)
    requests.push(
      denied({
        principal: `role in account ${OUTSIDE_ACCOUNT}`,
        principalArn: OUTSIDER,
        identityPolicies: [{ name: 'everything', policy: EVERYTHING }],
        action,
        resource,
        context: {},
        source: 'no principal of another account',
      }),
    );

  // Services acting for another account's resources (confused deputy): an alarm and a rule elsewhere.
  const elsewhere = `arn:aws:cloudwatch:${REGION}:${OUTSIDE_ACCOUNT}:alarm:theirs`;
  for (const arn of topic)
    requests.push(
      denied({
        principal: 'cloudwatch.amazonaws.com (another account’s alarm)',
        principalArn: 'cloudwatch.amazonaws.com',
        identityPolicies: [],
        action: 'sns:Publish',
        resource: arn,
        context: { 'aws:SourceArn': elsewhere, 'aws:SourceAccount': OUTSIDE_ACCOUNT },
        source: 'an alarm of another account must not use the topic',
      }),
    );
  for (const fn of model.functions.values())
    requests.push(
      denied({
        principal: 'events.amazonaws.com (another account’s rule)',
        principalArn: 'events.amazonaws.com',
        identityPolicies: [],
        action: 'lambda:InvokeFunction',
        resource: fn.arn,
        context: {
          'aws:SourceArn': `arn:aws:events:${REGION}:${OUTSIDE_ACCOUNT}:rule/theirs`,
          'aws:SourceAccount': OUTSIDE_ACCOUNT,
        },
        source: 'a rule of another account must not invoke the functions',
      }),
    );
  return requests;
}
