import { resolve, type TemplateJson, UnresolvableError } from './resolve-arn.js';

/** One Allow or Deny statement of an identity policy, its resources resolved to ARNs. */
export interface ResolvedStatement {
  /** `<template>/<logical id>[/Policies/<name>]/Statement/<index>`: where to find it. */
  readonly where: string;
  readonly effect: string;
  readonly actions: readonly string[];
  /** Resolved ARNs (or `*`); NotResource statements are reported, not resolved. */
  readonly resources: readonly string[];
  /** Condition keys used, e.g. `aws:SourceArn`. */
  readonly conditionKeys: readonly string[];
  /** References that could not be resolved: each is a finding. */
  readonly unresolved: readonly string[];
}

interface RawStatement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * The identity-policy statements of a template: `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and
 * the inline `Policies` of `AWS::IAM::Role`. (Trust policies and resource policies name principals,
 * not the actions a principal may call on resources, and are checked by security.test.ts.)
 */
export function identityStatements(
  name: string,
  template: TemplateJson,
  templates: readonly TemplateJson[],
): ResolvedStatement[] {
  const out: ResolvedStatement[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const documents: [string, unknown][] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push([`${name}/${id}`, props.PolicyDocument]);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const inline of list(props.Policies) as { PolicyName?: unknown; PolicyDocument?: unknown }[]) {
        documents.push([`${name}/${id}/Policies/${String(inline.PolicyName)}`, inline.PolicyDocument]);
      }
    }
    for (const [where, document] of documents) {
      const statements = list((document as { Statement?: unknown } | undefined)?.Statement) as RawStatement[];
      statements.forEach((statement, index) => {
        out.push(resolveStatement(statement, `${where}/Statement/${index}`, template, templates));
      });
    }
  }
  return out;
}

function resolveStatement(
  statement: RawStatement,
  where: string,
  template: TemplateJson,
  templates: readonly TemplateJson[],
): ResolvedStatement {
  const unresolved: string[] = [];
  if (statement.NotAction !== undefined) unresolved.push(`${where}: NotAction is not checked; use Action`);
  if (statement.NotResource !== undefined)
    unresolved.push(`${where}: NotResource is not checked; use Resource`);
  const resources: string[] = [];
  for (const [index, value] of list(statement.Resource).entries()) {
    try {
      resources.push(resolve(value, template, templates, `${where}/Resource/${index}`));
    } catch (error) {
      if (!(error instanceof UnresolvableError)) throw error;
      unresolved.push(error.message);
    }
  }
  const actions: string[] = [];
  for (const action of list(statement.Action)) {
    if (typeof action === 'string') actions.push(action);
    else unresolved.push(`${where}: an action that is not a string: ${JSON.stringify(action)}`);
  }
  return {
    where,
    effect: String(statement.Effect),
    actions,
    resources,
    conditionKeys: Object.values(statement.Condition ?? {}).flatMap((keys) => Object.keys(keys)),
    unresolved,
  };
}
