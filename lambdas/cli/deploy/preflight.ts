import type { PipelineConfig } from '../../../lib/config.js';
import { describeError } from '../../core/errors.js';
import { estimateRpuHours } from '../../core/warehouse/rpu-estimate.js';
import type { Check } from './checklist.js';
import { monthlyCost } from './cost-estimate.js';

/** The read-only AWS calls preflight makes; an SDK implementation and test doubles fill it. */
export interface PreflightAws {
  /** STS GetCallerIdentity. */
  callerIdentity(): Promise<{ account: string; arn: string }>;
  /** EC2 DescribeAvailabilityZones of the region. */
  availabilityZones(): Promise<{ name: string; id: string; state: string }[]>;
  /** CloudFormation DescribeStacks of one stack; undefined when it does not exist. */
  stack(name: string): Promise<{ status: string; outputs: Record<string, string> } | undefined>;
  /** Secrets Manager DescribeSecret: whether a current value was ever put (the value is never read). */
  secretState(secretId: string): Promise<'set' | 'empty' | 'missing'>;
}

/**
 * Regions where MSK Serverless is available ("What is MSK Serverless?", Amazon MSK Developer
 * Guide). Redshift Serverless is available in more regions than these.
 */
export const MSK_SERVERLESS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
] as const;

/** The oldest bootstrap stack the CDK app's templates accept (their BootstrapVersion rule). */
export const MINIMUM_BOOTSTRAP_VERSION = 6;

const dollars = (value: number) => `$${Math.round(value)}`;

/**
 * Go/no-go before anything bills: who you are, where, whether CDK can deploy there, whether the
 * configured zones exist, whether the API key is in place, and what a month will cost. Every call
 * is read-only. A failed call is a failed check with what to do, never an exception.
 */
export async function preflightChecks(config: PipelineConfig, aws: PreflightAws): Promise<Check[]> {
  const checks: Check[] = [];
  let account: string | undefined;
  try {
    const identity = await aws.callerIdentity();
    account = identity.account;
    checks.push({
      name: 'credentials',
      status: 'go',
      found: `account ${identity.account} as ${identity.arn}`,
    });
  } catch (error) {
    checks.push({
      name: 'credentials',
      status: 'no-go',
      found: `no usable AWS credentials (${describeError(error)})`,
      todo: 'give the shell credentials for the account (aws configure, AWS_PROFILE or aws sso login) and run this again',
    });
  }

  const mskHere = (MSK_SERVERLESS_REGIONS as readonly string[]).includes(config.region);
  checks.push(
    mskHere
      ? { name: 'region', status: 'go', found: `${config.region}: MSK Serverless is available there` }
      : {
          name: 'region',
          status: 'no-go',
          found: `${config.region}: MSK Serverless is not available there`,
          todo: `choose one of ${MSK_SERVERLESS_REGIONS.join(', ')} with -c region=… (cdk.json "region")`,
        },
  );

  if (!account) {
    checks.push({
      name: 'account checks',
      status: 'note',
      found: 'bootstrap, zones and secret not checked: no credentials',
    });
  } else {
    checks.push(await bootstrapCheck(config, account, aws));
    checks.push(await zonesCheck(config, aws));
    checks.push(...(await stacksChecks(config, aws)));
  }
  checks.push(...costChecks(config));
  return checks;
}

async function bootstrapCheck(config: PipelineConfig, account: string, aws: PreflightAws): Promise<Check> {
  const todo = `npx cdk bootstrap aws://${account}/${config.region}`;
  try {
    const toolkit = await aws.stack('CDKToolkit');
    if (!toolkit)
      return { name: 'bootstrap', status: 'no-go', found: 'no CDKToolkit stack in this region', todo };
    const version = Number(toolkit.outputs.BootstrapVersion);
    if (!/_COMPLETE$/.test(toolkit.status) || /ROLLBACK|DELETE/.test(toolkit.status)) {
      return { name: 'bootstrap', status: 'no-go', found: `CDKToolkit is ${toolkit.status}`, todo };
    }
    if (!(version >= MINIMUM_BOOTSTRAP_VERSION)) {
      return {
        name: 'bootstrap',
        status: 'no-go',
        found: `CDKToolkit version ${toolkit.outputs.BootstrapVersion ?? 'unknown'}, below ${MINIMUM_BOOTSTRAP_VERSION}`,
        todo,
      };
    }
    return { name: 'bootstrap', status: 'go', found: `CDKToolkit ${toolkit.status}, version ${version}` };
  } catch (error) {
    return {
      name: 'bootstrap',
      status: 'no-go',
      found: `cannot read CDKToolkit (${describeError(error)})`,
      todo: 'allow cloudformation:DescribeStacks, or check the region',
    };
  }
}

async function zonesCheck(config: PipelineConfig, aws: PreflightAws): Promise<Check> {
  let zones: Awaited<ReturnType<PreflightAws['availabilityZones']>>;
  try {
    zones = await aws.availabilityZones();
  } catch (error) {
    return {
      name: 'availability zones',
      status: 'no-go',
      found: `cannot list the region's zones (${describeError(error)})`,
      todo: 'allow ec2:DescribeAvailabilityZones, or check that the region is enabled for the account',
    };
  }
  const byName = new Map(zones.map((zone) => [zone.name, zone]));
  const missing = config.availabilityZones.filter((name) => byName.get(name)?.state !== 'available');
  const mapping = config.availabilityZones
    .map((name) => `${name} = ${byName.get(name)?.id ?? 'none'}`)
    .join(', ');
  if (missing.length > 0) {
    const available = zones.filter((z) => z.state === 'available').map((z) => z.name);
    return {
      name: 'availability zones',
      status: 'no-go',
      found: `${missing.join(', ')} not available in this account (${mapping})`,
      todo: `choose three of ${available.join(', ')}: -c availabilityZones=a,b,c`,
    };
  }
  return {
    name: 'availability zones',
    status: 'go',
    found:
      `${mapping}. Redshift Serverless and MSK Serverless publish no list of supported zone IDs: if a ` +
      'deploy names one of these as unsupported, choose three other names',
  };
}

async function stacksChecks(config: PipelineConfig, aws: PreflightAws): Promise<Check[]> {
  const checks: Check[] = [];
  const dataName = `${config.stackPrefix}-Data`;
  const pipelineName = `${config.stackPrefix}-Pipeline`;
  let data: Awaited<ReturnType<PreflightAws['stack']>>;
  try {
    data = await aws.stack(dataName);
    const pipeline = await aws.stack(pipelineName);
    for (const [name, stack] of [
      [dataName, data],
      [pipelineName, pipeline],
    ] as const) {
      if (!stack) continue;
      const broken =
        /ROLLBACK_COMPLETE$|_FAILED$/.test(stack.status) && !/UPDATE_ROLLBACK_COMPLETE$/.test(stack.status);
      checks.push(
        broken
          ? {
              name: `stack ${name}`,
              status: 'no-go',
              found: stack.status,
              todo: `a stack in ${stack.status} cannot be updated: delete it (npx cdk destroy ${name}) and deploy again`,
            }
          : { name: `stack ${name}`, status: 'note', found: `${stack.status}: the deploy updates it` },
      );
    }
  } catch (error) {
    return [
      {
        name: 'stacks',
        status: 'no-go',
        found: `cannot read the stacks (${describeError(error)})`,
        todo: 'allow cloudformation:DescribeStacks',
      },
    ];
  }
  const secretName = data?.outputs.ApiKeySecretName;
  if (!secretName) {
    checks.push({
      name: 'API key secret',
      status: 'note',
      found: `not created yet: ${dataName} creates it empty (step 3); put your key in before deploying ${pipelineName} (step 4)`,
    });
    return checks;
  }
  try {
    const state = await aws.secretState(secretName);
    checks.push(
      state === 'set'
        ? { name: 'API key secret', status: 'go', found: `${secretName} holds a value (not read)` }
        : {
            name: 'API key secret',
            status: 'no-go',
            found: state === 'empty' ? `${secretName} is empty` : `${secretName} does not exist`,
            todo: 'put your Seoul open data key into it: step 4 of docs/deploy-aws.md',
          },
    );
  } catch (error) {
    checks.push({
      name: 'API key secret',
      status: 'no-go',
      found: `cannot describe ${secretName} (${describeError(error)})`,
      todo: 'allow secretsmanager:DescribeSecret on it',
    });
  }
  return checks;
}

function costChecks(config: PipelineConfig): Check[] {
  const cost = monthlyCost({
    natGateways: config.natGateways,
    topicPartitions: config.topicPartitions,
    runIntervalMinutes: config.runIntervalMinutes,
    redshiftBaseCapacity: config.redshiftBaseCapacity,
    loaderSchedule: config.loaderSchedule,
  });
  const msk = cost.lines[0]?.low ?? 0;
  const checks: Check[] = [
    {
      name: 'monthly cost',
      status: 'note',
      found:
        `about ${dollars(cost.total.low)}–${dollars(cost.total.high)} (${dollars(msk)} of it the MSK Serverless cluster, ` +
        'billed by the hour from step 3 until it is deleted); prices not checked against the AWS pricing pages',
    },
  ];
  const rpu = estimateRpuHours({
    baseCapacityRpu: config.redshiftBaseCapacity,
    loaderSchedule: config.loaderSchedule,
    runIntervalMinutes: config.runIntervalMinutes,
  });
  const limit = config.redshiftUsageLimit;
  if (!rpu) {
    checks.push({
      name: 'Redshift usage',
      status: 'note',
      found: `no estimate for loaderSchedule ${config.loaderSchedule} (it does not fire every day)`,
    });
  } else if (!limit) {
    checks.push({
      name: 'Redshift usage',
      status: 'note',
      found: `${rpu.rpuHours.low.toFixed(0)}–${rpu.rpuHours.high.toFixed(0)} RPU-hours a month estimated, no usage limit`,
    });
  } else {
    const monthly =
      limit.period === 'monthly'
        ? limit.rpuHours
        : limit.period === 'weekly'
          ? (limit.rpuHours * 730) / 168
          : (limit.rpuHours * 730) / 24;
    const found = `${rpu.rpuHours.low.toFixed(0)}–${rpu.rpuHours.high.toFixed(0)} RPU-hours a month estimated, usage limit ${limit.rpuHours} ${limit.period} (${monthly.toFixed(0)} a month)`;
    const todo = `raise redshiftUsageLimitRpuHours (cdk.json, or -c): the ${limit.breachAction} action would stop the loader before the month ends`;
    checks.push(
      monthly < rpu.rpuHours.low
        ? { name: 'Redshift usage', status: 'no-go', found, todo }
        : monthly < rpu.rpuHours.high
          ? { name: 'Redshift usage', status: 'note', found: `${found}: a busy month may reach it`, todo }
          : { name: 'Redshift usage', status: 'go', found },
    );
  }
  return checks;
}
