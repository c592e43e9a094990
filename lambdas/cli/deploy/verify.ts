import type { PipelineConfig } from '../../../lib/config.js';
import { COLLECTED } from '../../core/datasets/registry.js';
import { describeError } from '../../core/errors.js';
import { floorToMinute } from '../../core/kst-time.js';
import { partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import type { PartitionValues } from '../../core/schema.js';
import { TABLES } from '../../core/tables.js';
import type { Row } from '../../core/warehouse/warehouse.js';
import type { Check } from './checklist.js';
import { cloudWatchMayPublish } from './topic-policy.js';

/** The AWS calls verify makes after a deploy; an SDK implementation and test doubles fill it. */
export interface VerifyAws {
  /** CloudFormation DescribeStacks outputs; undefined when the stack does not exist. */
  stackOutputs(name: string): Promise<Record<string, string> | undefined>;
  /** STS GetCallerIdentity's account. */
  account(): Promise<string>;
  /** Lambda Invoke (request-response): the function's answer, or its error. */
  invoke(
    functionName: string,
    payload: unknown,
  ): Promise<{ ok: true; answer: unknown } | { ok: false; error: string }>;
  /** S3 ListObjectsV2: the keys under a prefix. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  /** Glue GetPartition: whether the partition is registered. */
  partitionExists(database: string, table: string, values: readonly string[]): Promise<boolean>;
  /** One query through the Redshift Data API, signed in with the admin secret. */
  query(target: { workgroup: string; database: string; secretArn: string }, sql: string): Promise<Row[]>;
  /** SNS ListSubscriptionsByTopic. */
  subscriptions(topicArn: string): Promise<{ protocol: string; endpoint: string; confirmed: boolean }[]>;
  /** SNS GetTopicAttributes' Policy. */
  topicPolicy(topicArn: string): Promise<string | undefined>;
  /** For tests: how to wait, and what time it is. */
  sleep(ms: number): Promise<void>;
  now(): Date;
}

export interface VerifyOptions {
  /** How long to wait for the run's files and partitions. @default 180000 */
  readonly waitMs?: number;
  /** Between two looks. @default 10000 */
  readonly pollMs?: number;
}

interface Outputs {
  readonly data: Record<string, string>;
  readonly pipeline: Record<string, string>;
}

/**
 * After a deploy: does it work? Collects once now, waits for the run's files and catalog
 * partitions, queries the lake through Spectrum and a native table through the Data API, and
 * checks that an alarm can reach a person. Each failure says what to do.
 */
export async function verifyChecks(
  config: PipelineConfig,
  aws: VerifyAws,
  options: VerifyOptions = {},
): Promise<Check[]> {
  const dataName = `${config.stackPrefix}-Data`;
  const pipelineName = `${config.stackPrefix}-Pipeline`;
  let outputs: Outputs;
  try {
    const [data, pipeline] = await Promise.all([aws.stackOutputs(dataName), aws.stackOutputs(pipelineName)]);
    if (!data || !pipeline) {
      return [
        {
          name: 'stacks',
          status: 'no-go',
          found: `${!data ? dataName : pipelineName} is not deployed`,
          todo: 'deploy both stacks first (steps 3 and 5 of docs/deploy-aws.md)',
        },
      ];
    }
    outputs = { data, pipeline };
  } catch (error) {
    return [
      {
        name: 'stacks',
        status: 'no-go',
        found: `cannot read the stacks (${describeError(error)})`,
        todo: 'give the shell credentials for the account and region of the deploy',
      },
    ];
  }
  const checks: Check[] = [
    { name: 'stacks', status: 'go', found: `${dataName} and ${pipelineName} are deployed` },
  ];
  const collectedAt = floorToMinute(aws.now());
  const run = await collectOnce(aws, outputs, collectedAt);
  checks.push(run.check);
  const partition = partitionValuesFor(collectedAt);
  if (run.collected) {
    checks.push(await lakeFilesCheck(aws, outputs, partition, options));
    checks.push(await catalogCheck(aws, outputs, partition, options));
  }
  checks.push(...(await warehouseChecks(aws, outputs, partition, run.collected)));
  checks.push(...(await alarmTopicChecks(aws, outputs)));
  return checks;
}

async function collectOnce(
  aws: VerifyAws,
  outputs: Outputs,
  collectedAt: Date,
): Promise<{ check: Check; collected: boolean }> {
  const fetcher = outputs.pipeline.FetcherFunctionName ?? '';
  const answer = await aws
    .invoke(fetcher, { time: collectedAt.toISOString() })
    .catch((error: unknown) => ({ ok: false as const, error: describeError(error) }));
  if (!answer.ok) {
    return {
      check: { name: 'collect once', status: 'no-go', found: answer.error, todo: collectTodo(answer.error) },
      collected: false,
    };
  }
  const summary = answer.answer as {
    places?: { asked?: number; ok?: number; noData?: number; failed?: number };
    published?: number;
  };
  const places = summary.places ?? {};
  const found = `${places.ok ?? 0} of ${places.asked ?? 0} places ok, ${places.noData ?? 0} no data, ${places.failed ?? 0} failed; ${summary.published ?? 0} published`;
  if (!summary.published) {
    return {
      check: {
        name: 'collect once',
        status: 'no-go',
        found,
        todo: 'nothing was published: read the fetcher log (its log group in CloudWatch Logs)',
      },
      collected: false,
    };
  }
  return { check: { name: 'collect once', status: places.failed ? 'note' : 'go', found }, collected: true };
}

/** What to do about a failed collection, by what its message says. */
function collectTodo(error: string): string {
  if (/is empty|no AWSCURRENT|ResourceNotFoundException/i.test(error))
    return 'put your API key into the secret: step 4 of docs/deploy-aws.md';
  if (/INFO-100|key/i.test(error))
    return 'the portal refused the key: check it, then put it into the secret again (step 4)';
  if (/kafka|broker|MSK|topic/i.test(error))
    return 'the fetcher could not publish: check the MSK cluster and the topic (the data stack) and the fetcher log';
  if (/AccessDenied|not authorized/i.test(error))
    return 'your credentials may not invoke the fetcher: allow lambda:InvokeFunction on it';
  return 'read the fetcher log (its log group in CloudWatch Logs) and the ingest dead-letter queue';
}

async function waitFor(
  aws: VerifyAws,
  options: VerifyOptions,
  done: () => Promise<boolean>,
): Promise<boolean> {
  const deadline = aws.now().getTime() + (options.waitMs ?? 180_000);
  for (;;) {
    if (await done()) return true;
    if (aws.now().getTime() >= deadline) return false;
    await aws.sleep(options.pollMs ?? 10_000);
  }
}

async function lakeFilesCheck(
  aws: VerifyAws,
  outputs: Outputs,
  partition: PartitionValues,
  options: VerifyOptions,
): Promise<Check> {
  const bucket = outputs.data.LakeBucketName ?? '';
  const prefixes = TABLES.map((table) => `${table.name}/${partitionPath(partition)}/`);
  const missing = new Set(prefixes);
  try {
    const found = await waitFor(aws, options, async () => {
      for (const prefix of [...missing])
        if ((await aws.listKeys(bucket, prefix)).length > 0) missing.delete(prefix);
      return missing.size === 0;
    });
    return found
      ? {
          name: 'lake files',
          status: 'go',
          found: `the run is in s3://${bucket}/ (${prefixes.map((p) => p.split('/')[0]).join(', ')})`,
        }
      : {
          name: 'lake files',
          status: 'no-go',
          found: `nothing under ${[...missing].join(', ')} after ${(options.waitMs ?? 180_000) / 1000} s`,
          todo: 'read the writer log; the MSK trigger may be disabled or failing (offset-lag and writer-error alarms)',
        };
  } catch (error) {
    return {
      name: 'lake files',
      status: 'no-go',
      found: `cannot list the bucket (${describeError(error)})`,
      todo: 'allow s3:ListBucket on the lake bucket',
    };
  }
}

async function catalogCheck(
  aws: VerifyAws,
  outputs: Outputs,
  partition: PartitionValues,
  options: VerifyOptions,
): Promise<Check> {
  const database = outputs.data.GlueDatabaseName ?? '';
  const values = [partition.year, partition.month, partition.day, partition.hour, partition.minute];
  const missing = new Set(TABLES.map((t) => t.name));
  try {
    const found = await waitFor(aws, options, async () => {
      for (const table of [...missing])
        if (await aws.partitionExists(database, table, values)) missing.delete(table);
      return missing.size === 0;
    });
    return found
      ? {
          name: 'catalog partitions',
          status: 'go',
          found: `${partitionPath(partition)} registered in ${database} for every table`,
        }
      : {
          name: 'catalog partitions',
          status: 'no-go',
          found: `${partitionPath(partition)} not registered for ${[...missing].join(', ')}`,
          todo: 'read the writer and fetcher logs for Glue errors; the daily crawler adds missed partitions',
        };
  } catch (error) {
    return {
      name: 'catalog partitions',
      status: 'no-go',
      found: `cannot read the catalog (${describeError(error)})`,
      todo: 'allow glue:GetPartition',
    };
  }
}

async function warehouseChecks(
  aws: VerifyAws,
  outputs: Outputs,
  partition: PartitionValues,
  collected: boolean,
): Promise<Check[]> {
  const target = {
    workgroup: outputs.pipeline.RedshiftWorkgroupName ?? '',
    database: 'dev',
    secretArn: outputs.data.RedshiftAdminSecretArn ?? '',
  };
  const checks: Check[] = [];
  // The collected dataset's answer table: one row per place of the run.
  const table = COLLECTED.tables[0].name;
  const where = (['year', 'month', 'day', 'hour', 'minute'] as const)
    .map((k) => `${k} = '${partition[k]}'`)
    .join(' AND ');
  try {
    const [row] = await aws.query(target, `SELECT COUNT(*) AS n FROM spectrum.${table} WHERE ${where}`);
    const n = Number(row?.n ?? 0);
    checks.push(
      n > 0 || !collected
        ? {
            name: 'Spectrum query',
            status: n > 0 ? 'go' : 'note',
            found: `${n} row(s) of this run through spectrum.${table}`,
          }
        : {
            name: 'Spectrum query',
            status: 'no-go',
            found: 'the query ran but found no row of this run',
            todo: 'check the Glue partition and the Spectrum role (the external schema of sql/00_spectrum_schema.sql)',
          },
    );
  } catch (error) {
    checks.push({
      name: 'Spectrum query',
      status: 'no-go',
      found: describeError(error),
      todo: warehouseTodo(describeError(error)),
    });
  }
  try {
    const [row] = await aws.query(target, `SELECT COUNT(*) AS n FROM ${table}`);
    const n = Number(row?.n ?? 0);
    checks.push({
      name: 'native query',
      status: n > 0 ? 'go' : 'note',
      found:
        n > 0
          ? `${n} row(s) in the native table ${table}`
          : `the native table ${table} is empty: the loader has not loaded yet (every 3 hours; step 7 loads now)`,
    });
  } catch (error) {
    checks.push({
      name: 'native query',
      status: 'no-go',
      found: describeError(error),
      todo: warehouseTodo(describeError(error)),
    });
  }
  return checks;
}

function warehouseTodo(error: string): string {
  if (/does not exist/i.test(error))
    return 'the SQL runner did not create the tables: redeploy the pipeline stack and read its error';
  if (/usage limit/i.test(error))
    return 'the usage limit turned queries off: raise redshiftUsageLimitRpuHours';
  if (/AccessDenied|not authorized/i.test(error))
    return 'allow redshift-data:ExecuteStatement and secretsmanager:GetSecretValue on the admin secret';
  return 'read the error above; Query Editor v2 with the admin secret shows the same';
}

async function alarmTopicChecks(aws: VerifyAws, outputs: Outputs): Promise<Check[]> {
  const topic = outputs.pipeline.AlarmTopicArn ?? '';
  const checks: Check[] = [];
  try {
    const subscriptions = await aws.subscriptions(topic);
    const confirmed = subscriptions.filter((s) => s.confirmed);
    checks.push(
      confirmed.length > 0
        ? {
            name: 'alarm subscribers',
            status: 'go',
            found: confirmed.map((s) => `${s.protocol} ${s.endpoint}`).join(', '),
          }
        : {
            name: 'alarm subscribers',
            status: 'no-go',
            found:
              subscriptions.length > 0
                ? 'a subscription waits for confirmation'
                : 'the alarm topic has no subscriber',
            todo:
              subscriptions.length > 0
                ? 'confirm it: open the mail from AWS Notifications'
                : 'deploy with -c alarmEmail=you@example.com, or subscribe to the AlarmTopicArn output',
          },
    );
  } catch (error) {
    checks.push({
      name: 'alarm subscribers',
      status: 'no-go',
      found: describeError(error),
      todo: 'allow sns:ListSubscriptionsByTopic',
    });
  }
  try {
    const account = await aws.account();
    const policy = cloudWatchMayPublish(await aws.topicPolicy(topic), topic, account);
    checks.push(
      policy.allowed
        ? { name: 'CloudWatch may publish', status: 'go', found: policy.reason }
        : {
            name: 'CloudWatch may publish',
            status: 'no-go',
            found: policy.reason,
            todo: "redeploy the pipeline stack: its topic policy lets this stack's alarms publish",
          },
    );
  } catch (error) {
    checks.push({
      name: 'CloudWatch may publish',
      status: 'no-go',
      found: describeError(error),
      todo: 'allow sns:GetTopicAttributes',
    });
  }
  return checks;
}
