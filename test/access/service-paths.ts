import type { AccessRequest } from './simulate.js';
import { ACCOUNT, type AccessModel, type PolicyDocument, REGION } from './template-model.js';

/**
 * The calls AWS services make for the stacks, on the paths the stacks wire up, read from the
 * templates (which alarm notifies which topic, which rule targets which function, …). What each
 * service needs is what its documentation says, named beside each path. All must be Allowed.
 */

const service = (
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string>,
  source: string,
): AccessRequest => ({
  principal,
  principalArn: principal,
  identityPolicies: [],
  action,
  resource,
  context,
  expect: 'Allowed',
  source,
});

const asRole = (
  label: string,
  role: { arn: string; name: string; policies: { name: string; policy: PolicyDocument }[] },
  action: string,
  resource: string,
  source: string,
  context: Record<string, string> = {},
): AccessRequest => ({
  principal: label,
  principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${label.replace(/\W+/g, '-')}`,
  identityPolicies: role.policies,
  action,
  resource,
  context,
  expect: 'Allowed',
  source,
});

const KC_ALARM_SNS =
  'AWS Knowledge Center, "Why didn\'t I receive an SNS notification for my CloudWatch alarm trigger?"';
const EVENTBRIDGE_LAMBDA =
  'Amazon EventBridge user guide, "Using resource-based policies for Amazon EventBridge" (Lambda)';
const EVENTBRIDGE_DLQ =
  'Amazon EventBridge user guide, "Using dead-letter queues to process undelivered events"';
const LAMBDA_DESTINATIONS =
  'AWS Lambda developer guide, "Capturing records of Lambda asynchronous invocations" (destinations)';
const LAMBDA_MSK =
  'AWS Lambda developer guide, "Configuring Lambda permissions for Amazon MSK event source mappings"';
const LAMBDA_MSK_ON_FAILURE =
  'AWS Lambda developer guide, "Capturing discarded batches for Amazon MSK and self-managed Apache Kafka event sources"';
const LAMBDA_ROLE =
  'AWS Lambda developer guide, "Defining Lambda function permissions with an execution role"';
const SPECTRUM = 'Amazon Redshift database developer guide, "IAM policies for Amazon Redshift Spectrum"';
const SPECTRUM_ROLE =
  'Amazon Redshift management guide, "Authorizing Amazon Redshift to access other AWS services on your behalf"';
const COPY_PARQUET = 'Amazon Redshift database developer guide, "COPY from columnar data formats"';
const GLUE_ARNS = 'AWS Glue developer guide, "Specifying AWS Glue resource ARNs"';
const GLUE_CRAWLER = 'AWS Glue developer guide, "Step 2: Create an IAM role for AWS Glue" (crawler role)';
const CDK_PROVIDER = 'AWS CDK, custom-resources Provider framework (its onEvent function invokes ours)';

/** Sample object keys under each lake area: what services read or write there. */
const sampleKey = (area: string) => `${area}/year=2026/month=07/day=16/hour=23/minute=20/sample.parquet`;

export function servicePathRequests(model: AccessModel): AccessRequest[] {
  const requests: AccessRequest[] = [];
  const value = (v: unknown, template: string) => model.value(v, template);

  // CloudWatch → SNS: every alarm action that names a topic, as cloudwatch.amazonaws.com naming the alarm.
  for (const alarm of model.resourcesOfType('AWS::CloudWatch::Alarm')) {
    const alarmArn = value({ 'Fn::GetAtt': [alarm.logicalId, 'Arn'] }, alarm.template);
    const actions = [
      ...((alarm.properties.AlarmActions ?? []) as unknown[]),
      ...((alarm.properties.OKActions ?? []) as unknown[]),
    ];
    for (const topic of new Set(actions.map((a) => value(a, alarm.template)))) {
      if (!topic.includes(':sns:')) continue;
      requests.push(
        service(
          'cloudwatch.amazonaws.com',
          'sns:Publish',
          topic,
          { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': ACCOUNT },
          `alarm ${alarm.logicalId} → topic; ${KC_ALARM_SNS}`,
        ),
      );
    }
  }

  // EventBridge → targets: invoke each Lambda target, and send undeliverable events to the rule's DLQ.
  for (const rule of model.resourcesOfType('AWS::Events::Rule')) {
    const ruleArn = value({ 'Fn::GetAtt': [rule.logicalId, 'Arn'] }, rule.template);
    const from = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT };
    for (const target of (rule.properties.Targets ?? []) as Record<string, unknown>[]) {
      const targetArn = value(target.Arn, rule.template);
      if (targetArn.includes(':lambda:'))
        requests.push(
          service(
            'events.amazonaws.com',
            'lambda:InvokeFunction',
            targetArn,
            from,
            `rule ${rule.logicalId}; ${EVENTBRIDGE_LAMBDA}`,
          ),
        );
      const dlq = (target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
      if (dlq)
        requests.push(
          service(
            'events.amazonaws.com',
            'sqs:SendMessage',
            value(dlq, rule.template),
            from,
            `rule ${rule.logicalId} dead letters; ${EVENTBRIDGE_DLQ}`,
          ),
        );
    }
  }

  for (const fn of model.functions.values()) {
    // Lambda assumes the execution role to run the function.
    requests.push(
      service(
        'lambda.amazonaws.com',
        'sts:AssumeRole',
        fn.role.arn,
        {},
        `${fn.handler} execution role; ${LAMBDA_ROLE}`,
      ),
    );
    // Asynchronous-invocation failure destinations are sent with the function's execution role.
    for (const config of model.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
      if (value(config.properties.FunctionName, config.template) !== fn.arn.split(':').pop()) continue;
      const destination = (config.properties.DestinationConfig as { OnFailure?: { Destination?: unknown } })
        ?.OnFailure?.Destination;
      if (destination)
        requests.push(
          asRole(
            `${fn.handler} async destination`,
            fn.role,
            'sqs:SendMessage',
            value(destination, config.template),
            LAMBDA_DESTINATIONS,
          ),
        );
    }
    if (fn.mapping) requests.push(...mskTriggerRequests(model, fn));
  }

  // The CDK provider framework's onEvent function invokes the project function behind each custom resource.
  for (const provider of model.resourcesOfType('AWS::Lambda::Function')) {
    const target = (provider.properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables?.USER_ON_EVENT_FUNCTION_ARN;
    if (!target) continue;
    const roleRef = (provider.properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const providerRole = model.roles.find((r) => r.template === provider.template && r.logicalId === roleRef);
    if (!providerRole) throw new Error(`no role for provider ${provider.logicalId}`);
    requests.push(
      asRole(
        `${provider.logicalId} (provider)`,
        providerRole,
        'lambda:InvokeFunction',
        value(target, provider.template),
        CDK_PROVIDER,
      ),
    );
  }

  requests.push(...warehouseRoleRequests(model), ...crawlerRequests(model));
  return requests;
}

/**
 * The MSK trigger polls with the function's role: the cluster look-ups and the Kafka actions the
 * Lambda guide lists, on the cluster, topic and group the mapping names; and, on failure, it
 * writes the batch to the S3 destination (s3:PutObject, s3:ListBucket).
 */
function mskTriggerRequests(model: AccessModel, fn: ReturnType<AccessModel['function']>): AccessRequest[] {
  const mapping = fn.mapping as Record<string, unknown>;
  const cluster = model.value(mapping.EventSourceArn, fn.template);
  const topic = `${cluster.replace(':cluster/', ':topic/')}/${(mapping.Topics as string[])[0]}`;
  const groupId = (mapping.AmazonManagedKafkaEventSourceConfig as { ConsumerGroupId: string })
    .ConsumerGroupId;
  const group = `${cluster.replace(':cluster/', ':group/')}/${groupId}`;
  const label = `${fn.handler} MSK trigger`;
  const on = (action: string, resource: string, source = LAMBDA_MSK) =>
    asRole(label, fn.role, action, resource, source);
  const requests = [
    on('kafka:DescribeClusterV2', cluster),
    on('kafka:GetBootstrapBrokers', '*'),
    on('kafka-cluster:Connect', cluster),
    on('kafka-cluster:DescribeClusterDynamicConfiguration', cluster),
    on('kafka-cluster:DescribeTopic', topic),
    on('kafka-cluster:ReadData', topic),
    on('kafka-cluster:DescribeGroup', group),
    on('kafka-cluster:AlterGroup', group),
    ...[
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeVpcs',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
    ].map((action) => on(action, '*')),
  ];
  const destination = (mapping.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
    ?.OnFailure?.Destination;
  if (destination) {
    const bucket = model.value(destination, fn.template);
    requests.push(
      on(
        's3:PutObject',
        `${bucket}/aws/lambda/sample-mapping/${(mapping.Topics as string[])[0]}-0/sample.json`,
        LAMBDA_MSK_ON_FAILURE,
      ),
      on('s3:ListBucket', bucket, LAMBDA_MSK_ON_FAILURE),
    );
  }
  return requests;
}

/** Lake tables as the Glue tables of the catalog name them, with the bucket they live in. */
function lakeTables(
  model: AccessModel,
): { database: string; table: string; bucketArn: string; prefix: string }[] {
  return model.resourcesOfType('AWS::Glue::Table').map((t) => {
    const input = t.properties.TableInput as { Name: unknown; StorageDescriptor: { Location: unknown } };
    const location = model.value(input.StorageDescriptor.Location, t.template);
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location) ?? [];
    return {
      database: model.value(t.properties.DatabaseName, t.template),
      table: model.value(input.Name, t.template),
      bucketArn: `arn:aws:s3:::${bucket}`,
      prefix: prefix ?? '',
    };
  });
}

const glueArns = (database: string, table?: string) => [
  `arn:aws:glue:${REGION}:${ACCOUNT}:catalog`,
  `arn:aws:glue:${REGION}:${ACCOUNT}:database/${database}`,
  ...(table ? [`arn:aws:glue:${REGION}:${ACCOUNT}:table/${database}/${table}`] : []),
];

/** Redshift assumes the namespace's role for Spectrum queries (Glue catalog, S3 reads) and COPY. */
function warehouseRoleRequests(model: AccessModel): AccessRequest[] {
  const requests: AccessRequest[] = [];
  for (const namespace of model.resourcesOfType('AWS::RedshiftServerless::Namespace')) {
    for (const roleValue of (namespace.properties.IamRoles ?? []) as unknown[]) {
      const roleArn = model.value(roleValue, namespace.template);
      const role = model.roles.find(
        (r) => model.value({ 'Fn::GetAtt': [r.logicalId, 'Arn'] }, r.template) === roleArn,
      );
      if (!role) throw new Error(`namespace role ${roleArn} is not in the templates`);
      for (const principal of ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'])
        requests.push(service(principal, 'sts:AssumeRole', role.arn, {}, SPECTRUM_ROLE));
      const spectrum = (
        action: string,
        resource: string,
        source: string,
        context: Record<string, string> = {},
      ) => asRole('Redshift (namespace role)', role, action, resource, source, context);
      for (const t of lakeTables(model)) {
        requests.push(
          spectrum('glue:GetDatabase', glueArns(t.database)[1] as string, `${SPECTRUM}; ${GLUE_ARNS}`),
        );
        for (const action of ['glue:GetTable', 'glue:GetPartitions', 'glue:BatchGetPartition'])
          for (const arn of glueArns(t.database, t.table))
            requests.push(spectrum(action, arn, `${SPECTRUM}; ${GLUE_ARNS}`));
        for (const source of [SPECTRUM, COPY_PARQUET]) {
          requests.push(
            spectrum('s3:GetObject', `${t.bucketArn}/${sampleKey(t.prefix.replace(/\/$/, ''))}`, source),
            spectrum('s3:ListBucket', t.bucketArn, source, { 's3:prefix': t.prefix }),
          );
        }
        requests.push(spectrum('s3:GetBucketLocation', t.bucketArn, SPECTRUM));
      }
    }
  }
  return requests;
}

/** Glue assumes the crawler's role; the crawler reads its catalog targets' tables and S3 locations and adds partitions. */
function crawlerRequests(model: AccessModel): AccessRequest[] {
  const requests: AccessRequest[] = [];
  for (const crawler of model.resourcesOfType('AWS::Glue::Crawler')) {
    const roleArn = model.value(crawler.properties.Role, crawler.template);
    const role = model.roles.find(
      (r) => model.value({ 'Fn::GetAtt': [r.logicalId, 'Arn'] }, r.template) === roleArn,
    );
    if (!role) throw new Error(`crawler role ${roleArn} is not in the templates`);
    requests.push(service('glue.amazonaws.com', 'sts:AssumeRole', role.arn, {}, GLUE_CRAWLER));
    const crawl = (action: string, resource: string, context: Record<string, string> = {}) =>
      asRole('Glue crawler', role, action, resource, GLUE_CRAWLER, context);
    const targets =
      (crawler.properties.Targets as { CatalogTargets?: { DatabaseName: unknown; Tables: unknown[] }[] })
        .CatalogTargets ?? [];
    const tables = lakeTables(model);
    for (const target of targets) {
      const database = model.value(target.DatabaseName, crawler.template);
      requests.push(crawl('glue:GetDatabase', glueArns(database)[1] as string));
      for (const tableValue of target.Tables) {
        const name = model.value(tableValue, crawler.template);
        const t = tables.find((x) => x.database === database && x.table === name);
        if (!t) throw new Error(`crawler target ${database}.${name} is not a table of the templates`);
        for (const action of [
          'glue:GetTable',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:BatchCreatePartition',
          'glue:BatchUpdatePartition',
        ])
          for (const arn of glueArns(database, name)) requests.push(crawl(action, arn));
        requests.push(
          crawl('s3:ListBucket', t.bucketArn, { 's3:prefix': t.prefix }),
          crawl('s3:GetObject', `${t.bucketArn}/${sampleKey(t.prefix.replace(/\/$/, ''))}`),
        );
      }
    }
    const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/crawlers`;
    requests.push(
      crawl('logs:CreateLogGroup', `${logGroup}:*`),
      crawl(
        'logs:CreateLogStream',
        `${logGroup}:log-stream:${model.value(crawler.properties.Name ?? { Ref: crawler.logicalId }, crawler.template)}`,
      ),
      crawl(
        'logs:PutLogEvents',
        `${logGroup}:log-stream:${model.value(crawler.properties.Name ?? { Ref: crawler.logicalId }, crawler.template)}`,
      ),
    );
  }
  return requests;
}
