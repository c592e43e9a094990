import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../lambdas/core/errors.js';
import { apiKeyFromSecret, type SecretReader } from '../../lambdas/fetcher/api-key-secret.js';

const ARN = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:seoul-api-key-AbCdEf';

/**
 * Powertools' real SecretsProvider (cache, maxAge) over a real SDK client whose `send` answers
 * like Secrets Manager: only the network is replaced.
 */
function fakeSecrets(answer: () => { SecretString?: string }): { read: SecretReader; calls: () => number } {
  let calls = 0;
  const client = new SecretsManagerClient({ region: 'ap-northeast-2' });
  client.send = (async (command: unknown) => {
    assert.ok(command instanceof GetSecretValueCommand);
    assert.equal(command.input.SecretId, ARN);
    calls++;
    return answer();
  }) as never;
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  return { read: (id, options) => provider.get(id, options), calls: () => calls };
}

describe('API key from Secrets Manager (Powertools Parameters)', () => {
  it('reads the plain-text key once per maxAge, and a rotated key after it', async () => {
    mock.timers.enable({ apis: ['Date'], now: new Date('2026-07-16T14:20:00Z') });
    try {
      let current = ' 4d6f6b65794b6579 \n';
      const secrets = fakeSecrets(() => ({ SecretString: current }));
      const apiKey = apiKeyFromSecret(ARN, { maxAgeSeconds: 300, read: secrets.read });
      assert.equal(await apiKey(), '4d6f6b65794b6579');
      current = 'rotated-key';
      mock.timers.tick(299_000);
      assert.equal(await apiKey(), '4d6f6b65794b6579', 'kept within maxAge');
      assert.equal(secrets.calls(), 1);
      mock.timers.tick(2_000);
      assert.equal(await apiKey(), 'rotated-key', 'read again after maxAge');
      assert.equal(secrets.calls(), 2);
    } finally {
      mock.timers.reset();
    }
  });

  it('fails clearly on an unset ARN, an empty secret or a JSON secret, never showing the value', async () => {
    const maxAgeSeconds = 300;
    await assert.rejects(
      apiKeyFromSecret(undefined, { maxAgeSeconds, read: fakeSecrets(() => ({})).read })(),
      /SEOUL_API_KEY_SECRET_ARN is not set/,
    );
    await assert.rejects(
      apiKeyFromSecret(ARN, { maxAgeSeconds, read: fakeSecrets(() => ({ SecretString: '  ' })).read })(),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`secret ${ARN} is empty`));
        return true;
      },
    );
    const json = '{"apiKey":"very-secret-value"}';
    await assert.rejects(
      apiKeyFromSecret(ARN, { maxAgeSeconds, read: fakeSecrets(() => ({ SecretString: json })).read })(),
      (error: unknown) => {
        assert.match((error as Error).message, /holds JSON/);
        assert.ok(!(error as Error).message.includes('very-secret-value'));
        return true;
      },
    );
  });

  it('says the secret is empty when it has no value yet (ResourceNotFoundException for AWSCURRENT)', async () => {
    const notFound = (message: string) =>
      Object.assign(new Error(message), { name: 'ResourceNotFoundException' });
    const noValue = fakeSecrets(() => {
      throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    });
    await assert.rejects(
      apiKeyFromSecret(ARN, { maxAgeSeconds: 300, read: noValue.read })(),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match((error as Error).message, new RegExp(`secret ${ARN} is empty: store your Seoul`));
        return true;
      },
    );
    // A secret that does not exist is not called empty: the service's own message is kept.
    const missing = fakeSecrets(() => {
      throw notFound("Secrets Manager can't find the specified secret.");
    });
    await assert.rejects(
      apiKeyFromSecret(ARN, { maxAgeSeconds: 300, read: missing.read })(),
      /cannot read the Seoul API key .*can't find the specified secret\./,
    );
  });

  it('tries again after a failed read', async () => {
    let fail = true;
    const secrets = fakeSecrets(() => {
      if (fail) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { SecretString: 'key-2' };
    });
    const apiKey = apiKeyFromSecret(ARN, { maxAgeSeconds: 300, read: secrets.read });
    await assert.rejects(
      apiKey(),
      /cannot read the Seoul API key from secret .*ThrottlingException: Rate exceeded/,
    );
    fail = false;
    assert.equal(await apiKey(), 'key-2');
  });
});
