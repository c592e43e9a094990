import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, PipelineError } from '../core/errors.js';

/** How a secret is read: Powertools Parameters' `getSecret` (tests give a provider over a fake client). */
export type SecretReader = (secretId: string, options: { maxAge: number }) => Promise<unknown>;

/**
 * Reads the Seoul API key from Secrets Manager (a plain-text secret) through Powertools Parameters,
 * which keeps it for `maxAgeSeconds` and then reads it again: a rotated key is picked up by warm
 * containers within that time, without a redeploy. A failed read is not kept, so the next
 * invocation tries again. No message ever contains the secret's value.
 */
export function apiKeyFromSecret(
  secretArn: string | undefined,
  options: { readonly maxAgeSeconds: number; readonly read?: SecretReader },
): () => Promise<string> {
  const read: SecretReader = options.read ?? ((id, opts) => getSecret(id, opts));
  return async () => {
    const arn = secretArn?.trim();
    if (!arn)
      throw new ConfigError(
        'SEOUL_API_KEY_SECRET_ARN is not set: it must name the secret holding the Seoul API key',
      );
    let value: unknown;
    try {
      value = await read(arn, { maxAge: options.maxAgeSeconds });
    } catch (error) {
      // Powertools wraps the SDK's error; its cause says what Secrets Manager answered.
      const cause = ((error as Error).cause as Error | undefined) ?? (error as Error);
      // A secret created with no value has no AWSCURRENT version: Secrets Manager answers
      // ResourceNotFoundException for it, before any value could be looked at.
      if (isSecretWithoutValue(cause)) throw emptySecret(arn);
      throw new PipelineError(
        'SECRET',
        `cannot read the Seoul API key from secret ${arn}: ${cause.name}: ${cause.message}`,
        {
          cause: error,
        },
      );
    }
    return validApiKey(arn, value);
  };
}

function validApiKey(arn: string, value: unknown): string {
  const apiKey = typeof value === 'string' ? value.trim() : '';
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
