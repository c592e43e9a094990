import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type PipelineConfig } from '../../../lib/config.js';
import { ConfigError } from '../../core/errors.js';

/** The repository root: cdk.json lives there. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The deployment's configuration exactly as `npx cdk deploy` builds it: cdk.json's context with
 * `-c key=value` pairs on top, validated by the same code (lib/config.ts).
 */
export function deployConfig(
  pairs: readonly string[] = [],
  cdkJsonPath = join(ROOT, 'cdk.json'),
): PipelineConfig {
  const context =
    (JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ConfigError(`-c must be key=value, got ${JSON.stringify(pair)}`);
    overrides[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return loadConfig({ ...context, ...overrides });
}
