import { KafkaClient } from '@aws-sdk/client-kafka';
import { Kafka, type KafkaConfig, type LogEntry, logLevel } from 'kafkajs';
import { ConfigError } from '../errors.js';
import type { Log } from '../logger.js';
import { kafkaBrokers, SETTINGS, settingFromEnv } from '../settings.js';
import { iamBootstrapBrokers } from './bootstrap-brokers.js';
import { type MskTokenSigner, mskIamTokenProvider } from './iam-token.js';

/** Where the Kafka cluster is, as configured: a list of local brokers, or an MSK cluster ARN. */
export interface KafkaLocation {
  /** `host:port` of plain-text brokers (a local or self-managed cluster). Wins over `clusterArn`. */
  readonly brokers?: readonly string[];
  /** An MSK (Serverless) cluster with IAM access control; its brokers are looked up. */
  readonly clusterArn?: string;
}

/** How to connect: plain text for local brokers; TLS with SASL OAUTHBEARER (IAM) for MSK. */
export type KafkaAuth = { readonly kind: 'plain' } | { readonly kind: 'iam'; readonly region: string };

export interface KafkaEndpoint {
  readonly brokers: readonly string[];
  readonly auth: KafkaAuth;
}

/** Parses `KAFKA_BROKERS` (comma-separated `host:port`); undefined when unset or empty. */
export const parseBrokerList = (value: string | undefined) => kafkaBrokers(value);

/** `KAFKA_BROKERS` when set (local runs and tests), else `MSK_CLUSTER_ARN` (on AWS). */
export function kafkaLocationFromEnv(env: NodeJS.ProcessEnv): KafkaLocation {
  const brokers = settingFromEnv(SETTINGS.kafkaBrokers, env);
  if (brokers) return { brokers: [...brokers] };
  const clusterArn = settingFromEnv(SETTINGS.mskClusterArn, env);
  return clusterArn ? { clusterArn } : {};
}

/** The region of an ARN (`arn:aws:kafka:ap-northeast-2:…`), where the IAM token must be signed. */
export function regionOfArn(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !parts[3]) {
    throw new ConfigError(`not an ARN with a region: ${JSON.stringify(arn)}`);
  }
  return parts[3];
}

/**
 * Turns a configured location into brokers and an authentication mode. For an MSK cluster the
 * IAM bootstrap brokers are fetched once per container (see bootstrap-brokers.ts).
 */
export async function resolveKafkaEndpoint(
  location: KafkaLocation,
  deps: { kafkaClient?: () => Pick<KafkaClient, 'send'> } = {},
): Promise<KafkaEndpoint> {
  if (location.brokers && location.brokers.length > 0) {
    return { brokers: [...location.brokers], auth: { kind: 'plain' } };
  }
  if (location.clusterArn) {
    const region = regionOfArn(location.clusterArn);
    const client = deps.kafkaClient?.() ?? new KafkaClient({ region });
    return { brokers: await iamBootstrapBrokers(client, location.clusterArn), auth: { kind: 'iam', region } };
  }
  throw new ConfigError('no Kafka cluster configured: set KAFKA_BROKERS (host:port,…) or MSK_CLUSTER_ARN');
}

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly log: Log;
  /** Time to open one connection (TLS and SASL included). @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** Time to wait for one request's answer. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Retries of a failed connection or request before giving up: kept small so a dead broker fails fast. @default 5 */
  readonly retries?: number;
  /** Replaces the MSK IAM token signer (tests). */
  readonly tokenSigner?: MskTokenSigner;
}

/** A kafkajs client for an endpoint: plain for local brokers, TLS + IAM (OAUTHBEARER) for MSK. */
export function createKafka(endpoint: KafkaEndpoint, options: KafkaClientOptions): Kafka {
  return new Kafka(kafkaConfigFor(endpoint, options));
}

/** The kafkajs configuration {@link createKafka} uses, apart so it can be checked. */
export function kafkaConfigFor(endpoint: KafkaEndpoint, options: KafkaClientOptions): KafkaConfig {
  return {
    clientId: options.clientId,
    brokers: [...endpoint.brokers],
    ssl: endpoint.auth.kind === 'iam',
    sasl:
      endpoint.auth.kind === 'iam'
        ? {
            mechanism: 'oauthbearer',
            oauthBearerProvider: mskIamTokenProvider(endpoint.auth.region, options.tokenSigner),
          }
        : undefined,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    logLevel: logLevel.INFO,
    logCreator: kafkajsLogCreator(options.log),
  };
}

/**
 * kafkajs logs every transient condition (a coordinator still loading, a retried request) at
 * ERROR. Those are not errors of the pipeline: what fails for good surfaces as a thrown
 * {@link KafkaError} with its cause, so kafkajs' own lines go to debug.
 */
function kafkajsLogCreator(log: Log) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry;
      log.debug(`kafkajs: ${message}`, { kafkajs: namespace, kafkajsLevel: logLevel[level], ...extra });
    };
}
