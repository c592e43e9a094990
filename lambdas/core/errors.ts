/**
 * One small error hierarchy for the whole pipeline. Every error carries a stable `code` that
 * logs, metrics and tests can match on, and the underlying `cause` when there is one.
 */
export class PipelineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting is missing or out of range; the message names the value received and what is allowed. */
export class ConfigError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** The API refused the key (INFO-100). Nothing else can succeed with this key, so the run stops. */
export class InvalidApiKeyError extends PipelineError {
  constructor() {
    super(
      'INVALID_API_KEY',
      'The Seoul open data portal refused the API key (INFO-100). Get a key for free at ' +
        'https://data.seoul.go.kr (sign in, then "인증키 신청" / request an Open API key) and set it in ' +
        'SEOUL_API_KEY. The key itself is never printed.',
    );
  }
}

/** Writing to the lake or the catalog failed: the batch must be redelivered, never acknowledged. */
export class StorageError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options);
  }
}

/** The whole run could not collect a single place (for example, the API is unreachable). */
export class RunFailedError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUN_FAILED', message, options);
  }
}

/** Formats an error and its chain of causes on one line, for summaries and CLI messages. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return [...new Set(parts)].join(': ');
}
