import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface ApiKeySecretProps {
  /** @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The Secrets Manager secret that holds the Seoul open data portal key, created with no value at
 * all: the key is the user's, so neither the template nor CloudFormation ever sees it. The user
 * sets it once with `aws secretsmanager put-secret-value` (docs/deploy-aws.md, step 4); until then the fetcher fails
 * with a message saying so. It lives with the data because it is the user's state, not code.
 */
export class ApiKeySecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ApiKeySecretProps = {}) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        'Seoul open data portal API key (plain string). Set it with: aws secretsmanager put-secret-value ' +
        '--secret-id <this secret> --secret-string <your key>',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // The L2 secret generates a random value by default; with neither GenerateSecretString nor
    // SecretString, CloudFormation creates the secret empty, which is what we want.
    (this.secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride(
      'GenerateSecretString',
    );
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The API key is issued by the Seoul open data portal, not by AWS; it cannot be rotated by a Lambda, ' +
        'only re-issued on the portal and put into the secret by its owner.',
    });
  }
}
