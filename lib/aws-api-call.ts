import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** The construct id CDK gives the one function behind every AwsCustomResource of a stack. */
const SINGLETON_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
const LOG_GROUP_ID = 'AwsApiCallLogs';

export interface AwsApiCallProps {
  readonly resourceType: `Custom::${string}`;
  readonly onCreate: cr.AwsSdkCall;
  /** @default - nothing on update */
  readonly onUpdate?: cr.AwsSdkCall;
  /** @default - nothing on delete */
  readonly onDelete?: cr.AwsSdkCall;
  /** Exactly what the calls need, on the resources they act on. */
  readonly statements: readonly iam.PolicyStatement[];
}

/**
 * One AWS API call made by CloudFormation (CDK's AwsCustomResource), for what no resource type
 * covers. Every call of a stack runs on CDK's one singleton function; its log group (one per
 * stack, with a retention) and its cdk-nag acknowledgement are set up here once, so each call site
 * only says what it calls and what that needs.
 */
export function awsApiCall(scope: Construct, id: string, props: AwsApiCallProps): cr.AwsCustomResource {
  const stack = Stack.of(scope);
  const logGroup =
    (stack.node.tryFindChild(LOG_GROUP_ID) as logs.LogGroup | undefined) ??
    new logs.LogGroup(stack, LOG_GROUP_ID, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  const call = new cr.AwsCustomResource(scope, id, {
    resourceType: props.resourceType,
    installLatestAwsSdk: false,
    logGroup,
    onCreate: props.onCreate,
    ...(props.onUpdate ? { onUpdate: props.onUpdate } : {}),
    ...(props.onDelete ? { onDelete: props.onDelete } : {}),
    policy: cr.AwsCustomResourcePolicy.fromStatements([...props.statements]),
  });
  const singleton = stack.node.tryFindChild(SINGLETON_ID);
  if (singleton) {
    Validations.of(singleton).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK AwsCustomResource function writes its logs with the AWS managed basic execution policy only.',
    });
  }
  return call;
}
