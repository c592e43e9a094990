import { parseArgs } from 'node:util';
import type { PipelineConfig } from '../../../lib/config.js';
import { ConfigError } from '../../core/errors.js';
import type { CommandIo } from '../command-io.js';
import { checklistStatus, formatChecklist } from '../deploy/checklist.js';
import { deployConfig } from '../deploy/deploy-config.js';
import { type PreflightAws, preflightChecks } from '../deploy/preflight.js';

export const PREFLIGHT_USAGE = `Usage: npm run preflight -- [options]

Before anything bills: makes read-only AWS calls with the credentials of your shell and prints go or
no-go for each of: credentials and account, region, the CDK bootstrap stack, the configured
availability zones, the stacks already there, the API key secret, and an estimate of the monthly
cost and of Redshift's RPU-hours against the usage limit. It reads the configuration the deploy
uses (cdk.json, and -c pairs as npx cdk deploy takes them).

Options:
  -c, --context key=value   a setting on top of cdk.json (repeatable), e.g. -c region=ap-northeast-1
  -h, --help                this text

Calls: sts:GetCallerIdentity, ec2:DescribeAvailabilityZones, cloudformation:DescribeStacks,
secretsmanager:DescribeSecret (the secret's value is never read).

Exit status: 0 go, 1 no-go (what to do is printed under each failed check), 2 bad options.`;

/** `npm run preflight`: may I deploy, and what will it cost? */
export async function preflightCommand(
  argv: readonly string[],
  _env: NodeJS.ProcessEnv,
  io: CommandIo,
  aws: (region: string) => Promise<PreflightAws> = async (region) =>
    (await import('../deploy/aws-clients.js')).sdkPreflightAws(region),
): Promise<number> {
  let config: PipelineConfig;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(PREFLIGHT_USAGE);
      return 0;
    }
    config = deployConfig(values.context ?? []);
  } catch (error) {
    io.err(`error: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    io.err('run npm run preflight -- --help for the options');
    return 2;
  }
  const checks = await preflightChecks(config, await aws(config.region));
  io.out(formatChecklist(`Preflight of ${config.stackPrefix} in ${config.region}`, checks));
  return checklistStatus(checks);
}
