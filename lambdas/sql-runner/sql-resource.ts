import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Log } from '../core/logger.js';
import { applySqlFiles, warehousePlaceholders } from '../core/warehouse/apply-sql.js';
import { applyMigrations, existingTables } from '../core/warehouse/migrations/apply.js';
import { loadMigrations } from '../core/warehouse/migrations/files.js';
import { loadSqlFiles, runsBeforeMigrations, sqlFilesDigest } from '../core/warehouse/sql-files.js';
import { warehouseTarget } from '../core/warehouse/target.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';

/** What the CDK Provider framework expects back from an `onEvent` handler. */
export interface ProviderResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string | number>>;
}

export interface SqlResourceDeps {
  readonly warehouse: Pick<Warehouse, 'execute' | 'batch' | 'query'>;
  readonly env: NodeJS.ProcessEnv;
  readonly sqlDir: string;
  readonly log: Log;
}

/**
 * The custom resource that keeps the warehouse's SQL objects in step with `sql/`: on Create and
 * Update it runs the schema and table files (idempotent: `IF NOT EXISTS`), then the migrations of
 * `sql/migrations/` not yet recorded in `schema_migrations`, once each and in order (a table these
 * files just created has its current columns, so its migrations are only recorded), then the views
 * and grants. On Delete it leaves tables and views in place, because they hold loaded history that
 * a stack update must never drop.
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
  const migrations = loadMigrations(deps.sqlDir);
  const values = warehousePlaceholders(deps.env);
  deps.log.info('applying sql files', {
    requestType: event.RequestType,
    files: files.map((f) => f.name),
    migrations: migrations.map((m) => m.id),
  });
  const before = await existingTables(deps.warehouse);
  const tables = await applySqlFiles(
    deps.warehouse,
    files.filter((f) => runsBeforeMigrations(f.name)),
    values,
    deps.log,
  );
  const migrated = await applyMigrations(deps.warehouse, migrations, before, deps.log);
  const rest = await applySqlFiles(
    deps.warehouse,
    files.filter((f) => !runsBeforeMigrations(f.name)),
    values,
    deps.log,
  );
  return {
    PhysicalResourceId: physicalId,
    Data: {
      Files: tables.files + rest.files,
      Statements: tables.statements + rest.statements,
      Migrations: migrated.applied.length + migrated.recorded.length + migrated.already,
      MigrationsApplied: migrated.applied.join(',') || '-',
      Digest: sqlFilesDigest(
        files,
        migrations.map((m) => `${m.id}:${m.checksum}`),
      ),
    },
  };
}
