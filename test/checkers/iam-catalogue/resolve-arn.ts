/**
 * Turns the `Resource` of an IAM statement in a synthesized template into the ARN it will be at
 * deploy time, with made-up but well-formed names where CloudFormation fills in real ones: what a
 * `Ref` or `Fn::GetAtt` returns depends on the type of the resource it points at (a bucket's `Ref`
 * is its name, a queue's its URL, a secret's its ARN), so a reference is resolved by looking up
 * that type below. `Fn::ImportValue` is followed into the template that exports it. Anything this
 * cannot resolve is an error with the path to it, never a guess: the table grows with the stacks.
 */

export const SAMPLE = {
  partition: 'aws',
  region: 'ap-northeast-2',
  account: '123456789012',
} as const;

export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** What `Ref` and `Fn::GetAtt` give for the resource types the stacks reference in policies. */
type Attributes = Record<string, (name: string) => string>;
const { partition: P, region: R, account: A } = SAMPLE;
const REFERENCE_SHAPES: Record<string, Attributes> = {
  'AWS::S3::Bucket': { Ref: (n) => n, Arn: (n) => `arn:${P}:s3:::${n}` },
  'AWS::SQS::Queue': {
    Ref: (n) => `https://sqs.${R}.amazonaws.com/${A}/${n}`,
    Arn: (n) => `arn:${P}:sqs:${R}:${A}:${n}`,
    QueueName: (n) => n,
  },
  'AWS::SNS::Topic': {
    Ref: (n) => `arn:${P}:sns:${R}:${A}:${n}`,
    TopicArn: (n) => `arn:${P}:sns:${R}:${A}:${n}`,
  },
  'AWS::Lambda::Function': { Ref: (n) => n, Arn: (n) => `arn:${P}:lambda:${R}:${A}:function:${n}` },
  'AWS::IAM::Role': { Ref: (n) => n, Arn: (n) => `arn:${P}:iam::${A}:role/${n}` },
  'AWS::SecretsManager::Secret': {
    Ref: (n) => `arn:${P}:secretsmanager:${R}:${A}:secret:${n}-AbCdEf`,
    Id: (n) => `arn:${P}:secretsmanager:${R}:${A}:secret:${n}-AbCdEf`,
  },
  'AWS::MSK::ServerlessCluster': {
    Ref: (n) => `arn:${P}:kafka:${R}:${A}:cluster/${n}/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-s2`,
    Arn: (n) => `arn:${P}:kafka:${R}:${A}:cluster/${n}/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-s2`,
  },
  'AWS::RedshiftServerless::Workgroup': {
    Ref: (n) => n,
    'Workgroup.WorkgroupArn': () =>
      `arn:${P}:redshift-serverless:${R}:${A}:workgroup/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718`,
  },
  'AWS::RedshiftServerless::Namespace': {
    Ref: (n) => n,
    'Namespace.NamespaceArn': () =>
      `arn:${P}:redshift-serverless:${R}:${A}:namespace/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`,
  },
  'AWS::Glue::Database': { Ref: (n) => n },
  'AWS::Glue::Table': { Ref: (n) => n },
  'AWS::Logs::LogGroup': { Ref: (n) => n, Arn: (n) => `arn:${P}:logs:${R}:${A}:log-group:${n}:*` },
  'AWS::Events::Rule': { Ref: (n) => n, Arn: (n) => `arn:${P}:events:${R}:${A}:rule/${n}` },
  'AWS::EC2::SecurityGroup': { GroupId: () => 'sg-0123456789abcdef0' },
  'AWS::EC2::VPC': { Ref: () => 'vpc-0123456789abcdef0', DefaultSecurityGroup: () => 'sg-0fedcba9876543210' },
  'AWS::KMS::Key': {
    Ref: () => '1234abcd-12ab-34cd-56ef-1234567890ab',
    Arn: () => `arn:${P}:kms:${R}:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  },
  'AWS::StepFunctions::StateMachine': { Ref: (n) => `arn:${P}:states:${R}:${A}:stateMachine:${n}` },
  'AWS::CloudWatch::Alarm': { Ref: (n) => n, Arn: (n) => `arn:${P}:cloudwatch:${R}:${A}:alarm:${n}` },
  'AWS::Glue::Crawler': { Ref: (n) => n },
};

const PSEUDO: Record<string, string> = {
  'AWS::Partition': P,
  'AWS::Region': R,
  'AWS::AccountId': A,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'SampleStack',
  'AWS::NoValue': '',
};

export class UnresolvableError extends Error {}

/** A lower-case, name-like stand-in for a resource's physical name, derived from its logical id. */
function physicalName(logicalId: string): string {
  return `${logicalId.toLowerCase().slice(0, 40)}-sample`;
}

/**
 * Resolves `value` in `template`. `templates` are every template of the app, for
 * `Fn::ImportValue`; `where` names the place in the template, for errors.
 */
export function resolve(
  value: unknown,
  template: TemplateJson,
  templates: readonly TemplateJson[],
  where: string,
): string {
  const again = (v: unknown) => resolve(v, template, templates, where);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) || value === null || typeof value !== 'object') {
    throw new UnresolvableError(`${where}: cannot read ${JSON.stringify(value)} as a string`);
  }
  const entries = Object.entries(value);
  if (entries.length !== 1)
    throw new UnresolvableError(`${where}: not an intrinsic: ${JSON.stringify(value)}`);
  const [fn, arg] = entries[0] as [string, unknown];
  switch (fn) {
    case 'Ref':
      return reference(String(arg), 'Ref', template, where);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
      return reference(String(id), String(attribute), template, where);
    }
    case 'Fn::Join': {
      const [delimiter, parts] = arg as [string, unknown[]];
      return parts.map(again).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = listOf(list, template, templates, where);
      const picked = items[Number(again(index))];
      if (picked === undefined) throw new UnresolvableError(`${where}: Fn::Select index out of range`);
      return picked;
    }
    case 'Fn::Sub':
      return substitute(arg, template, templates, where);
    case 'Fn::ImportValue':
      return imported(again(arg), templates, where);
    default:
      throw new UnresolvableError(`${where}: ${fn} is not resolved by the IAM catalogue check`);
  }
}

function listOf(
  value: unknown,
  template: TemplateJson,
  templates: readonly TemplateJson[],
  where: string,
): string[] {
  if (Array.isArray(value)) return value.map((v) => resolve(v, template, templates, where));
  const split = (value as Record<string, unknown> | null)?.['Fn::Split'];
  if (split) {
    const [delimiter, source] = split as [string, unknown];
    return resolve(source, template, templates, where).split(delimiter);
  }
  throw new UnresolvableError(`${where}: cannot read ${JSON.stringify(value)} as a list`);
}

function reference(id: string, attribute: string, template: TemplateJson, where: string): string {
  if (attribute === 'Ref' && id in PSEUDO) return PSEUDO[id] as string;
  const target = template.Resources[id];
  if (!target) throw new UnresolvableError(`${where}: no resource ${id} in the template`);
  const shape = REFERENCE_SHAPES[target.Type]?.[attribute];
  if (!shape) {
    throw new UnresolvableError(
      `${where}: ${attribute === 'Ref' ? 'Ref' : `Fn::GetAtt ${attribute}`} of ${target.Type} (${id}) is not in the table of reference shapes`,
    );
  }
  return shape(physicalName(id));
}

function substitute(
  arg: unknown,
  template: TemplateJson,
  templates: readonly TemplateJson[],
  where: string,
): string {
  const [text, variables] = Array.isArray(arg)
    ? (arg as [string, Record<string, unknown>])
    : [String(arg), {}];
  return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name in variables) return resolve(variables[name], template, templates, where);
    if (name in PSEUDO) return PSEUDO[name] as string;
    const [id, attribute] = name.split(/\.(.+)/);
    return reference(id as string, attribute ?? 'Ref', template, where);
  });
}

function imported(name: string, templates: readonly TemplateJson[], where: string): string {
  for (const other of templates) {
    for (const output of Object.values(other.Outputs ?? {})) {
      if (!output.Export) continue;
      let exportName: string;
      try {
        exportName = resolve(output.Export.Name, other, templates, where);
      } catch {
        continue;
      }
      if (exportName === name) return resolve(output.Value, other, templates, `${where} → export ${name}`);
    }
  }
  throw new UnresolvableError(`${where}: no template exports ${name}`);
}
