import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { PROJECT_ROOT, ProjectFunction } from '../../lib/project-function.js';
import { resolve, SAMPLE, type TemplateJson } from '../checkers/iam-catalogue/resolve-arn.js';

/**
 * The synthesized templates as the access proof reads them: every role with the policies that
 * apply to it (inline, attached, AWS managed), every resource policy by the ARN it guards, and
 * each project function with its environment, its event source mapping and the custom resource
 * it serves. Values are resolved the way CloudFormation resolves them, with stand-in names derived
 * from logical ids (test/infra/iam-catalogue/resolve-arn.ts), the same in every template.
 */

export const ACCOUNT = SAMPLE.account;
export const REGION = SAMPLE.region;

// biome-ignore lint/suspicious/noExplicitAny: policy documents are JSON of any shape
export type PolicyDocument = { Version?: string; Statement: any[] };

export interface NamedTemplate {
  readonly name: string;
  readonly json: TemplateJson;
}

/** A project function as CDK built it: which `lambdas/<handler>/` runs in which resource. */
export interface FunctionWiring {
  readonly handler: string;
  readonly template: string;
  readonly logicalId: string;
}

/** The project functions of an app, found by their construct class, not by name. */
export function functionWiring(app: App): FunctionWiring[] {
  return app.node
    .findAll()
    .filter((node): node is ProjectFunction => node instanceof ProjectFunction)
    .map((fn) => ({
      handler: fn.handlerFolder,
      template: Stack.of(fn).stackName,
      logicalId: Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement),
    }));
}

export interface RoleModel {
  readonly logicalId: string;
  readonly template: string;
  readonly arn: string;
  readonly name: string;
  readonly policies: { name: string; policy: PolicyDocument }[];
  readonly trustPolicy: PolicyDocument;
}

export interface FunctionModel {
  readonly handler: string;
  readonly logicalId: string;
  readonly template: string;
  readonly arn: string;
  readonly role: RoleModel;
  /** The session a running function signs its calls with. */
  readonly sessionArn: string;
  readonly environment: Readonly<Record<string, unknown>>;
  /** Its MSK event source mapping's properties, if it has one. */
  readonly mapping?: Readonly<Record<string, unknown>>;
  /** Properties of the custom resource whose provider calls it, if any. */
  readonly customResource?: Readonly<Record<string, unknown>>;
}

interface ManagedPolicyFixture {
  readonly source: string;
  readonly arn: string;
  readonly document: PolicyDocument;
}

/** AWS managed policies the roles attach, copied from AWS's managed policy reference. */
export function awsManagedPolicies(): Map<string, ManagedPolicyFixture> {
  const dir = join(PROJECT_ROOT, 'test', 'fixtures', 'aws-managed-policies');
  return new Map(
    readdirSync(dir).map((file) => {
      const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ManagedPolicyFixture;
      return [fixture.arn, fixture];
    }),
  );
}

const INTRINSIC = /^(Ref|Fn::[A-Za-z]+)$/;

export class AccessModel {
  readonly roles: RoleModel[];
  readonly functions: Map<string, FunctionModel>;
  /** Resource policies by the ARN they guard (a bucket policy guards the bucket and its objects). */
  private readonly resourcePolicies = new Map<string, PolicyDocument>();

  constructor(
    readonly templates: readonly NamedTemplate[],
    wiring: readonly FunctionWiring[],
  ) {
    const managed = awsManagedPolicies();
    this.roles = templates.flatMap((t) =>
      Object.entries(t.json.Resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Role')
        .map(([id]) => this.role(t, id, managed)),
    );
    this.collectResourcePolicies();
    this.functions = new Map(wiring.map((w) => [w.handler, this.functionModel(w)]));
  }

  template(name: string): NamedTemplate {
    const found = this.templates.find((t) => t.name === name);
    if (!found) throw new Error(`no template ${name}`);
    return found;
  }

  /** A template value (intrinsics included) as the string CloudFormation makes of it. */
  value(value: unknown, template: string, where = template): string {
    return resolve(
      value,
      this.template(template).json,
      this.templates.map((t) => t.json),
      where,
    );
  }

  /** A whole document with every intrinsic resolved: what IAM sees after deployment. */
  document<T>(value: T, template: string, where: string): T {
    const walk = (node: unknown, path: string): unknown => {
      if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`));
      if (node !== null && typeof node === 'object') {
        const entries = Object.entries(node);
        if (entries.length === 1 && INTRINSIC.test(entries[0]?.[0] ?? ''))
          return this.value(node, template, path);
        return Object.fromEntries(entries.map(([k, v]) => [k, walk(v, `${path}/${k}`)]));
      }
      return node;
    };
    return walk(value, where) as T;
  }

  resourcePolicy(arn: string): PolicyDocument | undefined {
    if (this.resourcePolicies.has(arn)) return this.resourcePolicies.get(arn);
    // An S3 object is guarded by its bucket's policy.
    const bucket = /^(arn:[^:]+:s3:::[^/]+)\//.exec(arn)?.[1];
    return bucket ? this.resourcePolicies.get(bucket) : undefined;
  }

  function(handler: string): FunctionModel {
    const fn = this.functions.get(handler);
    if (!fn) throw new Error(`no project function runs lambdas/${handler}/`);
    return fn;
  }

  roleByArn(arn: string): RoleModel | undefined {
    return this.roles.find((role) => role.arn === arn);
  }

  resourcesOfType(
    type: string,
  ): { template: string; logicalId: string; properties: Record<string, unknown> }[] {
    return this.templates.flatMap((t) =>
      Object.entries(t.json.Resources)
        .filter(([, r]) => r.Type === type)
        .map(([logicalId, r]) => ({ template: t.name, logicalId, properties: r.Properties ?? {} })),
    );
  }

  private role(t: NamedTemplate, id: string, managed: Map<string, ManagedPolicyFixture>): RoleModel {
    const resource = t.json.Resources[id] as { Properties?: Record<string, unknown> };
    const props = resource.Properties ?? {};
    // CloudFormation names a role <stack>-<logical id>-<suffix> unless RoleName says otherwise: two
    // stacks may hold a role of the same logical id (CDK's AwsCustomResource singleton), never of the same name.
    const name = props.RoleName ? this.valueIn(t, props.RoleName) : `${t.name}-${id}`.slice(0, 64);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
    const policies: { name: string; policy: PolicyDocument }[] = [];
    for (const inline of (props.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]) {
      policies.push({
        name: inline.PolicyName,
        policy: this.documentIn(t, inline.PolicyDocument as PolicyDocument, `${id}/Policies`),
      });
    }
    for (const [policyId, policy] of Object.entries(t.json.Resources)) {
      if (policy.Type !== 'AWS::IAM::Policy' && policy.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const roles = ((policy.Properties?.Roles ?? []) as unknown[]).map((r) => JSON.stringify(r));
      if (!roles.includes(JSON.stringify({ Ref: id }))) continue;
      policies.push({
        name: policyId,
        policy: this.documentIn(t, policy.Properties?.PolicyDocument as PolicyDocument, policyId),
      });
    }
    for (const value of (props.ManagedPolicyArns ?? []) as unknown[]) {
      const managedArn = this.valueIn(t, value);
      const fixture = managed.get(managedArn);
      if (!fixture) {
        throw new Error(
          `${t.name}/${id} attaches ${managedArn}: add its document from AWS's managed policy reference to test/fixtures/aws-managed-policies/`,
        );
      }
      policies.push({ name: managedArn, policy: fixture.document });
    }
    return {
      logicalId: id,
      template: t.name,
      arn: roleArn,
      name,
      policies,
      trustPolicy: this.documentIn(t, props.AssumeRolePolicyDocument as PolicyDocument, `${id}/Trust`),
    };
  }

  private valueIn(t: NamedTemplate, value: unknown): string {
    return resolve(
      value,
      t.json,
      this.templates.map((x) => x.json),
      t.name,
    );
  }

  private documentIn(t: NamedTemplate, doc: PolicyDocument, where: string): PolicyDocument {
    return this.document(doc, t.name, `${t.name}/${where}`);
  }

  private functionModel(w: FunctionWiring): FunctionModel {
    const t = this.template(w.template);
    const props = (t.json.Resources[w.logicalId]?.Properties ?? {}) as Record<string, unknown>;
    const roleRef = props.Role as { 'Fn::GetAtt': [string, string] };
    const role = this.roles.find(
      (r) => r.template === w.template && r.logicalId === roleRef['Fn::GetAtt'][0],
    );
    if (!role) throw new Error(`no role for ${w.logicalId}`);
    const arn = this.valueIn(t, { 'Fn::GetAtt': [w.logicalId, 'Arn'] });
    const name = arn.split(':').pop() as string;
    const mapping = Object.values(t.json.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: w.logicalId }),
    )?.Properties;
    const provider = Object.entries(t.json.Resources).find(
      ([, r]) =>
        JSON.stringify(
          (r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables
            ?.USER_ON_EVENT_FUNCTION_ARN,
        ) === JSON.stringify({ 'Fn::GetAtt': [w.logicalId, 'Arn'] }),
    )?.[0];
    const customResource = provider
      ? Object.values(t.json.Resources).find(
          (r) =>
            JSON.stringify(r.Properties?.ServiceToken) ===
            JSON.stringify({ 'Fn::GetAtt': [provider, 'Arn'] }),
        )?.Properties
      : undefined;
    return {
      handler: w.handler,
      logicalId: w.logicalId,
      template: w.template,
      arn,
      role,
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${name}`,
      environment: ((props.Environment as { Variables?: Record<string, unknown> })?.Variables ??
        {}) as Record<string, unknown>,
      ...(mapping ? { mapping } : {}),
      ...(customResource ? { customResource } : {}),
    };
  }

  /** Bucket, topic, queue, secret and function (Lambda permission) policies, and role trust policies. */
  private collectResourcePolicies(): void {
    const add = (arn: string, statements: unknown[]) => {
      const existing = this.resourcePolicies.get(arn);
      this.resourcePolicies.set(arn, {
        Version: '2012-10-17',
        Statement: [...(existing?.Statement ?? []), ...statements],
      });
    };
    for (const t of this.templates) {
      for (const [id, r] of Object.entries(t.json.Resources)) {
        const props = r.Properties ?? {};
        const doc = () => this.documentIn(t, props.PolicyDocument as PolicyDocument, id).Statement;
        switch (r.Type) {
          case 'AWS::S3::BucketPolicy':
            add(`arn:aws:s3:::${this.valueIn(t, props.Bucket)}`, doc());
            break;
          case 'AWS::SNS::TopicPolicy':
            for (const topic of props.Topics as unknown[]) add(this.valueIn(t, topic), doc());
            break;
          case 'AWS::SQS::QueuePolicy':
            for (const queue of props.Queues as unknown[]) {
              const url = this.valueIn(t, queue);
              const [, , , account, name] = url.split('/');
              add(`arn:aws:sqs:${REGION}:${account}:${name}`, doc());
            }
            break;
          case 'AWS::SecretsManager::ResourcePolicy':
            add(
              this.valueIn(t, props.SecretId),
              this.documentIn(t, props.ResourcePolicy as PolicyDocument, id).Statement,
            );
            break;
          case 'AWS::Lambda::Permission':
            add(this.valueIn(t, props.FunctionName), [this.permissionStatement(t, id, props)]);
            break;
          default:
            break;
        }
      }
    }
    for (const role of this.roles) add(role.arn, role.trustPolicy.Statement);
  }

  /** `AWS::Lambda::Permission` as the statement Lambda adds to the function's resource policy. */
  private permissionStatement(t: NamedTemplate, id: string, props: Record<string, unknown>): unknown {
    const principal = this.valueIn(t, props.Principal);
    const condition: Record<string, Record<string, string>> = {};
    if (props.SourceArn) condition.ArnLike = { 'aws:SourceArn': this.valueIn(t, props.SourceArn) };
    if (props.SourceAccount)
      condition.StringEquals = { 'aws:SourceAccount': this.valueIn(t, props.SourceAccount) };
    return {
      Sid: id,
      Effect: 'Allow',
      Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
      Action: this.valueIn(t, props.Action),
      Resource: this.valueIn(t, props.FunctionName),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
  }
}
