import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lambdaHandler, lambdaPowertools } from '../../lambdas/core/lambda-powertools.js';
import { lambdaContext } from '../support/lambda-context.js';

/** Every line Powertools writes to stdout while `run` runs (its logger and EMF metrics both go there). */
async function stdoutLines(
  run: () => Promise<unknown>,
): Promise<{ lines: Record<string, unknown>[]; error?: unknown }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  let error: unknown;
  try {
    await run();
  } catch (caught) {
    error = caught;
  } finally {
    process.stdout.write = write;
  }
  const lines = chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, error };
}

describe('the one handler shape (middy + Powertools)', () => {
  const env = {
    POWERTOOLS_SERVICE_NAME: 'seoul-population',
    POWERTOOLS_METRICS_NAMESPACE: 'Test',
    LOG_LEVEL: 'INFO',
  };

  it('puts the request id and the cold start in every log line, and flushes the metrics', async () => {
    // Lambda sets this for on-demand containers; Powertools reports cold starts only then.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const powertools = lambdaPowertools(env);
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    const handler = lambdaHandler(powertools, async (event: { n: number }) => {
      powertools.log.info('working', { n: event.n });
      powertools.metrics.addMetric('Runs', 'Count', 1);
      return event.n * 2;
    });
    const context = lambdaContext('fetcher');
    let result: unknown;
    const first = await stdoutLines(async () => {
      result = await handler({ n: 21 }, context);
    });
    assert.equal(result, 42);
    const log = first.lines.find((line) => line.message === 'working');
    assert.equal(log?.function_request_id, context.awsRequestId);
    assert.equal(log?.function_name, 'fetcher');
    assert.equal(log?.cold_start, true);
    assert.ok(
      first.lines.some((line) => line.Runs === 1 && line._aws !== undefined),
      'EMF line with Runs',
    );

    const second = await stdoutLines(() => handler({ n: 1 }, lambdaContext('fetcher')));
    assert.equal(second.lines.find((line) => line.message === 'working')?.cold_start, false);
  });

  it('flushes the metrics of a failed invocation too, and lets its error through', async () => {
    const powertools = lambdaPowertools(env);
    const handler = lambdaHandler(powertools, async () => {
      powertools.metrics.addMetric('RunsFailed', 'Count', 1);
      throw new Error('broker unreachable');
    });
    const { lines, error } = await stdoutLines(() => handler({}, lambdaContext('fetcher')));
    assert.match(String(error), /broker unreachable/);
    assert.ok(lines.some((line) => line.RunsFailed === 1));
  });
});
