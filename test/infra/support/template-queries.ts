import assert from 'node:assert/strict';
import type { Template } from 'aws-cdk-lib/assertions';

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export function resources(template: Template): Record<string, CfnResource> {
  const raw = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  return Object.fromEntries(
    Object.entries(raw).map(([id, r]) => [id, { ...r, Properties: r.Properties ?? {} }]),
  );
}

/** The resource with this logical id; fails the test when there is none. */
export function resource(template: Template, id: string): CfnResource {
  const found = resources(template)[id];
  assert.ok(found, `no resource ${id}`);
  return found;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(resources(template)).filter(([, r]) => r.Type === type);
}

/** The one resource of a type whose logical id starts with `prefix` followed by CDK's 8-hex hash. */
export function resourceById(template: Template, type: string, prefix: string): [string, CfnResource] {
  const found = resourcesOfType(template, type).filter(([id]) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  assert.equal(
    found.length,
    1,
    `expected one ${type} with id ${prefix}…, found ${found.map(([id]) => id).join(', ')}`,
  );
  return found[0] as [string, CfnResource];
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

export function normalizeStatements(document: unknown): Statement[] {
  const statements = (document as { Statement: Record<string, unknown>[] }).Statement;
  return statements.map((s) => ({
    Effect: s.Effect as string,
    Action: asArray(s.Action) as string[],
    Resource: asArray(s.Resource),
    Principal: s.Principal,
    Condition: s.Condition,
  }));
}

/** Every statement of every identity policy (inline or AWS::IAM::Policy) attached to a role. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const all = resources(template);
  const role = resource(template, roleId);
  assert.equal(role.Type, 'AWS::IAM::Role', `${roleId} is not a role`);
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: unknown }[]).flatMap((p) =>
    normalizeStatements(p.PolicyDocument),
  );
  const attached = Object.values(all)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) =>
      ((r.Properties.Roles ?? []) as unknown[]).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((r) => normalizeStatements(r.Properties.PolicyDocument));
  return [...inline, ...attached];
}

/** The role logical id of a Lambda function resource. */
export function roleOfFunction(fn: CfnResource): string {
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Statements of a function's role without the X-Ray actions that active tracing gives every function. */
export function functionStatements(template: Template, functionPrefix: string): Statement[] {
  const [, fn] = resourceById(template, 'AWS::Lambda::Function', functionPrefix);
  return roleStatements(template, roleOfFunction(fn))
    .map((s) => ({ ...s, Action: s.Action.filter((a) => !a.startsWith('xray:')) }))
    .filter((s) => s.Action.length > 0);
}

export interface Evaluation {
  /** Values of `Fn::ImportValue` export names, matched by a fragment of the name. */
  readonly imports?: Readonly<Record<string, string>>;
  /** Values of `Fn::GetAtt [id, attr]` / `Ref id`, matched by a fragment of `id.attr` / `id`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export const TEST_ACCOUNT = '123456789012';

/**
 * Evaluates CloudFormation intrinsics (Join, Select, Split, Sub without variables, Ref, GetAtt,
 * ImportValue) to a string as CloudFormation would, given sample values, so that ARNs built with
 * intrinsics can be compared with the ARN they must produce. Unknown references become `<…>`.
 */
export function evaluate(node: unknown, given: Evaluation = {}): string {
  return String(evaluateAny(node, given));
}

function lookUp(table: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return Object.entries(table ?? {}).find(([fragment]) => key.includes(fragment))?.[1];
}

function evaluateAny(node: unknown, given: Evaluation): unknown {
  if (typeof node === 'string' || typeof node === 'number') return node;
  if (Array.isArray(node)) return node.map((item) => evaluateAny(item, given));
  const value = node as Record<string, unknown>;
  if ('Ref' in value) {
    const ref = value.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::AccountId': TEST_ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::Region': 'ap-northeast-2',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    return pseudo[ref] ?? lookUp(given.attributes, ref) ?? `<${ref}>`;
  }
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return lookUp(given.attributes, `${id}.${attribute}`) ?? `<${id}.${attribute}>`;
  }
  if ('Fn::ImportValue' in value) {
    const name = evaluate(value['Fn::ImportValue'], given);
    return lookUp(given.imports, name) ?? `<import:${name}>`;
  }
  if ('Fn::Join' in value) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return (evaluateAny(items, given) as unknown[]).join(delimiter);
  }
  if ('Fn::Split' in value) {
    const [delimiter, source] = value['Fn::Split'] as [string, unknown];
    return evaluate(source, given).split(delimiter);
  }
  if ('Fn::Select' in value) {
    const [index, list] = value['Fn::Select'] as [number, unknown];
    return (evaluateAny(list, given) as unknown[])[Number(index)];
  }
  if ('Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  return JSON.stringify(node);
}
