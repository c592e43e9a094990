import { randomBytes } from 'node:crypto';

/**
 * The services `npm run test:integration` starts: a real Kafka broker and moto server. The AWS SDK
 * clients reach moto through AWS_ENDPOINT_URL with fake credentials set by the runner.
 */
export function integrationEnvironment(): { brokers: string[]; awsEndpoint: string } {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b !== '');
  const awsEndpoint = process.env.AWS_ENDPOINT_URL;
  if (!brokers?.length || !awsEndpoint) {
    throw new Error(
      'integration tests need a Kafka broker and moto server: run them with `npm run test:integration`',
    );
  }
  return { brokers, awsEndpoint };
}

/** A name no other test (or earlier run on the same broker) uses: topics, groups, buckets, prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Runs `work` with stdout captured; returns what it resolved with and the EMF metric documents printed. */
export async function capturingEmf<T>(
  work: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; emf: EmfDocument[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    lines.push(...text.split('\n'));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), emf: emfDocuments(lines) };
  } catch (error) {
    return { error, emf: emfDocuments(lines) };
  } finally {
    process.stdout.write = write;
  }
}

export interface EmfDocument {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

function emfDocuments(lines: readonly string[]): EmfDocument[] {
  return lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as EmfDocument);
}

/** The value of a metric over all EMF documents (summed when emitted more than once). */
export function emfValue(documents: readonly EmfDocument[], name: string): number | undefined {
  const values = documents.filter((doc) => doc[name] !== undefined).map((doc) => Number(doc[name]));
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}
