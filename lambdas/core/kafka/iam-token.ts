import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { OauthbearerProviderResponse } from 'kafkajs';
import { KafkaError } from './kafka-error.js';

/** Signs an MSK IAM token for a region: `generateAuthToken` from aws-msk-iam-sasl-signer-js by default. */
export type MskTokenSigner = (options: { region: string }) => Promise<{ token: string; expiryTime: number }>;

/**
 * The SASL OAUTHBEARER token provider kafkajs calls on every (re)authentication with an MSK
 * cluster that uses IAM access control. The signer presigns a `kafka-cluster:Connect` request
 * with the function's credentials (the default provider chain: on Lambda, its role's environment
 * credentials), locally, without a network call; kafkajs sends the token as `{ value }`.
 */
export function mskIamTokenProvider(
  region: string,
  sign: MskTokenSigner = generateAuthToken,
): () => Promise<OauthbearerProviderResponse> {
  if (region.trim() === '') throw new KafkaError('cannot sign MSK IAM tokens: no AWS region given');
  return async () => {
    try {
      const { token } = await sign({ region });
      return { value: token };
    } catch (error) {
      // The signer's messages name what is missing (region, credentials) and never the secret key.
      throw new KafkaError(`cannot sign an MSK IAM token in ${region}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}
