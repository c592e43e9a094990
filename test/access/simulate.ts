import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type AccessModel, type PolicyDocument } from './template-model.js';

/**
 * One question to the IAM simulator: may this principal do this action on this resource, given
 * the principal's identity policies and the resource's policy from the synthesized templates?
 * `@cloud-copilot/iam-simulate` (AGPL-3.0, a devDependency only: it never reaches a bundle) runs
 * AWS's policy evaluation logic offline, with AWS's action, resource and condition-key catalogue.
 */
export interface AccessRequest {
  /** Who asks, for the table: `fetcher function`, `cloudwatch.amazonaws.com`, … */
  readonly principal: string;
  /** The principal as IAM sees it: a role session ARN, a service principal, an outside role. */
  readonly principalArn: string;
  readonly identityPolicies: readonly { name: string; policy: PolicyDocument }[];
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  /** What the proof expects: every call the code makes Allowed, every forbidden one Denied. */
  readonly expect: 'Allowed' | 'Denied';
  /** Where the request comes from: the record (test file) or the documented path and its page. */
  readonly source: string;
}

export interface Decision {
  readonly request: AccessRequest;
  /** `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`, or `Error: …` when the simulator refused it. */
  readonly decision: string;
  readonly ok: boolean;
}

/** Connection facts every request carries: HTTPS with TLS 1.2 or newer (the SDKs and services use it). */
function transportContext(action: string): Record<string, string> {
  return {
    'aws:SecureTransport': 'true',
    ...(action.startsWith('s3:') ? { 's3:TlsVersion': '1.3' } : {}),
  };
}

export async function decide(model: AccessModel, request: AccessRequest): Promise<Decision> {
  const resourcePolicy = request.resource === '*' ? undefined : model.resourcePolicy(request.resource);
  const answer = await runSimulation(
    {
      request: {
        principal: request.principalArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: { ...transportContext(request.action), ...request.context },
      },
      identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  const decision =
    answer.resultType === 'error' ? `Error: ${JSON.stringify(answer.errors)}` : String(answer.overallResult);
  const ok = request.expect === 'Allowed' ? decision === 'Allowed' : /Denied$/.test(decision);
  return { request, decision, ok };
}

/** Every request, one after the other (each takes a few milliseconds). */
export async function decideAll(model: AccessModel, requests: readonly AccessRequest[]): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const request of requests) decisions.push(await decide(model, request));
  return decisions;
}

/** Requests that are the same question once, whatever asked it (their sources joined). */
export function distinct(requests: readonly AccessRequest[]): AccessRequest[] {
  const seen = new Map<string, AccessRequest>();
  for (const request of requests) {
    const key = JSON.stringify([
      request.principal,
      request.action,
      request.resource,
      request.context,
      request.expect,
    ]);
    const earlier = seen.get(key);
    if (!earlier) seen.set(key, request);
    else if (!earlier.source.includes(request.source))
      seen.set(key, { ...earlier, source: `${earlier.source}; ${request.source}` });
  }
  return [...seen.values()];
}
