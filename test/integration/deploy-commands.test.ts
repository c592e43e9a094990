import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateTopicCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sdkVerifyAws } from '../../lambdas/cli/deploy/aws-clients.js';
import { checklistStatus, formatChecklist } from '../../lambdas/cli/deploy/checklist.js';
import { deployConfig } from '../../lambdas/cli/deploy/deploy-config.js';
import { verifyChecks } from '../../lambdas/cli/deploy/verify.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { GlueCatalog } from '../../lambdas/core/catalog/glue-catalog.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import {
  fetcherSettingsFromEnv,
  runScheduledCollection,
} from '../../lambdas/fetcher/scheduled-collection.js';
import { synthesize } from '../infra/support/synth.js';
import { evaluate, resourcesOfType } from '../infra/support/template-queries.js';
import { runCli } from '../support/cli.js';
import { sourceRecords } from '../support/envelopes.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import { createBucket, createGlueTables, listKeys, readParquetFromS3 } from './support/aws.js';
import { uniqueName } from './support/environment.js';

/**
 * `npm run preflight` and `npm run verify` against moto, which serves STS, EC2's zones,
 * CloudFormation stacks and their outputs, Secrets Manager, S3, Glue and SNS. Moto cannot run a
 * Lambda function nor answer Redshift SQL: verify's `invoke` and `query` are test doubles, and the
 * invoke double is the fetcher's real core, with the writer as the MSK trigger would call it, so
 * verify finds real Parquet files and real Glue partitions in moto.
 */
const REGION = 'ap-northeast-2';
const cloudFormation = new CloudFormationClient({ region: REGION });
const secrets = new SecretsManagerClient({ region: REGION });
const sns = new SNSClient({ region: REGION });
const prefix = uniqueName('ItPre').replace(/[^A-Za-z0-9]/g, '');

/** A stack in moto holding only outputs (an SNS topic, because a stack needs a resource). */
async function stackWithOutputs(name: string, outputs: Record<string, string>): Promise<void> {
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({
        Resources: { Placeholder: { Type: 'AWS::SNS::Topic' } },
        Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
      }),
    }),
  );
}

/** Intrinsics of a template node replaced by sample values (evaluate), objects and lists kept. */
function render(node: unknown, given: Parameters<typeof evaluate>[1]): unknown {
  if (Array.isArray(node)) return node.map((item) => render(item, given));
  if (node && typeof node === 'object') {
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) return evaluate(node, given);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, render(value, given)]));
  }
  return node;
}

describe('npm run preflight, as a person runs it, against moto', () => {
  const preflight = () => runCli(['preflight', '-c', `stackPrefix=${prefix}`], {}, 120_000);
  const secretName = uniqueName('api-key');

  after(async () => {
    for (const name of ['CDKToolkit', `${prefix}-Data`]) {
      await cloudFormation.send(new DeleteStackCommand({ StackName: name })).catch(() => undefined);
    }
  });

  it('says no-go without the bootstrap stack, naming the command, with the account and zones AWS answers', async () => {
    const result = await preflight();
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const identity = await new STSClient({ region: REGION }).send(new GetCallerIdentityCommand({}));
    assert.match(result.stdout, new RegExp(`✔ credentials: account ${identity.Account} as `));
    assert.match(result.stdout, /✘ bootstrap: no CDKToolkit stack in this region/);
    assert.ok(result.stdout.includes(`→ npx cdk bootstrap aws://${identity.Account}/${REGION}`));
    const zones = await new EC2Client({ region: REGION }).send(new DescribeAvailabilityZonesCommand({}));
    const id = (name: string) => zones.AvailabilityZones?.find((z) => z.ZoneName === name)?.ZoneId;
    assert.ok(
      result.stdout.includes(
        `✔ availability zones: ap-northeast-2a = ${id('ap-northeast-2a')}, ap-northeast-2b = ${id('ap-northeast-2b')}, ap-northeast-2c = ${id('ap-northeast-2c')}`,
      ),
      result.stdout,
    );
    assert.match(result.stdout, /ℹ monthly cost: about \$774–\$814/);
    assert.match(result.stdout, /NO-GO: 1 check\(s\) failed/);
  });

  it('says no-go while the data stack’s API key secret is empty, and go once the key is in', async () => {
    await stackWithOutputs('CDKToolkit', { BootstrapVersion: '29' });
    await secrets.send(new CreateSecretCommand({ Name: secretName }));
    await stackWithOutputs(`${prefix}-Data`, { ApiKeySecretName: secretName });
    const empty = await preflight();
    assert.equal(empty.status, 1, empty.stdout);
    assert.match(empty.stdout, new RegExp(`✘ API key secret: ${secretName} is empty`));
    assert.match(empty.stdout, /→ put your Seoul open data key into it: step 4/);

    await secrets.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: 'a-key' }));
    const set = await preflight();
    assert.equal(set.status, 0, set.stdout);
    assert.match(set.stdout, /✔ bootstrap: CDKToolkit CREATE_COMPLETE, version 29/);
    assert.match(set.stdout, new RegExp(`✔ API key secret: ${secretName} holds a value`));
    assert.doesNotMatch(set.stdout, /a-key/, 'the value is never read, let alone printed');
    assert.match(set.stdout, /GO: nothing stops you\./);
  });

  it('answers --help and refuses a bad setting with exit 2', async () => {
    const help = await runCli(['preflight', '--help'], {});
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: npm run preflight/);
    const bad = await runCli(['preflight', '-c', 'natGateways=9'], {});
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"natGateways" must be a whole number from 1 to 3, got "9"/);
  });
});

describe('npm run verify against moto: stacks, lake, catalog and alarm topic real; the fetcher and the Data API behind doubles', () => {
  const KEY = 'verify-key';
  const simulator = new ApiSimulator({ validKeys: [KEY] });
  const bucket = uniqueName('lake');
  const database = uniqueName('seoul').replace(/-/g, '_');
  const config = deployConfig([`stackPrefix=${prefix}V`]);
  let topicArn = '';
  let baseUrl = '';
  let deployedPolicy = '';

  before(async () => {
    baseUrl = await simulator.start();
    await createBucket(bucket);
    await createGlueTables(database, bucket, '');
    topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alarms') }))).TopicArn as string;
    // The topic policy the pipeline stack deploys, from its synthesized template.
    const { pipeline } = synthesize();
    const policy = resourcesOfType(pipeline, 'AWS::SNS::TopicPolicy')[0]?.[1];
    assert.ok(policy, 'the pipeline stack has a topic policy');
    const account = topicArn.split(':')[4] as string;
    deployedPolicy = JSON.stringify(
      render(policy.Properties.PolicyDocument, {
        attributes: {
          ObservabilityAlarmTopic: topicArn,
          Alarm: `arn:aws:cloudwatch:${REGION}:${account}:alarm:an-alarm`,
        },
      }),
    ).replaceAll('123456789012', account);
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: deployedPolicy,
      }),
    );
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    await stackWithOutputs(`${config.stackPrefix}-Data`, {
      LakeBucketName: bucket,
      GlueDatabaseName: database,
      RedshiftAdminSecretArn: `arn:aws:secretsmanager:${REGION}:${account}:secret:admin-abc`,
    });
    await stackWithOutputs(`${config.stackPrefix}-Pipeline`, {
      FetcherFunctionName: 'fetcher',
      RedshiftWorkgroupName: 'wg',
      AlarmTopicArn: topicArn,
    });
  });
  after(async () => {
    await simulator.stop();
    for (const name of ['Data', 'Pipeline']) {
      await cloudFormation
        .send(new DeleteStackCommand({ StackName: `${config.stackPrefix}-${name}` }))
        .catch(() => undefined);
    }
  });

  /** The fetcher as Lambda would run it, and the writer as the MSK trigger would hand it the batch. */
  function fetcherDouble() {
    const s3 = new S3Client({ region: REGION });
    const store = new S3ObjectStore(s3, bucket);
    const catalog = new GlueCatalog(new GlueClient({ region: REGION }), database);
    const log = new MemoryLog();
    return async (name: string, payload: unknown) => {
      assert.equal(name, 'fetcher');
      const summary = await runScheduledCollection(payload, {
        settings: {
          ...fetcherSettingsFromEnv({ SEOUL_API_BASE_URL: baseUrl }),
          placeCodes: ['POI009', 'POI072'],
        },
        apiKey: async () => KEY,
        store,
        catalog,
        log,
        metrics: new MemoryMetrics(),
        publish: async (envelopes) => {
          await writeBatch(sourceRecords([...envelopes]), { store, catalog, log });
          return { published: envelopes.length, refused: [] };
        },
      });
      return { ok: true as const, answer: JSON.parse(JSON.stringify(summary)) };
    };
  }

  /** Redshift through Spectrum, played by DuckDB on the partition's Parquet in moto S3. */
  async function queryDouble(_target: unknown, sql: string) {
    const where =
      /year = '(\d+)' AND month = '(\d+)' AND day = '(\d+)' AND hour = '(\d+)' AND minute = '(\d+)'/.exec(
        sql,
      );
    if (!where) return [{ n: 0 }];
    const [, y, mo, d, h, mi] = where;
    const prefixOf = `population/year=${y}/month=${mo}/day=${d}/hour=${h}/minute=${mi}/`;
    const rows = await readParquetFromS3(bucket, await listKeys(bucket, prefixOf));
    return [{ n: rows.length }];
  }

  it('passes a working deploy, and names what to do when an alarm could not reach anyone', async () => {
    const aws = { ...sdkVerifyAws(REGION, new MemoryLog()), invoke: fetcherDouble(), query: queryDouble };
    const checks = await verifyChecks(config, aws, { waitMs: 30_000, pollMs: 1_000 });
    const text = formatChecklist('verify', checks);
    assert.equal(checklistStatus(checks), 0, text);
    assert.match(text, /✔ collect once: 2 of 2 places ok, 0 no data, 0 failed; 2 published/);
    assert.match(text, /✔ lake files: the run is in s3:\/\//);
    assert.match(text, /✔ catalog partitions: year=.* registered in .* for every table/);
    assert.match(text, /✔ Spectrum query: 2 row\(s\) of this run/);
    assert.match(text, /✔ alarm subscribers: email ops@example\.com/);
    assert.match(text, /✔ CloudWatch may publish/);

    // The policy before this fix: the TLS Deny alone.
    const denyOnly = JSON.parse(deployedPolicy) as { Statement: { Effect: string }[] };
    denyOnly.Statement = denyOnly.Statement.filter((s) => s.Effect === 'Deny');
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify(denyOnly),
      }),
    );
    const broken = await verifyChecks(config, aws, { waitMs: 30_000, pollMs: 1_000 });
    assert.equal(checklistStatus(broken), 1);
    assert.match(
      formatChecklist('verify', broken),
      /✘ CloudWatch may publish: no Allow for cloudwatch\.amazonaws\.com[\s\S]*→ redeploy the pipeline stack/,
    );
  });

  it('answers --help', async () => {
    const help = await runCli(['verify', '--help'], {});
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: npm run verify/);
  });
});
