import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-function.js';

/**
 * The record of the AWS calls the functions really make, written by the integration tests
 * (recorder.ts) and read by the access proof. One JSON object a line, one file per test file.
 * Nothing in it is listed by hand: every line is a call the code made.
 */
export const RECORD_DIR =
  process.env.ACCESS_RECORD_DIR ?? join(PROJECT_ROOT, 'test-artifacts', 'access-record');

/**
 * Who made a call. `function`: the code of `lambdas/<handler>/` running as that Lambda function
 * (its execution role). `event-source-mapping`: the Lambda MSK trigger of that function, which
 * polls the cluster with the function's role (the integration tests run it as an emulator).
 */
export interface RecordedPrincipal {
  readonly as: 'function' | 'event-source-mapping';
  readonly handler: string;
  /** Where the template names the Kafka cluster this principal connects to (a binding name). */
  readonly kafkaCluster?: string;
}

/**
 * A value the call named, with the configuration slots it came from: `env:NAME` (the function's
 * environment), `resource:Prop` (a property of the custom resource the function serves),
 * `mapping:Prop` (a property of the event source mapping). The proof reads each slot from the
 * synthesized template to find the resource the call reaches on AWS.
 */
export interface RecordedValue {
  readonly value: string;
  readonly from: readonly string[];
}

/** An AWS SDK call: the client's service, the operation and the input fields that name resources. */
export interface RecordedSdkCall {
  readonly kind: 'sdk';
  readonly principal: RecordedPrincipal;
  /** The SDK client's name, e.g. `S3Client`. */
  readonly client: string;
  readonly operation: string;
  readonly params: Readonly<Record<string, RecordedValue>>;
  readonly testFile: string;
}

/** A Kafka protocol request (by its API name, e.g. `PRODUCE`), or `CONNECT` for a new connection. */
export interface RecordedKafkaCall {
  readonly kind: 'kafka';
  readonly principal: RecordedPrincipal;
  readonly api: string;
  readonly topics: readonly RecordedValue[];
  readonly groups: readonly RecordedValue[];
  readonly transactionalIds: readonly RecordedValue[];
  /** PRODUCE / INIT_PRODUCER_ID by an idempotent producer (MSK: WriteDataIdempotently). */
  readonly idempotent?: boolean;
  /** METADATA that may create missing topics (Kafka: Create on the topic). */
  readonly allowAutoTopicCreation?: boolean;
  /** DESCRIBE_CONFIGS / ALTER_CONFIGS of broker (cluster) resources. */
  readonly clusterConfigs?: boolean;
  /** A kafkajs broker method the recorder has no extractor for: the proof refuses it. */
  readonly unknownMethod?: string;
  readonly testFile: string;
}

export type RecordedCall = RecordedSdkCall | RecordedKafkaCall;

/** Every recorded call, from every file of the record folder. */
export function readRecord(dir = RECORD_DIR): RecordedCall[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as RecordedCall),
    );
}
