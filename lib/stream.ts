import { CustomResource, Duration, Fn, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import type { FunctionLogLevel } from './config.js';
import { ProjectFunction } from './project-function.js';
import { ProjectProvider } from './project-provider.js';

/** The port of MSK's SASL/IAM listener (TLS). The only port any client of the cluster uses. */
export const MSK_IAM_PORT = 9098;

export interface StreamProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly topicName: string;
  readonly topicPartitions: number;
  readonly logLevel: FunctionLogLevel;
  /**
   * Anything but DESTROY keeps the cluster, and the topic (its messages), when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An MSK Serverless cluster with IAM access control and the pipeline's topic on it. Clients join
 * {@link clientSecurityGroup}; access is granted per role with {@link grantProduce} and
 * {@link grantConsume}, which name exactly the cluster, topic and consumer group ARNs involved.
 */
export class Stream extends Construct {
  readonly clusterArn: string;
  readonly topicName: string;
  /** The cluster's own group. The MSK trigger's pollers also run in it, so it admits itself. */
  readonly clusterSecurityGroup: ec2.SecurityGroup;
  /** Clients of the cluster (producers, admin): may reach 9098 on the cluster and AWS APIs on 443. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly topic: CustomResource;
  private readonly cluster: msk.CfnServerlessCluster;

  constructor(scope: Construct, id: string, props: StreamProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.topicName = props.topicName;

    this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: 'MSK Serverless cluster: SASL/IAM (9098) from its clients and from the Lambda MSK trigger',
      allowAllOutbound: false,
    });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      description:
        'Clients of the MSK cluster: 9098 to the cluster, 443 to AWS APIs (MSK, STS, Secrets Manager, S3)',
      allowAllOutbound: false,
    });
    const kafka = ec2.Port.tcp(MSK_IAM_PORT);
    this.clusterSecurityGroup.addIngressRule(this.clientSecurityGroup, kafka, 'Kafka clients (SASL/IAM)');
    this.clientSecurityGroup.addEgressRule(this.clusterSecurityGroup, kafka, 'Kafka brokers (SASL/IAM)');
    // The Lambda MSK trigger places its pollers in the cluster's subnets with the cluster's security
    // group: they must reach the brokers in the same group and Lambda/STS endpoints over HTTPS.
    this.clusterSecurityGroup.addIngressRule(this.clusterSecurityGroup, kafka, 'Lambda MSK trigger pollers');
    this.clusterSecurityGroup.addEgressRule(this.clusterSecurityGroup, kafka, 'Lambda MSK trigger pollers');
    this.clusterSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'MSK trigger to Lambda and STS',
    );
    this.clientSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');

    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }),
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
          securityGroups: [this.clusterSecurityGroup.securityGroupId],
        },
      ],
    });
    this.cluster.applyRemovalPolicy(removalPolicy);
    this.clusterArn = this.cluster.attrArn;

    const topicFunction = new ProjectFunction(this, 'TopicFunction', {
      handlerFolder: 'topic',
      description: 'Custom resource: creates the pipeline topic on the MSK Serverless cluster.',
      logLevel: props.logLevel,
      timeout: Duration.minutes(5),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.clientSecurityGroup],
    });
    this.grantTopicAdmin(topicFunction);
    const provider = new ProjectProvider(this, 'TopicProvider', { onEventHandler: topicFunction });
    this.topic = new CustomResource(this, 'Topic', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KafkaTopic',
      properties: {
        ClusterArn: this.clusterArn,
        Topic: props.topicName,
        NumPartitions: String(props.topicPartitions),
        RetainOnDelete: String(removalPolicy !== RemovalPolicy.DESTROY),
      },
      // The topic's name is fixed: kept with the cluster on update and delete, never on a failed
      // create (the cluster it lives on is deleted then too).
      removalPolicy,
    });
  }

  /**
   * ARNs of MSK Serverless data-plane resources are built from the cluster's name and UUID:
   * `arn:…:kafka:region:account:topic/<clusterName>/<clusterUuid>/<topic>`. The cluster ARN is
   * `arn:…:kafka:region:account:cluster/<clusterName>/<clusterUuid>`, so both are taken from it.
   */
  private dataPlaneArn(resource: 'topic' | 'group', name: string): string {
    const parts = Fn.split('/', this.clusterArn);
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource,
      resourceName: `${Fn.select(1, parts)}/${Fn.select(2, parts)}/${name}`,
    });
  }

  /** The topic's ARN, for IAM policies. */
  get topicArn(): string {
    return this.dataPlaneArn('topic', this.topicName);
  }

  /** A consumer group's ARN, for IAM policies. */
  groupArn(groupId: string): string {
    return this.dataPlaneArn('group', groupId);
  }

  /**
   * Look up the cluster's bootstrap brokers, as every client does first. The Service Authorization
   * Reference lists no resource type for `kafka:GetBootstrapBrokers` (AWS's own
   * AWSLambdaMSKExecutionRole grants it on "*"), so a statement naming the cluster would never
   * match it; it is read-only. `DescribeClusterV2` does take the cluster ARN.
   */
  grantBootstrap(grantee: iam.IGrantable): iam.Grant {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka:GetBootstrapBrokers'],
      resourceArns: ['*'],
    });
    if (Construct.isConstruct(grantee)) {
      Validations.of(grantee).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'kafka:GetBootstrapBrokers supports no resource-level permission (Service Authorization Reference); it only ' +
          'reads the broker addresses, which IAM authentication still guards.',
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka:DescribeClusterV2'],
      resourceArns: [this.clusterArn],
    });
  }

  /**
   * Connect and write to the topic (the fetcher). The producer is idempotent (a retried send
   * never duplicates a message), which MSK authorizes as `WriteDataIdempotently` on the cluster.
   */
  grantProduce(grantee: iam.IGrantable): iam.Grant {
    this.grantBootstrap(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      resourceArns: [this.clusterArn],
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
      resourceArns: [this.topicArn],
    });
  }

  /**
   * Read the topic as consumer group `groupId` (the Lambda MSK trigger of the writer: it polls
   * with the function's role, see the Lambda developer guide, "MSK IAM permissions").
   */
  grantConsume(grantee: iam.IGrantable, groupId: string): iam.Grant {
    this.grantBootstrap(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      resourceArns: [this.clusterArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resourceArns: [this.topicArn],
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resourceArns: [this.groupArn(groupId)],
    });
  }

  /** Create, describe, grow and (when not retained) delete the topic: the topic custom resource. */
  private grantTopicAdmin(grantee: iam.IGrantable): void {
    this.grantBootstrap(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect'],
      resourceArns: [this.clusterArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'kafka-cluster:CreateTopic',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:AlterTopic',
        'kafka-cluster:DeleteTopic',
      ],
      resourceArns: [this.topicArn],
    });
  }
}
