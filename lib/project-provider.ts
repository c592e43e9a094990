import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag-acknowledgements.js';

export interface ProjectProviderProps {
  /** The project function that handles the custom resource's Create, Update and Delete events. */
  readonly onEventHandler: lambda.IFunction;
}

/**
 * The CDK custom resource Provider framework around one of our handler functions, with its own
 * log group (a retention, and no extra log-retention Lambda). The framework function only relays
 * events to our handler and the reply to CloudFormation, so it needs no VPC.
 */
export class ProjectProvider extends Construct {
  readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: ProjectProviderProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'FrameworkLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.provider = new cr.Provider(this, 'Provider', { onEventHandler: props.onEventHandler, logGroup });
    Validations.of(this.provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK provider framework function writes its logs with the AWS managed basic execution policy only.',
    });
    acknowledgeWildcardResources(this.provider, [
      {
        resource: /^<[A-Za-z0-9]+\.Arn>:\*$/,
        reason:
          'The CDK provider framework may invoke any version of our own handler function (ARN:*), and nothing else.',
      },
    ]);
  }

  get serviceToken(): string {
    return this.provider.serviceToken;
  }
}
