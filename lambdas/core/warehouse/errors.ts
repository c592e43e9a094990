import { PipelineError } from '../errors.js';

/**
 * A warehouse statement failed, was aborted, or never finished. Carries the Data API statement id
 * so the failing query can be found in `SYS_QUERY_HISTORY` or the console.
 */
export class WarehouseStatementError extends PipelineError {
  constructor(
    message: string,
    readonly statementId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('WAREHOUSE_STATEMENT', message, options);
  }
}

/** A SQL file or a value meant for it is not acceptable: nothing was sent to the warehouse. */
export class SqlTemplateError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_TEMPLATE', message, options);
  }
}
