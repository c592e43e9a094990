import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementResponse,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  type RedshiftDataClient,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import type { Log } from '../logger.js';
import { SqlTemplateError, WarehouseStatementError } from './errors.js';
import { parameterNames } from './sql-text.js';
import type { Row, SqlParams, Warehouse } from './warehouse.js';

export interface DataApiWarehouseProps {
  readonly client: Pick<RedshiftDataClient, 'send'>;
  /** Redshift Serverless workgroup name (or ARN). */
  readonly workgroupName: string;
  /** @default 'dev' */
  readonly database?: string;
  /**
   * Sign in with this Secrets Manager secret (user name and password) instead of the caller's IAM
   * identity: the SQL runner uses the namespace's admin secret, the loader none (its role's
   * temporary credentials make it the database user `IAMR:<role name>`).
   * @default - temporary credentials of the caller's IAM role
   */
  readonly secretArn?: string;
  readonly log: Log;
  /** First wait between DescribeStatement calls; doubles up to 2 s. @default 250 */
  readonly pollIntervalMs?: number;
  /** A statement still running after this long is cancelled and reported. @default 600000 */
  readonly timeoutMs?: number;
  /** For tests: how to wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const MAX_POLL_INTERVAL_MS = 2_000;
const DONE = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/**
 * The warehouse through the Redshift Data API: no connection, no driver, no password in the
 * code — either the caller's IAM role is mapped to a database user of the serverless workgroup,
 * or the Data API signs in with a Secrets Manager secret it reads itself. Statements are
 * asynchronous: each is submitted, then DescribeStatement is polled until it is done; a failure
 * names the statement id and Redshift's error. Values always travel as bound parameters.
 */
export class DataApiWarehouse implements Warehouse {
  private readonly database: string;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly props: DataApiWarehouseProps) {
    this.database = props.database ?? 'dev';
    this.pollIntervalMs = props.pollIntervalMs ?? 250;
    this.timeoutMs = props.timeoutMs ?? 600_000;
    this.sleep = props.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async execute(sql: string, params?: SqlParams): Promise<string> {
    const parameters = boundParameters([sql], params);
    const { Id } = await this.props.client.send(
      new ExecuteStatementCommand({
        ...this.signIn(),
        Sql: sql,
        ...(parameters ? { Parameters: parameters } : {}),
      }),
    );
    await this.waitFor(Id, sql);
    return Id as string;
  }

  async batch(sqls: readonly string[], params?: SqlParams): Promise<string> {
    const parameters = boundParameters(sqls, params);
    const { Id } = await this.props.client.send(
      new BatchExecuteStatementCommand({
        ...this.signIn(),
        Sqls: [...sqls],
        ...(parameters ? { Parameters: parameters } : {}),
      }),
    );
    await this.waitFor(Id, sqls.join(';\n'));
    return Id as string;
  }

  async query(sql: string, params?: SqlParams): Promise<Row[]> {
    const id = await this.execute(sql, params);
    const rows: Row[] = [];
    let token: string | undefined;
    do {
      const page = await this.props.client.send(
        new GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) }),
      );
      const names = (page.ColumnMetadata ?? []).map((column, index) => column.name ?? `column_${index}`);
      for (const record of page.Records ?? []) {
        rows.push(Object.fromEntries(record.map((field, index) => [names[index], fieldValue(field)])));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }

  /** Where statements run and as whom: the same for every statement this warehouse sends. */
  private signIn(): { WorkgroupName: string; Database: string; SecretArn?: string } {
    return {
      WorkgroupName: this.props.workgroupName,
      Database: this.database,
      ...(this.props.secretArn ? { SecretArn: this.props.secretArn } : {}),
    };
  }

  private async waitFor(id: string | undefined, sql: string): Promise<DescribeStatementResponse> {
    if (!id)
      throw new WarehouseStatementError(`the Data API returned no statement id for: ${excerpt(sql)}`, id);
    const started = Date.now();
    let interval = this.pollIntervalMs;
    for (;;) {
      const status = await this.props.client.send(new DescribeStatementCommand({ Id: id }));
      if (DONE.has(status.Status ?? '')) {
        if (status.Status === 'FINISHED') return status;
        throw statementFailure(id, status, sql);
      }
      if (Date.now() - started > this.timeoutMs) {
        await this.props.client.send(new CancelStatementCommand({ Id: id })).catch((error: unknown) => {
          this.props.log.warn('cannot cancel statement', { statementId: id, error: String(error) });
        });
        throw new WarehouseStatementError(
          `statement ${id} still ${status.Status ?? 'running'} after ${Math.round(this.timeoutMs / 1000)} s; cancelled: ${excerpt(sql)}`,
          id,
        );
      }
      await this.sleep(interval);
      interval = Math.min(interval * 2, MAX_POLL_INTERVAL_MS);
    }
  }
}

/** The failing statement of a batch, or the statement itself, with Redshift's own message. */
function statementFailure(
  id: string,
  status: DescribeStatementResponse,
  sql: string,
): WarehouseStatementError {
  const subStatements = status.SubStatements ?? [];
  const failedIndex = subStatements.findIndex((sub) => sub.Status === 'FAILED' || sub.Status === 'ABORTED');
  const failed = subStatements[failedIndex];
  if (failed) {
    return new WarehouseStatementError(
      `batch ${id} ${status.Status}: statement ${failed.Id} (#${failedIndex + 1} of ${subStatements.length}) ` +
        `${failed.Status}: ${failed.Error ?? status.Error ?? 'no error message'}: ${excerpt(failed.QueryString ?? '')}`,
      failed.Id ?? id,
    );
  }
  return new WarehouseStatementError(
    `statement ${id} ${status.Status}: ${status.Error ?? 'no error message'}: ${excerpt(status.QueryString ?? sql)}`,
    id,
  );
}

/** The first line or so of a statement, to say which one failed without flooding the log. */
function excerpt(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/**
 * Checks parameters against the statements before anything is sent: the Data API refuses a
 * parameter that no statement uses, and a `:name` without a value would fail in Redshift.
 */
export function boundParameters(sqls: readonly string[], params: SqlParams = {}): SqlParameter[] | undefined {
  const used = new Set(sqls.flatMap((sql) => parameterNames(sql)));
  const given = Object.keys(params);
  const missing = [...used].filter((name) => !(name in params));
  const unused = given.filter((name) => !used.has(name));
  if (missing.length > 0)
    throw new SqlTemplateError(`no value for parameter(s) ${missing.map((n) => `:${n}`).join(', ')}`);
  if (unused.length > 0)
    throw new SqlTemplateError(`parameter(s) not used by any statement: ${unused.join(', ')}`);
  if (given.length === 0) return undefined;
  return given.map((name) => {
    const value = String(params[name]);
    // The Data API cannot send an empty string (minimum length 1) nor NULL as a parameter.
    if (value === '')
      throw new SqlTemplateError(`parameter :${name} is empty; the Data API cannot bind an empty value`);
    return { name, value };
  });
}

function fieldValue(field: Field): string | number | boolean | null {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}
