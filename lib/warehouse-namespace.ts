import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import { Construct } from 'constructs';
import { TABLES } from '../lambdas/core/schema.js';
import type { Catalog } from './catalog.js';
import type { Lake } from './lake.js';

/** The database the namespace creates and every statement runs in. */
export const WAREHOUSE_DATABASE = 'dev';

export interface WarehouseNamespaceProps {
  readonly lake: Lake;
  readonly catalog: Catalog;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The storage half of Redshift Serverless: the namespace (databases, users, native tables) and
 * the role Redshift assumes for Spectrum and COPY, which may read the Glue catalog and the lake's
 * table folders and nothing else. The admin password is created and kept by Secrets Manager;
 * no password appears in the template. Compute (the workgroup) is in {@link Warehouse}.
 */
export class WarehouseNamespace extends Construct {
  readonly namespace: redshift.CfnNamespace;
  /** Redshift assumes this role for `CREATE EXTERNAL SCHEMA` (Spectrum) and `COPY`. */
  readonly spectrumRole: iam.Role;
  readonly databaseName = WAREHOUSE_DATABASE;

  constructor(scope: Construct, id: string, props: WarehouseNamespaceProps) {
    super(scope, id);
    this.spectrumRole = new iam.Role(this, 'SpectrumRole', {
      // Redshift Serverless needs both service principals in the trust policy.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ),
      description: 'Redshift Spectrum and COPY: read the Glue catalog and the lake tables, nothing more.',
    });
    props.catalog.grantReadCatalog(this.spectrumRole);
    props.lake.grantRead(
      this.spectrumRole,
      TABLES.map((table) => table.name),
    );

    this.namespace = new redshift.CfnNamespace(this, 'Namespace', {
      namespaceName: Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase(),
      dbName: WAREHOUSE_DATABASE,
      adminUsername: 'pipeline_admin',
      manageAdminPassword: true,
      iamRoles: [this.spectrumRole.roleArn],
      defaultIamRoleArn: this.spectrumRole.roleArn,
      logExports: ['connectionlog', 'userlog'],
    });
    this.namespace.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
  }

  get namespaceName(): string {
    return this.namespace.ref;
  }
}
