import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { kafkaConfigFor } from '../../lambdas/core/kafka/connection.js';
import { mskIamTokenProvider } from '../../lambdas/core/kafka/iam-token.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';
import { MemoryLog } from '../support/memory-log.js';

const FAKE = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
};

/** SigV4 presigned-URL signature, computed here from the spec, independently of the signer's code. */
function expectedSignature(url: URL, secretAccessKey: string): string {
  const encode = (text: string) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const signed = [...url.searchParams].filter(
    ([name]) => name !== 'X-Amz-Signature' && name !== 'User-Agent',
  );
  const query = signed
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const emptyBodyHash = createHash('sha256').update('').digest('hex');
  const canonical = ['GET', '/', query, `host:${url.host}`, '', 'host', emptyBodyHash].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') as string;
  const [, date, region, service] = (url.searchParams.get('X-Amz-Credential') as string).split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date as string), region as string), service as string),
    'aws4_request',
  );
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}

describe('MSK IAM token provider', () => {
  const saved: Record<string, string | undefined> = {};
  const sockets: unknown[] = [];
  const onSocket = (socket: unknown) => sockets.push(socket);

  before(() => {
    for (const [name, value] of Object.entries(FAKE)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    diagnostics.subscribe('net.client.socket', onSocket);
  });
  after(() => {
    diagnostics.unsubscribe('net.client.socket', onSocket);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('signs a kafka-cluster:Connect token with the environment credentials, without any network call', async (t) => {
    // The signing time comes from the clock, here one the test sets.
    const started = Date.parse('2026-07-16T14:20:05Z');
    t.mock.timers.enable({ apis: ['Date'], now: started });
    const provider = mskIamTokenProvider('ap-northeast-2');
    const { value } = await provider();
    t.mock.timers.reset();

    assert.match(value, /^[A-Za-z0-9_-]+$/, 'the token is base64url without padding');
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    assert.equal(url.protocol, 'https:');
    assert.equal(url.host, 'kafka.ap-northeast-2.amazonaws.com');
    assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host');
    assert.equal(url.searchParams.get('X-Amz-Expires'), '900');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), FAKE.AWS_SESSION_TOKEN);
    const credential = (url.searchParams.get('X-Amz-Credential') as string).split('/');
    assert.equal(credential[0], FAKE.AWS_ACCESS_KEY_ID);
    assert.deepEqual(credential.slice(2), ['ap-northeast-2', 'kafka-cluster', 'aws4_request']);
    const signedAt = url.searchParams.get('X-Amz-Date') as string;
    assert.equal(credential[1], signedAt.slice(0, 8));
    assert.equal(signedAt, '20260716T142005Z');
    assert.equal(url.searchParams.get('X-Amz-Signature'), expectedSignature(url, FAKE.AWS_SECRET_ACCESS_KEY));
    assert.ok(!value.includes(FAKE.AWS_SECRET_ACCESS_KEY) && !url.href.includes(FAKE.AWS_SECRET_ACCESS_KEY));
    assert.equal(sockets.length, 0, 'signing opened a network connection');
  });

  it('signs a fresh token on every call (kafkajs calls it on each re-authentication)', async () => {
    const tokens: string[] = [];
    let calls = 0;
    const provider = mskIamTokenProvider('eu-west-1', async ({ region }) => {
      calls++;
      return { token: `${region}-${calls}`, expiryTime: Date.now() + 900_000 };
    });
    tokens.push((await provider()).value, (await provider()).value);
    assert.deepEqual(tokens, ['eu-west-1-1', 'eu-west-1-2']);
  });

  it('turns a signer failure into a KafkaError naming the region', async () => {
    const provider = mskIamTokenProvider('us-east-1', async () => {
      throw new Error('AWS credentials cannot be empty to generate auth token.');
    });
    await assert.rejects(provider(), (error: unknown) => {
      assert.ok(error instanceof KafkaError);
      assert.match(
        error.message,
        /cannot sign an MSK IAM token in us-east-1: AWS credentials cannot be empty/,
      );
      return true;
    });
    assert.throws(() => mskIamTokenProvider(' '), KafkaError);
  });

  it('is what the kafkajs client uses for an IAM endpoint, over TLS; a local endpoint is plain', async () => {
    let signed = 0;
    const options = {
      clientId: 'test',
      log: new MemoryLog(),
      tokenSigner: async () => ({ token: `t${++signed}`, expiryTime: 0 }),
    };
    const iam = kafkaConfigFor(
      {
        brokers: ['boot-abcd1234.c2.kafka-serverless.ap-northeast-2.amazonaws.com:9098'],
        auth: { kind: 'iam', region: 'ap-northeast-2' },
      },
      options,
    );
    assert.equal(iam.ssl, true);
    assert.equal(iam.sasl?.mechanism, 'oauthbearer');
    const sasl = iam.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    assert.deepEqual(await sasl.oauthBearerProvider(), { value: 't1' });
    assert.deepEqual(await sasl.oauthBearerProvider(), { value: 't2' });

    const plain = kafkaConfigFor({ brokers: ['127.0.0.1:9092'], auth: { kind: 'plain' } }, options);
    assert.equal(plain.ssl, false);
    assert.equal(plain.sasl, undefined);
  });
});
