import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  /**
   * Exactly three AZ names. Redshift Serverless needs subnets in three AZs; naming them also lets
   * `cdk synth` work without credentials (no lookup of the account's AZs).
   */
  readonly availabilityZones: readonly string[];
  /** @default 1 */
  readonly natGateways?: number;
  /** @default '10.20.0.0/16' */
  readonly cidr?: string;
}

/**
 * The VPC: a public and a private subnet in each of three AZs, NAT for the private subnets (the
 * fetcher calls the city's public API; the MSK trigger's pollers reach Lambda and STS), an S3
 * gateway endpoint so lake traffic skips the NAT, and a flow log of rejected traffic, which is
 * what one needs to debug a security group that is too tight.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.availabilityZones.length !== 3) {
      throw new Error(
        `Network needs exactly 3 availability zones, got ${JSON.stringify(props.availabilityZones)}`,
      );
    }
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.20.0.0/16'),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        S3: {
          service: ec2.GatewayVpcEndpointAwsService.S3,
          subnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
        },
      },
    });
    const flowLogGroup = new logs.LogGroup(this, 'RejectedTrafficLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    });
  }

  /** The subnets every function and service of the pipeline is placed in. */
  get privateSubnets(): ec2.SubnetSelection {
    return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  }
}
