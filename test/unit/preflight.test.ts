import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Check } from '../../lambdas/cli/deploy/checklist.js';
import { checklistStatus, formatChecklist } from '../../lambdas/cli/deploy/checklist.js';
import { monthlyCost } from '../../lambdas/cli/deploy/cost-estimate.js';
import { deployConfig } from '../../lambdas/cli/deploy/deploy-config.js';
import { type PreflightAws, preflightChecks } from '../../lambdas/cli/deploy/preflight.js';
import { DEFAULT_CONFIG } from '../../lib/config.js';

const ZONES = [
  { name: 'ap-northeast-2a', id: 'apne2-az1', state: 'available' },
  { name: 'ap-northeast-2b', id: 'apne2-az2', state: 'available' },
  { name: 'ap-northeast-2c', id: 'apne2-az3', state: 'available' },
  { name: 'ap-northeast-2d', id: 'apne2-az4', state: 'available' },
];

/** An account answering as a person's would; each field can be replaced by a failure. */
function account(
  overrides: Partial<PreflightAws> = {},
  stacks: Record<string, Record<string, string>> = {},
): PreflightAws {
  const all: Record<string, { status: string; outputs: Record<string, string> }> = {
    CDKToolkit: { status: 'CREATE_COMPLETE', outputs: { BootstrapVersion: '29' } },
    ...Object.fromEntries(
      Object.entries(stacks).map(([name, outputs]) => [name, { status: 'CREATE_COMPLETE', outputs }]),
    ),
  };
  return {
    callerIdentity: async () => ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/person' }),
    availabilityZones: async () => ZONES,
    stack: async (name) => all[name],
    secretState: async () => 'set',
    ...overrides,
  };
}

const byName = (checks: Check[], name: string) => {
  const check = checks.find((c) => c.name === name);
  assert.ok(check, `a check named ${name} (have ${checks.map((c) => c.name).join(', ')})`);
  return check;
};

describe('preflight', () => {
  it('says go for a bootstrapped account with the default zones, and notes the cost and the secret to come', async () => {
    const checks = await preflightChecks(DEFAULT_CONFIG, account());
    assert.equal(checklistStatus(checks), 0, formatChecklist('', checks));
    assert.match(byName(checks, 'credentials').found, /account 123456789012/);
    assert.match(
      byName(checks, 'availability zones').found,
      /ap-northeast-2a = apne2-az1, ap-northeast-2b = apne2-az2, ap-northeast-2c = apne2-az3/,
    );
    assert.equal(byName(checks, 'API key secret').status, 'note');
    assert.match(
      byName(checks, 'monthly cost').found,
      /about \$774–\$814 \(\$672 of it the MSK Serverless cluster/,
    );
    assert.equal(byName(checks, 'Redshift usage').status, 'go');
  });

  it('says no-go, with what to do, for each kind of problem', async () => {
    const cases: [string, PreflightAws, string, RegExp][] = [
      [
        'no credentials',
        account({
          callerIdentity: async () =>
            Promise.reject(new Error('Could not load credentials from any providers')),
        }),
        'credentials',
        /aws configure/,
      ],
      [
        'no bootstrap',
        account({ stack: async () => undefined }),
        'bootstrap',
        /npx cdk bootstrap aws:\/\/123456789012\/ap-northeast-2/,
      ],
      [
        'an old bootstrap',
        account({
          stack: async (n) =>
            n === 'CDKToolkit'
              ? { status: 'UPDATE_COMPLETE', outputs: { BootstrapVersion: '5' } }
              : undefined,
        }),
        'bootstrap',
        /npx cdk bootstrap/,
      ],
      [
        'a failed bootstrap',
        account({
          stack: async (n) => (n === 'CDKToolkit' ? { status: 'ROLLBACK_COMPLETE', outputs: {} } : undefined),
        }),
        'bootstrap',
        /npx cdk bootstrap/,
      ],
      [
        'a zone the account lacks',
        account({ availabilityZones: async () => ZONES.filter((z) => z.name !== 'ap-northeast-2b') }),
        'availability zones',
        /ap-northeast-2a, ap-northeast-2c, ap-northeast-2d/,
      ],
      [
        'an impaired zone',
        account({
          availabilityZones: async () =>
            ZONES.map((z) => (z.name === 'ap-northeast-2c' ? { ...z, state: 'impaired' } : z)),
        }),
        'availability zones',
        /availabilityZones=/,
      ],
      [
        'zones not readable',
        account({ availabilityZones: async () => Promise.reject(new Error('UnauthorizedOperation')) }),
        'availability zones',
        /ec2:DescribeAvailabilityZones/,
      ],
    ];
    for (const [label, aws, name, todo] of cases) {
      const checks = await preflightChecks(DEFAULT_CONFIG, aws);
      const check = byName(checks, name);
      assert.equal(check.status, 'no-go', label);
      assert.match(check.todo ?? '', todo, label);
      assert.equal(checklistStatus(checks), 1, label);
    }
  });

  it('reads the API key secret once the data stack exists: empty or missing is no-go, set is go', async () => {
    const stacks = { 'SeoulPopulation-Data': { ApiKeySecretName: 'ApiKeySecret-abc' } };
    for (const [state, status] of [
      ['empty', 'no-go'],
      ['missing', 'no-go'],
      ['set', 'go'],
    ] as const) {
      const checks = await preflightChecks(
        DEFAULT_CONFIG,
        account({ secretState: async () => state }, stacks),
      );
      const secret = byName(checks, 'API key secret');
      assert.equal(secret.status, status, state);
      if (status === 'no-go') assert.match(secret.todo ?? '', /step 4/);
    }
  });

  it('refuses a region without MSK Serverless, and a stack that cannot be updated', async () => {
    const elsewhere = await preflightChecks(
      deployConfig(['region=sa-east-1']),
      account({ availabilityZones: async () => [] }),
    );
    assert.equal(byName(elsewhere, 'region').status, 'no-go');
    const broken = await preflightChecks(
      DEFAULT_CONFIG,
      account({
        stack: async (name): Promise<{ status: string; outputs: Record<string, string> } | undefined> =>
          name === 'CDKToolkit'
            ? { status: 'CREATE_COMPLETE', outputs: { BootstrapVersion: '29' } }
            : name === 'SeoulPopulation-Data'
              ? { status: 'ROLLBACK_COMPLETE', outputs: {} }
              : undefined,
      }),
    );
    assert.match(
      byName(broken, 'stack SeoulPopulation-Data').todo ?? '',
      /npx cdk destroy SeoulPopulation-Data/,
    );
  });

  it('weighs the usage limit against the RPU estimate of the configuration', async () => {
    const low = await preflightChecks(deployConfig(['redshiftUsageLimitRpuHours=50']), account());
    assert.equal(byName(low, 'Redshift usage').status, 'no-go', 'below the low estimate');
    const tight = await preflightChecks(deployConfig(['redshiftUsageLimitRpuHours=150']), account());
    assert.equal(byName(tight, 'Redshift usage').status, 'note', 'between the low and the high estimate');
    const none = await preflightChecks(deployConfig(['redshiftUsageLimitRpuHours=0']), account());
    assert.match(byName(none, 'Redshift usage').found, /no usage limit/);
  });

  it('estimates the cost the deploy guide tabulates', () => {
    const cost = monthlyCost({
      natGateways: 1,
      topicPartitions: 3,
      runIntervalMinutes: 20,
      redshiftBaseCapacity: 8,
      loaderSchedule: 'cron(10 0/3 * * ? *)',
    });
    assert.equal(Math.round(cost.lines[0]?.low ?? 0), 672, '730 h × $0.92');
    assert.equal(Math.round(cost.lines[2]?.low ?? 0), 47, '730 h × ($0.059 + $0.005) + 2 GB × $0.059');
    assert.deepEqual([Math.round(cost.total.low), Math.round(cost.total.high)], [774, 814]);
    const three = monthlyCost({
      natGateways: 3,
      topicPartitions: 3,
      runIntervalMinutes: 20,
      redshiftBaseCapacity: 8,
      loaderSchedule: 'cron(10 0/3 * * ? *)',
    });
    assert.equal(Math.round(three.total.low - cost.total.low), 93, 'two more NAT gateways');
  });
});
