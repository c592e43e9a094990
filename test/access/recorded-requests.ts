import {
  type AclResource,
  aclChecks,
  iamActionOf,
  kafkaResourceArn,
  REQUIRED_ON_SAME_RESOURCE,
} from './kafka-authorization.js';
import type { RecordedCall, RecordedKafkaCall, RecordedSdkCall, RecordedValue } from './record.js';
import { type ResolvedParams, SDK_OPERATIONS } from './sdk-authorization.js';
import type { AccessRequest } from './simulate.js';
import { ACCOUNT, type AccessModel, type FunctionModel, REGION } from './template-model.js';

/**
 * Turns the record into questions for the simulator: who (the function's role), which action, on
 * which resource of the deployed stacks. A recorded value is mapped to the stack through the
 * configuration slot it came from (the function's environment variable, its custom resource's
 * property, its event source mapping's property), read from the synthesized template. A call
 * that cannot be mapped, or whose operation has no authorization rule, is a problem: the proof
 * fails on it, since an unsimulated call is an unproven one.
 */
export interface RecordedRequests {
  readonly requests: AccessRequest[];
  readonly problems: string[];
}

export function requestsFromRecord(model: AccessModel, record: readonly RecordedCall[]): RecordedRequests {
  const requests: AccessRequest[] = [];
  const problems: string[] = [];
  for (const call of record) {
    try {
      requests.push(...(call.kind === 'sdk' ? sdkRequests(model, call) : kafkaRequests(model, call)));
    } catch (error) {
      problems.push(`${describe(call)}: ${(error as Error).message}`);
    }
  }
  return { requests, problems };
}

function describe(call: RecordedCall): string {
  const what = call.kind === 'sdk' ? `${call.client} ${call.operation}` : `Kafka ${call.api}`;
  return `${call.principal.handler} ${call.principal.as} ${what} (${call.testFile})`;
}

function label(call: RecordedCall): string {
  return call.principal.as === 'function'
    ? `${call.principal.handler} function`
    : `${call.principal.handler} MSK trigger`;
}

/** A configuration slot's value in the template, for this function. */
function slotValue(model: AccessModel, fn: FunctionModel, slot: string): string | undefined {
  const [kind, name] = [slot.slice(0, slot.indexOf(':')), slot.slice(slot.indexOf(':') + 1)];
  let raw: unknown;
  if (kind === 'env') raw = fn.environment[name];
  else if (kind === 'resource') raw = fn.customResource?.[name];
  else if (kind === 'mapping') {
    const mapping = fn.mapping as Record<string, unknown> | undefined;
    if (name === 'ConsumerGroupId')
      raw = (mapping?.AmazonManagedKafkaEventSourceConfig as Record<string, unknown> | undefined)
        ?.ConsumerGroupId;
    else if (name === 'Topics') raw = (mapping?.Topics as unknown[] | undefined)?.[0];
    else raw = mapping?.[name];
  }
  return raw === undefined ? undefined : model.value(raw, fn.template, `${fn.logicalId} ${slot}`);
}

/** What the deployed stack gives for a recorded value: it must come from the function's own configuration. */
function bound(model: AccessModel, fn: FunctionModel, recorded: RecordedValue, what: string): string {
  const values = [
    ...new Set(
      recorded.from.map((slot) => slotValue(model, fn, slot)).filter((v): v is string => v !== undefined),
    ),
  ];
  if (values.length === 0) {
    throw new Error(
      `the ${what} ${JSON.stringify(recorded.value)} comes from none of the function's configured slots ` +
        `(it matched ${recorded.from.length === 0 ? 'nothing' : recorded.from.join(', ')})`,
    );
  }
  if (values.length > 1) throw new Error(`the ${what} maps to several stack values: ${values.join(', ')}`);
  return values[0] as string;
}

function workgroupArn(model: AccessModel, name: string): string {
  const workgroup = model
    .resourcesOfType('AWS::RedshiftServerless::Workgroup')
    .find((w) => model.value(w.properties.WorkgroupName, w.template) === name);
  if (!workgroup) throw new Error(`no workgroup named ${name} in the templates`);
  return model.value({ 'Fn::GetAtt': [workgroup.logicalId, 'Workgroup.WorkgroupArn'] }, workgroup.template);
}

function sdkRequests(model: AccessModel, call: RecordedSdkCall): AccessRequest[] {
  const rule = SDK_OPERATIONS[call.client]?.[call.operation];
  if (!rule)
    throw new Error(
      'no authorization rule for this operation (add it to sdk-authorization.ts with its page)',
    );
  const fn = model.function(call.principal.handler);
  const p = call.params;
  const value = (name: string) => p[name]?.value;
  const bind = (name: string, what: string) => (p[name] ? bound(model, fn, p[name], what) : undefined);
  const params: ResolvedParams = {
    bucket: bind('Bucket', 'bucket'),
    key: value('Key'),
    prefix: value('Prefix'),
    database: bind('DatabaseName', 'Glue database'),
    table: value('TableName') ?? (call.client === 'GlueClient' ? value('Name') : undefined),
    secretArn: bind('SecretId', 'secret'),
    clusterArn: bind('ClusterArn', 'MSK cluster'),
    workgroupArn: p.WorkgroupName
      ? workgroupArn(model, bind('WorkgroupName', 'workgroup') as string)
      : undefined,
    dataApiSecretArn: bind('SecretArn', 'Data API sign-in secret'),
  };
  return rule(params, { region: REGION, account: ACCOUNT }).map((access) => ({
    principal: label(call),
    principalArn: fn.sessionArn,
    identityPolicies: fn.role.policies,
    action: access.action,
    resource: access.resource,
    context: access.context ?? {},
    expect: 'Allowed',
    source: access.implied
      ? `recorded ${call.operation} (${call.testFile}); ${access.implied}`
      : `recorded ${call.operation} (${call.testFile})`,
  }));
}

function kafkaRequests(model: AccessModel, call: RecordedKafkaCall): AccessRequest[] {
  if (call.unknownMethod)
    throw new Error(`kafkajs sent ${call.unknownMethod}, which the recorder cannot name`);
  const fn = model.function(call.principal.handler);
  const clusterSlot = call.principal.kafkaCluster;
  const clusterArn = clusterSlot ? slotValue(model, fn, clusterSlot) : undefined;
  if (!clusterArn)
    throw new Error(`its Kafka cluster (${clusterSlot ?? 'not named'}) is not in the template`);
  const names: Record<AclResource, string[]> = {
    Cluster: [''],
    Topic: call.topics.map((t) => bound(model, fn, t, 'topic')),
    Group: call.groups.map((g) => bound(model, fn, g, 'consumer group')),
    TransactionalId: call.transactionalIds.map((t) => bound(model, fn, t, 'transactional id')),
  };
  const accesses: { action: string; resource: string }[] = [];
  if (call.api === 'CONNECT') {
    accesses.push({ action: 'kafka-cluster:Connect', resource: clusterArn });
  } else {
    const checks = aclChecks({
      api: call.api,
      idempotent: call.idempotent,
      transactional: call.transactionalIds.length > 0 && call.api !== 'FIND_COORDINATOR',
      coordinatorOfTransaction: call.api === 'FIND_COORDINATOR' && call.transactionalIds.length > 0,
      allowAutoTopicCreation: call.allowAutoTopicCreation,
      clusterConfigs: call.clusterConfigs,
      topicConfigs: call.topics.length > 0,
    });
    if (!checks) throw new Error('Kafka API not in the authorization table (kafka-authorization.ts)');
    for (const acl of checks) {
      const action = iamActionOf(acl);
      for (const name of names[acl.resource]) {
        const resource = kafkaResourceArn(clusterArn, acl.resource, name);
        for (const needed of [action, ...(REQUIRED_ON_SAME_RESOURCE[action] ?? [])])
          accesses.push({ action: needed, resource });
      }
    }
    // Every request travels on an authenticated connection.
    if (checks.length > 0) accesses.push({ action: 'kafka-cluster:Connect', resource: clusterArn });
  }
  return accesses.map(({ action, resource }) => ({
    principal: label(call),
    principalArn: fn.sessionArn,
    identityPolicies: fn.role.policies,
    action,
    resource,
    context: {},
    expect: 'Allowed',
    source: `recorded Kafka ${call.api} (${call.testFile})`,
  }));
}
