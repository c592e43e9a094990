/**
 * Whether an SNS topic's access policy lets CloudWatch alarms of `account` publish to it: an
 * Allow statement for the service principal `cloudwatch.amazonaws.com` with `sns:Publish` on the
 * topic, whose conditions (if any) name this account or its alarms, and no Deny that would apply
 * to such a request (a Deny on `aws:SecureTransport` false does not: CloudWatch publishes over
 * TLS). This reads the policy the way the AWS pages on alarm notifications describe it; it is not
 * a full IAM evaluation (the access proof in test/ is).
 */
export function cloudWatchMayPublish(
  policyJson: string | undefined,
  topicArn: string,
  account: string,
): {
  allowed: boolean;
  reason: string;
} {
  if (!policyJson) return { allowed: false, reason: 'the topic has no access policy' };
  let statements: Record<string, unknown>[];
  try {
    const policy = JSON.parse(policyJson) as { Statement?: unknown };
    statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]).filter(
      (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
    );
  } catch {
    return { allowed: false, reason: 'the topic policy is not JSON' };
  }
  const list = (value: unknown): string[] =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  const forCloudWatch = (s: Record<string, unknown>) => {
    const principal = s.Principal as Record<string, unknown> | string | undefined;
    if (principal === '*') return true;
    return typeof principal === 'object' && list(principal?.Service).includes('cloudwatch.amazonaws.com');
  };
  const publishes = (s: Record<string, unknown>) =>
    list(s.Action).some((a) => ['sns:publish', 'sns:*', '*'].includes(a.toLowerCase()));
  const onTopic = (s: Record<string, unknown>) => list(s.Resource).some((r) => r === topicArn || r === '*');
  const conditionValues = (s: Record<string, unknown>) =>
    Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((keys) =>
      Object.values(keys).flatMap(list),
    );
  const denies = statements.filter(
    (s) =>
      s.Effect === 'Deny' &&
      forCloudWatch(s) &&
      publishes(s) &&
      onTopic(s) &&
      // A TLS-only Deny does not apply to a request over TLS.
      JSON.stringify(s.Condition ?? {}) !== JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
  );
  if (denies.length > 0)
    return { allowed: false, reason: 'a Deny statement applies to CloudWatch publishing' };
  const allow = statements.find(
    (s) =>
      s.Effect === 'Allow' &&
      forCloudWatch(s) &&
      publishes(s) &&
      onTopic(s) &&
      (s.Condition === undefined ||
        conditionValues(s).some((v) => v === account || v.includes(`:${account}:alarm:`))),
  );
  return allow
    ? { allowed: true, reason: 'an Allow for cloudwatch.amazonaws.com to sns:Publish, for this account' }
    : {
        allowed: false,
        reason: 'no Allow for cloudwatch.amazonaws.com to sns:Publish on the topic for this account',
      };
}
