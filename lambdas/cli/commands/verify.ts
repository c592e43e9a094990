import { parseArgs } from 'node:util';
import type { PipelineConfig } from '../../../lib/config.js';
import { ConfigError } from '../../core/errors.js';
import { ConsoleLog, type LogLevel } from '../../core/logger.js';
import { positiveInteger, SETTINGS, settingFromEnv } from '../../core/settings.js';
import type { CommandIo } from '../command-io.js';
import { checklistStatus, formatChecklist } from '../deploy/checklist.js';
import { deployConfig } from '../deploy/deploy-config.js';
import { type VerifyAws, verifyChecks } from '../deploy/verify.js';

export const VERIFY_USAGE = `Usage: npm run verify -- [options]

After a deploy: does it work? With the credentials of your shell it invokes the fetcher once (a
real collection, like step 6 of docs/deploy-aws.md), waits for the run's files in the lake bucket
and its partitions in the Glue catalog, runs one Spectrum query and one native query through the
Redshift Data API (signed in with the admin secret), and checks that the alarm topic has a
confirmed subscriber and that CloudWatch may publish to it. It prints a checklist, with what to do
under each failure.

Options:
  -c, --context key=value   a setting on top of cdk.json (repeatable), as given to npx cdk deploy
  --wait SECONDS            how long to wait for the run's files and partitions (default 180)
  -h, --help                this text

Calls: cloudformation:DescribeStacks, sts:GetCallerIdentity, lambda:InvokeFunction (the fetcher),
s3:ListBucket (the lake), glue:GetPartition, redshift-data:ExecuteStatement, DescribeStatement and
GetStatementResult, secretsmanager:GetSecretValue (the admin secret, for the Data API),
sns:ListSubscriptionsByTopic, sns:GetTopicAttributes.

Exit status: 0 all checks passed, 1 a check failed, 2 bad options.`;

/** `npm run verify`: does the deployed pipeline work end to end? */
export async function verifyCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
  aws: (region: string, logLevel: LogLevel) => Promise<VerifyAws> = async (region, logLevel) =>
    (await import('../deploy/aws-clients.js')).sdkVerifyAws(region, new ConsoleLog(logLevel, io.err)),
): Promise<number> {
  let config: PipelineConfig;
  let waitMs: number;
  let logLevel: LogLevel;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(VERIFY_USAGE);
      return 0;
    }
    config = deployConfig(values.context ?? []);
    waitMs = positiveInteger('--wait', values.wait, 180, 3600) * 1000;
    // LOG_LEVEL (default warn): the Data API queries' log lines on stderr; a bad value is a bad option.
    logLevel = settingFromEnv(SETTINGS.logLevel, env);
  } catch (error) {
    io.err(`error: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    io.err('run npm run verify -- --help for the options');
    return 2;
  }
  const checks = await verifyChecks(config, await aws(config.region, logLevel), { waitMs });
  io.out(formatChecklist(`Verify ${config.stackPrefix} in ${config.region}`, checks));
  return checklistStatus(checks);
}
