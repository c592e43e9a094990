import type { Finding } from './check.js';

/**
 * The reviewed exceptions to the IAM catalogue check: each names the finding it covers as exactly
 * as it can (rule, action, where, resource) and says why it is right to keep. An exception that no
 * longer covers anything fails the check too, so this list never outlives its reasons.
 */
export interface IamException {
  readonly rule: Finding['rule'];
  readonly action: string;
  /** Matched against the statement's place: `<template>/<logical id>/…`. */
  readonly where: RegExp;
  readonly resource?: RegExp;
  readonly reason: string;
}

export const IAM_EXCEPTIONS: readonly IamException[] = [
  {
    rule: 'no-resource-type',
    action: 'kafka:GetBootstrapBrokers',
    where: /\/WriterFunctionServiceRoleDefaultPolicy[0-9A-F]{8}\/Statement\/\d+$/,
    resource: /^arn:aws:kafka:[a-z0-9-]+:\d{12}:cluster\//,
    reason:
      "CDK's ManagedKafkaEventSource adds kafka:GetBootstrapBrokers on the cluster ARN to the writer's role by " +
      'itself; that statement never matches the action, and Stream.grantBootstrap grants it on "*" in the same ' +
      'policy, so the MSK trigger is authorized all the same.',
  },
];
