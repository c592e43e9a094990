import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log } from './logger.js';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.js';

/**
 * Powertools Logger and Metrics configured the same way in every function: service name and
 * namespace from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (set by the CDK function
 * construct), falling back to the names the dashboards use, so a missing variable cannot move the
 * metrics out of the alarms' sight. Log level from LOG_LEVEL (Powertools reads it).
 */
export function lambdaLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE });
}

export function lambdaMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE,
  });
}

/** The core's {@link Log} over a Powertools logger (structured JSON lines, extra keys merged in). */
export function powertoolsLog(logger: Logger): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (extra) logger[level](message, extra);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
