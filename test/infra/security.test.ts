import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type Synthesized, synthesize } from './support/synth.js';
import { normalizeStatements, resources, type Statement } from './support/template-queries.js';

// The default deployment, and one that exercises the optional resources (e-mail subscription,
// destroy policy with its auto-delete custom resource, no usage limit). Each is synthesized once,
// with the cdk-nag AwsSolutions pack registered as CDK validation plugin (cdk-nag 3): synthesis
// throws with the validation report if the pack finds anything that is not acknowledged.
const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'destroy + e-mail': {
    dataRemovalPolicy: 'destroy',
    alarmEmail: 'ops@example.com',
    redshiftUsageLimitRpuHours: 0,
  },
};

function synthesizeWithNag(context: Record<string, unknown>): { synthesized?: Synthesized; error?: unknown } {
  try {
    return {
      synthesized: synthesize({
        context,
        beforeSynth: (app) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)),
      }),
    };
  } catch (error) {
    return { error };
  }
}

const results = Object.fromEntries(
  Object.entries(VARIANTS).map(([name, context]) => [name, synthesizeWithNag(context)]),
);

function synthesized(variant: string): Synthesized {
  const result = results[variant];
  if (!result?.synthesized) throw result?.error ?? new Error(`no synthesis for ${variant}`);
  return result.synthesized;
}

interface Policy {
  readonly where: string;
  readonly kind: 'identity' | 'resource';
  readonly statements: Statement[];
}

/** Every IAM policy document of a template: identity policies and resource policies. */
function policies(template: Template): Policy[] {
  const out: Policy[] = [];
  for (const [id, r] of Object.entries(resources(template))) {
    const p = r.Properties;
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      out.push({ where: id, kind: 'identity', statements: normalizeStatements(p.PolicyDocument) });
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const inline of (p.Policies ?? []) as { PolicyDocument: unknown }[]) {
        out.push({ where: id, kind: 'identity', statements: normalizeStatements(inline.PolicyDocument) });
      }
    }
    if (['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'].includes(r.Type)) {
      out.push({ where: id, kind: 'resource', statements: normalizeStatements(p.PolicyDocument) });
    }
    if (r.Type === 'AWS::SecretsManager::ResourcePolicy') {
      out.push({ where: id, kind: 'resource', statements: normalizeStatements(p.ResourcePolicy) });
    }
  }
  // A Custom::VpcRestrictDefaultSG provider's role is a plain CfnResource: found above as a role.
  return out;
}

/** Every key path in a JSON value, for searching properties by name. */
function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...keyPaths(v, `${path}.${k}`)]);
  }
  return [];
}

const ALLOWED_ON_ANY_RESOURCE = new Set([
  // The Data API limits these to the caller's own statements; no resource-level permissions.
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:CancelStatement',
  // The Service Authorization Reference lists no resource type for these (test/checkers/iam-catalogue
  // checks every statement against it): a statement naming an ARN would never match them.
  'redshift-serverless:CreateUsageLimit',
  'redshift-serverless:UpdateUsageLimit',
  'redshift-serverless:DeleteUsageLimit',
  'kafka:GetBootstrapBrokers',
]);

for (const variant of Object.keys(VARIANTS)) {
  const templates = () => ({ data: synthesized(variant).data, pipeline: synthesized(variant).pipeline });

  describe(`security of every template (${variant})`, () => {
    for (const name of ['data', 'pipeline'] as const) {
      const template = () => templates()[name];
      it(`${name}: no IAM statement grants "*" or "service:*" actions`, () => {
        for (const policy of policies(template())) {
          for (const statement of policy.statements.filter((s) => s.Effect === 'Allow')) {
            for (const action of statement.Action) {
              assert.ok(action !== '*' && !action.endsWith(':*'), `${policy.where} allows ${action}`);
            }
          }
        }
      });

      it(`${name}: grants on resource "*" only actions that support no resource-level permission`, () => {
        for (const policy of policies(template()).filter((p) => p.kind === 'identity')) {
          for (const statement of policy.statements.filter((s) => s.Effect === 'Allow')) {
            if (!statement.Resource.includes('*')) continue;
            for (const action of statement.Action) {
              // CDK's own VPC default-security-group custom resource is scoped to one group by ARN.
              assert.ok(ALLOWED_ON_ANY_RESOURCE.has(action), `${policy.where} allows ${action} on "*"`);
            }
          }
        }
      });

      it(`${name}: no resource policy allows anyone (principal "*")`, () => {
        for (const policy of policies(template()).filter((p) => p.kind === 'resource')) {
          for (const statement of policy.statements.filter((s) => s.Effect === 'Allow')) {
            const principal = JSON.stringify(statement.Principal);
            assert.ok(
              principal !== '"*"' && !principal.includes('{"AWS":"*"}'),
              `${policy.where} allows ${principal}`,
            );
          }
        }
        for (const [id, permission] of Object.entries(resources(template())).filter(
          ([, r]) => r.Type === 'AWS::Lambda::Permission',
        )) {
          assert.match(
            String(permission.Properties.Principal),
            /\.amazonaws\.com$/,
            `${id} is for an AWS service`,
          );
          assert.ok(permission.Properties.SourceArn, `${id} names the one source allowed`);
        }
      });

      it(`${name}: holds no secret value (no secret string, password, or key in the environment)`, () => {
        const json = template().toJSON();
        const all = resources(template());
        // The one password the stacks set: the Redshift namespace's admin password, which Secrets
        // Manager generates (GenerateSecretString holds only the rules, never a value) and which
        // reaches the namespace as a dynamic reference to that very secret, resolved by
        // CloudFormation at deploy time. Anything else named like a secret is refused.
        const generated = Object.entries(all).filter(
          ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && r.Properties?.GenerateSecretString,
        );
        for (const [id, secret] of generated) {
          const spec = secret.Properties.GenerateSecretString as Record<string, unknown>;
          assert.deepEqual(
            Object.keys(spec).sort(),
            [
              'ExcludeCharacters',
              'GenerateStringKey',
              'PasswordLength',
              'RequireEachIncludedType',
              'SecretStringTemplate',
            ],
            id,
          );
          assert.deepEqual(JSON.parse(String(spec.SecretStringTemplate)), { username: 'pipeline_admin' }, id);
        }
        const allowedPasswordPaths = new Set<string>();
        for (const [id, r] of Object.entries(all).filter(
          ([, r]) => r.Type === 'AWS::RedshiftServerless::Namespace',
        )) {
          const password = r.Properties.AdminUserPassword;
          const [secretId] = generated.map(([secretId]) => secretId);
          assert.ok(secretId, 'the admin password comes from a generated secret of this stack');
          assert.deepEqual(password, {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']],
          });
          allowedPasswordPaths.add(`.Resources.${id}.Properties.AdminUserPassword`);
        }
        for (const forbidden of ['SecretString', 'AdminUserPassword', 'MasterUserPassword', 'Password']) {
          const found = keyPaths(json).filter(
            (p) => p.endsWith(`.${forbidden}`) && !allowedPasswordPaths.has(p),
          );
          assert.deepEqual(found, [], `a ${forbidden} property is in the template`);
        }
        const references = JSON.stringify(json).match(/\{\{resolve:secretsmanager/g) ?? [];
        assert.equal(
          references.length,
          allowedPasswordPaths.size,
          'no other dynamic reference resolves a secret',
        );
        for (const [id, fn] of Object.entries(resources(template())).filter(
          ([, r]) => r.Type === 'AWS::Lambda::Function',
        )) {
          const env =
            (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
            {};
          for (const [key, value] of Object.entries(env)) {
            if (/KEY|SECRET|PASSWORD|TOKEN/.test(key)) {
              assert.equal(
                typeof value,
                'object',
                `${id} ${key} must be a reference (an ARN), never a literal value`,
              );
              assert.match(key, /_ARN$/, `${id} passes ${key}, only secret ARNs may be passed`);
            }
          }
        }
      });
    }
  });
}

describe('cdk-nag AwsSolutions checks', () => {
  /** Every acknowledgement recorded in the construct tree: rule id → reasons. */
  function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
    return root.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            // CDK stores rule ids without a known prefix as `Annotation::<id>`; cdk-nag strips it.
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );
  }

  for (const variant of Object.keys(VARIANTS)) {
    it(`finds nothing unacknowledged in either stack (${variant})`, () => {
      const { app } = synthesized(variant);
      const acks = acknowledgements(app);
      const ours = acks.filter((ack) => ack.id.startsWith('AwsSolutions-'));
      assert.ok(ours.length > 0);
      for (const ack of ours) {
        assert.match(ack.id, /^AwsSolutions-[A-Z0-9]+(\[.+\])?$/, `${ack.path}: ${ack.id}`);
        assert.ok(ack.reason.length >= 60, `${ack.path} ${ack.id}: the reason must say specifically why`);
      }
      // The others are CDK's own, for its built-in template validator (literal AZs, flow log options).
      for (const ack of acks.filter((a) => !ours.includes(a))) {
        assert.match(ack.id, /^CloudFormation-Validate::/, `${ack.path}: ${ack.id}`);
      }
    });
  }

  it('is live: an S3 bucket without TLS enforcement in the same app is refused', () => {
    assert.throws(
      () =>
        synthesize({
          beforeSynth: (app) => {
            const stack = new Stack(app, 'NagControl', { env: { region: 'ap-northeast-2' } });
            new s3.Bucket(stack, 'Plain');
            Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
          },
        }),
      /Validation failed/,
    );
  });

  it('lists every acknowledgement with its reason (for review)', () => {
    const acks = acknowledgements(synthesized('default').app);
    const distinct = new Map<string, string>();
    for (const ack of acks) distinct.set(`${ack.id} — ${ack.reason}`, ack.path);
    // Printed so a reviewer sees every suppression and its reason in the test output.
    for (const [line, path] of distinct) console.log(`  ${path}: ${line}`);
    assert.ok(distinct.size > 0);
  });
});
