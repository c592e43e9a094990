import { pathToFileURL } from 'node:url';
import { synthesize } from '../infra/support/synth.js';
import { LINT_VARIANTS } from './cfn-lint.js';
import { type CheckResult, checkTemplates } from './iam-catalogue/check.js';
import { IAM_EXCEPTIONS } from './iam-catalogue/exceptions.js';
import type { TemplateJson } from './iam-catalogue/resolve-arn.js';

/**
 * The IAM catalogue check over every template of every configuration cfn-lint lints (the default,
 * and one with every optional resource). Exceptions count as used when any configuration uses them.
 */
export function checkAllTemplates(): { variants: Record<string, CheckResult>; unusedExceptions: string[] } {
  const variants: Record<string, CheckResult> = {};
  for (const [name, context] of Object.entries(LINT_VARIANTS)) {
    const { assembly } = synthesize({ context });
    const templates = Object.fromEntries(
      assembly.stacks.map((stack) => [stack.stackName, stack.template as TemplateJson]),
    );
    variants[name] = checkTemplates(templates);
  }
  const unusedExceptions = IAM_EXCEPTIONS.filter((exception) =>
    Object.values(variants).every((result) => result.unusedExceptions.includes(exception)),
  ).map((exception) => `${exception.rule} ${exception.action} ${exception.where}`);
  return { variants, unusedExceptions };
}

// `npm run test:iam`: check, print, exit 1 on any finding or stale exception.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { variants, unusedExceptions } = checkAllTemplates();
  let failed = unusedExceptions.length > 0;
  for (const [name, result] of Object.entries(variants)) {
    for (const f of result.findings) console.log(`${name}: ${f.rule} ${f.where}: ${f.message}`);
    for (const { finding, exception } of result.excepted) {
      console.log(
        `${name}: excepted ${finding.rule} ${finding.action} at ${finding.where}: ${exception.reason}`,
      );
    }
    console.log(
      `IAM catalogue (${name}): ${result.statements} statements, ${result.findings.length} finding(s), ${result.excepted.length} excepted`,
    );
    failed ||= result.findings.length > 0;
  }
  for (const stale of unusedExceptions) console.log(`stale exception (covers nothing): ${stale}`);
  process.exitCode = failed ? 1 : 0;
}
