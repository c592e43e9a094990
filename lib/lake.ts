import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CATALOGUE_KEY } from '../lambdas/core/place-catalogue.js';
import type { LakeArea } from '../lambdas/core/tables.js';
import { acknowledgeWildcardResources } from './nag-acknowledgements.js';

export interface LakeProps {
  /**
   * What happens to the data when the stack is deleted. The access-log bucket is RETAIN unless
   * this is DESTROY. @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Days before `raw/` objects move to Glacier Instant Retrieval. @default 90 */
  readonly rawArchiveAfterDays?: number;
  /**
   * Days `rejected/` objects are kept. Every rejected record is also in `raw/` (the archive of
   * every envelope), so expiring the quarantine copy loses nothing. @default 365
   */
  readonly rejectedRetentionDays?: number;
  /** Days an overwritten (noncurrent) object version is kept. @default 30 */
  readonly noncurrentVersionDays?: number;
}

/**
 * The lake bucket (`population/`, `population_forecast/`, `collection_outcomes/`, `raw/`,
 * `rejected/`, same keys as the local lake folder) and the bucket its access logs go to.
 * Private, TLS only, encrypted, versioned so an overwrite by a redelivered batch can be undone.
 */
export class Lake extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to a bucket encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      // Plain Retain, even where the lake is RetainExceptOnCreate: S3 may already have delivered an
      // access log into it when a first deploy rolls back, and CloudFormation cannot delete a bucket
      // that holds an object, which would leave the rollback failed. Its name is generated, so a
      // kept bucket never blocks the retry.
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the target of the lake bucket access logs; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'archive-raw',
          prefix: 'raw/',
          // Applies to objects of 128 KB and more (S3's default minimum for transitions).
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.rawArchiveAfterDays ?? 90),
            },
          ],
        },
        {
          id: 'expire-rejected',
          prefix: 'rejected/',
          expiration: Duration.days(props.rejectedRetentionDays ?? 365),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
  }

  /** `s3:PutObject` on the given top-level areas only (deterministic names overwrite, never read). */
  grantWrite(grantee: iam.IGrantable, areas: readonly LakeArea[]): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: areas.map((area) => this.bucket.arnForObjects(`${area}/*`)),
    });
    acknowledgeAreaWildcards(grantee, areas, 'written');
    return grant;
  }

  /**
   * The lake bucket as the on-failure destination of an MSK trigger. Lambda writes each batch it
   * gives up on as one object with the batch and its metadata; the Lambda developer guide names
   * exactly `s3:PutObject` and `s3:ListBucket` for the function's role, and documents no fixed key
   * prefix, so the put is granted on the bucket's objects (the writer writes nowhere else but its
   * own areas; it reads and deletes nothing).
   */
  failedBatchDestination(): lambda.IEventSourceDlq {
    const bucket = this.bucket;
    return {
      bind: (_mapping, handler) => {
        handler.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }),
        );
        handler.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        );
        acknowledgeWildcardResources(handler, [
          {
            resource: /\/\*$/,
            reason:
              'The MSK trigger writes batches it gave up on to the lake bucket (its on-failure destination) under ' +
              'key names Lambda chooses; the Lambda guide documents s3:PutObject on the bucket and no key prefix.',
          },
        ]);
        return { destination: bucket.bucketArn };
      },
    };
  }

  /**
   * Read the place catalogue (`catalogue/places.json`), the one object the fetcher reads at each
   * run. With `s3:ListBucket` on the bucket, S3 answers a missing key with 404 (the fetcher then
   * collects the built-in places); without it, with 403, which the fetcher could not tell from a
   * real refusal ("GetObject", Amazon S3 API Reference, Permissions).
   */
  grantReadCatalogue(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(CATALOGUE_KEY)],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
  }

  /** Read the given areas: list the bucket and get their objects. */
  grantRead(grantee: iam.IGrantable, areas: readonly LakeArea[]): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: areas.map((area) => this.bucket.arnForObjects(`${area}/*`)),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resourceArns: [this.bucket.bucketArn],
    });
    acknowledgeAreaWildcards(grantee, areas, 'read');
  }
}

function acknowledgeAreaWildcards(grantee: iam.IGrantable, areas: readonly LakeArea[], verb: string): void {
  if (!Construct.isConstruct(grantee)) return;
  acknowledgeWildcardResources(grantee, [
    {
      resource: new RegExp(`/(${areas.join('|')})/\\*$`),
      reason:
        `Objects of the lake areas ${areas.join(', ')} are ${verb} under keys made per batch and partition ` +
        '(year=/month=/day=/hour=/minute=/file), so the grant names each area prefix and no other key.',
    },
  ]);
}
