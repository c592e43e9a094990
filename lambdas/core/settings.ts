import { ConfigError } from './errors.js';

/**
 * Setting parsers shared by the local command line and the Lambda functions, so a value means the
 * same and is refused with the same message wherever it is given.
 */

/** A whole number from 1 to `max`; empty or unset means `fallback`. */
export function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = value?.trim();
  if (text === undefined || text === '') return fallback;
  const number = Number(text);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
  }
  return number;
}

/**
 * `API_MAX_ANSWER_BYTES`: the largest API answer read (as sent and decoded). A normal answer is
 * about 3 KB; the ceiling keeps one hostile or broken answer from exhausting the memory.
 */
export function maxAnswerBytes(env: NodeJS.ProcessEnv): number {
  return positiveInteger('API_MAX_ANSWER_BYTES', env.API_MAX_ANSWER_BYTES, 1_048_576, 64 * 1_048_576);
}

/** An http(s) URL for the Seoul API, without trailing slashes. */
export function apiBaseUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`SEOUL_API_BASE_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}
