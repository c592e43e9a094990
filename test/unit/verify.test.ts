import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandIo } from '../../lambdas/cli/command-io.js';
import { verifyCommand } from '../../lambdas/cli/commands/verify.js';
import type { Check } from '../../lambdas/cli/deploy/checklist.js';
import { checklistStatus, formatChecklist } from '../../lambdas/cli/deploy/checklist.js';
import { cloudWatchMayPublish } from '../../lambdas/cli/deploy/topic-policy.js';
import { type VerifyAws, verifyChecks } from '../../lambdas/cli/deploy/verify.js';
import { DEFAULT_CONFIG } from '../../lib/config.js';

const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:ap-northeast-2:${ACCOUNT}:alarms`;
const ALARM = `arn:aws:cloudwatch:ap-northeast-2:${ACCOUNT}:alarm:SeoulPopulation-Pipeline-MissedRun`;
/** The topic policy the pipeline stack deploys (its shape, as `test/infra/stacks.test.ts` asserts it). */
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowPublishThroughSSLOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: TOPIC,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'AllowThisStacksAlarmsToPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: TOPIC,
      Condition: { ArnLike: { 'aws:SourceArn': [ALARM] }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    },
  ],
});

/**
 * A deployed pipeline as verify sees it, on a clock the test moves: the fetcher's run shows up in
 * the lake and the catalog `appearsAfterMs` after the invocation.
 */
function deployed(
  overrides: Partial<VerifyAws> = {},
  appearsAfterMs = 40_000,
): VerifyAws & { calls: string[] } {
  let clock = Date.parse('2026-11-30T03:21:30Z');
  let invokedAt: number | undefined;
  const visible = () => invokedAt !== undefined && clock >= invokedAt + appearsAfterMs;
  const calls: string[] = [];
  return {
    calls,
    stackOutputs: async (name): Promise<Record<string, string>> =>
      name.endsWith('-Data')
        ? {
            LakeBucketName: 'lake',
            GlueDatabaseName: 'seoul_population',
            RedshiftAdminSecretArn: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:admin-abc',
          }
        : { FetcherFunctionName: 'fetcher', RedshiftWorkgroupName: 'wg', AlarmTopicArn: TOPIC },
    account: async () => ACCOUNT,
    invoke: async (name, payload) => {
      calls.push(`invoke ${name} ${JSON.stringify(payload)}`);
      invokedAt = clock;
      return { ok: true, answer: { places: { asked: 121, ok: 121, noData: 0, failed: 0 }, published: 121 } };
    },
    listKeys: async (_bucket, prefix) => (visible() ? [`${prefix}file.parquet`] : []),
    partitionExists: async () => visible(),
    query: async (_target, sql) => {
      calls.push(sql);
      return [{ n: sql.includes('spectrum.') ? 121 : 0 }];
    },
    subscriptions: async () => [{ protocol: 'email', endpoint: 'ops@example.com', confirmed: true }],
    topicPolicy: async () => POLICY,
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => new Date(clock),
    ...overrides,
  };
}

const byName = (checks: Check[], name: string) => {
  const check = checks.find((c) => c.name === name);
  assert.ok(check, `a check named ${name} (have ${checks.map((c) => c.name).join(', ')})`);
  return check;
};

describe('verify', () => {
  it('passes a working deploy: one collection, its files and partitions, both queries, a subscriber, the topic policy', async () => {
    const aws = deployed();
    const checks = await verifyChecks(DEFAULT_CONFIG, aws, { waitMs: 180_000, pollMs: 10_000 });
    assert.equal(checklistStatus(checks), 0, formatChecklist('', checks));
    assert.deepEqual(
      checks.map((c) => c.name),
      [
        'stacks',
        'collect once',
        'lake files',
        'catalog partitions',
        'Spectrum query',
        'native query',
        'alarm subscribers',
        'CloudWatch may publish',
      ],
    );
    // The run of 03:21 UTC is the partition of 12:21 KST.
    assert.equal(aws.calls[0], 'invoke fetcher {"time":"2026-11-30T03:21:00.000Z"}');
    assert.match(
      aws.calls[1] ?? '',
      /FROM spectrum\.population WHERE year = '2026' AND month = '11' AND day = '30' AND hour = '12' AND minute = '21'/,
    );
    assert.match(byName(checks, 'native query').found, /loader has not loaded yet/);
  });

  it('fails each check on its own, and says what to do', async () => {
    const cases: [string, Partial<VerifyAws>, string, RegExp][] = [
      ['stacks missing', { stackOutputs: async () => undefined }, 'stacks', /steps 3 and 5/],
      [
        'empty secret',
        {
          invoke: async () => ({
            ok: false,
            error: 'secret arn:… is empty: store your Seoul open data portal key in it',
          }),
        },
        'collect once',
        /step 4/,
      ],
      [
        'broker down',
        { invoke: async () => ({ ok: false, error: 'KafkaJSConnectionError: broker b-1 unreachable' }) },
        'collect once',
        /MSK cluster/,
      ],
      [
        'nothing published',
        {
          invoke: async () => ({
            ok: true,
            answer: { places: { asked: 121, ok: 0, failed: 121 }, published: 0 },
          }),
        },
        'collect once',
        /fetcher log/,
      ],
      ['writer stuck', { listKeys: async () => [] }, 'lake files', /writer log/],
      ['no partitions', { partitionExists: async () => false }, 'catalog partitions', /crawler/],
      [
        'no tables',
        { query: async () => Promise.reject(new Error('ERROR: relation "population" does not exist')) },
        'native query',
        /SQL runner/,
      ],
      [
        'usage limit',
        { query: async () => Promise.reject(new Error('ERROR: Query reached usage limit')) },
        'Spectrum query',
        /redshiftUsageLimitRpuHours/,
      ],
      ['no subscriber', { subscriptions: async () => [] }, 'alarm subscribers', /alarmEmail/],
      [
        'unconfirmed',
        { subscriptions: async () => [{ protocol: 'email', endpoint: 'a@b.c', confirmed: false }] },
        'alarm subscribers',
        /confirm/,
      ],
      [
        'deny-only policy',
        { topicPolicy: async () => JSON.stringify({ Statement: [JSON.parse(POLICY).Statement[0]] }) },
        'CloudWatch may publish',
        /redeploy/,
      ],
    ];
    for (const [label, overrides, name, todo] of cases) {
      const checks = await verifyChecks(DEFAULT_CONFIG, deployed(overrides), {
        waitMs: 60_000,
        pollMs: 10_000,
      });
      const check = byName(checks, name);
      assert.equal(check.status, 'no-go', `${label}: ${formatChecklist('', checks)}`);
      assert.match(check.todo ?? '', todo, label);
      assert.equal(checklistStatus(checks), 1, label);
    }
  });

  it('waits for the run as long as it is told, and no longer', async () => {
    const late = await verifyChecks(DEFAULT_CONFIG, deployed({}, 200_000), {
      waitMs: 180_000,
      pollMs: 10_000,
    });
    assert.equal(byName(late, 'lake files').status, 'no-go');
    const inTime = await verifyChecks(DEFAULT_CONFIG, deployed({}, 170_000), {
      waitMs: 180_000,
      pollMs: 10_000,
    });
    assert.equal(byName(inTime, 'lake files').status, 'go');
  });
});

describe('the verify command reads LOG_LEVEL as a setting', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    const value: CommandIo = {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      signal: new AbortController().signal,
    };
    return { io: value, out, err };
  };

  it('passes the level to the AWS clients, warn when unset', async () => {
    for (const [env, expected] of [
      [{}, 'warn'],
      [{ LOG_LEVEL: 'debug' }, 'debug'],
      [{ LOG_LEVEL: ' INFO ' }, 'info'],
      [{ LOG_LEVEL: '' }, 'warn'],
    ] as const) {
      const seen: string[] = [];
      const status = await verifyCommand([], env, io().io, async (_region, level) => {
        seen.push(level);
        return deployed();
      });
      assert.equal(status, 0);
      assert.deepEqual(seen, [expected]);
    }
  });

  it('refuses a level it does not know with exit 2, naming the variable, before any AWS call', async () => {
    for (const bad of ['verbose', 'debugg', '1', 'warn,info']) {
      const { io: value, err } = io();
      let called = false;
      const status = await verifyCommand([], { LOG_LEVEL: bad }, value, async () => {
        called = true;
        return deployed();
      });
      assert.equal(status, 2, `LOG_LEVEL=${JSON.stringify(bad)}`);
      assert.equal(called, false);
      assert.match(err.join('\n'), /LOG_LEVEL/);
    }
  });
});

describe('whether a topic policy lets CloudWatch alarms publish', () => {
  const statement = JSON.parse(POLICY).Statement as Record<string, unknown>[];
  const policy = (...statements: unknown[]) => JSON.stringify({ Statement: statements });
  it('accepts the deployed policy and the Knowledge Center forms', () => {
    assert.equal(cloudWatchMayPublish(POLICY, TOPIC, ACCOUNT).allowed, true);
    const plain = {
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com'] },
      Action: 'sns:Publish',
      Resource: TOPIC,
    };
    assert.equal(cloudWatchMayPublish(policy(plain), TOPIC, ACCOUNT).allowed, true);
    assert.equal(
      cloudWatchMayPublish(
        policy({ ...plain, Condition: { ArnLike: { 'aws:SourceArn': ALARM } } }),
        TOPIC,
        ACCOUNT,
      ).allowed,
      true,
    );
  });

  it('refuses every policy that would leave alarms unheard', () => {
    const allow = statement[1] as Record<string, unknown>;
    for (const [label, text] of [
      ['no policy', undefined],
      ['not JSON', '{'],
      ['TLS Deny only', policy(statement[0])],
      ['another service', policy({ ...allow, Principal: { Service: 'events.amazonaws.com' } })],
      ['another action', policy({ ...allow, Action: 'sns:Subscribe' })],
      ['another topic', policy({ ...allow, Resource: `${TOPIC}-other` })],
      [
        'another account',
        policy({ ...allow, Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } }),
      ],
      [
        'a Deny for CloudWatch',
        policy(allow, {
          Effect: 'Deny',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: TOPIC,
        }),
      ],
    ] as const) {
      assert.equal(cloudWatchMayPublish(text, TOPIC, ACCOUNT).allowed, false, label);
    }
  });
});
