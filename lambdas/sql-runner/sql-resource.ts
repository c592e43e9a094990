import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Log } from '../core/logger.js';
import { applySqlFiles, warehousePlaceholders } from '../core/warehouse/apply-sql.js';
import { loadSqlFiles } from '../core/warehouse/sql-files.js';
import { warehouseTarget } from '../core/warehouse/target.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';

/** What the CDK Provider framework expects back from an `onEvent` handler. */
export interface ProviderResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string | number>>;
}

export interface SqlResourceDeps {
  readonly warehouse: Pick<Warehouse, 'execute' | 'batch'>;
  readonly env: NodeJS.ProcessEnv;
  readonly sqlDir: string;
  readonly log: Log;
}

/**
 * The custom resource that keeps the warehouse's SQL objects in step with `sql/`: on Create and
 * Update it runs every file in order (they are idempotent); on Delete it leaves tables and views
 * in place, because they hold loaded history that a stack update must never drop.
 */
export async function handleSqlResource(
  event: CloudFormationCustomResourceEvent,
  deps: SqlResourceDeps,
): Promise<ProviderResponse> {
  const { workgroupName, database } = warehouseTarget(deps.env);
  const physicalId = `warehouse-sql:${workgroupName}/${database}`;
  if (event.RequestType === 'Delete') {
    deps.log.info('sql resource deleted; tables and views are kept', {
      physicalId: event.PhysicalResourceId,
    });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const files = loadSqlFiles(deps.sqlDir);
  deps.log.info('applying sql files', { requestType: event.RequestType, files: files.map((f) => f.name) });
  const result = await applySqlFiles(deps.warehouse, files, warehousePlaceholders(deps.env), deps.log);
  return {
    PhysicalResourceId: physicalId,
    Data: { Files: result.files, Statements: result.statements, Digest: result.digest },
  };
}
