import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { synthesize } from '../infra/support/synth.js';

/**
 * cfn-lint checks that are switched off, each for a reason that holds for every template here.
 * Everything else cfn-lint reports — errors and warnings — fails the run.
 */
export const IGNORED_CHECKS: Readonly<Record<string, string>> = {
  W3010:
    'Availability zones are named on purpose: Redshift Serverless needs subnets in three given AZs, ' +
    'and naming them lets `cdk synth` run without an AWS account (docs/deploy-aws.md, "Availability zones").',
  W3005:
    'CDK itself adds DependsOn from each Lambda function to its role (and policy) beside the GetAtt; it is redundant, not wrong.',
};

export interface LintFinding {
  readonly file: string;
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly path: string;
}

/** The cfn-lint executable: CFN_LINT, else the venv test/checkers/install-cfn-lint.sh makes, else PATH. */
export function cfnLintExecutable(): string {
  if (process.env.CFN_LINT) return process.env.CFN_LINT;
  const venv = join(PROJECT_ROOT, '.cache', 'cfn-lint-venv', 'bin', 'cfn-lint');
  if (existsSync(venv)) return venv;
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
    return 'cfn-lint';
  } catch {
    throw new Error(
      'cfn-lint is not installed: run `npm run setup:cfn-lint` (pip, into .cache/cfn-lint-venv)',
    );
  }
}

/** Lints templates for a region; returns every finding that is not an ignored check. */
export function cfnLint(templates: readonly string[], region: string): LintFinding[] {
  const args = [
    '--format',
    'json',
    '--regions',
    region,
    '--ignore-checks',
    ...Object.keys(IGNORED_CHECKS),
    '--non-zero-exit-code',
    'none',
    '--',
    ...templates,
  ];
  const output = execFileSync(cfnLintExecutable(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const findings = JSON.parse(output || '[]') as {
    Filename: string;
    Level: string;
    Message: string;
    Rule: { Id: string };
    Location: { Path: (string | number)[] };
  }[];
  return findings.map((f) => ({
    file: f.Filename,
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    path: f.Location.Path.join('/'),
  }));
}

/** The configurations linted: the default one, and one with every optional resource present. */
export const LINT_VARIANTS: Readonly<Record<string, Record<string, unknown>>> = {
  default: {},
  'destroy + e-mail + no usage limit': {
    dataRemovalPolicy: 'destroy',
    alarmEmail: 'ops@example.com',
    redshiftUsageLimitRpuHours: 0,
  },
};

/** Synthesizes every variant (without bundling: templates only) and lints all their templates. */
export function lintAllTemplates(): { templates: string[]; findings: LintFinding[] } {
  const templates: string[] = [];
  const findings: LintFinding[] = [];
  for (const context of Object.values(LINT_VARIANTS)) {
    const { assembly, config } = synthesize({ context });
    const files = assembly.stacks.map((stack) => join(assembly.directory, stack.templateFile));
    templates.push(...files);
    findings.push(...cfnLint(files, config.region));
  }
  return { templates, findings };
}

// `npm run test:cfn-lint`: lint and print, exit 1 on any finding.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { templates, findings } = lintAllTemplates();
  for (const f of findings) console.log(`${f.level} ${f.rule} ${f.file} ${f.path}: ${f.message}`);
  console.log(
    `cfn-lint: ${templates.length} templates, ${findings.length} finding(s); ignored: ${Object.keys(IGNORED_CHECKS).join(', ')}`,
  );
  process.exitCode = findings.length === 0 ? 0 : 1;
}
