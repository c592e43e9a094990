import { SDK_OPERATIONS } from './sdk-authorization.js';
import type { AccessRequest } from './simulate.js';
import { ACCOUNT, type AccessModel, REGION } from './template-model.js';

/**
 * The AWS calls a deploy makes through CDK's `AwsCustomResource` (the crawlers' log group and its
 * retention, the Redshift usage limit): CloudFormation sends each custom resource's event to one
 * singleton function, which makes the SDK call the resource's `Create`, `Update` or `Delete`
 * property names, with the singleton's role. Nothing here is listed by hand: every call is read
 * from the templates, authorized by the same rules as the recorded calls (sdk-authorization.ts),
 * and a call without a rule is a problem that fails the proof, as a deploy would fail on it.
 */

/**
 * CDK gives the AwsCustomResource singleton function a fixed UUID, which starts its logical id
 * (aws-cdk-lib/custom-resources, `AwsCustomResource.PROVIDER_FUNCTION_UUID`).
 */
const SINGLETON_PREFIX = 'AWS679f53fac002430cb0da5b7982bd2287';
const AWS_CUSTOM_RESOURCE =
  'AWS CDK, custom-resources AwsCustomResource (its singleton function makes the call)';

interface SdkCall {
  readonly service: string;
  readonly action: string;
  readonly parameters?: Record<string, unknown>;
}

/** `CloudWatchLogs`, `@aws-sdk/client-cloudwatch-logs`, `redshift-serverless` → the SDK client's name. */
function clientName(service: string): string | undefined {
  const wanted = service
    .replace(/^@aws-sdk\/client-/, '')
    .replace(/-/g, '')
    .toLowerCase();
  return Object.keys(SDK_OPERATIONS).find((client) => client.replace(/Client$/, '').toLowerCase() === wanted);
}

export interface DeployCallRequests {
  readonly requests: AccessRequest[];
  readonly problems: string[];
}

export function deployCallRequests(model: AccessModel): DeployCallRequests {
  const requests: AccessRequest[] = [];
  const problems: string[] = [];
  for (const t of model.templates) {
    for (const [logicalId, resource] of Object.entries(t.json.Resources)) {
      const token = resource.Properties?.ServiceToken as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const functionId = token?.['Fn::GetAtt']?.[0];
      if (!functionId?.startsWith(SINGLETON_PREFIX)) continue;
      const roleId = (
        t.json.Resources[functionId]?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined
      )?.['Fn::GetAtt'][0];
      const role = model.roles.find((r) => r.template === t.name && r.logicalId === roleId);
      for (const event of ['Create', 'Update', 'Delete'] as const) {
        const property = resource.Properties?.[event];
        if (property === undefined) continue;
        const where = `${t.name}/${logicalId} ${event}`;
        try {
          if (!role) throw new Error(`no role for the AwsCustomResource function ${functionId}`);
          const call = JSON.parse(model.value(property, t.name, where)) as SdkCall;
          const client = clientName(call.service);
          const rule = client ? SDK_OPERATIONS[client]?.[call.action] : undefined;
          if (!rule)
            throw new Error(
              `${call.service} ${call.action}: no authorization rule (add it to sdk-authorization.ts with its page)`,
            );
          const parameters = call.parameters ?? {};
          const accesses = rule(
            {
              ...(typeof parameters.logGroupName === 'string'
                ? { logGroupName: parameters.logGroupName }
                : {}),
            },
            { region: REGION, account: ACCOUNT },
          );
          for (const access of accesses)
            requests.push({
              principal: `${logicalId} (AwsCustomResource)`,
              principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${functionId}`,
              identityPolicies: role.policies,
              action: access.action,
              resource: access.resource,
              context: access.context ?? {},
              expect: 'Allowed',
              source: `deploy: ${event} ${call.action}; ${AWS_CUSTOM_RESOURCE}`,
            });
        } catch (error) {
          problems.push(`${where}: ${(error as Error).message}`);
        }
      }
    }
  }
  return { requests, problems };
}
