import type { Log } from '../logger.js';
import { runIntervalFromEnv, SETTINGS, settingFromEnv } from '../settings.js';
import { SqlTemplateError, WarehouseStatementError } from './errors.js';
import { placeholdersOf, type SqlFile, sqlFilesDigest, statementsOf } from './sql-files.js';
import { glueDatabaseName, iamRoleArn, iamRoleDatabaseUser, sqlIdentifier } from './sql-values.js';
import type { Warehouse } from './warehouse.js';

export interface ApplyResult {
  readonly files: number;
  readonly statements: number;
  /** sha256 of the files applied (see `sqlFilesDigest`). */
  readonly digest: string;
}

/** The values the `sql/` files' placeholders take, validated (see `sql-values.ts`). */
export function warehousePlaceholders(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    glue_database: glueDatabaseName(SETTINGS.glueDatabase.env, env[SETTINGS.glueDatabase.env]?.trim()),
    spectrum_role_arn: iamRoleArn(SETTINGS.spectrumRoleArn.env, env[SETTINGS.spectrumRoleArn.env]?.trim()),
    loader_db_user: iamRoleDatabaseUser(SETTINGS.loaderDbUser.env, env[SETTINGS.loaderDbUser.env]?.trim()),
    database: sqlIdentifier(SETTINGS.database.env, settingFromEnv(SETTINGS.database, env)),
    ...viewSettingValues(runIntervalFromEnv(env)),
  };
}

/**
 * The placeholders the analysis views may use: pipeline settings, the same in the warehouse and
 * over the local lake (deployment values such as the role are for the Redshift-only files).
 */
export function viewSettingValues(runInterval: number): Record<string, string> {
  return { run_interval_minutes: String(runInterval) };
}

/**
 * `NN_grants_*.sql` files run as one Data API batch: one session and one transaction, so a `SET`
 * at their top holds for the statements after it, and the grants are given all together or not at
 * all. Every other file runs statement by statement (external-schema DDL refuses a transaction).
 */
export function runsAsOneBatch(fileName: string): boolean {
  return /^\d{2,}_grants_[a-z0-9_]+\.sql$/.test(fileName);
}

/**
 * Runs the `sql/` files in name order, one statement at a time. Each statement commits on its own:
 * Redshift refuses external-schema DDL inside a transaction, and every file is idempotent
 * (IF NOT EXISTS, DROP VIEW IF EXISTS + CREATE VIEW), so a run that stops half-way is finished by
 * running everything again. Every file is rendered before the first statement is sent, so a
 * missing or invalid value changes nothing.
 */
export async function applySqlFiles(
  warehouse: Pick<Warehouse, 'execute' | 'batch'>,
  files: readonly SqlFile[],
  values: Readonly<Record<string, string>>,
  log: Log,
): Promise<ApplyResult> {
  const unknown = placeholdersOf(files).filter((name) => values[name] === undefined);
  if (unknown.length > 0) throw new SqlTemplateError(`the SQL files need value(s) for ${unknown.join(', ')}`);
  const rendered = files.map((file) => ({ name: file.name, statements: statementsOf(file, values) }));
  let statements = 0;
  for (const file of rendered) {
    if (runsAsOneBatch(file.name)) {
      let id: string;
      try {
        id = await warehouse.batch(file.statements);
      } catch (error) {
        const statementId = error instanceof WarehouseStatementError ? error.statementId : undefined;
        throw new WarehouseStatementError(
          `${file.name} (${file.statements.length} statements, one transaction): ${(error as Error).message}`,
          statementId,
          { cause: error },
        );
      }
      statements += file.statements.length;
      log.info('sql file applied', { file: file.name, statements: file.statements.length, batchId: id });
      continue;
    }
    for (const [index, sql] of file.statements.entries()) {
      let id: string;
      try {
        id = await warehouse.execute(sql);
      } catch (error) {
        const statementId = error instanceof WarehouseStatementError ? error.statementId : undefined;
        throw new WarehouseStatementError(
          `${file.name}, statement ${index + 1} of ${file.statements.length}: ${(error as Error).message}`,
          statementId,
          { cause: error },
        );
      }
      statements++;
      log.debug('sql statement applied', { file: file.name, statement: index + 1, statementId: id });
    }
    log.info('sql file applied', { file: file.name, statements: file.statements.length });
  }
  return { files: files.length, statements, digest: sqlFilesDigest(files) };
}
