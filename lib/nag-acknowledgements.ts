import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** One kind of wildcard resource that a scope's IAM policies may hold, and why. */
export interface WildcardResourceAllowance {
  /**
   * Matched against the resource as cdk-nag prints it in an `AwsSolutions-IAM5[Resource::…]`
   * finding: references flattened, e.g. `<LakeBucketB1D32E10.Arn>/raw/*`, or
   * `SeoulPopulation-Data:ExportsOutput…/raw/*` when the bucket is in another stack.
   */
  readonly resource: RegExp;
  /** Specific reason, written next to the acknowledgement in the validation report. */
  readonly reason: string;
}

/**
 * Acknowledges the cdk-nag `AwsSolutions-IAM5` findings for wildcard *resources* in the IAM
 * policies under `scope` that match an allowance — and only those: a wildcard action, or a
 * wildcard resource that matches no allowance, stays a finding.
 *
 * The finding ids contain the resolved references (a bucket in another stack appears as its
 * export name, which CDK derives from a hash), so they cannot be written down in advance. This
 * computes them when CDK validates the tree, after cross-stack references are resolved and
 * before the validation plugins run.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  allowances: readonly WildcardResourceAllowance[],
): void {
  scope.node.addValidation({
    validate: () => {
      for (const policy of scope.node.findAll()) {
        if (!(policy instanceof CfnResource)) continue;
        for (const resource of wildcardResources(policy)) {
          const allowance = allowances.find((a) => a.resource.test(resource));
          if (allowance) {
            Validations.of(policy).acknowledge({
              id: `AwsSolutions-IAM5[Resource::${resource}]`,
              reason: allowance.reason,
            });
          }
        }
      }
      return [];
    },
  });
}

/** The wildcard resources of the Allow statements of an IAM policy or role, flattened like cdk-nag does. */
function wildcardResources(node: CfnResource): string[] {
  const stack = Stack.of(node);
  const documents: unknown[] = [];
  if (node instanceof iam.CfnPolicy) documents.push(stack.resolve(node.policyDocument));
  if (node instanceof iam.CfnRole) {
    const policies = (stack.resolve(node.policies) ?? []) as { policyDocument?: unknown }[];
    for (const policy of policies) documents.push(stack.resolve(policy.policyDocument));
  }
  const found = new Set<string>();
  for (const document of documents) {
    const statements = ((document as { Statement?: unknown[] } | undefined)?.Statement ?? []) as {
      Effect?: string;
      Resource?: unknown;
    }[];
    for (const statement of statements) {
      if (statement.Effect !== 'Allow') continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const resource of resources.map(flatten)) if (resource.includes('*')) found.add(resource);
    }
  }
  return [...found];
}

/** The same flattening as cdk-nag's `flattenCfnReference`, so the ids match its findings. */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (value['Fn::Sub']) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flatten(value['Fn::ImportValue']);
  if (value.Ref) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(node);
}
