import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One statement (or batch) the emulator received, as the Data API would see it. */
export interface ReceivedStatement {
  readonly operation: 'ExecuteStatement' | 'BatchExecuteStatement';
  readonly workgroupName: string;
  readonly database: string;
  /** Absent when the caller signs in with its IAM identity (temporary credentials). */
  readonly secretArn?: string;
  readonly sqls: readonly string[];
}

/**
 * A stand-in for the Redshift Data API on 127.0.0.1, for what no emulator serves (moto's
 * redshift-data leaves every statement STARTED forever). It speaks the service's JSON protocol
 * (`X-Amz-Target: RedshiftData.<Operation>`), so the functions' real SDK clients, with their
 * middleware, call it unchanged: every statement finishes at once, and queries return no rows,
 * as an empty warehouse answers. SQL is not run here; the loader's and the runner's SQL are
 * proven on DuckDB and by an independent Redshift parser elsewhere. Requests that miss what the
 * Data API requires (a workgroup, a database, a statement) are refused with its error shape.
 */
export class DataApiEmulator {
  readonly received: ReceivedStatement[] = [];
  private readonly statuses = new Map<string, ReceivedStatement>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(([status, body]) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(request: IncomingMessage): Promise<[number, unknown]> {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^RedshiftData\./, '');
    const input = JSON.parse((await body(request)) || '{}') as Record<string, unknown>;
    const invalid = (message: string): [number, unknown] => [400, { __type: 'ValidationException', message }];
    switch (operation) {
      case 'ExecuteStatement':
      case 'BatchExecuteStatement': {
        const sqls = operation === 'ExecuteStatement' ? [input.Sql] : (input.Sqls as unknown[]);
        if (typeof input.WorkgroupName !== 'string') return invalid('WorkgroupName is required');
        if (typeof input.Database !== 'string') return invalid('Database is required');
        if (!Array.isArray(sqls) || sqls.length === 0 || sqls.some((s) => typeof s !== 'string' || s === ''))
          return invalid('a non-empty SQL statement is required');
        const statement: ReceivedStatement = {
          operation,
          workgroupName: input.WorkgroupName,
          database: input.Database,
          ...(typeof input.SecretArn === 'string' ? { secretArn: input.SecretArn } : {}),
          sqls: sqls as string[],
        };
        const id = randomUUID();
        this.received.push(statement);
        this.statuses.set(id, statement);
        return [200, { Id: id, WorkgroupName: input.WorkgroupName, Database: input.Database }];
      }
      case 'DescribeStatement': {
        const statement = this.statuses.get(String(input.Id));
        if (!statement) return [400, { __type: 'ResourceNotFoundException', message: 'no such statement' }];
        return [
          200,
          {
            Id: input.Id,
            Status: 'FINISHED',
            HasResultSet: statement.sqls.length === 1 && /^\s*(select|with)\b/i.test(statement.sqls[0] ?? ''),
            SubStatements: statement.sqls.map((sql, index) => ({
              Id: `${input.Id}:${index + 1}`,
              Status: 'FINISHED',
              QueryString: sql,
            })),
          },
        ];
      }
      case 'GetStatementResult':
        if (!this.statuses.has(String(input.Id)))
          return [400, { __type: 'ResourceNotFoundException', message: 'no such statement' }];
        return [200, { Records: [], ColumnMetadata: [], TotalNumRows: 0 }];
      case 'CancelStatement':
        return [200, { Status: true }];
      default:
        return [400, { __type: 'UnknownOperationException', message: `unknown operation ${operation}` }];
    }
  }
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
