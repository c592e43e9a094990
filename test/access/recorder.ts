import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import {
  RECORD_DIR,
  type RecordedCall,
  type RecordedKafkaCall,
  type RecordedPrincipal,
  type RecordedValue,
} from './record.js';

/**
 * Records, while the integration tests run the functions' handlers, every AWS SDK call and every
 * Kafka request they make, with who made it: the access proof simulates each one against the
 * synthesized IAM policies. Two hooks, installed once per process on import:
 *
 * - an AWS SDK middleware on every client (all `@aws-sdk/*` clients extend the one `Client` of
 *   `@smithy/core`, whose `send` adds it to the client's stack on first use), which sees the
 *   service, the operation and the input before anything is sent;
 * - a wrapper around the request methods of kafkajs' `Broker` (every Kafka request a producer,
 *   consumer or admin client sends goes through one), which sees the topics, groups and
 *   transactional ids each request names, and every new authenticated connection.
 *
 * Calls made outside {@link recordAs} (test set-up, assertions) are not recorded. Only input
 * fields that name resources are kept, and only the names of configuration slots whose value a
 * call used: never a credential, a body or a statement's text.
 */

interface Scope {
  readonly principal: RecordedPrincipal;
  /** Values the principal got from outside its environment: `resource:Topic`, `mapping:Topics`, … */
  readonly bindings: Readonly<Record<string, string>>;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs `work` as `principal`: the AWS and Kafka calls it makes, however deep, are recorded. */
export function recordAs<T>(
  principal: RecordedPrincipal,
  work: () => Promise<T>,
  bindings: Readonly<Record<string, string>> = {},
): Promise<T> {
  return scope.run({ principal, bindings }, work);
}

const require = createRequire(import.meta.url);
const testFile = basename(process.argv[1] ?? 'unknown');
let started = false;
/** Lines already written: a call made a thousand times (a poll, a put per file) is kept once. */
const written = new Set<string>();

function write(call: RecordedCall): void {
  const file = join(RECORD_DIR, `${testFile}.jsonl`);
  if (!started) {
    // A test file's record is replaced by its latest run, never appended to an older one.
    mkdirSync(RECORD_DIR, { recursive: true });
    writeFileSync(file, '');
    started = true;
  }
  const line = JSON.stringify(call);
  if (written.has(line)) return;
  written.add(line);
  appendFileSync(file, `${line}\n`);
}

/** Environment variables that hold credentials or secrets: never matched, never written. */
const NEVER = /ACCESS_KEY|SECRET_ACCESS|SESSION_TOKEN|PASSWORD|^SEOUL_API_KEY$/;

/** The value with every configuration slot (environment variable or binding) that holds it. */
function traced(value: string, current: Scope): RecordedValue {
  const from = [
    ...Object.entries(process.env)
      .filter(([name, held]) => held === value && !NEVER.test(name))
      .map(([name]) => `env:${name}`),
    ...Object.entries(current.bindings)
      .filter(([, held]) => held === value)
      .map(([name]) => name),
  ];
  return { value, from: from.sort() };
}

/** SDK input fields that name the resource a call acts on (IAM authorizes against them). */
const RESOURCE_FIELDS = [
  'Bucket',
  'Key',
  'Prefix',
  'CatalogId',
  'DatabaseName',
  'TableName',
  'Name',
  'SecretId',
  'ClusterArn',
  'WorkgroupName',
  'Database',
  'SecretArn',
  'DbUser',
  'ClusterIdentifier',
] as const;

type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
  context: { clientName?: string; commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;

const recordSdkCall: Middleware = (next, context) => async (args) => {
  const current = scope.getStore();
  if (current) {
    const params: Record<string, RecordedValue> = {};
    for (const field of RESOURCE_FIELDS) {
      const value = args.input[field];
      if (typeof value === 'string') params[field] = traced(value, current);
    }
    write({
      kind: 'sdk',
      principal: current.principal,
      client: context.clientName ?? 'unknown',
      operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
      params,
      testFile,
    });
  }
  return next(args);
};

function installSdkHook(): void {
  // The CommonJS build is the one Node loads for every @aws-sdk client ("node" export condition).
  const { Client } = require('@smithy/core/client') as {
    Client: { prototype: { send: (...args: unknown[]) => unknown } };
  };
  const send = Client.prototype.send;
  const instrumented = new WeakSet<object>();
  Client.prototype.send = function (
    this: { middlewareStack: { add: (middleware: Middleware, options: object) => void } },
    ...args: unknown[]
  ) {
    if (!instrumented.has(this)) {
      instrumented.add(this);
      this.middlewareStack.add(recordSdkCall, { step: 'initialize', name: 'accessProofRecorder' });
    }
    return send.apply(this, args);
  };
}

type KafkaNames = Pick<RecordedKafkaCall, 'topics' | 'groups' | 'transactionalIds'>;
type KafkaRequest = { api: string } & Partial<
  Pick<RecordedKafkaCall, 'idempotent' | 'allowAutoTopicCreation' | 'clusterConfigs'>
> & { topics?: string[]; groups?: string[]; transactionalIds?: string[] };
// biome-ignore lint/suspicious/noExplicitAny: kafkajs' broker methods take loosely typed objects
type Args = any[];

const topicsOf = (list: { topic: string }[] | undefined) => (list ?? []).map((t) => t.topic);
const CONFIG_TOPIC = 2;
const COORDINATOR_TRANSACTION = 1;

/**
 * kafkajs broker methods → the Kafka API each sends and the names it carries. A method missing
 * here is recorded as unknown, and the proof refuses it until it is added.
 */
const KAFKA_REQUESTS: Record<
  string,
  (self: { allowAutoTopicCreation?: boolean }, args: Args) => KafkaRequest
> = {
  apiVersions: () => ({ api: 'API_VERSIONS' }),
  metadata: (self, [topics]) => ({
    api: 'METADATA',
    topics: topics ?? [],
    allowAutoTopicCreation: self.allowAutoTopicCreation === true && (topics ?? []).length > 0,
  }),
  produce: (_, [{ topicData, transactionalId, producerId }]) => ({
    api: 'PRODUCE',
    topics: topicsOf(topicData),
    transactionalIds: transactionalId ? [transactionalId] : [],
    idempotent: !transactionalId && producerId !== undefined && Number(producerId) !== -1,
  }),
  fetch: (_, [{ topics }]) => ({ api: 'FETCH', topics: topicsOf(topics) }),
  listOffsets: (_, [{ topics }]) => ({ api: 'LIST_OFFSETS', topics: topicsOf(topics) }),
  heartbeat: (_, [{ groupId }]) => ({ api: 'HEARTBEAT', groups: [groupId] }),
  joinGroup: (_, [{ groupId }]) => ({ api: 'JOIN_GROUP', groups: [groupId] }),
  leaveGroup: (_, [{ groupId }]) => ({ api: 'LEAVE_GROUP', groups: [groupId] }),
  syncGroup: (_, [{ groupId }]) => ({ api: 'SYNC_GROUP', groups: [groupId] }),
  findGroupCoordinator: (_, [{ groupId, coordinatorType }]) =>
    coordinatorType === COORDINATOR_TRANSACTION
      ? { api: 'FIND_COORDINATOR', transactionalIds: [groupId] }
      : { api: 'FIND_COORDINATOR', groups: [groupId] },
  offsetCommit: (_, [{ groupId, topics }]) => ({
    api: 'OFFSET_COMMIT',
    groups: [groupId],
    topics: topicsOf(topics),
  }),
  offsetFetch: (_, [{ groupId, topics }]) => ({
    api: 'OFFSET_FETCH',
    groups: [groupId],
    topics: topicsOf(topics ?? undefined),
  }),
  describeGroups: (_, [{ groupIds }]) => ({ api: 'DESCRIBE_GROUPS', groups: groupIds }),
  listGroups: () => ({ api: 'LIST_GROUPS' }),
  deleteGroups: (_, [groupIds]) => ({ api: 'DELETE_GROUPS', groups: groupIds }),
  createTopics: (_, [{ topics }]) => ({ api: 'CREATE_TOPICS', topics: topicsOf(topics) }),
  createPartitions: (_, [{ topicPartitions }]) => ({
    api: 'CREATE_PARTITIONS',
    topics: topicsOf(topicPartitions),
  }),
  deleteTopics: (_, [{ topics }]) => ({ api: 'DELETE_TOPICS', topics }),
  deleteRecords: (_, [{ topics }]) => ({ api: 'DELETE_RECORDS', topics: topicsOf(topics) }),
  describeConfigs: (_, [{ resources }]) => ({
    api: 'DESCRIBE_CONFIGS',
    topics: resources
      .filter((r: { type: number }) => r.type === CONFIG_TOPIC)
      .map((r: { name: string }) => r.name),
    clusterConfigs: resources.some((r: { type: number }) => r.type !== CONFIG_TOPIC),
  }),
  alterConfigs: (_, [{ resources }]) => ({
    api: 'ALTER_CONFIGS',
    topics: resources
      .filter((r: { type: number }) => r.type === CONFIG_TOPIC)
      .map((r: { name: string }) => r.name),
    clusterConfigs: resources.some((r: { type: number }) => r.type !== CONFIG_TOPIC),
  }),
  initProducerId: (_, [{ transactionalId }]) => ({
    api: 'INIT_PRODUCER_ID',
    transactionalIds: transactionalId ? [transactionalId] : [],
    idempotent: !transactionalId,
  }),
  addPartitionsToTxn: (_, [{ transactionalId, topics }]) => ({
    api: 'ADD_PARTITIONS_TO_TXN',
    transactionalIds: [transactionalId],
    topics: topicsOf(topics),
  }),
  addOffsetsToTxn: (_, [{ transactionalId, groupId }]) => ({
    api: 'ADD_OFFSETS_TO_TXN',
    transactionalIds: [transactionalId],
    groups: [groupId],
  }),
  txnOffsetCommit: (_, [{ transactionalId, groupId, topics }]) => ({
    api: 'TXN_OFFSET_COMMIT',
    transactionalIds: [transactionalId],
    groups: [groupId],
    topics: topicsOf(topics),
  }),
  endTxn: (_, [{ transactionalId }]) => ({ api: 'END_TXN', transactionalIds: [transactionalId] }),
};

/** Broker methods that send no request of their own. */
const NOT_REQUESTS = new Set(['constructor', 'isConnected', 'connect', 'disconnect']);

function recordKafka(request: KafkaRequest, unknownMethod?: string): void {
  const current = scope.getStore();
  if (!current) return;
  const names = (values: string[] | undefined): RecordedValue[] =>
    [...new Set(values ?? [])].map((value) => traced(value, current));
  const call: RecordedKafkaCall = {
    kind: 'kafka',
    principal: current.principal,
    api: request.api,
    topics: names(request.topics),
    groups: names(request.groups),
    transactionalIds: names(request.transactionalIds),
    ...(request.idempotent !== undefined ? { idempotent: request.idempotent } : {}),
    ...(request.allowAutoTopicCreation ? { allowAutoTopicCreation: true } : {}),
    ...(request.clusterConfigs ? { clusterConfigs: true } : {}),
    ...(unknownMethod ? { unknownMethod } : {}),
    testFile,
  } satisfies KafkaNames & RecordedKafkaCall;
  write(call);
}

function installKafkaHook(): void {
  const kafkajsRoot = require.resolve('kafkajs').replace(/index\.js$/, '');
  const Broker = require(`${kafkajsRoot}src/broker/index.js`) as {
    prototype: Record<string, unknown> & { isConnected(): boolean };
  };
  const connect = Broker.prototype.connect as (this: { isConnected(): boolean }) => Promise<void>;
  Broker.prototype.connect = async function (this: { isConnected(): boolean }) {
    // A new connection authenticates (SASL/IAM on MSK): kafka-cluster:Connect on the cluster.
    if (!this.isConnected()) recordKafka({ api: 'CONNECT' });
    return connect.call(this);
  };
  for (const name of Object.getOwnPropertyNames(Broker.prototype)) {
    const original = Broker.prototype[name];
    if (NOT_REQUESTS.has(name) || typeof original !== 'function') continue;
    Broker.prototype[name] = function (this: { allowAutoTopicCreation?: boolean }, ...args: Args) {
      const describe = KAFKA_REQUESTS[name];
      if (describe) recordKafka(describe(this, args));
      else recordKafka({ api: `UNKNOWN:${name}` }, name);
      return (original as (...a: Args) => unknown).apply(this, args);
    };
  }
}

const INSTALLED = Symbol.for('seoul-population.access-recorder');
const global = globalThis as { [INSTALLED]?: boolean };
if (!global[INSTALLED]) {
  global[INSTALLED] = true;
  installSdkHook();
  installKafkaHook();
}
