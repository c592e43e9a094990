import type {
  DescribeStatementResponse,
  Field,
  GetStatementResultResponse,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';

/** One call the code under test made: the command's class name and its input, as sent. */
export interface RecordedCall {
  readonly command: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs of several command types, compared structurally
  readonly input: any;
}

/**
 * A stand-in for the Redshift Data API that records every `send` and answers like the service:
 * ids for submitted statements, DescribeStatement statuses (scripted per statement, FINISHED by
 * default), and result pages for queries.
 */
export class FakeRedshiftData {
  readonly calls: RecordedCall[] = [];
  private submitted = 0;
  /** Statuses DescribeStatement reports for the n-th submitted statement (1-based), in turn. */
  readonly statuses = new Map<number, Partial<DescribeStatementResponse>[]>();
  /** Result pages GetStatementResult returns for the n-th submitted statement. */
  readonly results = new Map<number, GetStatementResultResponse[]>();

  asClient(): RedshiftDataClient {
    return this as unknown as RedshiftDataClient;
  }

  /** Calls of one command, e.g. `ExecuteStatementCommand`. */
  sent(command: string): RecordedCall[] {
    return this.calls.filter((call) => call.command === command);
  }

  async send(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    const name = command.constructor.name;
    // biome-ignore lint/suspicious/noExplicitAny: see RecordedCall
    const input = structuredClone(command.input) as any;
    this.calls.push({ command: name, input });
    switch (name) {
      case 'ExecuteStatementCommand':
      case 'BatchExecuteStatementCommand':
        this.submitted++;
        return { Id: `stmt-${this.submitted}` };
      case 'DescribeStatementCommand': {
        const n = Number(String(input.Id).replace('stmt-', ''));
        const queue = this.statuses.get(n);
        const next = queue && queue.length > 1 ? queue.shift() : queue?.[0];
        return { Id: input.Id, Status: 'FINISHED', ...next };
      }
      case 'GetStatementResultCommand': {
        const n = Number(String(input.Id).replace('stmt-', ''));
        const pages = this.results.get(n) ?? [{ Records: [], ColumnMetadata: [] }];
        const index = input.NextToken ? Number(input.NextToken) : 0;
        return pages[index];
      }
      case 'CancelStatementCommand':
        return { Status: true };
      default:
        throw new Error(`unexpected command ${name}`);
    }
  }
}

/** A result page with named string/number columns, as GetStatementResult returns it. */
export function resultPage(
  columns: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
  nextToken?: string,
): GetStatementResultResponse {
  const field = (value: string | number | null): Field =>
    value === null
      ? { isNull: true }
      : typeof value === 'number'
        ? { longValue: value }
        : { stringValue: value };
  return {
    ColumnMetadata: columns.map((name) => ({ name })),
    Records: rows.map((row) => row.map(field)),
    TotalNumRows: rows.length,
    ...(nextToken ? { NextToken: nextToken } : {}),
  } as GetStatementResultResponse;
}
