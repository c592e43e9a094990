import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Log } from './logger.js';
import { requiredSetting, SETTINGS } from './settings.js';

/**
 * Powertools Logger and Metrics configured the same way in every function: service name and
 * namespace from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (set by the CDK function
 * construct), falling back to the names the dashboards use, so a missing variable cannot move the
 * metrics out of the alarms' sight. Log level from LOG_LEVEL (Powertools reads it).
 */
export interface LambdaPowertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The core's {@link Log} over the logger. */
  readonly log: Log;
}

export function lambdaPowertools(env: NodeJS.ProcessEnv = process.env): LambdaPowertools {
  const serviceName = requiredSetting(SETTINGS.powertoolsServiceName, env);
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    namespace: requiredSetting(SETTINGS.powertoolsMetricsNamespace, env),
    serviceName,
  });
  return { logger, metrics, log: powertoolsLog(logger) };
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

/**
 * The one shape of every function's entry point: the core's function wrapped by middy with
 * Powertools' `injectLambdaContext` (request id, function name and cold start in every log line)
 * and `logMetrics` (the stored metrics flushed as EMF after every invocation, failed ones too).
 */
export function lambdaHandler<Event, Result>(
  powertools: Pick<LambdaPowertools, 'logger' | 'metrics'>,
  run: (event: Event, context: Context) => Promise<Result>,
) {
  return middy<Event, Result, Error, Context>((event: Event, context: Context) => run(event, context))
    .use(injectLambdaContext(powertools.logger))
    .use(logMetrics(powertools.metrics));
}
