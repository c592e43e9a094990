import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../lambdas/core/errors.js';
import { apiKeyFromSecret } from '../../lambdas/fetcher/api-key-secret.js';

const ARN = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:seoul-api-key-AbCdEf';

function fakeSecrets(answer: () => { SecretString?: string }) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    send: async (command: unknown) => {
      assert.ok(command instanceof GetSecretValueCommand);
      assert.equal(command.input.SecretId, ARN);
      calls++;
      return answer();
    },
  };
}

describe('API key from Secrets Manager', () => {
  it('reads the plain-text key once per container', async () => {
    const client = fakeSecrets(() => ({ SecretString: ' 4d6f6b65794b6579 \n' }));
    const apiKey = apiKeyFromSecret(client as never, ARN);
    assert.equal(await apiKey(), '4d6f6b65794b6579');
    assert.equal(await apiKey(), '4d6f6b65794b6579');
    assert.equal(client.calls, 1);
  });

  it('fails clearly on an unset ARN, an empty secret or a JSON secret, never showing the value', async () => {
    await assert.rejects(
      apiKeyFromSecret(fakeSecrets(() => ({})) as never, undefined)(),
      /SEOUL_API_KEY_SECRET_ARN is not set/,
    );
    await assert.rejects(
      apiKeyFromSecret(fakeSecrets(() => ({ SecretString: '  ' })) as never, ARN)(),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`secret ${ARN} is empty`));
        return true;
      },
    );
    const json = '{"apiKey":"very-secret-value"}';
    await assert.rejects(
      apiKeyFromSecret(fakeSecrets(() => ({ SecretString: json })) as never, ARN)(),
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
    const noValue = {
      send: async () => {
        throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
      },
    };
    await assert.rejects(apiKeyFromSecret(noValue as never, ARN)(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match((error as Error).message, new RegExp(`secret ${ARN} is empty: store your Seoul`));
      return true;
    });
    // A secret that does not exist is not called empty: the service's own message is kept.
    const missing = {
      send: async () => {
        throw notFound("Secrets Manager can't find the specified secret.");
      },
    };
    await assert.rejects(
      apiKeyFromSecret(missing as never, ARN)(),
      /cannot read the Seoul API key .*can't find the specified secret\./,
    );
  });

  it('tries again after a failed read', async () => {
    let fail = true;
    const client = {
      send: async () => {
        if (fail) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { SecretString: 'key-2' };
      },
    };
    const apiKey = apiKeyFromSecret(client as never, ARN);
    await assert.rejects(
      apiKey(),
      /cannot read the Seoul API key from secret .*ThrottlingException: Rate exceeded/,
    );
    fail = false;
    assert.equal(await apiKey(), 'key-2');
  });
});
