import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiKeySecret } from '../api-key-secret.js';
import { Catalog } from '../catalog.js';
import type { PipelineConfig } from '../config.js';
import { Lake } from '../lake.js';
import { Network } from '../network.js';
import { Stream } from '../stream.js';
import { WarehouseNamespace } from '../warehouse-namespace.js';

export interface DataStackProps extends StackProps {
  readonly config: PipelineConfig;
}

/**
 * Everything that holds data or state the user would lose: the network the stateful services
 * live in, the lake bucket, the catalog, the MSK cluster and its topic, the API key secret and
 * the Redshift namespace. Retained on update and deletion (not on a failed create) and protected
 * from stack deletion unless the configuration says `dataRemovalPolicy: destroy`.
 */
export class DataStack extends Stack {
  readonly network: Network;
  readonly lake: Lake;
  readonly catalog: Catalog;
  readonly stream: Stream;
  readonly apiKey: ApiKeySecret;
  readonly warehouseNamespace: WarehouseNamespace;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    const retain = props.config.dataRemovalPolicy === 'retain';
    super(scope, id, { terminationProtection: retain, ...props });
    const { config } = props;
    // Kept on update and delete, but not on a failed create (CloudFormation's RetainExceptOnCreate):
    // a first deploy that rolls back leaves no cluster billing by the hour and no fixed name (the
    // Glue database, the cluster, the namespace) that would make the retry fail.
    const removalPolicy = retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;

    this.network = new Network(this, 'Network', {
      availabilityZones: config.availabilityZones,
      natGateways: config.natGateways,
    });
    this.lake = new Lake(this, 'Lake', { removalPolicy });
    this.catalog = new Catalog(this, 'Catalog', {
      lake: this.lake,
      databaseName: config.glueDatabaseName,
      crawlerSchedule: config.crawlerSchedule,
      removalPolicy,
    });
    this.stream = new Stream(this, 'Stream', {
      vpc: this.network.vpc,
      subnets: this.network.privateSubnets,
      topicName: config.topicName,
      topicPartitions: config.topicPartitions,
      logLevel: config.logLevel,
      removalPolicy,
    });
    this.apiKey = new ApiKeySecret(this, 'ApiKey', { removalPolicy });
    this.warehouseNamespace = new WarehouseNamespace(this, 'WarehouseNamespace', {
      lake: this.lake,
      catalog: this.catalog,
      removalPolicy,
    });

    new CfnOutput(this, 'LakeBucketName', {
      description: 'The S3 bucket of the lake',
      value: this.lake.bucket.bucketName,
    });
    new CfnOutput(this, 'MskClusterArn', {
      description: 'The MSK Serverless cluster',
      value: this.stream.clusterArn,
    });
    new CfnOutput(this, 'ApiKeySecretName', {
      description:
        'Put your Seoul open data API key here: aws secretsmanager put-secret-value --secret-id <this>',
      value: this.apiKey.secret.secretName,
    });
    new CfnOutput(this, 'GlueDatabaseName', {
      description: 'The Glue database of the lake tables',
      value: this.catalog.databaseName,
    });
    new CfnOutput(this, 'RedshiftAdminSecretName', {
      description: 'Query Editor v2: connect to the workgroup with AWS Secrets Manager and this secret',
      value: this.warehouseNamespace.adminSecret.secretName,
    });
    new CfnOutput(this, 'RedshiftAdminSecretArn', {
      description: 'The same secret by ARN, which the Data API takes (npm run verify queries with it)',
      value: this.warehouseNamespace.adminSecretArn,
    });
    new CfnOutput(this, 'RedshiftNamespaceName', {
      description: 'The Redshift Serverless namespace',
      value: this.warehouseNamespace.namespaceName,
    });
  }
}
