import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../lambdas/core/metric-names.js';
import { environmentOf } from '../lambdas/core/settings.js';
import type { FunctionLogLevel } from './config.js';

/** The repository root: entry points and the `sql/` folder are found from here. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The one runtime every function uses: the newest Node.js that Lambda and CDK know. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * parquetjs-lite's Thrift-generated code assigns undeclared names
 * (`Statistics = module.exports.Statistics = …`, about 35 of them), which only sloppy-mode
 * scripts allow. An ESM bundle is strict, so loading it would fail with "Statistics is not
 * defined". Declaring those names at the top of the bundle gives the assignments a binding. The
 * list is read from the installed package, so a new version is covered (test/e2e/bundles.test.ts
 * imports every bundle to prove it loads).
 */
export function sloppyGlobalsOfDependencies(): string[] {
  const file = createRequire(import.meta.url).resolve('parquetjs-lite/gen-nodejs/parquet_types.js');
  const text = readFileSync(file, 'utf8');
  return [
    ...new Set([...text.matchAll(/^([A-Za-z_$][\w$]*) = module\.exports\./gm)].map((m) => m[1] as string)),
  ];
}

/**
 * The top of every bundle: CommonJS dependencies (parquetjs-lite and others) call `require`,
 * which an ES module does not have, so one is made relative to the bundle; and the sloppy-mode
 * globals above are declared.
 */
function bundleBanner(): string {
  const globals = sloppyGlobalsOfDependencies();
  return (
    "import { createRequire as __projectCreateRequire } from 'node:module'; " +
    'const require = __projectCreateRequire(import.meta.url);' +
    (globals.length > 0 ? ` var ${globals.join(', ')};` : '')
  );
}

export interface ProjectFunctionProps {
  /** Folder under `lambdas/` whose `handler.ts` exports `handler`, e.g. `fetcher`. */
  readonly handlerFolder: string;
  /**
   * Another entry file exporting `handler`, bundled the same way (tests bundle probes with it).
   * @default lambdas/<handlerFolder>/handler.ts
   */
  readonly entry?: string;
  readonly description: string;
  readonly logLevel: FunctionLogLevel;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Environment on top of the Powertools settings every function gets. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's private subnets with egress, when `vpc` is given */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - one created by Lambda when `vpc` is given */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** @default - a new role with only the basic execution policy */
  readonly role?: iam.IRole;
  /** Copy the repository's `sql/` folder next to the bundled `index.mjs`. @default false */
  readonly includeSqlFolder?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Every Lambda function of the project, configured the same way: Node.js 24 on ARM64, an ESM
 * bundle made by the local esbuild with the AWS SDK inside (so the code runs against the SDK
 * version it was tested with), X-Ray off (see below), its own log group with a retention, and the
 * Powertools service name and metrics namespace that `lambdas/core/metric-names.ts` defines.
 */
export class ProjectFunction extends NodejsFunction {
  /** The folder under `lambdas/` this function runs: how tests match code to its function. */
  readonly handlerFolder: string;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs are diagnostics, not data: they go with the function.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      description: props.description,
      entry: props.entry ?? join(PROJECT_ROOT, 'lambdas', props.handlerFolder, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      // X-Ray off: the handlers do not use Powertools Tracer, so an active trace would hold only
      // Lambda's own invocation segment (no AWS SDK or HTTP subsegments) while costing per trace.
      // Runs are followed through Powertools logs (request id) and EMF metrics instead.
      tracing: lambda.Tracing.DISABLED,
      logGroup,
      role: props.role,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.securityGroups,
      environment: {
        ...environmentOf({
          powertoolsServiceName: METRICS_SERVICE,
          powertoolsMetricsNamespace: METRICS_NAMESPACE,
          functionLogLevel: props.logLevel,
        }),
        // Node's own variable, read by no code of ours: stack traces point into the TypeScript.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the runtime's copy may differ from the version tested here.
        externalModules: [],
        banner: bundleBanner(),
        forceDockerBundling: false,
        // CDK runs esbuild through `npx`; keep npm from checking the registry for a newer npm
        // (a network call, and a notice on stderr) so that synthesis stays offline and quiet.
        environment: { npm_config_update_notifier: 'false' },
        // Only errors: a warning-free bundle keeps `cdk synth` quiet.
        logLevel: LogLevel.ERROR,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            props.includeSqlFolder ? [`cp -R "${join(inputDir, 'sql')}" "${join(outputDir, 'sql')}"`] : [],
        },
      },
    });
    this.handlerFolder = props.handlerFolder;
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The AWS managed basic execution policy grants only CloudWatch Logs writes; AWS keeps it current for the runtime.',
    });
    if (props.vpc) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'The AWS managed VPC access policy holds exactly the ENI actions Lambda needs to place the function in the VPC.',
      });
    }
  }
}
