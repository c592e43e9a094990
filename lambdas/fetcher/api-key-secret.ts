import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, PipelineError } from '../core/errors.js';

/**
 * Reads the Seoul API key from Secrets Manager (a plain-text secret) on first use and keeps it for
 * the life of the container. A failed read is not kept, so the next invocation tries again. No
 * message ever contains the secret's value.
 */
export function apiKeyFromSecret(
  client: Pick<SecretsManagerClient, 'send'>,
  secretArn: string | undefined,
): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    if (!key) {
      key = read(client, secretArn);
      key.catch(() => {
        key = undefined;
      });
    }
    return key;
  };
}

async function read(
  client: Pick<SecretsManagerClient, 'send'>,
  secretArn: string | undefined,
): Promise<string> {
  const arn = secretArn?.trim();
  if (!arn)
    throw new ConfigError(
      'SEOUL_API_KEY_SECRET_ARN is not set: it must name the secret holding the Seoul API key',
    );
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    // A secret created with no value has no AWSCURRENT version: Secrets Manager answers
    // ResourceNotFoundException for it, before any value could be looked at (see emptySecret).
    if (isSecretWithoutValue(error)) throw emptySecret(arn);
    throw new PipelineError(
      'SECRET',
      `cannot read the Seoul API key from secret ${arn}: ${(error as Error).name}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const apiKey = value?.trim() ?? '';
  if (apiKey === '') throw emptySecret(arn);
  if (apiKey.startsWith('{')) {
    throw new ConfigError(
      `secret ${arn} holds JSON: store the Seoul API key in it as plain text, not as a key/value pair`,
    );
  }
  return apiKey;
}

function emptySecret(arn: string): ConfigError {
  return new ConfigError(
    `secret ${arn} is empty: store your Seoul open data portal key in it as plain text ` +
      '(aws secretsmanager put-secret-value --secret-id <arn> --secret-string <key>)',
  );
}

/**
 * The answer GetSecretValue gives for a secret that exists but has no value yet (the stack creates
 * the API key secret empty): ResourceNotFoundException naming the AWSCURRENT staging label. A
 * secret that does not exist at all gets the same exception without that label.
 */
function isSecretWithoutValue(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'ResourceNotFoundException' && /AWSCURRENT/.test(String(message));
}
