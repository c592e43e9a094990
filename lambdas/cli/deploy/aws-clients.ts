import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetPartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Log } from '../../core/logger.js';
import { DataApiWarehouse } from '../../core/warehouse/data-api.js';
import type { PreflightAws } from './preflight.js';
import type { VerifyAws } from './verify.js';

/** The error name the SDK gives a missing resource (stack, secret, partition). */
const notFound = (error: unknown, ...names: string[]) => {
  const e = error as { name?: string; message?: string };
  return names.includes(e.name ?? '') || /does not exist|not found/i.test(e.message ?? '');
};

async function stackOf(cloudFormation: CloudFormationClient, name: string) {
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = answer.Stacks?.[0];
    if (!stack) return undefined;
    return {
      status: stack.StackStatus ?? 'UNKNOWN',
      outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    };
  } catch (error) {
    if (notFound(error, 'ValidationError')) return undefined;
    throw error;
  }
}

/** Preflight's calls through the AWS SDK, in `region`, with the credentials of the shell. */
export function sdkPreflightAws(region: string): PreflightAws {
  const sts = new STSClient({ region });
  const ec2 = new EC2Client({ region });
  const cloudFormation = new CloudFormationClient({ region });
  const secrets = new SecretsManagerClient({ region });
  return {
    async callerIdentity() {
      const answer = await sts.send(new GetCallerIdentityCommand({}));
      return { account: answer.Account ?? '', arn: answer.Arn ?? '' };
    },
    async availabilityZones() {
      const answer = await ec2.send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: false }));
      return (answer.AvailabilityZones ?? []).map((zone) => ({
        name: zone.ZoneName ?? '',
        id: zone.ZoneId ?? '',
        state: zone.State ?? '',
      }));
    },
    stack: (name) => stackOf(cloudFormation, name),
    async secretState(secretId) {
      try {
        const answer = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
        const stages = Object.values(answer.VersionIdsToStages ?? {}).flat();
        return stages.includes('AWSCURRENT') ? 'set' : 'empty';
      } catch (error) {
        if (notFound(error, 'ResourceNotFoundException')) return 'missing';
        throw error;
      }
    },
  };
}

/** Verify's calls through the AWS SDK, in `region`, with the credentials of the shell. */
export function sdkVerifyAws(region: string, log: Log): VerifyAws {
  const sts = new STSClient({ region });
  const cloudFormation = new CloudFormationClient({ region });
  const lambda = new LambdaClient({ region });
  const s3 = new S3Client({ region });
  const glue = new GlueClient({ region });
  const redshift = new RedshiftDataClient({ region });
  const sns = new SNSClient({ region });
  return {
    stackOutputs: async (name) => (await stackOf(cloudFormation, name))?.outputs,
    async account() {
      return (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
    },
    async invoke(functionName, payload) {
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
      const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
      if (answer.FunctionError) {
        const error = (() => {
          try {
            return (JSON.parse(text) as { errorMessage?: string }).errorMessage ?? text;
          } catch {
            return text;
          }
        })();
        return { ok: false, error };
      }
      return { ok: true, answer: text ? JSON.parse(text) : undefined };
    },
    async listKeys(bucket, prefix) {
      const answer = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 100 }),
      );
      return (answer.Contents ?? []).map((object) => object.Key ?? '');
    },
    async partitionExists(database, table, values) {
      try {
        await glue.send(
          new GetPartitionCommand({ DatabaseName: database, TableName: table, PartitionValues: [...values] }),
        );
        return true;
      } catch (error) {
        if (notFound(error, 'EntityNotFoundException')) return false;
        throw error;
      }
    },
    async query(target, sql) {
      const warehouse = new DataApiWarehouse({
        client: redshift,
        workgroupName: target.workgroup,
        database: target.database,
        secretArn: target.secretArn,
        log,
        timeoutMs: 120_000,
      });
      return warehouse.query(sql);
    },
    async subscriptions(topicArn) {
      const answer = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      return (answer.Subscriptions ?? []).map((s) => ({
        protocol: s.Protocol ?? '',
        endpoint: s.Endpoint ?? '',
        confirmed: !!s.SubscriptionArn && s.SubscriptionArn.startsWith('arn:'),
      }));
    },
    async topicPolicy(topicArn) {
      return (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
}
